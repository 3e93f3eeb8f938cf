//! VPC Endpoint v1 (`/v1/{project_id}/vpc-endpoints...`), as far as a consumer of a gateway's
//! endpoint service needs it: its own endpoints. Errors are VPCEP's (`EndPoint.xxxx`).

pub mod endpoints;

use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    endpoints::handler(operation)
}
