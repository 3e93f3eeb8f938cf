//! Gateway responses: the error responses API Gateway itself produces (missing route, throttled,
//! unauthorized, ...), each with AWS's default status and `{"message": ...}` template, which an
//! API may customise per type.
//!
//! Only customised responses are stored (kind `gatewayresponse`, scope = API id, id = response
//! type, body = AWS's GatewayResponse JSON with `defaultResponse: false`). Everything else is
//! derived from [`defaults`], which the data plane also uses to answer its own errors.

#[cfg(test)]
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::models::patch_ops;
use crate::patch::Op;
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{paging, restapis, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetGatewayResponse" => get,
        "GetGatewayResponses" => list,
        "PutGatewayResponse" => put,
        "UpdateGatewayResponse" => update,
        "DeleteGatewayResponse" => delete,
        _ => return None,
    })
}

/// The body template of every default gateway response.
pub const MESSAGE_TEMPLATE: &str = "{\"message\":$context.error.messageString}";

pub use portico_model::gateway_responses::TYPES;

/// The order AWS prints the enum in its validation message (not alphabetical).
const ENUM_ORDER: &str = "REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN";

fn default_templates() -> Map<String, Value> {
    let mut t = Map::new();
    t.insert("application/json".into(), json!(MESSAGE_TEMPLATE));
    t
}

/// AWS's default table: response type → (status, response templates).
#[cfg(test)]
pub fn defaults() -> BTreeMap<&'static str, (Option<u16>, Map<String, Value>)> {
    TYPES
        .iter()
        .map(|(t, status)| (*t, (*status, default_templates())))
        .collect()
}

fn default_status(response_type: &str) -> Option<u16> {
    TYPES
        .iter()
        .find(|(t, _)| *t == response_type)
        .and_then(|(_, s)| *s)
}

fn is_type(response_type: &str) -> bool {
    TYPES.iter().any(|(t, _)| *t == response_type)
}

/// The AWS JSON of a response type nobody customised.
pub fn default_response(response_type: &str) -> Option<Value> {
    if !is_type(response_type) {
        return None;
    }
    let mut m = Map::new();
    m.insert("defaultResponse".into(), json!(true));
    m.insert("responseParameters".into(), json!({}));
    m.insert(
        "responseTemplates".into(),
        Value::Object(default_templates()),
    );
    m.insert("responseType".into(), json!(response_type));
    if let Some(s) = default_status(response_type) {
        m.insert("statusCode".into(), json!(s.to_string()));
    }
    Some(Value::Object(m))
}

/// The response in force for `response_type` given an API's customised responses: its own
/// customisation, else the customised DEFAULT_4XX/DEFAULT_5XX of its class (status, parameters
/// and templates inherited, still marked as a default), else AWS's default.
pub fn effective(customised: &[Value], response_type: &str) -> Option<Value> {
    let find = |t: &str| {
        customised
            .iter()
            .find(|c| c.get("responseType").and_then(Value::as_str) == Some(t))
    };
    if let Some(own) = find(response_type) {
        return Some(own.clone());
    }
    let mut out = default_response(response_type)?;
    // DEFAULT_4XX and DEFAULT_5XX have no status and inherit from nothing.
    let Some(status) = default_status(response_type) else {
        return Some(out);
    };
    let class = if status >= 500 {
        "DEFAULT_5XX"
    } else {
        "DEFAULT_4XX"
    };
    if let Some(parent) = find(class) {
        for key in ["responseParameters", "responseTemplates", "statusCode"] {
            if let Some(v) = parent.get(key) {
                out[key] = v.clone();
            }
        }
    }
    Some(out)
}

fn invalid_type(response_type: &str) -> ApiError {
    ApiError::new(
        400,
        "ValidationException",
        format!(
            "1 validation error detected: Value '{response_type}' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [{ENUM_ORDER}]"
        ),
    )
}

/// The API must exist (its error wins), then the type must be one of AWS's.
fn check(txn: &mut dyn Txn, call: &Call) -> Result<(), ApiError> {
    restapis::require(txn, &call.tenant, call.label("restapi_id"))?;
    if !is_type(call.label("response_type")) {
        return Err(invalid_type(call.label("response_type")));
    }
    Ok(())
}

/// All customised responses of an API.
pub fn customised(txn: &mut dyn Txn, api_id: &str) -> Result<Vec<Value>, ApiError> {
    Ok(txn
        .list(kind::GATEWAY_RESPONSE, api_id, 0, usize::MAX)?
        .into_iter()
        .map(|d| d.body)
        .collect())
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let out = store::read(&*cx.store, &call.tenant, |txn| {
        check(txn, call)?;
        let custom = customised(txn, call.label("restapi_id"))?;
        effective(&custom, call.label("response_type"))
            .ok_or_else(|| invalid_type(call.label("response_type")))
    })?;
    Ok(Reply::Json(out))
}

