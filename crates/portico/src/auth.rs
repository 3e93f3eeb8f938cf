//! Who is calling: which signing scheme a request uses ([`scheme_of`]), its verification, and
//! the tenant it yields.
//!
//! The account comes from the access key (configured credentials), the region from the SigV4
//! credential scope. Signatures are always verified when present; unsigned calls are refused
//! unless the operator turned `allow_unsigned` on.
//!
//! `accept_any_key` (moto/LocalStack compatibility, loopback only: see `config`) lets in access
//! keys that are not configured, without verifying their signature: the account is the key id
//! when it is 12 digits, else the seeded account, and the region comes from the credential scope,
//! which must name the service. Configured keys are verified as always.

use std::collections::HashMap;

use hyper::HeaderMap;

use crate::config::{Config, Credential, SEEDED_ACCOUNT};
use portico_core::{ApiError, Tenant};
use portico_gateway::iam::{IamCaller, IamRefusal, IamVerifier, SignedInvocation};

pub struct Auth {
    by_access_key: HashMap<String, Credential>,
    unsigned_tenant: Option<Tenant>,
    accept_any_key: bool,
    keys: sigv4::KeyCache,
}

/// The parts of a request the verifiers need, borrowed from hyper's types (the same for a
/// management call as for an invocation).
pub type SignedParts<'a> = SignedInvocation<'a>;

/// The headers as the verifiers take them (values that are not text cannot have been signed).
fn header_pairs(headers: &HeaderMap) -> Vec<(&str, &str)> {
    headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str(), v)))
        .collect()
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
            accept_any_key: config.accept_any_key,
            keys: sigv4::KeyCache::new(),
        }
    }

    /// Verify the request's signature for `service` and return the caller's tenant.
    pub fn authenticate(&self, parts: &SignedParts, service: &str) -> Result<Tenant, ApiError> {
        let headers = header_pairs(parts.headers);
        let req = sigv4::Request {
            method: parts.method,
            raw_path: parts.raw_path,
            raw_query: parts.raw_query,
            headers: &headers,
            body: parts.body,
        };
        if self.accept_any_key {
            if let Some(tenant) = self.any_key_tenant(&req, service)? {
                return Ok(tenant);
            }
        }
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

    /// An `AWS_IAM` invocation's caller: SigV4 with service `execute-api`, strictly — only
    /// configured keys, whatever `accept_any_key` and `allow_unsigned` say (they open the
    /// management API to test suites, never a deployed API's IAM-guarded methods).
    pub fn verify_invocation(&self, req: &SignedInvocation<'_>) -> Result<IamCaller, IamRefusal> {
        let headers = header_pairs(req.headers);
        let signed = sigv4::Request {
            method: req.method,
            raw_path: req.raw_path,
            raw_query: req.raw_query,
            headers: &headers,
            body: req.body,
        };
        let now = portico_core::ids::now_epoch();
        let secret_for = |ak: &str| self.by_access_key.get(ak).map(|c| c.secret_key.clone());
        match sigv4::verify_with(&signed, Some("execute-api"), now, secret_for, &self.keys) {
            Ok(v) => match self.by_access_key.get(&v.access_key) {
                Some(cred) => Ok(IamCaller {
                    account_id: cred.account_id.clone(),
                    access_key: v.access_key.to_string(),
                    region: v.region.to_string(),
                }),
                None => Err(IamRefusal::UnknownKey(
                    sigv4::Error::UnrecognizedClient.message(),
                )),
            },
            Err(sigv4::Error::MissingAuthenticationToken) => Err(IamRefusal::Missing),
            Err(e @ sigv4::Error::UnrecognizedClient) => Err(IamRefusal::UnknownKey(e.message())),
            Err(
                e @ (sigv4::Error::SignatureExpired { .. }
                | sigv4::Error::SignatureNotYetCurrent { .. }
                | sigv4::Error::PresignExpired { .. }),
            ) => Err(IamRefusal::Expired(e.message())),
            Err(e) => Err(IamRefusal::Invalid(e.message())),
        }
    }

    /// `accept_any_key`: the tenant of a request signed with a key that is not configured, read
    /// from its credential scope; nothing else is checked, since nothing is verified (a date
    /// check would only refuse clients whose clock is frozen, as in moto's `freeze_time` tests).
    /// `None` for an unsigned or malformed request, or a configured key: those go the usual way.
    fn any_key_tenant(
        &self,
        req: &sigv4::Request,
        service: &str,
    ) -> Result<Option<Tenant>, ApiError> {
        let cred = match sigv4::credential_of(req) {
            Ok(Some(c)) if !self.by_access_key.contains_key(&c.access_key) => c,
            _ => return Ok(None),
        };
        // A call meant for another service (moto suites call Cognito, Lambda...) is not ours.
        if cred.service != service {
            let e = sigv4::Error::WrongService {
                expected: service.to_string(),
            };
            return Err(ApiError::new(e.status(), e.aws_code(), e.message()));
        }
        Ok(Some(Tenant::aws(
            any_key_account(&cred.access_key),
            cred.region,
        )))
    }
}

