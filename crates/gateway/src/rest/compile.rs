//! A deployment snapshot (`deploymentsnapshot` document) compiled into what the hot path runs:
//! a routing trie, and per method a plan with parsed templates, compiled validators, parsed
//! parameter mappings and the integration URI split into parts. Compiled once per deployment;
//! immutable afterwards and shared by every stage (and canary) pointing at it.
//!
//! A method whose configuration cannot run (a template that does not parse, a missing
//! integration) still compiles: its plan carries the reason, and invoking it answers AWS's 500
//! `Internal server error` — the rest of the API keeps serving.

use super::resource_policy::ResourcePolicy;
use std::sync::Arc;
use std::time::Duration;

use portico_model::{self as model, DeploymentSnapshot, Entity, IndexMap, Method};
use regex::Regex;
use serde_json::{Map, Value};

use super::gateway_responses::GatewayResponses;
use super::lambda_authorizer::LambdaAuthorizer;
use super::mapping::{self, RequestTarget, Source};
use super::router::Router;
use super::template::Template;
use super::validate::{Checks, Loc, Models};
use crate::cache::KeyPart;
use crate::integrations::http::Endpoint;
use crate::integrations::tls::TlsSettings;

/// AWS's default and maximum integration timeout for REST APIs.
pub const DEFAULT_TIMEOUT: Duration =
    Duration::from_millis(model::integration::DEFAULT_TIMEOUT_MILLIS as u64);

#[derive(Debug)]
pub struct Deployment {
    pub id: String,
    pub api_id: String,
    pub router: Router,
    pub resources: Vec<Resource>,
    pub gateway_responses: GatewayResponses,
    pub binary_media_types: Vec<String>,
    /// `apiKeySource: AUTHORIZER`: API keys come from Lambda authorizers' `usageIdentifierKey`.
    pub api_key_from_authorizer: bool,
    /// Headers API Gateway adds toward HTTP backends that depend only on the API.
    pub backend_headers: BackendHeaders,
    /// The API's resource policy as deployed: `Err` when it does not parse (every call is
    /// then refused, never served unguarded).
    pub resource_policy: Option<Result<ResourcePolicy, String>>,
}

/// Built once per deployment instead of formatted and copied on every backend request.
#[derive(Debug, Default)]
pub struct BackendHeaders {
    /// `User-Agent: AmazonAPIGateway_{apiId}`.
    pub user_agent: Option<hyper::header::HeaderValue>,
    /// `x-amzn-apigateway-api-id`.
    pub api_id: Option<hyper::header::HeaderValue>,
}

impl BackendHeaders {
    pub fn new(api_id: &str) -> BackendHeaders {
        use hyper::header::HeaderValue;
        BackendHeaders {
            user_agent: HeaderValue::from_str(&format!("AmazonAPIGateway_{api_id}")).ok(),
            api_id: HeaderValue::from_str(api_id).ok(),
        }
    }
}

#[derive(Debug)]
pub struct Resource {
    pub id: String,
    pub path: String,
    pub methods: Vec<(String, Arc<MethodPlan>)>,
}

impl Resource {
    /// The method for `http_method`, falling back to `ANY`.
    pub fn method(&self, http_method: &str) -> Option<&Arc<MethodPlan>> {
        self.methods
            .iter()
            .find(|(m, _)| m == http_method)
            .or_else(|| self.methods.iter().find(|(m, _)| m == "ANY"))
            .map(|(_, p)| p)
    }
}

#[derive(Debug)]
pub struct MethodPlan {
    pub http_method: String,
    pub resource_id: String,
    pub resource_path: String,
    pub authorization: Authorization,
    pub api_key_required: bool,
    pub checks: Checks,
    /// `Err` = why this method cannot run (logged per invocation, 500 to the client).
    pub integration: Result<Integration, String>,
}

/// Who may call a method: its `authorizationType` (and its authorizer), read once at compile
/// time.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Authorization {
    #[default]
    None,
    AwsIam,
    /// `None`: the method names no Lambda authorizer Portico can run: refused.
    Custom(Option<Arc<LambdaAuthorizer>>),
    /// `None`: the method names no Cognito authorizer Portico can run (missing, of another
    /// type, or with an identity source that is not a header): refused.
    CognitoUserPools(Option<Arc<CognitoCheck>>),
}

