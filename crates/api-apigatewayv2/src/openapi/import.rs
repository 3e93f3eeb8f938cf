//! ImportApi (`PUT /v2/apis`) and ReimportApi (`PUT /v2/apis/{apiId}`): `{"body": "<document>"}`
//! with query `basepath` (`ignore` by default, `prepend`, `split`) and `failOnWarnings`.
//!
//! What a document becomes (AWS's "HTTP API extensions to OpenAPI"):
//! - the API: `info.title` → name, `info.description`, `info.version`; `x-amazon-apigateway-cors`;
//!   `x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint`; top-level `tags`
//!   with `x-amazon-apigateway-tag-value`;
//! - models: `components.schemas` (local `$ref`s become AWS's model URLs);
//! - authorizers: `components.securitySchemes` with `x-amazon-apigateway-authorizer` (`jwt`,
//!   with `openIdConnectUrl` standing for a missing issuer; `request` Lambda authorizers);
//!   `x-amazon-apigateway-authtype: awsSigv4` schemes mean IAM authorization;
//! - routes: every operation of `paths` (`x-amazon-apigateway-any-method` → `ANY`; on
//!   `/$default` → the `$default` route), `operationId` → operationName, `security` (the
//!   operation's, else the document's) → authorization type, authorizer and scopes;
//! - integrations: each operation's `x-amazon-apigateway-integration`, or one integration per
//!   `$ref` into `components.x-amazon-apigateway-integrations` shared by its routes.
//!
//! Warnings (AWS: "invalid according to the OpenAPI specification, but it doesn't block API
//! creation") are answered in `warnings`, or refuse the import with `failOnWarnings`; what is
//! valid OpenAPI but unsupported by HTTP APIs is listed in `importInfo`.

use std::collections::HashMap;

use portico_core::ApiError;
use portico_model::v2::{Api, Authorizer, Cors, Integration, Model, Route, TlsConfig};
use portico_model::{Entity, IndexMap};
use portico_openapi::document::{
    import_error, invalid_input, read_object, rewrite_refs_with, upper, Document,
};
use portico_store::{kind, Txn};
use serde_json::Value;

use super::security::{authorizers_of, security, Scheme};
use super::{DEFAULT_PATH, INTEGRATIONS_PREFIX, OPERATIONS, SCHEMAS_PREFIX};
use crate::common::{self, required};
use crate::{api_routes, apis, authorizers, integrations, models, stages, Call, Ctx, Reply};

/// The entities a document describes, built before anything is written.
pub struct Plan {
    pub name: String,
    pub description: Option<String>,
    pub version: Option<String>,
    pub cors: Option<Cors>,
    pub disable_execute_api_endpoint: Option<bool>,
    pub tags: IndexMap<String, String>,
    pub models: Vec<Model>,
    pub authorizers: Vec<Authorizer>,
    pub integrations: Vec<Integration>,
    pub routes: Vec<Route>,
    pub warnings: Vec<String>,
    pub info: Vec<String>,
}

struct Options {
    prefix: String,
    fail_on_warnings: bool,
}

fn options(call: &Call, doc: &Document) -> Result<Options, ApiError> {
    let base: Vec<String> = doc
        .base_path()
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let kept: Vec<String> = match call
        .query("basepath")
        .filter(|v| !v.is_empty())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("ignore") => Vec::new(),
        Some("prepend") => base,
        Some("split") => base.into_iter().skip(1).collect(),
        Some(other) => {
            return Err(ApiError::bad_request(format!(
            "Invalid basepath parameter value '{other}'. Valid values are ignore, prepend, split"
        )))
        }
    };
    let prefix = kept.iter().map(|s| format!("/{s}")).collect::<String>();
    Ok(Options {
        prefix,
        fail_on_warnings: call.query_bool("failOnWarnings")?.unwrap_or(false),
    })
}

