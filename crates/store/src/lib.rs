//! The state store: JSON documents partitioned by tenant, behind a transactional interface.
//!
//! Every control-plane entity is a document addressed by `(tenant, kind, scope, id)`. `scope`
//! is the owning REST API's id for things that live inside an API (resources, models, stages…)
//! and `""` for account-level things (REST APIs themselves, API keys, usage plans). Documents are
//! stored in AWS's own JSON shape, so reading one back needs no mapping.
//!
//! The interface is synchronous and transactional: a closure runs against a [`Txn`] and either
//! all its writes commit or none do. SQL stays portable (`INSERT … ON CONFLICT`, no SQLite-only
//! functions) so a PostgreSQL implementation can follow.

//!
//! Architecture invariant: the store knows tenants and documents, not APIs or wire formats. It
//! fails with its own [`StoreError`]; an API turns that into its wire error (`From` below).
//! Calls are blocking: callers on a connection's worker go through [`offload`] (see there).

mod error;
mod sqlite;

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::broadcast;

pub use error::StoreError;
pub use portico_core::Tenant;
pub use sqlite::SqliteStore;

/// Kinds of documents. Each is a table-like namespace inside a tenant.
pub mod kind {
    pub const REST_API: &str = "restapi";
    pub const RESOURCE: &str = "resource";
    pub const MODEL: &str = "model";
    pub const REQUEST_VALIDATOR: &str = "requestvalidator";
    pub const AUTHORIZER: &str = "authorizer";
    pub const GATEWAY_RESPONSE: &str = "gatewayresponse";
    pub const DEPLOYMENT: &str = "deployment";
    /// The frozen API a deployment serves (see `control::deployments`).
    pub const DEPLOYMENT_SNAPSHOT: &str = "deploymentsnapshot";
    pub const STAGE: &str = "stage";
    pub const ACCOUNT: &str = "account";
    pub const API_KEY: &str = "apikey";
    pub const USAGE_PLAN: &str = "usageplan";
    pub const USAGE_PLAN_KEY: &str = "usageplankey";
    /// Index of API key values (id = the key's value, body `{"id": key id}`): values are unique
    /// per tenant, and the data plane resolves `x-api-key` through it.
    pub const API_KEY_VALUE: &str = "apikeyvalue";
    /// VPC links (scope `""`); the data plane resolves VPC_LINK integrations through them.
    pub const VPC_LINK: &str = "vpclink";
    /// An API's documentation parts, its documentation versions, and the parts each version
    /// froze (scope = the API's id).
    pub const DOCUMENTATION_PART: &str = "documentationpart";
    pub const DOCUMENTATION_VERSION: &str = "documentationversion";
    pub const DOCUMENTATION_SNAPSHOT: &str = "documentationsnapshot";
    /// Client certificates (scope `""`), with their private keys; stages name them.
    pub const CLIENT_CERTIFICATE: &str = "clientcertificate";
    /// Scope `""`, id = the domain name (lower case).
    pub const DOMAIN_NAME: &str = "domainname";
    /// Scope = the domain name, id = the base path (`(none)` for the empty one).
    pub const BASE_PATH_MAPPING: &str = "basepathmapping";
    /// A custom domain name's routing rule (scope = the domain name, id = the rule's id).
    pub const ROUTING_RULE: &str = "routingrule";
    /// Scope `""`, id = the association's ARN; kept in the tenant that created it (a VPC
    /// endpoint's owner), naming a private domain name of any tenant.
    pub const DOMAIN_NAME_ACCESS_ASSOCIATION: &str = "domainnameaccessassociation";
    /// Lambda: a function's `$LATEST` configuration as AWS shows it, plus private `_` members
    /// (scope `""`, id = the function's name).
    pub const LAMBDA_FUNCTION: &str = "lambdafunction";
    /// A published version's frozen configuration (scope = the function's name, id = the number).
    pub const LAMBDA_VERSION: &str = "lambdaversion";
    /// An alias (scope = the function's name, id = the alias's name).
    pub const LAMBDA_ALIAS: &str = "lambdaalias";
    /// A resource-based policy (scope = the function's name, id = the qualifier, `""` for the
    /// unqualified function): `{"Statement": [...], "RevisionId"}`.
    pub const LAMBDA_POLICY: &str = "lambdapolicy";
    /// `apigatewayv2`: an HTTP or WebSocket API (scope `""`, id = the API's id).
    pub const V2_API: &str = "v2api";
    /// An API's routes, integrations, stages (id = the stage's name) and deployments
    /// (scope = the API's id).
    pub const V2_ROUTE: &str = "v2route";
    pub const V2_INTEGRATION: &str = "v2integration";
    pub const V2_STAGE: &str = "v2stage";
    pub const V2_DEPLOYMENT: &str = "v2deployment";
    pub const V2_AUTHORIZER: &str = "v2authorizer";
    pub const V2_MODEL: &str = "v2model";
    /// A v2 VPC link (scope `""`, id = the link's id).
    pub const V2_VPC_LINK: &str = "v2vpclink";
    /// WebSocket route and integration responses (scope = the API's id, id =
    /// `{routeId}/{routeResponseId}` and `{integrationId}/{integrationResponseId}`).
    pub const V2_ROUTE_RESPONSE: &str = "v2routeresponse";
    pub const V2_INTEGRATION_RESPONSE: &str = "v2integrationresponse";
    /// Developer portals and portal products (scope `""`, id = the portal's or product's id).
    pub const V2_PORTAL: &str = "v2portal";
    pub const V2_PORTAL_PRODUCT: &str = "v2portalproduct";
    /// A portal product's pages and REST endpoint pages (scope = the product's id).
    pub const V2_PRODUCT_PAGE: &str = "v2productpage";
    pub const V2_PRODUCT_REST_ENDPOINT_PAGE: &str = "v2productrestendpointpage";
}

