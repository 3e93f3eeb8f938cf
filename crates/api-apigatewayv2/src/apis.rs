//! APIs: CreateApi (with quick create: `target` and `routeKey` make an integration, a route and
//! the `$default` stage with auto-deploy, all `apiGatewayManaged`), GetApi, GetApis, UpdateApi,
//! DeleteApi (and everything inside it). DeleteCorsConfiguration too.

use portico_core::ApiError;
use portico_model::v2::{Api, Cors, Integration, Route, Stage};
use portico_model::Entity;
use portico_store::{kind, Txn};
use serde_json::{Map, Value};

use crate::common::{self, member, one_of, required};
use crate::{api_routes, integrations, stages, Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateApi" => create,
        "GetApi" => get,
        "GetApis" => list,
        "UpdateApi" => update,
        "DeleteApi" => delete,
        "DeleteCorsConfiguration" => delete_cors,
        _ => return None,
    })
}

pub const HTTP_ROUTE_SELECTION: &str = "$request.method $request.path";
const API_KEY_SELECTIONS: &[&str] = &[
    "$request.header.x-api-key",
    "$context.authorizer.usageIdentifierKey",
];

fn check_api_key_selection(expression: &str) -> Result<(), ApiError> {
    if API_KEY_SELECTIONS.contains(&expression) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid API Key Selection Expression specified: {expression}. Supported values are [{}]",
            API_KEY_SELECTIONS.join(", ")
        )))
    }
}

fn check_route_selection(protocol: &str, expression: &str) -> Result<(), ApiError> {
    if protocol == "HTTP" && expression != HTTP_ROUTE_SELECTION {
        return Err(ApiError::bad_request(format!(
            "Unsupported Route Selection Expression for HTTP APIs: {expression}. Only {HTTP_ROUTE_SELECTION} is supported"
        )));
    }
    if protocol == "WEBSOCKET" && !expression.starts_with('$') {
        return Err(ApiError::bad_request(format!(
            "Invalid Route Selection Expression specified: {expression}"
        )));
    }
    Ok(())
}

pub(crate) fn check_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.chars().count() > 128 {
        return Err(ApiError::bad_request(format!(
            "Invalid API name specified: '{name}'. It must be 1 to 128 characters"
        )));
    }
    Ok(())
}

