//! Which plane, and which API, answers a request. [`plane_of`] decides in one visible order:
//! admin paths → data-plane addresses → the request's signing scheme → that API's route table.
//! Each management API then answers in its own wire format (`portico_mgmt::WireFormat`).

use std::sync::Arc;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response};
use portico_core::ApiError;
use portico_gateway::{Peer, Target};
use portico_mgmt::WireFormat;
use serde_json::json;

use crate::app::App;
use crate::auth::{scheme_of, Scheme, SignedParts};
use crate::http::{full, read_whole, request_id, ReadError, ResponseBody};

/// Largest management request body accepted (an OpenAPI import is the big case).
pub const MAX_CONTROL_BODY: usize = 10 * 1024 * 1024;

/// Where a request goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Plane<'a> {
    /// `/_portico/*` and moto's `/moto-api/reset`: health, metrics, reset.
    Admin,
    /// An execute-api address: a deployed API's invocation.
    Invoke(Target<'a>),
    /// A request to a custom domain name (its `Host`): its base path mappings pick the API.
    Domain {
        domain: Arc<portico_gateway::domains::Domain>,
        host: &'a str,
        path: &'a str,
    },
    /// A management call, by API.
    Management(ManagementApi),
}

/// The management APIs Portico knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagementApi {
    /// `apigateway` (REST APIs): AWS-signed, every path not claimed below.
    ApiGateway,
    /// `apigatewayv2` (HTTP and WebSocket APIs): AWS-signed paths under `/v2/`.
    ApiGatewayV2,
    /// `apigatewaymanagementapi` (`@connections`): AWS-signed for `execute-api`.
    Connections,
    /// Huawei Cloud APIG and VPC Endpoint: `SDK-HMAC-SHA256`-signed.
    Huawei,
    /// `lambda` (2015-03-31): AWS-signed for the service `lambda`.
    Lambda,
}

impl ManagementApi {
    pub fn wire(self) -> WireFormat {
        match self {
            ManagementApi::Huawei => WireFormat::HuaweiJson,
            ManagementApi::Lambda => WireFormat::AwsLambda,
            _ => WireFormat::AwsRestJson,
        }
    }
}

/// The dispatch order, in one place. An execute-api host, or a custom domain name (one of
/// `domains`), claims every path (so an API may have a resource named like an admin path); on
/// any other host the admin paths come first. A host that is not a custom domain name costs
/// one relaxed atomic load while none exists.
pub fn plane_of<'a>(
    domains: &portico_gateway::domains::Domains,
    host: Option<&'a str>,
    path: &'a str,
    headers: &hyper::HeaderMap,
    raw_query: &str,
) -> Plane<'a> {
    // No domain name is an execute-api host (CreateDomainName refuses them).
    if let Some((h, domain)) = host.and_then(|h| Some((h, domains.get(h)?))) {
        return Plane::Domain {
            domain,
            host: h,
            path,
        };
    }
    let admin_path = path.starts_with("/_portico/") || path == "/moto-api/reset";
    if admin_path && !portico_gateway::is_execute_api_host(host) {
        return Plane::Admin;
    }
    if let Some(t) = portico_gateway::address(host, path) {
        return Plane::Invoke(t);
    }
    Plane::Management(match scheme_of(headers, raw_query) {
        Scheme::Huawei => ManagementApi::Huawei,
        Scheme::Aws { service } if service == "execute-api" => ManagementApi::Connections,
        Scheme::Aws { service } if service == "lambda" => ManagementApi::Lambda,
        // Unsigned and unknown calls get AWS's answer: the path decides which AWS API.
        _ if path.starts_with("/v2/") => ManagementApi::ApiGatewayV2,
        _ if path.starts_with("/@connections") || path.contains("/@connections/") => {
            ManagementApi::Connections
        }
        _ => ManagementApi::ApiGateway,
    })
}

