//! One WebSocket connection: the handshake, then its task.
//!
//! The handshake is an HTTP/1.1 upgrade answered by hyper (`hyper::upgrade::on`): `$connect`'s
//! authorizer and integration run before the `101`, so a refusal is an ordinary HTTP answer
//! as AWS gives it (401 `Unauthorized` for a missing identity source, 403 `Forbidden` for a
//! denial, 500 `Internal server error` for a failure, the integration's own status when it is
//! not 2xx). Then the socket is handed to tokio-tungstenite and one task serves it: client
//! frames are routed by the API's route selection expression (`$default` when nothing
//! matches; AWS's `Forbidden` message when there is no `$default`), a message whose
//! integration must wait (Lambda, HTTP) runs in a task of its own while one that answers at
//! once (MOCK) is served in place (at most [`IN_FLIGHT`] at a time per connection, so a client
//! that floods waits), and what comes back — route responses, `@connections` posts —
//! is written from the connection's queue. The connection ends on the client's close, an
//! error, DeleteConnection, the idle timeout or the lifetime cap; then `$disconnect` runs.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use hyper::header::{HeaderName, HeaderValue, CONNECTION, UPGRADE, USER_AGENT};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Response, StatusCode};
use portico_core::query::parse_query;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::connections::{epoch_ms, new_id, Conn, ConnId, Out};
use super::integrate::{self, connect_allowed, EventType};
use super::link::{Io, Link};
use super::registry::{Authorizer, RouteAuth, WsApi, WsRoute, WsStage};
use crate::http::lambda_authorizer::{AnswerCache, Refusal};
use crate::http::{full, ResponseBody};
use crate::iam::SignedInvocation;
use crate::{DataPlane, Peer};

/// Messages of one connection whose integrations may run at once.
pub const IN_FLIGHT: usize = 32;

