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
use serde::ser::{Serialize, SerializeMap, Serializer};
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

/// The payload-1.0 event. `context` is the request's `$context` (at least the members
/// `requestContext` carries, [`CONTEXT_KEYS`]); `binary` says whether the body goes
/// base64-encoded (its Content-Type is one of the API's binary media types).
///
/// It borrows everything and is written straight to JSON ([`Event::to_bytes`]): an invocation
/// builds no `Value` tree for it (a tree plus its writing cost ~115k instructions a call).
pub struct Event<'a> {
    pub req: &'a ClientRequest<'a>,
    pub path_params: &'a [(String, String)],
    pub stage_variables: &'a Map<String, Value>,
    pub context: &'a Value,
    pub binary: bool,
}

/// The `$context` members `requestContext` carries (`identity` goes after `httpMethod`).
pub const CONTEXT_KEYS: [&str; 17] = [
    "accountId",
    "apiId",
    "authorizer",
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
    "stage",
];

/// Above this many query pairs, grouping them by name goes through a map (quadratic below).
const SMALL_QUERY: usize = 16;

impl Event<'_> {
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing borrowed text and `Value`s into a Vec cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The event as a tree (REQUEST authorizers reshape it).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl Serialize for Event<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let req = self.req;
        let mut m = s.serialize_map(Some(12))?;
        m.serialize_entry(
            "resource",
            self.context.get("resourcePath").unwrap_or(&Value::Null),
        )?;
        m.serialize_entry("path", req.path)?;
        m.serialize_entry("httpMethod", req.method.as_str())?;
        let headers = (!req.headers.is_empty()).then_some(req.headers);
        m.serialize_entry("headers", &headers.map(|h| Headers(h, false)))?;
        m.serialize_entry("multiValueHeaders", &headers.map(|h| Headers(h, true)))?;
        if req.query.len() > SMALL_QUERY {
            let (single, multi) = pairs(&req.query);
            m.serialize_entry("queryStringParameters", &single)?;
            m.serialize_entry("multiValueQueryStringParameters", &multi)?;
        } else {
            let query = (!req.query.is_empty()).then_some(&req.query[..]);
            m.serialize_entry("queryStringParameters", &query.map(|q| Query(q, false)))?;
            m.serialize_entry(
                "multiValueQueryStringParameters",
                &query.map(|q| Query(q, true)),
            )?;
        }
        let path_params = (!self.path_params.is_empty()).then_some(PathParams(self.path_params));
        m.serialize_entry("pathParameters", &path_params)?;
        m.serialize_entry(
            "stageVariables",
            &(!self.stage_variables.is_empty()).then_some(self.stage_variables),
        )?;
        m.serialize_entry("requestContext", &RequestContext(self.context))?;
        if req.body.is_empty() {
            m.serialize_entry("body", &())?;
        } else if self.binary {
            m.serialize_entry(
                "body",
                &base64::engine::general_purpose::STANDARD.encode(&req.body),
            )?;
        } else {
            m.serialize_entry("body", &String::from_utf8_lossy(&req.body))?;
        }
        m.serialize_entry("isBase64Encoded", &(self.binary && !req.body.is_empty()))?;
        m.end()
    }
}

/// `headers` (each name's last value, as AWS gives it) or `multiValueHeaders` (all of them).
struct Headers<'a>(&'a HeaderMap, bool);

impl Serialize for Headers<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Headers(headers, multi) = *self;
        let mut m = s.serialize_map(Some(headers.keys_len()))?;
        for name in headers.keys() {
            let values = headers.get_all(name);
            if multi {
                m.serialize_entry(name.as_str(), &Values(values))?;
            } else if let Some(last) = values.iter().next_back() {
                m.serialize_entry(name.as_str(), &String::from_utf8_lossy(last.as_bytes()))?;
            }
        }
        m.end()
    }
}

struct Values<'a>(hyper::header::GetAll<'a, HeaderValue>);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|v| String::from_utf8_lossy(v.as_bytes())))
    }
}

/// `queryStringParameters` (each name's last value) or `multiValueQueryStringParameters` (all
/// of them), names in the order they first appear; for a few pairs ([`SMALL_QUERY`]).
struct Query<'a>(&'a [(String, String)], bool);

