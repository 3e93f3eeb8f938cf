//! Keep-alive HTTP/1.1 connections to integration backends, driven inline by the request that
//! uses them.
//!
//! A pooled client that runs every connection as its own task (hyper's) makes a proxied request
//! cross tasks (and often threads) twice: request into the connection task, response back. Here
//! the invocation's own task reads the connection (`h1`) — the response head, and then the
//! response body as the server streams it — the way an event-loop proxy like nginx works. When
//! the body ends the connection goes back to the pool; a body dropped early closes it (its
//! response was not read to the end).
//!
//! Idle connections are kept per thread: a connection is registered with the I/O driver of the
//! runtime that opened it, and with one single-threaded runtime per worker (see `server`) it must
//! only ever be driven there.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::Response;
use parking_lot::Mutex;
use tokio::time::Sleep;

use super::h1::{self, Conn, Framing, Outbound, TlsConnectError};
use super::tls::Connector;
use crate::fast_map::FastMap;

/// Idle connections kept per backend authority.
const MAX_IDLE_PER_HOST: usize = 512;
/// Backends close idle keep-alive connections; don't reuse ones older than this.
const MAX_IDLE_AGE: Duration = Duration::from_secs(60);

/// Idle connections by the thread that released them (indexed by `thread_slot`), then by
/// backend authority (looked up by `&str`, so a request that reuses a connection allocates no
/// key).
type IdleMap = Vec<FastMap<Arc<str>, Host>>;

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

struct Lease {
    pool: Arc<Pool>,
    key: Arc<str>,
    conn: Conn,
    timer: Deadline,
}

/// A connection's deadline timer, kept with it from request to request: moving a registered
/// timer's deadline later is one atomic store, where a timer per request costs a registration
/// in the runtime's wheel and a removal (~1k instructions of every proxied request).
type Deadline = Pin<Box<Sleep>>;

struct Idle {
    conn: Conn,
    timer: Deadline,
    since: Instant,
}

/// When an exchange began and by when its response head must arrive. The clock is read once for
/// both, and that reading also ages the idle connection the exchange reuses: on a VM, the ten
/// clock reads a proxied request used to make were 1.5% of its CPU (vDSO, ~30 ns each).
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub started: Instant,
    pub deadline: tokio::time::Instant,
}

impl Window {
    pub fn new(started: Instant, timeout: Duration) -> Window {
        Window {
            started,
            deadline: tokio::time::Instant::from_std(started) + timeout,
        }
    }
}

/// Why [`Pool::send`] got no response head.
#[derive(Debug)]
pub enum Failure {
    /// The deadline passed first.
    TimedOut,
    /// No connection could be opened (so nothing was sent).
    Connect(std::io::Error),
    /// The TLS handshake failed (so nothing was sent).
    Handshake(std::io::Error),
    Exchange(h1::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::TimedOut => f.write_str("no response head before the deadline"),
            Failure::Connect(e) => e.fmt(f),
            Failure::Handshake(e) => write!(f, "TLS handshake failed: {e}"),
            Failure::Exchange(e) => e.fmt(f),
        }
    }
}

#[derive(Default)]
pub struct Pool {
    idle: Mutex<IdleMap>,
}

impl Pool {
    fn checkout(self: &Arc<Self>, authority: &str, now: Instant) -> Option<Lease> {
        let mut idle = self.idle.lock();
        let host = idle.get_mut(thread_slot())?.get_mut(authority)?;
        while let Some(mut i) = host.idle.pop() {
            if now.duration_since(i.since) > MAX_IDLE_AGE || !i.conn.is_idle_usable() {
                continue;
            }
            return Some(Lease {
                pool: self.clone(),
                key: host.key.clone(),
                conn: i.conn,
                timer: i.timer,
            });
        }
        None
    }