/// How long a write to a client may wait for the client to read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// `{"message": text}` with `status`: the handshake's refusals.
fn refuse(status: u16, text: &str) -> Response<ResponseBody> {
    let mut r = Response::new(full(json!({ "message": text }).to_string()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Is this request a WebSocket upgrade (`Upgrade: websocket`)?
pub fn is_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
}

/// What AWS writes to a client when a message cannot be served: `Forbidden` (no route and no
/// `$default`) or `Internal server error`, with the ids — byte for byte as AWS sends it.
pub fn error_message(text: &str, connection_id: &str, request_id: &str) -> String {
    format!(
        "{{\"message\": \"{text}\", \"connectionId\":\"{connection_id}\", \"requestId\":\"{request_id}\"}}"
    )
}

/// Where the client asked to connect.
pub struct Address<'a> {
    pub stage: &'a str,
    /// The host the client used (`requestContext.domainName`).
    pub host: Option<&'a str>,
    /// Through a custom domain name (the execute-api endpoint may be disabled).
    pub via_domain: bool,
}

/// The handshake of a connection to `api`.
pub async fn handshake(
    dp: Arc<DataPlane>,
    api: Arc<WsApi>,
    at: Address<'_>,
    peer: &Peer,
    parts: &Parts,
    on_upgrade: Option<hyper::upgrade::OnUpgrade>,
    slot: Option<super::Slot>,
) -> Response<ResponseBody> {
    if api.execute_api_disabled && !at.via_domain {
        return refuse(403, "Forbidden");
    }
    let Some(stage) = api.stages.get(at.stage).cloned() else {
        return refuse(403, "Forbidden");
    };
    let key = parts.headers.get("sec-websocket-key").cloned();
    let version_ok = parts
        .headers
        .get("sec-websocket-version")
        .is_some_and(|v| v.as_bytes() == b"13");
    let Some(key) = key.filter(|_| version_ok && parts.method == hyper::Method::GET) else {
        return refuse(400, "Bad Request");
    };
    let Some(on_upgrade) = on_upgrade else {
        return refuse(400, "Bad Request");
    };
    let connection_id = ConnId::new();
    let connected_at = epoch_ms();
    let received = OffsetDateTime::now_utc();
    let domain_name = at
        .host
        .map(|h| &h[..crate::find_byte(h, b':').unwrap_or(h.len())])
        .unwrap_or_default()
        .to_string();
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let query = parse_query(parts.uri.query().unwrap_or(""));
    let mut authorizer: Option<Value> = None;
    let mut extra_headers = Vec::new();
    if let Some(route) = stage.deployment.routes.get("$connect") {
        let event = integrate::Event {
            api: &api,
            stage: &stage,
            route_key: "$connect",
            event_type: EventType::Connect,
            connection_id: connection_id.as_str(),
            connected_at,
            request_id: new_id(),
            message_id: None,
            domain_name: &domain_name,
            source_ip: &peer.source_ip,
            user_agent: user_agent.as_deref(),
            received,
            body: None,
            body_json: None,
            headers: Some(&parts.headers),
            query: &query,
            authorizer: None,
            disconnect: None,
        };
        match authorize(&dp, &api, &stage, route, &event, parts).await {
            Ok(a) => authorizer = a,
            Err(r) => {
                let text = match r.status().as_u16() {
                    401 => "Unauthorized",
                    403 => "Forbidden",
                    _ => "Internal server error",
                };
                event.access_log(r.status().as_u16(), Some(text), None);
                return r;
            }
        }
        let event = integrate::Event {
            authorizer: authorizer.as_ref(),
            ..event
        };
        if let Some(integ) = &route.integration {
            let started = std::time::Instant::now();
            match integrate::run(&dp, integ, &event).await {
                Ok(a) if connect_allowed(a.status) => {
                    event.access_log(200, None, Some((started.elapsed(), a.status)));
                    extra_headers = a.headers;
                }
                Ok(a) => {
                    // The integration said no: its status (and body) refuse the handshake.
                    tracing::debug!(status = a.status, "$connect refused by its integration");
                    event.access_log(a.status, None, Some((started.elapsed(), a.status)));
                    let mut r = Response::new(full(a.body.unwrap_or_default()));
                    *r.status_mut() =
                        StatusCode::from_u16(a.status).unwrap_or(StatusCode::FORBIDDEN);
                    return r;
                }
                Err(e) => {
                    tracing::warn!(api_id = %api.api_id, error = %e, "$connect failed");
                    event.access_log(500, Some("Internal server error"), None);
                    return refuse(500, "Internal server error");
                }
            }
        } else {
            event.access_log(200, None, None);
        }
    }
    let mut resp = Response::new(full(bytes::Bytes::new()));
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let h = resp.headers_mut();
    h.insert(UPGRADE, HeaderValue::from_static("websocket"));
    h.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(v) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        h.insert("sec-websocket-accept", v);
    }
    // `$connect` chooses the subprotocol (its Lambda answers `Sec-WebSocket-Protocol`).
    for (k, v) in extra_headers {
        if k.eq_ignore_ascii_case("sec-websocket-protocol") {
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.insert("sec-websocket-protocol", v);
            }
        }
    }
    let (gauge, connects) = dp.metrics.ws_connections(&api.api_id, &stage.name);
    let conn = Conn::new(
        connection_id,
        api.clone(),
        stage.clone(),
        connected_at,
        peer.source_ip.clone(),
        user_agent.map(String::into_boxed_str),
        dp.metrics.ws_messages(&api.api_id, &stage.name, "out"),
    );
    dp.websockets.connections.insert(conn.clone());
    connects.inc();
    gauge.inc();
    // `$disconnect`'s event carries the handshake's headers; only a stage that has one keeps
    // them, copied: hyper's header values are slices of its 8 KB read buffer.
    let disconnect_headers = stage
        .deployment
        .routes
        .get("$disconnect")
        .is_some_and(|r| r.integration.is_some())
        .then(|| save_headers(&parts.headers));
    dp.websockets.connections.task_started();
    // The client connection's `max_connections` slot now belongs to the WebSocket connection.
    let permit = slot.and_then(|s| s.take());
    let session = Session {
        dp,
        api,
        stage,
        conn,
        shared: Arc::new(Shared {
            in_flight: Semaphore::new(IN_FLIGHT),
            authorizer,
            domain_name: domain_name.into_boxed_str(),
            disconnect_headers,
        }),
    };
    tokio::spawn(async move {
        let _permit = permit;
        let (code, reason) = match on_upgrade.await {
            Ok(upgraded) => {
                let (io, pre) = Io::from_upgraded(upgraded);
                session.serve(io, pre).await
            }
            Err(e) => {
                tracing::debug!(error = %e, "upgrade failed");
                (1006, String::new())
            }
        };
        let dp = &session.dp;
        dp.websockets.connections.remove(session.conn.id);
        gauge.dec();
        // Boxed: an integration's future is large, and the task would keep room for it from
        // the start.
        Box::pin(session.disconnect(code, &reason)).await;
        dp.websockets.connections.task_ended();
    });
    resp
}

