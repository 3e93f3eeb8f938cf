//! HTTP and HTTP_PROXY backends: keep-alive connections pooled per backend (see `pool`),
//! `timeoutInMillis` enforced on the response head (and, for buffered non-proxy responses, on
//! the body too).

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::Response;

use super::h1::{self, Outbound};
use super::pool::{DrivenBody, Failure, Pool, Window};
use super::tls::{Connector, Tls, TlsRoute};
use super::vpc_link::{Link, VpcLinks};
use super::Outcome;
use crate::http::{read_whole, ReadError};
use crate::rest::gateway_responses::{GatewayError, ResponseType};
use crate::rest::request_map::BackendRequest;

/// Largest integration response API Gateway accepts (its 10 MB payload cap).
pub const MAX_RESPONSE: usize = 10 * 1024 * 1024;

/// An HTTP backend's address, parsed once into what a request to it needs: where to connect,
/// the `Host` header, and the request target. A literal integration URI is parsed when the
/// deployment is compiled; one with variables, when the request fills them in.
#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The address as configured and filled in, for logs and errors.
    url: String,
    /// `url[host]`: the authority as written, which is the `Host` header.
    host: Range<usize>,
    /// The authority with the default port added, when the address names none.
    with_port: Option<String>,
    /// The origin-form target, when it is not simply what follows the authority in `url`.
    target: Option<String>,
    /// `https://`: connect with TLS.
    tls: bool,
}

impl Endpoint {
    pub fn parse(url: String) -> Result<Endpoint, GatewayError> {
        let invalid = |url: &str, why: &dyn std::fmt::Display| {
            GatewayError::config(format!(
                "Execution failed due to configuration error: Invalid endpoint address {url}{why}"
            ))
        };
        let uri: hyper::Uri = match url.parse() {
            Ok(u) => u,
            Err(e) => return Err(invalid(&url, &format_args!(": {e}"))),
        };
        let (Some(authority), Some(_)) = (uri.authority(), uri.host()) else {
            return Err(invalid(&url, &""));
        };
        let start = url.find("://").map_or(0, |i| i + 3);
        let Some(at) = url[start..].find(authority.as_str()).map(|i| i + start) else {
            return Err(invalid(&url, &""));
        };
        let host = at..at + authority.as_str().len();
        let tls = uri.scheme_str() == Some("https");
        let with_port = match authority.port_u16() {
            Some(_) => None,
            None => Some(format!(
                "{}:{}",
                authority.host(),
                if tls { 443 } else { 80 }
            )),
        };
        let pq = uri.path_and_query().map_or("/", |pq| pq.as_str());
        let target = match &url[host.end..] {
            rest if rest == pq && rest.starts_with('/') => None,
            _ if pq.starts_with('/') => Some(pq.to_owned()),
            _ => Some(format!("/{pq}")),
        };
        Ok(Endpoint {
            url,
            host,
            with_port,
            target,
            tls,
        })
    }

    /// This origin (an address parsed from `scheme://authority` alone) with an origin-form
    /// `target` (`/path?query`): what a request to that backend needs, without parsing a URL
    /// again. `None` when this is not a bare origin, or the target has a byte that cannot go
    /// into a request line as is (the caller then parses the whole URL, which refuses it).
    pub fn with_target(&self, target: &str) -> Option<Endpoint> {
        if self.host.end != self.url.len()
            || !target.starts_with('/')
            || !target.bytes().all(|b| b > b' ' && b < 0x7f && b != b'#')
        {
            return None;
        }
        let mut url = String::with_capacity(self.url.len() + target.len());
        url.push_str(&self.url);
        url.push_str(target);
        Some(Endpoint {
            url,
            host: self.host.clone(),
            with_port: self.with_port.clone(),
            target: None,
            tls: self.tls,
        })
    }

