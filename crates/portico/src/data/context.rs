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
    /// The resource path the client asked for below the stage (`/pets/1`); `$context.path` is
    /// `/{stage}` followed by it.
    pub request_path: &'a str,
    pub domain_name: &'a str,
    pub source_ip: &'a str,
    pub user_agent: Option<&'a str>,
    pub received: OffsetDateTime,
    /// `Some` only when the stage has a canary (AWS omits the variable otherwise).
    pub is_canary: Option<bool>,
    /// The accepted API key (methods requiring one).
    pub identity: Option<&'a crate::data::metering::Identity>,
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
    "usagePlanId",
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
            "accountId": null, "apiKey": i.identity.map(|k| k.api_key()),
            "apiKeyId": i.identity.map(|k| k.api_key_id()), "caller": null,
            "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
            "cognitoIdentityId": null, "cognitoIdentityPoolId": null, "principalOrgId": null,
            "sourceIp": i.source_ip, "user": null, "userAgent": i.user_agent,
            "userArn": null,
        }),
        "isCanaryRequest" => Value::Bool(i.is_canary?),
        "path" => Value::from(format!("/{}{}", i.stage, i.request_path)),
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
        "usagePlanId" => Value::from(i.identity?.usage_plan_id()),
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

/// `$context.identity.sourceIp`: the client's address, IPv4-mapped IPv6 shown as IPv4. Written
/// by hand for IPv4 because `Display` costs more than the rest of a MOCK request's ids together.
pub fn source_ip(ip: std::net::IpAddr) -> String {
    let std::net::IpAddr::V4(v4) = ip.to_canonical() else {
        return ip.to_canonical().to_string();
    };
    let mut s = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        if octet >= 100 {
            s.push(char::from(b'0' + octet / 100));
        }
        if octet >= 10 {
            s.push(char::from(b'0' + octet / 10 % 10));
        }
        s.push(char::from(b'0' + octet % 10));
    }
    s
}

/// The `x-amz-apigw-id` / `extendedRequestId` form: 16 base64-alphabet characters ending `=`.
pub fn extended_request_id() -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let r = rand::random::<u128>().to_le_bytes();
    let mut out = [b'='; 16];
    for (o, b) in out[..15].iter_mut().zip(r) {
        *o = A[(b as usize) % A.len()];
    }
    crate::http::ascii(&out)
}

/// An X-Ray trace header: `Root=1-{epoch hex}-{96 random bits hex}`.
pub fn trace_id(now: OffsetDateTime) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let r = rand::random::<u128>().to_le_bytes();
    let mut out = *b"Root=1-00000000-000000000000000000000000";
    let t = now.unix_timestamp() as u32;
    for (i, o) in out[7..15].iter_mut().enumerate() {
        *o = HEX[((t >> ((7 - i) * 4)) & 0xf) as usize];
    }
    for (i, b) in r[..12].iter().enumerate() {
        out[16 + 2 * i] = HEX[(b >> 4) as usize];
        out[17 + 2 * i] = HEX[(b & 0xf) as usize];
    }
    crate::http::ascii(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_ips_read_as_aws_shows_them() {
        for (ip, text) in [
            ("127.0.0.1", "127.0.0.1"),
            ("10.0.255.9", "10.0.255.9"),
            ("0.0.0.0", "0.0.0.0"),
            ("::ffff:192.168.1.20", "192.168.1.20"),
            ("2001:db8::1", "2001:db8::1"),
        ] {
            assert_eq!(source_ip(ip.parse().unwrap()), text);
        }
    }

    #[test]
    fn ids_have_aws_shapes() {
        let rid = crate::http::request_id();
        let groups: Vec<usize> = rid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{rid}");
        assert!(
            rid.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()),
            "{rid}"
        );
        assert_eq!(&rid[14..15], "4", "version nibble: {rid}");
        assert!("89ab".contains(&rid[19..20]), "variant nibble: {rid}");

        let ext = extended_request_id();
        assert_eq!(ext.len(), 16, "{ext}");
        assert!(ext.ends_with('='), "{ext}");
        assert!(
            ext[..15].bytes().all(|b| b.is_ascii_alphanumeric()),
            "{ext}"
        );

        let at = OffsetDateTime::from_unix_timestamp(0x6747_1a2b).unwrap();
        let trace = trace_id(at);
        assert!(trace.starts_with("Root=1-67471a2b-"), "{trace}");
        assert_eq!(trace.len(), 40, "{trace}");
        assert!(
            trace[16..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{trace}"
        );
        assert_ne!(trace_id(at), trace, "random part");
    }
}
