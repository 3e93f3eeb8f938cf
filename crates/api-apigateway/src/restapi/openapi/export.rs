//! GetExport: a stage's deployed API (its deployment snapshot, not the current definition) as
//! AWS writes it: `oas30` (servers with the stage as the `basePath` variable, models under
//! `components.schemas`) or `swagger` (host, `basePath` = the stage, `definitions`), JSON or
//! YAML by `Accept`. `extensions=integrations` adds `x-amazon-apigateway-integration` blocks,
//! `apigateway` those and every other API Gateway extension (validators, gateway responses,
//! binary media types, API key source, policy...), `authorizers` the authorizers' security
//! schemes. The documentation version the stage names comes as
//! `x-amazon-apigateway-documentation`. `postman` adds `x-postman-meta` to the operations
//! Postman must sign (AWS_IAM), the extension Postman's importers read.

use portico_model::{DeploymentSnapshot, DocumentationSnapshot};
use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::docs::versions;
use crate::error::ApiError;
use crate::stages;
use crate::store::{self, kind};
use crate::Ctx;

struct Ext {
    integrations: bool,
    apigateway: bool,
    authorizers: bool,
    /// `extensions=postman`: the region Postman signs AWS_IAM operations for.
    postman: Option<String>,
}

pub(crate) fn get_export(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, stage) = (call.label("restapi_id"), call.label("stage_name"));
    let v3 = match call.label("export_type") {
        "oas30" => true,
        "swagger" => false,
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid export type specified: {other}. Valid values are oas30, swagger"
            )))
        }
    };
    let mut ext = Ext {
        integrations: false,
        apigateway: false,
        authorizers: false,
        postman: None,
    };
    for e in call
        .query_all("extensions")
        .iter()
        .flat_map(|e| e.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        match e {
            "integrations" => ext.integrations = true,
            "apigateway" => {
                ext.apigateway = true;
                ext.integrations = true;
                ext.authorizers = true;
            }
            "authorizers" => ext.authorizers = true,
            "postman" => ext.postman = Some(call.tenant.region().to_string()),
            other => {
                return Err(ApiError::bad_request(format!(
                    "Invalid extensions value specified: {other}. Valid values are integrations, apigateway, authorizers, postman"
                )))
            }
        }
    }
    let yaml = call
        .headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("yaml"));
    let (snapshot, documentation) = store::read(&*cx.store, &call.tenant, |txn| {
        let s = stages::require(txn, call, api_id, stage)?;
        let dep = s
            .get("deploymentId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let doc = txn
            .get_shared(kind::DEPLOYMENT_SNAPSHOT, api_id, dep)?
            .ok_or_else(stages::not_found)?;
        let documentation = match s.get("documentationVersion").and_then(Value::as_str) {
            Some(v) => Some(versions::snapshot(txn, api_id, v)?),
            None => None,
        };
        Ok((DeploymentSnapshot::from_document(&doc)?, documentation))
    })?;
    let host = format!(
        "{api_id}.execute-api.{}.amazonaws.com",
        call.tenant.region()
    );
    let mut doc = document(&snapshot, api_id, stage, &host, v3, &ext);
    if let Some(d) = documentation {
        doc["x-amazon-apigateway-documentation"] = documentation_extension(&d);
    }
    let body = if yaml {
        portico_openapi::to_yaml(&doc)?
    } else {
        portico_openapi::to_json(&doc)?
    };
    // AWS's recorded answer: `application/octet-stream`, and a file named after the export
    // type and the document's version (LocalStack's test_export_*_openapi snapshots).
    let version = doc["info"]["version"].as_str().unwrap_or("");
    let name = if v3 { "oas30" } else { "swagger" };
    let suffix = if yaml { "yaml" } else { "json" };
    Ok(Reply::Raw {
        content_type: "application/octet-stream".into(),
        content_disposition: Some(format!(
            "attachment; filename=\"{name}_{version}.{suffix}\""
        )),
        body: body.into(),
    })
}

