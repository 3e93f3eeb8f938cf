//! Methods and method responses of a resource.
//!
//! AWS embeds methods in their resource (`resourceMethods`), and Portico stores them the same
//! way: every handler here loads the resource document, edits the method in place and writes
//! the resource back in one transaction. Integrations (a method's `methodIntegration`) live in
//! `integrations.rs` and use the loaders below.
//!
//! Where an API or a resource is missing, AWS answers every method-level operation with
//! `Invalid Resource identifier specified` (even for an unknown API id), which [`load_resource`]
//! reproduces.

use portico_model::{Entity, IndexMap, Method, MethodResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::patch::{self, Apply, Op, PatchOp, Rule, ADD_REMOVE, ADD_REPLACE_REMOVE, REPLACE};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{params, resources, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "PutMethod" => put,
        "GetMethod" => get,
        "UpdateMethod" => update,
        "DeleteMethod" => delete,
        "PutMethodResponse" => put_response,
        "GetMethodResponse" => get_response,
        "UpdateMethodResponse" => update_response,
        "DeleteMethodResponse" => delete_response,
        _ => return None,
    })
}

/// The HTTP methods a resource can define, in the order AWS lists them in its error text.
pub const HTTP_METHODS: &[&str] = &[
    "GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY",
];

pub fn method_not_found() -> ApiError {
    ApiError::not_found("Invalid Method identifier specified")
}

pub fn response_not_found() -> ApiError {
    ApiError::not_found("Invalid Response status code specified")
}

/// The resource named by labels 0 (API) and 1 (resource), for a writer (see `Txn::lend`).
pub(crate) fn load_resource(
    txn: &mut dyn Txn,
    call: &Call,
) -> Result<Map<String, Value>, ApiError> {
    let (api_id, resource_id) = (call.label("restapi_id"), call.label("resource_id"));
    if !txn.exists(kind::REST_API, "", api_id)? {
        return Err(resources::not_found());
    }
    // Every caller writes the resource back or fails the transaction: lent, not copied.
    match txn.lend(kind::RESOURCE, api_id, resource_id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(resources::not_found()),
    }
}

/// Run `f` on the method named by labels 0-2 and save the resource (with whatever `f` changed)
/// when `f` succeeds; a failing `f` changes nothing.
pub(crate) fn with_method<R>(
    cx: &Ctx,
    call: &Call,
    f: impl FnOnce(&mut dyn Txn, &mut Map<String, Value>) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    store::write(&*cx.store, &call.tenant, |txn| {
        let mut resource = load_resource(txn, call)?;
        let method = resource
            .get_mut("resourceMethods")
            .and_then(Value::as_object_mut)
            .and_then(|m| m.get_mut(call.label("http_method")))
            .and_then(Value::as_object_mut)
            .ok_or_else(method_not_found)?;
        let out = f(txn, method)?;
        resources::save(txn, call.label("restapi_id"), resource)?;
        Ok(out)
    })
}

/// Look at the method named by labels 0-2 without copying its resource (the Get* operations).
pub(crate) fn read_method<R>(
    cx: &Ctx,
    call: &Call,
    f: impl FnOnce(&Map<String, Value>) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    store::read(&*cx.store, &call.tenant, |txn| {
        let (api_id, resource_id) = (call.label("restapi_id"), call.label("resource_id"));
        if !txn.exists(kind::REST_API, "", api_id)? {
            return Err(resources::not_found());
        }
        let resource = txn
            .get_shared(kind::RESOURCE, api_id, resource_id)?
            .filter(|r| r.is_object())
            .ok_or_else(resources::not_found)?;
        let method = resource
            .get("resourceMethods")
            .and_then(Value::as_object)
            .and_then(|m| m.get(call.label("http_method")))
            .and_then(Value::as_object)
            .ok_or_else(method_not_found)?;
        f(method)
    })
}

/// Does a document of `kind` with this id exist in the call's API?
pub(crate) fn exists(
    txn: &mut dyn Txn,
    call: &Call,
    kind: &str,
    id: &str,
) -> Result<bool, ApiError> {
    Ok(txn.exists(kind, call.label("restapi_id"), id)?)
}

const AUTHORIZATION_TYPES: &[&str] = &["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"];

fn needs_authorizer(auth_type: &str) -> bool {
    matches!(auth_type, "CUSTOM" | "COGNITO_USER_POOLS")
}

