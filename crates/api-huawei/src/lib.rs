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
//! Architecture invariant: imports the store and the shared management machinery; never the
//! data plane, never another room. Everything an operation needs that this room does not own
//! (none yet) would come through a port, as `portico-api-apigateway`'s `DataPlane` does.

pub mod routes;

use std::sync::Arc;

use portico_core::ApiError;
use portico_mgmt::{Call, Handled, Reply, RouteTable};
use portico_store::Store;

/// Huawei answers 501 with no code of its own; Portico's choice, documented in the README.
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

/// The handler of an operation, if Portico has built it.
fn handler(_operation: &str) -> Option<Handler> {
    None
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
                "Portico does not support the operation {} yet; see \"Not yet supported\" in Portico's README",
                call.operation
            ),
        ));
    };
    let cx = cx.clone();
    let reply = portico_store::blocking(move || h(&cx, &call)).await?;
    Ok(Handled { status, reply })
}
