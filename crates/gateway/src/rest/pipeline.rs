//! One invocation, as named phases:
//! 1. resolve API + stage (+ canary pick)      — [`serve`]
//! 2. route to resource + method               — [`invoke`]
//! 3. authorize (hook; NONE for now)           — [`authorize`]
//! 4. validate parameters and body             — `validate`
//!    the stage cache (stages with one)          — [`crate::cache`], `integrate::through_cache`
//! 5. map the integration request              — `request_map`
//! 6. integrate (MOCK, HTTP, HTTP_PROXY, Lambda) — `integrate`, `integrations`, `lambda`
//! 7. integration response, 8. method response  — `response_map`
//! 9. failures anywhere → gateway responses    — `gateway_responses`
//! 10. access log + metrics                    — [`serve`]
//!
//! [`invoke`] is shared with `test_invoke_method`, which runs phases 2–9 against the current,
//! undeployed definition.

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Response};
use serde_json::{Map, Value};
use time::OffsetDateTime;

use super::authorize::{self, Authorized};
use super::compile::{Deployment, MethodPlan};
use super::context::{self, Ids, Info};
use super::gateway_responses::{self, GatewayError, ResponseType};
use super::integrate;
use super::lambda_authorizer::AuthorizerCache;
use super::mapping::{LazyContext, View};
use super::request_map::{self, X_AMZN_TRACE_ID, X_FORWARDED_FOR};
use super::router::Router;
use crate::cache::StageCache;
use crate::cognito::UserPools;
use crate::domains::Domain;
use crate::http::{read_whole, ReadError, ResponseBody};
use crate::iam::IamVerifier;
use crate::integrations::http::Client;
use crate::integrations::lambda::LambdaInvoker;
use crate::integrations::tls::ClientCert;
use crate::metering::Metering;
use crate::registry::LiveStage;
use crate::{DataPlane, Peer, Target};
use portico_core::query::parse_query;
use portico_store::Tenant;

/// API Gateway's payload limit.
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

/// The client's request, read and normalised once; the text is borrowed from the request as
/// it arrived.
pub struct ClientRequest<'a> {
    pub method: Method,
    /// Raw resource path below the stage (`/pets/1`).
    pub path: &'a str,
    /// The whole path as the client sent it (what a SigV4 signature covers).
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    /// Decoded query pairs in wire order.
    pub query: Vec<(String, String)>,
    pub headers: &'a HeaderMap,
    /// The headers the pipeline itself reads, found in one pass over `headers`.
    pub known: KnownHeaders<'a>,
    pub body: Bytes,
    pub source_ip: &'a str,
    /// `$context.identity.clientCert` (mutual TLS only).
    pub client_cert: Option<&'a Value>,
    pub domain_name: &'a str,
    /// Through a custom domain: the path the client asked for, base path included
    /// (`$context.path`); `None` on execute-api addresses (`/{stage}` + `path`).
    pub context_path: Option<&'a str>,
    /// Through a custom domain: what chose the API (`$context.customDomain.*`).
    pub matched: Option<crate::Matched<'a>>,
}

/// The client headers the pipeline reads on every request, found in one pass over the
/// request's headers: a hashed lookup per name cost ~100 instructions each. Each is the
/// first value of its name, as `HeaderMap::get` gives.
#[derive(Default, Clone, Copy)]
pub struct KnownHeaders<'a> {
    pub content_length: Option<&'a HeaderValue>,
    pub content_type: Option<&'a HeaderValue>,
    pub accept: Option<&'a HeaderValue>,
    pub user_agent: Option<&'a HeaderValue>,
    pub api_key: Option<&'a HeaderValue>,
    pub forwarded_for: Option<&'a HeaderValue>,
}

