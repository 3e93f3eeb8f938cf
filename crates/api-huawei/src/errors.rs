//! Huawei's error codes and texts, one constructor each.
//!
//! Sources (quoted verbatim where a text is given):
//! - APIG API reference, appendix "Error Codes" (`api-ref/source/appendix/error_codes.rst` of
//!   opentelekomcloud-docs/api-gateway, the same table as support.huaweicloud.com's
//!   `api-apig` "Error Codes" page) for every `APIC.*` and `APIG.*` code and its status.
//! - The per-operation examples of that reference: `APIC.7211`'s full text is CreateInstanceV2's
//!   400 example ("Parameter value does not match the rules, parameter name[maintainBegin]"),
//!   `APIC.7302`'s is ShowDetailsOfInstanceV2's and DeleteInstancesV2's 404 example, `APIG.2012`'s
//!   is the one the list operations' 400 examples share ("Invalid parameter
//!   value,parameterName:app_name. Please refer to the support documentation").
//! - VPC Endpoint API reference, appendix "Error Codes" (opentelekomcloud-docs/vpc-endpoint
//!   `api-ref/source/appendix/error_codes.rst`) for every `EndPoint.*` code, status and text.
//!
//! Where the texts leave a detail open (which parameter, which id), the detail follows in the
//! style of Huawei's own examples ("...;id:<id>", "parameter name[<name>]").

use portico_core::ApiError;

// --- APIG: gateway instances and their VPC-endpoint operations (the `APIC` component) --------

/// 400 APIC.7211: a body member (or the body itself) breaks its rules. `param` is the member's
/// name as Huawei's Java backend spells it in this message (lower camel case, see
/// [`camel`]), e.g. `instanceName`.
pub fn rules(param: &str) -> ApiError {
    ApiError::new(
        400,
        "APIC.7211",
        format!("Parameter value does not match the rules, parameter name[{param}]"),
    )
}

/// [`rules`] for a snake_case wire name.
pub fn rules_for(wire_name: &str) -> ApiError {
    rules(&camel(wire_name))
}

/// 400 APIC.7238.
pub fn az_required() -> ApiError {
    ApiError::new(400, "APIC.7238", "An AZ must be specified.")
}

/// 400 APIC.7230.
pub fn maintenance_window_length() -> ApiError {
    ApiError::new(
        400,
        "APIC.7230",
        "The maintenance time window must be 4 hours.",
    )
}

/// 400 APIC.7235.
pub fn maintenance_window_start() -> ApiError {
    ApiError::new(
        400,
        "APIC.7235",
        "The maintenance time window must start or end with 2, 6, 10, 14, 18, or 22.",
    )
}

/// 400 APIC.7500.
pub fn name_exists() -> ApiError {
    ApiError::new(400, "APIC.7500", "The gateway name already exists.")
}

/// 400 APIC.7505.
pub fn id_exists() -> ApiError {
    ApiError::new(400, "APIC.7505", "The gateway ID already exists.")
}

/// 403 APIC.7402.
pub fn too_many_tags() -> ApiError {
    ApiError::new(
        403,
        "APIC.7402",
        "The number of tags exceeds the maximum allowed limit.",
    )
}

/// 404 APIC.7302, for a gateway the caller's tenant (account and project) does not have.
pub fn instance_not_found() -> ApiError {
    ApiError::new(404, "APIC.7302", "Instance not found")
}

/// 404 APIC.7314 ("The VPC Endpoint of the gateway does not exist."), for an endpoint id that
/// has no connection to the gateway.
pub fn connection_not_found(id: &str) -> ApiError {
    ApiError::new(
        404,
        "APIC.7314",
        format!(
            "The VPC Endpoint of the gateway does not exist;id:{}",
            echo(id)
        ),
    )
}

/// 400 APIG.2012: a query parameter that is not what its type says (`offset=abc`).
pub fn invalid_query(param: &str) -> ApiError {
    ApiError::new(
        400,
        "APIG.2012",
        format!(
            "Invalid parameter value,parameterName:{param}. Please refer to the support documentation"
        ),
    )
}

/// 500 APIC.9100: the store failed.
pub fn database() -> ApiError {
    ApiError::new(500, "APIC.9100", "Failed to access the database.")
}

