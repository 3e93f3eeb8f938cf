//! Models: CreateModel, GetModel, GetModels, UpdateModel, DeleteModel, GetModelTemplate (the
//! REST API's generator, shared through `portico_openapi::template`). A model's name is
//! alphanumeric and unique in its API; its schema is a JSON object (a JSON Schema draft 4
//! document, checked on invocation later).

use portico_core::ApiError;
use portico_model::v2::Model;
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::{json, Value};

use crate::common::{self, member, required};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
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

pub(crate) fn check(tx: &mut dyn Txn, api_id: &str, m: &Model) -> Result<(), ApiError> {
    if m.name.is_empty() || m.name.len() > 128 || !m.name.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(ApiError::bad_request(format!(
            "Invalid model name specified: {}. Model names are alphanumeric",
            m.name
        )));
    }
    if !matches!(
        serde_json::from_str::<Value>(&m.schema),
        Ok(Value::Object(_))
    ) {
        return Err(ApiError::bad_request(
            "Invalid model schema specified: it must be a JSON object",
        ));
    }
    for doc in common::all(tx, kind::V2_MODEL, api_id)? {
        let same_name = doc.get("name").and_then(Value::as_str) == Some(m.name.as_str());
        let same_model = doc.get("modelId").and_then(Value::as_str) == Some(m.model_id.as_str());
        if same_name && !same_model {
            return Err(ApiError::conflict(format!(
                "Model name already exists for this API: {}",
                m.name
            )));
        }
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let m = common::write(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        let m = Model {
            model_id: common::id(6),
            name: required(&body, "name")?,
            schema: required(&body, "schema")?,
            content_type: member(&body, "contentType")?,
            description: member(&body, "description")?,
        };
        check(tx, api_id, &m)?;
        tx.put(kind::V2_MODEL, api_id, &m.model_id, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(m.to_value()))
}

fn load(tx: &mut dyn Txn, call: &Call) -> Result<Model, ApiError> {
    let api_id = call.label("apiId");
    common::api(tx, &call.tenant, api_id)?;
    let id = call.label("modelId");
    match tx.get(kind::V2_MODEL, api_id, id)? {
        Some(doc) => Ok(Model::from_value(&doc)?),
        None => Err(common::child_not_found(&call.tenant, "Model", api_id, id)),
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let m = common::read(cx, call, |tx| load(tx, call))?;
    Ok(Reply::Json(m.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_MODEL, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let m = common::write(cx, call, |tx| {
        let old = load(tx, call)?;
        let m = common::overlay(
            &old,
            &body,
            &["contentType", "description", "name", "schema"],
        )?;
        check(tx, api_id, &m)?;
        tx.put(kind::V2_MODEL, api_id, &m.model_id, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(m.to_value()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    common::write(cx, call, |tx| {
        let m = load(tx, call)?;
        tx.delete(kind::V2_MODEL, api_id, &m.model_id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// GetModelTemplate: `{"value": <the sample mapping template of the model's schema>}`, with
/// references to the API's other models (AWS's model URLs) and local `#/...` pointers inlined.
fn template(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    use portico_openapi::template;
    let api_id = call.label("apiId");
    let value = common::read(cx, call, |tx| {
        let m = load(tx, call)?;
        let schema: Value = serde_json::from_str(&m.schema)
            .map_err(|_| ApiError::bad_request(template::EMPTY_SCHEMA))?;
        let mut others = Vec::new();
        for doc in common::all(tx, kind::V2_MODEL, api_id)? {
            let other = Model::from_value(&doc)?;
            if let Ok(s) = serde_json::from_str::<Value>(&other.schema) {
                others.push((other.name, s));
            }
        }
        let lookup = |name: &str| {
            others
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
        };
        template::template(&template::flatten(&schema, &lookup))
    })?;
    Ok(Reply::Json(json!({ "value": value })))
}
