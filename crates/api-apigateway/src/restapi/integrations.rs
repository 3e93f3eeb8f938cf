//! A method's integration (`methodIntegration`) and its integration responses
//! (`methodIntegration.integrationResponses`), stored inside the method inside the resource
//! document, as AWS embeds them.
//!
//! Evidence for the texts: LocalStack's snapshot tests recorded against AWS (defaults, the
//! type/httpMethod/uri checks) and AWS errors users quote (`Invalid Integration identifier
//! specified` for a PutIntegrationResponse before PutIntegration, `No method response exists
//! for method.` for one before PutMethodResponse).

use portico_model::{Entity, Integration, IntegrationResponse, TlsConfig};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::methods::{self, string_map, with_method};
use crate::params;
use crate::patch::{self, Apply, Op, PatchOp, Rule, ADD_REPLACE_REMOVE, REPLACE, REPLACE_REMOVE};
use crate::Ctx;
use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "PutIntegration" => put,
        "GetIntegration" => get,
        "UpdateIntegration" => update,
        "DeleteIntegration" => delete,
        "PutIntegrationResponse" => put_response,
        "GetIntegrationResponse" => get_response,
        "UpdateIntegrationResponse" => update_response,
        "DeleteIntegrationResponse" => delete_response,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Integration identifier specified")
}

const TYPES: &[&str] = &["HTTP", "MOCK", "AWS_PROXY", "HTTP_PROXY", "AWS"];
const PASSTHROUGH: &[&str] = &["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"];
const CONTENT_HANDLING: &[&str] = &["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"];
const CONNECTION_TYPES: &[&str] = &["INTERNET", "VPC_LINK"];
const TRANSFER_MODES: &[&str] = &["BUFFERED", "STREAM"];
pub use portico_model::integration::DEFAULT_TIMEOUT_MILLIS as DEFAULT_TIMEOUT;