    /// Send `out` to `authority` (`host:port`), reusing an idle connection when there is one,
    /// and wait for the response head until the window's deadline. Returns the response and when
    /// its head arrived.
    ///
    /// A reused connection can turn out closed: the backend's keep-alive timeout may fire just
    /// as the request goes out. Then the request goes once more on a fresh connection if it
    /// was not written at all, or if the connection ended before a byte of the response and
    /// the method is idempotent (what nginx's `proxy_next_upstream error` does). A POST or
    /// PATCH that may have reached the backend is never sent twice.
    #[inline]
    pub async fn send(
        self: &Arc<Self>,
        authority: &str,
        out: &Outbound<'_>,
        window: Window,
    ) -> Result<(Response<DrivenBody>, Instant), Failure> {
        self.send_with(authority, authority, None, out, window)
            .await
    }

    /// [`Pool::send`] over TLS: connections are pooled under `key`, which names the authority
    /// and everything `tls` was built from, so no connection is reused under other settings.
    pub async fn send_tls(
        self: &Arc<Self>,
        key: &str,
        authority: &str,
        tls: &Connector,
        out: &Outbound<'_>,
        window: Window,
    ) -> Result<(Response<DrivenBody>, Instant), Failure> {
        self.send_with(key, authority, Some(tls), out, window).await
    }

    async fn send_with(
        self: &Arc<Self>,
        key: &str,
        authority: &str,
        tls: Option<&Connector>,
        out: &Outbound<'_>,
        window: Window,
    ) -> Result<(Response<DrivenBody>, Instant), Failure> {
        if let Some(mut lease) = self.checkout(key, window.started) {
            lease.timer.as_mut().reset(window.deadline);
            match lease.exchange(out).await {
                Ok(head) => return Ok(lease.respond(head)),
                Err(Failure::Exchange(h1::Error::Unsent(_))) => {}
                Err(Failure::Exchange(h1::Error::Closed)) if idempotent(out.method) => {}
                Err(e) => return Err(e),
            }
        }
        let mut timer = Box::pin(tokio::time::sleep_until(window.deadline));
        let conn = match tls {
            None => tokio::select! {
                biased;
                c = Conn::connect(authority) => c.map_err(Failure::Connect)?,
                () = timer.as_mut() => return Err(Failure::TimedOut),
            },
            Some(tls) => tokio::select! {
                biased;
                c = Conn::connect_tls(authority, tls) => c.map_err(|e| match e {
                    TlsConnectError::Connect(e) => Failure::Connect(e),
                    TlsConnectError::Handshake(e) => Failure::Handshake(e),
                })?,
                () = timer.as_mut() => return Err(Failure::TimedOut),
            },
        };
        let mut lease = Lease {
            pool: self.clone(),
            key: key.into(),
            conn,
            timer,
        };
        match lease.exchange(out).await {
            Ok(head) => Ok(lease.respond(head)),
            // On a new connection an unsent request is as failed as any other.
            Err(Failure::Exchange(h1::Error::Unsent(e))) => {
                Err(Failure::Exchange(h1::Error::Io(e)))
            }
            Err(e) => Err(e),
        }
    }
}

