//! `apigatewayv2` (HTTP and WebSocket APIs): the entities the data plane will serve, each the
//! single definition of its stored document, which is AWS's own JSON (lower camel, as the
//! model's `locationName`s spell it).
//!
//! Stored as kinds `v2api` (scope `""`, id = the API's id), `v2route`, `v2integration`,
//! `v2stage` and `v2deployment` (scope = the API's id; a stage's id is its name).
//! Timestamps are ISO-8601 strings, as the v2 wire carries them.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;

/// An HTTP or WebSocket API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Api {
    pub api_id: String,
    pub name: String,
    /// `HTTP` or `WEBSOCKET`.
    pub protocol_type: String,
    pub api_endpoint: String,
    pub api_key_selection_expression: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_configuration: Option<Cors>,
    pub created_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub disable_execute_api_endpoint: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_schema_validation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<String>,
    pub route_selection_expression: String,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Entity for Api {
    const NAME: &'static str = "api";
}

impl Api {
    pub fn is_http(&self) -> bool {
        self.protocol_type == "HTTP"
    }

    pub fn is_websocket(&self) -> bool {
        self.protocol_type == "WEBSOCKET"
    }
}

/// An HTTP API's CORS configuration (answered by the gateway itself).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cors {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_credentials: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_headers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_methods: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expose_headers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_age: Option<i64>,
}

/// A route: `METHOD /path` or `$default` (HTTP); `$connect`, `$disconnect`, `$default` or a
/// custom key (WebSocket).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub route_id: String,
    pub route_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_gateway_managed: Option<bool>,
    #[serde(default)]
    pub api_key_required: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_scopes: Vec<String>,
    pub authorization_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_selection_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_models: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<IndexMap<String, ParameterConstraints>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_response_selection_expression: Option<String>,
    /// `integrations/{integrationId}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

impl Entity for Route {
    const NAME: &'static str = "route";
}

impl Route {
    /// The integration the route's target names.
    pub fn integration_id(&self) -> Option<&str> {
        self.target.as_deref()?.strip_prefix("integrations/")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParameterConstraints {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}

/// An integration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    pub integration_id: String,
    /// `AWS_PROXY`, `HTTP_PROXY` (HTTP APIs); `AWS`, `HTTP`, `MOCK` too (WebSocket APIs).
    pub integration_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_gateway_managed: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// `INTERNET` or `VPC_LINK`.
    pub connection_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling_strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_response_selection_expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_subtype: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub integration_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passthrough_behavior: Option<String>,
    pub payload_format_version: String,
    /// HTTP APIs: `overwrite:header.x` → `$request.header.y`…; WebSocket: v1-style mappings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_templates: Option<IndexMap<String, String>>,
    /// Status code → (`overwrite:header.x` → value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<IndexMap<String, IndexMap<String, String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_selection_expression: Option<String>,
    pub timeout_in_millis: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_config: Option<TlsConfig>,
}

impl Entity for Integration {
    const NAME: &'static str = "integration";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TlsConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_name_to_verify: Option<String>,
}

/// A stage (`$default` is served without a stage segment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub stage_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_log_settings: Option<AccessLogSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_gateway_managed: Option<bool>,
    #[serde(default)]
    pub auto_deploy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_certificate_id: Option<String>,
    pub created_date: String,
    #[serde(default)]
    pub default_route_settings: RouteSettings,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_deployment_status_message: Option<String>,
    pub last_updated_date: String,
    /// Route key → its settings.
    #[serde(default)]
    pub route_settings: IndexMap<String, RouteSettings>,
    #[serde(default)]
    pub stage_variables: IndexMap<String, String>,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
}

impl Entity for Stage {
    const NAME: &'static str = "stage";
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_trace_enabled: Option<bool>,
    #[serde(default)]
    pub detailed_metrics_enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_burst_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throttling_rate_limit: Option<f64>,
}

/// An authorizer: `JWT` (HTTP APIs) or `REQUEST` (a Lambda function).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    pub authorizer_id: String,
    pub name: String,
    pub authorizer_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_credentials_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_payload_format_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_result_ttl_in_seconds: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_simple_responses: Option<bool>,
    #[serde(default)]
    pub identity_source: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_validation_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwt_configuration: Option<JwtConfiguration>,
}

