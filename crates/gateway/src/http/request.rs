//! What an HTTP API invocation's parameter mappings and events read: the request
//! ([`Req`]: headers, query, path, body, path parameters, `$context`, stage variables) and,
//! on the way back, the integration's response ([`Resp`]), and the response mapping by status
//! code (`responseParameters`).

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use hyper::http::request::Parts;
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::Value;
use time::OffsetDateTime;

use super::compile::IntegrationPlan;
use super::lambda;
use super::params::{self, Op, Part, Sources, Target as MapTarget};
use super::pipeline::internal_error;
use super::registry::{HttpApi, HttpStage};
use crate::http::{full, read_whole, ResponseBody};

/// What the request's mappings and events read.
pub(super) struct Req<'a> {
    pub(super) parts: &'a Parts,
    pub(super) path: &'a str,
    pub(super) raw_path: &'a str,
    pub(super) query: Vec<(String, String)>,
    pub(super) body: Bytes,
    pub(super) body_json: Option<Value>,
    pub(super) path_params: Vec<(String, String)>,
    pub(super) stage: &'a HttpStage,
    pub(super) api: &'a HttpApi,
    pub(super) route_key: &'a str,
    pub(super) request_id: &'a str,
    pub(super) received: OffsetDateTime,
    pub(super) source_ip: &'a str,
    pub(super) domain_name: &'a str,
    pub(super) authorizer: Option<Value>,
}

impl Req<'_> {
    pub(super) fn header(&self, name: &str) -> Option<String> {
        let mut values = self.parts.headers.get_all(name).iter().peekable();
        values.peek()?;
        let joined: Vec<String> = values
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        Some(joined.join(","))
    }

    /// `$context.{name}` for HTTP APIs.
    fn context(&self, name: &str) -> Option<String> {
        Some(match name {
            "requestId" | "extendedRequestId" => self.request_id.to_string(),
            "apiId" => self.api.api_id.clone(),
            "accountId" => self.api.tenant.account().to_string(),
            "stage" => self.stage.name.clone(),
            "routeKey" => self.route_key.to_string(),
            "domainName" => self.domain_name.to_string(),
            "domainPrefix" => self.domain_name.split('.').next()?.to_string(),
            "httpMethod" => self.parts.method.to_string(),
            "path" => self.raw_path.to_string(),
            "protocol" => "HTTP/1.1".into(),
            "requestTime" => lambda::request_time(self.received),
            "requestTimeEpoch" => (self.received.unix_timestamp_nanos() / 1_000_000).to_string(),
            "identity.sourceIp" => self.source_ip.to_string(),
            "identity.userAgent" => self.header("user-agent")?,
            _ => {
                let rest = name.strip_prefix("authorizer.")?;
                let a = self.authorizer.as_ref()?;
                let walk = |root: &Value| -> Option<Value> {
                    rest.split('.').try_fold(root, |v, k| v.get(k)).cloned()
                };
                let found = match rest.strip_prefix("claims.") {
                    // A claim's name is taken whole (it may hold dots).
                    Some(claim) => a.get("jwt")?.get("claims")?.get(claim)?.clone(),
                    None => a.get("lambda").and_then(walk).or_else(|| walk(a))?,
                };
                match found {
                    Value::String(s) => s,
                    Value::Null => return None,
                    other => other.to_string(),
                }
            }
        })
    }

    fn common(&self, part: &Part) -> Option<String> {
        match part {
            Part::Context(n) => self.context(n),
            Part::StageVariable(n) => self
                .stage
                .variables
                .get(n)
                .and_then(Value::as_str)
                .map(str::to_string),
            _ => None,
        }
    }
}

