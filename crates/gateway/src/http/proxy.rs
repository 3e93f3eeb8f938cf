//! `HTTP_PROXY` integrations of HTTP APIs: the backend request built from the integration URI,
//! the client's request and the parameter mappings, sent over the gateway's upstream pool.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use hyper::header::{HeaderName, HeaderValue, HOST};
use hyper::{HeaderMap, Method, Response};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use time::OffsetDateTime;

use super::compile::IntegrationPlan;
use super::params::{self, Op, Target as MapTarget};
use super::pipeline::{internal_error, message};
use super::request::Req;
use crate::http::{full, ResponseBody};
use crate::integrations::h1;
use crate::integrations::http::Endpoint;
use crate::integrations::pool::DrivenBody;
use crate::integrations::vpc_link::Link;
use crate::rest::gateway_responses::{GatewayError, ResponseType};
use crate::rest::request_map::BackendRequest;
use crate::DataPlane;

/// Characters escaped in a value placed in a path.
const PATH_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');
/// Characters escaped in a query name or value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn escape_path(v: &str) -> String {
    utf8_percent_encode(v, PATH_VALUE).to_string()
}

/// Headers of the client's request not forwarded: hop-by-hop ones, and those the gateway sets.
fn not_forwarded(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "content-length"
            | "expect"
            | "host"
            | "keep-alive"
            | "proxy-connection"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
            | "x-forwarded-for"
            | "x-forwarded-proto"
            | "x-forwarded-port"
            | "forwarded"
            | "x-amzn-trace-id"
    )
}

/// What a response keeps of a backend's headers: hyper frames the body itself.
fn response_header(name: HeaderName) -> Option<HeaderName> {
    match name.as_str() {
        "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "via" => None,
        _ => Some(name),
    }
}

/// `HTTP_PROXY`: the integration URI (stage variables and `{name}` path variables filled in);
/// one without a path gets the request's path (http-api-develop-routes.html: the `$default`
/// route sends the full request path); the client's query, then the mappings.
/// Where an `HTTP_PROXY` integration sends a request (`compile::Target::HttpProxy`).
pub(super) struct Backend<'a> {
    pub uri: &'a params::Expr,
    pub origin: Option<&'a Endpoint>,
    pub method: Option<&'a Method>,
    pub via: Option<&'a Arc<Link>>,
}

