//! Functions: CreateFunction, GetFunction, GetFunctionConfiguration, ListFunctions,
//! UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction.

use base64::Engine;
use portico_core::ApiError;
use portico_mgmt::call::Members;
use portico_model::lambda::{self as model, CODE};
use portico_store::{kind, Txn};
use serde_json::{json, Map, Value};

use crate::common::{self, function_ref, now, uuid};
use crate::{error, versions, Call, Ctx, Handler, Reply};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateFunction" => create,
        "GetFunction" => get,
        "GetFunctionConfiguration" => get_configuration,
        "ListFunctions" => list,
        "UpdateFunctionCode" => update_code,
        "UpdateFunctionConfiguration" => update_configuration,
        "DeleteFunction" => delete,
        _ => return None,
    })
}

const RUNTIMES: &[&str] = &[
    "nodejs",
    "nodejs4.3",
    "nodejs6.10",
    "nodejs8.10",
    "nodejs10.x",
    "nodejs12.x",
    "nodejs14.x",
    "nodejs16.x",
    "java8",
    "java8.al2",
    "java11",
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
    "python3.9",
    "dotnetcore1.0",
    "dotnetcore2.0",
    "dotnetcore2.1",
    "dotnetcore3.1",
    "dotnet6",
    "dotnet8",
    "nodejs4.3-edge",
    "go1.x",
    "ruby2.5",
    "ruby2.7",
    "provided",
    "provided.al2",
    "nodejs18.x",
    "python3.10",
    "java17",
    "ruby3.2",
    "ruby3.3",
    "ruby3.4",
    "python3.11",
    "nodejs20.x",
    "provided.al2023",
    "python3.12",
    "java21",
    "python3.13",
    "nodejs22.x",
    "nodejs24.x",
    "python3.14",
    "java25",
    "dotnet10",
    "ruby4.0",
];

/// Environment variable names Lambda sets itself and refuses from users.
const RESERVED: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// The code of a `ZipFile` (base64 in the JSON body), checked and written to the code folder.
struct Code {
    /// Hex SHA-256: the file's name.
    hex: String,
    /// Base64 SHA-256: `CodeSha256`.
    sha256: String,
    size: usize,
}

fn take_code(
    cx: &Ctx,
    b: &Map<String, Value>,
    code_member: Option<&str>,
) -> Result<Code, ApiError> {
    let holder: &Map<String, Value> = match code_member {
        Some(m) => match b.get(m) {
            Some(Value::Object(o)) => o,
            _ => return Err(error::invalid("Please provide a source for function code.")),
        },
        None => b,
    };
    let Some(zip_b64) = holder.str_of("ZipFile")? else {
        if ["S3Bucket", "S3Key", "ImageUri"]
            .iter()
            .any(|k| holder.contains_key(*k))
        {
            return Err(ApiError::new(
                501,
                "NotImplementedException",
                "Portico takes function code as ZipFile only (S3Bucket/S3Key and ImageUri are not supported yet); see \"Not yet supported\" in Portico's README",
            ));
        }
        return Err(error::invalid("Please provide a source for function code."));
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(zip_b64.as_bytes())
        .map_err(|_| {
            error::invalid(
                "Could not unzip uploaded file. Please check your file, then try to upload again.",
            )
        })?;
    if zip::ZipArchive::new(std::io::Cursor::new(&bytes)).is_err() {
        return Err(error::invalid(
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
        ));
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, &bytes);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    let path = model::code_path(&cx.root, &hex);
    if !path.exists() {
        let write = || -> std::io::Result<()> {
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = path.with_extension(format!("tmp{}", uuid()));
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &path)
        };
        write().map_err(|e| {
            ApiError::new(
                500,
                "ServiceException",
                format!("could not store the code: {e}"),
            )
        })?;
    }
    Ok(Code {
        hex,
        sha256: base64::engine::general_purpose::STANDARD.encode(digest.as_ref()),
        size: bytes.len(),
    })
}

