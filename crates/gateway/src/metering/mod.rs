//! Metering: API keys, usage plan throttles and quotas, stage and account throttles — enforced
//! in the pipeline's authorization phase (phase 3), counted in memory, flushed to the store in
//! the background.
//!
//! - `keys`: the per-tenant index (key values → plans → buckets and quotas), rebuilt off the
//!   request path whenever the store announces a change to keys, plans, plan keys, the account,
//!   a usage correction (`Store::subscribe_metering`) or a stage (`Store::subscribe`), and
//!   swapped in atomically;
//! - `throttle`: GCRA token buckets; `quota`: remaining quotas and unflushed counts;
//! - `flush`: the background flusher.
//!
//! Throttling levels, as AWS applies them: the usage plan's per-key per-method throttle (else
//! the plan's per-key throttle) — per API key; the stage's per-method setting (else `*/*`) —
//! shared by all clients of the stage; the account level — shared by all the tenant's APIs.
//! Within a level the most specific setting wins; a request must pass every level that has a
//! limit. Throttled requests are not counted against the quota.
//!
//! The key is read from the `x-api-key` header. An API whose `apiKeySource` is AUTHORIZER
//! takes it from the Lambda authorizer's `usageIdentifierKey`; Portico has no Lambda
//! authorizers yet, so such APIs read the header too until they arrive.

mod flush;
pub mod keys;
pub mod quota;
pub mod throttle;

use std::collections::{BTreeSet, HashMap};

use crate::fast_map::FastMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use time::OffsetDateTime;
use tokio::sync::broadcast::{self, error::TryRecvError};

pub use flush::spawn;
use keys::{Builder, KeyEntry, Raw, TenantIndex};
use quota::{Remaining, Usage};

use crate::rest::compile::MethodPlan;
use crate::rest::gateway_responses::{GatewayError, ResponseType};
use portico_model::quota as usage;
use portico_store::{self as store, kind, Change, Store, StoreError, Tenant};

/// Who called, once an API key was accepted: `$context.identity.apiKey`, `.apiKeyId`,
/// `$context.usagePlanId`.
#[derive(Debug, Clone)]
pub struct Identity {
    key: Arc<KeyEntry>,
    plan_id: Arc<str>,
}

impl Identity {
    pub fn api_key(&self) -> &str {
        &self.key.value
    }
    pub fn api_key_id(&self) -> &str {
        &self.key.id
    }
    pub fn usage_plan_id(&self) -> &str {
        &self.plan_id
    }
}

type UsageKey = (Tenant, String, String);

pub struct Metering {
    store: Arc<dyn Store>,
    tenants: ArcSwap<FastMap<Tenant, Arc<TenantIndex>>>,
    /// Unflushed counts per (tenant, plan, key); outlives index rebuilds.
    usage: Mutex<HashMap<UsageKey, Arc<Usage>>>,
    changes: Mutex<(broadcast::Receiver<Change>, broadcast::Receiver<Change>)>,
    /// Held by a flush and by a rebuild's flush-then-seed, so a seed never misses a batch that
    /// is on its way to the store.
    flush_lock: Mutex<()>,
}

fn invalid_key() -> GatewayError {
    GatewayError::new(ResponseType::InvalidApiKey, "Forbidden")
}

fn throttled() -> GatewayError {
    GatewayError::new(ResponseType::Throttled, "Too Many Requests")
}

impl Metering {
    pub fn new(store: Arc<dyn Store>) -> Metering {
        // Subscribe before the initial read so nothing committed in between is missed.
        let changes = Mutex::new((
            store.subscribe(store::Topic::Serving),
            store.subscribe(store::Topic::Metering),
        ));
        let m = Metering {
            store,
            tenants: ArcSwap::from_pointee(FastMap::default()),
            usage: Mutex::new(HashMap::new()),
            changes,
            flush_lock: Mutex::new(()),
        };
        m.rebuild(m.known_tenants());
        m
    }

