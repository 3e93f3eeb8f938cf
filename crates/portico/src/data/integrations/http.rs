//! HTTP and HTTP_PROXY backends: keep-alive connections pooled per backend (see `pool`),
//! `timeoutInMillis` enforced on the response head (and, for buffered non-proxy responses, on
//! the body too).

use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::Response;

use super::h1;
use super::pool::{DrivenBody, Failure, Pool};
use super::Outcome;
use crate::data::gateway_responses::{GatewayError, ResponseType};
use crate::data::request_map::BackendRequest;

/// Largest integration response API Gateway accepts (its 10 MB payload cap).
pub const MAX_RESPONSE: usize = 10 * 1024 * 1024;

pub struct Client {
    pool: Arc<Pool>,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Client {
        Client {
            pool: Arc::new(Pool::default()),
        }
    }

    /// Send and wait for the response head within `timeout`. The request carries an absolute
    /// `http://` URI; it goes out in origin form with a `Host` header. `rule` says which of the
    /// response's headers to keep, and under which names.
    pub async fn send(
        &self,
        out: BackendRequest,
        timeout: Duration,
        rule: h1::HeaderRule,
    ) -> Result<Response<DrivenBody>, GatewayError> {
        let deadline = tokio::time::Instant::now() + timeout;
        self.send_until(out, deadline, timeout, rule).await
    }

    async fn send_until(
        &self,
        out: BackendRequest,
        deadline: tokio::time::Instant,
        timeout: Duration,
        rule: h1::HeaderRule,
    ) -> Result<Response<DrivenBody>, GatewayError> {
        let BackendRequest {
            request: mut req,
            added,
        } = out;
        let uri = req.uri().clone();
        let Some(host) = uri.host() else {
            return Err(GatewayError::config(format!(
                "Execution failed due to configuration error: Invalid endpoint address {uri}"
            )));
        };
        let Some(authority) = uri.authority() else {
            return Err(GatewayError::config(format!(
                "Execution failed due to configuration error: Invalid endpoint address {uri}"
            )));
        };
        // The pool is keyed by `host:port`; the port is parsed once, and only when absent does
        // the key need building.
        let with_port;
        let key = match authority.port_u16() {
            Some(_) => authority.as_str(),
            None => {
                with_port = format!("{host}:80");
                &with_port
            }
        };
        *req.uri_mut() = match uri.path_and_query() {
            Some(pq) => hyper::Uri::from(pq.clone()),
            None => hyper::Uri::from_static("/"),
        };
        self.pool
            .send(key, authority.as_str(), req, &added, rule, deadline)
            .await
            .map_err(|f| match f {
                Failure::TimedOut => timed_out(timeout),
                Failure::Exchange(e) => unreachable(&uri.to_string(), &e),
            })
    }

    /// Send and buffer the whole response, all within `timeout`.
    pub async fn send_buffered(
        &self,
        req: BackendRequest,
        timeout: Duration,
    ) -> Result<Outcome, GatewayError> {
        let deadline = tokio::time::Instant::now() + timeout;
        // The integration response's headers are mapped later, by their names as sent.
        let resp = self
            .send_until(req, deadline, timeout, h1::keep_all)
            .await?;
        let (parts, mut body) = resp.into_parts();
        if let Some(whole) = body.take_whole() {
            return Ok(Outcome {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body: whole,
            });
        }
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

fn unreachable(uri: &str, cause: &h1::Error) -> GatewayError {
    // AWS answers an unreachable HTTP backend with a plain 500 "Internal server error".
    GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
        .with_status(500)
        .with_detail(format!(
            "Execution failed due to configuration error: Invalid endpoint address {uri}: {cause}"
        ))
}
