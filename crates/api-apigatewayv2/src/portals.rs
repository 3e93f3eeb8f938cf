//! Developer portals and portal products: CreatePortal, GetPortal, ListPortals, UpdatePortal,
//! DeletePortal, PublishPortal, DisablePortal, PreviewPortal; CreatePortalProduct,
//! GetPortalProduct, ListPortalProducts, UpdatePortalProduct, DeletePortalProduct, and
//! Put/Get/DeletePortalProductSharingPolicy.
//!
//! Stored per tenant as kinds `v2portal` and `v2portalproduct` (scope `""`, id = the 10-char
//! id), each document AWS's response JSON plus Portico's `_…` members (a product's sharing
//! policy), which never leave. Only this room reads them, so they stay JSON documents checked
//! against the model's shapes here (lengths, required members, unions of exactly one member).
//!
//! Decisions where AWS is silent (ARCHITECTURE.md):
//! - Portico hosts no portal website. PublishPortal and PreviewPortal move the statuses as AWS
//!   does once its work is done, at once: `publishStatus` PUBLISHED (or PUBLISH_FAILED with a
//!   `statusException` when an included product is gone), `lastPublished`,
//!   `lastPublishedDescription`; `preview.previewStatus` PREVIEW_READY with a `previewUrl`.
//!   DisablePortal sets DISABLED. Nothing is served at those URLs.
//! - A portal is created DISABLED (AWS documents it). DeletePortal of a published portal is a
//!   400 (AWS: "To delete your portal, you must disable it first"); DisablePortal of a portal
//!   that is not published is a 409.
//! - `portalDefaultDomainName` is `p-{portalId}.apigw-portal.{region}.on.aws` (AWS's documented
//!   default URL) and `portalDomainHostedZoneId` CloudFront's zone, which serves portals.
//! - Products are not shared across tenants (tenants never see each other): a
//!   `resourceOwnerAccountId` other than the caller's is a 404, `resourceOwner=OTHER_ACCOUNTS`
//!   lists nothing. A sharing policy is stored and returned (it must be JSON).
//! - Texts: an unknown portal is a 404 "Invalid Portal identifier specified {account}:{id}",
//!   a product "Invalid PortalProduct identifier specified {account}:{id}".

use portico_core::{ApiError, Tenant};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member, one_of};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreatePortal" => create_portal,
        "GetPortal" => get_portal,
        "ListPortals" => list_portals,
        "UpdatePortal" => update_portal,
        "DeletePortal" => delete_portal,
        "PublishPortal" => publish_portal,
        "DisablePortal" => disable_portal,
        "PreviewPortal" => preview_portal,
        "CreatePortalProduct" => create_product,
        "GetPortalProduct" => get_product,
        "ListPortalProducts" => list_products,
        "UpdatePortalProduct" => update_product,
        "DeletePortalProduct" => delete_product,
        "PutPortalProductSharingPolicy" => put_policy,
        "GetPortalProductSharingPolicy" => get_policy,
        "DeletePortalProductSharingPolicy" => delete_policy,
        _ => return None,
    })
}

/// CloudFront's hosted zone: portals are served through CloudFront on AWS.
const PORTAL_ZONE: &str = portico_model::domain_name::CLOUDFRONT_ZONE;

// ---- shape checks shared with `product_pages` ----

pub(crate) fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::bad_request(msg.into())
}

/// A string member of `min..=max` characters; `None` when absent and not `required`.
pub(crate) fn text(
    m: &Map<String, Value>,
    key: &str,
    min: usize,
    max: usize,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let v: Option<String> = member(m, key)?;
    match v {
        None if required => Err(bad(format!(
            "Invalid input: the request body must contain the member '{key}'"
        ))),
        None => Ok(None),
        Some(s) => {
            let n = s.chars().count();
            if n < min || n > max {
                Err(bad(format!(
                    "1 validation error detected: Value at '{key}' failed to satisfy constraint: Member must have length between {min} and {max}"
                )))
            } else {
                Ok(Some(s))
            }
        }
    }
}

