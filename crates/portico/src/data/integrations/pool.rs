//! Keep-alive HTTP/1.1 connections to integration backends, driven inline by the request that
//! uses them.
//!
//! hyper's pooled client runs every connection as its own task, so a proxied request crosses
//! tasks (and often threads) twice: request into the connection task, response back. Here the
//! invocation's own task polls the connection — while waiting for the response head, and then
//! from the response body as the server streams it — the way an event-loop proxy like nginx
//! works. When the body ends the connection goes back to the pool; a body dropped early closes
//! it (its response was not read to the end).
//!
//! Idle connections are kept per thread: a connection is registered with the I/O driver of the
//! runtime that opened it, and with one single-threaded runtime per worker (see `server`) it must
//! only ever be driven there.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::{http1, TrySendError};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::TcpStream;

type Sender = http1::SendRequest<Full<Bytes>>;
type Conn = http1::Connection<TokioIo<TcpStream>, Full<Bytes>>;

/// Idle connections kept per backend authority.
const MAX_IDLE_PER_HOST: usize = 512;
/// Backends close idle keep-alive connections; don't reuse ones older than this.
const MAX_IDLE_AGE: Duration = Duration::from_secs(60);

/// Idle connections by the thread that released them, then by backend authority (looked up
/// by `&str`, so a request that reuses a connection allocates no key).
type IdleMap = HashMap<usize, HashMap<Arc<str>, Host>>;

/// One backend's idle connections, with its key so a checkout can hand the key on by cloning.
struct Host {
    key: Arc<str>,
    idle: Vec<Idle>,
}

/// A small number naming the current thread, cheaper to read than `thread::current().id()`.
fn thread_slot() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static SLOT: usize = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    SLOT.with(|s| *s)
}

pub struct Lease {
    pool: Arc<Pool>,
    key: Arc<str>,
    sender: Sender,
    conn: Conn,
    reused: bool,
}

struct Idle {
    sender: Sender,
    conn: Conn,
    since: Instant,
}

#[derive(Default)]
pub struct Pool {
    idle: Mutex<IdleMap>,
}

#[derive(Debug)]
pub enum SendError {
    Connect(std::io::Error),
    Http(hyper::Error),
    /// The backend closed the connection before answering.
    Closed,
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SendError::Connect(e) => write!(f, "connect: {e}"),
            SendError::Closed => f.write_str("connection closed before the response arrived"),
            SendError::Http(e) => {
                write!(f, "{e}")?;
                let mut src = std::error::Error::source(e);
                while let Some(s) = src {
                    write!(f, ": {s}")?;
                    src = s.source();
                }
                Ok(())
            }
        }
    }
}

impl Pool {
    fn checkout(self: &Arc<Self>, authority: &str) -> Option<Lease> {
        let mut idle = self.idle.lock();
        let host = idle.get_mut(&thread_slot())?.get_mut(authority)?;
        while let Some(i) = host.idle.pop() {
            if i.sender.is_closed() || i.since.elapsed() > MAX_IDLE_AGE {
                continue;
            }
            return Some(Lease {
                pool: self.clone(),
                key: host.key.clone(),
                sender: i.sender,
                conn: i.conn,
                reused: true,
            });
        }
        None
    }

    async fn connect(self: &Arc<Self>, authority: &str) -> Result<Lease, SendError> {
        let stream = TcpStream::connect(authority)
            .await
            .map_err(SendError::Connect)?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(SendError::Http)?;
        Ok(Lease {
            pool: self.clone(),
            key: authority.into(),
            sender,
            conn,
            reused: false,
        })
    }

    /// Send `req` to `authority` (`host:port`), reusing an idle connection when there is one.
    /// A reused connection that turns out closed is retried once on a fresh one.
    pub async fn send(
        self: &Arc<Self>,
        authority: &str,
        req: Request<Full<Bytes>>,
    ) -> Result<Response<DrivenBody>, SendError> {
        let mut req = req;
        let mut fresh_only = false;
        loop {
            let lease = if fresh_only {
                None
            } else {
                self.checkout(authority)
            };
            let mut lease = match lease {
                Some(l) => l,
                None => self.connect(authority).await?,
            };
            if let Err(e) = lease.ready().await {
                // An idle connection the backend closed meanwhile: take the next one.
                if lease.reused {
                    continue;
                }
                return Err(e);
            }
            match lease.exchange(req).await {
                Ok(resp) => {
                    let (head, inner) = resp.into_parts();
                    let body = DrivenBody {
                        inner,
                        lease: Some(lease),
                    };
                    return Ok(Response::from_parts(head, body));
                }
                // Not written yet, so safe to send again on a fresh connection (a request that
                // may have reached the backend is never replayed).
                Err(Exchange::Unsent(r)) if lease.reused => {
                    req = *r;
                    fresh_only = true;
                }
                Err(Exchange::Unsent(_)) | Err(Exchange::Closed) => return Err(SendError::Closed),
                Err(Exchange::Failed(e)) => return Err(SendError::Http(e)),
            }
        }
    }
}

