//! REST APIs: create (with AWS's defaults and the root resource), get, list, update, delete.

use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::patch::{self, Apply, Rule, ADD_REPLACE_REMOVE, ANY, REPLACE, REPLACE_REMOVE};
use crate::store::{self, kind, Tenant, Txn};
use crate::Ctx;
use crate::{paging, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateRestApi" => create,
        "GetRestApi" => get,
        "GetRestApis" => list,
        "UpdateRestApi" => update,
        "DeleteRestApi" => delete,
        _ => return None,
    })
}

/// One page of an API's `kind` documents, as stored (GetModels, GetAuthorizers, GetDeployments,
/// GetRequestValidators): the API must exist, then plain paging.
pub fn page_of(cx: &Ctx, call: &Call, kind: &str) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, &call.tenant, api_id)?;
        paging::page(txn, call, kind, api_id, |d| Some(Value::clone(&d.body)))
    })?;
    Ok(Reply::Json(page))
}

pub fn not_found(tenant: &Tenant, id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid API identifier specified {}:{}",
        tenant.account(),
        id
    ))
}

/// Fail with AWS's not-found message unless the REST API exists. Every handler under
/// `/restapis/{id}` starts here (or with [`load`]).
pub fn require(txn: &mut dyn Txn, tenant: &Tenant, id: &str) -> Result<(), ApiError> {
    if txn.exists(kind::REST_API, "", id)? {
        Ok(())
    } else {
        Err(not_found(tenant, id))
    }
}

/// Load a REST API or fail with AWS's not-found message.
pub fn load(txn: &mut dyn Txn, tenant: &Tenant, id: &str) -> Result<Map<String, Value>, ApiError> {
    match txn.get(kind::REST_API, "", id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found(tenant, id)),
    }
}

const ENDPOINT_TYPES: &[&str] = &["EDGE", "REGIONAL", "PRIVATE"];

/// CreateRestApi's `endpointConfiguration`, with AWS's defaults: EDGE, and `ipv4` (PRIVATE
/// APIs: `dualstack`, the only type they take). `invalid` gathers the enum failures, which AWS
/// reports together before any other check.
fn endpoint_configuration(
    body: &Map<String, Value>,
    invalid: &mut Vec<String>,
) -> Result<Value, ApiError> {
    let given = body.get("endpointConfiguration").and_then(Value::as_object);
    let types = match given.and_then(|e| e.get("types")) {
        Some(Value::Array(t)) => t.clone(),
        _ => vec![json!("EDGE")],
    };
    for t in &types {
        let s = t.as_str().unwrap_or("");
        if !ENDPOINT_TYPES.contains(&s) {
            invalid.push(format!(
                "Value '[{s}]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
            ));
        }
    }
    let private = types.first().and_then(Value::as_str) == Some("PRIVATE");
    let ip = given
        .and_then(|e| e.get("ipAddressType"))
        .and_then(Value::as_str)
        .unwrap_or(if private { "dualstack" } else { "ipv4" });
    if !matches!(ip, "ipv4" | "dualstack") {
        invalid.push(format!(
            "Value '{ip}' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
        ));
    }
    let mut out = json!({ "types": types, "ipAddressType": ip });
    if let Some(v) = given.and_then(|e| e.get("vpcEndpointIds")) {
        out["vpcEndpointIds"] = v.clone();
    }
    Ok(out)
}

/// The checks AWS makes of an endpoint configuration once every member is well-formed.
fn check_endpoint_configuration(ec: &Value) -> Result<(), ApiError> {
    let types = ec["types"].as_array().map_or(0, Vec::len);
    if types == 0 {
        return Err(ApiError::bad_request(
            "REGIONAL Configuration and EDGE Configuration cannot be both DISABLED.",
        ));
    }
    if types > 1 {
        return Err(ApiError::bad_request(
            "Cannot create an api with multiple Endpoint Types.",
        ));
    }
    if ec["types"][0] == "PRIVATE" && ec["ipAddressType"] != "dualstack" {
        return Err(private_needs_dualstack());
    }
    Ok(())
}

