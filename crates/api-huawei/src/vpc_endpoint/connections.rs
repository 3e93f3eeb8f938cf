//! A gateway's VPC endpoint connections: ListEndpointConnections and
//! AcceptOrRejectEndpointConnections, and the owner's half of VPCEP's CreateEndpoint and
//! DeleteEndpoint (`open`, `close`).
//!
//! One `huawei.connection` document per consumer endpoint, in the gateway owner's tenant,
//! scoped by gateway id, id = the consumer's VPC endpoint id (what `endpoints` in an action and
//! the `id` filter name). A connection is `pendingAcceptance` from the moment it exists: the
//! gateway's endpoint service requires approval, and VPCEP's asynchronous creation has nothing
//! to wait for here. The owner moves it to `accepted` (`receive`) or `rejected` (`reject`), in
//! either direction, any number of times.

use std::collections::HashSet;

use portico_core::ApiError;
use portico_mgmt::{Call, Reply};
use portico_store::Txn;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::body::Body;
use crate::instances::{self, Instance};
use crate::vpc_endpoint::permissions;
use crate::{docs, errors, ids, paging, Ctx};

/// Endpoints per action (the API reference's "Array Length: 1 - 50").
pub const MAX_PER_ACTION: usize = 50;

/// The statuses a connection takes here (a subset of Huawei's six: `creating`, `failed` and
/// `deleting` are passed through instantly or never happen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Status {
    PendingAcceptance,
    Accepted,
    Rejected,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::PendingAcceptance => "pendingAcceptance",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
        }
    }
}

/// Whose endpoint a connection is: the consumer's tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    pub account: String,
    pub project: String,
}

/// A connection as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub marker_id: i64,
    /// The consumer's domain id.
    pub domain_id: String,
    pub status: Status,
    /// Epoch milliseconds; shown as UTC `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: i64,
    pub updated_at: i64,
    pub consumer: Consumer,
}

impl Connection {
    /// Huawei's EndpointConnection.
    pub fn view(&self) -> Value {
        json!({
            "id": self.id,
            "marker_id": self.marker_id,
            "created_at": ids::utc_seconds(self.created_at),
            "updated_at": ids::utc_seconds(self.updated_at),
            "domain_id": self.domain_id,
            "status": self.status.name(),
        })
    }
}

/// Open a connection from `consumer` (domain `domain`) to `instance`'s endpoint service, in
/// the owner's transaction, so the whitelist check and the insert are one step. Refused with
/// VPCEP's EndPoint.2012 when the domain is not admitted, EndPoint.2004 while the gateway is
/// still being created.
pub fn open(
    txn: &mut dyn Txn,
    instance: &Instance,
    owner_domain: &str,
    domain: &str,
    consumer: Consumer,
    endpoint_id: &str,
    now: i64,
) -> Result<Connection, ApiError> {
    if instance.phase(now) != instances::Phase::Running {
        return Err(errors::vpcep_service_unavailable());
    }
    if !permissions::admits(txn, &instance.id, owner_domain, domain)? {
        return Err(errors::vpcep_no_permission());
    }
    let taken: HashSet<i64> = docs::all::<Connection>(txn, docs::CONNECTION, &instance.id)?
        .into_iter()
        .map(|c| c.marker_id)
        .collect();
    let marker_id = std::iter::repeat_with(ids::marker_id)
        .find(|m| !taken.contains(m))
        .unwrap_or_else(ids::marker_id);
    let connection = Connection {
        id: endpoint_id.to_string(),
        marker_id,
        domain_id: domain.to_string(),
        status: Status::PendingAcceptance,
        created_at: now,
        updated_at: now,
        consumer,
    };
    docs::put(
        txn,
        docs::CONNECTION,
        &instance.id,
        endpoint_id,
        &connection,
    )?;
    Ok(connection)
}

pub fn get(
    txn: &mut dyn Txn,
    instance_id: &str,
    endpoint_id: &str,
) -> Result<Option<Connection>, ApiError> {
    docs::get(txn, docs::CONNECTION, instance_id, endpoint_id)
}

