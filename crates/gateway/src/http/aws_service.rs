//! HTTP APIs' AWS service integrations (`AWS_PROXY` with an `integrationSubtype`,
//! http-api-develop-integrations-aws-services.html): the integration's request parameters
//! (`QueueUrl`, `MessageBody`, `Detail`…, each a value with `$request.*`, `$context.*`,
//! `$stageVariables.*` in it, or static text) become the service's request, in the protocol
//! the service's SDKs speak today (SQS and Step Functions: JSON 1.0; EventBridge and Kinesis:
//! JSON 1.1; all with `X-Amz-Target`; AppConfig: REST), SigV4-signed with
//! `[aws_services]`' credentials for the region the `Region` parameter names (else the API's),
//! and sent to the endpoint configured for the service. The service's answer (status,
//! content type, body) is the client's, as on AWS, through the response parameter mappings.
//!
//! Decisions where AWS is silent: a parameter whose value comes out empty is left out of the
//! service request (the service answers its own error for a missing required one); numbers
//! (`DelaySeconds`…) are sent as numbers when they read as integers; lists
//! (`AttributeNames`, `Resources`…) are a JSON array or comma-separated text; JSON members
//! (`MessageAttributes`…) are sent parsed when they parse; Kinesis' `Data` is the value's
//! bytes (base64 in the JSON body, as the protocol carries blobs).

use std::borrow::Cow;
use std::time::Instant;

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Method, Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use portico_model::integration_subtype::Subtype;
use serde_json::{Map, Value};

use super::compile::IntegrationPlan;
use super::params::Expr;
use super::pipeline::internal_error;
use super::proxy::integration_failure;
use super::request::Req;
use crate::http::{full, ResponseBody};
use crate::integrations::http::Endpoint;
use crate::rest::request_map::BackendRequest;
use crate::DataPlane;

/// RFC 3986 unreserved characters stay as they are (what SigV4's canonical form expects).
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// How a parameter's text is sent.
enum Kind {
    Text,
    Int,
    List,
    Json,
    Blob,
}

fn kind_of(param: &str) -> Kind {
    match param {
        "DelaySeconds" | "MaxNumberOfMessages" | "VisibilityTimeout" | "WaitTimeSeconds" => {
            Kind::Int
        }
        "AttributeNames" | "MessageAttributeNames" | "Resources" => Kind::List,
        "MessageAttributes" | "MessageSystemAttributes" => Kind::Json,
        "Data" => Kind::Blob,
        _ => Kind::Text,
    }
}

fn typed(param: &str, text: String) -> Value {
    match kind_of(param) {
        Kind::Text => Value::String(text),
        Kind::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(Value::String(text)),
        Kind::List => match serde_json::from_str::<Value>(&text) {
            Ok(v @ Value::Array(_)) => v,
            _ => Value::Array(
                text.split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .collect(),
            ),
        },
        Kind::Json => serde_json::from_str(&text).unwrap_or(Value::String(text)),
        Kind::Blob => Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
    }
}