/// Where an invalid value came from: the model-level enum check of a Put body
/// (`ValidationException`, AWS's generated text) or a patch (`BadRequestException`).
#[derive(Clone, Copy)]
enum Source {
    Put(&'static str),
    Patch,
}

fn check_enum(value: &str, allowed: &[&str], member: &str, source: Source) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(match source {
        Source::Put(input) => ApiError::new(
            400,
            "ValidationException",
            format!(
                "1 validation error detected: Value '{value}' at '{input}.{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ),
        Source::Patch => ApiError::bad_request(format!(
            "Invalid {member} specified: {value}. Valid options are {}",
            allowed.join(",")
        )),
    })
}

fn is_http_type(t: &str) -> bool {
    matches!(t, "HTTP" | "HTTP_PROXY")
}

fn is_aws_type(t: &str) -> bool {
    matches!(t, "AWS" | "AWS_PROXY")
}

/// An HTTP(S) endpoint: scheme, then a non-empty host.
fn valid_http_uri(uri: &str) -> bool {
    let rest = uri
        .strip_prefix("http://")
        .or_else(|| uri.strip_prefix("https://"));
    match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !uri.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// `arn:{partition}:apigateway:{region}:{service}:{path|action}/...`, with AWS's texts.
fn check_aws_uri(uri: &str, integration_type: &str) -> Result<(), ApiError> {
    let parts: Vec<&str> = uri.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" || parts[1].is_empty() || parts[2].is_empty() {
        return Err(ApiError::bad_request(
            "Invalid ARN specified in the request",
        ));
    }
    let (service, resource) = (parts[4], parts[5]);
    if !(resource.starts_with("path") || resource.starts_with("action")) {
        return Err(ApiError::bad_request(
            "AWS ARN for integration must contain path or action",
        ));
    }
    if integration_type == "AWS_PROXY" {
        let lambda = service == "lambda" && resource.starts_with("path/2015-03-31/functions/");
        let firehose = service == "firehose";
        if !(lambda || firehose) {
            return Err(ApiError::bad_request(
                "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
            ));
        }
    }
    Ok(())
}

fn str_at<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// The rules every stored integration satisfies, checked after a Put has built it and after an
/// Update has patched it. `source` picks the error shape of enum failures.
fn validate(
    i: &mut Map<String, Value>,
    method: &Map<String, Value>,
    source: Source,
) -> Result<(), ApiError> {
    let t = str_at(i, "type").unwrap_or("").to_string();
    check_enum(&t, TYPES, "type", source)?;
    if t == "MOCK" {
        // A MOCK integration has no backend: AWS drops a uri (and Portico a backend method)
        // sent with it.
        i.remove("uri");
        i.remove("httpMethod");
    } else {
        let backend = str_at(i, "httpMethod").unwrap_or("");
        if backend.is_empty() {
            return Err(ApiError::bad_request(
                "Enumeration value for HttpMethod must be non-empty",
            ));
        }
        if !methods::HTTP_METHODS.contains(&backend) {
            return Err(ApiError::bad_request(format!(
                "Invalid HttpMethod specified. Valid options are {}",
                methods::HTTP_METHODS.join(",")
            )));
        }
        let uri = str_at(i, "uri").unwrap_or("");
        if is_http_type(&t) && !valid_http_uri(uri) {
            return Err(ApiError::bad_request(
                "Invalid HTTP endpoint specified for URI",
            ));
        }
        if is_aws_type(&t) {
            check_aws_uri(uri, &t)?;
        }
    }
    if is_http_type(&t) && !i.contains_key("connectionType") {
        i.insert("connectionType".into(), json!("INTERNET"));
    }
    if let Some(c) = str_at(i, "connectionType") {
        check_enum(c, CONNECTION_TYPES, "connectionType", source)?;
        if c == "VPC_LINK" && str_at(i, "connectionId").unwrap_or("").is_empty() {
            // AWS's text for this case is not on record.
            return Err(ApiError::bad_request(
                "ConnectionId must be specified for connection type VPC_LINK",
            ));
        }
    }
    if let Some(p) = str_at(i, "passthroughBehavior") {
        if !PASSTHROUGH.contains(&p) {
            return Err(ApiError::bad_request(format!(
                "Invalid passthrough behavior specified: {p}. Valid options are {}",
                PASSTHROUGH.join(",")
            )));
        }
    }
    if let Some(c) = str_at(i, "contentHandling") {
        check_enum(c, CONTENT_HANDLING, "contentHandling", source)?;
    }
    if let Some(m) = str_at(i, "responseTransferMode") {
        check_enum(m, TRANSFER_MODES, "responseTransferMode", source)?;
    }
    match i.get("timeoutInMillis").and_then(Value::as_i64) {
        Some(ms) if (50..=DEFAULT_TIMEOUT).contains(&ms) => {}
        _ => {
            return Err(ApiError::bad_request(
                "Timeout should be between 50 ms and 29000 ms",
            ))
        }
    }
    if let Some(Value::Object(p)) = i.get("requestParameters") {
        params::check_integration_request_parameters(p, method)?;
    }
    if let Some(Value::Array(keys)) = i.get("cacheKeyParameters") {
        check_cache_keys(keys, method)?;
    }
    Ok(())
}

/// Cache key parameters name method request parameters the method declares.
fn check_cache_keys(keys: &[Value], method: &Map<String, Value>) -> Result<(), ApiError> {
    let declared = method.get("requestParameters").and_then(Value::as_object);
    for k in keys {
        let k = k.as_str().unwrap_or("");
        if !declared.is_some_and(|d| d.contains_key(k)) {
            return Err(params::mapping_error(format!(
                "Invalid mapping expression parameter specified: {k}"
            )));
        }
    }
    Ok(())
}

fn put(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let t = body.required_str("type")?;
    const INPUT: Source = Source::Put("putIntegrationInput");
    check_enum(&t, TYPES, "type", INPUT)?;
    let mut i = Integration {
        kind: t,
        http_method: body.str_of("httpMethod")?,
        uri: body.str_of("uri")?,
        connection_type: body.str_of("connectionType")?,
        connection_id: body.str_of("connectionId")?,
        credentials: body.str_of("credentials")?,
        passthrough_behavior: body.str_of("passthroughBehavior")?,
        cache_namespace: body.str_of("cacheNamespace")?,
        content_handling: body.str_of("contentHandling")?,
        response_transfer_mode: body.str_of("responseTransferMode")?,
        integration_target: body.str_of("integrationTarget")?,
        cache_key_parameters: Vec::new(),
        timeout_in_millis: DEFAULT_TIMEOUT,
        request_parameters: None,
        request_templates: None,
        tls_config: None,
        integration_responses: None,
    };
    i.passthrough_behavior
        .get_or_insert_with(|| "WHEN_NO_MATCH".to_string());
    // AWS names the cache after the resource unless told otherwise.
    i.cache_namespace
        .get_or_insert_with(|| call.label("resource_id").to_string());
    i.cache_key_parameters = match body.get("cacheKeyParameters") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => Vec::deserialize(v).map_err(|_| {
            ApiError::bad_request(
                "Invalid value for member 'cacheKeyParameters': expected a list of strings",
            )
        })?,
    };
    i.timeout_in_millis = body.i64_of("timeoutInMillis")?.unwrap_or(DEFAULT_TIMEOUT);
    i.request_parameters = string_map(&body, "requestParameters")?;
    i.request_templates = string_map(&body, "requestTemplates")?;
    i.tls_config = match body.get("tlsConfig") {
        None | Some(Value::Null) => None,
        Some(Value::Object(tls)) => Some(TlsConfig {
            insecure_skip_verification: tls.bool_of("insecureSkipVerification")?,
            // Portico's extension (HTTP APIs' member): the name checked and sent as SNI.
            server_name_to_verify: tls.str_of("serverNameToVerify")?,
        }),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'tlsConfig': expected an object",
            ))
        }
    };
    // The checks every stored integration passes (`validate`) read its members.
    let mut i = i.to_map();
    let out = with_method(cx, call, |_, method| {
        validate(&mut i, method, INPUT)?;
        // PUT replaces the integration as a whole, its integration responses included.
        let v = Value::Object(i);
        method.insert("methodIntegration".into(), v.clone());
        Ok(v)
    })?;
    Ok(Reply::Json(out))
}

