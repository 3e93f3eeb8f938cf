//! Custom domain names: create, get, list, update, delete.
//!
//! What a domain shows follows its endpoint type, as AWS's DomainName does: an EDGE domain a
//! CloudFront `distributionDomainName` (`d{13}.cloudfront.net`) with CloudFront's hosted zone
//! `Z2FDTNDATAQYW2`; a REGIONAL one a `regionalDomainName`
//! (`d-{10}.execute-api.{region}.amazonaws.com`) with API Gateway's hosted zone of the region;
//! a PRIVATE one a `domainNameId` and a `domainNameArn` naming it (`…:/domainnames/{name}+{id}`).
//! Every domain is `AVAILABLE` at once. The uploaded PEMs are kept in the stored document's
//! private members (`DomainName::PRIVATE_MEMBERS`) for the TLS listener; no answer shows them.
//!
//! The name checks, the derived members and the cross-tenant claim live in
//! `portico_model::domain_name`, shared with `apigatewayv2`'s domain names.
//!
//! Decisions where AWS is silent or differs on purpose:
//! - A domain with no certificate at all is accepted (AWS wants one; moto's and LocalStack's
//!   suites create such domains): it is served over plain HTTP only.
//! - A certificate body may be uploaded whatever the endpoint type (AWS takes uploads for EDGE
//!   only); `certificateName` defaults to the domain name when a body comes without one.
//! - A name held by another tenant: 409 ConflictException saying so (AWS answers a
//!   CloudFront-flavoured BadRequestException then); by the caller: AWS's ConflictException.
//! - A name must be a DNS name of at least two labels (optionally `*.` first), and not an IP
//!   address, so `localhost` and `127.0.0.1` always stay the management plane's, nor an
//!   execute-api host (`{id}.execute-api.…`).

use portico_model::domain_name::EndpointConfiguration;
use portico_model::{DomainName, Entity, MutualTlsAuthentication};
use serde_json::{Map, Value};

use super::{base_path_mappings, name_label, require};
use crate::call::{Call, Members, Reply};
use crate::certs::uploaded;
use crate::error::ApiError;
use crate::ids::now_epoch;
use crate::patch::{self, Apply, PatchOp, Rule, REPLACE, REPLACE_REMOVE};
use crate::store::{self, kind, Txn};
use crate::{paging, Ctx, Handler};
use portico_model::domain_name::{check_name, derive, holder, CLAIMS};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDomainName" => create,
        "GetDomainName" => get,
        "GetDomainNames" => list,
        "UpdateDomainName" => update,
        "DeleteDomainName" => delete,
        _ => return None,
    })
}

const ENDPOINT_TYPES: &[&str] = &["EDGE", "REGIONAL", "PRIVATE"];
const SECURITY_POLICIES: &[&str] = &["TLS_1_0", "TLS_1_2"];

fn endpoint_configuration(body: &Map<String, Value>) -> Result<EndpointConfiguration, ApiError> {
    let given = body.get("endpointConfiguration").and_then(Value::as_object);
    let types: Vec<String> = match given.and_then(|e| e.get("types")) {
        Some(Value::Array(t)) if !t.is_empty() => t
            .iter()
            .map(|v| v.as_str().unwrap_or("").to_string())
            .collect(),
        _ => vec!["EDGE".to_string()],
    };
    for t in &types {
        if !ENDPOINT_TYPES.contains(&t.as_str()) {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '[{t}]' at 'createDomainNameInput.endpointConfiguration.types' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [PRIVATE, EDGE, REGIONAL]]"
            )));
        }
    }
    if types.len() > 1 {
        // Portico's text, after CreateRestApi's.
        return Err(ApiError::bad_request(
            "Cannot create a domain name with multiple Endpoint Types.",
        ));
    }
    let ip = given
        .and_then(|e| e.get("ipAddressType"))
        .and_then(Value::as_str)
        .unwrap_or("ipv4");
    if !matches!(ip, "ipv4" | "dualstack") {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{ip}' at 'createDomainNameInput.endpointConfiguration.ipAddressType' failed to satisfy constraint: Member must satisfy enum value set: [ipv4, dualstack]"
        )));
    }
    Ok(EndpointConfiguration {
        types,
        vpc_endpoint_ids: None,
        ip_address_type: Some(ip.to_string()),
    })
}

