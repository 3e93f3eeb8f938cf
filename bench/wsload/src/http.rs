//! PostToConnection over keep-alive HTTP/1.1: requests signed once per connection id (the
//! workspace's own SigV4 signer, so the server's verifier agrees with it by construction) and
//! a response reader over a reused buffer.

use std::io;

use tokio::io::AsyncReadExt;

/// The access key, secret and region the servers of the test suite and the benches accept
/// (tests/portico_server.py, `ACCOUNT_A`).
pub const ACCESS_KEY: &str = "test";
pub const SECRET: &str = "test";
pub const REGION: &str = "us-east-1";

/// Percent-encodes one path segment as the SDKs do (`quote(id, safe="")`).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The bytes of a signed `POST {base}/@connections/{id}` carrying `body`, dated `amz_date`
/// (`YYYYMMDDTHHMMSSZ`; the server accepts it for 15 minutes).
pub fn signed_post(host: &str, base: &str, id: &str, body: &[u8], amz_date: &str) -> Vec<u8> {
    let path = format!("{base}/@connections/{}", encode_segment(id));
    let headers = [("host", host), ("x-amz-date", amz_date)];
    let req = sigv4::Request {
        method: "POST",
        raw_path: &path,
        raw_query: "",
        headers: &headers,
        body,
    };
    let auth = sigv4::sign(&req, ACCESS_KEY, SECRET, REGION, "execute-api", amz_date);
    let mut out = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nX-Amz-Date: {amz_date}\r\n\
         Authorization: {auth}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The current time as SigV4 dates it.
pub fn amz_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    sigv4::format_amz_date(secs)
}

/// One response's status and body (the body is kept only when the status is not 2xx).
#[derive(Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub error_body: Option<String>,
}

/// Reads responses off a keep-alive connection.
pub struct ResponseReader {
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Default for ResponseReader {
    fn default() -> Self {
        ResponseReader {
            buf: vec![0; 16 * 1024],
            start: 0,
            end: 0,
        }
    }
}

impl ResponseReader {
    /// A whole response at the front of the buffer, if there is one.
    fn parse(&mut self) -> io::Result<Option<Status>> {
        let b = &self.buf[self.start..self.end];
        let Some(head) = crate::ws::find(b, b"\r\n\r\n") else {
            return Ok(None);
        };
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let code = b
            .get(9..12)
            .and_then(|c| std::str::from_utf8(c).ok())
            .and_then(|c| c.parse::<u16>().ok())
            .filter(|_| b.starts_with(b"HTTP/1.1 "))
            .ok_or_else(|| bad("not an HTTP/1.1 response"))?;
        let mut length = 0usize;
        for line in b[..head].split(|&c| c == b'\n').skip(1) {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let Some(colon) = line.iter().position(|&c| c == b':') else {
                continue;
            };
            let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
            if name.eq_ignore_ascii_case(b"content-length") {
                length = std::str::from_utf8(value)
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .ok_or_else(|| bad("bad Content-Length"))?;
            } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
                return Err(bad("chunked responses are not expected here"));
            }
        }
        let total = head + 4 + length;
        if b.len() < total {
            return Ok(None);
        }
        let error_body = (!(200..300).contains(&code))
            .then(|| String::from_utf8_lossy(&b[head + 4..total]).into_owned());
        self.start += total;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        Ok(Some(Status { code, error_body }))
    }

    /// The next response, reading as needed.
    pub async fn next<S>(&mut self, s: &mut S) -> io::Result<Status>
    where
        S: tokio::io::AsyncRead + Unpin,
    {
        loop {
            if let Some(st) = self.parse()? {
                return Ok(st);
            }
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let n = s.read(&mut self.buf[self.end..]).await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the server closed the connection",
                ));
            }
            self.end += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_like_the_sdks_do() {
        assert_eq!(encode_segment("R1km-c2_NjMCFIA="), "R1km-c2_NjMCFIA%3D");
    }

    #[test]
    fn the_signature_is_one_the_verifier_accepts() {
        let date = "20261208T010000Z";
        let bytes = signed_post("127.0.0.1:9", "/_aws/execute-api/a/prod", "x=", b"m", date);
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert_eq!(body, "m");
        let mut lines = head.split("\r\n");
        let path = lines.next().unwrap().split(' ').nth(1).unwrap();
        assert_eq!(path, "/_aws/execute-api/a/prod/@connections/x%3D");
        let headers: Vec<(&str, &str)> = lines.map(|l| l.split_once(": ").unwrap()).collect();
        let req = sigv4::Request {
            method: "POST",
            raw_path: path,
            raw_query: "",
            headers: &headers,
            body: b"m",
        };
        let now = sigv4::parse_amz_date(date).unwrap();
        let ok = sigv4::verify(&req, Some("execute-api"), now, |_| Some(SECRET.to_string()));
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[tokio::test]
    async fn responses_are_split_on_their_length_and_errors_keep_their_body() {
        let wire: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n\
            HTTP/1.1 410 Gone\r\nContent-Type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        let mut s = wire;
        let mut r = ResponseReader::default();
        assert_eq!(r.next(&mut s).await.unwrap().code, 200);
        let gone = r.next(&mut s).await.unwrap();
        assert_eq!(
            gone,
            Status {
                code: 410,
                error_body: Some("{}".into())
            }
        );
        assert!(r.next(&mut s).await.is_err());
    }
}
