//! Metering: API keys, usage plan throttles and quotas, stage and account throttles — enforced
//! in the pipeline's authorization phase (phase 3), counted in memory, flushed to the store in
//! the background.
//!
//! - `keys`: the per-tenant index (key values → plans → buckets and quotas), rebuilt off the
//!   request path whenever the store announces a change to keys, plans, plan keys, the account,
//!   a usage correction (`Store::subscribe_metering`) or a stage (`Store::subscribe`), and
//!   swapped in atomically;
//! - `throttle`: GCRA token buckets; `quota`: remaining quotas and unflushed counts;
//! - `flush`: the background flusher;
//! - `cluster` (and `lease`): cluster mode (`--redis-url`): quotas, counts and buckets shared by every node
//!   through Redis, spent from local leases (ARCHITECTURE.md, "Cluster mode").
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

pub mod cluster;
mod flush;
pub mod keys;
pub mod lease;
pub mod quota;
pub mod throttle;

use std::collections::{BTreeSet, HashMap};

use crate::fast_map::FastMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use time::OffsetDateTime;
use tokio::sync::broadcast::{self, error::TryRecvError};

use cluster::{Cluster, Lease, Local};
pub use flush::spawn;
use keys::{Builder, KeyEntry, Raw, TenantIndex};
use portico_model::quota::Quota;
use quota::{Remaining, Usage};
use std::sync::atomic::Ordering;
use throttle::Bucket;

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

enum Step {
    Done(Option<Identity>),
    /// Redis must be asked.
    Wait(Box<Slow>),
}

/// Phase 3's remaining checks once Redis is needed: the throttle levels left, in order, and
/// the accepted key with its binding's quota.
struct Slow {
    buckets: Vec<Arc<Bucket>>,
    key: Option<(Arc<KeyEntry>, SlowBinding)>,
}

struct SlowBinding {
    plan_id: Arc<str>,
    quota: Option<Quota>,
    usage: Arc<Usage>,
}

impl From<&keys::Binding> for SlowBinding {
    fn from(b: &keys::Binding) -> SlowBinding {
        SlowBinding {
            plan_id: b.plan_id.clone(),
            quota: b.quota.as_ref().map(|q| q.quota),
            usage: b.usage.clone(),
        }
    }
}

pub struct Metering {
    store: Arc<dyn Store>,
    tenants: ArcSwap<FastMap<Tenant, Arc<TenantIndex>>>,
    /// Unflushed counts per (tenant, plan, key); outlives index rebuilds.
    usage: Mutex<HashMap<UsageKey, Arc<Usage>>>,
    changes: Mutex<(broadcast::Receiver<Change>, broadcast::Receiver<Change>)>,
    /// Held by a flush and by a rebuild's flush-then-seed, so a seed never misses a batch that
    /// is on its way to the store.
    flush_lock: Mutex<()>,
    /// Cluster mode (`--redis-url`): counts, quotas and buckets shared through Redis.
    cluster: Option<Arc<Cluster>>,
}

fn invalid_key() -> GatewayError {
    GatewayError::new(ResponseType::InvalidApiKey, "Forbidden")
}

fn throttled() -> GatewayError {
    GatewayError::new(ResponseType::Throttled, "Too Many Requests")
}