impl<'a> KnownHeaders<'a> {
    pub fn of(headers: &'a HeaderMap) -> KnownHeaders<'a> {
        let mut k = KnownHeaders::default();
        for (name, value) in headers {
            let slot = if name == CONTENT_LENGTH {
                &mut k.content_length
            } else if name == CONTENT_TYPE {
                &mut k.content_type
            } else if name == ACCEPT {
                &mut k.accept
            } else if name == USER_AGENT {
                &mut k.user_agent
            } else if name == X_API_KEY {
                &mut k.api_key
            } else if name == X_FORWARDED_FOR {
                &mut k.forwarded_for
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        k
    }
}

/// Which deployment/stage an invocation runs against.
pub struct Exec<'a> {
    pub tenant: &'a Tenant,
    pub api_id: &'a str,
    pub stage: &'a str,
    pub deployment: &'a Deployment,
    pub variables: &'a Map<String, Value>,
    pub is_canary: Option<bool>,
    pub request_id: &'a str,
    pub extended_id: &'a str,
    pub trace_id: &'a str,
    pub received: OffsetDateTime,
    pub client: &'a Client,
    /// The stage's client certificate (`clientCertificateId`), presented to `https://` backends.
    pub client_cert: Option<&'a ClientCert>,
    /// The stage cache, when the stage has one (and the canary, if this is it, uses it).
    pub cache: Option<&'a StageCache>,
    /// Keep an execution log (test-invoke).
    pub execution_log: bool,
    /// API keys, throttles and quotas; `None` skips them (test-invoke, as in AWS).
    pub metering: Option<&'a Metering>,
    /// Verifies `AWS_IAM` signatures; `None` refuses such methods.
    pub iam: Option<&'a dyn IamVerifier>,
    /// The user pools `COGNITO_USER_POOLS` methods check tokens against.
    pub user_pools: Option<&'a UserPools>,
    /// Runs Lambda functions (`AWS_PROXY`, authorizers); `None` answers such integrations
    /// with a 500 and refuses such authorizers.
    pub lambda: Option<&'a dyn LambdaInvoker>,
    /// Lambda authorizers' cached results; `None` caches nothing.
    pub authorizer_cache: Option<&'a AuthorizerCache>,
    /// The endpoints of `AWS` integrations to AWS services; `None` answers them with a 500.
    pub aws_services: Option<&'a crate::integrations::aws::AwsServices>,
}

/// The execution log `test_invoke_method` returns. Off on the serving path, where each entry
/// would cost a formatted string per request.
#[derive(Default)]
pub struct ExecLog(Option<Vec<String>>);

impl ExecLog {
    pub fn on() -> ExecLog {
        ExecLog(Some(Vec::new()))
    }
    pub fn add(&mut self, line: impl FnOnce() -> String) {
        if let Some(v) = &mut self.0 {
            v.push(line());
        }
    }
    pub fn lines(self) -> Vec<String> {
        self.0.unwrap_or_default()
    }
}

pub enum Route {
    /// Route by path through the deployment's trie.
    Find,
    /// A given resource (test-invoke names it); path parameters still come from the path.
    Resource(usize),
}

pub struct Invocation {
    pub response: Response<ResponseBody>,
    /// `$context`, when asked for (access logging).
    pub context: Option<Value>,
    /// The failure the response was rendered from, if any (`$context.error.*` in access logs).
    pub error: Option<GatewayError>,
    pub integration_latency: Option<Duration>,
    pub log: Vec<String>,
}

/// Data-plane entry for a request whose `Host` is the custom domain name `domain`: its routing
/// rules and base path mappings, as its routing mode allows, pick the API and stage
/// (`crate::domains`), then [`serve`]. A request neither claims gets API Gateway's 403
/// `{"message":"Forbidden"}`.
pub async fn serve_domain(
    dp: &DataPlane,
    domain: &Domain,
    host: &str,
    path: &str,
    peer: &Peer,
    parts: &Parts,
    body: Incoming,
) -> Response<ResponseBody> {
    let Some(r) = domain.route(path, &parts.headers) else {
        let mut r = gateway_responses::forbidden();
        stamp(&mut r, Ids::new(OffsetDateTime::now_utc()));
        return r;
    };
    let target = Target {
        api_id: r.api_id,
        stage: r.stage,
        path: r.path,
        region: None,
        host: Some(host),
        domain: Some((r.tenant, path)),
        matched: Some(r.matched),
    };
    if r.http {
        // An `apigatewayv2` mapping of an HTTP API: straight to its pipeline. Once the API is
        // gone, `serve` answers as for any unknown API.
        if let Some(api) = dp.http_apis.api_of(r.tenant, r.api_id) {
            return crate::http::pipeline::serve(dp, api, target, peer, parts, body).await;
        }
    }
    serve(dp, target, peer, parts, body).await
}

/// Data-plane entry: phases 1 and 10 around [`invoke`]. `target` was read from `parts`.
pub async fn serve(
    dp: &DataPlane,
    target: Target<'_>,
    peer: &Peer,
    parts: &Parts,
    body: Incoming,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let api = match target.domain {
        Some((tenant, _)) => dp.registry.api_of(tenant, target.api_id),
        None => dp.registry.api(target.api_id, target.region),
    };
    let stage = match api {
        Some(api) => api.stages.get(target.stage).cloned(),
        // The API-kind dispatch: an id no REST API has may be an HTTP API's (REST pays
        // nothing for it). Not boxed: the HTTP pipeline's future is smaller than REST's and
        // shares its space (the service future stays 8,440 bytes), where a box was a large
        // allocation and copy on every HTTP API request (~1.5k instructions).
        None => {
            let http = match target.domain {
                Some((tenant, _)) => dp.http_apis.api_of(tenant, target.api_id),
                None => dp.http_apis.api(target.api_id, target.region),
            };
            if let Some(http) = http {
                return crate::http::pipeline::serve(dp, http, target, peer, parts, body).await;
            }
            None
        }
    };
    // The clock and the ids after the API-kind dispatch: an HTTP API makes its own.
    let received = OffsetDateTime::now_utc();
    let ids = Ids::new(received);
    let Some(stage) = stage else {
        let mut r = gateway_responses::forbidden();
        stamp(&mut r, ids);
        return r;
    };
    // Phase 1: canary split.
    let (deployment, variables, is_canary) = pick(&stage);
    let domain_name = target
        .host
        .map(|h| &h[..crate::find_byte(h, b':').unwrap_or(h.len())])
        .unwrap_or_default();
    let [request_id, extended_id, trace_id] = ids.texts();
    let exec = Exec {
        tenant: &stage.tenant,
        api_id: &stage.api_id,
        stage: &stage.name,
        deployment,
        variables,
        is_canary,
        request_id,
        extended_id,
        trace_id,
        received,
        client: &dp.client,
        client_cert: stage.client_cert.as_ref(),
        cache: stage.cache_for(is_canary),
        execution_log: false,
        metering: Some(&dp.metering),
        iam: dp.iam.as_deref(),
        user_pools: Some(&dp.user_pools),
        lambda: dp.lambda.as_deref(),
        authorizer_cache: Some(&dp.authorizer_cache),
        aws_services: dp.aws_services.as_ref(),
    };
    let known = KnownHeaders::of(&parts.headers);
    let declared = known
        .content_length
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let body = if declared.is_some_and(|n| n > MAX_PAYLOAD as u64) {
        None
    } else if body.is_end_stream() {
        Some(Bytes::new())
    } else {
        match read_whole(body, MAX_PAYLOAD).await {
            Ok(bytes) => Some(bytes),
            Err(ReadError::TooLarge) => None,
            Err(ReadError::Body(e)) => {
                // The client went away mid-body: don't invoke the backend with half a request.
                tracing::debug!(error = %e, "client body read failed");
                let mut r = deployment.gateway_responses.render(
                    &GatewayError::new(ResponseType::Default4xx, "Could not read the request body")
                        .with_status(400),
                    &LazyContext::ready(Value::Null),
                    variables,
                    None,
                );
                stamp(&mut r, ids);
                return r;
            }
        }
    };
    let raw_query = parts.uri.query().unwrap_or("");
    let creq = ClientRequest {
        method: parts.method.clone(),
        path: target.path,
        raw_path: parts.uri.path(),
        raw_query,
        query: parse_query(raw_query),
        headers: &parts.headers,
        known,
        body: body.clone().unwrap_or_default(),
        source_ip: &peer.source_ip,
        client_cert: peer.client_cert.as_ref(),
        domain_name,
        context_path: target.domain.map(|(_, p)| p),
        matched: target.matched,
    };
    let mut inv = match body {
        Some(_) => invoke(&exec, &creq, Route::Find, stage.access_log.is_some()).await,
        None => {
            let err = GatewayError::new(
                ResponseType::RequestTooLarge,
                format!("HTTP content length exceeded {MAX_PAYLOAD} bytes."),
            );
            let nobody = Authorized::default();
            let make = base_context(&exec, &creq, "", "", &nobody);
            let ctx = LazyContext::new(&make);
            let response = deployment
                .gateway_responses
                .render(&err, &ctx, variables, None);
            Invocation {
                response,
                context: stage.access_log.is_some().then(|| ctx.take()),
                error: Some(err),
                integration_latency: None,
                log: Vec::new(),
            }
        }
    };
    stamp(&mut inv.response, ids);
    let status = inv.response.status().as_u16();
    let latency = started.elapsed();
    stage
        .metrics
        .observe(status, latency, inv.integration_latency);
    if let (Some(format), Some(mut ctx)) = (&stage.access_log, inv.context) {
        if let Value::Object(m) = &mut ctx {
            m.insert("status".into(), Value::from(status));
            m.insert(
                "responseLatency".into(),
                Value::from(latency.as_millis() as u64),
            );
            if let Some(d) = inv.integration_latency {
                m.insert(
                    "integrationLatency".into(),
                    Value::from(d.as_millis() as u64),
                );
                m.insert(
                    "integration".into(),
                    serde_json::json!({"latency": d.as_millis() as u64}),
                );
            }
            if let Some(e) = &inv.error {
                m.insert("error".into(), gateway_responses::error_context(e));
            }
            if let Some(n) = inv.response.body().size_hint().exact() {
                m.insert("responseLength".into(), Value::from(n));
            }
        }
        tracing::info!(target: "portico::access", api_id = %stage.api_id, stage = %stage.name, "{}", format.render(&ctx));
    }
    inv.response
}

/// Phase 1 (canary): `percentTraffic` of requests go to the canary deployment with the
/// overridden stage variables.
fn pick(stage: &LiveStage) -> (&Deployment, &Map<String, Value>, Option<bool>) {
    match &stage.canary {
        Some(c) => {
            let roll: f64 = rand::random::<f64>() * 100.0;
            if roll < c.percent {
                (&c.deployment, &c.variables, Some(true))
            } else {
                (&stage.deployment, &stage.variables, Some(false))
            }
        }
        None => (&stage.deployment, &stage.variables, None),
    }
}

// Named once: a `&str` header name is parsed and hashed on every insert.
const X_AMZN_REQUEST_ID: HeaderName = HeaderName::from_static("x-amzn-requestid");
const X_AMZ_APIGW_ID: HeaderName = HeaderName::from_static("x-amz-apigw-id");
const X_API_KEY: HeaderName = HeaderName::from_static("x-api-key");

/// Takes the ids by value: their buffer becomes the header values without a copy.
fn stamp(r: &mut Response<ResponseBody>, ids: Ids) {
    let h = r.headers_mut();
    let names = [X_AMZN_REQUEST_ID, X_AMZ_APIGW_ID, X_AMZN_TRACE_ID];
    for (name, value) in names.into_iter().zip(ids.header_values()) {
        if let Ok(v) = value {
            h.insert(name, v);
        }
    }
}

fn base_context<'a>(
    exec: &'a Exec,
    req: &'a ClientRequest<'a>,
    resource_id: &'a str,
    resource_path: &'a str,
    identity: &'a Authorized,
) -> impl Fn(Option<&[Box<str>]>) -> Value + Send + Sync + 'a {
    move |keys| build_context(exec, req, resource_id, resource_path, identity, keys)
}

