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

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

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
}

impl Entity for BasePathMapping {
    const NAME: &'static str = "base path mapping";
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
}
