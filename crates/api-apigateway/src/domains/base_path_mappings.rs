//! Base path mappings: create, get, list, update, delete.
//!
//! A mapping sends `https://{domain}/{basePath}/…` to a REST API's stage (or, without a stage,
//! to the stage the next path segment names). `(none)` is the empty base path, which serves
//! every path no other mapping claims. The `apigateway` API maps one path segment only, as on
//! AWS; multi-segment paths (`orders/v1`) come through `apigatewayv2`'s API mappings.
//!
//! Texts: "Invalid base path mapping identifier specified", "Base path already exists for this
//! domain name", "Invalid REST API identifier specified", "Invalid stage identifier specified"
//! and the v1 slash text are the ones AWS answers (as moto reproduces them); the text for
//! other bad characters is Portico's (AWS's is not on record), naming the characters AWS
//! allows (letters, digits and `$-_.+!*'()`, as AWS CDK checks them).

use portico_model::domain_name::NO_BASE_PATH;
use portico_model::{BasePathMapping, Entity};
use serde_json::Value;

use super::{name_label, require};
use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::patch::{self, Op};
use crate::store::{self, kind, Txn};
use crate::{paging, Ctx, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateBasePathMapping" => create,
        "GetBasePathMapping" => get,
        "GetBasePathMappings" => list,
        "UpdateBasePathMapping" => update,
        "DeleteBasePathMapping" => delete,
        _ => return None,
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("Invalid base path mapping identifier specified")
}

/// `None`, `""` and `(none)` are the empty base path; anything else must be one segment of
/// AWS's characters.
pub(crate) fn base_path(given: Option<&str>) -> Result<String, ApiError> {
    let bp = match given {
        None | Some("") | Some(NO_BASE_PATH) => return Ok(NO_BASE_PATH.to_string()),
        Some(bp) => bp,
    };
    if bp.contains('/') {
        return Err(ApiError::bad_request(
            "API Gateway V1 doesn't support the slash character (/) in base path mappings. To create a multi-level base path mapping, use API Gateway V2.",
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "$-_.+!*'()".contains(c);
    if !bp.chars().all(allowed) {
        return Err(ApiError::bad_request(format!(
            "Invalid base path '{bp}': a base path may contain only letters, numbers and the characters $-_.+!*'()"
        )));
    }
    Ok(bp.to_string())
}

/// `None`, `""` and `(none)` name no stage (the path then names it).
fn stage_of(given: Option<&str>) -> Option<String> {
    given
        .filter(|s| !s.is_empty() && *s != NO_BASE_PATH)
        .map(str::to_string)
}

/// The API and stage a mapping names must exist in the caller's tenant.
fn check_target(txn: &mut dyn Txn, api: &str, stage: Option<&str>) -> Result<(), ApiError> {
    if api.is_empty() || !txn.exists(kind::REST_API, "", api)? {
        return Err(ApiError::bad_request(
            "Invalid REST API identifier specified",
        ));
    }
    if let Some(s) = stage {
        if !txn.exists(kind::STAGE, api, s)? {
            return Err(ApiError::bad_request("Invalid stage identifier specified"));
        }
    }
    Ok(())
}

fn read(txn: &mut dyn Txn, domain: &str, bp: &str) -> Result<BasePathMapping, ApiError> {
    // A mapping to an HTTP API is `apigatewayv2`'s only, as on AWS.
    match txn.get_shared(kind::BASE_PATH_MAPPING, domain, bp)? {
        Some(doc) => match BasePathMapping::from_value(&doc)? {
            m if m.is_http() => Err(not_found()),
            m => Ok(m),
        },
        None => Err(not_found()),
    }
}

/// The `{base_path}` label: `(none)` (or an empty label) for the empty base path.
fn label(call: &Call) -> &str {
    match call.label("base_path") {
        "" => NO_BASE_PATH,
        bp => bp,
    }
}

/// AWS: a domain whose routing mode is ROUTING_RULE_ONLY takes no new mapping (its mappings
/// can still be read). Decision: the text (AWS's is not on record).
fn routing_rules_only(name: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Base path mappings cannot be created for the domain name {name}: its routingMode is ROUTING_RULE_ONLY"
    ))
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let body = call.json()?;
    let rest_api_id = body.required_str("restApiId")?;
    let stage = stage_of(body.str_of("stage")?.as_deref());
    let mapping = store::write(&*cx.store, &call.tenant, |txn| {
        let domain = require(txn, call, &name)?;
        if !domain.mode().mappings {
            return Err(routing_rules_only(&name));
        }
        let bp = base_path(body.str_of("basePath")?.as_deref())?;
        check_target(txn, &rest_api_id, stage.as_deref())?;
        if txn.exists(kind::BASE_PATH_MAPPING, &name, &bp)? {
            return Err(ApiError::conflict(
                "Base path already exists for this domain name",
            ));
        }
        let m = BasePathMapping {
            base_path: bp,
            rest_api_id: rest_api_id.clone(),
            stage: stage.clone(),
            // So `apigatewayv2` names it by one id on every read.
            api_mapping_id: Some(crate::ids::new_id(6)),
            api_kind: None,
        };
        txn.put(kind::BASE_PATH_MAPPING, &name, &m.base_path, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(mapping.rest_view()))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let m = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call, &name)?;
        read(txn, &name, label(call))
    })?;
    Ok(Reply::Json(m.rest_view()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call, &name)?;
        paging::page(txn, call, kind::BASE_PATH_MAPPING, &name, |d| {
            let m = BasePathMapping::from_value(&d.body).ok()?;
            (!m.is_http()).then(|| m.rest_view())
        })
    })?;
    Ok(Reply::Json(page))
}