fn integration_of(method: &mut Map<String, Value>) -> Result<&mut Map<String, Value>, ApiError> {
    method
        .get_mut("methodIntegration")
        .and_then(Value::as_object_mut)
        .ok_or_else(not_found)
}

fn integration_ref(method: &Map<String, Value>) -> Result<&Map<String, Value>, ApiError> {
    method
        .get("methodIntegration")
        .and_then(Value::as_object)
        .ok_or_else(not_found)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let i = methods::read_method(cx, call, |m| Ok(integration_ref(m)?.clone()))?;
    Ok(Reply::Json(Value::Object(i)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    with_method(cx, call, |_, m| {
        m.shift_remove("methodIntegration")
            .map(|_| ())
            .ok_or_else(not_found)
    })?;
    Ok(Reply::Empty)
}

// ---- UpdateIntegration ----

fn set_tls_skip(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let v = op.bool_value()?;
    let tls = doc.entry("tlsConfig").or_insert_with(|| json!({}));
    if !tls.is_object() {
        *tls = json!({});
    }
    tls["insecureSkipVerification"] = json!(v);
    Ok(())
}

/// `/tlsConfig/serverNameToVerify` (Portico's extension): replace sets it, remove (or an empty
/// value) drops it.
fn set_tls_server_name(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let tls = doc.entry("tlsConfig").or_insert_with(|| json!({}));
    if !tls.is_object() {
        *tls = json!({});
    }
    let Some(tls) = tls.as_object_mut() else {
        return Ok(());
    };
    match op
        .value
        .as_deref()
        .filter(|v| !v.is_empty() && op.op != Op::Remove)
    {
        Some(v) => {
            tls.insert("serverNameToVerify".into(), json!(v));
        }
        None => {
            tls.remove("serverNameToVerify");
        }
    }
    Ok(())
}

/// `/timeoutInMillis` with AWS's range text for anything that is not a number in range.
fn set_timeout(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let ms = op
        .value
        .as_deref()
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|ms| (50..=DEFAULT_TIMEOUT).contains(ms))
        .ok_or_else(|| ApiError::bad_request("Timeout should be between 50 ms and 29000 ms"))?;
    doc.insert("timeoutInMillis".into(), json!(ms));
    Ok(())
}

/// `/httpMethod` and `/uri`: AWS documents both as replaceable "except for MOCK integrations".
fn set_backend(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let key = op.path.trim_start_matches('/');
    if str_at(doc, "type") == Some("MOCK") {
        // AWS's text for this refusal is not on record.
        return Err(ApiError::bad_request(format!(
            "Invalid patch path {}: not supported for MOCK integrations",
            op.path
        )));
    }
    doc.insert(key.into(), json!(op.value()?));
    Ok(())
}

/// `/cacheKeyParameters/{name}`: add or remove that name; replace renames it to the value.
fn set_cache_key(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    let name = caps.last().cloned().unwrap_or_default();
    let list = doc.entry("cacheKeyParameters").or_insert_with(|| json!([]));
    if !list.is_array() {
        *list = json!([]);
    }
    let arr = list.as_array_mut().expect("made an array above");
    let pos = arr.iter().position(|v| v.as_str() == Some(name.as_str()));
    match (op.op, pos) {
        (Op::Remove, Some(i)) => {
            arr.remove(i);
        }
        (Op::Replace, Some(i)) => arr[i] = json!(op.value()?),
        (Op::Replace, None) => arr.push(json!(op.value()?)),
        (Op::Add, None) => arr.push(json!(name)),
        _ => {}
    }
    Ok(())
}

/// AWS's table for UpdateIntegration (its "Patch Operations" reference). `/type` is listed
/// with every op unsupported: an integration changes type only through PutIntegration.
const INTEGRATION_RULES: &[Rule] = &[
    Rule {
        path: "/httpMethod",
        ops: REPLACE,
        apply: Apply::Custom(set_backend),
    },
    Rule {
        path: "/uri",
        ops: REPLACE,
        apply: Apply::Custom(set_backend),
    },
    Rule {
        path: "/connectionType",
        ops: REPLACE,
        apply: Apply::Str("connectionType"),
    },
    Rule {
        path: "/connectionId",
        ops: REPLACE,
        apply: Apply::OptStr("connectionId"),
    },
    Rule {
        path: "/credentials",
        ops: REPLACE,
        apply: Apply::OptStr("credentials"),
    },
    Rule {
        path: "/passthroughBehavior",
        ops: REPLACE,
        apply: Apply::Str("passthroughBehavior"),
    },
    Rule {
        // An empty value clears it.
        path: "/contentHandling",
        ops: REPLACE,
        apply: Apply::OptStr("contentHandling"),
    },
    Rule {
        path: "/timeoutInMillis",
        ops: REPLACE,
        apply: Apply::Custom(set_timeout),
    },
    Rule {
        path: "/cacheNamespace",
        ops: REPLACE,
        apply: Apply::Str("cacheNamespace"),
    },
    Rule {
        path: "/cacheKeyParameters/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(set_cache_key),
    },
    Rule {
        path: "/requestParameters/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::MapEntry("requestParameters"),
    },
    Rule {
        path: "/requestTemplates/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::MapEntry("requestTemplates"),
    },
    Rule {
        path: "/tlsConfig/insecureSkipVerification",
        ops: REPLACE,
        apply: Apply::Custom(set_tls_skip),
    },
    Rule {
        path: "/tlsConfig/serverNameToVerify",
        ops: REPLACE_REMOVE,
        apply: Apply::Custom(set_tls_server_name),
    },
    Rule {
        path: "/integrationTarget",
        ops: REPLACE,
        apply: Apply::OptStr("integrationTarget"),
    },
    Rule {
        path: "/responseTransferMode",
        ops: REPLACE,
        apply: Apply::Str("responseTransferMode"),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let ops = patch::parse_call(call)?;
    let out = with_method(cx, call, |_, method| {
        let mut next = integration_of(method)?.clone();
        params::check_ops(&ops, INTEGRATION_RULES)?;
        patch::apply(&mut next, &ops, INTEGRATION_RULES)?;
        // The list survives its last item being removed: AWS always shows `[]`.
        if !next.contains_key("cacheKeyParameters") {
            next.insert("cacheKeyParameters".into(), json!([]));
        }
        validate(&mut next, method, Source::Patch)?;
        let v = Value::Object(next);
        method.insert("methodIntegration".into(), v.clone());
        Ok(v)
    })?;
    Ok(Reply::Json(out))
}

// ---- Integration responses ----

fn check_content_handling(r: &Map<String, Value>, source: Source) -> Result<(), ApiError> {
    match str_at(r, "contentHandling") {
        Some(c) => check_enum(c, CONTENT_HANDLING, "contentHandling", source),
        None => Ok(()),
    }
}

/// `responseTemplates`: a map of strings, where a null template stands for the empty one.
fn templates_of(
    body: &Map<String, Value>,
) -> Result<Option<portico_model::IndexMap<String, String>>, ApiError> {
    let mut body = body.clone();
    if let Some(Value::Object(t)) = body.get_mut("responseTemplates") {
        for v in t.values_mut() {
            if v.is_null() {
                *v = json!("");
            }
        }
    }
    string_map(&body, "responseTemplates")
}

/// A template's key is a media type (`type/subtype`).
fn check_content_type(content_type: &str) -> Result<(), ApiError> {
    match content_type.split_once('/') {
        Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains('/') => Ok(()),
        _ => Err(ApiError::bad_request(format!(
            "Validation Result: warnings : [], errors : [Invalid content type specified: {content_type}]"
        ))),
    }
}

/// The method response an integration response maps onto.
fn method_response<'a>(
    method: &'a Map<String, Value>,
    code: &str,
) -> Result<&'a Map<String, Value>, ApiError> {
    method
        .get("methodResponses")
        .and_then(Value::as_object)
        .and_then(|r| r.get(code))
        .and_then(Value::as_object)
        .ok_or_else(|| params::mapping_error("No method response exists for method."))
}

