//! `$context`: the per-request variables templates, mappings, gateway responses and access logs
//! read. Built once per invocation, after routing.

use serde_json::{json, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use crate::store::Tenant;

/// What an invocation knows about itself.
pub struct Info<'a> {
    pub request_id: &'a str,
    pub extended_request_id: &'a str,
    pub tenant: &'a Tenant,
    pub api_id: &'a str,
    pub stage: &'a str,
    pub deployment_id: &'a str,
    pub resource_id: &'a str,
    pub resource_path: &'a str,
    pub http_method: &'a str,
    /// The path as the client addressed it below the host: `/{stage}/{path}`.
    pub path: &'a str,
    pub domain_name: &'a str,
    pub source_ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub received: OffsetDateTime,
    /// `Some` only when the stage has a canary (AWS omits the variable otherwise).
    pub is_canary: Option<bool>,
}

/// Top-level `$context` keys, in the order AWS documents them.
pub const KEYS: &[&str] = &[
    "accountId",
    "apiId",
    "deploymentId",
    "domainName",
    "domainPrefix",
    "extendedRequestId",
    "httpMethod",
    "identity",
    "isCanaryRequest",
    "path",
    "protocol",
    "requestId",
    "requestTime",
    "requestTimeEpoch",
    "resourceId",
    "resourcePath",
    "stage",
];

/// One top-level `$context` value (`None`: not defined for this request).
pub fn field(i: &Info, key: &str) -> Option<Value> {
    Some(match key {
        "accountId" => Value::from(i.tenant.account.as_str()),
        "apiId" => Value::from(i.api_id),
        "deploymentId" => Value::from(i.deployment_id),
        "domainName" => Value::from(i.domain_name),
        "domainPrefix" => Value::from(i.domain_name.split('.').next().unwrap_or("")),
        "extendedRequestId" => Value::from(i.extended_request_id),
        "httpMethod" => Value::from(i.http_method),
        "identity" => json!({
            "accountId": null, "apiKey": null, "apiKeyId": null, "caller": null,
            "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
            "cognitoIdentityId": null, "cognitoIdentityPoolId": null, "principalOrgId": null,
            "sourceIp": i.source_ip, "user": null, "userAgent": i.user_agent,
            "userArn": null,
        }),
        "isCanaryRequest" => Value::Bool(i.is_canary?),
        "path" => Value::from(i.path),
        "protocol" => Value::from("HTTP/1.1"),
        "requestId" => Value::from(i.request_id),
        "requestTime" => Value::from(
            i.received
                .format(format_description!(
                    "[day]/[month repr:short]/[year]:[hour]:[minute]:[second] +0000"
                ))
                .unwrap_or_default(),
        ),
        "requestTimeEpoch" => Value::from((i.received.unix_timestamp_nanos() / 1_000_000) as i64),
        "resourceId" => Value::from(i.resource_id),
        "resourcePath" => Value::from(i.resource_path),
        "stage" => Value::from(i.stage),
        _ => return None,
    })
}

/// The whole `$context`, or only `keys` of it (what a template reads).
pub fn build(i: &Info, keys: Option<&[Box<str>]>) -> Value {
    let mut m = serde_json::Map::new();
    match keys {
        None => {
            for k in KEYS {
                if let Some(v) = field(i, k) {
                    m.insert((*k).to_string(), v);
                }
            }
        }
        Some(keys) => {
            for k in keys {
                if let Some(v) = field(i, k) {
                    m.insert(k.to_string(), v);
                }
            }
        }
    }
    Value::Object(m)
}

/// The `x-amz-apigw-id` / `extendedRequestId` form: 16 base64-alphabet characters ending `=`.
pub fn extended_request_id() -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let r: [u8; 15] = rand::random();
    let mut s: String = r
        .iter()
        .map(|b| A[(*b as usize) % A.len()] as char)
        .collect();
    s.push('=');
    s
}

/// An X-Ray trace header: `Root=1-{epoch hex}-{96 random bits hex}`.
pub fn trace_id(now: OffsetDateTime) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let r: [u8; 12] = rand::random();
    let mut s = String::with_capacity(40);
    s.push_str("Root=1-");
    let t = now.unix_timestamp() as u32;
    for shift in (0..8).rev() {
        s.push(HEX[((t >> (shift * 4)) & 0xf) as usize] as char);
    }
    s.push('-');
    for b in r {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}
