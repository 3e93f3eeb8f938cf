//! Routes: CreateRoute, GetRoute, GetRoutes, UpdateRoute, DeleteRoute,
//! DeleteRouteRequestParameter. A route key is `$default` or `METHOD /path` (HTTP APIs);
//! `$connect`, `$disconnect`, `$default` or a custom key (WebSocket APIs); unique in its API.

use portico_core::ApiError;
use portico_model::v2::{Api, Route};
use portico_model::Entity;
use portico_store::{kind, Txn};

use crate::common::{self, member, one_of, required};
use crate::{stages, Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateRoute" => create,
        "GetRoute" => get,
        "GetRoutes" => list,
        "UpdateRoute" => update,
        "DeleteRoute" => delete,
        "DeleteRouteRequestParameter" => delete_parameter,
        _ => return None,
    })
}

const METHODS: &[&str] = &[
    "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
];

/// Is `key` a route key of an HTTP (`http`) or WebSocket API?
pub fn check_key(http: bool, key: &str) -> Result<(), ApiError> {
    let bad = || {
        ApiError::bad_request(if http {
            format!("Invalid route key specified: {key}. A route key of an HTTP API is '$default' or of the form 'METHOD /path', with METHOD one of [{}]", METHODS.join(", "))
        } else {
            format!("Invalid route key specified: {key}. A route key of a WebSocket API is $connect, $disconnect, $default or a custom key that does not start with '$'")
        })
    };
    if key == "$default" {
        return Ok(());
    }
    if !http {
        return if key == "$connect"
            || key == "$disconnect"
            || (!key.is_empty() && !key.starts_with('$'))
        {
            Ok(())
        } else {
            Err(bad())
        };
    }
    let Some((method, path)) = key.split_once(' ') else {
        return Err(bad());
    };
    if !METHODS.contains(&method) || !path.starts_with('/') || path.contains(' ') {
        return Err(bad());
    }
    let segments: Vec<&str> = path[1..].split('/').collect();
    for (i, s) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if s.is_empty() && !(last && path == "/") {
            return Err(bad());
        }
        if s.contains('{') || s.contains('}') {
            let inner = s.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
            match inner {
                Some(name) if !name.is_empty() && !name.contains(['{', '}']) => {
                    if let Some(base) = name.strip_suffix('+') {
                        if !last || base.is_empty() {
                            return Err(bad());
                        }
                    }
                }
                _ => return Err(bad()),
            }
        }
    }
    Ok(())
}