fn private_needs_dualstack() -> ApiError {
    ApiError::bad_request("Only dualstack ipAddressType is supported for Private APIs.")
}

/// AWS's ValidationException: every failed constraint, in one message.
fn validation_errors(invalid: &[String]) -> ApiError {
    let head = match invalid.len() {
        1 => "1 validation error detected".to_string(),
        n => format!("{n} validation errors detected"),
    };
    ApiError::new(
        400,
        "ValidationException",
        format!("{head}: {}", invalid.join("; ")),
    )
}

fn api_key_source(v: &str) -> Result<(), ApiError> {
    if matches!(v, "HEADER" | "AUTHORIZER") {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{v}' at 'apiKeySource' failed to satisfy constraint: Member must satisfy enum value set: [HEADER, AUTHORIZER]"
        )))
    }
}

/// Kinds copied by `cloneFrom`: the API's definition (its documentation parts included), not
/// its deployments, stages or documentation versions.
const CLONED_KINDS: &[&str] = &[
    kind::RESOURCE,
    kind::MODEL,
    kind::REQUEST_VALIDATOR,
    kind::AUTHORIZER,
    kind::GATEWAY_RESPONSE,
    kind::DOCUMENTATION_PART,
];

/// The two models every new REST API starts with, as in AWS.
fn default_models() -> [(&'static str, Value); 2] {
    [
        (
            "Empty",
            json!({
                "name": "Empty",
                "description": "This is a default empty schema model",
                "schema": "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}",
                "contentType": "application/json"
            }),
        ),
        (
            "Error",
            json!({
                "name": "Error",
                "description": "This is a default error schema model",
                "schema": "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}",
                "contentType": "application/json"
            }),
        ),
    ]
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name = body.required_str("name")?;
    let mut invalid = Vec::new();
    let endpoint = endpoint_configuration(&body, &mut invalid)?;
    if !invalid.is_empty() {
        return Err(validation_errors(&invalid));
    }
    if body.str_of("description")?.as_deref() == Some("") {
        return Err(ApiError::bad_request(
            "Description cannot be an empty string",
        ));
    }
    check_endpoint_configuration(&endpoint)?;
    let id = new_id(10);
    let root_id = new_id(10);
    let mut api = Map::new();
    api.insert("id".into(), json!(id));
    api.insert("name".into(), json!(name));
    for key in ["description", "version", "policy"] {
        if let Some(v) = body.str_of(key)? {
            api.insert(key.into(), json!(v));
        }
    }
    api.insert("createdDate".into(), json!(now_epoch()));
    if let Some(Value::Array(types)) = body.get("binaryMediaTypes") {
        if !types.is_empty() {
            api.insert("binaryMediaTypes".into(), json!(types));
        }
    }
    if let Some(n) = body.i64_of("minimumCompressionSize")? {
        if !(0..=10_485_760).contains(&n) {
            return Err(ApiError::bad_request(
                "Invalid minimum compression size, must be between 0 and 10485760",
            ));
        }
        api.insert("minimumCompressionSize".into(), json!(n));
    }
    let source = body
        .str_of("apiKeySource")?
        .unwrap_or_else(|| "HEADER".into());
    api_key_source(&source)?;
    api.insert("apiKeySource".into(), json!(source));
    api.insert("endpointConfiguration".into(), endpoint);
    for key in ["securityPolicy", "endpointAccessMode"] {
        if let Some(v) = body.str_of(key)? {
            api.insert(key.into(), json!(v));
        }
    }
    if let Some(Value::Object(tags)) = body.get("tags") {
        if !tags.is_empty() {
            api.insert("tags".into(), Value::Object(tags.clone()));
        }
    }
    api.insert(
        "disableExecuteApiEndpoint".into(),
        json!(body.bool_of("disableExecuteApiEndpoint")?.unwrap_or(false)),
    );
    api.insert("rootResourceId".into(), json!(root_id));
    let clone_from = body.str_of("cloneFrom")?;

    let api = Value::Object(api);
    store::write(&*cx.store, &call.tenant, |txn| {
        if let Some(source) = &clone_from {
            let src = load(txn, &call.tenant, source)?;
            let src_root = src
                .get("rootResourceId")
                .and_then(Value::as_str)
                .unwrap_or("");
            let mut api = api.clone();
            api["rootResourceId"] = json!(src_root);
            for k in ["binaryMediaTypes", "minimumCompressionSize", "policy"] {
                if api.get(k).is_none() {
                    if let Some(v) = src.get(k) {
                        api[k] = v.clone();
                    }
                }
            }
            for k in CLONED_KINDS {
                for doc in txn.list(k, source, 0, usize::MAX)? {
                    txn.put(k, &id, &doc.id, &doc.body)?;
                }
            }
            txn.put(kind::REST_API, "", &id, &api)?;
            return Ok(Reply::Json(api));
        }
        txn.put(
            kind::RESOURCE,
            &id,
            &root_id,
            &json!({ "id": root_id, "path": "/" }),
        )?;
        for (name, model) in default_models() {
            let mut model = model;
            model["id"] = json!(new_id(6));
            txn.put(kind::MODEL, &id, name, &model)?;
        }
        txn.put(kind::REST_API, "", &id, &api)?;
        Ok(Reply::Json(api.clone()))
    })
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("restapi_id");
    let mut api = store::read(&*cx.store, &call.tenant, |txn| load(txn, &call.tenant, id))?;
    // GetRestApi answers `tags: {}` for an API without tags (AWS's recording in LocalStack's
    // test_put_rest_api_mode_binary_media_types); GetRestApis does not.
    api.entry("tags").or_insert_with(|| json!({}));
    Ok(Reply::Json(Value::Object(api)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        paging::page(txn, call, kind::REST_API, "", |d| {
            Some(Value::clone(&d.body))
        })
    })?;
    Ok(Reply::Json(page))
}

fn set_api_key_source(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?;
    api_key_source(v)?;
    doc.insert("apiKeySource".into(), json!(v));
    Ok(())
}

/// `/endpointConfiguration/types/EDGE` replaced by `REGIONAL` switches the endpoint type.
/// `/endpointConfiguration/types/{0 | current type}`: `replace` only, any endpoint type; a
/// PRIVATE API becomes dualstack, the only address type it takes.
fn set_endpoint_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    if op.op != patch::Op::Replace {
        return Err(ApiError::bad_request(
            "Invalid patch operation specified. Must be 'add'|'remove'|'replace'",
        ));
    }
    let new = op.value()?;
    if !ENDPOINT_TYPES.contains(&new) {
        return Err(ApiError::bad_request(
            "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE",
        ));
    }
    let ec = doc
        .entry("endpointConfiguration")
        .or_insert_with(|| json!({ "types": ["EDGE"], "ipAddressType": "ipv4" }));
    let current = ec["types"][0].as_str().unwrap_or("EDGE").to_string();
    let index = caps.first().map(String::as_str).unwrap_or("");
    if index != "0" && index != current {
        return Err(ApiError::bad_request(format!(
            "Invalid patch path /endpointConfiguration/types/{index}"
        )));
    }
    ec["types"] = json!([new]);
    if new == "PRIVATE" {
        ec["ipAddressType"] = json!("dualstack");
    }
    Ok(())
}

