//! `$context`: the per-request variables templates, mappings, gateway responses and access logs
//! read. Built once per invocation, after routing.

use std::ops::Range;

use bytes::Bytes;
use hyper::header::{HeaderValue, InvalidHeaderValue};
use rand::RngCore as _;
use serde_json::{json, Value};
use time::macros::format_description;
use time::OffsetDateTime;

use portico_store::Tenant;

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
    /// Through a custom domain, `$context.path` is the path the client asked for (base path
    /// included), as AWS shows it.
    pub context_path: Option<&'a str>,
    /// Through a custom domain: the routing rule or API mapping that chose the API.
    pub matched: Option<crate::Matched<'a>>,
    pub domain_name: &'a str,
    pub source_ip: &'a str,
    /// `$context.identity.clientCert` (mutual TLS only).
    pub client_cert: Option<&'a Value>,
    pub user_agent: Option<&'a str>,
    pub received: OffsetDateTime,
    /// `Some` only when the stage has a canary (AWS omits the variable otherwise).
    pub is_canary: Option<bool>,
    /// The accepted API key (methods requiring one).
    pub identity: Option<&'a crate::metering::Identity>,
    /// The caller whose SigV4 signature verified (`AWS_IAM` methods).
    pub caller: Option<&'a crate::iam::IamCaller>,
    /// `$context.authorizer`, when an authorizer granted the request.
    pub authorizer: Option<&'a Value>,
}

/// Top-level `$context` keys, in the order AWS documents them.
pub const KEYS: &[&str] = &[
    "accountId",
    "apiId",
    "authorizer",
    "customDomain",
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
        "accountId" => Value::from(i.tenant.account()),
        "apiId" => Value::from(i.api_id),
        "authorizer" => i.authorizer?.clone(),
        "deploymentId" => Value::from(i.deployment_id),
        // AWS fills only the variable of the mechanism that chose the API (the other is `-`
        // in access logs).
        "customDomain" => match i.matched? {
            crate::Matched::Rule(id) => json!({ "routingRuleIdMatched": id }),
            crate::Matched::BasePath(bp) => json!({ "basePathMatched": bp }),
        },
        "domainName" => Value::from(i.domain_name),
        "domainPrefix" => Value::from(i.domain_name.split('.').next().unwrap_or("")),
        "extendedRequestId" => Value::from(i.extended_request_id),
        "httpMethod" => Value::from(i.http_method),
        "identity" => {
            let c = i.caller;
            let mut identity = json!({
                "accountId": c.map(|c| c.account_id.as_str()),
                "apiKey": i.identity.map(|k| k.api_key()),
                "apiKeyId": i.identity.map(|k| k.api_key_id()),
                "caller": c.map(|c| c.access_key.as_str()),
                "cognitoAuthenticationProvider": null, "cognitoAuthenticationType": null,
                "cognitoIdentityId": null, "cognitoIdentityPoolId": null, "principalOrgId": null,
                "sourceIp": i.source_ip, "user": c.map(|c| c.access_key.as_str()),
                "userAgent": i.user_agent, "userArn": c.map(|c| c.user_arn()),
            });
            if let (Some(c), Value::Object(m)) = (c, &mut identity) {
                m.insert("accessKey".into(), Value::from(c.access_key.as_str()));
            }
            // AWS shows `clientCert` only on a mutual-TLS domain.
            if let (Some(c), Value::Object(m)) = (i.client_cert, &mut identity) {
                m.insert("clientCert".into(), c.clone());
            }
            identity
        }
        "isCanaryRequest" => Value::Bool(i.is_canary?),
        "path" => match i.context_path {
            Some(p) => Value::from(p),
            None => Value::from(format!("/{}{}", i.stage, i.request_path)),
        },
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

/// An invocation's three ids, drawn together and written once into one buffer, which their
/// header values then share: the request id (`x-amzn-RequestId`, a UUID v4), the extended
/// request id (`x-amz-apigw-id`: 16 base64-alphabet characters ending `=`) and the X-Ray trace
/// header (`X-Amzn-Trace-Id`: `Root=1-{epoch hex}-{96 random bits hex}`).
pub struct Ids {
    // ASCII by construction. Kept inline: the header values own a copy in one allocation.
    text: [u8; TRACE_ID.end],
}

const REQUEST_ID: Range<usize> = 0..36;
const EXTENDED_ID: Range<usize> = 36..52;
const TRACE_ID: Range<usize> = 52..92;

impl Ids {
    pub fn new(now: OffsetDateTime) -> Ids {
        const BASE62: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        // One draw for all three: each call to the thread's generator has a fixed cost.
        let mut random = [0u8; 16 + 15 + 12];
        rand::rng().fill_bytes(&mut random);
        let mut uuid = [0u8; 16];
        uuid.copy_from_slice(&random[..16]);
        let (extended, trace) = (&random[16..31], &random[31..]);
        let mut out = [0u8; TRACE_ID.end];
        crate::http::uuid_v4_into(&mut out[REQUEST_ID], uuid);
        for (o, &b) in out[EXTENDED_ID].iter_mut().zip(extended) {
            *o = BASE62[usize::from(b) % BASE62.len()];
        }
        out[EXTENDED_ID.end - 1] = b'=';
        let trace_at = TRACE_ID.start;
        out[trace_at..trace_at + 7].copy_from_slice(b"Root=1-");
        let epoch = (now.unix_timestamp() as u32).to_be_bytes();
        crate::http::hex_into(&mut out[trace_at + 7..trace_at + 15], &epoch);
        out[trace_at + 15] = b'-';
        crate::http::hex_into(&mut out[trace_at + 16..TRACE_ID.end], trace);
        Ids { text: out }
    }

    /// The request id, extended id and trace header as text, in that order (checked once).
    pub fn texts(&self) -> [&str; 3] {
        let text = std::str::from_utf8(&self.text).unwrap_or_default();
        [REQUEST_ID, EXTENDED_ID, TRACE_ID].map(|r| text.get(r).unwrap_or_default())
    }

    /// The request id, extended id and trace header as header values, in that order.
    pub fn header_values(self) -> [Result<HeaderValue, InvalidHeaderValue>; 3] {
        let text = Bytes::from_owner(self.text);
        [REQUEST_ID, EXTENDED_ID, TRACE_ID].map(|r| HeaderValue::from_maybe_shared(text.slice(r)))
    }
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

        let at = OffsetDateTime::from_unix_timestamp(0x6747_1a2b).unwrap();
        let ids = Ids::new(at);
        let [rid, ext, trace] = ids.texts();
        let groups: Vec<usize> = rid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{rid}");
        assert_eq!(&rid[14..15], "4", "version nibble: {rid}");

        assert_eq!(ext.len(), 16, "{ext}");
        assert!(ext.ends_with('='), "{ext}");
        assert!(
            ext[..15].bytes().all(|b| b.is_ascii_alphanumeric()),
            "{ext}"
        );

        assert!(trace.starts_with("Root=1-67471a2b-"), "{trace}");
        assert_eq!(trace.len(), 40, "{trace}");
        assert!(
            trace[16..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{trace}"
        );
        let other = Ids::new(at);
        let [other_rid, other_ext, other_trace] = other.texts();
        assert_ne!(other_trace, trace, "random part");
        assert_ne!(other_rid, rid);
        assert_ne!(other_ext, ext);

        let texts = [rid, ext, trace].map(str::to_owned);
        let values = ids
            .header_values()
            .map(|v| v.unwrap().to_str().unwrap().to_owned());
        assert_eq!(values, texts);
    }
}