/// Headers kept for `$disconnect`, in one allocation: `name:value` lines (a name has no `:`,
/// neither has a value a line break).
fn save_headers(headers: &HeaderMap) -> Box<[u8]> {
    let mut saved = Vec::new();
    for (name, value) in headers {
        saved.extend_from_slice(name.as_str().as_bytes());
        saved.push(b':');
        saved.extend_from_slice(value.as_bytes());
        saved.push(b'\n');
    }
    saved.into_boxed_slice()
}

fn restore_headers(saved: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in saved.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(&line[colon + 1..]),
        ) {
            headers.append(name, value);
        }
    }
    headers
}

/// `$connect`'s authorization: `Ok` with `requestContext.authorizer`, or the refusal.
async fn authorize(
    dp: &DataPlane,
    api: &WsApi,
    stage: &WsStage,
    route: &WsRoute,
    event: &integrate::Event<'_>,
    parts: &Parts,
) -> Result<Option<Value>, Response<ResponseBody>> {
    match &route.auth {
        RouteAuth::None => Ok(None),
        RouteAuth::Iam => {
            let Some(iam) = dp.iam.as_deref() else {
                return Err(refuse(403, "Forbidden"));
            };
            let signed = SignedInvocation {
                method: parts.method.as_str(),
                raw_path: parts.uri.path(),
                raw_query: parts.uri.query().unwrap_or(""),
                headers: &parts.headers,
                body: b"",
            };
            match iam.verify(&signed) {
                Ok(caller) if caller.account_id == api.tenant.account() => Ok(None),
                Ok(_) | Err(_) => Err(refuse(403, "Forbidden")),
            }
        }
        RouteAuth::Custom(id) => {
            let plan = match api.authorizers.get(id) {
                Some(Authorizer::Request(a)) => a,
                Some(Authorizer::Broken(why)) => {
                    tracing::warn!(api_id = %api.api_id, "{why}");
                    return Err(refuse(500, "Internal server error"));
                }
                None => return Err(refuse(500, "Internal server error")),
            };
            let Some(invoker) = dp.lambda.as_deref() else {
                return Err(refuse(500, "Internal server error"));
            };
            let context = event.request_context();
            let sources = integrate::EventSources {
                event,
                context: &context,
            };
            let Some(identity) = plan.identity_values(&sources) else {
                return Err(refuse(401, "Unauthorized"));
            };
            let arn = format!(
                "arn:aws:execute-api:{}:{}:{}/{}/$connect",
                api.tenant.region(),
                api.tenant.account(),
                api.api_id,
                stage.name
            );
            let scope = AnswerCache::scope(&api.tenant, &api.api_id, &stage.name);
            match plan
                .authorize(
                    invoker,
                    &dp.http_authorizer_cache,
                    &api.tenant,
                    &scope,
                    event.lambda_event(),
                    identity,
                    &arn,
                )
                .await
            {
                // As REST APIs show it: the principal beside the context's members.
                Ok(a) => {
                    let mut flat = a
                        .get("lambda")
                        .and_then(Value::as_object)
                        .cloned()
                        .unwrap_or_default();
                    if let Some(p) = a.get("principalId") {
                        flat.insert("principalId".into(), p.clone());
                    }
                    Ok(Some(Value::Object(flat)))
                }
                Err(Refusal::Unauthorized) => Err(refuse(401, "Unauthorized")),
                Err(Refusal::Forbidden) => Err(refuse(403, "Forbidden")),
                Err(Refusal::Failed(why)) => {
                    tracing::warn!(api_id = %api.api_id, "authorizer failed: {why}");
                    Err(refuse(500, "Internal server error"))
                }
            }
        }
    }
}

/// What a connection's task and its messages' tasks share.
#[derive(Clone)]
struct Session {
    dp: Arc<DataPlane>,
    api: Arc<WsApi>,
    stage: Arc<WsStage>,
    conn: Arc<Conn>,
    shared: Arc<Shared>,
}

/// What the handshake leaves to the connection's events, in one allocation.
struct Shared {
    /// Messages whose integrations run now (at most [`IN_FLIGHT`]).
    in_flight: Semaphore,
    authorizer: Option<Value>,
    domain_name: Box<str>,
    /// The handshake's headers, when the stage has a `$disconnect` integration to send them to
    /// ([`save_headers`]).
    disconnect_headers: Option<Box<[u8]>>,
}

