//! The stage cache (`cacheClusterEnabled`): responses of cached methods kept per (API, stage)
//! in memory with their time to live, as API Gateway's cache cluster does.
//!
//! - **Store** ([`CacheStore`]): a moka cache of whole responses, weighed in bytes, bounded by
//!   the stage's `cacheClusterSize` scaled by [`BYTES_PER_GB`] (a fixed fraction of the size
//!   AWS provisions: Portico shares its memory with everything else it serves). Each entry
//!   expires after its method's `cacheTtlInSeconds`. The registry keeps a stage's store across
//!   rebuilds of the stage (a redeploy does not empty it, as on AWS) and replaces it when the
//!   size changes (AWS recreates the cluster, losing its data). FlushStageCache empties it.
//! - **Settings** ([`StageCache`]): the stage's method settings as they bear on caching,
//!   resolved per method from its own entry, then `*/*`, then AWS's defaults: only GET is
//!   cached unless `cachingEnabled` says otherwise, 300 s, `cacheTtlInSeconds: 0` = not cached.
//! - **Keys** ([`key`]): the cache namespace (the integration's `cacheNamespace`, else the
//!   resource id), the method, the resource path and the values of the integration's
//!   `cacheKeyParameters`.
//!
//! What is cached is the response the client got from the integration (after the integration
//! response mapping), at most [`MAX_ENTRY`] bytes of body, whatever its status — AWS caches an
//! integration's error answers too; a gateway error (throttled, timed out, unreachable) is
//! never cached. Hits and misses are counted per stage in `/_portico/metrics`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::{HeaderMap, StatusCode};
use portico_model::{IndexMap, MethodSetting};
use prometheus_client::metrics::counter::Counter;

/// Bytes of cache per GB of `cacheClusterSize`: 1/64 of it (0.5 GB → 8 MiB, 237 GB → ~3.7 GiB).
pub const BYTES_PER_GB: f64 = (1u64 << 30) as f64 / 64.0;
/// The largest response body AWS caches (1 MiB).
pub const MAX_ENTRY: usize = 1024 * 1024;
/// AWS's default `cacheTtlInSeconds`, and its maximum.
pub const DEFAULT_TTL: u64 = 300;
pub const MAX_TTL: u64 = 3600;

/// A cached response.
#[derive(Debug)]
pub struct Cached {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    ttl: Duration,
}

impl Cached {
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, ttl: Duration) -> Cached {
        Cached {
            status,
            headers,
            body,
            ttl,
        }
    }

    /// What the entry weighs against the store's bound.
    fn weight(&self, key: &str) -> u32 {
        let headers: usize = self
            .headers
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 32)
            .sum();
        u32::try_from(key.len() + headers + self.body.len() + 64).unwrap_or(u32::MAX)
    }
}

struct PerEntryTtl;

impl moka::Expiry<String, Arc<Cached>> for PerEntryTtl {
    fn expire_after_create(
        &self,
        _key: &String,
        value: &Arc<Cached>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Arc<Cached>,
        _updated_at: Instant,
        _left: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// One stage's cached responses.
pub struct CacheStore {
    /// `cacheClusterSize` as configured (GB, as text).
    pub size: String,
    /// The bound, in bytes.
    pub capacity: u64,
    entries: moka::sync::Cache<String, Arc<Cached>>,
    hits: Counter,
    misses: Counter,
}

impl std::fmt::Debug for CacheStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheStore")
            .field("size", &self.size)
            .field("capacity", &self.capacity)
            .finish()
    }
}

/// The bound of a cache of `size` GB (`cacheClusterSize`; AWS's smallest, 0.5, if it does not
/// read).
pub fn capacity_of(size: &str) -> u64 {
    let gb = size
        .parse::<f64>()
        .ok()
        .filter(|g| g.is_finite() && *g > 0.0)
        .unwrap_or(0.5);
    (gb * BYTES_PER_GB) as u64
}