/// UpdateBasePathMapping: `replace` on `/basePath`, `/restapiId` (AWS's spelling) and
/// `/stage`; the result is checked as a new mapping would be.
fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    let ops = patch::parse(&call.json()?)?;
    let old_bp = label(call).to_string();
    let m = store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, call, &name)?;
        let mut m = read(txn, &name, &old_bp)?;
        for op in &ops {
            let path = op.path.as_str();
            if op.op != Op::Replace || !matches!(path, "/basePath" | "/restapiId" | "/stage") {
                return Err(ApiError::bad_request(format!(
                    "Invalid patch path '{}' specified for op '{}'. Must be one of: [/basePath, /restapiId, /stage]",
                    op.path,
                    op.op.as_str()
                )));
            }
            match path {
                "/basePath" => m.base_path = base_path(op.value.as_deref())?,
                "/restapiId" => m.rest_api_id = op.value()?.to_string(),
                _ => m.stage = stage_of(op.value.as_deref()),
            }
        }
        check_target(txn, &m.rest_api_id, m.stage.as_deref())?;
        if m.base_path != old_bp {
            if txn.exists(kind::BASE_PATH_MAPPING, &name, &m.base_path)? {
                return Err(ApiError::conflict(
                    "Base path already exists for this domain name",
                ));
            }
            txn.delete(kind::BASE_PATH_MAPPING, &name, &old_bp)?;
        }
        txn.put(kind::BASE_PATH_MAPPING, &name, &m.base_path, &m.to_value())?;
        Ok(m)
    })?;
    Ok(Reply::Json(m.rest_view()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_label(call);
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, call, &name)?;
        read(txn, &name, label(call))?;
        txn.delete(kind::BASE_PATH_MAPPING, &name, label(call))?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// Remove every mapping of `domain` (DeleteDomainName).
pub(crate) fn delete_all(txn: &mut dyn Txn, domain: &str) -> Result<(), ApiError> {
    for d in txn.list_shared(kind::BASE_PATH_MAPPING, domain, 0, usize::MAX)? {
        txn.delete(kind::BASE_PATH_MAPPING, domain, &d.id)?;
    }
    Ok(())
}

/// The caller's domain names with a mapping to `api` (DeleteRestApi refuses while any has),
/// and, with `stage`, only those mapping that stage.
pub(crate) fn domains_mapping(
    txn: &mut dyn Txn,
    api: &str,
    stage: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    for name in super::domain_names::names(txn)? {
        let maps = txn.list_shared(kind::BASE_PATH_MAPPING, &name, 0, usize::MAX)?;
        let hit = maps.iter().any(|d| {
            d.body.get("restApiId").and_then(Value::as_str) == Some(api)
                && stage.is_none_or(|s| d.body.get("stage").and_then(Value::as_str) == Some(s))
        });
        if hit {
            out.push(name);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_paths_follow_aws_rules() {
        assert_eq!(base_path(None).unwrap(), "(none)");
        assert_eq!(base_path(Some("")).unwrap(), "(none)");
        assert_eq!(base_path(Some("(none)")).unwrap(), "(none)");
        assert_eq!(base_path(Some("v1.2_$-+!*'()")).unwrap(), "v1.2_$-+!*'()");
        assert!(base_path(Some("orders/v1"))
            .unwrap_err()
            .message
            .contains("use API Gateway V2"));
        for bad in ["a b", "a%20", "ü", "a?b", "a#", "a:b"] {
            assert_eq!(base_path(Some(bad)).unwrap_err().status, 400, "{bad}");
        }
    }
}
