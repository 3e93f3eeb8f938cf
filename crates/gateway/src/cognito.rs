//! `COGNITO_USER_POOLS` authorization: the token in the authorizer's identity source is a JWT
//! that one of the authorizer's user pools issued, checked as API Gateway checks it — its
//! RS256 signature by the pool's JWKS (`kid`), `iss` = the pool's issuer, not expired, and, on a
//! method with `authorizationScopes`, an access token holding one of them. Its claims become
//! `$context.authorizer.claims`.
//!
//! Portico cannot reach Cognito: each user pool's keys come from the config file
//! (`[[user_pools]] arn, jwks_file`), read at start into a [`UserPools`] the binary hands the
//! data plane.

use std::collections::HashMap;

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// One user pool: its issuer and signing keys by `kid`.
struct Pool {
    issuer: String,
    keys: HashMap<String, DecodingKey>,
}

/// The user pools the config file describes, by ARN.
#[derive(Default)]
pub struct UserPools {
    by_arn: HashMap<String, Pool>,
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRefusal {
    /// Missing, malformed, badly signed, from another pool, or without the method's scope:
    /// 401 `Unauthorized`.
    Unauthorized(String),
    /// 401 `The incoming token has expired`.
    Expired,
    /// None of the authorizer's pools is configured: AWS's answer to an authorizer that cannot
    /// run.
    NoPool(String),
}

impl UserPools {
    /// Add the pool `arn` (`arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID`) with the keys
    /// of a JWKS document (`{"keys": [{"kid", "kty": "RSA", "n", "e"}…]}`).
    pub fn add(&mut self, arn: &str, jwks: &Value) -> Result<(), String> {
        let (region, pool_id) = parse_arn(arn).ok_or_else(|| {
            format!(
                "{arn:?} is not a user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID)"
            )
        })?;
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
            let key = DecodingKey::from_rsa_components(n, e)
                .map_err(|err| format!("key {kid}: {err}"))?;
            keys.insert(kid.to_string(), key);
        }
        if keys.is_empty() {
            return Err("the JWKS holds no key".into());
        }
        self.by_arn.insert(
            arn.to_string(),
            Pool {
                issuer: format!("https://cognito-idp.{region}.amazonaws.com/{pool_id}"),
                keys,
            },
        );
        Ok(())
    }

    /// The claims of `token` if one of `pool_arns` issued it and it grants `scopes` (none: any
    /// token of the pool; else an access token with one of them).
    pub fn verify(
        &self,
        token: &str,
        pool_arns: &[String],
        scopes: &[String],
    ) -> Result<Map<String, Value>, TokenRefusal> {
        let pools: Vec<&Pool> = pool_arns
            .iter()
            .filter_map(|a| self.by_arn.get(a))
            .collect();
        if pools.is_empty() {
            return Err(TokenRefusal::NoPool(format!(
                "no configured user pool among {pool_arns:?} ([[user_pools]] in the config file)"
            )));
        }
        let unauthorized = |why: &str| TokenRefusal::Unauthorized(why.to_string());
        let header = decode_header(token).map_err(|_| unauthorized("not a JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(unauthorized("not an RS256 token"));
        }
        let kid = header.kid.ok_or_else(|| unauthorized("no kid"))?;
        let (pool, key) = pools
            .iter()
            .find_map(|p| p.keys.get(&kid).map(|k| (p, k)))
            .ok_or_else(|| unauthorized("signed by a key of no authorizer pool"))?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&pool.issuer]);
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iss"]);
        let data =
            decode::<Map<String, Value>>(token, key, &validation).map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenRefusal::Expired,
                other => TokenRefusal::Unauthorized(format!("{other:?}")),
            })?;
        let claims = data.claims;
        let token_use = claims.get("token_use").and_then(Value::as_str);
        if !matches!(token_use, Some("id" | "access")) {
            return Err(unauthorized("token_use is neither id nor access"));
        }
        if !scopes.is_empty() {
            let granted = claims.get("scope").and_then(Value::as_str).unwrap_or("");
            let ok = token_use == Some("access")
                && granted.split(' ').any(|g| scopes.iter().any(|s| s == g));
            if !ok {
                return Err(unauthorized("the token grants none of the method's scopes"));
            }
        }
        Ok(claims)
    }
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
        let r = pools.verify("a.b.c", &["arn:x".into()], &[]);
        assert!(matches!(r, Err(TokenRefusal::NoPool(_))));
    }
}
