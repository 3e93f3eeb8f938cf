//! What the `apigateway` and `apigatewayv2` rooms share about OpenAPI documents and model
//! schemas, so that neither room depends on the other:
//! - [`document`]: a document read once from JSON or YAML (bounded alias expansion), with the
//!   accessors that hide where Swagger 2.0 and OpenAPI 3.0 keep the same thing, and AWS's
//!   import error forms;
//! - [`template`]: references between models, and the sample mapping template AWS generates
//!   from a schema (`GetModelTemplate`);
//! - [`to_yaml`] / [`to_json`]: how exports are written.
//!
//! Architecture invariant: below the rooms; imports only `portico-core` (for `ApiError`).

pub mod document;
pub mod template;

use portico_core::ApiError;
use serde_json::Value;

/// Where AWS keeps a model, as `$ref`s in model schemas name them (the same form for REST and
/// HTTP/WebSocket APIs).
pub fn model_url(api_id: &str, name: &str) -> String {
    format!("{}{api_id}/models/{name}", template::REF_PREFIX)
}

/// An exported document as YAML.
pub fn to_yaml(doc: &Value) -> Result<Vec<u8>, ApiError> {
    serde_saphyr::to_string(doc)
        .map(String::into_bytes)
        .map_err(|e| ApiError::internal(format!("cannot write YAML: {e}")))
}

/// An exported document as indented JSON.
pub fn to_json(doc: &Value) -> Result<Vec<u8>, ApiError> {
    serde_json::to_vec_pretty(doc)
        .map_err(|e| ApiError::internal(format!("cannot write JSON: {e}")))
}
