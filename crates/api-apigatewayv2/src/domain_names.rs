//! Custom domain names, v2 shape: CreateDomainName, GetDomainName, GetDomainNames,
//! UpdateDomainName, DeleteDomainName.
//!
//! One domain name is one stored entity whichever API wrote it: the `apigateway` room's
//! `domainname` document (`portico_model::DomainName`, kind `domainname`, scope `""`, id = the
//! name in lower case), claimed across tenants under the same lock
//! (`portico_model::domain_name::CLAIMS`), its derived members (target domain name, hosted
//! zone, ARN) computed by the same `derive`. So a domain created here is `apigateway`'s
//! GetDomainName's too, and the other way round; the store announces `Change::DomainNames`
//! on every write, which the data plane's domain index follows.
//!
//! The v2 view folds the REST members into one `domainNameConfigurations` entry: a REGIONAL
//! domain shows `regionalDomainName`, `regionalHostedZoneId` and its regional certificate; an
//! EDGE one its CloudFront distribution and certificate. `apiMappingSelectionExpression` is
//! always `$request.basepath`, as on AWS.
//!
//! Decisions where AWS is silent:
//! - `domainNameConfigurations` takes one entry (AWS documents one per domain); more is a 400.
//! - A PRIVATE domain name is `apigateway`'s only (v2 has no such endpoint type): v2 shows it,
//!   with `endpointType` PRIVATE, but does not create one.
//! - A truststore URI is checked for its form only here (`s3://bucket/key`, or `file://` of a
//!   readable file); `apigateway`'s UpdateDomainName also parses its certificates.

use portico_core::ApiError;
use portico_model::domain_name::{
    check_name, derive, endpoint_type, holder, EndpointConfiguration, CLAIMS,
};
use portico_model::{DomainName, Entity, MutualTlsAuthentication};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member, one_of};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDomainName" => create,
        "GetDomainName" => get,
        "GetDomainNames" => list,
        "UpdateDomainName" => update,
        "DeleteDomainName" => delete,
        _ => return None,
    })
}

/// AWS's 404 for an unknown domain name (the same text `apigateway` answers).
pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid domain name identifier specified").with_resource_type("DomainName")
}

/// The `{domainName}` label, as stored (names are kept in lower case).
pub fn name_label(call: &Call) -> String {
    call.label("domainName").to_ascii_lowercase()
}

/// The caller's domain `name`.
pub fn require(tx: &mut dyn Txn, name: &str) -> Result<DomainName, ApiError> {
    let doc = tx
        .get_shared(kind::DOMAIN_NAME, "", name)?
        .ok_or_else(not_found)?;
    Ok(DomainName::from_value(&doc)?)
}

/// The v2 DomainName of a stored domain name.
pub fn view(d: &DomainName) -> Value {
    let ty = endpoint_type(d);
    let (target, zone, cert_arn, cert_name) = match ty {
        "REGIONAL" => (
            &d.regional_domain_name,
            &d.regional_hosted_zone_id,
            &d.regional_certificate_arn,
            &d.regional_certificate_name,
        ),
        _ => (
            &d.distribution_domain_name,
            &d.distribution_hosted_zone_id,
            &d.certificate_arn,
            &d.certificate_name,
        ),
    };
    let mut conf = Map::new();
    let mut put = |k: &str, v: &Option<String>| {
        if let Some(v) = v {
            conf.insert(k.into(), Value::String(v.clone()));
        }
    };
    put("apiGatewayDomainName", target);
    put("certificateArn", cert_arn);
    put("certificateName", cert_name);
    put("domainNameStatus", &d.domain_name_status);
    put("domainNameStatusMessage", &d.domain_name_status_message);
    put("endpointType", &Some(ty.to_string()));
    put("hostedZoneId", zone);
    put("securityPolicy", &d.security_policy);
    put(
        "ownershipVerificationCertificateArn",
        &d.ownership_verification_certificate_arn,
    );
    let mut v = json!({
        "apiMappingSelectionExpression": "$request.basepath",
        "domainName": d.domain_name,
        "domainNameConfigurations": [conf],
        "tags": d.tags.clone().unwrap_or_default(),
    });
    if let Some(arn) = &d.domain_name_arn {
        v["domainNameArn"] = json!(arn);
    }
    if let Some(m) = &d.mutual_tls_authentication {
        v["mutualTlsAuthentication"] = serde_json::to_value(m).unwrap_or(Value::Null);
    }
    if let Some(m) = &d.routing_mode {
        // `apigateway` spells the modes BASE_PATH_MAPPING…, `apigatewayv2` API_MAPPING….
        v["routingMode"] = json!(m.replace("BASE_PATH_MAPPING", "API_MAPPING"));
    }
    v
}

