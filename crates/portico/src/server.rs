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

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::app::App;
use crate::http::ResponseBody;
use crate::planes;

/// How long shutdown waits for in-flight requests before giving up on them.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest read and write buffer of a client connection, and so the largest request head
/// (AWS allows 10,240 bytes of request line and headers).
pub const CONN_BUFFER: usize = 64 * 1024;

pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
}

/// A connection on its way to the worker that will serve it.
type Handoff = (std::net::TcpStream, SocketAddr);

impl Server {
    pub async fn bind(app: Arc<App>) -> std::io::Result<Server> {
        let listener = TcpListener::bind(app.config.listen).await?;
        Ok(Server { listener, app })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
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
        let mut next = 0usize;
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            // Out of file descriptors and the like: back off instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    // Slot 0 is this runtime; 1.. are the worker threads.
                    next = (next + 1) % (outboxes.len() + 1);
                    if next == 0 {
                        local.serve(stream, peer);
                        continue;
                    }
                    match stream.into_std() {
                        Ok(std) => {
                            if let Err(mpsc::error::SendError((std, peer))) = outboxes[next - 1].send((std, peer)) {
                                // That worker is gone: serve here rather than drop the client.
                                if let Ok(s) = TcpStream::from_std(std) {
                                    local.serve(s, peer);
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
        tracing::info!("shutting down: draining in-flight requests");
        let _ = stop_tx.send(true);
        drop(outboxes);
        local.drain().await;
        for done in finished {
            let _ = done.await;
        }
        // Counts served since the last background flush.
        self.app.data.metering.flush();
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
                Some((std, peer)) => match TcpStream::from_std(std) {
                    Ok(stream) => conns.serve(stream, peer),
                    Err(e) => tracing::warn!(error = %e, "cannot adopt a handed-over connection"),
                },
                None => break,
            },
            _ = stop.wait_for(|s| *s) => break,
        }
    }
    conns.drain().await;
}

/// The connections of one worker, watched for graceful shutdown.
struct Connections {
    app: Arc<App>,
    builder: http1::Builder,
    graceful: GracefulShutdown,
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
            .max_buf_size(CONN_BUFFER);
        Connections {
            app,
            builder,
            graceful: GracefulShutdown::new(),
        }
    }

    fn serve(&self, stream: TcpStream, peer: SocketAddr) {
        let app = self.app.clone();
        let source_ip: Arc<str> = portico_gateway::context::source_ip(peer.ip()).into();
        let service = service_fn(move |req: Request<Incoming>| {
            let (app, source_ip) = (app.clone(), source_ip.clone());
            async move {
                Ok::<Response<ResponseBody>, Infallible>(planes::serve(app, source_ip, req).await)
            }
        });
        let conn = self.builder.serve_connection(TokioIo::new(stream), service);
        let conn = self.graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }

    async fn drain(self) {
        tokio::select! {
            _ = self.graceful.shutdown() => tracing::debug!("drained"),
            _ = tokio::time::sleep(DRAIN_TIMEOUT) => tracing::warn!("drain timed out"),
        }
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
