//! Usage plan keys: the API keys of a usage plan.
//!
//! Stored as `usageplankey` documents (scope = plan id, id = key id, body `{"id", "type"}`);
//! `name` and `value` are read from the API key when rendering, so renaming a key shows up in
//! every plan, as in AWS.

use portico_model::{Entity, UsagePlanKey};
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{api_keys, paging, usage_plans, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateUsagePlanKey" => create,
        "GetUsagePlanKey" => get,
        "GetUsagePlanKeys" => list,
        "DeleteUsagePlanKey" => delete,
        _ => return None,
    })
}

/// AWS's UsagePlanKey shape for a key in a plan.
fn view(key: &Map<String, Value>, key_type: &str) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), key.get("id").cloned().unwrap_or(Value::Null));
    out.insert("type".into(), json!(key_type));
    for field in ["name", "value"] {
        if let Some(v) = key.get(field) {
            out.insert(field.into(), v.clone());
        }
    }
    Value::Object(out)
}

/// Find a key in a plan. Moto's recorded behaviour: an unknown key id is "Invalid API Key
/// identifier specified"; a real key that is not in the plan is "Invalid Usage Plan ID
/// specified".
pub fn require(txn: &mut dyn Txn, plan_id: &str, key_id: &str) -> Result<Value, ApiError> {
    usage_plans::require(txn, plan_id)?;
    let key = api_keys::require(txn, key_id)?;
    let Some(member) = txn.get(kind::USAGE_PLAN_KEY, plan_id, key_id)? else {
        return Err(usage_plans::not_found());
    };
    Ok(view(
        &key,
        member
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("API_KEY"),
    ))
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let plan_id = call.label("usageplanId");
    let body = call.json()?;
    let key_id = body.required_str("keyId")?;
    let key_type = body.required_str("keyType")?;
    if key_type != "API_KEY" {
        // API_KEY is the only key type AWS has; the text is Portico's.
        return Err(ApiError::bad_request(format!(
            "Invalid key type specified: {key_type}. The only valid key type is API_KEY"
        )));
    }
    let out = store::write(&*cx.store, &call.tenant, |txn| {
        let plan = usage_plans::require(txn, plan_id)?;
        let key = api_keys::require(txn, &key_id)?;
        if txn.exists(kind::USAGE_PLAN_KEY, plan_id, &key_id)? {
            // The wording is Portico's; AWS answers 409 for a key already in the plan.
            return Err(ApiError::conflict(format!(
                "API Key {key_id} is already in Usage Plan {plan_id}"
            )));
        }
        usage_plans::check_key_conflicts(
            txn,
            plan_id,
            std::slice::from_ref(&key_id),
            &usage_plans::stages_of(&plan),
        )?;
        let member = UsagePlanKey {
            id: key_id.clone(),
            key_type: key_type.clone(),
        };
        txn.put(kind::USAGE_PLAN_KEY, plan_id, &key_id, &member.to_value())?;
        Ok(view(&key, &key_type))
    })?;
    Ok(Reply::Json(out))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let out = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("usageplanId"), call.label("keyId"))
    })?;
    Ok(Reply::Json(out))
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let plan_id = call.label("usageplanId");
    let name = call.query("name").filter(|n| !n.is_empty());
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        // An unknown plan has no keys: AWS answers an empty page, not an error (recorded:
        // LocalStack's test_get_usage_plan_api_keys, replayed in tests/aws_recorded).
        if usage_plans::require(txn, plan_id).is_err() {
            return Ok(serde_json::json!({ "item": [] }));
        }
        // Resolve the keys first: the page function cannot reach the store.
        let mut keys = std::collections::HashMap::new();
        for member in txn.list(kind::USAGE_PLAN_KEY, plan_id, 0, usize::MAX)? {
            if let Some(Value::Object(k)) = txn.get(kind::API_KEY, "", &member.id)? {
                let t = member.body["type"]
                    .as_str()
                    .unwrap_or("API_KEY")
                    .to_string();
                keys.insert(member.id, view(&k, &t));
            }
        }
        // Newest first, as AWS answers (recorded: LocalStack's test_get_usage_plan_api_keys).
        paging::page_newest_first(txn, call, kind::USAGE_PLAN_KEY, plan_id, |d| {
            let v = keys.get(&d.id)?;
            let key_name = v.get("name").and_then(Value::as_str).unwrap_or("");
            if name.is_some_and(|n| !key_name.starts_with(n)) {
                return None;
            }
            Some(v.clone())
        })
    })?;
    Ok(Reply::Json(page))
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (plan_id, key_id) = (call.label("usageplanId"), call.label("keyId"));
    store::write(&*cx.store, &call.tenant, |txn| {
        require(txn, plan_id, key_id)?;
        txn.delete(kind::USAGE_PLAN_KEY, plan_id, key_id)?;
        Ok(())
    })?;
    // The key's counters stay: removing and re-adding a key must not reset its quota.
    Ok(Reply::Empty)
}
