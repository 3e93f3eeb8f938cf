//! The client half of HTTP/1.1 toward integration backends: the request written in one
//! `write`, the response head parsed with `httparse`, the body framed as RFC 9112 §6.3 says.
//!
//! Why not hyper's client connection: it is built for a connection that runs as its own task,
//! so every request crosses a channel into a dispatcher and back, and its body goes through the
//! same state machine a second time. A proxied request spent ~14k of its ~55k instructions
//! there. A backend exchange is a small thing — one request out, one response in, on a
//! connection that only one request uses at a time — and this module is that and no more:
//! no pipelining, no upgrades, no request body streaming (an integration request is mapped
//! whole before it is sent).
//!
//! What it guards against: a response head over `MAX_HEAD` bytes or `MAX_HEADERS` headers,
//! a chunk-size line or trailer section over `MAX_LINE`, a `Content-Length` that does not parse
//! or disagrees with itself — each an error, never a panic or an unbounded buffer.

use std::future::Future;
use std::io::{self, Write as _};
use std::task::{ready, Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use hyper::header::{HeaderName, HeaderValue, CONNECTION, CONTENT_LENGTH, HOST, TRANSFER_ENCODING};
use hyper::{HeaderMap, Method, StatusCode, Version};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

use super::tls::Connector;

/// Largest response head accepted (status line and headers).
pub const MAX_HEAD: usize = 64 * 1024;
/// Most headers accepted in one response head (hyper's default too).
pub const MAX_HEADERS: usize = 100;
/// Longest chunk-size line, and the most trailer bytes, accepted in a chunked body.
pub const MAX_LINE: usize = 8 * 1024;
/// Bytes asked of the socket per read of a head, or of a body of unknown or short length.
const READ_SIZE: usize = 8 * 1024;
/// Most bytes asked per read of a long body: at `READ_SIZE`, 1 MB would take 128 reads.
const MAX_READ: usize = 64 * 1024;
/// A request body up to this size is copied behind the head so both leave in one `write`.
const COALESCE_BODY: usize = 16 * 1024;

/// One connection to a backend.
pub struct Conn {
    io: Io,
    /// Bytes read and not yet consumed. The socket is read straight into its spare capacity:
    /// what is taken off the front (a head, a piece of body) shares its allocation, so one
    /// allocation serves the small responses of many requests.
    buf: BytesMut,
    /// Where a request is written before it goes out: kept from request to request so its
    /// capacity is allocated once per connection.
    out: Vec<u8>,
}

/// A response head.
pub struct Head {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// May the connection carry another request once this response's body is read?
    pub keep_alive: bool,
}

/// A request as it goes out, borrowed for as many attempts as it takes.
pub struct Outbound<'a> {
    pub method: &'a Method,
    /// The request target in origin form (path and query).
    pub target: &'a str,
    /// The `Host` header, unless `headers` has one that `skip` keeps.
    pub host: &'a str,
    pub headers: &'a HeaderMap,
    /// Names among `headers` that are not sent. A proxied request borrows the client's
    /// headers and skips the ones the gateway drops, rather than copying and pruning them.
    pub skip: fn(&HeaderName) -> bool,
    /// Header lines sent after `headers`, in wire form (`name: value\r\n` each).
    pub added: &'a [u8],
    pub body: &'a [u8],
    /// Which response headers to keep, and under which names.
    pub rule: HeaderRule,
}

/// An [`Outbound::skip`] that sends every header.
pub fn send_all(_: &HeaderName) -> bool {
    false
}

/// How the response body is delimited (RFC 9112 §6.3), and how much of it is left.
#[derive(Debug)]
pub enum Framing {
    /// `Content-Length` (0 for HEAD, 1xx, 204 and 304).
    Length(u64),
    Chunked(Chunked),
    /// Neither: the body ends when the backend closes the connection.
    Eof,
    /// The body has been read to its end.
    Done,
}

/// Where a chunked body's decoder is.
#[derive(Debug)]
pub enum Chunked {
    Size,
    Data(u64),
    DataEnd,
    Trailers { seen: usize },
}

/// How an exchange failed.
#[derive(Debug)]
pub enum Error {
    /// The request was not written at all: it may go out on another connection.
    Unsent(io::Error),
    /// The connection ended before a byte of the response arrived.
    Closed,
    Io(io::Error),
    /// The backend's response is not HTTP/1.1 as we accept it.
    Invalid(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Unsent(e) | Error::Io(e) => write!(f, "{e}"),
            Error::Closed => f.write_str("connection closed before the response arrived"),
            Error::Invalid(m) => write!(f, "invalid response from the backend: {m}"),
        }
    }
}