/// What a `COGNITO_USER_POOLS` method checks: the token in `header`, issued by one of
/// `pool_arns`, granting one of `scopes` when there are any.
#[derive(Debug, PartialEq, Eq)]
pub struct CognitoCheck {
    pub header: hyper::header::HeaderName,
    pub pool_arns: Vec<String>,
    pub scopes: Vec<String>,
}

impl Authorization {
    /// An absent type is `NONE`. A type this build does not know is treated as a custom
    /// authorizer: refused, never let through.
    pub fn of(doc: &Method, authorizers: &[model::Authorizer]) -> Authorization {
        match doc.authorization_type.as_deref() {
            None | Some("NONE") => Authorization::None,
            Some("AWS_IAM") => Authorization::AwsIam,
            Some("COGNITO_USER_POOLS") => {
                Authorization::CognitoUserPools(cognito_check(doc, authorizers).map(Arc::new))
            }
            Some(_) => Authorization::Custom(
                doc.authorizer_id
                    .as_deref()
                    .and_then(|id| authorizers.iter().find(|a| a.id == id))
                    .and_then(LambdaAuthorizer::compile)
                    .map(Arc::new),
            ),
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Authorization::None => "NONE",
            Authorization::AwsIam => "AWS_IAM",
            Authorization::Custom(_) => "CUSTOM",
            Authorization::CognitoUserPools(_) => "COGNITO_USER_POOLS",
        }
    }
}

