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

use futures_util::{SinkExt, StreamExt};
use hyper::header::{HeaderValue, CONNECTION, UPGRADE, USER_AGENT};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Response, StatusCode};
use hyper_util::rt::TokioIo;
use portico_core::query::parse_query;
use serde_json::{json, Value};
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::error::CapacityError;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use super::connections::{epoch_ms, new_id, Conn, Out};
use super::integrate::{self, connect_allowed, EventType};
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
    let connection_id = new_id();
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
            connection_id: &connection_id,
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
    let (conn, rx) = Conn::new(
        connection_id,
        api.tenant.clone(),
        api.api_id.clone(),
        stage.name.clone(),
        connected_at,
        peer.source_ip.clone(),
        user_agent,
        dp.metrics.ws_messages(&api.api_id, &stage.name, "out"),
    );
    dp.websockets.connections.insert(conn.clone());
    connects.inc();
    gauge.inc();
    let headers = parts.headers.clone();
    dp.websockets.connections.task_started();
    // The client connection's `max_connections` slot now belongs to the WebSocket connection.
    let permit = slot.and_then(|s| s.take());
    tokio::spawn(async move {
        let _permit = permit;
        let session = Session {
            dp: dp.clone(),
            api,
            stage,
            conn: conn.clone(),
            authorizer: authorizer.map(Arc::new),
            domain_name: Arc::from(domain_name),
            headers: Arc::new(headers),
        };
        let (code, reason) = match on_upgrade.await {
            Ok(upgraded) => session.serve(TokioIo::new(upgraded), rx).await,
            Err(e) => {
                tracing::debug!(error = %e, "upgrade failed");
                (1006, String::new())
            }
        };
        dp.websockets.connections.remove(&conn.id);
        gauge.dec();
        session.disconnect(code, &reason).await;
        dp.websockets.connections.task_ended();
    });
    resp
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
    authorizer: Option<Arc<Value>>,
    domain_name: Arc<str>,
    /// The handshake's headers (`$disconnect`'s event carries them too).
    headers: Arc<HeaderMap>,
}