fn check_ip_address_type(value: &str) -> Result<(), ApiError> {
    one_of("ipAddressType", value, &["ipv4", "dualstack"])
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name: String = required(&body, "name")?;
    check_name(&name)?;
    let protocol: String = required(&body, "protocolType")?;
    if protocol != "HTTP" && protocol != "WEBSOCKET" {
        // The text moto records for AWS (tests/moto_apigatewayv2); it names no value.
        return Err(ApiError::bad_request(
            "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]",
        ));
    }
    let http = protocol == "HTTP";
    let route_selection = match member::<String>(&body, "routeSelectionExpression")? {
        Some(e) => e,
        None if http => HTTP_ROUTE_SELECTION.to_string(),
        None => {
            return Err(ApiError::bad_request(
                "RouteSelectionExpression is required for WEBSOCKET protocol",
            ))
        }
    };
    check_route_selection(&protocol, &route_selection)?;
    let api_key_selection = member::<String>(&body, "apiKeySelectionExpression")?
        .unwrap_or_else(|| API_KEY_SELECTIONS[0].to_string());
    check_api_key_selection(&api_key_selection)?;
    let cors: Option<Cors> = member(&body, "corsConfiguration")?;
    if cors.is_some() && !http {
        return Err(ApiError::bad_request(
            "CORS configuration is supported only for HTTP APIs",
        ));
    }
    let ip_address_type = member::<String>(&body, "ipAddressType")?.unwrap_or("ipv4".into());
    check_ip_address_type(&ip_address_type)?;
    let target: Option<String> = member(&body, "target")?;
    let route_key: Option<String> = member(&body, "routeKey")?;
    let credentials: Option<String> = member(&body, "credentialsArn")?;
    if !http && (target.is_some() || route_key.is_some() || credentials.is_some()) {
        return Err(ApiError::bad_request(
            "Quick create (target, routeKey, credentialsArn) is supported only for HTTP APIs",
        ));
    }
    if target.is_none() && (route_key.is_some() || credentials.is_some()) {
        return Err(ApiError::bad_request(
            "routeKey and credentialsArn can be specified only with a target (quick create)",
        ));
    }
    let route_key = route_key.unwrap_or_else(|| "$default".to_string());
    if target.is_some() {
        api_routes::check_key(true, &route_key)?;
    }
    let api_id = common::id(10);
    let scheme = if http { "https" } else { "wss" };
    let api = Api {
        api_endpoint: format!(
            "{scheme}://{api_id}.execute-api.{}.amazonaws.com",
            call.tenant.region()
        ),
        api_id: api_id.clone(),
        name,
        protocol_type: protocol,
        api_key_selection_expression: api_key_selection,
        cors_configuration: cors,
        created_date: common::now(),
        description: member(&body, "description")?,
        disable_execute_api_endpoint: member(&body, "disableExecuteApiEndpoint")?.unwrap_or(false),
        disable_schema_validation: member(&body, "disableSchemaValidation")?,
        ip_address_type: Some(ip_address_type),
        route_selection_expression: route_selection,
        tags: member(&body, "tags")?.unwrap_or_default(),
        version: member(&body, "version")?,
    };
    common::write(cx, call, |tx| {
        tx.put(kind::V2_API, "", &api_id, &api.to_value())?;
        if let Some(target) = &target {
            quick_create(tx, call, &api, target, &route_key, credentials)?;
        }
        Ok(())
    })?;
    Ok(Reply::Json(api.to_value()))
}