/// The settings CreateFunction and UpdateFunctionConfiguration share, applied to `cfg`.
fn apply_settings(cfg: &mut Map<String, Value>, b: &Map<String, Value>) -> Result<(), ApiError> {
    if let Some(role) = b.str_of("Role")? {
        let ok = role.starts_with("arn:aws")
            && role.split(":iam::").nth(1).is_some_and(|r| {
                let r = r.as_bytes();
                r.len() > 18
                    && r[..12].iter().all(u8::is_ascii_digit)
                    && r[12..].starts_with(b":role/")
            });
        if !ok {
            return Err(error::validation(format!("1 validation error detected: Value '{role}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{{12}}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")));
        }
        cfg.insert("Role".into(), json!(role));
    }
    if let Some(runtime) = b.str_of("Runtime")? {
        if !RUNTIMES.contains(&runtime.as_str()) {
            return Err(error::validation(format!(
                "1 validation error detected: Value '{runtime}' at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [{}] or be a valid ARN",
                RUNTIMES.join(", ")
            )));
        }
        cfg.insert("Runtime".into(), json!(runtime));
    }
    if let Some(handler) = b.str_of("Handler")? {
        if handler.is_empty() || handler.len() > 128 || handler.chars().any(char::is_whitespace) {
            return Err(error::validation(format!("1 validation error detected: Value '{handler}' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+")));
        }
        cfg.insert("Handler".into(), json!(handler));
    }
    if let Some(d) = b.str_of("Description")? {
        if d.chars().count() > 256 {
            return Err(error::validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256"));
        }
        cfg.insert("Description".into(), json!(d));
    }
    if let Some(t) = b.i64_of("Timeout")? {
        if !(1..=900).contains(&t) {
            return Err(error::range("timeout", t, 1, 900));
        }
        cfg.insert("Timeout".into(), json!(t));
    }
    if let Some(m) = b.i64_of("MemorySize")? {
        if !(128..=10240).contains(&m) {
            return Err(error::range("memorySize", m, 128, 10240));
        }
        cfg.insert("MemorySize".into(), json!(m));
    }
    if let Some(env) = b.get("Environment") {
        let vars = env.get("Variables").cloned().unwrap_or_else(|| json!({}));
        let Value::Object(vars) = vars else {
            return Err(error::invalid("Environment.Variables must be a map"));
        };
        let reserved: Vec<&str> = vars
            .keys()
            .filter(|k| RESERVED.contains(&k.as_str()))
            .map(String::as_str)
            .collect();
        if !reserved.is_empty() {
            return Err(error::invalid(format!("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: {}", reserved.join(", "))));
        }
        if let Some((k, _)) = vars.iter().find(|(_, v)| !v.is_string()) {
            return Err(error::invalid(format!(
                "Environment variable {k} must be a string"
            )));
        }
        if serde_json::to_vec(&vars).map_or(0, |v| v.len()) > 4096 {
            return Err(error::invalid("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit."));
        }
        cfg.insert("Environment".into(), json!({ "Variables": vars }));
    }
    Ok(())
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = b.required_str("FunctionName")?;
    let r = function_ref(&call.tenant, &name, None)?;
    if r.qualifier.is_some() {
        return Err(error::invalid(
            "Unsupported function name: qualifiers are not allowed in CreateFunction",
        ));
    }
    let name = r.name;
    b.required_str("Role")?;
    if b.str_of("PackageType")?.as_deref() == Some("Image") {
        return Err(ApiError::new(501, "NotImplementedException", "Portico runs Zip functions only (PackageType Image is not supported yet); see \"Not yet supported\" in Portico's README"));
    }
    if b.str_of("Runtime")?.is_none() || b.str_of("Handler")?.is_none() {
        return Err(error::invalid(
            "Runtime and Handler are mandatory parameters for functions created with deployment packages.",
        ));
    }
    if let Some(Value::Array(archs)) = b.get("Architectures") {
        if archs.len() != 1 || !matches!(archs[0].as_str(), Some("x86_64" | "arm64")) {
            return Err(error::validation("1 validation error detected: Value at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64]]"));
        }
    }
    let mut cfg = Map::new();
    cfg.insert("FunctionName".into(), json!(name));
    cfg.insert(
        "FunctionArn".into(),
        json!(model::function_arn(&call.tenant, &name)),
    );
    cfg.insert("Runtime".into(), Value::Null);
    cfg.insert("Role".into(), Value::Null);
    cfg.insert("Handler".into(), Value::Null);
    cfg.insert("CodeSize".into(), json!(0));
    cfg.insert("Description".into(), json!(""));
    cfg.insert("Timeout".into(), json!(3));
    cfg.insert("MemorySize".into(), json!(128));
    cfg.insert("LastModified".into(), json!(now()));
    cfg.insert("CodeSha256".into(), json!(""));
    cfg.insert("Version".into(), json!("$LATEST"));
    apply_settings(&mut cfg, &b)?;
    let code = take_code(cx, &b, Some("Code"))?;
    cfg.insert("CodeSize".into(), json!(code.size));
    cfg.insert("CodeSha256".into(), json!(code.sha256));
    cfg.insert("TracingConfig".into(), json!({"Mode": b.get("TracingConfig").and_then(|t| t.get("Mode")).and_then(Value::as_str).unwrap_or("PassThrough")}));
    cfg.insert("RevisionId".into(), json!(uuid()));
    cfg.insert("State".into(), json!("Active"));
    cfg.insert("LastUpdateStatus".into(), json!("Successful"));
    cfg.insert("PackageType".into(), json!("Zip"));
    cfg.insert(
        "Architectures".into(),
        b.get("Architectures")
            .cloned()
            .unwrap_or_else(|| json!(["x86_64"])),
    );
    cfg.insert(
        "EphemeralStorage".into(),
        b.get("EphemeralStorage")
            .cloned()
            .unwrap_or_else(|| json!({"Size": 512})),
    );
    cfg.insert(
        "SnapStart".into(),
        json!({"ApplyOn": "None", "OptimizationStatus": "Off"}),
    );
    cfg.insert(
        "LoggingConfig".into(),
        json!({"LogFormat": "Text", "LogGroup": format!("/aws/lambda/{name}")}),
    );
    cfg.insert(CODE.into(), json!(code.hex));
    cfg.insert("_nextVersion".into(), json!(1));
    if let Some(tags) = b.get("Tags") {
        cfg.insert("_tags".into(), tags.clone());
    }
    let publish = b.bool_of("Publish")?.unwrap_or(false);
    let answer = crate::store::write(&*cx.store, &call.tenant, |tx| {
        if tx.exists(kind::LAMBDA_FUNCTION, "", &name)? {
            return Err(error::conflict(format!("Function already exist: {name}")));
        }
        tx.put(
            kind::LAMBDA_FUNCTION,
            "",
            &name,
            &Value::Object(cfg.clone()),
        )?;
        if publish {
            return versions::publish_in(tx, &call.tenant, &name, None, None);
        }
        Ok(cfg)
    })?;
    Ok(Reply::Json(model::public(&answer)))
}

/// `$LATEST`'s configuration, or the error AWS answers when there is none.
pub(crate) fn latest(
    tx: &mut dyn Txn,
    tenant: &portico_core::Tenant,
    name: &str,
) -> Result<Map<String, Value>, ApiError> {
    match tx.get(kind::LAMBDA_FUNCTION, "", name)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(common::not_found(tenant, name, None)),
    }
}

