//! Request validators: named switches (body, parameters) that methods point at through
//! `requestValidatorId`.
//!
//! Stored as kind `requestvalidator`, scope = API id, id = the validator's 6-character id,
//! body = AWS's RequestValidator JSON.

use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::models::{patch_ops, replace_only};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{resources, restapis, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateRequestValidator" => create,
        "GetRequestValidator" => get,
        "GetRequestValidators" => list,
        "UpdateRequestValidator" => update,
        "DeleteRequestValidator" => delete,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Request Validator identifier specified")
}

/// Load a validator. AWS gives the validator's not-found error for an unknown API too.
pub fn require(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<Map<String, Value>, ApiError> {
    if !txn.exists(kind::REST_API, "", api_id)? {
        return Err(not_found());
    }
    match txn.get(kind::REQUEST_VALIDATOR, api_id, id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

const BLANK_NAME: &str = "Request Validator name cannot be blank";

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let name = body.str_of("name")?;
    let validate_body = body.bool_of("validateRequestBody")?.unwrap_or(false);
    let validate_params = body.bool_of("validateRequestParameters")?.unwrap_or(false);
    let v = store::write(&*cx.store, &call.tenant, |txn| {
        // AWS's (recorded) answer for an unknown API here is a 400, not the usual 404.
        if !txn.exists(kind::REST_API, "", api_id)? {
            return Err(ApiError::bad_request(
                "Invalid REST API identifier specified",
            ));
        }
        // Decision: `name` is optional in AWS's model, so an absent name is accepted; an
        // explicitly empty one gets the message UpdateRequestValidator gives for a blank name.
        if name.as_deref() == Some("") {
            return Err(ApiError::bad_request(BLANK_NAME));
        }
        let id = new_id(6);
        let mut m = Map::new();
        m.insert("id".into(), json!(id));
        if let Some(n) = &name {
            m.insert("name".into(), json!(n));
        }
        m.insert("validateRequestBody".into(), json!(validate_body));
        m.insert("validateRequestParameters".into(), json!(validate_params));
        let m = Value::Object(m);
        txn.put(kind::REQUEST_VALIDATOR, api_id, &id, &m)?;
        Ok(m)
    })?;
    Ok(Reply::Json(v))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let v = store::read(&*cx.store, &call.tenant, |txn| {
        require(
            txn,
            call.label("restapi_id"),
            call.label("requestvalidator_id"),
        )
    })?;
    Ok(Reply::Json(Value::Object(v)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    restapis::page_of(cx, call, kind::REQUEST_VALIDATOR)
}

/// AWS lists the paths in this order in its error message.
const PATHS: &[&str] = &[
    "/name",
    "/validateRequestParameters",
    "/validateRequestBody",
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("requestvalidator_id"));
    let ops = patch_ops(&call.json()?, "updateRequestValidatorInput")?;
    let v = store::write(&*cx.store, &call.tenant, |txn| {
        let mut m = require(txn, api_id, id)?;
        for op in &ops {
            replace_only(op, PATHS)?;
            let value = op.value.as_deref().unwrap_or("");
            match op.path.as_str() {
                "/name" if value.is_empty() => return Err(ApiError::bad_request(BLANK_NAME)),
                "/name" => {
                    m.insert("name".into(), json!(value));
                }
                // AWS reads anything but "true" (a missing value included) as false.
                flag => {
                    m.insert(
                        flag[1..].to_string(),
                        json!(value.eq_ignore_ascii_case("true")),
                    );
                }
            }
        }
        let m = Value::Object(m);
        txn.put(kind::REQUEST_VALIDATOR, api_id, id, &m)?;
        Ok(m)
    })?;
    Ok(Reply::Json(v))
}

/// The first method (`{path}/{VERB}`) that points at this validator.
fn used_by(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<Option<String>, ApiError> {
    Ok(resources::first_method_where(txn, api_id, |m| {
        m.get("requestValidatorId").and_then(Value::as_str) == Some(id)
    })?
    .map(|(path, verb)| format!("{path}/{verb}")))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("requestvalidator_id"));
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, api_id, id)?;
        // Decision: AWS's behaviour here is not recorded. A method left pointing at a deleted
        // validator could not be deployed, so the delete is refused the way DeleteModel refuses
        // a model still in use.
        if let Some(place) = used_by(txn, api_id, id)? {
            return Err(ApiError::conflict(format!(
                "Cannot delete request validator '{id}', is referenced in method: {place}"
            )));
        }
        txn.delete(kind::REQUEST_VALIDATOR, api_id, id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store, Tenant};

    #[test]
    fn a_validator_in_use_is_found_through_the_method() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let tenant = Tenant::aws("000000000000", "us-east-1");
        let store: &dyn Store = &store;
        let found = store::write(store, &tenant, |txn| {
            txn.put(
                kind::RESOURCE,
                "api",
                "r1",
                &json!({"id": "r1", "path": "/pets", "resourceMethods": {
                    "GET": {"httpMethod": "GET"},
                    "POST": {"requestValidatorId": "abc123"}}}),
            )?;
            Ok((
                used_by(txn, "api", "abc123")?,
                used_by(txn, "api", "zzz999")?,
            ))
        })
        .unwrap();
        assert_eq!(found, (Some("/pets/POST".to_string()), None));
    }
}
