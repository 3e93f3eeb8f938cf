//! The document layer is shared with the apigatewayv2 room (`portico_openapi::document`).

pub use portico_openapi::document::*;
