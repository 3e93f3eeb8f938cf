//! What every management API shares and no API owns: route tables from text with named path
//! labels ([`routes`]), the decoded call and its reply ([`call`]), patch rules ([`patch`]),
//! paging ([`paging`]), and the wire formats errors and replies leave in ([`wire`]).
//!
//! Architecture invariant: knows no API (no operation names, no entity) and never imports the
//! data plane. An API room is its route table, its handlers and its [`wire::WireFormat`].

pub mod call;
pub mod paging;
pub mod patch;
pub mod routes;
pub mod wire;

use bytes::Bytes;
use hyper::HeaderMap;
use portico_core::query::{decode, parse_query};
use portico_core::{ApiError, Tenant};

pub use call::{Call, Members, Reply};
pub use routes::RouteTable;
pub use wire::WireFormat;

/// A handler's answer with the success status its route table gives.
pub struct Handled {
    pub status: u16,
    pub reply: Reply,
}

/// Match a call against `table` and decode it. Unknown paths answer as AWS answers an unknown
/// API route (404, or 405 when the path exists under another method).
pub fn route(
    table: &RouteTable,
    tenant: &Tenant,
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<(u16, Call), ApiError> {
    let query = parse_query(raw_query);
    let Some((route, raw_labels)) = table.find(method, raw_path, &query) else {
        return Err(ApiError::new(
            if table.path_exists(raw_path) {
                405
            } else {
                404
            },
            "UnknownOperationException",
            format!("No operation matches {method} {raw_path}"),
        ));
    };
    tracing::debug!(operation = route.operation, account = %tenant.account(), partition = %tenant.partition(), "management call");
    Ok((
        route.status,
        Call {
            operation: route.operation,
            tenant: tenant.clone(),
            labels: raw_labels
                .into_iter()
                .map(|(name, raw)| (name, decode(raw)))
                .collect(),
            query,
            headers: headers.clone(),
            body,
        },
    ))
}
