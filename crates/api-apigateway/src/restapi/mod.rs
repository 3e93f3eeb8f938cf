//! The API definition: REST APIs, resources, methods and integrations (with their parameter
//! mappings), models, request validators, authorizers, gateway responses; `openapi`: the
//! whole definition imported from and exported to OpenAPI documents.

pub mod authorizers;
pub mod gateway_responses;
pub mod integrations;
pub mod methods;
pub mod models;
pub mod openapi;
pub mod params;
pub mod resources;
pub mod restapis;
pub mod validators;
