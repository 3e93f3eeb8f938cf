//! VPC links, v2 shape: CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink, DeleteVpcLink
//! (202 `{}`). The status is computed on every read from the creation time: PENDING for the
//! first second, then AVAILABLE.

use portico_core::ApiError;
use portico_model::v2::VpcLink;
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::{json, Value};

use crate::common::{self, member, required};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateVpcLink" => create,
        "GetVpcLink" => get,
        "GetVpcLinks" => list,
        "UpdateVpcLink" => update,
        "DeleteVpcLink" => delete,
        _ => return None,
    })
}

const PENDING_MILLIS: i64 = 1_000;

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The link as answered: its status and message added, Portico's members removed.
fn view(doc: &Value) -> Value {
    let created = doc.get("_createdAt").and_then(Value::as_i64).unwrap_or(0);
    let (status, message) = if now_millis() - created < PENDING_MILLIS {
        ("PENDING", "VPC link is provisioning ENIs")
    } else {
        ("AVAILABLE", "VPC link is ready to route traffic")
    };
    let mut v = common::public(doc.clone());
    v["vpcLinkStatus"] = json!(status);
    v["vpcLinkStatusMessage"] = json!(message);
    v
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.chars().count() > 128 {
        return Err(ApiError::bad_request(
            "Invalid VPC link name specified: it must be 1 to 128 characters",
        ));
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let link = VpcLink {
        vpc_link_id: common::id(6),
        name: required(&body, "name")?,
        created_date: common::now(),
        security_group_ids: member(&body, "securityGroupIds")?.unwrap_or_default(),
        subnet_ids: required(&body, "subnetIds")?,
        tags: member(&body, "tags")?.unwrap_or_default(),
        vpc_link_version: "V2".into(),
        created_at: now_millis(),
    };
    check_name(&link.name)?;
    if link.subnet_ids.is_empty() {
        return Err(ApiError::bad_request(
            "SubnetIds must name at least one subnet",
        ));
    }
    let doc = link.to_value();
    common::write(cx, call, |tx| {
        tx.put(kind::V2_VPC_LINK, "", &link.vpc_link_id, &doc)?;
        Ok(())
    })?;
    Ok(Reply::Json(view(&doc)))
}

fn load(tx: &mut dyn Txn, call: &Call) -> Result<Value, ApiError> {
    let id = call.label("vpcLinkId");
    tx.get(kind::V2_VPC_LINK, "", id)?.ok_or_else(|| {
        ApiError::not_found(format!(
            "Invalid VpcLink identifier specified {}:{id}",
            call.tenant.account()
        ))
        .with_resource_type("VpcLink")
    })
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| load(tx, call))?;
    Ok(Reply::Json(view(&doc)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    // `page` drops Portico's members, so the status is computed before it does.
    let page = common::read(cx, call, |tx| {
        common::page(tx, call, kind::V2_VPC_LINK, "", |d| Some(view(d)))
    })?;
    Ok(Reply::Json(page))
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let doc = common::write(cx, call, |tx| {
        let old = VpcLink::from_value(&load(tx, call)?)?;
        let link = common::overlay(&old, &body, &["name"])?;
        check_name(&link.name)?;
        let doc = link.to_value();
        tx.put(kind::V2_VPC_LINK, "", &link.vpc_link_id, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(view(&doc)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        load(tx, call)?;
        tx.delete(kind::V2_VPC_LINK, "", call.label("vpcLinkId"))?;
        Ok(())
    })?;
    Ok(Reply::Json(json!({})))
}