/// An object member; `None` when absent and not `required`.
pub(crate) fn object(
    m: &Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<Option<Map<String, Value>>, ApiError> {
    match member::<Map<String, Value>>(m, key)? {
        None if required => Err(bad(format!(
            "Invalid input: the request body must contain the member '{key}'"
        ))),
        v => Ok(v),
    }
}

/// A union: exactly one of `members` set. Returns which, and its value.
pub(crate) fn union<'a>(
    m: &'a Map<String, Value>,
    what: &str,
    members: &[&'static str],
) -> Result<(&'static str, &'a Map<String, Value>), ApiError> {
    let set: Vec<(&'static str, &Map<String, Value>)> = members
        .iter()
        .filter_map(|k| match m.get(*k) {
            Some(Value::Object(o)) => Some((*k, o)),
            _ => None,
        })
        .collect();
    match set.as_slice() {
        [one] => Ok(*one),
        _ => Err(bad(format!(
            "Invalid {what}: exactly one of [{}] must be set",
            members.join(", ")
        ))),
    }
}

fn tags(body: &Map<String, Value>) -> Result<Value, ApiError> {
    let t: Option<Map<String, Value>> = member(body, "tags")?;
    let t = t.unwrap_or_default();
    for (k, v) in &t {
        let ok = matches!(v, Value::String(s) if !s.is_empty() && s.len() <= 1600);
        if k.is_empty() || k.len() > 128 || !ok {
            return Err(bad(format!(
                "Invalid tag {k}: keys are 1 to 128 characters, values 1 to 1600"
            )));
        }
    }
    Ok(Value::Object(t))
}

pub(crate) fn product_arn(tenant: &Tenant, id: &str) -> String {
    format!(
        "arn:aws:apigateway:{}:{}:/portalproducts/{id}",
        tenant.region(),
        tenant.account()
    )
}

fn portal_not_found(tenant: &Tenant, id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid Portal identifier specified {}:{id}",
        tenant.account()
    ))
    .with_resource_type("Portal")
}

pub(crate) fn product_not_found(tenant: &Tenant, id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid PortalProduct identifier specified {}:{id}",
        tenant.account()
    ))
    .with_resource_type("PortalProduct")
}

fn load(
    tx: &mut dyn Txn,
    k: &str,
    id: &str,
    missing: impl FnOnce() -> ApiError,
) -> Result<Map<String, Value>, ApiError> {
    match tx.get(k, "", id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(missing()),
    }
}

/// The product `{portalProductId}` names, as the caller may see it.
pub(crate) fn product(tx: &mut dyn Txn, call: &Call) -> Result<Map<String, Value>, ApiError> {
    let id = call.label("portalProductId");
    if let Some(owner) = call
        .query("resourceOwnerAccountId")
        .filter(|o| !o.is_empty())
    {
        if owner != call.tenant.account() {
            return Err(product_not_found(&call.tenant, id));
        }
    }
    load(tx, kind::V2_PORTAL_PRODUCT, id, || {
        product_not_found(&call.tenant, id)
    })
}

pub(crate) fn touch(doc: &mut Map<String, Value>) {
    doc.insert("lastModified".into(), json!(common::now()));
}

// ---- portals ----

fn authorization(body: &Map<String, Value>, required: bool) -> Result<Option<Value>, ApiError> {
    let Some(a) = object(body, "authorization", required)? else {
        return Ok(None);
    };
    let (which, inner) = union(&a, "authorization", &["cognitoConfig", "none"])?;
    if which == "cognitoConfig" {
        text(inner, "appClientId", 1, 256, true)?;
        text(inner, "userPoolArn", 20, 2048, true)?;
        text(inner, "userPoolDomain", 20, 2048, true)?;
    }
    Ok(Some(json!({ which: inner })))
}

