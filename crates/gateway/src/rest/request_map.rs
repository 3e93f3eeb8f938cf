//! Phase 5, integration request: `requestParameters`, the request template chosen by
//! Content-Type under `passthroughBehavior`, binary `contentHandling`, and the backend request
//! (URI with path variables and stage variables, query, AWS's header rules).

use std::borrow::Cow;
use std::sync::Arc;

use base64::Engine as _;
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use hyper::{HeaderMap, Method};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde_json::{Map, Value};

use super::compile::{BackendHeaders, ContentHandling, Integration, Kind, Passthrough, UriPart};
use super::gateway_responses::{GatewayError, ResponseType};
use super::mapping::{RequestTarget, View};
use super::pipeline::{ExecLog, KnownHeaders};
use super::template::{self, Carried, Inputs};
use crate::integrations::{h1, http::Endpoint, tls::TlsRoute, vpc_link::Link};

// Header names are constants: a `&str` name is parsed and hashed on every lookup.
pub(super) const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
pub(super) const X_AMZN_TRACE_ID: HeaderName = HeaderName::from_static("x-amzn-trace-id");
const X_AMZN_APIGATEWAY_API_ID: HeaderName = HeaderName::from_static("x-amzn-apigateway-api-id");

/// Characters escaped in a path variable value (a greedy `{proxy+}` keeps its `/`).
pub(super) const PATH_VALUE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'|')
    .add(b'\\')
    .add(b'^');

const QUERY_VALUE: &AsciiSet = &PATH_VALUE.add(b'&').add(b'=').add(b'+').add(b'/');

/// The mapped pieces of the integration request.
#[derive(Debug, Default)]
pub struct Mapped {
    pub headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub path: Vec<(String, String)>,
    pub body: Bytes,
    /// The request template's `$context.responseOverride` writes carry over to the response.
    pub status_override: Option<u16>,
    /// Every override the request template left, for the response mapping.
    pub carried: Carried,
}

/// Is `content_type` one of the API's binary media types (`*/*` and `type/*` wildcards)?
pub fn is_binary(content_type: &str, binary_media_types: &[String]) -> bool {
    if binary_media_types.is_empty() {
        return false;
    }
    let mt = template::media_type(content_type);
    if mt.is_empty() {
        return false;
    }
    binary_media_types.iter().any(|b| {
        let b = b.trim();
        b == "*/*"
            || b.eq_ignore_ascii_case(mt)
            || b.strip_suffix("/*").is_some_and(|major| {
                mt.split('/')
                    .next()
                    .is_some_and(|m| m.eq_ignore_ascii_case(major))
            })
    })
}

pub fn convert(body: &Bytes, how: ContentHandling, binary: bool) -> Result<Bytes, GatewayError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    match how {
        ContentHandling::ConvertToText if binary => Ok(Bytes::from(b64.encode(body))),
        ContentHandling::ConvertToBinary if !binary => {
            let text: Vec<u8> = body
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            b64.decode(text).map(Bytes::from).map_err(|e| {
                GatewayError::config(format!(
                    "Execution failed due to configuration error: Unable to base64-decode the payload: {e}"
                ))
            })
        }
        _ => Ok(body.clone()),
    }
}