impl std::error::Error for Error {}

fn invalid(m: impl Into<String>) -> Error {
    Error::Invalid(m.into())
}

/// The socket: plain TCP, or TLS over it (an `https://` backend). One enum rather than a
/// generic `Conn`, so the pool holds both kinds; a plain connection pays one predictable
/// branch per read and write.
enum Io {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Io {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => std::pin::Pin::new(s).poll_read(cx, buf),
            Io::Tls(s) => std::pin::Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(s) => std::pin::Pin::new(s).poll_write(cx, buf),
            Io::Tls(s) => std::pin::Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => std::pin::Pin::new(s).poll_flush(cx),
            Io::Tls(s) => std::pin::Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Plain(s) => std::pin::Pin::new(s).poll_shutdown(cx),
            Io::Tls(s) => std::pin::Pin::new(&mut **s).poll_shutdown(cx),
        }
    }
}

/// Why a TLS connection could not be opened.
#[derive(Debug)]
pub enum TlsConnectError {
    /// No TCP connection (nothing was sent).
    Connect(io::Error),
    /// The TLS handshake failed (an untrusted certificate, a refused client certificate…).
    Handshake(io::Error),
}

impl Conn {
    pub async fn connect(authority: &str) -> io::Result<Conn> {
        let io = TcpStream::connect(authority).await?;
        io.set_nodelay(true)?;
        Ok(Conn {
            io: Io::Plain(io),
            buf: BytesMut::new(),
            out: Vec::new(),
        })
    }

    /// Connect to `authority` and shake hands as `tls` says.
    pub async fn connect_tls(authority: &str, tls: &Connector) -> Result<Conn, TlsConnectError> {
        let tcp = TcpStream::connect(authority)
            .await
            .map_err(TlsConnectError::Connect)?;
        tcp.set_nodelay(true).map_err(TlsConnectError::Connect)?;
        let stream = tokio_rustls::TlsConnector::from(tls.config.clone())
            .connect(tls.server_name.clone(), tcp)
            .await
            .map_err(TlsConnectError::Handshake)?;
        Ok(Conn {
            io: Io::Tls(Box::new(stream)),
            buf: BytesMut::new(),
            out: Vec::new(),
        })
    }

