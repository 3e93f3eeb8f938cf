//! ImportRestApi and PutRestApi: an OpenAPI document becomes the management calls a user
//! would have made (CreateRestApi or UpdateRestApi here, then `components`: CreateModel,
//! CreateRequestValidator, CreateAuthorizer, PutGatewayResponse; then `paths`), run through
//! the room's own handlers against a [`Staging`] copy of the store and committed in one
//! transaction.
//!
//! Query parameters (AWS's): `basepath` (`ignore` by default, `prepend`, `split`),
//! `endpointConfigurationTypes` (ImportRestApi), `failonwarnings` (warnings refuse the import
//! instead of being listed in the answer's `warnings`), `ignore=documentation`, and
//! PutRestApi's `mode` (`merge` by default, `overwrite`).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use hyper::HeaderMap;
use portico_core::Tenant;
use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::docs::import as doc_import;
use crate::error::ApiError;
use crate::store::{self, kind, Txn};
use crate::{restapis, Ctx};

use super::document::{import_error, Document};
use super::staging::Staging;
use super::{components, paths};

/// How the document is applied: AWS's query parameters.
pub struct Options {
    /// Path segments prepended to every path of the document (`basepath`).
    pub prefix: Vec<String>,
    pub fail_on_warnings: bool,
    pub ignore_documentation: bool,
    pub overwrite: bool,
    pub endpoint_types: Option<Vec<String>>,
}

impl Options {
    fn of(call: &Call, doc: &Document) -> Result<Options, ApiError> {
        // `parameters` of the SDKs' model travel as plain query parameters.
        let param = |name: &str| call.query(name).filter(|v| !v.is_empty());
        let base: Vec<String> = doc
            .base_path()
            .split('/')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let prefix = match param("basepath").map(str::to_ascii_lowercase).as_deref() {
            None | Some("ignore") => Vec::new(),
            Some("prepend") => base,
            Some("split") => base.into_iter().skip(1).collect(),
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Invalid basepath parameter value '{other}'. Valid values are ignore, prepend, split"
                )))
            }
        };
        let fail_on_warnings = call.query_bool("failonwarnings")?.unwrap_or(false);
        // ImportRestApi's `mode` is its route's `import`.
        let mode = call.query("mode").filter(|m| !m.is_empty());
        let overwrite = match mode.filter(|_| call.operation == "PutRestApi") {
            None | Some("merge") => false,
            Some("overwrite") => true,
            Some(_) => {
                // moto's text (its tests pin it); AWS's is not on record.
                return Err(ApiError::bad_request(
                    "Enumeration value of OpenAPI import mode must be \"overwrite\" or \"merge\"",
                ));
            }
        };
        let endpoint_types = param("endpointConfigurationTypes").map(|t| {
            t.split(',')
                .map(|s| s.trim().to_ascii_uppercase())
                .collect()
        });
        Ok(Options {
            prefix,
            fail_on_warnings,
            ignore_documentation: param("ignore") == Some("documentation"),
            overwrite,
            endpoint_types,
        })
    }
}

/// Runs management calls through the room's handlers over the staged store.
pub struct Runner {
    cx: Ctx,
    tenant: Tenant,
    pub api_id: String,
    pub warnings: Vec<String>,
}

impl Runner {
    fn new(cx: &Ctx, staging: Arc<Staging>, tenant: Tenant) -> Runner {
        let inner =
            Ctx::new(staging, cx.data_plane.clone()).with_load_balancers(cx.load_balancers.clone());
        Runner {
            cx: inner,
            tenant,
            api_id: String::new(),
            warnings: Vec::new(),
        }
    }

    /// One management call; its JSON answer (`Null` for an empty one).
    pub fn call(&self, method: &str, path: &str, body: Value) -> Result<Value, ApiError> {
        let body = match body {
            Value::Null => Bytes::new(),
            v => Bytes::from(v.to_string()),
        };
        let (status, call) = portico_mgmt::route(
            &self.cx.routes,
            &self.tenant,
            method,
            path,
            "",
            &HeaderMap::new(),
            body,
        )?;
        let done = crate::handle_blocking(&self.cx, status, call)?;
        Ok(match done.reply {
            Reply::Json(v) => v,
            _ => Value::Null,
        })
    }