fn endpoint(
    body: &Map<String, Value>,
    required: bool,
    tenant: &Tenant,
    id: &str,
) -> Result<Option<Value>, ApiError> {
    let Some(e) = object(body, "endpointConfiguration", required)? else {
        return Ok(None);
    };
    let (which, inner) = union(&e, "endpointConfiguration", &["acmManaged", "none"])?;
    let mut out = json!({
        "portalDefaultDomainName": format!("p-{id}.apigw-portal.{}.on.aws", tenant.region()),
        "portalDomainHostedZoneId": PORTAL_ZONE,
    });
    if which == "acmManaged" {
        let domain = text(inner, "domainName", 3, 256, true)?;
        let cert = text(inner, "certificateArn", 10, 2048, true)?;
        out["domainName"] = json!(domain);
        out["certificateArn"] = json!(cert);
    }
    Ok(Some(out))
}

fn content(body: &Map<String, Value>, required: bool) -> Result<Option<Value>, ApiError> {
    let Some(c) = object(body, "portalContent", required)? else {
        return Ok(None);
    };
    let display = text(&c, "displayName", 3, 255, true)?;
    let description = text(&c, "description", 0, 1024, false)?;
    let theme = object(&c, "theme", true)?.unwrap_or_default();
    let colors = object(&theme, "customColors", true)?.unwrap_or_default();
    let mut checked = Map::new();
    for k in [
        "accentColor",
        "backgroundColor",
        "errorValidationColor",
        "headerColor",
        "navigationColor",
        "textColor",
    ] {
        checked.insert(k.into(), json!(text(&colors, k, 1, 16, true)?));
    }
    let mut theme_out = json!({ "customColors": checked });
    if let Some(t) = member::<String>(&theme, "logoLastUploaded")? {
        theme_out["logoLastUploaded"] = json!(t);
    }
    let mut out = json!({ "displayName": display, "theme": theme_out });
    if let Some(d) = description {
        out["description"] = json!(d);
    }
    Ok(Some(out))
}

/// `includedPortalProductArns`: portal product ARNs; the caller's own must name a product.
fn included(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    body: &Map<String, Value>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(arns) = member::<Vec<String>>(body, "includedPortalProductArns")? else {
        return Ok(None);
    };
    let own = product_arn(tenant, "");
    for arn in &arns {
        let id = arn.strip_prefix(own.as_str());
        let ok = match id {
            Some(id) => !id.is_empty() && tx.exists(kind::V2_PORTAL_PRODUCT, "", id)?,
            None => false,
        };
        if !ok {
            return Err(bad(format!("Invalid portal product ARN specified: {arn}")));
        }
    }
    Ok(Some(arns))
}

fn portal_view(doc: &Map<String, Value>) -> Value {
    common::public(Value::Object(doc.clone()))
}

fn create_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let id = common::id(10);
    let authorization = authorization(&body, true)?;
    let endpoint = endpoint(&body, true, &call.tenant, &id)?;
    let mut content = content(&body, true)?.unwrap_or_default();
    let logo = text(&body, "logoUri", 0, 1092, false)?;
    let rum = text(&body, "rumAppMonitorName", 0, 255, false)?;
    let tags = tags(&body)?;
    let now = common::now();
    if logo.as_deref().is_some_and(|l| !l.is_empty()) {
        content["theme"]["logoLastUploaded"] = json!(now);
    }
    let doc = common::write(cx, call, |tx| {
        let included = included(tx, &call.tenant, &body)?.unwrap_or_default();
        let mut doc = json!({
            "authorization": authorization,
            "endpointConfiguration": endpoint,
            "includedPortalProductArns": included,
            "lastModified": now,
            "portalArn": format!("arn:aws:apigateway:{}:{}:/portals/{id}", call.tenant.region(), call.tenant.account()),
            "portalContent": content,
            "portalId": id,
            "publishStatus": "DISABLED",
            "tags": tags,
        });
        if let Some(r) = &rum {
            doc["rumAppMonitorName"] = json!(r);
        }
        if let Some(l) = &logo {
            doc["_logoUri"] = json!(l);
        }
        tx.put(kind::V2_PORTAL, "", &id, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(common::public(doc)))
}

fn portal(tx: &mut dyn Txn, call: &Call) -> Result<Map<String, Value>, ApiError> {
    let id = call.label("portalId");
    load(tx, kind::V2_PORTAL, id, || {
        portal_not_found(&call.tenant, id)
    })
}

fn get_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| portal(tx, call))?;
    Ok(Reply::Json(portal_view(&doc)))
}

