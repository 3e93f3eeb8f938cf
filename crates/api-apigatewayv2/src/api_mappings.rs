//! API mappings: CreateApiMapping, GetApiMapping, GetApiMappings, UpdateApiMapping,
//! DeleteApiMapping.
//!
//! Decision: an API mapping IS a base path mapping, stored where `apigateway` stores them
//! (kind `basepathmapping`, scope = the domain name, id = the key, `(none)` for the empty
//! one; `portico_model::BasePathMapping`), with Portico's members `_apiMappingId` (the id
//! named here) and `_apiKind` (`HTTP` when the mapped API is an HTTP API, whose id then sits
//! in `restApiId`). So, as on AWS, a v2 mapping of a REST API is one of `apigateway`'s
//! GetBasePathMappings, a mapping of an HTTP API is seen here only, a base path mapping made
//! through `apigateway` is listed here too, and one key of a domain is taken by one mapping
//! whichever API made it. The data plane's domain index reads the same documents and sends
//! the `HTTP` ones to the HTTP API pipeline.
//!
//! Keys may have several segments (`v1/orders`), as AWS allows for v2: letters, digits and
//! `$-_.+!*'()` between single slashes, no slash at either end.
//!
//! Texts: the 404 for an unknown domain is AWS's ("Invalid domain name identifier
//! specified"). Decision (AWS's texts are not on record): an unknown mapping id is a 404
//! "Invalid ApiMapping identifier specified {account}:{domain}:{id}", an unknown API a 404
//! with the v2 API text, an unknown stage a 400 "Invalid stage identifier specified" (as
//! `apigateway` answers for its mappings), a key already taken a 409 "ApiMapping key already
//! exists for this domain name".

use portico_core::{ApiError, Tenant};
use portico_model::domain_name::NO_BASE_PATH;
use portico_model::{BasePathMapping, Entity};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, member, required};
use crate::domain_names::{name_label, require};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateApiMapping" => create,
        "GetApiMapping" => get,
        "GetApiMappings" => list,
        "UpdateApiMapping" => update,
        "DeleteApiMapping" => delete,
        _ => return None,
    })
}

fn not_found(tenant: &Tenant, domain: &str, id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Invalid ApiMapping identifier specified {}:{domain}:{id}",
        tenant.account()
    ))
    .with_resource_type("ApiMapping")
}

