//! Small HTTP helpers shared by every plane: the response body type, JSON replies, request ids.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use crate::data::integrations::pool::DrivenBody;

/// One body type for every response: a whole buffer (every control-plane reply, and a
/// proxied body that arrived with its head), or a proxied body streamed from its backend
/// connection. An enum, not a boxed trait object: a whole body costs no allocation. The
/// stream is boxed: responses are moved from phase to phase, and a connection is large.
pub enum ResponseBody {
    /// `None` once sent.
    Full(Option<Bytes>),
    Streamed(Box<DrivenBody>),
}

pub fn full(bytes: impl Into<Bytes>) -> ResponseBody {
    ResponseBody::Full(Some(bytes.into()))
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ResponseBody::Full(bytes) => Poll::Ready(
                bytes
                    .take()
                    .filter(|b| !b.is_empty())
                    .map(|b| Ok(Frame::data(b))),
            ),
            ResponseBody::Streamed(body) => {
                Pin::new(&mut **body).poll_frame(cx).map_err(Into::into)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
            ResponseBody::Streamed(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            ResponseBody::Streamed(body) => body.size_hint(),
        }
    }
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
    let mut out = [0u8; 36];
    uuid_v4_into(&mut out, rand::random());
    ascii(&out)
}

/// `random` as a UUID v4 in text form (its version and variant bits set) into `out[..36]`.
pub fn uuid_v4_into(out: &mut [u8], mut random: [u8; 16]) {
    random[6] = (random[6] & 0x0f) | 0x40;
    random[8] = (random[8] & 0x3f) | 0x80;
    hex_into(&mut out[0..8], &random[0..4]);
    hex_into(&mut out[9..13], &random[4..6]);
    hex_into(&mut out[14..18], &random[6..8]);
    hex_into(&mut out[19..23], &random[8..10]);
    hex_into(&mut out[24..36], &random[10..16]);
    for dash in [8, 13, 18, 23] {
        out[dash] = b'-';
    }
}

/// Lower-case hex of `bytes` into `out`, two digits per byte.
pub fn hex_into(out: &mut [u8], bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (o, b) in out.chunks_exact_mut(2).zip(bytes) {
        o[0] = HEX[usize::from(b >> 4)];
        o[1] = HEX[usize::from(b & 0xf)];
    }
}

/// Text from bytes known to be ASCII (ids built from fixed alphabets).
pub fn ascii(bytes: &[u8]) -> String {
    // `from_utf8_lossy` walks its input chunk by chunk, several times slower on a 36-byte id.
    std::str::from_utf8(bytes).unwrap_or_default().to_owned()
}
