//! WebSocket APIs' route responses (Create/Get/GetRouteResponses/Update/DeleteRouteResponse)
//! and integration responses (Create/Get/GetIntegrationResponses/Update/
//! DeleteIntegrationResponse). HTTP APIs have neither. A response key is unique under its
//! route or integration; deleting the route or integration deletes its responses.

use portico_core::ApiError;
use portico_model::v2::{Api, IntegrationResponse, RouteResponse};
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::Value;

use crate::common::{self, member, one_of, required};
use crate::{stages, Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateRouteResponse" => create_route_response,
        "GetRouteResponse" => get_route_response,
        "GetRouteResponses" => list_route_responses,
        "UpdateRouteResponse" => update_route_response,
        "DeleteRouteResponse" => delete_route_response,
        "CreateIntegrationResponse" => create_integration_response,
        "GetIntegrationResponse" => get_integration_response,
        "GetIntegrationResponses" => list_integration_responses,
        "UpdateIntegrationResponse" => update_integration_response,
        "DeleteIntegrationResponse" => delete_integration_response,
        _ => return None,
    })
}

/// The API (a WebSocket one) and the parent (route or integration) the path names.
fn parent(
    tx: &mut dyn Txn,
    call: &Call,
    parent_kind: &str,
    label: &str,
    what: &'static str,
) -> Result<Api, ApiError> {
    let api_id = call.label("apiId");
    let api = common::api(tx, &call.tenant, api_id)?;
    let id = call.label(label);
    if !tx.exists(parent_kind, api_id, id)? {
        return Err(common::child_not_found(&call.tenant, what, api_id, id));
    }
    if api.is_http() {
        return Err(ApiError::bad_request(format!(
            "{what} responses are supported only for WebSocket APIs"
        )));
    }
    Ok(api)
}

/// Every response document under one parent (`{parent}/` ids).
fn children(
    tx: &mut dyn Txn,
    kind: &str,
    api_id: &str,
    parent_id: &str,
) -> Result<Vec<portico_store::Doc>, ApiError> {
    let prefix = format!("{parent_id}/");
    Ok(tx
        .list(kind, api_id, 0, 1_000_000)?
        .into_iter()
        .filter(|d| d.id.starts_with(&prefix))
        .collect())
}

fn check_unique(
    tx: &mut dyn Txn,
    kind: &str,
    api_id: &str,
    parent_id: &str,
    key_member: &str,
    key: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    for d in children(tx, kind, api_id, parent_id)? {
        let same_key = d.body.get(key_member).and_then(Value::as_str) == Some(key);
        if same_key && Some(d.id.rsplit('/').next().unwrap_or("")) != except {
            return Err(ApiError::conflict(format!(
                "A response with key {key} already exists"
            )));
        }
    }
    Ok(())
}

/// Remove every response under a deleted route or integration.
pub fn delete_children(
    tx: &mut dyn Txn,
    kind: &str,
    api_id: &str,
    parent_id: &str,
) -> Result<(), ApiError> {
    for d in children(tx, kind, api_id, parent_id)? {
        tx.delete(kind, api_id, &d.id)?;
    }
    Ok(())
}

fn non_empty(member: &str, key: &str) -> Result<(), ApiError> {
    if key.is_empty() {
        return Err(ApiError::bad_request(format!("Invalid {member} specified")));
    }
    Ok(())
}

// --- route responses ----------------------------------------------------------------------------

fn create_route_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let r = common::write(cx, call, |tx| {
        let api = parent(tx, call, kind::V2_ROUTE, "routeId", "Route")?;
        let route_id = call.label("routeId").to_string();
        let r = RouteResponse {
            route_response_id: common::id(6),
            route_response_key: required(&body, "routeResponseKey")?,
            model_selection_expression: member(&body, "modelSelectionExpression")?,
            response_models: member(&body, "responseModels")?,
            response_parameters: member(&body, "responseParameters")?,
            route_id,
        };
        non_empty("routeResponseKey", &r.route_response_key)?;
        check_unique(
            tx,
            kind::V2_ROUTE_RESPONSE,
            &api.api_id,
            &r.route_id,
            "routeResponseKey",
            &r.route_response_key,
            None,
        )?;
        let id = format!("{}/{}", r.route_id, r.route_response_id);
        tx.put(kind::V2_ROUTE_RESPONSE, &api.api_id, &id, &r.to_value())?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(r)
    })?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn load_route_response(tx: &mut dyn Txn, call: &Call) -> Result<(Api, RouteResponse), ApiError> {
    let api = parent(tx, call, kind::V2_ROUTE, "routeId", "Route")?;
    let id = call.label("routeResponseId");
    let key = format!("{}/{id}", call.label("routeId"));
    match tx.get(kind::V2_ROUTE_RESPONSE, &api.api_id, &key)? {
        Some(doc) => Ok((api, RouteResponse::from_value(&doc)?)),
        None => Err(common::child_not_found(
            &call.tenant,
            "RouteResponse",
            &api.api_id,
            id,
        )),
    }
}

fn get_route_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, r) = common::read(cx, call, |tx| load_route_response(tx, call))?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn list_route_responses(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let route_id = call.label("routeId");
    let page = common::read(cx, call, |tx| {
        let api = parent(tx, call, kind::V2_ROUTE, "routeId", "Route")?;
        common::page(tx, call, kind::V2_ROUTE_RESPONSE, &api.api_id, |d| {
            (d.get("_routeId").and_then(Value::as_str) == Some(route_id)).then(|| d.clone())
        })
    })?;
    Ok(Reply::Json(page))
}