/// Requests counted against one API key in one usage plan on one UTC day (`YYYY-MM-DD`).
/// The data plane counts in memory and flushes batches of these in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageIncrement {
    pub tenant: Tenant,
    pub plan_id: String,
    pub key_id: String,
    pub day: String,
    pub count: i64,
}

/// A stored daily count: (key id, day `YYYY-MM-DD`, requests used).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRow {
    pub key_id: String,
    pub day: String,
    pub used: i64,
}

/// A stored document with its insertion sequence number (the stable order used for paging).
#[derive(Debug, Clone)]
pub struct Doc {
    pub seq: i64,
    pub id: String,
    pub body: Value,
}

/// A [`Doc`] whose body is shared with the store rather than copied (see [`Txn::list_shared`]).
#[derive(Debug, Clone)]
pub struct SharedDoc {
    pub seq: i64,
    pub id: String,
    pub body: Arc<Value>,
}

/// A committed change, announced after its commit to whoever subscribed to its [`Topic`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Something under this REST API that may alter what is served: a stage, a deployment, or
    /// the API itself.
    RestApi { tenant: Tenant, rest_api_id: String },
    /// Something under this `apigatewayv2` API that may alter what is served: the API (its
    /// CORS configuration), a stage, a deployment or an authorizer.
    HttpApi { tenant: Tenant, api_id: String },
    /// The tenant's API keys, usage plans, plan keys or account changed, or a key's usage was
    /// corrected (UpdateUsage) or forgotten.
    Metering { tenant: Tenant },
    /// The tenant's VPC links changed (the data plane's VPC link index).
    VpcLinks { tenant: Tenant },
    /// The tenant's custom domain names, their mappings or their routing rules changed (the data plane's domain
    /// index and the TLS listener's certificates).
    DomainNames { tenant: Tenant },
    /// The tenant's Lambda functions, versions or aliases changed (the Lambda host's cache of
    /// function configurations).
    Functions { tenant: Tenant },
}

/// Who listens to what. Each topic has its own channel, so a subscriber never wakes for
/// changes it does not care about (the deployment registry never sees metering changes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// [`Change::RestApi`]: the data plane's deployment registry, and metering (stage bindings);
    /// [`Change::HttpApi`]: the data plane's HTTP API registry;
    /// [`Change::VpcLinks`]: the data plane's VPC link index; [`Change::DomainNames`]: the
    /// domain index and the TLS certificates.
    Serving,
    /// [`Change::Metering`]: the metering index.
    Metering,
    /// [`Change::Functions`]: the Lambda host.
    Functions,
}

impl Change {
    pub fn topic(&self) -> Topic {
        match self {
            Change::RestApi { .. }
            | Change::HttpApi { .. }
            | Change::VpcLinks { .. }
            | Change::DomainNames { .. } => Topic::Serving,
            Change::Metering { .. } => Topic::Metering,
            Change::Functions { .. } => Topic::Functions,
        }
    }

    pub fn tenant(&self) -> &Tenant {
        match self {
            Change::RestApi { tenant, .. }
            | Change::HttpApi { tenant, .. }
            | Change::Metering { tenant }
            | Change::VpcLinks { tenant }
            | Change::DomainNames { tenant }
            | Change::Functions { tenant } => tenant,
        }
    }
}

/// Operations available inside a transaction, all scoped to the transaction's tenant.
///
/// The `*_shared` and `*_owned` variants exist for stores that keep documents in memory: they
/// hand out (or take in) a document without copying it. Their defaults go through the plain
/// methods, so a store without such a copy needs to implement only those.
pub trait Txn {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError>;
    /// [`Txn::get`] for callers that only look at the document.
    fn get_shared(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
    ) -> Result<Option<Arc<Value>>, StoreError> {
        Ok(self.get(kind, scope, id)?.map(Arc::new))
    }
    fn exists(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.get_shared(kind, scope, id)?.is_some())
    }
    /// [`Txn::get`] for a writer that will put the document back in this transaction (or
    /// fail it). A store may hand over its own copy instead of cloning it; until the document
    /// is written back, reading it again in the same transaction is not supported.
    fn lend(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        self.get(kind, scope, id)
    }
    /// Insert, or replace keeping the original sequence number.
    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), StoreError>;
    /// [`Txn::put`] for callers that are done with the document.
    fn put_owned(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
        body: Value,
    ) -> Result<(), StoreError> {
        self.put(kind, scope, id, &body)
    }
    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError>;
    /// Documents with `seq > after_seq`, in sequence order, at most `limit` of them.
    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError>;
    /// [`Txn::list`] for callers that only look at the documents.
    fn list_shared(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<SharedDoc>, StoreError> {
        Ok(self
            .list(kind, scope, after_seq, limit)?
            .into_iter()
            .map(|d| SharedDoc {
                seq: d.seq,
                id: d.id,
                body: Arc::new(d.body),
            })
            .collect())
    }
    /// Remove every document of every kind inside `scope` (a REST API's cascade delete).
    fn delete_scope(&mut self, scope: &str) -> Result<(), StoreError>;
}

