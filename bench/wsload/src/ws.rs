//! The few pieces of RFC 6455 a load client needs, written out so that a message costs a
//! `write` of prepared bytes and a parse in place: the handshake (blocking, before the clock
//! starts), masked client frames, and a reader of server frames over a reused buffer.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::ops::Range;

/// Client frames must be masked; the key's value does not matter to a server.
const MASK: [u8; 4] = [0x5a, 0x17, 0xc3, 0x9e];

/// A `ws://host:port/path` address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsUrl {
    /// `host:port`, for `connect` and the `Host` header.
    pub authority: String,
    pub path: String,
}

impl WsUrl {
    pub fn parse(url: &str) -> Result<WsUrl, String> {
        let rest = url
            .strip_prefix("ws://")
            .ok_or_else(|| format!("{url}: only ws:// addresses are supported"))?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if !authority.contains(':') {
            return Err(format!("{url}: give the port (ws://host:port/path)"));
        }
        Ok(WsUrl {
            authority: authority.to_string(),
            path: path.to_string(),
        })
    }
}

/// Opens a connection and completes the handshake. Returns the socket (`TCP_NODELAY` set) and
/// a reader holding whatever arrived after the `101`.
pub fn connect(url: &WsUrl) -> io::Result<(TcpStream, FrameReader)> {
    let mut s = TcpStream::connect(&url.authority)?;
    s.set_nodelay(true)?;
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        url.path, url.authority
    );
    s.write_all(req.as_bytes())?;
    let mut r = FrameReader::new(4096);
    let head_end = loop {
        if let Some(i) = find(r.pending(), b"\r\n\r\n") {
            break i + 4;
        }
        if sync_fill(&mut r, &mut s)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "closed during the handshake",
            ));
        }
    };
    let head = r.pending()[..head_end].to_vec();
    if !head.starts_with(b"HTTP/1.1 101") {
        let line = head.split(|&b| b == b'\r').next().unwrap_or_default();
        return Err(io::Error::other(format!(
            "handshake refused: {}",
            String::from_utf8_lossy(line)
        )));
    }
    r.consume(head_end);
    Ok((s, r))
}

/// A masked text frame carrying `payload` (FIN set): what a client sends.
pub fn text_frame(payload: &[u8]) -> Vec<u8> {
    frame(0x1, payload)
}

/// A close frame with status 1000.
pub fn close_frame() -> Vec<u8> {
    frame(0x8, &1000u16.to_be_bytes())
}

fn frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 14);
    f.push(0x80 | opcode);
    match payload.len() {
        n if n < 126 => f.push(0x80 | n as u8),
        n if n <= 0xffff => {
            f.push(0x80 | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(0x80 | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    f.extend_from_slice(&MASK);
    f.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    f
}

/// One frame as read: its opcode, FIN bit and where its payload lies in the reader's buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub opcode: u8,
    pub fin: bool,
    pub payload: Range<usize>,
}

impl Frame {
    /// A text or binary frame, or a continuation of one.
    pub fn is_data(&self) -> bool {
        self.opcode <= 0x2
    }
}

/// Server frames out of a buffer that is refilled in place (grown only for a frame bigger
/// than it).
pub struct FrameReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl FrameReader {
    pub fn new(capacity: usize) -> FrameReader {
        FrameReader {
            buf: vec![0; capacity],
            start: 0,
            end: 0,
        }
    }

    /// Bytes read and not yet consumed.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// The payload of a frame `next` returned (valid until the next call).
    pub fn payload(&self, f: &Frame) -> &[u8] {
        &self.buf[f.payload.clone()]
    }

    /// The next complete frame in the buffer, if there is one.
    pub fn next(&mut self) -> Option<Frame> {
        let b = &self.buf[self.start..self.end];
        if b.len() < 2 {
            return None;
        }
        let (fin, opcode, masked) = (b[0] & 0x80 != 0, b[0] & 0x0f, b[1] & 0x80 != 0);
        let (len, mut at) = match b[1] & 0x7f {
            126 if b.len() >= 4 => (u64::from(u16::from_be_bytes([b[2], b[3]])), 4),
            127 if b.len() >= 10 => (u64::from_be_bytes(b[2..10].try_into().ok()?), 10),
            126 | 127 => return None,
            n => (u64::from(n), 2),
        };
        let mask = if masked {
            let m: [u8; 4] = b.get(at..at + 4)?.try_into().ok()?;
            at += 4;
            Some(m)
        } else {
            None
        };
        let len = usize::try_from(len).ok()?;
        if b.len() < at + len {
            return None;
        }
        let payload = self.start + at..self.start + at + len;
        if let Some(m) = mask {
            for (i, x) in self.buf[payload.clone()].iter_mut().enumerate() {
                *x ^= m[i % 4];
            }
        }
        // Consumed now; the payload stays in place until the next read moves it.
        self.start += at + len;
        Some(Frame {
            opcode,
            fin,
            payload,
        })
    }

    /// Room to read into: moves what is pending to the front, grows for a big frame.
    pub fn space(&mut self) -> &mut [u8] {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        &mut self.buf[self.end..]
    }

    pub fn filled(&mut self, n: usize) {
        self.end += n;
    }
}

fn sync_fill(r: &mut FrameReader, s: &mut TcpStream) -> io::Result<usize> {
    let n = s.read(r.space())?;
    r.filled(n);
    Ok(n)
}

/// The next data frame's payload, blocking (setup only).
pub fn read_message(r: &mut FrameReader, s: &mut TcpStream) -> io::Result<Vec<u8>> {
    loop {
        while let Some(f) = r.next() {
            if f.is_data() {
                return Ok(r.payload(&f).to_vec());
            }
            if f.opcode == 0x8 {
                return Err(io::Error::other("the server closed the connection"));
            }
        }
        if sync_fill(r, s)? == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "closed"));
        }
    }
}

