//! Resources: the path tree of a REST API. Each resource document also carries its methods
//! (`resourceMethods`, AWS's own embedding), which the method handlers edit in place.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::patch::{self, Apply, Rule, REPLACE};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{paging, restapis, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateResource" => create,
        "GetResource" => get,
        "GetResources" => list,
        "UpdateResource" => update,
        "DeleteResource" => delete,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Resource identifier specified")
}

/// Load a resource of an API (the API must exist: its not-found error wins).
pub fn require(
    txn: &mut dyn Txn,
    call: &Call,
    api_id: &str,
    resource_id: &str,
) -> Result<Map<String, Value>, ApiError> {
    restapis::require(txn, &call.tenant, api_id)?;
    match txn.get(kind::RESOURCE, api_id, resource_id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

pub fn save(txn: &mut dyn Txn, api_id: &str, resource: Map<String, Value>) -> Result<(), ApiError> {
    let id = resource
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok(txn.put_owned(kind::RESOURCE, api_id, &id, Value::Object(resource))?)
}

/// Every resource of an API, in creation order.
pub fn all(txn: &mut dyn Txn, api_id: &str) -> Result<Vec<Map<String, Value>>, ApiError> {
    Ok(txn
        .list(kind::RESOURCE, api_id, 0, usize::MAX)?
        .into_iter()
        .filter_map(|d| match d.body {
            Value::Object(m) => Some(m),
            _ => None,
        })
        .collect())
}

/// Every resource of an API, in creation order, shared with the store (for looking only).
pub fn all_shared(txn: &mut dyn Txn, api_id: &str) -> Result<Vec<Arc<Value>>, ApiError> {
    Ok(txn
        .list_shared(kind::RESOURCE, api_id, 0, usize::MAX)?
        .into_iter()
        .map(|d| d.body)
        .collect())
}

/// The first method of the API (in resource creation order) for which `uses` holds, as
/// `(resource path, HTTP verb)`: the "is referenced in method" check of delete operations.
pub fn first_method_where(
    txn: &mut dyn Txn,
    api_id: &str,
    mut uses: impl FnMut(&Map<String, Value>) -> bool,
) -> Result<Option<(String, String)>, ApiError> {
    for r in all_shared(txn, api_id)? {
        let Some(Value::Object(methods)) = r.get("resourceMethods") else {
            continue;
        };
        for (verb, method) in methods {
            if method.as_object().is_some_and(&mut uses) {
                let path = r.get("path").and_then(Value::as_str).unwrap_or("");
                return Ok(Some((path.to_string(), verb.clone())));
            }
        }
    }
    Ok(None)
}

fn valid_path_part(part: &str) -> bool {
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b':'))
    };
    if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        let name = inner.strip_suffix('+').unwrap_or(inner);
        return plain(name);
    }
    plain(part)
}

fn is_variable(part: &str) -> bool {
    part.starts_with('{')
}

fn is_greedy(part: &str) -> bool {
    part.starts_with('{') && part.ends_with("+}")
}

fn str_of<'a>(m: &'a Map<String, Value>, key: &str) -> &'a str {
    m.get(key).and_then(Value::as_str).unwrap_or("")
}

fn child_path(parent_path: &str, part: &str) -> String {
    if parent_path == "/" {
        format!("/{part}")
    } else {
        format!("{parent_path}/{part}")
    }
}