/// The document of a call: the `body` member, an OpenAPI 3.0 document.
fn document(call: &Call) -> Result<Document, ApiError> {
    let body = call.json()?;
    let text: String = required(&body, "body")?;
    let root = read_object(text.as_bytes()).ok_or_else(invalid_input)?;
    if !matches!(root.get("openapi"), Some(Value::String(v)) if v.starts_with("3.")) {
        // AWS: "HTTP APIs support only the OpenAPI 3.0 specification" (its example of an
        // import error is a `swagger: 2.0.0` document).
        return Err(import_error(
            "Unsupported API definition version: HTTP APIs support only OpenAPI 3.0 definitions",
        ));
    }
    if !root.get("paths").is_some_and(Value::is_object) {
        return Err(import_error("Parse issue: attribute paths is missing"));
    }
    // Decision: a document for a WebSocket API (its own route selection expression) is
    // refused; ImportApi makes HTTP APIs only.
    if let Some(e) = root.get("x-amazon-apigateway-route-selection-expression") {
        if e.as_str() != Some(apis::HTTP_ROUTE_SELECTION) {
            return Err(import_error(format!(
                "Unsupported x-amazon-apigateway-route-selection-expression {e}: only HTTP APIs ({}) can be imported",
                apis::HTTP_ROUTE_SELECTION
            )));
        }
    }
    let doc = Document { root, v3: true };
    if let Some(v) = doc.get("x-amazon-apigateway-importexport-version") {
        if scalar(v).as_deref() != Some("1.0") {
            return Err(import_error(format!(
                "Unsupported x-amazon-apigateway-importexport-version {v}: the only supported value is 1.0"
            )));
        }
    }
    Ok(doc)
}

pub fn import_api(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let doc = document(call)?;
    let opts = options(call, &doc)?;
    let api_id = common::id(10);
    let plan = plan(&doc, &api_id, &opts.prefix)?;
    refuse_warnings(&plan, &opts)?;
    let api = Api {
        api_endpoint: format!(
            "https://{api_id}.execute-api.{}.amazonaws.com",
            call.tenant.region()
        ),
        api_id: api_id.clone(),
        name: plan.name.clone(),
        protocol_type: "HTTP".into(),
        api_key_selection_expression: "$request.header.x-api-key".into(),
        cors_configuration: plan.cors.clone(),
        created_date: common::now(),
        description: plan.description.clone(),
        disable_execute_api_endpoint: plan.disable_execute_api_endpoint.unwrap_or(false),
        disable_schema_validation: None,
        ip_address_type: Some("ipv4".into()),
        route_selection_expression: apis::HTTP_ROUTE_SELECTION.into(),
        tags: plan.tags.clone(),
        version: plan.version.clone(),
    };
    apis::check_name(&api.name).map_err(|e| import_error(e.message))?;
    common::write(cx, call, |tx| {
        tx.put(kind::V2_API, "", &api_id, &api.to_value())?;
        write_plan(tx, &api, &plan)
    })?;
    Ok(Reply::Json(answer(&api, &plan)))
}

pub fn reimport_api(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let api_id = call.label("apiId");
    // The API must exist before the document is looked at (AWS's NotFoundException first).
    common::read(cx, call, |tx| common::api(tx, &call.tenant, api_id))?;
    let doc = document(call)?;
    let opts = options(call, &doc)?;
    let plan = plan(&doc, api_id, &opts.prefix)?;
    refuse_warnings(&plan, &opts)?;
    let api = common::write(cx, call, |tx| {
        let mut api = common::api(tx, &call.tenant, api_id)?;
        if !api.is_http() {
            return Err(ApiError::bad_request(
                "ReimportApi is supported only for HTTP APIs",
            ));
        }
        // The definition replaces the API's: name, description, version, CORS and the
        // execute-api endpoint switch come from the document (absent there → cleared or
        // false); tags are added; stages stay.
        api.name = plan.name.clone();
        apis::check_name(&api.name).map_err(|e| import_error(e.message))?;
        api.description = plan.description.clone();
        api.version = plan.version.clone();
        api.cors_configuration = plan.cors.clone();
        api.disable_execute_api_endpoint = plan.disable_execute_api_endpoint.unwrap_or(false);
        for (k, v) in &plan.tags {
            api.tags.insert(k.clone(), v.clone());
        }
        tx.put(kind::V2_API, "", api_id, &api.to_value())?;
        for k in [
            kind::V2_ROUTE,
            kind::V2_INTEGRATION,
            kind::V2_AUTHORIZER,
            kind::V2_MODEL,
            kind::V2_ROUTE_RESPONSE,
            kind::V2_INTEGRATION_RESPONSE,
        ] {
            for doc in tx.list(k, api_id, 0, 1_000_000)? {
                tx.delete(k, api_id, &doc.id)?;
            }
        }
        write_plan(tx, &api, &plan)?;
        Ok(api)
    })?;
    Ok(Reply::Json(answer(&api, &plan)))
}

