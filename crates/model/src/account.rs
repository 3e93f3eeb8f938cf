//! The per-tenant API Gateway account (throttle limits, features, CloudWatch role): the
//! management API edits it, the data plane enforces its account-level throttle.
//!
//! Stored as kind `account`, scope "", id "account", created on first update; until then it
//! reads as AWS's defaults ([`Account::default`]).

use portico_store::{kind, StoreError, Txn};
use serde::{Deserialize, Serialize};

use crate::usage_plan::ThrottleSettings;
use crate::Entity;

pub const ID: &str = "account";

/// Members a stored account lacks read as AWS's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    pub throttle_settings: ThrottleSettings,
    pub features: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloudwatch_role_arn: Option<String>,
}

impl Default for Account {
    /// AWS's defaults.
    fn default() -> Account {
        Account {
            throttle_settings: ThrottleSettings::ACCOUNT_DEFAULT,
            features: vec!["UsagePlans".to_string()],
            api_key_version: Some("4".to_string()),
            cloudwatch_role_arn: None,
        }
    }
}

impl Entity for Account {
    const NAME: &'static str = "account";
}

/// The tenant's account (AWS's defaults when never updated).
pub fn load(txn: &mut dyn Txn) -> Result<Account, StoreError> {
    match txn.get_shared(kind::ACCOUNT, "", ID)? {
        Some(doc) => Account::from_value(&doc),
        None => Ok(Account::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips_and_defaults_fill_in() {
        round_trips::<Account>(json!({
            "throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
            "features": ["UsagePlans"], "apiKeyVersion": "4",
            "cloudwatchRoleArn": "arn:aws:iam::1:role/r"
        }));
        assert_eq!(
            Account::default().to_value(),
            json!({"throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0},
                "features": ["UsagePlans"], "apiKeyVersion": "4"})
        );
        let a = Account::from_value(&json!({"throttleSettings": {"rateLimit": 1.0}})).unwrap();
        assert_eq!(a.throttle_settings.burst_limit, None);
        assert_eq!(a.features, ["UsagePlans"]);
    }
}
