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
use super::metrics::{Metrics, StageMetrics};
use crate::cache::{CacheStore, StageCache};
use crate::integrations::tls::{ClientCert, Tls};
use crate::rest::compile::{self, Deployment};
use portico_model::{ClientCertificate, DeploymentSnapshot, Entity, IndexMap, Stage};
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
    /// `clientCertificateId`, ready to present to `https://` backends.
    pub client_cert: Option<ClientCert>,
    /// `cacheClusterEnabled`: the stage cache and the method settings it follows.
    pub cache: Option<StageCache>,
}

impl LiveStage {
    /// The cache an invocation uses: the stage's, unless it runs the canary and the canary
    /// does not use the stage cache (`useStageCache`).
    pub fn cache_for(&self, is_canary: Option<bool>) -> Option<&StageCache> {
        match (&self.canary, is_canary) {
            (Some(c), Some(true)) if !c.use_stage_cache => None,
            _ => self.cache.as_ref(),
        }
    }
}

pub struct Canary {
    /// 0.0 – 100.0.
    pub percent: f64,
    pub deployment: Arc<Deployment>,
    /// Stage variables with `stageVariableOverrides` applied.
    pub variables: Map<String, Value>,
    pub use_stage_cache: bool,
}

pub struct Registry {
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    tls: Arc<Tls>,
    /// Stage caches by (tenant, API, stage), kept across rebuilds of their stage.
    caches: Mutex<HashMap<(Tenant, String, String), Arc<CacheStore>>>,
    routes: ArcSwap<Routes>,
    changes: Mutex<broadcast::Receiver<store::Change>>,
}

impl Registry {
    pub fn new(store: Arc<dyn Store>, metrics: Arc<Metrics>) -> Registry {
        Registry::with_tls(store, metrics, Arc::default())
    }

    /// The registry, building stages' client certificates over `tls`'s roots.
    pub fn with_tls(store: Arc<dyn Store>, metrics: Arc<Metrics>, tls: Arc<Tls>) -> Registry {
        // Subscribe before the initial scan so nothing committed in between is missed.
        let changes = Mutex::new(store.subscribe(store::Topic::Serving));
        let r = Registry {
            store,
            metrics,
            tls,
            caches: Mutex::new(HashMap::new()),
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

    /// FlushStageCache: empty the stage's cache. False if the stage has none.
    pub fn flush_cache(&self, tenant: &Tenant, api_id: &str, stage: &str) -> bool {
        let key = (tenant.clone(), api_id.to_string(), stage.to_string());
        match self.caches.lock().get(&key) {
            Some(c) => {
                c.flush();
                true
            }
            None => false,
        }
    }

    /// The stage's cache store: the one it had if its size is unchanged, else a new one.
    fn cache_store(
        &self,
        tenant: &Tenant,
        api_id: &str,
        stage: &str,
        size: &str,
    ) -> Arc<CacheStore> {
        let key = (tenant.clone(), api_id.to_string(), stage.to_string());
        let mut caches = self.caches.lock();
        match caches.get(&key) {
            Some(c) if c.size == size => c.clone(),
            _ => {
                let (hits, misses) = self.metrics.cache_counters(api_id, stage);
                let c = Arc::new(CacheStore::new(size, hits, misses));
                caches.insert(key, c.clone());
                c
            }
        }
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
        self.caches.lock().retain(|(t, a, _), _| {
            apis.get(a)
                .is_some_and(|l| l.iter().any(|e| &e.tenant == t))
        });
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
                // A stage that does not read back is not served (and says so), rather than
                // taking the API's other stages down with it.
                let stage = match Stage::from_value(&d.body) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(api_id, stage = d.id, "{e}; not served");
                        continue;
                    }
                };
                let mut deps = Vec::new();
                for id in deployment_ids(&stage) {
                    if known.contains_key(id) || deps.iter().any(|(k, _)| k == id) {
                        continue;
                    }
                    if let Some(snap) = txn.get_shared(SNAPSHOT_KIND, api_id, id)? {
                        deps.push((id.to_string(), snap));
                    }
                }
                let cert = match stage.client_certificate_id.as_deref() {
                    Some(id) if !id.is_empty() => {
                        txn.get_shared(kind::CLIENT_CERTIFICATE, "", id)?
                    }
                    _ => None,
                };
                out.push((d.id, stage, deps, cert));
            }
            Ok(out)
        })?;
        let mut map = FastMap::default();
        for (name, stage, snaps, cert) in stages {
            for (id, snap) in snaps {
                // Likewise a snapshot that does not read back.
                match DeploymentSnapshot::from_document(&snap) {
                    Ok(snap) => {
                        known.insert(id.clone(), Arc::new(compile::deployment(&id, &snap)));
                    }
                    Err(e) => tracing::error!(api_id, deployment = id, "{e}"),
                }
            }
            let client_cert = cert.and_then(|doc| {
                let built = ClientCertificate::from_value(&doc)
                    .map_err(|e| e.to_string())
                    .and_then(|c| {
                        self.tls.client_cert(
                            &c.client_certificate_id,
                            &c.pem_encoded_certificate,
                            &c.private_key_pem,
                        )
                    });
                built
                    .map_err(|e| {
                        tracing::error!(
                            api_id,
                            stage = name,
                            "client certificate: {e}; not presented"
                        )
                    })
                    .ok()
            });
            let cache = stage.cache_cluster_enabled.then(|| {
                let size = stage.cache_cluster_size.as_deref().unwrap_or("0.5");
                StageCache::new(
                    self.cache_store(tenant, api_id, &name, size),
                    &stage.method_settings,
                )
            });
            match live_stage(tenant, api_id, &name, &stage, &known, &self.metrics) {
                Some(mut st) => {
                    st.client_cert = client_cert;
                    st.cache = cache;
                    map.insert(name, Arc::new(st));
                }
                None => tracing::warn!(
                    api_id,
                    stage = name,
                    "stage has no deployment snapshot; not served"
                ),
            }
        }
        // Caches of stages gone, or no longer cached, go with them.
        self.caches.lock().retain(|(t, a, s), _| {
            t != tenant
                || a != api_id
                || map
                    .get(s.as_str())
                    .is_some_and(|st: &Arc<LiveStage>| st.cache.is_some())
        });
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

