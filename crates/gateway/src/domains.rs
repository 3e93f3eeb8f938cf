//! Custom domain names on the data plane: which requests are a domain's (by `Host`), and which
//! API and stage each of its paths goes to (its base path mappings).
//!
//! The index (domain name → its tenant, mappings, certificate and truststore) is built off the
//! request path from the store's `domainname` and `basepathmapping` documents of every tenant
//! (names are unique across tenants) and swapped in with `ArcSwap`; [`Domains::sync`] rebuilds
//! it when the store announces `Change::DomainNames`, after every management call and on the
//! flusher's tick, like the registry. A request whose host is not a domain name pays one
//! relaxed atomic load while no domain exists, and one `load()` and one hash lookup (of the
//! host lower-cased into a stack buffer) otherwise.
//!
//! Routing, as API Gateway does it: the longest base path that matches whole leading path
//! segments wins, then `(none)`; the rest of the path goes to the mapping's API and stage, or,
//! for a mapping without a stage, the next segment names the stage. Base paths of several
//! segments (`apigatewayv2`'s API mapping keys, `v1/orders`) match the same way; a mapping
//! `apigatewayv2` made for an HTTP API (`_apiKind` `HTTP`) is marked so the request goes to the
//! HTTP API pipeline without a REST lookup first. A path no mapping claims
//! is answered 403 `{"message":"Forbidden"}`, as API Gateway answers it on a custom domain.
//!
//! Routing rules (`apigatewayv2`'s, kind `routingrule`) are compiled with their domain: sorted
//! by priority, header names parsed once into `HeaderName`s, value globs into a match kind
//! (exact, prefix, suffix, contains, any). The domain's `routingMode` decides what serves it:
//! rules only, mappings only (the default), or rules first and then mappings. The first rule
//! whose conditions all hold (its headers, any of the request's values of each; its base path,
//! whole leading segments, case-sensitive) invokes its API and stage with the whole path, or
//! the rest of it after the base path when it strips it. A domain without rules pays one
//! `is_empty` check for them.
//!
//! The TLS listener reads the same index: [`Domains::certificate_pems`] and
//! [`Domains::truststore_uri`] by SNI name.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use hyper::header::HeaderName;
use hyper::HeaderMap;
use parking_lot::Mutex;
use portico_model::domain_name::{RoutingMode, NO_BASE_PATH};
use portico_model::{BasePathMapping, DomainName, Entity, RoutingRule};
use portico_store::{kind, Change, Store, Tenant, Topic};
use tokio::sync::broadcast::{self, error::TryRecvError};

use crate::fast_map::FastMap;
use crate::Matched;

/// The longest DNS name (and so the longest host worth looking up).
const MAX_NAME: usize = 253;

/// Every domain name, by name (lower case).
#[derive(Default)]
pub struct Index {
    by_name: FastMap<Box<str>, Arc<Domain>>,
    /// Whether any name is a wildcard (`*.example.com`), so a miss tries the wildcard too.
    wildcards: bool,
}

/// One custom domain name as the data plane serves it. Its `Debug` leaves the certificate
/// out, so no log line ever carries the private key.
#[derive(PartialEq, Eq)]
pub struct Domain {
    pub name: String,
    pub tenant: Tenant,
    /// Longest base path first; `(none)` (an empty `base_path`) last.
    mappings: Vec<Mapping>,
    /// By priority, lowest first.
    rules: Vec<Rule>,
    /// Whether rules, mappings, or both (rules first) serve the domain.
    mode: RoutingMode,
    /// (certificate body followed by its chain, private key), PEM, when one was uploaded.
    certificate: Option<(String, String)>,
    /// `regionalCertificateArn`, then `certificateArn`: what the TLS listener resolves through
    /// `[[certificates]]` when nothing was uploaded.
    certificate_arns: Vec<String>,
    truststore_uri: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mapping {
    /// `""` for `(none)`.
    base_path: String,
    api_id: String,
    stage: Option<String>,
    /// An `apigatewayv2` mapping of an HTTP API (`_apiKind` `HTTP`), served by the HTTP API
    /// pipeline; else a REST API's.
    http: bool,
}

/// A routing rule, compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    id: String,
    priority: i64,
    /// Every one must match (AND).
    headers: Vec<(HeaderName, Glob)>,
    /// Leading whole segments, without slashes at either end.
    base_path: Option<String>,
    api_id: String,
    stage: String,
    strip_base_path: bool,
}