/// A message's slot among the [`IN_FLIGHT`], given back when its task ends (even by a panic).
struct InFlight(Arc<Shared>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.add_permits(1);
    }
}

impl Session {
    /// Serve the socket until it ends; the close code and reason `$disconnect` reports.
    async fn serve(&self, io: Io, pre: bytes::Bytes) -> (u16, String) {
        let limits = self.dp.websockets.limits;
        // tungstenite's buffers are 128 KiB each by default: 10,000 idle connections would
        // hold 2.5 GB. Reads go 4 KiB at a time, into a buffer kept only while the connection
        // is active (`link`); writes go out as each message is sent.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .max_message_size(Some(limits.max_message))
            .max_frame_size(Some(limits.max_frame));
        let mut link = Link::new(io, pre, config);
        let messages_in = self
            .dp
            .metrics
            .ws_messages(&self.api.api_id, &self.stage.name, "in");
        // The idle timeout and the lifetime cap end the connection alike (1001): one timer, at
        // whichever comes first. A frame only notes when it came; the timer is moved on when it
        // goes off, not once per frame.
        let end_of_life = after(limits.max_lifetime);
        let next_deadline = |from: tokio::time::Instant| {
            from.checked_add(limits.idle)
                .map_or(end_of_life, |t| t.min(end_of_life))
        };
        let mut last_frame = tokio::time::Instant::now();
        let deadline = tokio::time::sleep_until(next_deadline(last_frame));
        tokio::pin!(deadline);
        // Made once: a fresh `notified()` per turn of the loop joined and left the Notify's
        // waiter list (a lock each way) for every message in or out.
        let kill = self.conn.kill.notified();
        tokio::pin!(kill);
        // The closings are boxed: they run once, and unboxed the task would keep room for the
        // largest of them all its life.
        let (code, reason) = loop {
            tokio::select! {
                biased;
                () = &mut kill => {
                    if self.conn.is_going_away() {
                        break Box::pin(close(&mut link, CloseCode::Away, "Going away")).await;
                    }
                    break Box::pin(close(&mut link, CloseCode::Normal, "")).await;
                }
                () = &mut deadline => {
                    let due = next_deadline(last_frame);
                    if due > tokio::time::Instant::now() {
                        deadline.as_mut().reset(due);
                        continue;
                    }
                    break Box::pin(close(&mut link, CloseCode::Away, "Going away")).await;
                }
                out = self.conn.next_out() => {
                    let msg = match out {
                        Out::Text(t) => Message::Text(t.into()),
                        Out::Binary(b) => Message::Binary(b),
                    };
                    match tokio::time::timeout(WRITE_TIMEOUT, link.send(msg)).await {
                        Ok(Ok(())) => {}
                        // A client that does not read is let go.
                        Ok(Err(_)) | Err(_) => break (1006, String::new()),
                    }
                }
                frame = link.next() => {
                    last_frame = tokio::time::Instant::now();
                    self.conn.touch();
                    match frame {
                        None => break (1006, String::new()),
                        Some(Ok(Message::Text(text))) => {
                            messages_in.inc();
                            let Ok(permit) = self.shared.in_flight.acquire().await else {
                                break (1011, String::new());
                            };
                            permit.forget();
                            let slot = InFlight(self.shared.clone());
                            let s = self.clone();
                            let message = Box::pin(async move {
                                s.on_message(text.as_str()).await;
                                drop(slot);
                            });
                            serve_message(message);
                        }
                        Some(Ok(Message::Binary(_))) => {
                            // AWS: "API Gateway WebSocket APIs don't currently support binary
                            // frames in incoming message payloads" — the client is disconnected
                            // with 1003.
                            break Box::pin(close(&mut link, CloseCode::Unsupported, "Binary frames are not supported")).await;
                        }
                        Some(Ok(Message::Close(frame))) => {
                            // tungstenite answers the close; read until the socket ends.
                            let (code, reason) = frame
                                .map(|f| (u16::from(f.code), f.reason.to_string()))
                                .unwrap_or((1005, String::new()));
                            Box::pin(drain(&mut link)).await;
                            break (code, reason);
                        }
                        Some(Ok(_)) => {} // ping (answered by tungstenite), pong
                        Some(Err(WsError::Capacity(CapacityError::MessageTooLong { .. }))) => {
                            break Box::pin(close(&mut link, CloseCode::Size, "Message too big")).await;
                        }
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "websocket read failed");
                            break (1006, String::new());
                        }
                    }
                }
            }
        };
        // Nothing more is written: `@connections` now finds it gone, and what was queued goes.
        self.conn.end();
        (code, reason)
    }

    /// One text message: route selection, the route's integration, and what goes back.
    async fn on_message(&self, text: &str) {
        let body_json: Option<Value> = serde_json::from_str(text).ok();
        let request_id = new_id();
        let mut event = integrate::Event {
            api: &self.api,
            stage: &self.stage,
            route_key: "$default",
            event_type: EventType::Message,
            connection_id: self.conn.id.as_str(),
            connected_at: self.conn.connected_at,
            request_id: request_id.clone(),
            message_id: Some(new_id()),
            domain_name: &self.shared.domain_name,
            source_ip: &self.conn.source_ip,
            user_agent: self.conn.user_agent.as_deref(),
            received: OffsetDateTime::now_utc(),
            body: Some(text),
            body_json: body_json.as_ref(),
            headers: None,
            query: &[],
            authorizer: self.shared.authorizer.as_ref(),
            disconnect: None,
        };
        let routes = &self.stage.deployment.routes;
        let mut context = event.request_context();
        let selected = integrate::evaluate(&self.api.route_selection, &event, &context);
        let route = selected
            .as_deref()
            .filter(|k| !matches!(*k, "$connect" | "$disconnect"))
            .and_then(|k| routes.get(k))
            .or_else(|| routes.get("$default"));
        let Some(route) = route else {
            event.access_log(403, Some("Forbidden"), None);
            let _ = self.conn.post(Out::Text(error_message(
                "Forbidden",
                self.conn.id.as_str(),
                &request_id,
            )));
            return;
        };
        event.route_key = &route.key;
        // The integration's `$context` is the one route selection saw, with the route chosen.
        if let Value::Object(c) = &mut context {
            c.insert("routeKey".into(), route.key.as_str().into());
        }
        let Some(integ) = &route.integration else {
            event.access_log(500, Some("Internal server error"), None);
            let _ = self.conn.post(Out::Text(error_message(
                "Internal server error",
                self.conn.id.as_str(),
                &request_id,
            )));
            return;
        };
        let started = std::time::Instant::now();
        match integrate::run_in(&self.dp, integ, &event, context).await {
            Ok(answer) => {
                event.access_log(200, None, Some((started.elapsed(), answer.status)));
                if let (true, Some(body)) = (route.two_way, answer.body) {
                    let _ = self.conn.post(Out::Text(body));
                }
            }
            Err(e) => {
                tracing::warn!(api_id = %self.api.api_id, route = %route.key, error = %e, "integration failed");
                event.access_log(500, Some("Internal server error"), None);
                let _ = self.conn.post(Out::Text(error_message(
                    "Internal server error",
                    self.conn.id.as_str(),
                    &request_id,
                )));
            }
        }
    }

    /// `$disconnect`, best effort: nobody hears its answer.
    async fn disconnect(&self, code: u16, reason: &str) {
        let Some(route) = self.stage.deployment.routes.get("$disconnect") else {
            return;
        };
        let Some(integ) = &route.integration else {
            return;
        };
        let headers = self
            .shared
            .disconnect_headers
            .as_deref()
            .map(restore_headers);
        let event = integrate::Event {
            api: &self.api,
            stage: &self.stage,
            route_key: "$disconnect",
            event_type: EventType::Disconnect,
            connection_id: self.conn.id.as_str(),
            connected_at: self.conn.connected_at,
            request_id: new_id(),
            message_id: None,
            domain_name: &self.shared.domain_name,
            source_ip: &self.conn.source_ip,
            user_agent: self.conn.user_agent.as_deref(),
            received: OffsetDateTime::now_utc(),
            body: None,
            body_json: None,
            headers: headers.as_ref(),
            query: &[],
            authorizer: self.shared.authorizer.as_ref(),
            disconnect: Some((code, reason)),
        };
        let started = std::time::Instant::now();
        match integrate::run(&self.dp, integ, &event).await {
            Ok(a) => event.access_log(200, None, Some((started.elapsed(), a.status))),
            Err(e) => {
                tracing::warn!(api_id = %self.api.api_id, error = %e, "$disconnect failed");
                event.access_log(500, Some("Internal server error"), None);
            }
        }
    }
}

