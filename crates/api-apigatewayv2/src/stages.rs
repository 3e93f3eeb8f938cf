//! Stages (CreateStage, GetStage, GetStages, UpdateStage, DeleteStage, DeleteRouteSettings,
//! DeleteAccessLogSettings, ResetAuthorizersCache) and deployments (CreateDeployment, GetDeployment,
//! GetDeployments, UpdateDeployment, DeleteDeployment). A deployment freezes the API's
//! routes and integrations (its private `_routes`/`_integrations`), for the data plane. A stage
//! with `autoDeploy` is redeployed by every change to the API's routes and integrations
//! ([`auto_deploy`]).

use portico_core::ApiError;
use portico_model::v2::{Api, Deployment, Stage};
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::{Map, Value};

use crate::common::{self, member, required};
use crate::{Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateStage" => create_stage,
        "GetStage" => get_stage,
        "GetStages" => list_stages,
        "UpdateStage" => update_stage,
        "DeleteStage" => delete_stage,
        "DeleteRouteSettings" => delete_route_settings,
        "DeleteAccessLogSettings" => delete_access_log_settings,
        "ResetAuthorizersCache" => reset_authorizers_cache,
        "CreateDeployment" => create_deployment,
        "GetDeployment" => get_deployment,
        "GetDeployments" => list_deployments,
        "UpdateDeployment" => update_deployment,
        "DeleteDeployment" => delete_deployment,
        _ => return None,
    })
}

/// A new deployment of the API's current routes and integrations.
fn deploy(
    tx: &mut dyn Txn,
    api_id: &str,
    description: Option<String>,
    auto: bool,
) -> Result<Deployment, ApiError> {
    let routes = common::all(tx, kind::V2_ROUTE, api_id)?;
    if routes.is_empty() {
        return Err(ApiError::bad_request(
            "Unable to deploy API because no routes exist in this API",
        ));
    }
    let d = Deployment {
        deployment_id: common::id(6),
        auto_deployed: auto,
        created_date: common::now(),
        deployment_status: "DEPLOYED".into(),
        deployment_status_message: None,
        description,
        routes,
        integrations: common::all(tx, kind::V2_INTEGRATION, api_id)?,
        route_responses: common::all(tx, kind::V2_ROUTE_RESPONSE, api_id)?,
        integration_responses: common::all(tx, kind::V2_INTEGRATION_RESPONSE, api_id)?,
    };
    tx.put(kind::V2_DEPLOYMENT, api_id, &d.deployment_id, &d.to_value())?;
    Ok(d)
}

fn deployed(stage: &mut Stage, d: &Deployment) {
    stage.deployment_id = Some(d.deployment_id.clone());
    stage.last_deployment_status_message = Some(format!(
        "Successfully deployed stage with deployment ID '{}'",
        d.deployment_id
    ));
    stage.last_updated_date = common::now();
}

/// Redeploy every stage of the API with `autoDeploy` (an API without routes has nothing to
/// deploy: its stages keep what they had).
pub fn auto_deploy(tx: &mut dyn Txn, api_id: &str) -> Result<(), ApiError> {
    for doc in common::all(tx, kind::V2_STAGE, api_id)? {
        let mut stage = Stage::from_value(&doc)?;
        if stage.auto_deploy {
            redeploy(tx, api_id, &mut stage)?;
            tx.put(kind::V2_STAGE, api_id, &stage.stage_name, &stage.to_value())?;
        }
    }
    Ok(())
}

fn redeploy(tx: &mut dyn Txn, api_id: &str, stage: &mut Stage) -> Result<(), ApiError> {
    if common::all(tx, kind::V2_ROUTE, api_id)?.is_empty() {
        return Ok(());
    }
    let d = deploy(
        tx,
        api_id,
        Some("Automatic deployment triggered by changes to the Api configuration".into()),
        true,
    )?;
    deployed(stage, &d);
    Ok(())
}

fn check_name(api: &Api, name: &str) -> Result<(), ApiError> {
    if name == "$default" {
        if !api.is_http() {
            return Err(ApiError::bad_request(
                "Stage name $default is supported only for HTTP APIs",
            ));
        }
        return Ok(());
    }
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Stage name only allows a-zA-Z0-9_- (or $default), up to 128 characters: {name}"
        )))
    }
}