/// `peer` is who is at the other end of the connection (`$context.identity`), written once per
/// connection.
pub async fn serve(
    app: Arc<App>,
    peer: Arc<Peer>,
    req: Request<Incoming>,
) -> Response<ResponseBody> {
    let (mut parts, body) = req.into_parts();
    // A WebSocket handshake takes the connection over once answered (`websocket::session`).
    let (on_upgrade, slot) = if portico_gateway::websocket::session::is_upgrade(&parts.headers) {
        (
            parts.extensions.remove::<hyper::upgrade::OnUpgrade>(),
            parts
                .extensions
                .remove::<portico_gateway::websocket::Slot>(),
        )
    } else {
        (None, None)
    };
    let host = parts
        .headers
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    let raw_query = parts.uri.query().unwrap_or("");
    match plane_of(
        &app.data.domains,
        host,
        parts.uri.path(),
        &parts.headers,
        raw_query,
    ) {
        // Its request ids and errors are its own (gateway responses).
        Plane::Invoke(t) => {
            // WebSocket APIs are looked up only for a handshake or `@connections`: the other
            // kinds pay one header check for them.
            let is_connections = t.path.starts_with("/@connections/");
            if on_upgrade.is_some() || is_connections {
                if let Some(ws) = app.data.websockets.apis.api(t.api_id, t.region) {
                    if is_connections {
                        let api_id = ws.api_id.clone();
                        return connections(&app, &parts, body, Some(&api_id)).await;
                    }
                    let at = portico_gateway::websocket::session::Address {
                        stage: t.stage,
                        host: t.host,
                        via_domain: false,
                    };
                    return portico_gateway::websocket::session::handshake(
                        app.data.clone(),
                        ws,
                        at,
                        &peer,
                        &parts,
                        on_upgrade,
                        slot,
                    )
                    .await;
                }
            }
            portico_gateway::rest::pipeline::serve(&app.data, t, &peer, &parts, body).await
        }
        Plane::Domain { domain, host, path } => {
            if on_upgrade.is_some() {
                let ws = domain.route(path, &parts.headers).and_then(|r| {
                    Some((
                        app.data.websockets.apis.api_of(r.tenant, r.api_id)?,
                        r.stage,
                    ))
                });
                if let Some((ws, stage)) = ws {
                    let at = portico_gateway::websocket::session::Address {
                        stage,
                        host: Some(host),
                        via_domain: true,
                    };
                    return portico_gateway::websocket::session::handshake(
                        app.data.clone(),
                        ws,
                        at,
                        &peer,
                        &parts,
                        on_upgrade,
                        slot,
                    )
                    .await;
                }
            }
            portico_gateway::rest::pipeline::serve_domain(
                &app.data, &domain, host, path, &peer, &parts, body,
            )
            .await
        }
        Plane::Admin => {
            let rid = request_id();
            let resp = admin(&app, &parts.method, parts.uri.path())
                .await
                .unwrap_or_else(|e| WireFormat::AwsRestJson.error(e, &rid));
            resp.map(full)
        }
        Plane::Management(ManagementApi::Connections) => {
            connections(&app, &parts, body, None).await
        }
        Plane::Management(api) => {
            let wire = api.wire();
            let rid = match wire {
                WireFormat::AwsRestJson | WireFormat::AwsLambda => request_id(),
                // Huawei's request ids are 32 hex digits.
                WireFormat::HuaweiJson => request_id().replace('-', ""),
            };
            let resp = match management(&app, api, &parts, body).await {
                Ok((status, reply)) => wire.reply(status, reply, &rid),
                Err(e) => wire.error(e, &rid),
            };
            resp.map(full)
        }
    }
}

