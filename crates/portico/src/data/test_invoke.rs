//! TestInvokeMethod: run the data-plane pipeline (phases 2–9) against the API's CURRENT
//! definition, without deploying, and answer AWS's shape `{status, body, headers,
//! multiValueHeaders, log, latency}`.
//!
//! The current definition is snapshotted from the store exactly as a deployment would freeze it
//! and compiled on the spot (a test invocation is rare; caching would only add staleness).

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{HeaderMap, Method};
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::compile;
use super::context::Ids;
use super::pipeline::{invoke, ClientRequest, Exec, KnownHeaders, Route, MAX_PAYLOAD};
use crate::app::App;
use crate::control::call::Members;
use crate::control::{parse_query, AsyncHandler, Call, Reply};
use crate::error::ApiError;
use crate::store::{self, kind};

pub fn handler(operation: &str) -> Option<AsyncHandler> {
    match operation {
        "TestInvokeMethod" => Some(test_invoke_method),
        _ => None,
    }
}

fn test_invoke_method<'a>(
    app: &'a App,
    call: &'a Call<'a>,
) -> Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send + 'a>> {
    Box::pin(run(app, call))
}

/// The API as a deployment would freeze it now.
pub fn current_snapshot(app: &App, call: &Call, api_id: &str) -> Result<Value, ApiError> {
    store::read(&*app.store, call.tenant, |txn| {
        let api = txn
            .get(kind::REST_API, "", api_id)?
            .ok_or_else(|| ApiError::not_found("Invalid API identifier specified"))?;
        let all = |txn: &mut dyn store::Txn, k: &str| -> Result<Vec<Value>, ApiError> {
            Ok(txn
                .list(k, api_id, 0, usize::MAX)?
                .into_iter()
                .map(|d| d.body)
                .collect())
        };
        Ok(json!({
            "api": api,
            "resources": all(txn, kind::RESOURCE)?,
            "models": all(txn, kind::MODEL)?,
            "requestValidators": all(txn, kind::REQUEST_VALIDATOR)?,
            "authorizers": all(txn, kind::AUTHORIZER)?,
            "gatewayResponses": all(txn, kind::GATEWAY_RESPONSE)?,
        }))
    })
}

async fn run(app: &App, call: &Call<'_>) -> Result<Reply, ApiError> {
    let api_id = call.label(0).to_string();
    let resource_id = call.label(1).to_string();
    let http_method = call.label(2).to_string();
    let input = call.json()?;
    let snapshot = current_snapshot(app, call, &api_id)?;
    let deployment = compile::deployment("test-invoke-deployment-id", &snapshot);
    let Some(index) = deployment
        .resources
        .iter()
        .position(|r| r.id == resource_id)
    else {
        return Err(ApiError::not_found("Invalid Resource identifier specified"));
    };
    if !deployment.resources[index]
        .methods
        .iter()
        .any(|(m, _)| *m == http_method)
    {
        return Err(ApiError::not_found("Invalid Method identifier specified"));
    }
    let method = Method::from_bytes(http_method.as_bytes())
        .map_err(|_| ApiError::bad_request(format!("Invalid HTTP method {http_method}")))?;
    let path_with_query = input
        .str_of("pathWithQueryString")?
        .unwrap_or_else(|| deployment.resources[index].path.clone());
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
    let variables: Map<String, Value> = compile::variables(input.get("stageVariables"));
    let body = Bytes::from(input.str_of("body")?.unwrap_or_default());
    if body.len() > MAX_PAYLOAD {
        return Err(ApiError::bad_request("Request body exceeds 10485760 bytes"));
    }
    let req = ClientRequest {
        method,
        path: &path,
        query: parse_query(&raw_query),
        raw_query: &raw_query,
        headers: &headers,
        known: KnownHeaders::of(&headers),
        body,
        source_ip: "test-invoke-source-ip",
        domain_name: "testPrefix.testDomainName",
    };
    let received = OffsetDateTime::now_utc();
    let ids = Ids::new(received);
    let [request_id, extended_id, trace_id] = ids.texts();
    let exec = Exec {
        tenant: call.tenant,
        api_id: &api_id,
        stage: "test-invoke-stage",
        deployment: &deployment,
        variables: &variables,
        is_canary: None,
        request_id,
        extended_id,
        trace_id,
        received,
        client: &app.data.client,
        execution_log: true,
        // AWS's test invoke skips API keys, throttling and quotas.
        metering: None,
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
        let v = v.to_str().unwrap_or("").to_string();
        single.insert(k.as_str().to_string(), Value::String(v.clone()));
        match multi.get_mut(k.as_str()) {
            Some(Value::Array(a)) => a.push(Value::String(v)),
            _ => {
                multi.insert(k.as_str().to_string(), json!([v]));
            }
        }
    }
    let stamp = received
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap_or_default();
    let log: String = inv
        .log
        .iter()
        .map(|l| format!("Execution log for request {request_id}\n{stamp} : {l}\n"))
        .take(1)
        .chain(inv.log.iter().skip(1).map(|l| format!("{stamp} : {l}\n")))
        .collect();
    Ok(Reply::Json(json!({
        "status": parts.status.as_u16(),
        "body": String::from_utf8_lossy(&body),
        "headers": single,
        "multiValueHeaders": multi,
        "log": log,
        "latency": latency,
    })))
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