fn refuse_warnings(plan: &Plan, opts: &Options) -> Result<(), ApiError> {
    if opts.fail_on_warnings && !plan.warnings.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Warnings found during import:\n\t{}",
            plan.warnings.join("\n\t")
        )));
    }
    Ok(())
}

/// The Api shape, with AWS's `warnings` and `importInfo` when there are any.
fn answer(api: &Api, plan: &Plan) -> Value {
    let mut v = api.to_value();
    if !plan.warnings.is_empty() {
        v["warnings"] = Value::from(plan.warnings.clone());
    }
    if !plan.info.is_empty() {
        v["importInfo"] = Value::from(plan.info.clone());
    }
    v
}

/// Write every entity of the plan, each checked as its Create operation checks it; the first
/// failure is an import error naming the entity. Stages with auto-deploy are redeployed.
fn write_plan(tx: &mut dyn Txn, api: &Api, plan: &Plan) -> Result<(), ApiError> {
    let id = &api.api_id;
    let failed = |what: String| move |e: ApiError| import_error(format!("{what}: {}", e.message));
    for m in &plan.models {
        models::check(tx, id, m).map_err(failed(format!("model {}", m.name)))?;
        tx.put(kind::V2_MODEL, id, &m.model_id, &m.to_value())?;
    }
    for a in &plan.authorizers {
        authorizers::check(api, a).map_err(failed(format!("authorizer {}", a.name)))?;
        tx.put(kind::V2_AUTHORIZER, id, &a.authorizer_id, &a.to_value())?;
    }
    for i in &plan.integrations {
        integrations::check(api, i).map_err(failed(format!(
            "integration {}",
            i.integration_uri.as_deref().unwrap_or(&i.integration_type)
        )))?;
        tx.put(kind::V2_INTEGRATION, id, &i.integration_id, &i.to_value())?;
    }
    for r in &plan.routes {
        let what = format!("route {}", r.route_key);
        api_routes::check_route(tx, api, r).map_err(failed(what.clone()))?;
        api_routes::check_unique(tx, id, &r.route_key, None).map_err(failed(what))?;
        tx.put(kind::V2_ROUTE, id, &r.route_id, &r.to_value())?;
    }
    stages::auto_deploy(tx, id)
}

/// A scalar as text (`payloadFormatVersion: 1.0` and `version: 2.0` are numbers in YAML and
/// in AWS's own examples).
pub(super) fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 => format!("{f:.1}"),
            _ => n.to_string(),
        }),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(scalar)
}

/// A member that must be a map of scalars (`requestParameters`).
pub(super) fn string_map(
    v: Option<&Value>,
    what: &str,
) -> Result<Option<IndexMap<String, String>>, ApiError> {
    let Some(v) = v else { return Ok(None) };
    let Value::Object(m) = v else {
        return Err(import_error(format!("{what} must be an object")));
    };
    let mut out = IndexMap::new();
    for (k, v) in m {
        let s = scalar(v).ok_or_else(|| import_error(format!("{what}.{k} must be a string")))?;
        out.insert(k.clone(), s);
    }
    Ok(Some(out))
}

pub(super) fn integer(v: Option<&Value>, what: &str) -> Result<Option<i64>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| import_error(format!("{what} must be an integer"))),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| import_error(format!("{what} must be an integer"))),
        Some(_) => Err(import_error(format!("{what} must be an integer"))),
    }
}

/// AWS's attribute path of an operation, as its warnings name it: `paths.'/pets'(get)`.
fn at(path: &str, key: &str) -> String {
    format!("paths.'{path}'({key})")
}