fn put_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let code = call.label("status_code").to_string();
    methods::check_status_code(&code)?;
    let body = call.json()?;
    let mut r = IntegrationResponse {
        status_code: code.clone(),
        selection_pattern: body.str_of("selectionPattern")?,
        content_handling: body.str_of("contentHandling")?,
        // Kept even when empty: AWS echoes an empty map it was given.
        response_parameters: string_map(&body, "responseParameters")?,
        response_templates: templates_of(&body)?,
    }
    .to_map();
    // AWS stores a template given as null or "" as null, and answers it so.
    if let Some(Value::Object(t)) = r.get_mut("responseTemplates") {
        for v in t.values_mut() {
            if v.as_str() == Some("") {
                *v = Value::Null;
            }
        }
    }
    check_content_handling(&r, Source::Put("putIntegrationResponseInput"))?;
    if let Some(Value::Object(t)) = r.get("responseTemplates") {
        for content_type in t.keys() {
            check_content_type(content_type)?;
        }
    }
    let out = with_method(cx, call, |_, method| {
        integration_of(method)?;
        // AWS takes an integration response without its method response, unless it maps
        // parameters onto the method response's headers.
        if let Some(Value::Object(p)) = r
            .get("responseParameters")
            .filter(|p| !p.as_object().is_some_and(Map::is_empty))
        {
            let declared = method_response(method, &code)?;
            params::check_integration_response_parameters(p, declared)?;
        }
        let v = Value::Object(r);
        let integration = integration_of(method)?;
        let responses = integration
            .entry("integrationResponses")
            .or_insert_with(|| json!({}));
        if !responses.is_object() {
            *responses = json!({});
        }
        // A second PUT of the same status code replaces that response.
        responses
            .as_object_mut()
            .expect("made an object above")
            .insert(code.clone(), v.clone());
        Ok(v)
    })?;
    Ok(Reply::Json(out))
}