/// The configuration a path and `Qualifier` name.
fn resolved(cx: &Ctx, call: &Call) -> Result<Map<String, Value>, ApiError> {
    let r = function_ref(
        &call.tenant,
        call.label("FunctionName"),
        call.query("Qualifier"),
    )?;
    crate::store::read(&*cx.store, &call.tenant, |tx| {
        match model::resolve(tx, &r.name, r.qualifier.as_deref())? {
            Some(res) => Ok(res.config),
            None => Err(common::not_found(
                &call.tenant,
                &r.name,
                r.qualifier.as_deref(),
            )),
        }
    })
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let cfg = resolved(cx, call)?;
    let mut out = json!({
        "Configuration": model::public(&cfg),
        "Code": {"RepositoryType": "S3"},
    });
    if let Some(tags) = cfg.get("_tags") {
        out["Tags"] = tags.clone();
    }
    Ok(Reply::Json(out))
}

fn get_configuration(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    Ok(Reply::Json(model::public(&resolved(cx, call)?)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (start, max) = common::page(call)?;
    let all_versions = match call.query("FunctionVersion") {
        None => false,
        Some("ALL") => true,
        Some(v) => {
            return Err(error::validation(format!("1 validation error detected: Value '{v}' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]")))
        }
    };
    let mut configs = crate::store::read(&*cx.store, &call.tenant, |tx| {
        let mut out = Vec::new();
        let mut fns = crate::store::all(tx, kind::LAMBDA_FUNCTION, "")?;
        fns.sort_by(|a, b| a.id.cmp(&b.id));
        for f in fns {
            if let Value::Object(m) = &f.body {
                out.push(model::public(m));
            }
            if all_versions {
                for v in crate::store::all(tx, kind::LAMBDA_VERSION, &f.id)? {
                    if let Value::Object(m) = &v.body {
                        out.push(model::public(m));
                    }
                }
            }
        }
        Ok(out)
    })?;
    let total = configs.len();
    let page: Vec<Value> = configs.drain(start.min(total)..).take(max).collect();
    let mut out = json!({ "Functions": page });
    if start.saturating_add(max) < total {
        out["NextMarker"] = json!(start.saturating_add(max).to_string());
    }
    Ok(Reply::Json(out))
}

/// `RevisionId` in the body must be the current one, when given.
pub(crate) fn check_revision(
    b: &Map<String, Value>,
    current: &Map<String, Value>,
) -> Result<(), ApiError> {
    if let Some(rev) = b.str_of("RevisionId")? {
        if current.get("RevisionId").and_then(Value::as_str) != Some(rev.as_str()) {
            return Err(error::precondition(
                "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
            ));
        }
    }
    Ok(())
}

fn unqualified(call: &Call) -> Result<String, ApiError> {
    let r = function_ref(&call.tenant, call.label("FunctionName"), None)?;
    if r.qualifier.is_some() {
        return Err(error::invalid("Current operation does not support versions other than $LATEST. Please set version to $LATEST or do not set a version in your request."));
    }
    Ok(r.name)
}

fn update_code(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = unqualified(call)?;
    // Exists before any code is written.
    crate::store::read(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &name)
    })?;
    let code = take_code(cx, &b, None)?;
    let publish = b.bool_of("Publish")?.unwrap_or(false);
    let answer = crate::store::write(&*cx.store, &call.tenant, |tx| {
        let mut cfg = latest(tx, &call.tenant, &name)?;
        check_revision(&b, &cfg)?;
        cfg.insert("CodeSize".into(), json!(code.size));
        cfg.insert("CodeSha256".into(), json!(code.sha256));
        cfg.insert(CODE.into(), json!(code.hex));
        cfg.insert("LastModified".into(), json!(now()));
        cfg.insert("RevisionId".into(), json!(uuid()));
        tx.put(
            kind::LAMBDA_FUNCTION,
            "",
            &name,
            &Value::Object(cfg.clone()),
        )?;
        if publish {
            return versions::publish_in(tx, &call.tenant, &name, None, None);
        }
        Ok(cfg)
    })?;
    Ok(Reply::Json(model::public(&answer)))
}

