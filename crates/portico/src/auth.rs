//! Who is calling: SigV4 verification of management calls and the tenant it yields.
//!
//! The account comes from the access key (configured credentials), the region from the SigV4
//! credential scope. Signatures are always verified when present; unsigned calls are refused
//! unless the operator turned `allow_unsigned` on.

use std::collections::HashMap;

use hyper::HeaderMap;

use crate::config::{Config, Credential};
use crate::error::ApiError;
use crate::store::Tenant;

pub struct Auth {
    by_access_key: HashMap<String, Credential>,
    unsigned_tenant: Option<Tenant>,
    keys: sigv4::KeyCache,
}

/// The parts of a request the verifier needs, borrowed from hyper's types.
pub struct SignedParts<'a> {
    pub method: &'a str,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Auth {
    pub fn new(config: &Config) -> Auth {
        let by_access_key = config
            .credentials
            .iter()
            .map(|c| (c.access_key.clone(), c.clone()))
            .collect();
        let unsigned_tenant = config.allow_unsigned.then(|| Tenant {
            account: config.credentials[0].account_id.clone(),
            region: config.region.clone(),
        });
        Auth {
            by_access_key,
            unsigned_tenant,
            keys: sigv4::KeyCache::new(),
        }
    }

    /// Verify the request's signature for `service` and return the caller's tenant.
    pub fn authenticate(&self, parts: &SignedParts, service: &str) -> Result<Tenant, ApiError> {
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
            .collect();
        let req = sigv4::Request {
            method: parts.method,
            raw_path: parts.raw_path,
            raw_query: parts.raw_query,
            headers: &headers,
            body: parts.body,
        };
        let now = crate::ids::now_epoch();
        let secret_for = |ak: &str| self.by_access_key.get(ak).map(|c| c.secret_key.clone());
        match sigv4::verify_with(&req, Some(service), now, secret_for, &self.keys) {
            Ok(v) => {
                let cred = self.by_access_key.get(&v.access_key).ok_or_else(|| {
                    ApiError::new(
                        403,
                        "UnrecognizedClientException",
                        "The security token included in the request is invalid.",
                    )
                })?;
                Ok(Tenant {
                    account: cred.account_id.clone(),
                    region: v.region,
                })
            }
            Err(sigv4::Error::MissingAuthenticationToken) if self.unsigned_tenant.is_some() => {
                Ok(self.unsigned_tenant.clone().expect("checked above"))
            }
            Err(e) => Err(ApiError::new(e.status(), e.aws_code(), e.message())),
        }
    }
}