/// AWS's rules for a new (or renamed, or moved) `part` under `parent`, given its siblings.
fn check_placement(
    parent: &Map<String, Value>,
    part: &str,
    siblings: &[&Map<String, Value>],
) -> Result<(), ApiError> {
    if !valid_path_part(part) {
        return Err(ApiError::bad_request(
            "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace.",
        ));
    }
    let parent_part = str_of(parent, "pathPart");
    if is_greedy(parent_part) {
        return Err(ApiError::bad_request(format!(
            "Cannot create a child of a resource with a greedy path variable: {parent_part}"
        )));
    }
    for s in siblings {
        let other = str_of(s, "pathPart");
        if other == part {
            return Err(ApiError::conflict(format!(
                "Another resource with the same parent already has this name: {part}"
            )));
        }
        if is_variable(other) && is_variable(part) {
            return Err(ApiError::bad_request(format!(
                "A sibling ({other}) of this resource already has a variable path part -- only one is allowed"
            )));
        }
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, parent_id) = (call.label("restapi_id"), call.label("parent_id"));
    let body = call.json()?;
    let part = body.required_str("pathPart")?;
    let created = store::write(&*cx.store, &call.tenant, |txn| {
        let parent = require(txn, call, api_id, parent_id)?;
        let everything = all_shared(txn, api_id)?;
        let siblings: Vec<&Map<String, Value>> = everything
            .iter()
            .filter_map(|r| r.as_object())
            .filter(|r| str_of(r, "parentId") == parent_id)
            .collect();
        check_placement(&parent, &part, &siblings)?;
        let id = new_id(6);
        let mut r = Map::new();
        r.insert("id".into(), json!(id));
        r.insert("parentId".into(), json!(parent_id));
        r.insert("pathPart".into(), json!(part));
        r.insert(
            "path".into(),
            json!(child_path(str_of(&parent, "path"), &part)),
        );
        let r = Value::Object(r);
        txn.put(kind::RESOURCE, api_id, &id, &r)?;
        Ok(r)
    })?;
    Ok(Reply::Json(created))
}

/// The resource as AWS shows it: with `embed=methods` each method in full, otherwise only the
/// method names with empty bodies.
fn view(resource: &Value, embed_methods: bool) -> Value {
    let (Some(r), false) = (resource.as_object(), embed_methods) else {
        return resource.clone();
    };
    // Built member by member: copying the methods only to blank them costs more than the rest.
    let mut out = Map::with_capacity(r.len());
    for (k, v) in r {
        let v = match v {
            Value::Object(methods) if k == "resourceMethods" => {
                Value::Object(methods.keys().map(|m| (m.clone(), json!({}))).collect())
            }
            _ => v.clone(),
        };
        out.insert(k.clone(), v);
    }
    Value::Object(out)
}

/// A page of resources with their methods, written straight from the stored documents.
#[derive(serde::Serialize)]
struct EmbeddedPage<'a> {
    item: Vec<&'a Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<String>,
}

fn embeds_methods(call: &Call) -> bool {
    call.query_all("embed")
        .iter()
        .any(|e| e.split(',').any(|x| x.trim() == "methods"))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("resource_id"));
    let r = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        txn.get_shared(kind::RESOURCE, api_id, id)?
            .filter(|r| r.is_object())
            .ok_or_else(not_found)
    })?;
    Ok(Reply::Json(view(&r, embeds_methods(call))))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    if embeds_methods(call) {
        // The page is the stored documents as they are: serialize them without a copy.
        let (items, position) = store::read(&*cx.store, &call.tenant, |txn| {
            restapis::require(txn, &call.tenant, api_id)?;
            paging::select(txn, call, kind::RESOURCE, api_id, |d| Some(d.body.clone()))
        })?;
        let page = EmbeddedPage {
            item: items.iter().map(|v| &**v).collect(),
            position,
        };
        let body = serde_json::to_vec(&page)
            .map_err(|e| ApiError::internal(format!("cannot encode page: {e}")))?;
        return Ok(Reply::Raw {
            content_type: "application/json".into(),
            content_disposition: None,
            body: body.into(),
        });
    }
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        paging::page(txn, call, kind::RESOURCE, api_id, |d| {
            Some(view(&d.body, false))
        })
    })?;
    Ok(Reply::Json(page))
}

