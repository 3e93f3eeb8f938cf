//! The `apigateway` (REST API) management API: a room of its own.
//!
//! Flow of a call: `portico_mgmt::route` matches the raw path against [`routes`] (split before
//! decoding) and builds a [`Call`] with labels by name; [`handle`] runs the operation's handler.
//! Handlers are synchronous: they run store transactions and return a [`Reply`]; the route
//! table supplies the success status. Errors leave as `ApiError`, rendered in AWS rest-json.
//! The few operations that wait on the network (TestInvokeMethod calls the integration
//! backend) are [`AsyncHandler`]s instead.
//!
//! Handlers by entity family: `restapi/` (the API definition: REST APIs, resources, methods,
//! integrations, models, validators, authorizers, gateway responses), `deploy/` (deployments,
//! stages, method settings, test invoke), `keys/` (API keys, usage plans, their keys, usage),
//! `docs/` (documentation parts and versions), `vpc_links`, `certs/` (client certificates, and
//! the checks of certificates uploaded with domain names), `domains/` (custom domain names,
//! base path mappings, access associations), and `account`, `tags`.
//!
//! Architecture invariant: imports the store, the domain (`portico-model`) and the shared
//! management machinery (`portico-mgmt`, and `portico-openapi` for OpenAPI documents and model
//! templates); never the data plane, which it reaches only through
//! the [`DataPlane`] port that the binary plugs in.

mod account;
mod certs;
mod deploy;
mod docs;
mod domains;
mod keys;
mod restapi;
pub mod routes;
mod sdk;
mod sdk_types;
#[cfg(test)]
mod shapes;
mod tags;
#[cfg(test)]
mod testing;
mod vpc_links;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use portico_core::{ApiError, Tenant};
use portico_mgmt::{Handled, RouteTable};
use portico_model::{DeploymentSnapshot, LoadBalancers};
use portico_store::Store;
use serde_json::{Map, Value};

pub use portico_mgmt::{Call, Reply};

// Flat paths for the handlers' imports (`crate::restapis`, `crate::call`, ...).
pub(crate) use deploy::{deployments, method_settings, stage_update, stages};
pub(crate) use keys::{api_keys, usage, usage_plan_keys, usage_plans};
pub(crate) use portico_core::{error, ids};
pub(crate) use portico_mgmt::{call, paging, patch};
pub(crate) use restapi::{
    authorizers, gateway_responses, integrations, methods, models, params, resources, restapis,
    validators,
};

/// What the data plane does for this API's management calls. The binary implements it over
/// the data plane, so this crate never depends on it.
pub trait DataPlane: Send + Sync {
    /// Write the usage counted in memory to the store (GetUsage and UpdateUsage read after it).
    fn flush_usage(&self);

    /// Apply what a call changed (deployments, stages, keys, plans) before its answer leaves,
    /// so a client that deploys and then invokes sees its change. Cheap when nothing changed.
    fn apply_changes(&self);

    /// TestInvokeMethod: run one request through the pipeline against `snapshot` (the API's
    /// current definition), answering AWS's `{status, body, headers, multiValueHeaders, log,
    /// latency}`.
    fn test_invoke(&self, request: TestInvoke) -> BoxFuture<'_, Result<Value, ApiError>>;

    /// TestInvokeAuthorizer: run one authorizer of `snapshot` (the API's current definition)
    /// against a simulated request, answering AWS's `{clientStatus, log, latency, principalId,
    /// policy, authorization, claims}`.
    fn test_authorizer(&self, request: TestAuthorizer) -> BoxFuture<'_, Result<Value, ApiError>>;

    /// FlushStageCache: empty the stage cache of `stage` of `api_id` (nothing if it has none).
    fn flush_stage_cache(&self, tenant: &Tenant, api_id: &str, stage: &str);

