//! The paths of an OpenAPI document: resources (one per path segment, shared prefixes once),
//! methods with their request parameters, models, authorization and validator, method
//! responses, and `x-amazon-apigateway-integration` with its responses.
//!
//! Decision: a request or response schema written inline (not a `$ref` to a model) does not
//! become a model, and gives no warning: AWS imports such documents (Pulumi's, recorded by
//! LocalStack) with `failonwarnings=true`.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use crate::error::ApiError;
use crate::ids::new_id;
use crate::store::kind;

use super::document::{import_error, upper, Document};
use super::import::{status_text, Names, Runner};

/// Operation keys of a path item, and the HTTP method each becomes.
const VERBS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// Import every path; answers the paths of the resources the document names (with their
/// ancestors), which `overwrite` keeps.
pub fn import(
    run: &mut Runner,
    doc: &Document,
    names: &Names,
    prefix: &[String],
    overwrite: bool,
) -> Result<HashSet<String>, ApiError> {
    let mut tree = resources(run)?;
    // Resources an `overwrite` keeps: their integrations get a cache namespace of their own,
    // not the resource's id (AWS's recorded overwrite, LocalStack's
    // test_import_rest_api_with_base_path_oas30).
    let kept: HashSet<String> = if overwrite {
        tree.values().cloned().collect()
    } else {
        HashSet::new()
    };
    // Merging into an API whose resources may hold the document's methods already, or a
    // document naming a path twice ("/a" and "/a/"): those methods are replaced.
    let existing: HashSet<String> = if overwrite {
        HashSet::new()
    } else {
        tree.values().cloned().collect()
    };
    let mut put: HashSet<(String, &str)> = HashSet::new();
    let mut touched = HashSet::from(["/".to_string()]);
    for (path, item) in doc.paths() {
        let item = doc.deref(item, &format!("path {path}"))?;
        let mut segments: Vec<String> = prefix.to_vec();
        segments.extend(
            path.split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        let resource_id = ensure_resource(run, &mut tree, &segments, &mut touched)?;
        let full_path = format!("/{}", segments.join("/"));
        // One namespace per kept resource, which all its methods share.
        let namespace = kept.contains(&resource_id).then(|| new_id(6));
        let Some(item) = item.as_object() else {
            continue;
        };
        for (key, op) in item {
            let Some((_, verb)) = VERBS.iter().find(|(k, _)| key.eq_ignore_ascii_case(k)) else {
                continue;
            };
            let at = Place {
                resource_id: &resource_id,
                path: &full_path,
                verb,
                namespace: namespace.as_deref(),
                replace: existing.contains(&resource_id)
                    || !put.insert((resource_id.clone(), *verb)),
            };
            method(run, doc, names, item, op, &at)?;
        }
    }
    Ok(touched)
}

/// The API's resources by path.
fn resources(run: &Runner) -> Result<HashMap<String, String>, ApiError> {
    let api_id = run.api_id.clone();
    let docs = run.txn(|txn| Ok(txn.list(kind::RESOURCE, &api_id, 0, usize::MAX)?))?;
    Ok(docs
        .into_iter()
        .filter_map(|d| Some((d.body.get("path")?.as_str()?.to_string(), d.id)))
        .collect())
}

/// The resource at `segments`, created (with its missing ancestors) through CreateResource.
fn ensure_resource(
    run: &Runner,
    tree: &mut HashMap<String, String>,
    segments: &[String],
    touched: &mut HashSet<String>,
) -> Result<String, ApiError> {
    let mut path = String::from("/");
    let mut id = tree
        .get("/")
        .cloned()
        .ok_or_else(|| ApiError::internal("the API has no root resource"))?;
    for seg in segments {
        let child = if path == "/" {
            format!("/{seg}")
        } else {
            format!("{path}/{seg}")
        };
        id = match tree.get(&child) {
            Some(id) => id.clone(),
            None => {
                let created = run.must(
                    "POST",
                    &format!("{}/resources/{id}", run.api()),
                    json!({ "pathPart": seg }),
                    || format!("Unable to create resource at path '{child}'"),
                )?;
                let new = created["id"].as_str().unwrap_or("").to_string();
                tree.insert(child.clone(), new.clone());
                new
            }
        };
        touched.insert(child.clone());
        path = child;
    }
    Ok(id)
}

struct Place<'a> {
    resource_id: &'a str,
    path: &'a str,
    verb: &'a str,
    /// The cache namespace of a resource `overwrite` kept.
    namespace: Option<&'a str>,
    /// The method may exist already and is replaced.
    replace: bool,
}