    /// Phase 3 for one request: the API key (when the method requires one), then the
    /// throttles, then the quota. `Ok(Some(_))` names the accepted key.
    pub fn authorize(
        &self,
        tenant: &Tenant,
        api_id: &str,
        stage: &str,
        plan: &MethodPlan,
        api_key: Option<&[u8]>,
    ) -> Result<Option<Identity>, GatewayError> {
        let tenants = self.tenants.load();
        let index = tenants.get(tenant);
        let binding = if plan.api_key_required {
            let key = api_key
                .and_then(|v| std::str::from_utf8(v).ok())
                .and_then(|v| index?.keys.get(v))
                .filter(|k| k.enabled)
                .ok_or_else(invalid_key)?;
            let b = key
                .bindings
                .iter()
                .find(|b| b.api_id == api_id && b.stage == stage)
                .ok_or_else(invalid_key)?;
            let bucket = b
                .methods
                .get(&plan.resource_path, &plan.http_method)
                .or(b.key_limit.as_ref());
            if bucket.is_some_and(|b| !b.check()) {
                return Err(throttled());
            }
            Some((key, b))
        } else {
            None
        };
        if let Some(index) = index {
            let stage_bucket = index
                .stages
                .get(api_id)
                .and_then(|s| s.get(stage))
                .and_then(|m| m.get(&plan.resource_path, &plan.http_method));
            if stage_bucket.is_some_and(|b| !b.check()) {
                return Err(throttled());
            }
            if index.account.as_ref().is_some_and(|b| !b.check()) {
                return Err(throttled());
            }
        }
        let Some((key, b)) = binding else {
            return Ok(None);
        };
        if let Some(q) = &b.quota {
            if !q.take(OffsetDateTime::now_utc().unix_timestamp()) {
                return Err(GatewayError::new(
                    ResponseType::QuotaExceeded,
                    "Limit Exceeded",
                ));
            }
        }
        b.usage.count();
        Ok(Some(Identity {
            key: key.clone(),
            plan_id: b.plan_id.clone(),
        }))
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        let mut rx = self.changes.lock();
        let mut touched = BTreeSet::new();
        let mut lagged = false;
        loop {
            match rx.0.try_recv() {
                // HTTP APIs have no API keys or usage plans.
                Ok(Change::HttpApi { .. }) => {}
                Ok(c) => {
                    touched.insert(c.tenant().clone());
                }
                Err(TryRecvError::Lagged(_)) => lagged = true,
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        loop {
            match rx.1.try_recv() {
                Ok(c) => {
                    touched.insert(c.tenant().clone());
                }
                Err(TryRecvError::Lagged(_)) => lagged = true,
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if lagged {
            touched.extend(self.known_tenants());
        }
        if !touched.is_empty() {
            // Rebuild while holding the receivers so two syncs can't publish out of order.
            self.rebuild(touched);
        }
        drop(rx);
    }

    /// Every tenant with something metering may care about.
    fn known_tenants(&self) -> BTreeSet<Tenant> {
        let mut out: BTreeSet<Tenant> = self.tenants.load().keys().cloned().collect();
        for k in [kind::API_KEY, kind::STAGE, kind::ACCOUNT] {
            match self.store.scan(k) {
                Ok(docs) => out.extend(docs.into_iter().map(|(t, _, _)| t)),
                Err(e) => tracing::error!(error = %e, "metering: cannot scan {k}"),
            }
        }
        out
    }

    /// Rebuild the index of `tenants`: flush, then read the store and seed the quotas from it.
    fn rebuild(&self, tenants: BTreeSet<Tenant>) {
        let _flushing = self.flush_lock.lock();
        self.flush_locked();
        let current = self.tenants.load_full();
        let mut next = (*current).clone();
        for tenant in tenants {
            match self.build_tenant(&tenant, current.get(&tenant).map(|t| &**t)) {
                Ok(Some(idx)) => {
                    next.insert(tenant, Arc::new(idx));
                }
                Ok(None) => {
                    next.remove(&tenant);
                    self.usage.lock().retain(|(t, _, _), _| *t != tenant);
                }
                Err(e) => {
                    tracing::error!(error = %e, account = tenant.account(), "metering: cannot rebuild; keeping the previous index")
                }
            }
        }
        self.tenants.store(Arc::new(next));
    }

    fn build_tenant(
        &self,
        tenant: &Tenant,
        old: Option<&TenantIndex>,
    ) -> Result<Option<TenantIndex>, StoreError> {
        let raw = store::read(&*self.store, tenant, Raw::read)?;
        if raw.is_idle() {
            return Ok(None);
        }
        let today = usage::today();
        let now = OffsetDateTime::now_utc();
        let mut counters = self.usage.lock();
        let mut live: HashMap<UsageKey, Arc<Usage>> = HashMap::new();
        let mut failed = None;
        let index = Builder::new(old).build(
            &raw,
            |plan, key| {
                let k = (tenant.clone(), plan.to_string(), key.to_string());
                let u = counters.get(&k).cloned().unwrap_or_default();
                live.insert(k, u.clone());
                u
            },
            |plan, key, quota| {
                let pending = counters
                    .get(&(tenant.clone(), plan.to_string(), key.to_string()))
                    .map_or(0, |u| u.pending());
                match usage::remaining_on(&*self.store, tenant, plan, key, quota, today) {
                    Ok(left) => Some(Arc::new(Remaining::new(quota, left - pending, now))),
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                }
            },
        );
        if let Some(e) = failed {
            return Err(e);
        }
        counters.retain(|(t, _, _), _| t != tenant);
        counters.extend(live);
        Ok(Some(index))
    }

    /// Forget unflushed counts (before a wipe of all state).
    pub fn discard(&self) {
        let _flushing = self.flush_lock.lock();
        self.usage.lock().clear();
    }
}

#[cfg(test)]
mod tests;
