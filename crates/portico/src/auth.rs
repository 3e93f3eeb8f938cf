//! Who is calling: which signing scheme a request uses ([`scheme_of`]), its verification, and
//! the tenant it yields.
//!
//! The account comes from the access key (configured credentials), the region from the SigV4
//! credential scope. Signatures are always verified when present; unsigned calls are refused
//! unless the operator turned `allow_unsigned` on.

use std::collections::HashMap;

use hyper::HeaderMap;

use crate::config::{Config, Credential};
use portico_core::{ApiError, Tenant};

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
        let unsigned_tenant = config
            .allow_unsigned
            .then(|| Tenant::aws(&config.credentials[0].account_id, &config.region));
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
        let now = portico_core::ids::now_epoch();
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
                Ok(Tenant::aws(&cred.account_id, v.region))
            }
            Err(sigv4::Error::MissingAuthenticationToken) if self.unsigned_tenant.is_some() => {
                Ok(self.unsigned_tenant.clone().expect("checked above"))
            }
            Err(e) => Err(ApiError::new(e.status(), e.aws_code(), e.message())),
        }
    }
}

/// The code Huawei Cloud's management endpoints answer a failed AK/SK authentication with
/// (401, "Incorrect IAM authentication information: ..."): they sit behind Huawei's shared API
/// gateway, whose codes are `APIGW.*` (seen from DNS, FunctionGraph and AOM endpoints in
/// huaweicloud-sdk issues, e.g. huaweicloud-sdk-nodejs-v3#2, huaweicloud-sdk-java-v3#44).
/// `sdk_hmac::IAM_AUTH_ERROR_CODE` (APIG.0301) is what a dedicated gateway's own IAM-authenticated
/// APIs answer; the texts are the same.
pub const HUAWEI_AUTH_ERROR_CODE: &str = "APIGW.0301";

impl Auth {
    /// Verify a Huawei `SDK-HMAC-SHA256` signature (every configured key signs Huawei calls
    /// too) and return the caller's account.
    pub fn huawei(&self, parts: &SignedParts) -> Result<String, ApiError> {
        let headers: Vec<(&str, &str)> = parts
            .headers
            .iter()
            .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
            .collect();
        let req = sdk_hmac::Request {
            method: parts.method,
            raw_path: parts.raw_path,
            raw_query: parts.raw_query,
            headers: &headers,
            body: parts.body,
        };
        let now = portico_core::ids::now_epoch();
        let secret_for = |ak: &str| self.by_access_key.get(ak).map(|c| c.secret_key.clone());
        match sdk_hmac::verify(&req, now, secret_for) {
            Ok(v) => self
                .by_access_key
                .get(&v.access_key)
                .map(|c| c.account_id.clone())
                .ok_or_else(|| {
                    ApiError::new(
                        401,
                        HUAWEI_AUTH_ERROR_CODE,
                        "Incorrect IAM authentication information: ak not exist",
                    )
                }),
            Err(e) => Err(ApiError::new(
                e.status(),
                HUAWEI_AUTH_ERROR_CODE,
                e.error_msg(),
            )),
        }
    }
}

/// How a request is signed: what decides, after admin paths and data-plane addresses, which
/// management API answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scheme {
    /// AWS `AWS4-HMAC-SHA256` (header or presigned query), with its credential scope's service:
    /// `apigateway` (also `apigatewayv2`, which botocore signs as `apigateway`), `execute-api`
    /// (`@connections`), later `lambda`.
    Aws { service: String },
    /// Huawei Cloud `SDK-HMAC-SHA256` (`huaweicloudsdkcore`'s AK/SK signer).
    Huawei,
    /// No signature at all: AWS's answer, as for any unsigned call.
    Unsigned,
}

pub fn scheme_of(headers: &HeaderMap, raw_query: &str) -> Scheme {
    let authorization = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim_start();
    if authorization.starts_with("SDK-HMAC-SHA256") {
        return Scheme::Huawei;
    }
    let service = if authorization.starts_with(sigv4::ALGORITHM) {
        authorization
            .split_once("Credential=")
            .and_then(|(_, c)| c.split(['/', ',']).nth(3))
    } else {
        raw_query
            .split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Credential="))
            .and_then(|c| c.split("%2F").nth(3).or_else(|| c.split('/').nth(3)))
    };
    match service {
        Some(service) => Scheme::Aws {
            service: service.trim().to_string(),
        },
        None if authorization.is_empty() => Scheme::Unsigned,
        // Some other scheme: AWS's verifier answers it (IncompleteSignature and friends).
        None => Scheme::Aws {
            service: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheme(authorization: Option<&str>, query: &str) -> Scheme {
        let mut h = HeaderMap::new();
        if let Some(a) = authorization {
            h.insert(hyper::header::AUTHORIZATION, a.parse().unwrap());
        }
        scheme_of(&h, query)
    }

    #[test]
    fn schemes_are_told_apart_by_their_signature() {
        assert_eq!(
            scheme(Some("AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/apigateway/aws4_request, SignedHeaders=host, Signature=00"), ""),
            Scheme::Aws { service: "apigateway".into() }
        );
        assert_eq!(
            scheme(None, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20240101%2Fus-east-1%2Fexecute-api%2Faws4_request"),
            Scheme::Aws { service: "execute-api".into() }
        );
        assert_eq!(
            scheme(
                Some("SDK-HMAC-SHA256 Access=test, SignedHeaders=host;x-sdk-date, Signature=00"),
                ""
            ),
            Scheme::Huawei
        );
        assert_eq!(scheme(None, ""), Scheme::Unsigned);
        assert_eq!(
            scheme(Some("Bearer x"), ""),
            Scheme::Aws {
                service: String::new()
            }
        );
    }
}