impl Place<'_> {
    fn method_url(&self, run: &Runner) -> String {
        format!(
            "{}/resources/{}/methods/{}",
            run.api(),
            self.resource_id,
            self.verb
        )
    }

    /// AWS's form: "Unable to put integration on 'GET' for resource at path '/pets'".
    fn what(&self, doing: &str) -> String {
        format!(
            "Unable to {doing} on '{}' for resource at path '{}'",
            self.verb, self.path
        )
    }
}

fn method(
    run: &mut Runner,
    doc: &Document,
    names: &Names,
    item: &Map<String, Value>,
    op: &Value,
    at: &Place,
) -> Result<(), ApiError> {
    let what = format!("{} {}", at.verb, at.path);
    let mut body = Map::new();
    request(doc, item, op, at, &mut body, &mut run.warnings)?;
    authorization(doc, names, op, &what, &mut body, &mut run.warnings);
    let validator = op
        .get("x-amazon-apigateway-request-validator")
        .or_else(|| doc.get("x-amazon-apigateway-request-validator"))
        .and_then(Value::as_str);
    if let Some(v) = validator {
        let id = names.validators.get(v).ok_or_else(|| {
            import_error(format!(
                "{}: no request validator named '{v}' in x-amazon-apigateway-request-validators",
                at.what("put method")
            ))
        })?;
        body.insert("requestValidatorId".into(), json!(id));
    }
    if let Some(id) = op.get("operationId").and_then(Value::as_str) {
        body.insert("operationName".into(), json!(id));
    }
    body.entry("authorizationType")
        .or_insert_with(|| json!("NONE"));
    let url = at.method_url(run);
    if at.replace {
        // DeleteMethod fails when there is none, which is as good.
        let _ = run.call("DELETE", &url, Value::Null);
    }
    run.must("PUT", &url, Value::Object(body), || at.what("put method"))?;
    responses(run, doc, op, at)?;
    if let Some(integration) = op.get("x-amazon-apigateway-integration") {
        self::integration(run, integration, at)?;
    }
    Ok(())
}

/// Parameters (path, then operation, the later winning) → `requestParameters`; a body
/// parameter or `requestBody` naming a model → `requestModels`.
fn request(
    doc: &Document,
    item: &Map<String, Value>,
    op: &Value,
    at: &Place,
    body: &mut Map<String, Value>,
    warnings: &mut Vec<String>,
) -> Result<(), ApiError> {
    let what = format!("{} {}", at.verb, at.path);
    let mut params = Map::new();
    let mut models = Map::new();
    let listed = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    for p in listed {
        let p = doc.deref(p, &format!("the parameters of {what}"))?;
        let name = p.get("name").and_then(Value::as_str).unwrap_or("");
        let required = p.get("required").and_then(Value::as_bool).unwrap_or(false);
        let place = match p.get("in").and_then(Value::as_str).unwrap_or("") {
            "path" => "path",
            "query" => "querystring",
            "header" => "header",
            "body" => {
                if let Some(schema) = p.get("schema") {
                    if let Some(m) = doc.model_of(schema, &format!("the body of {what}"))? {
                        for ct in media_types(doc, op, "consumes") {
                            models.insert(ct, json!(m));
                        }
                    }
                }
                continue;
            }
            other => {
                warnings.push(format!(
                    "Parse issue: parameter '{name}' of {what} is in '{other}', which API Gateway does not import"
                ));
                continue;
            }
        };
        params.insert(
            format!("method.request.{place}.{name}"),
            json!(required || place == "path"),
        );
    }
    if let Some(rb) = op.get("requestBody") {
        let rb = doc.deref(rb, &format!("the request body of {what}"))?;
        for (ct, media) in rb
            .get("content")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let Some(schema) = media.get("schema") else {
                continue;
            };
            if let Some(m) = doc.model_of(schema, &format!("the request body of {what}"))? {
                models.insert(ct.clone(), json!(m));
            }
        }
    }
    // AWS declares every variable of the path, whether the document lists it or not
    // (LocalStack's recorded import of swagger-mock-cors.json).
    for seg in at.path.split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let name = name.strip_suffix('+').unwrap_or(name);
            params
                .entry(format!("method.request.path.{name}"))
                .or_insert(json!(true));
        }
    }
    if !params.is_empty() {
        body.insert("requestParameters".into(), Value::Object(params));
    }
    if !models.is_empty() {
        body.insert("requestModels".into(), Value::Object(models));
    }
    Ok(())
}