/// A header value glob: `*` alone, `prefix*`, `*suffix`, `*contains*`, or a literal.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Glob {
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
}

impl Glob {
    fn parse(glob: &str) -> Glob {
        let (lead, trail) = (glob.starts_with('*'), glob.len() > 1 && glob.ends_with('*'));
        let inner = glob.trim_matches('*').to_string();
        match (lead, trail) {
            _ if inner.is_empty() => Glob::Any,
            (true, true) => Glob::Contains(inner),
            (true, false) => Glob::Suffix(inner),
            (false, true) => Glob::Prefix(inner),
            (false, false) => Glob::Exact(inner),
        }
    }

    /// Case-sensitive, as AWS matches values.
    fn matches(&self, value: &[u8]) -> bool {
        match self {
            Glob::Any => true,
            Glob::Exact(s) => value == s.as_bytes(),
            Glob::Prefix(s) => value.starts_with(s.as_bytes()),
            Glob::Suffix(s) => value.ends_with(s.as_bytes()),
            Glob::Contains(s) => value.windows(s.len()).any(|w| w == s.as_bytes()),
        }
    }
}

impl Rule {
    /// `None` for a rule that cannot be served (no `invokeApi` action, a header name that is
    /// not one).
    fn compile(r: RoutingRule) -> Option<Rule> {
        let action = r.actions.into_iter().next()?.invoke_api;
        let mut headers = Vec::new();
        let mut base_path = None;
        for c in r.conditions {
            if let Some(h) = c.match_headers.and_then(|h| h.any_of.into_iter().next()) {
                let name = HeaderName::from_bytes(h.header.to_ascii_lowercase().as_bytes()).ok()?;
                headers.push((name, Glob::parse(&h.value_glob)));
            }
            if let Some(p) = c.match_base_paths.and_then(|p| p.any_of.into_iter().next()) {
                base_path = Some(p);
            }
        }
        Some(Rule {
            id: r.routing_rule_id,
            priority: r.priority,
            headers,
            base_path,
            api_id: action.api_id,
            stage: action.stage,
            strip_base_path: action.strip_base_path,
        })
    }

    /// The path the rule's API sees when it matches `path` and `headers`.
    fn matches<'a>(&self, path: &'a str, headers: &HeaderMap) -> Option<&'a str> {
        for (name, glob) in &self.headers {
            if !headers
                .get_all(name)
                .iter()
                .any(|v| glob.matches(v.as_bytes()))
            {
                return None;
            }
        }
        let Some(bp) = &self.base_path else {
            return Some(path);
        };
        let rest = match path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(bp.as_str()))
        {
            Some("") => "/",
            Some(r) if r.starts_with('/') => r,
            _ => return None,
        };
        Some(if self.strip_base_path { rest } else { path })
    }
}

/// Where a domain's path goes: borrowed from the domain and the request path.
#[derive(Debug, PartialEq, Eq)]
pub struct Routed<'a> {
    pub tenant: &'a Tenant,
    pub api_id: &'a str,
    pub stage: &'a str,
    /// The resource path below the stage, starting with `/`.
    pub path: &'a str,
    /// Whether `api_id` is an HTTP API's (an `apigatewayv2` API mapping).
    pub http: bool,
    /// The routing rule or the mapping that chose the API.
    pub matched: Matched<'a>,
}