/// The documentation version the stage names, as `x-amazon-apigateway-documentation` (the
/// form ImportDocumentationParts and ImportRestApi read). Decision: AWS's exported form of a
/// stage's documentation is not on record; this one re-imports to the same parts.
fn documentation_extension(d: &DocumentationSnapshot) -> Value {
    let parts: Vec<Value> = d
        .parts
        .iter()
        .map(|p| {
            let properties =
                serde_json::from_str::<Value>(&p.properties).unwrap_or_else(|_| json!({}));
            json!({ "location": p.location, "properties": properties })
        })
        .collect();
    json!({ "version": d.version, "documentationParts": parts })
}

fn s<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// The whole document.
fn document(
    snap: &DeploymentSnapshot,
    api_id: &str,
    stage: &str,
    host: &str,
    v3: bool,
    ext: &Ext,
) -> Value {
    let api = &snap.api;
    let mut info = Map::new();
    if let Some(d) = s(api, "description") {
        info.insert("description".into(), json!(d));
    }
    info.insert("title".into(), json!(s(api, "name").unwrap_or("")));
    // AWS writes the deployment's date when the API has no version.
    let version = s(api, "version").map(str::to_string).unwrap_or_else(|| {
        let secs = api.get("createdDate").and_then(Value::as_i64).unwrap_or(0);
        time::OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    });
    info.insert("version".into(), json!(version));
    let mut out = Map::new();
    if v3 {
        out.insert("openapi".into(), json!("3.0.1"));
        out.insert("info".into(), Value::Object(info));
        out.insert(
            "servers".into(),
            json!([{
                "url": format!("https://{host}/{{basePath}}"),
                "variables": { "basePath": { "default": stage } }
            }]),
        );
    } else {
        out.insert("swagger".into(), json!("2.0"));
        out.insert("info".into(), Value::Object(info));
        out.insert("host".into(), json!(host));
        out.insert("basePath".into(), json!(format!("/{stage}")));
        out.insert("schemes".into(), json!(["https"]));
    }
    let mut schemes = Map::new();
    let validators: Vec<(String, String)> = snap
        .request_validators
        .iter()
        .filter_map(|v| Some((v["id"].as_str()?.into(), v["name"].as_str()?.into())))
        .collect();
    let mut paths = Map::new();
    // Decision: a resource without methods and without children is written as an empty path
    // item, so that an export re-imports to the same resources (AWS's recorded exports only
    // show that it leaves out a method-less resource that has children, the root).
    let parents: std::collections::HashSet<&str> = snap
        .resources
        .iter()
        .filter_map(|r| s(r, "parentId"))
        .collect();
    for r in &snap.resources {
        let methods = match r.get("resourceMethods") {
            Some(Value::Object(m)) if !m.is_empty() => m,
            _ => {
                let id = s(r, "id").unwrap_or("");
                if r.contains_key("parentId") && !parents.contains(id) {
                    paths.insert(s(r, "path").unwrap_or("/").to_string(), json!({}));
                }
                continue;
            }
        };
        let mut item = Map::new();
        for (verb, m) in methods {
            let Some(m) = m.as_object() else { continue };
            let key = if verb == "ANY" {
                "x-amazon-apigateway-any-method".to_string()
            } else {
                verb.to_ascii_lowercase()
            };
            let rid = s(r, "id").unwrap_or("");
            let op = operation(snap, m, rid, v3, ext, &validators, &mut schemes);
            item.insert(key, Value::Object(op));
        }
        if !item.is_empty() {
            paths.insert(s(r, "path").unwrap_or("/").to_string(), Value::Object(item));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    if ext.authorizers {
        for a in snap.authorizers.iter().filter_map(Value::as_object) {
            let name = s(a, "name").unwrap_or("").to_string();
            schemes.insert(name, authorizer_scheme(a));
        }
    }
    let prefix = if v3 {
        "#/components/schemas/"
    } else {
        "#/definitions/"
    };
    let mut models = Map::new();
    for m in snap.models.iter().filter_map(Value::as_object) {
        let mut schema: Value = s(m, "schema")
            .and_then(|t| serde_json::from_str(t).ok())
            .unwrap_or_else(|| json!({}));
        if let Some(o) = schema.as_object_mut() {
            o.remove("$schema");
        }
        local_refs(&mut schema, api_id, prefix);
        models.insert(s(m, "name").unwrap_or("").to_string(), schema);
    }
    if v3 {
        let mut components = Map::new();
        if !models.is_empty() {
            components.insert("schemas".into(), Value::Object(models));
        }
        if !schemes.is_empty() {
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        // Written even when empty, as AWS does.
        out.insert("components".into(), Value::Object(components));
    } else {
        if !schemes.is_empty() {
            out.insert("securityDefinitions".into(), Value::Object(schemes));
        }
        if !models.is_empty() {
            out.insert("definitions".into(), Value::Object(models));
        }
    }
    if ext.apigateway {
        api_extensions(snap, &mut out);
    }
    Value::Object(out)
}

/// The API-level extensions of `extensions=apigateway`.
fn api_extensions(snap: &DeploymentSnapshot, out: &mut Map<String, Value>) {
    let api = &snap.api;
    if !snap.request_validators.is_empty() {
        let mut v = Map::new();
        for r in snap.request_validators.iter().filter_map(Value::as_object) {
            v.insert(
                s(r, "name").unwrap_or("").into(),
                json!({
                    "validateRequestBody": r.get("validateRequestBody").and_then(Value::as_bool).unwrap_or(false),
                    "validateRequestParameters": r.get("validateRequestParameters").and_then(Value::as_bool).unwrap_or(false),
                }),
            );
        }
        out.insert(
            "x-amazon-apigateway-request-validators".into(),
            Value::Object(v),
        );
    }
    if !snap.gateway_responses.is_empty() {
        let mut g = Map::new();
        for r in snap.gateway_responses.iter().filter_map(Value::as_object) {
            let mut one = Map::new();
            for key in ["statusCode", "responseParameters", "responseTemplates"] {
                if let Some(v) = r.get(key) {
                    one.insert(key.into(), v.clone());
                }
            }
            g.insert(
                s(r, "responseType").unwrap_or("").into(),
                Value::Object(one),
            );
        }
        out.insert(
            "x-amazon-apigateway-gateway-responses".into(),
            Value::Object(g),
        );
    }
    if let Some(t) = api.get("binaryMediaTypes") {
        out.insert("x-amazon-apigateway-binary-media-types".into(), t.clone());
    }
    // HEADER, the default, is not written (AWS's recorded exports).
    if let Some(src) = s(api, "apiKeySource").filter(|s| *s != "HEADER") {
        out.insert("x-amazon-apigateway-api-key-source".into(), json!(src));
    }
    if let Some(n) = api.get("minimumCompressionSize") {
        out.insert(
            "x-amazon-apigateway-minimum-compression-size".into(),
            n.clone(),
        );
    }
    // Only what differs from the defaults, so an ordinary API's export has no such block.
    let mut ec = Map::new();
    if let Some(ids) = api
        .get("endpointConfiguration")
        .and_then(|e| e.get("vpcEndpointIds"))
        .filter(|v| v.as_array().is_some_and(|a| !a.is_empty()))
    {
        ec.insert("vpcEndpointIds".into(), ids.clone());
    }
    if api
        .get("disableExecuteApiEndpoint")
        .and_then(Value::as_bool)
        == Some(true)
    {
        ec.insert("disableExecuteApiEndpoint".into(), json!(true));
    }
    if !ec.is_empty() {
        out.insert(
            "x-amazon-apigateway-endpoint-configuration".into(),
            Value::Object(ec),
        );
    }
    if let Some(p) = s(api, "policy") {
        let policy = serde_json::from_str::<Value>(p).unwrap_or_else(|_| json!(p));
        out.insert("x-amazon-apigateway-policy".into(), policy);
    }
}

/// `https://apigateway.amazonaws.com/restapis/{id}/models/X` → `#/definitions/X` (or
/// `#/components/schemas/X`).
fn local_refs(schema: &mut Value, api_id: &str, prefix: &str) {
    let url = super::model_url(api_id, "");
    match schema {
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                if k == "$ref" {
                    if let Some(name) = v.as_str().and_then(|r| r.strip_prefix(&url)) {
                        *v = json!(format!("{prefix}{name}"));
                    }
                } else {
                    local_refs(v, api_id, prefix);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|v| local_refs(v, api_id, prefix)),
        _ => {}
    }
}

fn model_ref(name: &str, v3: bool) -> Value {
    if v3 {
        json!({ "$ref": format!("#/components/schemas/{name}") })
    } else {
        json!({ "$ref": format!("#/definitions/{name}") })
    }
}

/// Media types, in order, without repeats.
fn push_unique(list: &mut Vec<String>, items: impl IntoIterator<Item = String>) {
    for i in items {
        if !list.contains(&i) {
            list.push(i);
        }
    }
}

fn keys_of(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// One method as an operation object, its members in AWS's order. Swagger's `consumes` are
/// the request models' and request templates' media types, its `produces` the response
/// models' and integration response templates' (as AWS's recorded exports show them).
fn operation(
    snap: &DeploymentSnapshot,
    m: &Map<String, Value>,
    resource_id: &str,
    v3: bool,
    ext: &Ext,
    validators: &[(String, String)],
    schemes: &mut Map<String, Value>,
) -> Map<String, Value> {
    let integration = m.get("methodIntegration").and_then(Value::as_object);
    let mut op = Map::new();
    if let Some(id) = s(m, "operationName") {
        op.insert("operationId".into(), json!(id));
    }
    let request_models = m.get("requestModels").and_then(Value::as_object);
    if !v3 {
        let mut consumes = keys_of(m.get("requestModels"));
        push_unique(
            &mut consumes,
            keys_of(integration.and_then(|i| i.get("requestTemplates"))),
        );
        let mut produces = Vec::new();
        for r in m
            .get("methodResponses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.values())
        {
            push_unique(&mut produces, keys_of(r.get("responseModels")));
        }
        for r in integration
            .and_then(|i| i.get("integrationResponses"))
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.values())
        {
            push_unique(&mut produces, keys_of(r.get("responseTemplates")));
        }
        if !consumes.is_empty() {
            op.insert("consumes".into(), json!(consumes));
        }
        if !produces.is_empty() {
            op.insert("produces".into(), json!(produces));
        }
    }
    let mut params = Vec::new();
    for (key, required) in m
        .get("requestParameters")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let Some(rest) = key.strip_prefix("method.request.") else {
            continue;
        };
        let Some((place, name)) = rest.split_once('.') else {
            continue;
        };
        let place = match place {
            "querystring" => "query",
            p => p,
        };
        let required = required.as_bool().unwrap_or(false) || place == "path";
        let mut p = json!({ "name": name, "in": place, "required": required });
        if v3 {
            // OpenAPI 3's `required` defaults to false, and AWS leaves it out then.
            if !required {
                p.as_object_mut().map(|o| o.remove("required"));
            }
            p["schema"] = json!({ "type": "string" });
        } else {
            p["type"] = json!("string");
        }
        params.push(p);
    }
    if let Some(models) = request_models.filter(|m| !m.is_empty()) {
        if v3 {
            let content: Map<String, Value> = models
                .iter()
                .map(|(ct, name)| {
                    (
                        ct.clone(),
                        json!({ "schema": model_ref(name.as_str().unwrap_or(""), true) }),
                    )
                })
                .collect();
            op.insert(
                "requestBody".into(),
                json!({ "content": content, "required": true }),
            );
        } else {
            // One body parameter per request model, as AWS's exports write them (its
            // developer guide's Kinesis proxy export has two for PutRecords), even though
            // Swagger allows one.
            for name in models.values().filter_map(Value::as_str) {
                params.push(json!({
                    "in": "body", "name": name, "required": true, "schema": model_ref(name, false)
                }));
            }
        }
    }
    if !params.is_empty() {
        // OpenAPI 3 puts the parameters before the request body.
        let body = op.remove("requestBody");
        op.insert("parameters".into(), Value::Array(params));
        if let Some(b) = body {
            op.insert("requestBody".into(), b);
        }
    }
    let mut responses = Map::new();
    for (code, r) in m
        .get("methodResponses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut out = json!({ "description": format!("{code} response") });
        let models = r.get("responseModels").and_then(Value::as_object);
        if !v3 {
            if let Some((_, name)) = models.and_then(|m| m.iter().next()) {
                out["schema"] = model_ref(name.as_str().unwrap_or(""), false);
            }
        }
        let headers: Map<String, Value> = r
            .get("responseParameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, _)| k.strip_prefix("method.response.header."))
            .map(|h| {
                let schema = if v3 {
                    json!({ "schema": { "type": "string" } })
                } else {
                    json!({ "type": "string" })
                };
                (h.to_string(), schema)
            })
            .collect();
        if !headers.is_empty() {
            out["headers"] = Value::Object(headers);
        }
        if v3 {
            // AWS writes `content` even when the response has no model.
            let content: Map<String, Value> = models
                .into_iter()
                .flatten()
                .map(|(ct, name)| {
                    (
                        ct.clone(),
                        json!({ "schema": model_ref(name.as_str().unwrap_or(""), true) }),
                    )
                })
                .collect();
            out["content"] = Value::Object(content);
        }
        responses.insert(code.clone(), out);
    }
    op.insert("responses".into(), Value::Object(responses));
    if let Some(sec) = security(snap, m, schemes) {
        op.insert("security".into(), sec);
    }
    if let Some(region) = &ext.postman {
        if s(m, "authorizationType") == Some("AWS_IAM") {
            op.insert("x-postman-meta".into(), postman_sigv4(region));
        }
    }
    if ext.apigateway {
        if let Some(id) = s(m, "requestValidatorId") {
            if let Some((_, name)) = validators.iter().find(|(v, _)| v == id) {
                op.insert("x-amazon-apigateway-request-validator".into(), json!(name));
            }
        }
    }
    if ext.integrations {
        if let Some(i) = integration {
            op.insert(
                "x-amazon-apigateway-integration".into(),
                Value::Object(self::integration(i, resource_id)),
            );
        }
    }
    op
}

/// The method's `security`, and the schemes it names (added to `schemes`).
fn security(
    snap: &DeploymentSnapshot,
    m: &Map<String, Value>,
    schemes: &mut Map<String, Value>,
) -> Option<Value> {
    let mut reqs = Vec::new();
    match s(m, "authorizationType").unwrap_or("NONE") {
        "AWS_IAM" => {
            schemes.insert(
                "sigv4".into(),
                json!({
                    "type": "apiKey", "name": "Authorization", "in": "header",
                    "x-amazon-apigateway-authtype": "awsSigv4"
                }),
            );
            reqs.push(json!({ "sigv4": [] }));
        }
        "CUSTOM" | "COGNITO_USER_POOLS" => {
            let id = s(m, "authorizerId").unwrap_or("");
            if let Some(a) = snap
                .authorizers
                .iter()
                .filter_map(Value::as_object)
                .find(|a| s(a, "id") == Some(id))
            {
                let name = s(a, "name").unwrap_or("").to_string();
                let scopes = m
                    .get("authorizationScopes")
                    .cloned()
                    .unwrap_or_else(|| json!([]));
                schemes.insert(name.clone(), authorizer_scheme(a));
                reqs.push(json!({ name: scopes }));
            }
        }
        _ => {}
    }
    if m.get("apiKeyRequired").and_then(Value::as_bool) == Some(true) {
        schemes.insert(
            "api_key".into(),
            json!({ "type": "apiKey", "name": "x-api-key", "in": "header" }),
        );
        reqs.push(json!({ "api_key": [] }));
    }
    (!reqs.is_empty()).then(|| Value::Array(reqs))
}

/// Postman's own operation extension (what its OpenAPI and Swagger importers read,
/// `currentHelper` naming the auth helper): an AWS_IAM operation is signed with Signature
/// Version 4 for `execute-api` in the API's region, with the credentials left as Postman
/// variables for the user to fill in. Postman reads the `api_key` scheme from the security
/// schemes by itself, so other operations need nothing.
fn postman_sigv4(region: &str) -> Value {
    json!({
        "currentHelper": "awsSigV4",
        "helperAttributes": {
            "accessKey": "{{aws_access_key_id}}",
            "secretKey": "{{aws_secret_access_key}}",
            "region": region,
            "service": "execute-api"
        }
    })
}

/// An authorizer as its security scheme with `x-amazon-apigateway-authorizer`.
fn authorizer_scheme(a: &Map<String, Value>) -> Value {
    let t = s(a, "type").unwrap_or("TOKEN");
    let header = s(a, "identitySource")
        .and_then(|i| i.strip_prefix("method.request.header."))
        .filter(|h| !h.contains(','))
        .unwrap_or("Unused");
    let mut inner = json!({ "type": t.to_ascii_lowercase() });
    for key in [
        "authorizerUri",
        "authorizerCredentials",
        "identityValidationExpression",
        "authorizerResultTtlInSeconds",
        "providerARNs",
    ] {
        if let Some(v) = a.get(key) {
            inner[key] = v.clone();
        }
    }
    if t != "TOKEN" || header == "Unused" {
        if let Some(v) = a.get("identitySource") {
            inner["identitySource"] = v.clone();
        }
    }
    let mut scheme = json!({ "type": "apiKey", "name": header, "in": "header" });
    if let Some(auth_type) = s(a, "authType") {
        scheme["x-amazon-apigateway-authtype"] = json!(auth_type);
    }
    scheme["x-amazon-apigateway-authorizer"] = inner;
    scheme
}

/// A method's integration as `x-amazon-apigateway-integration` (type and passthrough
/// behaviour in lower case, as AWS writes them; responses keyed by selection pattern; the
/// defaults AWS leaves out — INTERNET, 29000 ms, the resource as cache namespace, no cache
/// keys — left out).
fn integration(i: &Map<String, Value>, resource_id: &str) -> Map<String, Value> {
    let mut out = Map::new();
    for key in [
        "type",
        "httpMethod",
        "uri",
        "connectionType",
        "connectionId",
        "credentials",
        "requestParameters",
        "requestTemplates",
        "passthroughBehavior",
        "contentHandling",
        "timeoutInMillis",
        "cacheNamespace",
        "cacheKeyParameters",
        "tlsConfig",
    ] {
        let Some(v) = i.get(key) else { continue };
        let v = match (key, v) {
            ("type" | "passthroughBehavior", Value::String(t)) => json!(t.to_ascii_lowercase()),
            ("connectionType", Value::String(t)) if t == "INTERNET" => continue,
            ("timeoutInMillis", v) if v.as_i64() == Some(29_000) => continue,
            ("cacheNamespace", Value::String(n)) if n == resource_id => continue,
            ("cacheKeyParameters", Value::Array(a)) if a.is_empty() => continue,
            _ => v.clone(),
        };
        out.insert(key.into(), v);
    }
    let mut responses = Map::new();
    for (code, r) in i
        .get("integrationResponses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let pattern = r
            .get("selectionPattern")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .unwrap_or("default");
        let mut one = json!({ "statusCode": code });
        for key in ["responseParameters", "responseTemplates", "contentHandling"] {
            if let Some(v) = r.get(key) {
                one[key] = v.clone();
            }
        }
        responses.insert(pattern.to_string(), one);
    }
    if !responses.is_empty() {
        out.insert("responses".into(), Value::Object(responses));
    }
    out
}
