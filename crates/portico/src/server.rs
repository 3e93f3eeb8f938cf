//! The listener and per-connection handling (tokio mini-redis style): one acceptor, one task per
//! connection, graceful shutdown that stops accepting and lets in-flight requests finish.
//!
//! Thread per core: each worker thread runs its own single-threaded tokio runtime, and a
//! connection lives its whole life on the worker it was handed to. The acceptor (on the runtime
//! that calls [`Server::run`], which is also worker 0) deals accepted connections out round-robin.
//! Nothing a request touches is stolen by, or woken from, another thread: the backend pool keeps
//! its idle connections per worker (`data::integrations::pool`). The cost is that a control-plane
//! call, which runs its SQLite transaction inline, holds up the other connections of its worker
//! for its duration (well under a millisecond).
//!
//! Limits for a listener that may face the internet (`config`): a request head must arrive
//! within `header_read_timeout` (each connection's watchdog, `head_watch`: from the accept, and
//! from the end of every response on a kept-alive connection), and at most `max_connections` client connections are open
//! across all workers (a semaphore whose permit travels with the connection to its worker).

use std::convert::Infallible;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch, OwnedSemaphorePermit, Semaphore};

use crate::app::App;
use crate::head_watch::{HeadWatch, Watched};
use crate::{planes, tls};
use portico_gateway::Peer;

