//! A portal product's pages: CreateProductPage, GetProductPage, ListProductPages,
//! UpdateProductPage, DeleteProductPage; and its REST endpoint pages:
//! CreateProductRestEndpointPage, GetProductRestEndpointPage, ListProductRestEndpointPages,
//! UpdateProductRestEndpointPage, DeleteProductRestEndpointPage.
//!
//! Stored as kinds `v2productpage` and `v2productrestendpointpage`, scope = the product's id,
//! id = the page's 10-char id, each document AWS's response JSON plus `_rawDisplayContent`
//! (what the caller sent as `displayContent`, returned by GetProductRestEndpointPage with
//! `includeRawDisplayContent=TRUE`). Deleting a page takes its ARN out of the product's
//! `displayOrder`.
//!
//! Decisions where AWS is silent: a REST endpoint page's `restEndpointIdentifier` must name a
//! REST API of the caller, one of its stages, and a method on a resource at that path (`ANY`
//! covers every method) — else a 400; its `displayContent.endpoint` is `{METHOD} {path}` and
//! `operationName` the method's, unless `overrides` sets them; `status` is AVAILABLE at once;
//! `tryItState` defaults to DISABLED. An unknown page is a 404 "Invalid ProductPage identifier
//! specified {account}:{productId}:{id}" (ProductRestEndpointPage alike).

use portico_core::{ApiError, Tenant};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member, one_of};
use crate::portals::{bad, object, product, text, touch, union};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateProductPage" => create_page,
        "GetProductPage" => get_page,
        "ListProductPages" => list_pages,
        "UpdateProductPage" => update_page,
        "DeleteProductPage" => delete_page,
        "CreateProductRestEndpointPage" => create_endpoint,
        "GetProductRestEndpointPage" => get_endpoint,
        "ListProductRestEndpointPages" => list_endpoints,
        "UpdateProductRestEndpointPage" => update_endpoint,
        "DeleteProductRestEndpointPage" => delete_endpoint,
        _ => return None,
    })
}

/// One of the two page families.
struct Family {
    kind: &'static str,
    /// The URI segment and the ARN's.
    segment: &'static str,
    /// The URI label of the page's id, and its name in messages.
    label: &'static str,
    what: &'static str,
}

const PAGES: Family = Family {
    kind: kind::V2_PRODUCT_PAGE,
    segment: "productpages",
    label: "productPageId",
    what: "ProductPage",
};

const ENDPOINTS: Family = Family {
    kind: kind::V2_PRODUCT_REST_ENDPOINT_PAGE,
    segment: "productrestendpointpages",
    label: "productRestEndpointPageId",
    what: "ProductRestEndpointPage",
};

impl Family {
    fn arn(&self, tenant: &Tenant, product: &str, id: &str) -> String {
        format!(
            "arn:aws:apigateway:{}:{}:/portalproducts/{product}/{}/{id}",
            tenant.region(),
            tenant.account(),
            self.segment
        )
    }

    fn not_found(&self, call: &Call) -> ApiError {
        ApiError::not_found(format!(
            "Invalid {} identifier specified {}:{}:{}",
            self.what,
            call.tenant.account(),
            call.label("portalProductId"),
            call.label(self.label)
        ))
        .with_resource_type(self.what)
    }

    /// The page the call names (its product checked first).
    fn load(&self, tx: &mut dyn Txn, call: &Call) -> Result<Map<String, Value>, ApiError> {
        product(tx, call)?;
        match tx.get(
            self.kind,
            call.label("portalProductId"),
            call.label(self.label),
        )? {
            Some(Value::Object(m)) => Ok(m),
            _ => Err(self.not_found(call)),
        }
    }

    fn save(
        &self,
        tx: &mut dyn Txn,
        call: &Call,
        doc: &Map<String, Value>,
    ) -> Result<(), ApiError> {
        let id = doc
            .get(self.id_member())
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        tx.put(
            self.kind,
            call.label("portalProductId"),
            &id,
            &Value::Object(doc.clone()),
        )?;
        Ok(())
    }