/// What quick create makes: an integration for the target (a Lambda function: AWS_PROXY with
/// payload 2.0; a URL: HTTP_PROXY ANY), a route to it, and the `$default` stage with
/// auto-deploy, deployed.
fn quick_create(
    tx: &mut dyn Txn,
    call: &Call,
    api: &Api,
    target: &str,
    route_key: &str,
    credentials: Option<String>,
) -> Result<(), ApiError> {
    let mut integration = integrations::for_target(target)?;
    integration.credentials_arn = credentials;
    tx.put(
        kind::V2_INTEGRATION,
        &api.api_id,
        &integration.integration_id,
        &integration.to_value(),
    )?;
    let route = Route {
        route_id: common::id(7),
        route_key: route_key.to_string(),
        api_gateway_managed: Some(true),
        api_key_required: false,
        authorization_scopes: Vec::new(),
        authorization_type: "NONE".into(),
        authorizer_id: None,
        model_selection_expression: None,
        operation_name: None,
        request_models: None,
        request_parameters: None,
        route_response_selection_expression: None,
        target: Some(format!("integrations/{}", integration.integration_id)),
    };
    tx.put(
        kind::V2_ROUTE,
        &api.api_id,
        &route.route_id,
        &route.to_value(),
    )?;
    let now = common::now();
    let stage = Stage {
        stage_name: "$default".into(),
        access_log_settings: None,
        api_gateway_managed: Some(true),
        auto_deploy: true,
        client_certificate_id: None,
        created_date: now.clone(),
        default_route_settings: Default::default(),
        deployment_id: None,
        description: None,
        last_deployment_status_message: None,
        last_updated_date: now,
        route_settings: Default::default(),
        stage_variables: Default::default(),
        tags: Default::default(),
    };
    tx.put(kind::V2_STAGE, &api.api_id, "$default", &stage.to_value())?;
    let _ = call;
    stages::auto_deploy(tx, &api.api_id)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, call.label("apiId"))
    })?;
    Ok(Reply::Json(api.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let page = common::read(cx, call, |tx| {
        common::page(tx, call, kind::V2_API, "", |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

const UPDATABLE: &[&str] = &[
    "apiKeySelectionExpression",
    "corsConfiguration",
    "description",
    "disableSchemaValidation",
    "disableExecuteApiEndpoint",
    "ipAddressType",
    "name",
    "routeSelectionExpression",
    "version",
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let api = common::write(cx, call, |tx| {
        let old = common::api(tx, &call.tenant, api_id)?;
        let api = common::overlay(&old, &body, UPDATABLE)?;
        check_name(&api.name)?;
        check_api_key_selection(&api.api_key_selection_expression)?;
        check_route_selection(&api.protocol_type, &api.route_selection_expression)?;
        if let Some(t) = &api.ip_address_type {
            check_ip_address_type(t)?;
        }
        if api.cors_configuration.is_some() && !api.is_http() {
            return Err(ApiError::bad_request(
                "CORS configuration is supported only for HTTP APIs",
            ));
        }
        let quick = update_quick(tx, &api, &body)?;
        tx.put(kind::V2_API, "", api_id, &api.to_value())?;
        if quick {
            stages::auto_deploy(tx, api_id)?;
        }
        Ok(api)
    })?;
    Ok(Reply::Json(api.to_value()))
}

/// UpdateApi's `target`, `routeKey` and `credentialsArn` edit what quick create made.
fn update_quick(tx: &mut dyn Txn, api: &Api, body: &Map<String, Value>) -> Result<bool, ApiError> {
    let target: Option<String> = member(body, "target")?;
    let route_key: Option<String> = member(body, "routeKey")?;
    let credentials: Option<String> = member(body, "credentialsArn")?;
    if target.is_none() && route_key.is_none() && credentials.is_none() {
        return Ok(false);
    }
    let managed = |v: &Value| v.get("apiGatewayManaged") == Some(&Value::Bool(true));
    let route = common::all(tx, kind::V2_ROUTE, &api.api_id)?
        .into_iter()
        .find(managed);
    let integration = common::all(tx, kind::V2_INTEGRATION, &api.api_id)?
        .into_iter()
        .find(managed);
    let (Some(route), Some(integration)) = (route, integration) else {
        return Err(ApiError::bad_request(
            "target, routeKey and credentialsArn can be updated only on an API made by quick create",
        ));
    };
    let mut route = Route::from_value(&route)?;
    let mut integration = Integration::from_value(&integration)?;
    if let Some(key) = route_key {
        api_routes::check_key(true, &key)?;
        api_routes::check_unique(tx, &api.api_id, &key, Some(&route.route_id))?;
        route.route_key = key;
    }
    if let Some(target) = target {
        let fresh = integrations::for_target(&target)?;
        integration.integration_type = fresh.integration_type;
        integration.integration_method = fresh.integration_method;
        integration.integration_uri = fresh.integration_uri;
        integration.payload_format_version = fresh.payload_format_version;
    }
    if let Some(c) = credentials {
        integration.credentials_arn = Some(c);
    }
    tx.put(
        kind::V2_ROUTE,
        &api.api_id,
        &route.route_id,
        &route.to_value(),
    )?;
    tx.put(
        kind::V2_INTEGRATION,
        &api.api_id,
        &integration.integration_id,
        &integration.to_value(),
    )?;
    Ok(true)
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    common::write(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        if crate::api_mappings::mapped(tx, api_id)? {
            // AWS's answer (as cloud-nuke's issue #370 quotes it).
            return Err(ApiError::bad_request(format!(
                "Deleting API {api_id} failed. Please remove all API mappings for the API from your custom domain names."
            )));
        }
        tx.delete(kind::V2_API, "", api_id)?;
        tx.delete_scope(api_id)?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn delete_cors(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    common::write(cx, call, |tx| {
        let mut api = common::api(tx, &call.tenant, api_id)?;
        api.cors_configuration = None;
        tx.put(kind::V2_API, "", api_id, &api.to_value())?;
        Ok(())
    })?;
    Ok(Reply::Empty)
}