// In AWS's order: "Must be one of: [/parentId, /pathPart]".
const RULES: &[Rule] = &[
    Rule {
        path: "/parentId",
        ops: REPLACE,
        apply: Apply::Str("parentId"),
    },
    Rule {
        path: "/pathPart",
        ops: REPLACE,
        apply: Apply::Str("pathPart"),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("resource_id"));
    let ops = patch::parse_call(call)?;
    let updated = store::write(&*cx.store, &call.tenant, |txn| {
        let mut r = require(txn, call, api_id, id)?;
        let is_root = !r.contains_key("parentId");
        patch::apply(&mut r, &ops, RULES)?;
        if is_root {
            // AWS names the member the first op would change.
            let member = ops.first().map_or("pathPart", |op| &op.path[1..]);
            return Err(ApiError::bad_request(format!(
                "Root resource cannot update its {member}."
            )));
        }
        let everything = all(txn, api_id)?;
        let by_id: HashMap<&str, &Map<String, Value>> =
            everything.iter().map(|m| (str_of(m, "id"), m)).collect();
        let parent_id = str_of(&r, "parentId").to_string();
        let parent = by_id.get(parent_id.as_str()).ok_or_else(not_found)?;
        // Moving a resource under its own subtree would cut it off from the root.
        let mut cursor = Some(parent_id.as_str());
        while let Some(c) = cursor {
            if c == id {
                return Err(ApiError::bad_request("Resources cannot be cyclical."));
            }
            cursor = by_id
                .get(c)
                .and_then(|m| m.get("parentId"))
                .and_then(Value::as_str);
        }
        let siblings: Vec<&Map<String, Value>> = everything
            .iter()
            .filter(|s| str_of(s, "parentId") == parent_id && str_of(s, "id") != id)
            .collect();
        let part = str_of(&r, "pathPart").to_string();
        check_placement(parent, &part, &siblings)?;
        let new_path = child_path(str_of(parent, "path"), &part);
        let old_path = str_of(&r, "path").to_string();
        r.insert("path".into(), json!(new_path));
        // Descendants keep their place in the tree; only their path text changes.
        for d in &everything {
            let p = str_of(d, "path");
            if let Some(rest) = p
                .strip_prefix(&old_path)
                .filter(|rest| rest.starts_with('/'))
            {
                let mut d = d.clone();
                d.insert("path".into(), json!(format!("{new_path}{rest}")));
                save(txn, api_id, d)?;
            }
        }
        let reply = view(&Value::Object(r.clone()), false);
        save(txn, api_id, r)?;
        Ok(reply)
    })?;
    Ok(Reply::Json(updated))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, id) = (call.label("restapi_id"), call.label("resource_id"));
    store::write(&*cx.store, &call.tenant, |txn| {
        let r = require(txn, call, api_id, id)?;
        if !r.contains_key("parentId") {
            return Err(ApiError::bad_request(
                "Cannot delete the root resource of an API",
            ));
        }
        let everything = all_shared(txn, api_id)?;
        let mut doomed: HashSet<String> = HashSet::from([id.to_string()]);
        // Creation order puts parents before children, but re-parenting can break that: iterate
        // to a fixed point.
        loop {
            let before = doomed.len();
            for m in everything.iter().filter_map(|m| m.as_object()) {
                if doomed.contains(str_of(m, "parentId")) {
                    doomed.insert(str_of(m, "id").to_string());
                }
            }
            if doomed.len() == before {
                break;
            }
        }
        for d in doomed {
            txn.delete(kind::RESOURCE, api_id, &d)?;
        }
        Ok(())
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts_follow_aws_rules() {
        for ok in ["users", "v1.0", "a_b-c", "{id}", "{proxy+}", "x:y"] {
            assert!(valid_path_part(ok), "{ok}");
        }
        for bad in ["", "a/b", "{}", "{a", "a}", "{a+b}", "sp ace", "{+}"] {
            assert!(!valid_path_part(bad), "{bad}");
        }
    }
}