pub(super) async fn http_proxy(
    dp: &DataPlane,
    req: &Req<'_>,
    integ: &IntegrationPlan,
    backend: Backend<'_>,
) -> Result<Response<ResponseBody>, Response<ResponseBody>> {
    let Backend {
        uri,
        origin,
        method,
        via,
    } = backend;
    let mut url = uri.eval(req, None);
    for (name, value) in &req.path_params {
        for pattern in [format!("{{{name}+}}"), format!("{{{name}}}")] {
            if url.contains(&pattern) {
                url = url.replace(&pattern, &escape_path(value));
            }
        }
    }
    let (mut base, uri_query) = match url.split_once('?') {
        Some((b, q)) => (b.to_string(), Some(q.to_string())),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let has_path = base[after_scheme..].contains('/');
    let mut path = if has_path {
        let i = after_scheme + base[after_scheme..].find('/').unwrap_or(0);
        let p = base[i..].to_string();
        base.truncate(i);
        p
    } else if via.is_some() && req.stage.name != "$default" {
        // "For private integrations, API Gateway includes the stage portion of the API
        // endpoint in the request to your backend resources" (http-api-develop-integrations-
        // private.html); `overwrite:path` to `$request.path` takes it off.
        format!("/{}{}", req.stage.name, req.path)
    } else {
        req.path.to_string()
    };
    // Without header mappings the client's headers go out as they arrived, those not
    // forwarded skipped as they are written: a copy cost ~1.8k instructions a request.
    let mut headers = if integ.maps_headers {
        let mut copy = HeaderMap::with_capacity(req.parts.headers.len() + 4);
        for (k, v) in &req.parts.headers {
            if !not_forwarded(k) {
                copy.append(k.clone(), v.clone());
            }
        }
        Cow::Owned(copy)
    } else {
        Cow::Borrowed(&req.parts.headers)
    };
    let mut query: Option<Vec<(String, String)>> = None;
    for m in &integ.request {
        let value = match m.target {
            MapTarget::Path => m.value.eval(req, Some(escape_path)),
            _ => m.value.eval(req, None),
        };
        if value.is_empty() && m.op != Op::Remove {
            continue;
        }
        match &m.target {
            MapTarget::Header(h) => {
                let Ok(name) = HeaderName::from_bytes(h.as_bytes()) else {
                    continue;
                };
                let headers = headers.to_mut();
                match m.op {
                    Op::Remove => {
                        headers.remove(&name);
                    }
                    Op::Overwrite => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            headers.insert(name, v);
                        }
                    }
                    Op::Append => {
                        let joined = match headers.get(&name) {
                            Some(old) => {
                                format!("{},{value}", String::from_utf8_lossy(old.as_bytes()))
                            }
                            None => value,
                        };
                        if let Ok(v) = HeaderValue::from_str(&joined) {
                            headers.insert(name, v);
                        }
                    }
                }
            }
            MapTarget::QueryString(q) => {
                let pairs = query.get_or_insert_with(|| req.query.clone());
                match m.op {
                    Op::Remove => pairs.retain(|(k, _)| k != q),
                    Op::Overwrite => {
                        pairs.retain(|(k, _)| k != q);
                        pairs.push((q.clone(), value));
                    }
                    Op::Append => pairs.push((q.clone(), value)),
                }
            }
            MapTarget::Path => {
                path = if value.starts_with('/') {
                    value
                } else {
                    format!("/{value}")
                };
            }
            MapTarget::StatusCode => {}
        }
    }
    let client_query = match &query {
        Some(pairs) => pairs
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(k, QUERY_VALUE),
                    utf8_percent_encode(v, QUERY_VALUE)
                )
            })
            .collect::<Vec<_>>()
            .join("&"),
        None => req.parts.uri.query().unwrap_or("").to_string(),
    };
    let full_query = match (uri_query, client_query.is_empty()) {
        (Some(u), true) => u,
        (Some(u), false) => format!("{u}&{client_query}"),
        (None, _) => client_query,
    };
    let target = if full_query.is_empty() {
        path
    } else {
        format!("{path}?{full_query}")
    };
    // The literal origin parsed at compile time takes the target as it is; anything else
    // (an origin a stage variable fills in, a target to refuse) is parsed whole.
    let known = origin.filter(|o| o.url() == base);
    let endpoint = match known.and_then(|o| o.with_target(&target)) {
        Some(e) => e,
        None => Endpoint::parse(format!("{base}{target}")).map_err(|e| {
            tracing::warn!(integration = integ.id, "{}", e.detail.unwrap_or_default());
            internal_error()
        })?,
    };
    // The forwarding headers, written straight into the request head (a `format!` each was
    // a tenth of an HTTP API request's instructions); a mapping that set one wins.
    // Set by a mapping? (The client's own are among those not forwarded.)
    let mapped = |name: &str| integ.maps_headers && headers.contains_key(name);
    let source_ip = req.source_ip.to_string();
    let mut added = Vec::with_capacity(200);
    if !mapped("forwarded") {
        let host = req
            .parts
            .headers
            .get(HOST)
            .map_or(&b""[..], |h| h.as_bytes());
        for part in [
            &b"forwarded: by="[..],
            endpoint.host().as_bytes(),
            b";for=",
            source_ip.as_bytes(),
            b";host=",
            host,
            b";proto=http\r\n",
        ] {
            added.extend_from_slice(part);
        }
    }
    if !mapped("x-forwarded-for") {
        added.extend_from_slice(b"x-forwarded-for: ");
        if let Some(prior) = req.parts.headers.get("x-forwarded-for") {
            added.extend_from_slice(prior.as_bytes());
            added.extend_from_slice(b", ");
        }
        added.extend_from_slice(source_ip.as_bytes());
        added.extend_from_slice(b"\r\n");
    }
    if !mapped("x-forwarded-proto") {
        added.extend_from_slice(b"x-forwarded-proto: http\r\n");
    }
    if !mapped("x-amzn-trace-id") {
        added.extend_from_slice(b"x-amzn-trace-id: Root=");
        added.extend_from_slice(trace_root(req.request_id).as_bytes());
        added.extend_from_slice(b"\r\n");
    }
    let mut out = BackendRequest {
        method: method.cloned().unwrap_or_else(|| req.parts.method.clone()),
        endpoint: Cow::Owned(endpoint),
        skip: if integ.maps_headers {
            h1::send_all
        } else {
            not_forwarded
        },
        headers,
        added,
        body: req.body.clone(),
        via: None,
        tls: Default::default(),
    };
    if out.endpoint.is_tls() {
        out.tls.settings = Some(&integ.tls);
    }
    out.via = via.cloned();
    match dp
        .client
        .send(out, Instant::now(), integ.timeout, response_header)
        .await
    {
        Ok((resp, _)) => Ok(streamed(resp)),
        Err(e) => Err(integration_failure(&integ.id, e)),
    }
}

