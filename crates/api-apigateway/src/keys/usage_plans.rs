//! Usage plans: create, get, list, delete, and the validation UpdateUsagePlan shares
//! (`usage_plan_update`).
//!
//! A plan document is AWS's UsagePlan JSON: `{"id", "name", "description"?, "apiStages": [{"apiId",
//! "stage", "throttle"?: {"/{resourcePath}/{httpMethod}": {"burstLimit", "rateLimit"}}}],
//! "throttle"?: {"burstLimit", "rateLimit"}, "quota"?: {"limit", "offset", "period"},
//! "productCode"?, "tags"?}`. Its keys are `usageplankey` documents scoped by the plan id
//! (see `usage_plan_keys`); its counters live in the store's usage tables (see `usage`).

use std::collections::BTreeSet;

use portico_model::{ApiStage, Entity, IndexMap, QuotaSettings, ThrottleSettings, UsagePlan};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::call::{Call, Members, Reply};
use crate::error::ApiError;
use crate::ids::new_id;
use crate::store::{self, kind, Txn};
use crate::Ctx;
use crate::{paging, Handler};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateUsagePlan" => create,
        "GetUsagePlan" => get,
        "GetUsagePlans" => list,
        "UpdateUsagePlan" => super::usage_plan_update::update,
        "DeleteUsagePlan" => delete,
        _ => return None,
    })
}

/// AWS's text for an unknown usage plan id.
pub fn not_found() -> ApiError {
    ApiError::not_found("Invalid Usage Plan ID specified")
}

pub fn require(txn: &mut dyn Txn, id: &str) -> Result<Map<String, Value>, ApiError> {
    match txn.get(kind::USAGE_PLAN, "", id)? {
        Some(Value::Object(m)) => Ok(m),
        _ => Err(not_found()),
    }
}

/// The `(apiId, stage)` pairs a plan covers.
pub fn stages_of(plan: &Map<String, Value>) -> BTreeSet<(String, String)> {
    plan.get("apiStages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["apiId"].as_str().unwrap_or("").to_string(),
                        s["stage"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// AWS's text for an API stage that does not exist. AWS has been seen returning this format
/// string unformatted on CreateUsagePlan (aws/aws-sdk#354); we fill it in, like AWS does on
/// UpdateUsagePlan.
pub(crate) fn invalid_stage_text(api_id: &str, stage: &str, plan_id: &str) -> String {
    format!("Invalid API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {plan_id}")
}

/// A key may not be in two plans that cover the same API stage, because the data plane could
/// not tell which plan's limits apply. Wording follows AWS's (unverified against a recording).
pub fn stage_conflict(plan_id: &str, key_id: &str, stage: &(String, String)) -> ApiError {
    ApiError::bad_request(format!(
        "Usage Plan {plan_id} cannot be added because API Key {key_id} cannot reference multiple Usage Plans with the same API Stage: {}:{}",
        stage.0, stage.1
    ))
}

/// Check that no key of `plan_id` is also in another plan covering one of `stages`.
pub fn check_key_conflicts(
    txn: &mut dyn Txn,
    plan_id: &str,
    key_ids: &[String],
    stages: &BTreeSet<(String, String)>,
) -> Result<(), ApiError> {
    if key_ids.is_empty() || stages.is_empty() {
        return Ok(());
    }
    for other in txn.list(kind::USAGE_PLAN, "", 0, usize::MAX)? {
        if other.id == plan_id {
            continue;
        }
        let Some(other_plan) = other.body.as_object() else {
            continue;
        };
        let shared: Vec<(String, String)> = stages
            .intersection(&stages_of(other_plan))
            .cloned()
            .collect();
        let Some(first) = shared.first() else {
            continue;
        };
        for key_id in key_ids {
            if txn.exists(kind::USAGE_PLAN_KEY, &other.id, key_id)? {
                return Err(stage_conflict(plan_id, key_id, first));
            }
        }
    }
    Ok(())
}

fn number(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| f.is_finite())
}

/// Validate and normalise ThrottleSettings: `burstLimit` an integer, `rateLimit` a double, both
/// non-negative. The messages are Portico's (AWS's texts for these are not recorded).
pub(crate) fn throttle_settings(v: &Value, field: &str) -> Result<ThrottleSettings, ApiError> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiError::bad_request(format!("Invalid {field}: expected an object")))?;
    let mut out = ThrottleSettings::default();
    if let Some(b) = m.get("burstLimit").filter(|b| !b.is_null()) {
        match b.as_i64() {
            Some(n) if n >= 0 => {
                out.burst_limit = Some(n);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                "Invalid {field}.burstLimit: {b}. The burst limit must be a non-negative integer"
            )))
            }
        }
    }
    if let Some(r) = m.get("rateLimit").filter(|r| !r.is_null()) {
        match number(r) {
            Some(f) if f >= 0.0 => {
                out.rate_limit = Some(f);
            }
            _ => {
                return Err(ApiError::bad_request(format!(
                    "Invalid {field}.rateLimit: {r}. The rate limit must be a non-negative number"
                )))
            }
        }
    }
    Ok(out)
}