impl std::fmt::Debug for Domain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Domain")
            .field("name", &self.name)
            .field("tenant", &self.tenant)
            .field("mappings", &self.mappings)
            .field("rules", &self.rules)
            .field("mode", &self.mode)
            .field(
                "certificate",
                &self.certificate.as_ref().map(|_| "(uploaded)"),
            )
            .field("truststore_uri", &self.truststore_uri)
            .finish()
    }
}

impl Domain {
    fn new(
        d: DomainName,
        tenant: Tenant,
        mut mappings: Vec<Mapping>,
        mut rules: Vec<Rule>,
    ) -> Domain {
        // Longest first; `(none)`, being empty, sorts last.
        mappings.sort_by_key(|m| std::cmp::Reverse(m.base_path.len()));
        rules.sort_by_key(|r| r.priority);
        let mode = d.mode();
        let certificate = match (&d.certificate_body, &d.certificate_private_key) {
            (Some(body), Some(key)) => {
                let mut chain = body.trim_end().to_string();
                chain.push('\n');
                if let Some(c) = d.certificate_chain.as_deref().filter(|c| !c.is_empty()) {
                    chain.push_str(c.trim_end());
                    chain.push('\n');
                }
                Some((chain, key.clone()))
            }
            _ => None,
        };
        Domain {
            name: d.domain_name,
            tenant,
            mappings,
            rules,
            mode,
            certificate,
            certificate_arns: [d.regional_certificate_arn, d.certificate_arn]
                .into_iter()
                .flatten()
                .collect(),
            truststore_uri: d.mutual_tls_authentication.and_then(|m| m.truststore_uri),
        }
    }

    /// For the TLS listener: the uploaded certificate, as (certificate body followed by its
    /// chain, private key), PEM.
    pub fn certificate_pems(&self) -> Option<&(String, String)> {
        self.certificate.as_ref()
    }

    /// For the TLS listener: the certificate ARNs the domain names (regional first).
    pub fn certificate_arns(&self) -> &[String] {
        &self.certificate_arns
    }

    /// For the TLS listener: `mutualTlsAuthentication.truststoreUri` (`file://…`, or `s3://…`,
    /// which Portico only stores).
    pub fn truststore_uri(&self) -> Option<&str> {
        self.truststore_uri.as_deref()
    }

    /// The API, stage and resource path of `path` (raw, starting with `/`), or `None` when
    /// neither a routing rule nor a mapping claims it (as the routing mode allows them).
    pub fn route<'a>(&'a self, path: &'a str, headers: &HeaderMap) -> Option<Routed<'a>> {
        if self.mode.rules {
            for r in &self.rules {
                if let Some(rest) = r.matches(path, headers) {
                    return Some(Routed {
                        tenant: &self.tenant,
                        api_id: &r.api_id,
                        stage: &r.stage,
                        path: rest,
                        // Only REST APIs are rule targets (CreateRoutingRule checks).
                        http: false,
                        matched: Matched::Rule(&r.id),
                    });
                }
            }
        }
        if !self.mode.mappings {
            return None;
        }
        for m in &self.mappings {
            let rest = if m.base_path.is_empty() {
                path
            } else {
                match path
                    .strip_prefix('/')
                    .and_then(|p| p.strip_prefix(m.base_path.as_str()))
                {
                    Some("") => "/",
                    Some(r) if r.starts_with('/') => r,
                    _ => continue,
                }
            };
            let (stage, rest) = match &m.stage {
                Some(s) => (s.as_str(), rest),
                None => split_first(rest),
            };
            return Some(Routed {
                tenant: &self.tenant,
                api_id: &m.api_id,
                stage,
                path: rest,
                http: m.http,
                matched: Matched::BasePath(if m.base_path.is_empty() {
                    NO_BASE_PATH
                } else {
                    &m.base_path
                }),
            });
        }
        None
    }
}

