//! Who may call: access-key credentials (`[[credentials]]`) and the Cognito user pools whose
//! tokens methods accept (`[[user_pools]]`).

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub access_key: String,
    pub secret_key: String,
    pub account_id: String,
}

/// `[[user_pools]] arn = "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID"`, and either
/// `jwks_file = "jwks.json"` (the pool's `/.well-known/jwks.json`, read at start) or
/// `jwks_url = "https://…/.well-known/jwks.json"` (fetched when a token names a key the pool
/// does not hold, at most once per `jwks_refresh_secs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPoolFile {
    pub arn: String,
    pub jwks_file: Option<PathBuf>,
    pub jwks_url: Option<String>,
    /// The shortest time between two fetches of `jwks_url` (default
    /// `DEFAULT_JWKS_REFRESH_SECS`).
    pub jwks_refresh_secs: Option<u64>,
}

/// Seconds between two fetches of a user pool's `jwks_url`, at least, by default.
pub const DEFAULT_JWKS_REFRESH_SECS: u64 = 60;

/// A user pool's keys, as the config gives them.
#[derive(Debug, Clone)]
pub enum UserPoolKeys {
    /// A JWKS document read from `jwks_file` (and checked) at start.
    Jwks(serde_json::Value),
    /// Fetched from `jwks_url`, at most once per `refresh`.
    Url { url: String, refresh: Duration },
}

/// Each user pool's JWKS file read and checked (RSA keys with ids) at start; a `jwks_url`
/// checked to be an http(s) URL (it is fetched when first needed).
pub(super) fn read_user_pools(
    list: &[UserPoolFile],
) -> Result<Vec<(String, UserPoolKeys)>, ConfigError> {
    let mut out: Vec<(String, UserPoolKeys)> = Vec::new();
    for p in list {
        let err = |m: String| ConfigError(format!("user_pools: {}: {m}", p.arn));
        if out.iter().any(|(a, _)| *a == p.arn) {
            return Err(err("listed twice".into()));
        }
        let keys = match (&p.jwks_file, &p.jwks_url) {
            (Some(path), None) => {
                if p.jwks_refresh_secs.is_some() {
                    return Err(err("jwks_refresh_secs goes with jwks_url".into()));
                }
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
                let jwks: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| err(format!("{} is not JSON: {e}", path.display())))?;
                portico_gateway::cognito::UserPools::default()
                    .add(&p.arn, &jwks)
                    .map_err(err)?;
                UserPoolKeys::Jwks(jwks)
            }
            (None, Some(url)) => {
                let refresh = match p.jwks_refresh_secs {
                    None => Duration::from_secs(DEFAULT_JWKS_REFRESH_SECS),
                    Some(n @ 1..=86400) => Duration::from_secs(n),
                    Some(n) => {
                        return Err(err(format!(
                            "jwks_refresh_secs must be between 1 and 86400, not {n}"
                        )))
                    }
                };
                portico_gateway::cognito::UserPools::default()
                    .add_url(&p.arn, url, refresh)
                    .map_err(err)?;
                UserPoolKeys::Url {
                    url: url.clone(),
                    refresh,
                }
            }
            _ => return Err(err("give exactly one of jwks_file and jwks_url".into())),
        };
        out.push((p.arn.clone(), keys));
    }
    Ok(out)
}