pub fn plan(doc: &Document, api_id: &str, prefix: &str) -> Result<Plan, ApiError> {
    let name = doc
        .info("title")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| import_error("Parse issue: attribute info.title is missing"))?
        .to_string();
    let mut plan = Plan {
        name,
        description: doc.info("description").map(str::to_string),
        version: doc
            .get("info")
            .and_then(|i| i.get("version"))
            .and_then(scalar),
        cors: None,
        disable_execute_api_endpoint: None,
        tags: IndexMap::new(),
        models: Vec::new(),
        authorizers: Vec::new(),
        integrations: Vec::new(),
        routes: Vec::new(),
        warnings: Vec::new(),
        info: Vec::new(),
    };
    if let Some(c) = doc.get("x-amazon-apigateway-cors") {
        plan.cors = Some(
            serde_json::from_value(c.clone())
                .map_err(|e| import_error(format!("Invalid x-amazon-apigateway-cors: {e}")))?,
        );
    }
    if let Some(e) = doc.get("x-amazon-apigateway-endpoint-configuration") {
        match e.get("disableExecuteApiEndpoint") {
            None => {}
            Some(Value::Bool(b)) => plan.disable_execute_api_endpoint = Some(*b),
            Some(_) => {
                return Err(import_error(
                    "x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint must be a boolean",
                ))
            }
        }
    }
    for t in doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(v)) = (
            t.get("name").and_then(Value::as_str),
            t.get("x-amazon-apigateway-tag-value").and_then(scalar),
        ) {
            plan.tags.insert(k.to_string(), v);
        }
    }
    models_of(doc, api_id, &mut plan);
    let schemes = authorizers_of(doc, &mut plan)?;
    routes_of(doc, prefix, &schemes, &mut plan)?;
    Ok(plan)
}

fn models_of(doc: &Document, api_id: &str, plan: &mut Plan) {
    let url = |name: &str| portico_openapi::model_url(api_id, name);
    for (name, schema) in doc.schemas().into_iter().flatten() {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            plan.warnings.push(format!(
                "Parse issue: attribute components.schemas.{name} is not imported: model names are alphanumeric"
            ));
            continue;
        }
        let mut schema = schema.clone();
        let mut unknown = Vec::new();
        rewrite_refs_with(&mut schema, SCHEMAS_PREFIX, &url, &mut unknown);
        for r in unknown {
            plan.warnings.push(format!(
                "Parse issue: attribute components.schemas.{name}.{r} is missing"
            ));
        }
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        plan.models.push(Model {
            model_id: common::id(6),
            name: name.clone(),
            schema: schema.to_string(),
            content_type: Some("application/json".into()),
            description,
        });
    }
}

fn routes_of(
    doc: &Document,
    prefix: &str,
    schemes: &HashMap<String, Scheme>,
    plan: &mut Plan,
) -> Result<(), ApiError> {
    // Integrations referenced from components are made once and shared by their routes.
    let mut shared: HashMap<String, Option<String>> = HashMap::new();
    let default_security = doc.get("security");
    for (path, item) in doc.paths() {
        let item = doc.deref(item, &format!("paths.'{path}'"))?;
        let Value::Object(item) = item else {
            return Err(import_error(format!(
                "Parse issue: attribute paths.'{path}' must be an object"
            )));
        };
        for (key, op) in item {
            let Some((_, method)) = OPERATIONS.iter().find(|(k, _)| k == key) else {
                if key == "trace" {
                    plan.warnings.push(format!(
                        "Parse issue: attribute {} is not imported: HTTP APIs do not route TRACE",
                        at(path, key)
                    ));
                }
                continue;
            };
            let what = at(path, key);
            let default_route = path == DEFAULT_PATH
                && (*method == "ANY" || op.get("isDefaultRoute") == Some(&Value::Bool(true)));
            let route_key = if default_route {
                "$default".to_string()
            } else if path == "/" && !prefix.is_empty() {
                // The root under a base path is the base path itself.
                format!("{method} {prefix}")
            } else {
                format!("{method} {prefix}{path}")
            };
            missing_schemas(doc, op, &what, plan);
            let target = match op.get("x-amazon-apigateway-integration") {
                None => None,
                Some(v) => match v.get("$ref").and_then(Value::as_str) {
                    Some(r) => {
                        if !r.starts_with(INTEGRATIONS_PREFIX) {
                            return Err(import_error(format!(
                                "Unsupported reference {r} in {what}.x-amazon-apigateway-integration"
                            )));
                        }
                        if let Some(id) = shared.get(r) {
                            id.clone()
                        } else {
                            let target = doc.resolve(r).ok_or_else(|| {
                                import_error(format!(
                                    "Unable to resolve reference {r} of {what}.x-amazon-apigateway-integration"
                                ))
                            })?;
                            let id = integration(target, &what, plan)?;
                            shared.insert(r.to_string(), id.clone());
                            id
                        }
                    }
                    None => integration(v, &what, plan)?,
                },
            };
            let mut route = Route {
                route_id: common::id(7),
                route_key,
                api_gateway_managed: None,
                api_key_required: false,
                authorization_scopes: Vec::new(),
                authorization_type: "NONE".into(),
                authorizer_id: None,
                model_selection_expression: None,
                operation_name: op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                request_models: None,
                request_parameters: None,
                route_response_selection_expression: None,
                target: target.map(|id| format!("integrations/{id}")),
            };
            security(
                op.get("security").or(default_security),
                schemes,
                &what,
                &mut route,
            )?;
            if op.get("requestBody").is_some()
                && !plan.info.iter().any(|i| i.contains("requestBody"))
            {
                plan.info.push(
                    "HTTP APIs do not validate requests: requestBody and its schemas are not applied to routes".into(),
                );
            }
            plan.routes.push(route);
        }
    }
    Ok(())
}

