//! Documentation parts: content (`properties`, a JSON object as text) attached to one location
//! of an API. One part per location.
//!
//! Stored as kind `documentationpart`, scope = API id, id = the part's 6-character id, body =
//! `portico_model::DocumentationPart` (AWS's JSON).
//!
//! Error texts recorded against AWS (LocalStack's `tests/aws/services/apigateway/
//! test_apigateway_api.snapshot.json`, `TestApiGatewayApiDocumentationPart`): an unknown API
//! on create, list and delete ("Invalid API identifier specified {account}:{id}"); an unknown
//! part, or a part asked for under an unknown API on get and update ("Invalid Documentation
//! part identifier specified"); the patch errors (`replace` of `/properties` only). The
//! conflict text is AWS's developer guide's.

use portico_model::{DocumentationPart, DocumentationPartLocation, Entity};
use serde_json::{Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::models::{patch_ops, replace_only};
use crate::paging;
use crate::store::{self, kind, Txn};
use crate::{restapis, Ctx, Handler};

use super::location::{self, enum_error, null_error};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDocumentationPart" => create,
        "GetDocumentationPart" => get,
        "GetDocumentationParts" => list,
        "UpdateDocumentationPart" => update,
        "DeleteDocumentationPart" => delete,
        "ImportDocumentationParts" => super::import::import,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Documentation part identifier specified")
}

fn load(txn: &mut dyn Txn, api_id: &str, id: &str) -> Result<DocumentationPart, ApiError> {
    match txn.get_shared(kind::DOCUMENTATION_PART, api_id, id)? {
        Some(doc) => Ok(DocumentationPart::from_value(&doc)?),
        None => Err(not_found()),
    }
}

/// Every part of an API, in the order they were created.
pub fn all(txn: &mut dyn Txn, api_id: &str) -> Result<Vec<DocumentationPart>, ApiError> {
    txn.list_shared(kind::DOCUMENTATION_PART, api_id, 0, usize::MAX)?
        .iter()
        .map(|d| Ok(DocumentationPart::from_value(&d.body)?))
        .collect()
}

/// The part at `loc`, if there is one.
pub fn at(
    txn: &mut dyn Txn,
    api_id: &str,
    loc: &DocumentationPartLocation,
) -> Result<Option<DocumentationPart>, ApiError> {
    Ok(all(txn, api_id)?.into_iter().find(|p| &p.location == loc))
}

pub fn conflict(loc: &DocumentationPartLocation) -> ApiError {
    ApiError::conflict(format!(
        "Documentation part already exists for the specified location: {}.",
        location::describe(loc)
    ))
}

/// `properties` as sent: a JSON object, as text. Decision: AWS's texts for properties that do
/// not parse, or that are not an object, are not recorded.
pub fn properties(text: Option<&str>, at: &str) -> Result<String, ApiError> {
    let text = text.ok_or_else(|| null_error(at))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(_)) => Ok(text.to_string()),
        Ok(_) => Err(ApiError::bad_request(
            "Invalid documentation content: properties must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(format!(
            "Invalid documentation content: properties is not valid JSON: {e}"
        ))),
    }
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let props = match body.get("properties") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'properties': expected a string",
            ))
        }
    };
    let part = store::write(&*cx.store, &call.tenant, |txn| {
        // The recorded AWS answer for an unknown API comes before any check of the body.
        restapis::require(txn, &call.tenant, api_id)?;
        let loc = location::from_body(&body, "createDocumentationPartInput")?;
        let properties = properties(props, "createDocumentationPartInput.properties")?;
        if at(txn, api_id, &loc)?.is_some() {
            return Err(conflict(&loc));
        }
        let part = new_part(loc, properties);
        txn.put_owned(kind::DOCUMENTATION_PART, api_id, &part.id, part.to_value())?;
        Ok(part)
    })?;
    Ok(Reply::Json(part.to_value()))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("part_id"));
    let part = store::read(&*cx.store, &call.tenant, |txn| {
        // Recorded: an unknown API gets the part's not-found message here.
        if !txn.exists(kind::REST_API, "", api_id)? {
            return Err(not_found());
        }
        load(txn, api_id, id)
    })?;
    Ok(Reply::Json(part.to_value()))
}

const STATUSES: &str = "DOCUMENTED, UNDOCUMENTED";

/// Decision: AWS documents DOCUMENTED as the parts "with content" and UNDOCUMENTED as those
/// "without content"; a part whose properties are an empty object has none.
fn has_content(part: &DocumentationPart) -> bool {
    serde_json::from_str::<Map<String, Value>>(&part.properties).is_ok_and(|m| !m.is_empty())
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let kind_filter = call.query("type").filter(|t| !t.is_empty());
    if let Some(t) = kind_filter {
        if !location::is_type(t) {
            return Err(enum_error(t, "type", &location::type_names()));
        }
    }
    let status = call.query("locationStatus").filter(|s| !s.is_empty());
    if let Some(s) = status {
        if !matches!(s, "DOCUMENTED" | "UNDOCUMENTED") {
            return Err(enum_error(s, "locationStatus", STATUSES));
        }
    }
    let path = call.query("path").filter(|p| !p.is_empty());
    // `nameQuery` travels as `name`. Decision: it matches the names that contain it, ignoring
    // case.
    let name_query = call
        .query("name")
        .filter(|q| !q.is_empty())
        .map(str::to_lowercase);
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        paging::page(txn, call, kind::DOCUMENTATION_PART, api_id, |d| {
            let part = DocumentationPart::from_value(&d.body).ok()?;
            let loc = &part.location;
            let wanted = kind_filter.is_none_or(|t| loc.kind == t)
                && path.is_none_or(|p| loc.path.as_deref() == Some(p))
                && name_query.as_deref().is_none_or(|q| {
                    loc.name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(q))
                })
                && status.is_none_or(|s| has_content(&part) == (s == "DOCUMENTED"));
            wanted.then(|| Value::clone(&d.body))
        })
    })?;
    Ok(Reply::Json(page))
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("part_id"));
    let ops = patch_ops(&call.json()?, "updateDocumentationPartInput")?;
    let part = store::write(&*cx.store, &call.tenant, |txn| {
        // Recorded: an unknown API gets the part's not-found message here.
        if !txn.exists(kind::REST_API, "", api_id)? {
            return Err(not_found());
        }
        let mut part = load(txn, api_id, id)?;
        for op in &ops {
            replace_only(op, &["/properties"])?;
            part.properties = properties(op.value.as_deref(), "properties")?;
        }
        txn.put_owned(kind::DOCUMENTATION_PART, api_id, id, part.to_value())?;
        Ok(part)
    })?;
    Ok(Reply::Json(part.to_value()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("part_id"));
    store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        if !txn.exists(kind::DOCUMENTATION_PART, api_id, id)? {
            return Err(not_found());
        }
        Ok(txn.delete(kind::DOCUMENTATION_PART, api_id, id)?)
    })?;
    Ok(Reply::Empty)
}

/// A new part's JSON (the import builds its parts through this too).
pub fn new_part(loc: DocumentationPartLocation, properties: String) -> DocumentationPart {
    DocumentationPart {
        id: new_id(6),
        location: loc,
        properties,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_a_non_empty_object() {
        let part = |p: &str| DocumentationPart {
            id: "p".into(),
            location: DocumentationPartLocation {
                kind: "API".into(),
                path: None,
                method: None,
                status_code: None,
                name: None,
            },
            properties: p.into(),
        };
        assert!(has_content(&part("{\"a\":1}")));
        assert!(!has_content(&part("{}")));
        assert!(!has_content(&part(" { } ")));
    }
}
