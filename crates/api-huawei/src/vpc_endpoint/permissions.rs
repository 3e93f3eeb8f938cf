//! A gateway's VPC endpoint service whitelist: ListEndpointPermissions, AddEndpointPermissions,
//! DeleteEndpointPermissions.
//!
//! One `huawei.endpointpermission` document per record, scoped by gateway id, in insertion
//! order. A new gateway's whitelist holds its owner's domain (`instances::create` seeds it).
//! The whitelist decides who may connect (`admits`): `iam:domain::{domain}` or `iam:domain::*`;
//! the owner's domain is always admitted, whether or not its record is still there.

use std::collections::HashSet;

use portico_core::ApiError;
use portico_mgmt::{Call, Reply};
use portico_store::Txn;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::body::Body;
use crate::instances;
use crate::{docs, errors, ids, paging, Ctx};

pub const PREFIX: &str = "iam:domain::";
pub const WILDCARD: &str = "iam:domain::*";
/// Records per Add or Delete (the API reference's "Array Length: 1 - 50").
pub const MAX_PER_CALL: usize = 50;

/// One whitelist record as stored (and shown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Permission {
    pub id: String,
    pub permission: String,
    /// Epoch milliseconds; shown as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: i64,
}

impl Permission {
    fn view(&self) -> Value {
        json!({
            "id": self.id,
            "permission": self.permission,
            "created_at": ids::utc_seconds(self.created_at),
        })
    }
}

/// `iam:domain::` followed by a 32-character domain id of digits and `a`–`f` ("The account ID
/// contains 32 characters, including only letters (a-f) and digits"), or `iam:domain::*`.
pub fn valid(permission: &str) -> bool {
    permission == WILDCARD
        || permission.strip_prefix(PREFIX).is_some_and(|d| {
            d.len() == 32
                && d.bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
        })
}

/// The owner's own record, written with the gateway.
pub fn seed(txn: &mut dyn Txn, instance_id: &str, domain: &str, now: i64) -> Result<(), ApiError> {
    let p = Permission {
        id: ids::uuid(),
        permission: format!("{PREFIX}{domain}"),
        created_at: now,
    };
    docs::put(txn, docs::PERMISSION, instance_id, &p.id, &p)
}

/// May `domain` connect to the gateway's endpoint service?
pub fn admits(
    txn: &mut dyn Txn,
    instance_id: &str,
    owner_domain: &str,
    domain: &str,
) -> Result<bool, ApiError> {
    if domain == owner_domain {
        return Ok(true);
    }
    let wanted = format!("{PREFIX}{domain}");
    let all: Vec<Permission> = docs::all(txn, docs::PERMISSION, instance_id)?;
    Ok(all
        .iter()
        .any(|p| p.permission == WILDCARD || p.permission == wanted))
}

pub fn delete_all(txn: &mut dyn Txn, instance_id: &str) -> Result<(), ApiError> {
    for id in docs::ids(txn, docs::PERMISSION, instance_id)? {
        txn.delete(docs::PERMISSION, instance_id, &id)?;
    }
    Ok(())
}

/// The `permissions` member of an Add or Delete: 1–50 valid records, each once (Decision:
/// a record repeated in one request counts once), in request order. APIC.7211 otherwise.
fn requested(call: &Call) -> Result<Vec<String>, ApiError> {
    let body = Body::parse(call, errors::rules_for)?;
    let list = body.str_list("permissions")?.unwrap_or_default();
    if list.is_empty() || list.len() > MAX_PER_CALL || !list.iter().all(|p| valid(p)) {
        return Err(body.bad("permissions"));
    }
    let mut seen = HashSet::new();
    Ok(list
        .into_iter()
        .filter(|p| seen.insert(p.clone()))
        .collect())
}

/// ListEndpointPermissions: `permission` filters by substring (Huawei's "fuzzy match").
pub(crate) fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let window = paging::apig(call)?;
    let filter = call.query("permission").filter(|s| !s.is_empty());
    let id = call.label("instance_id");
    let all: Vec<Permission> = portico_store::read(&*cx.store, &call.tenant, |txn| {
        instances::require(txn, id)?;
        docs::all(txn, docs::PERMISSION, id)
    })?;
    let matching: Vec<Value> = all
        .iter()
        .filter(|p| filter.is_none_or(|f| p.permission.contains(f)))
        .map(Permission::view)
        .collect();
    let total = matching.len();
    let page = window.apply(matching);
    Ok(Reply::Json(json!({
        "size": page.len(),
        "total": total,
        "permissions": page,
    })))
}

/// AddEndpointPermissions. Decision: adding a record that exists keeps the one record (the
/// call succeeds); the answer lists the records asked for, as Huawei's example echoes them.
pub(crate) fn add(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let wanted = requested(call)?;
    let id = call.label("instance_id");
    let now = ids::now_ms();
    portico_store::write(&*cx.store, &call.tenant, |txn| {
        instances::require(txn, id)?;
        let existing: HashSet<String> = docs::all::<Permission>(txn, docs::PERMISSION, id)?
            .into_iter()
            .map(|p| p.permission)
            .collect();
        for p in wanted.iter().filter(|p| !existing.contains(*p)) {
            let record = Permission {
                id: ids::uuid(),
                permission: p.clone(),
                created_at: now,
            };
            docs::put(txn, docs::PERMISSION, id, &record.id, &record)?;
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Reply::Json(json!({ "permissions": wanted })))
}

/// DeleteEndpointPermissions. Decision: a record that is not there is no error (the end state
/// is what was asked for); the answer lists the records asked for. Deleting the owner's own
/// record is allowed and does not lock the owner out (`admits`).
pub(crate) fn delete(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let unwanted = requested(call)?;
    let id = call.label("instance_id");
    portico_store::write(&*cx.store, &call.tenant, |txn| {
        instances::require(txn, id)?;
        let gone: HashSet<&str> = unwanted.iter().map(String::as_str).collect();
        for p in docs::all::<Permission>(txn, docs::PERMISSION, id)? {
            if gone.contains(p.permission.as_str()) {
                txn.delete(docs::PERMISSION, id, &p.id)?;
            }
        }
        Ok::<_, ApiError>(())
    })?;
    Ok(Reply::Json(json!({ "permissions": unwanted })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(permission: &str, ok: bool) {
        assert_eq!(valid(permission), ok, "{permission:?}");
    }

    #[test]
    fn record_format() {
        check("iam:domain::*", true);
        check(&format!("iam:domain::{}", "0".repeat(32)), true);
        check("iam:domain::7cc2018e40394f7c9692f1713e76234d", true);
        check("iam:domain::1234", false);
        check(&format!("iam:domain::{}", "0".repeat(33)), false);
        check(&format!("iam:domain::{}", "g".repeat(32)), false);
        check(&format!("iam:domain::{}", "A".repeat(32)), false);
        check(&format!("iam:user::{}", "0".repeat(32)), false);
        check(&"0".repeat(32), false);
        check("iam:domain::**", false);
        check("", false);
    }
}