fn set_ip_address_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    if op.op != patch::Op::Replace {
        return Err(replace_only());
    }
    let v = op.value()?;
    if !matches!(v, "ipv4" | "dualstack") {
        return Err(ApiError::bad_request(
            "ipAddressType must be either ipv4 or dualstack.",
        ));
    }
    let ec = doc
        .entry("endpointConfiguration")
        .or_insert_with(|| json!({ "types": ["EDGE"] }));
    if ec["types"][0] == "PRIVATE" && v != "dualstack" {
        return Err(private_needs_dualstack());
    }
    ec["ipAddressType"] = json!(v);
    Ok(())
}

fn replace_only() -> ApiError {
    ApiError::bad_request("Invalid patch operation specified. Must be one of: [replace]")
}

fn set_min_compression(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    if op.op != patch::Op::Replace {
        return Err(replace_only());
    }
    match op.value.as_deref() {
        None | Some("") => {
            doc.remove("minimumCompressionSize");
        }
        Some(v) => {
            let n = v
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=10_485_760).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "Invalid minimum compression size, must be between 0 and 10485760",
                    )
                })?;
            doc.insert("minimumCompressionSize".into(), json!(n));
        }
    }
    Ok(())
}

/// `/binaryMediaTypes/{type}`: `add` and `remove` the type the path names; `replace` removes
/// it and appends the value (AWS's order).
fn binary_media_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    let item = caps.first().cloned().unwrap_or_default();
    let mut list: Vec<Value> = doc
        .get("binaryMediaTypes")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let pos = list.iter().position(|v| v.as_str() == Some(item.as_str()));
    match op.op {
        patch::Op::Add => {
            if pos.is_none() {
                list.push(json!(item));
            }
        }
        patch::Op::Remove => {
            if let Some(i) = pos {
                list.remove(i);
            }
        }
        patch::Op::Replace => {
            let new = json!(op.value()?);
            if let Some(i) = pos {
                list.remove(i);
            }
            if !list.contains(&new) {
                list.push(new);
            }
        }
        _ => {
            return Err(ApiError::bad_request(format!(
                "Invalid patch path {}",
                op.path
            )))
        }
    }
    if list.is_empty() {
        doc.remove("binaryMediaTypes");
    } else {
        doc.insert("binaryMediaTypes".into(), Value::Array(list));
    }
    Ok(())
}