/// Methods a request of which can be repeated without changing the outcome (RFC 9110 §9.2.2).
fn idempotent(method: &hyper::Method) -> bool {
    use hyper::Method;
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

impl Lease {
    /// Write the request and read the response head, unless the deadline passes first.
    async fn exchange(&mut self, out: &Outbound<'_>) -> Result<(h1::Head, Framing), Failure> {
        let conn = &mut self.conn;
        let exchange = async {
            conn.write_request(out).await?;
            conn.read_head(*out.method == hyper::Method::HEAD, out.rule)
                .await
        };
        tokio::select! {
            biased;
            r = exchange => r.map_err(Failure::Exchange),
            () = self.timer.as_mut() => Err(Failure::TimedOut),
        }
    }

    /// The response, its body reading on from this connection, or whole if it came with the
    /// head (then the connection goes back to the pool now, not when the body is read); and
    /// when the head arrived.
    fn respond(
        mut self,
        (head, mut framing): (h1::Head, Framing),
    ) -> (Response<DrivenBody>, Instant) {
        let now = Instant::now();
        let body = match self.conn.take_buffered_body(&mut framing) {
            Some(whole) => {
                if head.keep_alive {
                    self.release(now);
                }
                DrivenBody {
                    lease: None,
                    framing,
                    keep_alive: false,
                    whole: Some(whole),
                }
            }
            None => DrivenBody {
                keep_alive: head.keep_alive && !matches!(framing, Framing::Eof),
                framing,
                lease: Some(self),
                whole: None,
            },
        };
        let mut resp = Response::new(body);
        // The client hears HTTP/1.1 from the gateway whatever version the backend spoke.
        *resp.status_mut() = head.status;
        *resp.headers_mut() = head.headers;
        (resp, now)
    }

    /// Back to the pool, idle from `now`.
    fn release(mut self, now: Instant) {
        if !self.conn.is_idle_usable() {
            return;
        }
        let mut idle = self.pool.idle.lock();
        let slot = thread_slot();
        if idle.len() <= slot {
            idle.resize_with(slot + 1, FastMap::default);
        }
        let list = &mut idle[slot]
            .entry(self.key.clone())
            .or_insert_with(|| Host {
                key: self.key.clone(),
                idle: Vec::new(),
            })
            .idle;
        // The oldest idle connections sit at the front: drop the expired ones.
        let expired = list
            .iter()
            .take_while(|i| now.duration_since(i.since) > MAX_IDLE_AGE)
            .count();
        if expired > 0 {
            list.drain(..expired);
        }
        if list.len() < MAX_IDLE_PER_HOST {
            list.push(Idle {
                conn: self.conn,
                timer: self.timer,
                since: now,
            });
        }
    }
}

/// A response body read from its connection as it is polled; the connection goes back to the
/// pool once the body is complete (and was framed so that another response can follow).
pub struct DrivenBody {
    lease: Option<Lease>,
    framing: Framing,
    keep_alive: bool,
    /// The body, when it was read whole with the head (`lease` is `None` then).
    whole: Option<Bytes>,
}

impl DrivenBody {
    /// The body if it arrived whole with the head: then it needs no polling at all.
    pub fn take_whole(&mut self) -> Option<Bytes> {
        self.whole.take()
    }

    fn finish(&mut self) {
        if let Some(l) = self.lease.take() {
            if self.keep_alive {
                l.release(Instant::now());
            }
        }
    }
}

impl Drop for DrivenBody {
    fn drop(&mut self) {
        // An empty body (204, HEAD, `Content-Length: 0`) is never polled: still reusable.
        if self.is_end_stream() {
            self.finish();
        }
    }
}

impl Body for DrivenBody {
    type Data = Bytes;
    type Error = h1::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, h1::Error>>> {
        let this = &mut *self;
        if let Some(whole) = this.whole.take() {
            if !whole.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(whole))));
            }
        }
        let Some(lease) = &mut this.lease else {
            return Poll::Ready(None);
        };
        match lease.conn.poll_body(&mut this.framing, cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(data))) => {
                // Hand the connection back as soon as the last byte is in, not on the next poll.
                if this.is_end_stream() {
                    this.finish();
                }
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Poll::Ready(Some(Err(e))) => {
                this.lease = None;
                Poll::Ready(Some(Err(e)))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.whole.as_ref().is_none_or(Bytes::is_empty)
            && matches!(self.framing, Framing::Length(0) | Framing::Done)
    }

    fn size_hint(&self) -> SizeHint {
        if let Some(whole) = &self.whole {
            return SizeHint::with_exact(whole.len() as u64);
        }
        match self.framing {
            Framing::Length(n) => SizeHint::with_exact(n),
            Framing::Done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