// --- VPC Endpoint (the consumer's side) -------------------------------------------------------

/// 400 EndPoint.0002: a body that is not JSON, or a member of the wrong type.
pub fn vpcep_parameter() -> ApiError {
    ApiError::new(400, "EndPoint.0002", "Parameter error.")
}

/// 400 EndPoint.0006.
pub fn vpcep_limit() -> ApiError {
    ApiError::new(400, "EndPoint.0006", "Invalid limit.")
}

/// 400 EndPoint.0010.
pub fn vpcep_offset() -> ApiError {
    ApiError::new(400, "EndPoint.0010", "Invalid offset.")
}

/// 400 EndPoint.0017.
pub fn vpcep_sort_key() -> ApiError {
    ApiError::new(400, "EndPoint.0017", "Invalid sort_key.")
}

/// 400 EndPoint.0018.
pub fn vpcep_sort_dir() -> ApiError {
    ApiError::new(400, "EndPoint.0018", "Invalid sort_dir.")
}

/// 400 EndPoint.2029.
pub fn vpcep_service_id_empty() -> ApiError {
    ApiError::new(
        400,
        "EndPoint.2029",
        "The requested endpoint service ID is empty.",
    )
}

/// 400 EndPoint.2011.
pub fn vpcep_vpc_id_empty() -> ApiError {
    ApiError::new(400, "EndPoint.2011", "The input parameter VPC ID is empty.")
}

/// 400 EndPoint.2010.
pub fn vpcep_subnet_id_empty() -> ApiError {
    ApiError::new(
        400,
        "EndPoint.2010",
        "The input parameter subnet ID is empty.",
    )
}

/// 400 EndPoint.0020.
pub fn vpcep_vpc_id() -> ApiError {
    ApiError::new(400, "EndPoint.0020", "Invalid VPC ID.")
}

/// 400 EndPoint.0023.
pub fn vpcep_subnet_id() -> ApiError {
    ApiError::new(400, "EndPoint.0023", "Invalid subnet_id.")
}

/// 400 EndPoint.2003.
pub fn vpcep_service_not_found() -> ApiError {
    ApiError::new(400, "EndPoint.2003", "The endpoint service does not exist.")
}

/// 400 EndPoint.2004: the gateway behind the service is still being created.
pub fn vpcep_service_unavailable() -> ApiError {
    ApiError::new(400, "EndPoint.2004", "The endpoint service is unavailable.")
}

/// 400 EndPoint.2012: the consumer's domain is neither the owner's nor whitelisted.
pub fn vpcep_no_permission() -> ApiError {
    ApiError::new(
        400,
        "EndPoint.2012",
        "You have no permission to connect to the VPC endpoint service.",
    )
}

/// 404 EndPoint.2006.
pub fn vpcep_endpoint_not_found() -> ApiError {
    ApiError::new(
        404,
        "EndPoint.2006",
        "The requested endpoint does not exist.",
    )
}

/// 500 EndPoint.0001: the store failed.
pub fn vpcep_system() -> ApiError {
    ApiError::new(500, "EndPoint.0001", "System error. Please retry.")
}

// --- helpers ----------------------------------------------------------------------------------

/// `available_zone_ids` → `availableZoneIds`: the spelling of parameter names in APIC.7211's
/// text (Huawei's example names `maintainBegin` for the wire's `maintain_begin`).
pub fn camel(wire_name: &str) -> String {
    let mut out = String::with_capacity(wire_name.len());
    let mut upper = false;
    for c in wire_name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// At most 64 characters of client input in a message.
fn echo(s: &str) -> String {
    s.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_names_are_lower_camel_case_as_in_huaweis_example() {
        for (wire, text) in [
            ("maintain_begin", "maintainBegin"),
            ("available_zone_ids", "availableZoneIds"),
            ("action", "action"),
        ] {
            assert_eq!(camel(wire), text);
        }
        assert_eq!(
            rules_for("maintain_begin").message,
            "Parameter value does not match the rules, parameter name[maintainBegin]"
        );
    }

    #[test]
    fn echoed_ids_are_bounded() {
        let e = connection_not_found(&"x".repeat(1000));
        assert!(e.message.len() < 200);
    }
}