fn check_stage(tx: &mut dyn Txn, api: &Api, stage: &Stage) -> Result<(), ApiError> {
    let keys: Vec<String> = common::all(tx, kind::V2_ROUTE, &api.api_id)?
        .iter()
        .filter_map(|r| r.get("routeKey").and_then(|k| k.as_str()).map(String::from))
        .collect();
    for key in stage.route_settings.keys() {
        if !keys.iter().any(|k| k == key) {
            return Err(ApiError::not_found(format!(
                "Unable to find Route by key {key} within the provided RouteSettings"
            ))
            .with_resource_type("Route"));
        }
    }
    if api.is_http() {
        let settings =
            std::iter::once(&stage.default_route_settings).chain(stage.route_settings.values());
        for s in settings {
            if s.data_trace_enabled.is_some() || s.logging_level.is_some() {
                return Err(ApiError::bad_request(
                    "Execution logs are not supported on protocolType HTTP",
                ));
            }
        }
    }
    for s in std::iter::once(&stage.default_route_settings).chain(stage.route_settings.values()) {
        if let Some(level) = &s.logging_level {
            common::one_of("loggingLevel", level, &["ERROR", "INFO", "OFF"])?;
        }
    }
    if let Some(id) = &stage.deployment_id {
        if !tx.exists(kind::V2_DEPLOYMENT, &api.api_id, id)? {
            return Err(ApiError::not_found(format!(
                "Invalid Deployment identifier specified {id}"
            ))
            .with_resource_type("Deployment"));
        }
    }
    Ok(())
}

fn create_stage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let stage = common::write(cx, call, |tx| {
        let api = common::api(tx, &call.tenant, api_id)?;
        let name: String = required(&body, "stageName")?;
        check_name(&api, &name)?;
        if tx.exists(kind::V2_STAGE, api_id, &name)? {
            return Err(ApiError::conflict(format!("Stage {name} already exists")));
        }
        let now = common::now();
        let mut stage = Stage {
            stage_name: name,
            access_log_settings: member(&body, "accessLogSettings")?,
            api_gateway_managed: None,
            auto_deploy: member(&body, "autoDeploy")?.unwrap_or(false),
            client_certificate_id: member(&body, "clientCertificateId")?,
            created_date: now.clone(),
            default_route_settings: member(&body, "defaultRouteSettings")?.unwrap_or_default(),
            deployment_id: member(&body, "deploymentId")?,
            description: member(&body, "description")?,
            last_deployment_status_message: None,
            last_updated_date: now,
            route_settings: member(&body, "routeSettings")?.unwrap_or_default(),
            stage_variables: member(&body, "stageVariables")?.unwrap_or_default(),
            tags: member(&body, "tags")?.unwrap_or_default(),
        };
        check_stage(tx, &api, &stage)?;
        if !api.is_http() {
            // A WebSocket stage's execution logs are off unless asked for.
            let d = &mut stage.default_route_settings;
            d.data_trace_enabled.get_or_insert(false);
            d.logging_level.get_or_insert_with(|| "OFF".into());
        }
        if stage.auto_deploy {
            redeploy(tx, api_id, &mut stage)?;
        }
        tx.put(kind::V2_STAGE, api_id, &stage.stage_name, &stage.to_value())?;
        Ok(stage)
    })?;
    Ok(Reply::Json(stage.to_value()))
}

fn load_stage(tx: &mut dyn Txn, call: &Call) -> Result<(Api, Stage), ApiError> {
    let api_id = call.label("apiId");
    let api = common::api(tx, &call.tenant, api_id)?;
    let name = call.label("stageName");
    match tx.get(kind::V2_STAGE, api_id, name)? {
        Some(doc) => Ok((api, Stage::from_value(&doc)?)),
        None => Err(common::stage_not_found()),
    }
}

fn get_stage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, stage) = common::read(cx, call, |tx| load_stage(tx, call))?;
    Ok(Reply::Json(stage.to_value()))
}

fn list_stages(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_STAGE, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

const UPDATABLE: &[&str] = &[
    "accessLogSettings",
    "autoDeploy",
    "clientCertificateId",
    "defaultRouteSettings",
    "deploymentId",
    "description",
];

/// `routeSettings` and `stageVariables` in an update are merged into the stage's, key by key.
fn merge(stored: &mut Map<String, Value>, body: &Map<String, Value>, key: &str) {
    if let Some(Value::Object(update)) = body.get(key) {
        let entry = stored
            .entry(key.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            for (k, v) in update {
                m.insert(k.clone(), v.clone());
            }
        }
    }
}

fn update_stage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let stage = common::write(cx, call, |tx| {
        let (api, old) = load_stage(tx, call)?;
        let mut stage = common::overlay(&old, &body, UPDATABLE)?;
        let mut m = stage.to_map();
        merge(&mut m, &body, "routeSettings");
        merge(&mut m, &body, "stageVariables");
        stage = Stage::deserialize(Value::Object(m))
            .map_err(|e| ApiError::bad_request(format!("Invalid request body: {e}")))?;
        if stage.auto_deploy && body.contains_key("deploymentId") {
            return Err(ApiError::bad_request(
                "DeploymentId cannot be updated on a stage with autoDeploy enabled",
            ));
        }
        check_stage(tx, &api, &stage)?;
        stage.last_updated_date = common::now();
        if stage.auto_deploy && !old.auto_deploy {
            redeploy(tx, &api.api_id, &mut stage)?;
        }
        tx.put(
            kind::V2_STAGE,
            &api.api_id,
            &stage.stage_name,
            &stage.to_value(),
        )?;
        Ok(stage)
    })?;
    Ok(Reply::Json(stage.to_value()))
}

