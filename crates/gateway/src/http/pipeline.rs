//! One HTTP API invocation, as named phases:
//! 1. the stage: the path's first segment when the API has such a stage, else `$default` with
//!    the whole path (http-api-develop-routes.html, "Routing API requests") — [`serve`]
//! 2. CORS preflight, answered by the gateway before any route — `cors`
//! 3. the route — `router`
//! 4. authorization: JWT (`jwt`), `AWS_IAM` (the data plane's `IamVerifier`)
//! 5. the integration: `HTTP_PROXY` with parameter mapping (`params`), or Lambda `AWS_PROXY`
//!    (`lambda`), and the response mapping by status code
//! 6. CORS headers, `apigw-requestid`
//!
//! Failures answer as HTTP APIs do: `{"message": "..."}` with AWS's status and text (404
//! `Not Found`, 401 `Unauthorized`, 403 `Forbidden`, 413 `Request Entity Too Large`, 500
//! `Internal Server Error`, 503 `Service Unavailable` for an integration that runs past its
//! timeout). Decision: AWS documents no text for an integration timeout of an HTTP API; 503
//! `Service Unavailable` is what its Lambda integrations are reported to answer, and an
//! unreachable backend is a 500.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::http::request::Parts;
use hyper::{Response, StatusCode};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::compile::{IntegrationPlan, RouteAuth, Target as IntegrationTarget};
use super::cors::CorsRules;
use super::lambda::{self, Invocation};
use super::lambda_authorizer::{AnswerCache, Refusal};
use super::params;
use super::proxy::{http_proxy, trace_root, Backend};
use super::registry::{AuthorizerPlan, HttpApi, HttpStage};
use super::request::{map_response, Req};
use crate::http::{full, read_whole, ReadError, ResponseBody};
use crate::iam::SignedInvocation;
use crate::rest::gateway_responses::ResponseType;
use crate::{DataPlane, Peer, Target};
use portico_core::query::parse_query;

/// HTTP APIs' payload limit (10 MB).
pub const MAX_PAYLOAD: usize = 10 * 1024 * 1024;

const APIGW_REQUESTID: HeaderName = HeaderName::from_static("apigw-requestid");
const WWW_AUTHENTICATE: HeaderName = HeaderName::from_static("www-authenticate");

