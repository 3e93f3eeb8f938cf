//! Integrations: CreateIntegration, GetIntegration, GetIntegrations (`MaxResults`/`NextToken`),
//! UpdateIntegration, DeleteIntegration. HTTP APIs take `AWS_PROXY` (payload format `1.0` by
//! default, or `2.0`) and `HTTP_PROXY`; WebSocket APIs also `AWS`, `HTTP` and `MOCK`.
//! Timeouts: 50–30000 ms (default 30000) for HTTP APIs, 50–29000 ms (default 29000) for
//! WebSocket APIs.

use portico_core::ApiError;
use portico_model::v2::{Api, Integration};
use portico_model::{Entity, IndexMap};
use portico_store::{kind, Txn};

use crate::common::{self, member, one_of, required};
use crate::{stages, Call, Ctx, Handler, Reply};

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateIntegration" => create,
        "GetIntegration" => get,
        "GetIntegrations" => list,
        "UpdateIntegration" => update,
        "DeleteIntegration" => delete,
        _ => return None,
    })
}

const METHODS: &[&str] = &[
    "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
];

/// What quick create's `target` becomes: a Lambda function → `AWS_PROXY` (POST, payload 2.0);
/// an HTTP URL → `HTTP_PROXY` (ANY, payload 1.0).
pub fn for_target(target: &str) -> Result<Integration, ApiError> {
    let lambda = target.starts_with("arn:") && target.contains(":lambda:");
    let url = target.starts_with("http://") || target.starts_with("https://");
    if !lambda && !url {
        return Err(ApiError::bad_request(format!(
            "Invalid target specified: {target}. A target is a Lambda function ARN or an HTTP URL"
        )));
    }
    let (kind, method, version) = if lambda {
        ("AWS_PROXY", "POST", "2.0")
    } else {
        ("HTTP_PROXY", "ANY", "1.0")
    };
    Ok(Integration {
        integration_id: common::id(7),
        integration_type: kind.into(),
        api_gateway_managed: Some(true),
        connection_id: None,
        connection_type: "INTERNET".into(),
        content_handling_strategy: None,
        credentials_arn: None,
        description: None,
        integration_method: Some(method.into()),
        integration_response_selection_expression: None,
        integration_subtype: None,
        integration_uri: Some(target.into()),
        passthrough_behavior: None,
        payload_format_version: version.into(),
        request_parameters: None,
        request_templates: None,
        response_parameters: None,
        template_selection_expression: None,
        timeout_in_millis: 30_000,
        tls_config: None,
    })
}

/// AWS's rules for an integration of `api`.
pub(crate) fn check(api: &Api, i: &Integration) -> Result<(), ApiError> {
    let http = api.is_http();
    let types: &[&str] = if http {
        &["AWS_PROXY", "HTTP_PROXY"]
    } else {
        &["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"]
    };
    one_of("integrationType", &i.integration_type, types)?;
    one_of(
        "connectionType",
        &i.connection_type,
        &["INTERNET", "VPC_LINK"],
    )?;
    if i.connection_type == "VPC_LINK" && i.connection_id.is_none() {
        return Err(ApiError::bad_request(
            "ConnectionId is required for connection type VPC_LINK",
        ));
    }
    if let Some(m) = &i.integration_method {
        one_of("integrationMethod", m, METHODS)?;
    }
    let t = i.integration_type.as_str();
    if let Some(sub) = &i.integration_subtype {
        check_subtype(http, i, sub)?;
    }
    if i.integration_uri.is_none() && t != "MOCK" && i.integration_subtype.is_none() {
        return Err(ApiError::bad_request(format!(
            "IntegrationUri is required for integration type {t}"
        )));
    }
    if http && t == "HTTP_PROXY" && i.integration_method.is_none() {
        return Err(ApiError::bad_request(
            "IntegrationMethod is required for integration type HTTP_PROXY",
        ));
    }
    let versions: &[&str] = if t == "AWS_PROXY" && http {
        &["1.0", "2.0"]
    } else {
        &["1.0"]
    };
    if !versions.contains(&i.payload_format_version.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Invalid payloadFormatVersion specified: {}. Supported values for integration type {t} are [{}]",
            i.payload_format_version,
            versions.join(", ")
        )));
    }
    let max = if http { 30_000 } else { 29_000 };
    if !(50..=max).contains(&i.timeout_in_millis) {
        return Err(ApiError::bad_request(format!(
            "Invalid timeoutInMillis specified: {}. It must be between 50 and {max}",
            i.timeout_in_millis
        )));
    }
    if let Some(p) = &i.passthrough_behavior {
        one_of(
            "passthroughBehavior",
            p,
            &["WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES"],
        )?;
    }
    if let Some(c) = &i.content_handling_strategy {
        one_of(
            "contentHandlingStrategy",
            c,
            &["CONVERT_TO_BINARY", "CONVERT_TO_TEXT"],
        )?;
    }
    if http && (i.request_templates.is_some() || i.template_selection_expression.is_some()) {
        return Err(ApiError::bad_request(
            "Request templates are supported only for WebSocket APIs",
        ));
    }
    Ok(())
}