    fn id_member(&self) -> &'static str {
        if self.kind == kind::V2_PRODUCT_PAGE {
            "productPageId"
        } else {
            "productRestEndpointPageId"
        }
    }

    fn arn_member(&self) -> &'static str {
        if self.kind == kind::V2_PRODUCT_PAGE {
            "productPageArn"
        } else {
            "productRestEndpointPageArn"
        }
    }

    /// DeleteProductPage / DeleteProductRestEndpointPage: the page, and its ARN in the
    /// product's `displayOrder`.
    fn delete(&self, cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
        common::write(cx, call, |tx| {
            let page = self.load(tx, call)?;
            let arn = page
                .get(self.arn_member())
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let product_id = call.label("portalProductId");
            tx.delete(self.kind, product_id, call.label(self.label))?;
            let mut p = product(tx, call)?;
            if let Some(Value::Object(order)) = p.get_mut("displayOrder") {
                if order.get("overviewPageArn").and_then(Value::as_str) == Some(&arn) {
                    order.remove("overviewPageArn");
                }
                if let Some(Value::Array(a)) = order.get_mut("productPageArns") {
                    a.retain(|x| x.as_str() != Some(&arn));
                }
                if let Some(Value::Array(sections)) = order.get_mut("contents") {
                    for s in sections {
                        if let Some(Value::Array(a)) = s.get_mut("productRestEndpointPageArns") {
                            a.retain(|x| x.as_str() != Some(&arn));
                        }
                    }
                }
            }
            tx.put(kind::V2_PORTAL_PRODUCT, "", product_id, &Value::Object(p))?;
            Ok(())
        })?;
        Ok(Reply::Empty)
    }
}

fn view(doc: &Map<String, Value>) -> Value {
    common::public(Value::Object(doc.clone()))
}

// ---- product pages ----

fn page_content(body: &Map<String, Value>, required: bool) -> Result<Option<Value>, ApiError> {
    let Some(c) = object(body, "displayContent", required)? else {
        return Ok(None);
    };
    let title = text(&c, "title", 1, 255, true)?;
    let body = text(&c, "body", 1, 32768, true)?;
    Ok(Some(json!({"title": title, "body": body})))
}