fn check_security_policy(p: &str) -> Result<(), ApiError> {
    if SECURITY_POLICIES.contains(&p) || p.starts_with("SecurityPolicy_") {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid security policy {p}; valid options are TLS_1_0,TLS_1_2"
        )))
    }
}

fn mutual_tls(body: &Map<String, Value>) -> Result<Option<MutualTlsAuthentication>, ApiError> {
    let Some(m) = body.get("mutualTlsAuthentication").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let m = m.as_object().ok_or_else(|| {
        ApiError::bad_request(
            "Invalid value for member 'mutualTlsAuthentication': expected an object",
        )
    })?;
    let uri = m.str_of("truststoreUri")?.filter(|u| !u.is_empty());
    let Some(uri) = uri else {
        return Ok(None);
    };
    uploaded::check_truststore(&uri)?;
    Ok(Some(MutualTlsAuthentication {
        truststore_uri: Some(uri),
        truststore_version: m.str_of("truststoreVersion")?.filter(|v| !v.is_empty()),
        truststore_warnings: None,
    }))
}

/// The caller's view: the stored document without Portico's private members.
pub(crate) fn view(d: &DomainName) -> Value {
    let mut v = d.to_map();
    for k in DomainName::PRIVATE_MEMBERS {
        v.remove(k);
    }
    Value::Object(v)
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name = body.str_of("domainName")?.unwrap_or_default();
    if name.is_empty() {
        // AWS's (LocalStack's test_create_domain_names; moto).
        return Err(ApiError::bad_request("No Domain Name specified"));
    }
    let name = name.to_ascii_lowercase();
    check_name(&name)?;
    let endpoint = endpoint_configuration(&body)?;
    let security_policy = body.str_of("securityPolicy")?.unwrap_or("TLS_1_2".into());
    check_security_policy(&security_policy)?;
    let cert_body = body.str_of("certificateBody")?.filter(|s| !s.is_empty());
    let cert_key = body
        .str_of("certificatePrivateKey")?
        .filter(|s| !s.is_empty());
    let cert_chain = body.str_of("certificateChain")?.filter(|s| !s.is_empty());
    match (&cert_body, &cert_key) {
        (Some(b), Some(k)) => uploaded::check_pair(b, k, cert_chain.as_deref())?,
        (Some(_), None) => {
            return Err(ApiError::bad_request(
                "A certificate private key must be provided with the certificate body",
            ))
        }
        (None, Some(_)) => {
            return Err(ApiError::bad_request(
                "A certificate body must be provided with the certificate private key",
            ))
        }
        (None, None) if cert_chain.is_some() => {
            return Err(ApiError::bad_request(
                "A certificate chain must come with a certificate body and its private key",
            ))
        }
        (None, None) => {}
    }
    let uploaded = cert_body.is_some();
    let mut domain = DomainName {
        domain_name: name.clone(),
        domain_name_id: None,
        domain_name_arn: None,
        certificate_name: body
            .str_of("certificateName")?
            .filter(|s| !s.is_empty())
            .or_else(|| uploaded.then(|| name.clone())),
        certificate_arn: body.str_of("certificateArn")?.filter(|s| !s.is_empty()),
        certificate_upload_date: uploaded.then(now_epoch),
        regional_domain_name: None,
        regional_hosted_zone_id: None,
        regional_certificate_name: body
            .str_of("regionalCertificateName")?
            .filter(|s| !s.is_empty()),
        regional_certificate_arn: body
            .str_of("regionalCertificateArn")?
            .filter(|s| !s.is_empty()),
        distribution_domain_name: None,
        distribution_hosted_zone_id: None,
        endpoint_configuration: Some(endpoint),
        domain_name_status: Some("AVAILABLE".into()),
        domain_name_status_message: None,
        security_policy: Some(security_policy),
        tags: crate::tags::from_body(&body)?,
        mutual_tls_authentication: mutual_tls(&body)?,
        ownership_verification_certificate_arn: body
            .str_of("ownershipVerificationCertificateArn")?
            .filter(|s| !s.is_empty()),
        policy: body.str_of("policy")?.filter(|s| !s.is_empty()),
        management_policy: None,
        routing_mode: Some(
            body.str_of("routingMode")?
                .unwrap_or_else(|| "BASE_PATH_MAPPING_ONLY".into()),
        ),
        certificate_body: cert_body,
        certificate_chain: cert_chain,
        certificate_private_key: cert_key,
    };
    check_routing_mode(domain.routing_mode.as_deref().unwrap_or_default())?;
    derive(&mut domain, &call.tenant);

    let _claim = CLAIMS.lock().unwrap_or_else(|e| e.into_inner());
    match holder(&*cx.store, &name)? {
        // AWS's answer when the account already has the name.
        Some(t) if t == call.tenant => {
            return Err(ApiError::conflict(
                "The domain name you provided already exists.",
            ))
        }
        Some(_) => {
            return Err(ApiError::conflict(format!(
                "The domain name {name} is already used by another account or region of this Portico: a Host header names no tenant, so a domain name is unique across all of them."
            )))
        }
        None => {}
    }
    store::write(&*cx.store, &call.tenant, |txn| {
        Ok(txn.put(kind::DOMAIN_NAME, "", &name, &domain.to_value())?)
    })?;
    Ok(Reply::Json(view(&domain)))
}