impl Serialize for Query<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Query(query, multi) = *self;
        let mut m = s.serialize_map(None)?;
        for (i, (k, _)) in query.iter().enumerate() {
            if query[..i].iter().any(|(seen, _)| seen == k) {
                continue;
            }
            let mut values = query[i..].iter().filter(|(n, _)| n == k).map(|(_, v)| v);
            if multi {
                m.serialize_entry(k, &Seq(std::cell::Cell::new(Some(values))))?;
            } else if let Some(last) = values.next_back() {
                m.serialize_entry(k, last)?;
            }
        }
        m.end()
    }
}

/// A sequence from an iterator, serialized once.
struct Seq<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for Seq<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(it) => s.collect_seq(it),
            None => s.collect_seq(std::iter::empty::<T>()),
        }
    }
}

struct PathParams<'a>(&'a [(String, String)]);

impl Serialize for PathParams<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// `requestContext`: `$context`'s members AWS passes, the identity as AWS records it.
struct RequestContext<'a>(&'a Value);

impl Serialize for RequestContext<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for k in CONTEXT_KEYS {
            if k == "identity" {
                m.serialize_entry(k, &Identity(self.0.get(k)))?;
            } else if let Some(v) = self.0.get(k) {
                m.serialize_entry(k, v)?;
            }
        }
        m.end()
    }
}

/// `requestContext.identity`: `accessKey` even when null; `apiKey`/`apiKeyId` only when a key
/// was used.
struct Identity<'a>(Option<&'a Value>);

impl Serialize for Identity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let fields = match self.0 {
            Some(Value::Object(f)) => Some(f),
            _ => None,
        };
        m.serialize_entry(
            "accessKey",
            fields
                .and_then(|f| f.get("accessKey"))
                .unwrap_or(&Value::Null),
        )?;
        for (k, v) in fields.into_iter().flatten() {
            if k == "accessKey" || ((k == "apiKey" || k == "apiKeyId") && v.is_null()) {
                continue;
            }
            m.serialize_entry(k, v)?;
        }
        m.end()
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
            matched: None,
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
        let e = Event {
            req: &req,
            path_params: &[("proxy".into(), "proxy-value".into())],
            stage_variables: &Map::new(),
            context: &context,
            binary: false,
        }
        .to_value();
        let written: Value = serde_json::from_slice(
            &Event {
                req: &req,
                path_params: &[("proxy".into(), "proxy-value".into())],
                stage_variables: &Map::new(),
                context: &context,
                binary: false,
            }
            .to_bytes(),
        )
        .unwrap();
        assert_eq!(written, e, "the same event either way");
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

    /// Repeated names: the last value in `queryStringParameters`, all in the multi-value form,
    /// names in first-appearance order; the same whether the query is small or large.
    #[test]
    fn query_pairs_are_grouped_by_name() {
        use super::super::pipeline::KnownHeaders;
        let headers = HeaderMap::new();
        for extra in [0, SMALL_QUERY] {
            let mut query: Vec<(String, String)> = vec![
                ("b".into(), "1".into()),
                ("a".into(), "x".into()),
                ("b".into(), "2".into()),
            ];
            query.extend((0..extra).map(|i| (format!("k{i}"), i.to_string())));
            let req = ClientRequest {
                method: hyper::Method::GET,
                path: "/",
                raw_path: "/s/",
                raw_query: "",
                query,
                headers: &headers,
                known: KnownHeaders::of(&headers),
                body: Bytes::from_static(b"hi"),
                source_ip: "127.0.0.1",
                client_cert: None,
                domain_name: "d",
                context_path: None,
                matched: None,
            };
            let e: Value = serde_json::from_slice(
                &Event {
                    req: &req,
                    path_params: &[],
                    stage_variables: &Map::new(),
                    context: &json!({"identity": {"accessKey": "AK", "apiKey": null, "sourceIp": "1"}}),
                    binary: false,
                }
                .to_bytes(),
            )
            .unwrap();
            let single = e["queryStringParameters"].as_object().unwrap();
            assert_eq!(single.keys().take(2).collect::<Vec<_>>(), ["b", "a"]);
            assert_eq!(single["b"], "2");
            assert_eq!(single.len(), 2 + extra);
            assert_eq!(e["multiValueQueryStringParameters"]["b"], json!(["1", "2"]));
            assert_eq!(e["headers"], Value::Null, "no headers: null");
            assert_eq!(e["pathParameters"], Value::Null);
            assert_eq!(e["body"], "hi");
            assert_eq!(
                e["requestContext"]["identity"],
                json!({"accessKey": "AK", "sourceIp": "1"}),
                "an IAM caller's access key once, in first place; no null apiKey"
            );
        }
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
