//! `[[lambda_endpoints]]`: function ARNs the data plane does not run itself but sends to an
//! existing Lambda Invoke endpoint (`sam local start-lambda`, LocalStack, another Portico):
//! an `AWS_PROXY` or `AWS` integration, or a Lambda authorizer, whose function ARN starts with
//! an entry's `arn_prefix` is invoked by `POST {url}/2015-03-31/functions/{arn}/invocations`,
//! SigV4-signed (service `lambda`, the ARN's region) with the entry's credentials.
//!
//! The request goes through the data plane's own upstream client (`integrations::http`:
//! pooled connections, `https://` verified against the backends' roots), so no second HTTP
//! client is built in.
//!
//! Decision: only the data plane's invocations go there; the `lambda` API's own Invoke runs
//! Portico's functions (a Lambda API answers for its own functions, not another's).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use portico_gateway::integrations::http::{Client, Endpoint};
use portico_gateway::integrations::lambda::{InvocationType, InvokeFailure, Invoked};
use portico_gateway::integrations::tls::Tls;
use portico_gateway::rest::request_map::BackendRequest;
use serde::Deserialize;

use crate::config::ConfigError;

/// Lambda's own limit on a synchronous invocation (15 minutes): the endpoint's function
/// decides how long it runs.
const INVOKE_TIMEOUT: Duration = Duration::from_secs(900);
/// The credentials SAM and LocalStack accept, when the entry names none.
const DEFAULT_KEY: &str = "test";

/// What botocore percent-encodes in a function name or ARN in the path (`:` among them).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b':')
    .add(b'?')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'$');

/// `[[lambda_endpoints]] arn_prefix, url` (+ optional `access_key`, `secret_key`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaEndpointFile {
    pub arn_prefix: String,
    pub url: String,
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
}

/// One entry, checked.
#[derive(Debug, Clone)]
pub struct LambdaEndpoint {
    pub arn_prefix: String,
    /// Without a trailing `/`.
    pub url: String,
    pub access_key: String,
    pub secret_key: String,
}

/// Check the entries: an `arn:` prefix, listed once; an http(s) URL; both keys or neither.
pub fn check(list: Vec<LambdaEndpointFile>) -> Result<Vec<LambdaEndpoint>, ConfigError> {
    let mut out: Vec<LambdaEndpoint> = Vec::new();
    for e in list {
        let err = |m: String| ConfigError(format!("lambda_endpoints: {}: {m}", e.arn_prefix));
        if !e.arn_prefix.starts_with("arn:") {
            return Err(err(
                "arn_prefix must start with arn: (e.g. arn:aws:lambda:us-east-1:123456789012:function:)"
                    .into(),
            ));
        }
        if out.iter().any(|o| o.arn_prefix == e.arn_prefix) {
            return Err(err("listed twice".into()));
        }
        let url = e.url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || Endpoint::parse(format!("{url}/")).is_err()
        {
            return Err(err(format!("url {:?} is not an http(s) URL", e.url)));
        }
        let (access_key, secret_key) = match (e.access_key, e.secret_key) {
            (Some(a), Some(s)) => (a, s),
            (None, None) => (DEFAULT_KEY.into(), DEFAULT_KEY.into()),
            _ => return Err(err("give both access_key and secret_key, or neither".into())),
        };
        out.push(LambdaEndpoint {
            arn_prefix: e.arn_prefix,
            url,
            access_key,
            secret_key,
        });
    }
    Ok(out)
}

/// The configured endpoints and the client that reaches them.
pub struct Remote {
    endpoints: Vec<LambdaEndpoint>,
    client: Client,
}

impl Remote {
    pub fn new(endpoints: Vec<LambdaEndpoint>, tls: Arc<Tls>) -> Remote {
        Remote {
            endpoints,
            client: Client::with_links_and_tls(Default::default(), tls),
        }
    }

    /// The endpoint whose prefix `function` starts with (the longest one), if any. One
    /// comparison per entry; nothing at all when none is configured.
    pub fn route(&self, function: &str) -> Option<&LambdaEndpoint> {
        self.endpoints
            .iter()
            .filter(|e| function.starts_with(&e.arn_prefix))
            .max_by_key(|e| e.arn_prefix.len())
    }

