//! What a control-plane handler receives (`Call`) and returns (`Reply`).

use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::{Map, Value};

use portico_core::ApiError;
use portico_core::Tenant;

/// One management call, already authenticated, routed and decoded. It owns what it carries, so
/// a handler can run off the connection's worker (`portico_store::offload`).
pub struct Call {
    pub operation: &'static str,
    pub tenant: Tenant,
    /// Path labels by their name in the route's URI template, percent-decoded.
    pub labels: Vec<(&'static str, String)>,
    /// Query pairs, percent-decoded, in wire order (repeated keys kept).
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Call {
    /// The path label named `name` in the route's URI template (`""` when the route has none:
    /// a handler asks only for labels of its own routes, which the route-table tests pin).
    pub fn label(&self, name: &str) -> &str {
        self.labels
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn query_bool(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.query(name) {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::bad_request(format!(
                "Invalid boolean value '{other}' for query parameter {name}"
            ))),
        }
    }

    /// The body as a JSON object. An empty body counts as `{}` (botocore omits bodies for
    /// operations without body members).
    pub fn json(&self) -> Result<Map<String, Value>, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Map::new());
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(m)) => Ok(m),
            Ok(_) => Err(ApiError::bad_request(
                "The request body must be a JSON object",
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "Could not parse request body into json: {e}"
            ))),
        }
    }
}

/// A handler's successful answer; the status comes from the route table.
pub enum Reply {
    Json(Value),
    Empty,
    /// A raw payload (exports, SDKs).
    Raw {
        content_type: String,
        content_disposition: Option<String>,
        body: Bytes,
    },
    /// A payload with its own status and headers (Lambda's Invoke: 200, 202 or 204 and
    /// `X-Amz-Function-Error`, `X-Amz-Log-Result`, `X-Amz-Executed-Version`).
    Payload {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Bytes,
    },
}

/// Typed reads of request body members, with AWS-style messages on type mismatches.
pub trait Members {
    fn str_of(&self, key: &str) -> Result<Option<String>, ApiError>;
    fn required_str(&self, key: &str) -> Result<String, ApiError>;
    fn bool_of(&self, key: &str) -> Result<Option<bool>, ApiError>;
    fn i64_of(&self, key: &str) -> Result<Option<i64>, ApiError>;
}

impl Members for Map<String, Value> {
    fn str_of(&self, key: &str) -> Result<Option<String>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::bad_request(format!(
                "Invalid value for member '{key}': expected a string"
            ))),
        }
    }
    fn required_str(&self, key: &str) -> Result<String, ApiError> {
        self.str_of(key)?.ok_or_else(|| {
            ApiError::bad_request(format!(
                "1 validation error detected: Value null at '{key}' failed to satisfy constraint: Member must not be null"
            ))
        })
    }
    fn bool_of(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::bad_request(format!(
                "Invalid value for member '{key}': expected a boolean"
            ))),
        }
    }
    fn i64_of(&self, key: &str) -> Result<Option<i64>, ApiError> {
        match self.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
            Some(_) => Err(ApiError::bad_request(format!(
                "Invalid value for member '{key}': expected an integer"
            ))),
        }
    }
}
