//! Models: JSON-schema documents of a REST API (create, get with `flatten`, list, update,
//! delete, and the generated sample mapping template).
//!
//! Stored as kind `model`, scope = API id, id = model name (names are unique per API and every
//! model operation addresses a model by name), body = AWS's Model JSON.

mod schema;

use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::patch::{self, Op, PatchOp};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{resources, restapis, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateModel" => create,
        "GetModel" => get,
        "GetModels" => list,
        "UpdateModel" => update,
        "DeleteModel" => delete,
        "GetModelTemplate" => template,
        _ => return None,
    })
}

pub fn not_found(name: &str) -> ApiError {
    ApiError::not_found(format!("Invalid model name specified: {name}"))
}

/// Load a model. AWS answers a model call on an unknown API with the model's not-found error
/// (not the API's), so both cases end up here.
pub fn require(
    txn: &mut dyn Txn,
    api_id: &str,
    name: &str,
) -> Result<Map<String, Value>, ApiError> {
    if !txn.exists(kind::REST_API, "", api_id)? {
        return Err(not_found(name));
    }
    match txn.get(kind::MODEL, api_id, name)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found(name)),
    }
}

/// Every model of an API, in creation order.
pub fn all(txn: &mut dyn Txn, api_id: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
    Ok(txn
        .list(kind::MODEL, api_id, 0, usize::MAX)?
        .into_iter()
        .filter_map(|d| match d.body {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

// ---- patch helpers shared by the sibling entity modules (validators, authorizers, gateway
// responses): AWS phrases patch errors differently from entity to entity.

/// `patchOperations`, with AWS's enum check on each `op` (a ValidationException naming the
/// operation's input shape, e.g. `updateGatewayResponseInput`). A missing path is kept as the
/// literal `null`, which is how AWS prints it.
pub(crate) fn patch_ops(body: &Map<String, Value>, input: &str) -> Result<Vec<PatchOp>, ApiError> {
    patch::parse_input(body, input)
}

/// AWS's check for entities whose fields only take `replace` (models, request validators):
/// first the op, then the path, each with its own message (note AWS's double space).
pub(crate) fn replace_only(op: &PatchOp, allowed: &[&str]) -> Result<(), ApiError> {
    if op.op != Op::Replace {
        return Err(ApiError::bad_request(format!(
            "Invalid patch path  '{}' specified for op '{}'. Please choose supported operations",
            op.path,
            op.op.as_str()
        )));
    }
    if !allowed.contains(&op.path.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid patch path  '{}' specified for op 'replace'. Must be one of: [{}]",
            op.path,
            allowed.join(", ")
        )));
    }
    Ok(())
}

fn is_json(content_type: &str) -> bool {
    content_type.to_ascii_lowercase().contains("json")
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Check a schema against the API's other models.
fn check_schema(
    txn: &mut dyn Txn,
    api_id: &str,
    text: Option<&str>,
    content_type: &str,
) -> Result<(), ApiError> {
    let names: Vec<String> = all(txn, api_id)?
        .iter()
        .map(|m| str_of(m, "name").to_string())
        .collect();
    schema::validate(text, is_json(content_type), api_id, &|n| {
        names.iter().any(|x| x == n)
    })?;
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let name = body.str_of("name")?.unwrap_or_default();
    let content_type = body.required_str("contentType")?;
    let description = body.str_of("description")?;
    let schema_text = body.str_of("schema")?;
    let model = store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        if name.is_empty() {
            return Err(ApiError::bad_request("Model name must be non-empty"));
        }
        // Decision: AWS documents names as alphanumeric; its wording for a violation is not
        // recorded, so this message states the rule.
        if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ApiError::bad_request(format!(
                "Invalid model name specified: {name}. Model names must be alphanumeric"
            )));
        }
        if txn.exists(kind::MODEL, api_id, &name)? {
            return Err(ApiError::conflict(
                "Model name already exists for this REST API",
            ));
        }
        check_schema(txn, api_id, schema_text.as_deref(), &content_type)?;
        let mut m = Map::new();
        m.insert("id".into(), json!(new_id(6)));
        m.insert("name".into(), json!(name));
        // AWS drops an empty description.
        if let Some(d) = description.filter(|d| !d.is_empty()) {
            m.insert("description".into(), json!(d));
        }
        m.insert("schema".into(), json!(schema_text));
        m.insert("contentType".into(), json!(content_type));
        let m = Value::Object(m);
        txn.put(kind::MODEL, api_id, &name, &m)?;
        Ok(m)
    })?;
    Ok(Reply::Json(model))
}

