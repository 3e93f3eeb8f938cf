//! `AWS_PROXY` to Lambda (payload format 1.0): the event a function receives, and the response
//! it must answer with, as API Gateway builds and reads them.
//!
//! The event's shape follows AWS's recorded events (LocalStack's
//! `test_apigateway_lambda.snapshot.json`, `test_lambda_aws_proxy_integration`, recorded against
//! AWS): `requestContext.identity` carries `accessKey` even when null, and `apiKey`/`apiKeyId`
//! only when a key was used. Header names are the lower-case names hyper keeps (AWS passes the
//! client's casing).
//!
//! The response rules are AWS's recorded answers (`test_aws_proxy_response_payload_format_validation`):
//! a JSON object with only `statusCode` (a number, or a string holding one; 200 when absent),
//! `headers` (scalar values, as text), `multiValueHeaders` (lists), `body` (a string) and
//! `isBase64Encoded`; anything else — another member, `{}`, a bare string, a non-numeric status —
//! is a malformed response: 502 `Internal server error`.

use base64::Engine;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::pipeline::ClientRequest;
use crate::http::{full, ResponseBody};

/// The members a proxy response may have.
const RESPONSE_MEMBERS: [&str; 5] = [
    "statusCode",
    "headers",
    "multiValueHeaders",
    "body",
    "isBase64Encoded",
];

/// The payload-1.0 event. `context` is the request's whole `$context`; `binary` says whether
/// the body goes base64-encoded (its Content-Type is one of the API's binary media types).
pub fn event(
    req: &ClientRequest<'_>,
    path_params: &[(String, String)],
    stage_variables: &Map<String, Value>,
    context: &Value,
    binary: bool,
) -> Value {
    let mut headers = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (name, value) in req.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers.insert(name.as_str().to_string(), Value::String(v.clone()));
        match multi.get_mut(name.as_str()) {
            Some(Value::Array(list)) => list.push(Value::String(v)),
            _ => {
                multi.insert(name.as_str().to_string(), json!([v]));
            }
        }
    }
    let (query, multi_query) = pairs(&req.query);
    let path_parameters = if path_params.is_empty() {
        Value::Null
    } else {
        Value::Object(
            path_params
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    let body = if req.body.is_empty() {
        Value::Null
    } else if binary {
        Value::String(base64::engine::general_purpose::STANDARD.encode(&req.body))
    } else {
        Value::String(String::from_utf8_lossy(&req.body).into_owned())
    };
    json!({
        "resource": context.get("resourcePath").cloned().unwrap_or(Value::Null),
        "path": req.path,
        "httpMethod": req.method.as_str(),
        "headers": non_empty(headers),
        "multiValueHeaders": non_empty(multi),
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": path_parameters,
        "stageVariables": if stage_variables.is_empty() {
            Value::Null
        } else {
            Value::Object(stage_variables.clone())
        },
        "requestContext": request_context(context),
        "body": body,
        "isBase64Encoded": binary && !req.body.is_empty(),
    })
}

fn non_empty(m: Map<String, Value>) -> Value {
    if m.is_empty() {
        Value::Null
    } else {
        Value::Object(m)
    }
}

/// `queryStringParameters` (the last value of each name) and
/// `multiValueQueryStringParameters` (all of them), or nulls without a query.
fn pairs(query: &[(String, String)]) -> (Value, Value) {
    if query.is_empty() {
        return (Value::Null, Value::Null);
    }
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in query {
        single.insert(k.clone(), Value::String(v.clone()));
        match multi.get_mut(k) {
            Some(Value::Array(list)) => list.push(Value::String(v.clone())),
            _ => {
                multi.insert(k.clone(), json!([v]));
            }
        }
    }
    (Value::Object(single), Value::Object(multi))
}

/// `requestContext`: `$context`'s members AWS passes, the identity as AWS records it.
fn request_context(context: &Value) -> Value {
    const KEYS: [&str; 16] = [
        "accountId",
        "apiId",
        "authorizer",
        "deploymentId",
        "domainName",
        "domainPrefix",
        "extendedRequestId",
        "httpMethod",
        "path",
        "protocol",
        "requestId",
        "requestTime",
        "requestTimeEpoch",
        "resourceId",
        "resourcePath",
        "stage",
    ];
    let mut out = Map::new();
    for k in KEYS {
        if let Some(v) = context.get(k) {
            out.insert(k.to_string(), v.clone());
        }
        if k == "httpMethod" {
            out.insert("identity".into(), identity(context.get("identity")));
        }
    }
    Value::Object(out)
}

fn identity(identity: Option<&Value>) -> Value {
    let mut out = Map::new();
    out.insert("accessKey".into(), Value::Null);
    if let Some(Value::Object(m)) = identity {
        for (k, v) in m {
            if (k == "apiKey" || k == "apiKeyId") && v.is_null() {
                continue;
            }
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// The client's response from a function's proxy answer. `binary_types` and `accept` decide
/// whether a base64 body is decoded (as API Gateway does only with binary support); `Err`
/// says why the answer is malformed.
pub fn response(
    payload: &[u8],
    binary_types: &[String],
    accept: Option<&str>,
) -> Result<Response<ResponseBody>, String> {
    let doc: Value = serde_json::from_slice(payload)
        .map_err(|_| "Malformed Lambda proxy response: not JSON".to_string())?;
    let Value::Object(m) = doc else {
        return Err("Malformed Lambda proxy response: not a JSON object".into());
    };
    if m.is_empty() {
        return Err("Malformed Lambda proxy response: an empty object".into());
    }
    if let Some(k) = m.keys().find(|k| !RESPONSE_MEMBERS.contains(&k.as_str())) {
        return Err(format!(
            "Malformed Lambda proxy response: unexpected member {k:?}"
        ));
    }
    let status = match m.get("statusCode") {
        None | Some(Value::Null) => 200,
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        Some(_) => 0,
    };
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .filter(|s| s.as_u16() >= 100)
        .ok_or("Malformed Lambda proxy response: invalid statusCode")?;
    let mut headers = HeaderMap::new();
    match m.get("multiValueHeaders") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (name, values) in h {
                let Value::Array(values) = values else {
                    return Err(format!(
                        "Malformed Lambda proxy response: multiValueHeaders.{name} is not a list"
                    ));
                };
                for v in values {
                    append(&mut headers, name, v)?;
                }
            }
        }
        Some(_) => return Err("Malformed Lambda proxy response: multiValueHeaders".into()),
    }
    match m.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(h)) => {
            for (name, v) in h {
                append(&mut headers, name, v)?;
            }
        }
        Some(_) => return Err("Malformed Lambda proxy response: headers".into()),
    }
    let body = match m.get("body") {
        None | Some(Value::Null) => Bytes::new(),
        Some(Value::String(s)) => Bytes::from(s.clone()),
        Some(_) => return Err("Malformed Lambda proxy response: body is not a string".into()),
    };
    if !headers.contains_key(CONTENT_TYPE) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    let encoded = matches!(m.get("isBase64Encoded"), Some(Value::Bool(true)));
    let body = if encoded && decodes(&headers, binary_types, accept) {
        Bytes::from(
            base64::engine::general_purpose::STANDARD
                .decode(&body)
                .map_err(|_| "Malformed Lambda proxy response: body is not base64")?,
        )
    } else {
        body
    };
    let mut r = Response::new(full(body));
    *r.status_mut() = status;
    *r.headers_mut() = headers;
    Ok(r)
}

