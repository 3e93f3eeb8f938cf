//! The live HTTP APIs: API id → (tenant, CORS rules, authorizers, stages), each stage holding
//! its compiled deployment. Like the REST registry: readers take an `ArcSwap` snapshot (no
//! lock, no store), [`HttpApis::sync`] rebuilds only the APIs a `Change::HttpApi` names and
//! swaps the map in, after every management call (`DataPlane::sync`), so an auto-deployed
//! change is live for the next request. Compiled deployments are reused across rebuilds (a
//! deployment never changes).
//!
//! Decision: the API's CORS configuration and its authorizers are read from the API as it is,
//! not from the deployment (which freezes routes and integrations only): AWS applies them to
//! auto-deploy stages at once, and Portico to every stage.

use std::collections::HashMap;
use std::sync::Arc;

use portico_model::v2;
use portico_model::{Entity, LoadBalancers};
use portico_store::{self as store, kind, Store, StoreError, Tenant};

use crate::v2_index::{ApiIndex, Owned};
use serde_json::{Map, Value};

use super::compile::{self, HttpDeployment};
use super::cors::CorsRules;
use super::jwt::JwtConfig;
use super::lambda_authorizer::RequestAuthorizer;
use super::params::{self, Expr};
use crate::access_log::Format;
use crate::fast_map::FastMap;
use crate::metering::cluster::Cluster;
use crate::metering::throttle::{Bucket, Limits};

pub struct HttpApi {
    pub tenant: Tenant,
    pub api_id: String,
    pub cors: Option<CorsRules>,
    pub authorizers: FastMap<String, AuthorizerPlan>,
    pub stages: FastMap<String, Arc<HttpStage>>,
    /// `disableExecuteApiEndpoint`: the `execute-api` addresses answer 403.
    pub execute_api_disabled: bool,
}

pub enum AuthorizerPlan {
    Jwt {
        config: JwtConfig,
        /// The identity source (`$request.header.Authorization`).
        identity: Expr,
    },
    /// A Lambda REQUEST authorizer.
    Request(RequestAuthorizer),
    /// One that cannot run (no function in its URI): its routes answer 500.
    Broken(String),
}

pub struct HttpStage {
    pub name: String,
    pub deployment: Arc<HttpDeployment>,
    pub variables: Map<String, Value>,
    /// Each route's bucket (by its index in the deployment), from the stage's route settings
    /// or its default route settings; `None`: not throttled.
    pub throttles: Vec<Option<Arc<Bucket>>>,
    /// `accessLogSettings.format`, parsed.
    pub access_log: Option<Format>,
}

pub struct HttpApis {
    /// Where private integrations connect (the config file's `[[load_balancers]]`).
    balancers: Arc<LoadBalancers>,
    /// Cluster mode (`--redis-url`): route throttles are buckets shared through Redis.
    cluster: Option<Arc<Cluster>>,
    index: ApiIndex<HttpApi>,
}

impl Owned for HttpApi {
    fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}

impl HttpApis {
    pub fn new(store: Arc<dyn Store>, balancers: Arc<LoadBalancers>) -> HttpApis {
        let r = HttpApis {
            balancers,
            cluster: None,
            index: ApiIndex::new(store, "HTTP API"),
        };
        r.index.rebuild_all(&|t, id, old| r.build(t, id, old));
        r
    }

    /// Cluster mode (at start, before serving): every route throttle is rebuilt as a bucket the
    /// nodes share through Redis, as REST APIs' stage and usage-plan throttles are.
    pub fn enable_cluster(&mut self, c: Arc<Cluster>) {
        self.cluster = Some(c);
        self.index.rebuild_all(&|t, id, old| self.build(t, id, old));
    }

    /// The HTTP API `api_id`; when tenants share the id, the one in `region` wins.
    pub fn api(&self, api_id: &str, region: Option<&str>) -> Option<Arc<HttpApi>> {
        self.index.api(api_id, region)
    }

    /// The API as one tenant holds it.
    pub fn api_of(&self, tenant: &Tenant, api_id: &str) -> Option<Arc<HttpApi>> {
        self.index.api_of(tenant, api_id)
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        self.index.sync(&|t, id, old| self.build(t, id, old));
    }

