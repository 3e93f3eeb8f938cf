//! Domain name access associations: which VPC endpoints may reach a private custom domain
//! name. The association belongs to the account that creates it (the VPC endpoint's owner)
//! and names a PRIVATE domain name by its ARN, which may be another tenant's; that domain's
//! owner sees it with `resourceOwner=OTHER_ACCOUNTS` and may reject (remove) it.
//!
//! Stored as kind `domainnameaccessassociation` in the creator's tenant, scope `""`, id = its
//! ARN (`arn:aws:apigateway:{region}:{account}:/domainnameaccessassociations/domainname/
//! {name}+{id}/vpcesource/{vpce}`, AWS's form), as AWS's DomainNameAccessAssociation JSON.
//!
//! Decisions: the data plane serves a private domain name to any client (Portico has no VPC
//! endpoints to tell clients apart), so associations are bookkeeping. Texts are Portico's in
//! AWS's style (AWS's are not on record); CreateDomainNameAccessAssociation has no
//! NotFoundException, so an unknown domain is a BadRequestException there.

use portico_model::{DomainName, Entity};
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::store::{self, kind, Tenant};
use crate::{paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateDomainNameAccessAssociation" => create,
        "GetDomainNameAccessAssociations" => list,
        "DeleteDomainNameAccessAssociation" => delete,
        "RejectDomainNameAccessAssociation" => reject,
        _ => return None,
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("Invalid domain name access association identifier specified")
}

/// A private domain's ARN → (owner tenant, name, id).
fn parse_domain_arn(arn: &str) -> Option<(Tenant, String, String)> {
    let rest = arn.strip_prefix("arn:aws:apigateway:")?;
    let (region, rest) = rest.split_once(':')?;
    let (account, rest) = rest.split_once(':')?;
    let (name, id) = rest.strip_prefix("/domainnames/")?.split_once('+')?;
    if region.is_empty() || account.is_empty() || name.is_empty() || id.is_empty() {
        return None;
    }
    Some((
        Tenant::aws(account, region),
        name.to_ascii_lowercase(),
        id.to_string(),
    ))
}

/// The private domain an ARN names, in whichever tenant owns it.
fn private_domain(cx: &Ctx, arn: &str) -> Result<(Tenant, DomainName), ApiError> {
    let bad = || ApiError::bad_request(format!("Invalid domain name ARN specified: {arn}"));
    let (owner, name, id) = parse_domain_arn(arn).ok_or_else(bad)?;
    let doc = store::read(&*cx.store, &owner, |txn| {
        Ok(txn.get_shared(kind::DOMAIN_NAME, "", &name)?)
    })?
    .ok_or_else(bad)?;
    let d = DomainName::from_value(&doc)?;
    if d.domain_name_id.as_deref() != Some(id.as_str()) {
        return Err(bad());
    }
    Ok((owner, d))
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let domain_arn = body.required_str("domainNameArn")?;
    let source_type = body.required_str("accessAssociationSourceType")?;
    let source = body.required_str("accessAssociationSource")?;
    if source_type != "VPCE" {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{source_type}' at 'accessAssociationSourceType' failed to satisfy constraint: Member must satisfy enum value set: [VPCE]"
        )));
    }
    if !source.starts_with("vpce-") {
        return Err(ApiError::bad_request(format!(
            "Invalid VPC endpoint identifier specified: {source}"
        )));
    }
    let (_, domain) = private_domain(cx, &domain_arn)?;
    let id = domain.domain_name_id.unwrap_or_default();
    let arn = format!(
        "arn:aws:apigateway:{}:{}:/domainnameaccessassociations/domainname/{}+{id}/vpcesource/{source}",
        call.tenant.region(),
        call.tenant.account(),
        domain.domain_name
    );
    let mut doc = Map::new();
    doc.insert("domainNameAccessAssociationArn".into(), json!(arn));
    doc.insert("domainNameArn".into(), json!(domain_arn));
    doc.insert("accessAssociationSourceType".into(), json!(source_type));
    doc.insert("accessAssociationSource".into(), json!(source));
    if let Some(tags) = crate::tags::from_body(&body)? {
        doc.insert("tags".into(), json!(tags));
    }
    let doc = Value::Object(doc);
    store::write(&*cx.store, &call.tenant, |txn| {
        if txn.exists(kind::DOMAIN_NAME_ACCESS_ASSOCIATION, "", &arn)? {
            return Err(ApiError::conflict(
                "An access association between this domain name and VPC endpoint already exists",
            ));
        }
        Ok(txn.put(kind::DOMAIN_NAME_ACCESS_ASSOCIATION, "", &arn, &doc)?)
    })?;
    Ok(Reply::Json(doc))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    match call.query("resourceOwner") {
        None | Some("SELF") => {
            let page = store::read(&*cx.store, &call.tenant, |txn| {
                paging::page(txn, call, kind::DOMAIN_NAME_ACCESS_ASSOCIATION, "", |d| {
                    Some(d.body.as_ref().clone())
                })
            })?;
            Ok(Reply::Json(page))
        }
        // Other tenants' associations with the caller's private domain names.
        Some("OTHER_ACCOUNTS") => {
            let items: Vec<Value> = cx
                .store
                .scan(kind::DOMAIN_NAME_ACCESS_ASSOCIATION)?
                .into_iter()
                .filter(|(t, _, d)| {
                    *t != call.tenant
                        && d.body
                            .get("domainNameArn")
                            .and_then(Value::as_str)
                            .and_then(parse_domain_arn)
                            .is_some_and(|(owner, ..)| owner == call.tenant)
                })
                .map(|(.., d)| d.body)
                .collect();
            Ok(Reply::Json(json!({ "item": items })))
        }
        Some(other) => Err(ApiError::validation(format!(
            "1 validation error detected: Value '{other}' at 'resourceOwner' failed to satisfy constraint: Member must satisfy enum value set: [SELF, OTHER_ACCOUNTS]"
        ))),
    }
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let arn = call.label("domain_name_access_association_arn");
    store::write(&*cx.store, &call.tenant, |txn| {
        if !txn.delete(kind::DOMAIN_NAME_ACCESS_ASSOCIATION, "", arn)? {
            return Err(not_found());
        }
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// The domain's owner removes an association another tenant made with it.
fn reject(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (Some(arn), Some(domain_arn)) = (
        call.query("domainNameAccessAssociationArn"),
        call.query("domainNameArn"),
    ) else {
        return Err(ApiError::bad_request(
            "domainNameAccessAssociationArn and domainNameArn are required",
        ));
    };
    let (owner, _) = private_domain(cx, domain_arn).map_err(|_| super::not_found())?;
    if owner != call.tenant {
        return Err(super::not_found());
    }
    let holder = cx
        .store
        .scan(kind::DOMAIN_NAME_ACCESS_ASSOCIATION)?
        .into_iter()
        .find(|(_, _, d)| {
            d.id == arn && d.body.get("domainNameArn").and_then(Value::as_str) == Some(domain_arn)
        })
        .map(|(t, ..)| t)
        .ok_or_else(not_found)?;
    store::write(&*cx.store, &holder, |txn| {
        txn.delete(kind::DOMAIN_NAME_ACCESS_ASSOCIATION, "", arn)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}