fn list_portals(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = common::read(cx, call, |tx| {
        common::page(tx, call, kind::V2_PORTAL, "", |doc| Some(doc.clone()))
    })?;
    Ok(Reply::Json(page))
}

fn update_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let doc = common::write(cx, call, |tx| {
        let mut doc = portal(tx, call)?;
        let id = call.label("portalId").to_string();
        if let Some(a) = authorization(&body, false)? {
            doc.insert("authorization".into(), a);
        }
        if let Some(e) = endpoint(&body, false, &call.tenant, &id)? {
            doc.insert("endpointConfiguration".into(), e);
        }
        if let Some(mut c) = content(&body, false)? {
            // The logo's upload time stays unless a new logo comes.
            if c["theme"].get("logoLastUploaded").is_none() {
                if let Some(t) = doc
                    .get("portalContent")
                    .and_then(|p| p["theme"].get("logoLastUploaded"))
                {
                    c["theme"]["logoLastUploaded"] = t.clone();
                }
            }
            doc.insert("portalContent".into(), c);
        }
        if let Some(arns) = included(tx, &call.tenant, &body)? {
            doc.insert("includedPortalProductArns".into(), json!(arns));
        }
        if let Some(l) = text(&body, "logoUri", 0, 1092, false)? {
            if !l.is_empty() {
                if let Some(Value::Object(c)) = doc.get_mut("portalContent") {
                    c.entry("theme")
                        .or_insert_with(|| json!({}))
                        .as_object_mut()
                        .map(|t| t.insert("logoLastUploaded".into(), json!(common::now())));
                }
            }
            doc.insert("_logoUri".into(), json!(l));
        }
        if let Some(r) = text(&body, "rumAppMonitorName", 0, 255, false)? {
            doc.insert("rumAppMonitorName".into(), json!(r));
        }
        touch(&mut doc);
        tx.put(kind::V2_PORTAL, "", &id, &Value::Object(doc.clone()))?;
        Ok(doc)
    })?;
    Ok(Reply::Json(portal_view(&doc)))
}

fn status(doc: &Map<String, Value>) -> &str {
    doc.get("publishStatus")
        .and_then(Value::as_str)
        .unwrap_or("DISABLED")
}

fn delete_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let doc = portal(tx, call)?;
        if status(&doc) == "PUBLISHED" {
            return Err(bad(format!(
                "Portal {} is published: disable it (DisablePortal) before deleting it",
                call.label("portalId")
            )));
        }
        tx.delete(kind::V2_PORTAL, "", call.label("portalId"))?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// PublishPortal: PUBLISHED at once (no site is served), or PUBLISH_FAILED naming an included
