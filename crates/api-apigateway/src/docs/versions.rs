//! Documentation versions: named snapshots of an API's documentation parts. A stage names the
//! version its exported documentation comes from (`documentationVersion`).
//!
//! Stored as kind `documentationversion` (scope = API id, id = the version: AWS's
//! DocumentationVersion JSON, which is all AWS shows: version, createdDate, description) and
//! kind `documentationsnapshot` (same scope and id: the parts as they were, for the export).
//!
//! Texts: "Invalid Documentation version specified" is AWS's answer for an unknown version
//! (GetDocumentationVersion: serverless-aws-documentation decides whether to create a version
//! by matching that exact message). The other texts are Decisions, marked below.

use portico_model::{DocumentationSnapshot, DocumentationVersion, Entity};
use serde_json::{json, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::now_epoch;
use crate::models::{patch_ops, replace_only};
use crate::store::{self, kind, Txn};
use crate::{restapis, stages, Ctx, Handler};

use super::{location::null_error, parts};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDocumentationVersion" => create,
        "GetDocumentationVersion" => get,
        "GetDocumentationVersions" => list,
        "UpdateDocumentationVersion" => update,
        "DeleteDocumentationVersion" => delete,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Documentation version specified")
}

fn load(txn: &mut dyn Txn, api_id: &str, version: &str) -> Result<DocumentationVersion, ApiError> {
    match txn.get_shared(kind::DOCUMENTATION_VERSION, api_id, version)? {
        Some(doc) => Ok(DocumentationVersion::from_value(&doc)?),
        None => Err(not_found()),
    }
}

/// A stage may only name a version of its API (CreateStage, UpdateStage). Decision: AWS's
/// answer is not recorded; it is a bad value in the request, so a 400 with AWS's text for an
/// unknown version.
pub fn check_stage_version(txn: &mut dyn Txn, api_id: &str, version: &str) -> Result<(), ApiError> {
    if txn.exists(kind::DOCUMENTATION_VERSION, api_id, version)? {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "Invalid Documentation version specified",
        ))
    }
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let version = body
        .str_of("documentationVersion")?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| null_error("createDocumentationVersionInput.documentationVersion"))?;
    let description = body.str_of("description")?;
    let stage_name = body.str_of("stageName")?.filter(|s| !s.is_empty());
    let created = store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        if txn.exists(kind::DOCUMENTATION_VERSION, api_id, &version)? {
            // Decision: AWS's text is not recorded.
            return Err(ApiError::conflict(format!(
                "Documentation version '{version}' already exists"
            )));
        }
        // Decision: a version of an API without parts is allowed (an empty snapshot).
        let snapshot = DocumentationSnapshot {
            version: version.clone(),
            parts: parts::all(txn, api_id)?,
        };
        let doc = DocumentationVersion {
            version: version.clone(),
            created_date: now_epoch(),
            // Decision: an empty description is not kept, as AWS shows none for other
            // entities' empty descriptions.
            description: description.clone().filter(|d| !d.is_empty()),
        };
        if let Some(name) = &stage_name {
            let Some(Value::Object(mut stage)) = txn.get(kind::STAGE, api_id, name)? else {
                return Err(stages::not_found());
            };
            stage.insert("documentationVersion".into(), json!(version));
            stage.insert("lastUpdatedDate".into(), json!(now_epoch()));
            txn.put_owned(kind::STAGE, api_id, name, Value::Object(stage))?;
        }
        txn.put_owned(
            kind::DOCUMENTATION_SNAPSHOT,
            api_id,
            &version,
            snapshot.to_value(),
        )?;
        txn.put_owned(
            kind::DOCUMENTATION_VERSION,
            api_id,
            &version,
            doc.to_value(),
        )?;
        Ok(doc)
    })?;
    Ok(Reply::Json(created.to_value()))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, version) = (call.label("restapi_id"), call.label("doc_version"));
    let doc = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        load(txn, api_id, version)
    })?;
    Ok(Reply::Json(doc.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    restapis::page_of(cx, call, kind::DOCUMENTATION_VERSION)
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, version) = (call.label("restapi_id"), call.label("doc_version"));
    let ops = patch_ops(&call.json()?, "updateDocumentationVersionInput")?;
    let doc = store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        let mut doc = load(txn, api_id, version)?;
        for op in &ops {
            // Decision: AWS's texts for other paths and ops are not recorded; they follow
            // AWS's wording for the other replace-only entities (models, validators).
            replace_only(op, &["/description"])?;
            doc.description = op.value.clone().filter(|d| !d.is_empty());
        }
        txn.put_owned(kind::DOCUMENTATION_VERSION, api_id, version, doc.to_value())?;
        Ok(doc)
    })?;
    Ok(Reply::Json(doc.to_value()))
}