    /// One API from the store; `None` when it is gone, is not an HTTP API, or has no stage
    /// with a deployment.
    fn build(
        &self,
        tenant: &Tenant,
        api_id: &str,
        old: Option<&HttpApi>,
    ) -> Result<Option<HttpApi>, StoreError> {
        let mut known: HashMap<String, Arc<HttpDeployment>> = HashMap::new();
        for st in old.into_iter().flat_map(|e| e.stages.values()) {
            known.insert(st.deployment.id.clone(), st.deployment.clone());
        }
        type Read = (
            v2::Api,
            Vec<v2::Stage>,
            Vec<v2::Deployment>,
            Vec<v2::Authorizer>,
        );
        let read = store::read(
            &**self.index.store(),
            tenant,
            |txn| -> Result<Option<Read>, StoreError> {
                let Some(doc) = txn.get_shared(kind::V2_API, "", api_id)? else {
                    return Ok(None);
                };
                let api = match v2::Api::from_value(&doc) {
                    Ok(a) if a.is_http() => a,
                    Ok(_) => return Ok(None),
                    Err(e) => {
                        tracing::error!(api_id, "{e}; not served");
                        return Ok(None);
                    }
                };
                let mut stages = Vec::new();
                let mut deployments = Vec::new();
                for d in txn.list_shared(kind::V2_STAGE, api_id, 0, usize::MAX)? {
                    let Ok(stage) = v2::Stage::from_value(&d.body) else {
                        tracing::error!(api_id, stage = d.id, "stage does not read; not served");
                        continue;
                    };
                    if let Some(id) = stage.deployment_id.as_deref() {
                        if !known.contains_key(id)
                            && !deployments
                                .iter()
                                .any(|x: &v2::Deployment| x.deployment_id == id)
                        {
                            if let Some(doc) = txn.get_shared(kind::V2_DEPLOYMENT, api_id, id)? {
                                match v2::Deployment::from_value(&doc) {
                                    Ok(dep) => deployments.push(dep),
                                    Err(e) => tracing::error!(api_id, deployment = id, "{e}"),
                                }
                            }
                        }
                    }
                    stages.push(stage);
                }
                let mut authorizers = Vec::new();
                for d in txn.list_shared(kind::V2_AUTHORIZER, api_id, 0, usize::MAX)? {
                    match v2::Authorizer::from_value(&d.body) {
                        Ok(a) => authorizers.push(a),
                        Err(e) => tracing::error!(api_id, authorizer = d.id, "{e}"),
                    }
                }
                Ok(Some((api, stages, deployments, authorizers)))
            },
        )?;
        let Some((api, stages, deployments, authorizers)) = read else {
            return Ok(None);
        };
        for d in deployments {
            known.insert(
                d.deployment_id.clone(),
                Arc::new(compile::deployment(api_id, &d, &self.balancers)),
            );
        }
        let mut live = FastMap::default();
        for s in stages {
            let Some(dep) = s.deployment_id.as_deref().and_then(|id| known.get(id)) else {
                continue;
            };
            let variables = s
                .stage_variables
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let throttles = dep
                .routes
                .iter()
                .map(|r| {
                    let settings = s
                        .route_settings
                        .get(&r.key)
                        .filter(|rs| rs.throttling_rate_limit.is_some())
                        .unwrap_or(&s.default_route_settings);
                    let limits = Limits::of(
                        settings.throttling_rate_limit,
                        settings.throttling_burst_limit,
                    )?;
                    // AWS's account default is not enforced (see `metering::throttle`).
                    (limits != Limits::AWS_DEFAULT).then(|| {
                        Arc::new(match &self.cluster {
                            Some(c) => Bucket::shared(
                                limits,
                                c.bucket_key(
                                    tenant,
                                    &format!("http/{api_id}/{}/{}", s.stage_name, r.key),
                                ),
                            ),
                            None => Bucket::new(limits),
                        })
                    })
                })
                .collect();
            let access_log = s
                .access_log_settings
                .as_ref()
                .and_then(|a| a.format.as_deref())
                .filter(|f| !f.is_empty())
                .map(Format::parse);
            live.insert(
                s.stage_name.clone(),
                Arc::new(HttpStage {
                    name: s.stage_name,
                    deployment: dep.clone(),
                    variables,
                    throttles,
                    access_log,
                }),
            );
        }
        if live.is_empty() {
            return Ok(None);
        }
        let authorizers = authorizers
            .into_iter()
            .map(|a| {
                let plan = match (a.authorizer_type.as_str(), &a.jwt_configuration) {
                    ("JWT", Some(j)) => AuthorizerPlan::Jwt {
                        config: JwtConfig {
                            issuer: j.issuer.clone().unwrap_or_default(),
                            audience: j.audience.clone().unwrap_or_default(),
                        },
                        identity: params::parse(
                            a.identity_source
                                .first()
                                .map_or("$request.header.Authorization", String::as_str),
                        ),
                    },
                    _ => request_authorizer(&a),
                };
                (a.authorizer_id, plan)
            })
            .collect();
        Ok(Some(HttpApi {
            tenant: tenant.clone(),
            api_id: api_id.to_string(),
            cors: api.cors_configuration.as_ref().map(CorsRules::new),
            execute_api_disabled: api.disable_execute_api_endpoint,
            authorizers,
            stages: live,
        }))
    }
}

