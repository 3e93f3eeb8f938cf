//! REST APIs: create (with AWS's defaults and the root resource), get, list, update, delete.

use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::patch::{self, Apply, Rule, ADD_REMOVE, REPLACE};
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

fn endpoint_configuration(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let given = body.get("endpointConfiguration").and_then(Value::as_object);
    let types = match given.and_then(|e| e.get("types")) {
        Some(Value::Array(t)) if !t.is_empty() => t.clone(),
        _ => vec![json!("EDGE")],
    };
    for t in &types {
        let s = t.as_str().unwrap_or("");
        if !ENDPOINT_TYPES.contains(&s) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '[{s}]' at 'createRestApiInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
            )));
        }
    }
    if types.len() > 1 {
        return Err(ApiError::bad_request(
            "Cannot create an api with multiple Endpoint Types.",
        ));
    }
    let ip = given
        .and_then(|e| e.get("ipAddressType"))
        .and_then(Value::as_str)
        .unwrap_or("ipv4");
    if !matches!(ip, "ipv4" | "dualstack") {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{ip}' at 'createRestApiInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
        )));
    }
    let mut out = json!({ "types": types, "ipAddressType": ip });
    if let Some(v) = given.and_then(|e| e.get("vpcEndpointIds")) {
        out["vpcEndpointIds"] = v.clone();
    }
    Ok(out)
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
    api.insert(
        "endpointConfiguration".into(),
        endpoint_configuration(&body)?,
    );
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
    let api = store::read(&*cx.store, &call.tenant, |txn| load(txn, &call.tenant, id))?;
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
fn set_endpoint_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
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
    if caps.first().map(String::as_str) != Some(current.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid patch path '/endpointConfiguration/types/{}': the API's endpoint type is {current}",
            caps.first().map(String::as_str).unwrap_or("")
        )));
    }
    ec["types"] = json!([new]);
    Ok(())
}

fn set_ip_address_type(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?;
    if !matches!(v, "ipv4" | "dualstack") {
        return Err(ApiError::bad_request(format!(
            "Invalid ipAddressType {v}; valid options are ipv4,dualstack"
        )));
    }
    let ec = doc
        .entry("endpointConfiguration")
        .or_insert_with(|| json!({ "types": ["EDGE"] }));
    ec["ipAddressType"] = json!(v);
    Ok(())
}

fn set_min_compression(
    doc: &mut Map<String, Value>,
    op: &patch::PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    match op.value.as_deref() {
        None | Some("") => {
            doc.remove("minimumCompressionSize");
        }
        Some(_) => {
            let n = op.i64_value()?;
            if !(0..=10_485_760).contains(&n) {
                return Err(ApiError::bad_request(
                    "Invalid minimum compression size, must be between 0 and 10485760",
                ));
            }
            doc.insert("minimumCompressionSize".into(), json!(n));
        }
    }
    Ok(())
}

const RULES: &[Rule] = &[
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/description",
        ops: REPLACE,
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
        ops: ADD_REMOVE,
        apply: Apply::ListItem("binaryMediaTypes"),
    },
    Rule {
        path: "/minimumCompressionSize",
        ops: REPLACE,
        apply: Apply::Custom(set_min_compression),
    },
    Rule {
        path: "/disableExecuteApiEndpoint",
        ops: REPLACE,
        apply: Apply::Bool("disableExecuteApiEndpoint"),
    },
    Rule {
        path: "/endpointConfiguration/types/*",
        ops: REPLACE,
        apply: Apply::Custom(set_endpoint_type),
    },
    Rule {
        path: "/endpointConfiguration/ipAddressType",
        ops: REPLACE,
        apply: Apply::Custom(set_ip_address_type),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("restapi_id");
    let ops = patch::parse(&call.json()?)?;
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
        let api = Value::Object(api);
        txn.put(kind::REST_API, "", id, &api)?;
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