/// Swagger's `consumes`/`produces` of the operation, else of the document, else JSON.
fn media_types(doc: &Document, op: &Value, key: &str) -> Vec<String> {
    let listed = op
        .get(key)
        .or_else(|| doc.get(key))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if listed.is_empty() {
        vec!["application/json".into()]
    } else {
        listed
    }
}

/// `security` (the operation's, else the document's): an authorizer's scheme makes the
/// method CUSTOM or COGNITO_USER_POOLS (with the requirement's scopes), an
/// `x-amazon-apigateway-authtype: awsSigv4` scheme AWS_IAM, an `x-api-key` header scheme
/// requires an API key.
fn authorization(
    doc: &Document,
    names: &Names,
    op: &Value,
    what: &str,
    body: &mut Map<String, Value>,
    warnings: &mut Vec<String>,
) {
    let Some(Value::Array(reqs)) = op.get("security").or_else(|| doc.get("security")) else {
        return;
    };
    let schemes = doc.security_schemes();
    for req in reqs.iter().filter_map(Value::as_object) {
        for (name, scopes) in req {
            if let Some((id, t)) = names.authorizers.get(name) {
                let auth = if t == "COGNITO_USER_POOLS" {
                    "COGNITO_USER_POOLS"
                } else {
                    "CUSTOM"
                };
                body.insert("authorizationType".into(), json!(auth));
                body.insert("authorizerId".into(), json!(id));
                if let Some(s) = scopes.as_array().filter(|s| !s.is_empty()) {
                    if auth == "COGNITO_USER_POOLS" {
                        body.insert("authorizationScopes".into(), json!(s));
                    }
                }
                continue;
            }
            let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
                warnings.push(format!(
                    "Parse issue: {what} names the security scheme '{name}', which the document does not define"
                ));
                continue;
            };
            let auth_type = scheme
                .get("x-amazon-apigateway-authtype")
                .and_then(Value::as_str)
                .unwrap_or("");
            if auth_type.eq_ignore_ascii_case("awsSigv4") {
                body.insert("authorizationType".into(), json!("AWS_IAM"));
            } else if scheme.get("type").and_then(Value::as_str) == Some("apiKey")
                && scheme
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-api-key"))
            {
                body.insert("apiKeyRequired".into(), json!(true));
            } else {
                warnings.push(format!(
                    "Parse issue: the security scheme '{name}' of {what} is not one API Gateway imports (an API key, an awsSigv4 scheme or an x-amazon-apigateway-authorizer)"
                ));
            }
        }
    }
}