/// `"/a/b"` → `("a", "/b")`; `"/a"` → `("a", "/")`; `"/"` → `("", "/")`.
fn split_first(path: &str) -> (&str, &str) {
    let p = path.strip_prefix('/').unwrap_or(path);
    match crate::find_byte(p, b'/') {
        Some(i) => (&p[..i], &p[i..]),
        None => (p, "/"),
    }
}

/// The store the index is read from, and its announcements.
type Source = (Arc<dyn Store>, Mutex<broadcast::Receiver<Change>>);

/// The live custom domain names of every tenant.
pub struct Domains {
    index: ArcSwap<Index>,
    /// Whether the index holds any domain: the one check a request to any other host pays.
    any: AtomicBool,
    source: Option<Source>,
}

impl Default for Domains {
    fn default() -> Self {
        Domains {
            index: ArcSwap::from_pointee(Index::default()),
            any: AtomicBool::new(false),
            source: None,
        }
    }
}

impl Domains {
    pub fn new(store: Arc<dyn Store>) -> Domains {
        // Subscribe before the initial scan so nothing committed in between is missed.
        let rx = store.subscribe(Topic::Serving);
        let d = Domains {
            source: Some((store, Mutex::new(rx))),
            ..Domains::default()
        };
        d.rebuild();
        d
    }

