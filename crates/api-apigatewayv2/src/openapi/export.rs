//! ExportApi (`GET /v2/apis/{apiId}/exports/{specification}`): the API as the OpenAPI 3.0
//! document AWS writes (its exports on record: `info.version` from the API's version, else its
//! creation time as `2024-02-02 14:22:44UTC`; `servers` with a `{basePath}` variable holding
//! the stage's name when `stageName` is given; operations answering
//! `Default response for GET /pets`; integrations with lower-case `type`; JWT authorizers as
//! `oauth2` schemes with empty `flows`).
//!
//! Decision: an integration several routes share is written once in
//! `components.x-amazon-apigateway-integrations` and referenced by `$ref` (AWS's documented
//! way to reuse one), so the export re-imports to the same API.
//!
//! With `stageName`, routes and integrations are those the stage's deployment froze; without
//! it, the API's latest configuration. `includeExtensions=false` leaves out every
//! `x-amazon-apigateway-*` member.

use portico_core::ApiError;
use portico_model::v2::{Api, Authorizer, Deployment, Integration, Model, Route, Stage};
use portico_model::Entity;
use portico_openapi::template::parse_ref;
use portico_store::kind;
use serde_json::{json, Map, Value};

use super::{DEFAULT_PATH, INTEGRATIONS_PREFIX, OPERATIONS, SCHEMAS_PREFIX};
use crate::common::{self, one_of};
use crate::{Call, Ctx, Reply};

struct Parts {
    api: Api,
    stage: Option<String>,
    routes: Vec<Route>,
    integrations: Vec<Integration>,
    authorizers: Vec<Authorizer>,
    models: Vec<Model>,
}

pub fn export_api(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    one_of("specification", call.label("specification"), &["OAS30"])?;
    let yaml = match call.query("outputType") {
        Some("YAML") => true,
        Some("JSON") => false,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "Invalid outputType specified: {other}. Valid values are [YAML, JSON]"
            )))
        }
        None => return Err(ApiError::bad_request("outputType is required")),
    };
    if let Some(v) = call.query("exportVersion").filter(|v| !v.is_empty()) {
        one_of("exportVersion", v, &["1.0"])?;
    }
    let extensions = call.query_bool("includeExtensions")?.unwrap_or(true);
    let stage = call.query("stageName").filter(|s| !s.is_empty());
    let parts = common::read(cx, call, |tx| {
        let api = common::api(tx, &call.tenant, api_id)?;
        if !api.is_http() {
            return Err(ApiError::bad_request(
                "ExportApi is supported only for HTTP APIs",
            ));
        }
        let (routes, integrations) = match stage {
            Some(name) => {
                let s = tx
                    .get(kind::V2_STAGE, api_id, name)?
                    .ok_or_else(common::stage_not_found)?;
                let s = Stage::from_value(&s)?;
                let d = match &s.deployment_id {
                    Some(id) => tx.get(kind::V2_DEPLOYMENT, api_id, id)?,
                    None => None,
                };
                match d {
                    Some(d) => {
                        let d = Deployment::from_value(&d)?;
                        (d.routes, d.integrations)
                    }
                    // Decision: a stage never deployed exports nothing but the API itself.
                    None => (Vec::new(), Vec::new()),
                }
            }
            None => (
                common::all(tx, kind::V2_ROUTE, api_id)?,
                common::all(tx, kind::V2_INTEGRATION, api_id)?,
            ),
        };
        Ok(Parts {
            routes: routes
                .iter()
                .map(Route::from_value)
                .collect::<Result<_, _>>()?,
            integrations: integrations
                .iter()
                .map(Integration::from_value)
                .collect::<Result<_, _>>()?,
            authorizers: common::all(tx, kind::V2_AUTHORIZER, api_id)?
                .iter()
                .map(Authorizer::from_value)
                .collect::<Result<_, _>>()?,
            models: common::all(tx, kind::V2_MODEL, api_id)?
                .iter()
                .map(Model::from_value)
                .collect::<Result<_, _>>()?,
            api,
            stage: stage.map(str::to_string),
        })
    })?;
    let mut doc = document(&parts);
    if !extensions {
        strip_extensions(&mut doc);
    }
    let body = if yaml {
        portico_openapi::to_yaml(&doc)?
    } else {
        portico_openapi::to_json(&doc)?
    };
    // Decision: AWS's model binds no header to the export; the media type says which it is.
    Ok(Reply::Raw {
        content_type: if yaml {
            "application/yaml"
        } else {
            "application/json"
        }
        .into(),
        content_disposition: None,
        body: body.into(),
    })
}

/// `2026-12-07T18:00:00Z` → `2026-12-07 18:00:00UTC`, AWS's `info.version` for an API without
/// a version.
fn version_of(created: &str) -> String {
    format!("{}UTC", created.trim_end_matches('Z').replacen('T', " ", 1))
}

