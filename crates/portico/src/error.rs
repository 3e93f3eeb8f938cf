//! The one place where a failure becomes a wire response.
//!
//! Every plane returns `ApiError`; `ApiError::into_response` is the only code that turns one into
//! HTTP. The data plane maps its own failures onto gateway responses before they get here.

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};

use crate::http::{full, ResponseBody};

/// Whose fault a failure was. Determines logging level and, for the caller, whether a retry helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The caller sent something wrong; retrying the same request will fail again.
    Client,
    /// Portico (or its store) failed; the caller did nothing wrong.
    Server,
}

/// An error in AWS's rest-json shape: `x-amzn-ErrorType` + `{"message"}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequestException", message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, "NotFoundException", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, "ConflictException", message)
    }
    pub fn limit_exceeded(message: impl Into<String>) -> Self {
        Self::new(429, "LimitExceededException", message)
    }
    /// AWS's enum validation failure (`1 validation error detected: ...`), raised as 400
    /// BadRequestException like API Gateway does.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequestException", message)
    }
    /// An operation that exists in AWS's model but that Portico has not built yet. 501 is not
    /// retried by the SDKs, so a client fails fast with a message that names what is missing.
    pub fn not_implemented(operation: &str) -> Self {
        Self::new(
            501,
            "NotImplementedException",
            format!(
                "Portico does not support the operation {operation} yet; see \"Not yet supported\" in Portico's README"
            ),
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalFailure", message)
    }

    pub fn fault(&self) -> Fault {
        if self.status >= 500 {
            Fault::Server
        } else {
            Fault::Client
        }
    }

    pub fn into_response(self, request_id: &str) -> Response<ResponseBody> {
        if self.fault() == Fault::Server {
            tracing::error!(code = self.code, message = %self.message, request_id, "request failed");
        } else {
            tracing::debug!(code = self.code, message = %self.message, request_id, "request rejected");
        }
        let body = serde_json::to_vec(&serde_json::json!({ "message": self.message }))
            .unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = Response::new(full(Bytes::from(body)));
        *resp.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let h = resp.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        h.insert("x-amzn-ErrorType", HeaderValue::from_static(self.code));
        if let Ok(v) = HeaderValue::from_str(request_id) {
            h.insert("x-amzn-RequestId", v);
        }
        resp
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(e: rusqlite::Error) -> Self {
        ApiError::internal(format!("store failure: {e}"))
    }
}