/// A method throttle key is `/{resourcePath}/{httpMethod}`: `/pets/GET`, `//GET` for the root,
/// `/*/*` for every method.
pub(crate) fn check_method_key(key: &str) -> Result<(), ApiError> {
    let ok = key.starts_with('/')
        && key
            .rsplit_once('/')
            .is_some_and(|(path, method)| !path.is_empty() && !method.is_empty());
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "Invalid method throttle key '{key}'. It must have the form /{{resourcePath}}/{{httpMethod}}, e.g. /pets/GET"
        )))
    }
}

pub(crate) fn method_throttles(v: &Value) -> Result<IndexMap<String, ThrottleSettings>, ApiError> {
    let m = v.as_object().ok_or_else(|| {
        ApiError::bad_request("Invalid apiStages throttle: expected a map of method throttles")
    })?;
    let mut out = IndexMap::with_capacity(m.len());
    for (key, settings) in m {
        check_method_key(key)?;
        out.insert(key.clone(), throttle_settings(settings, "throttle")?);
    }
    Ok(out)
}

const PERIODS: &[&str] = &["DAY", "WEEK", "MONTH"];

/// Validate the final quota of a plan. `offset` is the day a period starts on: 0 for DAY,
/// 0-6 (Sunday-Saturday) for WEEK, 0-27 (day of month - 1) for MONTH. Enum wording is AWS's
/// validation format; the other texts are Portico's.
pub(crate) fn check_quota(quota: &Map<String, Value>, input: &str) -> Result<(), ApiError> {
    let period = match quota.get("period") {
        None | Some(Value::Null) => {
            return Err(ApiError::validation(format!(
                "1 validation error detected: Value null at '{input}.quota.period' failed to satisfy constraint: Member must not be null"
            )))
        }
        Some(p) => p.as_str().unwrap_or(""),
    };
    if !PERIODS.contains(&period) {
        return Err(ApiError::validation(format!(
            "1 validation error detected: Value '{period}' at '{input}.quota.period' failed to satisfy constraint: Member must satisfy enum value set: [DAY, WEEK, MONTH]"
        )));
    }
    match quota.get("limit").and_then(Value::as_i64) {
        Some(n) if n > 0 => {}
        _ => {
            return Err(ApiError::bad_request(format!(
                "Invalid quota limit specified: {}. The limit must be a positive integer",
                quota.get("limit").unwrap_or(&Value::Null)
            )))
        }
    }
    let offset = quota.get("offset").and_then(Value::as_i64).unwrap_or(-1);
    let max = match period {
        "DAY" => 0,
        "WEEK" => 6,
        _ => 27,
    };
    if !(0..=max).contains(&offset) {
        return Err(ApiError::bad_request(format!(
            "Invalid quota offset specified: {}. For period {period} the offset must be between 0 and {max}",
            quota.get("offset").unwrap_or(&Value::Null)
        )));
    }
    Ok(())
}

