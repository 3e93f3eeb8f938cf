//! Custom domain names and what is mapped under them. The management API writes them
//! (CreateDomainName, CreateBasePathMapping…; `apigatewayv2`'s API mappings later write the same
//! mappings); the data plane routes a request whose `Host` is a domain name through its mappings,
//! and the TLS listener serves the domain's certificate by SNI.
//!
//! A domain name is stored as kind `domainname`, scope `""`, id = the name (lower case), in
//! AWS's DomainName JSON plus Portico's own members, never on the wire: the uploaded PEMs
//! (`certificateBody`, `certificateChain`, `certificatePrivateKey`; AWS moves them into ACM and
//! never shows them either). A base path mapping is stored as kind `basepathmapping`, scope =
//! the domain name, id = the base path (`(none)` for the empty one).
//!
//! Domain names are unique across every tenant of one Portico: a `Host` header names no tenant.

use std::sync::Mutex;

use indexmap::IndexMap;
use portico_core::{ApiError, Tenant};
use portico_store::{kind, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;

/// The base path of the mapping that serves a domain's every path (AWS's spelling).
pub const NO_BASE_PATH: &str = "(none)";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainName {
    pub domain_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_name_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_name_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// Epoch seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_upload_date: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regional_domain_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regional_hosted_zone_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regional_certificate_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regional_certificate_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution_domain_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution_hosted_zone_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_configuration: Option<EndpointConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_name_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain_name_status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<IndexMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutual_tls_authentication: Option<MutualTlsAuthentication>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ownership_verification_certificate_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub management_policy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing_mode: Option<String>,
    /// The uploaded certificate, PEM (Portico's; never on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_body: Option<String>,
    /// The uploaded intermediate chain, PEM (Portico's; never on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_chain: Option<String>,
    /// The uploaded certificate's private key, PEM (Portico's; never on the wire).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_private_key: Option<String>,
}

impl DomainName {
    /// The members Portico keeps for itself, which no answer shows.
    pub const PRIVATE_MEMBERS: [&'static str; 3] = [
        "certificateBody",
        "certificateChain",
        "certificatePrivateKey",
    ];
}

impl Entity for DomainName {
    const NAME: &'static str = "domain name";
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndpointConfiguration {
    #[serde(default)]
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_endpoint_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_address_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MutualTlsAuthentication {
    /// `s3://…` on AWS; Portico also takes `file://` (and only reads those).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truststore_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truststore_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truststore_warnings: Option<Vec<String>>,
}

/// A base path mapping: requests to `https://{domain}/{basePath}/…` go to `restApiId`'s
/// `stage` (AWS's BasePathMapping JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BasePathMapping {
    /// `(none)` for the mapping of the empty base path.
    pub base_path: String,
    pub rest_api_id: String,
    /// `None` maps every stage's path: the first path segment names the stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Portico's: the id `apigatewayv2` names the mapping by (its `apiMappingId`).
    #[serde(
        rename = "_apiMappingId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub api_mapping_id: Option<String>,
    /// Portico's: `HTTP` when `apigatewayv2` mapped an HTTP API (then `restApiId` holds the HTTP
    /// API's id); absent for a REST API.
    #[serde(rename = "_apiKind", default, skip_serializing_if = "Option::is_none")]
    pub api_kind: Option<String>,
}

impl BasePathMapping {
    /// `_apiKind` of a mapping to an HTTP API.
    pub const HTTP: &'static str = "HTTP";

    /// Whether the mapping sends requests to an HTTP API (which `apigateway` does not show:
    /// on AWS its base path mappings list REST APIs only).
    pub fn is_http(&self) -> bool {
        self.api_kind.as_deref() == Some(Self::HTTP)
    }

    /// The `apiMappingId`: the stored one, or, for a mapping stored before ids were kept, one
    /// derived from its base path (stable, so every read names it alike).
    pub fn mapping_id(&self) -> String {
        if let Some(id) = &self.api_mapping_id {
            return id.clone();
        }
        // FNV-1a of the base path, in base 36.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in self.base_path.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
        let mut id = String::new();
        for _ in 0..6 {
            id.push(char::from_digit((h % 36) as u32, 36).unwrap_or('0'));
            h /= 36;
        }
        id
    }

    /// `apigateway`'s BasePathMapping: Portico's members left out.
    pub fn rest_view(&self) -> Value {
        let mut v = self.to_map();
        v.retain(|k, _| !k.starts_with('_'));
        Value::Object(v)
    }
}

impl Entity for BasePathMapping {
    const NAME: &'static str = "base path mapping";
}

/// A routing rule of a custom domain name (`apigatewayv2`'s RoutingRule JSON), stored as kind
/// `routingrule`, scope = the domain name, id = `routingRuleId`. Evaluated by the data plane
/// in `priority` order (lowest first) when the domain's routing mode allows rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRule {
    pub routing_rule_id: String,
    pub routing_rule_arn: String,
    pub priority: i64,
    #[serde(default)]
    pub conditions: Vec<RoutingRuleCondition>,
    #[serde(default)]
    pub actions: Vec<RoutingRuleAction>,
}

impl Entity for RoutingRule {
    const NAME: &'static str = "routing rule";
}

/// One condition: exactly one of its members is set (all of a rule's conditions must hold).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRuleCondition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_base_paths: Option<MatchBasePaths>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_headers: Option<MatchHeaders>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchBasePaths {
    pub any_of: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchHeaders {
    pub any_of: Vec<MatchHeaderValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchHeaderValue {
    pub header: String,
    pub value_glob: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingRuleAction {
    pub invoke_api: InvokeApi,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvokeApi {
    pub api_id: String,
    pub stage: String,
    #[serde(default)]
    pub strip_base_path: bool,
}

/// Which of a domain's routing mechanisms serve it, from its `routingMode` (either API's
/// spelling; absent is the default, mappings only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingMode {
    pub rules: bool,
    pub mappings: bool,
}

impl RoutingMode {
    pub fn of(mode: Option<&str>) -> RoutingMode {
        match mode {
            Some("ROUTING_RULE_ONLY") => RoutingMode {
                rules: true,
                mappings: false,
            },
            Some("ROUTING_RULE_THEN_BASE_PATH_MAPPING" | "ROUTING_RULE_THEN_API_MAPPING") => {
                RoutingMode {
                    rules: true,
                    mappings: true,
                }
            }
            _ => RoutingMode {
                rules: false,
                mappings: true,
            },
        }
    }
}

impl DomainName {
    pub fn mode(&self) -> RoutingMode {
        RoutingMode::of(self.routing_mode.as_deref())
    }
}

// What both management APIs (`apigateway`'s domain names and `apigatewayv2`'s) share, so one
// domain name is one stored entity whichever API wrote it.

/// Held while a name is checked against every tenant's and claimed (CreateDomainName of
/// either API): the store is one process's, so a process lock is enough.
pub static CLAIMS: Mutex<()> = Mutex::new(());

/// CloudFront's hosted zone, which every edge-optimized domain's distribution is in.
pub const CLOUDFRONT_ZONE: &str = "Z2FDTNDATAQYW2";

/// API Gateway's Route 53 hosted zones of regional endpoints (AWS's "Amazon API Gateway
/// endpoints and quotas" table). Decision: a region not listed gets us-east-1's.
pub fn regional_zone(region: &str) -> &'static str {
    match region {
        "us-east-2" => "ZOJJZC49E0EPZ",
        "us-west-1" => "Z2MUQ32089INYE",
        "us-west-2" => "Z2OJLYMUO9EFXC",
        "ca-central-1" => "Z19DQILCV0OWEC",
        "eu-west-1" => "ZLY8HYME6SFDD",
        "eu-west-2" => "ZJ5UAJN8Y3Z2Q",
        "eu-west-3" => "Z3KY65QIEKYHQQ",
        "eu-central-1" => "Z1U9ULNL0V5AJ3",
        "eu-north-1" => "Z3UWIKFBOOGXPP",
        "ap-northeast-1" => "Z1YSHQZHG15GKL",
        "ap-northeast-2" => "Z20JF4UZKIW1U8",
        "ap-southeast-1" => "ZL327KTPIQFUL",
        "ap-southeast-2" => "Z2RPCDW04V8134",
        "ap-south-1" => "Z3VO1THU9YC4UR",
        "sa-east-1" => "ZCMLWB8V5SYIT",
        _ => "Z1UJRXOUMOOFQ8",
    }
}

/// Portico's text for a name that is not a DNS name (AWS's is not on record).
fn bad_name(name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Invalid domain name {name}: a domain name must be a fully qualified DNS name (labels of letters, digits and hyphens, optionally starting with *.)"
    ))
}