fn request_authorizer(a: &v2::Authorizer) -> AuthorizerPlan {
    let uri = a.authorizer_uri.as_deref().unwrap_or_default();
    let Some(function) = compile::lambda_function(uri) else {
        return AuthorizerPlan::Broken(format!("authorizer {} names no function", a.authorizer_id));
    };
    AuthorizerPlan::Request(RequestAuthorizer {
        id: a.authorizer_id.clone(),
        function: function.to_string(),
        v2: a.authorizer_payload_format_version.as_deref() == Some("2.0"),
        simple: a.enable_simple_responses == Some(true),
        ttl: std::time::Duration::from_secs(
            a.authorizer_result_ttl_in_seconds
                .unwrap_or(0)
                .clamp(0, 3600) as u64,
        ),
        identity: a.identity_source.iter().map(|s| params::parse(s)).collect(),
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

    fn api_doc(protocol: &str) -> Value {
        json!({"apiId": "a1", "name": "n", "protocolType": protocol, "apiEndpoint": "x",
               "apiKeySelectionExpression": "k", "createdDate": "d",
               "routeSelectionExpression": "r", "corsConfiguration": {"allowOrigins": ["*"]}})
    }

    fn deployment(id: &str, key: &str) -> Value {
        json!({"deploymentId": id, "createdDate": "d", "deploymentStatus": "DEPLOYED",
               "_routes": [{"routeId": "r", "routeKey": key, "authorizationType": "NONE"}]})
    }

    fn stage(deployment: &str) -> Value {
        json!({"stageName": "$default", "createdDate": "d", "lastUpdatedDate": "d",
               "deploymentId": deployment, "stageVariables": {"v": "1"}})
    }

    #[test]
    fn http_apis_are_built_from_the_store_and_follow_its_changes() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let t = tenant();
        store::write(&*store, &t, |tx| {
            tx.put(kind::V2_API, "", "a1", &api_doc("HTTP"))?;
            tx.put(kind::V2_DEPLOYMENT, "a1", "d1", &deployment("d1", "GET /a"))?;
            tx.put(kind::V2_STAGE, "a1", "$default", &stage("d1"))
        })
        .unwrap();
        let apis = HttpApis::new(store.clone(), Arc::default());
        let api = apis.api("a1", None).unwrap();
        assert!(api.cors.is_some());
        let st = &api.stages["$default"];
        assert_eq!(st.variables["v"], "1");
        assert!(st
            .deployment
            .router
            .find(&hyper::Method::GET, "/a")
            .is_some());
        let first = st.deployment.clone();

        // A new deployment (auto-deploy) swaps in after sync; the old one is untouched.
        store::write(&*store, &t, |tx| {
            tx.put(kind::V2_DEPLOYMENT, "a1", "d2", &deployment("d2", "GET /b"))?;
            tx.put(kind::V2_STAGE, "a1", "$default", &stage("d2"))
        })
        .unwrap();
        apis.sync();
        let api = apis.api("a1", Some("us-east-1")).unwrap();
        let d = &api.stages["$default"].deployment;
        assert!(d.router.find(&hyper::Method::GET, "/b").is_some());
        assert!(first.router.find(&hyper::Method::GET, "/a").is_some());
        assert!(apis.api_of(&t, "a1").is_some());

        // WebSocket APIs are not served here; a deleted API goes.
        store::write(&*store, &t, |tx| {
            tx.put(kind::V2_API, "", "a1", &api_doc("WEBSOCKET"))
        })
        .unwrap();
        apis.sync();
        assert!(apis.api("a1", None).is_none());
        store::write(&*store, &t, |tx| {
            tx.put(kind::V2_API, "", "a1", &api_doc("HTTP"))
        })
        .unwrap();
        apis.sync();
        assert!(apis.api("a1", None).is_some());
        store::write(&*store, &t, |tx| {
            tx.delete(kind::V2_API, "", "a1")?;
            tx.delete_scope("a1")
        })
        .unwrap();
        apis.sync();
        assert!(apis.api("a1", None).is_none());
    }
}