/// An AWS service integration (http-api-develop-integrations-aws-services.html): an HTTP
/// API's `AWS_PROXY` with payload format 1.0 and request parameters named as the subtype's
/// reference lists them, its required ones present. `credentialsArn` stays optional, as the
/// model documents it ("if any"; null for resource-based permissions).
/// Decision (AWS's texts for these are not on record): the texts below; the parameter errors
/// take the shape AWS gives its parameter validation ("Validation Result: warnings : [],
/// errors : [...]", quoted in terraform-provider-aws#17348).
fn check_subtype(http: bool, i: &Integration, sub: &str) -> Result<(), ApiError> {
    use portico_model::integration_subtype::{find, SUBTYPES};
    if !http || i.integration_type != "AWS_PROXY" {
        return Err(ApiError::bad_request(
            "IntegrationSubtype is supported only for AWS_PROXY integrations of HTTP APIs",
        ));
    }
    let Some(s) = find(sub) else {
        let names: Vec<&str> = SUBTYPES.iter().map(|s| s.name).collect();
        return Err(ApiError::bad_request(format!(
            "Invalid integrationSubtype specified: {sub}. Valid values are [{}]",
            names.join(", ")
        )));
    };
    if i.payload_format_version != "1.0" {
        return Err(ApiError::bad_request(format!(
            "Invalid payloadFormatVersion specified: {}. Supported values for integration subtype {sub} are [1.0]",
            i.payload_format_version
        )));
    }
    let params = i.request_parameters.clone().unwrap_or_default();
    let mut errors: Vec<String> = params
        .keys()
        .filter(|k| !s.takes(k))
        .map(|k| format!("Parameter {k} is not supported for integration subtype {sub}"))
        .collect();
    errors.extend(
        s.required
            .iter()
            .filter(|r| !params.contains_key(**r))
            .map(|r| format!("Parameter {r} is required for integration subtype {sub}")),
    );
    if !errors.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Invalid request parameters specified: Validation Result: warnings : [], errors : [{}]",
            errors.join(", ")
        )));
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let api_id = call.label("apiId");
    let integration = common::write(cx, call, |tx| {
        let api = common::api(tx, &call.tenant, api_id)?;
        let http = api.is_http();
        let integration_type: String = required(&body, "integrationType")?;
        // WebSocket APIs' non-proxy integrations map their responses.
        let non_proxy = !http && matches!(integration_type.as_str(), "AWS" | "HTTP" | "MOCK");
        let passthrough = member(&body, "passthroughBehavior")?
            .or_else(|| non_proxy.then(|| "WHEN_NO_MATCH".to_string()));
        let i = Integration {
            integration_id: common::id(7),
            integration_type,
            api_gateway_managed: None,
            connection_id: member(&body, "connectionId")?,
            connection_type: member(&body, "connectionType")?.unwrap_or("INTERNET".into()),
            content_handling_strategy: member(&body, "contentHandlingStrategy")?,
            credentials_arn: member(&body, "credentialsArn")?,
            description: member(&body, "description")?,
            integration_method: member(&body, "integrationMethod")?,
            integration_response_selection_expression: non_proxy
                .then(|| "${integration.response.statuscode}".to_string()),
            integration_subtype: member(&body, "integrationSubtype")?,
            integration_uri: member(&body, "integrationUri")?,
            passthrough_behavior: passthrough,
            payload_format_version: member(&body, "payloadFormatVersion")?.unwrap_or("1.0".into()),
            request_parameters: member::<IndexMap<String, String>>(&body, "requestParameters")?
                .map(|p| p.into_iter().filter(|(_, v)| !v.is_empty()).collect()),
            request_templates: member(&body, "requestTemplates")?,
            response_parameters: member(&body, "responseParameters")?,
            template_selection_expression: member(&body, "templateSelectionExpression")?,
            timeout_in_millis: member(&body, "timeoutInMillis")?.unwrap_or(if http {
                30_000
            } else {
                29_000
            }),
            tls_config: member(&body, "tlsConfig")?,
        };
        check(&api, &i)?;
        tx.put(
            kind::V2_INTEGRATION,
            api_id,
            &i.integration_id,
            &i.to_value(),
        )?;
        stages::auto_deploy(tx, api_id)?;
        Ok(i)
    })?;
    Ok(Reply::Json(integration.to_value()))
}