impl CacheStore {
    pub fn new(size: &str, hits: Counter, misses: Counter) -> CacheStore {
        let capacity = capacity_of(size);
        CacheStore {
            size: size.to_string(),
            capacity,
            entries: moka::sync::Cache::builder()
                // Plain LRU: TinyLFU's admission filter would turn away a new response while
                // the cache is full of ones asked for more often, which a stage cache with a
                // short TTL should not do.
                .eviction_policy(moka::policy::EvictionPolicy::lru())
                .max_capacity(capacity)
                .weigher(|k: &String, v: &Arc<Cached>| v.weight(k))
                .expire_after(PerEntryTtl)
                .build(),
            hits,
            misses,
        }
    }

    /// The entry under `key`, counted as a hit or a miss.
    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        let found = self.entries.get(key);
        match &found {
            Some(_) => self.hits.inc(),
            None => self.misses.inc(),
        };
        found
    }

    pub fn put(&self, key: String, value: Cached) {
        if value.body.len() <= MAX_ENTRY && !value.ttl.is_zero() {
            self.entries.insert(key, Arc::new(value));
        }
    }

    /// FlushStageCache.
    pub fn flush(&self) {
        self.entries.invalidate_all();
    }

    pub fn misses(&self) -> &Counter {
        &self.misses
    }
}

/// `unauthorizedCacheControlHeaderStrategy`: what a `Cache-Control: max-age=0` request gets
/// from a caller not authorized to invalidate (with IAM not built, every caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    FailWith403,
    SucceedWithResponseHeader,
    SucceedWithoutResponseHeader,
}

impl Strategy {
    fn parse(s: &str) -> Option<Strategy> {
        Some(match s {
            "FAIL_WITH_403" => Strategy::FailWith403,
            "SUCCEED_WITH_RESPONSE_HEADER" => Strategy::SucceedWithResponseHeader,
            "SUCCEED_WITHOUT_RESPONSE_HEADER" => Strategy::SucceedWithoutResponseHeader,
            _ => return None,
        })
    }
}

/// One method-settings entry, as far as caching goes; `None` = not said there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Said {
    enabled: Option<bool>,
    ttl: Option<u64>,
    require_authorization: Option<bool>,
    strategy: Option<Strategy>,
}

impl Said {
    fn of(s: &MethodSetting) -> Said {
        Said {
            enabled: s.caching_enabled,
            ttl: s
                .cache_ttl_in_seconds
                .map(|t| u64::try_from(t).unwrap_or(0).min(MAX_TTL)),
            require_authorization: s.require_authorization_for_cache_control,
            strategy: s
                .unauthorized_cache_control_header_strategy
                .as_deref()
                .and_then(Strategy::parse),
        }
    }

    fn or(self, other: Said) -> Said {
        Said {
            enabled: self.enabled.or(other.enabled),
            ttl: self.ttl.or(other.ttl),
            require_authorization: self.require_authorization.or(other.require_authorization),
            strategy: self.strategy.or(other.strategy),
        }
    }
}

/// How one method is cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodCaching {
    pub ttl: Duration,
    pub require_authorization: bool,
    pub strategy: Strategy,
}

/// A stage's cache: its store and its method settings.
#[derive(Debug)]
pub struct StageCache {
    pub store: Arc<CacheStore>,
    any: Said,
    /// (resource path, method, what its entry says).
    methods: Vec<(String, String, Said)>,
}

impl StageCache {
    pub fn new(store: Arc<CacheStore>, settings: &IndexMap<String, MethodSetting>) -> StageCache {
        let mut any = Said::default();
        let mut methods = Vec::new();
        for (key, s) in settings {
            if key == "*/*" {
                any = Said::of(s);
            } else if let Some((path, method)) = key.rsplit_once('/') {
                methods.push((path.replace("~1", "/"), method.to_string(), Said::of(s)));
            }
        }
        StageCache {
            store,
            any,
            methods,
        }
    }

