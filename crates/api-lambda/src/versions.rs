//! Versions and aliases: PublishVersion, ListVersionsByFunction, CreateAlias, GetAlias,
//! UpdateAlias, DeleteAlias, ListAliases.

use portico_core::{ApiError, Tenant};
use portico_mgmt::call::Members;
use portico_model::lambda as model;
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, function_ref, now, uuid};
use crate::functions::{check_revision, latest};
use crate::{error, Call, Ctx, Handler, Reply};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "PublishVersion" => publish,
        "ListVersionsByFunction" => list_versions,
        "CreateAlias" => create_alias,
        "GetAlias" => get_alias,
        "UpdateAlias" => update_alias,
        "DeleteAlias" => delete_alias,
        "ListAliases" => list_aliases,
        _ => return None,
    })
}

/// Publish `$LATEST` as the next version, unless the newest version already holds the same
/// code and configuration (AWS answers that version again).
pub(crate) fn publish_in(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    name: &str,
    description: Option<String>,
    code_sha256: Option<String>,
) -> Result<Map<String, Value>, ApiError> {
    let mut latest_cfg = latest(tx, tenant, name)?;
    if let Some(sha) = code_sha256 {
        if latest_cfg.get("CodeSha256").and_then(Value::as_str) != Some(sha.as_str()) {
            return Err(error::invalid(format!(
                "CodeSHA256 ({sha}) is different from current CodeSHA256 in $LATEST ({}). Please try again with the CodeSHA256 in $LATEST.",
                latest_cfg.get("CodeSha256").and_then(Value::as_str).unwrap_or("")
            )));
        }
    }
    let revision = latest_cfg.get("RevisionId").cloned().unwrap_or(Value::Null);
    let next = latest_cfg
        .get("_nextVersion")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    if next > 1 {
        if let Some(Value::Object(prev)) =
            tx.get(kind::LAMBDA_VERSION, name, &(next - 1).to_string())?
        {
            if prev.get("_fromRevision") == Some(&revision) {
                return Ok(prev);
            }
        }
    }
    let version = next.to_string();
    let mut v = latest_cfg.clone();
    v.remove("_nextVersion");
    v.remove("_tags");
    v.insert(
        "FunctionArn".into(),
        json!(model::qualified_arn(tenant, name, Some(&version))),
    );
    v.insert("Version".into(), json!(version));
    if let Some(d) = description {
        v.insert("Description".into(), json!(d));
    }
    v.insert("LastModified".into(), json!(now()));
    v.insert("RevisionId".into(), json!(uuid()));
    v.insert("_fromRevision".into(), revision);
    tx.put(
        kind::LAMBDA_VERSION,
        name,
        &version,
        &Value::Object(v.clone()),
    )?;
    latest_cfg.insert("_nextVersion".into(), json!(next + 1));
    tx.put(kind::LAMBDA_FUNCTION, "", name, &Value::Object(latest_cfg))?;
    Ok(v)
}

fn name_only(call: &Call) -> Result<String, ApiError> {
    let r = function_ref(&call.tenant, call.label("FunctionName"), None)?;
    if r.qualifier.is_some() {
        return Err(error::invalid("Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request."));
    }
    Ok(r.name)
}

fn publish(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = name_only(call)?;
    let v = crate::store::write(&*cx.store, &call.tenant, |tx| {
        let cfg = latest(tx, &call.tenant, &name)?;
        check_revision(&b, &cfg)?;
        publish_in(
            tx,
            &call.tenant,
            &name,
            b.str_of("Description")?,
            b.str_of("CodeSha256")?,
        )
    })?;
    Ok(Reply::Json(model::public(&v)))
}

fn list_versions(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_only(call)?;
    let (start, max) = common::page(call)?;
    let all = crate::store::read(&*cx.store, &call.tenant, |tx| {
        let mut out = vec![model::public(&latest(tx, &call.tenant, &name)?)];
        for d in crate::store::all(tx, kind::LAMBDA_VERSION, &name)? {
            if let Value::Object(m) = &d.body {
                out.push(model::public(m));
            }
        }
        Ok(out)
    })?;
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(start).take(max).collect();
    let mut out = json!({ "Versions": page });
    if start.saturating_add(max) < total {
        out["NextMarker"] = json!(start.saturating_add(max).to_string());
    }
    Ok(Reply::Json(out))
}

fn alias_arn(tenant: &Tenant, name: &str, alias: &str) -> String {
    model::qualified_arn(tenant, name, Some(alias))
}

fn alias_not_found(tenant: &Tenant, name: &str, alias: &str) -> ApiError {
    error::not_found(format!(
        "Cannot find alias arn: {}",
        alias_arn(tenant, name, alias)
    ))
}

