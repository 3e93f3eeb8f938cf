//! The per-tenant API Gateway account: throttle limits, features, CloudWatch role.
//!
//! Stored as kind `account`, scope "", id "account", created on first update; until then
//! GetAccount shows AWS's defaults.
//!
//! AWS's UpdateAccount accepts `/cloudwatchRoleArn` (replace) and `/features` (add `UsagePlans`;
//! usage plans are always on in Portico, so the add is accepted and changes nothing). AWS does
//! not let an account change its own throttle limits (that is a service-quota request). Portico
//! extension: `replace /throttleSettings/rateLimit` and `/throttleSettings/burstLimit` set the
//! tenant's account-level throttle, which the data plane enforces as the outermost limit.

use serde_json::{json, Map, Value};

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::patch::{self, Apply, PatchOp, Rule, ADD_REMOVE, REPLACE};
use crate::store::{self, kind};
use crate::Ctx;
use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetAccount" => get,
        "UpdateAccount" => update,
        _ => return None,
    })
}

pub use portico_model::account::{load, ID};
use portico_model::{Entity, ThrottleSettings};

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let account = store::read(&*cx.store, &call.tenant, |txn| Ok(load(txn)?))?;
    Ok(Reply::Json(account.to_value()))
}

fn set_role(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    match op.value.as_deref() {
        None | Some("") => {
            doc.remove("cloudwatchRoleArn");
        }
        Some(arn) => {
            // AWS also checks that it can assume the role; Portico has no IAM to ask, so only the
            // shape of the ARN is checked (AWS's wording for that case is not on record).
            let ok = arn.starts_with("arn:")
                && arn.split(':').nth(2) == Some("iam")
                && arn.contains(":role/");
            if !ok {
                return Err(ApiError::bad_request(format!(
                    "The role ARN is not well formed: {arn}"
                )));
            }
            doc.insert("cloudwatchRoleArn".into(), json!(arn));
        }
    }
    Ok(())
}

fn set_feature(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let v = op.value()?;
    if v != "UsagePlans" {
        return Err(ApiError::bad_request(format!(
            "Invalid feature specified: {v}. Valid features are: [UsagePlans]"
        )));
    }
    if op.op == patch::Op::Remove {
        // Once usage plans are enabled, AWS does not switch them off again.
        return Err(ApiError::bad_request("Usage plans cannot be disabled"));
    }
    let features = doc.entry("features").or_insert_with(|| json!([]));
    if let Value::Array(list) = features {
        if !list.iter().any(|f| f == v) {
            list.push(json!(v));
        }
    }
    Ok(())
}

fn throttle(doc: &mut Map<String, Value>) -> &mut Map<String, Value> {
    if !doc.get("throttleSettings").is_some_and(Value::is_object) {
        doc.insert(
            "throttleSettings".into(),
            serde_json::to_value(ThrottleSettings::ACCOUNT_DEFAULT).unwrap_or_default(),
        );
    }
    doc.get_mut("throttleSettings")
        .and_then(Value::as_object_mut)
        .expect("made an object above")
}

fn set_rate(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let n = op.f64_value()?;
    if n < 0.0 {
        return Err(ApiError::bad_request("The rate limit must be non-negative"));
    }
    throttle(doc).insert("rateLimit".into(), json!(n));
    Ok(())
}

fn set_burst(doc: &mut Map<String, Value>, op: &PatchOp, _: &[String]) -> Result<(), ApiError> {
    let n = op.i64_value()?;
    if n < 0 {
        return Err(ApiError::bad_request(
            "The burst limit must be non-negative",
        ));
    }
    throttle(doc).insert("burstLimit".into(), json!(n));
    Ok(())
}

const RULES: &[Rule] = &[
    Rule {
        path: "/cloudwatchRoleArn",
        ops: REPLACE,
        apply: Apply::Custom(set_role),
    },
    Rule {
        path: "/features",
        ops: ADD_REMOVE,
        apply: Apply::Custom(set_feature),
    },
    Rule {
        path: "/throttleSettings/rateLimit",
        ops: REPLACE,
        apply: Apply::Custom(set_rate),
    },
    Rule {
        path: "/throttleSettings/burstLimit",
        ops: REPLACE,
        apply: Apply::Custom(set_burst),
    },
];

fn update(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let ops = patch::parse_call(call)?;
    let doc = store::write(&*cx.store, &call.tenant, |txn| {
        // The patch rules edit the document's members; `Account` is its shape.
        let mut doc = load(txn)?.to_map();
        patch::apply(&mut doc, &ops, RULES)?;
        let doc = Value::Object(doc);
        txn.put(kind::ACCOUNT, "", ID, &doc)?;
        Ok(doc)
    })?;
    Ok(Reply::Json(doc))
}