    /// How `method` (as invoked) of the method `plan_method` on `resource_path` is cached, or
    /// `None` if it is not.
    pub fn caching(
        &self,
        resource_path: &str,
        plan_method: &str,
        method: &hyper::Method,
    ) -> Option<MethodCaching> {
        let own = self
            .methods
            .iter()
            .find(|(p, m, _)| p == resource_path && m == plan_method)
            .map_or(Said::default(), |(_, _, s)| *s);
        let said = own.or(self.any);
        // Only GET is cached unless the settings say otherwise (AWS's default).
        if !said.enabled.unwrap_or(*method == hyper::Method::GET) {
            return None;
        }
        let ttl = said.ttl.unwrap_or(DEFAULT_TTL);
        if ttl == 0 {
            return None;
        }
        Some(MethodCaching {
            ttl: Duration::from_secs(ttl),
            require_authorization: said.require_authorization.unwrap_or(true),
            strategy: said.strategy.unwrap_or(Strategy::SucceedWithResponseHeader),
        })
    }
}

/// An integration's `cacheKeyParameters`, compiled: where each value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyPart {
    Path(String),
    Query(String),
    /// Lower-cased.
    Header(String),
}

impl KeyPart {
    /// `method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME`
    /// (also the `integration.request.` form, which names the same values when mapped one to
    /// one); anything else contributes nothing.
    pub fn parse(p: &str) -> Option<KeyPart> {
        let rest = p
            .strip_prefix("method.request.")
            .or_else(|| p.strip_prefix("integration.request."))?;
        let (loc, name) = rest.split_once('.')?;
        Some(match loc {
            "path" => KeyPart::Path(name.to_string()),
            "querystring" | "multivaluequerystring" => KeyPart::Query(name.to_string()),
            "header" | "multivalueheader" => KeyPart::Header(name.to_ascii_lowercase()),
            _ => return None,
        })
    }
}

/// The cache key of a request: namespace, method, resource path, then each key parameter's
/// values (every value of a repeated query parameter or header, in order).
pub fn key(
    namespace: &str,
    method: &hyper::Method,
    resource_path: &str,
    parts: &[KeyPart],
    path_params: &[(String, String)],
    query: &[(String, String)],
    headers: &HeaderMap,
) -> String {
    let mut k = String::with_capacity(64);
    k.push_str(namespace);
    k.push('\0');
    k.push_str(method.as_str());
    k.push('\0');
    k.push_str(resource_path);
    for part in parts {
        k.push('\0');
        match part {
            KeyPart::Path(n) => {
                k.push_str("p:");
                if let Some((_, v)) = path_params.iter().find(|(p, _)| p == n) {
                    k.push_str(v);
                }
            }
            KeyPart::Query(n) => {
                k.push_str("q:");
                for (_, v) in query.iter().filter(|(q, _)| q == n) {
                    k.push_str(v);
                    k.push('\u{1}');
                }
            }
            KeyPart::Header(n) => {
                k.push_str("h:");
                for v in headers.get_all(n.as_str()) {
                    k.push_str(&String::from_utf8_lossy(v.as_bytes()));
                    k.push('\u{1}');
                }
            }
        }
    }
    k
}