/// `{"message": text}` with `status`.
pub fn message(status: u16, text: &str) -> Response<ResponseBody> {
    let mut r = Response::new(full(json!({ "message": text }).to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

pub(super) fn internal_error() -> Response<ResponseBody> {
    message(500, "Internal Server Error")
}

/// An HTTP API request id, as AWS shapes them: 16 characters of URL-safe base64
/// (`LV7fzho-PHcEJPw=`).
fn request_id() -> String {
    let random: [u8; 11] = rand::random();
    base64::engine::general_purpose::URL_SAFE.encode(random)
}

/// The path below the API id: what follows the host (`{id}.execute-api…` form) or
/// `/_aws/execute-api/{id}` — the stage segment and the rest. `target.stage` is a slice of
/// `raw`, found by its position.
fn below_api<'a>(raw: &'a str, target: &Target<'a>) -> &'a str {
    let (base, stage) = (raw.as_ptr() as usize, target.stage.as_ptr() as usize);
    match stage.checked_sub(base) {
        Some(at) if at >= 1 && at <= raw.len() && raw.as_bytes()[at - 1] == b'/' => &raw[at - 1..],
        _ => target.path,
    }
}

/// What an invocation leaves for its access log line.
#[derive(Default)]
struct Trace {
    stage: Option<Arc<HttpStage>>,
    /// The matched route, by its index in the stage's deployment (its key, for the log line,
    /// is read there: a copy per request cost an allocation).
    route: Option<usize>,
    authorizer: Option<Value>,
    integration_latency: Option<Duration>,
    integration_status: Option<u16>,
}

/// Data-plane entry for an HTTP API (`api`, which the address named).
pub async fn serve(
    dp: &DataPlane,
    api: Arc<HttpApi>,
    target: Target<'_>,
    peer: &Peer,
    parts: &Parts,
    body: Incoming,
) -> Response<ResponseBody> {
    let started = Instant::now();
    let received = OffsetDateTime::now_utc();
    let rid = request_id();
    let mut trace = Trace::default();
    let mut resp = invoke(
        dp, &api, &target, peer, parts, body, &rid, received, &mut trace,
    )
    .await;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().insert(APIGW_REQUESTID, v);
    }
    if let Some(format) = trace.stage.as_ref().and_then(|s| s.access_log.as_ref()) {
        let ctx = log_context(
            &api, &trace, &target, peer, parts, &resp, &rid, received, started,
        );
        tracing::info!(target: "portico::access", api_id = %api.api_id,
            stage = %trace.stage.as_ref().map_or("", |s| s.name.as_str()), "{}", format.render(&ctx));
    }
    resp
}

/// `$context` for an access log line (http-api-logging-variables.html).
#[allow(clippy::too_many_arguments)]
fn log_context(
    api: &HttpApi,
    trace: &Trace,
    target: &Target<'_>,
    peer: &Peer,
    parts: &Parts,
    resp: &Response<ResponseBody>,
    rid: &str,
    received: OffsetDateTime,
    started: Instant,
) -> Value {
    let domain = target
        .host
        .map(|h| &h[..crate::find_byte(h, b':').unwrap_or(h.len())])
        .unwrap_or_default();
    let status = resp.status().as_u16();
    // The gateway's own answers are `{"message": ...}`; a backend's are not read.
    let error = match (trace.integration_status, resp.body()) {
        (None, ResponseBody::Full(Some(b))) if status >= 400 => serde_json::from_slice::<Value>(b)
            .ok()
            .and_then(|v| v.get("message").cloned()),
        _ => None,
    };
    json!({
        "accountId": api.tenant.account(),
        "apiId": api.api_id,
        "authorizer": trace.authorizer.as_ref().map(|a| a.get("jwt").or_else(|| a.get("lambda")).unwrap_or(a)),
        "domainName": domain,
        "domainPrefix": domain.split('.').next().unwrap_or(""),
        "error": {
            "messageString": error.as_ref().map(|m| m.to_string()),
            "message": error,
            "responseType": null,
        },
        "httpMethod": parts.method.as_str(),
        "identity": {
            "sourceIp": &*peer.source_ip,
            "userAgent": parts.headers.get(hyper::header::USER_AGENT).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        },
        "integration": {
            "latency": trace.integration_latency.map(|d| d.as_millis() as u64),
            "status": trace.integration_status,
        },
        "integrationLatency": trace.integration_latency.map(|d| d.as_millis() as u64),
        "integrationStatus": trace.integration_status,
        "path": parts.uri.path(),
        "protocol": "HTTP/1.1",
        "requestId": rid,
        "extendedRequestId": rid,
        "requestTime": lambda::request_time(received),
        "requestTimeEpoch": (received.unix_timestamp_nanos() / 1_000_000) as i64,
        "responseLatency": started.elapsed().as_millis() as u64,
        "responseLength": resp.body().size_hint().exact(),
        "routeKey": trace.route.zip(trace.stage.as_ref()).and_then(|(i, s)| s.deployment.routes.get(i)).map(|r| r.key.as_str()),
        "stage": trace.stage.as_ref().map(|s| s.name.as_str()),
        "status": status,
    })
}

/// Phase 1: the stage and the path below it.
fn stage_of<'a>(
    api: &'a HttpApi,
    target: &Target<'a>,
    raw: &'a str,
) -> Option<(&'a Arc<HttpStage>, &'a str, &'a str)> {
    if let Some((_, asked)) = target.domain {
        // A custom domain's mapping names the stage; `$context.path` is the path asked for.
        return Some((api.stages.get(target.stage)?, target.path, asked));
    }
    let below = below_api(raw, target);
    if let Some(s) = api
        .stages
        .get(target.stage)
        .filter(|_| !target.stage.is_empty())
    {
        // `$default` named in the address (`/_aws/execute-api/{id}/$default/…`) is still the
        // stage without a path segment: the client's path is what follows it.
        let raw = if s.name == "$default" {
            target.path
        } else {
            below
        };
        return Some((s, target.path, raw));
    }
    let s = api.stages.get("$default")?;
    Some((s, below, below))
}

#[allow(clippy::too_many_arguments)]
async fn invoke(
    dp: &DataPlane,
    api: &HttpApi,
    target: &Target<'_>,
    peer: &Peer,
    parts: &Parts,
    body: Incoming,
    rid: &str,
    received: OffsetDateTime,
    trace: &mut Trace,
) -> Response<ResponseBody> {
    if api.execute_api_disabled && target.domain.is_none() {
        return message(403, "Forbidden");
    }
    let Some((stage, path, raw_path)) = stage_of(api, target, parts.uri.path()) else {
        return message(404, "Not Found");
    };
    trace.stage = Some(stage.clone());
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_PAYLOAD as u64) {
        return message(413, "Request Entity Too Large");
    }
    let body = if body.is_end_stream() {
        Bytes::new()
    } else {
        match read_whole(body, MAX_PAYLOAD).await {
            Ok(b) => b,
            Err(ReadError::TooLarge) => return message(413, "Request Entity Too Large"),
            Err(ReadError::Body(e)) => {
                tracing::debug!(error = %e, "client body read failed");
                return message(400, "Bad Request");
            }
        }
    };
    // Phase 2: preflight.
    if let Some(cors) = &api.cors {
        if CorsRules::is_preflight(&parts.method, &parts.headers) {
            let mut r = Response::new(full(Bytes::new()));
            *r.status_mut() = StatusCode::NO_CONTENT;
            *r.headers_mut() = cors.preflight(&parts.headers);
            return r;
        }
    }
    let mut resp = route_and_integrate(
        dp, api, stage, target, peer, parts, path, raw_path, body, rid, received, trace,
    )
    .await;
    // Phase 6: CORS headers on whatever the client gets.
    if let Some(cors) = &api.cors {
        if parts.headers.contains_key(hyper::header::ORIGIN) {
            cors.apply(&parts.headers, resp.headers_mut());
        }
    }
    resp
}