fn check_authorization_type(t: &str) -> Result<(), ApiError> {
    // AWS's model types authorizationType as a free string; an unknown value is rejected by
    // the service. Its exact text is not on record, so this follows the HttpMethod message.
    if AUTHORIZATION_TYPES.contains(&t) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid authorization type specified. Valid options are {}",
            AUTHORIZATION_TYPES.join(",")
        )))
    }
}

fn invalid_authorizer() -> ApiError {
    ApiError::bad_request(
        "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.",
    )
}

fn invalid_validator() -> ApiError {
    ApiError::bad_request("Invalid Request Validator identifier specified")
}

/// A model named in `requestModels`/`responseModels` must exist in the API (models are keyed
/// by name).
pub(crate) fn check_model(txn: &mut dyn Txn, call: &Call, name: &str) -> Result<(), ApiError> {
    if exists(txn, call, kind::MODEL, name)? {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid model identifier specified: {name}"
        )))
    }
}

/// A body member that is a map of `T` (strings: `requestModels`, `requestTemplates`, …;
/// booleans: `requestParameters` of a method, `responseParameters` of a method response).
fn typed_map<T: DeserializeOwned>(
    body: &Map<String, Value>,
    key: &str,
    what: &str,
) -> Result<Option<IndexMap<String, T>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => IndexMap::deserialize(v).map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid value for member '{key}': expected a map of {what}"
            ))
        }),
    }
}

/// A body member that is a map of strings (`requestModels`, `requestTemplates`, ...).
pub(crate) fn string_map(
    body: &Map<String, Value>,
    key: &str,
) -> Result<Option<IndexMap<String, String>>, ApiError> {
    if let Some(Value::Object(m)) = body.get(key) {
        for v in m.values() {
            check_string(v)?;
        }
    }
    typed_map(body, key, "strings")
}

/// AWS's deserializer (Coral) refuses a number or a boolean where a string is due, with its
/// Java class in the text.
pub(crate) fn check_string(v: &Value) -> Result<(), ApiError> {
    let class = match v {
        Value::Number(_) => "com.amazon.coral.value.json.numbers.TruncatingBigNumber",
        Value::Bool(_) => "java.lang.Boolean",
        _ => return Ok(()),
    };
    Err(ApiError::new(
        400,
        "SerializationException",
        format!("class {class} can not be converted to an String"),
    ))
}

/// A body member that is a map of booleans (`requestParameters` of a method,
/// `responseParameters` of a method response).
pub(crate) fn bool_map(
    body: &Map<String, Value>,
    key: &str,
) -> Result<Option<IndexMap<String, bool>>, ApiError> {
    typed_map(body, key, "booleans")
}

fn string_list(body: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => Vec::deserialize(v).map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "Invalid value for member '{key}': expected a list of strings"
            ))
        }),
    }
}