    /// Is this an `https://` address?
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The host alone (no port, no IPv6 brackets): the name a TLS certificate is checked for.
    pub fn host_name(&self) -> &str {
        let host = self.host();
        if let Some(v6) = host.strip_prefix('[') {
            return v6.split(']').next().unwrap_or(v6);
        }
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `Host` header.
    pub fn host(&self) -> &str {
        &self.url[self.host.clone()]
    }

    /// `host:port`: where to connect, and the pool's key.
    pub fn authority(&self) -> &str {
        self.with_port.as_deref().unwrap_or_else(|| self.host())
    }

    /// Path and query, in origin form.
    pub fn target(&self) -> &str {
        self.target
            .as_deref()
            .unwrap_or_else(|| &self.url[self.host.end..])
    }
}

pub struct Client {
    pool: Arc<Pool>,
    /// Where VPC_LINK integrations connect.
    links: VpcLinks,
    /// Roots and configurations of `https://` backends.
    tls: Arc<Tls>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Client {
        Client::with_links(VpcLinks::default())
    }

    pub fn with_links(links: VpcLinks) -> Client {
        Client::with_links_and_tls(links, Arc::default())
    }

    pub fn with_links_and_tls(links: VpcLinks, tls: Arc<Tls>) -> Client {
        Client {
            pool: Arc::new(Pool::default()),
            links,
            tls,
        }
    }

    /// Roots and configurations of `https://` backends.
    pub fn tls(&self) -> &Arc<Tls> {
        &self.tls
    }

    /// How to open a TLS connection for `route` to a host named `host`, and the pool key of
    /// such connections to `authority`.
    fn connector(
        &self,
        route: TlsRoute<'_>,
        endpoint: &Endpoint,
    ) -> Result<Connector, GatewayError> {
        let insecure = route.settings.is_some_and(|s| s.insecure);
        let config = match route.client_cert {
            Some(c) => c.config(insecure),
            None => self.tls.config(insecure),
        }
        .clone();
        let server_name = match route.settings.and_then(|s| s.server_name.as_ref()) {
            Some(n) => n.clone(),
            None => rustls::pki_types::ServerName::try_from(endpoint.host_name().to_string())
                .map_err(|e| {
                    GatewayError::config(format!(
                        "Execution failed due to configuration error: Invalid endpoint address {}: {e}",
                        endpoint.url()
                    ))
                })?,
        };
        Ok(Connector {
            config,
            server_name,
        })
    }

    /// The VPC link index.
    pub fn links(&self) -> &VpcLinks {
        &self.links
    }

    /// Send and wait for the response head within `timeout` of `started` (the caller's reading
    /// of the clock). `rule` says which of the response's headers to keep, and under which
    /// names. Returns the response and when its head arrived.
    pub async fn send(
        &self,
        out: BackendRequest<'_>,
        started: Instant,
        timeout: Duration,
        rule: h1::HeaderRule,
    ) -> Result<(Response<DrivenBody>, Instant), GatewayError> {
        self.send_until(out, Window::new(started, timeout), timeout, rule)
            .await
    }

    async fn send_until(
        &self,
        out: BackendRequest<'_>,
        window: Window,
        timeout: Duration,
        rule: h1::HeaderRule,
    ) -> Result<(Response<DrivenBody>, Instant), GatewayError> {
        let endpoint = &out.endpoint;
        if let Some(link) = &out.via {
            return self.send_via(link, &out, window, timeout, rule).await;
        }
        let wire = Outbound {
            method: &out.method,
            target: endpoint.target(),
            host: endpoint.host(),
            headers: &out.headers,
            skip: out.skip,
            added: &out.added,
            body: &out.body,
            rule,
        };
        let sent = if endpoint.is_tls() {
            let tls = self.connector(out.tls, endpoint)?;
            let key = pool_key(endpoint.authority(), &tls, out.tls);
            self.pool
                .send_tls(&key, endpoint.authority(), &tls, &wire, window)
                .await
        } else {
            self.pool.send(endpoint.authority(), &wire, window).await
        };
        sent.map_err(|f| match f {
            Failure::TimedOut => timed_out(timeout),
            Failure::Connect(e) => unreachable(endpoint.url(), &h1::Error::Io(e)),
            Failure::Handshake(e) => handshake_failed(endpoint.url(), &e),
            Failure::Exchange(e) => unreachable(endpoint.url(), &e),
        })
    }