fn quota_settings(v: &Value) -> Result<QuotaSettings, ApiError> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiError::bad_request("Invalid quota: expected an object"))?;
    let mut out = Map::new();
    if let Some(l) = m.get("limit").filter(|l| !l.is_null()) {
        out.insert("limit".into(), l.clone());
    }
    // AWS reports `offset: 0` when the caller gave none.
    out.insert(
        "offset".into(),
        m.get("offset")
            .filter(|o| !o.is_null())
            .cloned()
            .unwrap_or(json!(0)),
    );
    if let Some(p) = m.get("period").filter(|p| !p.is_null()) {
        out.insert("period".into(), p.clone());
    }
    check_quota(&out, "createUsagePlanInput")?;
    // Checked above: an integer limit and offset, a period.
    QuotaSettings::deserialize(&out)
        .map_err(|e| ApiError::bad_request(format!("Invalid quota: {e}")))
}

pub(crate) fn stage_exists(txn: &mut dyn Txn, api_id: &str, stage: &str) -> Result<bool, ApiError> {
    Ok(!api_id.is_empty()
        && !stage.is_empty()
        && txn.exists(kind::REST_API, "", api_id)?
        && txn.exists(kind::STAGE, api_id, stage)?)
}

fn api_stages(
    txn: &mut dyn Txn,
    body: &Map<String, Value>,
    plan_id: &str,
) -> Result<Vec<ApiStage>, ApiError> {
    let list = match body.get("apiStages") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => return Err(ApiError::bad_request("apiStages must be a list")),
    };
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for item in list {
        let m = item
            .as_object()
            .ok_or_else(|| ApiError::bad_request("Each API stage must be an object"))?;
        let api_id = m.str_of("apiId")?.unwrap_or_default();
        let stage = m.str_of("stage")?.unwrap_or_default();
        if !stage_exists(txn, &api_id, &stage)? {
            return Err(ApiError::bad_request(invalid_stage_text(
                &api_id, &stage, plan_id,
            )));
        }
        if !seen.insert((api_id.clone(), stage.clone())) {
            // Portico's decision: the same stage twice in one plan is a caller mistake.
            return Err(ApiError::bad_request(format!(
                "Duplicate API Stage {{api: {api_id}, stage: {stage}}} specified for usageplan {plan_id}"
            )));
        }
        let throttle = match m.get("throttle").filter(|t| !t.is_null()) {
            Some(t) => Some(method_throttles(t)?).filter(|t| !t.is_empty()),
            None => None,
        };
        out.push(ApiStage {
            api_id,
            stage,
            throttle,
        });
    }
    Ok(out)
}

fn create(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name = body.required_str("name")?;
    if name.is_empty() {
        return Err(ApiError::bad_request("Usage plan name must be non-empty"));
    }
    let id = new_id(6);
    let mut plan = UsagePlan {
        id: id.clone(),
        name,
        description: body.str_of("description")?,
        ..UsagePlan::default()
    };
    if let Some(t) = body.get("throttle").filter(|t| !t.is_null()) {
        plan.throttle = Some(throttle_settings(t, "throttle")?).filter(|t| !t.is_empty());
    }
    if let Some(q) = body.get("quota").filter(|q| !q.is_null()) {
        plan.quota = Some(quota_settings(q)?);
    }
    plan.tags = crate::tags::from_body(&body)?;
    let plan = store::write(&*cx.store, &call.tenant, |txn| {
        let mut plan = plan;
        plan.api_stages = api_stages(txn, &body, &id)?;
        let plan = plan.to_value();
        txn.put(kind::USAGE_PLAN, "", &id, &plan)?;
        Ok(plan)
    })?;
    Ok(Reply::Json(plan))
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let plan = store::read(&*cx.store, &call.tenant, |txn| {
        require(txn, call.label("usageplanId"))
    })?;
    Ok(Reply::Json(Value::Object(with_tags(plan))))
}

/// GetUsagePlan and UpdateUsagePlan always answer the tags, `{}` when there are none (AWS's
/// recorded answers; CreateUsagePlan and GetUsagePlans do not).
pub(crate) fn with_tags(mut plan: Map<String, Value>) -> Map<String, Value> {
    plan.entry("tags")
        .or_insert_with(|| Value::Object(Map::new()));
    plan
}

fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let key_id = call.query("keyId").filter(|k| !k.is_empty());
    let page = store::read(&*cx.store, &call.tenant, |txn| {
        // The keyId filter needs a lookup per plan; collect the matching ids first so the
        // page function stays a pure filter.
        let member: Option<BTreeSet<String>> = match key_id {
            None => None,
            Some(k) => {
                let mut ids = BTreeSet::new();
                for plan in txn.list(kind::USAGE_PLAN, "", 0, usize::MAX)? {
                    if txn.exists(kind::USAGE_PLAN_KEY, &plan.id, k)? {
                        ids.insert(plan.id);
                    }
                }
                Some(ids)
            }
        };
        paging::page(txn, call, kind::USAGE_PLAN, "", |d| match &member {
            Some(ids) if !ids.contains(&d.id) => None,
            _ => Some(Value::clone(&d.body)),
        })
    })?;
    Ok(Reply::Json(page))
}

/// Key ids currently in a plan.
pub fn key_ids(txn: &mut dyn Txn, plan_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(txn
        .list(kind::USAGE_PLAN_KEY, plan_id, 0, usize::MAX)?
        .into_iter()
        .map(|d| d.id)
        .collect())
}

fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("usageplanId");
    store::write(&*cx.store, &call.tenant, |txn| {
        let plan = require(txn, id)?;
        // AWS refuses to delete a plan that still covers API stages (seen in aws-sdk-js#3841).
        if let Some(first) = plan
            .get("apiStages")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return Err(ApiError::bad_request(format!(
                "Cannot delete Usage Plan {id} because there are API Stages associated with it, including {}:{}",
                first["apiId"].as_str().unwrap_or(""),
                first["stage"].as_str().unwrap_or("")
            )));
        }
        for key in key_ids(txn, id)? {
            txn.delete(kind::USAGE_PLAN_KEY, id, &key)?;
        }
        txn.delete(kind::USAGE_PLAN, "", id)?;
        Ok(())
    })?;
    // Counters are kept outside the document transaction; a failure here leaves orphan rows
    // of a plan id that no longer resolves, which nothing reads.
    cx.store.delete_usage(&call.tenant, id, None)?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(v: Value) -> Result<QuotaSettings, ApiError> {
        quota_settings(&v)
    }

    #[test]
    fn quota_defaults_offset_and_checks_period_limit_and_offset() {
        assert_eq!(
            json!(quota(json!({"limit": 10, "period": "DAY"})).unwrap()),
            json!({"limit": 10, "offset": 0, "period": "DAY"})
        );
        assert!(quota(json!({"limit": 10, "period": "YEAR"}))
            .unwrap_err()
            .message
            .contains("enum value set: [DAY, WEEK, MONTH]"));
        assert!(quota(json!({"limit": 10}))
            .unwrap_err()
            .message
            .contains("Value null"));
        assert!(quota(json!({"limit": 0, "period": "DAY"})).is_err());
        assert!(quota(json!({"limit": 1, "period": "DAY", "offset": 1})).is_err());
        assert!(quota(json!({"limit": 1, "period": "WEEK", "offset": 6})).is_ok());
        assert!(quota(json!({"limit": 1, "period": "WEEK", "offset": 7})).is_err());
        assert!(quota(json!({"limit": 1, "period": "MONTH", "offset": 27})).is_ok());
        assert!(quota(json!({"limit": 1, "period": "MONTH", "offset": 28})).is_err());
    }

    #[test]
    fn method_throttle_keys_need_path_and_method() {
        for good in ["/pets/GET", "//GET", "/*/*", "/pets/{id}/DELETE"] {
            assert!(check_method_key(good).is_ok(), "{good}");
        }
        for bad in ["pets/GET", "/GET", "/pets/", ""] {
            assert!(check_method_key(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn throttle_settings_are_typed_and_non_negative() {
        assert_eq!(
            json!(
                throttle_settings(&json!({"burstLimit": 5, "rateLimit": 2}), "throttle").unwrap()
            ),
            json!({"burstLimit": 5, "rateLimit": 2.0})
        );
        assert!(throttle_settings(&json!({"burstLimit": -1}), "throttle").is_err());
        assert!(throttle_settings(&json!({"rateLimit": "x"}), "throttle").is_err());
    }
}
