//! One WebSocket event (`CONNECT`, `MESSAGE`, `DISCONNECT`) through a route's integration:
//! the Lambda event (AWS_PROXY), request templates chosen by `TemplateSelectionExpression`
//! (MOCK, HTTP, AWS), the message as it is (HTTP_PROXY), then the integration response chosen
//! by status and its template: what a two-way route sends back, or what `$connect` decides.
//!
//! The event's shape is AWS's (aws-lambda-go's `apigw-websocket-request*.json` fixtures):
//! `requestContext` with `routeKey`, `eventType`, `extendedRequestId`, `requestTime`,
//! `messageDirection`, `stage`, `connectedAt`, `requestTimeEpoch`, `identity`, `requestId`,
//! `domainName`, `connectionId`, `apiId`; `messageId` on messages, `disconnectStatusCode` and
//! `disconnectReason` on `$disconnect`; `headers`/`multiValueHeaders` (and the query) on
//! `$connect`; `body` on messages; `isBase64Encoded`.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::HeaderMap;
use serde_json::{json, Map, Value};
use time::OffsetDateTime;

use super::registry::{IntegrationKind, WsApi, WsIntegration, WsStage};
use crate::http::lambda::request_time;
use crate::http::params::{select, Expr, Part, Sources};
use crate::integrations::h1;
use crate::integrations::http::Endpoint;
use crate::integrations::lambda::InvocationType;
use crate::rest::request_map::BackendRequest;
use crate::DataPlane;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Connect,
    Message,
    Disconnect,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Connect => "CONNECT",
            EventType::Message => "MESSAGE",
            EventType::Disconnect => "DISCONNECT",
        }
    }
}

/// What one event knows.
pub struct Event<'a> {
    pub api: &'a WsApi,
    pub stage: &'a WsStage,
    pub route_key: &'a str,
    pub event_type: EventType,
    pub connection_id: &'a str,
    pub connected_at: i64,
    pub request_id: String,
    pub message_id: Option<String>,
    pub domain_name: &'a str,
    pub source_ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub received: OffsetDateTime,
    /// The message (MESSAGE).
    pub body: Option<&'a str>,
    /// The message read as JSON, once, when it is JSON.
    pub body_json: Option<&'a Value>,
    /// The handshake's headers and query (CONNECT, and DISCONNECT's headers).
    pub headers: Option<&'a HeaderMap>,
    pub query: &'a [(String, String)],
    /// `requestContext.authorizer`: what `$connect`'s authorizer answered.
    pub authorizer: Option<&'a Value>,
    /// DISCONNECT: the close code and reason.
    pub disconnect: Option<(u16, &'a str)>,
}

/// What an integration answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// What goes back to a two-way route's client.
    pub body: Option<String>,
    /// Headers for the handshake's answer (`$connect`, `Sec-WebSocket-Protocol`).
    pub headers: Vec<(String, String)>,
}

