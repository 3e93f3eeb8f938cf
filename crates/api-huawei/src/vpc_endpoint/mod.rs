//! APIG's five VPC-endpoint operations on a gateway (`/v2/{project_id}/apigw/instances/
//! {instance_id}/vpc-endpoint/...`): its endpoint service's connections and whitelist. Every
//! one first finds the gateway in the caller's tenant (404 APIC.7302 otherwise), so another
//! project or account can neither see nor change them.

pub mod connections;
pub mod permissions;

use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ListEndpointConnections" => connections::list,
        "AcceptOrRejectEndpointConnections" => connections::act,
        "ListEndpointPermissions" => permissions::list,
        "AddEndpointPermissions" => permissions::add,
        "DeleteEndpointPermissions" => permissions::delete,
        _ => return None,
    })
}