/// A DNS name of at least two labels (1–63 of `[a-z0-9-]`, no hyphen at either end, at most
/// 253 characters in all), optionally `*.` first; the last label not all digits (no IPs), the
/// second not `execute-api` (those hosts address APIs by id).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let rest = name.strip_prefix("*.").unwrap_or(name);
    let labels: Vec<&str> = rest.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && !labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()))
        // `{id}.execute-api.…` is execute-api addressing.
        && labels.get(1) != Some(&"execute-api");
    if ok {
        Ok(())
    } else {
        Err(bad_name(name))
    }
}

/// AWS's ARN of a domain name (a private one's carries its id).
pub fn arn(tenant: &Tenant, name: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!(
            "arn:aws:apigateway:{}:{}:/domainnames/{name}+{id}",
            tenant.region(),
            tenant.account()
        ),
        None => format!(
            "arn:aws:apigateway:{}::/domainnames/{name}",
            tenant.region()
        ),
    }
}

pub fn endpoint_type(d: &DomainName) -> &str {
    d.endpoint_configuration
        .as_ref()
        .and_then(|e| e.types.first())
        .map(String::as_str)
        .unwrap_or("EDGE")
}

/// Set what follows from the endpoint type: the target domain names and hosted zones, the
/// private domain's id and ARN. Kept when the type stays (names do not change on update).
pub fn derive(d: &mut DomainName, tenant: &Tenant) {
    let region = tenant.region();
    match endpoint_type(d).to_string().as_str() {
        "REGIONAL" => {
            d.distribution_domain_name = None;
            d.distribution_hosted_zone_id = None;
            d.regional_domain_name.get_or_insert_with(|| {
                format!(
                    "d-{}.execute-api.{region}.amazonaws.com",
                    portico_core::ids::new_id(10)
                )
            });
            d.regional_hosted_zone_id = Some(regional_zone(region).to_string());
        }
        "PRIVATE" => {
            d.distribution_domain_name = None;
            d.distribution_hosted_zone_id = None;
            d.regional_domain_name = None;
            d.regional_hosted_zone_id = None;
            let id = d
                .domain_name_id
                .get_or_insert_with(|| portico_core::ids::new_id(10))
                .clone();
            d.domain_name_arn = Some(arn(tenant, &d.domain_name, Some(&id)));
            return;
        }
        _ => {
            d.regional_domain_name = None;
            d.regional_hosted_zone_id = None;
            d.distribution_domain_name.get_or_insert_with(|| {
                format!("d{}.cloudfront.net", portico_core::ids::new_id(13))
            });
            d.distribution_hosted_zone_id = Some(CLOUDFRONT_ZONE.to_string());
        }
    }
    d.domain_name_id = None;
    d.domain_name_arn = Some(arn(tenant, &d.domain_name, None));
}

