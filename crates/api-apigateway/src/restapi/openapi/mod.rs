//! OpenAPI import and export of REST APIs: ImportRestApi, PutRestApi (`import`), GetExport
//! (`export`).
//!
//! A document (Swagger 2.0 or OpenAPI 3.0.x, JSON or YAML) is read into a `serde_json::Value`
//! once ([`Document`], in the shared `portico_openapi` crate), whose accessors hide the two versions' differences. The import turns
//! it into the management calls a user would have made and runs the room's own handlers
//! against a [`staging::Staging`] copy of the store, so every entity gets exactly the
//! validation of its own operation, and the result is committed in one transaction.

mod components;
pub mod document;
mod export;
mod import;
mod paths;
mod staging;
#[cfg(test)]
mod tests;

use crate::Handler;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "ImportRestApi" => import::import_rest_api,
        "PutRestApi" => import::put_rest_api,
        "GetExport" => export::get_export,
        _ => return None,
    })
}

/// Where AWS keeps a REST API's models, as `$ref`s in model schemas name them.
pub use portico_openapi::model_url;
