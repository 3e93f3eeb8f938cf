//! The `apigateway` (REST API) management plane: rest-json routing to per-entity handlers.
//!
//! Flow of a call: [`handle`] matches the raw path against the route table (split before
//! decoding), decodes labels and query, builds a [`Call`] and runs the operation's handler.
//! Handlers are synchronous: they run one store transaction of a few microseconds and return a
//! [`Reply`]; the route table supplies the success status. Errors leave as `ApiError`. The few
//! operations that wait on the network (TestInvokeMethod calls the integration backend) are
//! [`AsyncHandler`]s instead, claimed in [`async_handler`].

/// Account settings (the account-level throttle is read by the data plane).
pub mod account;
pub mod call;
pub mod paging;
pub mod patch;
pub mod routes;
/// Quota arithmetic shared with the data plane.
pub mod usage;

mod api_key_import;
mod api_keys;
mod authorizers;
mod deployments;
pub mod gateway_responses;
mod integrations;
mod method_settings;
mod methods;
mod models;
mod params;
mod resources;
mod restapis;
mod stage_update;
mod stages;
mod tags;
mod usage_plan_keys;
mod usage_plan_update;
mod usage_plans;
mod validators;

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use hyper::HeaderMap;
use percent_encoding::percent_decode_str;

use crate::app::App;
use crate::error::ApiError;
use crate::store::Tenant;
pub use call::{Call, Reply};

pub type Handler = fn(&App, &Call) -> Result<Reply, ApiError>;

/// A handler that awaits (network I/O). Boxed future so handlers stay plain `fn`s in tables.
pub type AsyncHandler =
    for<'a> fn(
        &'a App,
        &'a Call<'a>,
    ) -> Pin<Box<dyn Future<Output = Result<Reply, ApiError>> + Send + 'a>>;

/// The handler of an operation, if Portico has built it. Each entity module claims its own.
fn handler(operation: &str) -> Option<Handler> {
    restapis::handler(operation)
        .or_else(|| resources::handler(operation))
        .or_else(|| methods::handler(operation))
        .or_else(|| integrations::handler(operation))
        .or_else(|| deployments::handler(operation))
        .or_else(|| stages::handler(operation))
        .or_else(|| tags::handler(operation))
        .or_else(|| account::handler(operation))
        .or_else(|| api_keys::handler(operation))
        .or_else(|| usage_plans::handler(operation))
        .or_else(|| usage_plan_keys::handler(operation))
        .or_else(|| usage::handler(operation))
        .or_else(|| models::handler(operation))
        .or_else(|| validators::handler(operation))
        .or_else(|| gateway_responses::handler(operation))
        .or_else(|| authorizers::handler(operation))
}

/// Operations whose handler awaits.
fn async_handler(operation: &str) -> Option<AsyncHandler> {
    crate::data::test_invoke::handler(operation)
}

/// Is this operation implemented (for the README table and `portico routes`)?
pub fn is_supported(operation: &str) -> bool {
    handler(operation).is_some() || async_handler(operation).is_some()
}

pub fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    // Most requests have no query; `split` sets up a searcher even for an empty string.
    if raw.is_empty() {
        return Vec::new();
    }
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

pub struct Handled {
    pub status: u16,
    pub reply: Reply,
}

/// A routed, decoded call and its success status.
fn route<'a>(
    app: &App,
    tenant: &'a Tenant,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &'a HeaderMap,
    body: Bytes,
) -> Result<(u16, Call<'a>), ApiError> {
    let query = parse_query(raw_query);
    let Some((route, raw_labels)) = app.routes.find(method, raw_path, &query) else {
        // AWS answers unknown management paths like an unknown API route.
        return Err(ApiError::new(
            if app.routes.path_exists(raw_path) {
                405
            } else {
                404
            },
            "UnknownOperationException",
            format!("No operation matches {method} {raw_path}"),
        ));
    };
    tracing::debug!(operation = route.operation, account = %tenant.account, region = %tenant.region, "management call");
    Ok((
        route.status,
        Call {
            operation: route.operation,
            tenant,
            labels: raw_labels.into_iter().map(decode).collect(),
            query,
            headers,
            body,
        },
    ))
}

/// Run a call whose handler is synchronous (everything but the few [`AsyncHandler`]s).
pub fn handle(
    app: &App,
    tenant: &Tenant,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Handled, ApiError> {
    let (status, call) = route(app, tenant, method, raw_path, raw_query, headers, body)?;
    let Some(h) = handler(call.operation) else {
        return Err(match async_handler(call.operation) {
            Some(_) => ApiError::internal(format!(
                "{} must be run through handle_async",
                call.operation
            )),
            None => ApiError::not_implemented(call.operation),
        });
    };
    Ok(Handled {
        status,
        reply: h(app, &call)?,
    })
}

/// Run any call (the server's entry): async handlers are awaited, the rest run as in [`handle`].
pub async fn handle_async(
    app: &App,
    tenant: &Tenant,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Handled, ApiError> {
    let (status, call) = route(app, tenant, method, raw_path, raw_query, headers, body)?;
    let reply = if let Some(h) = handler(call.operation) {
        h(app, &call)?
    } else if let Some(h) = async_handler(call.operation) {
        h(app, &call).await?
    } else {
        return Err(ApiError::not_implemented(call.operation));
    };
    Ok(Handled { status, reply })
}
