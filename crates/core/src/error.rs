//! The error every management API answers with: a status, a code and a message.
//!
//! It is not yet wire text: each API renders it in its own format (`portico_mgmt::wire`: AWS
//! rest-json or Huawei's `{"error_code","error_msg"}`), in the one place errors become
//! responses. The data plane maps its own failures onto gateway responses instead.

/// Whose fault a failure was. Determines logging level and, for the caller, whether a retry helps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The caller sent something wrong; retrying the same request will fail again.
    Client,
    /// Portico (or its store) failed; the caller did nothing wrong.
    Server,
}

/// A management call's failure: HTTP status, the API's error code (AWS's `x-amzn-ErrorType`, Huawei's
/// `error_code`) and message.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    /// What was not found (`apigatewayv2`'s NotFoundException carries it as `resourceType`).
    pub resource_type: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            resource_type: None,
        }
    }
    /// The same error naming the kind of resource it concerns (`Api`, `Route`…).
    pub fn with_resource_type(mut self, resource_type: &'static str) -> Self {
        self.resource_type = Some(resource_type);
        self
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
    /// AWS's input validation failure (`1 validation error detected: ...`): a 400
    /// ValidationException, as recorded against API Gateway.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(400, "ValidationException", message)
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
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.code, self.status, self.message)
    }
}

impl std::error::Error for ApiError {}