/// The integration of an operation, added to the plan; `None` (with a warning) for one HTTP
/// APIs cannot have.
fn integration(v: &Value, what: &str, plan: &mut Plan) -> Result<Option<String>, ApiError> {
    let what = format!("{what}.x-amazon-apigateway-integration");
    let Value::Object(m) = v else {
        return Err(import_error(format!("{what} must be an object")));
    };
    let t = upper(m.get("type"))
        .ok_or_else(|| import_error(format!("Parse issue: attribute {what}.type is missing")))?;
    if t != "AWS_PROXY" && t != "HTTP_PROXY" {
        plan.warnings.push(format!(
            "Parse issue: attribute {what}.type {t} is not supported: HTTP APIs support only Lambda proxy (aws_proxy) and HTTP proxy (http_proxy) integrations; the route is imported without an integration"
        ));
        return Ok(None);
    }
    for ignored in [
        "passthroughBehavior",
        "requestTemplates",
        "responses",
        "contentHandling",
    ] {
        if m.contains_key(ignored) {
            let line = format!("{ignored} of x-amazon-apigateway-integration is not supported for HTTP APIs and was ignored");
            if !plan.info.contains(&line) {
                plan.info.push(line);
            }
        }
    }
    let mut response_parameters = None;
    if let Some(r) = m.get("responseParameters") {
        let Value::Object(codes) = r else {
            return Err(import_error(format!(
                "{what}.responseParameters must be an object"
            )));
        };
        let mut out = IndexMap::new();
        for (code, map) in codes {
            let inner = string_map(Some(map), &format!("{what}.responseParameters.{code}"))?
                .unwrap_or_default();
            out.insert(code.clone(), inner);
        }
        response_parameters = Some(out);
    }
    let tls_config = m.get("tlsConfig").map(|t| TlsConfig {
        server_name_to_verify: str_of(t, "serverNameToVerify"),
    });
    let i = Integration {
        integration_id: common::id(7),
        integration_type: t,
        api_gateway_managed: None,
        connection_id: str_of(v, "connectionId"),
        connection_type: upper(m.get("connectionType")).unwrap_or_else(|| "INTERNET".into()),
        content_handling_strategy: None,
        credentials_arn: str_of(v, "credentials"),
        description: str_of(v, "description"),
        integration_method: upper(m.get("httpMethod")),
        integration_response_selection_expression: None,
        integration_subtype: str_of(v, "integrationSubtype"),
        integration_uri: str_of(v, "uri"),
        passthrough_behavior: None,
        payload_format_version: str_of(v, "payloadFormatVersion").unwrap_or_else(|| "1.0".into()),
        request_parameters: string_map(
            m.get("requestParameters"),
            &format!("{what}.requestParameters"),
        )?,
        request_templates: None,
        response_parameters,
        template_selection_expression: None,
        timeout_in_millis: integer(m.get("timeoutInMillis"), &format!("{what}.timeoutInMillis"))?
            .unwrap_or(30_000),
        tls_config,
    };
    let id = i.integration_id.clone();
    plan.integrations.push(i);
    Ok(Some(id))
}

