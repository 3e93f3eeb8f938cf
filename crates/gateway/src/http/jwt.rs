//! JWT authorizers of HTTP APIs (http-api-jwt-authorizer.html): the token is read from the
//! authorizer's identity source (`$request.header.Authorization` by default; a `Bearer ` prefix
//! is dropped), its `kid` found in the issuer's JWKS, its RSA signature checked, then `iss`
//! (the authorizer's issuer), `aud` — or `client_id` when there is no `aud` — (one of the
//! authorizer's audiences), `exp`, `nbf` and `iat`; on a route with `authorizationScopes`, the
//! token's `scope` (or `scp`) must hold one of them. A refusal is 401 `Unauthorized`; a missing
//! scope 403 `Forbidden`, each with AWS's `www-authenticate` header.
//!
//! The JWKS is found by OIDC discovery, `{issuer}/.well-known/openid-configuration` →
//! `jwks_uri`, fetched with the gateway's upstream client (`http://` or `https://`, verified
//! like any backend) and cached per issuer for two hours, as AWS caches it. Decision: a token
//! whose `kid` the cached set lacks refetches it, at most once a minute (a key rotation is
//! picked up; a flood of made-up `kid`s does not reach the issuer); a JWKS that cannot be
//! fetched refuses the token (401). The claims reach the integration
//! as `requestContext.authorizer.jwt` (values as text, as AWS passes them).

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use parking_lot::Mutex;
use serde_json::{Map, Value};

use crate::integrations::h1;
use crate::integrations::http::{Client, Endpoint};
use crate::rest::request_map::BackendRequest;

/// How long a fetched JWKS is used (AWS: two hours).
const JWKS_TTL: Duration = Duration::from_secs(2 * 3600);
/// How soon an unknown `kid` may refetch the set.
const REFETCH_AFTER: Duration = Duration::from_secs(60);
/// How long discovery and the JWKS fetch may take (AWS: 1.5 s).
const FETCH_TIMEOUT: Duration = Duration::from_millis(1500);

/// A compiled JWT authorizer.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: Vec<String>,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// 401 `{"message":"Unauthorized"}`; the text is `error_description`.
    Unauthorized(String),
    /// 403 `{"message":"Forbidden"}`: the token lacks every required scope.
    Forbidden(String),
}

impl Refusal {
    /// (status, body message, `www-authenticate`).
    pub fn answer(&self, scopes: &[String]) -> (u16, &'static str, String) {
        let scope = scopes.join(" ");
        match self {
            Refusal::Unauthorized(why) => (
                401,
                "Unauthorized",
                format!(
                    "Bearer scope=\"{scope}\" error=\"invalid_token\" error_description=\"{}\"",
                    why.replace('"', "'")
                ),
            ),
            Refusal::Forbidden(why) => (
                403,
                "Forbidden",
                format!(
                    "Bearer scope=\"{scope}\" error=\"insufficient_scope\" error_description=\"{}\"",
                    why.replace('"', "'")
                ),
            ),
        }
    }
}

struct KeySet {
    fetched: Instant,
    keys: Arc<HashMap<String, (Algorithm, DecodingKey)>>,
}

/// Issuers' signing keys, fetched on first use and cached.
#[derive(Default)]
pub struct Jwks {
    by_issuer: Mutex<HashMap<String, KeySet>>,
}

impl Jwks {
    /// The claims (`requestContext.authorizer.jwt`: `{claims, scopes}`) of `token`, or why it
    /// is refused.
    pub async fn verify(
        &self,
        client: &Client,
        config: &JwtConfig,
        token: Option<&str>,
        route_scopes: &[String],
    ) -> Result<Value, Refusal> {
        let unauthorized = |why: &str| Refusal::Unauthorized(why.to_string());
        let token = token
            .map(str::trim)
            .map(|t| match t.get(..7) {
                Some(p) if p.eq_ignore_ascii_case("bearer ") => t[7..].trim_start(),
                _ => t,
            })
            .filter(|t| !t.is_empty())
            .ok_or_else(|| unauthorized("no token in the identity source"))?;
        let header = decode_header(token).map_err(|_| unauthorized("the token is not a JWT"))?;
        let kid = header
            .kid
            .ok_or_else(|| unauthorized("the token names no key (kid)"))?;
        let keys = self.keys(client, &config.issuer, &kid).await?;
        let (alg, key) = keys
            .get(&kid)
            .ok_or_else(|| unauthorized("the token's key is not in the issuer's JWKS"))?;
        if header.alg != *alg {
            return Err(unauthorized("the token's algorithm is not its key's"));
        }
        let mut v = Validation::new(*alg);
        v.set_issuer(&[&config.issuer]);
        v.validate_aud = false;
        v.validate_nbf = true;
        v.leeway = 0;
        v.set_required_spec_claims(&["exp", "iss"]);
        let claims = decode::<Map<String, Value>>(token, key, &v)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind as K;
                Refusal::Unauthorized(match e.kind() {
                    K::ExpiredSignature => "the token has expired".into(),
                    K::ImmatureSignature => "the token is not valid yet".into(),
                    K::InvalidIssuer => "the token's issuer is not the authorizer's".into(),
                    K::InvalidSignature => "signature is invalid".into(),
                    K::MissingRequiredClaim(c) => format!("the token has no {c} claim"),
                    other => format!("the token is invalid: {other:?}"),
                })
            })?
            .claims;
        if claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_some_and(|iat| iat > time::OffsetDateTime::now_utc().unix_timestamp())
        {
            return Err(unauthorized("the token was issued in the future"));
        }
        let audiences: Vec<&str> = match claims.get("aud").or_else(|| claims.get("client_id")) {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(l)) => l.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences
            .iter()
            .any(|a| config.audience.iter().any(|c| c == a))
        {
            return Err(unauthorized("the token's audience is not the authorizer's"));
        }
        let scopes: Vec<String> = match claims.get("scope").or_else(|| claims.get("scp")) {
            Some(Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
            Some(Value::Array(l)) => l
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        };
        if !route_scopes.is_empty() && !route_scopes.iter().any(|s| scopes.contains(s)) {
            return Err(Refusal::Forbidden(format!(
                "expected scopes: [{}]",
                route_scopes.join(" ")
            )));
        }
        let claims: Map<String, Value> = claims
            .into_iter()
            .map(|(k, v)| (k, Value::String(claim_text(&v))))
            .collect();
        let scopes = if scopes.is_empty() {
            Value::Null
        } else {
            Value::from(scopes)
        };
        Ok(serde_json::json!({"claims": claims, "scopes": scopes}))
    }

    async fn keys(
        &self,
        client: &Client,
        issuer: &str,
        kid: &str,
    ) -> Result<Arc<HashMap<String, (Algorithm, DecodingKey)>>, Refusal> {
        let now = Instant::now();
        if let Some(set) = self.by_issuer.lock().get(issuer) {
            let age = now - set.fetched;
            if age < JWKS_TTL && (set.keys.contains_key(kid) || age < REFETCH_AFTER) {
                return Ok(set.keys.clone());
            }
        }
        let keys = Arc::new(fetch(client, issuer).await.map_err(|e| {
            tracing::warn!(issuer, "JWKS not fetched: {e}");
            Refusal::Unauthorized(format!("the issuer's JWKS could not be fetched: {e}"))
        })?);
        self.by_issuer.lock().insert(
            issuer.to_string(),
            KeySet {
                fetched: now,
                keys: keys.clone(),
            },
        );
        Ok(keys)
    }
}

