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
//! timeout).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use bytes::Bytes;
use hyper::body::{Body as _, Incoming};
use hyper::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Method, Response, StatusCode};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::compile::{IntegrationPlan, RouteAuth, Target as IntegrationTarget};
use super::cors::CorsRules;
use super::lambda::{self, Invocation};
use super::lambda_authorizer::Refusal;
use super::params::{self, Op, Part, Sources, Target as MapTarget};
use super::registry::{AuthorizerPlan, HttpApi, HttpStage};
use crate::http::{full, read_whole, ReadError, ResponseBody};
use crate::iam::SignedInvocation;
use crate::integrations::h1;
use crate::integrations::http::Endpoint;
use crate::integrations::pool::DrivenBody;
use crate::rest::gateway_responses::{GatewayError, ResponseType};
use crate::rest::request_map::BackendRequest;
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

fn internal_error() -> Response<ResponseBody> {
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
    route_key: Option<String>,
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
        "error": {"message": error, "responseType": null},
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
        "routeKey": trace.route_key,
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
    let below = below_api(raw, target);
    if let Some(s) = api
        .stages
        .get(target.stage)
        .filter(|_| !target.stage.is_empty())
    {
        return Some((s, target.path, below));
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
    if api.execute_api_disabled {
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

/// What the request's mappings and events read.
struct Req<'a> {
    parts: &'a Parts,
    path: &'a str,
    raw_path: &'a str,
    query: Vec<(String, String)>,
    body: Bytes,
    body_json: Option<Value>,
    path_params: Vec<(String, String)>,
    stage: &'a HttpStage,
    api: &'a HttpApi,
    route_key: &'a str,
    request_id: &'a str,
    received: OffsetDateTime,
    source_ip: &'a str,
    domain_name: &'a str,
    authorizer: Option<Value>,
}

impl Req<'_> {
    fn header(&self, name: &str) -> Option<String> {
        let mut values = self.parts.headers.get_all(name).iter().peekable();
        values.peek()?;
        let joined: Vec<String> = values
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        Some(joined.join(","))
    }

    /// `$context.{name}` for HTTP APIs.
    fn context(&self, name: &str) -> Option<String> {
        Some(match name {
            "requestId" | "extendedRequestId" => self.request_id.to_string(),
            "apiId" => self.api.api_id.clone(),
            "accountId" => self.api.tenant.account().to_string(),
            "stage" => self.stage.name.clone(),
            "routeKey" => self.route_key.to_string(),
            "domainName" => self.domain_name.to_string(),
            "domainPrefix" => self.domain_name.split('.').next()?.to_string(),
            "httpMethod" => self.parts.method.to_string(),
            "path" => self.raw_path.to_string(),
            "protocol" => "HTTP/1.1".into(),
            "requestTime" => lambda::request_time(self.received),
            "requestTimeEpoch" => (self.received.unix_timestamp_nanos() / 1_000_000).to_string(),
            "identity.sourceIp" => self.source_ip.to_string(),
            "identity.userAgent" => self.header("user-agent")?,
            _ => {
                let rest = name.strip_prefix("authorizer.")?;
                let a = self.authorizer.as_ref()?;
                let found = match rest.strip_prefix("claims.") {
                    Some(claim) => a.get("jwt")?.get("claims")?.get(claim)?,
                    None => a
                        .get("lambda")
                        .and_then(|l| l.get(rest))
                        .or_else(|| a.get(rest))?,
                };
                match found {
                    Value::String(s) => s.clone(),
                    Value::Null => return None,
                    other => other.to_string(),
                }
            }
        })
    }

    fn common(&self, part: &Part) -> Option<String> {
        match part {
            Part::Context(n) => self.context(n),
            Part::StageVariable(n) => self
                .stage
                .variables
                .get(n)
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    }
}

impl Sources for Req<'_> {
    fn value(&self, part: &Part) -> Option<String> {
        match part {
            Part::RequestHeader(h) => self.header(h),
            Part::RequestQuery(q) => {
                let v: Vec<&str> = self
                    .query
                    .iter()
                    .filter(|(k, _)| k == q)
                    .map(|(_, v)| v.as_str())
                    .collect();
                (!v.is_empty()).then(|| v.join(","))
            }
            Part::RequestPath => Some(self.path.to_string()),
            Part::RequestPathParam(n) => self
                .path_params
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone()),
            Part::RequestBody(steps) if steps.is_empty() => {
                Some(String::from_utf8_lossy(&self.body).into_owned())
            }
            Part::RequestBody(steps) => params::select(self.body_json.as_ref()?, steps),
            other => self.common(other),
        }
    }
}