/// Which tenant holds `name`, if any does.
pub fn holder(store: &dyn Store, name: &str) -> Result<Option<Tenant>, ApiError> {
    Ok(store
        .scan(kind::DOMAIN_NAME)?
        .into_iter()
        .find(|(_, _, d)| d.id == name)
        .map(|(t, ..)| t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::round_trips;
    use serde_json::json;

    #[test]
    fn the_stored_shapes_round_trip() {
        let d: DomainName = round_trips(json!({"domainName": "api.example.com",
            "certificateName": "c", "certificateUploadDate": 1,
            "regionalDomainName": "d-abc.execute-api.us-east-1.amazonaws.com",
            "regionalHostedZoneId": "Z1UJRXOUMOOFQ8",
            "endpointConfiguration": {"types": ["REGIONAL"]},
            "domainNameStatus": "AVAILABLE", "securityPolicy": "TLS_1_2",
            "mutualTlsAuthentication": {"truststoreUri": "file:///tmp/t.pem"},
            "certificateBody": "-----BEGIN CERTIFICATE-----",
            "certificatePrivateKey": "-----BEGIN PRIVATE KEY-----"}));
        assert_eq!(d.domain_name, "api.example.com");
        let m: BasePathMapping =
            round_trips(json!({"basePath": "(none)", "restApiId": "a1", "stage": "prod"}));
        assert_eq!(m.base_path, NO_BASE_PATH);
    }

    #[test]
    fn names_are_dns_names() {
        for ok in [
            "api.example.com",
            "*.example.com",
            "a-b.c0.io",
            "x.localhost",
        ] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "localhost",
            "127.0.0.1",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "API.example.com",
            "a.*.com",
            "abc.execute-api.localhost",
            "",
        ] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shapes_follow_the_endpoint_type() {
        let t = Tenant::aws("000000000000", "eu-west-1");
        let mut d: DomainName =
            DomainName::from_value(&serde_json::json!({"domainName": "a.example.com"})).unwrap();
        derive(&mut d, &t);
        assert!(d
            .distribution_domain_name
            .as_deref()
            .unwrap()
            .ends_with(".cloudfront.net"));
        assert_eq!(
            d.distribution_hosted_zone_id.as_deref(),
            Some(CLOUDFRONT_ZONE)
        );
        assert_eq!(
            d.domain_name_arn.as_deref(),
            Some("arn:aws:apigateway:eu-west-1::/domainnames/a.example.com")
        );
        d.endpoint_configuration = Some(EndpointConfiguration {
            types: vec!["REGIONAL".into()],
            vpc_endpoint_ids: None,
            ip_address_type: None,
        });
        derive(&mut d, &t);
        assert!(d.distribution_domain_name.is_none());
        assert!(d
            .regional_domain_name
            .as_deref()
            .unwrap()
            .ends_with(".execute-api.eu-west-1.amazonaws.com"));
        assert_eq!(d.regional_hosted_zone_id.as_deref(), Some("ZLY8HYME6SFDD"));
    }
}
