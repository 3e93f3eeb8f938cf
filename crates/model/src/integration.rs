//! A method's integration (`methodIntegration`) and its integration responses. The management
//! API writes them (Put/UpdateIntegration, Put/UpdateIntegrationResponse); the data plane
//! compiles them from the deployment snapshot into what an invocation runs.
//!
//! Stored inside their [`Method`](crate::Method), as AWS embeds them.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::Entity;

/// AWS's default and maximum integration timeout for REST APIs, in milliseconds.
pub const DEFAULT_TIMEOUT_MILLIS: i64 = 29_000;

fn default_timeout() -> i64 {
    DEFAULT_TIMEOUT_MILLIS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    /// `MOCK`, `HTTP`, `HTTP_PROXY`, `AWS` or `AWS_PROXY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The backend's method (`ANY` = the client's); none for MOCK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    /// May hold `{path}` and `${stageVariables.x}` variables; none for MOCK.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// `WHEN_NO_MATCH` (absent reads as it), `WHEN_NO_TEMPLATES` or `NEVER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_namespace: Option<String>,
    /// `CONVERT_TO_BINARY` or `CONVERT_TO_TEXT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<String>,
    /// `BUFFERED` or `STREAM`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_transfer_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_target: Option<String>,
    /// AWS always shows the list, `[]` when empty.
    #[serde(default)]
    pub cache_key_parameters: Vec<String>,
    #[serde(default = "default_timeout")]
    pub timeout_in_millis: i64,
    /// `integration.request.{path|querystring|header}.{name}` → its source expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<IndexMap<String, String>>,
    /// Content type → mapping template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_templates: Option<IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
    /// By status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_responses: Option<IndexMap<String, IntegrationResponse>>,
}

impl Entity for Integration {
    const NAME: &'static str = "integration";
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insecure_skip_verification: Option<bool>,
    /// The name an `https://` backend's certificate is checked for, and sent as SNI, instead of
    /// the URI's host. A Portico extension for REST APIs (AWS's HTTP APIs have the member).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server_name_to_verify: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponse {
    pub status_code: String,
    /// A regular expression the whole backend status (or error message) must match; absent or
    /// empty = the default response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_pattern: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling: Option<String>,
    /// `method.response.header.{name}` → its source expression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<IndexMap<String, String>>,
    /// Content type → mapping template. AWS stores a template given as `null` or `""` as `null`
    /// (its stored JSON); it reads here as the empty template.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "nullable_templates"
    )]
    pub response_templates: Option<IndexMap<String, String>>,
}

fn nullable_templates<'de, D>(d: D) -> Result<Option<IndexMap<String, String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let m: Option<IndexMap<String, Option<String>>> = Option::deserialize(d)?;
    Ok(m.map(|m| {
        m.into_iter()
            .map(|(k, v)| (k, v.unwrap_or_default()))
            .collect()
    }))
}

impl Entity for IntegrationResponse {
    const NAME: &'static str = "integration response";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        round_trips::<Integration>(json!({
            "type": "HTTP", "httpMethod": "GET", "uri": "http://example.com/{id}",
            "connectionType": "INTERNET", "connectionId": "c", "credentials": "arn",
            "passthroughBehavior": "WHEN_NO_MATCH", "cacheNamespace": "r1",
            "contentHandling": "CONVERT_TO_TEXT", "responseTransferMode": "BUFFERED",
            "integrationTarget": "t", "cacheKeyParameters": ["method.request.path.id"],
            "timeoutInMillis": 500,
            "requestParameters": {"integration.request.path.id": "method.request.path.id"},
            "requestTemplates": {"application/json": ""},
            "tlsConfig": {"insecureSkipVerification": true},
            "integrationResponses": {"200": {"statusCode": "200", "selectionPattern": "",
                "contentHandling": "CONVERT_TO_BINARY",
                "responseParameters": {"method.response.header.X": "'x'"},
                "responseTemplates": {"application/json": "$input.body"}}}
        }));
        let mock = Integration::from_value(&json!({"type": "MOCK"})).unwrap();
        assert_eq!(mock.timeout_in_millis, DEFAULT_TIMEOUT_MILLIS);
    }
}
