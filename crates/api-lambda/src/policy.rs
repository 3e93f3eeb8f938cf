//! Resource-based policies: AddPermission, RemovePermission, GetPolicy. One policy per
//! function and qualifier (`kind::LAMBDA_POLICY`, id `""` for the unqualified function). Stored
//! and answered as AWS shows them; Portico does not evaluate them on Invoke (Invoke is
//! authorized by the caller's SigV4 key, as every management call is).

use portico_core::{ApiError, Tenant};
use portico_mgmt::call::Members;
use portico_model::lambda as model;
use portico_store::kind;
use serde_json::{json, Value};

use crate::common::{self, function_ref, uuid};
use crate::{error, Call, Ctx, Handler, Reply};

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "AddPermission" => add,
        "RemovePermission" => remove,
        "GetPolicy" => get,
        _ => return None,
    })
}

/// The function (and qualifier) a policy call names; the qualifier must exist.
fn target(cx: &Ctx, call: &Call) -> Result<(String, Option<String>), ApiError> {
    let r = function_ref(
        &call.tenant,
        call.label("FunctionName"),
        call.query("Qualifier"),
    )?;
    let q = r.qualifier.clone().filter(|q| q != "$LATEST");
    crate::store::read(&*cx.store, &call.tenant, |tx| {
        match model::resolve(tx, &r.name, q.as_deref())? {
            Some(_) => Ok(()),
            None => Err(common::not_found(&call.tenant, &r.name, q.as_deref())),
        }
    })?;
    Ok((r.name, q))
}

fn principal(tenant: &Tenant, p: &str) -> Value {
    if p == "*" {
        json!("*")
    } else if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
        json!({ "AWS": format!("arn:aws:iam::{p}:root") })
    } else if p.starts_with("arn:") {
        json!({ "AWS": p })
    } else {
        let _ = tenant;
        json!({ "Service": p })
    }
}

fn add(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let b = call.json()?;
    let (name, q) = target(cx, call)?;
    let sid = b.required_str("StatementId")?;
    if sid.is_empty()
        || sid.len() > 100
        || !sid
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    {
        return Err(error::validation(format!("1 validation error detected: Value '{sid}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)")));
    }
    let action = b.required_str("Action")?;
    if !(action.starts_with("lambda:") || action == "*") {
        return Err(error::validation(format!("1 validation error detected: Value '{action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])")));
    }
    let who = b.required_str("Principal")?;
    let resource = model::qualified_arn(&call.tenant, &name, q.as_deref());
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal(&call.tenant, &who),
        "Action": action,
        "Resource": resource,
    });
    let mut condition = serde_json::Map::new();
    if let Some(arn) = b.str_of("SourceArn")? {
        condition.insert("ArnLike".into(), json!({ "AWS:SourceArn": arn }));
    }
    if let Some(acct) = b.str_of("SourceAccount")? {
        condition.insert("StringEquals".into(), json!({ "AWS:SourceAccount": acct }));
    }
    if let Some(org) = b.str_of("PrincipalOrgID")? {
        condition.insert("StringEquals".into(), json!({ "aws:PrincipalOrgID": org }));
    }
    if let Some(token) = b.str_of("EventSourceToken")? {
        condition.insert(
            "StringEquals".into(),
            json!({ "lambda:EventSourceToken": token }),
        );
    }
    if let Some(auth) = b.str_of("FunctionUrlAuthType")? {
        condition.insert(
            "StringEquals".into(),
            json!({ "lambda:FunctionUrlAuthType": auth }),
        );
    }
    if !condition.is_empty() {
        statement["Condition"] = Value::Object(condition);
    }
    let id = q.clone().unwrap_or_default();
    crate::store::write(&*cx.store, &call.tenant, |tx| {
        let mut policy = tx
            .get(kind::LAMBDA_POLICY, &name, &id)?
            .unwrap_or_else(|| json!({ "Statement": [], "RevisionId": "" }));
        if let Some(rev) = b.str_of("RevisionId")? {
            if policy["RevisionId"].as_str() != Some(rev.as_str()) {
                return Err(error::precondition("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"));
            }
        }
        let statements = policy["Statement"]
            .as_array_mut()
            .expect("stored as an array");
        if statements
            .iter()
            .any(|s| s["Sid"].as_str() == Some(sid.as_str()))
        {
            return Err(error::conflict("The statement id (sid) provided already exists. Please choose a new statement id, or remove the existing statement."));
        }
        statements.push(statement.clone());
        policy["RevisionId"] = json!(uuid());
        tx.put(kind::LAMBDA_POLICY, &name, &id, &policy)?;
        Ok(())
    })?;
    Ok(Reply::Json(json!({ "Statement": statement.to_string() })))
}

fn remove(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (name, q) = target(cx, call)?;
    let sid = call.label("StatementId").to_string();
    let id = q.unwrap_or_default();
    crate::store::write(&*cx.store, &call.tenant, |tx| {
        let Some(mut policy) = tx.get(kind::LAMBDA_POLICY, &name, &id)? else {
            return Err(error::not_found(
                "No policy is associated with the given resource.",
            ));
        };
        if let Some(rev) = call.query("RevisionId") {
            if policy["RevisionId"].as_str() != Some(rev) {
                return Err(error::precondition("The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"));
            }
        }
        let statements = policy["Statement"]
            .as_array_mut()
            .expect("stored as an array");
        let before = statements.len();
        statements.retain(|s| s["Sid"].as_str() != Some(sid.as_str()));
        if statements.len() == before {
            return Err(error::not_found(format!(
                "Statement {sid} is not found in resource policy."
            )));
        }
        if statements.is_empty() {
            tx.delete(kind::LAMBDA_POLICY, &name, &id)?;
        } else {
            policy["RevisionId"] = json!(uuid());
            tx.put(kind::LAMBDA_POLICY, &name, &id, &policy)?;
        }
        Ok(())
    })?;
    Ok(Reply::Empty)
}

fn get(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let (name, q) = target(cx, call)?;
    let id = q.unwrap_or_default();
    let policy = crate::store::read(&*cx.store, &call.tenant, |tx| {
        tx.get(kind::LAMBDA_POLICY, &name, &id)?
            .ok_or_else(|| error::not_found("The resource you requested does not exist."))
    })?;
    let doc = json!({
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": policy["Statement"],
    });
    Ok(Reply::Json(json!({
        "Policy": doc.to_string(),
        "RevisionId": policy["RevisionId"],
    })))
}
