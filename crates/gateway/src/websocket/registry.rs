//! The live WebSocket APIs: API id → (tenant, route selection, authorizers, stages), each stage
//! holding its compiled deployment. Built like `http::registry` (an `ArcSwap` snapshot read
//! without a lock, rebuilt for the APIs a `Change::HttpApi` names — the same announcement, the
//! same `apigatewayv2` documents), so nothing on a connection's path reads the store.
//!
//! A deployment compiles to: route key → [`WsRoute`] (its authorization, its integration, and
//! whether it is two-way: a route response keyed `$default`), and integrations with their
//! request templates and integration responses parsed once.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use portico_model::v2;
use portico_model::Entity;
use portico_store::{self as store, kind, Store, StoreError, Tenant};

use crate::v2_index::{ApiIndex, Owned};
use serde_json::{Map, Value};

use crate::fast_map::FastMap;
use crate::http::compile::lambda_function;
use crate::http::lambda_authorizer::RequestAuthorizer;
use crate::http::params::{self, Expr};

pub struct WsApi {
    pub tenant: Tenant,
    pub api_id: String,
    /// `routeSelectionExpression` (`$request.body.action`), parsed.
    pub route_selection: Expr,
    pub authorizers: FastMap<String, Authorizer>,
    pub stages: FastMap<String, Arc<WsStage>>,
    /// `disableExecuteApiEndpoint`: the `execute-api` addresses refuse the handshake (403).
    pub execute_api_disabled: bool,
}

pub enum Authorizer {
    /// A Lambda REQUEST authorizer (WebSocket APIs' are payload 1.0, IAM-policy answers).
    Request(RequestAuthorizer),
    /// One that cannot run (no function in its URI): `$connect` answers 500.
    Broken(String),
}

pub struct WsStage {
    pub name: String,
    pub deployment: Arc<WsDeployment>,
    pub variables: Map<String, Value>,
    /// `accessLogSettings.format`, parsed: one line per event (connect, message, disconnect).
    pub access_log: Option<crate::access_log::Format>,
}

pub struct WsDeployment {
    pub id: String,
    pub routes: FastMap<String, WsRoute>,
}

pub struct WsRoute {
    pub key: String,
    pub auth: RouteAuth,
    pub integration: Option<Arc<WsIntegration>>,
    /// A route response keyed `$default` exists: the integration's answer goes back to the
    /// client (`RouteResponseSelectionExpression` `$default`, the only one AWS accepts).
    pub two_way: bool,
}

pub enum RouteAuth {
    None,
    Iam,
    /// A Lambda REQUEST authorizer, by id (only `$connect` may have one).
    Custom(String),
}

pub enum IntegrationKind {
    Mock,
    /// `HTTP` (templates apply) or `HTTP_PROXY` (the message is sent as it is).
    Http {
        url: String,
        method: hyper::Method,
        proxy: bool,
    },
    /// `AWS_PROXY` (the WebSocket event) or `AWS` (templates) to a Lambda function.
    Lambda {
        function: String,
        proxy: bool,
    },
    /// Anything else (an AWS service other than Lambda): answered with an internal error.
    Unsupported(String),
}

pub struct WsIntegration {
    pub kind: IntegrationKind,
    /// `requestTemplates`, by key (`$default` also under `\$default`).
    pub templates: Templates,
    pub template_selection: Option<Expr>,
    /// `passthroughBehavior` (`WHEN_NO_MATCH` by default).
    pub passthrough: String,
    pub responses: Vec<WsIntegrationResponse>,
    pub timeout: Duration,
}

pub struct WsIntegrationResponse {
    /// `$default`, a status code, or `/regex/`.
    pub key: String,
    pub pattern: Option<regex::Regex>,
    pub templates: Templates,
    pub template_selection: Option<Expr>,
}

impl WsIntegration {
    /// The request template for `selected` (the template selection expression's value), else
    /// `$default`'s; `None`: no template applies.
    pub fn request_template(
        &self,
        selected: Option<&str>,
    ) -> Option<&Result<vtl::Template, String>> {
        pick_template(&self.templates, selected)
    }

    /// The integration response for `status` (exact key, then a `/regex/` one, then
    /// `$default`).
    pub fn response_for(&self, status: u16) -> Option<&WsIntegrationResponse> {
        let code = status.to_string();
        self.responses
            .iter()
            .find(|r| r.key == code)
            .or_else(|| {
                self.responses
                    .iter()
                    .find(|r| r.pattern.as_ref().is_some_and(|p| p.is_match(&code)))
            })
            .or_else(|| self.responses.iter().find(|r| is_default(&r.key)))
    }
}

impl WsIntegrationResponse {
    pub fn template(&self, selected: Option<&str>) -> Option<&Result<vtl::Template, String>> {
        pick_template(&self.templates, selected)
    }
}

/// `$default` is also written escaped (`\$default`) in keys and selection expressions.
pub fn is_default(key: &str) -> bool {
    key == "$default" || key == "\\$default"
}

