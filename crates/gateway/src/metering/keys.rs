//! The per-tenant index the hot path reads: API key values → key and the plans binding it to
//! API stages (with their per-key buckets and quotas), stage method throttles, the account
//! throttle. Built off the request path from one read of the store; see `Metering::sync`.

use std::collections::HashMap;

use crate::fast_map::FastMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::quota::{Remaining, Usage};
use super::throttle::{Bucket, Limits, MethodLimits};
use portico_model::account;
use portico_model::quota as usage;
use portico_model::quota::Quota;
use portico_store::StoreError;
use portico_store::{kind, Txn};

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

/// What the index is built from, read in one transaction. Documents are shared with the store,
/// not copied: a rebuild reads every stage, key and plan of the tenant.
#[derive(Debug, Default)]
pub struct Raw {
    pub account: Map<String, Value>,
    /// (API id, stage doc).
    pub stages: Vec<(String, Arc<Value>)>,
    pub keys: Vec<Arc<Value>>,
    /// (plan doc, ids of its keys).
    pub plans: Vec<(Arc<Value>, Vec<String>)>,
}

impl Raw {
    pub fn read(txn: &mut dyn Txn) -> Result<Raw, StoreError> {
        let mut raw = Raw {
            account: account::load(txn)?,
            ..Raw::default()
        };
        for api in txn.list_shared(kind::REST_API, "", 0, usize::MAX)? {
            for st in txn.list_shared(kind::STAGE, &api.id, 0, usize::MAX)? {
                raw.stages.push((api.id.clone(), st.body));
            }
        }
        raw.keys = txn
            .list_shared(kind::API_KEY, "", 0, usize::MAX)?
            .into_iter()
            .map(|d| d.body)
            .collect();
        for plan in txn.list_shared(kind::USAGE_PLAN, "", 0, usize::MAX)? {
            if !plan.body.is_object() {
                continue;
            }
            let keys = txn
                .list_shared(kind::USAGE_PLAN_KEY, &plan.id, 0, usize::MAX)?
                .into_iter()
                .map(|d| d.id)
                .collect();
            raw.plans.push((plan.body, keys));
        }
        Ok(raw)
    }

    /// Nothing to enforce: the tenant needs no index at all.
    pub fn is_idle(&self) -> bool {
        self.keys.is_empty() && account_limits(&self.account).is_none() && {
            self.stages.iter().all(|(_, st)| {
                MethodLimits::of_method_settings(settings(st), |_, l| Arc::new(Bucket::new(l)))
                    .is_empty()
            })
        }
    }
}

fn settings(stage: &Value) -> Option<&Map<String, Value>> {
    stage.get("methodSettings").and_then(Value::as_object)
}

/// The account throttle, when set to something other than AWS's default (see
/// [`Limits::AWS_DEFAULT`]) through `update_account`'s Portico extension.
fn account_limits(account: &Map<String, Value>) -> Option<Limits> {
    Limits::of(account.get("throttleSettings")?, "rateLimit", "burstLimit")
        .filter(|l| *l != Limits::AWS_DEFAULT)
}

/// Builds a [`TenantIndex`], reusing the previous index's buckets where limits match.
pub struct Builder<'a> {
    old: Option<&'a TenantIndex>,
    buckets: HashMap<String, Arc<Bucket>>,
}

impl<'a> Builder<'a> {
    pub fn new(old: Option<&'a TenantIndex>) -> Builder<'a> {
        Builder {
            old,
            buckets: HashMap::new(),
        }
    }

    fn bucket(&mut self, name: String, limits: Limits) -> Arc<Bucket> {
        let b = self
            .old
            .and_then(|o| o.buckets.get(&name))
            .filter(|b| b.limits == limits)
            .cloned()
            .unwrap_or_else(|| Arc::new(Bucket::new(limits)));
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
            let Some(name) = st.get("stageName").and_then(Value::as_str) else {
                continue;
            };
            let limits = MethodLimits::of_method_settings(settings(st), |k, l| {
                self.bucket(format!("stage/{api_id}/{name}/{k}"), l)
            });
            if !limits.is_empty() {
                stages
                    .entry(api_id.clone())
                    .or_default()
                    .insert(name.to_string(), limits);
            }
        }
        // Key id → the plans it is in.
        let mut plans_of: HashMap<&str, Vec<&Map<String, Value>>> = HashMap::new();
        for (plan, keys) in &raw.plans {
            let Some(plan) = plan.as_object() else {
                continue;
            };
            for k in keys {
                plans_of.entry(k.as_str()).or_default().push(plan);
            }
        }
        let mut keys = FastMap::default();
        for k in &raw.keys {
            let (Some(id), Some(value)) = (
                k.get("id").and_then(Value::as_str),
                k.get("value").and_then(Value::as_str),
            ) else {
                continue;
            };
            let mut bindings = Vec::new();
            for plan in plans_of.get(id).into_iter().flatten() {
                let Some(plan_id) = plan.get("id").and_then(Value::as_str) else {
                    continue;
                };
                let plan_id: Arc<str> = Arc::from(plan_id);
                let key_limit = plan
                    .get("throttle")
                    .and_then(|t| Limits::of(t, "rateLimit", "burstLimit"))
                    .map(|l| self.bucket(format!("plan/{plan_id}/{id}"), l));
                let quota = usage::Quota::of_plan(plan).and_then(|q| remaining(&plan_id, id, q));
                let usage = usage(&plan_id, id);
                let stages = plan.get("apiStages").and_then(Value::as_array);
                for s in stages.into_iter().flatten() {
                    let (Some(api_id), Some(stage)) = (
                        s.get("apiId").and_then(Value::as_str),
                        s.get("stage").and_then(Value::as_str),
                    ) else {
                        continue;
                    };
                    let throttle = s.get("throttle").and_then(Value::as_object);
                    let methods = MethodLimits::of_plan_stage(throttle, |m, l| {
                        self.bucket(format!("plan/{plan_id}/{id}/{api_id}/{stage}{m}"), l)
                    });
                    bindings.push(Binding {
                        api_id: api_id.to_string(),
                        stage: stage.to_string(),
                        plan_id: plan_id.clone(),
                        methods,
                        key_limit: key_limit.clone(),
                        quota: quota.clone(),
                        usage: usage.clone(),
                    });
                }
            }
            keys.insert(
                value.to_string(),
                Arc::new(KeyEntry {
                    id: id.to_string(),
                    value: value.to_string(),
                    enabled: k.get("enabled").and_then(Value::as_bool) == Some(true),
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