use serde::Deserialize as _;

fn delete_stage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, stage) = load_stage(tx, call)?;
        tx.delete(kind::V2_STAGE, &api.api_id, &stage.stage_name)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn delete_route_settings(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let key = call.label("routeKey");
    common::write(cx, call, |tx| {
        let (api, mut stage) = load_stage(tx, call)?;
        if stage.route_settings.shift_remove(key).is_none() {
            return Err(ApiError::not_found(format!(
                "Unable to find route settings for route key {key}"
            ))
            .with_resource_type("RouteSettings"));
        }
        stage.last_updated_date = common::now();
        tx.put(
            kind::V2_STAGE,
            &api.api_id,
            &stage.stage_name,
            &stage.to_value(),
        )?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn delete_access_log_settings(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, mut stage) = load_stage(tx, call)?;
        stage.access_log_settings = None;
        stage.last_updated_date = common::now();
        tx.put(
            kind::V2_STAGE,
            &api.api_id,
            &stage.stage_name,
            &stage.to_value(),
        )?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

/// HTTP and WebSocket APIs are not served yet, so no authorizer result is cached: the stage
/// must exist, and there is nothing to flush.
fn reset_authorizers_cache(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, stage) = common::read(cx, call, |tx| load_stage(tx, call))?;
    if let Some(data) = &cx.data {
        data.reset_authorizers_cache(&call.tenant, call.label("apiId"), &stage.stage_name);
    }
    Ok(Reply::Empty)
}

fn create_deployment(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let d = common::write(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        let stage_name: Option<String> = member(&body, "stageName")?;
        let stage = match &stage_name {
            None => None,
            Some(name) => match tx.get(kind::V2_STAGE, api_id, name)? {
                Some(doc) => Some(Stage::from_value(&doc)?),
                None => return Err(common::stage_not_found()),
            },
        };
        if stage.as_ref().is_some_and(|s| s.auto_deploy) {
            return Err(ApiError::bad_request(
                "Cannot create a deployment for a stage with autoDeploy enabled: API Gateway deploys it on every change",
            ));
        }
        let d = deploy(tx, api_id, member(&body, "description")?, false)?;
        if let Some(mut stage) = stage {
            deployed(&mut stage, &d);
            tx.put(kind::V2_STAGE, api_id, &stage.stage_name, &stage.to_value())?;
        }
        Ok(d)
    })?;
    Ok(Reply::Json(common::public(d.to_value())))
}

fn load_deployment(tx: &mut dyn Txn, call: &Call) -> Result<Deployment, ApiError> {
    let api_id = call.label("apiId");
    common::api(tx, &call.tenant, api_id)?;
    let id = call.label("deploymentId");
    match tx.get(kind::V2_DEPLOYMENT, api_id, id)? {
        Some(doc) => Ok(Deployment::from_value(&doc)?),
        None => Err(common::child_not_found(
            &call.tenant,
            "Deployment",
            api_id,
            id,
        )),
    }
}

fn get_deployment(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let d = common::read(cx, call, |tx| load_deployment(tx, call))?;
    Ok(Reply::Json(common::public(d.to_value())))
}

fn list_deployments(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_DEPLOYMENT, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

fn update_deployment(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let d = common::write(cx, call, |tx| {
        let mut d = load_deployment(tx, call)?;
        if let Some(description) = member::<String>(&body, "description")? {
            d.description = Some(description);
        }
        tx.put(
            kind::V2_DEPLOYMENT,
            call.label("apiId"),
            &d.deployment_id,
            &d.to_value(),
        )?;
        Ok(d)
    })?;
    Ok(Reply::Json(common::public(d.to_value())))
}

fn delete_deployment(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let d = load_deployment(tx, call)?;
        let api_id = call.label("apiId");
        for stage in common::all(tx, kind::V2_STAGE, api_id)? {
            if stage.get("deploymentId").and_then(|v| v.as_str()) == Some(&d.deployment_id) {
                return Err(ApiError::bad_request(
                    "Active stages pointing to this deployment must be moved or deleted",
                ));
            }
        }
        tx.delete(kind::V2_DEPLOYMENT, api_id, &d.deployment_id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}
