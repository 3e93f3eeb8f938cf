//! `AWS` integrations to AWS services other than Lambda (S3, DynamoDB, SQS, SNS, Step
//! Functions, Kinesis, EventBridge…): the request the integration request built is signed
//! with SigV4 and sent to the endpoint the configuration names for the service
//! (`[aws_services] endpoint`, per-service `[aws_services.endpoints]`), e.g. a LocalStack or a
//! MinIO the user runs. Portico runs no AWS service itself; without an endpoint the call is
//! AWS's 500 with the reason in the execution log.
//!
//! The integration URI names the service and the call as API Gateway's do:
//! `arn:aws:apigateway:{region}:{service}:path/{path}` (a REST path on the service) or
//! `arn:aws:apigateway:{region}:{service}:action/{Action}[&{k}={v}…]` (a query-protocol
//! action: `?Action=…`). Decision: a subdomain (`{bucket}.s3`) becomes the path's first segment
//! (path-style addressing: a configured endpoint has one host).

use std::collections::HashMap;

use serde::Deserialize;

/// `[aws_services]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AwsServicesConfig {
    /// The endpoint of every service without its own (`http://127.0.0.1:4566`).
    pub endpoint: Option<String>,
    /// Per-service endpoints, by the service's name in integration URIs (`s3`, `sqs`, …).
    #[serde(default)]
    pub endpoints: HashMap<String, String>,
    /// The credentials requests are signed with (default `test` / `test`, what LocalStack and
    /// MinIO's test setups accept).
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

/// The configured services, checked.
#[derive(Debug, Clone)]
pub struct AwsServices {
    default: Option<String>,
    endpoints: HashMap<String, String>,
    pub access_key: String,
    pub secret_key: String,
}

impl AwsServices {
    pub fn new(c: &AwsServicesConfig) -> Result<AwsServices, String> {
        let check = |what: &str, url: &str| -> Result<String, String> {
            let url = url.trim_end_matches('/');
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "[aws_services] {what} = {url:?}: not an http:// or https:// URL"
                ));
            }
            Ok(url.to_string())
        };
        let mut endpoints = HashMap::new();
        for (service, url) in &c.endpoints {
            endpoints.insert(
                service.clone(),
                check(&format!("endpoints.{service}"), url)?,
            );
        }
        Ok(AwsServices {
            default: c
                .endpoint
                .as_deref()
                .map(|u| check("endpoint", u))
                .transpose()?,
            endpoints,
            access_key: c.access_key.clone().unwrap_or_else(|| "test".into()),
            secret_key: c.secret_key.clone().unwrap_or_else(|| "test".into()),
        })
    }

    /// The endpoint configured for `service`.
    pub fn endpoint(&self, service: &str) -> Option<&str> {
        self.endpoints
            .get(service)
            .or(self.default.as_ref())
            .map(String::as_str)
    }
}

/// What an `AWS` integration URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceCall {
    pub region: String,
    /// The signing name (`s3`, `sqs`, `states`…).
    pub service: String,
    /// The path on the service, starting with `/` (placeholders `{name}` not yet filled in).
    pub path: String,
    /// The query the URI fixes (`Action=SendMessage&Version=…`), without `?`.
    pub query: String,
}

/// Read `arn:aws:apigateway:{region}:{subdomain.}{service}:{path|action}/{rest}`.
pub fn service_call(uri: &str) -> Option<ServiceCall> {
    let rest = uri.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("apigateway:")?;
    let (region, rest) = rest.split_once(':')?;
    let (host, rest) = rest.split_once(':')?;
    let (subdomain, service) = match host.rsplit_once('.') {
        Some((sub, service)) => (Some(sub), service),
        None => (None, host),
    };
    if region.is_empty() || service.is_empty() {
        return None;
    }
    let (path, query) = if let Some(p) = rest.strip_prefix("path/") {
        let (p, q) = p.split_once('?').unwrap_or((p, ""));
        let path = match subdomain {
            Some(sub) => format!("/{sub}/{p}"),
            None => format!("/{p}"),
        };
        (path, q.to_string())
    } else if let Some(a) = rest.strip_prefix("action/") {
        let (action, params) = a.split_once('&').unwrap_or((a, ""));
        if action.is_empty() {
            return None;
        }
        let mut q = format!("Action={action}");
        if !params.is_empty() {
            q.push('&');
            q.push_str(params);
        }
        ("/".to_string(), q)
    } else {
        return None;
    };
    Some(ServiceCall {
        region: region.to_string(),
        service: service.to_string(),
        path,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_a_service_and_a_call() {
        let c = service_call("arn:aws:apigateway:us-east-1:sqs:path/000000000000/queue").unwrap();
        assert_eq!(
            (
                c.region.as_str(),
                c.service.as_str(),
                c.path.as_str(),
                c.query.as_str()
            ),
            ("us-east-1", "sqs", "/000000000000/queue", "")
        );
        let c = service_call(
            "arn:aws:apigateway:eu-west-1:sns:action/Publish&TopicArn=arn%3Aaws%3Asns%3Ax",
        )
        .unwrap();
        assert_eq!(c.service, "sns");
        assert_eq!(c.path, "/");
        assert_eq!(c.query, "Action=Publish&TopicArn=arn%3Aaws%3Asns%3Ax");
        let c = service_call("arn:aws:apigateway:us-east-1:my-bucket.s3:path/{key}").unwrap();
        assert_eq!(
            (c.service.as_str(), c.path.as_str()),
            ("s3", "/my-bucket/{key}")
        );
        for bad in [
            "arn:aws:apigateway:us-east-1:s3:object/x",
            "arn:aws:apigateway::s3:path/x",
            "arn:aws:apigateway:us-east-1:sqs:action/",
            "https://example.com",
        ] {
            assert_eq!(service_call(bad), None, "{bad}");
        }
    }

    #[test]
    fn endpoints_fall_back_to_the_default() {
        let mut c = AwsServicesConfig {
            endpoint: Some("http://127.0.0.1:4566/".into()),
            ..Default::default()
        };
        c.endpoints
            .insert("s3".into(), "http://127.0.0.1:9000".into());
        let s = AwsServices::new(&c).unwrap();
        assert_eq!(s.endpoint("s3"), Some("http://127.0.0.1:9000"));
        assert_eq!(s.endpoint("sqs"), Some("http://127.0.0.1:4566"));
        assert_eq!(s.access_key, "test");
        c.endpoint = Some("localhost:4566".into());
        assert!(AwsServices::new(&c).is_err());
    }
}