/// The first stage (by creation) whose `documentationVersion` is this version.
fn used_by(txn: &mut dyn Txn, api_id: &str, version: &str) -> Result<Option<String>, ApiError> {
    Ok(txn
        .list_shared(kind::STAGE, api_id, 0, usize::MAX)?
        .iter()
        .find(|d| d.body.get("documentationVersion").and_then(Value::as_str) == Some(version))
        .map(|d| d.id.clone()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, version) = (call.label("restapi_id"), call.label("doc_version"));
    store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        load(txn, api_id, version)?;
        // Decision: AWS's behaviour is not recorded. A stage left naming a deleted version
        // would export documentation that no longer exists, so the delete is refused the way
        // DeleteRequestValidator refuses a validator still in use.
        if let Some(stage) = used_by(txn, api_id, version)? {
            return Err(ApiError::conflict(format!(
                "Cannot delete documentation version '{version}', is referenced in stage: {stage}"
            )));
        }
        txn.delete(kind::DOCUMENTATION_VERSION, api_id, version)?;
        txn.delete(kind::DOCUMENTATION_SNAPSHOT, api_id, version)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// The parts a version froze (GetExport reads a stage's documentation through this).
pub fn snapshot(
    txn: &mut dyn Txn,
    api_id: &str,
    version: &str,
) -> Result<DocumentationSnapshot, ApiError> {
    match txn.get_shared(kind::DOCUMENTATION_SNAPSHOT, api_id, version)? {
        Some(doc) => Ok(DocumentationSnapshot::from_value(&doc)?),
        None => Err(not_found()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Harness;

    #[test]
    fn a_version_keeps_the_parts_as_they_were() {
        let h = Harness::new();
        let api = h.call("POST", "/restapis", "", json!({"name": "a"}))["id"]
            .as_str()
            .unwrap()
            .to_string();
        let parts = format!("/restapis/{api}/documentation/parts");
        let p = h.call(
            "POST",
            &parts,
            "",
            json!({"location": {"type": "API"}, "properties": "{\"v\":1}"}),
        );
        let versions = format!("/restapis/{api}/documentation/versions");
        h.call("POST", &versions, "", json!({"documentationVersion": "v1"}));
        let id = p["id"].as_str().unwrap();
        h.call(
            "PATCH",
            &format!("{parts}/{id}"),
            "",
            json!({"patchOperations": [{"op": "replace", "path": "/properties", "value": "{\"v\":2}"}]}),
        );
        h.call(
            "POST",
            &parts,
            "",
            json!({"location": {"type": "RESOURCE"}, "properties": "{}"}),
        );
        h.call("POST", &versions, "", json!({"documentationVersion": "v2"}));
        let (v1, v2) = store::read(&*h.cx.store, &h.tenant, |txn| {
            Ok((snapshot(txn, &api, "v1")?, snapshot(txn, &api, "v2")?))
        })
        .unwrap();
        assert_eq!(v1.parts.len(), 1);
        assert_eq!(v1.parts[0].properties, "{\"v\":1}");
        assert_eq!(v2.parts.len(), 2);
        assert_eq!(v2.parts[0].properties, "{\"v\":2}");
        // Deleting the version deletes its snapshot.
        h.call("DELETE", &format!("{versions}/v1"), "", Value::Null);
        let gone = store::read(&*h.cx.store, &h.tenant, |txn| snapshot(txn, &api, "v1"));
        assert_eq!(
            gone.unwrap_err().message,
            "Invalid Documentation version specified"
        );
    }
}
