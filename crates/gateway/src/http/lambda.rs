//! `AWS_PROXY` to Lambda for HTTP APIs (http-api-develop-integrations-lambda.html): the event
//! in payload format 2.0 (or 1.0 when the integration says so) and the function's answer read
//! back.
//!
//! 2.0 events follow AWS's recorded ones (aws-lambda-go's `events/testdata/apigw-v2-request-*.json`;
//! `tests/fixtures/apigw-v2-request-*.json` holds copies): header names lower case, repeated
//! headers and query parameters joined with commas, cookies moved from `Cookie` into `cookies`,
//! `rawPath` as the client sent it (stage included), and `queryStringParameters`,
//! `pathParameters`, `stageVariables`, `body`, `cookies` left out when empty.
//!
//! A 2.0 answer is either the structured form (an object with `statusCode`: `headers`,
//! `cookies` → `Set-Cookie`, `body`, `isBase64Encoded`) or anything else, which AWS infers to
//! be 200 `application/json` with the value as the body (a JSON string as its text).
//! Decision: a structured answer without a Content-Type gets `text/plain; charset=utf-8`.

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, COOKIE, SET_COOKIE, USER_AGENT};
use hyper::{HeaderMap, Method, Response, StatusCode};
use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::http::{full, ResponseBody};

/// What the event is made of.
pub struct Invocation<'a> {
    pub method: &'a Method,
    /// The path as the client sent it below the host (the stage segment included).
    pub raw_path: &'a str,
    /// The path below the stage.
    pub path: &'a str,
    pub raw_query: &'a str,
    /// Decoded query pairs in wire order.
    pub query: &'a [(String, String)],
    pub headers: &'a HeaderMap,
    pub body: &'a Bytes,
    pub source_ip: &'a str,
    pub domain_name: &'a str,
    pub account_id: &'a str,
    pub api_id: &'a str,
    pub stage: &'a str,
    pub route_key: &'a str,
    pub request_id: &'a str,
    pub received: OffsetDateTime,
    pub path_params: &'a [(String, String)],
    pub stage_variables: &'a Map<String, Value>,
    /// `requestContext.authorizer` (`{"jwt": {...}}` for JWT authorizers).
    pub authorizer: Option<&'a Value>,
    /// The headers the gateway adds, as AWS's recorded events show them (`x-amzn-trace-id`,
    /// `x-forwarded-for`, `x-forwarded-port`, `x-forwarded-proto`); they replace the client's.
    pub added_headers: &'a [(&'static str, String)],
}

/// `21/Apr/2020:15:08:21 +0000`.
pub fn request_time(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
    ))
    .unwrap_or_default()
}

fn epoch_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

/// Does a body of this Content-Type reach the function as text? AWS passes JSON, XML,
/// JavaScript and `text/*` as text and base64-encodes the rest. Decision: a body without a
/// Content-Type goes as text when it is UTF-8.
pub fn is_text(headers: &HeaderMap, body: &[u8]) -> bool {
    if std::str::from_utf8(body).is_err() {
        return false;
    }
    let Some(ct) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let mt = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mt.starts_with("text/")
        || mt.ends_with("/json")
        || mt.ends_with("+json")
        || mt.ends_with("/xml")
        || mt.ends_with("+xml")
        || mt == "application/javascript"
}

fn body_of(i: &Invocation<'_>) -> (Value, bool) {
    if i.body.is_empty() {
        return (Value::Null, false);
    }
    if is_text(i.headers, i.body) {
        (
            Value::String(String::from_utf8_lossy(i.body).into_owned()),
            false,
        )
    } else {
        (
            Value::String(base64::engine::general_purpose::STANDARD.encode(i.body)),
            true,
        )
    }
}

fn header_text(v: &HeaderValue) -> String {
    String::from_utf8_lossy(v.as_bytes()).into_owned()
}

fn user_agent(i: &Invocation<'_>) -> Value {
    i.headers
        .get(USER_AGENT)
        .map_or(Value::String(String::new()), |v| {
            Value::String(header_text(v))
        })
}

fn domain_prefix(domain: &str) -> &str {
    domain.split('.').next().unwrap_or(domain)
}

