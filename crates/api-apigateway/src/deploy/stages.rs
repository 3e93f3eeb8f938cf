//! Stages: a named, callable publication of one deployment (plus an optional canary deployment),
//! with stage variables, method settings, logging, caching and tracing switches.
//!
//! Stage documents are AWS's Stage JSON. UpdateStage lives in `stage_update`.

use portico_model::{CanarySettings, Entity, IndexMap, Stage};
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::now_epoch;
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{deployments, restapis, stage_update, tags, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateStage" => create,
        "GetStage" => get,
        "GetStages" => list,
        "UpdateStage" => stage_update::update,
        "DeleteStage" => delete,
        "FlushStageCache" => flush_cache,
        "FlushStageAuthorizersCache" => flush_authorizers,
        _ => return None,
    })
}

pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Stage identifier specified")
}

/// Load a stage of an API (the API must exist: its not-found error wins).
pub fn require(
    txn: &mut dyn Txn,
    call: &Call,
    api_id: &str,
    name: &str,
) -> Result<Map<String, Value>, ApiError> {
    restapis::require(txn, &call.tenant, api_id)?;
    match txn.get(kind::STAGE, api_id, name)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

/// Stage names: alphanumerics, `-` and `_`, at most 128 characters (AWS's documented rule; AWS
/// once refused hyphens, and its message then read `Stage name only allows a-zA-Z0-9_`).
pub fn check_name(name: &str) -> Result<(), ApiError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request("Stage name only allows a-zA-Z0-9_-"))
    }
}

pub(crate) fn check_variable(name: &str, value: &str) -> Result<(), ApiError> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        // AWS's wording for names is not on record; this mirrors its message for values.
        return Err(ApiError::bad_request(format!(
            "Invalid stage variable name: {name}.  Please use names with alphanumeric characters and the symbol '_'."
        )));
    }
    let value_ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:/?#&=,".contains(&b));
    if !value_ok {
        // AWS's message, verbatim (quoting slip included).
        return Err(ApiError::bad_request(format!(
            "Invalid stage variable value: {value}.  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."
        )));
    }
    Ok(())
}

/// A string map member (`variables`, `stageVariableOverrides`), validated as stage variables.
fn variables(
    body: &Map<String, Value>,
    key: &str,
) -> Result<Option<IndexMap<String, String>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            let mut out = IndexMap::with_capacity(m.len());
            for (k, v) in m {
                let v = v.as_str().ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "Invalid value for member '{key}': expected a map of strings"
                    ))
                })?;
                check_variable(k, v)?;
                out.insert(k.clone(), v.to_string());
            }
            Ok(if out.is_empty() { None } else { Some(out) })
        }
        Some(_) => Err(ApiError::bad_request(format!(
            "Invalid value for member '{key}': expected a map of strings"
        ))),
    }
}

const CACHE_SIZES: &[&str] = &["0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"];

pub(crate) fn check_cache_size(size: &str, member: &str) -> Result<(), ApiError> {
    if CACHE_SIZES.contains(&size) {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "1 validation error detected: Value '{size}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"
        )))
    }
}

/// Portico has no cache cluster to provision: an enabled cache reports `AVAILABLE` at once (AWS
/// passes through `CREATE_IN_PROGRESS` for minutes), and enabling without a size picks AWS's
/// smallest, 0.5 GB.
pub(crate) fn set_cache_cluster(stage: &mut Map<String, Value>, enabled: bool) {
    stage.insert("cacheClusterEnabled".into(), json!(enabled));
    if enabled && !stage.contains_key("cacheClusterSize") {
        stage.insert("cacheClusterSize".into(), json!("0.5"));
    }
    stage.insert(
        "cacheClusterStatus".into(),
        json!(if enabled {
            "AVAILABLE"
        } else {
            "NOT_AVAILABLE"
        }),
    );
}

fn percent(v: Option<&Value>) -> Result<f64, ApiError> {
    let p = match v {
        None | Some(Value::Null) => 0.0,
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(_) => f64::NAN,
    };
    check_percent(p)
}

pub(crate) fn check_percent(p: f64) -> Result<f64, ApiError> {
    if (0.0..=100.0).contains(&p) {
        Ok(p)
    } else {
        // AWS's text for this is not on record.
        Err(ApiError::bad_request(
            "Canary traffic percentage must be between 0.0 and 100.0",
        ))
    }
}

