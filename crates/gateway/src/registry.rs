//! The live map of what is deployed: API id → (tenant, stages), each stage holding its compiled
//! deployment (and canary). Readers take an `ArcSwap` snapshot (no lock, no store); writers
//! rebuild only the APIs a store change touched and swap the whole map in. An in-flight request
//! keeps the `Arc`s it resolved, so a redeploy never pulls the floor from under it.
//!
//! Freshness: the store announces committed stage/deployment/API changes. [`Registry::sync`]
//! drains those announcements and recompiles; it runs from a background task on every
//! announcement, and synchronously after every management call, so a client that updates a
//! stage and then invokes always sees its update.

use std::collections::{BTreeSet, HashMap};

use crate::fast_map::FastMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use serde_json::{Map, Value};
use tokio::sync::broadcast::{self, error::TryRecvError};

use super::access_log::Format;
use super::compile::{self, Deployment};
use super::metrics::{Metrics, StageMetrics};
use portico_model::DeploymentSnapshot;
use portico_store::{self as store, kind, Store, StoreError, Tenant};

/// Kind of the frozen deployment documents the stages branch writes.
pub const SNAPSHOT_KIND: &str = "deploymentsnapshot";

#[derive(Default)]
struct Routes {
    apis: FastMap<String, Vec<Arc<ApiEntry>>>,
}

pub struct ApiEntry {
    pub tenant: Tenant,
    pub api_id: String,
    pub stages: FastMap<String, Arc<LiveStage>>,
}

pub struct LiveStage {
    pub name: String,
    pub tenant: Tenant,
    pub api_id: String,
    pub deployment: Arc<Deployment>,
    pub variables: Map<String, Value>,
    pub canary: Option<Canary>,
    pub access_log: Option<Format>,
    pub metrics: StageMetrics,
}

pub struct Canary {
    /// 0.0 – 100.0.
    pub percent: f64,
    pub deployment: Arc<Deployment>,
    /// Stage variables with `stageVariableOverrides` applied.
    pub variables: Map<String, Value>,
}

pub struct Registry {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    routes: ArcSwap<Routes>,
    changes: Mutex<broadcast::Receiver<store::Change>>,
}

impl Registry {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Registry {
        // Subscribe before the initial scan so nothing committed in between is missed.
        let changes = Mutex::new(store.subscribe(store::Topic::Serving));
        let r = Registry {
            store,
            metrics,
            routes: ArcSwap::from_pointee(Routes::default()),
            changes,
        };
        r.rebuild_all();
        r
    }

    /// The API `api_id`; when tenants share the id, the one in `region` wins, else the first.
    pub fn api(&self, api_id: &str, region: Option<&str>) -> Option<Arc<ApiEntry>> {
        let routes = self.routes.load();
        let list = routes.apis.get(api_id)?;
        region
            .and_then(|r| list.iter().find(|e| e.tenant.region() == r))
            .or_else(|| list.first())
            .cloned()
    }

    /// The API as seen by one tenant (test-invoke, tenant-aware callers).
    pub fn api_of(&self, tenant: &Tenant, api_id: &str) -> Option<Arc<ApiEntry>> {
        let routes = self.routes.load();
        routes
            .apis
            .get(api_id)?
            .iter()
            .find(|e| &e.tenant == tenant)
            .cloned()
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        let mut rx = self.changes.lock();
        let mut touched = BTreeSet::new();
        loop {
            match rx.try_recv() {
                Ok(store::Change::RestApi {
                    tenant,
                    rest_api_id,
                }) => {
                    touched.insert((tenant, rest_api_id));
                }
                Ok(_) => {}
                Err(TryRecvError::Lagged(_)) => {
                    // Announcements were lost: rebuild everything from the store.
                    drop(rx);
                    self.rebuild_all();
                    return;
                }
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if touched.is_empty() {
            return;
        }
        let current = self.routes.load_full();
        let mut apis = current.apis.clone();
        for (tenant, api_id) in touched {
            let old = apis
                .get(&api_id)
                .and_then(|l| l.iter().find(|e| e.tenant == tenant).cloned());
            let fresh = match self.build_api(&tenant, &api_id, old.as_deref()) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(api_id, error = %e, "cannot rebuild deployed API; keeping the previous one");
                    continue;
                }
            };
            let list = apis.entry(api_id.clone()).or_default();
            list.retain(|e| e.tenant != tenant);
            if let Some(entry) = fresh {
                list.push(Arc::new(entry));
            }
            if list.is_empty() {
                apis.remove(&api_id);
            }
        }
        self.routes.store(Arc::new(Routes { apis }));
        // Hold the receiver lock until the swap so two syncs can't publish out of order.
        drop(rx);
    }

