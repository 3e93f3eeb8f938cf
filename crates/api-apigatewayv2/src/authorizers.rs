//! Authorizers: CreateAuthorizer, GetAuthorizer, GetAuthorizers, UpdateAuthorizer,
//! DeleteAuthorizer. `JWT` (HTTP APIs: an issuer, an audience, one identity source) and
//! `REQUEST` (a Lambda function; HTTP APIs name the payload format, `1.0` or `2.0`, and may
//! take simple responses with `2.0`). A route names one by `authorizerId`: `JWT` routes a JWT
//! authorizer, `CUSTOM` routes a REQUEST one.

use portico_core::ApiError;
use portico_model::v2::{Api, Authorizer};
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::Value;

use crate::common::{self, member, one_of, required};
use crate::{stages, Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateAuthorizer" => create,
        "GetAuthorizer" => get,
        "GetAuthorizers" => list,
        "UpdateAuthorizer" => update,
        "DeleteAuthorizer" => delete,
        _ => return None,
    })
}

pub(crate) fn check(api: &Api, a: &Authorizer) -> Result<(), ApiError> {
    let http = api.is_http();
    let types: &[&str] = if http {
        &["JWT", "REQUEST"]
    } else {
        &["REQUEST"]
    };
    one_of("authorizerType", &a.authorizer_type, types)?;
    if a.name.is_empty() || a.name.chars().count() > 128 {
        return Err(ApiError::bad_request(
            "Invalid authorizer name specified: it must be 1 to 128 characters",
        ));
    }
    if let Some(ttl) = a.authorizer_result_ttl_in_seconds {
        if !(0..=3600).contains(&ttl) {
            return Err(ApiError::bad_request(format!(
                "Invalid authorizerResultTtlInSeconds specified: {ttl}. It must be between 0 and 3600"
            )));
        }
    }
    if a.authorizer_type == "JWT" {
        let jwt = a.jwt_configuration.clone().unwrap_or_default();
        if jwt.issuer.as_deref().unwrap_or("").is_empty() {
            return Err(ApiError::bad_request(
                "JwtConfiguration.Issuer is required for JWT authorizers",
            ));
        }
        if jwt.audience.as_ref().is_none_or(|a| a.is_empty()) {
            return Err(ApiError::bad_request(
                "JwtConfiguration.Audience is required for JWT authorizers",
            ));
        }
        if a.identity_source.len() != 1 {
            return Err(ApiError::bad_request(
                "A JWT authorizer takes exactly one identity source",
            ));
        }
        if a.authorizer_uri.is_some() {
            return Err(ApiError::bad_request(
                "AuthorizerUri is supported only for REQUEST authorizers",
            ));
        }
    } else {
        if a.authorizer_uri.is_none() {
            return Err(ApiError::bad_request(
                "AuthorizerUri is required for REQUEST authorizers",
            ));
        }
        if a.jwt_configuration.is_some() {
            return Err(ApiError::bad_request(
                "JwtConfiguration is supported only for JWT authorizers",
            ));
        }
        if http {
            match a.authorizer_payload_format_version.as_deref() {
                Some("1.0" | "2.0") => {}
                Some(v) => {
                    return Err(ApiError::bad_request(format!(
                        "Invalid authorizerPayloadFormatVersion specified: {v}. Supported values are [1.0, 2.0]"
                    )))
                }
                None => {
                    // AWS's text (terraform-provider-aws#15181 quotes it).
                    return Err(ApiError::bad_request(
                        "AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer",
                    ))
                }
            }
            if a.enable_simple_responses == Some(true)
                && a.authorizer_payload_format_version.as_deref() != Some("2.0")
            {
                return Err(ApiError::bad_request(
                    "Simple responses are supported only with payload format version 2.0",
                ));
            }
        }
    }
    for s in &a.identity_source {
        let ok = if http {
            s.starts_with("$request.")
                || s.starts_with("$context.")
                || s.starts_with("$stageVariables.")
        } else {
            s.starts_with("route.request.")
                || s.starts_with("context.")
                || s.starts_with("stageVariables.")
        };
        if !ok {
            return Err(ApiError::bad_request(format!(
                "Invalid identity source specified: {s}"
            )));
        }
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let a = common::write(cx, call, |tx| {
        let api = common::api(tx, &call.tenant, api_id)?;
        let authorizer_type: String = required(&body, "authorizerType")?;
        let ttl = member(&body, "authorizerResultTtlInSeconds")?;
        let a = Authorizer {
            authorizer_id: common::id(6),
            name: required(&body, "name")?,
            authorizer_credentials_arn: member(&body, "authorizerCredentialsArn")?,
            authorizer_payload_format_version: member(&body, "authorizerPayloadFormatVersion")?,
            authorizer_result_ttl_in_seconds: ttl
                .or((authorizer_type == "REQUEST" && api.is_http()).then_some(0)),
            authorizer_uri: member(&body, "authorizerUri")?,
            enable_simple_responses: member(&body, "enableSimpleResponses")?,
            identity_source: required(&body, "identitySource")?,
            identity_validation_expression: member(&body, "identityValidationExpression")?,
            jwt_configuration: member(&body, "jwtConfiguration")?,
            authorizer_type,
        };
        check(&api, &a)?;
        tx.put(kind::V2_AUTHORIZER, api_id, &a.authorizer_id, &a.to_value())?;
        Ok(a)
    })?;
    Ok(Reply::Json(a.to_value()))
}

fn load(tx: &mut dyn Txn, call: &Call) -> Result<(Api, Authorizer), ApiError> {
    let api_id = call.label("apiId");
    let api = common::api(tx, &call.tenant, api_id)?;
    let id = call.label("authorizerId");
    match tx.get(kind::V2_AUTHORIZER, api_id, id)? {
        Some(doc) => Ok((api, Authorizer::from_value(&doc)?)),
        None => Err(common::child_not_found(
            &call.tenant,
            "Authorizer",
            api_id,
            id,
        )),
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, a) = common::read(cx, call, |tx| load(tx, call))?;
    Ok(Reply::Json(a.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_AUTHORIZER, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

const UPDATABLE: &[&str] = &[
    "authorizerCredentialsArn",
    "authorizerPayloadFormatVersion",
    "authorizerResultTtlInSeconds",
    "authorizerType",
    "authorizerUri",
    "enableSimpleResponses",
    "identitySource",
    "identityValidationExpression",
    "jwtConfiguration",
    "name",
];

/// The routes that name an authorizer, as (route key, authorization type).
fn users(tx: &mut dyn Txn, api_id: &str, id: &str) -> Result<Vec<(String, String)>, ApiError> {
    Ok(common::all(tx, kind::V2_ROUTE, api_id)?
        .into_iter()
        .filter(|r| r.get("authorizerId").and_then(Value::as_str) == Some(id))
        .map(|r| {
            let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            (s("routeKey"), s("authorizationType"))
        })
        .collect())
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let a = common::write(cx, call, |tx| {
        let (api, old) = load(tx, call)?;
        let a = common::overlay(&old, &body, UPDATABLE)?;
        check(&api, &a)?;
        if a.authorizer_type != old.authorizer_type {
            if let Some((key, _)) = users(tx, &api.api_id, &a.authorizer_id)?.first() {
                return Err(ApiError::conflict(format!(
                    "Cannot change the type of an authorizer route {key} uses"
                )));
            }
        }
        tx.put(
            kind::V2_AUTHORIZER,
            &api.api_id,
            &a.authorizer_id,
            &a.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(a)
    })?;
    Ok(Reply::Json(a.to_value()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, a) = load(tx, call)?;
        if let Some((key, _)) = users(tx, &api.api_id, &a.authorizer_id)?.first() {
            return Err(ApiError::conflict(format!(
                "Authorizer {} is used by route {key}; update or delete the route first",
                a.authorizer_id
            )));
        }
        tx.delete(kind::V2_AUTHORIZER, &api.api_id, &a.authorizer_id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Can a route of `authorization_type` name authorizer `id`?
pub fn check_route_authorizer(
    tx: &mut dyn Txn,
    api_id: &str,
    authorization_type: &str,
    id: &str,
) -> Result<(), ApiError> {
    let Some(doc) = tx.get(kind::V2_AUTHORIZER, api_id, id)? else {
        return Err(ApiError::bad_request(format!(
            "Invalid authorizer identifier specified {id}"
        )));
    };
    let a = Authorizer::from_value(&doc)?;
    let wanted = match authorization_type {
        "JWT" => "JWT",
        "CUSTOM" => "REQUEST",
        other => {
            return Err(ApiError::bad_request(format!(
                "An authorizerId can be set only with authorization type JWT or CUSTOM, not {other}"
            )))
        }
    };
    if a.authorizer_type != wanted {
        return Err(ApiError::bad_request(format!(
            "Authorization type {authorization_type} needs a {wanted} authorizer; {id} is {}",
            a.authorizer_type
        )));
    }
    Ok(())
}