    /// Send through a VPC link: to its addresses in turn, the `Host` header and target still
    /// the integration URI's. An address that refuses the connection is marked down and the
    /// request goes to the next one (nothing was sent), each address at most once.
    async fn send_via(
        &self,
        link: &Link,
        out: &BackendRequest<'_>,
        window: Window,
        timeout: Duration,
        rule: h1::HeaderRule,
    ) -> Result<(Response<DrivenBody>, Instant), GatewayError> {
        let endpoint = &out.endpoint;
        let wire = Outbound {
            method: &out.method,
            target: endpoint.target(),
            host: endpoint.host(),
            headers: &out.headers,
            skip: out.skip,
            added: &out.added,
            body: &out.body,
            rule,
        };
        let tls = match endpoint.is_tls() {
            true => Some(self.connector(out.tls, endpoint)?),
            false => None,
        };
        let tries = link.backends().map_or(0, <[_]>::len);
        let mut last = None;
        for _ in 0..tries {
            let Some(backend) = link.pick(window.started) else {
                break;
            };
            let sent = match &tls {
                None => self.pool.send(&backend.authority, &wire, window).await,
                Some(tls) => {
                    let key = pool_key(&backend.authority, tls, out.tls);
                    self.pool
                        .send_tls(&key, &backend.authority, tls, &wire, window)
                        .await
                }
            };
            match sent {
                Ok(r) => return Ok(r),
                Err(Failure::Handshake(e)) => {
                    return Err(handshake_failed(
                        &format!(
                            "{} (VPC link {}, {})",
                            endpoint.url(),
                            link.id,
                            backend.authority
                        ),
                        &e,
                    ))
                }
                Err(Failure::Connect(e)) => {
                    backend.mark_down(Instant::now());
                    last = Some((backend.authority.to_string(), e));
                }
                Err(Failure::TimedOut) => return Err(timed_out(timeout)),
                Err(Failure::Exchange(e)) => {
                    return Err(unreachable(
                        &format!(
                            "{} (VPC link {}, {})",
                            endpoint.url(),
                            link.id,
                            backend.authority
                        ),
                        &e,
                    ))
                }
            }
        }
        Err(match last {
            Some((authority, e)) => unreachable(
                &format!("{} (VPC link {}, {authority})", endpoint.url(), link.id),
                &h1::Error::Io(e),
            ),
            None => vpc_link_unusable(link),
        })
    }

