//! A stage: a named, callable publication of one deployment (and an optional canary), with
//! stage variables, method settings, logging, caching and tracing switches. The management API
//! writes it (CreateStage, CreateDeployment with a stage name, UpdateStage, tags); the data
//! plane's registry serves it and its metering enforces its method throttles.
//!
//! Stored as kind `stage`, scope = the API's id, id = the stage name.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::usage_plan::ThrottleSettings;
use crate::Entity;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub deployment_id: String,
    pub stage_name: String,
    #[serde(default)]
    pub cache_cluster_enabled: bool,
    /// In GB: `0.5`, `1.6`, … `237`, as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_cluster_size: Option<String>,
    /// `AVAILABLE` or `NOT_AVAILABLE` (Portico's cache is in its memory: ready at once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_cluster_status: Option<String>,
    /// By `*/*` or the escaped resource path and method (`~1pets~1{id}/GET`).
    #[serde(default)]
    pub method_settings: IndexMap<String, MethodSetting>,
    #[serde(default)]
    pub tracing_enabled: bool,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_certificate_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_log_settings: Option<AccessLogSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canary_settings: Option<CanarySettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub web_acl_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
}

impl Entity for Stage {
    const NAME: &'static str = "stage";
}

/// One entry of a stage's `methodSettings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodSetting {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_enabled: Option<bool>,
    /// `OFF`, `ERROR` or `INFO`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_trace_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_burst_limit: Option<i64>,
    /// Requests per second; a double.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_rate_limit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caching_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_ttl_in_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_data_encrypted: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub require_authorization_for_cache_control: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unauthorized_cache_control_header_strategy: Option<String>,
}

impl MethodSetting {
    /// What a fresh entry holds, as `update-stage` shows it: AWS's defaults, throttling at the
    /// account's default limits.
    pub fn aws_defaults() -> MethodSetting {
        MethodSetting {
            metrics_enabled: Some(false),
            logging_level: None,
            data_trace_enabled: Some(false),
            throttling_burst_limit: ThrottleSettings::ACCOUNT_DEFAULT.burst_limit,
            throttling_rate_limit: ThrottleSettings::ACCOUNT_DEFAULT.rate_limit,
            caching_enabled: Some(false),
            cache_ttl_in_seconds: Some(300),
            cache_data_encrypted: Some(false),
            require_authorization_for_cache_control: Some(true),
            unauthorized_cache_control_header_strategy: Some(
                "SUCCEED_WITH_RESPONSE_HEADER".to_string(),
            ),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSettings {
    /// The `$context` template of one access log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
}

/// A stage's canary: a second deployment taking `percentTraffic` of its requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CanarySettings {
    pub deployment_id: String,
    /// 0.0 – 100.0; a double.
    #[serde(default)]
    pub percent_traffic: f64,
    /// Stage variables the canary sees instead of the stage's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage_variable_overrides: Option<IndexMap<String, String>>,
    #[serde(default)]
    pub use_stage_cache: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let s: Stage = round_trips(json!({
            "deploymentId": "d1", "stageName": "prod", "cacheClusterEnabled": true,
            "cacheClusterSize": "0.5", "cacheClusterStatus": "AVAILABLE",
            "methodSettings": {
                "*/*": {"metricsEnabled": false, "dataTraceEnabled": false,
                    "throttlingBurstLimit": 5000, "throttlingRateLimit": 10000.0,
                    "cachingEnabled": false, "cacheTtlInSeconds": 300, "cacheDataEncrypted": false,
                    "requireAuthorizationForCacheControl": true,
                    "unauthorizedCacheControlHeaderStrategy": "SUCCEED_WITH_RESPONSE_HEADER"},
                "~1pets/GET": {"loggingLevel": "INFO"}},
            "tracingEnabled": false, "createdDate": 1, "lastUpdatedDate": 2,
            "description": "d", "variables": {"v": "1"}, "documentationVersion": "1",
            "clientCertificateId": "c", "accessLogSettings": {"format": "$context.requestId",
                "destinationArn": "arn:aws:logs:us-east-1:1:log-group:g"},
            "canarySettings": {"deploymentId": "d0", "percentTraffic": 10.5,
                "stageVariableOverrides": {"v": "2"}, "useStageCache": false},
            "webAclArn": "w", "tags": {"a": "b"}
        }));
        assert_eq!(
            s.method_settings["*/*"],
            MethodSetting::aws_defaults(),
            "the defaults are what a fresh entry stores"
        );
        round_trips::<Stage>(json!({"deploymentId": "d1", "stageName": "s",
            "cacheClusterEnabled": false, "methodSettings": {}, "tracingEnabled": false}));
    }

    #[test]
    fn a_stage_without_a_deployment_does_not_read() {
        assert!(Stage::from_value(&json!({"stageName": "s"})).is_err());
    }
}