    /// A call whose failure ends the import, with `what` saying which entity failed.
    pub fn must(
        &self,
        method: &str,
        path: &str,
        body: Value,
        what: impl FnOnce() -> String,
    ) -> Result<Value, ApiError> {
        self.call(method, path, body)
            .map_err(|e| import_error(format!("{}: {}", what(), e.message)))
    }

    /// Work on the staged documents directly (what no operation does: dropping the default
    /// models, clearing an API for `overwrite`).
    pub fn txn<R>(
        &self,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        store::write(&*self.cx.store, &self.tenant, f)
    }

    pub fn api(&self) -> String {
        format!("/restapis/{}", self.api_id)
    }
}

/// The names the document gives to entities, and the ids they got.
#[derive(Default)]
pub struct Names {
    pub validators: HashMap<String, String>,
    /// Security scheme name → (authorizer id, authorizer type).
    pub authorizers: HashMap<String, (String, String)>,
}

pub(crate) fn import_rest_api(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let mut doc = Document::parse(&call.body)?;
    doc.resolve_aws_variables(&call.tenant);
    let opts = Options::of(call, &doc)?;
    let staging = Arc::new(Staging::new(cx.store.clone(), call.tenant.clone()));
    let mut run = Runner::new(cx, staging.clone(), call.tenant.clone());
    let api = run.must("POST", "/restapis", create_body(&doc, &opts)?, || {
        "Unable to create the REST API".to_string()
    })?;
    run.api_id = api["id"].as_str().unwrap_or_default().to_string();
    // Only the document's models: AWS's imported APIs have no default Empty and Error.
    let api_id = run.api_id.clone();
    run.txn(|txn| {
        txn.delete(kind::MODEL, &api_id, "Empty")?;
        txn.delete(kind::MODEL, &api_id, "Error")?;
        Ok(())
    })?;
    definition(&mut run, &doc, &opts)?;
    finish(cx, call, &run, &staging, &opts, None)
}

pub(crate) fn put_rest_api(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    // AWS reads the document before it looks for the API (its recorded answer to a bad
    // document names no API).
    let mut doc = Document::parse(&call.body)?;
    doc.resolve_aws_variables(&call.tenant);
    let opts = Options::of(call, &doc)?;
    let api_id = call.label("restapi_id").to_string();
    store::read(&*cx.store, &call.tenant, |txn| {
        restapis::require(txn, &call.tenant, &api_id)
    })?;
    let staging = Arc::new(Staging::new(cx.store.clone(), call.tenant.clone()));
    let mut run = Runner::new(cx, staging.clone(), call.tenant.clone());
    run.api_id = api_id;
    if opts.overwrite {
        clear(&run)?;
    }
    update_api(&run, &doc, &opts)?;
    definition(&mut run, &doc, &opts)?;
    finish(cx, call, &run, &staging, &opts, Some(json!({})))
}

/// Refuse on warnings if asked, commit the staged documents, answer the REST API.
fn finish(
    cx: &Ctx,
    call: &Call,
    run: &Runner,
    staging: &Staging,
    opts: &Options,
    tags_default: Option<Value>,
) -> Result<Reply, ApiError> {
    // The same warning may come from several places (a media type listed twice, say).
    let mut seen = HashSet::new();
    let warnings: Vec<&String> = run.warnings.iter().filter(|w| seen.insert(*w)).collect();
    if opts.fail_on_warnings && !warnings.is_empty() {
        let listed: Vec<&str> = warnings.iter().map(|w| w.as_str()).collect();
        return Err(ApiError::bad_request(format!(
            "Warnings found during import:\n\t{}",
            listed.join("\n\t")
        )));
    }
    let api_id = run.api_id.clone();
    let api = run.txn(|txn| restapis::load(txn, &call.tenant, &api_id))?;
    store::write(&*cx.store, &call.tenant, |txn| Ok(staging.commit(txn)?))?;
    let mut api = Value::Object(api);
    if let Some(tags) = tags_default {
        if api.get("tags").is_none() {
            api["tags"] = tags;
        }
    }
    if !warnings.is_empty() {
        api["warnings"] = json!(warnings);
    }
    Ok(Reply::Json(api))
}