#[allow(clippy::too_many_arguments)]
async fn route_and_integrate(
    dp: &DataPlane,
    api: &HttpApi,
    stage: &HttpStage,
    target: &Target<'_>,
    peer: &Peer,
    parts: &Parts,
    path: &str,
    raw_path: &str,
    body: Bytes,
    rid: &str,
    received: OffsetDateTime,
    trace: &mut Trace,
) -> Response<ResponseBody> {
    // Phase 3: the route.
    let dep = &stage.deployment;
    let Some(m) = dep.router.find(&parts.method, path) else {
        return message(404, "Not Found");
    };
    let route = &dep.routes[m.route];
    trace.route = Some(m.route);
    // Throttling: the route's own settings, else the stage's default route settings.
    if let Some(Some(bucket)) = stage.throttles.get(m.route) {
        if let Err(e) = dp.metering.admit(bucket).await {
            return match e.kind {
                ResponseType::Throttled => message(429, "Too Many Requests"),
                // Redis unreachable and `redis_unavailable = fail_closed`.
                _ => message(503, "Service Unavailable"),
            };
        }
    }
    let Some(integ) = route.integration.map(|i| &dep.integrations[i]) else {
        // Decision: a route without a target is not served (AWS's console calls it "no
        // integration"); the client gets the answer of no route.
        return message(404, "Not Found");
    };
    let domain_name = target
        .host
        .map(|h| &h[..crate::find_byte(h, b':').unwrap_or(h.len())])
        .unwrap_or_default();
    let raw_query = parts.uri.query().unwrap_or("");
    let mut req = Req {
        parts,
        path,
        raw_path,
        query: parse_query(raw_query),
        body_json: None,
        path_params: route.params.iter().cloned().zip(m.values).collect(),
        body,
        stage,
        api,
        route_key: &route.key,
        request_id: rid,
        received,
        source_ip: &peer.source_ip,
        domain_name,
        authorizer: None,
    };
    // Phase 4: authorization.
    match &route.auth {
        RouteAuth::None => {}
        RouteAuth::Jwt { authorizer, scopes } => {
            let Some(AuthorizerPlan::Jwt { config, identity }) = api.authorizers.get(authorizer)
            else {
                tracing::warn!(
                    api_id = api.api_id,
                    authorizer,
                    "route names no JWT authorizer"
                );
                return internal_error();
            };
            let token = identity.eval(&req, None);
            let token = (!token.is_empty()).then_some(token.as_str());
            match dp.jwks.verify(&dp.client, config, token, scopes).await {
                Ok(jwt) => req.authorizer = Some(json!({ "jwt": jwt })),
                Err(refusal) => {
                    let (status, text, www) = refusal.answer(scopes);
                    let mut r = message(status, text);
                    if let Ok(v) = HeaderValue::from_str(&www) {
                        r.headers_mut().insert(WWW_AUTHENTICATE, v);
                    }
                    return r;
                }
            }
        }
        RouteAuth::Iam => {
            let Some(iam) = dp.iam.as_deref() else {
                return message(403, "Forbidden");
            };
            let signed = SignedInvocation {
                method: parts.method.as_str(),
                raw_path: parts.uri.path(),
                raw_query,
                headers: &parts.headers,
                body: &req.body,
            };
            match iam.verify(&signed) {
                Ok(c) => {
                    req.authorizer = Some(json!({"iam": {
                        "accessKey": c.access_key, "accountId": c.account_id,
                        "callerId": c.access_key, "cognitoIdentity": null,
                        "principalOrgId": null, "userArn": c.user_arn(), "userId": c.access_key,
                    }}))
                }
                Err(e) => {
                    tracing::debug!(?e, "IAM signature refused");
                    return message(403, "Forbidden");
                }
            }
        }
        RouteAuth::Custom { authorizer } => {
            let a = match api.authorizers.get(authorizer) {
                Some(AuthorizerPlan::Request(a)) => a,
                other => {
                    let why = match other {
                        Some(AuthorizerPlan::Broken(why)) => why.as_str(),
                        _ => "the route names no REQUEST authorizer",
                    };
                    tracing::warn!(api_id = api.api_id, authorizer, "{why}");
                    return internal_error();
                }
            };
            let Some(identity) = a.identity_values(&req) else {
                return message(401, "Unauthorized");
            };
            let Some(invoker) = dp.lambda.as_deref() else {
                tracing::warn!("no Lambda runtime is plugged into the data plane");
                return internal_error();
            };
            let added = added_headers(&req);
            let inv = invocation(&req, &added);
            let event = if a.v2 {
                lambda::event_v2(&inv)
            } else {
                lambda::event_v1(&inv)
            };
            let route_arn = format!(
                "arn:aws:execute-api:{}:{}:{}/{}/{}{}",
                api.tenant.region(),
                api.tenant.account(),
                api.api_id,
                stage.name,
                parts.method,
                path
            );
            let scope = AnswerCache::scope(&api.tenant, &api.api_id, &stage.name);
            match a
                .authorize(
                    invoker,
                    &dp.http_authorizer_cache,
                    &api.tenant,
                    &scope,
                    event,
                    identity,
                    &route_arn,
                )
                .await
            {
                Ok(granted) => req.authorizer = Some(granted),
                Err(Refusal::Unauthorized) => return message(401, "Unauthorized"),
                Err(Refusal::Forbidden) => return message(403, "Forbidden"),
                Err(Refusal::Failed(why)) => {
                    tracing::warn!(api_id = api.api_id, authorizer, "{why}");
                    return internal_error();
                }
            }
        }
    }
    // Phase 5: the integration, then the response mapping.
    if integ.reads_body {
        req.body_json = serde_json::from_slice(&req.body).ok();
    }
    trace.authorizer = req.authorizer.clone();
    let t0 = Instant::now();
    let resp = match &integ.target {
        IntegrationTarget::HttpProxy {
            uri,
            origin,
            method,
            via,
        } => {
            let backend = Backend {
                uri,
                origin: origin.as_ref(),
                method: method.as_ref(),
                via: via.as_ref(),
            };
            http_proxy(dp, &req, integ, backend).await
        }
        IntegrationTarget::Lambda { function, v2 } => {
            call_lambda(dp, &req, integ, function, *v2).await
        }
        IntegrationTarget::AwsService { subtype, params } => {
            super::aws_service::call(dp, &req, integ, subtype, params).await
        }
        IntegrationTarget::Unsupported(why) => {
            tracing::warn!(api_id = api.api_id, integration = integ.id, "{why}");
            return internal_error();
        }
    };
    trace.integration_latency = Some(t0.elapsed());
    if let Ok(r) = &resp {
        trace.integration_status = Some(r.status().as_u16());
    }
    match resp {
        Ok(r) => map_response(&req, integ, r).await,
        Err(r) => r,
    }
}

