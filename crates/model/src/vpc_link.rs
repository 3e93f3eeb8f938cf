//! VPC links and the network load balancers they target. The management API writes VPC link
//! documents (CreateVpcLink…); the data plane sends a VPC_LINK integration's requests to the
//! addresses of the link's load balancers.
//!
//! A VPC link is stored as kind `vpclink`, scope `""`, id = the link's id, in AWS's VpcLink
//! JSON without `status` and `statusMessage`: those follow from when the link was created and
//! from the configured load balancers ([`VpcLink::status`]), computed whenever a link is read,
//! so no background task has to move a link from PENDING to AVAILABLE. `createdAt` (epoch
//! milliseconds) is Portico's own member and never shown.
//!
//! Load balancers are not AWS resources Portico keeps: the config file maps each NLB ARN to
//! real `host:port` addresses (`[[load_balancers]]`), handed to both planes as a
//! [`LoadBalancers`] (see `balancers`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::Entity;

/// How long a link whose load balancers all exist stays PENDING (AWS: minutes; the contract:
/// AVAILABLE within 2 s).
pub const PENDING_MILLIS: i64 = 1_000;

/// AWS's status message of an AVAILABLE link (recorded: LocalStack's
/// `test_apigateway_api.snapshot.json`, `test_vpc_link_lifecycle`, recorded against AWS).
pub const READY_MESSAGE: &str = "Your vpc link is ready for use";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcLink {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub target_arns: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    /// When the link was created, epoch milliseconds (Portico's; not on the wire).
    pub created_at: i64,
}

impl Entity for VpcLink {
    const NAME: &'static str = "vpc link";
}

/// A link's status as AWS reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkStatus {
    Pending,
    Available,
    /// Why (the link's `statusMessage`).
    Failed(String),
}

impl LinkStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            LinkStatus::Pending => "PENDING",
            LinkStatus::Available => "AVAILABLE",
            LinkStatus::Failed(_) => "FAILED",
        }
    }

    /// The `statusMessage`, if the status has one (AWS shows none while PENDING).
    pub fn message(&self) -> Option<&str> {
        match self {
            LinkStatus::Pending => None,
            LinkStatus::Available => Some(READY_MESSAGE),
            LinkStatus::Failed(m) => Some(m),
        }
    }
}

impl VpcLink {
    /// The status at `now_millis`: PENDING for [`PENDING_MILLIS`] after creation, then
    /// AVAILABLE if every target is a configured load balancer, else FAILED naming the first
    /// one that is not.
    pub fn status(&self, balancers: &LoadBalancers, now_millis: i64) -> LinkStatus {
        if now_millis - self.created_at < PENDING_MILLIS {
            return LinkStatus::Pending;
        }
        match self.unresolved(balancers) {
            None => LinkStatus::Available,
            Some(why) => LinkStatus::Failed(why),
        }
    }

    /// Why the link's targets do not resolve to addresses, if they do not.
    pub fn unresolved(&self, balancers: &LoadBalancers) -> Option<String> {
        if self.target_arns.is_empty() {
            return Some("VPC link has no target NLB".into());
        }
        for arn in &self.target_arns {
            if !is_nlb_arn(arn) {
                // AWS's text for a target that is not a network load balancer (an ALB's ARN),
                // seen as `FAILED: NLB ARN is malformed` (terraform-provider-aws issue #30910).
                return Some("NLB ARN is malformed".into());
            }
            if balancers.get(arn).is_none() {
                // AWS's text for an NLB that does not exist is not on record: Portico's.
                return Some(format!(
                    "NLB {arn} does not exist: it is not among the load balancers in Portico's configuration ([[load_balancers]])"
                ));
            }
        }
        None
    }

    /// Every address behind the link's load balancers, in order; `None` if one does not
    /// resolve.
    pub fn addresses(&self, balancers: &LoadBalancers) -> Option<Vec<String>> {
        if self.unresolved(balancers).is_some() {
            return None;
        }
        Some(
            self.target_arns
                .iter()
                .flat_map(|arn| balancers.get(arn).unwrap_or(&[]).iter().cloned())
                .collect(),
        )
    }
}

pub use crate::balancers::{is_nlb_arn, LoadBalancers};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    const NLB: &str = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/a/1";

    fn balancers() -> LoadBalancers {
        LoadBalancers::new([(NLB.to_string(), vec!["127.0.0.1:1".to_string()])])
    }

    #[test]
    fn the_stored_shape_round_trips() {
        let l: VpcLink = round_trips(json!({"id": "abc123", "name": "n",
            "targetArns": [NLB], "tags": {"k": "v"}, "createdAt": 5}));
        assert_eq!(l.target_arns, [NLB]);
    }

    #[test]
    fn status_follows_the_clock_and_the_configuration() {
        let mut l = VpcLink {
            id: "l".into(),
            name: "n".into(),
            description: None,
            target_arns: vec![NLB.into()],
            tags: None,
            created_at: 10_000,
        };
        let b = balancers();
        assert_eq!(l.status(&b, 10_000), LinkStatus::Pending);
        assert_eq!(l.status(&b, 10_000 + PENDING_MILLIS), LinkStatus::Available);
        assert_eq!(l.addresses(&b).unwrap(), ["127.0.0.1:1"]);
        l.target_arns = vec![NLB.replace("/a/", "/b/")];
        let s = l.status(&b, 20_000);
        assert!(
            s.message().unwrap().contains("loadbalancer/net/b/1"),
            "{s:?}"
        );
        assert!(l.addresses(&b).is_none());
        l.target_arns = vec![NLB.replace("/net/", "/app/")];
        assert_eq!(
            l.status(&b, 20_000),
            LinkStatus::Failed("NLB ARN is malformed".into())
        );
    }

    #[test]
    fn nlb_arns() {
        assert!(is_nlb_arn(NLB));
        for bad in [
            "invalid-arn",
            "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/app/a/1",
            "arn:aws:elasticloadbalancing:us-east-1:0:loadbalancer/net/a",
            "arn:aws:s3:::bucket",
        ] {
            assert!(!is_nlb_arn(bad), "{bad}");
        }
    }
}