fn update_configuration(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let name = unqualified(call)?;
    let answer = crate::store::write(&*cx.store, &call.tenant, |tx| {
        let mut cfg = latest(tx, &call.tenant, &name)?;
        check_revision(&b, &cfg)?;
        apply_settings(&mut cfg, &b)?;
        cfg.insert("LastModified".into(), json!(now()));
        cfg.insert("RevisionId".into(), json!(uuid()));
        tx.put(
            kind::LAMBDA_FUNCTION,
            "",
            &name,
            &Value::Object(cfg.clone()),
        )?;
        Ok(cfg)
    })?;
    Ok(Reply::Json(model::public(&answer)))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let r = function_ref(
        &call.tenant,
        call.label("FunctionName"),
        call.query("Qualifier"),
    )?;
    crate::store::write(&*cx.store, &call.tenant, |tx| {
        latest(tx, &call.tenant, &r.name)?;
        match r.qualifier.as_deref() {
            None => {
                tx.delete(kind::LAMBDA_FUNCTION, "", &r.name)?;
                for k in [
                    kind::LAMBDA_VERSION,
                    kind::LAMBDA_ALIAS,
                    kind::LAMBDA_POLICY,
                ] {
                    for d in crate::store::all(tx, k, &r.name)? {
                        tx.delete(k, &r.name, &d.id)?;
                    }
                }
                Ok(())
            }
            Some("$LATEST") => Err(error::invalid(
                "$LATEST version cannot be deleted without deleting the function.",
            )),
            Some(v) if model::is_version(v) => {
                if !tx.exists(kind::LAMBDA_VERSION, &r.name, v)? {
                    return Err(common::not_found(&call.tenant, &r.name, Some(v)));
                }
                let aliases = crate::store::all(tx, kind::LAMBDA_ALIAS, &r.name)?;
                if let Some(a) = aliases
                    .iter()
                    .find(|a| a.body.get("FunctionVersion").and_then(Value::as_str) == Some(v))
                {
                    return Err(error::conflict(format!(
                        "Unable to delete version because the following aliases reference it: [{}]",
                        a.id
                    )));
                }
                tx.delete(kind::LAMBDA_VERSION, &r.name, v)?;
                tx.delete(kind::LAMBDA_POLICY, &r.name, v)?;
                Ok(())
            }
            Some(_) => Err(error::invalid(
                "Deletion of aliases is not supported by DeleteFunction; use DeleteAlias.",
            )),
        }
    })?;
    Ok(Reply::Empty)
}
