//! An authorizer (Lambda TOKEN/REQUEST, Cognito user pools). The management API writes it
//! (Create/UpdateAuthorizer); the deployment snapshot carries the API's authorizers, for the
//! data plane to compile once it runs them.
//!
//! Stored as kind `authorizer`, scope = the API's id, id = the authorizer's id.

use serde::{Deserialize, Serialize};

use crate::Entity;

/// AWS's default `authorizerResultTtlInSeconds`.
pub const DEFAULT_TTL: i64 = 300;

fn default_ttl() -> i64 {
    DEFAULT_TTL
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorizer {
    pub id: String,
    pub name: String,
    /// `TOKEN`, `REQUEST` or `COGNITO_USER_POOLS`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Cognito user pool ARNs (COGNITO_USER_POOLS).
    #[serde(rename = "providerARNs", skip_serializing_if = "Option::is_none")]
    pub provider_arns: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// The Lambda invocation URI (TOKEN, REQUEST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authorizer_credentials: Option<String>,
    /// `method.request.header.X` (TOKEN, COGNITO_USER_POOLS); a comma-separated list of
    /// request expressions (REQUEST).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_validation_expression: Option<String>,
    #[serde(default = "default_ttl")]
    pub authorizer_result_ttl_in_seconds: i64,
}

impl Entity for Authorizer {
    const NAME: &'static str = "authorizer";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shape_round_trips() {
        let a: Authorizer = round_trips(json!({
            "id": "a1", "name": "n", "type": "COGNITO_USER_POOLS",
            "providerARNs": ["arn:aws:cognito-idp:us-east-1:1:userpool/us-east-1_x"],
            "authType": "cognito_user_pools", "identitySource": "method.request.header.Authorization",
            "authorizerResultTtlInSeconds": 0
        }));
        assert_eq!(a.provider_arns.unwrap().len(), 1);
        round_trips::<Authorizer>(json!({
            "id": "a2", "name": "n", "type": "TOKEN", "authorizerUri": "arn:aws:x",
            "authorizerCredentials": "arn:aws:iam::1:role/r",
            "identitySource": "method.request.header.Auth",
            "identityValidationExpression": ".*", "authorizerResultTtlInSeconds": 300
        }));
    }
}