impl Lease {
    /// Drive the connection until it takes a request.
    async fn ready(&mut self) -> Result<(), SendError> {
        std::future::poll_fn(|cx| {
            match Pin::new(&mut self.conn).poll(cx) {
                Poll::Ready(Err(e)) => return Poll::Ready(Err(SendError::Http(e))),
                // The backend hung up while the connection sat idle. The sender does not learn
                // of it (its receiver lives on inside `conn`) and would take a request that is
                // never answered.
                Poll::Ready(Ok(())) => return Poll::Ready(Err(SendError::Closed)),
                Poll::Pending => {}
            }
            self.sender.poll_ready(cx).map_err(SendError::Http)
        })
        .await
    }

    /// Send `req` and drive the connection until the response head arrives.
    async fn exchange(
        &mut self,
        req: Request<Full<Bytes>>,
    ) -> Result<Response<Incoming>, Exchange> {
        let mut fut = std::pin::pin!(self.sender.try_send_request(req));
        let conn = &mut self.conn;
        let mut conn_done = false;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(r) = fut.as_mut().poll(cx) {
                return Poll::Ready(r.map_err(Exchange::from));
            }
            if !conn_done {
                // Whether the connection progressed or ended, the response future now knows.
                conn_done = Pin::new(&mut *conn).poll(cx).is_ready();
            }
            match fut.as_mut().poll(cx) {
                Poll::Ready(r) => Poll::Ready(r.map_err(Exchange::from)),
                // Ended cleanly with the request still queued: no answer will come.
                Poll::Pending if conn_done => Poll::Ready(Err(Exchange::Closed)),
                Poll::Pending => Poll::Pending,
            }
        })
        .await
    }

    fn release(self) {
        if self.sender.is_closed() {
            return;
        }
        let mut idle = self.pool.idle.lock();
        let list = &mut idle
            .entry(thread_slot())
            .or_default()
            .entry(self.key.clone())
            .or_insert_with(|| Host {
                key: self.key.clone(),
                idle: Vec::new(),
            })
            .idle;
        // The oldest idle connections sit at the front: drop the expired ones.
        let expired = list
            .iter()
            .take_while(|i| i.since.elapsed() > MAX_IDLE_AGE)
            .count();
        if expired > 0 {
            list.drain(..expired);
        }
        if list.len() < MAX_IDLE_PER_HOST {
            list.push(Idle {
                sender: self.sender,
                conn: self.conn,
                since: Instant::now(),
            });
        }
    }
}

/// How an exchange on a leased connection failed.
enum Exchange {
    /// The request was never written: it may go out on another connection.
    Unsent(Box<Request<Full<Bytes>>>),
    /// It may have reached the backend: never replayed.
    Failed(hyper::Error),
    Closed,
}

impl From<TrySendError<Request<Full<Bytes>>>> for Exchange {
    fn from(mut e: TrySendError<Request<Full<Bytes>>>) -> Exchange {
        match e.take_message() {
            Some(req) => Exchange::Unsent(Box::new(req)),
            None => Exchange::Failed(e.into_error()),
        }
    }
}

/// A response body that drives its connection while it is read, and hands the connection back
/// to the pool once the body is complete.
pub struct DrivenBody {
    inner: Incoming,
    lease: Option<Lease>,
}

impl DrivenBody {
    fn finish(&mut self) {
        if let Some(l) = self.lease.take() {
            l.release();
        }
    }
}

impl Drop for DrivenBody {
    fn drop(&mut self) {
        // An empty body (204, HEAD, `Content-Length: 0`) is never polled: still reusable.
        if self.inner.is_end_stream() {
            self.finish();
        }
    }
}

impl Body for DrivenBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        if let Some(l) = &mut this.lease {
            if Pin::new(&mut l.conn).poll(cx).is_ready() {
                // Closed (or failed): the body sees the end or the error itself.
                this.lease = None;
            }
        }
        let r = Pin::new(&mut this.inner).poll_frame(cx);
        match &r {
            Poll::Ready(None) => this.finish(),
            Poll::Ready(Some(Ok(_))) if this.inner.is_end_stream() => this.finish(),
            Poll::Ready(Some(Err(_))) => this.lease = None,
            _ => {}
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