fn epoch_ms(t: OffsetDateTime) -> i64 {
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

impl Event<'_> {
    /// `requestContext` (and `$context` in templates).
    pub fn request_context(&self) -> Value {
        // Sized for every member below: growing it rehashed the keys twice per event.
        let mut c = Map::with_capacity(18);
        c.insert("routeKey".into(), self.route_key.into());
        if let Some(m) = &self.message_id {
            c.insert("messageId".into(), m.as_str().into());
        }
        if let Some((code, reason)) = self.disconnect {
            c.insert("disconnectStatusCode".into(), code.into());
            c.insert("disconnectReason".into(), reason.into());
        }
        c.insert("eventType".into(), self.event_type.as_str().into());
        c.insert("extendedRequestId".into(), self.request_id.as_str().into());
        c.insert("requestTime".into(), request_time(self.received).into());
        c.insert("messageDirection".into(), "IN".into());
        c.insert("stage".into(), self.stage.name.as_str().into());
        c.insert("connectedAt".into(), self.connected_at.into());
        c.insert("requestTimeEpoch".into(), epoch_ms(self.received).into());
        c.insert(
            "identity".into(),
            json!({"userAgent": self.user_agent, "sourceIp": self.source_ip}),
        );
        c.insert("requestId".into(), self.request_id.as_str().into());
        c.insert("domainName".into(), self.domain_name.into());
        c.insert("connectionId".into(), self.connection_id.into());
        c.insert("apiId".into(), self.api.api_id.as_str().into());
        if let Some(a) = self.authorizer {
            c.insert("authorizer".into(), a.clone());
        }
        Value::Object(c)
    }

    /// The Lambda (AWS_PROXY) event.
    pub fn lambda_event(&self) -> Value {
        let mut e = Map::new();
        if let Some(h) = self.headers {
            let mut single = Map::new();
            let mut multi: Map<String, Value> = Map::new();
            for (name, value) in h {
                let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
                let name = canonical(name.as_str());
                single.insert(name.clone(), v.clone().into());
                match multi.get_mut(&name) {
                    Some(Value::Array(a)) => a.push(v.into()),
                    _ => {
                        multi.insert(name, json!([v]));
                    }
                }
            }
            e.insert("headers".into(), Value::Object(single));
            e.insert("multiValueHeaders".into(), Value::Object(multi));
        }
        if self.event_type == EventType::Connect && !self.query.is_empty() {
            let mut single = Map::new();
            let mut multi: Map<String, Value> = Map::new();
            for (k, v) in self.query {
                single.insert(k.clone(), v.as_str().into());
                match multi.get_mut(k) {
                    Some(Value::Array(a)) => a.push(v.as_str().into()),
                    _ => {
                        multi.insert(k.clone(), json!([v]));
                    }
                }
            }
            e.insert("queryStringParameters".into(), Value::Object(single));
            e.insert(
                "multiValueQueryStringParameters".into(),
                Value::Object(multi),
            );
        }
        e.insert("requestContext".into(), self.request_context());
        if let Some(b) = self.body {
            e.insert("body".into(), b.into());
        }
        e.insert("isBase64Encoded".into(), false.into());
        if !self.stage.variables.is_empty() {
            e.insert(
                "stageVariables".into(),
                Value::Object(self.stage.variables.clone()),
            );
        }
        Value::Object(e)
    }
}

/// `host` → `Host`, `sec-websocket-key` → `Sec-WebSocket-Key`: as AWS's events spell the
/// handshake's headers.
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (i, part) in name.split('-').enumerate() {
        if i > 0 {
            out.push('-');
        }
        if part.eq_ignore_ascii_case("websocket") {
            out.push_str("WebSocket");
            continue;
        }
        let mut chars = part.chars();
        if let Some(f) = chars.next() {
            out.push(f.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    out
}

impl Event<'_> {
    /// One access log line for this event, in the stage's format (when it has one):
    /// `requestContext` plus `status`, `error.message`, `integrationLatency` and
    /// `integrationStatus` (`$context.*` of websocket-api-logging.html).
    pub fn access_log(
        &self,
        status: u16,
        error: Option<&str>,
        integration: Option<(Duration, u16)>,
    ) {
        let Some(format) = &self.stage.access_log else {
            return;
        };
        let mut ctx = self.request_context();
        if let Value::Object(m) = &mut ctx {
            m.insert("status".into(), status.into());
            m.insert("accountId".into(), self.api.tenant.account().into());
            m.insert(
                "error".into(),
                json!({"message": error, "messageString": error.map(|e| format!("\"{e}\""))}),
            );
            m.insert(
                "integrationLatency".into(),
                integration.map(|(d, _)| d.as_millis() as u64).into(),
            );
            m.insert(
                "integrationStatus".into(),
                integration.map(|(_, s)| s).into(),
            );
            m.insert(
                "integration".into(),
                json!({"latency": integration.map(|(d, _)| d.as_millis() as u64),
                       "status": integration.map(|(_, s)| s)}),
            );
        }
        tracing::info!(target: "portico::access", api_id = %self.api.api_id,
            stage = %self.stage.name, "{}", format.render(&ctx));
    }
}

/// Where selection expressions' variables come from.
pub struct EventSources<'a> {
    pub event: &'a Event<'a>,
    pub context: &'a Value,
}