/// A route key may name one route of an API (`except`: the route being updated).
pub fn check_unique(
    tx: &mut dyn Txn,
    api_id: &str,
    key: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    for doc in common::all(tx, kind::V2_ROUTE, api_id)? {
        let same_key = doc.get("routeKey").and_then(|k| k.as_str()) == Some(key);
        let same_route = doc.get("routeId").and_then(|k| k.as_str()) == except;
        if same_key && !same_route {
            return Err(ApiError::conflict(format!(
                "Route with key {key} already exists for this API"
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_route(tx: &mut dyn Txn, api: &Api, route: &Route) -> Result<(), ApiError> {
    check_key(api.is_http(), &route.route_key)?;
    let types: &[&str] = if api.is_http() {
        &["NONE", "AWS_IAM", "CUSTOM", "JWT"]
    } else {
        &["NONE", "AWS_IAM", "CUSTOM"]
    };
    one_of("authorizationType", &route.authorization_type, types)?;
    match (route.authorization_type.as_str(), &route.authorizer_id) {
        ("JWT" | "CUSTOM", None) => {
            return Err(ApiError::bad_request(format!(
                "An authorizerId is required for authorization type {}",
                route.authorization_type
            )))
        }
        (t, Some(id)) => crate::authorizers::check_route_authorizer(tx, &api.api_id, t, id)?,
        _ => {}
    }
    if !route.authorization_scopes.is_empty() && route.authorization_type != "JWT" {
        return Err(ApiError::bad_request(
            "Authorization scopes are supported only for JWT authorizers",
        ));
    }
    if let Some(target) = &route.target {
        let exists = match route.integration_id() {
            Some(id) => tx.exists(kind::V2_INTEGRATION, &api.api_id, id)?,
            None => false,
        };
        if !exists {
            return Err(ApiError::bad_request(format!(
                "Invalid target specified: {target}. A target is of the form integrations/{{integrationId}} naming an integration of this API"
            )));
        }
    }
    if api.is_http() && route.route_response_selection_expression.is_some() {
        return Err(ApiError::bad_request(
            "RouteResponseSelectionExpression is supported only for WebSocket APIs",
        ));
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let route = common::write(cx, call, |tx| {
        let api = common::api(tx, &call.tenant, api_id)?;
        let route = Route {
            route_id: common::id(7),
            route_key: required(&body, "routeKey")?,
            api_gateway_managed: None,
            api_key_required: member(&body, "apiKeyRequired")?.unwrap_or(false),
            authorization_scopes: member(&body, "authorizationScopes")?.unwrap_or_default(),
            authorization_type: member(&body, "authorizationType")?.unwrap_or("NONE".into()),
            authorizer_id: member(&body, "authorizerId")?,
            model_selection_expression: member(&body, "modelSelectionExpression")?,
            operation_name: member(&body, "operationName")?,
            request_models: member(&body, "requestModels")?,
            request_parameters: member(&body, "requestParameters")?,
            route_response_selection_expression: member(&body, "routeResponseSelectionExpression")?,
            target: member(&body, "target")?,
        };
        check_route(tx, &api, &route)?;
        check_unique(tx, api_id, &route.route_key, None)?;
        tx.put(kind::V2_ROUTE, api_id, &route.route_id, &route.to_value())?;
        stages::auto_deploy(tx, api_id)?;
        Ok(route)
    })?;
    Ok(Reply::Json(route.to_value()))
}

fn load(tx: &mut dyn Txn, call: &Call) -> Result<(Api, Route), ApiError> {
    let api_id = call.label("apiId");
    let api = common::api(tx, &call.tenant, api_id)?;
    let route_id = call.label("routeId");
    match tx.get(kind::V2_ROUTE, api_id, route_id)? {
        Some(doc) => Ok((api, Route::from_value(&doc)?)),
        None => Err(common::child_not_found(
            &call.tenant,
            "Route",
            api_id,
            route_id,
        )),
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, route) = common::read(cx, call, |tx| load(tx, call))?;
    Ok(Reply::Json(route.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_ROUTE, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

const UPDATABLE: &[&str] = &[
    "apiKeyRequired",
    "authorizationScopes",
    "authorizationType",
    "authorizerId",
    "modelSelectionExpression",
    "operationName",
    "requestModels",
    "requestParameters",
    "routeKey",
    "routeResponseSelectionExpression",
    "target",
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let route = common::write(cx, call, |tx| {
        let (api, old) = load(tx, call)?;
        let route = common::overlay(&old, &body, UPDATABLE)?;
        if old.api_gateway_managed == Some(true) && route.route_key != old.route_key {
            return Err(ApiError::bad_request(
                "Cannot update the route key of a route managed by API Gateway; use UpdateApi's RouteKey",
            ));
        }
        check_route(tx, &api, &route)?;
        check_unique(tx, &api.api_id, &route.route_key, Some(&route.route_id))?;
        tx.put(
            kind::V2_ROUTE,
            &api.api_id,
            &route.route_id,
            &route.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(route)
    })?;
    Ok(Reply::Json(route.to_value()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, route) = load(tx, call)?;
        tx.delete(kind::V2_ROUTE, &api.api_id, &route.route_id)?;
        crate::responses::delete_children(
            tx,
            kind::V2_ROUTE_RESPONSE,
            &api.api_id,
            &route.route_id,
        )?;
        stages::auto_deploy(tx, &api.api_id)
    })?;
    Ok(Reply::Empty)
}

fn delete_parameter(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let key = call.label("requestParameterKey");
    common::write(cx, call, |tx| {
        let (api, mut route) = load(tx, call)?;
        let removed = route
            .request_parameters
            .as_mut()
            .and_then(|p| p.shift_remove(key));
        if removed.is_none() {
            return Err(ApiError::not_found(format!(
                "Invalid request parameter key specified: {key}"
            ))
            .with_resource_type("RouteRequestParameter"));
        }
        tx.put(
            kind::V2_ROUTE,
            &api.api_id,
            &route.route_id,
            &route.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::check_key;

    #[test]
    fn http_route_keys() {
        for ok in [
            "$default",
            "GET /",
            "GET /pets",
            "ANY /pets/{id}",
            "POST /a/{proxy+}",
        ] {
            assert!(check_key(true, ok).is_ok(), "{ok}");
        }
        for bad in [
            "GET",
            "GET pets",
            "FETCH /x",
            "GET /a//b",
            "GET /{proxy+}/x",
            "GET /{",
            "$connect",
            "get /x",
        ] {
            assert!(check_key(true, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn websocket_route_keys() {
        for ok in ["$connect", "$disconnect", "$default", "sendMessage"] {
            assert!(check_key(false, ok).is_ok(), "{ok}");
        }
        for bad in ["", "$other"] {
            assert!(check_key(false, bad).is_err(), "{bad}");
        }
    }
}