fn document(p: &Parts) -> Value {
    let api = &p.api;
    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.0.1"));
    let mut info = Map::new();
    info.insert("title".into(), json!(api.name));
    if let Some(d) = &api.description {
        info.insert("description".into(), json!(d));
    }
    info.insert(
        "version".into(),
        json!(api
            .version
            .clone()
            .unwrap_or_else(|| version_of(&api.created_date))),
    );
    doc.insert("info".into(), Value::Object(info));
    if let Some(stage) = &p.stage {
        let base = if stage == "$default" { "" } else { stage };
        doc.insert(
            "servers".into(),
            json!([{
                "url": format!("{}/{{basePath}}", api.api_endpoint),
                "variables": {"basePath": {"default": base}},
            }]),
        );
    }
    if !api.tags.is_empty() {
        let tags: Vec<Value> = api
            .tags
            .iter()
            .map(|(k, v)| json!({"name": k, "x-amazon-apigateway-tag-value": v}))
            .collect();
        doc.insert("tags".into(), Value::Array(tags));
    }
    doc.insert("paths".into(), Value::Object(paths(p)));
    let mut components = Map::new();
    let schemes = security_schemes(p);
    if !schemes.is_empty() {
        components.insert("securitySchemes".into(), Value::Object(schemes));
    }
    let schemas = schemas(p);
    if !schemas.is_empty() {
        components.insert("schemas".into(), Value::Object(schemas));
    }
    let reused: Map<String, Value> = p
        .integrations
        .iter()
        .filter(|i| shared(p, &i.integration_id))
        .map(|i| {
            (
                i.integration_id.clone(),
                Value::Object(integration_extension(i)),
            )
        })
        .collect();
    if !reused.is_empty() {
        components.insert(
            "x-amazon-apigateway-integrations".into(),
            Value::Object(reused),
        );
    }
    if !components.is_empty() {
        doc.insert("components".into(), Value::Object(components));
    }
    if let Some(c) = &api.cors_configuration {
        doc.insert("x-amazon-apigateway-cors".into(), json!(c));
    }
    if api.disable_execute_api_endpoint {
        doc.insert(
            "x-amazon-apigateway-endpoint-configuration".into(),
            json!({"disableExecuteApiEndpoint": true}),
        );
    }
    doc.insert(
        "x-amazon-apigateway-importexport-version".into(),
        json!("1.0"),
    );
    Value::Object(doc)
}

fn paths(p: &Parts) -> Map<String, Value> {
    let mut paths = Map::new();
    for r in &p.routes {
        let (method, path) = match r.route_key.split_once(' ') {
            _ if r.route_key == "$default" => ("ANY", DEFAULT_PATH),
            Some((m, path)) => (m, path),
            None => continue,
        };
        let Some((key, _)) = OPERATIONS.iter().find(|(_, m)| *m == method) else {
            continue;
        };
        let mut op = Map::new();
        if r.route_key == "$default" {
            op.insert("isDefaultRoute".into(), json!(true));
        }
        if let Some(name) = &r.operation_name {
            op.insert("operationId".into(), json!(name));
        }
        op.insert(
            "responses".into(),
            json!({"default": {"description": format!("Default response for {}", r.route_key)}}),
        );
        if let Some(sec) = route_security(p, r) {
            op.insert("security".into(), sec);
        }
        let integration = r
            .integration_id()
            .and_then(|id| p.integrations.iter().find(|i| i.integration_id == id));
        if let Some(i) = integration {
            let ext = if shared(p, &i.integration_id) {
                json!({"$ref": format!("{INTEGRATIONS_PREFIX}{}", i.integration_id)})
            } else {
                Value::Object(integration_extension(i))
            };
            op.insert("x-amazon-apigateway-integration".into(), ext);
        }
        let item = paths
            .entry(path.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(item) = item else { continue };
        let params = path_parameters(path);
        if !params.is_empty() && !item.contains_key("parameters") {
            item.insert("parameters".into(), Value::Array(params));
        }
        item.insert((*key).to_string(), Value::Object(op));
    }
    paths
}

/// Does more than one route target this integration? Such an integration is written once in
/// `components.x-amazon-apigateway-integrations` (named by its id) and referenced, so that
/// importing the export shares it again.
fn shared(p: &Parts, id: &str) -> bool {
    p.routes
        .iter()
        .filter(|r| r.integration_id() == Some(id))
        .nth(1)
        .is_some()
}

/// AWS declares each path variable once per path: `Generated path parameter for {name}`.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            json!({
                "name": name.trim_end_matches('+'),
                "in": "path",
                "description": format!("Generated path parameter for {}", name.trim_end_matches('+')),
                "required": true,
                "schema": {"type": "string"},
            })
        })
        .collect()
}

fn route_security(p: &Parts, r: &Route) -> Option<Value> {
    match r.authorization_type.as_str() {
        "AWS_IAM" => Some(json!([{"sigv4": []}])),
        "JWT" | "CUSTOM" => {
            let a = p
                .authorizers
                .iter()
                .find(|a| Some(&a.authorizer_id) == r.authorizer_id.as_ref())?;
            Some(json!([{ a.name.clone(): r.authorization_scopes }]))
        }
        _ => None,
    }
}