fn check_routing_mode(m: &str) -> Result<(), ApiError> {
    if matches!(
        m,
        "BASE_PATH_MAPPING_ONLY" | "ROUTING_RULE_ONLY" | "ROUTING_RULE_THEN_BASE_PATH_MAPPING"
    ) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{m}' at 'routingMode' failed to satisfy constraint: Member must satisfy enum value set: [BASE_PATH_MAPPING_ONLY, ROUTING_RULE_THEN_BASE_PATH_MAPPING, ROUTING_RULE_ONLY]"
        )))
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let d = store::read(&*cx.store, &call.tenant, |txn| require(txn, call, &name))?;
    Ok(Reply::Json(view(&d)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    match call.query("resourceOwner") {
        None | Some("SELF") => {}
        // Private domain names other accounts share with the caller: Portico has no sharing.
        Some("OTHER_ACCOUNTS") => return Ok(Reply::Json(serde_json::json!({ "item": [] }))),
        Some(other) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value '{other}' at 'resourceOwner' failed to satisfy constraint: Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS]"
            )))
        }
    }
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        paging::page(
            txn,
            call,
            kind::DOMAIN_NAME,
            "",
            |d| match DomainName::from_value(&d.body) {
                Ok(domain) => Some(view(&domain)),
                Err(e) => {
                    tracing::error!(id = d.id, "{e}; not listed");
                    None
                }
            },
        )
    })?;
    Ok(Reply::Json(page))
}

fn set_endpoint_type(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    let new = op.value()?;
    if !ENDPOINT_TYPES.contains(&new) {
        return Err(ApiError::bad_request(
            "Invalid EndpointTypes specified. Valid options are REGIONAL,EDGE,PRIVATE",
        ));
    }
    let ec = doc
        .entry("endpointConfiguration")
        .or_insert_with(|| serde_json::json!({ "types": ["EDGE"] }));
    let current = ec["types"][0].as_str().unwrap_or("EDGE").to_string();
    let named = caps.first().map(String::as_str).unwrap_or("");
    // `/endpointConfiguration/types/0` (the index) or `/…/types/EDGE` (the current type).
    if named != "0" && named != current {
        return Err(ApiError::bad_request(format!(
            "Invalid patch path '/endpointConfiguration/types/{named}': the domain name's endpoint type is {current}"
        )));
    }
    if (current == "PRIVATE") != (new == "PRIVATE") {
        // Portico's text: AWS does not convert private domain names either.
        return Err(ApiError::bad_request(format!(
            "Cannot change the endpoint type of a domain name from {current} to {new}"
        )));
    }
    ec["types"] = serde_json::json!([new]);
    Ok(())
}