    fn rebuild_all(&self) {
        let stages = match self.store.scan(kind::STAGE) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot scan stages");
                return;
            }
        };
        let keys: BTreeSet<(Tenant, String)> =
            stages.into_iter().map(|(t, scope, _)| (t, scope)).collect();
        let mut apis: FastMap<String, Vec<Arc<ApiEntry>>> = FastMap::default();
        for (tenant, api_id) in keys {
            match self.build_api(&tenant, &api_id, None) {
                Ok(Some(e)) => apis.entry(api_id).or_default().push(Arc::new(e)),
                Ok(None) => {}
                Err(e) => tracing::error!(api_id, error = %e, "cannot build deployed API"),
            }
        }
        self.routes.store(Arc::new(Routes { apis }));
    }

    /// Build one API's stages from the store, reusing compiled deployments of `old` (a
    /// deployment snapshot never changes once written).
    fn build_api(
        &self,
        tenant: &Tenant,
        api_id: &str,
        old: Option<&ApiEntry>,
    ) -> Result<Option<ApiEntry>, StoreError> {
        let mut known: HashMap<String, Arc<Deployment>> = HashMap::new();
        for st in old.into_iter().flat_map(|e| e.stages.values()) {
            known.insert(st.deployment.id.clone(), st.deployment.clone());
            if let Some(c) = &st.canary {
                known.insert(c.deployment.id.clone(), c.deployment.clone());
            }
        }
        let stages = store::read(&*self.store, tenant, |txn| -> Result<_, StoreError> {
            let docs = txn.list_shared(kind::STAGE, api_id, 0, usize::MAX)?;
            let mut out = Vec::new();
            for d in docs {
                let mut deps = Vec::new();
                for id in deployment_ids(&d.body) {
                    if known.contains_key(&id) || deps.iter().any(|(k, _)| k == &id) {
                        continue;
                    }
                    if let Some(snap) = txn.get_shared(SNAPSHOT_KIND, api_id, &id)? {
                        deps.push((id, snap));
                    }
                }
                out.push((d.id, d.body, deps));
            }
            Ok(out)
        })?;
        let mut map = FastMap::default();
        for (name, doc, snaps) in stages {
            for (id, snap) in snaps {
                // A snapshot that does not read back is not served (and says so), rather than
                // taking the API's other stages down with it.
                match DeploymentSnapshot::from_document(&snap) {
                    Ok(snap) => {
                        known.insert(id.clone(), Arc::new(compile::deployment(&id, &snap)));
                    }
                    Err(e) => tracing::error!(api_id, deployment = id, "{e}"),
                }
            }
            match live_stage(tenant, api_id, &name, &doc, &known, &self.metrics) {
                Some(st) => {
                    map.insert(name, Arc::new(st));
                }
                None => tracing::warn!(
                    api_id,
                    stage = name,
                    "stage has no deployment snapshot; not served"
                ),
            }
        }
        if map.is_empty() {
            return Ok(None);
        }
        Ok(Some(ApiEntry {
            tenant: tenant.clone(),
            api_id: api_id.to_string(),
            stages: map,
        }))
    }
}