/// `Root=1-{8 hex}-{24 hex}` from the request's time and id.
pub(super) fn trace_root(rid: &str) -> String {
    use std::fmt::Write;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let secs = OffsetDateTime::now_utc().unix_timestamp();
    let mut out = String::with_capacity(35);
    let _ = write!(out, "1-{secs:08x}-");
    // A formatting pass per byte was a sixth of an HTTP API request's instructions.
    for b in rid.bytes().cycle().take(12) {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

fn streamed(resp: Response<DrivenBody>) -> Response<ResponseBody> {
    let (parts, mut body) = resp.into_parts();
    let body = match body.take_whole() {
        Some(whole) => full(whole),
        None => ResponseBody::Streamed(Box::new(body)),
    };
    Response::from_parts(parts, body)
}

pub(super) fn integration_failure(id: &str, e: GatewayError) -> Response<ResponseBody> {
    tracing::warn!(
        integration = id,
        "{}",
        e.detail.as_deref().or(e.message.as_deref()).unwrap_or("")
    );
    match e.kind {
        ResponseType::IntegrationTimeout => message(503, "Service Unavailable"),
        _ => internal_error(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};

    #[test]
    fn hop_by_hop_headers_are_not_forwarded_nor_returned() {
        assert!(not_forwarded(&HOST));
        assert!(!not_forwarded(&USER_AGENT));
        assert!(response_header(CONTENT_LENGTH).is_none());
        assert_eq!(response_header(CONTENT_TYPE), Some(CONTENT_TYPE));
    }

    #[test]
    fn the_trace_root_is_the_time_then_the_request_ids_bytes_in_hex() {
        let root = trace_root("ab");
        let (secs, hex) = root["1-".len()..].split_once('-').unwrap();
        assert_eq!(secs.len(), 8);
        assert_eq!(hex, "616261626162616261626162");
    }

    #[test]
    fn a_literal_origin_takes_the_request_target_as_the_parsed_url_would() {
        let origin = super::super::compile::origin_of(&params::parse("http://backend:8080/x?y=1"))
            .expect("a literal origin");
        let fast = origin.with_target("/pets/1?a=b").unwrap();
        let parsed = Endpoint::parse("http://backend:8080/pets/1?a=b".to_string()).unwrap();
        assert_eq!(
            (fast.url(), fast.host(), fast.authority(), fast.target()),
            (
                parsed.url(),
                parsed.host(),
                parsed.authority(),
                parsed.target()
            )
        );
        // Not a bare request target: the caller parses the whole URL (and refuses it).
        assert!(origin.with_target("/a b").is_none());
        assert!(origin.with_target("/a\r\nX: y").is_none());
        assert!(origin.with_target("pets").is_none());
        // An authority a stage variable completes is not literal.
        assert!(
            super::super::compile::origin_of(&params::parse("http://${stageVariables.h}/x"))
                .is_none()
        );
        assert!(
            super::super::compile::origin_of(&params::parse("http://api-${stageVariables.h}"))
                .is_none()
        );
    }

    #[test]
    fn path_values_are_escaped_but_keep_their_slashes() {
        assert_eq!(escape_path("a b/c"), "a%20b/c");
    }
}