    /// Can an idle connection take a request? It cannot if the backend closed it (or sent
    /// something unasked). Costs no syscall unless the socket became readable while idle,
    /// because a read that drained the socket left tokio knowing it was not readable.
    pub fn is_idle_usable(&mut self) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        let io = match &mut self.io {
            Io::Plain(io) => io,
            Io::Tls(tls) => {
                // Anything readable on an idle TLS connection (a close_notify, an end of
                // stream) ends it; peeking leaves the bytes to rustls.
                let (tcp, session) = tls.get_ref();
                if session.wants_write() {
                    return false;
                }
                let mut probe = [0u8; 1];
                let mut probe = ReadBuf::new(&mut probe);
                return tcp.poll_peek(&mut cx, &mut probe).is_pending();
            }
        };
        match io.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            Poll::Ready(Ok(())) => {
                let mut probe = [0u8; 1];
                matches!(io.try_read(&mut probe), Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            }
        }
    }

    /// Write a request: see [`Outbound`] for what goes out. The framing headers are ours: a
    /// `Content-Length`, `Transfer-Encoding` or `Connection` among the headers is not sent,
    /// since a wrong one would desynchronise the connection for the requests that follow on it.
    pub async fn write_request(&mut self, r: &Outbound<'_>) -> Result<(), Error> {
        let mut out = std::mem::take(&mut self.out);
        out.clear();
        out.reserve(
            128 + r.target.len()
                + r.headers.len() * 48
                + r.added.len()
                + r.body.len().min(COALESCE_BODY),
        );
        out.extend_from_slice(r.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(r.target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        if (r.skip)(&HOST) || !r.headers.contains_key(HOST) {
            out.extend_from_slice(b"host: ");
            out.extend_from_slice(r.host.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        for (name, value) in r.headers {
            if name == CONTENT_LENGTH || name == TRANSFER_ENCODING || name == CONNECTION {
                continue;
            }
            if (r.skip)(name) {
                continue;
            }
            out.extend_from_slice(name.as_str().as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(r.added);
        let body = r.body;
        // A body, or a method whose requests are expected to have one, gets a length.
        if !body.is_empty()
            || !matches!(
                *r.method,
                Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS | Method::TRACE
            )
        {
            // Writing to a Vec cannot fail.
            let _ = write!(out, "content-length: {}\r\n", body.len());
        }
        out.extend_from_slice(b"\r\n");
        let coalesce = body.len() <= COALESCE_BODY;
        if coalesce {
            out.extend_from_slice(body);
        }
        let sent = self.send(&out, body, coalesce).await;
        // A coalesced large body would stay allocated with an idle connection: keep small buffers.
        if out.capacity() <= 2 * READ_SIZE {
            self.out = out;
        }
        sent
    }

    async fn send(&mut self, head: &[u8], body: &[u8], coalesced: bool) -> Result<(), Error> {
        // Only a first write that failed outright leaves the request unsent.
        let n = self.io.write(head).await.map_err(Error::Unsent)?;
        if n == 0 {
            return Err(Error::Unsent(io::ErrorKind::WriteZero.into()));
        }
        self.io.write_all(&head[n..]).await.map_err(Error::Io)?;
        if !coalesced {
            self.io.write_all(body).await.map_err(Error::Io)?;
        }
        if let Io::Tls(_) = self.io {
            // rustls may hold records the socket did not take yet.
            self.io.flush().await.map_err(Error::Io)?;
        }
        Ok(())
    }

    /// Read the response head, skipping interim (1xx) responses, and say how its body is framed.
    /// `rule` decides, header by header, what the head keeps and under which name; framing and
    /// keep-alive are read from the headers as the backend sent them.
    pub async fn read_head(
        &mut self,
        head_request: bool,
        rule: HeaderRule,
    ) -> Result<(Head, Framing), Error> {
        let mut received = false;
        loop {
            if !self.buf.is_empty() {
                if let Some((head, framing)) = self.parse_head(head_request, rule)? {
                    let status = head.status.as_u16();
                    if (100..200).contains(&status) && status != 101 {
                        continue;
                    }
                    if status == 101 {
                        return Err(invalid(
                            "101 Switching Protocols to a request that asked for no upgrade",
                        ));
                    }
                    return Ok((head, framing));
                }
                if self.buf.len() >= MAX_HEAD {
                    return Err(invalid(format!("response head over {MAX_HEAD} bytes")));
                }
            }
            let n = std::future::poll_fn(|cx| self.poll_fill(cx, READ_SIZE))
                .await
                .map_err(Error::Io)?;
            if n == 0 {
                return Err(if received {
                    invalid("connection closed in the middle of the response head")
                } else {
                    Error::Closed
                });
            }
            received = true;
        }
    }

    /// Parse a complete head off the front of `buf`, or `None` if more bytes are needed.
    fn parse_head(
        &mut self,
        head_request: bool,
        rule: HeaderRule,
    ) -> Result<Option<(Head, Framing)>, Error> {
        let mut raw = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut raw);
        let len = match resp.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) if n <= MAX_HEAD => n,
            Ok(httparse::Status::Complete(_)) => {
                return Err(invalid(format!("response head over {MAX_HEAD} bytes")))
            }
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(e) => return Err(invalid(e.to_string())),
        };
        let code = resp.code.unwrap_or(0);
        let status = StatusCode::from_u16(code).map_err(|_| invalid("status code out of range"))?;
        let version = if resp.version == Some(0) {
            Version::HTTP_10
        } else {
            Version::HTTP_11
        };
        // Header values keep pointing into the bytes read: note where each lies, then freeze.
        // The delimiting headers are read on the way, before `rule` renames or drops them.
        let base = self.buf.as_ptr() as usize;
        let mut spans = Vec::with_capacity(resp.headers.len());
        let mut delimiters = Delimiters::default();
        for h in resp.headers.iter() {
            let name = HeaderName::from_bytes(h.name.as_bytes())
                .map_err(|_| invalid(format!("bad header name {:?}", h.name)))?;
            delimiters.note(&name, h.value);
            if let Some(name) = rule(name) {
                let at = h.value.as_ptr() as usize - base;
                spans.push((name, at, at + h.value.len()));
            }
        }
        let framing = delimiters.framing(code, head_request)?;
        let keep_alive = delimiters.keep_alive(version);
        // Room for what the gateway adds before answering (its ids), so those inserts do not
        // regrow the map.
        let mut headers = HeaderMap::with_capacity(spans.len() + 4);
        let bytes = self.buf.split_to(len).freeze();
        for (name, start, end) in spans {
            let value = HeaderValue::from_maybe_shared(bytes.slice(start..end))
                .map_err(|_| invalid(format!("bad value in header {name}")))?;
            headers.append(name, value);
        }
        Ok(Some((
            Head {
                status,
                headers,
                keep_alive,
            },
            framing,
        )))
    }

    /// The whole body, when it is framed by length and already arrived with the head (a small
    /// response usually does): the connection is then free for another request at once.
    pub fn take_buffered_body(&mut self, framing: &mut Framing) -> Option<Bytes> {
        match *framing {
            Framing::Length(n) if n <= self.buf.len() as u64 => {
                *framing = Framing::Done;
                Some(self.buf.split_to(n as usize).freeze())
            }
            _ => None,
        }
    }

    /// Read once from the socket into `buf`, with room for about `want` bytes; `Ok(0)` is the
    /// end of the stream.
    fn poll_fill(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<usize>> {
        if self.buf.capacity() - self.buf.len() < want / 2 {
            self.buf.reserve(want);
        }
        // Through `AsyncRead` rather than `try_read_buf`: a read that comes back short of the
        // room it had shows the socket drained, and tokio then forgets its readiness. With
        // `try_read_buf` it would not, and the next request's first read of this connection
        // would be a `recv` answering EAGAIN: one wasted syscall per proxied request.
        std::pin::pin!(self.io.read_buf(&mut self.buf)).poll(cx)
    }

    /// The next piece of the body, `None` at its end. A connection is only fit for another
    /// request once this returned `None` and `is_idle_usable` holds.
    pub fn poll_body(
        &mut self,
        framing: &mut Framing,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Error>>> {
        loop {
            match self.decode(framing) {
                Ok(Some(Decoded::Data(b))) => return Poll::Ready(Some(Ok(b))),
                Ok(Some(Decoded::End)) => {
                    *framing = Framing::Done;
                    // A connection going back to the pool does not keep a long body's buffer.
                    if self.buf.is_empty() && self.buf.capacity() > READ_SIZE {
                        self.buf = BytesMut::new();
                    }
                    return Poll::Ready(None);
                }
                Ok(None) => {}
                Err(e) => {
                    *framing = Framing::Done;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            let n = match ready!(self.poll_fill(cx, body_read_size(framing, self.buf.len()))) {
                Ok(n) => n,
                Err(e) => {
                    *framing = Framing::Done;
                    return Poll::Ready(Some(Err(Error::Io(e))));
                }
            };
            if n == 0 {
                if matches!(framing, Framing::Eof) {
                    *framing = Framing::Done;
                    return Poll::Ready(None);
                }
                *framing = Framing::Done;
                return Poll::Ready(Some(Err(Error::Io(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed before the end of the response body",
                )))));
            }
        }
    }

    /// What the buffered bytes yield under `framing`; `None` when more must be read.
    fn decode(&mut self, framing: &mut Framing) -> Result<Option<Decoded>, Error> {
        loop {
            match framing {
                Framing::Done | Framing::Length(0) => return Ok(Some(Decoded::End)),
                Framing::Length(left) => {
                    if self.buf.is_empty() {
                        return Ok(None);
                    }
                    let take = (*left).min(self.buf.len() as u64) as usize;
                    *left -= take as u64;
                    return Ok(Some(Decoded::Data(self.buf.split_to(take).freeze())));
                }
                Framing::Eof => {
                    if self.buf.is_empty() {
                        return Ok(None);
                    }
                    return Ok(Some(Decoded::Data(self.buf.split().freeze())));
                }
                Framing::Chunked(state) => match state {
                    Chunked::Size => {
                        let Some(line) = self.take_line()? else {
                            return Ok(None);
                        };
                        let size = chunk_size(&line)?;
                        *state = if size == 0 {
                            Chunked::Trailers { seen: 0 }
                        } else {
                            Chunked::Data(size)
                        };
                    }
                    Chunked::Data(left) => {
                        if self.buf.is_empty() {
                            return Ok(None);
                        }
                        let take = (*left).min(self.buf.len() as u64) as usize;
                        *left -= take as u64;
                        if *left == 0 {
                            *state = Chunked::DataEnd;
                        }
                        return Ok(Some(Decoded::Data(self.buf.split_to(take).freeze())));
                    }
                    Chunked::DataEnd => {
                        let Some(line) = self.take_line()? else {
                            return Ok(None);
                        };
                        if !line.is_empty() {
                            return Err(invalid("chunk data longer than its size"));
                        }
                        *state = Chunked::Size;
                    }
                    Chunked::Trailers { seen } => {
                        // Trailers are read and dropped: API Gateway passes none on.
                        let Some(line) = self.take_line()? else {
                            return Ok(None);
                        };
                        if line.is_empty() {
                            return Ok(Some(Decoded::End));
                        }
                        *seen += line.len() + 2;
                        if *seen > MAX_LINE {
                            return Err(invalid(format!("trailers over {MAX_LINE} bytes")));
                        }
                    }
                },
            }
        }
    }

    /// Take one line (without its CRLF or bare LF) off the front of `buf`.
    fn take_line(&mut self) -> Result<Option<Bytes>, Error> {
        match self.buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let mut line = self.buf.split_to(i + 1).freeze();
                line.truncate(i);
                if line.last() == Some(&b'\r') {
                    line.truncate(i - 1);
                }
                Ok(Some(line))
            }
            None if self.buf.len() > MAX_LINE => {
                Err(invalid(format!("chunk line over {MAX_LINE} bytes")))
            }
            None => Ok(None),
        }
    }
}

enum Decoded {
    Data(Bytes),
    End,
}

/// What decides a response's framing and keep-alive, noted header by header as the head is
/// parsed (no map lookups afterwards).
#[derive(Default)]
struct Delimiters {
    /// The last `Transfer-Encoding` line's last coding is `chunked` (`Some(false)`: another).
    chunked: Option<bool>,
    /// Every `Content-Length` value agreed on this length...
    length: Option<u64>,
    /// ...unless one did not parse or disagreed (RFC 9112 §6.3 rule 5).
    bad_length: Option<&'static str>,
    close: bool,
    keep_alive: bool,
}

impl Delimiters {
    fn note(&mut self, name: &HeaderName, value: &[u8]) {
        if *name == TRANSFER_ENCODING {
            let last = value.rsplit(|&b| b == b',').next().unwrap_or_default();
            self.chunked = Some(last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if *name == CONTENT_LENGTH {
            for part in value.split(|&b| b == b',') {
                let part = part.trim_ascii();
                let n = (!part.is_empty() && part.iter().all(u8::is_ascii_digit))
                    .then(|| std::str::from_utf8(part).ok()?.parse::<u64>().ok())
                    .flatten();
                match n {
                    None => self.bad_length = Some("Content-Length is not a number"),
                    Some(n) if self.length.is_some_and(|l| l != n) => {
                        self.bad_length = Some("conflicting Content-Length values")
                    }
                    Some(n) => self.length = Some(n),
                }
            }
        } else if *name == CONNECTION {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                self.close |= token.eq_ignore_ascii_case(b"close");
                self.keep_alive |= token.eq_ignore_ascii_case(b"keep-alive");
            }
        }
    }

    /// RFC 9112 §6.3, in its order.
    fn framing(&self, status: u16, head_request: bool) -> Result<Framing, Error> {
        if head_request || (100..200).contains(&status) || status == 204 || status == 304 {
            return Ok(Framing::Length(0));
        }
        if let Some(chunked) = self.chunked {
            return Ok(if chunked {
                Framing::Chunked(Chunked::Size)
            } else {
                Framing::Eof
            });
        }
        if let Some(e) = self.bad_length {
            return Err(invalid(e));
        }
        Ok(self.length.map_or(Framing::Eof, Framing::Length))
    }

    fn keep_alive(&self, version: Version) -> bool {
        if version == Version::HTTP_10 {
            self.keep_alive
        } else {
            !self.close
        }
    }
}

/// What a response head keeps of a header: `Some(name)` keeps it under `name` (maybe a new
/// one), `None` drops it.
pub type HeaderRule = fn(HeaderName) -> Option<HeaderName>;

/// Keep every header as the backend named it.
pub fn keep_all(name: HeaderName) -> Option<HeaderName> {
    Some(name)
}

/// How much the next read of a body asks for: what is left of the body beyond what is
/// buffered, within `READ_SIZE..=MAX_READ`.
fn body_read_size(framing: &Framing, buffered: usize) -> usize {
    let left = match framing {
        Framing::Length(n) | Framing::Chunked(Chunked::Data(n)) => {
            n.saturating_sub(buffered as u64)
        }
        _ => 0,
    };
    (left.min(MAX_READ as u64) as usize).max(READ_SIZE)
}

/// A chunk-size line: hex digits, then optional whitespace and `;extensions`.
fn chunk_size(line: &[u8]) -> Result<u64, Error> {
    let digits = line
        .split(|&b| b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return Err(invalid("bad chunk size line"));
    }
    let mut n = 0u64;
    for &d in digits {
        let v = (d as char)
            .to_digit(16)
            .ok_or_else(|| invalid("bad chunk size line"))?;
        n = n * 16 + v as u64;
    }
    Ok(n)
}

#[cfg(test)]
mod tests;