/// A canary as AWS stores it (see [`CanarySettings`]).
pub(crate) fn canary(
    deployment_id: &str,
    percent_traffic: f64,
    overrides: Option<IndexMap<String, String>>,
    use_stage_cache: bool,
) -> Value {
    json!(CanarySettings {
        deployment_id: deployment_id.to_string(),
        percent_traffic,
        stage_variable_overrides: overrides,
        use_stage_cache,
    })
}

pub(crate) fn deployment_missing() -> ApiError {
    ApiError::bad_request("Deployment id does not exist")
}

/// A new stage document with AWS's defaults. The settings of the call that creates it are
/// applied to its members (`apply_settings`), as CreateDeployment applies them to a stage that
/// already exists.
fn new_stage(name: &str, deployment_id: &str) -> Map<String, Value> {
    let now = now_epoch();
    let mut s = Stage {
        deployment_id: deployment_id.to_string(),
        stage_name: name.to_string(),
        created_date: Some(now),
        last_updated_date: Some(now),
        ..Stage::default()
    }
    .to_map();
    set_cache_cluster(&mut s, false);
    s
}

/// Apply the stage members CreateStage and CreateDeployment share.
fn apply_settings(
    stage: &mut Map<String, Value>,
    body: &Map<String, Value>,
    description_key: &str,
    size_member: &str,
) -> Result<(), ApiError> {
    if let Some(d) = body.str_of(description_key)? {
        if d.is_empty() {
            stage.remove("description");
        } else {
            stage.insert("description".into(), json!(d));
        }
    }
    if let Some(size) = body.str_of("cacheClusterSize")? {
        check_cache_size(&size, size_member)?;
        stage.insert("cacheClusterSize".into(), json!(size));
    }
    if let Some(enabled) = body.bool_of("cacheClusterEnabled")? {
        set_cache_cluster(stage, enabled);
    }
    if let Some(vars) = variables(body, "variables")? {
        stage.insert("variables".into(), json!(vars));
    }
    if let Some(t) = body.bool_of("tracingEnabled")? {
        stage.insert("tracingEnabled".into(), json!(t));
    }
    Ok(())
}

/// CreateDeployment with `stageName`: create the stage or repoint it at the new deployment.
/// Given `variables` replace the stage's ("the stage variables for the stage associated with the
/// deployment"), and a plain deployment ends a running canary: the stage now serves the new
/// deployment only (AWS does not document this; it is LocalStack's reading of AWS, and a stale
/// canary silently taking traffic from the new deployment would surprise more).
pub fn publish(
    txn: &mut dyn Txn,
    api_id: &str,
    name: &str,
    deployment_id: &str,
    body: &Map<String, Value>,
) -> Result<(), ApiError> {
    let mut stage = match txn.get(kind::STAGE, api_id, name)? {
        Some(Value::Object(mut s)) => {
            s.insert("deploymentId".into(), json!(deployment_id));
            s.remove("canarySettings");
            s.insert("lastUpdatedDate".into(), json!(now_epoch()));
            s
        }
        _ => new_stage(name, deployment_id),
    };
    apply_settings(
        &mut stage,
        body,
        "stageDescription",
        "createDeploymentInput.cacheClusterSize",
    )?;
    Ok(txn.put(kind::STAGE, api_id, name, &Value::Object(stage))?)
}

