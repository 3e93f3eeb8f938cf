//! `COGNITO_USER_POOLS` authorization: the token in the authorizer's identity source is a JWT
//! that one of the authorizer's user pools issued, checked as API Gateway checks it — its
//! RS256 signature by the pool's JWKS (`kid`), `iss` = the pool's issuer, not expired, and, on a
//! method with `authorizationScopes`, an access token holding one of them. Its claims become
//! `$context.authorizer.claims`.
//!
//! Portico cannot reach Cognito: each user pool's keys come from the config file
//! (`[[user_pools]] arn, jwks_file | jwks_url`). A file is read at start. A URL is fetched over
//! the data plane's own upstream client (`integrations::http`, so `https://` is verified against
//! the same roots as backends) when a token names a key the pool does not hold — the first
//! token, or one signed after a key rotation — at most once per `refresh` interval per pool
//! (concurrent requests wait for the one fetch). The keys live in an `ArcSwap`: a request
//! that finds its key pays one atomic load.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::integrations::http::Client;

/// How long a JWKS fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest JWKS document read.
const MAX_JWKS: usize = 1024 * 1024;

type Keys = HashMap<String, DecodingKey>;

/// One user pool: its issuer and signing keys by `kid`.
struct Pool {
    issuer: String,
    keys: ArcSwap<Keys>,
    remote: Option<Remote>,
}

/// Where a pool's keys are fetched from.
struct Remote {
    url: String,
    /// The shortest time between two fetches.
    refresh: Duration,
    /// When the keys were last fetched (or tried); held across a fetch, so concurrent
    /// requests with an unknown key wait for one fetch instead of each making their own.
    last: tokio::sync::Mutex<Option<Instant>>,
}

/// The user pools the config file describes, by ARN.
#[derive(Default)]
pub struct UserPools {
    by_arn: HashMap<String, Arc<Pool>>,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Missing, malformed, badly signed, from another pool, or without the method's scope:
    /// 401 `Unauthorized`.
    Unauthorized(String),
    /// 401 `The incoming token has expired`.
    Expired,
    /// None of the authorizer's pools is configured, or none of their keys could be had
    /// (a `jwks_url` that cannot be fetched): AWS's answer to an authorizer that cannot run.
    NoPool(String),
}

/// The keys of a JWKS document (`{"keys": [{"kid", "kty": "RSA", "n", "e"}…]}`).
pub fn parse_jwks(jwks: &Value) -> Result<HashMap<String, DecodingKey>, String> {
    let list = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the JWKS has no \"keys\" list")?;
    let mut keys = HashMap::new();
    for k in list {
        let kid = k
            .get("kid")
            .and_then(Value::as_str)
            .ok_or("a key has no kid")?;
        let (Some(n), Some(e)) = (
            k.get("n").and_then(Value::as_str),
            k.get("e").and_then(Value::as_str),
        ) else {
            return Err(format!("key {kid} is not an RSA key (n, e)"));
        };
        let key =
            DecodingKey::from_rsa_components(n, e).map_err(|err| format!("key {kid}: {err}"))?;
        keys.insert(kid.to_string(), key);
    }
    if keys.is_empty() {
        return Err("the JWKS holds no key".into());
    }
    Ok(keys)
}

