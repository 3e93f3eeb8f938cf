//! Security on import: `components.securitySchemes` → authorizers (`x-amazon-apigateway-authorizer`
//! `jwt` and `request`) or IAM (`x-amazon-apigateway-authtype: awsSigv4`), and an operation's
//! `security` → its route's authorization type, authorizer and scopes.

use std::collections::HashMap;

use portico_core::ApiError;
use portico_model::v2::{Authorizer, JwtConfiguration, Route};
use portico_openapi::document::{import_error, upper, Document};
use serde_json::{Map, Value};

use super::import::{integer, scalar, str_of, Plan};
use crate::common;

/// What a security scheme stands for on a route.
#[derive(Clone)]
pub(super) enum Scheme {
    Authorizer {
        id: String,
        jwt: bool,
    },
    Iam,
    /// A scheme that was not imported (its warning says why).
    Unsupported,
}

fn identity_sources(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        Some(Value::Array(a)) => a.iter().filter_map(scalar).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn authorizers_of(
    doc: &Document,
    plan: &mut Plan,
) -> Result<HashMap<String, Scheme>, ApiError> {
    let mut schemes = HashMap::new();
    for (name, scheme) in doc.security_schemes().into_iter().flatten() {
        let what = format!("components.securitySchemes.{name}");
        let scheme = doc.deref(scheme, &what)?;
        let Some(a) = scheme.get("x-amazon-apigateway-authorizer") else {
            let authtype = scheme
                .get("x-amazon-apigateway-authtype")
                .and_then(Value::as_str)
                .unwrap_or("");
            if authtype.eq_ignore_ascii_case("awsSigv4") {
                schemes.insert(name.clone(), Scheme::Iam);
            } else {
                plan.warnings.push(format!(
                    "Parse issue: attribute {what} is not imported: HTTP APIs support JWT and Lambda authorizers (x-amazon-apigateway-authorizer) and IAM (x-amazon-apigateway-authtype: awsSigv4)"
                ));
                schemes.insert(name.clone(), Scheme::Unsupported);
            }
            continue;
        };
        let t = upper(a.get("type")).unwrap_or_default();
        let mut sources = identity_sources(a.get("identitySource"));
        let authorizer = match t.as_str() {
            "JWT" => {
                let mut jwt: JwtConfiguration = match a.get("jwtConfiguration") {
                    Some(j) => serde_json::from_value(j.clone()).map_err(|e| {
                        import_error(format!("Invalid jwtConfiguration of {what}: {e}"))
                    })?,
                    None => JwtConfiguration::default(),
                };
                if jwt.issuer.is_none() {
                    // AWS: `openIdConnectUrl` detects the issuer.
                    jwt.issuer = scheme
                        .get("openIdConnectUrl")
                        .and_then(Value::as_str)
                        .map(|u| {
                            u.trim_end_matches('/')
                                .trim_end_matches("/.well-known/openid-configuration")
                                .to_string()
                        });
                }
                if sources.is_empty() {
                    sources.push("$request.header.Authorization".into());
                }
                Authorizer {
                    authorizer_id: common::id(6),
                    name: name.clone(),
                    authorizer_type: "JWT".into(),
                    authorizer_credentials_arn: None,
                    authorizer_payload_format_version: None,
                    authorizer_result_ttl_in_seconds: None,
                    authorizer_uri: None,
                    enable_simple_responses: None,
                    identity_source: sources,
                    identity_validation_expression: None,
                    jwt_configuration: Some(jwt),
                }
            }
            "REQUEST" => {
                if sources.is_empty() {
                    // An apiKey scheme names its one identity source itself.
                    let key = scheme.get("name").and_then(Value::as_str);
                    match (scheme.get("in").and_then(Value::as_str), key) {
                        (Some("header"), Some(k)) => sources.push(format!("$request.header.{k}")),
                        (Some("query"), Some(k)) => {
                            sources.push(format!("$request.querystring.{k}"))
                        }
                        _ => {}
                    }
                }
                let simple = match a.get("enableSimpleResponses") {
                    None | Some(Value::Null) => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(_) => {
                        return Err(import_error(format!(
                            "{what}: enableSimpleResponses must be a boolean"
                        )))
                    }
                };
                Authorizer {
                    authorizer_id: common::id(6),
                    name: name.clone(),
                    authorizer_type: "REQUEST".into(),
                    authorizer_credentials_arn: str_of(a, "authorizerCredentials"),
                    authorizer_payload_format_version: str_of(a, "authorizerPayloadFormatVersion"),
                    authorizer_result_ttl_in_seconds: Some(
                        integer(
                            a.get("authorizerResultTtlInSeconds"),
                            &format!("{what}.authorizerResultTtlInSeconds"),
                        )?
                        .unwrap_or(0),
                    ),
                    authorizer_uri: str_of(a, "authorizerUri"),
                    enable_simple_responses: simple,
                    identity_source: sources,
                    identity_validation_expression: None,
                    jwt_configuration: None,
                }
            }
            other => {
                plan.warnings.push(format!(
                    "Parse issue: attribute {what} is not imported: authorizer type '{}' is not supported for HTTP APIs (jwt, request)",
                    other.to_ascii_lowercase()
                ));
                schemes.insert(name.clone(), Scheme::Unsupported);
                continue;
            }
        };
        schemes.insert(
            name.clone(),
            Scheme::Authorizer {
                id: authorizer.authorizer_id.clone(),
                jwt: t == "JWT",
            },
        );
        plan.authorizers.push(authorizer);
    }
    Ok(schemes)
}

/// A route's authorization from its security requirements (AWS: "Each operation can have only
/// one of IAM authorization, a Lambda authorizer, or a JWT authorizer").
pub(super) fn security(
    requirements: Option<&Value>,
    schemes: &HashMap<String, Scheme>,
    what: &str,
    route: &mut Route,
) -> Result<(), ApiError> {
    let Some(requirements) = requirements else {
        return Ok(());
    };
    let Value::Array(list) = requirements else {
        return Err(import_error(format!("{what}.security must be an array")));
    };
    let named: Vec<&Map<String, Value>> = list
        .iter()
        .filter_map(Value::as_object)
        .filter(|m| !m.is_empty())
        .collect();
    if named.len() > 1 || named.first().is_some_and(|m| m.len() > 1) {
        return Err(import_error(format!(
            "Multiple security requirements are not supported for HTTP APIs: {what}.security"
        )));
    }
    let Some((name, scopes)) = named.first().and_then(|m| m.iter().next()) else {
        return Ok(());
    };
    let scopes: Vec<String> = scopes
        .as_array()
        .map(|a| a.iter().filter_map(scalar).collect())
        .unwrap_or_default();
    match schemes.get(name) {
        Some(Scheme::Authorizer { id, jwt }) => {
            route.authorization_type = if *jwt { "JWT" } else { "CUSTOM" }.into();
            route.authorizer_id = Some(id.clone());
            route.authorization_scopes = scopes;
        }
        Some(Scheme::Iam) => route.authorization_type = "AWS_IAM".into(),
        // Never a route left open by dropping the authorization it asked for.
        Some(Scheme::Unsupported) => {
            return Err(import_error(format!(
                "Parse issue: attribute {what}.security.{name} names a security scheme HTTP APIs do not support"
            )))
        }
        None => {
            return Err(import_error(format!(
                "Parse issue: attribute {what}.security.{name} names no security scheme of components.securitySchemes"
            )))
        }
    }
    Ok(())
}
