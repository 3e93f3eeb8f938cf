//! This room's documents in the store: their kinds, and typed reads and writes.
//!
//! Every document is one serde struct (defined beside the handlers that own it), stored as its
//! JSON. Tenants isolate by (account, project):
//!
//! | kind | tenant | scope | id | struct |
//! |---|---|---|---|---|
//! | `huawei.instance` | owner | `""` | gateway id | `instances::Instance` |
//! | `huawei.endpointservice` | owner | `""` | service id | `instances::ServiceIndex` |
//! | `huawei.endpointpermission` | owner | gateway id | record id | `vpc_endpoint::permissions::Permission` |
//! | `huawei.connection` | owner | gateway id | endpoint id | `vpc_endpoint::connections::Connection` |
//! | `vpcep.endpoint` | consumer | `""` | endpoint id | `vpcep::endpoints::Endpoint` |
//!
//! `huawei.endpointservice` is how a consumer in another tenant finds a gateway: VPCEP's
//! CreateEndpoint names only the service id, so it is looked up across tenants
//! (`Store::scan`), and the hit names the owner's tenant and gateway.

use portico_core::ApiError;
use portico_store::Txn;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

pub const INSTANCE: &str = "huawei.instance";
pub const ENDPOINT_SERVICE: &str = "huawei.endpointservice";
pub const PERMISSION: &str = "huawei.endpointpermission";
pub const CONNECTION: &str = "huawei.connection";
pub const ENDPOINT: &str = "vpcep.endpoint";

/// A stored document as its struct. A body that no longer fits the struct is a server fault.
pub fn decode<T: DeserializeOwned>(kind: &str, body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body)
        .map_err(|e| ApiError::internal(format!("stored {kind} document does not decode: {e}")))
}

pub fn get<T: DeserializeOwned>(
    txn: &mut dyn Txn,
    kind: &str,
    scope: &str,
    id: &str,
) -> Result<Option<T>, ApiError> {
    txn.get(kind, scope, id)?
        .map(|v| decode(kind, v))
        .transpose()
}

pub fn put<T: Serialize>(
    txn: &mut dyn Txn,
    kind: &str,
    scope: &str,
    id: &str,
    doc: &T,
) -> Result<(), ApiError> {
    let body = serde_json::to_value(doc)
        .map_err(|e| ApiError::internal(format!("cannot encode {kind} document: {e}")))?;
    Ok(txn.put_owned(kind, scope, id, body)?)
}

/// Every document of `kind` in `scope`, in insertion order (the order lists answer in).
pub fn all<T: DeserializeOwned>(
    txn: &mut dyn Txn,
    kind: &str,
    scope: &str,
) -> Result<Vec<T>, ApiError> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let batch = txn.list(kind, scope, after, 512)?;
        let Some(last) = batch.last() else {
            return Ok(out);
        };
        after = last.seq;
        for doc in batch {
            out.push(decode(kind, doc.body)?);
        }
    }
}

/// The ids of every document of `kind` in `scope`.
pub fn ids(txn: &mut dyn Txn, kind: &str, scope: &str) -> Result<Vec<String>, ApiError> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let batch = txn.list_shared(kind, scope, after, 512)?;
        let Some(last) = batch.last() else {
            return Ok(out);
        };
        after = last.seq;
        out.extend(batch.into_iter().map(|d| d.id));
    }
}
