//! API keys: create, get, list, update, delete (ImportApiKeys lives in `api_key_import`).
//!
//! An API key document is AWS's ApiKey JSON including its `value`; readers strip the value
//! unless the caller asked for it (`includeValue(s)`), as AWS does. Values are unique per
//! tenant, enforced through the `apikeyvalue` index (id = value), which the data plane also
//! uses to resolve `x-api-key`. `stageKeys` are stored as AWS returns them: `"{apiId}/{stage}"`.

use portico_model::{ApiKey, Entity};
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::{new_id, now_epoch};
use crate::patch::{self, Apply, Op, PatchOp, Rule, ADD_REMOVE, REPLACE};
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{paging, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateApiKey" => create,
        "GetApiKey" => get,
        "GetApiKeys" => list,
        "UpdateApiKey" => update,
        "DeleteApiKey" => delete,
        "ImportApiKeys" => super::api_key_import::import,
        _ => return None,
    })
}

/// AWS's text for an unknown API key id (moto and AWS agree on it).
pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid API Key identifier specified")
}

pub fn require(txn: &mut dyn Txn, id: &str) -> Result<Map<String, Value>, ApiError> {
    match txn.get(kind::API_KEY, "", id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

/// AWS's limits and texts for a caller-chosen key value (CLI-verified, see terraform-provider-aws
/// PR #30894).
pub fn check_value(value: &str) -> Result<(), ApiError> {
    let n = value.chars().count();
    if n < 20 {
        return Err(ApiError::bad_request(
            "API Key value should be at least 20 characters",
        ));
    }
    if n > 128 {
        return Err(ApiError::bad_request(
            "API Key value exceeds maximum size of 128 characters",
        ));
    }
    Ok(())
}

/// AWS's limit on a key's description (125,000 characters), with its text.
fn check_description(description: Option<&str>) -> Result<(), ApiError> {
    if description.is_some_and(|d| d.chars().count() > 125_000) {
        return Err(ApiError::bad_request(
            "Invalid API Key description specified.",
        ));
    }
    Ok(())
}

/// A generated key value: 40 characters of `[A-Za-z0-9]`, like AWS's.
pub fn generate_value() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..40)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The id of the key holding `value`, if any.
pub fn id_of_value(txn: &mut dyn Txn, value: &str) -> Result<Option<String>, ApiError> {
    Ok(txn
        .get(kind::API_KEY_VALUE, "", value)?
        .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_string)))
}

/// Store a key document and its value index entry.
pub fn save(txn: &mut dyn Txn, key: &Map<String, Value>) -> Result<(), ApiError> {
    let id = key.get("id").and_then(Value::as_str).unwrap_or("");
    if let Some(value) = key.get("value").and_then(Value::as_str) {
        txn.put(kind::API_KEY_VALUE, "", value, &json!({ "id": id }))?;
    }
    Ok(txn.put(kind::API_KEY, "", id, &Value::Object(key.clone()))?)
}

/// The caller's view of a key: without its value unless asked for.
pub fn view(key: &Value, include_value: bool) -> Value {
    let mut v = key.clone();
    if !include_value {
        if let Some(m) = v.as_object_mut() {
            m.remove("value");
        }
    }
    v
}

/// Does the stage exist? Stage documents: kind `stage`, scope = API id, id = stage name.
fn stage_exists(txn: &mut dyn Txn, api_id: &str, stage: &str) -> Result<bool, ApiError> {
    Ok(!api_id.is_empty() && !stage.is_empty() && txn.exists(kind::STAGE, api_id, stage)?)
}

/// AWS rejects stage keys naming a stage that does not exist with this text (seen in
/// CloudFormation failures of AWS::ApiGateway::ApiKey).
fn stage_key_not_found() -> ApiError {
    ApiError::not_found("Invalid stage identifier specified")
}