/// A claim as AWS passes it: text as it is, a list as `[a b]`, anything else as JSON.
fn claim_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(l) => {
            let items: Vec<String> = l.iter().map(claim_text).collect();
            format!("[{}]", items.join(" "))
        }
        other => other.to_string(),
    }
}

/// Discovery, then the JWKS.
async fn fetch(
    client: &Client,
    issuer: &str,
) -> Result<HashMap<String, (Algorithm, DecodingKey)>, String> {
    let discovery = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let doc = get_json(client, &discovery).await?;
    let jwks_uri = doc
        .get("jwks_uri")
        .and_then(Value::as_str)
        .ok_or("the OpenID configuration has no jwks_uri")?;
    let jwks = get_json(client, jwks_uri).await?;
    let list = jwks
        .get("keys")
        .and_then(Value::as_array)
        .ok_or("the JWKS has no keys")?;
    let mut keys = HashMap::new();
    for k in list {
        let (Some(kid), Some("RSA"), Some(n), Some(e)) = (
            k.get("kid").and_then(Value::as_str),
            k.get("kty").and_then(Value::as_str),
            k.get("n").and_then(Value::as_str),
            k.get("e").and_then(Value::as_str),
        ) else {
            // AWS verifies RSA keys only.
            continue;
        };
        let alg = match k.get("alg").and_then(Value::as_str) {
            Some("RS384") => Algorithm::RS384,
            Some("RS512") => Algorithm::RS512,
            _ => Algorithm::RS256,
        };
        if let Ok(key) = DecodingKey::from_rsa_components(n, e) {
            keys.insert(kid.to_string(), (alg, key));
        }
    }
    Ok(keys)
}

async fn get_json(client: &Client, url: &str) -> Result<Value, String> {
    let endpoint = Endpoint::parse(url.to_string()).map_err(|e| {
        e.detail
            .or(e.message)
            .unwrap_or_else(|| format!("invalid URL {url}"))
    })?;
    let req = BackendRequest {
        method: Method::GET,
        endpoint: Cow::Owned(endpoint),
        headers: Cow::Owned(HeaderMap::new()),
        skip: h1::send_all,
        added: b"accept: application/json\r\n".to_vec(),
        body: Bytes::new(),
        via: None,
        tls: Default::default(),
    };
    let out = client
        .send_buffered(req, Instant::now(), FETCH_TIMEOUT)
        .await
        .map_err(|e| e.detail.or(e.message).unwrap_or_default())?;
    if out.status != 200 {
        return Err(format!("{url} answered {}", out.status));
    }
    serde_json::from_slice(&out.body).map_err(|e| format!("{url}: not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn claims_are_passed_as_text() {
        assert_eq!(claim_text(&json!("a")), "a");
        assert_eq!(claim_text(&json!(12)), "12");
        assert_eq!(claim_text(&json!(["a", "b"])), "[a b]");
        assert_eq!(claim_text(&json!(true)), "true");
    }

    #[test]
    fn refusals_answer_as_aws_does() {
        let (s, m, w) = Refusal::Unauthorized("the token has expired".into()).answer(&[]);
        assert_eq!((s, m), (401, "Unauthorized"));
        assert!(w.contains("error=\"invalid_token\""), "{w}");
        let (s, m, _) = Refusal::Forbidden("x".into()).answer(&["read".into()]);
        assert_eq!((s, m), (403, "Forbidden"));
    }
}
