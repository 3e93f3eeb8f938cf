//! UpdateUsagePlan: AWS's patch paths for a usage plan.
//!
//! Plain members go through the declarative patch engine; the `/apiStages…` paths need the
//! store (a stage must exist, a key must not end up in two plans covering one stage), so
//! `patch_api_stages` applies them. Every final plan is validated as a whole before it is saved.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::patch::{self, Apply, Op, PatchOp, Rule, ADD_REMOVE, REPLACE, REPLACE_REMOVE};
use crate::store::{self, kind, Txn};
use crate::usage_plans::{
    check_key_conflicts, check_method_key, check_quota, invalid_stage_text, key_ids,
    method_throttles, require, stage_exists, throttle_settings,
};
use crate::Ctx;

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
                    entry.insert("throttle".into(), json!(t));
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

pub(crate) fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let id = call.label("usageplanId");
    let ops = patch::parse_call(call)?;
    let plan = store::write(&*cx.store, &call.tenant, |txn| {
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
    Ok(Reply::Json(Value::Object(super::usage_plans::with_tags(
        plan,
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

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
