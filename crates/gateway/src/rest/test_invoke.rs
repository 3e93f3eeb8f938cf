//! TestInvokeMethod's run: one request through the pipeline (phases 2–9) against an API's
//! current definition, compiled on the spot, without deploying; the answer in AWS's shape
//! `{status, body, headers, multiValueHeaders, log, latency}`. The management API freezes the
//! definition (`DeploymentSnapshot::freeze`) and decodes the call; this is the data plane's
//! half.

use std::future::Future;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method};
use portico_core::query::parse_query;
use portico_core::{ApiError, Tenant};
use portico_model::DeploymentSnapshot;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::compile;
use super::context::Ids;
use super::pipeline::{invoke, ClientRequest, Exec, KnownHeaders, Route, MAX_PAYLOAD};

/// A string member of the test request, or a client error naming it.
fn str_of(input: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match input.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_request(format!(
            "Invalid value for member '{key}': expected a string"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn run(
    dp: &crate::DataPlane,
    tenant: &Tenant,
    api_id: &str,
    resource_id: &str,
    http_method: &str,
    snapshot: &DeploymentSnapshot,
    input: &Map<String, Value>,
) -> Result<Value, ApiError> {
    let deployment = compile::deployment("test-invoke-deployment-id", snapshot);
    let Some(index) = deployment
        .resources
        .iter()
        .position(|r| r.id == resource_id)
    else {
        return Err(ApiError::not_found("Invalid Resource identifier specified"));
    };
    // The method, or the resource's ANY method (AWS tests a GET through ANY: LocalStack's
    // test_failed_invoke_test_method, replayed in tests/aws_recorded).
    if deployment.resources[index].method(http_method).is_none() {
        return Err(ApiError::not_found("Invalid Method identifier specified"));
    }
    let method = Method::from_bytes(http_method.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("Invalid HTTP method {http_method}")))?;
    let sim = Simulated::read(input, &deployment.resources[index].path)?;
    let req = sim.request(method);
    let received = OffsetDateTime::now_utc();
    let ids = Ids::new(received);
    let [request_id, extended_id, trace_id] = ids.texts();
    let exec = Exec {
        tenant,
        api_id,
        stage: "test-invoke-stage",
        deployment: &deployment,
        variables: &sim.variables,
        is_canary: None,
        request_id,
        extended_id,
        trace_id,
        received,
        client: &dp.client,
        // A test invocation runs outside any stage, so it presents no client certificate.
        client_cert: None,
        // Nor does it read or fill the stage cache.
        cache: None,
        execution_log: true,
        // AWS's test invoke skips API keys, throttling and quotas.
        metering: None,
        iam: None,
        user_pools: None,
        // Lambda integrations run their function, as AWS's test invocations do.
        lambda: dp.lambda.as_deref(),
        authorizer_cache: None,
        // AWS service integrations are called, as AWS's test invocations do.
        aws_services: dp.aws_services.as_ref(),
    };
    let started = Instant::now();
    let inv = invoke(&exec, &req, Route::Resource(index), false).await;
    let (parts, body) = inv.response.into_parts();
    // Bodies here are bounded already (a proxied one by the backend's own 10 MB cap).
    let body = collect(body).await;
    let latency = started.elapsed().as_millis() as u64;
    let mut single = Map::new();
    let mut multi: Map<String, Value> = Map::new();
    for (k, v) in &parts.headers {
        // AWS's answer for a gateway error holds only its x-amzn-ErrorType (recorded: LocalStack's
        // test_failed_invoke_test_method); names are spelt as AWS spells them.
        if inv.error.is_some() && k != "x-amzn-errortype" {
            continue;
        }
        let name = match k.as_str() {
            "content-type" => "Content-Type",
            "x-amzn-errortype" => "x-amzn-ErrorType",
            other => other,
        };
        let v = v.to_str().unwrap_or("").to_string();
        single.insert(name.to_string(), Value::String(v.clone()));
        match multi.get_mut(name) {
            Some(Value::Array(a)) => a.push(Value::String(v)),
            _ => {
                multi.insert(name.to_string(), json!([v]));
            }
        }
    }
    let log = execution_log(request_id, received, &inv.log);
    Ok(json!({
        "status": parts.status.as_u16(),
        "body": String::from_utf8_lossy(&body),
        "headers": single,
        "multiValueHeaders": multi,
        "log": log,
        "latency": latency,
    }))
}

/// A simulated request (TestInvokeMethod's and TestInvokeAuthorizer's input):
/// `pathWithQueryString` (default: `default_path`), `headers`, `multiValueHeaders`, `body`,
/// `stageVariables`.
pub(super) struct Simulated {
    pub path: String,
    pub raw_query: String,
    pub headers: HeaderMap,
    pub variables: Map<String, Value>,
    pub body: Bytes,
}

impl Simulated {
    pub fn read(input: &Map<String, Value>, default_path: &str) -> Result<Simulated, ApiError> {
        let path_with_query =
            str_of(input, "pathWithQueryString")?.unwrap_or_else(|| default_path.to_string());
        let (path, raw_query) = match path_with_query.split_once('?') {
            Some((p, q)) => (p.to_string(), q.to_string()),
            None => (path_with_query.clone(), String::new()),
        };
        let mut headers = HeaderMap::new();
        for (k, v) in input
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if let (Ok(n), Some(Ok(v))) = (
                HeaderName::try_from(k.as_str()),
                v.as_str().map(HeaderValue::from_str),
            ) {
                headers.insert(n, v);
            }
        }
        for (k, vs) in input
            .get("multiValueHeaders")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Ok(n) = HeaderName::try_from(k.as_str()) else {
                continue;
            };
            headers.remove(&n);
            for v in vs
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                if let Ok(v) = HeaderValue::from_str(v) {
                    headers.append(n.clone(), v);
                }
            }
        }
        let variables = compile::variables(input.get("stageVariables"));
        let body = Bytes::from(str_of(input, "body")?.unwrap_or_default());
        if body.len() > MAX_PAYLOAD {
            return Err(ApiError::bad_request("Request body exceeds 10485760 bytes"));
        }
        Ok(Simulated {
            path,
            raw_query,
            headers,
            variables,
            body,
        })
    }

    /// The request as the pipeline reads it.
    pub fn request(&self, method: Method) -> ClientRequest<'_> {
        ClientRequest {
            method,
            path: &self.path,
            query: parse_query(&self.raw_query),
            raw_query: &self.raw_query,
            headers: &self.headers,
            known: KnownHeaders::of(&self.headers),
            body: self.body.clone(),
            source_ip: "test-invoke-source-ip",
            raw_path: "",
            client_cert: None,
            domain_name: "testPrefix.testDomainName",
            context_path: None,
            matched: None,
        }
    }
}

/// The execution log as AWS's test invocations print it: a title line, then each entry
/// stamped with Java's Date.toString() (`Mon Dec 07 17:27:42 UTC 2026`).
pub(super) fn execution_log(
    request_id: &str,
    received: OffsetDateTime,
    lines: &[String],
) -> String {
    let stamp = received
        .format(time::macros::format_description!(
            "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
        ))
        .unwrap_or_default();
    if lines.is_empty() {
        return String::new();
    }
    let mut out = format!("Execution log for request {request_id}\n");
    for l in lines {
        out.push_str(&format!("{stamp} : {l}\n"));
    }
    out
}

/// Out of line so the boxed future's `Send` check doesn't meet the body's error conversion.
#[allow(clippy::manual_async_fn)]
fn collect(body: crate::http::ResponseBody) -> impl Future<Output = Bytes> + Send {
    async move {
        match body.collect().await {
            Ok(c) => c.to_bytes(),
            Err(_) => Bytes::new(),
        }
    }
}