fn put(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let http = call.label("http_method").to_string();
    let body = call.json()?;
    // AWS upper-cases the type (`none` is stored as `NONE`).
    let auth_type = body.required_str("authorizationType")?.to_ascii_uppercase();
    let authorizer_id = body.str_of("authorizerId")?;
    let api_key_required = body.bool_of("apiKeyRequired")?.unwrap_or(false);
    let operation_name = body.str_of("operationName")?;
    let request_parameters = bool_map(&body, "requestParameters")?;
    let request_models = string_map(&body, "requestModels")?;
    let validator_id = body.str_of("requestValidatorId")?;
    let scopes = string_list(&body, "authorizationScopes")?;

    let method = store::write(&*cx.store, &call.tenant, |txn| {
        let mut resource = load_resource(txn, call)?;
        // AWS's order of checks: resource, verb, parameters, authorizer, validator, models.
        if !HTTP_METHODS.contains(&http.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Invalid HttpMethod specified. Valid options are {}",
                HTTP_METHODS.join(",")
            )));
        }
        check_authorization_type(&auth_type)?;
        if let Some(p) = &request_parameters {
            params::check_method_request_parameters(p.keys())?;
        }
        let authorizer_id = if needs_authorizer(&auth_type) {
            match &authorizer_id {
                Some(id) if exists(txn, call, kind::AUTHORIZER, id)? => Some(id.clone()),
                _ => return Err(invalid_authorizer()),
            }
        } else {
            // Decision: an authorizerId next to NONE/AWS_IAM is dropped, as AWS drops it on
            // UpdateMethod (it only means something for CUSTOM and COGNITO_USER_POOLS).
            None
        };
        if let Some(v) = validator_id.as_deref().filter(|v| !v.is_empty()) {
            if !exists(txn, call, kind::REQUEST_VALIDATOR, v)? {
                return Err(invalid_validator());
            }
        }
        if let Some(models) = &request_models {
            for name in models.values() {
                check_model(txn, call, name)?;
            }
        }
        let methods = resource
            .entry("resourceMethods")
            .or_insert_with(|| json!({}));
        if !methods.is_object() {
            *methods = json!({});
        }
        let methods = methods.as_object_mut().expect("made an object above");
        if methods.contains_key(&http) {
            return Err(ApiError::conflict(
                "Method already exists for this resource",
            ));
        }
        let m = Method {
            http_method: Some(http.clone()),
            authorization_type: Some(auth_type),
            authorizer_id,
            api_key_required,
            request_validator_id: validator_id.filter(|v| !v.is_empty()),
            operation_name,
            request_parameters,
            request_models,
            authorization_scopes: scopes.filter(|s| !s.is_empty()),
            ..Method::default()
        }
        .to_value();
        methods.insert(http.clone(), m.clone());
        resources::save(txn, call.label("restapi_id"), resource)?;
        Ok(m)
    })?;
    Ok(Reply::Json(method))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let m = read_method(cx, call, |m| Ok(m.clone()))?;
    Ok(Reply::Json(Value::Object(m)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    store::write(&*cx.store, &call.tenant, |txn| {
        let mut resource = load_resource(txn, call)?;
        let methods = resource
            .get_mut("resourceMethods")
            .and_then(Value::as_object_mut)
            .ok_or_else(method_not_found)?;
        // The integration and every response go with the method: they live inside it.
        methods
            .shift_remove(call.label("http_method"))
            .ok_or_else(method_not_found)?;
        if methods.is_empty() {
            resource.remove("resourceMethods");
        }
        resources::save(txn, call.label("restapi_id"), resource)
    })?;
    Ok(Reply::Empty)
}

// ---- UpdateMethod ----

/// `/authorizationType`: CUSTOM and COGNITO_USER_POOLS need an authorizer, checked once every
/// op has applied (an `/authorizerId` op may come after this one).
fn set_authorization_type(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?.to_ascii_uppercase();
    check_authorization_type(&v)?;
    doc.insert("authorizationType".into(), json!(v));
    Ok(())
}

/// `/apiKeyRequired` and `/requestParameters/*` values: AWS reads "true" as true and any other
/// string as false (it does not reject a non-boolean text).
fn lenient_bool(op: &PatchOp) -> bool {
    op.value.as_deref() == Some("true")
}

fn set_api_key_required(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    doc.insert("apiKeyRequired".into(), json!(lenient_bool(op)));
    Ok(())
}

/// Add/replace/remove one entry of a map of booleans (`requestParameters`,
/// `responseParameters`). The entry name is the last path segment; a replace of a missing
/// entry behaves like an add (AWS's JSON-Patch engine does the same).
pub(crate) fn patch_bool_entry(
    doc: &mut Map<String, Value>,
    key: &str,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    let name = caps.last().cloned().unwrap_or_default();
    let map = doc.entry(key).or_insert_with(|| json!({}));
    if !map.is_object() {
        *map = json!({});
    }
    let obj = map.as_object_mut().expect("made an object above");
    if op.op == Op::Remove {
        obj.shift_remove(&name);
    } else {
        obj.insert(name, json!(lenient_bool(op)));
    }
    if obj.is_empty() {
        doc.remove(key);
    }
    Ok(())
}

fn set_request_parameter(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    if op.op != Op::Remove {
        params::check_method_request_parameters(caps.iter())?;
    }
    patch_bool_entry(doc, "requestParameters", op, caps)
}

fn add_scope(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let scope = op.value()?.to_string();
    let list = doc
        .entry("authorizationScopes")
        .or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let arr = list.as_array_mut().expect("made an array above");
    let present = arr.iter().any(|v| v.as_str() == Some(scope.as_str()));
    match op.op {
        Op::Remove => arr.retain(|v| v.as_str() != Some(scope.as_str())),
        _ if !present => arr.push(json!(scope)),
        _ => {}
    }
    if arr.is_empty() {
        doc.remove("authorizationScopes");
    }
    Ok(())
}

/// `/requestValidatorId`: an empty value removes the validator.
fn set_validator(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    match op.value.as_deref() {
        Some(v) if !v.is_empty() => {
            doc.insert("requestValidatorId".into(), json!(v));
        }
        _ => {
            doc.remove("requestValidatorId");
        }
    }
    Ok(())
}

const METHOD_RULES: &[Rule] = &[
    Rule {
        path: "/authorizationType",
        ops: REPLACE,
        apply: Apply::Custom(set_authorization_type),
    },
    Rule {
        path: "/authorizerId",
        ops: REPLACE,
        apply: Apply::OptStr("authorizerId"),
    },
    Rule {
        path: "/apiKeyRequired",
        ops: REPLACE,
        apply: Apply::Custom(set_api_key_required),
    },
    Rule {
        path: "/operationName",
        ops: REPLACE,
        apply: Apply::OptStr("operationName"),
    },
    Rule {
        path: "/requestValidatorId",
        ops: REPLACE,
        apply: Apply::Custom(set_validator),
    },
    Rule {
        path: "/requestParameters/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(set_request_parameter),
    },
    Rule {
        path: "/requestModels/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::MapEntry("requestModels"),
    },
    Rule {
        path: "/authorizationScopes",
        ops: ADD_REMOVE,
        apply: Apply::Custom(add_scope),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let ops = patch::parse_call(call)?;
    let m = with_method(cx, call, |txn, method| {
        // AWS looks the method up before it judges the patch.
        params::check_ops(&ops, METHOD_RULES)?;
        let mut next = method.clone();
        patch::apply(&mut next, &ops, METHOD_RULES)?;
        let auth_type = next
            .get("authorizationType")
            .and_then(Value::as_str)
            .unwrap_or("NONE")
            .to_string();
        if needs_authorizer(&auth_type) {
            let id = next.get("authorizerId").and_then(Value::as_str);
            match id {
                Some(id) if exists(txn, call, kind::AUTHORIZER, id)? => {}
                _ => return Err(invalid_authorizer()),
            }
        } else {
            // An authorizer only means something for CUSTOM/COGNITO: AWS ignores an
            // /authorizerId op on other methods. Decision: a type change away from them
            // forgets the authorizer too (scopes are kept: they are plain data).
            next.remove("authorizerId");
        }
        if let Some(v) = next.get("requestValidatorId").and_then(Value::as_str) {
            if method.get("requestValidatorId").and_then(Value::as_str) != Some(v)
                && !exists(txn, call, kind::REQUEST_VALIDATOR, v)?
            {
                return Err(invalid_validator());
            }
        }
        if let Some(Value::Object(models)) = next.get("requestModels") {
            for name in models.values().filter_map(Value::as_str) {
                check_model(txn, call, name)?;
            }
        }
        *method = next;
        Ok(method.clone())
    })?;
    Ok(Reply::Json(Value::Object(m)))
}

// ---- Method responses ----

/// A status code as AWS accepts it for method and integration responses.
pub(crate) fn check_status_code(code: &str) -> Result<(), ApiError> {
    match status_code_invalid(code) {
        None => Ok(()),
        Some(m) => Err(ApiError::validation(format!(
            "1 validation error detected: {m}"
        ))),
    }
}

/// The model's pattern for a response's `statusCode` label, `[1-5]\d\d`, checked before
/// anything else (AWS's ValidationException text when it fails).
pub(crate) fn status_code_invalid(code: &str) -> Option<String> {
    let b = code.as_bytes();
    if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit) {
        None
    } else {
        Some(format!(
            "Value '{code}' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"
        ))
    }
}

fn responses_mut(method: &mut Map<String, Value>) -> &mut Map<String, Value> {
    let r = method.entry("methodResponses").or_insert_with(|| json!({}));
    if !r.is_object() {
        *r = json!({});
    }
    r.as_object_mut().expect("made an object above")
}

fn put_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let code = call.label("status_code").to_string();
    let body = call.json()?;
    check_status_code(&code)?;
    let parameters = bool_map(&body, "responseParameters")?;
    let models = string_map(&body, "responseModels")?;
    let r = with_method(cx, call, |txn, method| {
        if let Some(p) = &parameters {
            params::check_method_response_parameters(p.keys())?;
        }
        if let Some(m) = &models {
            for name in m.values() {
                check_model(txn, call, name)?;
            }
        }
        let r = MethodResponse {
            status_code: code.clone(),
            response_parameters: parameters,
            response_models: models,
        }
        .to_value();
        let responses = responses_mut(method);
        if responses.contains_key(&code) {
            // AWS refuses a second PUT of a status code (the CLI shows this text).
            return Err(ApiError::conflict(
                "Response already exists for this resource",
            ));
        }
        responses.insert(code.clone(), r.clone());
        Ok(r)
    })?;
    Ok(Reply::Json(r))
}