/// A page of the fixed list of types. The position is the last type handed out.
fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let limit = paging::limit(call)?;
    let start = match call.query("position").filter(|p| !p.is_empty()) {
        None => 0,
        Some(p) => {
            TYPES
                .iter()
                .position(|(t, _)| *t == p)
                .ok_or_else(|| ApiError::bad_request("Invalid position parameter"))?
                + 1
        }
    };
    let custom = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        customised(txn, api_id)
    })?;
    let page: Vec<&str> = TYPES
        .iter()
        .skip(start)
        .take(limit)
        .map(|(t, _)| *t)
        .collect();
    let items: Vec<Value> = page.iter().filter_map(|t| effective(&custom, t)).collect();
    let mut out = json!({ "item": items });
    if start + page.len() < TYPES.len() {
        if let Some(last) = page.last() {
            out["position"] = json!(last);
        }
    }
    Ok(Reply::Json(out))
}

/// Decision: AWS's StatusCode shape is `[1-5]\d\d`; a value outside it is refused here (AWS's
/// wording for this case is not recorded).
fn check_status(s: &str) -> Result<(), ApiError> {
    let b = s.as_bytes();
    if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid status code specified: {s}"
        )))
    }
}

fn mapping_error(what: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid mapping expression specified: Validation Result: warnings : [], errors : [{what}]"
    ))
}

/// Gateway responses can only set headers, from a static `'value'` or from request data.
/// Decision: the wording follows AWS's mapping-expression errors for method and integration
/// responses.
fn check_parameter(key: &str, value: &str) -> Result<(), ApiError> {
    let header = key.strip_prefix("gatewayresponse.header.").unwrap_or("");
    if header.is_empty() || !header.bytes().all(|b| b.is_ascii_graphic() && b != b':') {
        return Err(mapping_error(&format!(
            "Invalid mapping expression parameter specified: {key}"
        )));
    }
    let static_value = value.len() >= 2 && value.starts_with('\'') && value.ends_with('\'');
    let from_request = [
        "method.request.header.",
        "method.request.querystring.",
        "method.request.multivalueheader.",
        "method.request.multivaluequerystring.",
        "method.request.path.",
        "stageVariables.",
        "context.",
    ]
    .iter()
    .any(|p| value.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
    if static_value || from_request {
        Ok(())
    } else {
        Err(mapping_error(&format!(
            "Invalid mapping expression specified: {value}"
        )))
    }
}

fn string_map(body: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => Ok(m.clone()),
        Some(_) => Err(ApiError::bad_request(format!(
            "Invalid value for member '{key}': expected a map of strings"
        ))),
    }
}

fn put(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, response_type) = (call.label("restapi_id"), call.label("response_type"));
    let body = call.json()?;
    let status = match body.get("statusCode") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'statusCode': expected a string",
            ))
        }
    };
    let params = string_map(&body, "responseParameters")?;
    let templates = string_map(&body, "responseTemplates")?;
    let out = store::write(&*cx.store, &call.tenant, |txn| {
        check(txn, call)?;
        if let Some(s) = &status {
            check_status(s)?;
        }
        for (k, v) in &params {
            check_parameter(k, v.as_str().unwrap_or(""))?;
        }
        // Like AWS: what is not given keeps the type's default (status, JSON template).
        let mut m = Map::new();
        m.insert("defaultResponse".into(), json!(false));
        m.insert("responseParameters".into(), Value::Object(params));
        m.insert(
            "responseTemplates".into(),
            Value::Object(if templates.is_empty() {
                default_templates()
            } else {
                templates
            }),
        );
        m.insert("responseType".into(), json!(response_type));
        if let Some(s) = status.or_else(|| default_status(response_type).map(|s| s.to_string())) {
            m.insert("statusCode".into(), json!(s));
        }
        let m = Value::Object(m);
        txn.put(kind::GATEWAY_RESPONSE, api_id, response_type, &m)?;
        Ok(m)
    })?;
    Ok(Reply::Json(out))
}

fn invalid_path(path: &str) -> ApiError {
    ApiError::bad_request(format!("Invalid patch path {path}"))
}