/// Does `Cache-Control` ask for a fresh response (`max-age=0`)?
pub fn wants_fresh(headers: &HeaderMap) -> bool {
    headers
        .get_all(hyper::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| d.trim().eq_ignore_ascii_case("max-age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::Method;
    use serde_json::json;

    fn settings(v: serde_json::Value) -> IndexMap<String, MethodSetting> {
        serde_json::from_value(v).unwrap()
    }

    fn store(size: &str) -> Arc<CacheStore> {
        Arc::new(CacheStore::new(
            size,
            Counter::default(),
            Counter::default(),
        ))
    }

    #[test]
    fn only_get_is_cached_by_default_and_settings_override() {
        let c = StageCache::new(store("0.5"), &IndexMap::new());
        let get = c.caching("/pets", "GET", &Method::GET).unwrap();
        assert_eq!(get.ttl, Duration::from_secs(300));
        assert!(get.require_authorization);
        assert_eq!(get.strategy, Strategy::SucceedWithResponseHeader);
        assert!(c.caching("/pets", "POST", &Method::POST).is_none());

        let c = StageCache::new(
            store("0.5"),
            &settings(json!({
                "*/*": {"cachingEnabled": true, "cacheTtlInSeconds": 10,
                        "requireAuthorizationForCacheControl": false},
                "~1pets~1{id}/GET": {"cacheTtlInSeconds": 0},
                "~1orders/POST": {"cachingEnabled": true,
                                  "unauthorizedCacheControlHeaderStrategy": "FAIL_WITH_403"},
                "~1off/GET": {"cachingEnabled": false}
            })),
        );
        let any = c.caching("/pets", "GET", &Method::GET).unwrap();
        assert_eq!(
            (any.ttl, any.require_authorization),
            (Duration::from_secs(10), false)
        );
        assert!(
            c.caching("/pets/{id}", "GET", &Method::GET).is_none(),
            "ttl 0"
        );
        assert!(c.caching("/off", "GET", &Method::GET).is_none());
        let post = c.caching("/orders", "POST", &Method::POST).unwrap();
        assert_eq!(post.strategy, Strategy::FailWith403);
        // `*/*` enables every method.
        assert!(c.caching("/pets", "DELETE", &Method::DELETE).is_some());
    }

    #[test]
    fn keys_name_the_parameters_values() {
        let parts: Vec<KeyPart> = [
            "method.request.querystring.q",
            "method.request.header.X-Tenant",
            "method.request.path.id",
            "method.request.body.nope",
        ]
        .iter()
        .filter_map(|p| KeyPart::parse(p))
        .collect();
        assert_eq!(parts.len(), 3);
        let mut headers = HeaderMap::new();
        headers.insert("x-tenant", "t1".parse().unwrap());
        let path = vec![("id".to_string(), "7".to_string())];
        let q = |v: &str| {
            vec![
                ("q".to_string(), v.to_string()),
                ("other".into(), "x".into()),
            ]
        };
        let k = |query: &[(String, String)], h: &HeaderMap| {
            key("r1", &Method::GET, "/pets/{id}", &parts, &path, query, h)
        };
        assert_eq!(k(&q("a"), &headers), k(&q("a"), &headers));
        assert_ne!(k(&q("a"), &headers), k(&q("b"), &headers));
        assert_ne!(k(&q("a"), &headers), k(&q("a"), &HeaderMap::new()));
        // A parameter not in the key does not split entries.
        let mut more = q("a");
        more.push(("unkeyed".into(), "1".into()));
        assert_eq!(k(&q("a"), &headers), k(&more, &headers));
    }

    #[test]
    fn entries_expire_and_flush_and_the_size_bounds_the_store() {
        let s = store("0.5");
        assert_eq!(s.capacity, (0.5 * BYTES_PER_GB) as u64);
        let entry = |ttl| Cached::new(StatusCode::OK, HeaderMap::new(), Bytes::from("x"), ttl);
        s.put("a".into(), entry(Duration::from_secs(60)));
        s.put("short".into(), entry(Duration::from_millis(1)));
        assert!(s.get("a").is_some());
        std::thread::sleep(Duration::from_millis(20));
        assert!(s.get("short").is_none());
        s.flush();
        assert!(s.get("a").is_none());
        // Too large to cache.
        let big = Cached::new(
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::from(vec![0; MAX_ENTRY + 1]),
            Duration::from_secs(60),
        );
        s.put("big".into(), big);
        assert!(s.get("big").is_none());
        assert_eq!(capacity_of("237"), (237.0 * BYTES_PER_GB) as u64);
        assert_eq!(capacity_of("bad"), capacity_of("0.5"));
    }

    #[test]
    fn max_age_zero_is_found_among_directives() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(hyper::header::CACHE_CONTROL, v.parse().unwrap());
            m
        };
        assert!(wants_fresh(&h("max-age=0")));
        assert!(wants_fresh(&h("no-store, MAX-AGE=0")));
        assert!(!wants_fresh(&h("max-age=60")));
        assert!(!wants_fresh(&HeaderMap::new()));
    }
}