fn append(headers: &mut HeaderMap, name: &str, v: &Value) -> Result<(), String> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(_) | Value::Bool(_) => v.to_string(),
        Value::Null => return Ok(()),
        _ => return Err(format!("Malformed Lambda proxy response: header {name:?}")),
    };
    let (Ok(n), Ok(v)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(&text),
    ) else {
        return Err(format!("Malformed Lambda proxy response: header {name:?}"));
    };
    headers.append(n, v);
    Ok(())
}

/// A base64 body is decoded when the API has binary support for the exchange: the response's
/// Content-Type or the client's Accept is one of the API's binary media types.
fn decodes(headers: &HeaderMap, binary_types: &[String], accept: Option<&str>) -> bool {
    let ct = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let matches = |t: &str| {
        binary_types.iter().any(|b| {
            b == "*/*"
                || t.split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case(b))
        })
    };
    ct.is_some_and(matches) || accept.is_some_and(|a| a.split(',').any(|t| matches(t.trim())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(doc: Value) -> Result<(u16, HeaderMap, Vec<u8>), String> {
        let r = response(doc.to_string().as_bytes(), &[], None)?;
        let (parts, body) = r.into_parts();
        let bytes = match body {
            ResponseBody::Full(b) => b.unwrap_or_default().to_vec(),
            _ => panic!("a proxy response is whole"),
        };
        Ok((parts.status.as_u16(), parts.headers, bytes))
    }

    /// AWS's recorded answers to each response shape (see the module's comment).
    #[test]
    fn responses_are_read_as_aws_reads_them() {
        let (s, h, b) = answer(json!({"statusCode": 200})).unwrap();
        assert_eq!((s, b.as_slice()), (200, &b""[..]));
        assert_eq!(h["content-type"], "application/json");
        let (_, h, _) = answer(json!({"statusCode": 200,
            "headers": {"test-header": "value", "header-bool": true}}))
        .unwrap();
        assert_eq!(h["test-header"], "value");
        assert_eq!(h["header-bool"], "true");
        assert!(answer(json!({"statusCode": 200, "headers": null})).is_ok());
        assert!(answer(json!({"statusCode": 200, "wrongValue": "value"})).is_err());
        assert!(answer(json!({})).is_err());
        let (_, _, b) = answer(json!({"statusCode": 200, "body": "dGVzdC1kYXRh",
            "isBase64Encoded": true}))
        .unwrap();
        assert_eq!(b, b"dGVzdC1kYXRh", "no binary support: the text as is");
        let (_, h, _) = answer(json!({"statusCode": 200,
            "multiValueHeaders": {"test-multi": ["value-multi"]},
            "headers": {"test-multi": "value-solo"}}))
        .unwrap();
        let all: Vec<_> = h.get_all("test-multi").iter().collect();
        assert_eq!(all, ["value-multi", "value-solo"]);
        assert!(answer(json!({"statusCode": 200,
            "multiValueHeaders": {"test-multi-invalid": "value1"}}))
        .is_err());
        assert!(answer(json!({"statusCode": "test"})).is_err());
        assert_eq!(answer(json!({"statusCode": "201"})).unwrap().0, 201);
        assert!(answer(json!("justAString")).is_err());
        assert_eq!(
            answer(json!({"headers": {"test-header": "value"}}))
                .unwrap()
                .0,
            200
        );
    }

    /// The member names of AWS's recorded event (LocalStack's `test_apigateway_lambda.snapshot.json`,
    /// `invocation-payload-without-trailing-slash-and-query-params`, recorded against AWS).
    #[test]
    fn the_event_has_the_members_of_awss_recorded_event() {
        use super::super::pipeline::KnownHeaders;
        let mut headers = HeaderMap::new();
        headers.insert(
            "user-agent",
            HeaderValue::from_static("python-requests/testing"),
        );
        headers.append("x-multi", HeaderValue::from_static("a"));
        headers.append("x-multi", HeaderValue::from_static("b"));
        let req = ClientRequest {
            method: hyper::Method::GET,
            path: "/proxy-value",
            raw_path: "/stage/proxy-value",
            raw_query: "urlparam=test",
            query: vec![("urlparam".into(), "test".into())],
            headers: &headers,
            known: KnownHeaders::of(&headers),
            body: Bytes::new(),
            source_ip: "127.0.0.1",
            client_cert: None,
            domain_name: "abc.execute-api.localhost",
            context_path: None,
        };
        let context = json!({"accountId": "111111111111", "apiId": "abc", "deploymentId": "d",
            "domainName": "abc.execute-api.localhost", "domainPrefix": "abc",
            "extendedRequestId": "e", "httpMethod": "GET",
            "identity": {"accountId": null, "apiKey": null, "apiKeyId": null, "caller": null,
                "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
                "cognitoIdentityId": null, "cognitoIdentityPoolId": null, "principalOrgId": null,
                "sourceIp": "127.0.0.1", "user": null, "userAgent": "python-requests/testing",
                "userArn": null},
            "path": "/stage/proxy-value", "protocol": "HTTP/1.1", "requestId": "r",
            "requestTime": "t", "requestTimeEpoch": 1, "resourceId": "x",
            "resourcePath": "/{proxy+}", "stage": "stage", "usagePlanId": null});
        let e = event(
            &req,
            &[("proxy".into(), "proxy-value".into())],
            &Map::new(),
            &context,
            false,
        );
        let keys = |v: &Value| -> Vec<String> {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        assert_eq!(
            keys(&e),
            [
                "body",
                "headers",
                "httpMethod",
                "isBase64Encoded",
                "multiValueHeaders",
                "multiValueQueryStringParameters",
                "path",
                "pathParameters",
                "queryStringParameters",
                "requestContext",
                "resource",
                "stageVariables"
            ]
        );
        assert_eq!(
            keys(&e["requestContext"]),
            [
                "accountId",
                "apiId",
                "deploymentId",
                "domainName",
                "domainPrefix",
                "extendedRequestId",
                "httpMethod",
                "identity",
                "path",
                "protocol",
                "requestId",
                "requestTime",
                "requestTimeEpoch",
                "resourceId",
                "resourcePath",
                "stage"
            ]
        );
        assert_eq!(
            keys(&e["requestContext"]["identity"]),
            [
                "accessKey",
                "accountId",
                "caller",
                "cognitoAuthenticationProvider",
                "cognitoAuthenticationType",
                "cognitoIdentityId",
                "cognitoIdentityPoolId",
                "principalOrgId",
                "sourceIp",
                "user",
                "userAgent",
                "userArn"
            ]
        );
        assert_eq!(e["body"], Value::Null);
        assert_eq!(e["stageVariables"], Value::Null);
        assert_eq!(e["resource"], "/{proxy+}");
        assert_eq!(e["pathParameters"], json!({"proxy": "proxy-value"}));
        assert_eq!(e["queryStringParameters"], json!({"urlparam": "test"}));
        assert_eq!(
            e["multiValueQueryStringParameters"],
            json!({"urlparam": ["test"]})
        );
        assert_eq!(e["headers"]["x-multi"], "b");
        assert_eq!(e["multiValueHeaders"]["x-multi"], json!(["a", "b"]));
        assert_eq!(e["isBase64Encoded"], false);
    }

    #[test]
    fn a_base64_body_is_decoded_with_binary_support() {
        let doc = json!({"statusCode": 200, "body": "dGVzdC1kYXRh", "isBase64Encoded": true,
            "headers": {"Content-Type": "image/png"}});
        let r = response(doc.to_string().as_bytes(), &["image/png".into()], None).unwrap();
        let ResponseBody::Full(b) = r.into_body() else {
            panic!("whole")
        };
        assert_eq!(b.unwrap_or_default().as_ref(), b"test-data");
    }
}
