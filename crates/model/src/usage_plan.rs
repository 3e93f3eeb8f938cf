//! A usage plan: which API stages its keys may call, with what throttles and quota. The
//! management API writes it (CreateUsagePlan, UpdateUsagePlan, tags); the data plane's metering
//! enforces it; GetUsage and UpdateUsage read its quota.
//!
//! Stored as kind `usageplan`, scope "", id = the plan's id. Its keys are [`UsagePlanKey`]
//! documents (scope = the plan's id).
//!
//! [`UsagePlanKey`]: crate::UsagePlanKey

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::Entity;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsagePlan {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The plan's per-key throttle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle: Option<ThrottleSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub api_stages: Vec<ApiStage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub product_code: Option<String>,
}

impl Entity for UsagePlan {
    const NAME: &'static str = "usage plan";
}

/// One API stage a plan covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiStage {
    pub api_id: String,
    pub stage: String,
    /// Per-key per-method throttles, by `/{resourcePath}/{httpMethod}` (`//GET` for the root,
    /// `/*/*` for every method).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttle: Option<IndexMap<String, ThrottleSettings>>,
}

/// AWS's ThrottleSettings: a usage plan's (and its methods') and the account's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst_limit: Option<i64>,
    /// Requests per second; a double.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<f64>,
}

impl ThrottleSettings {
    /// AWS's default account throttle, which a stage's method settings also start from.
    pub const ACCOUNT_DEFAULT: ThrottleSettings = ThrottleSettings {
        burst_limit: Some(5000),
        rate_limit: Some(10000.0),
    };

    /// Neither limit set (a plan then has no `throttle` at all).
    pub fn is_empty(&self) -> bool {
        self.burst_limit.is_none() && self.rate_limit.is_none()
    }
}

/// AWS's QuotaSettings. `period` is `DAY`, `WEEK` or `MONTH`; `offset` the day a period starts
/// on (see [`crate::quota`]). A stored quota has all three (UpdateUsagePlan checks the whole).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuotaSettings {
    pub limit: i64,
    #[serde(default)]
    pub offset: i64,
    pub period: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let plan: UsagePlan = round_trips(json!({
            "id": "p1", "name": "gold", "description": "d",
            "throttle": {"burstLimit": 5, "rateLimit": 2.0},
            "quota": {"limit": 100, "offset": 1, "period": "WEEK"},
            "tags": {"team": "a"},
            "apiStages": [{"apiId": "a", "stage": "prod",
                "throttle": {"/pets/GET": {"burstLimit": 1, "rateLimit": 0.5}, "/*/*": {"rateLimit": 9.0}}}],
            "productCode": "pc"
        }));
        assert_eq!(plan.api_stages[0].throttle.as_ref().unwrap().len(), 2);
        round_trips::<UsagePlan>(json!({"id": "p2", "name": "n", "apiStages": []}));
    }

    #[test]
    fn integers_read_as_rates_but_not_the_reverse() {
        let plan =
            UsagePlan::from_value(&json!({"id": "p", "name": "n", "throttle": {"rateLimit": 2}}))
                .unwrap();
        assert_eq!(plan.throttle.unwrap().rate_limit, Some(2.0));
        assert!(UsagePlan::from_value(
            &json!({"id": "p", "name": "n", "throttle": {"burstLimit": 2.5}})
        )
        .is_err());
    }
}