fn create_page(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let content = page_content(&body, true)?;
    let doc = common::write(cx, call, |tx| {
        product(tx, call)?;
        let id = common::id(10);
        let doc = json!({
            "displayContent": content,
            "lastModified": common::now(),
            "productPageArn": PAGES.arn(&call.tenant, call.label("portalProductId"), &id),
            "productPageId": id,
        });
        tx.put(PAGES.kind, call.label("portalProductId"), &id, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(doc))
}

fn get_page(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| PAGES.load(tx, call))?;
    Ok(Reply::Json(view(&doc)))
}

fn list_pages(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = common::read(cx, call, |tx| {
        product(tx, call)?;
        common::page(tx, call, PAGES.kind, call.label("portalProductId"), |doc| {
            Some(json!({
                "lastModified": doc["lastModified"],
                "pageTitle": doc["displayContent"]["title"],
                "productPageArn": doc["productPageArn"],
                "productPageId": doc["productPageId"],
            }))
        })
    })?;
    Ok(Reply::Json(page))
}

fn update_page(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let content = page_content(&body, false)?;
    let doc = common::write(cx, call, |tx| {
        let mut doc = PAGES.load(tx, call)?;
        if let Some(c) = content {
            doc.insert("displayContent".into(), c);
        }
        touch(&mut doc);
        PAGES.save(tx, call, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(view(&doc)))
}

fn delete_page(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    PAGES.delete(cx, call)
}

// ---- REST endpoint pages ----

/// The method the identifier names: its `operationName`, if any. A 400 when the REST API,
/// the stage or the method does not exist.
fn endpoint_target(
    tx: &mut dyn Txn,
    parts: &Map<String, Value>,
) -> Result<Option<String>, ApiError> {
    let method = text(parts, "method", 1, 20, true)?
        .unwrap_or_default()
        .to_ascii_uppercase();
    let path = text(parts, "path", 1, 4096, true)?.unwrap_or_default();
    let api = text(parts, "restApiId", 1, 50, true)?.unwrap_or_default();
    let stage = text(parts, "stage", 1, 128, true)?.unwrap_or_default();
    if !tx.exists(kind::REST_API, "", &api)? {
        return Err(bad(format!("Invalid REST API identifier specified: {api}")));
    }
    if !tx.exists(kind::STAGE, &api, &stage)? {
        return Err(bad(format!("Invalid stage identifier specified: {stage}")));
    }
    for r in tx.list_shared(kind::RESOURCE, &api, 0, usize::MAX)? {
        if r.body.get("path").and_then(Value::as_str) != Some(path.as_str()) {
            continue;
        }
        let methods = &r.body["resourceMethods"];
        for m in [method.as_str(), "ANY"] {
            if let Some(found) = methods.get(m) {
                return Ok(found
                    .get("operationName")
                    .and_then(Value::as_str)
                    .map(str::to_string));
            }
        }
    }
    Err(bad(format!(
        "Invalid REST endpoint specified: the REST API {api} has no method {method} {path}"
    )))
}

fn identifier(
    body: &Map<String, Value>,
    required: bool,
) -> Result<Option<Map<String, Value>>, ApiError> {
    let Some(id) = object(body, "restEndpointIdentifier", required)? else {
        return Ok(None);
    };
    Ok(Some(
        object(&id, "identifierParts", true)?.unwrap_or_default(),
    ))
}

/// `displayContent`: `none` (generated from the API) or `overrides`.
fn overrides(body: &Map<String, Value>) -> Result<Option<Map<String, Value>>, ApiError> {
    let Some(c) = object(body, "displayContent", false)? else {
        return Ok(None);
    };
    let (which, inner) = union(&c, "displayContent", &["none", "overrides"])?;
    if which == "none" {
        return Ok(Some(Map::new()));
    }
    text(inner, "body", 1, 32768, false)?;
    text(inner, "endpoint", 1, 1024, false)?;
    text(inner, "operationName", 1, 255, false)?;
    Ok(Some(inner.clone()))
}

fn try_it(body: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let t: Option<String> = member(body, "tryItState")?;
    if let Some(t) = &t {
        one_of("tryItState", t, &["ENABLED", "DISABLED"])?;
    }
    Ok(t)
}

/// The response's `displayContent` from the identifier and the overrides.
fn render(parts: &Map<String, Value>, op: Option<String>, ov: &Map<String, Value>) -> Value {
    let method = parts["method"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let path = parts["path"].as_str().unwrap_or_default();
    let mut out = json!({
        "endpoint": ov.get("endpoint").cloned().unwrap_or_else(|| json!(format!("{method} {path}"))),
    });
    if let Some(o) = ov.get("operationName").cloned().or(op.map(Value::String)) {
        out["operationName"] = o;
    }
    if let Some(b) = ov.get("body") {
        out["body"] = b.clone();
    }
    out
}

fn create_endpoint(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let parts = identifier(&body, true)?.unwrap_or_default();
    let ov = overrides(&body)?.unwrap_or_default();
    let try_it = try_it(&body)?.unwrap_or_else(|| "DISABLED".into());
    let doc = common::write(cx, call, |tx| {
        product(tx, call)?;
        let op = endpoint_target(tx, &parts)?;
        let id = common::id(10);
        let product_id = call.label("portalProductId");
        let mut doc = json!({
            "displayContent": render(&parts, op, &ov),
            "lastModified": common::now(),
            "productRestEndpointPageArn": ENDPOINTS.arn(&call.tenant, product_id, &id),
            "productRestEndpointPageId": id,
            "restEndpointIdentifier": {"identifierParts": parts},
            "status": "AVAILABLE",
            "tryItState": try_it,
        });
        if let Some(raw) = body.get("displayContent") {
            doc["_rawDisplayContent"] = json!(raw.to_string());
        }
        tx.put(ENDPOINTS.kind, product_id, &id, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(common::public(doc)))
}

fn get_endpoint(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = common::read(cx, call, |tx| ENDPOINTS.load(tx, call))?;
    let mut v = view(&doc);
    let raw = call
        .query("includeRawDisplayContent")
        .is_some_and(|q| q.eq_ignore_ascii_case("true"));
    if raw {
        if let Some(r) = doc.get("_rawDisplayContent") {
            v["rawDisplayContent"] = r.clone();
        }
    }
    Ok(Reply::Json(v))
}

fn list_endpoints(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = common::read(cx, call, |tx| {
        product(tx, call)?;
        common::page(
            tx,
            call,
            ENDPOINTS.kind,
            call.label("portalProductId"),
            |doc| {
                let mut v = json!({
                    "endpoint": doc["displayContent"]["endpoint"],
                    "lastModified": doc["lastModified"],
                    "productRestEndpointPageArn": doc["productRestEndpointPageArn"],
                    "productRestEndpointPageId": doc["productRestEndpointPageId"],
                    "restEndpointIdentifier": doc["restEndpointIdentifier"],
                    "status": doc["status"],
                    "tryItState": doc["tryItState"],
                });
                if let Some(o) = doc["displayContent"].get("operationName") {
                    v["operationName"] = o.clone();
                }
                Some(v)
            },
        )
    })?;
    Ok(Reply::Json(page))
}

fn update_endpoint(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let ov = overrides(&body)?;
    let try_it = try_it(&body)?;
    let doc = common::write(cx, call, |tx| {
        let mut doc = ENDPOINTS.load(tx, call)?;
        if let Some(ov) = ov {
            let parts: Map<String, Value> = doc["restEndpointIdentifier"]["identifierParts"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let op = endpoint_target(tx, &parts)?;
            doc.insert("displayContent".into(), render(&parts, op, &ov));
            if let Some(raw) = body.get("displayContent") {
                doc.insert("_rawDisplayContent".into(), json!(raw.to_string()));
            }
        }
        if let Some(t) = try_it {
            doc.insert("tryItState".into(), json!(t));
        }
        touch(&mut doc);
        ENDPOINTS.save(tx, call, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(view(&doc)))
}

fn delete_endpoint(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    ENDPOINTS.delete(cx, call)
}
