//! What only REST APIs do on the data plane: a deployment snapshot compiled into a routing
//! trie and per-method plans (`compile`, `router`), the named phases of an invocation
//! (`pipeline`), parameter and template mappings (`mapping`, `request_map`, `response_map`,
//! `template`, `context`), request validation (`validate`), gateway responses (the one place a
//! REST invocation's failure becomes a response), and TestInvokeMethod's run (`test_invoke`).
//!
//! Beside it, at the crate's root, what every API kind's invocations share: the registry of
//! live deployments, metering, metrics, the access log and upstream connections
//! (`integrations`). HTTP APIs (`http/`) and WebSocket APIs (`ws/`) will sit beside `rest/`.

pub mod authorize;
mod aws_service;
pub mod compile;
pub mod context;
pub mod gateway_responses;
mod integrate;
pub mod lambda;
pub mod lambda_authorizer;
pub mod lambda_proxy;
pub mod mapping;
pub mod pipeline;
pub mod request_map;
pub mod resource_policy;
pub mod response_map;
pub mod router;
pub mod template;
pub mod test_authorizer;
pub mod test_invoke;
pub mod validate;
