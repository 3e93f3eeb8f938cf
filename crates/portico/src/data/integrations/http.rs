//! HTTP and HTTP_PROXY backends: one pooled keep-alive client for the process (hyper-util's
//! legacy client), `timeoutInMillis` enforced on the response head (and, for buffered non-proxy
//! responses, on the body too).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::Outcome;
use crate::data::gateway_responses::{GatewayError, ResponseType};

/// Largest integration response API Gateway accepts (its 10 MB payload cap).
pub const MAX_RESPONSE: usize = 10 * 1024 * 1024;

pub struct Client {
    inner: hyper_util::client::legacy::Client<HttpConnector, Full<Bytes>>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Client {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_keepalive(Some(Duration::from_secs(60)));
        connector.set_connect_timeout(Some(Duration::from_secs(10)));
        let inner = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(1024)
            .build(connector);
        Client { inner }
    }

    /// Send and wait for the response head within `timeout`.
    pub async fn send(
        &self,
        req: Request<Full<Bytes>>,
        timeout: Duration,
    ) -> Result<Response<Incoming>, GatewayError> {
        let uri = req.uri().clone();
        match tokio::time::timeout(timeout, self.inner.request(req)).await {
            Err(_) => Err(timed_out(timeout)),
            Ok(Err(e)) => Err(unreachable(&uri.to_string(), &e)),
            Ok(Ok(r)) => Ok(r),
        }
    }

    /// Send and buffer the whole response, all within `timeout`.
    pub async fn send_buffered(
        &self,
        req: Request<Full<Bytes>>,
        timeout: Duration,
    ) -> Result<Outcome, GatewayError> {
        let deadline = tokio::time::Instant::now() + timeout;
        let resp = self.send(req, timeout).await?;
        let (parts, body) = resp.into_parts();
        let collected =
            tokio::time::timeout_at(deadline, Limited::new(body, MAX_RESPONSE).collect())
                .await
                .map_err(|_| timed_out(timeout))?
                .map_err(|e| {
                    GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
                        .with_status(500)
                        .with_detail(format!(
                            "Execution failed: error reading endpoint response: {e}"
                        ))
                })?;
        Ok(Outcome {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: collected.to_bytes(),
        })
    }
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

fn unreachable(uri: &str, e: &hyper_util::client::legacy::Error) -> GatewayError {
    // AWS answers an unreachable HTTP backend with a plain 500 "Internal server error".
    let mut cause = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        cause = format!("{cause}: {s}");
        src = s.source();
    }
    GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
        .with_status(500)
        .with_detail(format!(
            "Execution failed due to configuration error: Invalid endpoint address {uri}: {cause}"
        ))
}