/// The stored base path of a key: `(none)` for the empty key; else segments of AWS's
/// characters between single slashes.
pub fn key_path(key: &str) -> Result<String, ApiError> {
    if key.is_empty() || key == NO_BASE_PATH {
        return Ok(NO_BASE_PATH.to_string());
    }
    // The slash texts are the ones moto records for AWS (tests/moto_apigatewayv2).
    if key.starts_with('/') || key.contains("//") {
        return Err(ApiError::bad_request(
            "API mapping key should not start with a '/' or have consecutive '/'s.",
        ));
    }
    if key.ends_with('/') {
        return Err(ApiError::bad_request(
            "API mapping key should not end with a '/'.",
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'()".contains(c);
    if key
        .split('/')
        .any(|s| s.is_empty() || !s.chars().all(allowed))
    {
        return Err(ApiError::bad_request(format!(
            "Invalid ApiMappingKey '{key}': segments of letters, numbers and the characters $-_.+!*'() separated by single slashes, with no slash at either end"
        )));
    }
    Ok(key.to_string())
}

/// The v2 ApiMapping.
fn view(m: &BasePathMapping) -> Value {
    json!({
        "apiId": m.rest_api_id,
        "apiMappingId": m.mapping_id(),
        "apiMappingKey": if m.base_path == NO_BASE_PATH { "" } else { m.base_path.as_str() },
        "stage": m.stage.clone().unwrap_or_default(),
    })
}

/// The kind of API `api_id` names in the caller's tenant (`Some("HTTP")` for an HTTP API,
/// `None` for a REST API), with its stage checked.
fn target(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    api_id: &str,
    stage: &str,
) -> Result<Option<String>, ApiError> {
    let (api_kind, stage_kind) = if tx.exists(kind::V2_API, "", api_id)? {
        (Some(BasePathMapping::HTTP.to_string()), kind::V2_STAGE)
    } else if !api_id.is_empty() && tx.exists(kind::REST_API, "", api_id)? {
        (None, kind::STAGE)
    } else {
        return Err(common::api_not_found(tenant, api_id));
    };
    if stage.is_empty() || !tx.exists(stage_kind, api_id, stage)? {
        return Err(ApiError::bad_request("Invalid stage identifier specified"));
    }
    Ok(api_kind)
}

/// The mapping `id` names under `domain`, and its stored key.
fn find(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    domain: &str,
    id: &str,
) -> Result<BasePathMapping, ApiError> {
    for doc in tx.list_shared(kind::BASE_PATH_MAPPING, domain, 0, usize::MAX)? {
        let m = BasePathMapping::from_value(&doc.body)?;
        if m.mapping_id() == id {
            return Ok(m);
        }
    }
    Err(not_found(tenant, domain, id))
}

fn conflict() -> ApiError {
    ApiError::conflict("ApiMapping key already exists for this domain name")
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body = call.json()?;
    let api_id: String = required(&body, "apiId")?;
    let stage: String = required(&body, "stage")?;
    let key = key_path(&member::<String>(&body, "apiMappingKey")?.unwrap_or_default())?;
    let m = common::write(cx, call, |tx| {
        if !require(tx, &name)?.mode().mappings {
            // AWS: a ROUTING_RULE_ONLY domain takes no new API mapping (its mappings can
            // still be read). Decision: the text (AWS's is not on record).
            return Err(ApiError::bad_request(format!(
                "API mappings cannot be created for the domain name {name}: its routingMode is ROUTING_RULE_ONLY"
            )));
        }
        let api_kind = target(tx, &call.tenant, &api_id, &stage)?;
        if tx.exists(kind::BASE_PATH_MAPPING, &name, &key)? {
            return Err(conflict());
        }
        let m = BasePathMapping {
            base_path: key.clone(),
            rest_api_id: api_id.clone(),
            stage: Some(stage.clone()),
            api_mapping_id: Some(common::id(6)),
            api_kind,
        };
        tx.put(kind::BASE_PATH_MAPPING, &name, &key, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(view(&m)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let m = common::read(cx, call, |tx| {
        require(tx, &name)?;
        find(tx, &call.tenant, &name, call.label("apiMappingId"))
    })?;
    Ok(Reply::Json(view(&m)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let page = common::read(cx, call, |tx| {
        require(tx, &name)?;
        common::page(tx, call, kind::BASE_PATH_MAPPING, &name, |doc| {
            BasePathMapping::from_value(doc).ok().map(|m| view(&m))
        })
    })?;
    Ok(Reply::Json(page))
}

/// UpdateApiMapping: `apiId` (required by the model), `apiMappingKey` and `stage`; the result
/// is checked as a new mapping would be. A mapping made through `apigateway` without a stage
/// keeps none unless one is given.
fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body: Map<String, Value> = call.json()?;
    let m = common::write(cx, call, |tx| {
        require(tx, &name)?;
        let old = find(tx, &call.tenant, &name, call.label("apiMappingId"))?;
        let mut m = old.clone();
        m.api_mapping_id = Some(old.mapping_id());
        if let Some(api) = member::<String>(&body, "apiId")? {
            m.rest_api_id = api;
        }
        if let Some(stage) = member::<String>(&body, "stage")? {
            m.stage = Some(stage);
        }
        if let Some(key) = member::<String>(&body, "apiMappingKey")? {
            m.base_path = key_path(&key)?;
        }
        match m.stage.clone() {
            Some(stage) => m.api_kind = target(tx, &call.tenant, &m.rest_api_id, &stage)?,
            None if m.rest_api_id != old.rest_api_id => {
                return Err(ApiError::bad_request("Invalid stage identifier specified"))
            }
            None => {}
        }
        if m.base_path != old.base_path {
            if tx.exists(kind::BASE_PATH_MAPPING, &name, &m.base_path)? {
                return Err(conflict());
            }
            tx.delete(kind::BASE_PATH_MAPPING, &name, &old.base_path)?;
        }
        tx.put(kind::BASE_PATH_MAPPING, &name, &m.base_path, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(view(&m)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    common::write(cx, call, |tx| {
        require(tx, &name)?;
        let m = find(tx, &call.tenant, &name, call.label("apiMappingId"))?;
        tx.delete(kind::BASE_PATH_MAPPING, &name, &m.base_path)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Whether any of the caller's domain names maps the HTTP API `api_id` (DeleteApi refuses
/// then, as on AWS).
pub fn mapped(tx: &mut dyn Txn, api_id: &str) -> Result<bool, ApiError> {
    for domain in tx.list_shared(kind::DOMAIN_NAME, "", 0, usize::MAX)? {
        for doc in tx.list_shared(kind::BASE_PATH_MAPPING, &domain.id, 0, usize::MAX)? {
            let m = BasePathMapping::from_value(&doc.body)?;
            if m.is_http() && m.rest_api_id == api_id {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_may_have_several_segments() {
        assert_eq!(key_path("").unwrap(), "(none)");
        assert_eq!(key_path("v1/orders").unwrap(), "v1/orders");
        assert_eq!(key_path("v1.2_$-+!*'()").unwrap(), "v1.2_$-+!*'()");
        for bad in ["/v1", "v1/", "v1//x", "a b", "ü", "a?b"] {
            assert_eq!(key_path(bad).unwrap_err().status, 400, "{bad}");
        }
    }
}