/// The response side: the integration's headers and body, and the request's context.
struct Resp<'a> {
    req: &'a Req<'a>,
    headers: &'a HeaderMap,
    body_json: Option<Value>,
    body: &'a [u8],
}

impl Sources for Resp<'_> {
    fn value(&self, part: &Part) -> Option<String> {
        match part {
            Part::ResponseHeader(h) => {
                let v: Vec<String> = self
                    .headers
                    .get_all(h.as_str())
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                (!v.is_empty()).then(|| v.join(","))
            }
            Part::ResponseBody(steps) if steps.is_empty() => {
                Some(String::from_utf8_lossy(self.body).into_owned())
            }
            Part::ResponseBody(steps) => params::select(self.body_json.as_ref()?, steps),
            other => self.req.common(other),
        }
    }
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
    trace.route_key = Some(route.key.clone());
    // Throttling: the route's own settings, else the stage's default route settings.
    if let Some(Some(bucket)) = stage.throttles.get(m.route) {
        if !bucket.check() {
            return message(429, "Too Many Requests");
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
            let inv = invocation(&req);
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
            let scope = format!(
                "{}\u{1}{}\u{1}{}",
                api.tenant.account(),
                api.api_id,
                stage.name
            );
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
        IntegrationTarget::HttpProxy { uri, method } => {
            http_proxy(dp, &req, integ, uri, method.as_ref()).await
        }
        IntegrationTarget::Lambda { function, v2 } => {
            call_lambda(dp, &req, integ, function, *v2).await
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

/// Characters escaped in a value placed in a path.
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');
/// Characters escaped in a query name or value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn escape_path(v: &str) -> String {
    utf8_percent_encode(v, PATH_VALUE).to_string()
}

/// Headers of the client's request not forwarded: hop-by-hop ones, and those the gateway sets.
fn not_forwarded(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "content-length"
            | "expect"
            | "host"
            | "keep-alive"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "x-forwarded-for"
            | "x-forwarded-proto"
            | "x-forwarded-port"
            | "forwarded"
            | "x-amzn-trace-id"
    )
}

/// What a response keeps of a backend's headers: hyper frames the body itself.
fn response_header(name: HeaderName) -> Option<HeaderName> {
    match name.as_str() {
        "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "via" => None,
        _ => Some(name),
    }
}

/// `HTTP_PROXY`: the integration URI (stage variables and `{name}` path variables filled in);
/// one without a path gets the request's path (http-api-develop-routes.html: the `$default`
/// route sends the full request path); the client's query, then the mappings.
async fn http_proxy(
    dp: &DataPlane,
    req: &Req<'_>,
    integ: &IntegrationPlan,
    uri: &str,
    method: Option<&Method>,
) -> Result<Response<ResponseBody>, Response<ResponseBody>> {
    let mut url = params::parse(uri).eval(req, None);
    for (name, value) in &req.path_params {
        for pattern in [format!("{{{name}+}}"), format!("{{{name}}}")] {
            if url.contains(&pattern) {
                url = url.replace(&pattern, &escape_path(value));
            }
        }
    }
    let (mut base, uri_query) = match url.split_once('?') {
        Some((b, q)) => (b.to_string(), Some(q.to_string())),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let has_path = base[after_scheme..].contains('/');
    let mut path = if has_path {
        let i = after_scheme + base[after_scheme..].find('/').unwrap_or(0);
        let p = base[i..].to_string();
        base.truncate(i);
        p
    } else {
        req.path.to_string()
    };
    let mut headers = HeaderMap::with_capacity(req.parts.headers.len() + 4);
    for (k, v) in &req.parts.headers {
        if !not_forwarded(k) {
            headers.append(k.clone(), v.clone());
        }
    }
    let mut query: Option<Vec<(String, String)>> = None;
    for m in &integ.request {
        let value = match m.target {
            MapTarget::Path => m.value.eval(req, Some(escape_path)),
            _ => m.value.eval(req, None),
        };
        if value.is_empty() && m.op != Op::Remove {
            continue;
        }
        match &m.target {
            MapTarget::Header(h) => {
                let Ok(name) = HeaderName::from_bytes(h.as_bytes()) else {
                    continue;
                };
                match m.op {
                    Op::Remove => {
                        headers.remove(&name);
                    }
                    Op::Overwrite => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            headers.insert(name, v);
                        }
                    }
                    Op::Append => {
                        let joined = match headers.get(&name) {
                            Some(old) => {
                                format!("{},{value}", String::from_utf8_lossy(old.as_bytes()))
                            }
                            None => value,
                        };
                        if let Ok(v) = HeaderValue::from_str(&joined) {
                            headers.insert(name, v);
                        }
                    }
                }
            }
            MapTarget::QueryString(q) => {
                let pairs = query.get_or_insert_with(|| req.query.clone());
                match m.op {
                    Op::Remove => pairs.retain(|(k, _)| k != q),
                    Op::Overwrite => {
                        pairs.retain(|(k, _)| k != q);
                        pairs.push((q.clone(), value));
                    }
                    Op::Append => pairs.push((q.clone(), value)),
                }
            }
            MapTarget::Path => {
                path = if value.starts_with('/') {
                    value
                } else {
                    format!("/{value}")
                };
            }
            MapTarget::StatusCode => {}
        }
    }
    let client_query = match &query {
        Some(pairs) => pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY_VALUE),
                    utf8_percent_encode(v, QUERY_VALUE)
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
        None => req.parts.uri.query().unwrap_or("").to_string(),
    };
    let full_query = match (uri_query, client_query.is_empty()) {
        (Some(u), true) => u,
        (Some(u), false) => format!("{u}&{client_query}"),
        (None, _) => client_query,
    };
    let url = if full_query.is_empty() {
        format!("{base}{path}")
    } else {
        format!("{base}{path}?{full_query}")
    };
    let endpoint = Endpoint::parse(url).map_err(|e| {
        tracing::warn!(integration = integ.id, "{}", e.detail.unwrap_or_default());
        internal_error()
    })?;
    let host = req
        .parts
        .headers
        .get(HOST)
        .map(|h| String::from_utf8_lossy(h.as_bytes()).into_owned())
        .unwrap_or_default();
    let mut added = Vec::with_capacity(160);
    let forwarded_for = match req.parts.headers.get("x-forwarded-for") {
        Some(prior) => format!(
            "{}, {}",
            String::from_utf8_lossy(prior.as_bytes()),
            req.source_ip
        ),
        None => req.source_ip.to_string(),
    };
    for (name, value) in [
        (
            "forwarded",
            format!(
                "by={};for={};host={host};proto=http",
                endpoint.host(),
                req.source_ip
            ),
        ),
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-proto", "http".to_string()),
        (
            "x-amzn-trace-id",
            format!("Root={}", trace_root(req.request_id)),
        ),
    ] {
        if headers.contains_key(name) {
            continue;
        }
        added.extend_from_slice(name.as_bytes());
        added.extend_from_slice(b": ");
        added.extend_from_slice(value.as_bytes());
        added.extend_from_slice(b"\r\n");
    }
    let mut out = BackendRequest {
        method: method.cloned().unwrap_or_else(|| req.parts.method.clone()),
        endpoint: Cow::Owned(endpoint),
        headers: Cow::Owned(headers),
        skip: h1::send_all,
        added,
        body: req.body.clone(),
        via: None,
        tls: Default::default(),
    };
    if out.endpoint.is_tls() {
        out.tls.settings = Some(&integ.tls);
    }
    match dp
        .client
        .send(out, Instant::now(), integ.timeout, response_header)
        .await
    {
        Ok((resp, _)) => Ok(streamed(resp)),
        Err(e) => Err(integration_failure(&integ.id, e)),
    }
}