fn issuer_of(arn: &str) -> Result<String, String> {
    let (region, pool_id) = parse_arn(arn).ok_or_else(|| {
        format!("{arn:?} is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)")
    })?;
    Ok(format!(
        "https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    ))
}

/// A token's verdict before any fetch: its claims, a refusal, or a key no pool holds yet.
enum Checked {
    Done(Result<Map<String, Value>, TokenRefusal>),
    UnknownKey,
}

impl UserPools {
    /// Add the pool `arn` (`arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`) with the keys
    /// of a JWKS document (`{"keys": [{"kid", "kty": "RSA", "n", "e"}…]}`).
    pub fn add(&mut self, arn: &str, jwks: &Value) -> Result<(), String> {
        let issuer = issuer_of(arn)?;
        let keys = parse_jwks(jwks)?;
        self.by_arn.insert(
            arn.to_string(),
            Arc::new(Pool {
                issuer,
                keys: ArcSwap::from_pointee(keys),
                remote: None,
            }),
        );
        Ok(())
    }

    /// Add the pool `arn` whose JWKS is fetched from `url` (`http://` or `https://`) when a
    /// token names a key it does not hold, at most once per `refresh`.
    pub fn add_url(&mut self, arn: &str, url: &str, refresh: Duration) -> Result<(), String> {
        let issuer = issuer_of(arn)?;
        crate::integrations::http::Endpoint::parse(url.to_string()).map_err(|e| {
            format!(
                "jwks_url {url:?} is not an http(s) URL ({})",
                e.detail.unwrap_or_default()
            )
        })?;
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("jwks_url {url:?} is not an http(s) URL"));
        }
        self.by_arn.insert(
            arn.to_string(),
            Arc::new(Pool {
                issuer,
                keys: ArcSwap::from_pointee(HashMap::new()),
                remote: Some(Remote {
                    url: url.to_string(),
                    refresh,
                    last: tokio::sync::Mutex::new(None),
                }),
            }),
        );
        Ok(())
    }

    /// The claims of `token` if one of `pool_arns` issued it and it grants `scopes` (none: any
    /// token of the pool; else an access token with one of them). A key no pool holds sends
    /// the pools with a `jwks_url` to fetch their keys again (rate-limited), then the token is
    /// checked once more.
    pub async fn verify(
        &self,
        client: &Client,
        token: &str,
        pool_arns: &[String],
        scopes: &[String],
    ) -> Result<Map<String, Value>, TokenRefusal> {
        let pools: Vec<&Arc<Pool>> = pool_arns
            .iter()
            .filter_map(|a| self.by_arn.get(a))
            .collect();
        if pools.is_empty() {
            return Err(TokenRefusal::NoPool(format!(
                "no configured user pool among {pool_arns:?} ([[user_pools]] in the config file)"
            )));
        }
        if let Checked::Done(r) = check(&pools, token, scopes) {
            return r;
        }
        let mut failures = Vec::new();
        for p in pools.iter().filter(|p| p.remote.is_some()) {
            if let Err(e) = p.refresh(client).await {
                failures.push(e);
            }
        }
        match check(&pools, token, scopes) {
            Checked::Done(r) => r,
            // Not one key to check against: the authorizer cannot run.
            Checked::UnknownKey if pools.iter().all(|p| p.keys.load().is_empty()) => {
                Err(TokenRefusal::NoPool(format!(
                    "no keys for the authorizer's user pools: {}",
                    failures.join("; ")
                )))
            }
            Checked::UnknownKey => Err(TokenRefusal::Unauthorized(
                "signed by a key of no authorizer pool".into(),
            )),
        }
    }
}

impl Pool {
    /// Fetch the pool's JWKS again, unless it was fetched less than `refresh` ago (then the
    /// keys are what that fetch gave). Waits for a fetch already under way.
    async fn refresh(&self, client: &Client) -> Result<(), String> {
        let Some(remote) = &self.remote else {
            return Ok(());
        };
        let mut last = remote.last.lock().await;
        if last.is_some_and(|t| t.elapsed() < remote.refresh) {
            return Ok(());
        }
        *last = Some(Instant::now());
        let fetched = fetch(client, &remote.url).await;
        match fetched.and_then(|doc| parse_jwks(&doc)) {
            Ok(keys) => {
                tracing::info!(url = %remote.url, keys = keys.len(), "user pool JWKS fetched");
                self.keys.store(Arc::new(keys));
                Ok(())
            }
            Err(e) => {
                tracing::warn!(url = %remote.url, "user pool JWKS not fetched: {e}");
                Err(format!("{}: {e}", remote.url))
            }
        }
    }
}

/// GET the JWKS at `url` through the upstream client.
async fn fetch(client: &Client, url: &str) -> Result<Value, String> {
    use crate::rest::request_map::BackendRequest;
    let endpoint = crate::integrations::http::Endpoint::parse(url.to_string())
        .map_err(|e| e.detail.unwrap_or_default())?;
    let req = BackendRequest {
        method: hyper::Method::GET,
        endpoint: std::borrow::Cow::Owned(endpoint),
        headers: std::borrow::Cow::Owned(hyper::HeaderMap::new()),
        skip: |_| false,
        added: b"accept: application/json\r\n".to_vec(),
        body: bytes::Bytes::new(),
        via: None,
        tls: Default::default(),
    };
    let out = client
        .send_buffered(req, Instant::now(), FETCH_TIMEOUT)
        .await
        .map_err(|e| e.detail.unwrap_or_else(|| format!("{:?}", e.kind)))?;
    if out.status != 200 {
        return Err(format!("answered HTTP {}", out.status));
    }
    if out.body.len() > MAX_JWKS {
        return Err(format!("a JWKS over {MAX_JWKS} bytes"));
    }
    serde_json::from_slice(&out.body).map_err(|e| format!("not JSON: {e}"))
}