/// `d` from now; far away (as `tokio::time::sleep` has it) for a `d` too large to add.
fn after(d: Duration) -> tokio::time::Instant {
    let now = tokio::time::Instant::now();
    now.checked_add(d)
        .unwrap_or_else(|| now + Duration::from_secs(86400 * 365 * 30))
}

/// Serves one message: here and now when its integration answers at once (MOCK: the
/// answer is queued before the next frame is read, and no task is made for it), else in a task
/// of its own (Lambda, HTTP), so that the connection goes on reading. A task per message was
/// a tenth of a MOCK round trip's instructions. A panic stays the message's, as it did in a
/// task: the connection goes on.
fn serve_message(mut message: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>) {
    // The first poll's waker is never woken: a message that is not done is handed to a task,
    // whose first poll registers the task's own waker wherever the message waits.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        message.as_mut().poll(&mut cx)
    })) {
        Ok(std::task::Poll::Ready(())) => {}
        Ok(std::task::Poll::Pending) => {
            tokio::spawn(message);
        }
        Err(_) => tracing::error!("serving a WebSocket message panicked"),
    }
}

/// Send a close frame and wait (a little) for the client's.
async fn close(link: &mut Link, code: CloseCode, reason: &str) -> (u16, String) {
    let Some(ws) = link.active() else {
        return (u16::from(code), reason.to_string());
    };
    let frame = CloseFrame {
        code,
        reason: reason.to_string().into(),
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, ws.close(Some(frame))).await;
    drain_ws(ws).await;
    // After a refused frame the codec stops reading. Our side is shut (the client sees the
    // end after the close frame), then what the client still sends is read and dropped until
    // it closes too: a socket closed with unread data is reset, and a reset can overtake the
    // close frame on its way to the client.
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let _ = ws.get_mut().shutdown().await;
        let mut buf = vec![0u8; 16 * 1024];
        let mut left = 1024 * 1024usize;
        while left > 0 {
            match ws.get_mut().read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => left = left.saturating_sub(n),
            }
        }
    })
    .await;
    (u16::from(code), reason.to_string())
}

