//! OpenAPI 3.0 definitions of HTTP APIs: ImportApi and ReimportApi (`import`), ExportApi
//! (`export`).
//!
//! The document layer (JSON or YAML read once, bounded alias expansion, `$ref` resolution,
//! the base path of `servers`) is `portico_openapi`, shared with the REST API's importer. The
//! importer turns a document into a [`import::Plan`] of typed entities without touching the
//! store, then writes the plan in one transaction, each entity checked by the same function
//! its Create operation uses; an import that fails anywhere creates or changes nothing.

mod export;
mod import;
mod security;

use crate::Handler;

pub fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ImportApi" => import::import_api,
        "ReimportApi" => import::reimport_api,
        "ExportApi" => export::export_api,
        _ => return None,
    })
}

/// The path-item keys that name operations, and the route method each stands for.
const OPERATIONS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// Where a document's reusable integrations live (`$ref` targets).
const INTEGRATIONS_PREFIX: &str = "#/components/x-amazon-apigateway-integrations/";
const SCHEMAS_PREFIX: &str = "#/components/schemas/";
/// The path `$default` is written under (with `x-amazon-apigateway-any-method`).
const DEFAULT_PATH: &str = "/$default";