/// CreateRestApi's body from the document's `info` and API-level extensions.
fn create_body(doc: &Document, opts: &Options) -> Result<Value, ApiError> {
    let name = doc
        .info("title")
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| import_error("Unable to create the REST API: info.title is missing"))?;
    let mut body = json!({ "name": name });
    if let Some(d) = doc.info("description").filter(|d| !d.is_empty()) {
        body["description"] = json!(d);
    }
    if let Some(v) = info_version(doc) {
        body["version"] = json!(v);
    }
    api_extensions(doc, &mut body)?;
    let ec = doc.get("x-amazon-apigateway-endpoint-configuration");
    let mut endpoint = Map::new();
    if let Some(types) = &opts.endpoint_types {
        endpoint.insert("types".into(), json!(types));
    }
    if let Some(ids) = ec.and_then(|e| e.get("vpcEndpointIds")) {
        endpoint.insert("vpcEndpointIds".into(), ids.clone());
    }
    if let Some(ip) = ec.and_then(|e| e.get("ipAddressType")) {
        endpoint.insert("ipAddressType".into(), ip.clone());
    }
    if !endpoint.is_empty() {
        body["endpointConfiguration"] = Value::Object(endpoint);
    }
    if let Some(d) = ec.and_then(|e| e.get("disableExecuteApiEndpoint")) {
        body["disableExecuteApiEndpoint"] = d.clone();
    }
    let mut tags = Map::new();
    for t in doc
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let (Some(k), Some(v)) = (
            t.get("name").and_then(Value::as_str),
            t.get("x-amazon-apigateway-tag-value")
                .and_then(Value::as_str),
        ) {
            tags.insert(k.into(), json!(v));
        }
    }
    if !tags.is_empty() {
        body["tags"] = Value::Object(tags);
    }
    Ok(body)
}

/// `info.version`, which YAML may have read as a number.
fn info_version(doc: &Document) -> Option<String> {
    match doc.get("info")?.get("version")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The API-level extensions both CreateRestApi's body and PutRestApi's update take.
fn api_extensions(doc: &Document, body: &mut Value) -> Result<(), ApiError> {
    if let Some(types) = doc.get("x-amazon-apigateway-binary-media-types") {
        body["binaryMediaTypes"] = types.clone();
    }
    if let Some(n) = doc.get("x-amazon-apigateway-minimum-compression-size") {
        body["minimumCompressionSize"] = n.clone();
    }
    if let Some(s) = doc.get("x-amazon-apigateway-api-key-source") {
        body["apiKeySource"] = json!(super::document::upper(Some(s)));
    }
    match doc.get("x-amazon-apigateway-policy") {
        None => {}
        Some(Value::String(p)) => body["policy"] = json!(p),
        Some(p) => body["policy"] = json!(p.to_string()),
    }
    Ok(())
}

/// PutRestApi: the API's own members through UpdateRestApi's patch rules. `overwrite`
/// replaces the binary media types; `merge` adds the document's.
fn update_api(run: &Runner, doc: &Document, opts: &Options) -> Result<(), ApiError> {
    let api_id = run.api_id.clone();
    let tenant = run.tenant.clone();
    let current = run.txn(|txn| restapis::load(txn, &tenant, &api_id))?;
    let mut ops = Vec::new();
    let mut set = |path: &str, value: Option<String>| match value {
        Some(v) => ops.push(json!({"op": "replace", "path": path, "value": v})),
        None => ops.push(json!({"op": "remove", "path": path})),
    };
    if let Some(t) = doc.info("title").filter(|t| !t.is_empty()) {
        set("/name", Some(t.to_string()));
    }
    match doc.info("description") {
        Some(d) => set("/description", Some(d.to_string())),
        None if opts.overwrite && current.contains_key("description") => set("/description", None),
        None => {}
    }
    if let Some(v) = info_version(doc) {
        set("/version", Some(v));
    }
    let mut ext = json!({});
    api_extensions(doc, &mut ext)?;
    if let Some(n) = ext.get("minimumCompressionSize") {
        set("/minimumCompressionSize", Some(n.to_string()));
    }
    for key in ["apiKeySource", "policy"] {
        if let Some(v) = ext.get(key).and_then(Value::as_str) {
            set(&format!("/{key}"), Some(v.to_string()));
        }
    }
    let escape = |t: &str| t.replace('~', "~0").replace('/', "~1");
    if let Some(types) = ext.get("binaryMediaTypes").and_then(Value::as_array) {
        if opts.overwrite {
            for old in current
                .get("binaryMediaTypes")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                ops.push(
                    json!({"op": "remove", "path": format!("/binaryMediaTypes/{}", escape(old))}),
                );
            }
        }
        for t in types.iter().filter_map(Value::as_str) {
            ops.push(json!({"op": "add", "path": format!("/binaryMediaTypes/{}", escape(t))}));
        }
    }
    if ops.is_empty() {
        return Ok(());
    }
    run.must(
        "PATCH",
        &run.api(),
        json!({ "patchOperations": ops }),
        || "Unable to update the REST API".to_string(),
    )?;
    Ok(())
}