fn update_route_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let r = common::write(cx, call, |tx| {
        let (api, old) = load_route_response(tx, call)?;
        let r = common::overlay(
            &old,
            &body,
            &[
                "modelSelectionExpression",
                "responseModels",
                "responseParameters",
                "routeResponseKey",
            ],
        )?;
        non_empty("routeResponseKey", &r.route_response_key)?;
        check_unique(
            tx,
            kind::V2_ROUTE_RESPONSE,
            &api.api_id,
            &r.route_id,
            "routeResponseKey",
            &r.route_response_key,
            Some(&r.route_response_id),
        )?;
        let id = format!("{}/{}", r.route_id, r.route_response_id);
        tx.put(kind::V2_ROUTE_RESPONSE, &api.api_id, &id, &r.to_value())?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(r)
    })?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn delete_route_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, r) = load_route_response(tx, call)?;
        let id = format!("{}/{}", r.route_id, r.route_response_id);
        tx.delete(kind::V2_ROUTE_RESPONSE, &api.api_id, &id)?;
        stages::auto_deploy(tx, &api.api_id)
    })?;
    Ok(Reply::Empty)
}

// --- integration responses ----------------------------------------------------------------------

fn check_strategy(r: &IntegrationResponse) -> Result<(), ApiError> {
    if let Some(c) = &r.content_handling_strategy {
        one_of(
            "contentHandlingStrategy",
            c,
            &["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"],
        )?;
    }
    non_empty("integrationResponseKey", &r.integration_response_key)
}

fn create_integration_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let r = common::write(cx, call, |tx| {
        let api = parent(
            tx,
            call,
            kind::V2_INTEGRATION,
            "integrationId",
            "Integration",
        )?;
        let r = IntegrationResponse {
            integration_response_id: common::id(6),
            integration_response_key: required(&body, "integrationResponseKey")?,
            content_handling_strategy: member(&body, "contentHandlingStrategy")?,
            response_parameters: member(&body, "responseParameters")?,
            response_templates: member(&body, "responseTemplates")?,
            template_selection_expression: member(&body, "templateSelectionExpression")?,
            integration_id: call.label("integrationId").to_string(),
        };
        check_strategy(&r)?;
        check_unique(
            tx,
            kind::V2_INTEGRATION_RESPONSE,
            &api.api_id,
            &r.integration_id,
            "integrationResponseKey",
            &r.integration_response_key,
            None,
        )?;
        let id = format!("{}/{}", r.integration_id, r.integration_response_id);
        tx.put(
            kind::V2_INTEGRATION_RESPONSE,
            &api.api_id,
            &id,
            &r.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(r)
    })?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn load_integration_response(
    tx: &mut dyn Txn,
    call: &Call,
) -> Result<(Api, IntegrationResponse), ApiError> {
    let api = parent(
        tx,
        call,
        kind::V2_INTEGRATION,
        "integrationId",
        "Integration",
    )?;
    let id = call.label("integrationResponseId");
    let key = format!("{}/{id}", call.label("integrationId"));
    match tx.get(kind::V2_INTEGRATION_RESPONSE, &api.api_id, &key)? {
        Some(doc) => Ok((api, IntegrationResponse::from_value(&doc)?)),
        None => Err(common::child_not_found(
            &call.tenant,
            "IntegrationResponse",
            &api.api_id,
            id,
        )),
    }
}

fn get_integration_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, r) = common::read(cx, call, |tx| load_integration_response(tx, call))?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn list_integration_responses(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let integration_id = call.label("integrationId");
    let page = common::read(cx, call, |tx| {
        let api = parent(
            tx,
            call,
            kind::V2_INTEGRATION,
            "integrationId",
            "Integration",
        )?;
        common::page(tx, call, kind::V2_INTEGRATION_RESPONSE, &api.api_id, |d| {
            (d.get("_integrationId").and_then(Value::as_str) == Some(integration_id))
                .then(|| d.clone())
        })
    })?;
    Ok(Reply::Json(page))
}

fn update_integration_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let r = common::write(cx, call, |tx| {
        let (api, old) = load_integration_response(tx, call)?;
        let r = common::overlay(
            &old,
            &body,
            &[
                "contentHandlingStrategy",
                "integrationResponseKey",
                "responseParameters",
                "responseTemplates",
                "templateSelectionExpression",
            ],
        )?;
        check_strategy(&r)?;
        check_unique(
            tx,
            kind::V2_INTEGRATION_RESPONSE,
            &api.api_id,
            &r.integration_id,
            "integrationResponseKey",
            &r.integration_response_key,
            Some(&r.integration_response_id),
        )?;
        let id = format!("{}/{}", r.integration_id, r.integration_response_id);
        tx.put(
            kind::V2_INTEGRATION_RESPONSE,
            &api.api_id,
            &id,
            &r.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(r)
    })?;
    Ok(Reply::Json(common::public(r.to_value())))
}

fn delete_integration_response(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, r) = load_integration_response(tx, call)?;
        let id = format!("{}/{}", r.integration_id, r.integration_response_id);
        tx.delete(kind::V2_INTEGRATION_RESPONSE, &api.api_id, &id)?;
        stages::auto_deploy(tx, &api.api_id)
    })?;
    Ok(Reply::Empty)
}