fn deployment_ids(stage: &Value) -> Vec<String> {
    let mut ids = Vec::new();
    if let Some(id) = stage.get("deploymentId").and_then(Value::as_str) {
        ids.push(id.to_string());
    }
    if let Some(id) = stage
        .pointer("/canarySettings/deploymentId")
        .and_then(Value::as_str)
    {
        ids.push(id.to_string());
    }
    ids
}

fn live_stage(
    tenant: &Tenant,
    api_id: &str,
    name: &str,
    doc: &Value,
    known: &HashMap<String, Arc<Deployment>>,
    metrics: &Metrics,
) -> Option<LiveStage> {
    let deployment = known.get(doc.get("deploymentId")?.as_str()?)?.clone();
    let variables = compile::variables(doc.get("variables"));
    let canary = doc.get("canarySettings").and_then(|c| {
        let dep = known.get(c.get("deploymentId")?.as_str()?)?.clone();
        let percent = c
            .get("percentTraffic")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            .clamp(0.0, 100.0);
        let mut vars = variables.clone();
        for (k, v) in compile::variables(c.get("stageVariableOverrides")) {
            vars.insert(k, v);
        }
        Some(Canary {
            percent,
            deployment: dep,
            variables: vars,
        })
    });
    let access_log = doc
        .pointer("/accessLogSettings/format")
        .and_then(Value::as_str)
        .filter(|f| !f.is_empty())
        .map(Format::parse);
    Some(LiveStage {
        name: name.to_string(),
        tenant: tenant.clone(),
        api_id: api_id.to_string(),
        deployment,
        variables,
        canary,
        access_log,
        metrics: metrics.stage(api_id, name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_store::SqliteStore;
    use serde_json::json;

    fn tenant() -> Tenant {
        Tenant::aws("000000000000", "us-east-1")
    }

    fn snap(status: u16) -> Value {
        json!({"api": {"id": "api1"}, "resources": [{"id": "r", "path": "/",
            "resourceMethods": {"GET": {"methodIntegration": {"type": "MOCK",
                "requestTemplates": {"application/json": format!("{{\"statusCode\": {status}}}")},
                "integrationResponses": {"200": {"statusCode": "200"}}}}}}]})
    }

    #[test]
    fn stage_changes_swap_in_after_sync() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let t = tenant();
        store::write(&*store, &t, |tx| {
            tx.put(SNAPSHOT_KIND, "api1", "d1", &snap(200))?;
            tx.put(
                kind::STAGE,
                "api1",
                "prod",
                &json!({"stageName": "prod", "deploymentId": "d1"}),
            )
        })
        .unwrap();
        let reg = Registry::new(store.clone(), Arc::new(Metrics::new()));
        let first = reg.api("api1", None).unwrap().stages["prod"]
            .deployment
            .clone();
        assert_eq!(first.id, "d1");
        assert!(reg.api("nope", None).is_none());

        store::write(&*store, &t, |tx| {
            tx.put(SNAPSHOT_KIND, "api1", "d2", &snap(201))?;
            tx.put(
                kind::STAGE,
                "api1",
                "prod",
                &json!({"stageName": "prod", "deploymentId": "d2",
                "canarySettings": {"deploymentId": "d1", "percentTraffic": 30.0,
                                   "stageVariableOverrides": {"v": "canary"}},
                "variables": {"v": "main"}}),
            )
        })
        .unwrap();
        reg.sync();
        let api = reg.api("api1", Some("us-east-1")).unwrap();
        let st = &api.stages["prod"];
        assert_eq!(st.deployment.id, "d2");
        let canary = st.canary.as_ref().unwrap();
        assert!(
            Arc::ptr_eq(&canary.deployment, &first),
            "unchanged deployments are reused"
        );
        assert_eq!(canary.variables["v"], "canary");
        assert_eq!(st.variables["v"], "main");
        // The old Arc held by an in-flight request is still intact.
        assert_eq!(first.resources.len(), 1);

        store::write(&*store, &t, |tx| tx.delete(kind::STAGE, "api1", "prod")).unwrap();
        reg.sync();
        assert!(reg.api("api1", None).is_none());
    }
}