/// Apply `domainNameConfigurations` (create and update): endpoint type, certificate, security
/// policy.
fn configure(d: &mut DomainName, body: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(confs) = member::<Vec<Map<String, Value>>>(body, "domainNameConfigurations")? else {
        return Ok(());
    };
    if confs.len() > 1 {
        return Err(ApiError::bad_request(
            "Only one domain name configuration is supported per domain name",
        ));
    }
    let Some(c) = confs.first() else {
        return Ok(());
    };
    let current = endpoint_type(d).to_string();
    let ty: String = member(c, "endpointType")?.unwrap_or(current.clone());
    one_of("endpointType", &ty, &["REGIONAL", "EDGE"])?;
    if current == "PRIVATE" {
        return Err(ApiError::bad_request(
            "Cannot change the endpoint type of a domain name from PRIVATE",
        ));
    }
    let cert_arn: Option<String> = member(c, "certificateArn")?;
    let cert_name: Option<String> = member(c, "certificateName")?;
    if ty != current || d.endpoint_configuration.is_none() {
        d.endpoint_configuration = Some(EndpointConfiguration {
            types: vec![ty.clone()],
            vpc_endpoint_ids: None,
            ip_address_type: Some(member(c, "ipAddressType")?.unwrap_or("ipv4".into())),
        });
    }
    let (arn_slot, name_slot) = if ty == "REGIONAL" {
        (
            &mut d.regional_certificate_arn,
            &mut d.regional_certificate_name,
        )
    } else {
        (&mut d.certificate_arn, &mut d.certificate_name)
    };
    if cert_arn.is_some() {
        *arn_slot = cert_arn;
    }
    if cert_name.is_some() {
        *name_slot = cert_name;
    }
    if let Some(p) = member::<String>(c, "securityPolicy")? {
        one_of("securityPolicy", &p, &["TLS_1_0", "TLS_1_2"])?;
        d.security_policy = Some(p);
    }
    if let Some(a) = member::<String>(c, "ownershipVerificationCertificateArn")? {
        d.ownership_verification_certificate_arn = Some(a);
    }
    Ok(())
}

fn check_truststore(uri: &str) -> Result<(), ApiError> {
    let ok = match uri.strip_prefix("s3://") {
        Some(rest) => rest
            .split_once('/')
            .is_some_and(|(b, k)| !b.is_empty() && !k.is_empty()),
        None => uri
            .strip_prefix("file://")
            .is_some_and(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file())),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid truststore URI {uri}: expected s3://bucket/key or file:///path of a readable file (Portico)"
        )))
    }
}

/// `mutualTlsAuthentication` ({truststoreUri, truststoreVersion}); an empty URI removes it.
fn mutual_tls(d: &mut DomainName, body: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(m) = member::<Map<String, Value>>(body, "mutualTlsAuthentication")? else {
        return Ok(());
    };
    let uri: Option<String> = member::<String>(&m, "truststoreUri")?.filter(|u| !u.is_empty());
    d.mutual_tls_authentication = match uri {
        None => None,
        Some(uri) => {
            check_truststore(&uri)?;
            Some(MutualTlsAuthentication {
                truststore_uri: Some(uri),
                truststore_version: member::<String>(&m, "truststoreVersion")?
                    .filter(|v| !v.is_empty()),
                truststore_warnings: None,
            })
        }
    };
    Ok(())
}

fn routing_mode(d: &mut DomainName, body: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(m) = member::<String>(body, "routingMode")? {
        one_of(
            "routingMode",
            &m,
            &[
                "API_MAPPING_ONLY",
                "ROUTING_RULE_ONLY",
                "ROUTING_RULE_THEN_API_MAPPING",
            ],
        )?;
        // Stored in `apigateway`'s spelling, which names the same modes.
        d.routing_mode = Some(m.replace("API_MAPPING", "BASE_PATH_MAPPING"));
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name: String = member(&body, "domainName")?.unwrap_or_default();
    if name.is_empty() {
        return Err(ApiError::bad_request("No Domain Name specified"));
    }
    let name = name.to_ascii_lowercase();
    check_name(&name)?;
    let mut d = DomainName::from_value(&json!({
        "domainName": name,
        "endpointConfiguration": {"types": ["REGIONAL"], "ipAddressType": "ipv4"},
        "domainNameStatus": "AVAILABLE",
        "securityPolicy": "TLS_1_2",
        "routingMode": "BASE_PATH_MAPPING_ONLY",
    }))?;
    configure(&mut d, &body)?;
    mutual_tls(&mut d, &body)?;
    routing_mode(&mut d, &body)?;
    d.tags = member(&body, "tags")?;
    derive(&mut d, &call.tenant);

    let _claim = CLAIMS.lock().unwrap_or_else(|e| e.into_inner());
    match holder(&*cx.store, &name)? {
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
    common::write(cx, call, |tx| {
        Ok(tx.put(kind::DOMAIN_NAME, "", &name, &d.to_value())?)
    })?;
    Ok(Reply::Json(view(&d)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let d = common::read(cx, call, |tx| require(tx, &name))?;
    Ok(Reply::Json(view(&d)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = common::read(cx, call, |tx| {
        common::page(tx, call, kind::DOMAIN_NAME, "", |doc| {
            DomainName::from_value(doc).ok().map(|d| view(&d))
        })
    })?;
    Ok(Reply::Json(page))
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body = call.json()?;
    let d = common::write(cx, call, |tx| {
        let mut d = require(tx, &name)?;
        configure(&mut d, &body)?;
        mutual_tls(&mut d, &body)?;
        routing_mode(&mut d, &body)?;
        derive(&mut d, &call.tenant);
        tx.put(kind::DOMAIN_NAME, "", &name, &d.to_value())?;
        Ok(d)
    })?;
    Ok(Reply::Json(view(&d)))
}

/// DeleteDomainName: the domain and every mapping under it, of either API, and its routing
/// rules.
fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    common::write(cx, call, |tx| {
        require(tx, &name)?;
        for m in tx.list_shared(kind::BASE_PATH_MAPPING, &name, 0, usize::MAX)? {
            tx.delete(kind::BASE_PATH_MAPPING, &name, &m.id)?;
        }
        crate::routing_rules::delete_all(tx, &name)?;
        tx.delete(kind::DOMAIN_NAME, "", &name)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}