fn set_mtls(doc: &mut Map<String, Value>, op: &PatchOp, caps: &[String]) -> Result<(), ApiError> {
    let member = caps.first().map(String::as_str).unwrap_or("");
    let m = doc
        .entry("mutualTlsAuthentication")
        .or_insert_with(|| Value::Object(Map::new()));
    let Some(m) = m.as_object_mut() else {
        return Err(ApiError::internal(
            "mutualTlsAuthentication is not an object",
        ));
    };
    match op.value.as_deref().filter(|v| !v.is_empty()) {
        Some(v) if op.op != patch::Op::Remove => {
            if member == "truststoreUri" {
                uploaded::check_truststore(v)?;
            }
            m.insert(member.into(), Value::String(v.to_string()));
        }
        _ => {
            m.remove(member);
        }
    }
    if !m.contains_key("truststoreUri") {
        doc.remove("mutualTlsAuthentication");
    }
    Ok(())
}

const RULES: &[Rule] = &[
    Rule {
        path: "/certificateName",
        ops: REPLACE,
        apply: Apply::OptStr("certificateName"),
    },
    Rule {
        path: "/certificateArn",
        ops: REPLACE,
        apply: Apply::OptStr("certificateArn"),
    },
    Rule {
        path: "/regionalCertificateName",
        ops: REPLACE,
        apply: Apply::OptStr("regionalCertificateName"),
    },
    Rule {
        path: "/regionalCertificateArn",
        ops: REPLACE,
        apply: Apply::OptStr("regionalCertificateArn"),
    },
    Rule {
        path: "/securityPolicy",
        ops: REPLACE,
        apply: Apply::Str("securityPolicy"),
    },
    Rule {
        path: "/endpointConfiguration/types/*",
        ops: REPLACE,
        apply: Apply::Custom(set_endpoint_type),
    },
    Rule {
        path: "/mutualTlsAuthentication/*",
        ops: REPLACE_REMOVE,
        apply: Apply::Custom(set_mtls),
    },
    Rule {
        path: "/ownershipVerificationCertificateArn",
        ops: REPLACE,
        apply: Apply::OptStr("ownershipVerificationCertificateArn"),
    },
    Rule {
        path: "/policy",
        ops: REPLACE,
        apply: Apply::OptStr("policy"),
    },
    Rule {
        path: "/routingMode",
        ops: REPLACE,
        apply: Apply::Str("routingMode"),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let ops = patch::parse(&call.json()?)?;
    for op in &ops {
        if op.path.starts_with("/mutualTlsAuthentication/")
            && !matches!(
                op.path.as_str(),
                "/mutualTlsAuthentication/truststoreUri"
                    | "/mutualTlsAuthentication/truststoreVersion"
            )
        {
            return Err(ApiError::bad_request(format!(
                "Invalid patch path '{}' specified for op '{}'",
                op.path,
                op.op.as_str()
            )));
        }
    }
    let d = store::write(&*cx.store, &call.tenant, |txn| {
        let d = require(txn, call, &name)?;
        let mut doc = d.to_map();
        patch::apply(&mut doc, &ops, RULES)?;
        let mut d = DomainName::from_map(&doc)?;
        if let Some(p) = &d.security_policy {
            check_security_policy(p)?;
        }
        if let Some(m) = &d.routing_mode {
            check_routing_mode(m)?;
        }
        derive(&mut d, &call.tenant);
        txn.put(kind::DOMAIN_NAME, "", &name, &d.to_value())?;
        Ok(d)
    })?;
    Ok(Reply::Json(view(&d)))
}

/// DeleteDomainName: the domain and every mapping under it.
fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, call, &name)?;
        base_path_mappings::delete_all(txn, &name)?;
        // Its routing rules (`apigatewayv2` writes them; the domain is one entity).
        for r in txn.list_shared(kind::ROUTING_RULE, &name, 0, usize::MAX)? {
            txn.delete(kind::ROUTING_RULE, &name, &r.id)?;
        }
        txn.delete(kind::DOMAIN_NAME, "", &name)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Every domain name of the tenant (for cross-entity checks).
pub(crate) fn names(txn: &mut dyn Txn) -> Result<Vec<String>, ApiError> {
    Ok(txn
        .list_shared(kind::DOMAIN_NAME, "", 0, usize::MAX)?
        .into_iter()
        .map(|d| d.id)
        .collect())
}