/// The deployments a stage serves: its own, and its canary's.
fn deployment_ids(stage: &Stage) -> impl Iterator<Item = &str> {
    std::iter::once(stage.deployment_id.as_str()).chain(
        stage
            .canary_settings
            .as_ref()
            .map(|c| c.deployment_id.as_str()),
    )
}

/// Stage variables as the templates and mappings read them (`$stageVariables`).
fn variables(vars: Option<&IndexMap<String, String>>) -> Map<String, Value> {
    vars.into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect()
}

fn live_stage(
    tenant: &Tenant,
    api_id: &str,
    name: &str,
    stage: &Stage,
    known: &HashMap<String, Arc<Deployment>>,
    metrics: &Metrics,
) -> Option<LiveStage> {
    let deployment = known.get(&stage.deployment_id)?.clone();
    let variables = variables(stage.variables.as_ref());
    let canary = stage.canary_settings.as_ref().and_then(|c| {
        let dep = known.get(&c.deployment_id)?.clone();
        let mut vars = variables.clone();
        vars.extend(self::variables(c.stage_variable_overrides.as_ref()));
        Some(Canary {
            percent: c.percent_traffic.clamp(0.0, 100.0),
            deployment: dep,
            variables: vars,
            use_stage_cache: c.use_stage_cache,
        })
    });
    let access_log = stage
        .access_log_settings
        .as_ref()
        .and_then(|a| a.format.as_deref())
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
        client_cert: None,
        cache: None,
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

    #[test]
    fn a_stage_cache_outlives_rebuilds_until_resized_or_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let t = tenant();
        let put_stage = |stage: Value| {
            store::write(&*store, &t, |tx| {
                tx.put(SNAPSHOT_KIND, "api1", "d1", &snap(200))?;
                tx.put(kind::STAGE, "api1", "prod", &stage)
            })
            .unwrap();
        };
        put_stage(json!({"stageName": "prod", "deploymentId": "d1",
                         "cacheClusterEnabled": true, "cacheClusterSize": "0.5"}));
        let reg = Registry::new(store.clone(), Arc::new(Metrics::new()));
        let cache = |reg: &Registry| {
            reg.api("api1", None).unwrap().stages["prod"]
                .cache
                .as_ref()
                .map(|c| c.store.clone())
        };
        let first = cache(&reg).unwrap();
        put_stage(
            json!({"stageName": "prod", "deploymentId": "d1", "description": "x",
                         "cacheClusterEnabled": true, "cacheClusterSize": "0.5"}),
        );
        reg.sync();
        assert!(
            Arc::ptr_eq(&first, &cache(&reg).unwrap()),
            "kept across a rebuild"
        );
        assert!(reg.flush_cache(&t, "api1", "prod"));
        put_stage(json!({"stageName": "prod", "deploymentId": "d1",
                         "cacheClusterEnabled": true, "cacheClusterSize": "1.6"}));
        reg.sync();
        let resized = cache(&reg).unwrap();
        assert!(!Arc::ptr_eq(&first, &resized));
        assert_eq!(resized.capacity, crate::cache::capacity_of("1.6"));
        put_stage(json!({"stageName": "prod", "deploymentId": "d1", "cacheClusterEnabled": false}));
        reg.sync();
        assert!(cache(&reg).is_none());
        assert!(!reg.flush_cache(&t, "api1", "prod"));
    }

    #[test]
    fn a_stage_that_does_not_read_is_skipped_not_the_api() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        store::write(&*store, &tenant(), |tx| {
            tx.put(SNAPSHOT_KIND, "api1", "d1", &snap(200))?;
            tx.put(
                kind::STAGE,
                "api1",
                "prod",
                &json!({"stageName": "prod", "deploymentId": "d1"}),
            )?;
            // No deployment, and variables that are not strings.
            tx.put(
                kind::STAGE,
                "api1",
                "bad",
                &json!({"stageName": "bad", "variables": {"v": 1}}),
            )
        })
        .unwrap();
        let reg = Registry::new(store, Arc::new(Metrics::new()));
        let api = reg.api("api1", None).unwrap();
        assert!(api.stages.contains_key("prod"));
        assert!(!api.stages.contains_key("bad"));
    }
}