/// The consumer deleted its endpoint: the connection goes (Decision: at once; Huawei shows
/// `deleting` for a while).
pub fn close(txn: &mut dyn Txn, instance_id: &str, endpoint_id: &str) -> Result<(), ApiError> {
    txn.delete(docs::CONNECTION, instance_id, endpoint_id)?;
    Ok(())
}

pub fn delete_all(txn: &mut dyn Txn, instance_id: &str) -> Result<(), ApiError> {
    for id in docs::ids(txn, docs::CONNECTION, instance_id)? {
        txn.delete(docs::CONNECTION, instance_id, &id)?;
    }
    Ok(())
}

/// The `status` filter's values (narrower than the status enum, as documented).
const STATUS_FILTER: &[&str] = &["pendingAcceptance", "accepted", "rejected", "failed"];

/// ListEndpointConnections: filters `id` (exact), `marker_id` (exact) and `status` (one of
/// pendingAcceptance, accepted, rejected, failed; anything else is 400 APIG.2012, as a
/// non-integer `marker_id` is); oldest first.
pub(crate) fn list(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let window = paging::apig(call)?;
    let id = call.query("id").filter(|s| !s.is_empty());
    let marker_id = paging::int_query(call, "marker_id", errors::invalid_query)?;
    let status = call.query("status").filter(|s| !s.is_empty());
    if status.is_some_and(|s| !STATUS_FILTER.contains(&s)) {
        return Err(errors::invalid_query("status"));
    }
    let instance_id = call.label("instance_id");
    let all: Vec<Connection> = portico_store::read(&*cx.store, &call.tenant, |txn| {
        instances::require(txn, instance_id)?;
        docs::all(txn, docs::CONNECTION, instance_id)
    })?;
    let matching: Vec<Value> = all
        .iter()
        .filter(|c| id.is_none_or(|id| c.id == id))
        .filter(|c| marker_id.is_none_or(|m| c.marker_id == m))
        .filter(|c| status.is_none_or(|s| c.status.name() == s))
        .map(Connection::view)
        .collect();
    let total = matching.len();
    let page = window.apply(matching);
    Ok(Reply::Json(json!({
        "size": page.len(),
        "total": total,
        "connections": page,
    })))
}

/// AcceptOrRejectEndpointConnections: `{"action": "receive"|"reject", "endpoints": [1–50
/// ids]}` (APIC.7211 naming the member otherwise). All or nothing: an id without a connection
/// to this gateway fails the call (404 APIC.7314) and changes nothing. The answer is Huawei's
/// example's shape: `{"connections": [...]}`, the named connections as they now are.
/// `updated_at` moves only when the status does.
pub(crate) fn act(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let body = Body::parse(call, errors::rules_for)?;
    let status = match body.required_str("action")? {
        "receive" => Status::Accepted,
        "reject" => Status::Rejected,
        _ => return Err(body.bad("action")),
    };
    let endpoints = body.str_list("endpoints")?.unwrap_or_default();
    if endpoints.is_empty()
        || endpoints.len() > MAX_PER_ACTION
        || endpoints.iter().any(|e| e.is_empty() || e.len() > 64)
    {
        return Err(body.bad("endpoints"));
    }
    let mut seen = HashSet::new();
    let endpoints: Vec<String> = endpoints
        .into_iter()
        .filter(|e| seen.insert(e.clone()))
        .collect();
    let instance_id = call.label("instance_id");
    let now = ids::now_ms();
    let changed = portico_store::write(&*cx.store, &call.tenant, |txn| {
        instances::require(txn, instance_id)?;
        let mut out = Vec::with_capacity(endpoints.len());
        for e in &endpoints {
            let mut c = get(txn, instance_id, e)?.ok_or_else(|| errors::connection_not_found(e))?;
            if c.status != status {
                c.status = status;
                c.updated_at = now;
                docs::put(txn, docs::CONNECTION, instance_id, e, &c)?;
            }
            out.push(c.view());
        }
        Ok::<_, ApiError>(out)
    })?;
    Ok(Reply::Json(json!({ "connections": changed })))
}