/// The version an alias may point at must exist (`$LATEST` always does).
fn check_version(
    tx: &mut dyn Txn,
    tenant: &Tenant,
    name: &str,
    version: &str,
) -> Result<(), ApiError> {
    if version == "$LATEST" {
        return Ok(());
    }
    if !model::is_version(version) || !tx.exists(kind::LAMBDA_VERSION, name, version)? {
        return Err(common::not_found(tenant, name, Some(version)));
    }
    Ok(())
}

fn check_routing(b: &Map<String, Value>) -> Result<Option<Value>, ApiError> {
    match b.get("RoutingConfig") {
        None | Some(Value::Null) => Ok(None),
        Some(rc) => {
            if let Some(Value::Object(w)) = rc.get("AdditionalVersionWeights") {
                for (v, weight) in w {
                    let ok = weight.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x));
                    if !model::is_version(v) || !ok {
                        return Err(error::invalid(format!(
                            "Invalid routing weight for version {v}"
                        )));
                    }
                }
            }
            Ok(Some(rc.clone()))
        }
    }
}

fn create_alias(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = name_only(call)?;
    let alias = b.required_str("Name")?;
    if model::is_version(&alias)
        || alias == "$LATEST"
        || alias.len() > 128
        || !alias
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(error::validation(format!("1 validation error detected: Value '{alias}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)")));
    }
    let version = b.required_str("FunctionVersion")?;
    let routing = check_routing(&b)?;
    let doc = crate::store::write(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)?;
        check_version(tx, &call.tenant, &name, &version)?;
        if tx.exists(kind::LAMBDA_ALIAS, &name, &alias)? {
            return Err(error::conflict(format!(
                "Alias already exists: {}",
                alias_arn(&call.tenant, &name, &alias)
            )));
        }
        let mut doc = json!({
            "AliasArn": alias_arn(&call.tenant, &name, &alias),
            "Name": alias,
            "FunctionVersion": version,
            "Description": b.str_of("Description")?.unwrap_or_default(),
            "RevisionId": uuid(),
        });
        if let Some(rc) = &routing {
            doc["RoutingConfig"] = rc.clone();
        }
        tx.put(kind::LAMBDA_ALIAS, &name, &alias, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(doc))
}

fn get_alias(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_only(call)?;
    let alias = call.label("Name").to_string();
    let doc = crate::store::read(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)?;
        tx.get(kind::LAMBDA_ALIAS, &name, &alias)?
            .ok_or_else(|| alias_not_found(&call.tenant, &name, &alias))
    })?;
    Ok(Reply::Json(doc))
}

fn update_alias(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = name_only(call)?;
    let alias = call.label("Name").to_string();
    let routing = check_routing(&b)?;
    let doc = crate::store::write(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)?;
        let Some(Value::Object(mut doc)) = tx.get(kind::LAMBDA_ALIAS, &name, &alias)? else {
            return Err(alias_not_found(&call.tenant, &name, &alias));
        };
        check_revision(&b, &doc)?;
        if let Some(v) = b.str_of("FunctionVersion")? {
            check_version(tx, &call.tenant, &name, &v)?;
            doc.insert("FunctionVersion".into(), json!(v));
        }
        if let Some(d) = b.str_of("Description")? {
            doc.insert("Description".into(), json!(d));
        }
        if let Some(rc) = routing {
            doc.insert("RoutingConfig".into(), rc);
        }
        doc.insert("RevisionId".into(), json!(uuid()));
        let doc = Value::Object(doc);
        tx.put(kind::LAMBDA_ALIAS, &name, &alias, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(doc))
}

fn delete_alias(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_only(call)?;
    let alias = call.label("Name").to_string();
    crate::store::write(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)?;
        // AWS answers 204 for an alias that does not exist.
        tx.delete(kind::LAMBDA_ALIAS, &name, &alias)?;
        tx.delete(kind::LAMBDA_POLICY, &name, &alias)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn list_aliases(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let name = name_only(call)?;
    let (start, max) = common::page(call)?;
    let only = call.query("FunctionVersion").map(str::to_string);
    let all = crate::store::read(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)?;
        let mut docs = crate::store::all(tx, kind::LAMBDA_ALIAS, &name)?;
        docs.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(docs
            .into_iter()
            .map(|d| d.body)
            .filter(|d| {
                only.as_deref()
                    .is_none_or(|v| d.get("FunctionVersion").and_then(Value::as_str) == Some(v))
            })
            .collect::<Vec<_>>())
    })?;
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(start).take(max).collect();
    let mut out = json!({ "Aliases": page });
    if start.saturating_add(max) < total {
        out["NextMarker"] = json!(start.saturating_add(max).to_string());
    }
    Ok(Reply::Json(out))
}
