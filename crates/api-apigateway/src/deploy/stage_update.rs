//! UpdateStage: AWS's stage patch paths, its answers for paths and ops it does not allow, and
//! canary promotion by `copy` (from `/canarySettings/deploymentId` to `/deploymentId` and from
//! `/canarySettings/stageVariableOverrides` to `/variables`).

use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::certs::client_certificates;
use crate::error::ApiError;
use crate::ids::now_epoch;
use crate::method_settings::{self, invalid_path};
use crate::patch::{self, Apply, Op, PatchOp, Rule, ADD_REPLACE_REMOVE, REPLACE};
use crate::stages::{
    canary, check_cache_size, check_percent, check_variable, deployment_missing, require,
    set_cache_cluster,
};
use crate::store::{self, kind};
use crate::Ctx;
use crate::{account, deployments};

fn set_variable(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    set_string_entry(doc, "variables", op, caps)
}

fn set_string_entry(
    doc: &mut Map<String, Value>,
    key: &str,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    let name = caps.last().cloned().unwrap_or_default();
    let map = doc.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !map.is_object() {
        *map = Value::Object(Map::new());
    }
    let obj = map.as_object_mut().expect("made an object above");
    if op.op == Op::Remove {
        obj.remove(&name);
    } else {
        let v = op.value()?;
        check_variable(&name, v)?;
        obj.insert(name, json!(v));
    }
    if obj.is_empty() {
        doc.remove(key);
    }
    Ok(())
}

fn set_cache_enabled(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    set_cache_cluster(doc, op.bool_value()?);
    Ok(())
}

fn set_cache_size(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?;
    check_cache_size(v, "cacheClusterSize")?;
    doc.insert("cacheClusterSize".into(), json!(v));
    Ok(())
}

fn access_log(doc: &mut Map<String, Value>, op: &PatchOp, caps: &[String]) -> Result<(), ApiError> {
    let _ = caps;
    let member = if op.path.ends_with("/format") {
        "format"
    } else {
        "destinationArn"
    };
    let settings = doc
        .entry("accessLogSettings")
        .or_insert_with(|| Value::Object(Map::new()));
    if !settings.is_object() {
        *settings = Value::Object(Map::new());
    }
    let obj = settings.as_object_mut().expect("made an object above");
    match op.value.as_deref() {
        Some(v) if !v.is_empty() => {
            obj.insert(member.into(), json!(v));
        }
        _ => {
            obj.remove(member);
        }
    }
    if obj.is_empty() {
        doc.remove("accessLogSettings");
    }
    Ok(())
}

/// Every op on `/accessLogSettings…`, with AWS's recorded answers: `add` and `replace` set
/// `destinationArn` or `format` (never empty); `remove` only takes the whole
/// `/accessLogSettings`; anything else is refused.
fn access_log_op(doc: &mut Map<String, Value>, op: &PatchOp) -> Result<(), ApiError> {
    let member = op.path.strip_prefix("/accessLogSettings").unwrap_or("");
    match (op.op, member) {
        (Op::Remove, "") => {
            doc.remove("accessLogSettings");
            Ok(())
        }
        (Op::Remove, m) => Err(ApiError::bad_request(format!(
            "Cannot remove method setting accessLogSettings{m} because there is no method setting for this method "
        ))),
        (Op::Add | Op::Replace, "/destinationArn" | "/format") => {
            if op.value.as_deref().unwrap_or("").is_empty() {
                return Err(ApiError::bad_request("Access Log value must not be empty"));
            }
            access_log(doc, op, &[])
        }
        _ => Err(ApiError::bad_request(
            "Invalid accessLogSettings path. Must be one of : [/accessLogSettings/destinationArn, /accessLogSettings/format]",
        )),
    }
}

fn remove_member(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    doc.remove(op.path.trim_start_matches('/'));
    Ok(())
}