    /// The domain `host` names (any case, port ignored), if it is a custom domain name.
    pub fn get(&self, host: &str) -> Option<Arc<Domain>> {
        if !self.any.load(Ordering::Relaxed) {
            return None;
        }
        let name = &host[..crate::find_byte(host, b':').unwrap_or(host.len())];
        if name.len() > MAX_NAME || name.is_empty() {
            return None;
        }
        let mut buf = [0u8; MAX_NAME];
        let lower = &mut buf[..name.len()];
        lower.copy_from_slice(name.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII lower-casing keeps UTF-8 valid.
        let lower = std::str::from_utf8(lower).ok()?;
        let index = self.index.load();
        if let Some(d) = index.by_name.get(lower) {
            return Some(d.clone());
        }
        if !index.wildcards {
            return None;
        }
        // `a.example.com` is served by `*.example.com`.
        let dot = crate::find_byte(lower, b'.')?;
        let mut wild = [0u8; MAX_NAME + 1];
        let tail = &lower.as_bytes()[dot..];
        wild[0] = b'*';
        wild[1..=tail.len()].copy_from_slice(tail);
        let wild = std::str::from_utf8(&wild[..=tail.len()]).ok()?;
        index.by_name.get(wild).cloned()
    }

    /// Whether `host` is a custom domain name (planes: such a host is the data plane's).
    pub fn claims(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.get(h).is_some())
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self) {
        let Some((_, rx)) = &self.source else {
            return;
        };
        let mut rx = rx.lock();
        let mut changed = false;
        loop {
            match rx.try_recv() {
                Ok(Change::DomainNames { .. }) | Err(TryRecvError::Lagged(_)) => changed = true,
                Ok(_) => {}
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if changed {
            self.rebuild();
        }
        // Hold the receiver lock until the swap so two syncs can't publish out of order.
        drop(rx);
    }

    /// Build the whole index from the store (domain names are few; a rebuild is one scan of
    /// each kind).
    fn rebuild(&self) {
        let Some((store, _)) = &self.source else {
            return;
        };
        let (domains, mappings, rules) = match (
            store.scan(kind::DOMAIN_NAME),
            store.scan(kind::BASE_PATH_MAPPING),
            store.scan(kind::ROUTING_RULE),
        ) {
            (Ok(d), Ok(m), Ok(r)) => (d, m, r),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                tracing::error!(error = %e, "cannot scan custom domain names; keeping the previous ones");
                return;
            }
        };
        let mut by_domain: FastMap<(Tenant, String), Vec<Mapping>> = FastMap::default();
        for (tenant, scope, doc) in mappings {
            match BasePathMapping::from_value(&doc.body) {
                Ok(m) => by_domain.entry((tenant, scope)).or_default().push(Mapping {
                    http: m.is_http(),
                    base_path: if m.base_path == NO_BASE_PATH {
                        String::new()
                    } else {
                        m.base_path
                    },
                    api_id: m.rest_api_id,
                    stage: m.stage,
                }),
                Err(e) => tracing::error!(domain = scope, id = doc.id, "{e}; mapping not served"),
            }
        }
        let mut rules_of: FastMap<(Tenant, String), Vec<Rule>> = FastMap::default();
        for (tenant, scope, doc) in rules {
            match RoutingRule::from_value(&doc.body).map(Rule::compile) {
                Ok(Some(r)) => rules_of.entry((tenant, scope)).or_default().push(r),
                Ok(None) => tracing::error!(
                    domain = scope,
                    id = doc.id,
                    "routing rule without an action; not served"
                ),
                Err(e) => {
                    tracing::error!(domain = scope, id = doc.id, "{e}; routing rule not served")
                }
            }
        }
        let mut index = Index::default();
        for (tenant, _, doc) in domains {
            let d = match DomainName::from_value(&doc.body) {
                Ok(d) => d,
                Err(e) => {
                    tracing::error!(id = doc.id, "{e}; domain name not served");
                    continue;
                }
            };
            let key = (tenant.clone(), doc.id.clone());
            let maps = by_domain.remove(&key).unwrap_or_default();
            let rules = rules_of.remove(&key).unwrap_or_default();
            index.wildcards |= doc.id.starts_with("*.");
            index
                .by_name
                .insert(doc.id.into(), Arc::new(Domain::new(d, tenant, maps, rules)));
        }
        let any = !index.by_name.is_empty();
        self.index.store(Arc::new(index));
        self.any.store(any, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_store::{self as store, SqliteStore};
    use serde_json::json;

    fn mapping(bp: &str, api: &str, stage: Option<&str>) -> Mapping {
        Mapping {
            base_path: bp.into(),
            api_id: api.into(),
            stage: stage.map(str::to_string),
            http: false,
        }
    }

    fn domain(mappings: Vec<Mapping>) -> Domain {
        let d = DomainName::from_value(&json!({"domainName": "api.example.com"})).unwrap();
        Domain::new(
            d,
            Tenant::aws("000000000000", "us-east-1"),
            mappings,
            vec![],
        )
    }

    fn route<'a>(d: &'a Domain, path: &'a str) -> Option<(&'a str, &'a str, &'a str)> {
        d.route(path, &HeaderMap::new())
            .map(|r| (r.api_id, r.stage, r.path))
    }

    #[test]
    fn the_longest_base_path_matching_whole_segments_wins_then_none() {
        let d = domain(vec![
            mapping("", "root", Some("prod")),
            mapping("v1", "one", Some("live")),
            mapping("v1beta", "beta", Some("b")),
            mapping("orders/v1", "orders", Some("o")),
            mapping("any", "free", None),
        ]);
        assert_eq!(route(&d, "/v1/pets"), Some(("one", "live", "/pets")));
        assert_eq!(route(&d, "/v1"), Some(("one", "live", "/")));
        assert_eq!(route(&d, "/v1/"), Some(("one", "live", "/")));
        assert_eq!(route(&d, "/v1beta/x"), Some(("beta", "b", "/x")));
        // A base path matches whole segments only.
        assert_eq!(route(&d, "/v1x/pets"), Some(("root", "prod", "/v1x/pets")));
        assert_eq!(route(&d, "/orders/v1/7"), Some(("orders", "o", "/7")));
        assert_eq!(
            route(&d, "/orders/v2"),
            Some(("root", "prod", "/orders/v2"))
        );
        assert_eq!(route(&d, "/"), Some(("root", "prod", "/")));
        // Without a stage, the next segment names it.
        assert_eq!(route(&d, "/any/dev/a/b"), Some(("free", "dev", "/a/b")));
        assert_eq!(route(&d, "/any"), Some(("free", "", "/")));

        let no_root = domain(vec![mapping("v1", "one", Some("live"))]);
        assert_eq!(route(&no_root, "/v2/pets"), None);
        assert_eq!(route(&no_root, "/"), None);
    }

    fn rule(id: &str, priority: i64, body: serde_json::Value) -> Rule {
        let mut v = json!({"routingRuleId": id, "routingRuleArn": "arn", "priority": priority});
        for (k, x) in body.as_object().unwrap() {
            v[k] = x.clone();
        }
        Rule::compile(RoutingRule::from_value(&v).unwrap()).unwrap()
    }

    fn invoke(api: &str, strip: bool) -> serde_json::Value {
        json!([{"invokeApi": {"apiId": api, "stage": "prod", "stripBasePath": strip}}])
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        h
    }

    #[test]
    fn rules_match_in_priority_order_as_the_mode_allows() {
        let rules = vec![
            rule(
                "catch",
                100,
                json!({"conditions": [], "actions": invoke("all", false)}),
            ),
            rule(
                "beta",
                10,
                json!({"conditions": [
                {"matchHeaders": {"anyOf": [{"header": "X-Version", "valueGlob": "b*"}]}},
                {"matchBasePaths": {"anyOf": ["users"]}}],
                "actions": invoke("beta", true)}),
            ),
            rule(
                "json",
                50,
                json!({"conditions": [
                {"matchHeaders": {"anyOf": [{"header": "accept", "valueGlob": "*json"}]}}],
                "actions": invoke("json", false)}),
            ),
        ];
        let mut d = DomainName::from_value(&json!({"domainName": "api.example.com",
            "routingMode": "ROUTING_RULE_THEN_BASE_PATH_MAPPING"}))
        .unwrap();
        let t = Tenant::aws("000000000000", "us-east-1");
        let both = Domain::new(
            d.clone(),
            t.clone(),
            vec![mapping("", "mapped", Some("live"))],
            rules.clone(),
        );
        let at = |d: &Domain, path: &'static str, h: &[(&str, &str)]| {
            let h = headers(h);
            d.route(path, &h).map(|r| {
                (
                    r.api_id.to_string(),
                    r.path.to_string(),
                    match r.matched {
                        Matched::Rule(id) => Some(id.to_string()),
                        Matched::BasePath(_) => None,
                    },
                )
            })
        };
        // Header names any case, values case-sensitive; the base path stripped.
        assert_eq!(
            at(&both, "/users/7", &[("x-version", "beta")]),
            Some(("beta".into(), "/7".into(), Some("beta".into())))
        );
        assert_eq!(
            at(&both, "/users/7", &[("x-version", "Beta")]).unwrap().0,
            "all"
        );
        // Any of a repeated header's values.
        assert_eq!(
            at(
                &both,
                "/x",
                &[("accept", "text/xml"), ("accept", "application/json")]
            )
            .unwrap()
            .0,
            "json"
        );
        // A comma-joined value is one literal value.
        assert_eq!(
            at(&both, "/x", &[("accept", "application/json,text/xml")])
                .unwrap()
                .0,
            "all"
        );
        // Whole segments only; not stripped when the rule says not.
        assert_eq!(
            at(&both, "/usersx", &[("x-version", "beta")]).unwrap().0,
            "all"
        );

        // Rules only: no mapping; without the catch-all, nothing.
        d.routing_mode = Some("ROUTING_RULE_ONLY".into());
        let only = Domain::new(
            d.clone(),
            t.clone(),
            vec![mapping("", "mapped", Some("live"))],
            rules[1..].to_vec(),
        );
        assert_eq!(at(&only, "/x", &[]), None);
        // Mappings only (the default): the rules are kept but not evaluated.
        d.routing_mode = None;
        let mapped = Domain::new(d, t, vec![mapping("", "mapped", Some("live"))], rules);
        assert_eq!(
            at(&mapped, "/users/7", &[("x-version", "beta")]),
            Some(("mapped".into(), "/users/7".into(), None))
        );
    }

    #[test]
    fn globs() {
        assert!(Glob::parse("a*").matches(b"alpha"));
        assert!(!Glob::parse("a*").matches(b"beta"));
        assert!(Glob::parse("*a").matches(b"beta"));
        assert!(!Glob::parse("*a").matches(b"backup"));
        assert!(Glob::parse("*a*").matches(b"backup"));
        assert!(!Glob::parse("*a*").matches(b"users"));
        assert!(Glob::parse("*").matches(b"anything"));
        assert!(Glob::parse("beta").matches(b"beta"));
        assert!(!Glob::parse("beta").matches(b"betas"));
    }

    #[test]
    fn the_index_follows_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
        let t = Tenant::aws("000000000000", "us-east-1");
        let domains = Domains::new(store.clone());
        assert!(!domains.claims(Some("api.example.com")));
        store::write(&*store, &t, |tx| {
            tx.put(
                kind::DOMAIN_NAME,
                "",
                "api.example.com",
                &json!({"domainName": "api.example.com",
                        "certificateBody": "CERT\n", "certificateChain": "CHAIN",
                        "certificatePrivateKey": "KEY",
                        "mutualTlsAuthentication": {"truststoreUri": "file:///t.pem"}}),
            )?;
            tx.put(
                kind::DOMAIN_NAME,
                "",
                "*.wild.example.com",
                &json!({"domainName": "*.wild.example.com"}),
            )?;
            tx.put(
                kind::BASE_PATH_MAPPING,
                "api.example.com",
                "(none)",
                &json!({"basePath": "(none)", "restApiId": "a1", "stage": "prod"}),
            )?;
            // An `apigatewayv2` mapping of an HTTP API, with a key of two segments.
            tx.put(
                kind::BASE_PATH_MAPPING,
                "api.example.com",
                "v1/orders",
                &json!({"basePath": "v1/orders", "restApiId": "h1", "stage": "$default",
                        "_apiMappingId": "m1", "_apiKind": "HTTP"}),
            )
        })
        .unwrap();
        domains.sync();
        let d = domains.get("api.example.com").unwrap();
        let r = d.route("/v1/orders/7", &HeaderMap::new()).unwrap();
        assert_eq!(
            (r.api_id, r.stage, r.path, r.http),
            ("h1", "$default", "/7", true)
        );
        assert!(!d.route("/v1/x", &HeaderMap::new()).unwrap().http);
        store::write(&*store, &t, |tx| {
            tx.delete(kind::BASE_PATH_MAPPING, "api.example.com", "v1/orders")
        })
        .unwrap();
        domains.sync();
        let d = domains
            .get("API.Example.com:8443")
            .expect("case and port ignored");
        assert_eq!(route(&d, "/x"), Some(("a1", "prod", "/x")));
        assert_eq!(
            d.certificate_pems(),
            Some(&("CERT\nCHAIN\n".to_string(), "KEY".to_string()))
        );
        assert_eq!(d.truststore_uri(), Some("file:///t.pem"));
        assert!(!format!("{d:?}").contains("KEY"), "{d:?}");
        assert!(domains.claims(Some("x.wild.example.com")));
        assert!(!domains.claims(Some("wild.example.com")));
        assert!(!domains.claims(Some("other.example.com")));
        store::write(&*store, &t, |tx| {
            tx.delete(kind::BASE_PATH_MAPPING, "api.example.com", "(none)")
        })
        .unwrap();
        domains.sync();
        assert_eq!(route(&domains.get("api.example.com").unwrap(), "/x"), None);
        store.wipe().unwrap();
        domains.sync();
        assert!(!domains.claims(Some("api.example.com")));
    }
}