impl Sources for EventSources<'_> {
    fn value(&self, part: &Part) -> Option<String> {
        match part {
            Part::RequestBody(steps) if steps.is_empty() => self.event.body.map(str::to_string),
            Part::RequestBody(steps) => select(self.event.body_json?, steps),
            Part::RequestHeader(h) => self
                .event
                .headers?
                .get(h.as_str())
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            Part::RequestQuery(q) => self
                .event
                .query
                .iter()
                .find(|(k, _)| k == q)
                .map(|(_, v)| v.clone()),
            Part::Context(name) => {
                let mut at = self.context;
                for p in name.split('.') {
                    at = at.get(p)?;
                }
                match at {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    v => Some(v.to_string()),
                }
            }
            Part::StageVariable(v) => self
                .event
                .stage
                .variables
                .get(v)
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    }
}

/// An expression's value (`None` when it comes out empty).
pub fn evaluate(expr: &Expr, event: &Event<'_>, context: &Value) -> Option<String> {
    let v = expr.eval(&EventSources { event, context }, None);
    (!v.is_empty()).then_some(v)
}

/// A route's integration, run for `event`. `Err` is a failure the client hears as AWS's
/// "Internal server error" (a function that failed, a backend that did not answer, a template
/// that did not render).
pub async fn run(
    dp: &DataPlane,
    integ: &WsIntegration,
    event: &Event<'_>,
) -> Result<Answer, String> {
    run_in(dp, integ, event, event.request_context()).await
}

