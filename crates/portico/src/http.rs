//! Small HTTP helpers shared by every plane: the response body type, JSON replies, request ids.

use bytes::Bytes;
use http_body_util::{combinators::BoxBody, BodyExt, Full};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

/// One body type for every response: a full buffer for control-plane replies, a stream for
/// proxied data-plane responses.
pub type ResponseBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

pub fn empty() -> ResponseBody {
    full(Bytes::new())
}

pub fn json_response(status: u16, value: &serde_json::Value) -> Response<ResponseBody> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = Response::new(full(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// A request id in the UUID v4 text form AWS uses for `x-amzn-RequestId`.
pub fn request_id() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // One 128-bit draw: an array of bytes would cost a generator call per byte.
    let b = rand::random::<u128>().to_le_bytes();
    let mut out = [0u8; 36];
    let mut at = 0;
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out[at] = b'-';
            at += 1;
        }
        let v = match i {
            6 => (byte & 0x0f) | 0x40,
            8 => (byte & 0x3f) | 0x80,
            _ => *byte,
        };
        out[at] = HEX[(v >> 4) as usize];
        out[at + 1] = HEX[(v & 0xf) as usize];
        at += 2;
    }
    ascii(&out)
}

/// Text from bytes known to be ASCII (ids built from fixed alphabets).
pub fn ascii(bytes: &[u8]) -> String {
    // `from_utf8_lossy` walks its input chunk by chunk, several times slower on a 36-byte id.
    std::str::from_utf8(bytes).unwrap_or_default().to_owned()
}