fn pick_template<'a>(
    templates: &'a Templates,
    selected: Option<&str>,
) -> Option<&'a Result<vtl::Template, String>> {
    selected
        .filter(|s| !s.is_empty())
        .and_then(|s| templates.iter().find(|(k, _)| k == s))
        .or_else(|| templates.iter().find(|(k, _)| is_default(k)))
        .map(|(_, t)| t)
}

pub struct WsApis {
    index: ApiIndex<WsApi>,
}

impl Owned for WsApi {
    fn tenant(&self) -> &Tenant {
        &self.tenant
    }
}

impl WsApis {
    pub fn new(store: Arc<dyn Store>) -> WsApis {
        let r = WsApis {
            index: ApiIndex::new(store, "WebSocket API"),
        };
        r.index.rebuild_all(&|t, id, old| r.build(t, id, old));
        r
    }

    /// The WebSocket API `api_id`; when tenants share the id, the one in `region` wins.
    pub fn api(&self, api_id: &str, region: Option<&str>) -> Option<Arc<WsApi>> {
        self.index.api(api_id, region)
    }

    /// The API as one tenant holds it.
    pub fn api_of(&self, tenant: &Tenant, api_id: &str) -> Option<Arc<WsApi>> {
        self.index.api_of(tenant, api_id)
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        self.index.sync(&|t, id, old| self.build(t, id, old));
    }

    /// One API from the store; `None` when it is gone, is not a WebSocket API, or has no
    /// stage with a deployment.
    fn build(
        &self,
        tenant: &Tenant,
        api_id: &str,
        old: Option<&WsApi>,
    ) -> Result<Option<WsApi>, StoreError> {
        let mut known: HashMap<String, Arc<WsDeployment>> = HashMap::new();
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
                    Ok(a) if a.is_websocket() => a,
                    _ => return Ok(None),
                };
                let mut stages = Vec::new();
                let mut deployments = Vec::new();
                for d in txn.list_shared(kind::V2_STAGE, api_id, 0, usize::MAX)? {
                    let Ok(stage) = v2::Stage::from_value(&d.body) else {
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
                    if let Ok(a) = v2::Authorizer::from_value(&d.body) {
                        authorizers.push(a);
                    }
                }
                Ok(Some((api, stages, deployments, authorizers)))
            },
        )?;
        let Some((api, stages, deployments, authorizers)) = read else {
            return Ok(None);
        };
        for d in deployments {
            known.insert(d.deployment_id.clone(), Arc::new(compile(&d)));
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
            let access_log = s
                .access_log_settings
                .as_ref()
                .and_then(|a| a.format.as_deref())
                .filter(|f| !f.is_empty())
                .map(crate::access_log::Format::parse);
            live.insert(
                s.stage_name.clone(),
                Arc::new(WsStage {
                    name: s.stage_name,
                    deployment: dep.clone(),
                    variables,
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
                let uri = a.authorizer_uri.as_deref().unwrap_or_default();
                let plan = match lambda_function(uri) {
                    Some(f) => Authorizer::Request(RequestAuthorizer {
                        id: a.authorizer_id.clone(),
                        function: f.to_string(),
                        v2: false,
                        simple: false,
                        ttl: Duration::from_secs(
                            a.authorizer_result_ttl_in_seconds
                                .unwrap_or(0)
                                .clamp(0, 3600) as u64,
                        ),
                        identity: a
                            .identity_source
                            .iter()
                            .map(|s| identity_source(s))
                            .collect(),
                    }),
                    None => Authorizer::Broken(format!(
                        "authorizer {} names no function",
                        a.authorizer_id
                    )),
                };
                (a.authorizer_id, plan)
            })
            .collect();
        Ok(Some(WsApi {
            tenant: tenant.clone(),
            api_id: api_id.to_string(),
            route_selection: params::parse(&api.route_selection_expression),
            authorizers,
            stages: live,
            execute_api_disabled: api.disable_execute_api_endpoint,
        }))
    }
}

/// A WebSocket identity source (`route.request.header.Auth`, `route.request.querystring.t`,
/// `stageVariables.v`, `context.c`) as the expression HTTP APIs write (`$request.header.Auth`…).
fn identity_source(s: &str) -> Expr {
    let s = s.trim();
    let expr = if let Some(rest) = s.strip_prefix("route.request.") {
        format!("$request.{rest}")
    } else if s.starts_with("stageVariables.") || s.starts_with("context.") {
        format!("${s}")
    } else {
        s.to_string()
    };
    params::parse(&expr)
}

type Templates = Vec<(String, Result<vtl::Template, String>)>;

fn templates<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> Templates {
    map.into_iter()
        .map(|(k, src)| {
            (
                k.clone(),
                vtl::Template::parse(src).map_err(|e| format!("template {k}: {e}")),
            )
        })
        .collect()
}

fn selection(e: Option<&str>) -> Option<Expr> {
    e.filter(|s| !s.is_empty()).map(params::parse)
}