/// CreateDeployment with `canarySettings`: the new deployment becomes the stage's canary; the
/// stage keeps serving its own deployment. The whole canary is replaced.
pub fn put_canary_from_deployment(
    txn: &mut dyn Txn,
    api_id: &str,
    name: &str,
    deployment_id: &str,
    settings: &Map<String, Value>,
) -> Result<(), ApiError> {
    let Some(Value::Object(mut stage)) = txn.get(kind::STAGE, api_id, name)? else {
        return Err(not_found());
    };
    let c = canary(
        deployment_id,
        percent(settings.get("percentTraffic"))?,
        variables(settings, "stageVariableOverrides")?,
        settings.bool_of("useStageCache")?.unwrap_or(false),
    );
    stage.insert("canarySettings".into(), c);
    stage.insert("lastUpdatedDate".into(), json!(now_epoch()));
    Ok(txn.put(kind::STAGE, api_id, name, &Value::Object(stage))?)
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let body = call.json()?;
    let name = body.required_str("stageName")?;
    let deployment_id = body.required_str("deploymentId")?;
    check_name(&name)?;
    let stage_tags = tags::from_body(&body)?;
    let canary_in = match body.get("canarySettings") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => Some(c.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(
                "Invalid value for member 'canarySettings': expected an object",
            ))
        }
    };
    let created = store::write(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        if !deployments::exists(txn, api_id, &deployment_id)? {
            return Err(deployments::not_found());
        }
        if txn.exists(kind::STAGE, api_id, &name)? {
            return Err(ApiError::conflict("Stage already exists"));
        }
        let mut stage = new_stage(&name, &deployment_id);
        apply_settings(
            &mut stage,
            &body,
            "description",
            "createStageInput.cacheClusterSize",
        )?;
        if let Some(v) = body.str_of("documentationVersion")? {
            crate::docs::versions::check_stage_version(txn, api_id, &v)?;
            stage.insert("documentationVersion".into(), json!(v));
        }
        if let Some(c) = &canary_in {
            let target = match c.str_of("deploymentId")? {
                Some(id) => {
                    if !deployments::exists(txn, api_id, &id)? {
                        return Err(deployment_missing());
                    }
                    id
                }
                None => deployment_id.clone(),
            };
            stage.insert(
                "canarySettings".into(),
                canary(
                    &target,
                    percent(c.get("percentTraffic"))?,
                    variables(c, "stageVariableOverrides")?,
                    c.bool_of("useStageCache")?.unwrap_or(false),
                ),
            );
        }
        if let Some(t) = &stage_tags {
            stage.insert("tags".into(), json!(t));
        }
        let stage = Value::Object(stage);
        txn.put(kind::STAGE, api_id, &name, &stage)?;
        Ok(stage)
    })?;
    Ok(Reply::Json(created))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let stage = store::read(&*cx.store, &call.tenant, |txn| {
        require(
            txn,
            call,
            call.label("restapi_id"),
            call.label("stage_name"),
        )
    })?;
    Ok(Reply::Json(Value::Object(stage)))
}

/// GetStages is not paged in AWS: every stage, optionally only those serving one deployment.
fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("restapi_id");
    let only = call.query("deploymentId").filter(|d| !d.is_empty());
    let items = store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, api_id)?;
        Ok(txn
            .list(kind::STAGE, api_id, 0, usize::MAX)?
            .into_iter()
            .map(|d| d.body)
            .filter(|s| only.is_none_or(|id| s["deploymentId"].as_str() == Some(id)))
            .collect::<Vec<_>>())
    })?;
    Ok(Reply::Json(json!({ "item": items })))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("stage_name"));
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, call, api_id, name)?;
        // AWS refuses while a custom domain maps the stage (its text, quoted in the wild).
        let domains = crate::domains::base_path_mappings::domains_mapping(txn, api_id, Some(name))?;
        if !domains.is_empty() {
            return Err(ApiError::bad_request(format!(
                "Deleting stage {name} failed. Please remove all base path mappings related to the stage in your domains: {}",
                domains.join(", ")
            )));
        }
        txn.delete(kind::STAGE, api_id, name)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// FlushStageCache: the stage must exist; its cache, if it has one, is emptied (a stage without
/// one answers 202 all the same: AWS's answer for that case is not recorded anywhere we found).
fn flush_cache(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("stage_name"));
    store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call, api_id, name).map(|_| ())
    })?;
    cx.data_plane.flush_stage_cache(&call.tenant, api_id, name);
    Ok(Reply::Empty)
}

/// FlushStageAuthorizersCache: the stage must exist; the Lambda authorizer results cached for
/// it are forgotten.
fn flush_authorizers(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("stage_name"));
    store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call, api_id, name).map(|_| ())
    })?;
    cx.data_plane
        .flush_authorizers_cache(&call.tenant, api_id, name);
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_variables_follow_aws_rules() {
        for ok in ["prod", "v1_beta", "dev-2"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a.b", "ü", &"x".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_variable("url", "https://example.com/a?b=c&d=e,f#g~h").is_ok());
        assert!(check_variable("bad-name", "x").is_err());
        assert!(check_variable("x", "").is_err());
        assert!(check_variable("x", "a b").is_err());
        assert!(check_variable("x", "$").is_err());
    }
}
