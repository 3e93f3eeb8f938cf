//! A connection's socket, parked while it is quiet.
//!
//! tokio-tungstenite's `WebSocketStream` keeps a read buffer of its own (allocated up front,
//! and grown to a whole frame's length — up to the 32 KB frame limit — and never shrunk) plus
//! two waker proxies: ~4.5 KB per idle connection, 36+ KB for one that once sent a large
//! message. So an idle connection keeps only its socket (a parked [`Link`]): the stream is
//! built when the socket becomes readable (or a close frame must be sent), and let go again
//! as soon as tungstenite has nothing in hand — what it read so far ends on a frame boundary
//! (so its buffer is empty), no fragmented message is half read, and nothing waits to be
//! written. [`Watched`] sits between tungstenite and the socket and knows those three things:
//! it follows the frame headers of the bytes it hands up and remembers whether the last write
//! had to wait. A message to a parked link's client is written straight to the socket as one
//! frame ([`Link::send`]).
//!
//! Only a plain TCP socket can be parked: waiting for it to be readable reads nothing. A TLS
//! socket (its own buffers hold decrypted bytes the TCP socket no longer shows) keeps its
//! stream for the connection's life, as before.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures_util::{FutureExt, StreamExt};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::protocol::{Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// The client's socket once hyper has handed it over.
pub enum Io {
    /// A plain connection: can be parked.
    Tcp(TcpStream),
    /// Anything else (TLS): served as hyper hands it over.
    Other(TokioIo<Upgraded>),
}

impl Io {
    /// The socket under hyper's upgrade, and what hyper had read past the handshake.
    pub fn from_upgraded(upgraded: Upgraded) -> (Io, Bytes) {
        match upgraded.downcast::<TokioIo<TcpStream>>() {
            Ok(parts) => (Io::Tcp(parts.io.into_inner()), parts.read_buf),
            Err(other) => (Io::Other(TokioIo::new(other)), Bytes::new()),
        }
    }
}

impl AsyncRead for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Io::Other(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Io::Other(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_flush(cx),
            Io::Other(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Io::Other(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

/// Where the bytes handed to tungstenite stand in the client's frames (RFC 6455 §5.2).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FrameScan {
    /// Payload bytes of the current frame not handed up yet.
    payload_left: u64,
    /// The current frame's header, as far as it came (at most 14 bytes).
    head: [u8; 14],
    head_len: u8,
    /// A data frame without FIN was seen and its final continuation has not been.
    fragmented: bool,
}

impl FrameScan {
    /// Follow `bytes`, the next ones handed up.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            if self.payload_left > 0 {
                let n = usize::try_from(self.payload_left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len());
                self.payload_left -= n as u64;
                bytes = &bytes[n..];
                continue;
            }
            self.head[usize::from(self.head_len)] = bytes[0];
            self.head_len += 1;
            bytes = &bytes[1..];
            if let Some(len) = self.header_len() {
                if usize::from(self.head_len) == len {
                    self.end_header();
                }
            }
        }
    }

    /// The whole header's length, once its second byte is known.
    fn header_len(&self) -> Option<usize> {
        if self.head_len < 2 {
            return None;
        }
        let b = self.head[1];
        let extended = match b & 0x7f {
            126 => 2,
            127 => 8,
            _ => 0,
        };
        Some(2 + extended + if b & 0x80 != 0 { 4 } else { 0 })
    }

    fn end_header(&mut self) {
        let (b0, b1) = (self.head[0], self.head[1]);
        self.payload_left = match b1 & 0x7f {
            126 => u64::from(u16::from_be_bytes([self.head[2], self.head[3]])),
            127 => u64::from_be_bytes(self.head[2..10].try_into().unwrap_or_default()),
            n => u64::from(n),
        };
        self.head_len = 0;
        let fin = b0 & 0x80 != 0;
        // Text, binary: a message starts; continuation: it goes on. Control frames come
        // between fragments and change nothing.
        if b0 & 0x0f <= 2 {
            self.fragmented = !fin;
        }
    }

    /// Everything handed up ends a frame, and no message is half read.
    pub fn between_messages(&self) -> bool {
        self.payload_left == 0 && self.head_len == 0 && !self.fragmented
    }
}