fn response_of<'a>(
    method: &'a mut Map<String, Value>,
    code: &str,
) -> Result<&'a mut Map<String, Value>, ApiError> {
    integration_of(method)?
        .get_mut("integrationResponses")
        .and_then(Value::as_object_mut)
        .and_then(|r| r.get_mut(code))
        .and_then(Value::as_object_mut)
        .ok_or_else(methods::response_not_found)
}

fn get_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    methods::check_status_code(call.label("status_code"))?;
    let r = methods::read_method(cx, call, |m| {
        integration_ref(m)?
            .get("integrationResponses")
            .and_then(Value::as_object)
            .and_then(|r| r.get(call.label("status_code")))
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(methods::response_not_found)
    })?;
    Ok(Reply::Json(Value::Object(r)))
}

fn delete_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    methods::check_status_code(call.label("status_code"))?;
    let done = with_method(cx, call, |_, m| {
        let integration = integration_of(m)?;
        let responses = integration
            .get_mut("integrationResponses")
            .and_then(Value::as_object_mut)
            .ok_or_else(methods::response_not_found)?;
        responses
            .shift_remove(call.label("status_code"))
            .ok_or_else(methods::response_not_found)?;
        if responses.is_empty() {
            integration.remove("integrationResponses");
        }
        Ok(())
    });
    match done {
        // AWS names the integration when the method is missing.
        Err(e) if e.message == "Invalid Method identifier specified" => Err(not_found()),
        Err(e) => Err(e),
        Ok(()) => Ok(Reply::Empty),
    }
}