impl Session {
    /// Serve the socket until it ends; the close code and reason `$disconnect` reports.
    async fn serve<S>(&self, io: S, mut rx: tokio::sync::mpsc::Receiver<Out>) -> (u16, String)
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let limits = self.dp.websockets.limits;
        // tungstenite's buffers are 128 KiB each by default: 10,000 idle connections would
        // hold 2.5 GB. Reads go 4 KiB at a time; writes go out as each message is sent.
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .max_message_size(Some(limits.max_message))
            .max_frame_size(Some(limits.max_frame));
        let mut ws = WebSocketStream::from_raw_socket(io, Role::Server, Some(config)).await;
        let messages_in = self
            .dp
            .metrics
            .ws_messages(&self.api.api_id, &self.stage.name, "in");
        let in_flight = Arc::new(Semaphore::new(IN_FLIGHT));
        let lifetime = tokio::time::sleep(limits.max_lifetime);
        tokio::pin!(lifetime);
        let idle = tokio::time::sleep(limits.idle);
        tokio::pin!(idle);
        // A frame only notes when it came; the idle timer is moved on when it goes off, not
        // once per frame.
        let mut last_frame = tokio::time::Instant::now();
        // Made once: a fresh `notified()` per turn of the loop joined and left the Notify's
        // waiter list (a lock each way) for every message in or out.
        let kill = self.conn.kill.notified();
        tokio::pin!(kill);
        let (code, reason) = loop {
            tokio::select! {
                biased;
                () = &mut kill => {
                    if self.conn.is_going_away() {
                        break close(&mut ws, CloseCode::Away, "Going away").await;
                    }
                    break close(&mut ws, CloseCode::Normal, "").await;
                }
                () = &mut lifetime => {
                    break close(&mut ws, CloseCode::Away, "Going away").await;
                }
                () = &mut idle => {
                    let due = last_frame + limits.idle;
                    if due > tokio::time::Instant::now() {
                        idle.as_mut().reset(due);
                        continue;
                    }
                    break close(&mut ws, CloseCode::Away, "Going away").await;
                }
                out = rx.recv() => {
                    let msg = match out {
                        Some(Out::Text(t)) => Message::Text(t.into()),
                        Some(Out::Binary(b)) => Message::Binary(b),
                        None => break (1006, String::new()),
                    };
                    match tokio::time::timeout(WRITE_TIMEOUT, ws.send(msg)).await {
                        Ok(Ok(())) => {}
                        // A client that does not read is let go.
                        Ok(Err(_)) | Err(_) => break (1006, String::new()),
                    }
                }
                frame = ws.next() => {
                    last_frame = tokio::time::Instant::now();
                    self.conn.touch();
                    match frame {
                        None => break (1006, String::new()),
                        Some(Ok(Message::Text(text))) => {
                            messages_in.inc();
                            let Ok(permit) = in_flight.clone().acquire_owned().await else {
                                break (1011, String::new());
                            };
                            let s = self.clone();
                            let message = Box::pin(async move {
                                s.on_message(text.as_str()).await;
                                drop(permit);
                            });
                            serve_message(message);
                        }
                        Some(Ok(Message::Binary(_))) => {
                            // AWS: "API Gateway WebSocket APIs don't currently support binary
                            // frames in incoming message payloads" — the client is disconnected
                            // with 1003.
                            break close(&mut ws, CloseCode::Unsupported, "Binary frames are not supported").await;
                        }
                        Some(Ok(Message::Close(frame))) => {
                            // tungstenite answers the close; read until the socket ends.
                            let (code, reason) = frame
                                .map(|f| (u16::from(f.code), f.reason.to_string()))
                                .unwrap_or((1005, String::new()));
                            drain(&mut ws).await;
                            break (code, reason);
                        }
                        Some(Ok(_)) => {} // ping (answered by tungstenite), pong
                        Some(Err(WsError::Capacity(CapacityError::MessageTooLong { .. }))) => {
                            break close(&mut ws, CloseCode::Size, "Message too big").await;
                        }
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "websocket read failed");
                            break (1006, String::new());
                        }
                    }
                }
            }
        };
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
            connection_id: &self.conn.id,
            connected_at: self.conn.connected_at,
            request_id: request_id.clone(),
            message_id: Some(new_id()),
            domain_name: &self.domain_name,
            source_ip: &self.conn.source_ip,
            user_agent: self.conn.user_agent.as_deref(),
            received: OffsetDateTime::now_utc(),
            body: Some(text),
            body_json: body_json.as_ref(),
            headers: None,
            query: &[],
            authorizer: self.authorizer.as_deref(),
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
                &self.conn.id,
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
                &self.conn.id,
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
                    &self.conn.id,
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
        let event = integrate::Event {
            api: &self.api,
            stage: &self.stage,
            route_key: "$disconnect",
            event_type: EventType::Disconnect,
            connection_id: &self.conn.id,
            connected_at: self.conn.connected_at,
            request_id: new_id(),
            message_id: None,
            domain_name: &self.domain_name,
            source_ip: &self.conn.source_ip,
            user_agent: self.conn.user_agent.as_deref(),
            received: OffsetDateTime::now_utc(),
            body: None,
            body_json: None,
            headers: Some(&self.headers),
            query: &[],
            authorizer: self.authorizer.as_deref(),
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
async fn close<S>(ws: &mut WebSocketStream<S>, code: CloseCode, reason: &str) -> (u16, String)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let frame = CloseFrame {
        code,
        reason: reason.to_string().into(),
    };
    let _ = tokio::time::timeout(WRITE_TIMEOUT, ws.close(Some(frame))).await;
    drain(ws).await;
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
async fn drain<S>(ws: &mut WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
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
    fn error_messages_are_aws_bytes() {
        assert_eq!(
            error_message("Forbidden", "R1kmxc2VNjMCFIA=", "R1knPH17NjMFftw="),
            r#"{"message": "Forbidden", "connectionId":"R1kmxc2VNjMCFIA=", "requestId":"R1knPH17NjMFftw="}"#
        );
    }
}
