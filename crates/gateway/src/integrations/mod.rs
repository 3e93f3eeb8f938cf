//! Integration backends. Each answers an [`Outcome`] the response phase maps (or, for proxy
//! integrations, a response to stream back as is).

pub mod aws;
pub mod h1;
pub mod http;
pub mod lambda;
pub mod mock;
pub mod pool;
pub mod tls;
pub mod vpc_link;

use bytes::Bytes;
use hyper::HeaderMap;

/// A buffered integration response (non-proxy integrations).
#[derive(Debug, Default)]
pub struct Outcome {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// What integration responses' `selectionPattern`s are matched against.
    pub selector: Selector,
}

/// How an integration response is chosen for an [`Outcome`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The status code (HTTP, MOCK).
    #[default]
    Status,
    /// A text: a Lambda function's `errorMessage` (AWS integrations to Lambda).
    Text(String),
    /// The default response only (a Lambda function that succeeded).
    Default,
}