/// `@connections` (`apigatewaymanagementapi`): SigV4 for the service `execute-api`, then the
/// data plane's connections. `api_id`: the API the address names (`{id}.execute-api…/{stage}`
/// or `/_aws/execute-api/{id}/{stage}`); without one (another endpoint) the connection id alone
/// finds the connection among the caller's.
async fn connections(
    app: &App,
    parts: &hyper::http::request::Parts,
    body: Incoming,
    api_id: Option<&str>,
) -> Response<ResponseBody> {
    let rid = request_id();
    let wire = WireFormat::AwsRestJson;
    let answer = async {
        // The limit leaves room for the 413 AWS answers above 128 KB.
        let body = read_body(body, MAX_CONTROL_BODY).await?;
        let signed = SignedParts {
            method: parts.method.as_str(),
            raw_path: parts.uri.path(),
            raw_query: parts.uri.query().unwrap_or(""),
            headers: &parts.headers,
            body: &body,
        };
        let tenant = app.auth.authenticate(&signed, "execute-api").map_err(|e| {
            // The management API's answer to a bad signature (wire-spec: no members).
            if e.status == 403 || e.status == 401 {
                ApiError::new(403, "ForbiddenException", e.message)
            } else {
                e
            }
        })?;
        portico_gateway::websocket::manage::handle(
            &app.data.websockets,
            &tenant,
            api_id,
            parts.method.as_str(),
            parts.uri.path(),
            body,
        )
    }
    .await;
    match answer {
        Ok(a) => {
            let reply = match a.body {
                Some(v) => portico_mgmt::Reply::Json(v),
                None => portico_mgmt::Reply::Empty,
            };
            wire.reply(a.status, reply, &rid).map(full)
        }
        Err(e) => wire.error(e, &rid).map(full),
    }
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

/// Largest `lambda` request body: AWS's limit for a zip uploaded in the request (50 MB, base64).
pub const MAX_LAMBDA_BODY: usize = 69_905_067;

/// A `lambda` call's body, up to [`MAX_LAMBDA_BODY`], with AWS's answer beyond it.
async fn read_lambda_body(body: Incoming, raw_path: &str) -> Result<Bytes, ApiError> {
    read_body(body, MAX_LAMBDA_BODY).await.map_err(|e| {
        if e.status != 413 {
            return e;
        }
        let operation = if raw_path.ends_with("/invocations") {
            "InvokeFunction"
        } else if raw_path.ends_with("/code") {
            "UpdateFunctionCode"
        } else {
            "CreateFunction"
        };
        ApiError::new(
            413,
            "RequestEntityTooLargeException",
            format!("Request must be smaller than {MAX_LAMBDA_BODY} bytes for the {operation} operation"),
        )
    })
}

/// A management call: read the body with a limit → authenticate → route → handle. The data
/// plane applies what the call changed before the answer leaves, so a client that deploys and
/// then invokes sees its change.
async fn management(
    app: &App,
    api: ManagementApi,
    parts: &hyper::http::request::Parts,
    body: Incoming,
) -> Result<(u16, portico_mgmt::Reply), ApiError> {
    let raw_path = parts.uri.path();
    let body = if api == ManagementApi::Lambda {
        read_lambda_body(body, raw_path).await?
    } else {
        read_body(body, MAX_CONTROL_BODY).await?
    };
    let raw_query = parts.uri.query().unwrap_or("");
    let method = parts.method.as_str();
    let signed = SignedParts {
        method,
        raw_path,
        raw_query,
        headers: &parts.headers,
        body: &body,
    };
    match api {
        ManagementApi::ApiGateway => {
            let tenant = app.auth.authenticate(&signed, "apigateway")?;
            let cx = &app.apigateway;
            let (status, call) = portico_mgmt::route(
                &cx.routes,
                &tenant,
                method,
                raw_path,
                raw_query,
                &parts.headers,
                body,
            )?;
            let handled = portico_api_apigateway::handle(cx, status, call).await?;
            Ok((handled.status, handled.reply))
        }
        ManagementApi::Lambda => {
            let tenant = app.auth.authenticate(&signed, "lambda")?;
            let cx = &app.lambda;
            let (status, call) = portico_mgmt::route(
                &cx.routes,
                &tenant,
                method,
                raw_path,
                raw_query,
                &parts.headers,
                body,
            )?;
            let handled = portico_api_lambda::handle(cx, status, call).await?;
            Ok((handled.status, handled.reply))
        }
        ManagementApi::ApiGatewayV2 => {
            let tenant = app.auth.authenticate(&signed, "apigateway")?;
            let cx = &app.apigatewayv2;
            let (status, call) = portico_mgmt::route(
                &cx.routes,
                &tenant,
                method,
                raw_path,
                raw_query,
                &parts.headers,
                body,
            )?;
            let handled = portico_api_apigatewayv2::handle(cx, status, call).await?;
            // The data plane applies what the call changed before the answer leaves, so an
            // auto-deployed change is live for the client's next request.
            let data = app.data.clone();
            portico_store::offload(&*app.store, move || data.sync()).await;
            Ok((handled.status, handled.reply))
        }
        // Served by `connections` before reaching here.
        ManagementApi::Connections => Err(ApiError::not_found("No such @connections call")),
        ManagementApi::Huawei => {
            let account = app.auth.huawei(&signed)?;
            let project = huawei_project(raw_path, &parts.headers);
            // The signed X-Project-Id names the project the credentials were issued for; a
            // path naming another project is not that caller's.
            let claimed = parts
                .headers
                .get("x-project-id")
                .and_then(|v| v.to_str().ok());
            if claimed.is_some_and(|c| c != project) {
                return Err(ApiError::new(
                    403,
                    "APIC.7106",
                    "No permissions to request for the method: X-Project-Id does not match the project in the path",
                ));
            }
            let tenant = portico_core::Tenant::huawei(account, project);
            let cx = &app.huawei;
            let (status, call) = portico_mgmt::route(
                cx.table_for(raw_path),
                &tenant,
                method,
                raw_path,
                raw_query,
                &parts.headers,
                body,
            )
            .map_err(|e| match e.code {
                // Huawei's answer for a path that names no API.
                "UnknownOperationException" => ApiError::new(
                    404,
                    "APIG.0101",
                    "The API does not exist or has not been published in the environment",
                ),
                _ => e,
            })?;
            let handled = portico_api_huawei::handle(cx, status, call).await?;
            Ok((handled.status, handled.reply))
        }
    }
}

/// The project a Huawei call is for: the second segment of its path (`/v2/{project_id}/apigw/…`,
/// `/v1/{project_id}/vpc-endpoints`), else the signed `X-Project-Id` (version documents).
fn huawei_project(raw_path: &str, headers: &hyper::HeaderMap) -> String {
    let mut segments = raw_path.trim_start_matches('/').split('/');
    match (segments.next(), segments.next()) {
        (Some("v1" | "v2"), Some(project)) if !project.is_empty() => {
            portico_core::query::decode(project)
        }
        _ => headers
            .get("x-project-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
    }
}

/// Redis's state for `/_portico/health`: `disabled` without `redis_url`; else `up` or
/// `down` (with the last error), and the configured failure mode.
fn redis_health(app: &App) -> serde_json::Value {
    match app.data.metering.cluster() {
        None => json!({"status": "disabled"}),
        Some(c) => {
            let mut v = json!({
                "status": if c.is_up() { "up" } else { "down" },
                "unavailable": c.config.unavailable.name(),
                "prefix": c.config.prefix,
            });
            if let (false, Some(e)) = (c.is_up(), c.last_error()) {
                v["lastError"] = json!(e);
            }
            v
        }
    }
}

/// Health and test-harness endpoints. Not signed: they carry no tenant state, and reset is
/// what test suites call between cases (it is refused unless bound to loopback).
async fn admin(app: &App, method: &hyper::Method, path: &str) -> Result<Response<Bytes>, ApiError> {
    match (method.as_str(), path) {
        ("GET", "/_portico/health") => {
            let store = app.store.health();
            Ok(portico_mgmt::wire::json_response(
                200,
                &json!({
                    "status": if store.reachable { "ok" } else { "degraded" },
                    "version": env!("CARGO_PKG_VERSION"),
                    "services": { "apigateway": "running" },
                    "store": {
                        "kind": store.kind,
                        "reachable": store.reachable,
                        "detail": store.detail,
                    },
                    "redis": redis_health(app),
                }),
            ))
        }
        ("GET", "/_portico/metrics") => {
            let mut text = app.data.metrics.encode();
            // The data plane's encoder ends with `# EOF` (OpenMetrics); the store's and the
            // Redis metering's figures go before it.
            let mut extra = app.store.metrics_text();
            if let Some(c) = app.data.metering.cluster() {
                extra.push_str(&c.metrics());
            }
            if !extra.is_empty() {
                match text.rfind("# EOF") {
                    Some(at) => text.insert_str(at, &extra),
                    None => text.push_str(&extra),
                }
            }
            let mut r = Response::new(Bytes::from(text));
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
            app.lambda_host.stop_all();
            app.data.websockets.connections.close_all();
            let data = app.data.clone();
            let store = app.store.clone();
            portico_store::offload(&*app.store, move || {
                data.metering.discard();
                let wiped = store.wipe();
                data.sync();
                wiped
            })
            .await?;
            tracing::info!("all state wiped by {path}");
            Ok(portico_mgmt::wire::json_response(
                200,
                &json!({ "status": "reset" }),
            ))
        }
        _ => Err(ApiError::not_found(format!(
            "No admin endpoint {method} {path}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where a request with this host, path and Authorization header goes.
    fn check(host: &str, path: &str, authorization: Option<&str>, want: &str) {
        let mut headers = hyper::HeaderMap::new();
        if let Some(a) = authorization {
            headers.insert(hyper::header::AUTHORIZATION, a.parse().unwrap());
        }
        let domains = portico_gateway::domains::Domains::default();
        let got = match plane_of(&domains, Some(host), path, &headers, "") {
            Plane::Admin => "admin".to_string(),
            Plane::Domain { host, path, .. } => format!("domain {host} {path}"),
            Plane::Invoke(t) => format!("invoke {} {} {}", t.api_id, t.stage, t.path),
            Plane::Management(api) => format!("{api:?}"),
        };
        assert_eq!(got, want, "{host} {path} {authorization:?}");
    }

    const AWS: &str = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=00";
    const EXECUTE_API: &str = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00";
    const LAMBDA: &str = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00";
    const HUAWEI: &str = "SDK-HMAC-SHA256 Access=test, SignedHeaders=host;x-sdk-date, Signature=00";

    #[test]
    fn dispatch_order() {
        let local = "127.0.0.1:4566";
        // Admin paths first, signed or not...
        check(local, "/_portico/health", None, "admin");
        check(local, "/moto-api/reset", Some(AWS), "admin");
        // ...except on an execute-api host, which claims every path.
        check(
            "abc.execute-api.localhost:4566",
            "/_portico/health",
            None,
            "invoke abc _portico /health",
        );
        // Data-plane addresses before any signature.
        check(
            local,
            "/restapis/abc/dev/_user_request_/x",
            Some(HUAWEI),
            "invoke abc dev /x",
        );
        // Then the signing scheme: Huawei's paths start with /v2/ too.
        check(local, "/v2/0123/apigw/instances", Some(HUAWEI), "Huawei");
        check(local, "/v1/0123/vpc-endpoints", Some(HUAWEI), "Huawei");
        check(local, "/v2/apis", Some(AWS), "ApiGatewayV2");
        check(local, "/@connections/abc", Some(EXECUTE_API), "Connections");
        check(local, "/restapis", Some(AWS), "ApiGateway");
        check(local, "/2015-03-31/functions", Some(LAMBDA), "Lambda");
        // Unsigned: AWS's answer, by path.
        check(local, "/restapis", None, "ApiGateway");
        check(local, "/v2/apis", None, "ApiGatewayV2");
        check(local, "/prod/@connections/abc", None, "Connections");
        // Even on Huawei's paths (the contract): an unsigned call is AWS's to answer.
        check(local, "/v2/0123/apigw/instances", None, "ApiGatewayV2");
        check(local, "/v1/0123/vpc-endpoints", None, "ApiGateway");
    }

    #[test]
    fn a_custom_domain_claims_every_path_of_its_host() {
        use portico_store::{kind, SqliteStore, Store, Tenant};
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        portico_store::write(&*store, &Tenant::aws("000000000000", "us-east-1"), |tx| {
            tx.put(
                kind::DOMAIN_NAME,
                "",
                "api.example.com",
                &json!({"domainName": "api.example.com"}),
            )
        })
        .unwrap();
        let domains = portico_gateway::domains::Domains::new(store);
        let headers = hyper::HeaderMap::new();
        let plane = |host, path| match plane_of(&domains, Some(host), path, &headers, "") {
            Plane::Domain { host, path, .. } => format!("domain {host} {path}"),
            Plane::Admin => "admin".into(),
            Plane::Invoke(t) => format!("invoke {}", t.api_id),
            Plane::Management(api) => format!("{api:?}"),
        };
        assert_eq!(
            plane("API.example.com:4566", "/v1/x"),
            "domain API.example.com:4566 /v1/x"
        );
        assert_eq!(
            plane("api.example.com", "/_portico/health"),
            "domain api.example.com /_portico/health"
        );
        assert_eq!(
            plane("api.example.com", "/restapis"),
            "domain api.example.com /restapis"
        );
        // Other hosts as before.
        assert_eq!(plane("127.0.0.1:4566", "/_portico/health"), "admin");
        assert_eq!(plane("localhost", "/restapis"), "ApiGateway");
        assert_eq!(plane("abc.execute-api.localhost", "/prod/x"), "invoke abc");
        assert_eq!(plane("other.example.com", "/restapis"), "ApiGateway");
    }
}
