//! Small HTTP helpers shared by every plane (the response body type, JSON replies, request
//! ids, whole-body reads), and below them what only HTTP APIs (`apigatewayv2`, protocol
//! `HTTP`) do, beside `rest/`:
//! - `registry`: the live HTTP APIs (CORS rules, authorizers, stages with their compiled
//!   deployments), rebuilt from `Change::HttpApi` announcements and swapped atomically;
//! - `compile` + `router`: a deployment's frozen routes and integrations become a route trie
//!   and integration plans;
//! - `pipeline`: the phases of one invocation; `request` (what mappings read, the response
//!   mapping), `proxy` (`HTTP_PROXY`), `params` (parameter mapping), `cors`, `jwt`
//!   (JWT authorizers, JWKS by OIDC discovery), `lambda` (payload 2.0 and 1.0),
//!   `lambda_authorizer` (Lambda REQUEST authorizers).

mod aws_service;
pub mod compile;
pub mod cors;
pub mod jwt;
pub mod lambda;
pub mod lambda_authorizer;
pub mod params;
pub mod pipeline;
mod proxy;
pub mod registry;
mod request;
pub mod router;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::{Body, Frame, SizeHint};
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use crate::integrations::pool::DrivenBody;

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

/// Why a body could not be read whole.
#[derive(Debug)]
pub enum ReadError<E> {
    /// More than the limit arrived.
    TooLarge,
    /// The body failed (the peer went away, a framing error).
    Body(E),
}

/// A body read whole, up to `limit` bytes; trailers are dropped.
///
/// A body that comes in one frame is kept as it came. One that comes in several is copied into
/// one buffer as each frame arrives, sized once from the length the body declares (its
/// Content-Length) when it declares one. Each frame is let go at once, so the reader can reuse
/// its buffer and the body is held once. Collecting the frames and then joining them would hold
/// it twice, and memory the allocator had given back is faulted in again by the next request:
/// a 1 MB upload took ~500 page faults that way, 28 this way.
pub async fn read_whole<B>(mut body: B, limit: usize) -> Result<Bytes, ReadError<B::Error>>
where
    B: Body<Data = Bytes> + Unpin,
{
    let declared = body.size_hint().exact();
    let mut first: Option<Bytes> = None;
    let mut joined = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(ReadError::Body)?.into_data() else {
            continue;
        };
        let so_far = first.as_ref().map_or(joined.len(), Bytes::len) + data.len();
        if so_far > limit {
            return Err(ReadError::TooLarge);
        }
        if let Some(one) = first.take() {
            let size = declared.map_or(so_far, |n| usize::try_from(n).unwrap_or(limit));
            joined.reserve(size.clamp(so_far, limit));
            joined.extend_from_slice(&one);
            joined.extend_from_slice(&data);
        } else if joined.is_empty() {
            first = Some(data);
        } else {
            joined.extend_from_slice(&data);
        }
    }
    Ok(match first {
        Some(one) => one,
        None => joined.freeze(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use hyper::HeaderMap;

    use super::*;

    /// A body that yields the frames it was given, and declares a length if told to.
    struct Frames {
        frames: VecDeque<Result<Frame<Bytes>, &'static str>>,
        declared: Option<u64>,
    }

    fn frames(parts: &[&'static str], declared: Option<u64>) -> Frames {
        Frames {
            frames: parts
                .iter()
                .map(|p| Ok(Frame::data(Bytes::from_static(p.as_bytes()))))
                .collect(),
            declared,
        }
    }

    impl Body for Frames {
        type Data = Bytes;
        type Error = &'static str;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<Frame<Bytes>, &'static str>>> {
            Poll::Ready(self.frames.pop_front())
        }

        fn size_hint(&self) -> SizeHint {
            self.declared
                .map_or_else(SizeHint::default, SizeHint::with_exact)
        }
    }

    async fn read(body: Frames, limit: usize) -> Result<String, String> {
        match read_whole(body, limit).await {
            Ok(b) => Ok(String::from_utf8(b.to_vec()).unwrap()),
            Err(ReadError::TooLarge) => Err("too large".into()),
            Err(ReadError::Body(e)) => Err(e.into()),
        }
    }

    #[tokio::test]
    async fn frames_are_joined_in_order_whether_or_not_a_length_is_declared() {
        let cases: &[(&[&str], Option<u64>, &str)] = &[
            (&[], None, ""),
            (&["", ""], None, ""),
            (&["one"], Some(3), "one"),
            (&["a", "bc", "", "def"], Some(6), "abcdef"),
            (&["a", "bc", "def"], None, "abcdef"),
        ];
        for &(parts, declared, expected) in cases {
            assert_eq!(
                read(frames(parts, declared), 100).await.as_deref(),
                Ok(expected)
            );
        }
    }

    #[tokio::test]
    async fn one_frame_is_kept_as_it_came() {
        let data = Bytes::from_static(b"whole");
        let body = Frames {
            frames: [Ok(Frame::data(data.clone()))].into(),
            declared: None,
        };
        let read = read_whole(body, 100).await.unwrap();
        assert_eq!(read.as_ptr(), data.as_ptr(), "copied, not kept");
    }

    #[tokio::test]
    async fn the_limit_is_inclusive_and_counts_every_frame() {
        assert_eq!(
            read(frames(&["ab", "cd"], None), 4).await.as_deref(),
            Ok("abcd")
        );
        assert_eq!(
            read(frames(&["ab", "cde"], None), 4).await,
            Err("too large".into())
        );
        assert_eq!(
            read(frames(&["abcde"], None), 4).await,
            Err("too large".into())
        );
    }

    #[tokio::test]
    async fn a_failing_body_is_an_error_and_trailers_are_dropped() {
        let mut body = frames(&["ab"], None);
        body.frames.push_back(Err("peer went away"));
        assert_eq!(read(body, 100).await, Err("peer went away".into()));
        let mut body = frames(&["ab", "cd"], None);
        body.frames.push_back(Ok(Frame::trailers(HeaderMap::new())));
        assert_eq!(read(body, 100).await.as_deref(), Ok("abcd"));
    }
}