/// The headers AWS adds to a Lambda event's (its recorded events show them). Decision:
/// `x-forwarded-port` is the port the `Host` header names, else 80; `x-forwarded-proto` is
/// `http` (the listener's TLS is not known here).
fn added_headers(req: &Req<'_>) -> Vec<(&'static str, String)> {
    let forwarded_for = match req.header("x-forwarded-for") {
        Some(prior) => format!("{prior}, {}", req.source_ip),
        None => req.source_ip.to_string(),
    };
    let port = req
        .header("host")
        .and_then(|h| h.rsplit_once(':').map(|(_, p)| p.to_string()))
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| "80".to_string());
    vec![
        (
            "x-amzn-trace-id",
            format!("Root={}", trace_root(req.request_id)),
        ),
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-port", port),
        ("x-forwarded-proto", "http".to_string()),
    ]
}

fn invocation<'a>(req: &'a Req<'a>, added_headers: &'a [(&'static str, String)]) -> Invocation<'a> {
    Invocation {
        added_headers,
        method: &req.parts.method,
        raw_path: req.raw_path,
        path: req.path,
        raw_query: req.parts.uri.query().unwrap_or(""),
        query: &req.query,
        headers: &req.parts.headers,
        body: &req.body,
        source_ip: req.source_ip,
        domain_name: req.domain_name,
        account_id: req.api.tenant.account(),
        api_id: &req.api.api_id,
        stage: &req.stage.name,
        route_key: req.route_key,
        request_id: req.request_id,
        received: req.received,
        path_params: &req.path_params,
        stage_variables: &req.stage.variables,
        authorizer: req.authorizer.as_ref(),
    }
}

async fn call_lambda(
    dp: &DataPlane,
    req: &Req<'_>,
    integ: &IntegrationPlan,
    function: &params::Expr,
    v2: bool,
) -> Result<Response<ResponseBody>, Response<ResponseBody>> {
    let Some(invoker) = dp.lambda.as_deref() else {
        tracing::warn!("no Lambda runtime is plugged into the data plane");
        return Err(internal_error());
    };
    let added = added_headers(req);
    let inv = invocation(req, &added);
    let event = if v2 {
        lambda::event_v2(&inv)
    } else {
        lambda::event_v1(&inv)
    };
    let payload = Bytes::from(event.to_string());
    // A stage variable may name the function (`${stageVariables.fn}`).
    let function = function.eval(req, None);
    let function: &str = &function;
    let called = tokio::time::timeout(
        integ.timeout,
        invoker.invoke(
            &req.api.tenant,
            function,
            payload,
            crate::integrations::lambda::InvocationType::RequestResponse,
        ),
    )
    .await;
    let invoked = match called {
        Err(_) => {
            tracing::warn!(
                integration = integ.id,
                function,
                "the function ran past the integration's timeout"
            );
            return Err(message(503, "Service Unavailable"));
        }
        Ok(Err(e)) => {
            tracing::warn!(
                integration = integ.id,
                function,
                "Lambda invoke failed: {e:?}"
            );
            return Err(internal_error());
        }
        Ok(Ok(i)) => i,
    };
    if let Some(kind) = &invoked.function_error {
        tracing::debug!(function, kind, "the function failed");
        return Err(internal_error());
    }
    let answer = if v2 {
        lambda::response_v2(&invoked.payload)
    } else {
        crate::rest::lambda_proxy::response(&invoked.payload, &["*/*".to_string()], None)
    };
    answer.map_err(|why| {
        tracing::warn!(
            integration = integ.id,
            function,
            "malformed Lambda answer: {why}"
        );
        internal_error()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_below_the_api_is_found_from_the_stage_slice() {
        let raw = "/_aws/execute-api/abc/prod/pets/1";
        let t = crate::address(None, raw).unwrap();
        assert_eq!(below_api(raw, &t), "/prod/pets/1");
        let raw = "/pets";
        let t = crate::address(Some("abc.execute-api.localhost"), raw).unwrap();
        assert_eq!(below_api(raw, &t), "/pets");
        let raw = "/";
        let t = crate::address(Some("abc.execute-api.localhost"), raw).unwrap();
        assert_eq!(below_api(raw, &t), "/");
    }

    #[test]
    fn request_ids_look_like_aws_ones() {
        let id = request_id();
        assert_eq!(id.len(), 16);
        assert!(id.ends_with('='));
    }

    #[test]
    fn json_error_bodies() {
        let r = message(404, "Not Found");
        assert_eq!(r.status(), 404);
        let ResponseBody::Full(Some(b)) = r.into_body() else {
            panic!()
        };
        assert_eq!(&b[..], br#"{"message":"Not Found"}"#);
    }
}