/// Apply `requestParameters`, then (non-proxy) the request template.
#[allow(clippy::too_many_arguments)]
pub fn map(
    integ: &Integration,
    view: &View,
    raw_body: &Bytes,
    content_type: &str,
    binary: bool,
    path_params: &[(String, String)],
    query: &[(String, String)],
    headers: &HeaderMap,
    stage_variables: &Map<String, Value>,
    log: &mut ExecLog,
) -> Result<Mapped, GatewayError> {
    let mut m = Mapped::default();
    for (target, src) in &integ.request_parameters {
        let Some(v) = view.eval(src) else { continue };
        match target {
            RequestTarget::Header(n) => m.headers.push((n.clone(), v)),
            RequestTarget::Query(n) => m.query.push((n.clone(), v)),
            RequestTarget::MultiQuery(n) => {
                for part in v.split(',') {
                    m.query.push((n.clone(), part.to_string()));
                }
            }
            RequestTarget::Path(n) => m.path.push((n.clone(), v)),
        }
    }
    let body = raw_body.clone();
    if matches!(integ.kind, Kind::HttpProxy | Kind::AwsProxy) {
        m.body = body;
        return Ok(m);
    }
    let body = match integ.content_handling {
        Some(h) => convert(&body, h, binary)?,
        None => body,
    };
    let chosen = template::select(&integ.request_templates, content_type);
    let unsupported =
        || GatewayError::new(ResponseType::UnsupportedMediaType, "Unsupported Media Type");
    let Some(t) = chosen else {
        return match integ.passthrough {
            Passthrough::WhenNoMatch => {
                m.body = body;
                Ok(m)
            }
            Passthrough::WhenNoTemplates if integ.request_templates.is_empty() => {
                m.body = body;
                Ok(m)
            }
            _ => Err(unsupported()),
        };
    };
    let needs = t.needs();
    let inputs = || Inputs {
        body: if needs.input {
            String::from_utf8_lossy(&body).into_owned()
        } else {
            String::new()
        },
        path_params: if needs.input {
            path_params.to_vec()
        } else {
            Vec::new()
        },
        query_params: if needs.input {
            query.to_vec()
        } else {
            Vec::new()
        },
        header_params: if needs.input {
            headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
                .collect()
        } else {
            Vec::new()
        },
        context: view.context.owned(needs.context.as_deref()),
        stage_variables: if needs.stage_variables {
            stage_variables.clone()
        } else {
            Map::new()
        },
        carried: Carried::default(),
    };
    let r = t.render_with(inputs).map_err(|e| {
        GatewayError::config(format!(
            "Execution failed due to configuration error: Unable to transform request: {e}"
        ))
    })?;
    log.add(|| {
        format!(
            "Endpoint request body after transformations: {}",
            truncate(&r.output)
        )
    });
    m.headers.extend(r.request_headers);
    m.query.extend(r.request_query);
    m.path.extend(r.request_path);
    m.status_override = r.response_status;
    m.carried = r.carried;
    m.body = Bytes::from(r.output);
    Ok(m)
}

pub fn truncate(s: &str) -> &str {
    match s.char_indices().nth(1000) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Everything the backend request is built from.
pub struct Outgoing<'a> {
    pub integ: &'a Integration,
    pub mapped: Mapped,
    pub client_method: &'a Method,
    pub client_headers: &'a HeaderMap,
    pub client_known: &'a KnownHeaders<'a>,
    pub raw_query: &'a str,
    pub path_params: &'a [(String, String)],
    pub stage_variables: &'a Map<String, Value>,
    pub api_headers: &'a BackendHeaders,
    pub trace_id: &'a str,
    pub source_ip: &'a str,
    pub content_type: &'a str,
}

/// The request toward an HTTP backend.
pub struct BackendRequest<'a> {
    pub method: Method,
    pub endpoint: Cow<'a, Endpoint>,
    /// The client's headers as they arrived (a proxied request without header mappings), or
    /// the request's own.
    pub headers: Cow<'a, HeaderMap>,
    /// Which of `headers` are not sent.
    pub skip: fn(&HeaderName) -> bool,
    /// The headers the gateway adds, in wire form, sent after `headers` (none of their names
    /// is among those sent from `headers`). Written once as text: kept as name-value pairs,
    /// each cost an allocation or two and a drop per request.
    pub added: Vec<u8>,
    pub body: Bytes,
    /// The VPC link to connect through (a VPC_LINK integration), instead of the endpoint's
    /// own address.
    pub via: Option<Arc<Link>>,
    /// An `https://` endpoint's settings and client certificate (set by the pipeline).
    pub tls: TlsRoute<'a>,
}

