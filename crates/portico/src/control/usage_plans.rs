//! Usage plans: create, get, list, update, delete.
//!
//! A plan document is AWS's UsagePlan JSON: `{"id", "name", "description"?, "apiStages": [{"apiId",
//! "stage", "throttle"?: {"/{resourcePath}/{httpMethod}": {"burstLimit", "rateLimit"}}}],
//! "throttle"?: {"burstLimit", "rateLimit"}, "quota"?: {"limit", "offset", "period"},
//! "productCode"?, "tags"?}`. Its keys are `usageplankey` documents scoped by the plan id
//! (see `usage_plan_keys`); its counters live in the store's usage tables (see `usage`).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::call::{Call, Members, Reply};
use super::patch::{self, Apply, Op, PatchOp, Rule, ADD_REMOVE, REPLACE, REPLACE_REMOVE};
use super::{paging, Handler};
use crate::app::App;
use crate::error::ApiError;
use crate::ids::new_id;
use crate::store::{self, kind, Txn};

pub(super) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "CreateUsagePlan" => create,
        "GetUsagePlan" => get,
        "GetUsagePlans" => list,
        "UpdateUsagePlan" => update,
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
fn invalid_stage_text(api_id: &str, stage: &str, plan_id: &str) -> String {
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
            if txn.get(kind::USAGE_PLAN_KEY, &other.id, key_id)?.is_some() {
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
fn throttle_settings(v: &Value, field: &str) -> Result<Map<String, Value>, ApiError> {
    let m = v
        .as_object()
        .ok_or_else(|| ApiError::bad_request(format!("Invalid {field}: expected an object")))?;
    let mut out = Map::new();
    if let Some(b) = m.get("burstLimit").filter(|b| !b.is_null()) {
        match b.as_i64() {
            Some(n) if n >= 0 => {
                out.insert("burstLimit".into(), json!(n));
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
                out.insert("rateLimit".into(), json!(f));
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
fn check_method_key(key: &str) -> Result<(), ApiError> {
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

fn method_throttles(v: &Value) -> Result<Map<String, Value>, ApiError> {
    let m = v.as_object().ok_or_else(|| {
        ApiError::bad_request("Invalid apiStages throttle: expected a map of method throttles")
    })?;
    let mut out = Map::new();
    for (key, settings) in m {
        check_method_key(key)?;
        out.insert(
            key.clone(),
            Value::Object(throttle_settings(settings, "throttle")?),
        );
    }
    Ok(out)
}

const PERIODS: &[&str] = &["DAY", "WEEK", "MONTH"];

/// Validate the final quota of a plan. `offset` is the day a period starts on: 0 for DAY,
/// 0-6 (Sunday-Saturday) for WEEK, 0-27 (day of month - 1) for MONTH. Enum wording is AWS's
/// validation format; the other texts are Portico's.
fn check_quota(quota: &Map<String, Value>, input: &str) -> Result<(), ApiError> {
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

fn quota_settings(v: &Value) -> Result<Map<String, Value>, ApiError> {
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
    Ok(out)
}

fn stage_exists(txn: &mut dyn Txn, api_id: &str, stage: &str) -> Result<bool, ApiError> {
    Ok(!api_id.is_empty()
        && !stage.is_empty()
        && txn.get(kind::REST_API, "", api_id)?.is_some()
        && txn.get(kind::STAGE, api_id, stage)?.is_some())
}

fn api_stages(
    txn: &mut dyn Txn,
    body: &Map<String, Value>,
    plan_id: &str,
) -> Result<Vec<Value>, ApiError> {
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
        let mut s = Map::new();
        s.insert("apiId".into(), json!(api_id));
        s.insert("stage".into(), json!(stage));
        if let Some(t) = m.get("throttle").filter(|t| !t.is_null()) {
            let t = method_throttles(t)?;
            if !t.is_empty() {
                s.insert("throttle".into(), Value::Object(t));
            }
        }
        out.push(Value::Object(s));
    }
    Ok(out)
}

fn create(app: &App, call: &Call) -> Result<Reply, ApiError> {
    let body = call.json()?;
    let name = body.required_str("name")?;
    if name.is_empty() {
        return Err(ApiError::bad_request("Usage plan name must be non-empty"));
    }
    let id = new_id(6);
    let mut plan = Map::new();
    plan.insert("id".into(), json!(id));
    plan.insert("name".into(), json!(name));
    if let Some(d) = body.str_of("description")? {
        plan.insert("description".into(), json!(d));
    }
    if let Some(t) = body.get("throttle").filter(|t| !t.is_null()) {
        let t = throttle_settings(t, "throttle")?;
        if !t.is_empty() {
            plan.insert("throttle".into(), Value::Object(t));
        }
    }
    if let Some(q) = body.get("quota").filter(|q| !q.is_null()) {
        plan.insert("quota".into(), Value::Object(quota_settings(q)?));
    }
    if let Some(tags) = super::tags::from_body(&body)? {
        plan.insert("tags".into(), Value::Object(tags));
    }
    let plan = store::write(&*app.store, call.tenant, |txn| {
        let mut plan = plan;
        plan.insert(
            "apiStages".into(),
            Value::Array(api_stages(txn, &body, &id)?),
        );
        txn.put(kind::USAGE_PLAN, "", &id, &Value::Object(plan.clone()))?;
        Ok(plan)
    })?;
    Ok(Reply::Json(Value::Object(plan)))
}

fn get(app: &App, call: &Call) -> Result<Reply, ApiError> {
    let plan = store::read(&*app.store, call.tenant, |txn| require(txn, call.label(0)))?;
    Ok(Reply::Json(Value::Object(plan)))
}

fn list(app: &App, call: &Call) -> Result<Reply, ApiError> {
    let key_id = call.query("keyId").filter(|k| !k.is_empty());
    let page = store::read(&*app.store, call.tenant, |txn| {
        // The keyId filter needs a lookup per plan; collect the matching ids first so the
        // page function stays a pure filter.
        let member: Option<BTreeSet<String>> = match key_id {
            None => None,
            Some(k) => {
                let mut ids = BTreeSet::new();
                for plan in txn.list(kind::USAGE_PLAN, "", 0, usize::MAX)? {
                    if txn.get(kind::USAGE_PLAN_KEY, &plan.id, k)?.is_some() {
                        ids.insert(plan.id);
                    }
                }
                Some(ids)
            }
        };
        paging::page(txn, call, kind::USAGE_PLAN, "", |d| match &member {
            Some(ids) if !ids.contains(&d.id) => None,
            _ => Some(d.body.clone()),
        })
    })?;
    Ok(Reply::Json(page))
}

/// `/throttle/rateLimit` and `/throttle/burstLimit` replace one member, creating the object.
fn set_plan_throttle(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let member = op.path.rsplit('/').next().unwrap_or("");
    let value = if member == "burstLimit" {
        json!(op.i64_value()?)
    } else {
        json!(op.f64_value()?)
    };
    let t = doc.entry("throttle").or_insert_with(|| json!({}));
    if !t.is_object() {
        *t = json!({});
    }
    t[member] = value;
    Ok(())
}

fn remove_member(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    doc.remove(op.path.trim_start_matches('/'));
    Ok(())
}

/// `/quota/limit`, `/quota/offset` (integers) and `/quota/period` replace one member.
fn set_quota_member(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let member = op.path.rsplit('/').next().unwrap_or("");
    let value = if member == "period" {
        json!(op.value()?)
    } else {
        json!(op.i64_value()?)
    };
    let q = doc.entry("quota").or_insert_with(|| json!({ "offset": 0 }));
    if !q.is_object() {
        *q = json!({ "offset": 0 });
    }
    q[member] = value;
    Ok(())
}

/// UpdateUsagePlan's paths. Their order makes the "Must be one of" list of `remove` read as
/// AWS's recorded one (boto/boto3#2629): `[/apiStages, /quota, /throttle, /productCode,
/// /apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>,
/// /apiStages/<apidId:stageName>/throttle]` (`apidId` is AWS's spelling).
const RULES: &[Rule] = &[
    Rule {
        path: "/name",
        ops: REPLACE,
        apply: Apply::Str("name"),
    },
    Rule {
        path: "/description",
        ops: REPLACE,
        apply: Apply::OptStr("description"),
    },
    // The `/apiStages…` paths are handled by `patch_api_stages` (they need the store); the
    // rules with `<…>` placeholders never match and only name the paths in error messages.
    Rule {
        path: "/apiStages",
        ops: ADD_REMOVE,
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/quota",
        ops: &[Op::Remove],
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/throttle",
        ops: &[Op::Remove],
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/productCode",
        ops: REPLACE_REMOVE,
        apply: Apply::OptStr("productCode"),
    },
    Rule {
        path: "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>",
        ops: &[Op::Remove],
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/apiStages/<apidId:stageName>/throttle",
        ops: REPLACE_REMOVE,
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/throttle/burstLimit",
        ops: REPLACE,
        apply: Apply::Custom(set_plan_throttle),
    },
    Rule {
        path: "/throttle/rateLimit",
        ops: REPLACE,
        apply: Apply::Custom(set_plan_throttle),
    },
    Rule {
        path: "/quota/limit",
        ops: REPLACE,
        apply: Apply::Custom(set_quota_member),
    },
    Rule {
        path: "/quota/offset",
        ops: REPLACE,
        apply: Apply::Custom(set_quota_member),
    },
    Rule {
        path: "/quota/period",
        ops: REPLACE,
        apply: Apply::Custom(set_quota_member),
    },
    Rule {
        path: "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/rateLimit",
        ops: &[Op::Add, Op::Replace],
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/apiStages/<apidId:stageName>/throttle/<resourcePath>/<httpMethod>/burstLimit",
        ops: &[Op::Add, Op::Replace],
        apply: Apply::Custom(remove_member),
    },
];

fn parse_stage_id(v: &str) -> Result<(String, String), ApiError> {
    match v.split_once(':') {
        Some((a, s)) if !a.is_empty() && !s.is_empty() && !s.contains(':') => {
            Ok((a.to_string(), s.to_string()))
        }
        _ => Err(ApiError::bad_request("Invalid API Stage specified")),
    }
}

/// The patch engine's "Invalid patch path … Must be one of: […]" for an `/apiStages…` op that
/// names no valid target (no rule has a wildcard, so none matches such a path).
fn invalid_patch(op: &PatchOp) -> ApiError {
    patch::apply(&mut Map::new(), std::slice::from_ref(op), RULES)
        .err()
        .unwrap_or_else(|| ApiError::bad_request(format!("Invalid patch path {}", op.path)))
}

/// Apply one `/apiStages…` op. Returns the stages the plan newly covers.
fn patch_api_stages(
    txn: &mut dyn Txn,
    plan: &mut Map<String, Value>,
    plan_id: &str,
    op: &PatchOp,
) -> Result<Option<(String, String)>, ApiError> {
    let stages = plan
        .entry("apiStages")
        .or_insert_with(|| Value::Array(Vec::new()));
    if !stages.is_array() {
        *stages = Value::Array(Vec::new());
    }
    if op.path == "/apiStages" {
        if !matches!(op.op, Op::Add | Op::Remove) {
            return Err(invalid_patch(op));
        }
        let (api_id, stage) = parse_stage_id(op.value.as_deref().unwrap_or(""))?;
        let pos = plan["apiStages"].as_array().and_then(|a| {
            a.iter()
                .position(|s| s["apiId"] == json!(api_id) && s["stage"] == json!(stage))
        });
        // Removing a stage the plan has always works, even if the stage or its API has been
        // deleted since (otherwise the plan could never be cleaned up and deleted).
        if let (Op::Remove, Some(i)) = (op.op, pos) {
            if let Some(arr) = plan["apiStages"].as_array_mut() {
                arr.remove(i);
            }
            return Ok(None);
        }
        // LocalStack's AWS snapshot: a stage that does not exist is a 404 with this text.
        if !stage_exists(txn, &api_id, &stage)? {
            return Err(ApiError::not_found(invalid_stage_text(
                &api_id, &stage, plan_id,
            )));
        }
        if op.op == Op::Add && pos.is_none() {
            if let Some(arr) = plan["apiStages"].as_array_mut() {
                arr.push(json!({ "apiId": api_id, "stage": stage }));
            }
            return Ok(Some((api_id, stage)));
        }
        // Adding a stage already there, or removing an existing stage the plan lacks: nothing
        // to do (AWS's answer is unrecorded).
        return Ok(None);
    }
    // /apiStages/{apiId}:{stage}/throttle[/{resourcePath}/{httpMethod}[/rateLimit|/burstLimit]]
    let rest = &op.path["/apiStages/".len()..];
    let (stage_id, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let (api_id, stage) = parse_stage_id(&patch::unescape(stage_id))?;
    let Some(after) = tail.strip_prefix("throttle") else {
        return Err(invalid_patch(op));
    };
    let arr = plan["apiStages"]
        .as_array_mut()
        .expect("made an array above");
    let Some(entry) = arr
        .iter_mut()
        .find(|s| s["apiId"] == json!(api_id) && s["stage"] == json!(stage))
    else {
        return Err(ApiError::not_found(invalid_stage_text(
            &api_id, &stage, plan_id,
        )));
    };
    let entry = entry.as_object_mut().expect("api stages are objects");
    if after.is_empty() {
        match op.op {
            Op::Remove => {
                entry.remove("throttle");
            }
            Op::Replace | Op::Add => {
                let v: Value = serde_json::from_str(op.value()?)
                    .map_err(|e| ApiError::bad_request(format!("Invalid throttle value: {e}")))?;
                let t = method_throttles(&v)?;
                if t.is_empty() {
                    entry.remove("throttle");
                } else {
                    entry.insert("throttle".into(), Value::Object(t));
                }
            }
            _ => return Err(invalid_patch(op)),
        }
        return Ok(None);
    }
    // `after` is `/{resourcePath}/{httpMethod}[/limit]`; the resource path may be escaped
    // (`~1pets`) or raw (`/pets`, giving `//pets/GET/...`).
    let after = &after[1..];
    let (method_key, member) = match after.rsplit_once('/') {
        Some((k, m)) if m == "rateLimit" || m == "burstLimit" => (k, Some(m)),
        _ => (after, None),
    };
    let mut key = patch::unescape(method_key);
    if !key.starts_with('/') {
        key.insert(0, '/');
    }
    check_method_key(&key)?;
    let throttle = entry
        .entry("throttle")
        .or_insert_with(|| Value::Object(Map::new()));
    let map = throttle.as_object_mut().ok_or_else(|| invalid_patch(op))?;
    match (op.op, member) {
        (Op::Remove, None) => {
            map.remove(&key);
        }
        (Op::Add | Op::Replace, Some(m)) => {
            let value = if m == "burstLimit" {
                let n = op.i64_value()?;
                if n < 0 {
                    return Err(ApiError::bad_request(format!(
                        "Invalid throttle.burstLimit: {n}. The burst limit must be a non-negative integer"
                    )));
                }
                json!(n)
            } else {
                let f = op.f64_value()?;
                if f < 0.0 {
                    return Err(ApiError::bad_request(format!(
                        "Invalid throttle.rateLimit: {f}. The rate limit must be a non-negative number"
                    )));
                }
                json!(f)
            };
            let settings = map.entry(key).or_insert_with(|| json!({}));
            settings[m] = value;
        }
        _ => return Err(invalid_patch(op)),
    }
    if map.is_empty() {
        entry.remove("throttle");
    }
    Ok(None)
}

/// Key ids currently in a plan.
pub fn key_ids(txn: &mut dyn Txn, plan_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(txn
        .list(kind::USAGE_PLAN_KEY, plan_id, 0, usize::MAX)?
        .into_iter()
        .map(|d| d.id)
        .collect())
}

fn update(app: &App, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label(0);
    let ops = patch::parse(&call.json()?)?;
    let plan = store::write(&*app.store, call.tenant, |txn| {
        let mut plan = require(txn, id)?;
        let mut added = BTreeSet::new();
        for op in &ops {
            if op.path == "/apiStages" || op.path.starts_with("/apiStages/") {
                if let Some(s) = patch_api_stages(txn, &mut plan, id, op)? {
                    added.insert(s);
                }
            } else {
                patch::apply(&mut plan, std::slice::from_ref(op), RULES)?;
            }
        }
        if plan
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            return Err(ApiError::bad_request("Usage plan name must be non-empty"));
        }
        if let Some(t) = plan.get("throttle") {
            throttle_settings(t, "throttle")?;
        }
        if let Some(Value::Object(q)) = plan.get("quota") {
            check_quota(q, "updateUsagePlanInput")?;
        }
        let keys = key_ids(txn, id)?;
        check_key_conflicts(txn, id, &keys, &added)?;
        txn.put(kind::USAGE_PLAN, "", id, &Value::Object(plan.clone()))?;
        Ok(plan)
    })?;
    Ok(Reply::Json(Value::Object(plan)))
}

fn delete(app: &App, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label(0);
    store::write(&*app.store, call.tenant, |txn| {
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
    app.store.delete_usage(call.tenant, id, None)?;
    Ok(Reply::Empty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(v: Value) -> Result<Map<String, Value>, ApiError> {
        quota_settings(&v)
    }

    #[test]
    fn quota_defaults_offset_and_checks_period_limit_and_offset() {
        assert_eq!(
            Value::Object(quota(json!({"limit": 10, "period": "DAY"})).unwrap()),
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
            Value::Object(
                throttle_settings(&json!({"burstLimit": 5, "rateLimit": 2}), "throttle").unwrap()
            ),
            json!({"burstLimit": 5, "rateLimit": 2.0})
        );
        assert!(throttle_settings(&json!({"burstLimit": -1}), "throttle").is_err());
        assert!(throttle_settings(&json!({"rateLimit": "x"}), "throttle").is_err());
    }

    #[test]
    fn stage_ids_are_api_colon_stage() {
        assert_eq!(
            parse_stage_id("abc:prod").unwrap(),
            ("abc".to_string(), "prod".to_string())
        );
        for bad in ["abc", ":prod", "abc:", "a:b:c"] {
            assert_eq!(
                parse_stage_id(bad).unwrap_err().message,
                "Invalid API Stage specified"
            );
        }
    }
}