impl Entity for Authorizer {
    const NAME: &'static str = "authorizer";
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JwtConfiguration {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

/// A model: a JSON schema a WebSocket route's requests are checked against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Model {
    pub model_id: String,
    pub name: String,
    pub schema: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Entity for Model {
    const NAME: &'static str = "model";
}

/// A VPC link (v2 shape: subnets and security groups). Its status follows from when it was
/// created (`_createdAt`, epoch milliseconds, Portico's): PENDING for its first second, then
/// AVAILABLE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcLink {
    pub vpc_link_id: String,
    pub name: String,
    pub created_date: String,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub tags: IndexMap<String, String>,
    pub vpc_link_version: String,
    #[serde(rename = "_createdAt")]
    pub created_at: i64,
}

impl Entity for VpcLink {
    const NAME: &'static str = "vpc link";
}

/// A WebSocket route's response (stored with its route's id in the private `_routeId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteResponse {
    pub route_response_id: String,
    pub route_response_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_selection_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_models: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<IndexMap<String, ParameterConstraints>>,
    #[serde(rename = "_routeId")]
    pub route_id: String,
}

impl Entity for RouteResponse {
    const NAME: &'static str = "route response";
}

/// A WebSocket integration's response (stored with its integration's id in the private
/// `_integrationId`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationResponse {
    pub integration_response_id: String,
    pub integration_response_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_handling_strategy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<IndexMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_templates: Option<IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_selection_expression: Option<String>,
    #[serde(rename = "_integrationId")]
    pub integration_id: String,
}

impl Entity for IntegrationResponse {
    const NAME: &'static str = "integration response";
}

/// A deployment: the routes and integrations it froze are kept beside it (`routes`,
/// `integrations`, Portico's members, never answered) for the data plane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub deployment_id: String,
    #[serde(default)]
    pub auto_deployed: bool,
    pub created_date: String,
    pub deployment_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployment_status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "_routes", default)]
    pub routes: Vec<Value>,
    #[serde(rename = "_integrations", default)]
    pub integrations: Vec<Value>,
    /// WebSocket APIs: the route responses (two-way routes) it froze.
    #[serde(
        rename = "_routeResponses",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub route_responses: Vec<Value>,
    /// WebSocket APIs: the integration responses it froze.
    #[serde(
        rename = "_integrationResponses",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub integration_responses: Vec<Value>,
}

impl Entity for Deployment {
    const NAME: &'static str = "deployment";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn documents_round_trip() {
        round_trips::<Api>(json!({
            "apiId": "a1b2c3d4e5", "name": "n", "protocolType": "HTTP",
            "apiEndpoint": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
            "apiKeySelectionExpression": "$request.header.x-api-key",
            "corsConfiguration": {"allowOrigins": ["*"], "maxAge": 10},
            "createdDate": "2026-12-07T18:00:00Z", "disableExecuteApiEndpoint": false,
            "routeSelectionExpression": "$request.method $request.path", "tags": {"a": "b"}
        }));
        round_trips::<Route>(json!({
            "routeId": "r1", "routeKey": "GET /pets", "apiKeyRequired": false,
            "authorizationType": "NONE", "target": "integrations/i1"
        }));
        round_trips::<Integration>(json!({
            "integrationId": "i1", "integrationType": "AWS_PROXY", "connectionType": "INTERNET",
            "integrationMethod": "POST", "integrationUri": "arn:aws:lambda:us-east-1:000000000000:function:f",
            "payloadFormatVersion": "2.0", "timeoutInMillis": 30000
        }));
        round_trips::<Stage>(json!({
            "stageName": "$default", "autoDeploy": true, "createdDate": "2026-12-07T18:00:00Z",
            "defaultRouteSettings": {"detailedMetricsEnabled": false},
            "lastUpdatedDate": "2026-12-07T18:00:00Z", "routeSettings": {},
            "stageVariables": {}, "tags": {}
        }));
    }
}