fn stage_keys(txn: &mut dyn Txn, body: &Map<String, Value>) -> Result<Vec<String>, ApiError> {
    let list = match body.get("stageKeys") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::bad_request("stageKeys must be a list")),
    };
    let mut out: Vec<String> = Vec::new();
    for item in list {
        let m = item
            .as_object()
            .ok_or_else(|| ApiError::bad_request("Each stage key must be an object"))?;
        let api_id = m.str_of("restApiId")?.unwrap_or_default();
        let stage = m.str_of("stageName")?.unwrap_or_default();
        if !stage_exists(txn, &api_id, &stage)? {
            return Err(stage_key_not_found());
        }
        let sk = format!("{api_id}/{stage}");
        if !out.contains(&sk) {
            out.push(sk);
        }
    }
    Ok(out)
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    // An empty value is no value: AWS generates one.
    let value = match body.str_of("value")?.filter(|v| !v.is_empty()) {
        Some(v) => {
            check_value(&v)?;
            v
        }
        None => generate_value(),
    };
    let name = body.str_of("name")?.filter(|n| !n.is_empty());
    if name.as_ref().is_some_and(|n| n.chars().count() > 1024) {
        return Err(ApiError::bad_request(
            "Invalid API Key name, can be at most 1024 characters.",
        ));
    }
    let description = body.str_of("description")?;
    check_description(description.as_deref())?;
    let now = now_epoch();
    let mut key = ApiKey {
        id: new_id(10),
        value: value.clone(),
        name,
        customer_id: body.str_of("customerId")?,
        description,
        // AWS's default is a disabled key: `enabled` is false unless the caller says true.
        enabled: body.bool_of("enabled")?.unwrap_or(false),
        created_date: Some(now),
        last_updated_date: Some(now),
        ..ApiKey::default()
    };
    // `generateDistinctId` is deprecated in AWS (ids are always distinct); accepted and ignored.
    body.bool_of("generateDistinctId")?;
    key.tags = crate::tags::from_body(&body)?;
    let key = store::write(&*cx.store, &call.tenant, |txn| {
        let mut key = key;
        key.stage_keys = stage_keys(txn, &body)?;
        if id_of_value(txn, &value)?.is_some() {
            // AWS's 409 for a value already in use (seen as "API Key already exists").
            return Err(ApiError::conflict("API Key already exists"));
        }
        let key = key.to_map();
        save(txn, &key)?;
        Ok(key)
    })?;
    Ok(Reply::Json(Value::Object(key)))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let include = call.query_bool("includeValue")?.unwrap_or(false);
    let key = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("api_Key"))
    })?;
    Ok(Reply::Json(view(&Value::Object(key), include)))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let include = call.query_bool("includeValues")?.unwrap_or(false);
    // `name` (nameQuery) filters by name prefix, `customerId` by equality.
    let name = call.query("name").filter(|s| !s.is_empty());
    let customer = call.query("customerId").filter(|s| !s.is_empty());
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        // Newest first, and GetApiKeys(limit=-1) answers a page (recorded: LocalStack's
        // TestApigatewayApiKeysCrud, replayed in tests/aws_recorded).
        paging::page_newest_first(txn, call, kind::API_KEY, "", |d| {
            let key_name = d.body.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_some_and(|n| !key_name.starts_with(n)) {
                return None;
            }
            if customer.is_some_and(|c| d.body.get("customerId").and_then(Value::as_str) != Some(c))
            {
                return None;
            }
            Some(view(&d.body, include))
        })
    })?;
    Ok(Reply::Json(page))
}

/// `/stageKeys` add/remove with value `{restApiId}/{stageName}`.
fn patch_stage_key(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?.to_string();
    let list = doc
        .entry("stageKeys")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    let arr = list.as_array_mut().expect("made an array above");
    let pos = arr.iter().position(|x| x.as_str() == Some(v.as_str()));
    match (op.op, pos) {
        (Op::Remove, Some(i)) => {
            arr.remove(i);
        }
        (Op::Add, None) => arr.push(Value::String(v)),
        _ => {}
    }
    Ok(())
}