pub(super) fn build_context(
    exec: &Exec,
    req: &ClientRequest<'_>,
    resource_id: &str,
    resource_path: &str,
    identity: &Authorized,
    keys: Option<&[Box<str>]>,
) -> Value {
    context::build(
        &Info {
            request_id: exec.request_id,
            extended_request_id: exec.extended_id,
            tenant: exec.tenant,
            api_id: exec.api_id,
            stage: exec.stage,
            deployment_id: &exec.deployment.id,
            resource_id,
            resource_path,
            http_method: req.method.as_str(),
            request_path: req.path,
            context_path: req.context_path,
            matched: req.matched,
            domain_name: req.domain_name,
            source_ip: req.source_ip,
            client_cert: req.client_cert,
            user_agent: req.known.user_agent.and_then(|v| v.to_str().ok()),
            received: exec.received,
            is_canary: exec.is_canary,
            identity: identity.key.as_ref(),
            caller: identity.caller.as_ref(),
            authorizer: identity.authorizer.as_ref(),
        },
        keys,
    )
}

/// Phases 2–9.
pub async fn invoke(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    route: Route,
    want_context: bool,
) -> Invocation {
    let dep = exec.deployment;
    // Phase 2: route.
    let routed = match route {
        Route::Find => dep
            .router
            .find_with(req.path, &|i| {
                dep.resources[i].method(req.method.as_str()).is_some()
            })
            .map(|m| (m.resource, m.params)),
        Route::Resource(i) => dep.resources.get(i).map(|r| {
            let mut one = Router::new();
            let params = match one.insert(&r.path, 0) {
                Ok(()) => one.find(req.path).map(|m| m.params).unwrap_or_default(),
                Err(_) => Vec::new(),
            };
            (i, params)
        }),
    };
    let plan = routed.as_ref().and_then(|(i, _)| {
        dep.resources[*i]
            .method(req.method.as_str())
            .map(|p| (&dep.resources[*i], p))
    });
    let Some((resource, plan)) = plan else {
        let nobody = Authorized::default();
        let make = base_context(exec, req, "", "", &nobody);
        let ctx = LazyContext::new(&make);
        let response = dep.gateway_responses.render(
            &GatewayError::missing_token(),
            &ctx,
            exec.variables,
            None,
        );
        return Invocation {
            response,
            context: want_context.then(|| ctx.take()),
            error: Some(GatewayError::missing_token()),
            integration_latency: None,
            log: vec!["Method not found for the requested path and HTTP method".into()],
        };
    };
    let params = routed.map(|(_, p)| p).unwrap_or_default();
    // Phase 3 runs before `$context` exists: the identity it accepts is part of it.
    let before = {
        let nobody = Authorized::default();
        move || build_context(exec, req, &resource.id, &resource.path, &nobody, None)
    };
    let (identity, auth) = match authorize::authorize(exec, plan, req, &params, &before).await {
        Ok(id) => (id, Ok(())),
        Err(e) => (Authorized::default(), Err(e)),
    };
    let make = base_context(exec, req, &resource.id, &resource.path, &identity);
    let ctx = LazyContext::new(&make);
    let mut log = if exec.execution_log {
        ExecLog::on()
    } else {
        ExecLog::default()
    };
    log.add(|| format!("Starting execution for request: {}", exec.request_id));
    log.add(|| format!("HTTP Method: {}, Resource Path: {}", req.method, req.path));
    log.add(|| format!("Method request path: {}", pairs(&params)));
    log.add(|| format!("Method request query string: {}", pairs(&req.query)));
    log.add(|| {
        let h: Vec<(String, String)> = req
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        format!("Method request headers: {}", pairs(&h))
    });
    log.add(|| {
        format!(
            "Method request body before transformations: {}",
            request_map::truncate(&String::from_utf8_lossy(&req.body))
        )
    });
    let mut integration_latency = None;
    let view = View::new(
        &params,
        &req.query,
        req.headers,
        &req.body,
        &ctx,
        exec.variables,
    );
    let result = phases(
        exec,
        req,
        plan,
        auth,
        &params,
        &view,
        &mut log,
        &mut integration_latency,
    )
    .await;
    let mut error = None;
    let response = match result {
        Ok(r) => {
            log.add(|| format!("Method completed with status: {}", r.status().as_u16()));
            r
        }
        Err(e) => {
            if let Some(d) = &e.detail {
                log.add(|| d.clone());
                tracing::debug!(
                    api_id = exec.api_id,
                    stage = exec.stage,
                    request_id = exec.request_id,
                    "{d}"
                );
            }
            let r = dep
                .gateway_responses
                .render(&e, &ctx, exec.variables, Some(&view));
            error = Some(e);
            log.add(|| format!("Method completed with status: {}", r.status().as_u16()));
            r
        }
    };
    drop(view);
    Invocation {
        response,
        context: want_context.then(|| ctx.take()),
        error,
        integration_latency,
        log: log.lines(),
    }
}