/// Read what is left until the client closes its side (bounded in time).
async fn drain(link: &mut Link) {
    if let Some(ws) = link.active() {
        drain_ws(ws).await;
    }
}

async fn drain_ws(ws: &mut super::link::Ws) {
    let _ = tokio::time::timeout(WRITE_TIMEOUT, async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn messages_are_served_at_once_or_in_a_task_and_their_panics_stay_theirs() {
        use std::sync::atomic::{AtomicBool, Ordering};
        // Done at its first poll: served before serve_message returns.
        let ran = Arc::new(AtomicBool::new(false));
        let r = ran.clone();
        serve_message(Box::pin(async move { r.store(true, Ordering::SeqCst) }));
        assert!(ran.load(Ordering::SeqCst));
        // Waiting: handed to a task, which must be woken when what it waits for comes.
        let (go, wait) = tokio::sync::oneshot::channel::<u32>();
        let (done, finished) = tokio::sync::oneshot::channel::<u32>();
        serve_message(Box::pin(async move {
            let n = wait.await.unwrap_or_default();
            let _ = done.send(n + 1);
        }));
        go.send(41).unwrap();
        let n = tokio::time::timeout(Duration::from_secs(5), finished).await;
        assert_eq!(n.ok().and_then(Result::ok), Some(42));
        // A panic is the message's alone.
        serve_message(Box::pin(async { panic!("a message's panic") }));
    }

    #[test]
    fn saved_headers_come_back_as_they_were() {
        let mut h = HeaderMap::new();
        h.insert("host", HeaderValue::from_static("a.example.com:8080"));
        h.append("x-multi", HeaderValue::from_static("one"));
        h.append("x-multi", HeaderValue::from_static("two: with a colon"));
        h.insert("x-empty", HeaderValue::from_static(""));
        h.insert("x-latin", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let back = restore_headers(&save_headers(&h));
        assert_eq!(back, h);
        let order = |m: &HeaderMap| {
            m.iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect::<Vec<_>>()
        };
        assert_eq!(order(&back), order(&h));
    }

    #[test]
    fn error_messages_are_aws_bytes() {
        assert_eq!(
            error_message("Forbidden", "R1kmxc2VNjMCFIA=", "R1knPH17NjMFftw="),
            r#"{"message": "Forbidden", "connectionId":"R1kmxc2VNjMCFIA=", "requestId":"R1knPH17NjMFftw="}"#
        );
    }
}
