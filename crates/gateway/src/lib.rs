//! The data plane: serves deployed REST and HTTP APIs the way API Gateway's execute-api
//! endpoint does.
//!
//! Architecture invariant: imports the store (off the request path only), the domain
//! (`portico-model`) and `vtl`; never a management API or `portico-mgmt`. What every API
//! kind's invocations share (registry, metering, metrics, access log, upstream connections in
//! `integrations`, `http`) sits beside what only REST APIs do (compile, router, pipeline,
//! mappings, validation, gateway responses); HTTP APIs have their own pipeline in `http/`,
//! WebSocket APIs their handshake and connections in `websocket/`.
//!
//! Map of the crate:
//! - [`address`] (here): which requests are invocations, and of what (API id, stage, path);
//! - `domains`: custom domain names (by `Host`) and their base path mappings, an index rebuilt
//!   from store change events like the registry; also what the TLS listener serves by SNI;
//! - `registry`: the live (API, stage) → compiled deployment map, rebuilt from store change
//!   events and swapped atomically — the hot path never touches the store;
//! - `metering` (API keys, throttles, quotas), `metrics`, `access_log`, `cache` (the stage
//!   cache);
//! - `integrations`: upstream connections (`pool`, `h1`) and the HTTP/HTTP_PROXY and MOCK
//!   integrations;
//! - `http/`: shared HTTP helpers, and what only HTTP APIs do (their registry, router,
//!   pipeline, parameter mapping, CORS, JWT authorizers, Lambda payloads 2.0/1.0);
//! - `websocket/`: what only WebSocket APIs do (their registry, the handshake and each
//!   connection's task, integrations with the WebSocket event, `@connections`);
//! - `rest/`: what only REST APIs do — `compile` + `router` (a snapshot becomes an immutable
//!   trie plus per-method plans), `pipeline` (the named phases of one invocation), mappings,
//!   validation, `gateway_responses` (the only place a REST invocation's failure becomes a
//!   response), `test_invoke`.
//!
//! The REST registry and `http::registry` hold each kind's compiled deployments; an API id the
//! REST registry does not hold is looked up among HTTP APIs (`rest::pipeline::serve`).

pub mod access_log;
pub mod cache;
pub mod cognito;
pub mod domains;
pub mod fast_map;
pub mod http;
pub mod iam;
pub mod integrations;
pub mod metering;
pub mod metrics;
pub mod policy;
pub mod registry;
pub mod rest;
pub mod v2_index;
pub mod websocket;

use std::sync::Arc;

use portico_model::LoadBalancers;
use portico_store::Store;

/// Everything the data plane keeps for the life of the process.
pub struct DataPlane {
    pub registry: registry::Registry,
    pub client: integrations::http::Client,
    pub metrics: Arc<metrics::Metrics>,
    /// API keys, throttles, quotas and usage counts (phase 3).
    pub metering: metering::Metering,
    /// Verifies `AWS_IAM` invocations' signatures; `None` refuses them.
    pub iam: Option<Arc<dyn iam::IamVerifier>>,
    /// The Cognito user pools `COGNITO_USER_POOLS` methods accept tokens of (config).
    pub user_pools: cognito::UserPools,
    /// Runs the functions of Lambda integrations and authorizers; `None` answers them with a
    /// 500.
    pub lambda: Option<Arc<dyn integrations::lambda::LambdaInvoker>>,
    /// Lambda authorizers' results, cached per stage, authorizer and identity.
    pub authorizer_cache: rest::lambda_authorizer::AuthorizerCache,
    /// Where `AWS` integrations to AWS services are sent (`[aws_services]`); `None` answers
    /// them with a 500.
    pub aws_services: Option<integrations::aws::AwsServices>,
    /// Custom domain names and their base path mappings.
    pub domains: domains::Domains,
    /// The deployed HTTP APIs (`apigatewayv2`, protocol `HTTP`).
    pub http_apis: http::registry::HttpApis,
    /// JWT authorizers' signing keys, by issuer.
    pub jwks: http::jwt::Jwks,
    /// HTTP APIs' Lambda authorizers' cached answers (WebSocket APIs' too).
    pub http_authorizer_cache: http::lambda_authorizer::AnswerCache,
    /// The deployed WebSocket APIs, the connections this node holds, their limits.
    pub websockets: websocket::Websockets,
}