    /// Invoke `function` (an ARN, optionally qualified) at `ep`.
    pub async fn invoke(
        &self,
        ep: &LambdaEndpoint,
        region: &str,
        function: &str,
        payload: Bytes,
        kind: InvocationType,
    ) -> Result<Invoked, InvokeFailure> {
        // The ARN's own region signs (arn:aws:lambda:REGION:ACCOUNT:function:NAME).
        let region = function
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or(region);
        let name = utf8_percent_encode(function, PATH_SEGMENT).to_string();
        let endpoint = Endpoint::parse(format!(
            "{}/2015-03-31/functions/{name}/invocations",
            ep.url
        ))
        .map_err(|e| InvokeFailure::Other(e.detail.unwrap_or_default()))?;
        let amz_date = sigv4::format_amz_date(time::OffsetDateTime::now_utc().unix_timestamp());
        let target = endpoint.target().to_string();
        let (raw_path, raw_query) = target.split_once('?').unwrap_or((&target, ""));
        let headers = [
            ("host", endpoint.host()),
            ("x-amz-date", amz_date.as_str()),
            (
                "x-amz-invocation-type",
                match kind {
                    InvocationType::RequestResponse => "RequestResponse",
                    InvocationType::Event => "Event",
                    InvocationType::DryRun => "DryRun",
                },
            ),
        ];
        let authorization = sigv4::sign(
            &sigv4::Request {
                method: "POST",
                raw_path,
                raw_query,
                headers: &headers,
                body: &payload,
            },
            &ep.access_key,
            &ep.secret_key,
            region,
            "lambda",
            &amz_date,
        );
        let mut added = Vec::with_capacity(512);
        for (k, v) in &headers[1..] {
            added.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
        }
        added.extend_from_slice(format!("authorization: {authorization}\r\n").as_bytes());
        added.extend_from_slice(b"content-type: application/json\r\n");
        let req = BackendRequest {
            method: hyper::Method::POST,
            endpoint: Cow::Owned(endpoint),
            headers: Cow::Owned(hyper::HeaderMap::new()),
            skip: |_| false,
            added,
            body: payload,
            via: None,
            tls: Default::default(),
        };
        let out = self
            .client
            .send_buffered(req, Instant::now(), INVOKE_TIMEOUT)
            .await
            .map_err(|e| {
                InvokeFailure::Other(format!(
                    "{}: {}",
                    ep.url,
                    e.detail.unwrap_or_else(|| format!("{:?}", e.kind))
                ))
            })?;
        let header = |n: &str| {
            out.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        match out.status {
            200 | 202 | 204 => Ok(Invoked {
                payload: out.body,
                function_error: header("x-amz-function-error"),
            }),
            status => {
                let kind = header("x-amzn-errortype").unwrap_or_default();
                let text = format!(
                    "{} answered {status} {kind}: {}",
                    ep.url,
                    String::from_utf8_lossy(&out.body)
                );
                Err(match status {
                    404 => InvokeFailure::NotFound(text),
                    429 => InvokeFailure::Throttled(text),
                    _ => InvokeFailure::Other(text),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(prefix: &str, url: &str) -> LambdaEndpointFile {
        LambdaEndpointFile {
            arn_prefix: prefix.into(),
            url: url.into(),
            access_key: None,
            secret_key: None,
        }
    }

    #[test]
    fn entries_are_checked_and_the_longest_prefix_wins() {
        let p = "arn:aws:lambda:us-east-1:111111111111:function:";
        assert!(check(vec![entry("lambda:", "http://x")]).is_err());
        assert!(check(vec![entry(p, "ftp://x")]).is_err());
        assert!(check(vec![entry(p, "http://a"), entry(p, "http://b")]).is_err());
        let mut half = entry(p, "http://a");
        half.access_key = Some("k".into());
        assert!(check(vec![half]).is_err());
        let list = check(vec![
            entry(p, "http://127.0.0.1:3001/"),
            entry(&format!("{p}special-"), "http://127.0.0.1:3002"),
        ])
        .unwrap();
        assert_eq!(list[0].url, "http://127.0.0.1:3001");
        assert_eq!(list[0].access_key, "test");
        let remote = Remote::new(list, Arc::default());
        assert_eq!(
            remote.route(&format!("{p}special-one")).unwrap().url,
            "http://127.0.0.1:3002"
        );
        assert_eq!(
            remote.route(&format!("{p}plain:live")).unwrap().url,
            "http://127.0.0.1:3001"
        );
        assert!(remote.route("plain").is_none());
    }
}