/// The model's schema with every model reference resolved against the API's models.
fn flattened_schema(
    txn: &mut dyn Txn,
    api_id: &str,
    model: &Map<String, Value>,
) -> Result<Option<Value>, ApiError> {
    let Ok(parsed) = serde_json::from_str::<Value>(str_of(model, "schema")) else {
        return Ok(None);
    };
    let models = all(txn, api_id)?;
    let lookup = |name: &str| {
        models
            .iter()
            .find(|m| str_of(m, "name") == name)
            .and_then(|m| serde_json::from_str::<Value>(str_of(m, "schema")).ok())
    };
    Ok(Some(schema::flatten(&parsed, &lookup)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("model_name"));
    let flatten = call.query_bool("flatten")?.unwrap_or(false);
    let model = store::read(&*cx.store, &call.tenant, |txn| {
        let mut m = require(txn, api_id, name)?;
        let has_refs = serde_json::from_str::<Value>(str_of(&m, "schema"))
            .map(|s| schema::has_refs(&s))
            .unwrap_or(false);
        // Decision: a flattened schema is re-serialized with two-space indentation; a schema
        // without references is returned exactly as stored.
        if flatten && has_refs {
            if let Some(flat) = flattened_schema(txn, api_id, &m)? {
                let text = serde_json::to_string_pretty(&flat)
                    .map_err(|e| ApiError::internal(format!("schema serialization: {e}")))?;
                m.insert("schema".into(), json!(text));
            }
        }
        Ok(m)
    })?;
    Ok(Reply::Json(Value::Object(model)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    restapis::page_of(cx, call, kind::MODEL)
}

const PATHS: &[&str] = &["/description", "/schema"];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("model_name"));
    let ops = patch_ops(&call.json()?, "updateModelInput")?;
    let model = store::write(&*cx.store, &call.tenant, |txn| {
        let mut m = require(txn, api_id, name)?;
        for op in &ops {
            replace_only(op, PATHS)?;
            let value = op.value.as_deref().unwrap_or("");
            if op.path == "/schema" {
                let content_type = str_of(&m, "contentType").to_string();
                check_schema(txn, api_id, Some(value), &content_type)?;
                m.insert("schema".into(), json!(value));
            } else if value.is_empty() {
                m.remove("description");
            } else {
                m.insert("description".into(), json!(value));
            }
        }
        let m = Value::Object(m);
        txn.put(kind::MODEL, api_id, name, &m)?;
        Ok(m)
    })?;
    Ok(Reply::Json(model))
}

/// Why a model cannot be deleted: the first method request, method response or other model
/// that names it.
fn usage(txn: &mut dyn Txn, api_id: &str, name: &str) -> Result<Option<String>, ApiError> {
    let everything = resources::all(txn, api_id)?;
    let uses = |models: Option<&Value>| {
        models
            .and_then(Value::as_object)
            .is_some_and(|m| m.values().any(|v| v.as_str() == Some(name)))
    };
    for r in &everything {
        let Some(Value::Object(methods)) = r.get("resourceMethods") else {
            continue;
        };
        let path = str_of(r, "path");
        for (verb, method) in methods {
            if uses(method.get("requestModels")) {
                return Ok(Some(format!("method request: {path}/{verb}")));
            }
            if let Some(Value::Object(responses)) = method.get("methodResponses") {
                for (status, resp) in responses {
                    if uses(resp.get("responseModels")) {
                        // Decision: worded like AWS's method-request case.
                        return Ok(Some(format!("method response: {path}/{verb}/{status}")));
                    }
                }
            }
        }
    }
    for other in all(txn, api_id)? {
        let other_name = str_of(&other, "name");
        if other_name == name {
            continue;
        }
        if let Ok(s) = serde_json::from_str::<Value>(str_of(&other, "schema")) {
            let mut refs = Vec::new();
            schema::referenced_models(&s, api_id, &mut refs);
            if refs.iter().any(|r| r == name) {
                return Ok(Some(format!("model: {other_name}")));
            }
        }
    }
    Ok(None)
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("model_name"));
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, api_id, name)?;
        if let Some(place) = usage(txn, api_id, name)? {
            return Err(ApiError::conflict(format!(
                "Cannot delete model '{name}', is referenced in {place}"
            )));
        }
        txn.delete(kind::MODEL, api_id, name)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn template(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("model_name"));
    let value = store::read(&*cx.store, &call.tenant, |txn| {
        let m = require(txn, api_id, name)?;
        // Decision: a model whose schema is not JSON (a non-JSON content type) has no
        // generated template, like a schema without properties.
        let flat = flattened_schema(txn, api_id, &m)?
            .ok_or_else(|| ApiError::bad_request(schema::EMPTY_SCHEMA))?;
        schema::template(&flat)
    })?;
    Ok(Reply::Json(json!({ "value": value })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, Store, Tenant};

    /// Delete protection looks into the methods embedded in resource documents (the method
    /// handlers live elsewhere, so the documents are written directly here).
    #[test]
    fn models_used_by_methods_are_reported_with_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let tenant = Tenant::aws("000000000000", "us-east-1");
        let found = |resources: Vec<Value>| {
            let store: &dyn Store = &store;
            store::write(store, &tenant, |txn| {
                txn.delete_scope("api")?;
                for (i, r) in resources.iter().enumerate() {
                    txn.put(kind::RESOURCE, "api", &i.to_string(), r)?;
                }
                usage(txn, "api", "Pet")
            })
            .unwrap()
        };
        assert_eq!(found(vec![json!({"id": "r", "path": "/"})]), None);
        assert_eq!(
            found(vec![json!({"id": "r", "path": "/", "resourceMethods": {
                "ANY": {"requestModels": {"application/json": "Pet"}}}})]),
            Some("method request: //ANY".to_string())
        );
        assert_eq!(
            found(vec![
                json!({"id": "r", "path": "/test", "resourceMethods": {
                "GET": {"methodResponses": {"200": {"responseModels": {"application/json": "Pet"}}}}}})
            ]),
            Some("method response: /test/GET/200".to_string())
        );
    }
}