/// The next frame, reading from an async socket as needed; `None` when the socket ends.
pub async fn next_frame<S>(r: &mut FrameReader, s: &mut S) -> io::Result<Option<Frame>>
where
    S: tokio::io::AsyncRead + Unpin,
{
    use tokio::io::AsyncReadExt;
    loop {
        if let Some(f) = r.next() {
            return Ok(Some(f));
        }
        let n = s.read(r.space()).await?;
        if n == 0 {
            return Ok(None);
        }
        r.filled(n);
    }
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The connection id in the MOCK route's answer, `{"id": "…"}`.
pub fn id_of(answer: &[u8]) -> Option<String> {
    let at = find(answer, b"\"id\"")? + 4;
    let rest = &answer[at..];
    let open = rest.iter().position(|&b| b == b'"')? + 1;
    let close = open + rest[open..].iter().position(|&b| b == b'"')?;
    String::from_utf8(rest[open..close].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(r: &mut FrameReader, bytes: &[u8]) {
        r.space()[..bytes.len()].copy_from_slice(bytes);
        r.filled(bytes.len());
    }

    #[test]
    fn frames_are_parsed_whole_across_reads_and_sizes() {
        let mut r = FrameReader::new(8);
        // A 300-byte unmasked text frame (16-bit length), then a 2-byte one, in pieces.
        let mut wire = vec![0x81, 126, 0x01, 0x2c];
        wire.extend(std::iter::repeat_n(b'a', 300));
        wire.extend([0x81, 2, b'h', b'i']);
        let mut got = Vec::new();
        for chunk in wire.chunks(7) {
            let mut left = chunk;
            while !left.is_empty() {
                let room = r.space().len().min(left.len());
                read_all(&mut r, &left[..room]);
                left = &left[room..];
            }
            while let Some(f) = r.next() {
                got.push((f.opcode, f.fin, r.payload(&f).to_vec()));
            }
        }
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].2, vec![b'a'; 300]);
        assert_eq!(got[1], (1, true, b"hi".to_vec()));
        assert!(r.pending().is_empty());
    }

    #[test]
    fn client_frames_are_masked_and_unmask_to_the_payload() {
        let f = text_frame(b"{\"action\": \"x\"}");
        assert_eq!(f[0], 0x81);
        assert_eq!(f[1], 0x80 | 15);
        let mut r = FrameReader::new(64);
        read_all(&mut r, &f);
        let got = r.next().unwrap();
        assert_eq!(r.payload(&got), b"{\"action\": \"x\"}");
        assert_eq!(close_frame()[..2], [0x88, 0x82]);
    }

    #[test]
    fn ids_and_urls_are_read() {
        assert_eq!(
            id_of(br#"{"id": "R1kmxc2VNjMCFIA="}"#).as_deref(),
            Some("R1kmxc2VNjMCFIA=")
        );
        assert_eq!(id_of(b"{}"), None);
        let u = WsUrl::parse("ws://127.0.0.1:80/_aws/execute-api/a/prod").unwrap();
        assert_eq!(u.authority, "127.0.0.1:80");
        assert_eq!(u.path, "/_aws/execute-api/a/prod");
        assert!(WsUrl::parse("wss://x:1/").is_err());
        assert!(WsUrl::parse("ws://x/").is_err());
    }
}