/// `Root=1-{8 hex}-{24 hex}` from the request's time and id.
fn trace_root(rid: &str) -> String {
    let secs = OffsetDateTime::now_utc().unix_timestamp();
    let mut hex = String::with_capacity(24);
    for b in rid.bytes().cycle().take(12) {
        hex.push_str(&format!("{b:02x}"));
    }
    format!("1-{secs:08x}-{hex}")
}

fn streamed(resp: Response<DrivenBody>) -> Response<ResponseBody> {
    let (parts, mut body) = resp.into_parts();
    let body = match body.take_whole() {
        Some(whole) => full(whole),
        None => ResponseBody::Streamed(Box::new(body)),
    };
    Response::from_parts(parts, body)
}

fn integration_failure(id: &str, e: GatewayError) -> Response<ResponseBody> {
    tracing::warn!(
        integration = id,
        "{}",
        e.detail.as_deref().or(e.message.as_deref()).unwrap_or("")
    );
    match e.kind {
        ResponseType::IntegrationTimeout => message(503, "Service Unavailable"),
        _ => internal_error(),
    }
}

fn invocation<'a>(req: &'a Req<'a>) -> Invocation<'a> {
    Invocation {
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
    function: &str,
    v2: bool,
) -> Result<Response<ResponseBody>, Response<ResponseBody>> {
    let Some(invoker) = dp.lambda.as_deref() else {
        tracing::warn!("no Lambda runtime is plugged into the data plane");
        return Err(internal_error());
    };
    let inv = invocation(req);
    let event = if v2 {
        lambda::event_v2(&inv)
    } else {
        lambda::event_v1(&inv)
    };
    let payload = Bytes::from(event.to_string());
    let called = tokio::time::timeout(
        integ.timeout,
        invoker.invoke(&req.api.tenant, function, payload),
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

/// `responseParameters` of the integration's status code.
async fn map_response(
    req: &Req<'_>,
    integ: &IntegrationPlan,
    resp: Response<ResponseBody>,
) -> Response<ResponseBody> {
    let status = resp.status().as_u16();
    let Some((_, mappings)) = integ.response.iter().find(|(s, _)| *s == status) else {
        return resp;
    };
    let (mut parts, body) = resp.into_parts();
    let reads_body = mappings
        .iter()
        .any(|m| m.value.0.iter().any(|p| matches!(p, Part::ResponseBody(_))));
    let body = match body {
        ResponseBody::Streamed(s) if reads_body => {
            match read_whole(*s, crate::integrations::http::MAX_RESPONSE).await {
                Ok(b) => b,
                Err(_) => return internal_error(),
            }
        }
        ResponseBody::Full(b) => b.unwrap_or_default(),
        streamed => {
            // Nothing reads the body: map the head and keep streaming.
            let headers = parts.headers.clone();
            let src = Resp {
                req,
                headers: &headers,
                body_json: None,
                body: &[],
            };
            apply_response(mappings, &src, &mut parts);
            return Response::from_parts(parts, streamed);
        }
    };
    let headers = parts.headers.clone();
    let src = Resp {
        req,
        headers: &headers,
        body_json: if reads_body {
            serde_json::from_slice(&body).ok()
        } else {
            None
        },
        body: &body,
    };
    apply_response(mappings, &src, &mut parts);
    Response::from_parts(parts, full(body))
}

fn apply_response(
    mappings: &[params::Mapping],
    src: &Resp<'_>,
    parts: &mut hyper::http::response::Parts,
) {
    for m in mappings {
        let value = m.value.eval(src, None);
        if value.is_empty() && m.op != Op::Remove {
            continue;
        }
        match &m.target {
            MapTarget::StatusCode => {
                if let Some(s) = value
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| StatusCode::from_u16(s).ok())
                {
                    parts.status = s;
                }
            }
            MapTarget::Header(h) => {
                let Ok(name) = HeaderName::from_bytes(h.as_bytes()) else {
                    continue;
                };
                match m.op {
                    Op::Remove => {
                        parts.headers.remove(&name);
                    }
                    Op::Overwrite => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            parts.headers.insert(name, v);
                        }
                    }
                    Op::Append => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            parts.headers.append(name, v);
                        }
                    }
                }
            }
            MapTarget::QueryString(_) | MapTarget::Path => {}
        }
    }
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

    use hyper::header::USER_AGENT;

    #[test]
    fn hop_by_hop_headers_are_not_forwarded_nor_returned() {
        assert!(not_forwarded(&HOST));
        assert!(!not_forwarded(&USER_AGENT));
        assert!(response_header(CONTENT_LENGTH).is_none());
        assert_eq!(response_header(CONTENT_TYPE), Some(CONTENT_TYPE));
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