impl Sources for Req<'_> {
    fn value(&self, part: &Part) -> Option<String> {
        match part {
            Part::RequestHeader(h) => self.header(h),
            Part::RequestQuery(q) => {
                let v: Vec<&str> = self
                    .query
                    .iter()
                    .filter(|(k, _)| k == q)
                    .map(|(_, v)| v.as_str())
                    .collect();
                (!v.is_empty()).then(|| v.join(","))
            }
            Part::RequestPath => Some(self.path.to_string()),
            Part::RequestPathParam(n) => self
                .path_params
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone()),
            Part::RequestBody(steps) if steps.is_empty() => {
                Some(String::from_utf8_lossy(&self.body).into_owned())
            }
            Part::RequestBody(steps) => params::select(self.body_json.as_ref()?, steps),
            other => self.common(other),
        }
    }
}

/// The response side: the integration's headers and body, and the request's context.
pub(super) struct Resp<'a> {
    req: &'a Req<'a>,
    headers: &'a HeaderMap,
    body_json: Option<Value>,
    body: &'a [u8],
}

impl Sources for Resp<'_> {
    fn value(&self, part: &Part) -> Option<String> {
        match part {
            Part::ResponseHeader(h) => {
                let v: Vec<String> = self
                    .headers
                    .get_all(h.as_str())
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                (!v.is_empty()).then(|| v.join(","))
            }
            Part::ResponseBody(steps) if steps.is_empty() => {
                Some(String::from_utf8_lossy(self.body).into_owned())
            }
            Part::ResponseBody(steps) => params::select(self.body_json.as_ref()?, steps),
            other => self.req.common(other),
        }
    }
}

/// `responseParameters` of the integration's status code.
pub(super) async fn map_response(
    req: &Req<'_>,
    integ: &IntegrationPlan,
    resp: Response<ResponseBody>,
) -> Response<ResponseBody> {
    let status = resp.status().as_u16();
    let Some((_, mappings)) = integ.response.iter().find(|(s, _)| *s == status) else {
        return resp;
    };
    let (mut parts, body) = resp.into_parts();
    let reads_body = mappings
        .iter()
        .any(|m| m.value.0.iter().any(|p| matches!(p, Part::ResponseBody(_))));
    let body = match body {
        ResponseBody::Streamed(s) if reads_body => {
            match read_whole(*s, crate::integrations::http::MAX_RESPONSE).await {
                Ok(b) => b,
                Err(_) => return internal_error(),
            }
        }
        ResponseBody::Full(b) => b.unwrap_or_default(),
        streamed => {
            // Nothing reads the body: map the head and keep streaming.
            let headers = parts.headers.clone();
            let src = Resp {
                req,
                headers: &headers,
                body_json: None,
                body: &[],
            };
            apply_response(mappings, &src, &mut parts);
            return Response::from_parts(parts, streamed);
        }
    };
    let headers = parts.headers.clone();
    let src = Resp {
        req,
        headers: &headers,
        body_json: if reads_body {
            serde_json::from_slice(&body).ok()
        } else {
            None
        },
        body: &body,
    };
    apply_response(mappings, &src, &mut parts);
    Response::from_parts(parts, full(body))
}

fn apply_response(
    mappings: &[params::Mapping],
    src: &Resp<'_>,
    parts: &mut hyper::http::response::Parts,
) {
    for m in mappings {
        let value = m.value.eval(src, None);
        if value.is_empty() && m.op != Op::Remove {
            continue;
        }
        match &m.target {
            MapTarget::StatusCode => {
                if let Some(s) = value
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .and_then(|s| StatusCode::from_u16(s).ok())
                {
                    parts.status = s;
                }
            }
            MapTarget::Header(h) => {
                let Ok(name) = HeaderName::from_bytes(h.as_bytes()) else {
                    continue;
                };
                match m.op {
                    Op::Remove => {
                        parts.headers.remove(&name);
                    }
                    Op::Overwrite => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            parts.headers.insert(name, v);
                        }
                    }
                    Op::Append => {
                        if let Ok(v) = HeaderValue::from_str(&value) {
                            parts.headers.append(name, v);
                        }
                    }
                }
            }
            MapTarget::QueryString(_) | MapTarget::Path => {}
        }
    }
}
