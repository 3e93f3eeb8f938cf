//! ImportDocumentationParts: the parts of an OpenAPI (Swagger 2.0 or OpenAPI 3) document's
//! `x-amazon-apigateway-documentation.documentationParts`, merged into the API's parts or
//! replacing them (`mode=merge|overwrite`, merge by default).
//!
//! The body is the document itself, JSON or YAML (read as OpenAPI import reads it); a body
//! that does not parse gets AWS's recorded answer
//! "Unable to build importer with provided input." (LocalStack's
//! `test_apigateway_api.snapshot.json`, `test_import_documentation_parts_bad_file`). AWS's
//! recorded import gives a METHOD part without a path the root path, as any location.

use portico_model::{DocumentationPartLocation, Entity};
use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::restapi::openapi::document::read_object;
use crate::store::{self, kind, Txn};
use crate::{restapis, Ctx};

use super::location::{self, enum_error};
use super::parts;

const EXTENSION: &str = "x-amazon-apigateway-documentation";

fn unreadable() -> ApiError {
    ApiError::bad_request("Unable to build importer with provided input.")
}

pub(crate) fn import(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let overwrite = match call.query("mode").filter(|m| !m.is_empty()) {
        None | Some("merge") => false,
        Some("overwrite") => true,
        Some(other) => return Err(enum_error(other, "mode", "merge, overwrite")),
    };
    let fail_on_warnings = call.query_bool("failonwarnings")?.unwrap_or(false);
    let doc = read_object(&call.body).ok_or_else(unreadable)?;
    if !doc.contains_key("swagger") && !doc.contains_key("openapi") {
        return Err(unreadable());
    }
    let (found, warnings) = parts_of(&doc);
    if fail_on_warnings && !warnings.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Errors found during import:\n{}",
            warnings.join("\n")
        )));
    }
    let ids = store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        put_parts(txn, api_id, found, overwrite)
    })?;
    let mut out = json!({ "ids": ids });
    if !warnings.is_empty() {
        out["warnings"] = json!(warnings);
    }
    Ok(Reply::Json(out))
}

/// The parts an OpenAPI document lists (checked the way CreateDocumentationPart checks them;
/// a later part for the same location wins), and a warning for each part that fails.
/// Decision: the warning texts are Portico's. OpenAPI import (ImportRestApi, PutRestApi)
/// reads a document's documentation through this too.
pub fn parts_of(doc: &Map<String, Value>) -> (Vec<Found>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut found: Vec<Found> = Vec::new();
    let listed = doc
        .get(EXTENSION)
        .and_then(|d| d.get("documentationParts"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, part) in listed.iter().enumerate() {
        let at = format!("{EXTENSION}.documentationParts[{i}]");
        let loc = match part.get("location") {
            Some(Value::Object(m)) => location::parse(m, &format!("{at}.location")),
            _ => Err(ApiError::bad_request(
                "a documentation part needs a location",
            )),
        };
        let props = match part.get("properties") {
            Some(Value::Object(m)) => Ok(Value::Object(m.clone()).to_string()),
            Some(Value::String(s)) => parts::properties(Some(s), "properties"),
            _ => Err(ApiError::bad_request(
                "a documentation part's properties must be an object",
            )),
        };
        match (loc, props) {
            (Ok(loc), Ok(props)) => {
                found.retain(|(l, _)| l != &loc);
                found.push((loc, props));
            }
            (Err(e), _) | (_, Err(e)) => warnings.push(format!("{at}: {}", e.message)),
        }
    }
    (found, warnings)
}

/// A part to import: its location and properties (JSON text).
pub type Found = (DocumentationPartLocation, String);

/// Store imported parts: `overwrite` replaces all of the API's parts; merging keeps the other
/// parts, and a part already at an imported location keeps its id and takes the new content.
/// The ids of the imported parts, in the document's order.
pub fn put_parts(
    txn: &mut dyn Txn,
    api_id: &str,
    found: Vec<Found>,
    overwrite: bool,
) -> Result<Vec<String>, ApiError> {
    let existing = parts::all(txn, api_id)?;
    if overwrite {
        for p in &existing {
            txn.delete(kind::DOCUMENTATION_PART, api_id, &p.id)?;
        }
    }
    let mut ids = Vec::with_capacity(found.len());
    for (loc, props) in found {
        let part = match existing.iter().find(|p| !overwrite && p.location == loc) {
            Some(old) => {
                let mut part = old.clone();
                part.properties = props;
                part
            }
            None => parts::new_part(loc, props),
        };
        txn.put_owned(kind::DOCUMENTATION_PART, api_id, &part.id, part.to_value())?;
        ids.push(part.id);
    }
    Ok(ids)
}