/// Headers of a proxied client's request that the gateway does not forward as they are.
/// Matched on the name's text in one `match`: a scan of name lists compared each header with
/// every name in them.
fn not_forwarded(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        // Never reach an integration (AWS drops them at the edge).
        "connection"
            | "content-length"
            | "content-md5"
            | "expect"
            | "max-forwards"
            | "proxy-authenticate"
            | "server"
            | "te"
            | "transfer-encoding"
            | "trailer"
            | "upgrade"
            | "www-authenticate"
            | "host"
            | "keep-alive"
            | "proxy-connection"
            // The client's copies give way to the gateway's own.
            | "x-forwarded-for"
            | "x-forwarded-proto"
            | "x-amzn-trace-id"
            | "x-amzn-apigateway-api-id"
    )
}

/// One header line in wire form: `start` is the name and `": "`, `value` comes in parts.
fn add(wire: &mut Vec<u8>, start: &[u8], value: &[&[u8]]) {
    wire.extend_from_slice(start);
    for part in value {
        wire.extend_from_slice(part);
    }
    wire.extend_from_slice(b"\r\n");
}

/// Build the HTTP request toward the backend.
pub fn http_request(o: Outgoing<'_>) -> Result<BackendRequest<'_>, GatewayError> {
    let proxy = o.integ.kind == Kind::HttpProxy;
    let adds_query = (proxy && !o.raw_query.is_empty()) || !o.mapped.query.is_empty();
    let endpoint = match &o.integ.literal_endpoint {
        Some(e) if !adds_query => Cow::Borrowed(e),
        _ => Cow::Owned(backend_endpoint(&o, proxy)?),
    };
    let method = o
        .integ
        .http_method
        .clone()
        .unwrap_or_else(|| o.client_method.clone());
    let mapped_any = !o.mapped.headers.is_empty();
    // The forwarding headers give way to mapped ones of the same name.
    let (mut forwarded_for, mut forwarded_proto) = (proxy, proxy);
    let (mut headers, skip) = if proxy && !mapped_any {
        (
            Cow::Borrowed(o.client_headers),
            not_forwarded as fn(&HeaderName) -> bool,
        )
    } else {
        let mut headers = if proxy {
            let mut h = o.client_headers.clone();
            // One pass over the (few) headers present rather than a hashed lookup per name.
            while let Some(name) = h.keys().find(|k| not_forwarded(k)).cloned() {
                h.remove(&name);
            }
            h
        } else {
            let mut h = HeaderMap::with_capacity(8);
            h.insert(ACCEPT, HeaderValue::from_static("application/json"));
            if !o.mapped.body.is_empty() {
                if let Ok(v) = HeaderValue::from_str(o.content_type) {
                    h.insert(CONTENT_TYPE, v);
                }
            }
            h
        };
        // Mapped headers override what the client sent; the headers added below override
        // the mappings.
        for (k, v) in &o.mapped.headers {
            if let (Ok(n), Ok(v)) = (HeaderName::try_from(k.as_str()), HeaderValue::from_str(v)) {
                forwarded_for &= n != X_FORWARDED_FOR;
                forwarded_proto &= n != X_FORWARDED_PROTO;
                headers.insert(n, v);
            }
        }
        (Cow::Owned(headers), h1::send_all as fn(&HeaderName) -> bool)
    };
    let mut added = Vec::with_capacity(192);
    if forwarded_for {
        match o.client_known.forwarded_for.filter(|v| v.to_str().is_ok()) {
            Some(prev) => add(
                &mut added,
                b"x-forwarded-for: ",
                &[prev.as_bytes(), b", ", o.source_ip.as_bytes()],
            ),
            None => add(&mut added, b"x-forwarded-for: ", &[o.source_ip.as_bytes()]),
        }
    }
    if forwarded_proto {
        added.extend_from_slice(b"x-forwarded-proto: http\r\n");
    }
    // Non-proxy requests always carry API Gateway's agent; a proxied client keeps its own.
    let has_agent = match &headers {
        Cow::Borrowed(_) => o.client_known.user_agent.is_some(),
        Cow::Owned(h) => h.contains_key(USER_AGENT),
    };
    if !proxy || !has_agent {
        if let Some(v) = &o.api_headers.user_agent {
            if mapped_any {
                headers.to_mut().remove(USER_AGENT);
            }
            add(&mut added, b"user-agent: ", &[v.as_bytes()]);
        }
    }
    if mapped_any {
        let h = headers.to_mut();
        h.remove(X_AMZN_TRACE_ID);
        h.remove(X_AMZN_APIGATEWAY_API_ID);
    }
    add(&mut added, b"x-amzn-trace-id: ", &[o.trace_id.as_bytes()]);
    if let Some(v) = &o.api_headers.api_id {
        add(&mut added, b"x-amzn-apigateway-api-id: ", &[v.as_bytes()]);
    }
    Ok(BackendRequest {
        method,
        endpoint,
        headers,
        skip,
        added,
        body: o.mapped.body,
        via: None,
        tls: TlsRoute::default(),
    })
}

/// The backend address with stage variables, path parameters and query strings filled in.
fn backend_endpoint(o: &Outgoing, proxy: bool) -> Result<Endpoint, GatewayError> {
    let mut url = String::with_capacity(128);
    for part in &o.integ.uri {
        match part {
            UriPart::Lit(s) => url.push_str(s),
            UriPart::StageVariable(n) => {
                if let Some(v) = o.stage_variables.get(n) {
                    url.push_str(&super::mapping::scalar_text(v));
                }
            }
            UriPart::Path(n) => {
                let v = o
                    .mapped
                    .path
                    .iter()
                    .rev()
                    .find(|(k, _)| k == n)
                    // Unmapped: fall back to the method's path parameter of the same name (what
                    // the console wires up for `{proxy+}`), instead of AWS's configuration error.
                    .or_else(|| o.path_params.iter().find(|(k, _)| k == n))
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("");
                url.extend(utf8_percent_encode(v, PATH_VALUE));
            }
        }
    }
    // No host at all (`https://${stageVariables.host}` without the variable): AWS's text.
    let after_scheme = url.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.is_empty() || after_scheme.starts_with(['/', '?', ':']) {
        return Err(GatewayError::config(
            "Execution failed due to configuration error: Invalid endpoint address",
        ));
    }
    let mut sep = if url.contains('?') { '&' } else { '?' };
    if proxy && !o.raw_query.is_empty() {
        url.push(sep);
        url.push_str(o.raw_query);
        sep = '&';
    }
    for (k, v) in &o.mapped.query {
        url.push(sep);
        url.extend(utf8_percent_encode(k, QUERY_VALUE));
        url.push('=');
        url.extend(utf8_percent_encode(v, QUERY_VALUE));
        sep = '&';
    }
    Endpoint::parse(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_media_type_matching() {
        let types = vec![
            "image/png".to_string(),
            "application/octet-*".to_string(),
            "audio/*".to_string(),
        ];
        assert!(is_binary("image/png", &types));
        assert!(is_binary("IMAGE/PNG; q=1", &types));
        assert!(is_binary("audio/ogg", &types));
        assert!(!is_binary("application/json", &types));
        assert!(!is_binary("", &types));
        assert!(is_binary("text/plain", &["*/*".to_string()]));
    }

    #[test]
    fn content_handling_conversions() {
        let raw = Bytes::from_static(&[0xff, 0x00, 0x10]);
        let text = convert(&raw, ContentHandling::ConvertToText, true).unwrap();
        assert_eq!(&text[..], b"/wAQ");
        let back = convert(&text, ContentHandling::ConvertToBinary, false).unwrap();
        assert_eq!(back, raw);
        // Already the wanted form: untouched.
        assert_eq!(
            convert(&raw, ContentHandling::ConvertToBinary, true).unwrap(),
            raw
        );
        assert!(convert(
            &Bytes::from_static(b"%%%"),
            ContentHandling::ConvertToBinary,
            false
        )
        .is_err());
    }
}