impl DataPlane {
    pub fn new(store: Arc<dyn Store>) -> DataPlane {
        DataPlane::with_load_balancers(store, Arc::default())
    }

    /// The data plane, with the NLBs VPC links may target (the config file's
    /// `[[load_balancers]]`).
    pub fn with_load_balancers(
        store: Arc<dyn Store>,
        load_balancers: Arc<LoadBalancers>,
    ) -> DataPlane {
        DataPlane::with_options(store, load_balancers, Arc::default())
    }

    /// The data plane, with the NLBs VPC links may target and the roots `https://` backends
    /// are verified against (webpki-roots and the config's `backend_ca_file`).
    pub fn with_options(
        store: Arc<dyn Store>,
        load_balancers: Arc<LoadBalancers>,
        tls: Arc<integrations::tls::Tls>,
    ) -> DataPlane {
        let metrics = Arc::new(metrics::Metrics::new());
        let links = integrations::vpc_link::VpcLinks::new(store.clone(), load_balancers.clone());
        DataPlane {
            metering: metering::Metering::new(store.clone()),
            domains: domains::Domains::new(store.clone()),
            http_apis: http::registry::HttpApis::new(store.clone(), load_balancers.clone()),
            websockets: websocket::Websockets::new(store.clone()),
            jwks: Default::default(),
            http_authorizer_cache: Default::default(),
            registry: registry::Registry::with_tls(store, metrics.clone(), tls.clone()),
            client: integrations::http::Client::with_links_and_tls(links, tls),
            metrics,
            iam: None,
            user_pools: cognito::UserPools::default(),
            lambda: None,
            authorizer_cache: Default::default(),
            aws_services: None,
        }
    }
}

impl DataPlane {
    /// Apply every change the store announced (deployments, metering, VPC links, custom
    /// domains): after each management call, a reset, and on the flusher's tick.
    pub fn sync(&self) {
        self.registry.sync();
        self.http_apis.sync();
        self.websockets.apis.sync();
        self.metering.sync();
        self.client.links().sync();
        self.domains.sync();
    }
}

/// Who is at the other end of a client connection, as `$context.identity` shows it; written
/// once per connection.
#[derive(Debug, Clone, Default)]
pub struct Peer {
    /// `$context.identity.sourceIp`.
    pub source_ip: std::sync::Arc<str>,
    /// `$context.identity.clientCert`: the certificate a mutual-TLS client presented
    /// (`clientCertPem`, `subjectDN`, `issuerDN`, `serialNumber`, `validity`).
    pub client_cert: Option<serde_json::Value>,
}

/// What an execute-api address names. `path` is the raw (still percent-encoded) resource path
/// below the stage, always starting with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target<'a> {
    pub api_id: &'a str,
    pub stage: &'a str,
    pub path: &'a str,
    /// The region named by the host (`{id}.execute-api.{region}.…`), used to pick the tenant
    /// when two tenants hold the same API id.
    pub region: Option<&'a str>,
    /// The host the client used (for `$context.domainName`).
    pub host: Option<&'a str>,
    /// Through a custom domain: the domain's tenant (the API id is looked up in it) and the
    /// path the client asked for, base path included (`$context.path`).
    pub domain: Option<(&'a portico_store::Tenant, &'a str)>,
    /// Through a custom domain: which routing rule or API mapping chose the API
    /// (`$context.customDomain.*`).
    pub matched: Option<Matched<'a>>,
}