/// [`run`] with the event's `requestContext` already built (a message's route selection built
/// it): it is what templates see as `$context`, and building it is a good part of what a
/// MOCK message costs.
pub async fn run_in(
    dp: &DataPlane,
    integ: &WsIntegration,
    event: &Event<'_>,
    context: Value,
) -> Result<Answer, String> {
    // One template context for the request template and the integration response's: each
    // render would otherwise copy `$context` afresh.
    let mut templates = template_context(event, context);
    let started = Instant::now();
    // The request: the Lambda event, the message as it is, or a template's output.
    let proxy = matches!(
        integ.kind,
        IntegrationKind::Lambda { proxy: true, .. } | IntegrationKind::Http { proxy: true, .. }
    );
    let payload = if matches!(integ.kind, IntegrationKind::Lambda { proxy: true, .. }) {
        event.lambda_event().to_string()
    } else if proxy {
        event.body.unwrap_or_default().to_string()
    } else {
        let selected = integ
            .template_selection
            .as_ref()
            .and_then(|e| evaluate(e, event, &templates.context));
        match integ.request_template(selected.as_deref()) {
            Some(Ok(t)) => render(t, &mut templates, event.body.unwrap_or_default())?,
            Some(Err(e)) => return Err(e.clone()),
            None => {
                let no_match_allowed = match integ.passthrough.as_str() {
                    "NEVER" => false,
                    "WHEN_NO_TEMPLATES" => integ.templates.is_empty(),
                    _ => true,
                };
                if !no_match_allowed {
                    return Err("no request template matches and passthroughBehavior forbids passing the message through".into());
                }
                event.body.unwrap_or_default().to_string()
            }
        }
    };
    let (status, body, headers) = match &integ.kind {
        IntegrationKind::Mock => {
            // A MOCK's status is its request template's `statusCode` (200 when it has none).
            let status = serde_json::from_str::<Value>(&payload)
                .ok()
                .and_then(|v| v.get("statusCode").and_then(Value::as_u64))
                .map_or(200, |s| s as u16);
            (status, String::new(), Vec::new())
        }
        IntegrationKind::Lambda { function, proxy } => {
            let Some(invoker) = dp.lambda.as_deref() else {
                return Err("no Lambda runtime is configured".into());
            };
            let call = invoker.invoke(
                &event.api.tenant,
                function,
                Bytes::from(payload),
                InvocationType::RequestResponse,
            );
            let invoked = tokio::time::timeout(integ.timeout, call)
                .await
                .map_err(|_| format!("function {function} ran past the integration timeout"))?
                .map_err(|e| format!("function {function}: {e:?}"))?;
            if invoked.function_error.is_some() {
                return Err(format!(
                    "function {function} failed: {}",
                    String::from_utf8_lossy(&invoked.payload)
                ));
            }
            if *proxy {
                proxy_answer(&invoked.payload)
            } else {
                (
                    200,
                    String::from_utf8_lossy(&invoked.payload).into_owned(),
                    Vec::new(),
                )
            }
        }
        IntegrationKind::Http { url, method, .. } => {
            let endpoint = Endpoint::parse(url.clone()).map_err(|e| {
                e.detail
                    .unwrap_or_else(|| format!("integration URI {url} is not usable"))
            })?;
            let mut headers = HeaderMap::new();
            if let (Some(h), true) = (event.headers, proxy) {
                for (name, value) in h {
                    if !is_handshake_header(name) {
                        headers.append(name.clone(), value.clone());
                    }
                }
            }
            if !proxy {
                headers.insert(
                    hyper::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
            }
            let req = BackendRequest {
                method: method.clone(),
                endpoint: Cow::Owned(endpoint),
                headers: Cow::Owned(headers),
                skip: h1::send_all,
                added: Vec::new(),
                body: Bytes::from(payload),
                via: None,
                tls: Default::default(),
            };
            let out = dp
                .client
                .send_buffered(req, started, integ.timeout)
                .await
                .map_err(|e| {
                    e.detail
                        .or(e.message)
                        .unwrap_or_else(|| "the HTTP backend failed".into())
                })?;
            (
                out.status,
                String::from_utf8_lossy(&out.body).into_owned(),
                Vec::new(),
            )
        }
        IntegrationKind::Unsupported(what) => {
            return Err(format!("{what} integrations are not served by Portico"))
        }
    };
    if proxy {
        return Ok(Answer {
            status,
            body: (!body.is_empty()).then_some(body),
            headers,
        });
    }
    // The integration response for the status, and its template.
    let Some(response) = integ.response_for(status) else {
        return Ok(Answer {
            status,
            body: (!body.is_empty()).then_some(body),
            headers,
        });
    };
    let selected = response
        .template_selection
        .as_ref()
        .and_then(|e| evaluate(e, event, &templates.context));
    let body = match response.template(selected.as_deref()) {
        Some(Ok(t)) => render(t, &mut templates, &body)?,
        Some(Err(e)) => return Err(e.clone()),
        None => body,
    };
    Ok(Answer {
        status,
        body: (!body.is_empty()).then_some(body),
        headers,
    })
}

/// Headers of the handshake that do not travel to an HTTP backend.
fn is_handshake_header(name: &HeaderName) -> bool {
    let n = name.as_str();
    n.starts_with("sec-websocket-")
        || matches!(
            n,
            "connection" | "upgrade" | "host" | "content-length" | "transfer-encoding"
        )
}

/// A Lambda proxy's answer: `{"statusCode", "body", "headers"}`; anything else is a 200 whose
/// body is the payload itself.
fn proxy_answer(payload: &[u8]) -> (u16, String, Vec<(String, String)>) {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(m)) if m.contains_key("statusCode") => {
            let status = m
                .get("statusCode")
                .and_then(|s| s.as_u64().or_else(|| s.as_str()?.parse().ok()))
                .map_or(200, |s| s as u16);
            let body = match m.get("body") {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            let headers = m
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            (status, body, headers)
        }
        Ok(Value::Null) => (200, String::new(), Vec::new()),
        _ => (
            200,
            String::from_utf8_lossy(payload).into_owned(),
            Vec::new(),
        ),
    }
}

/// What an event's templates see: `$context`, the handshake's headers, the query, the stage
/// variables (`$input.body` is set per render).
fn template_context(event: &Event<'_>, context: Value) -> vtl::Context {
    vtl::Context {
        header_params: event
            .headers
            .map(|h| {
                h.iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        query_params: event.query.to_vec(),
        context,
        stage_variables: event.stage.variables.clone(),
        ..Default::default()
    }
}

fn render(t: &vtl::Template, ctx: &mut vtl::Context, body: &str) -> Result<String, String> {
    body.clone_into(&mut ctx.body);
    t.render(ctx, &vtl::Limits::default())
        .map(|r| r.output)
        .map_err(|e| format!("template failed: {e}"))
}

/// Whether an integration's status lets `$connect` through.
pub fn connect_allowed(status: u16) -> bool {
    (200..300).contains(&status)
}