/// `/enabled` as AWS reads it: `true` (any case) enables, any other text disables.
fn set_enabled(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let on = op
        .value
        .as_deref()
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    doc.insert("enabled".into(), json!(on));
    Ok(())
}

fn set_description(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    check_description(op.value.as_deref())?;
    match op.value.as_deref() {
        Some(v) if !v.is_empty() => doc.insert("description".into(), json!(v)),
        _ => doc.remove("description"),
    };
    Ok(())
}

// In AWS's order: "Must be one of: [/description, /enabled, /name, /customerId]".
const RULES: &[Rule] = &[
    Rule {
        path: "/description",
        ops: REPLACE,
        apply: Apply::Custom(set_description),
    },
    Rule {
        path: "/enabled",
        ops: REPLACE,
        apply: Apply::Custom(set_enabled),
    },
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/customerId",
        ops: REPLACE,
        apply: Apply::OptStr("customerId"),
    },
    Rule {
        path: "/stageKeys",
        ops: ADD_REMOVE,
        apply: Apply::Custom(patch_stage_key),
    },
];

/// A stage key value must be `{restApiId}/{stageName}`; added ones must name a real stage.
fn check_stage_key_ops(txn: &mut dyn Txn, ops: &[PatchOp]) -> Result<(), ApiError> {
    for op in ops.iter().filter(|o| o.path == "/stageKeys") {
        let Some(v) = op.value.as_deref() else {
            continue;
        };
        let Some((api_id, stage)) = v.split_once('/') else {
            return Err(ApiError::bad_request(format!(
                "Invalid stage key specified: {v}. A stage key has the form {{restApiId}}/{{stageName}}"
            )));
        };
        if op.op == Op::Add && !stage_exists(txn, api_id, stage)? {
            return Err(stage_key_not_found());
        }
    }
    Ok(())
}

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("api_Key");
    let ops = patch::parse_call(call)?;
    let key = store::write(&*cx.store, &call.tenant, |txn| {
        let mut key = require(txn, id)?;
        check_stage_key_ops(txn, &ops)?;
        patch::apply(&mut key, &ops, RULES)?;
        key.insert("lastUpdatedDate".into(), json!(now_epoch()));
        save(txn, &key)?;
        Ok(key)
    })?;
    // AWS does not echo the value from UpdateApiKey, and always answers the tags.
    let mut key = view(&Value::Object(key), false);
    if key.get("tags").is_none() {
        key["tags"] = json!({});
    }
    Ok(Reply::Json(key))
}

/// Remove a key, its value index entry and its membership of every usage plan.
pub fn remove(txn: &mut dyn Txn, key: &Map<String, Value>) -> Result<(), ApiError> {
    let id = key.get("id").and_then(Value::as_str).unwrap_or("");
    if let Some(value) = key.get("value").and_then(Value::as_str) {
        txn.delete(kind::API_KEY_VALUE, "", value)?;
    }
    for plan in txn.list(kind::USAGE_PLAN, "", 0, usize::MAX)? {
        txn.delete(kind::USAGE_PLAN_KEY, &plan.id, id)?;
    }
    txn.delete(kind::API_KEY, "", id)?;
    Ok(())
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("api_Key");
    store::write(&*cx.store, &call.tenant, |txn| {
        let key = require(txn, id)?;
        remove(txn, &key)
    })?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_values_are_40_alphanumerics_and_pass_the_value_check() {
        let v = generate_value();
        assert_eq!(v.len(), 40);
        assert!(v.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(check_value(&v).is_ok());
        assert_ne!(v, generate_value());
    }

    #[test]
    fn value_length_limits_use_aws_texts() {
        assert_eq!(
            check_value(&"a".repeat(19)).unwrap_err().message,
            "API Key value should be at least 20 characters"
        );
        assert!(check_value(&"a".repeat(20)).is_ok());
        assert!(check_value(&"a".repeat(128)).is_ok());
        assert_eq!(
            check_value(&"a".repeat(129)).unwrap_err().message,
            "API Key value exceeds maximum size of 128 characters"
        );
    }
}
