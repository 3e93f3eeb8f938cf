//! A method of a resource, with its method responses and integration. The management API
//! writes it (PutMethod, UpdateMethod, Put/UpdateMethodResponse, and the integration
//! operations); the data plane compiles it from the deployment snapshot.
//!
//! Stored as AWS embeds it: `resourceMethods.{HTTP method}` of the resource document (kind
//! `resource`, scope = the API's id), which the deployment snapshot copies.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::integration::Integration;
use crate::Entity;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Method {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_method: Option<String>,
    /// `NONE`, `AWS_IAM`, `CUSTOM` or `COGNITO_USER_POOLS`; absent reads as `NONE`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_type: Option<String>,
    /// Only for `CUSTOM` and `COGNITO_USER_POOLS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_id: Option<String>,
    #[serde(default)]
    pub api_key_required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_validator_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    /// `method.request.{path|querystring|header|…}.{name}` → required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_parameters: Option<IndexMap<String, bool>>,
    /// Content type → model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_models: Option<IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorization_scopes: Option<Vec<String>>,
    /// By status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_responses: Option<IndexMap<String, MethodResponse>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method_integration: Option<Integration>,
}

impl Entity for Method {
    const NAME: &'static str = "method";
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MethodResponse {
    pub status_code: String,
    /// `method.response.header.{name}` → required.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_parameters: Option<IndexMap<String, bool>>,
    /// Content type → model name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_models: Option<IndexMap<String, String>>,
}

impl Entity for MethodResponse {
    const NAME: &'static str = "method response";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let m: Method = round_trips(json!({
            "httpMethod": "GET", "authorizationType": "CUSTOM", "authorizerId": "a1",
            "apiKeyRequired": true, "requestValidatorId": "v1", "operationName": "op",
            "requestParameters": {"method.request.path.id": true},
            "requestModels": {"application/json": "Empty"},
            "authorizationScopes": ["s"],
            "methodResponses": {"200": {"statusCode": "200",
                "responseParameters": {"method.response.header.X": false},
                "responseModels": {"application/json": "Empty"}}},
            "methodIntegration": {"type": "MOCK", "cacheKeyParameters": [],
                "timeoutInMillis": 29000,
                "integrationResponses": {"200": {"statusCode": "200"}}}
        }));
        assert!(m.api_key_required);
        round_trips::<Method>(json!({"httpMethod": "ANY", "authorizationType": "NONE",
            "apiKeyRequired": false}));
    }
}