    /// Send and buffer the whole response, all within `timeout` of `started`.
    pub async fn send_buffered(
        &self,
        req: BackendRequest<'_>,
        started: Instant,
        timeout: Duration,
    ) -> Result<Outcome, GatewayError> {
        let window = Window::new(started, timeout);
        // The integration response's headers are mapped later, by their names as sent.
        let (resp, _) = self.send_until(req, window, timeout, h1::keep_all).await?;
        let (parts, mut body) = resp.into_parts();
        if let Some(whole) = body.take_whole() {
            return Ok(Outcome {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: whole,
                selector: Default::default(),
            });
        }
        let whole = tokio::time::timeout_at(window.deadline, read_whole(body, MAX_RESPONSE))
            .await
            .map_err(|_| timed_out(timeout))?
            .map_err(|e| {
                let e = match e {
                    ReadError::TooLarge => format!("body over {MAX_RESPONSE} bytes"),
                    ReadError::Body(e) => e.to_string(),
                };
                GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
                    .with_status(500)
                    .with_detail(format!(
                        "Execution failed: error reading endpoint response: {e}"
                    ))
            })?;
        Ok(Outcome {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: whole,
            selector: Default::default(),
        })
    }
}

/// The pool key of TLS connections: the address and everything the connection was set up
/// with (the name verified and sent, whether it was verified, the client certificate).
fn pool_key(authority: &str, tls: &Connector, route: TlsRoute<'_>) -> String {
    let insecure = route.settings.is_some_and(|s| s.insecure);
    let cert = route.client_cert.map_or("", |c| c.id.as_str());
    format!(
        "https://{authority} sni={} insecure={insecure} cert={cert}",
        tls.server_name.to_str()
    )
}

/// A backend whose TLS handshake failed (a certificate not trusted or not for the name, a
/// client certificate refused): AWS's 500, its execution log naming an SSL engine problem.
fn handshake_failed(uri: &str, cause: &std::io::Error) -> GatewayError {
    GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
        .with_status(500)
        .with_detail(format!(
            "Execution failed due to configuration error: General SSLEngine problem ({uri}: {cause})"
        ))
}

fn timed_out(timeout: Duration) -> GatewayError {
    GatewayError::new(
        ResponseType::IntegrationTimeout,
        "Endpoint request timed out",
    )
    .with_detail(format!(
        "Execution failed due to a timeout error: no response within {} ms",
        timeout.as_millis()
    ))
}

/// A VPC link with no address to send to (its load balancer is not configured).
pub fn vpc_link_unusable(link: &Link) -> GatewayError {
    let why = link.backends().err().unwrap_or("no address");
    GatewayError::config(format!(
        "Execution failed due to configuration error: VPC link {} cannot be used: {why}",
        link.id
    ))
}

fn unreachable(uri: &str, cause: &h1::Error) -> GatewayError {
    // AWS answers an unreachable HTTP backend with a plain 500 "Internal server error".
    GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
        .with_status(500)
        .with_detail(format!(
            "Execution failed due to configuration error: Invalid endpoint address {uri}: {cause}"
        ))
}

#[cfg(test)]
mod tests {
    use super::Endpoint;

    /// (url, where to connect, Host header, request target)
    fn check(url: &str, expected: (&str, &str, &str)) {
        let e = Endpoint::parse(url.to_string()).unwrap();
        assert_eq!((e.authority(), e.host(), e.target()), expected, "{url}");
        assert_eq!(e.url(), url);
    }

    #[test]
    fn an_endpoint_splits_into_where_to_connect_the_host_header_and_the_target() {
        check(
            "http://127.0.0.1:18081/",
            ("127.0.0.1:18081", "127.0.0.1:18081", "/"),
        );
        check(
            "http://backend.example/pets/1?a=b%20c",
            ("backend.example:80", "backend.example", "/pets/1?a=b%20c"),
        );
        check(
            "http://backend.example:8080",
            ("backend.example:8080", "backend.example:8080", "/"),
        );
        check("http://[::1]:9000/x", ("[::1]:9000", "[::1]:9000", "/x"));
        check(
            "https://backend.example/v1",
            ("backend.example:443", "backend.example", "/v1"),
        );
    }

    #[test]
    fn an_https_endpoint_knows_its_scheme_and_host_name() {
        let name = |url: &str| {
            let e = Endpoint::parse(url.to_string()).unwrap();
            (e.is_tls(), e.host_name().to_string())
        };
        assert_eq!(name("https://a.example:8443/x"), (true, "a.example".into()));
        assert_eq!(name("https://[::1]:8443/x"), (true, "::1".into()));
        assert_eq!(name("http://127.0.0.1/x"), (false, "127.0.0.1".into()));
    }

    #[test]
    fn an_address_without_a_host_is_a_configuration_error() {
        for url in ["/relative/path", "http://", "not a url"] {
            let e = Endpoint::parse(url.to_string()).unwrap_err();
            let detail = e.detail.unwrap_or_default();
            assert!(
                detail.starts_with(&format!(
                    "Execution failed due to configuration error: Invalid endpoint address {url}"
                )),
                "{detail}"
            );
        }
    }
}