impl IamVerifier for Auth {
    fn verify(&self, req: &SignedInvocation<'_>) -> Result<IamCaller, IamRefusal> {
        self.verify_invocation(req)
    }
}

/// `accept_any_key`: the account of a key that is not configured. moto and LocalStack read a
/// 12-digit key id as the account id; any other key is the seeded account's.
fn any_key_account(access_key: &str) -> String {
    if access_key.len() == 12 && access_key.bytes().all(|b| b.is_ascii_digit()) {
        access_key.to_string()
    } else {
        SEEDED_ACCOUNT.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;
    use hyper::header::{HeaderName, HeaderValue};

    const KEYED: &str = "[[credentials]]\naccess_key = \"AKIDCONFIGURED\"\n\
                         secret_key = \"right\"\naccount_id = \"111111111111\"\n";

    fn auth(config: &str) -> Auth {
        let file = FileConfig::parse(config).unwrap();
        Auth::new(&Config::resolve(file, None, None, None).unwrap())
    }

    /// A GET /restapis signed now by `key`/`secret` for `service` in eu-west-1.
    fn signed(key: &str, secret: &str, service: &str) -> HeaderMap {
        signed_at(portico_core::ids::now_epoch(), key, secret, service)
    }

    fn signed_at(when: i64, key: &str, secret: &str, service: &str) -> HeaderMap {
        let amz_date = sigv4::format_amz_date(when);
        let plain = [
            ("host", "127.0.0.1:4566"),
            ("x-amz-date", amz_date.as_str()),
        ];
        let req = sigv4::Request {
            method: "GET",
            raw_path: "/restapis",
            raw_query: "",
            headers: &plain,
            body: b"",
        };
        let authorization = sigv4::sign(&req, key, secret, "eu-west-1", service, &amz_date);
        let mut headers = HeaderMap::new();
        for (name, value) in plain
            .into_iter()
            .chain([("authorization", &*authorization)])
        {
            headers.insert(
                HeaderName::from_static(name),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        headers
    }

    fn call(auth: &Auth, headers: &HeaderMap) -> Result<Tenant, ApiError> {
        let parts = SignedParts {
            method: "GET",
            raw_path: "/restapis",
            raw_query: "",
            headers,
            body: b"",
        };
        auth.authenticate(&parts, "apigateway")
    }

    fn code(r: Result<Tenant, ApiError>) -> String {
        format!("{:?}", r.unwrap_err())
    }

    #[test]
    fn any_key_is_its_account_when_twelve_digits() {
        assert_eq!(any_key_account("123456789012"), "123456789012");
        for key in [
            "FOOBARKEY",
            "test",
            "12345678901",
            "1234567890123",
            "12345678901x",
        ] {
            assert_eq!(any_key_account(key), SEEDED_ACCOUNT, "{key}");
        }
    }

    #[test]
    fn accept_any_key_lets_unknown_keys_in_unverified() {
        let any = auth(&format!("accept_any_key = true\n{KEYED}"));
        for (key, account) in [
            ("FOOBARKEY", SEEDED_ACCOUNT),
            ("123456789012", "123456789012"),
        ] {
            let t = call(&any, &signed(key, "any secret at all", "apigateway")).unwrap();
            assert_eq!((t.account(), t.region()), (account, "eu-west-1"));
        }
        // A configured key is still verified.
        let ok = call(&any, &signed("AKIDCONFIGURED", "right", "apigateway")).unwrap();
        assert_eq!(ok.account(), "111111111111");
        let bad = call(&any, &signed("AKIDCONFIGURED", "wrong", "apigateway"));
        assert!(code(bad).contains("InvalidSignatureException"));
        // The scope must name the service...
        let other = call(&any, &signed("FOOBARKEY", "x", "s3"));
        assert!(code(other).contains("Credential should be scoped to correct service"));
        // ...and the request must be signed at all.
        let unsigned = call(&any, &HeaderMap::new());
        assert!(code(unsigned).contains("MissingAuthenticationTokenException"));
        // Nothing is verified for an unknown key, its date neither (a frozen clock in 2015)...
        let frozen = signed_at(1_420_070_400, "FOOBARKEY", "x", "apigateway");
        assert_eq!(call(&any, &frozen).unwrap().account(), SEEDED_ACCOUNT);
        // ...but a configured key's is.
        let frozen = signed_at(1_420_070_400, "AKIDCONFIGURED", "right", "apigateway");
        assert!(code(call(&any, &frozen)).contains("Signature expired"));
    }

    #[test]
    fn without_accept_any_key_unknown_keys_are_refused() {
        let strict = auth(KEYED);
        let r = call(&strict, &signed("FOOBARKEY", "x", "apigateway"));
        assert!(code(r).contains("UnrecognizedClientException"));
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
        let headers = header_pairs(parts.headers);
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
mod scheme_tests {
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
