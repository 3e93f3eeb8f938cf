//! Huawei Cloud APIG's VPC-endpoint API, and what makes its connections exist: a room of its
//! own, in Huawei's wire format (`{"error_code": "APIG.xxxx", "error_msg"}` + `X-Request-Id`).
//!
//! Two of Huawei's services answer here, each with the route table of its SDK's client
//! ([`routes`]): APIG v2 (gateway instances, and each instance's VPC-endpoint connections and
//! whitelist) and VPC Endpoint v1 (a consumer's `CreateEndpoint`, which is what makes a
//! connection appear at a gateway).
//!
//! Calls are signed `SDK-HMAC-SHA256`; the binary verifies them and hands over a tenant
//! (account, project). The project comes from the path's `{project_id}`.
//!
//! What is served (the rest answers 501 APIG.0501):
//! - APIG gateways: CreateInstanceV2, ShowDetailsOfInstanceV2, ListInstancesV2,
//!   DeleteInstancesV2 ([`instances`]);
//! - a gateway's VPC endpoint service: ListEndpointConnections,
//!   AcceptOrRejectEndpointConnections ([`vpc_endpoint::connections`]), ListEndpointPermissions,
//!   AddEndpointPermissions, DeleteEndpointPermissions ([`vpc_endpoint::permissions`]);
//! - a consumer's VPC endpoints: CreateEndpoint, ListEndpoints, ListEndpointInfoDetails,
//!   DeleteEndpoint ([`vpcep::endpoints`]).
//!
//! Documents and how tenants find each other's: [`docs`]. Error codes and their sources:
//! [`errors`]. Paging: [`paging`].
//!
//! Architecture invariant: imports the store and the shared management machinery; never the
//! data plane, never another room. Everything an operation needs that this room does not own
//! (none yet) would come through a port, as `portico-api-apigateway`'s `DataPlane` does.

pub mod body;
pub mod docs;
pub mod errors;
pub mod ids;
pub mod instances;
pub mod paging;
pub mod routes;
pub mod vpc_endpoint;
pub mod vpcep;

use std::sync::Arc;

use portico_core::ApiError;
use portico_mgmt::{Call, Handled, Reply, RouteTable};
use portico_store::Store;

/// Huawei answers 501 with no code of its own; Portico's choice, documented in the README
/// ("Huawei Cloud APIG").
pub const NOT_IMPLEMENTED: &str = "APIG.0501";

/// Everything a handler may reach.
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub apig: RouteTable,
    pub vpcep: RouteTable,
    /// The region Portico presents (endpoint service names are `{region}.{name}.{id}`).
    pub region: String,
}

impl Ctx {
    pub fn new(store: Arc<dyn Store>, region: impl Into<String>) -> Ctx {
        Ctx {
            store,
            apig: routes::apig(),
            vpcep: routes::vpcep(),
            region: region.into(),
        }
    }

    /// The table a raw path belongs to: VPC Endpoint's paths are `/v1/...` (and its version
    /// documents), APIG's are `/v2/{project_id}/apigw/...`.
    pub fn table_for(&self, raw_path: &str) -> &RouteTable {
        if self.apig.path_exists(raw_path) {
            &self.apig
        } else {
            &self.vpcep
        }
    }
}

pub type Handler = fn(&Ctx, &Call) -> Result<Reply, ApiError>;

/// The handler of an operation, if Portico has built it. Operation names are unique across
/// the two route tables.
fn handler(operation: &str) -> Option<Handler> {
    instances::handler(operation)
        .or_else(|| vpc_endpoint::handler(operation))
        .or_else(|| vpcep::handler(operation))
}

pub fn is_supported(operation: &str) -> bool {
    handler(operation).is_some()
}

/// Run a routed call on the store's blocking pool.
pub async fn handle(cx: &Arc<Ctx>, status: u16, call: Call) -> Result<Handled, ApiError> {
    let Some(h) = handler(call.operation) else {
        return Err(ApiError::new(
            501,
            NOT_IMPLEMENTED,
            format!(
                "Portico does not support the operation {} yet; see \"Huawei Cloud APIG\" in Portico's README",
                call.operation
            ),
        ));
    };
    let cx = cx.clone();
    let operation = call.operation;
    let store = cx.store.clone();
    let reply = portico_store::offload(&*store, move || h(&cx, &call))
        .await
        .map_err(|e| in_huawei_terms(operation, e))?;
    Ok(Handled { status, reply })
}

/// Store failures (and undecodable documents) arrive as the shared `InternalFailure`; Huawei
/// answers them with its own codes: APIG's "Failed to access the database." (APIC.9100), VPC
/// Endpoint's "System error. Please retry." (EndPoint.0001). The detail goes to the log.
fn in_huawei_terms(operation: &str, e: ApiError) -> ApiError {
    if e.code != "InternalFailure" {
        return e;
    }
    tracing::error!(operation, detail = %e.message, "Huawei call failed in the store");
    if vpcep::handler(operation).is_some() {
        errors::vpcep_system()
    } else {
        errors::database()
    }
}
