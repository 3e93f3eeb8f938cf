//! Tags: TagResource, UntagResource, GetTags on v2 ARNs —
//! `arn:aws:apigateway:{region}::/apis/{apiId}`, `…/apis/{apiId}/stages/{stageName}` and
//! `…/vpclinks/{vpcLinkId}` and `…/domainnames/{domainName}` (the domain name `apigateway`
//! tags too: one document); and, with the caller's account in the ARN as AWS writes theirs,
//! `arn:aws:apigateway:{region}:{account}:/portals/{portalId}` and `…:/portalproducts/{id}`.
//! The tags live in the tagged document's `tags`.

use portico_core::ApiError;
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member};
use crate::{Call, Ctx, Handler, Reply};

type Tags = portico_model::IndexMap<String, String>;

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "TagResource" => tag,
        "UntagResource" => untag,
        "GetTags" => get,
        _ => return None,
    })
}

/// The document an ARN names: (kind, scope, id).
fn resolve(call: &Call) -> Result<(&'static str, String, String), ApiError> {
    let arn = call.label("resource-arn");
    let malformed = || ApiError::bad_request(format!("Invalid resource ARN specified: {arn}"));
    // arn:{partition}:apigateway:{region}::/{path}
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_, partition, service, region, account, path] = fields.as_slice() else {
        return Err(malformed());
    };
    // Portals and portal products carry the account in their ARNs; the other resources not.
    let accounted = path.starts_with("/portals/") || path.starts_with("/portalproducts/");
    if *arn_ != "arn"
        || !partition.starts_with("aws")
        || *service != "apigateway"
        || account.is_empty() == accounted
    {
        return Err(malformed());
    }
    if accounted && *account != call.tenant.account() {
        // Another account's resource is not this tenant's.
        return Err(ApiError::not_found(format!(
            "Invalid resource ARN specified: {arn}"
        )));
    }
    let Some(path) = path.strip_prefix('/') else {
        return Err(malformed());
    };
    if *region != call.tenant.region() {
        // Another region's resource is not this tenant's.
        return Err(ApiError::not_found(format!(
            "Invalid resource ARN specified: {arn}"
        )));
    }
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["apis", api] if !api.is_empty() => Ok((kind::V2_API, String::new(), api.to_string())),
        ["vpclinks", link] if !link.is_empty() => {
            Ok((kind::V2_VPC_LINK, String::new(), link.to_string()))
        }
        ["portals", id] if !id.is_empty() => Ok((kind::V2_PORTAL, String::new(), id.to_string())),
        ["portalproducts", id] if !id.is_empty() => {
            Ok((kind::V2_PORTAL_PRODUCT, String::new(), id.to_string()))
        }
        ["domainnames", name] if !name.is_empty() => {
            Ok((kind::DOMAIN_NAME, String::new(), name.to_ascii_lowercase()))
        }
        ["apis", api, "stages", stage] if !api.is_empty() && !stage.is_empty() => {
            Ok((kind::V2_STAGE, api.to_string(), stage.to_string()))
        }
        _ => Err(malformed()),
    }
}

/// The tagged document: its kind, scope, id and members.
type Tagged = (&'static str, String, String, Map<String, Value>);

fn load(tx: &mut dyn Txn, call: &Call) -> Result<Tagged, ApiError> {
    let (kind, scope, id) = resolve(call)?;
    if kind == kind::V2_STAGE {
        common::api(tx, &call.tenant, &scope)?;
    }
    match tx.get(kind, &scope, &id)? {
        Some(Value::Object(m)) => Ok((kind, scope, id, m)),
        _ if kind == kind::V2_API => Err(common::api_not_found(&call.tenant, &id)),
        _ if kind == kind::V2_VPC_LINK => Err(ApiError::not_found(format!(
            "Invalid VpcLink identifier specified {}:{id}",
            call.tenant.account()
        ))
        .with_resource_type("VpcLink")),
        _ if kind == kind::DOMAIN_NAME => Err(crate::domain_names::not_found()),
        _ if kind == kind::V2_PORTAL || kind == kind::V2_PORTAL_PRODUCT => {
            Err(ApiError::not_found(format!(
                "Invalid resource ARN specified: {}",
                call.label("resource-arn")
            )))
        }
        _ => Err(common::stage_not_found()),
    }
}

fn tags_of(doc: &Map<String, Value>) -> Tags {
    doc.get("tags")
        .and_then(|t| serde_json::from_value(t.clone()).ok())
        .unwrap_or_default()
}

fn tag(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let new: Tags = member(&body, "tags")?.unwrap_or_default();
    common::write(cx, call, |tx| {
        let (kind, scope, id, mut doc) = load(tx, call)?;
        let mut tags = tags_of(&doc);
        for (k, v) in new {
            if k.is_empty() || k.len() > 128 || v.len() > 256 {
                return Err(ApiError::bad_request(format!(
                    "Invalid tag: keys are 1 to 128 characters and values up to 256: {k}"
                )));
            }
            tags.insert(k, v);
        }
        if tags.len() > 50 {
            return Err(ApiError::bad_request("A resource can have at most 50 tags"));
        }
        doc.insert("tags".into(), json!(tags));
        tx.put(kind, &scope, &id, &Value::Object(doc))?;
        Ok(())
    })?;
    Ok(Reply::Json(json!({})))
}

fn untag(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let keys = call.query_all("tagKeys");
    common::write(cx, call, |tx| {
        let (kind, scope, id, mut doc) = load(tx, call)?;
        let mut tags = tags_of(&doc);
        for k in &keys {
            tags.shift_remove(*k);
        }
        doc.insert("tags".into(), json!(tags));
        tx.put(kind, &scope, &id, &Value::Object(doc))?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let tags = common::read(cx, call, |tx| {
        let (_, _, _, doc) = load(tx, call)?;
        Ok(tags_of(&doc))
    })?;
    Ok(Reply::Json(json!({ "tags": tags })))
}
