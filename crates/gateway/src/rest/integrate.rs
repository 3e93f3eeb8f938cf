//! Phases 5–8 of an invocation (see `pipeline`): the stage cache in front, then the
//! integration request, the integration itself (MOCK, HTTP/HTTP_PROXY over the pool or a VPC
//! link, Lambda through `lambda`) and the integration and method responses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Body as _;
use hyper::header::{HeaderName, HeaderValue};
use hyper::Response;
use serde_json::Value;

use super::aws_service;
use super::compile::{Integration, Kind, LinkRef, MethodPlan};
use super::gateway_responses::{GatewayError, ResponseType};
use super::lambda;
use super::mapping::View;
use super::pipeline::{ClientRequest, Exec, ExecLog};
use super::request_map;
use super::response_map;
use crate::cache::{self, Cached, MethodCaching, StageCache, Strategy};
use crate::http::{read_whole, ReadError, ResponseBody};
use crate::integrations::tls::TlsRoute;
use crate::integrations::{mock, vpc_link::Link};

// Named once: a `&str` header name is parsed and hashed on every insert.
const WARNING: HeaderName = HeaderName::from_static("warning");
/// The warning a `Cache-Control: max-age=0` request gets when it was not allowed to invalidate
/// (`SUCCEED_WITH_RESPONSE_HEADER`). Decision: AWS's text is not recorded anywhere we found.
const CACHE_CONTROL_IGNORED: &str =
    "199 Cache-control headers were ignored because the caller was unauthorized.";

/// What phases 5–8 read.
pub(super) struct Integrate<'e, 'r, 'v> {
    pub exec: &'e Exec<'e>,
    pub req: &'r ClientRequest<'r>,
    pub integ: &'e Integration,
    pub params: &'r [(String, String)],
    pub view: &'v View<'v>,
    pub content_type: &'r str,
}

/// A cached method: the response from the stage cache, or from the integration (then cached).
/// `Cache-Control: max-age=0` asks for a fresh one, which replaces the cached entry when the
/// caller may invalidate (`requireAuthorizationForCacheControl: false`; with IAM not built, no
/// caller is authorized otherwise), else `unauthorizedCacheControlHeaderStrategy` decides.
pub(super) async fn through_cache(
    ctx: Integrate<'_, '_, '_>,
    plan: &MethodPlan,
    cache: &StageCache,
    how: MethodCaching,
    log: &mut ExecLog,
    integration_latency: &mut Option<Duration>,
) -> Result<Response<ResponseBody>, GatewayError> {
    let (req, integ) = (ctx.req, ctx.integ);
    let key = cache::key(
        integ
            .cache_namespace
            .as_deref()
            .unwrap_or(&plan.resource_id),
        &req.method,
        &plan.resource_path,
        &integ.cache_key,
        ctx.params,
        &req.query,
        req.headers,
    );
    let mut warn = false;
    let fresh = cache::wants_fresh(req.headers)
        && match (how.require_authorization, how.strategy) {
            (false, _) => true,
            (true, Strategy::FailWith403) => {
                return Err(
                    GatewayError::new(ResponseType::AccessDenied, "Unauthorized").with_status(403),
                )
            }
            (true, Strategy::SucceedWithResponseHeader) => {
                warn = true;
                false
            }
            (true, Strategy::SucceedWithoutResponseHeader) => false,
        };
    let warned = |mut r: Response<ResponseBody>| {
        if warn {
            r.headers_mut()
                .insert(WARNING, HeaderValue::from_static(CACHE_CONTROL_IGNORED));
        }
        r
    };
    if fresh {
        cache.store.misses().inc();
        log.add(|| "Cache-Control: max-age=0: invalidating the cached response".into());
    } else if let Some(hit) = cache.store.get(&key) {
        log.add(|| "Sending response from cache".into());
        let mut r = Response::new(crate::http::full(hit.body.clone()));
        *r.status_mut() = hit.status;
        *r.headers_mut() = hit.headers.clone();
        return Ok(warned(r));
    }
    let r = integrate(ctx, log, integration_latency).await?;
    let (parts, body) = r.into_parts();
    let body = match body {
        ResponseBody::Full(b) => b.unwrap_or_default(),
        ResponseBody::Streamed(s) => {
            // A streamed body is cached only when its length is known and small enough.
            if s.size_hint()
                .exact()
                .is_none_or(|n| n > cache::MAX_ENTRY as u64)
            {
                return Ok(warned(Response::from_parts(
                    parts,
                    ResponseBody::Streamed(s),
                )));
            }
            read_whole(*s, cache::MAX_ENTRY).await.map_err(|e| {
                let e = match e {
                    ReadError::TooLarge => format!("body over {} bytes", cache::MAX_ENTRY),
                    ReadError::Body(e) => e.to_string(),
                };
                GatewayError::new(ResponseType::IntegrationFailure, "Internal server error")
                    .with_status(500)
                    .with_detail(format!(
                        "Execution failed: error reading endpoint response: {e}"
                    ))
            })?
        }
    };
    cache.store.put(
        key,
        Cached::new(parts.status, parts.headers.clone(), body.clone(), how.ttl),
    );
    Ok(warned(Response::from_parts(parts, crate::http::full(body))))
}

