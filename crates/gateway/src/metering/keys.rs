//! The per-tenant index the hot path reads: API key values → key and the plans binding it to
//! API stages (with their per-key buckets and quotas), stage method throttles, the account
//! throttle. Built off the request path from one read of the store; see `Metering::sync`.

use std::collections::HashMap;

use crate::fast_map::FastMap;
use std::sync::Arc;

use serde_json::Value;

use super::cluster::Cluster;
use super::quota::{Remaining, Usage};
use super::throttle::{Bucket, Limits, MethodLimits};
use portico_model::account::{self, Account};
use portico_model::quota::Quota;
use portico_model::{ApiKey, Entity, Stage, UsagePlan, UsagePlanKey};
use portico_store::StoreError;
use portico_store::{kind, Tenant, Txn};

/// Everything metering knows of one tenant.
#[derive(Debug, Default)]
pub struct TenantIndex {
    /// The account-level throttle (shared by all the tenant's APIs).
    pub account: Option<Arc<Bucket>>,
    /// API id → stage name → the stage's method throttles (shared by all clients).
    pub stages: FastMap<String, FastMap<String, MethodLimits>>,
    /// Key value → key.
    pub keys: FastMap<String, Arc<KeyEntry>>,
    /// Every bucket by a name saying what it throttles, so a rebuild keeps the state of buckets
    /// whose limits did not change.
    buckets: HashMap<String, Arc<Bucket>>,
}

#[derive(Debug)]
pub struct KeyEntry {
    pub id: String,
    pub value: String,
    pub enabled: bool,
    pub bindings: Vec<Binding>,
}

/// A key's membership in a usage plan, for one of the plan's API stages.
#[derive(Debug)]
pub struct Binding {
    pub api_id: String,
    pub stage: String,
    pub plan_id: Arc<str>,
    /// Per-key per-method throttles (`apiStages[].throttle`).
    pub methods: MethodLimits,
    /// The plan's per-key throttle.
    pub key_limit: Option<Arc<Bucket>>,
    pub quota: Option<Arc<Remaining>>,
    pub usage: Arc<Usage>,
}

/// What the index is built from, read in one transaction and decoded into the entities' typed
/// documents (off the request path). A document that does not decode is logged and left out:
/// one bad key or plan must not take the tenant's metering down.
#[derive(Debug, Default)]
pub struct Raw {
    pub account: Account,
    /// (API id, stage).
    pub stages: Vec<(String, Stage)>,
    pub keys: Vec<ApiKey>,
    /// (plan, ids of its keys).
    pub plans: Vec<(UsagePlan, Vec<String>)>,
}

/// Decode a stored document, or log why it is skipped.
fn decode<T: Entity>(doc: &Value, id: &str) -> Option<T> {
    T::from_value(doc)
        .map_err(|e| tracing::error!(id, "metering: skipping a document: {e}"))
        .ok()
}

impl Raw {
    pub fn read(txn: &mut dyn Txn) -> Result<Raw, StoreError> {
        let account = match account::load(txn) {
            Err(StoreError::Document(e)) => {
                tracing::error!("metering: the account reads as AWS's defaults: {e}");
                Account::default()
            }
            other => other?,
        };
        let mut raw = Raw {
            account,
            ..Raw::default()
        };
        for api in txn.list_shared(kind::REST_API, "", 0, usize::MAX)? {
            for st in txn.list_shared(kind::STAGE, &api.id, 0, usize::MAX)? {
                if let Some(stage) = decode(&st.body, &st.id) {
                    raw.stages.push((api.id.clone(), stage));
                }
            }
        }
        for key in txn.list_shared(kind::API_KEY, "", 0, usize::MAX)? {
            raw.keys.extend(decode(&key.body, &key.id));
        }
        for plan in txn.list_shared(kind::USAGE_PLAN, "", 0, usize::MAX)? {
            let Some(typed) = decode::<UsagePlan>(&plan.body, &plan.id) else {
                continue;
            };
            let mut keys = Vec::new();
            for member in txn.list_shared(kind::USAGE_PLAN_KEY, &plan.id, 0, usize::MAX)? {
                keys.extend(decode::<UsagePlanKey>(&member.body, &member.id).map(|k| k.id));
            }
            raw.plans.push((typed, keys));
        }
        Ok(raw)
    }

    /// Nothing to enforce: the tenant needs no index at all.
    pub fn is_idle(&self) -> bool {
        self.keys.is_empty() && account_limits(&self.account).is_none() && {
            self.stages.iter().all(|(_, st)| {
                MethodLimits::of_method_settings(&st.method_settings, |_, l| {
                    Arc::new(Bucket::new(l))
                })
                .is_empty()
            })
        }
    }
}