/// `overwrite`: the API keeps its id, its stages and deployments, and the resources whose
/// paths the document names again (with their ids, as AWS keeps them: LocalStack's recorded
/// `test_import_rest_api_with_base_path_oas30`); every method and everything else the
/// document defines is dropped first, and the resources it no longer names after
/// ([`drop_resources_but`]).
fn clear(run: &Runner) -> Result<(), ApiError> {
    let api_id = run.api_id.clone();
    run.txn(|txn| {
        for k in [
            kind::MODEL,
            kind::REQUEST_VALIDATOR,
            kind::AUTHORIZER,
            kind::GATEWAY_RESPONSE,
            kind::DOCUMENTATION_PART,
        ] {
            for d in txn.list(k, &api_id, 0, usize::MAX)? {
                txn.delete(k, &api_id, &d.id)?;
            }
        }
        for d in txn.list(kind::RESOURCE, &api_id, 0, usize::MAX)? {
            if let Value::Object(mut r) = d.body {
                if r.remove("resourceMethods").is_some() {
                    txn.put(kind::RESOURCE, &api_id, &d.id, &Value::Object(r))?;
                }
            }
        }
        Ok(())
    })
}

/// Delete the resources whose paths are not in `keep` (`overwrite`, after the import).
fn drop_resources_but(run: &Runner, keep: &HashSet<String>) -> Result<(), ApiError> {
    let api_id = run.api_id.clone();
    run.txn(|txn| {
        for d in txn.list(kind::RESOURCE, &api_id, 0, usize::MAX)? {
            let path = d.body.get("path").and_then(Value::as_str).unwrap_or("/");
            if !keep.contains(path) {
                txn.delete(kind::RESOURCE, &api_id, &d.id)?;
            }
        }
        Ok(())
    })
}

/// Everything below the API itself, in an order in which every reference already exists:
/// models, validators, authorizers, gateway responses, paths, documentation.
fn definition(run: &mut Runner, doc: &Document, opts: &Options) -> Result<(), ApiError> {
    components::models(run, doc)?;
    let mut names = Names::default();
    components::validators(run, doc, &mut names)?;
    components::authorizers(run, doc, &mut names)?;
    components::gateway_responses(run, doc)?;
    let touched = paths::import(run, doc, &names, &opts.prefix, opts.overwrite)?;
    if opts.overwrite {
        drop_resources_but(run, &touched)?;
    }
    if !opts.ignore_documentation {
        let (found, warnings) = doc_import::parts_of(&doc.root);
        run.warnings.extend(warnings);
        if !found.is_empty() || opts.overwrite {
            let api_id = run.api_id.clone();
            let overwrite = opts.overwrite;
            run.txn(|txn| doc_import::put_parts(txn, &api_id, found, overwrite))?;
        }
    }
    Ok(())
}

/// A status code written as a number or a string.
pub fn status_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