/// Phases 5–8: integration request, integration, integration and method responses.
pub(super) async fn integrate(
    ctx: Integrate<'_, '_, '_>,
    log: &mut ExecLog,
    integration_latency: &mut Option<Duration>,
) -> Result<Response<ResponseBody>, GatewayError> {
    let Integrate {
        exec,
        req,
        integ,
        params,
        view,
        content_type,
    } = ctx;
    // Phase 5: integration request.
    let binary = request_map::is_binary(content_type, &exec.deployment.binary_media_types);
    let mut mapped = request_map::map(
        integ,
        view,
        &req.body,
        content_type,
        binary,
        params,
        &req.query,
        req.headers,
        exec.variables,
        log,
    )?;
    let status_override = mapped.status_override;
    // A MOCK integration's response template sees the request template's overrides; every
    // integration's response gets the request template's `responseOverride`.
    let mut carried = std::mem::take(&mut mapped.carried);
    if integ.kind != Kind::Mock {
        carried.request = Default::default();
    }
    let accept = req.known.accept.and_then(|v| v.to_str().ok());
    // Phase 6: integrate.
    let outcome =
        match integ.kind {
            Kind::Mock => mock::invoke(&String::from_utf8_lossy(&mapped.body))?,
            Kind::Http | Kind::HttpProxy => {
                let proxy = integ.kind == Kind::HttpProxy;
                let mut out = request_map::http_request(request_map::Outgoing {
                    integ,
                    mapped,
                    client_method: &req.method,
                    client_headers: req.headers,
                    client_known: &req.known,
                    raw_query: req.raw_query,
                    path_params: params,
                    stage_variables: exec.variables,
                    api_headers: &exec.deployment.backend_headers,
                    trace_id: exec.trace_id,
                    source_ip: req.source_ip,
                    content_type,
                })?;
                if let Some(link) = &integ.vpc_link {
                    out.via = Some(vpc_link(exec, link)?);
                }
                if out.endpoint.is_tls() {
                    out.tls = TlsRoute {
                        settings: Some(&integ.tls),
                        client_cert: exec.client_cert,
                    };
                }
                log.add(|| format!("Endpoint request URI: {}", out.endpoint.url()));
                let t0 = Instant::now();
                if proxy {
                    let sent = exec
                        .client
                        .send(out, t0, integ.timeout, response_map::proxy_header)
                        .await;
                    let resp = match sent {
                        Ok((resp, head_at)) => {
                            *integration_latency = Some(head_at - t0);
                            resp
                        }
                        Err(e) => {
                            *integration_latency = Some(t0.elapsed());
                            return Err(e);
                        }
                    };
                    log.add(|| format!("Endpoint response status: {}", resp.status().as_u16()));
                    return Ok(response_map::proxy(resp));
                }
                let o = exec.client.send_buffered(out, t0, integ.timeout).await;
                *integration_latency = Some(t0.elapsed());
                o?
            }
            Kind::AwsProxy if integ.calls_lambda => {
                let t0 = Instant::now();
                let r = lambda::proxy(exec, req, integ, view, binary, accept, log).await;
                *integration_latency = Some(t0.elapsed());
                return r;
            }
            Kind::Aws if integ.calls_lambda => {
                let t0 = Instant::now();
                let invocation_type = mapped
                    .headers
                    .iter()
                    .rev()
                    .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-invocation-type"))
                    .map(|(_, v)| v.as_str());
                let o = lambda::aws(exec, integ, mapped.body.clone(), invocation_type, log).await;
                *integration_latency = Some(t0.elapsed());
                o?
            }
            Kind::Aws => {
                let t0 = Instant::now();
                let o = aws_service::call(
                    exec,
                    exec.aws_services,
                    integ,
                    mapped,
                    params,
                    content_type,
                    log,
                )
                .await;
                *integration_latency = Some(t0.elapsed());
                o?
            }
            // AWS's API takes AWS_PROXY only for Lambda (and Firehose, which Portico does not run).
            Kind::AwsProxy => return Err(GatewayError::new(
                ResponseType::ApiConfigurationError,
                "Portico does not invoke AWS_PROXY integrations to AWS services other than Lambda",
            )),
        };
    // Phases 7-8.
    response_map::map(
        integ,
        outcome,
        view,
        accept,
        &exec.deployment.binary_media_types,
        params,
        &req.query,
        exec.variables,
        status_override,
        carried,
        log,
    )
}

/// The VPC link a VPC_LINK integration connects through (its `connectionId`, or the stage
/// variable it names), if it is usable.
fn vpc_link(exec: &Exec<'_>, link: &LinkRef) -> Result<Arc<Link>, GatewayError> {
    let id = match link {
        LinkRef::Id(id) => id.as_str(),
        LinkRef::StageVariable(name) => exec
            .variables
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or(""),
    };
    let found = exec.client.links().get(exec.tenant, id).ok_or_else(|| {
        GatewayError::config(format!(
            "Execution failed due to configuration error: Invalid VPC link identifier specified: {id:?}"
        ))
    })?;
    if found.backends().is_err() {
        return Err(crate::integrations::http::vpc_link_unusable(&found));
    }
    Ok(found)
}