/// The stage's canary, created on first touch like AWS does: pointing at the stage's own
/// deployment with 0% of the traffic.
fn canary_mut(doc: &mut Map<String, Value>) -> &mut Map<String, Value> {
    if !doc.get("canarySettings").is_some_and(Value::is_object) {
        let dep = doc
            .get("deploymentId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        doc.insert("canarySettings".into(), canary(&dep, 0.0, None, false));
    }
    doc.get_mut("canarySettings")
        .and_then(Value::as_object_mut)
        .expect("made an object above")
}

fn canary_percent(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let p = check_percent(op.f64_value()?)?;
    canary_mut(doc).insert("percentTraffic".into(), json!(p));
    Ok(())
}

/// The deployment's existence was checked against the store before the patch ran.
fn canary_deployment(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    _: &[String],
) -> Result<(), ApiError> {
    let v = op.value()?.to_string();
    canary_mut(doc).insert("deploymentId".into(), json!(v));
    Ok(())
}

fn canary_cache(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let b = op.bool_value()?;
    canary_mut(doc).insert("useStageCache".into(), json!(b));
    Ok(())
}

fn canary_override(
    doc: &mut Map<String, Value>,
    op: &PatchOp,
    caps: &[String],
) -> Result<(), ApiError> {
    set_string_entry(canary_mut(doc), "stageVariableOverrides", op, caps)
}

const REMOVE: &[Op] = &[Op::Remove];
const REPLACE_REMOVE: &[Op] = &[Op::Replace, Op::Remove];

/// Order matters: the catch-all method-setting patterns come last.
const RULES: &[Rule] = &[
    Rule {
        path: "/description",
        ops: REPLACE,
        apply: Apply::OptStr("description"),
    },
    Rule {
        path: "/deploymentId",
        ops: REPLACE,
        apply: Apply::Str("deploymentId"),
    },
    Rule {
        path: "/variables/*",
        ops: ADD_REPLACE_REMOVE,
        apply: Apply::Custom(set_variable),
    },
    Rule {
        path: "/cacheClusterEnabled",
        ops: REPLACE,
        apply: Apply::Custom(set_cache_enabled),
    },
    Rule {
        path: "/cacheClusterSize",
        ops: REPLACE,
        apply: Apply::Custom(set_cache_size),
    },
    Rule {
        path: "/tracingEnabled",
        ops: REPLACE,
        apply: Apply::Bool("tracingEnabled"),
    },
    Rule {
        path: "/clientCertificateId",
        ops: REPLACE_REMOVE,
        apply: Apply::OptStr("clientCertificateId"),
    },
    Rule {
        path: "/documentationVersion",
        ops: REPLACE_REMOVE,
        apply: Apply::OptStr("documentationVersion"),
    },
    Rule {
        path: "/accessLogSettings/format",
        ops: REPLACE,
        apply: Apply::Custom(access_log),
    },
    Rule {
        path: "/accessLogSettings/destinationArn",
        ops: REPLACE,
        apply: Apply::Custom(access_log),
    },
    Rule {
        path: "/accessLogSettings",
        ops: REMOVE,
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/canarySettings",
        ops: REMOVE,
        apply: Apply::Custom(remove_member),
    },
    Rule {
        path: "/canarySettings/percentTraffic",
        ops: REPLACE,
        apply: Apply::Custom(canary_percent),
    },
    Rule {
        path: "/canarySettings/deploymentId",
        ops: REPLACE,
        apply: Apply::Custom(canary_deployment),
    },
    Rule {
        path: "/canarySettings/useStageCache",
        ops: REPLACE,
        apply: Apply::Custom(canary_cache),
    },
    // AWS accepts only `replace` on canary paths (its answer to `add` is recorded; an override is
    // dropped with the whole canary).
    Rule {
        path: "/canarySettings/stageVariableOverrides/*",
        ops: REPLACE,
        apply: Apply::Custom(canary_override),
    },
    Rule {
        path: "/*/*/*/*",
        ops: REPLACE,
        apply: Apply::Custom(method_settings::set),
    },
    Rule {
        path: "/*/*",
        ops: REMOVE,
        apply: Apply::Custom(method_settings::remove),
    },
];

fn matches(pattern: &str, path: &str) -> bool {
    let (p, g): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == g.len()
        && p.iter()
            .zip(&g)
            .all(|(p, g)| (*p == "*" && !g.is_empty()) || p == g)
}

/// AWS's answers for an op its path table does not allow. Named paths are judged first; only
/// paths no named rule knows fall to the method-setting patterns (`/*/*/*/*`, remove `/*/*`).
fn check_op(op: &PatchOp) -> Result<(), ApiError> {
    let (catch_all, named): (Vec<&Rule>, Vec<&Rule>) =
        RULES.iter().partition(|r| r.path.starts_with("/*"));
    let known: Vec<&Rule> = named
        .into_iter()
        .filter(|r| matches(r.path, &op.path))
        .collect();
    if !known.is_empty() {
        if known.iter().any(|r| r.ops.contains(&op.op)) {
            return Ok(());
        }
        let replaceable = known.iter().any(|r| r.ops.contains(&Op::Replace));
        return Err(match op.op {
            Op::Add | Op::Remove if replaceable => ApiError::bad_request(format!(
                "Invalid {} operation with path: {}",
                op.op.as_str(),
                op.path
            )),
            _ => invalid_path(&op.path),
        });
    }
    if catch_all
        .iter()
        .any(|r| r.ops.contains(&op.op) && matches(r.path, &op.path))
    {
        return Ok(());
    }
    if op.op == Op::Remove {
        return Err(ApiError::bad_request(format!(
            "Cannot remove method setting {} because there is no method setting for this method ",
            op.path.trim_start_matches('/')
        )));
    }
    Err(invalid_path(&op.path))
}

/// Canary promotion: `copy` is only accepted from the canary onto the stage.
fn promote(doc: &mut Map<String, Value>, op: &PatchOp) -> Result<(), ApiError> {
    let from = op.from.as_deref().unwrap_or("");
    let pair = (from, op.path.as_str());
    let valid = matches!(
        pair,
        ("/canarySettings/deploymentId", "/deploymentId")
            | ("/canarySettings/stageVariableOverrides", "/variables")
    );
    if !valid {
        return Err(ApiError::bad_request(format!(
            "Invalid copy operation with path: {} and from {from}. Valid copy:path are [/deploymentId, /variables] and valid copy:from are [/canarySettings/deploymentId, /canarySettings/stageVariableOverrides]",
            op.path
        )));
    }
    let Some(Value::Object(c)) = doc.get("canarySettings").cloned() else {
        return Err(ApiError::bad_request(
            "Promotion not available. Canary does not exist.",
        ));
    };
    if op.path == "/deploymentId" {
        if let Some(d) = c.get("deploymentId") {
            doc.insert("deploymentId".into(), d.clone());
        }
    } else if let Some(Value::Object(o)) = c.get("stageVariableOverrides") {
        let vars = doc
            .entry("variables")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = vars {
            m.extend(o.clone());
        }
    }
    Ok(())
}

fn touches_logging(path: &str) -> bool {
    path.ends_with("/logging/loglevel")
        || path.ends_with("/logging/dataTrace")
        || path == "/accessLogSettings/destinationArn"
}

/// Does the stage write to CloudWatch Logs (execution logs, data trace, or access logs to a log
/// group)? AWS then needs the account's CloudWatch role and refuses the update without one.
/// Access logs to Kinesis Data Firehose need no role.
fn logs_to_cloudwatch(stage: &Map<String, Value>) -> bool {
    let execution_logs = stage
        .get("methodSettings")
        .and_then(Value::as_object)
        .is_some_and(|all| {
            all.values().any(|m| {
                matches!(m["loggingLevel"].as_str(), Some("INFO" | "ERROR"))
                    || m["dataTraceEnabled"] == json!(true)
            })
        });
    let access_logs = stage
        .get("accessLogSettings")
        .and_then(|a| a.get("destinationArn"))
        .and_then(Value::as_str)
        .is_some_and(|arn| arn.split(':').nth(2) == Some("logs"));
    execution_logs || access_logs
}

pub(crate) fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (api_id, name) = (call.label("restapi_id"), call.label("stage_name"));
    let ops = patch::parse_call(call)?;
    let stage = store::write(&*cx.store, &call.tenant, |txn| {
        let mut stage = require(txn, call, api_id, name)?;
        for op in &ops {
            if op.op == Op::Copy {
                promote(&mut stage, op)?;
                continue;
            }
            if op.path == "/accessLogSettings" || op.path.starts_with("/accessLogSettings/") {
                access_log_op(&mut stage, op)?;
                continue;
            }
            check_op(op)?;
            if matches!(
                op.path.as_str(),
                "/deploymentId" | "/canarySettings/deploymentId"
            ) && !deployments::exists(txn, api_id, op.value()?)?
            {
                return Err(deployment_missing());
            }
            if op.path == "/documentationVersion" && op.op != Op::Remove {
                crate::docs::versions::check_stage_version(txn, api_id, op.value()?)?;
            }
            // A stage may only name a client certificate that exists (a replace with an empty
            // value clears it, as a remove does).
            if op.path == "/clientCertificateId"
                && op.op == Op::Replace
                && op.value.as_deref().is_some_and(|id| !id.is_empty())
                && !client_certificates::exists(txn, op.value()?)?
            {
                return Err(client_certificates::not_found());
            }
            patch::apply(&mut stage, std::slice::from_ref(op), RULES)?;
        }
        if ops.iter().any(|op| touches_logging(&op.path))
            && logs_to_cloudwatch(&stage)
            && account::load(txn)?.cloudwatch_role_arn.is_none()
        {
            return Err(ApiError::bad_request(
                "CloudWatch Logs role ARN must be set in account settings to enable logging",
            ));
        }
        stage.insert("lastUpdatedDate".into(), json!(now_epoch()));
        let stage = Value::Object(stage);
        txn.put(kind::STAGE, api_id, name, &stage)?;
        Ok(stage)
    })?;
    Ok(Reply::Json(stage))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_on_a_replace_only_path_gets_aws_message() {
        let op = PatchOp {
            op: Op::Add,
            path: "/canarySettings/deploymentId".into(),
            value: Some("x".into()),
            from: None,
        };
        assert_eq!(
            check_op(&op).unwrap_err().message,
            "Invalid add operation with path: /canarySettings/deploymentId"
        );
        let op = PatchOp {
            op: Op::Replace,
            path: "/canarySettings".into(),
            value: Some("x".into()),
            from: None,
        };
        assert!(check_op(&op)
            .unwrap_err()
            .message
            .starts_with("Invalid method setting path: /canarySettings. Must be one of"));
    }
}