/// The account throttle, when set to something other than AWS's default (see
/// [`Limits::AWS_DEFAULT`]) through `update_account`'s Portico extension.
fn account_limits(account: &Account) -> Option<Limits> {
    Limits::of_throttle(&account.throttle_settings).filter(|l| *l != Limits::AWS_DEFAULT)
}

/// Builds a [`TenantIndex`], reusing the previous index's buckets where limits match.
pub struct Builder<'a> {
    old: Option<&'a TenantIndex>,
    buckets: HashMap<String, Arc<Bucket>>,
    /// Cluster mode: buckets are shared through Redis, named by tenant and `name`.
    shared: Option<(&'a Cluster, &'a Tenant)>,
}

impl<'a> Builder<'a> {
    pub fn new(old: Option<&'a TenantIndex>) -> Builder<'a> {
        Builder {
            old,
            buckets: HashMap::new(),
            shared: None,
        }
    }

    /// Share the buckets through `cluster`'s Redis.
    pub fn shared(mut self, cluster: &'a Cluster, tenant: &'a Tenant) -> Builder<'a> {
        self.shared = Some((cluster, tenant));
        self
    }

    fn bucket(&mut self, name: String, limits: Limits) -> Arc<Bucket> {
        let b = self
            .old
            .and_then(|o| o.buckets.get(&name))
            .filter(|b| b.limits == limits)
            .cloned()
            .unwrap_or_else(|| {
                Arc::new(match self.shared {
                    Some((c, tenant)) => Bucket::shared(limits, c.bucket_key(tenant, &name)),
                    None => Bucket::new(limits),
                })
            });
        self.buckets.insert(name, b.clone());
        b
    }

    /// `usage(plan, key)` gives the key's usage counter; `remaining(plan, key, quota)` its
    /// remaining quota as stored, less what is counted but not flushed.
    pub fn build(
        mut self,
        raw: &Raw,
        mut usage: impl FnMut(&str, &str) -> Arc<Usage>,
        mut remaining: impl FnMut(&str, &str, Quota) -> Option<Arc<Remaining>>,
    ) -> TenantIndex {
        let account = account_limits(&raw.account).map(|l| self.bucket("account".into(), l));
        let mut stages: FastMap<String, FastMap<String, MethodLimits>> = FastMap::default();
        for (api_id, st) in &raw.stages {
            let name = &st.stage_name;
            let limits = MethodLimits::of_method_settings(&st.method_settings, |k, l| {
                self.bucket(format!("stage/{api_id}/{name}/{k}"), l)
            });
            if !limits.is_empty() {
                stages
                    .entry(api_id.clone())
                    .or_default()
                    .insert(name.clone(), limits);
            }
        }
        // Key id → the plans it is in.
        let mut plans_of: HashMap<&str, Vec<&UsagePlan>> = HashMap::new();
        for (plan, keys) in &raw.plans {
            for k in keys {
                plans_of.entry(k.as_str()).or_default().push(plan);
            }
        }
        let mut keys = FastMap::default();
        for k in &raw.keys {
            let id = k.id.as_str();
            let mut bindings = Vec::new();
            for plan in plans_of.get(id).into_iter().flatten() {
                let plan_id: Arc<str> = Arc::from(plan.id.as_str());
                let key_limit = plan
                    .throttle
                    .as_ref()
                    .and_then(Limits::of_throttle)
                    .map(|l| self.bucket(format!("plan/{plan_id}/{id}"), l));
                let quota = Quota::of_plan(plan).and_then(|q| remaining(&plan_id, id, q));
                let usage = usage(&plan_id, id);
                for s in &plan.api_stages {
                    let (api_id, stage) = (&s.api_id, &s.stage);
                    let methods = MethodLimits::of_plan_stage(s.throttle.as_ref(), |m, l| {
                        self.bucket(format!("plan/{plan_id}/{id}/{api_id}/{stage}{m}"), l)
                    });
                    bindings.push(Binding {
                        api_id: api_id.clone(),
                        stage: stage.clone(),
                        plan_id: plan_id.clone(),
                        methods,
                        key_limit: key_limit.clone(),
                        quota: quota.clone(),
                        usage: usage.clone(),
                    });
                }
            }
            keys.insert(
                k.value.clone(),
                Arc::new(KeyEntry {
                    id: k.id.clone(),
                    value: k.value.clone(),
                    enabled: k.enabled,
                    bindings,
                }),
            );
        }
        TenantIndex {
            account,
            stages,
            keys,
            buckets: self.buckets,
        }
    }
}