/// `x-amazon-apigateway-integration`, members in the order AWS's exports write them.
fn integration_extension(i: &Integration) -> Map<String, Value> {
    let mut m = Map::new();
    if let Some(r) = &i.response_parameters {
        m.insert("responseParameters".into(), json!(r));
    }
    if let Some(r) = &i.request_parameters {
        m.insert("requestParameters".into(), json!(r));
    }
    if let Some(s) = &i.integration_subtype {
        m.insert("integrationSubtype".into(), json!(s));
    }
    if let Some(c) = &i.credentials_arn {
        m.insert("credentials".into(), json!(c));
    }
    if let Some(d) = &i.description {
        m.insert("description".into(), json!(d));
    }
    m.insert(
        "payloadFormatVersion".into(),
        json!(i.payload_format_version),
    );
    m.insert(
        "type".into(),
        json!(i.integration_type.to_ascii_lowercase()),
    );
    if let Some(method) = &i.integration_method {
        m.insert("httpMethod".into(), json!(method));
    }
    if let Some(uri) = &i.integration_uri {
        m.insert("uri".into(), json!(uri));
    }
    m.insert("connectionType".into(), json!(i.connection_type));
    if let Some(c) = &i.connection_id {
        m.insert("connectionId".into(), json!(c));
    }
    if i.timeout_in_millis != 30_000 {
        m.insert("timeoutInMillis".into(), json!(i.timeout_in_millis));
    }
    if let Some(t) = &i.tls_config {
        m.insert("tlsConfig".into(), json!(t));
    }
    m
}

fn security_schemes(p: &Parts) -> Map<String, Value> {
    let mut out = Map::new();
    for a in &p.authorizers {
        let scheme = if a.authorizer_type == "JWT" {
            let mut ext = Map::new();
            ext.insert("identitySource".into(), json!(a.identity_source.join(", ")));
            if let Some(j) = &a.jwt_configuration {
                ext.insert("jwtConfiguration".into(), json!(j));
            }
            ext.insert("type".into(), json!("jwt"));
            json!({"type": "oauth2", "flows": {}, "x-amazon-apigateway-authorizer": ext})
        } else {
            let mut ext = Map::new();
            ext.insert("identitySource".into(), json!(a.identity_source.join(", ")));
            if let Some(u) = &a.authorizer_uri {
                ext.insert("authorizerUri".into(), json!(u));
            }
            if let Some(c) = &a.authorizer_credentials_arn {
                ext.insert("authorizerCredentials".into(), json!(c));
            }
            if let Some(v) = &a.authorizer_payload_format_version {
                ext.insert("authorizerPayloadFormatVersion".into(), json!(v));
            }
            if let Some(t) = a.authorizer_result_ttl_in_seconds {
                ext.insert("authorizerResultTtlInSeconds".into(), json!(t));
            }
            ext.insert("type".into(), json!("request"));
            if let Some(s) = a.enable_simple_responses {
                ext.insert("enableSimpleResponses".into(), json!(s));
            }
            // The first identity source, when it is a header or query string, is the
            // apiKey scheme's own `name` and `in`.
            let (name, place) = a
                .identity_source
                .first()
                .and_then(|s| {
                    s.strip_prefix("$request.header.")
                        .map(|n| (n, "header"))
                        .or_else(|| {
                            s.strip_prefix("$request.querystring.")
                                .map(|n| (n, "query"))
                        })
                })
                .unwrap_or(("Unused", "header"));
            json!({"type": "apiKey", "name": name, "in": place, "x-amazon-apigateway-authorizer": ext})
        };
        out.insert(a.name.clone(), scheme);
    }
    if p.routes.iter().any(|r| r.authorization_type == "AWS_IAM") {
        out.insert(
            "sigv4".into(),
            json!({"type": "apiKey", "name": "Authorization", "in": "header",
                   "x-amazon-apigateway-authtype": "awsSigv4"}),
        );
    }
    out
}

/// Models as `components.schemas`, their model URLs back to local references.
fn schemas(p: &Parts) -> Map<String, Value> {
    fn local(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if k == "$ref" {
                        if let Some((_, name)) = v.as_str().and_then(parse_ref) {
                            *v = Value::String(format!("{SCHEMAS_PREFIX}{name}"));
                        }
                    } else {
                        local(v);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(local),
            _ => {}
        }
    }
    let mut out = Map::new();
    for m in &p.models {
        let Ok(mut schema) = serde_json::from_str::<Value>(&m.schema) else {
            continue;
        };
        local(&mut schema);
        out.insert(m.name.clone(), schema);
    }
    out
}

/// Remove every `x-amazon-apigateway-*` member.
fn strip_extensions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with("x-amazon-apigateway"));
            m.values_mut().for_each(strip_extensions);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_extensions),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_aws_exports() {
        assert_eq!(version_of("2024-02-02T14:22:44Z"), "2024-02-02 14:22:44UTC");
    }

    #[test]
    fn path_parameters_are_generated_per_variable() {
        let p = path_parameters("/pets/{petId}/{proxy+}");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0]["description"], "Generated path parameter for petId");
        assert_eq!(p[1]["name"], "proxy");
    }
}
