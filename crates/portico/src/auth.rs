//! Who is calling: SigV4 verification of management calls and the tenant it yields.
//!
//! The account comes from the access key (configured credentials), the region from the SigV4
//! credential scope. Signatures are always verified when present; unsigned calls are refused
//! unless the operator turned `allow_unsigned` on.
//!
//! `accept_any_key` (moto/LocalStack compatibility, loopback only: see `config`) lets in access
//! keys that are not configured, without verifying their signature: the account is the key id
//! when it is 12 digits, else the seeded account. Everything verification checks before it looks
//! the key up still applies (a well-formed signature scoped to `apigateway`, dated within 15
//! minutes); configured keys are verified as always.

use std::collections::HashMap;

use hyper::HeaderMap;

use crate::config::{Config, Credential, SEEDED_ACCOUNT};
use crate::error::ApiError;
use crate::store::Tenant;

pub struct Auth {
    by_access_key: HashMap<String, Credential>,
    unsigned_tenant: Option<Tenant>,
    accept_any_key: bool,
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
            accept_any_key: config.accept_any_key,
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
                let cred = self
                    .by_access_key
                    .get(&v.access_key)
                    .ok_or_else(unrecognized_client)?;
                Ok(Tenant {
                    account: cred.account_id.clone(),
                    region: v.region,
                })
            }
            // A key that is not configured, in a request that passed every check made before the
            // key lookup (form, service, date).
            Err(sigv4::Error::UnrecognizedClient) if self.accept_any_key => {
                match sigv4::credential_of(&req) {
                    Ok(Some(c)) => Ok(Tenant {
                        account: any_key_account(&c.access_key),
                        region: c.region,
                    }),
                    _ => Err(unrecognized_client()),
                }
            }
            Err(sigv4::Error::MissingAuthenticationToken) if self.unsigned_tenant.is_some() => {
                Ok(self.unsigned_tenant.clone().expect("checked above"))
            }
            Err(e) => Err(ApiError::new(e.status(), e.aws_code(), e.message())),
        }
    }
}

fn unrecognized_client() -> ApiError {
    ApiError::new(
        403,
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
    )
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
        let amz_date = sigv4::format_amz_date(crate::ids::now_epoch());
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
            assert_eq!(
                (t.account.as_str(), t.region.as_str()),
                (account, "eu-west-1")
            );
        }
        // A configured key is still verified.
        let ok = call(&any, &signed("AKIDCONFIGURED", "right", "apigateway")).unwrap();
        assert_eq!(ok.account, "111111111111");
        let bad = call(&any, &signed("AKIDCONFIGURED", "wrong", "apigateway"));
        assert!(code(bad).contains("InvalidSignatureException"));
        // The checks before the key lookup still apply: the scope must name the service...
        let other = call(&any, &signed("FOOBARKEY", "x", "s3"));
        assert!(code(other).contains("InvalidSignatureException"));
        // ...and the request must be signed at all.
        let unsigned = call(&any, &HeaderMap::new());
        assert!(code(unsigned).contains("MissingAuthenticationTokenException"));
    }

    #[test]
    fn without_accept_any_key_unknown_keys_are_refused() {
        let strict = auth(KEYED);
        let r = call(&strict, &signed("FOOBARKEY", "x", "apigateway"));
        assert!(code(r).contains("UnrecognizedClientException"));
    }
}
