//! HTTP APIs' AWS service integrations (`AWS_PROXY` with an `integrationSubtype`): the
//! subtypes and the request parameters each takes, as AWS's "Integration subtype reference"
//! (http-api-develop-integrations-aws-services-reference.html) lists them. Read by the
//! management API (which parameters an integration may name) and by the data plane (what the
//! service request is made of).

/// One subtype: its name, the parameters it requires, those it also takes (every subtype
/// takes `Region` too), and the service call it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subtype {
    pub name: &'static str,
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    /// The signing name, also the key of `[aws_services.endpoints]`.
    pub service: &'static str,
    /// The service's operation.
    pub action: &'static str,
}

pub const SUBTYPES: &[Subtype] = &[
    Subtype {
        name: "EventBridge-PutEvents",
        required: &["Detail", "DetailType", "Source"],
        optional: &["Time", "EventBusName", "Resources", "TraceHeader"],
        service: "events",
        action: "PutEvents",
    },
    Subtype {
        name: "SQS-SendMessage",
        required: &["QueueUrl", "MessageBody"],
        optional: &[
            "DelaySeconds",
            "MessageAttributes",
            "MessageDeduplicationId",
            "MessageGroupId",
            "MessageSystemAttributes",
        ],
        service: "sqs",
        action: "SendMessage",
    },
    Subtype {
        name: "SQS-ReceiveMessage",
        required: &["QueueUrl"],
        optional: &[
            "AttributeNames",
            "MaxNumberOfMessages",
            "MessageAttributeNames",
            "ReceiveRequestAttemptId",
            "VisibilityTimeout",
            "WaitTimeSeconds",
        ],
        service: "sqs",
        action: "ReceiveMessage",
    },
    Subtype {
        name: "SQS-DeleteMessage",
        required: &["ReceiptHandle", "QueueUrl"],
        optional: &[],
        service: "sqs",
        action: "DeleteMessage",
    },
    Subtype {
        name: "SQS-PurgeQueue",
        required: &["QueueUrl"],
        optional: &[],
        service: "sqs",
        action: "PurgeQueue",
    },
    Subtype {
        name: "AppConfig-GetConfiguration",
        required: &["Application", "Environment", "Configuration", "ClientId"],
        optional: &["ClientConfigurationVersion"],
        service: "appconfig",
        action: "GetConfiguration",
    },
    Subtype {
        name: "Kinesis-PutRecord",
        required: &["StreamName", "Data", "PartitionKey"],
        optional: &["SequenceNumberForOrdering", "ExplicitHashKey"],
        service: "kinesis",
        action: "PutRecord",
    },
    Subtype {
        name: "StepFunctions-StartExecution",
        required: &["StateMachineArn"],
        optional: &["Name", "Input"],
        service: "states",
        action: "StartExecution",
    },
    Subtype {
        name: "StepFunctions-StartSyncExecution",
        required: &["StateMachineArn"],
        optional: &["Name", "Input", "TraceHeader"],
        service: "states",
        action: "StartSyncExecution",
    },
    Subtype {
        name: "StepFunctions-StopExecution",
        required: &["ExecutionArn"],
        optional: &["Cause", "Error"],
        service: "states",
        action: "StopExecution",
    },
];

/// The subtype named `name` (AWS's names are matched exactly).
pub fn find(name: &str) -> Option<&'static Subtype> {
    SUBTYPES.iter().find(|s| s.name == name)
}

impl Subtype {
    /// Does the subtype take the parameter `name`?
    pub fn takes(&self, name: &str) -> bool {
        name == "Region" || self.required.contains(&name) || self.optional.contains(&name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subtype_takes_its_parameters_and_region() {
        let s = find("SQS-SendMessage").unwrap();
        assert!(s.takes("QueueUrl") && s.takes("DelaySeconds") && s.takes("Region"));
        assert!(!s.takes("queueurl") && !s.takes("Detail"));
        assert_eq!(find("SQS-sendmessage"), None);
        assert_eq!(SUBTYPES.len(), 10);
    }
}