fn load(tx: &mut dyn Txn, call: &Call) -> Result<(Api, Integration), ApiError> {
    let api_id = call.label("apiId");
    let api = common::api(tx, &call.tenant, api_id)?;
    let id = call.label("integrationId");
    match tx.get(kind::V2_INTEGRATION, api_id, id)? {
        Some(doc) => Ok((api, Integration::from_value(&doc)?)),
        None => Err(common::child_not_found(
            &call.tenant,
            "Integration",
            api_id,
            id,
        )),
    }
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (_, i) = common::read(cx, call, |tx| load(tx, call))?;
    Ok(Reply::Json(i.to_value()))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    let page = common::read(cx, call, |tx| {
        common::api(tx, &call.tenant, api_id)?;
        common::page(tx, call, kind::V2_INTEGRATION, api_id, |d| Some(d.clone()))
    })?;
    Ok(Reply::Json(page))
}

const UPDATABLE: &[&str] = &[
    "connectionId",
    "connectionType",
    "contentHandlingStrategy",
    "credentialsArn",
    "description",
    "integrationMethod",
    "integrationSubtype",
    "integrationType",
    "integrationUri",
    "passthroughBehavior",
    "payloadFormatVersion",
    "requestParameters",
    "requestTemplates",
    "responseParameters",
    "templateSelectionExpression",
    "timeoutInMillis",
    "tlsConfig",
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let i = common::write(cx, call, |tx| {
        let (api, old) = load(tx, call)?;
        let mut i = common::overlay(&old, &body, UPDATABLE)?;
        // An update's request parameters are merged into the stored ones; an empty value
        // removes its parameter.
        if let Some(update) = member::<IndexMap<String, String>>(&body, "requestParameters")? {
            let mut merged = old.request_parameters.clone().unwrap_or_default();
            for (k, v) in update {
                if v.is_empty() {
                    merged.shift_remove(&k);
                } else {
                    merged.insert(k, v);
                }
            }
            i.request_parameters = (!merged.is_empty()).then_some(merged);
        }
        check(&api, &i)?;
        tx.put(
            kind::V2_INTEGRATION,
            &api.api_id,
            &i.integration_id,
            &i.to_value(),
        )?;
        stages::auto_deploy(tx, &api.api_id)?;
        Ok(i)
    })?;
    Ok(Reply::Json(i.to_value()))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    common::write(cx, call, |tx| {
        let (api, i) = load(tx, call)?;
        if i.api_gateway_managed == Some(true) {
            return Err(ApiError::bad_request(
                "Cannot delete an integration managed by API Gateway (made by quick create); delete the API or update the integration",
            ));
        }
        let target = format!("integrations/{}", i.integration_id);
        for route in common::all(tx, kind::V2_ROUTE, &api.api_id)? {
            if route.get("target").and_then(|t| t.as_str()) == Some(target.as_str()) {
                return Err(ApiError::conflict(format!(
                    "Integration {} is the target of route {}; update or delete the route first",
                    i.integration_id,
                    route.get("routeKey").and_then(|k| k.as_str()).unwrap_or("")
                )));
            }
        }
        tx.delete(kind::V2_INTEGRATION, &api.api_id, &i.integration_id)?;
        crate::responses::delete_children(
            tx,
            kind::V2_INTEGRATION_RESPONSE,
            &api.api_id,
            &i.integration_id,
        )?;
        stages::auto_deploy(tx, &api.api_id)
    })?;
    Ok(Reply::Empty)
}