/// Warn of references to schemas the document does not define, in AWS's words
/// (`paths.'/update'(get).responses.200.content.schema.#/components/schemas/X is missing`;
/// the media type is not part of the attribute path).
fn missing_schemas(doc: &Document, op: &Value, what: &str, plan: &mut Plan) {
    fn walk(v: &Value, path: &str, skip_key: bool, doc: &Document, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "$ref" {
                        if let Some(name) = v.as_str().and_then(|r| r.strip_prefix(SCHEMAS_PREFIX))
                        {
                            if !doc.schemas().is_some_and(|s| s.contains_key(name)) {
                                out.push(format!(
                                    "Parse issue: attribute {path}.{} is missing",
                                    v.as_str().unwrap_or("")
                                ));
                            }
                        }
                        continue;
                    }
                    if k.starts_with("x-amazon-apigateway") {
                        continue;
                    }
                    let next = if skip_key {
                        path.to_string()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(v, &next, k == "content", doc, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, path, false, doc, out)),
            _ => {}
        }
    }
    walk(op, what, false, doc, &mut plan.warnings);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn numbers_read_as_aws_writes_them() {
        assert_eq!(scalar(&serde_json::json!(1.0)).as_deref(), Some("1.0"));
        assert_eq!(scalar(&serde_json::json!(2)).as_deref(), Some("2"));
        assert_eq!(scalar(&serde_json::json!("2.0")).as_deref(), Some("2.0"));
    }

    #[test]
    fn missing_schema_warnings_name_the_attribute_like_aws() {
        let d = doc(
            r##"{"openapi":"3.0.1","info":{"title":"t"},"paths":{"/update":{"get":{
            "x-amazon-apigateway-integration":{"type":"HTTP_PROXY","httpMethod":"GET","uri":"https://x","payloadFormatVersion":"1.0"},
            "responses":{"200":{"description":"d","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Nope"}}}}}}}}}"##,
        );
        let p = plan(&d, "abc", "").unwrap();
        assert_eq!(
            p.warnings,
            vec!["Parse issue: attribute paths.'/update'(get).responses.200.content.schema.#/components/schemas/Nope is missing"]
        );
        assert_eq!(p.routes.len(), 1);
        assert_eq!(p.integrations.len(), 1);
    }

    #[test]
    fn default_route_scopes_and_shared_integrations() {
        let d = doc(r##"{"openapi":"3.0.1","info":{"title":"t","version":1.5},
          "components":{"securitySchemes":{"j":{"type":"oauth2","x-amazon-apigateway-authorizer":{"type":"jwt","jwtConfiguration":{"issuer":"https://i","audience":["a"]}}}},
            "x-amazon-apigateway-integrations":{"one":{"type":"http_proxy","httpMethod":"ANY","uri":"https://b","payloadFormatVersion":1.0}}},
          "paths":{"/$default":{"x-amazon-apigateway-any-method":{"isDefaultRoute":true,"x-amazon-apigateway-integration":{"$ref":"#/components/x-amazon-apigateway-integrations/one"}}},
            "/a":{"get":{"security":[{"j":["s1","s2"]}],"x-amazon-apigateway-integration":{"$ref":"#/components/x-amazon-apigateway-integrations/one"}}}}}"##);
        let p = plan(&d, "abc", "/v1").unwrap();
        assert_eq!(p.version.as_deref(), Some("1.5"));
        assert_eq!(p.integrations.len(), 1);
        assert_eq!(p.integrations[0].integration_type, "HTTP_PROXY");
        assert_eq!(p.routes[0].route_key, "$default");
        assert_eq!(p.routes[1].route_key, "GET /v1/a");
        assert_eq!(p.routes[1].authorization_type, "JWT");
        assert_eq!(p.routes[1].authorization_scopes, vec!["s1", "s2"]);
        assert_eq!(p.routes[0].target, p.routes[1].target);
        assert_eq!(
            p.authorizers[0].identity_source,
            vec!["$request.header.Authorization"]
        );
    }

    #[test]
    fn two_security_requirements_are_an_error() {
        let d = doc(r##"{"openapi":"3.0.1","info":{"title":"t"},
          "components":{"securitySchemes":{"i":{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"awsSigv4"},
            "k":{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"awsSigv4"}}},
          "paths":{"/a":{"get":{"security":[{"i":[]},{"k":[]}]}}}}"##);
        let e = plan(&d, "abc", "").err().unwrap();
        assert!(
            e.message.starts_with("Errors found during import:\n\t"),
            "{}",
            e.message
        );
        assert!(e.message.contains("Multiple security requirements"));
    }
}