/// Each response with a status code becomes a method response: its headers become
/// `method.response.header.*` parameters, a schema naming a model a response model.
fn responses(run: &mut Runner, doc: &Document, op: &Value, at: &Place) -> Result<(), ApiError> {
    let what = format!("{} {}", at.verb, at.path);
    let Some(Value::Object(listed)) = op.get("responses") else {
        return Ok(());
    };
    for (code, r) in listed {
        if code == "default" {
            run.warnings.push(format!(
                "Parse issue: the default response of {what} was ignored; API Gateway method responses need a status code"
            ));
            continue;
        }
        let r = doc.deref(r, &format!("the {code} response of {what}"))?;
        let mut body = Map::new();
        let headers: Map<String, Value> = r
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(h, _)| (format!("method.response.header.{h}"), json!(false)))
            .collect();
        if !headers.is_empty() {
            body.insert("responseParameters".into(), Value::Object(headers));
        }
        let mut models = Map::new();
        let of = format!("the {code} response of {what}");
        if doc.v3 {
            for (ct, media) in r
                .get("content")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if let Some(schema) = media.get("schema") {
                    if let Some(m) = doc.model_of(schema, &of)? {
                        models.insert(ct.clone(), json!(m));
                    }
                }
            }
        } else if let Some(schema) = r.get("schema") {
            if let Some(m) = doc.model_of(schema, &of)? {
                for ct in media_types(doc, op, "produces") {
                    models.insert(ct, json!(m));
                }
            }
        }
        if !models.is_empty() {
            body.insert("responseModels".into(), Value::Object(models));
        }
        run.must(
            "PUT",
            &format!("{}/responses/{code}", at.method_url(run)),
            Value::Object(body),
            || at.what(&format!("put method response {code}")),
        )?;
    }
    Ok(())
}

/// `x-amazon-apigateway-integration`: PutIntegration with every member AWS documents, then
/// its `responses` (selection pattern → response; `default` has none) as integration
/// responses.
fn integration(run: &mut Runner, i: &Value, at: &Place) -> Result<(), ApiError> {
    let Some(t) = upper(i.get("type")) else {
        return Err(import_error(format!(
            "{}: the x-amazon-apigateway-integration has no type",
            at.what("put integration")
        )));
    };
    let mut body = json!({ "type": t });
    let upper_keys = [
        "httpMethod",
        "connectionType",
        "passthroughBehavior",
        "contentHandling",
    ];
    for key in upper_keys {
        if let Some(v) = upper(i.get(key)) {
            body[key] = json!(v);
        }
    }
    for key in ["requestParameters", "requestTemplates"] {
        if let Some(m) = string_map(run, i.get(key), key, at) {
            body[key] = m;
        }
    }
    for key in [
        "uri",
        "connectionId",
        "credentials",
        "timeoutInMillis",
        "cacheNamespace",
        "cacheKeyParameters",
        "tlsConfig",
        "integrationTarget",
        "responseTransferMode",
    ] {
        if let Some(v) = i.get(key) {
            body[key] = v.clone();
        }
    }
    if let (Some(ns), None) = (at.namespace, body.get("cacheNamespace")) {
        body["cacheNamespace"] = json!(ns);
    }
    let url = format!("{}/integration", at.method_url(run));
    run.must("PUT", &url, body, || at.what("put integration"))?;
    let Some(Value::Object(listed)) = i.get("responses") else {
        return Ok(());
    };
    for (pattern, r) in listed {
        let code = r.get("statusCode").map(status_text).ok_or_else(|| {
            import_error(format!(
                "{}: the integration response '{pattern}' has no statusCode",
                at.what("put integration response")
            ))
        })?;
        let mut body = json!({});
        if pattern != "default" {
            body["selectionPattern"] = json!(pattern);
        }
        for key in ["responseParameters", "responseTemplates"] {
            if let Some(m) = string_map(run, r.get(key), key, at) {
                body[key] = m;
            }
        }
        if let Some(v) = upper(r.get("contentHandling")) {
            body["contentHandling"] = json!(v);
        }
        run.must("PUT", &format!("{url}/responses/{code}"), body, || {
            at.what(&format!("put integration response {code}"))
        })?;
    }
    Ok(())
}

/// A map of strings from the document. A member whose value is not a string (`nothing:
/// true`) is left out with AWS's warning (recorded by LocalStack's
/// `test_import_rest_api_with_base_path_oas30`).
fn string_map(run: &mut Runner, v: Option<&Value>, key: &str, at: &Place) -> Option<Value> {
    let m = v?.as_object()?;
    let mut out = Map::new();
    for (k, v) in m {
        match v {
            Value::String(_) => {
                out.insert(k.clone(), v.clone());
            }
            _ => run.warnings.push(format!(
                "Invalid format for '{key}'. Expected type string for property '{k}' of resource '{}' and method '{}' but got '{v}'",
                at.path, at.verb
            )),
        }
    }
    Some(Value::Object(out))
}