fn cognito_check(doc: &Method, authorizers: &[model::Authorizer]) -> Option<CognitoCheck> {
    let id = doc.authorizer_id.as_deref()?;
    let a = authorizers.iter().find(|a| a.id == id)?;
    if a.kind != "COGNITO_USER_POOLS" {
        return None;
    }
    let header = a
        .identity_source
        .as_deref()?
        .strip_prefix("method.request.header.")?;
    Some(CognitoCheck {
        header: hyper::header::HeaderName::from_bytes(header.as_bytes()).ok()?,
        pool_arns: a.provider_arns.clone().unwrap_or_default(),
        scopes: doc.authorization_scopes.clone().unwrap_or_default(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mock,
    Http,
    HttpProxy,
    Aws,
    AwsProxy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passthrough {
    WhenNoMatch,
    WhenNoTemplates,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentHandling {
    ConvertToText,
    ConvertToBinary,
}

#[derive(Debug)]
pub struct Integration {
    pub kind: Kind,
    /// The URI names a Lambda function (`…:lambda:path/2015-03-31/functions/…/invocations`).
    pub calls_lambda: bool,
    /// `None` = the client's method (`ANY`, or unset for MOCK).
    pub http_method: Option<hyper::Method>,
    pub uri: Vec<UriPart>,
    /// The URI parsed once when it is one literal `http://` or `https://` address (no
    /// variables).
    pub literal_endpoint: Option<Endpoint>,
    /// `tlsConfig`, for an `https://` endpoint.
    pub tls: TlsSettings,
    /// `cacheKeyParameters`, compiled.
    pub cache_key: Vec<KeyPart>,
    /// `cacheNamespace` (the resource id when unset).
    pub cache_namespace: Option<String>,
    /// `connectionType: VPC_LINK`: the link to connect through (HTTP and HTTP_PROXY).
    pub vpc_link: Option<LinkRef>,
    pub request_parameters: Vec<(RequestTarget, Source)>,
    pub request_templates: Vec<(String, Template)>,
    pub passthrough: Passthrough,
    pub content_handling: Option<ContentHandling>,
    pub timeout: Duration,
    pub responses: Vec<IntegrationResponse>,
}

/// A VPC_LINK integration's `connectionId`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkRef {
    Id(String),
    /// `${stageVariables.name}`.
    StageVariable(String),
}

impl LinkRef {
    pub fn parse(connection_id: &str) -> LinkRef {
        match connection_id
            .strip_prefix("${stageVariables.")
            .and_then(|r| r.strip_suffix('}'))
        {
            Some(name) => LinkRef::StageVariable(name.to_string()),
            None => LinkRef::Id(connection_id.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UriPart {
    Lit(String),
    /// `{name}`: `integration.request.path.name`.
    Path(String),
    /// `${stageVariables.name}`.
    StageVariable(String),
}

#[derive(Debug)]
pub struct IntegrationResponse {
    pub status: u16,
    /// `None` = the default response (no or empty `selectionPattern`).
    pub pattern: Option<Regex>,
    pub parameters: Vec<(String, Source)>,
    pub templates: Vec<(String, Template)>,
    pub content_handling: Option<ContentHandling>,
}

impl Integration {
    /// The Lambda function the URI names, with the stage's variables filled in.
    pub fn lambda_function_for(&self, variables: &Map<String, Value>) -> Option<String> {
        let mut text = String::new();
        for p in &self.uri {
            match p {
                UriPart::Lit(s) => text.push_str(s),
                UriPart::StageVariable(n) => {
                    if let Some(v) = variables.get(n) {
                        text.push_str(&mapping::scalar_text(v));
                    }
                }
                UriPart::Path(n) => {
                    text.push('{');
                    text.push_str(n);
                    text.push('}');
                }
            }
        }
        crate::integrations::lambda::function_of_uri(&text).map(str::to_string)
    }

    /// The default integration response (no `selectionPattern`).
    pub fn default_response(&self) -> Option<&IntegrationResponse> {
        self.responses.iter().find(|r| r.pattern.is_none())
    }

    /// The integration response for an integration status (or error message): the first whose
    /// `selectionPattern` matches the whole text, else the default one.
    pub fn select_response(&self, selector: &str) -> Option<&IntegrationResponse> {
        self.responses
            .iter()
            .find(|r| r.pattern.as_ref().is_some_and(|p| p.is_match(selector)))
            .or_else(|| self.responses.iter().find(|r| r.pattern.is_none()))
    }
}

fn s<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

/// Compile a `deploymentsnapshot` document.
pub fn deployment(deployment_id: &str, snapshot: &DeploymentSnapshot) -> Deployment {
    let api = &snapshot.api;
    let api_id = api
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let binary_media_types = api
        .get("binaryMediaTypes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                // `~1` is how `/` is escaped in patch paths; stored types may carry it.
                .map(|t| t.replace("~1", "/"))
                .collect()
        })
        .unwrap_or_default();
    let mut models = Models::new(&snapshot.models);
    let validators: Vec<&Value> = snapshot.request_validators.iter().collect();
    let authorizers: Vec<model::Authorizer> = snapshot
        .authorizers
        .iter()
        .filter_map(|a| match model::Authorizer::from_value(a) {
            Ok(a) => Some(a),
            Err(e) => {
                // Its methods are refused (they name an authorizer that is not there).
                tracing::error!(api_id, "{e}");
                None
            }
        })
        .collect();
    let mut router = Router::new();
    let mut resources = Vec::new();
    for r in &snapshot.resources {
        let text = |k: &str| r.get(k).and_then(Value::as_str);
        let path = text("path").unwrap_or("/").to_string();
        let id = text("id").unwrap_or("").to_string();
        let mut methods = Vec::new();
        let declared = r.get("resourceMethods").and_then(Value::as_object);
        for (m, doc) in declared.into_iter().flatten() {
            // A method that does not read back is left out (the client hears that the route
            // does not exist), rather than taking the deployment down with it.
            let doc = match Method::from_value(doc) {
                Ok(doc) => doc,
                Err(e) => {
                    tracing::error!(api_id, path, method = m, "{e}; not served");
                    continue;
                }
            };
            let plan = method(m, &id, &path, &doc, &validators, &authorizers, &mut models);
            methods.push((m.clone(), Arc::new(plan)));
        }
        if let Err(e) = router.insert(&path, resources.len()) {
            tracing::warn!(api_id, path, "resource not routable: {e:?}");
            continue;
        }
        resources.push(Resource { id, path, methods });
    }
    Deployment {
        id: deployment_id.to_string(),
        router,
        resources,
        gateway_responses: GatewayResponses::compile(&snapshot.gateway_responses),
        binary_media_types,
        api_key_from_authorizer: api.get("apiKeySource").and_then(Value::as_str)
            == Some("AUTHORIZER"),
        backend_headers: BackendHeaders::new(&api_id),
        resource_policy: api
            .get("policy")
            .and_then(Value::as_str)
            .filter(|p| !p.trim().is_empty())
            // AWS answers the policy with its quotes escaped, and clients send it back so.
            .map(|p| {
                ResourcePolicy::compile(p)
                    .or_else(|e| ResourcePolicy::compile(&p.replace("\\\"", "\"")).map_err(|_| e))
            }),
        api_id,
    }
}

fn method(
    http_method: &str,
    resource_id: &str,
    resource_path: &str,
    doc: &Method,
    validators: &[&Value],
    authorizers: &[model::Authorizer],
    models: &mut Models,
) -> MethodPlan {
    let validator = doc
        .request_validator_id
        .as_deref()
        .and_then(|id| validators.iter().find(|v| s(v, "id") == Some(id)));
    let flag = |k: &str| validator.and_then(|v| v.get(k)).and_then(Value::as_bool) == Some(true);
    let mut checks = Checks::default();
    if flag("validateRequestParameters") {
        for (k, required) in doc.request_parameters.iter().flatten() {
            if !required {
                continue;
            }
            let Some(rest) = k.strip_prefix("method.request.") else {
                continue;
            };
            let entry = match rest.split_once('.') {
                Some(("path", n)) => (Loc::Path, n),
                Some(("querystring" | "multivaluequerystring", n)) => (Loc::Query, n),
                Some(("header" | "multivalueheader", n)) => (Loc::Header, n),
                _ => continue,
            };
            checks.required.push((entry.0, entry.1.to_string()));
        }
    }
    if flag("validateRequestBody") {
        for (ct, model) in doc.request_models.iter().flatten() {
            if let Some(v) = models.validator(model) {
                checks.body.push((ct.clone(), v));
            }
        }
    }
    let integration = match &doc.method_integration {
        Some(i) => integration(i),
        None => Err("No integration defined for method".to_string()),
    };
    MethodPlan {
        http_method: http_method.to_string(),
        resource_id: resource_id.to_string(),
        resource_path: resource_path.to_string(),
        authorization: Authorization::of(doc, authorizers),
        api_key_required: doc.api_key_required,
        checks,
        integration,
    }
}

fn content_handling(v: Option<&str>) -> Option<ContentHandling> {
    match v {
        Some("CONVERT_TO_TEXT") => Some(ContentHandling::ConvertToText),
        Some("CONVERT_TO_BINARY") => Some(ContentHandling::ConvertToBinary),
        _ => None,
    }
}

fn templates(t: Option<&IndexMap<String, String>>) -> Result<Vec<(String, Template)>, String> {
    t.into_iter()
        .flatten()
        .map(|(ct, src)| {
            Template::parse(src)
                .map(|t| (ct.clone(), t))
                .map_err(|e| format!("Invalid mapping template for {ct}: {e}"))
        })
        .collect()
}

pub fn integration(i: &model::Integration) -> Result<Integration, String> {
    let kind = match i.kind.as_str() {
        "MOCK" => Kind::Mock,
        "HTTP" => Kind::Http,
        "HTTP_PROXY" => Kind::HttpProxy,
        "AWS" => Kind::Aws,
        "AWS_PROXY" => Kind::AwsProxy,
        other => return Err(format!("Unsupported integration type {other:?}")),
    };
    let http_method = match i.http_method.as_deref() {
        None | Some("ANY") => None,
        Some(m) => Some(
            hyper::Method::from_bytes(m.as_bytes())
                .map_err(|_| format!("Invalid integration HTTP method {m}"))?,
        ),
    };
    let uri = parse_uri(i.uri.as_deref().unwrap_or(""));
    let literal_endpoint = match uri.as_slice() {
        [UriPart::Lit(u)] if u.starts_with("http://") || u.starts_with("https://") => {
            Endpoint::parse(u.clone()).ok()
        }
        _ => None,
    };
    let tls = match &i.tls_config {
        None => TlsSettings::default(),
        Some(t) => TlsSettings {
            insecure: t.insecure_skip_verification == Some(true),
            server_name: match t.server_name_to_verify.as_deref() {
                None | Some("") => None,
                Some(n) => Some(
                    rustls::pki_types::ServerName::try_from(n.to_string())
                        .map_err(|e| format!("Invalid serverNameToVerify {n:?}: {e}"))?,
                ),
            },
        },
    };
    let vpc_link = match (kind, i.connection_type.as_deref()) {
        (Kind::Http | Kind::HttpProxy, Some("VPC_LINK")) => {
            Some(LinkRef::parse(i.connection_id.as_deref().unwrap_or("")))
        }
        _ => None,
    };
    let mut request_parameters = Vec::new();
    for (k, v) in i.request_parameters.iter().flatten() {
        let target = mapping::parse_request_target(k)?;
        let src = mapping::parse_source(v)?;
        request_parameters.push((target, src));
    }
    let passthrough = match i.passthrough_behavior.as_deref() {
        Some("WHEN_NO_TEMPLATES") => Passthrough::WhenNoTemplates,
        Some("NEVER") => Passthrough::Never,
        _ => Passthrough::WhenNoMatch,
    };
    let timeout = u64::try_from(i.timeout_in_millis)
        .map(Duration::from_millis)
        .unwrap_or(DEFAULT_TIMEOUT);
    let mut responses = Vec::new();
    for (code, r) in i.integration_responses.iter().flatten() {
        let status = r
            .status_code
            .parse::<u16>()
            .map_err(|_| format!("Invalid integration response status {code}"))?;
        let pattern = match r.selection_pattern.as_deref() {
            None | Some("") => None,
            // Java's `String.matches`: the whole text must match. `.` also matches newlines
            // (error messages span lines).
            Some(p) => Some(
                Regex::new(&format!("(?s)^(?:{p})$"))
                    .map_err(|e| format!("Invalid selection pattern {p}: {e}"))?,
            ),
        };
        let mut parameters = Vec::new();
        for (k, v) in r.response_parameters.iter().flatten() {
            let Some(name) = k.strip_prefix("method.response.header.") else {
                return Err(format!("Invalid mapping expression specified: {k}"));
            };
            parameters.push((name.to_string(), mapping::parse_source(v)?));
        }
        responses.push(IntegrationResponse {
            status,
            pattern,
            parameters,
            templates: templates(r.response_templates.as_ref())?,
            content_handling: content_handling(r.content_handling.as_deref()),
        });
    }
    let calls_lambda = i
        .uri
        .as_deref()
        .is_some_and(|u| crate::integrations::lambda::function_of_uri(u).is_some());
    Ok(Integration {
        kind,
        calls_lambda,
        http_method,
        uri,
        literal_endpoint,
        tls,
        cache_key: i
            .cache_key_parameters
            .iter()
            .filter_map(|p| KeyPart::parse(p))
            .collect(),
        cache_namespace: i.cache_namespace.clone().filter(|n| !n.is_empty()),
        vpc_link,
        request_parameters,
        request_templates: templates(i.request_templates.as_ref())?,
        passthrough,
        content_handling: content_handling(i.content_handling.as_deref()),
        timeout,
        responses,
    })
}

/// Split an integration URI into literal text, `{path}` variables and `${stageVariables.x}`.
pub fn parse_uri(uri: &str) -> Vec<UriPart> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let mut rest = uri;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${stageVariables.") {
            if let Some(end) = after.find('}') {
                flush(&mut lit, &mut parts);
                parts.push(UriPart::StageVariable(after[..end].to_string()));
                rest = &after[end + 1..];
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix('{') {
            if let Some(end) = after.find('}') {
                flush(&mut lit, &mut parts);
                let name = after[..end].trim_end_matches('+');
                parts.push(UriPart::Path(name.to_string()));
                rest = &after[end + 1..];
                continue;
            }
        }
        let c = rest.chars().next().unwrap_or(' ');
        lit.push(c);
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut lit, &mut parts);
    parts
}

fn flush(lit: &mut String, parts: &mut Vec<UriPart>) {
    if !lit.is_empty() {
        parts.push(UriPart::Lit(std::mem::take(lit)));
    }
}

/// Stage variables as a JSON map (for templates and mappings).
pub fn variables(v: Option<&Value>) -> Map<String, Value> {
    v.and_then(Value::as_object).cloned().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Compile `snapshot` and assert that `method path` routes to a plan for which `probe`
    /// returns `want`.
    fn check<T: PartialEq + std::fmt::Debug>(
        snapshot: &Value,
        method: &str,
        path: &str,
        probe: impl Fn(&MethodPlan) -> T,
        want: Option<T>,
    ) {
        let d = deployment(
            "dep1",
            &DeploymentSnapshot::from_document(snapshot).unwrap(),
        );
        let got = d
            .router
            .find(path)
            .and_then(|m| d.resources[m.resource].method(method).map(|p| probe(p)));
        assert_eq!(got, want, "{method} {path}");
    }

    fn snapshot() -> Value {
        json!({
            "api": {"id": "api1", "binaryMediaTypes": ["image~1png"]},
            "resources": [
                {"id": "r0", "path": "/", "resourceMethods": {
                    "GET": {"httpMethod": "GET", "authorizationType": "NONE",
                            "methodIntegration": {"type": "MOCK",
                                "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
                                "integrationResponses": {"200": {"statusCode": "200"}}}}}},
                {"id": "r1", "path": "/pets/{id}", "resourceMethods": {
                    "ANY": {"httpMethod": "ANY",
                            "methodIntegration": {"type": "HTTP_PROXY", "httpMethod": "ANY",
                                "uri": "http://${stageVariables.host}/pets/{id}",
                                "timeoutInMillis": 500,
                                "requestParameters": {"integration.request.path.id": "method.request.path.id"}}}}},
                {"id": "r2", "path": "/broken", "resourceMethods": {
                    "POST": {"httpMethod": "POST"}}}
            ],
            "models": [], "requestValidators": [], "gatewayResponses": []
        })
    }

    #[test]
    fn routes_to_plans() {
        let snap = snapshot();
        check(
            &snap,
            "GET",
            "/",
            |p| p.resource_id.clone(),
            Some("r0".into()),
        );
        check(&snap, "POST", "/", |p| p.resource_id.clone(), None);
        check(
            &snap,
            "DELETE",
            "/pets/3",
            |p| p.http_method.clone(),
            Some("ANY".into()),
        );
        check(
            &snap,
            "GET",
            "/pets/3",
            |p| p.integration.as_ref().map(|i| (i.kind, i.timeout)).ok(),
            Some(Some((Kind::HttpProxy, Duration::from_millis(500)))),
        );
        check(
            &snap,
            "POST",
            "/broken",
            |p| p.integration.as_ref().err().cloned(),
            Some(Some("No integration defined for method".into())),
        );
    }

    #[test]
    fn a_method_that_does_not_read_is_left_out() {
        let mut snap = snapshot();
        snap["resources"][0]["resourceMethods"]["PUT"] =
            json!({"httpMethod": "PUT", "apiKeyRequired": "yes"});
        check(&snap, "PUT", "/", |p| p.http_method.clone(), None);
        check(
            &snap,
            "GET",
            "/",
            |p| p.resource_id.clone(),
            Some("r0".into()),
        );
    }

    #[test]
    fn binary_media_types_unescaped() {
        assert_eq!(
            deployment(
                "d",
                &DeploymentSnapshot::from_document(&snapshot()).unwrap()
            )
            .binary_media_types,
            ["image/png"]
        );
    }

    #[test]
    fn uri_parts() {
        assert_eq!(
            parse_uri("http://${stageVariables.host}/a/{id}/{proxy+}?x=1"),
            vec![
                UriPart::Lit("http://".into()),
                UriPart::StageVariable("host".into()),
                UriPart::Lit("/a/".into()),
                UriPart::Path("id".into()),
                UriPart::Lit("/".into()),
                UriPart::Path("proxy".into()),
                UriPart::Lit("?x=1".into()),
            ]
        );
    }

    #[test]
    fn selection_patterns_match_whole_status() {
        let i = model::Integration::from_value(&json!({"type": "HTTP", "uri": "http://x",
            "integrationResponses": {
                "200": {"statusCode": "200"},
                "404": {"statusCode": "404", "selectionPattern": "4\\d{2}"},
                "500": {"statusCode": "500", "selectionPattern": "5.*"}}}))
        .unwrap();
        let i = integration(&i).unwrap();
        let pick = |s: &str| i.select_response(s).map(|r| r.status);
        assert_eq!(pick("404"), Some(404));
        assert_eq!(pick("503"), Some(500));
        assert_eq!(pick("200"), Some(200));
        assert_eq!(pick("1404"), Some(200), "patterns match the whole text");
    }
}
