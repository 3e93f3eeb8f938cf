//! Custom domain names and their base path mappings.

use portico_model::{BasePathMapping, DomainName};

use super::*;

#[test]
fn domain_names() {
    let h = Harness::new();
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    let d = "/domainnames/api.example.com";
    check(
        &h,
        (kind::DOMAIN_NAME, ""),
        &[whole::<DomainName>],
        &[
            (
                "POST",
                "/domainnames".into(),
                "",
                json!({"domainName": "API.example.com",
                "certificateArn": "arn:aws:acm:us-east-1:111111111111:certificate/c",
                "tags": {"t": "1"}, "securityPolicy": "TLS_1_0"}),
            ),
            (
                "POST",
                "/domainnames".into(),
                "",
                json!({"domainName": "r.example.com",
                "endpointConfiguration": {"types": ["REGIONAL"]},
                "mutualTlsAuthentication": {"truststoreUri": "s3://b/t.pem",
                                            "truststoreVersion": "1"}}),
            ),
            (
                "POST",
                "/domainnames".into(),
                "",
                json!({"domainName": "p.example.com",
                "endpointConfiguration": {"types": ["PRIVATE"]}, "policy": "{}"}),
            ),
            (
                "PATCH",
                d.into(),
                "",
                patch(json!([
                    op("replace", "/certificateName", "c"),
                    op("replace", "/securityPolicy", "TLS_1_2"),
                    op("replace", "/endpointConfiguration/types/0", "REGIONAL"),
                    op(
                        "replace",
                        "/regionalCertificateArn",
                        "arn:aws:acm:us-east-1:1:certificate/r"
                    ),
                    op(
                        "replace",
                        "/mutualTlsAuthentication/truststoreUri",
                        "s3://b/u.pem"
                    ),
                ])),
            ),
            (
                "PATCH",
                d.into(),
                "",
                patch(json!([
                    op("replace", "/certificateName", ""),
                    op("remove", "/mutualTlsAuthentication/truststoreUri", ""),
                ])),
            ),
            (
                "PUT",
                format!("/tags/{}", arn(d)),
                "",
                json!({"tags": {"x": "y"}}),
            ),
        ],
    );
}

#[test]
fn base_path_mappings() {
    let h = Harness::new();
    let api = api_with_stages(&h);
    h.call(
        "POST",
        "/domainnames",
        "",
        json!({"domainName": "api.example.com"}),
    );
    let op = |op: &str, path: &str, value: &str| json!({"op": op, "path": path, "value": value});
    let maps = "/domainnames/api.example.com/basepathmappings";
    check(
        &h,
        (kind::BASE_PATH_MAPPING, "api.example.com"),
        &[whole::<BasePathMapping>],
        &[
            (
                "POST",
                maps.into(),
                "",
                json!({"restApiId": api, "stage": "prod"}),
            ),
            (
                "POST",
                maps.into(),
                "",
                json!({"restApiId": api, "basePath": "v1"}),
            ),
            (
                "PATCH",
                format!("{maps}/v1"),
                "",
                patch(json!([
                    op("replace", "/stage", "dev"),
                    op("replace", "/basePath", "v2"),
                ])),
            ),
            (
                "PATCH",
                format!("{maps}/%28none%29"),
                "",
                patch(json!([op("replace", "/stage", "(none)"),])),
            ),
        ],
    );
}
