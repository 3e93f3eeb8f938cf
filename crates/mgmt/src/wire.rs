//! The wire formats of the management APIs, and the one place a management call's result
//! becomes an HTTP response: success replies and [`ApiError`]s alike leave through
//! [`WireFormat::reply`] and [`WireFormat::error`].

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use portico_core::{ApiError, Fault};
use serde_json::{json, Value};

use crate::call::Reply;

/// How an API writes its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireFormat {
    /// AWS rest-json (`apigateway`, `apigatewayv2`, `apigatewaymanagementapi`): errors are
    /// `x-amzn-ErrorType` + `{"message"}`, every answer carries `x-amzn-RequestId`.
    AwsRestJson,
    /// AWS rest-json as Lambda writes it: `x-amzn-ErrorType` + `{"Type": "User"|"Server",
    /// "message"}` (botocore reads the code from the header, the message from the body).
    AwsLambda,
    /// Huawei Cloud's JSON: errors are `{"error_code": "APIG.xxxx", "error_msg": "..."}`, every
    /// answer carries `X-Request-Id` (the SDK reads it into `request_id`).
    HuaweiJson,
}

impl WireFormat {
    /// The response header that carries the request id.
    pub fn request_id_header(self) -> &'static str {
        match self {
            WireFormat::AwsRestJson | WireFormat::AwsLambda => "x-amzn-RequestId",
            WireFormat::HuaweiJson => "X-Request-Id",
        }
    }

    pub fn error(self, e: ApiError, request_id: &str) -> Response<Bytes> {
        if e.fault() == Fault::Server {
            tracing::error!(code = e.code, message = %e.message, request_id, "request failed");
        } else {
            tracing::debug!(code = e.code, message = %e.message, request_id, "request rejected");
        }
        let body = match self {
            WireFormat::AwsRestJson => match e.resource_type {
                Some(t) => json!({ "message": e.message, "resourceType": t }),
                None => json!({ "message": e.message }),
            },
            WireFormat::AwsLambda => {
                let kind = if e.fault() == Fault::Server {
                    "Service"
                } else {
                    "User"
                };
                // Lambda's model spells the member `Message` on these two errors (and on the
                // EC2/EFS/KMS ones Portico never raises), `message` on the others.
                if matches!(e.code, "ResourceNotFoundException" | "ServiceException") {
                    json!({ "Type": kind, "Message": e.message })
                } else {
                    json!({ "Type": kind, "message": e.message })
                }
            }
            WireFormat::HuaweiJson => json!({ "error_code": e.code, "error_msg": e.message }),
        };
        let mut resp = json_response(e.status, &body);
        if self != WireFormat::HuaweiJson {
            resp.headers_mut()
                .insert("x-amzn-ErrorType", HeaderValue::from_static(e.code));
        }
        self.stamp(&mut resp, request_id);
        resp
    }

    pub fn reply(self, status: u16, reply: Reply, request_id: &str) -> Response<Bytes> {
        let mut resp = match reply {
            Reply::Json(v) => json_response(status, &v),
            Reply::Empty => with_status(Response::new(Bytes::new()), status),
            Reply::Raw {
                content_type,
                content_disposition,
                body,
            } => {
                let mut r = with_status(Response::new(body), status);
                if let Ok(v) = HeaderValue::from_str(&content_type) {
                    r.headers_mut().insert(CONTENT_TYPE, v);
                }
                if let Some(cd) = content_disposition.and_then(|cd| HeaderValue::from_str(&cd).ok())
                {
                    r.headers_mut().insert("content-disposition", cd);
                }
                r
            }
            Reply::Payload {
                status,
                headers,
                body,
            } => {
                let mut r = with_status(Response::new(body), status);
                for (k, v) in headers {
                    if let Ok(v) = HeaderValue::from_str(&v) {
                        r.headers_mut().insert(k, v);
                    }
                }
                r
            }
        };
        self.stamp(&mut resp, request_id);
        resp
    }

    fn stamp(self, resp: &mut Response<Bytes>, request_id: &str) {
        if let Ok(v) = HeaderValue::from_str(request_id) {
            resp.headers_mut()
                .entry(self.request_id_header())
                .or_insert(v);
        }
    }
}

fn with_status(mut r: Response<Bytes>, status: u16) -> Response<Bytes> {
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r
}

pub fn json_response(status: u16, value: &Value) -> Response<Bytes> {
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = with_status(Response::new(Bytes::from(body)), status);
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(r: &Response<Bytes>) -> Value {
        serde_json::from_slice(r.body()).unwrap()
    }

    #[test]
    fn aws_errors_carry_the_type_header_and_a_message() {
        let r = WireFormat::AwsRestJson.error(
            ApiError::not_found("Invalid API identifier specified"),
            "rid",
        );
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["x-amzn-ErrorType"], "NotFoundException");
        assert_eq!(r.headers()["x-amzn-RequestId"], "rid");
        assert_eq!(
            body(&r),
            json!({"message": "Invalid API identifier specified"})
        );
    }

    #[test]
    fn an_error_naming_its_resource_type_carries_it() {
        let r = WireFormat::AwsRestJson.error(
            ApiError::not_found("Invalid API identifier specified 1:a").with_resource_type("Api"),
            "rid",
        );
        assert_eq!(
            body(&r),
            json!({"message": "Invalid API identifier specified 1:a", "resourceType": "Api"})
        );
    }

    #[test]
    fn lambda_errors_carry_type_and_the_models_spelling_of_message() {
        let r = WireFormat::AwsLambda.error(
            ApiError::new(404, "ResourceNotFoundException", "Function not found: x"),
            "rid",
        );
        assert_eq!(r.headers()["x-amzn-ErrorType"], "ResourceNotFoundException");
        assert_eq!(
            body(&r),
            json!({"Type": "User", "Message": "Function not found: x"})
        );
        let r = WireFormat::AwsLambda.error(
            ApiError::new(
                409,
                "ResourceConflictException",
                "Function already exist: x",
            ),
            "rid",
        );
        assert_eq!(
            body(&r),
            json!({"Type": "User", "message": "Function already exist: x"})
        );
    }

    #[test]
    fn a_payload_reply_keeps_its_status_and_headers() {
        let r = WireFormat::AwsLambda.reply(
            200,
            Reply::Payload {
                status: 202,
                headers: vec![("X-Amz-Executed-Version", "$LATEST".into())],
                body: Bytes::new(),
            },
            "rid",
        );
        assert_eq!(r.status(), 202);
        assert_eq!(r.headers()["x-amz-executed-version"], "$LATEST");
    }

    #[test]
    fn huawei_errors_carry_code_and_msg_and_the_request_id() {
        let r = WireFormat::HuaweiJson
            .error(ApiError::new(404, "APIC.7302", "Instance not found"), "abc");
        assert_eq!(r.status(), 404);
        assert!(r.headers().get("x-amzn-ErrorType").is_none());
        assert_eq!(r.headers()["x-request-id"], "abc");
        assert_eq!(
            body(&r),
            json!({"error_code": "APIC.7302", "error_msg": "Instance not found"})
        );
    }
}