/// What chose the API of a request to a custom domain name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched<'a> {
    /// A routing rule, by id (`$context.customDomain.routingRuleIdMatched`).
    Rule(&'a str),
    /// An API mapping, by base path, `(none)` for the empty one
    /// (`$context.customDomain.basePathMatched`).
    BasePath(&'a str),
}

/// Recognise the three execute-api addressing forms:
/// - `Host: {apiId}.execute-api.{anything}` with path `/{stage}/{path}`;
/// - `/restapis/{apiId}/{stage}/_user_request_/{path}` (LocalStack's legacy form);
/// - `/_aws/execute-api/{apiId}/{stage}/{path}`.
///
/// A host of the execute-api form claims every path, so an API can have a resource named like a
/// Portico admin path.
pub fn address<'a>(host: Option<&'a str>, path: &'a str) -> Option<Target<'a>> {
    if let Some(h) = host {
        let name = &h[..find_byte(h, b':').unwrap_or(h.len())];
        let (id, labels) = split_at_byte(name, b'.');
        let (service, labels) = split_at_byte(labels, b'.');
        if service == "execute-api" && !id.is_empty() {
            let region = Some(split_at_byte(labels, b'.').0).filter(|r| looks_like_region(r));
            let (stage, rest) = split_first(path);
            return Some(Target {
                api_id: id,
                stage,
                path: rest,
                region,
                host: Some(h),
                domain: None,
                matched: None,
            });
        }
    }
    if let Some(after) = path.strip_prefix("/_aws/execute-api/") {
        let (id, rest) = split_first_noslash(after);
        let (stage, rest) = split_first(rest);
        if !id.is_empty() {
            return Some(Target {
                api_id: id,
                stage,
                path: rest,
                region: None,
                host,
                domain: None,
                matched: None,
            });
        }
    }
    if let Some(after) = path.strip_prefix("/restapis/") {
        let (id, rest) = split_first_noslash(after);
        let (stage, rest) = split_first(rest);
        let (marker, rest) = split_first(rest);
        if marker == "_user_request_" && !id.is_empty() && !stage.is_empty() {
            return Some(Target {
                api_id: id,
                stage,
                path: rest,
                region: None,
                host,
                domain: None,
                matched: None,
            });
        }
    }
    None
}

/// Is this an `{apiId}.execute-api.…` host (which claims every path)?
pub fn is_execute_api_host(host: Option<&str>) -> bool {
    host.is_some_and(|h| {
        let name = &h[..find_byte(h, b':').unwrap_or(h.len())];
        let (id, labels) = split_at_byte(name, b'.');
        !id.is_empty() && split_at_byte(labels, b'.').0 == "execute-api"
    })
}

/// `"/a/b/c"` → `("a", "/b/c")`; `"/a"` → `("a", "/")`.
fn split_first(path: &str) -> (&str, &str) {
    split_first_noslash(path.strip_prefix('/').unwrap_or(path))
}

fn split_first_noslash(s: &str) -> (&str, &str) {
    match find_byte(s, b'/') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, "/"),
    }
}

/// Every request is addressed and routed through here: a byte scan beats `str::find`'s and
/// `str::split`'s searcher setup on strings this short.
pub(crate) fn find_byte(s: &str, b: u8) -> Option<usize> {
    s.bytes().position(|c| c == b)
}

/// `s` around its first `b`, which neither side keeps: `("a", "b.c")` for `"a.b.c"` and `b'.'`;
/// `(s, "")` when there is none.
pub(crate) fn split_at_byte(s: &str, b: u8) -> (&str, &str) {
    match find_byte(s, b) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`: letters, dashes, a trailing number.
fn looks_like_region(label: &str) -> bool {
    let parts: Vec<&str> = label.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(host: Option<&str>, path: &str, want: Option<(&str, &str, &str, Option<&str>)>) {
        let got = address(host, path).map(|t| (t.api_id, t.stage, t.path, t.region));
        assert_eq!(got, want, "host={host:?} path={path}");
    }

    #[test]
    fn addressing_forms() {
        check(
            Some("abc123defg.execute-api.localhost:4566"),
            "/prod/pets/1",
            Some(("abc123defg", "prod", "/pets/1", None)),
        );
        check(
            Some("abc123defg.execute-api.eu-west-1.localhost"),
            "/prod",
            Some(("abc123defg", "prod", "/", Some("eu-west-1"))),
        );
        check(
            Some("abc.execute-api.localhost"),
            "/",
            Some(("abc", "", "/", None)),
        );
        check(
            Some("127.0.0.1:4566"),
            "/restapis/abc/dev/_user_request_/x/y",
            Some(("abc", "dev", "/x/y", None)),
        );
        check(
            None,
            "/restapis/abc/dev/_user_request_",
            Some(("abc", "dev", "/", None)),
        );
        check(
            None,
            "/_aws/execute-api/abc/dev/a",
            Some(("abc", "dev", "/a", None)),
        );
        // Management paths stay with the control plane.
        check(None, "/restapis/abc/resources/xyz", None);
        check(None, "/restapis", None);
        check(Some("localhost:4566"), "/restapis/abc/stages/dev", None);
    }
}