/// product that no longer exists.
fn publish_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let description = text(&body, "description", 0, 1024, false)?;
    common::write(cx, call, |tx| {
        let mut doc = portal(tx, call)?;
        let arns: Vec<String> = member(&doc, "includedPortalProductArns")?.unwrap_or_default();
        let own = product_arn(&call.tenant, "");
        let mut missing = None;
        for arn in &arns {
            let id = arn.strip_prefix(own.as_str()).unwrap_or_default();
            if !tx.exists(kind::V2_PORTAL_PRODUCT, "", id)? {
                missing = Some(arn.clone());
                break;
            }
        }
        let now = common::now();
        match missing {
            Some(arn) => {
                doc.insert("publishStatus".into(), json!("PUBLISH_FAILED"));
                doc.insert(
                    "statusException".into(),
                    json!({"exception": "NotFoundException",
                           "message": format!("The portal product {arn} does not exist")}),
                );
            }
            None => {
                doc.insert("publishStatus".into(), json!("PUBLISHED"));
                doc.remove("statusException");
                doc.insert("lastPublished".into(), json!(now));
                if let Some(d) = &description {
                    doc.insert("lastPublishedDescription".into(), json!(d));
                }
            }
        }
        touch(&mut doc);
        tx.put(
            kind::V2_PORTAL,
            "",
            call.label("portalId"),
            &Value::Object(doc),
        )?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn disable_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let mut doc = portal(tx, call)?;
        if status(&doc) == "DISABLED" {
            return Err(ApiError::conflict(format!(
                "Portal {} is not published",
                call.label("portalId")
            )));
        }
        doc.insert("publishStatus".into(), json!("DISABLED"));
        doc.remove("statusException");
        touch(&mut doc);
        tx.put(
            kind::V2_PORTAL,
            "",
            call.label("portalId"),
            &Value::Object(doc),
        )?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn preview_portal(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let mut doc = portal(tx, call)?;
        let id = call.label("portalId");
        doc.insert(
            "preview".into(),
            json!({
                "previewStatus": "PREVIEW_READY",
                "previewUrl": format!("https://p-{id}-preview.apigw-portal.{}.on.aws", call.tenant.region()),
            }),
        );
        tx.put(kind::V2_PORTAL, "", id, &Value::Object(doc))?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

// ---- portal products ----

fn product_view(doc: &Map<String, Value>) -> Value {
    common::public(Value::Object(doc.clone()))
}

fn create_product(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let display = text(&body, "displayName", 1, 255, true)?;
    let description = text(&body, "description", 0, 1024, false)?.unwrap_or_default();
    let tags = tags(&body)?;
    let id = common::id(10);
    let doc = json!({
        "description": description,
        "displayName": display,
        "displayOrder": {},
        "lastModified": common::now(),
        "portalProductArn": product_arn(&call.tenant, &id),
        "portalProductId": id,
        "tags": tags,
    });
    common::write(cx, call, |tx| {
        Ok(tx.put(kind::V2_PORTAL_PRODUCT, "", &id, &doc)?)
    })?;
    Ok(Reply::Json(doc))
}

fn get_product(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| product(tx, call))?;
    Ok(Reply::Json(product_view(&doc)))
}

fn list_products(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let others = match call.query("resourceOwner") {
        None | Some("") | Some("SELF") => false,
        Some("OTHER_ACCOUNTS") => true,
        Some(o) => {
            one_of("resourceOwner", o, &["SELF", "OTHER_ACCOUNTS"])?;
            false
        }
    };
    if others {
        return Ok(Reply::Json(json!({ "items": [] })));
    }
    let page = common::read(cx, call, |tx| {
        common::page(tx, call, kind::V2_PORTAL_PRODUCT, "", |doc| {
            let mut v = json!({});
            for k in [
                "description",
                "displayName",
                "lastModified",
                "portalProductArn",
                "portalProductId",
                "tags",
            ] {
                v[k] = doc.get(k).cloned().unwrap_or(Value::Null);
            }
            Some(v)
        })
    })?;
    Ok(Reply::Json(page))
}

/// `displayOrder`: every ARN in it must name a page of this product.
fn display_order(
    tx: &mut dyn Txn,
    product_id: &str,
    body: &Map<String, Value>,
) -> Result<Option<Value>, ApiError> {
    let Some(d) = object(body, "displayOrder", false)? else {
        return Ok(None);
    };
    let page_ok = |tx: &mut dyn Txn, arn: &str, k: &str, seg: &str| -> Result<(), ApiError> {
        let id = arn
            .rsplit_once(&format!("/portalproducts/{product_id}/{seg}/"))
            .map(|(_, id)| id)
            .unwrap_or_default();
        if id.is_empty() || !tx.exists(k, product_id, id)? {
            return Err(bad(format!(
                "Invalid page ARN specified in displayOrder: {arn}"
            )));
        }
        Ok(())
    };
    let mut out = Map::new();
    if let Some(sections) = member::<Vec<Map<String, Value>>>(&d, "contents")? {
        let mut checked = Vec::new();
        for s in &sections {
            let name: String = common::required(s, "sectionName")?;
            let arns: Vec<String> = common::required(s, "productRestEndpointPageArns")?;
            for a in &arns {
                page_ok(
                    tx,
                    a,
                    kind::V2_PRODUCT_REST_ENDPOINT_PAGE,
                    "productrestendpointpages",
                )?;
            }
            checked.push(json!({"sectionName": name, "productRestEndpointPageArns": arns}));
        }
        out.insert("contents".into(), json!(checked));
    }
    if let Some(a) = member::<String>(&d, "overviewPageArn")? {
        page_ok(tx, &a, kind::V2_PRODUCT_PAGE, "productpages")?;
        out.insert("overviewPageArn".into(), json!(a));
    }
    if let Some(arns) = member::<Vec<String>>(&d, "productPageArns")? {
        for a in &arns {
            page_ok(tx, a, kind::V2_PRODUCT_PAGE, "productpages")?;
        }
        out.insert("productPageArns".into(), json!(arns));
    }
    Ok(Some(Value::Object(out)))
}

fn update_product(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let doc = common::write(cx, call, |tx| {
        let mut doc = product(tx, call)?;
        let id = call.label("portalProductId").to_string();
        if let Some(d) = text(&body, "displayName", 1, 255, false)? {
            doc.insert("displayName".into(), json!(d));
        }
        if let Some(d) = text(&body, "description", 0, 1024, false)? {
            doc.insert("description".into(), json!(d));
        }
        if let Some(o) = display_order(tx, &id, &body)? {
            doc.insert("displayOrder".into(), o);
        }
        touch(&mut doc);
        tx.put(
            kind::V2_PORTAL_PRODUCT,
            "",
            &id,
            &Value::Object(doc.clone()),
        )?;
        Ok(doc)
    })?;
    Ok(Reply::Json(product_view(&doc)))
}

/// DeletePortalProduct: its pages and sharing policy go with it. Portals that include it keep
/// the ARN (their next publication fails, naming it).
fn delete_product(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        product(tx, call)?;
        let id = call.label("portalProductId");
        for k in [kind::V2_PRODUCT_PAGE, kind::V2_PRODUCT_REST_ENDPOINT_PAGE] {
            for d in tx.list_shared(k, id, 0, usize::MAX)? {
                tx.delete(k, id, &d.id)?;
            }
        }
        tx.delete(kind::V2_PORTAL_PRODUCT, "", id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

const POLICY: &str = "_policyDocument";

fn no_policy(call: &Call) -> ApiError {
    ApiError::not_found(format!(
        "No sharing policy exists for the portal product {}",
        call.label("portalProductId")
    ))
    .with_resource_type("PortalProductSharingPolicy")
}

fn put_policy(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let policy = text(&body, "policyDocument", 1, 307_200, true)?.unwrap_or_default();
    if serde_json::from_str::<Map<String, Value>>(&policy).is_err() {
        return Err(bad(
            "Invalid policyDocument: the policy document must be a JSON object",
        ));
    }
    common::write(cx, call, |tx| {
        let mut doc = product(tx, call)?;
        doc.insert(POLICY.into(), json!(policy));
        tx.put(
            kind::V2_PORTAL_PRODUCT,
            "",
            call.label("portalProductId"),
            &Value::Object(doc),
        )?;
        Ok(())
    })?;
    Ok(Reply::Json(json!({})))
}

fn get_policy(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| product(tx, call))?;
    let policy = doc.get(POLICY).cloned().ok_or_else(|| no_policy(call))?;
    Ok(Reply::Json(json!({
        "policyDocument": policy,
        "portalProductId": call.label("portalProductId"),
    })))
}

fn delete_policy(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let mut doc = product(tx, call)?;
        if doc.remove(POLICY).is_none() {
            return Err(no_policy(call));
        }
        tx.put(
            kind::V2_PORTAL_PRODUCT,
            "",
            call.label("portalProductId"),
            &Value::Object(doc),
        )?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}