/// How long shutdown waits for in-flight requests before giving up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest read and write buffer of a client connection, and so the largest request head
/// (AWS allows 10,240 bytes of request line and headers).
pub const CONN_BUFFER: usize = 64 * 1024;
/// What a connection over `max_connections` hears before it is closed: a 503 that clients and
/// SDKs retry (botocore does), rather than a reset that looks like a crash.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
    content-type: application/json\r\n\
    content-length: 34\r\n\
    retry-after: 1\r\n\
    connection: close\r\n\r\n\
    {\"message\":\"Too many connections\"}";

pub struct Server {
    listener: TcpListener,
    /// `--tls-listen`: the same planes over HTTPS.
    tls_listener: Option<TcpListener>,
    app: Arc<App>,
}

/// A connection on its way to the worker that will serve it, with its `max_connections` slot
/// and whether it arrived on the HTTPS listener.
type Handoff = (std::net::TcpStream, SocketAddr, OwnedSemaphorePermit, bool);

impl Server {
    pub async fn bind(app: Arc<App>) -> std::io::Result<Server> {
        let listener = TcpListener::bind(app.config.listen).await?;
        let tls_listener = match app.config.tls_listen {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        Ok(Server {
            listener,
            tls_listener,
            app,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The HTTPS listener's address, if there is one.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// Serve until `shutdown` resolves, then drain every worker.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut outboxes = Vec::new();
        let mut finished = Vec::new();
        for n in 1..self.app.config.workers.max(1) {
            let (tx, rx) = mpsc::unbounded_channel::<Handoff>();
            let (done_tx, done_rx) = oneshot::channel::<()>();
            let (app, stop) = (self.app.clone(), stop_rx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("portico-worker-{n}"))
                .spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(rt) => rt.block_on(worker(app, rx, stop)),
                        Err(e) => {
                            tracing::error!(error = %e, worker = n, "cannot start worker runtime")
                        }
                    }
                    let _ = done_tx.send(());
                });
            match spawned {
                Ok(_) => {
                    outboxes.push(tx);
                    finished.push(done_rx);
                }
                // Fewer workers is slower, not wrong: serve with the ones that started.
                Err(e) => tracing::error!(error = %e, worker = n, "cannot start worker thread"),
            }
        }

        let local = Connections::new(self.app.clone());
        // One slot per open client connection, across all workers. The permit goes with the
        // connection to its worker and is given back when its task ends.
        let slots = Arc::new(Semaphore::new(self.app.config.max_connections));
        let mut full = false;
        let mut next = 0usize;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = accept_either(&self.listener, self.tls_listener.as_ref()) => {
                    let (accepted, secure) = accepted;
                    let (stream, peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let Ok(slot) = slots.clone().try_acquire_owned() else {
                        if !full {
                            // Once per episode, not per refused connection: a flood must not
                            // flood the log too.
                            tracing::warn!(
                                max_connections = self.app.config.max_connections,
                                "connection limit reached: refusing new connections with 503"
                            );
                            full = true;
                        }
                        refuse(stream);
                        continue;
                    };
                    full = false;
                    let _ = stream.set_nodelay(true);
                    // Slot 0 is this runtime; 1.. are the worker threads.
                    next = (next + 1) % (outboxes.len() + 1);
                    if next == 0 {
                        local.serve(stream, peer, slot, secure);
                        continue;
                    }
                    match stream.into_std() {
                        Ok(std) => {
                            if let Err(mpsc::error::SendError((std, peer, slot, secure))) = outboxes[next - 1].send((std, peer, slot, secure)) {
                                // That worker is gone: serve here rather than drop the client.
                                if let Ok(s) = TcpStream::from_std(std) {
                                    local.serve(s, peer, slot, secure);
                                }
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "cannot hand a connection to a worker"),
                    }
                }
                _ = &mut shutdown => break,
            }
        }
        drop(self.listener);
        drop(self.tls_listener);
        tracing::info!("shutting down: draining in-flight requests");
        // WebSocket connections left hyper at their upgrade: closed here (1001, then
        // `$disconnect`), while the workers that run them are still up.
        self.app
            .data
            .websockets
            .connections
            .shut_down(DRAIN_TIMEOUT)
            .await;
        let _ = stop_tx.send(true);
        drop(outboxes);
        local.drain().await;
        for done in finished {
            let _ = done.await;
        }
        // Counts served since the last background flush (and, in cluster mode, the quota
        // leases this node holds, given back).
        self.app.data.metering.flush_all();
    }
}

/// A worker thread's loop: serve the connections handed to it until told to stop, then drain.
async fn worker(
    app: Arc<App>,
    mut inbox: mpsc::UnboundedReceiver<Handoff>,
    mut stop: watch::Receiver<bool>,
) {
    let conns = Connections::new(app);
    loop {
        tokio::select! {
            handed = inbox.recv() => match handed {
                Some((std, peer, slot, secure)) => match TcpStream::from_std(std) {
                    Ok(stream) => conns.serve(stream, peer, slot, secure),
                    Err(e) => tracing::warn!(error = %e, "cannot adopt a handed-over connection"),
                },
                None => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    conns.drain().await;
}

/// The next connection from either listener, and whether it came from the HTTPS one.
async fn accept_either(
    plain: &TcpListener,
    tls: Option<&TcpListener>,
) -> (std::io::Result<(TcpStream, SocketAddr)>, bool) {
    match tls {
        None => (plain.accept().await, false),
        Some(tls) => tokio::select! {
            a = plain.accept() => (a, false),
            a = tls.accept() => (a, true),
        },
    }
}

/// Answers a connection over `max_connections` with [`REFUSAL`] and closes it, without waiting
/// on the client: the acceptor must not be held up by the connections it turns away.
fn refuse(stream: TcpStream) {
    // Out of tokio's reactor, still non-blocking.
    let Ok(mut stream) = stream.into_std() else {
        return;
    };
    // A fresh connection's send buffer is empty, so the whole answer fits.
    let _ = stream.write_all(REFUSAL);
    let _ = stream.shutdown(Shutdown::Write);
    // Discard what the client already sent: closing a socket with unread input sends a reset,
    // which can make the client drop the 503 unread. Bounded, and never waits for more.
    let mut sink = [0u8; 4096];
    for _ in 0..16 {
        match stream.read(&mut sink) {
            Ok(n) if n > 0 => continue,
            _ => break,
        }
    }
}

/// The connections of one worker, watched for graceful shutdown.
struct Connections {
    app: Arc<App>,
    builder: http1::Builder,
    /// Graceful shutdown: every connection task holds a receiver; `drain` sends on it and waits
    /// for all of them to be dropped. hyper-util's `GracefulShutdown` does the same but cannot
    /// watch an http1 `UpgradeableConnection` (its `GracefulConnection` is not implemented for
    /// it, as of hyper-util 0.1.21).
    stop: watch::Sender<()>,
}

impl Connections {
    fn new(app: Arc<App>) -> Connections {
        let mut builder = http1::Builder::new();
        // Flattened writes: a response's head and body are copied into one buffer and leave in
        // one `write`. Vectored writes cost more per small response (~450 instructions) and a
        // large body leaves in more, smaller syscalls. The buffer keeps its capacity while the
        // connection lives, so it is capped: hyper's default (~400 KB) would stay with every
        // connection that once carried a large body.
        builder
            .keep_alive(true)
            .half_close(true)
            .writev(false)
            // Not hyper's header_read_timeout: each connection's own watchdog (`head_watch`)
            // does it for a fraction of the cost.
            .max_buf_size(CONN_BUFFER);
        Connections {
            app,
            builder,
            stop: watch::Sender::new(()),
        }
    }

    fn serve(&self, stream: TcpStream, peer: SocketAddr, slot: OwnedSemaphorePermit, secure: bool) {
        let app = self.app.clone();
        let builder = self.builder.clone();
        let mut stop = self.stop.subscribe();
        let source_ip: Arc<str> = portico_gateway::rest::context::source_ip(peer.ip()).into();
        tokio::spawn(async move {
            // Shared, so that a WebSocket handshake can take it over (`websocket::Slot`).
            let slot = portico_gateway::websocket::Slot::new(slot);
            if !secure {
                let who = Arc::new(Peer {
                    source_ip,
                    client_cert: None,
                });
                return connection(app, builder, stop, TokioIo::new(stream), who, peer, slot).await;
            }
            let Some(tls) = app.tls.clone() else {
                return;
            };
            let handshake = tls::handshake(&tls, stream);
            let secured = tokio::select! {
                biased;
                _ = stop.changed() => return,
                r = tokio::time::timeout(app.config.header_read_timeout, handshake) => r,
            };
            match secured {
                Ok(Ok((stream, client_cert))) => {
                    let who = Arc::new(Peer {
                        source_ip,
                        client_cert,
                    });
                    connection(app, builder, stop, TokioIo::new(stream), who, peer, slot).await
                }
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "no TLS handshake within header_read_timeout"),
            }
        });
    }

    async fn drain(self) {
        self.stop.send_replace(());
        tokio::select! {
            _ = self.stop.closed() => tracing::debug!("drained"),
            _ = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("drain timed out"),
        }
    }
}

/// Serve one client connection (plain or TLS) until it ends, shutdown, or a head timeout.
async fn connection<I>(
    app: Arc<App>,
    builder: http1::Builder,
    mut stop: watch::Receiver<()>,
    io: TokioIo<I>,
    who: Arc<Peer>,
    peer: SocketAddr,
    slot: portico_gateway::websocket::Slot,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let head_timeout = app.config.header_read_timeout;
    let watch = Arc::new(HeadWatch::default());
    let heads = watch.clone();
    let service = service_fn(move |mut req: Request<Incoming>| {
        let (app, who) = (app.clone(), who.clone());
        let in_flight = heads.begin();
        // Only a WebSocket handshake carries the slot (an extension costs an allocation).
        if req.headers().contains_key(hyper::header::UPGRADE) {
            req.extensions_mut().insert(slot.clone());
        }
        async move {
            let resp = planes::serve(app, who, req).await;
            Ok::<Response<Watched>, Infallible>(resp.map(|body| in_flight.respond(body)))
        }
    });
    // With upgrades, so that a handler can take the connection over (`hyper::upgrade::on`,
    // for WebSocket APIs: `portico_gateway::websocket::session`). The connection's future ends
    // when it hands the socket over: the WebSocket task that serves it takes the
    // `max_connections` slot with it (`websocket::Slot`); graceful shutdown closes it through
    // the data plane's `Connections::shut_down` (see `Server::run`).
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let ended = tokio::select! {
        biased;
        ended = conn.as_mut() => ended,
        _ = stop.changed() => {
            // Finish the request in flight (or close an idle connection), then end.
            conn.as_mut().graceful_shutdown();
            conn.await
        }
        // Waited too long for a request head: closed without an answer (dropping the
        // connection closes the socket), as hyper's own timeout would.
        () = watch.expired(head_timeout) => {
            tracing::debug!(%peer, "no request head within header_read_timeout: closed");
            Ok(())
        }
    };
    if let Err(e) = ended {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_is_a_whole_http_response() {
        let mut headers = [httparse::EMPTY_HEADER; 8];
        let mut res = httparse::Response::new(&mut headers);
        let head = match res.parse(REFUSAL).unwrap() {
            httparse::Status::Complete(n) => n,
            httparse::Status::Partial => panic!("partial head"),
        };
        assert_eq!(res.code, Some(503));
        let header = |name: &str| {
            res.headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| std::str::from_utf8(h.value).unwrap())
        };
        assert_eq!(header("connection"), Some("close"));
        let body = &REFUSAL[head..];
        assert_eq!(
            header("content-length"),
            Some(body.len().to_string().as_str())
        );
        let v: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["message"], "Too many connections");
    }
}