fn limit_exceeded() -> GatewayError {
    GatewayError::new(ResponseType::QuotaExceeded, "Limit Exceeded")
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
            cluster: None,
        };
        m.rebuild(m.known_tenants());
        m
    }

    /// Phase 3 for one request: the API key (when the method requires one), then the
    /// throttles, then the quota. `Ok(Some(_))` names the accepted key. Awaits only in cluster
    /// mode, when a lease of Redis's tokens or quota runs out.
    pub async fn authorize(
        &self,
        tenant: &Tenant,
        api_id: &str,
        stage: &str,
        plan: &MethodPlan,
        api_key: Option<&[u8]>,
    ) -> Result<Option<Identity>, GatewayError> {
        match self.authorize_now(tenant, api_id, stage, plan, api_key)? {
            Step::Done(who) => Ok(who),
            Step::Wait(slow) => self.finish(tenant, *slow).await,
        }
    }

    /// [`Metering::authorize`] without cluster mode, where nothing waits.
    #[cfg(test)]
    pub fn authorize_local(
        &self,
        tenant: &Tenant,
        api_id: &str,
        stage: &str,
        plan: &MethodPlan,
        api_key: Option<&[u8]>,
    ) -> Result<Option<Identity>, GatewayError> {
        match self.authorize_now(tenant, api_id, stage, plan, api_key)? {
            Step::Done(who) => Ok(who),
            Step::Wait(_) => panic!("local metering never waits for Redis"),
        }
    }

    /// Everything that can be decided without Redis.
    fn authorize_now(
        &self,
        tenant: &Tenant,
        api_id: &str,
        stage: &str,
        plan: &MethodPlan,
        api_key: Option<&[u8]>,
    ) -> Result<Step, GatewayError> {
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
            Some((key, b))
        } else {
            None
        };
        let levels = [
            binding.and_then(|(_, b)| {
                b.methods
                    .get(&plan.resource_path, &plan.http_method)
                    .or(b.key_limit.as_ref())
            }),
            index
                .and_then(|i| i.stages.get(api_id))
                .and_then(|s| s.get(stage))
                .and_then(|m| m.get(&plan.resource_path, &plan.http_method)),
            index.and_then(|i| i.account.as_ref()),
        ];
        for (n, level) in levels.iter().enumerate() {
            match level.map(|b| b.decide()) {
                None | Some(Local::Pass) => {}
                Some(Local::Refuse) => return Err(throttled()),
                Some(Local::Ask) => {
                    let buckets = levels[n..].iter().flatten().map(|b| (*b).clone()).collect();
                    return Ok(Step::Wait(Box::new(Slow {
                        buckets,
                        key: binding.map(|(k, b)| (k.clone(), b.into())),
                    })));
                }
            }
        }
        let Some((key, b)) = binding else {
            return Ok(Step::Done(None));
        };
        if let Some(q) = &b.quota {
            let now = OffsetDateTime::now_utc().unix_timestamp();
            if self.cluster.is_some() {
                if !b.usage.lease.take(now) {
                    return Ok(Step::Wait(Box::new(Slow {
                        buckets: Vec::new(),
                        key: Some((key.clone(), b.into())),
                    })));
                }
            } else if !q.take(now) {
                return Err(limit_exceeded());
            }
        }
        Ok(Step::Done(Some(self.served(key, &b.plan_id, &b.usage))))
    }

    /// The accepted request is counted.
    fn served(&self, key: &Arc<KeyEntry>, plan_id: &Arc<str>, usage: &Usage) -> Identity {
        usage.count();
        if self.cluster.is_some() {
            usage.lease.unpushed.fetch_add(1, Ordering::Relaxed);
        }
        Identity {
            key: key.clone(),
            plan_id: plan_id.clone(),
        }
    }

    /// The rest of phase 3 once Redis is needed (cluster mode only).
    async fn finish(&self, tenant: &Tenant, slow: Slow) -> Result<Option<Identity>, GatewayError> {
        let Some(c) = &self.cluster else {
            return Err(GatewayError::config(
                "metering: a shared bucket without a cluster",
            ));
        };
        for b in &slow.buckets {
            self.pass(c, b).await?;
        }
        let Some((key, b)) = slow.key else {
            return Ok(None);
        };
        if let Some(quota) = b.quota {
            self.quota_slow(c, tenant, &b.plan_id, &key.id, quota, &b.usage)
                .await?;
        }
        Ok(Some(self.served(&key, &b.plan_id, &b.usage)))
    }

    /// One bucket outside usage plans (an HTTP API route's throttle): through Redis when the
    /// bucket is shared and this node's lease can't tell, else this node's own.
    pub async fn admit(&self, b: &Bucket) -> Result<(), GatewayError> {
        match &self.cluster {
            Some(c) if b.cluster().is_some() => self.pass(c, b).await,
            _ if b.check() => Ok(()),
            _ => Err(throttled()),
        }
    }

    /// One throttle level, through Redis when the lease can't tell.
    async fn pass(&self, c: &Cluster, b: &Bucket) -> Result<(), GatewayError> {
        match b.decide() {
            Local::Pass => return Ok(()),
            Local::Refuse => return Err(throttled()),
            Local::Ask => {}
        }
        if let (Some(shared), true) = (b.cluster(), c.is_up()) {
            match shared.ask(c).await {
                Ok(true) => return Ok(()),
                Ok(false) => return Err(throttled()),
                Err(e) => c.failed(&e),
            }
        }
        // Redis is unreachable: fail open falls back to this node's own bucket.
        c.unavailable()?;
        if b.check() {
            Ok(())
        } else {
            Err(throttled())
        }
    }

    /// The quota once the key's lease is spent: a new lease from Redis (seeding the period's
    /// record from the store the first time), else the failure mode.
    async fn quota_slow(
        &self,
        c: &Cluster,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        quota: Quota,
        usage: &Usage,
    ) -> Result<(), GatewayError> {
        let l = &usage.lease;
        let _one = l.refill.lock().await;
        let now = OffsetDateTime::now_utc().unix_timestamp();
        if l.take(now) {
            return Ok(());
        }
        let (start, end) = cluster::period_at(quota, now);
        let rkey = c.quota_key(tenant, plan_id, key_id, &start);
        for _ in 0..3 {
            if !c.is_up() {
                break;
            }
            match c.quota_lease(&rkey, quota.limit).await {
                Ok(Lease::Granted { tokens, .. }) => {
                    if tokens <= 0 {
                        return Err(limit_exceeded());
                    }
                    l.at.store(now, Ordering::Release);
                    l.period_end.store(end, Ordering::Release);
                    l.tokens.store(tokens - 1, Ordering::Release);
                    return Ok(());
                }
                // Rare (once per key, period and Redis lifetime): a store read on this
                // worker, like a management call's.
                Ok(Lease::Missing) => {
                    if let Err(e) = self.seed(c, tenant, plan_id, key_id, &start, end) {
                        c.failed(&e);
                    }
                }
                Ok(Lease::NewEpoch) => self.renew_epoch(c),
                Err(e) => c.failed(&e),
            }
        }
        c.unavailable()?;
        l.unleased.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Create the period's quota record in Redis from the store, plus what this node served
    /// and has not written yet. If this node created it, what it had not pushed is in it.
    fn seed(
        &self,
        c: &Cluster,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        start: &str,
        end: i64,
    ) -> Result<(), String> {
        let _flushing = self.flush_lock.lock();
        let u = self
            .usage
            .lock()
            .get(&(tenant.clone(), plan_id.to_string(), key_id.to_string()))
            .cloned()
            .unwrap_or_default();
        let (unpushed, unleased) = (
            u.lease.unpushed.load(Ordering::Acquire),
            u.lease.unleased.load(Ordering::Acquire),
        );
        let today = usage::format_day(usage::today());
        let rows = self
            .store
            .usage(tenant, plan_id, Some(key_id), start, &today)
            .map_err(|e| e.to_string())?;
        let adjustment = self
            .store
            .quota_adjustments(tenant, plan_id, Some(key_id))
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|(_, p, _)| p == start)
            .map_or(0, |(_, _, a)| a);
        let mut days: Vec<(String, i64)> = Vec::new();
        for r in rows {
            match days.iter_mut().find(|(d, _)| *d == r.day) {
                Some((_, n)) => *n += r.used,
                None => days.push((r.day, r.used)),
            }
        }
        let pending = u.pending();
        if pending > 0 {
            match days.iter_mut().find(|(d, _)| *d == today) {
                Some((_, n)) => *n += pending,
                None => days.push((today, pending)),
            }
        }
        let key = c.quota_key(tenant, plan_id, key_id, start);
        match c.seed(&key, end, adjustment, &days) {
            Ok(Some(true)) => {
                u.lease.unpushed.fetch_sub(unpushed, Ordering::AcqRel);
                u.lease.unleased.fetch_sub(unleased, Ordering::AcqRel);
                Ok(())
            }
            Ok(Some(false)) => Ok(()),
            Ok(None) => {
                c.stale_epoch();
                Err("Redis lost its data".into())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    /// Learn Redis's epoch again; if it lost its data, forget what was leased from it and
    /// what it was not told (the store has those requests and re-seeds the records).
    fn renew_epoch(&self, c: &Cluster) {
        match c.probe() {
            Ok(true) => self.renew_epoch_lost(),
            Ok(false) => {}
            Err(e) => c.failed(&e),
        }
    }

    fn renew_epoch_lost(&self) {
        for u in self.usage.lock().values() {
            let l = &u.lease;
            l.tokens.store(0, Ordering::Release);
            l.period_end.store(0, Ordering::Release);
            l.unpushed.store(0, Ordering::Release);
            l.unleased.store(0, Ordering::Release);
        }
        tracing::warn!("metering: Redis lost its data; quota records are re-seeded from the store");
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
        let builder = match &self.cluster {
            Some(c) => Builder::new(old).shared(c, tenant),
            None => Builder::new(old),
        };
        let index = builder.build(
            &raw,
            |plan, key| {
                let k = (tenant.clone(), plan.to_string(), key.to_string());
                let u: Arc<Usage> = counters.get(&k).cloned().unwrap_or_default();
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
        // The flusher pushes counts to the record of the key's current quota period.
        for k in index.keys.values() {
            for b in &k.bindings {
                *b.usage.lease.quota.lock() = b.quota.as_ref().map(|q| q.quota);
            }
        }
        counters.retain(|(t, _, _), _| t != tenant);
        counters.extend(live);
        Ok(Some(index))
    }

    /// Turn cluster mode on (at start, before serving): reach Redis once (it may be down:
    /// the flusher keeps trying) and rebuild every index with shared buckets.
    pub fn enable_cluster(&mut self, c: Arc<Cluster>) {
        if let Err(e) = c.probe() {
            c.failed(&e);
        }
        self.cluster = Some(c);
        self.tenants.store(Arc::default());
        self.rebuild(self.known_tenants());
    }

    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.as_ref()
    }

    /// Forget unflushed counts (before a wipe of all state).
    pub fn discard(&self) {
        let _flushing = self.flush_lock.lock();
        self.usage.lock().clear();
    }
}

#[cfg(test)]
mod tests;