/// A deployment's frozen routes, integrations and responses, compiled.
pub fn compile(d: &v2::Deployment) -> WsDeployment {
    let mut responses: HashMap<String, Vec<WsIntegrationResponse>> = HashMap::new();
    for doc in &d.integration_responses {
        let Ok(r) = v2::IntegrationResponse::from_value(doc) else {
            continue;
        };
        let key = r.integration_response_key.clone();
        let pattern = key
            .strip_prefix('/')
            .and_then(|k| k.strip_suffix('/'))
            .and_then(|p| regex::Regex::new(&format!("^(?:{p})$")).ok());
        responses
            .entry(r.integration_id.clone())
            .or_default()
            .push(WsIntegrationResponse {
                key,
                pattern,
                templates: templates(r.response_templates.iter().flatten()),
                template_selection: selection(r.template_selection_expression.as_deref()),
            });
    }
    let mut integrations: HashMap<String, Arc<WsIntegration>> = HashMap::new();
    for doc in &d.integrations {
        let Ok(i) = v2::Integration::from_value(doc) else {
            continue;
        };
        let uri = i.integration_uri.clone().unwrap_or_default();
        let method = i
            .integration_method
            .as_deref()
            .and_then(|m| hyper::Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(hyper::Method::POST);
        let kind = match i.integration_type.as_str() {
            "MOCK" => IntegrationKind::Mock,
            "HTTP" | "HTTP_PROXY" => IntegrationKind::Http {
                url: uri,
                method,
                proxy: i.integration_type == "HTTP_PROXY",
            },
            t @ ("AWS" | "AWS_PROXY") => match lambda_function(&uri) {
                Some(f) => IntegrationKind::Lambda {
                    function: f.to_string(),
                    proxy: t == "AWS_PROXY",
                },
                None => IntegrationKind::Unsupported(format!("{t} integration to {uri}")),
            },
            other => IntegrationKind::Unsupported(other.to_string()),
        };
        integrations.insert(
            i.integration_id.clone(),
            Arc::new(WsIntegration {
                kind,
                templates: templates(i.request_templates.iter().flatten()),
                template_selection: selection(i.template_selection_expression.as_deref()),
                passthrough: i
                    .passthrough_behavior
                    .clone()
                    .unwrap_or_else(|| "WHEN_NO_MATCH".into()),
                responses: responses.remove(&i.integration_id).unwrap_or_default(),
                timeout: Duration::from_millis(i.timeout_in_millis.clamp(50, 29_000) as u64),
            }),
        );
    }
    let mut two_way = BTreeSet::new();
    for doc in &d.route_responses {
        if let Ok(r) = v2::RouteResponse::from_value(doc) {
            if is_default(&r.route_response_key) {
                two_way.insert(r.route_id);
            }
        }
    }
    let mut routes = FastMap::default();
    for doc in &d.routes {
        let Ok(r) = v2::Route::from_value(doc) else {
            continue;
        };
        let auth = match (r.authorization_type.as_str(), &r.authorizer_id) {
            ("AWS_IAM", _) => RouteAuth::Iam,
            ("CUSTOM", Some(id)) => RouteAuth::Custom(id.clone()),
            _ => RouteAuth::None,
        };
        let integration = r
            .integration_id()
            .and_then(|id| integrations.get(id).cloned());
        routes.insert(
            r.route_key.clone(),
            WsRoute {
                key: r.route_key.clone(),
                auth,
                integration,
                two_way: two_way.contains(&r.route_id),
            },
        );
    }
    WsDeployment {
        id: d.deployment_id.clone(),
        routes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_deployment_compiles_routes_responses_and_templates() {
        let d = v2::Deployment::from_value(&json!({
            "deploymentId": "d1", "createdDate": "x", "deploymentStatus": "DEPLOYED",
            "_routes": [
                {"routeId": "r1", "routeKey": "echo", "authorizationType": "NONE",
                 "target": "integrations/i1"},
                {"routeId": "r2", "routeKey": "$connect", "authorizationType": "CUSTOM",
                 "authorizerId": "a1", "target": "integrations/i1"}],
            "_integrations": [{"integrationId": "i1", "integrationType": "MOCK",
                "connectionType": "INTERNET", "payloadFormatVersion": "1.0",
                "timeoutInMillis": 29000, "templateSelectionExpression": "\\$default",
                "requestTemplates": {"$default": "{\"statusCode\": 200}"}}],
            "_routeResponses": [{"routeResponseId": "rr", "routeResponseKey": "$default",
                                 "_routeId": "r1"}],
            "_integrationResponses": [
                {"integrationResponseId": "ir1", "integrationResponseKey": "/2\\d\\d/",
                 "_integrationId": "i1", "responseTemplates": {"$default": "ok"}},
                {"integrationResponseId": "ir2", "integrationResponseKey": "$default",
                 "_integrationId": "i1"}]
        }))
        .unwrap();
        let c = compile(&d);
        let echo = &c.routes["echo"];
        assert!(echo.two_way);
        assert!(!c.routes["$connect"].two_way);
        assert!(matches!(&c.routes["$connect"].auth, RouteAuth::Custom(a) if a == "a1"));
        let i = echo.integration.as_ref().unwrap();
        assert!(i.request_template(Some("other")).is_some());
        assert_eq!(i.response_for(201).unwrap().key, "/2\\d\\d/");
        assert_eq!(i.response_for(500).unwrap().key, "$default");
    }
}