/// The socket as tungstenite sees it: hyper's leftover bytes first, then the socket; it
/// watches what goes through (see the module's comment).
pub struct Watched {
    io: Io,
    /// What hyper read past the handshake (a client may send its first frame at once).
    pre: Bytes,
    scan: FrameScan,
    /// The last read found nothing to read.
    read_blocked: bool,
    /// The last write could not go out (tungstenite keeps the rest in its buffer).
    write_blocked: bool,
}

impl Watched {
    fn new(io: Io, pre: Bytes) -> Watched {
        Watched {
            io,
            pre,
            scan: FrameScan::default(),
            read_blocked: false,
            write_blocked: false,
        }
    }

    /// tungstenite waits for the client with nothing in hand: it asked for more bytes after
    /// all it was given formed whole frames and messages (it reads only when its buffer holds
    /// no whole frame, so that buffer is empty), and all it wrote went out.
    fn parkable(&self) -> bool {
        self.read_blocked
            && !self.write_blocked
            && self.pre.is_empty()
            && self.scan.between_messages()
    }

    pub fn get_mut(&mut self) -> &mut Io {
        &mut self.io
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let me = self.get_mut();
        let start = buf.filled().len();
        if !me.pre.is_empty() {
            let n = me.pre.len().min(buf.remaining());
            buf.put_slice(&me.pre[..n]);
            me.pre.advance(n);
            if me.pre.is_empty() {
                // Let go of hyper's read buffer, which the leftover is a slice of.
                me.pre = Bytes::new();
            }
        } else {
            match Pin::new(&mut me.io).poll_read(cx, buf) {
                Poll::Pending => {
                    me.read_blocked = true;
                    return Poll::Pending;
                }
                Poll::Ready(Err(e)) => {
                    me.read_blocked = false;
                    return Poll::Ready(Err(e));
                }
                Poll::Ready(Ok(())) => {}
            }
        }
        me.read_blocked = false;
        me.scan.feed(&buf.filled()[start..]);
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let me = self.get_mut();
        let r = Pin::new(&mut me.io).poll_write(cx, data);
        me.write_blocked = r.is_pending();
        r
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

pub type Ws = WebSocketStream<Watched>;

/// One connection's socket: parked (the socket alone) or active (tungstenite's stream).
pub struct Link {
    state: State,
    config: WebSocketConfig,
}

enum State {
    Parked(Io),
    /// Boxed: a parked connection does not keep room for it.
    Active(Box<Ws>),
    /// The socket was lost (never in practice: see [`Link::active`]).
    Gone,
}

impl Link {
    /// A link over `io`, with what hyper read past the handshake.
    pub fn new(io: Io, pre: Bytes, config: WebSocketConfig) -> Link {
        let mut link = Link {
            state: State::Gone,
            config,
        };
        if pre.is_empty() {
            link.state = State::Parked(io);
        } else {
            link.activate(io, pre);
        }
        link
    }

    fn activate(&mut self, io: Io, pre: Bytes) {
        // tokio-tungstenite's constructor is async but has nothing to wait for (no handshake):
        // it is ready at its first poll. Not awaited, so the connection's task keeps no room
        // for it; the waker it is polled with is replaced by every read's and write's own.
        let build = WebSocketStream::from_raw_socket(
            Watched::new(io, pre),
            Role::Server,
            Some(self.config),
        );
        self.state = match build.now_or_never() {
            Some(ws) => State::Active(Box::new(ws)),
            None => {
                tracing::warn!("tokio-tungstenite's stream was not ready at once: connection lost");
                State::Gone
            }
        };
    }

    /// The stream, built if the link was parked; `None` once the socket is lost.
    pub fn active(&mut self) -> Option<&mut Ws> {
        if let State::Parked(_) = self.state {
            let State::Parked(io) = std::mem::replace(&mut self.state, State::Gone) else {
                unreachable!()
            };
            self.activate(io, Bytes::new());
        }
        match &mut self.state {
            State::Active(ws) => Some(ws),
            _ => None,
        }
    }

    /// Is the link parked (nothing but the socket kept)?
    pub fn is_parked(&self) -> bool {
        matches!(self.state, State::Parked(_))
    }

    /// Send a message to the client (a route's answer, an `@connections` post). A parked link
    /// writes it as one frame straight to its socket — nothing of tungstenite's is pending
    /// then, and building its stream for a write (read buffer included) would cost four
    /// allocations per post to an idle connection.
    pub async fn send(&mut self, msg: Message) -> Result<(), WsError> {
        use futures_util::SinkExt;
        use tokio::io::AsyncWriteExt;
        if let State::Parked(Io::Tcp(tcp)) = &mut self.state {
            let frame = match &msg {
                Message::Text(t) => Some(server_frame(0x1, t.as_bytes())),
                Message::Binary(b) => Some(server_frame(0x2, b)),
                _ => None,
            };
            if let Some(frame) = frame {
                return tcp.write_all(&frame).await.map_err(WsError::Io);
            }
        }
        match self.active() {
            Some(ws) => ws.send(msg).await,
            None => Err(WsError::AlreadyClosed),
        }
    }

    /// The client's next message, as `WebSocketStream::next` gives it. Cancel-safe: waiting
    /// parked or on the stream loses nothing when dropped.
    pub async fn next(&mut self) -> Option<Result<Message, WsError>> {
        loop {
            match &mut self.state {
                State::Parked(Io::Tcp(tcp)) => {
                    // `poll_read_ready`, not `readable()`: it takes the socket's reader slot,
                    // where the last read left a clone of tungstenite's waker proxy (which
                    // would otherwise stay, 64 bytes, until the next read).
                    let ready = std::future::poll_fn(|cx| tcp.poll_read_ready(cx)).await;
                    if let Err(e) = ready {
                        return Some(Err(WsError::Io(e)));
                    }
                }
                State::Parked(Io::Other(_)) => {}
                State::Active(ws) => {
                    let parked = std::future::poll_fn(|cx| match ws.poll_next_unpin(cx) {
                        Poll::Ready(m) => Poll::Ready(Some(m)),
                        Poll::Pending if can_park(ws) => Poll::Ready(None),
                        Poll::Pending => Poll::Pending,
                    })
                    .await;
                    match parked {
                        Some(m) => return m,
                        None => {
                            self.park();
                            continue;
                        }
                    }
                }
                State::Gone => return None,
            }
            self.active();
        }
    }

    /// Let go of tungstenite's stream and its buffers (only when [`can_park`] said so).
    fn park(&mut self) {
        if let State::Active(ws) = std::mem::replace(&mut self.state, State::Gone) {
            self.state = State::Parked(ws.into_inner().io);
        }
    }
}

/// One whole, unmasked frame as a server sends it (RFC 6455 §5.2), `opcode` 1 (text) or 2
/// (binary).
fn server_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let len = payload.len();
    let mut frame = Vec::with_capacity(10 + len);
    frame.push(0x80 | opcode);
    match len {
        0..=125 => frame.push(len as u8),
        126..=65535 => {
            frame.push(126);
            frame.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            frame.push(127);
            frame.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

/// A plain TCP link whose tungstenite has nothing in hand.
fn can_park(ws: &Ws) -> bool {
    matches!(ws.get_ref().io, Io::Tcp(_)) && ws.get_ref().parkable()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A client frame's bytes (masked, as clients send them).
    fn frame(fin: bool, opcode: u8, len: usize) -> Vec<u8> {
        let mut f = vec![(if fin { 0x80 } else { 0 }) | opcode];
        match len {
            0..=125 => f.push(0x80 | len as u8),
            126..=65535 => {
                f.push(0x80 | 126);
                f.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                f.push(0x80 | 127);
                f.extend_from_slice(&(len as u64).to_be_bytes());
            }
        }
        f.extend_from_slice(&[1, 2, 3, 4]);
        f.extend(std::iter::repeat_n(b'x', len));
        f
    }

    #[test]
    fn frames_are_followed_across_any_split() {
        let mut bytes = frame(true, 1, 5);
        bytes.extend(frame(true, 1, 300));
        bytes.extend(frame(true, 2, 70_000));
        // Every split point, one byte at a time and in two pieces: between messages only at
        // the frames' ends.
        let ends = [11, 11 + 308, bytes.len()];
        let mut scan = FrameScan::default();
        for (i, b) in bytes.iter().enumerate() {
            scan.feed(std::slice::from_ref(b));
            assert_eq!(
                scan.between_messages(),
                ends.contains(&(i + 1)),
                "after {}",
                i + 1
            );
        }
        for cut in [1, 2, 5, 11, 12, 100, 319, 320, 70_000] {
            let mut scan = FrameScan::default();
            scan.feed(&bytes[..cut]);
            assert_eq!(scan.between_messages(), ends.contains(&cut), "cut at {cut}");
            scan.feed(&bytes[cut..]);
            assert!(scan.between_messages());
        }
    }

    #[test]
    fn a_fragmented_message_is_not_between_messages_until_its_final_frame() {
        let mut scan = FrameScan::default();
        scan.feed(&frame(false, 1, 10));
        assert!(!scan.between_messages());
        // A ping between fragments changes nothing.
        scan.feed(&frame(true, 9, 0));
        assert!(!scan.between_messages());
        scan.feed(&frame(false, 0, 10));
        assert!(!scan.between_messages());
        scan.feed(&frame(true, 0, 10));
        assert!(scan.between_messages());
    }

    /// A server link over a real loopback connection, and the client's end.
    async fn pair() -> (Link, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (server, _) = listener.accept().await.unwrap();
        let config = WebSocketConfig::default()
            .read_buffer_size(4096)
            .write_buffer_size(0)
            .max_message_size(Some(128 * 1024))
            .max_frame_size(Some(32 * 1024));
        (Link::new(Io::Tcp(server), Bytes::new(), config), client)
    }

    /// A masked client frame carrying `payload`.
    fn client_frame(fin: bool, opcode: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = frame(fin, opcode, payload.len());
        let start = f.len() - payload.len();
        for (i, b) in payload.iter().enumerate() {
            f[start + i] = b ^ [1, 2, 3, 4][i % 4];
        }
        f
    }

    /// Nothing more comes: the link waits (and decides whether to park) before this ends.
    async fn waits(link: &mut Link) {
        let r = tokio::time::timeout(Duration::from_millis(100), link.next()).await;
        assert!(r.is_err(), "a message came: {r:?}");
    }

    async fn text(link: &mut Link) -> String {
        match link.next().await {
            Some(Ok(Message::Text(t))) => t.to_string(),
            other => panic!("not a text message: {other:?}"),
        }
    }

    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_quiet_link_parks_and_wakes_for_the_next_message() {
        let (mut link, mut client) = pair().await;
        assert!(link.is_parked());
        client
            .write_all(&client_frame(true, 1, b"one"))
            .await
            .unwrap();
        assert_eq!(text(&mut link).await, "one");
        waits(&mut link).await;
        assert!(link.is_parked());
        // Two messages in one write: both come, then it parks again.
        let mut two = client_frame(true, 1, b"two");
        two.extend(client_frame(true, 1, b"three"));
        client.write_all(&two).await.unwrap();
        assert_eq!(text(&mut link).await, "two");
        assert_eq!(text(&mut link).await, "three");
        waits(&mut link).await;
        assert!(link.is_parked());
    }

    #[tokio::test]
    async fn a_half_read_frame_or_message_keeps_the_link_active() {
        let (mut link, mut client) = pair().await;
        let whole = client_frame(true, 1, &[b'a'; 300]);
        // Half a header, then half a payload: tungstenite holds bytes, so no parking.
        client.write_all(&whole[..1]).await.unwrap();
        waits(&mut link).await;
        assert!(!link.is_parked());
        client.write_all(&whole[1..100]).await.unwrap();
        waits(&mut link).await;
        assert!(!link.is_parked());
        client.write_all(&whole[100..]).await.unwrap();
        assert_eq!(text(&mut link).await, "a".repeat(300));
        // A fragmented message, a ping between its fragments: whole frames, half a message.
        client
            .write_all(&client_frame(false, 1, b"hel"))
            .await
            .unwrap();
        client.write_all(&client_frame(true, 9, b"")).await.unwrap();
        assert!(matches!(link.next().await, Some(Ok(Message::Ping(_)))));
        waits(&mut link).await;
        assert!(!link.is_parked());
        client
            .write_all(&client_frame(true, 0, b"lo"))
            .await
            .unwrap();
        assert_eq!(text(&mut link).await, "hello");
        waits(&mut link).await;
        assert!(link.is_parked());
    }

    #[tokio::test]
    async fn a_parked_link_answers_pings_and_writes() {
        let (mut link, mut client) = pair().await;
        client
            .write_all(&client_frame(true, 9, b"hi"))
            .await
            .unwrap();
        assert!(matches!(link.next().await, Some(Ok(Message::Ping(_)))));
        waits(&mut link).await;
        assert!(link.is_parked());
        // The pong (unmasked, from the server).
        let mut pong = [0u8; 4];
        client.read_exact(&mut pong).await.unwrap();
        assert_eq!(pong, [0x8a, 2, b'h', b'i']);
        link.send(Message::Text("out".into())).await.unwrap();
        let mut out = [0u8; 5];
        client.read_exact(&mut out).await.unwrap();
        assert_eq!(out, [0x81, 3, b'o', b'u', b't']);
        assert!(link.is_parked(), "written without building the stream");
        waits(&mut link).await;
        assert!(link.is_parked());
    }

    #[tokio::test]
    async fn what_a_parked_link_writes_a_websocket_client_reads() {
        let (mut link, client) = pair().await;
        let mut client = WebSocketStream::from_raw_socket(client, Role::Client, None).await;
        let sizes = [0, 125, 126, 300, 65_535, 65_536, 100_000];
        for n in sizes {
            link.send(Message::Text("t".repeat(n).into()))
                .await
                .unwrap();
            link.send(Message::Binary(vec![7u8; n].into()))
                .await
                .unwrap();
        }
        assert!(link.is_parked());
        for n in sizes {
            match client.next().await {
                Some(Ok(Message::Text(t))) => assert_eq!(t.as_str(), "t".repeat(n)),
                other => panic!("{n}: {other:?}"),
            }
            match client.next().await {
                Some(Ok(Message::Binary(b))) => assert_eq!(&b[..], &vec![7u8; n][..]),
                other => panic!("{n}: {other:?}"),
            }
        }
        // An active link writes through tungstenite, in order with what it reads.
        use futures_util::SinkExt;
        client.send(Message::Text("in".into())).await.unwrap();
        assert_eq!(text(&mut link).await, "in");
        link.send(Message::Text("back".into())).await.unwrap();
        match client.next().await {
            Some(Ok(Message::Text(t))) => assert_eq!(t.as_str(), "back"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_large_message_leaves_nothing_behind_and_limits_still_hold() {
        let (mut link, mut client) = pair().await;
        let body = vec![b'z'; 100_000];
        let mut frames = Vec::new();
        for (i, part) in body.chunks(30_000).enumerate() {
            let last = (i + 1) * 30_000 >= body.len();
            frames.extend(client_frame(last, if i == 0 { 1 } else { 0 }, part));
        }
        client.write_all(&frames).await.unwrap();
        assert_eq!(text(&mut link).await.len(), 100_000);
        waits(&mut link).await;
        assert!(
            link.is_parked(),
            "the read buffer grown for 30 KB frames is let go"
        );
        // A frame over the limit still fails as tungstenite reports it.
        client
            .write_all(&client_frame(true, 1, &[b'x'; 40_000]))
            .await
            .unwrap();
        match link.next().await {
            Some(Err(WsError::Capacity(_))) => {}
            other => panic!("not a capacity error: {other:?}"),
        }
    }

    #[test]
    fn unmasked_and_empty_frames() {
        let mut scan = FrameScan::default();
        scan.feed(&[0x81, 0x00]);
        assert!(scan.between_messages());
        scan.feed(&[0x81, 0x03, b'a']);
        assert!(!scan.between_messages());
        scan.feed(b"bc");
        assert!(scan.between_messages());
    }
}