/// `{a=1, b=2}`, as AWS's execution log prints parameter maps.
fn pairs(p: &[(String, String)]) -> String {
    let inner: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("{{{}}}", inner.join(", "))
}

#[allow(clippy::too_many_arguments)]
async fn phases(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    plan: &MethodPlan,
    auth: Result<(), GatewayError>,
    params: &[(String, String)],
    view: &View<'_>,
    log: &mut ExecLog,
    integration_latency: &mut Option<Duration>,
) -> Result<Response<ResponseBody>, GatewayError> {
    auth?;
    // Phase 4: validate.
    let content_type = req
        .known
        .content_type
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .unwrap_or("application/json");
    if !plan.checks.is_empty() {
        plan.checks.check_params(params, &req.query, req.headers)?;
        plan.checks.check_body(content_type, &req.body)?;
        log.add(|| "Request validation succeeded".into());
    }
    let integ = plan.integration.as_ref().map_err(|e| {
        GatewayError::config(format!("Execution failed due to configuration error: {e}"))
    })?;
    // The stage cache: after authorization and validation, before the integration. A stage
    // without one pays this one test.
    let ctx = integrate::Integrate {
        exec,
        req,
        integ,
        params,
        view,
        content_type,
    };
    if let Some(cache) = exec.cache {
        if let Some(how) = cache.caching(&plan.resource_path, &plan.http_method, &req.method) {
            return integrate::through_cache(ctx, plan, cache, how, log, integration_latency).await;
        }
    }
    integrate::integrate(ctx, log, integration_latency).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use serde_json::json;

    async fn run(
        snapshot: Value,
        method: &str,
        path: &str,
        body: &str,
    ) -> (u16, HeaderMap, String) {
        let snapshot = portico_model::DeploymentSnapshot::from_document(&snapshot).unwrap();
        let dep = super::super::compile::deployment("d1", &snapshot);
        let tenant = Tenant::aws("000000000000", "us-east-1");
        let mut vars = Map::new();
        vars.insert("greeting".into(), json!("hi"));
        let client = Client::new();
        let exec = Exec {
            tenant: &tenant,
            api_id: "api1",
            stage: "prod",
            deployment: &dep,
            variables: &vars,
            is_canary: None,
            request_id: "rid",
            extended_id: "ext",
            trace_id: "trace",
            received: OffsetDateTime::now_utc(),
            client: &client,
            client_cert: None,
            cache: None,
            execution_log: true,
            metering: None,
            iam: None,
            user_pools: None,
            lambda: None,
            authorizer_cache: None,
            aws_services: None,
        };
        let (path, q) = path.split_once('?').unwrap_or((path, ""));
        let headers = HeaderMap::new();
        let req = ClientRequest {
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            path,
            raw_query: q,
            query: parse_query(q),
            headers: &headers,
            known: KnownHeaders::of(&headers),
            body: Bytes::from(body.to_string()),
            source_ip: "127.0.0.1",
            raw_path: "/",
            client_cert: None,
            domain_name: "api1.execute-api.localhost",
            context_path: None,
            matched: None,
        };
        let inv = invoke(&exec, &req, Route::Find, false).await;
        let (parts, b) = inv.response.into_parts();
        let bytes = b.collect().await.unwrap().to_bytes();
        (
            parts.status.as_u16(),
            parts.headers,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    fn mock_api() -> Value {
        json!({
            "api": {"id": "api1"},
            "resources": [
                {"id": "root", "path": "/", "resourceMethods": {}},
                {"id": "r1", "path": "/pets/{id}", "resourceMethods": {
                    "GET": {"httpMethod": "GET", "authorizationType": "NONE",
                        "requestParameters": {"method.request.querystring.q": true},
                        "requestValidatorId": "v1",
                        "methodIntegration": {"type": "MOCK",
                            "requestTemplates": {"application/json": "{\"statusCode\": $input.params('code')}"},
                            "integrationResponses": {
                                "200": {"statusCode": "200", "selectionPattern": "2\\d\\d",
                                        "responseParameters": {"method.response.header.x-pet": "method.request.path.id",
                                                               "method.response.header.x-static": "'yes'"},
                                        "responseTemplates": {"application/json": "{\"id\": \"$input.params('id')\", \"g\": \"$stageVariables.greeting\", \"stage\": \"$context.stage\"}"}},
                                "404": {"statusCode": "404", "selectionPattern": "404",
                                        "responseTemplates": {"application/json": "{\"missing\": true}"}}}}}}}
            ],
            "requestValidators": [{"id": "v1", "validateRequestParameters": true}]
        })
    }

    #[tokio::test]
    async fn mock_with_templates_and_mappings() {
        let (s, h, b) = run(mock_api(), "GET", "/pets/7?q=1&code=200", "").await;
        assert_eq!(s, 200, "{b}");
        assert_eq!(b, r#"{"id": "7", "g": "hi", "stage": "prod"}"#);
        assert_eq!(h["x-pet"], "7");
        assert_eq!(h["x-static"], "yes");
        assert_eq!(h["content-type"], "application/json");
        let (s, _, b) = run(mock_api(), "GET", "/pets/7?q=1&code=404", "").await;
        assert_eq!((s, b.as_str()), (404, r#"{"missing": true}"#));
    }

    #[tokio::test]
    async fn routing_and_validation_failures() {
        let (s, h, b) = run(mock_api(), "POST", "/pets/7", "").await;
        assert_eq!(
            (s, b.as_str()),
            (403, r#"{"message":"Missing Authentication Token"}"#)
        );
        assert_eq!(h["x-amzn-errortype"], "MissingAuthenticationTokenException");
        let (s, _, _) = run(mock_api(), "GET", "/nope", "").await;
        assert_eq!(s, 403);
        let (s, h, b) = run(mock_api(), "GET", "/pets/7", "").await;
        assert_eq!(
            (s, b.as_str()),
            (
                400,
                r#"{"message":"Missing required request parameters: [q]"}"#
            )
        );
        assert_eq!(h["x-amzn-errortype"], "BadRequestException");
        // No integration response for 500 and no default: AWS's opaque configuration error.
        let (s, _, b) = run(mock_api(), "GET", "/pets/7?q=1&code=500", "").await;
        assert_eq!(
            (s, b.as_str()),
            (500, r#"{"message":"Internal server error"}"#)
        );
    }
}
