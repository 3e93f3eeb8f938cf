//! Authorizers (Lambda TOKEN/REQUEST and Cognito user pools): create, get, list, update,
//! delete. Running them is the data plane's business (TestInvokeAuthorizer: `deploy::test_invoke`).
//!
//! Stored as kind `authorizer`, scope = API id, id = the authorizer's 6-character id, body =
//! AWS's Authorizer JSON.

use portico_model::{Authorizer, Entity};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::models::patch_ops;
use crate::patch::{self, Apply, Rule, ADD_REMOVE, REPLACE};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{resources, restapis, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateAuthorizer" => create,
        "GetAuthorizer" => get,
        "GetAuthorizers" => list,
        "UpdateAuthorizer" => update,
        "DeleteAuthorizer" => delete,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Authorizer identifier specified")
}

/// Load an authorizer; an unknown API gets the authorizer's not-found error too.
pub fn require(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<Map<String, Value>, ApiError> {
    if !txn.exists(kind::REST_API, "", api_id)? {
        return Err(not_found());
    }
    match txn.get(kind::AUTHORIZER, api_id, id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

pub use portico_model::authorizer::DEFAULT_TTL;
const MAX_TTL: i64 = 3600;
const TYPES: &[&str] = &["TOKEN", "REQUEST", "COGNITO_USER_POOLS"];

/// AWS's generic answer for an authorizer whose inputs do not fit together (recorded for a
/// REQUEST authorizer with caching on and no identity source).
const INVALID_INPUT: &str = "Invalid request input";

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::bad_request(message)
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`, `context.X`.
fn identity_source_ok(source: &str, header_only: bool) -> bool {
    let prefixes: &[&str] = if header_only {
        &["method.request.header."]
    } else {
        &[
            "method.request.header.",
            "method.request.querystring.",
            "method.request.multivalueheader.",
            "method.request.multivaluequerystring.",
            "stageVariables.",
            "context.",
        ]
    };
    prefixes.iter().any(|p| {
        source
            .strip_prefix(p)
            .is_some_and(|name| !name.is_empty() && !name.contains(char::is_whitespace))
    })
}

/// The rules an authorizer document must satisfy, checked after a create and after every
/// update. Decision: except where noted, AWS's wording for these cases is not recorded; the
/// messages name the rule that was broken.
fn validate(a: &Map<String, Value>) -> Result<(), ApiError> {
    if str_of(a, "name").is_none() {
        return Err(bad("Authorizer name must be non-empty"));
    }
    let kind = str_of(a, "type").unwrap_or("");
    if !TYPES.contains(&kind) {
        return Err(bad(format!(
            "Invalid authorizer type specified: {kind}. Valid values are TOKEN, REQUEST, COGNITO_USER_POOLS"
        )));
    }
    let ttl = a
        .get("authorizerResultTtlInSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_TTL);
    if !(0..=MAX_TTL).contains(&ttl) {
        return Err(bad(format!(
            "Invalid authorizer TTL specified: {ttl}. Value must be between 0 and {MAX_TTL}"
        )));
    }
    let source = str_of(a, "identitySource");
    match kind {
        "COGNITO_USER_POOLS" => {
            let arns = a.get("providerARNs").and_then(Value::as_array);
            if arns.is_none_or(|l| l.is_empty()) {
                return Err(bad(
                    "Provider ARNs must be specified for COGNITO_USER_POOLS authorizers",
                ));
            }
            for arn in arns.into_iter().flatten() {
                let arn = arn.as_str().unwrap_or("");
                let parts: Vec<&str> = arn.splitn(6, ':').collect();
                let pool_ok = parts.len() == 6
                    && parts[0] == "arn"
                    && parts[2] == "cognito-idp"
                    && parts[5].starts_with("userpool/")
                    && parts[5].len() > "userpool/".len();
                if !pool_ok {
                    return Err(bad(format!("Invalid provider ARN specified: {arn}")));
                }
            }
        }
        _ => {
            let uri = str_of(a, "authorizerUri").ok_or_else(|| {
                bad(format!(
                    "Authorizer URI must be specified for {kind} authorizers"
                ))
            })?;
            if !uri.starts_with("arn:") {
                return Err(bad(format!("Invalid authorizer URI specified: {uri}")));
            }
        }
    }
    match (kind, source) {
        // AWS: for TOKEN and COGNITO_USER_POOLS the identity source is required and names the
        // header carrying the token.
        ("TOKEN" | "COGNITO_USER_POOLS", None) => return Err(bad(INVALID_INPUT)),
        ("TOKEN" | "COGNITO_USER_POOLS", Some(s)) if !identity_source_ok(s, true) => {
            return Err(bad(format!("Invalid identity source specified: {s}")))
        }
        // AWS (recorded): a REQUEST authorizer needs an identity source when caching is on.
        ("REQUEST", None) if ttl > 0 => return Err(bad(INVALID_INPUT)),
        ("REQUEST", Some(s)) => {
            for part in s.split(',').map(str::trim) {
                if !identity_source_ok(part, false) {
                    return Err(bad(format!("Invalid identity source specified: {part}")));
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let name = body.required_str("name")?;
    let kind_value = body.required_str("type")?;
    if !TYPES.contains(&kind_value.as_str()) {
        return Err(ApiError::new(
            400,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{kind_value}' at 'createAuthorizerInput.type' failed to satisfy constraint: Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS]"
            ),
        ));
    }
    let provider_arns = match body.get("providerARNs") {
        None | Some(Value::Null) => None,
        Some(v) => Some(Vec::<String>::deserialize(v).map_err(|_| {
            bad("Invalid value for member 'providerARNs': expected a list of strings")
        })?),
    };
    // Empty texts are left out, as if not given.
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        Ok(body.str_of(key)?.filter(|v| !v.is_empty()))
    };
    let a = Authorizer {
        id: new_id(6),
        name,
        kind: kind_value,
        provider_arns: provider_arns.filter(|l| !l.is_empty()),
        auth_type: text("authType")?,
        authorizer_uri: text("authorizerUri")?,
        authorizer_credentials: text("authorizerCredentials")?,
        identity_source: text("identitySource")?,
        identity_validation_expression: text("identityValidationExpression")?,
        authorizer_result_ttl_in_seconds: body
            .i64_of("authorizerResultTtlInSeconds")?
            .unwrap_or(DEFAULT_TTL),
    };
    // The rules every stored authorizer satisfies (`validate`) read its members.
    let a = a.to_map();
    let a = store::write(&*cx.store, &call.tenant, |txn| {
        // AWS's (recorded) answer to CreateAuthorizer on an unknown API.
        if !txn.exists(kind::REST_API, "", api_id)? {
            return Err(ApiError::conflict(
                "Unable to complete operation due to concurrent modification. Please try again later.",
            ));
        }
        validate(&a)?;
        let a = Value::Object(a.clone());
        let id = a["id"].as_str().unwrap_or_default().to_string();
        txn.put(kind::AUTHORIZER, api_id, &id, &a)?;
        Ok(a)
    })?;
    Ok(Reply::Json(a))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let a = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("restapi_id"), call.label("authorizer_id"))
    })?;
    Ok(Reply::Json(Value::Object(a)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    restapis::page_of(cx, call, kind::AUTHORIZER)
}

fn set_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?;
    if !TYPES.contains(&v) {
        return Err(bad(format!(
            "Invalid authorizer type specified: {v}. Valid values are TOKEN, REQUEST, COGNITO_USER_POOLS"
        )));
    }
    doc.insert("type".into(), json!(v));
    Ok(())
}

const RULES: &[Rule] = &[
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/type",
        ops: REPLACE,
        apply: Apply::Custom(set_type),
    },
    Rule {
        path: "/authorizerUri",
        ops: REPLACE,
        apply: Apply::OptStr("authorizerUri"),
    },
    Rule {
        path: "/identitySource",
        ops: REPLACE,
        apply: Apply::OptStr("identitySource"),
    },
    Rule {
        path: "/identityValidationExpression",
        ops: REPLACE,
        apply: Apply::OptStr("identityValidationExpression"),
    },
    Rule {
        path: "/authorizerResultTtlInSeconds",
        ops: REPLACE,
        apply: Apply::Int("authorizerResultTtlInSeconds"),
    },
    Rule {
        path: "/authorizerCredentials",
        ops: REPLACE,
        apply: Apply::OptStr("authorizerCredentials"),
    },
    Rule {
        path: "/authType",
        ops: REPLACE,
        apply: Apply::OptStr("authType"),
    },
    Rule {
        path: "/providerARNs/*",
        ops: ADD_REMOVE,
        apply: Apply::ListItem("providerARNs"),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("authorizer_id"));
    let ops = patch_ops(&call.json()?, "updateAuthorizerInput")?;
    let a = store::write(&*cx.store, &call.tenant, |txn| {
        let mut a = require(txn, api_id, id)?;
        patch::apply(&mut a, &ops, RULES)?;
        // Fields of the other types are kept, as AWS keeps them; the result must be a valid
        // authorizer of its (possibly new) type.
        validate(&a)?;
        let a = Value::Object(a);
        txn.put(kind::AUTHORIZER, api_id, id, &a)?;
        Ok(a)
    })?;
    Ok(Reply::Json(a))
}

/// The first method (`{VERB}/{path}`, AWS's order for this message) that uses the authorizer.
fn used_by(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<Option<String>, ApiError> {
    Ok(resources::first_method_where(txn, api_id, |m| {
        m.get("authorizerId").and_then(Value::as_str) == Some(id)
    })?
    .map(|(path, verb)| format!("{verb}/{path}")))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("authorizer_id"));
    store::write(&*cx.store, &call.tenant, |txn| {
        let a = require(txn, api_id, id)?;
        if let Some(place) = used_by(txn, api_id, id)? {
            let name = str_of(&a, "name").unwrap_or("");
            return Err(ApiError::conflict(format!(
                "Cannot delete authorizer '{name}', is referenced in method: {place}"
            )));
        }
        txn.delete(kind::AUTHORIZER, api_id, id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store, Tenant};

    fn doc(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    const URI: &str = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations";

    #[test]
    fn rules_per_type() {
        let token = json!({"name": "a", "type": "TOKEN", "authorizerUri": URI, "identitySource": "method.request.header.Auth"});
        assert!(validate(&doc(token.clone())).is_ok());
        let mut t = token.clone();
        t["identitySource"] = json!("method.request.querystring.q");
        assert!(validate(&doc(t)).is_err());
        let mut t = token.clone();
        t.as_object_mut().unwrap().remove("authorizerUri");
        assert!(validate(&doc(t)).is_err());
        let req = json!({"name": "a", "type": "REQUEST", "authorizerUri": URI});
        assert_eq!(
            validate(&doc(req.clone())).unwrap_err().message,
            INVALID_INPUT
        );
        let mut r = req.clone();
        r["authorizerResultTtlInSeconds"] = json!(0);
        assert!(validate(&doc(r)).is_ok());
        let mut r = req;
        r["identitySource"] = json!(
            "method.request.header.a, method.request.querystring.b, stageVariables.c, context.d"
        );
        assert!(validate(&doc(r)).is_ok());
        let pool = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";
        let cognito = json!({"name": "a", "type": "COGNITO_USER_POOLS", "providerARNs": [pool],
            "identitySource": "method.request.header.Authorization"});
        assert!(validate(&doc(cognito.clone())).is_ok());
        let mut c = cognito;
        c["providerARNs"] = json!(["arn:aws:s3:::bucket"]);
        assert!(validate(&doc(c)).is_err());
    }

    #[test]
    fn an_authorizer_in_use_is_found_through_the_method() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let tenant = Tenant::aws("000000000000", "us-east-1");
        let store: &dyn Store = &store;
        let found = store::write(store, &tenant, |txn| {
            txn.put(
                kind::RESOURCE,
                "api",
                "r1",
                &json!({"id": "r1", "path": "/expenses", "resourceMethods": {
                    "POST": {"authorizationType": "CUSTOM", "authorizerId": "au1234"}}}),
            )?;
            Ok((
                used_by(txn, "api", "au1234")?,
                used_by(txn, "api", "zz9999")?,
            ))
        })
        .unwrap();
        assert_eq!(found, (Some("POST//expenses".to_string()), None));
    }
}