/// The payload-2.0 event.
pub fn event_v2(i: &Invocation<'_>) -> Value {
    let mut headers: Map<String, Value> = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in i.headers {
        if i.added_headers.iter().any(|(n, _)| name == n) {
            continue;
        }
        if name == COOKIE {
            cookies.extend(
                header_text(value)
                    .split(';')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(|c| Value::String(c.to_string())),
            );
            continue;
        }
        let v = header_text(value);
        match headers.get_mut(name.as_str()) {
            Some(Value::String(s)) => {
                s.push(',');
                s.push_str(&v);
            }
            _ => {
                headers.insert(name.as_str().to_string(), Value::String(v));
            }
        }
    }
    for (name, value) in i.added_headers {
        headers.insert(name.to_string(), Value::String(value.clone()));
    }
    let mut query: Map<String, Value> = Map::new();
    for (k, v) in i.query {
        match query.get_mut(k) {
            Some(Value::String(s)) => {
                s.push(',');
                s.push_str(v);
            }
            _ => {
                query.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    let mut context = json!({
        "accountId": i.account_id,
        "apiId": i.api_id,
        "domainName": i.domain_name,
        "domainPrefix": domain_prefix(i.domain_name),
        "http": {
            "method": i.method.as_str(),
            "path": i.raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": i.source_ip,
            "userAgent": user_agent(i),
        },
        "requestId": i.request_id,
        "routeKey": i.route_key,
        "stage": i.stage,
        "time": request_time(i.received),
        "timeEpoch": epoch_ms(i.received),
    });
    if let (Some(a), Value::Object(m)) = (i.authorizer, &mut context) {
        m.insert("authorizer".into(), a.clone());
    }
    let (body, encoded) = body_of(i);
    let mut e = Map::new();
    e.insert("version".into(), "2.0".into());
    e.insert("routeKey".into(), i.route_key.into());
    e.insert("rawPath".into(), i.raw_path.into());
    e.insert("rawQueryString".into(), i.raw_query.into());
    if !cookies.is_empty() {
        e.insert("cookies".into(), Value::Array(cookies));
    }
    e.insert("headers".into(), Value::Object(headers));
    if !query.is_empty() {
        e.insert("queryStringParameters".into(), Value::Object(query));
    }
    e.insert("requestContext".into(), context);
    if !i.path_params.is_empty() {
        e.insert("pathParameters".into(), pairs(i.path_params));
    }
    if !i.stage_variables.is_empty() {
        e.insert(
            "stageVariables".into(),
            Value::Object(i.stage_variables.clone()),
        );
    }
    if !body.is_null() {
        e.insert("body".into(), body);
    }
    e.insert("isBase64Encoded".into(), Value::Bool(encoded));
    Value::Object(e)
}

fn pairs(p: &[(String, String)]) -> Value {
    Value::Object(
        p.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

/// The payload-1.0 event of an HTTP API (AWS's example in
/// http-api-develop-integrations-lambda.html): REST's shape, with `version` and an identity
/// without API keys.
pub fn event_v1(i: &Invocation<'_>) -> Value {
    let mut headers = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in i.headers {
        if i.added_headers.iter().any(|(n, _)| name == n) {
            continue;
        }
        let v = header_text(value);
        headers.insert(name.as_str().to_string(), Value::String(v.clone()));
        match multi.get_mut(name.as_str()) {
            Some(Value::Array(l)) => l.push(Value::String(v)),
            _ => {
                multi.insert(name.as_str().to_string(), json!([v]));
            }
        }
    }
    for (name, value) in i.added_headers {
        headers.insert(name.to_string(), Value::String(value.clone()));
        multi.insert(name.to_string(), json!([value]));
    }
    let (query, multi_query) = if i.query.is_empty() {
        (Value::Null, Value::Null)
    } else {
        let mut single = Map::new();
        let mut multi: Map<String, Value> = Map::new();
        for (k, v) in i.query {
            single.insert(k.clone(), Value::String(v.clone()));
            match multi.get_mut(k) {
                Some(Value::Array(l)) => l.push(Value::String(v.clone())),
                _ => {
                    multi.insert(k.clone(), json!([v]));
                }
            }
        }
        (Value::Object(single), Value::Object(multi))
    };
    let resource = i.route_key.split_once(' ').map_or(i.route_key, |(_, p)| p);
    let authorizer = match i.authorizer.and_then(|a| a.get("jwt")) {
        Some(jwt) => json!({"claims": jwt.get("claims"), "scopes": jwt.get("scopes")}),
        None => i
            .authorizer
            .cloned()
            .unwrap_or(json!({"claims": null, "scopes": null})),
    };
    let (body, encoded) = body_of(i);
    json!({
        "version": "1.0",
        "resource": resource,
        "path": i.raw_path,
        "httpMethod": i.method.as_str(),
        "headers": headers,
        "multiValueHeaders": multi,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "requestContext": {
            "accountId": i.account_id,
            "apiId": i.api_id,
            "authorizer": authorizer,
            "domainName": i.domain_name,
            "domainPrefix": domain_prefix(i.domain_name),
            "extendedRequestId": i.request_id,
            "httpMethod": i.method.as_str(),
            "identity": {
                "accessKey": null, "accountId": null, "caller": null,
                "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
                "cognitoIdentityId": null, "cognitoIdentityPoolId": null,
                "principalOrgId": null, "sourceIp": i.source_ip, "user": null,
                "userAgent": user_agent(i), "userArn": null,
            },
            "path": i.raw_path,
            "protocol": "HTTP/1.1",
            "requestId": i.request_id,
            "requestTime": request_time(i.received),
            "requestTimeEpoch": epoch_ms(i.received),
            "resourceId": i.route_key,
            "resourcePath": resource,
            "stage": i.stage,
        },
        "pathParameters": if i.path_params.is_empty() { Value::Null } else { pairs(i.path_params) },
        "stageVariables": if i.stage_variables.is_empty() { Value::Null } else { Value::Object(i.stage_variables.clone()) },
        "body": body,
        "isBase64Encoded": encoded,
    })
}

/// A 2.0 answer read back; `Err` says why it is malformed (the client gets a 500).
pub fn response_v2(payload: &[u8]) -> Result<Response<ResponseBody>, String> {
    let doc: Value = serde_json::from_slice(payload)
        .map_err(|_| "the function's answer is not JSON".to_string())?;
    let structured = matches!(&doc, Value::Object(m) if m.contains_key("statusCode"));
    if !structured {
        // The function's own JSON text, as it sent it.
        let body = match doc {
            Value::String(s) => Bytes::from(s),
            _ => Bytes::copy_from_slice(payload.trim_ascii()),
        };
        let mut r = Response::new(full(body));
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        return Ok(r);
    }
    let Value::Object(m) = doc else {
        unreachable!("checked above")
    };
    let status = match m.get("statusCode") {
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    }
    .and_then(|s| u16::try_from(s).ok())
    .and_then(|s| StatusCode::from_u16(s).ok())
    .filter(|s| s.as_u16() >= 100)
    .ok_or("the function's statusCode is not a status code")?;
    let mut headers = HeaderMap::new();
    if let Some(h) = m.get("headers").filter(|h| !h.is_null()) {
        let Value::Object(h) = h else {
            return Err("the function's headers are not an object".into());
        };
        for (name, v) in h {
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Null => continue,
                Value::Number(_) | Value::Bool(_) => v.to_string(),
                _ => return Err(format!("header {name:?} is not text")),
            };
            let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&text),
            ) else {
                return Err(format!("header {name:?} is not a valid header"));
            };
            headers.insert(n, v);
        }
    }
    if let Some(c) = m.get("cookies").filter(|c| !c.is_null()) {
        let Value::Array(list) = c else {
            return Err("the function's cookies are not a list".into());
        };
        for c in list {
            let v = c
                .as_str()
                .and_then(|s| HeaderValue::from_str(s).ok())
                .ok_or("a cookie is not text")?;
            headers.append(SET_COOKIE, v);
        }
    }
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
    }
    let body = match m.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(other) => Bytes::from(other.to_string()),
    };
    let body = if m.get("isBase64Encoded") == Some(&Value::Bool(true)) {
        Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(&body)
                .map_err(|_| "the function's body is not base64")?,
        )
    } else {
        body
    };
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(payload: &str) -> (u16, HeaderMap, String) {
        let r = response_v2(payload.as_bytes()).unwrap();
        let (parts, body) = r.into_parts();
        let ResponseBody::Full(b) = body else {
            panic!()
        };
        (
            parts.status.as_u16(),
            parts.headers,
            String::from_utf8(b.unwrap_or_default().to_vec()).unwrap(),
        )
    }

    /// AWS's documented inference (http-api-develop-integrations-lambda.html).
    #[test]
    fn answers_without_a_status_code_are_inferred() {
        let (s, h, b) = answer("\"Hello from Lambda!\"");
        assert_eq!((s, b.as_str()), (200, "Hello from Lambda!"));
        assert_eq!(h[CONTENT_TYPE], "application/json");
        let (s, _, b) = answer(r#"{"message": "Hello from Lambda!"}"#);
        assert_eq!(
            (s, b.as_str()),
            (200, r#"{"message": "Hello from Lambda!"}"#)
        );
        let (s, _, b) = answer("[1,2]");
        assert_eq!((s, b.as_str()), (200, "[1,2]"));
    }

    #[test]
    fn structured_answers_carry_status_headers_cookies_and_binary_bodies() {
        let (s, h, b) = answer(
            r#"{"statusCode": 201, "headers": {"x-a": "1"}, "cookies": ["a=1", "b=2; Secure"],
                "body": "aGk=", "isBase64Encoded": true}"#,
        );
        assert_eq!((s, b.as_str()), (201, "hi"));
        assert_eq!(h["x-a"], "1");
        let cookies: Vec<_> = h.get_all(SET_COOKIE).iter().collect();
        assert_eq!(cookies, ["a=1", "b=2; Secure"]);
        assert_eq!(h[CONTENT_TYPE], "text/plain; charset=utf-8");
        assert!(response_v2(br#"{"statusCode": "x"}"#).is_err());
        assert!(response_v2(b"not json").is_err());
    }

    #[test]
    fn text_bodies_are_told_from_binary_ones() {
        let mut h = HeaderMap::new();
        assert!(is_text(&h, b"plain"));
        h.insert(
            CONTENT_TYPE,
            "application/json; charset=utf-8".parse().unwrap(),
        );
        assert!(is_text(&h, b"{}"));
        h.insert(CONTENT_TYPE, "image/png".parse().unwrap());
        assert!(!is_text(&h, b"x"));
        h.insert(CONTENT_TYPE, "text/plain".parse().unwrap());
        assert!(!is_text(&h, &[0xff, 0xfe]));
    }
}