fn bare_binary_media_types(
    _: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    Err(ApiError::bad_request(format!(
        "Invalid patch path {}",
        op.path
    )))
}

const RULES: &[Rule] = &[
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/description",
        ops: REPLACE_REMOVE,
        apply: Apply::OptStr("description"),
    },
    Rule {
        path: "/version",
        ops: REPLACE,
        apply: Apply::OptStr("version"),
    },
    Rule {
        path: "/policy",
        ops: REPLACE,
        apply: Apply::OptStr("policy"),
    },
    Rule {
        path: "/apiKeySource",
        ops: REPLACE,
        apply: Apply::Custom(set_api_key_source),
    },
    Rule {
        path: "/binaryMediaTypes/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(binary_media_type),
    },
    Rule {
        path: "/binaryMediaTypes",
        ops: ANY,
        apply: Apply::Custom(bare_binary_media_types),
    },
    Rule {
        path: "/minimumCompressionSize",
        ops: ANY,
        apply: Apply::Custom(set_min_compression),
    },
    Rule {
        path: "/disableExecuteApiEndpoint",
        ops: REPLACE,
        apply: Apply::Bool("disableExecuteApiEndpoint"),
    },
    Rule {
        path: "/endpointConfiguration/types/*",
        ops: ANY,
        apply: Apply::Custom(set_endpoint_type),
    },
    Rule {
        path: "/endpointConfiguration/ipAddressType",
        ops: ANY,
        apply: Apply::Custom(set_ip_address_type),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("restapi_id");
    let ops = patch::parse_call(call)?;
    let api = store::write(&*cx.store, &call.tenant, |txn| {
        let mut api = load(txn, &call.tenant, id)?;
        patch::apply(&mut api, &ops, RULES)?;
        if api
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            return Err(ApiError::bad_request(
                "Invalid API name specified: name must not be empty",
            ));
        }
        let mut api = Value::Object(api);
        txn.put(kind::REST_API, "", id, &api)?;
        // UpdateRestApi always answers the tags, `{}` when there are none.
        if api.get("tags").is_none() {
            api["tags"] = json!({});
        }
        Ok(api)
    })?;
    Ok(Reply::Json(api))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("restapi_id");
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, &call.tenant, id)?;
        // AWS refuses while a custom domain maps the API (its text, quoted in glomex/gcdt
        // issue #373 and serverless issue #3638).
        let domains = crate::domains::base_path_mappings::domains_mapping(txn, id, None)?;
        if !domains.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Deleting RestApi {id} failed. Please remove all base path mappings related to the RestApi in your domains: {}",
                domains.join(", ")
            )));
        }
        txn.delete(kind::REST_API, "", id)?;
        Ok(txn.delete_scope(id)?)
    })?;
    Ok(Reply::Empty)
}