fn response_of<'a>(
    method: &'a mut Map<String, Value>,
    code: &str,
) -> Result<&'a mut Map<String, Value>, ApiError> {
    method
        .get_mut("methodResponses")
        .and_then(Value::as_object_mut)
        .and_then(|r| r.get_mut(code))
        .and_then(Value::as_object_mut)
        .ok_or_else(response_not_found)
}

fn get_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    check_status_code(call.label("status_code"))?;
    let r = read_method(cx, call, |method| {
        method
            .get("methodResponses")
            .and_then(Value::as_object)
            .and_then(|r| r.get(call.label("status_code")))
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(response_not_found)
    })?;
    Ok(Reply::Json(Value::Object(r)))
}

fn delete_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    check_status_code(call.label("status_code"))?;
    with_method(cx, call, |_, method| {
        let responses = method
            .get_mut("methodResponses")
            .and_then(Value::as_object_mut)
            .ok_or_else(response_not_found)?;
        responses
            .shift_remove(call.label("status_code"))
            .ok_or_else(response_not_found)?;
        if responses.is_empty() {
            method.remove("methodResponses");
        }
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Does the method response's `key` map have the entry the path names?
fn has_entry(doc: &Map<String, Value>, key: &str, caps: &[String]) -> bool {
    let name = caps.last().map(String::as_str).unwrap_or("");
    doc.get(key)
        .and_then(Value::as_object)
        .is_some_and(|m| m.contains_key(name))
}

fn set_response_parameter(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    // `replace` and `remove` need the parameter to be there (AWS: 404, whatever its name).
    if op.op != Op::Add && !has_entry(doc, "responseParameters", caps) {
        return Err(ApiError::not_found("Invalid parameter name specified"));
    }
    if op.op != Op::Remove {
        params::check_method_response_parameters(caps.iter())?;
    }
    patch_bool_entry(doc, "responseParameters", op, caps)
}

fn set_response_model(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    if op.op != Op::Add && !has_entry(doc, "responseModels", caps) {
        return Err(ApiError::not_found("Content-Type specified was not found"));
    }
    let name = caps.last().cloned().unwrap_or_default();
    let map = doc.entry("responseModels").or_insert_with(|| json!({}));
    if !map.is_object() {
        *map = json!({});
    }
    let obj = map.as_object_mut().expect("made an object above");
    if op.op == Op::Remove {
        obj.shift_remove(&name);
    } else {
        obj.insert(name, json!(op.value()?));
    }
    if obj.is_empty() {
        doc.remove("responseModels");
    }
    Ok(())
}

const METHOD_RESPONSE_RULES: &[Rule] = &[
    Rule {
        path: "/responseParameters/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(set_response_parameter),
    },
    Rule {
        path: "/responseModels/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(set_response_model),
    },
];

fn update_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let invalid = status_code_invalid(call.label("status_code"));
    let ops = patch::parse_call_with(call, invalid.into_iter().collect())?;
    let r = with_method(cx, call, |txn, method| {
        let response = response_of(method, call.label("status_code"))?;
        params::check_ops(&ops, METHOD_RESPONSE_RULES)?;
        let mut next = response.clone();
        patch::apply(&mut next, &ops, METHOD_RESPONSE_RULES)?;
        if let Some(Value::Object(models)) = next.get("responseModels") {
            for name in models.values().filter_map(Value::as_str) {
                check_model(txn, call, name)?;
            }
        }
        *response = next;
        Ok(response.clone())
    })?;
    Ok(Reply::Json(Value::Object(r)))
}