/// Apply one op of UpdateGatewayResponse, with AWS's messages (recorded against AWS).
fn apply(doc: &mut Map<String, Value>, op: &crate::patch::PatchOp) -> Result<(), ApiError> {
    if op.path == "/statusCode" {
        if op.op != Op::Replace {
            return Err(invalid_path(&op.path));
        }
        let v = op.value.as_deref().unwrap_or("");
        check_status(v)?;
        doc.insert("statusCode".into(), json!(v));
        return Ok(());
    }
    let (member, key) = ["responseParameters", "responseTemplates"]
        .iter()
        .find_map(|m| {
            op.path
                .strip_prefix(&format!("/{m}/"))
                .filter(|k| !k.is_empty())
                .map(|k| (*m, crate::patch::unescape(k)))
        })
        .ok_or_else(|| invalid_path(&op.path))?;
    let map = doc
        .entry(member)
        .or_insert_with(|| Value::Object(Map::new()));
    if !map.is_object() {
        *map = Value::Object(Map::new());
    }
    let map = map.as_object_mut().expect("made an object above");
    match op.op {
        Op::Add | Op::Replace => {
            if op.op == Op::Replace && !map.contains_key(&key) {
                return Err(ApiError::not_found("Invalid parameter name specified"));
            }
            let value = op.value.as_deref().ok_or_else(|| {
                ApiError::bad_request(format!("Invalid null or empty value in {member}"))
            })?;
            if member == "responseParameters" {
                check_parameter(&key, value)?;
            }
            map.insert(key, json!(value));
        }
        Op::Remove => {
            map.remove(&key);
        }
        // Decision: move/copy/test are not among the ops AWS documents for this entity.
        _ => return Err(invalid_path(&op.path)),
    }
    Ok(())
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, response_type) = (call.label("restapi_id"), call.label("response_type"));
    let body = call.json()?;
    let out = store::write(&*cx.store, &call.tenant, |txn| {
        check(txn, call)?;
        let ops = patch_ops(&body, "updateGatewayResponseInput")?;
        // Updating a type that was never customised customises it, starting from what is in
        // force for it now.
        let custom = customised(txn, api_id)?;
        let mut doc = match effective(&custom, response_type) {
            Some(Value::Object(m)) => m,
            _ => return Err(invalid_type(response_type)),
        };
        doc.insert("defaultResponse".into(), json!(false));
        for op in &ops {
            apply(&mut doc, op)?;
        }
        let doc = Value::Object(doc);
        txn.put(kind::GATEWAY_RESPONSE, api_id, response_type, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(out))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, response_type) = (call.label("restapi_id"), call.label("response_type"));
    store::write(&*cx.store, &call.tenant, |txn| {
        check(txn, call)?;
        if !txn.delete(kind::GATEWAY_RESPONSE, api_id, response_type)? {
            return Err(ApiError::not_found(
                "Gateway response type not defined on api",
            ));
        }
        Ok(())
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_table_has_every_type_once() {
        let d = defaults();
        assert_eq!(d.len(), 21);
        assert_eq!(d["MISSING_AUTHENTICATION_TOKEN"].0, Some(403));
        assert_eq!(d["DEFAULT_4XX"].0, None);
        assert_eq!(
            d["THROTTLED"].1["application/json"],
            json!("{\"message\":$context.error.messageString}")
        );
        let mut in_enum: Vec<&str> = ENUM_ORDER.split(", ").collect();
        in_enum.sort();
        assert_eq!(in_enum, TYPES.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    }

    #[test]
    fn defaults_inherit_from_a_customised_class_default() {
        let custom = vec![
            json!({"responseType": "DEFAULT_4XX", "defaultResponse": false,
            "statusCode": "444", "responseParameters": {"gatewayresponse.header.x": "'y'"},
            "responseTemplates": {"text/plain": "nope"}}),
        ];
        let nf = effective(&custom, "RESOURCE_NOT_FOUND").unwrap();
        assert_eq!(nf["statusCode"], "444");
        assert_eq!(nf["defaultResponse"], true);
        assert_eq!(nf["responseTemplates"], json!({"text/plain": "nope"}));
        // 5XX types are untouched by DEFAULT_4XX.
        let five = effective(&custom, "INTEGRATION_TIMEOUT").unwrap();
        assert_eq!(five, default_response("INTEGRATION_TIMEOUT").unwrap());
        assert!(effective(&custom, "NOPE").is_none());
        assert_eq!(
            effective(&[], "DEFAULT_5XX").unwrap(),
            default_response("DEFAULT_5XX").unwrap()
        );
    }

    #[test]
    fn parameters_are_header_mappings() {
        assert!(
            check_parameter("gatewayresponse.header.Access-Control-Allow-Origin", "'*'").is_ok()
        );
        assert!(
            check_parameter("gatewayresponse.header.x", "method.request.header.Accept").is_ok()
        );
        assert!(check_parameter("gatewayresponse.querystring.x", "'a'").is_err());
        assert!(check_parameter("gatewayresponse.header.x", "plain").is_err());
        assert!(check_status("404").is_ok());
        assert!(check_status("600").is_err() && check_status("40").is_err());
    }
}
