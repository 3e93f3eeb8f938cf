//! Which plane answers a request: admin (`/_portico/*`, moto's reset), the data plane
//! (execute-api addressing), the `apigatewayv2` and `@connections` management APIs (not built
//! yet), or the `apigateway` management plane. One function, so the precedence is visible.

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use serde_json::json;

use crate::app::App;
use crate::auth::SignedParts;
use crate::control::{self, Reply};
use crate::data;
use crate::error::ApiError;
use crate::http::{empty, full, json_response, read_whole, request_id, ReadError, ResponseBody};

/// Largest management request body accepted (an OpenAPI import is the big case).
pub const MAX_CONTROL_BODY: usize = 10 * 1024 * 1024;

/// `source_ip` is the client's address as `$context.identity.sourceIp` shows it, written once
/// per connection.
pub async fn serve(
    app: Arc<App>,
    source_ip: Arc<str>,
    req: Request<Incoming>,
) -> Response<ResponseBody> {
    let (parts, body) = req.into_parts();
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    // The data plane first: an execute-api host claims every path. Its request ids and errors
    // are its own (gateway responses), so it returns before the control-plane stamping below.
    if let Some(t) = data::address(host, parts.uri.path()) {
        return data::pipeline::serve(&app.data, t, &source_ip, &parts, body).await;
    }
    let req = Request::from_parts(parts, body);
    let rid = request_id();
    let path = req.uri().path();
    let mut resp = if path.starts_with("/_portico/") || path == "/moto-api/reset" {
        admin(&app, req)
            .await
            .unwrap_or_else(|e| e.into_response(&rid))
    } else if path.starts_with("/v2/") {
        ApiError::new(
            501,
            "NotImplementedException",
            "Portico does not serve the apigatewayv2 API (HTTP and WebSocket APIs) yet; see \"Not yet supported\" in Portico's README",
        )
        .into_response(&rid)
    } else if path.starts_with("/@connections") || path.contains("/@connections/") {
        ApiError::new(
            501,
            "NotImplementedException",
            "Portico does not serve the apigatewaymanagementapi (@connections) API yet; see \"Not yet supported\" in Portico's README",
        )
        .into_response(&rid)
    } else {
        management(&app, req, &rid)
            .await
            .unwrap_or_else(|e| e.into_response(&rid))
    };
    if let Ok(v) = HeaderValue::from_str(&rid) {
        resp.headers_mut().entry("x-amzn-RequestId").or_insert(v);
    }
    resp
}

async fn read_body(body: Incoming, limit: usize) -> Result<Bytes, ApiError> {
    match read_whole(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(ReadError::TooLarge) => Err(ApiError::new(
            413,
            "PayloadTooLargeException",
            format!("Request body exceeds the limit of {limit} bytes"),
        )),
        Err(ReadError::Body(e)) => Err(ApiError::bad_request(format!(
            "Could not read request body: {e}"
        ))),
    }
}

async fn management(
    app: &App,
    req: Request<Incoming>,
    _rid: &str,
) -> Result<Response<ResponseBody>, ApiError> {
    let (parts, body) = req.into_parts();
    let body = read_body(body, MAX_CONTROL_BODY).await?;
    let raw_path = parts.uri.path();
    let raw_query = parts.uri.query().unwrap_or("");
    let method = parts.method.as_str();
    let tenant = app.auth.authenticate(
        &SignedParts {
            method,
            raw_path,
            raw_query,
            headers: &parts.headers,
            body: &body,
        },
        "apigateway",
    )?;
    let handled = control::handle_async(
        app,
        &tenant,
        method,
        raw_path,
        raw_query,
        &parts.headers,
        body,
    )
    .await;
    // Apply what the call changed to the data plane before answering, so a client that updates
    // a stage (or deploys) and then invokes sees its change. Cheap when nothing changed.
    app.data.registry.sync();
    app.data.metering.sync();
    let handled = handled?;
    Ok(match handled.reply {
        Reply::Json(v) => json_response(handled.status, &v),
        Reply::Empty => {
            let mut r = Response::new(empty());
            *r.status_mut() = StatusCode::from_u16(handled.status).unwrap_or(StatusCode::OK);
            r
        }
        Reply::Raw {
            content_type,
            content_disposition,
            body,
        } => {
            let mut r = Response::new(full(body));
            *r.status_mut() = StatusCode::from_u16(handled.status).unwrap_or(StatusCode::OK);
            if let Ok(v) = HeaderValue::from_str(&content_type) {
                r.headers_mut().insert(CONTENT_TYPE, v);
            }
            if let Some(cd) = content_disposition.and_then(|cd| HeaderValue::from_str(&cd).ok()) {
                r.headers_mut().insert("content-disposition", cd);
            }
            r
        }
    })
}

/// Health and test-harness endpoints. Not signed: they carry no tenant state, and reset is
/// what test suites call between cases (it is refused unless bound to loopback).
async fn admin(app: &App, req: Request<Incoming>) -> Result<Response<ResponseBody>, ApiError> {
    let method = req.method().as_str().to_string();
    let path = req.uri().path().to_string();
    match (method.as_str(), path.as_str()) {
        ("GET", "/_portico/health") => Ok(json_response(
            200,
            &json!({
                "status": "ok",
                "version": env!("CARGO_PKG_VERSION"),
                "services": { "apigateway": "running" },
            }),
        )),
        ("GET", "/_portico/metrics") => {
            let mut r = Response::new(full(app.data.metrics.encode()));
            r.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            Ok(r)
        }
        ("POST", "/_portico/reset") | ("POST", "/moto-api/reset") => {
            if !app.config.listen.ip().is_loopback() {
                return Err(ApiError::new(
                    403,
                    "AccessDeniedException",
                    "reset is only available when Portico listens on loopback",
                ));
            }
            app.data.metering.discard();
            app.store.wipe()?;
            app.data.registry.sync();
            app.data.metering.sync();
            tracing::info!("all state wiped by {path}");
            Ok(json_response(200, &json!({ "status": "reset" })))
        }
        _ => Err(ApiError::not_found(format!(
            "No admin endpoint {method} {path}"
        ))),
    }
}