    /// FlushStageAuthorizersCache: forget the Lambda authorizer results cached for `stage`.
    fn flush_authorizers_cache(&self, tenant: &Tenant, api_id: &str, stage: &str);
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One TestInvokeMethod call, decoded.
pub struct TestInvoke {
    pub tenant: Tenant,
    pub api_id: String,
    pub resource_id: String,
    pub http_method: String,
    pub snapshot: DeploymentSnapshot,
    /// The request body: `pathWithQueryString`, `headers`, `multiValueHeaders`, `body`,
    /// `stageVariables`...
    pub input: Map<String, Value>,
}

/// One TestInvokeAuthorizer call, decoded.
pub struct TestAuthorizer {
    pub tenant: Tenant,
    pub api_id: String,
    pub authorizer_id: String,
    pub snapshot: DeploymentSnapshot,
    /// The request body: `headers`, `multiValueHeaders`, `pathWithQueryString`, `body`,
    /// `stageVariables`, `additionalContext`.
    pub input: Map<String, Value>,
}

/// Everything a handler may reach.
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub routes: RouteTable,
    pub data_plane: Arc<dyn DataPlane>,
    /// The NLBs VPC links may target (the config file's `[[load_balancers]]`).
    pub load_balancers: Arc<LoadBalancers>,
}

impl Ctx {
    pub fn new(store: Arc<dyn Store>, data_plane: Arc<dyn DataPlane>) -> Ctx {
        Ctx {
            store,
            routes: routes::table(),
            data_plane,
            load_balancers: Arc::default(),
        }
    }

    /// The NLBs VPC links may target.
    pub fn with_load_balancers(mut self, load_balancers: Arc<LoadBalancers>) -> Ctx {
        self.load_balancers = load_balancers;
        self
    }
}

pub type Handler = fn(&Ctx, &Call) -> Result<Reply, ApiError>;

/// A handler that awaits (network I/O). Boxed future so handlers stay plain `fn`s in tables.
pub type AsyncHandler = for<'a> fn(&'a Ctx, &'a Call) -> BoxFuture<'a, Result<Reply, ApiError>>;

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
        .or_else(|| vpc_links::handler(operation))
        .or_else(|| docs::handler(operation))
        .or_else(|| certs::client_certificates::handler(operation))
        .or_else(|| domains::handler(operation))
        .or_else(|| restapi::openapi::handler(operation))
        .or_else(|| sdk_types::handler(operation))
        .or_else(|| sdk::handler(operation))
}

/// Operations whose handler awaits.
fn async_handler(operation: &str) -> Option<AsyncHandler> {
    deploy::test_invoke::handler(operation)
}

/// Is this operation implemented (for the README table and `portico routes`)?
pub fn is_supported(operation: &str) -> bool {
    handler(operation).is_some() || async_handler(operation).is_some()
}

/// Run a routed call. Synchronous handlers run through `portico_store::offload` (on the
/// blocking pool for a store that waits on the network), and the data plane applies their
/// changes there too, so such a store never holds up the connection's worker; async handlers
/// (which write nothing) are awaited where they are.
pub async fn handle(cx: &Arc<Ctx>, status: u16, call: Call) -> Result<Handled, ApiError> {
    let reply = if let Some(h) = handler(call.operation) {
        let cx = cx.clone();
        let store = cx.store.clone();
        portico_store::offload(&*store, move || {
            let reply = h(&cx, &call);
            cx.data_plane.apply_changes();
            reply
        })
        .await?
    } else if let Some(h) = async_handler(call.operation) {
        h(cx, &call).await?
    } else {
        return Err(ApiError::not_implemented(call.operation));
    };
    Ok(Handled { status, reply })
}

/// Run a routed call on this thread (tests, and callers already off the connection's worker).
pub fn handle_blocking(cx: &Ctx, status: u16, call: Call) -> Result<Handled, ApiError> {
    match handler(call.operation) {
        Some(h) => Ok(Handled {
            status,
            reply: h(cx, &call)?,
        }),
        None => Err(ApiError::not_implemented(call.operation)),
    }
}

/// The store's transaction helpers with the handlers' error type.
pub(crate) mod store {
    #[cfg(test)]
    pub use portico_store::SqliteStore;
    pub use portico_store::{kind, Store, Tenant, Txn};

    use portico_core::ApiError;

    pub fn read<R>(
        store: &dyn Store,
        tenant: &Tenant,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::read(store, tenant, f)
    }

    pub fn write<R>(
        store: &dyn Store,
        tenant: &Tenant,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::write(store, tenant, f)
    }
}