/// The service request: method, path below the endpoint, query, headers, body.
struct ServiceRequest {
    method: Method,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

fn json_call(version: &str, target: String, body: Value) -> ServiceRequest {
    ServiceRequest {
        method: Method::POST,
        path: "/".into(),
        query: String::new(),
        headers: vec![
            (
                "content-type".into(),
                format!("application/x-amz-json-{version}"),
            ),
            ("x-amz-target".into(), target),
        ],
        body: Bytes::from(body.to_string()),
    }
}

/// The service request a subtype makes of its evaluated parameters (`Region` left out).
fn service_request(sub: &Subtype, values: &[(&'static str, String)]) -> ServiceRequest {
    let members = |rename: fn(&str) -> String| -> Map<String, Value> {
        values
            .iter()
            .map(|(k, v)| (rename(k), typed(k, v.clone())))
            .collect()
    };
    match sub.service {
        "sqs" => json_call(
            "1.0",
            format!("AmazonSQS.{}", sub.action),
            Value::Object(members(str::to_string)),
        ),
        "events" => json_call(
            "1.1",
            "AWSEvents.PutEvents".into(),
            serde_json::json!({ "Entries": [Value::Object(members(str::to_string))] }),
        ),
        "kinesis" => json_call(
            "1.1",
            format!("Kinesis_20131202.{}", sub.action),
            Value::Object(members(str::to_string)),
        ),
        // Step Functions' members are lowerCamelCase (`stateMachineArn`, `input`…).
        "states" => json_call(
            "1.0",
            format!("AWSStepFunctions.{}", sub.action),
            Value::Object(members(|k| {
                let mut c = k.chars();
                c.next()
                    .map(|f| f.to_ascii_lowercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })),
        ),
        // AppConfig's GetConfiguration: GET /applications/{a}/environments/{e}/configurations/{c}
        // ?client_id=…[&client_configuration_version=…].
        _ => {
            let get = |k: &str| {
                values
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map_or("", |(_, v)| v.as_str())
            };
            let seg = |k: &str| utf8_percent_encode(get(k), UNRESERVED).to_string();
            let mut query = format!("client_id={}", seg("ClientId"));
            if !get("ClientConfigurationVersion").is_empty() {
                query.push_str("&client_configuration_version=");
                query.push_str(&seg("ClientConfigurationVersion"));
            }
            ServiceRequest {
                method: Method::GET,
                path: format!(
                    "/applications/{}/environments/{}/configurations/{}",
                    seg("Application"),
                    seg("Environment"),
                    seg("Configuration")
                ),
                query,
                headers: Vec::new(),
                body: Bytes::new(),
            }
        }
    }
}

pub(super) async fn call(
    dp: &DataPlane,
    req: &Req<'_>,
    integ: &IntegrationPlan,
    sub: &'static Subtype,
    params: &[(&'static str, Expr)],
) -> Result<Response<ResponseBody>, Response<ResponseBody>> {
    let mut region = req.api.tenant.region().to_string();
    let mut values = Vec::with_capacity(params.len());
    for (name, expr) in params {
        let v = expr.eval(req, None);
        if v.is_empty() {
            continue;
        }
        if *name == "Region" {
            region = v;
        } else {
            values.push((*name, v));
        }
    }
    let Some((services, base)) = dp
        .aws_services
        .as_ref()
        .and_then(|s| Some((s, s.endpoint(sub.service)?)))
    else {
        tracing::warn!(
            integration = integ.id,
            "no endpoint for AWS service {:?} ({}): Portico runs no AWS service, set [aws_services] endpoint",
            sub.service,
            sub.name
        );
        return Err(internal_error());
    };
    let sr = service_request(sub, &values);
    let base_path = base
        .split_once("://")
        .map_or("", |(_, r)| r.find('/').map_or("", |i| &r[i..]));
    let raw_path = format!("{}{}", base_path.trim_end_matches('/'), sr.path);
    let mut url = format!("{}{}", base.trim_end_matches(base_path), raw_path);
    if !sr.query.is_empty() {
        url.push('?');
        url.push_str(&sr.query);
    }
    let endpoint = Endpoint::parse(url).map_err(|e| {
        tracing::warn!(integration = integ.id, "{}", e.detail.unwrap_or_default());
        internal_error()
    })?;
    let amz_date = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year][month][day]T[hour][minute][second]Z"
        ))
        .unwrap_or_default();
    let mut headers: Vec<(String, String)> = vec![
        ("host".into(), endpoint.host().to_string()),
        ("x-amz-date".into(), amz_date.clone()),
    ];
    headers.extend(sr.headers);
    let signed: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let authorization = sigv4::sign(
        &sigv4::Request {
            method: sr.method.as_str(),
            raw_path: &raw_path,
            raw_query: &sr.query,
            headers: &signed,
            body: &sr.body,
        },
        &services.access_key,
        &services.secret_key,
        &region,
        sub.service,
        &amz_date,
    );
    let mut added = Vec::with_capacity(512);
    // `Host` is written by the client from the endpoint.
    for (k, v) in headers.iter().skip(1) {
        added.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    added.extend_from_slice(format!("authorization: {authorization}\r\n").as_bytes());
    let out = BackendRequest {
        method: sr.method,
        endpoint: Cow::Owned(endpoint),
        headers: Cow::Owned(HeaderMap::new()),
        skip: |_| false,
        added,
        body: sr.body,
        via: None,
        tls: Default::default(),
    };
    let outcome = dp
        .client
        .send_buffered(out, Instant::now(), integ.timeout)
        .await
        .map_err(|e| integration_failure(&integ.id, e))?;
    let mut resp = Response::new(full(outcome.body));
    *resp.status_mut() =
        StatusCode::from_u16(outcome.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = outcome
        .headers
        .get(CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/json"));
    resp.headers_mut().insert(CONTENT_TYPE, content_type);
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_model::integration_subtype::find;

    #[test]
    fn each_service_gets_its_protocol() {
        let sqs = service_request(
            find("SQS-SendMessage").unwrap(),
            &[
                ("QueueUrl", "http://q/000000000000/q1".into()),
                ("MessageBody", "hi".into()),
                ("DelaySeconds", "5".into()),
            ],
        );
        assert_eq!(sqs.headers[1].1, "AmazonSQS.SendMessage");
        assert_eq!(sqs.headers[0].1, "application/x-amz-json-1.0");
        let body: Value = serde_json::from_slice(&sqs.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"QueueUrl": "http://q/000000000000/q1", "MessageBody": "hi", "DelaySeconds": 5})
        );
        let sfn = service_request(
            find("StepFunctions-StartExecution").unwrap(),
            &[("StateMachineArn", "arn:sm".into()), ("Input", "{}".into())],
        );
        let body: Value = serde_json::from_slice(&sfn.body).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"stateMachineArn": "arn:sm", "input": "{}"})
        );
        let k = service_request(
            find("Kinesis-PutRecord").unwrap(),
            &[("Data", "abc".into()), ("PartitionKey", "p".into())],
        );
        assert_eq!(k.headers[1].1, "Kinesis_20131202.PutRecord");
        assert!(std::str::from_utf8(&k.body).unwrap().contains("\"YWJj\""));
        let ac = service_request(
            find("AppConfig-GetConfiguration").unwrap(),
            &[
                ("Application", "a b".into()),
                ("Environment", "e".into()),
                ("Configuration", "c".into()),
                ("ClientId", "id".into()),
            ],
        );
        assert_eq!(ac.method, Method::GET);
        assert_eq!(
            (ac.path.as_str(), ac.query.as_str()),
            (
                "/applications/a%20b/environments/e/configurations/c",
                "client_id=id"
            )
        );
    }

    #[test]
    fn lists_take_json_or_commas() {
        assert_eq!(
            typed("AttributeNames", "All, SentTimestamp".into()),
            serde_json::json!(["All", "SentTimestamp"])
        );
        assert_eq!(
            typed("Resources", "[\"arn:a\"]".into()),
            serde_json::json!(["arn:a"])
        );
        assert_eq!(typed("WaitTimeSeconds", "x".into()), serde_json::json!("x"));
    }
}