pub trait Store: Send + Sync + 'static {
    /// Whether a call may wait on the network (a remote database), so that async callers must
    /// run it off their worker ([`offload`]). Stores say no only when they cannot.
    fn waits_on_network(&self) -> bool {
        true
    }

    /// Run `f` in a transaction. `write` transactions are serialized and durable once this
    /// returns `Ok`; read transactions see a consistent snapshot.
    fn transact(
        &self,
        tenant: &Tenant,
        write: bool,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;

    /// Every document of one kind across all tenants (for building the data plane at startup).
    fn scan(&self, kind: &str) -> Result<Vec<(Tenant, String, Doc)>, StoreError>;

    /// Remove all state of all tenants (`POST /_portico/reset`).
    fn wipe(&self) -> Result<(), StoreError>;

    /// Notifications of committed changes of one [`Topic`].
    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Change>;

    // Usage counters live beside the documents, not inside them: the data plane adds to them
    // many times a second and a read-modify-write of a JSON document per request would not
    // scale. Each call is its own transaction; never call these inside `transact`.

    /// Add every increment to its (tenant, plan, key, day) counter, all in one transaction.
    fn add_usage(&self, increments: &[UsageIncrement]) -> Result<(), StoreError>;

    /// Daily counts of `plan_id` (only `key_id` if given) for days in `from..=to`
    /// (`YYYY-MM-DD`, compared as text), ordered by key then day. Days without requests are
    /// absent.
    fn usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<UsageRow>, StoreError>;

    /// Record UpdateUsage's correction of a key's remaining quota for the quota period that
    /// starts on `period_start`: remaining = limit - used in period + adjustment.
    fn set_quota_adjustment(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        period_start: &str,
        adjustment: i64,
    ) -> Result<(), StoreError>;

    /// Every quota adjustment of `plan_id` (only `key_id` if given): (key id, period start,
    /// adjustment).
    fn quota_adjustments(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, StoreError>;

    /// Forget counters and adjustments of a usage plan (or of one key in it).
    fn delete_usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<(), StoreError>;
}

/// Typed convenience over [`Store::transact`]: run `f` and hand back its result. `f` fails with
/// the caller's own error type (a handler's wire error, say); the transaction then rolls back
/// and that error is handed back unchanged.
pub fn read<R, E: From<StoreError>>(
    store: &dyn Store,
    tenant: &Tenant,
    f: impl FnOnce(&mut dyn Txn) -> Result<R, E>,
) -> Result<R, E> {
    run(store, tenant, false, f)
}

pub fn write<R, E: From<StoreError>>(
    store: &dyn Store,
    tenant: &Tenant,
    f: impl FnOnce(&mut dyn Txn) -> Result<R, E>,
) -> Result<R, E> {
    run(store, tenant, true, f)
}

fn run<R, E: From<StoreError>>(
    store: &dyn Store,
    tenant: &Tenant,
    write: bool,
    f: impl FnOnce(&mut dyn Txn) -> Result<R, E>,
) -> Result<R, E> {
    let mut f = Some(f);
    let mut out = None;
    let mut failed = None;
    let done = store.transact(tenant, write, &mut |txn| {
        let f = f
            .take()
            .ok_or_else(|| StoreError::misuse("transaction closure ran twice"))?;
        match f(txn) {
            Ok(r) => {
                out = Some(r);
                Ok(())
            }
            Err(e) => {
                failed = Some(e);
                Err(StoreError::Aborted)
            }
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    done?;
    out.ok_or_else(|| StoreError::misuse("transaction produced no result").into())
}

/// Run store work where it cannot stall the other connections of a worker.
///
/// Every management call, and every store read an async caller makes, goes through here. For
/// a store whose calls may wait on the network ([`Store::waits_on_network`]: PostgreSQL in
/// cluster mode) the work runs on tokio's blocking pool, and the worker goes on serving while
/// it waits. The embedded store never waits on the network (reads are served from memory, a
/// commit is a write into the WAL file), and for it the hop to another thread would cost more
/// than the call: measured at +35 µs of CPU on a ~100 µs management call (bench/HISTORY.md,
/// 2026-12-07). So its work runs inline, as it always has. Outside a tokio runtime (unit tests,
/// startup) everything runs inline.
pub async fn offload<R: Send + 'static>(
    store: &dyn Store,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    if !store.waits_on_network() {
        return f();
    }
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => match handle.spawn_blocking(f).await {
            Ok(r) => r,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        },
        Err(_) => f(),
    }
}