/// Check `token` against the keys the pools hold now.
fn check(pools: &[&Arc<Pool>], token: &str, scopes: &[String]) -> Checked {
    let unauthorized = |why: &str| Checked::Done(Err(TokenRefusal::Unauthorized(why.to_string())));
    let header = match decode_header(token) {
        Ok(h) => h,
        Err(_) => return unauthorized("not a JWT"),
    };
    if header.alg != Algorithm::RS256 {
        return unauthorized("not an RS256 token");
    }
    let Some(kid) = header.kid else {
        return unauthorized("no kid");
    };
    // The pool's keys stay loaded (a guard, no copy) while the signature is checked.
    let Some((pool, keys)) = pools
        .iter()
        .map(|p| (p, p.keys.load()))
        .find(|(_, keys)| keys.contains_key(&kid))
    else {
        return Checked::UnknownKey;
    };
    let Some(key) = keys.get(&kid) else {
        return Checked::UnknownKey;
    };
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&pool.issuer]);
    validation.validate_aud = false;
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "iss"]);
    let data = match decode::<Map<String, Value>>(token, key, &validation) {
        Ok(d) => d,
        Err(e) => {
            return Checked::Done(Err(match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenRefusal::Expired,
                other => TokenRefusal::Unauthorized(format!("{other:?}")),
            }))
        }
    };
    let claims = data.claims;
    let token_use = claims.get("token_use").and_then(Value::as_str);
    if !matches!(token_use, Some("id" | "access")) {
        return unauthorized("token_use is neither id nor access");
    }
    if !scopes.is_empty() {
        let granted = claims.get("scope").and_then(Value::as_str).unwrap_or("");
        let ok = token_use == Some("access")
            && granted.split(' ').any(|g| scopes.iter().any(|s| s == g));
        if !ok {
            return unauthorized("the token grants none of the method's scopes");
        }
    }
    Checked::Done(Ok(claims))
}

/// `(region, pool id)` of a user pool ARN.
fn parse_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:cognito-idp:")?;
    let (region, rest) = rest.split_once(':')?;
    let (_account, rest) = rest.split_once(':')?;
    let id = rest.strip_prefix("userpool/")?;
    (!region.is_empty() && !id.is_empty()).then_some((region, id))
}

/// `$context.authorizer.claims`: every claim as text, as API Gateway passes them.
pub fn claims_context(claims: &Map<String, Value>) -> Value {
    Value::Object(
        claims
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(text))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_pool_arns_are_read() {
        assert_eq!(
            parse_arn("arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc"),
            Some(("us-east-1", "us-east-1_abc"))
        );
        assert_eq!(parse_arn("arn:aws:cognito-idp:us-east-1:0:pool/x"), None);
    }

    #[test]
    fn a_jwks_without_rsa_keys_is_refused() {
        let arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";
        let mut pools = UserPools::default();
        assert!(pools.add(arn, &serde_json::json!({"keys": []})).is_err());
        assert!(pools
            .add(
                arn,
                &serde_json::json!({"keys": [{"kid": "k", "kty": "EC"}]})
            )
            .is_err());
        assert!(pools.add("nope", &serde_json::json!({"keys": []})).is_err());
    }

    #[test]
    fn a_token_for_an_unconfigured_pool_is_a_configuration_error() {
        let pools = UserPools::default();
        let client = Client::new();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = rt.block_on(pools.verify(&client, "a.b.c", &["arn:x".into()], &[]));
        assert!(matches!(r, Err(TokenRefusal::NoPool(_))));
    }

    #[test]
    fn a_jwks_url_must_be_http() {
        let arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abc";
        let mut pools = UserPools::default();
        let every = Duration::from_secs(60);
        assert!(pools.add_url(arn, "ftp://x/jwks.json", every).is_err());
        assert!(pools.add_url(arn, "not a url", every).is_err());
        assert!(pools
            .add_url(arn, "http://127.0.0.1:9/jwks.json", every)
            .is_ok());
    }
}