/// `/selectionPattern`: any text, an empty one included (AWS keeps `""`); a null value drops it.
fn set_selection_pattern(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    match op.value.as_deref() {
        None => {
            doc.remove("selectionPattern");
        }
        Some(v) => {
            doc.insert("selectionPattern".into(), json!(v));
        }
    }
    Ok(())
}

/// AWS's table for UpdateIntegrationResponse.
const INTEGRATION_RESPONSE_RULES: &[Rule] = &[
    Rule {
        path: "/selectionPattern",
        ops: REPLACE,
        apply: Apply::Custom(set_selection_pattern),
    },
    Rule {
        // An empty value clears it.
        path: "/contentHandling",
        ops: REPLACE,
        apply: Apply::OptStr("contentHandling"),
    },
    Rule {
        path: "/responseParameters/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::MapEntry("responseParameters"),
    },
    Rule {
        path: "/responseTemplates/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::MapEntry("responseTemplates"),
    },
];

fn update_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let invalid = methods::status_code_invalid(call.label("status_code"));
    let ops = patch::parse_call_with(call, invalid.into_iter().collect())?;
    let code = call.label("status_code").to_string();
    let out = with_method(cx, call, |_, method| {
        let mut next = response_of(method, &code)?.clone();
        params::check_ops(&ops, INTEGRATION_RESPONSE_RULES)?;
        patch::apply(&mut next, &ops, INTEGRATION_RESPONSE_RULES)?;
        check_content_handling(&next, Source::Patch)?;
        if let Some(Value::Object(p)) = next.get("responseParameters") {
            let declared = method_response(method, &code)?;
            params::check_integration_response_parameters(p, declared)?;
        }
        let response = response_of(method, &code)?;
        *response = next;
        Ok(response.clone())
    })?;
    Ok(Reply::Json(Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_uris() {
        for ok in [
            "http://example.com",
            "https://a.b/c?d=1",
            "http://host:8080/{proxy}",
        ] {
            assert!(valid_http_uri(ok), "{ok}");
        }
        for bad in [
            "non-valid-http",
            "ftp://x",
            "http://",
            "https:///path",
            "http://a b",
        ] {
            assert!(!valid_http_uri(bad), "{bad}");
        }
    }

    #[test]
    fn aws_uris_follow_aws_texts() {
        let lambda = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:012345678901:function:F/invocations";
        assert!(check_aws_uri(lambda, "AWS_PROXY").is_ok());
        assert!(check_aws_uri("arn:aws:apigateway:us-west-2:s3:path/b/k", "AWS").is_ok());
        let msg = |u: &str, t: &str| check_aws_uri(u, t).unwrap_err().message;
        assert_eq!(
            msg("non-valid-arn", "AWS"),
            "Invalid ARN specified in the request"
        );
        assert_eq!(
            msg("arn:aws:iam::0000000000:role/service-role/asdf", "AWS"),
            "AWS ARN for integration must contain path or action"
        );
        assert!(msg("arn:aws:apigateway:us-west-2:s3:path/b/k", "AWS_PROXY")
            .starts_with("Integrations of type 'AWS_PROXY'"));
    }
}
