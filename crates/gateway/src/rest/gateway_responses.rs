//! Gateway responses: the one place a data-plane failure becomes an HTTP response.
//!
//! Lookup order is API Gateway's: the API's customised response for the type, else its
//! customised DEFAULT_4XX / DEFAULT_5XX (keeping the type's own status unless the default sets
//! one), else AWS's built-in response — `{"message":$context.error.messageString}` with the
//! type's status and `x-amzn-ErrorType`.

use std::collections::HashMap;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};

use super::mapping::{self, LazyContext, Source, View};
use super::template::{self, Inputs, Template};
use crate::http::{full, ResponseBody};

macro_rules! response_types {
    ($($v:ident = $name:literal, $status:expr, $etype:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ResponseType { $($v),* }
        impl ResponseType {
            pub const ALL: &'static [ResponseType] = &[$(ResponseType::$v),*];
            pub fn name(self) -> &'static str { match self { $(ResponseType::$v => $name),* } }
            /// The status AWS answers with when nothing is customised (0 for the DEFAULT_* pair).
            pub fn default_status(self) -> u16 { match self { $(ResponseType::$v => $status),* } }
            /// The `x-amzn-ErrorType` header AWS sends for this type.
            pub fn error_type(self) -> &'static str { match self { $(ResponseType::$v => $etype),* } }
            pub fn from_name(n: &str) -> Option<ResponseType> {
                match n { $($name => Some(ResponseType::$v),)* _ => None }
            }
        }
    };
}

// Error types are those AWS sends (recorded in LocalStack's AWS-validated snapshots where
// known); the rest follow AWS's `{Name}Exception` convention.
response_types! {
    AccessDenied = "ACCESS_DENIED", 403, "AccessDeniedException";
    ApiConfigurationError = "API_CONFIGURATION_ERROR", 500, "InternalServerErrorException";
    AuthorizerConfigurationError = "AUTHORIZER_CONFIGURATION_ERROR", 500, "AuthorizerConfigurationException";
    AuthorizerFailure = "AUTHORIZER_FAILURE", 500, "AuthorizerFailureException";
    BadRequestParameters = "BAD_REQUEST_PARAMETERS", 400, "BadRequestException";
    BadRequestBody = "BAD_REQUEST_BODY", 400, "BadRequestException";
    Default4xx = "DEFAULT_4XX", 0, "BadRequestException";
    Default5xx = "DEFAULT_5XX", 0, "InternalServerErrorException";
    ExpiredToken = "EXPIRED_TOKEN", 403, "ExpiredTokenException";
    IntegrationFailure = "INTEGRATION_FAILURE", 504, "InternalServerErrorException";
    IntegrationTimeout = "INTEGRATION_TIMEOUT", 504, "InternalServerErrorException";
    InvalidApiKey = "INVALID_API_KEY", 403, "ForbiddenException";
    InvalidSignature = "INVALID_SIGNATURE", 403, "InvalidSignatureException";
    MissingAuthenticationToken = "MISSING_AUTHENTICATION_TOKEN", 403, "MissingAuthenticationTokenException";
    QuotaExceeded = "QUOTA_EXCEEDED", 429, "LimitExceededException";
    RequestTooLarge = "REQUEST_TOO_LARGE", 413, "RequestTooLargeException";
    ResourceNotFound = "RESOURCE_NOT_FOUND", 404, "ResourceNotFoundException";
    Throttled = "THROTTLED", 429, "TooManyRequestsException";
    Unauthorized = "UNAUTHORIZED", 401, "UnauthorizedException";
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", 415, "UnsupportedMediaTypeException";
    WafFiltered = "WAF_FILTERED", 403, "WafFilteredException";
}

/// A failure inside the pipeline, before it is rendered.
#[derive(Debug, Clone)]
pub struct GatewayError {
    pub kind: ResponseType,
    /// `$context.error.message`; `None` is AWS's `null` (authorizer failures answer
    /// `{"message":null}`).
    pub message: Option<String>,
    /// A status other than the type's default (AWS answers an unreachable HTTP backend with
    /// INTEGRATION_FAILURE but status 500).
    pub status: Option<u16>,
    /// What the execution log says (`test_invoke_method`'s `log`).
    pub detail: Option<String>,
    /// The member the default body names the message with: `message`, except for IAM's
    /// access denials, which AWS answers `{"Message": …}`.
    pub message_key: &'static str,
}

impl GatewayError {
    pub fn new(kind: ResponseType, message: impl Into<String>) -> GatewayError {
        GatewayError {
            kind,
            message: Some(message.into()),
            status: None,
            detail: None,
            message_key: "message",
        }
    }
    pub fn missing_token() -> GatewayError {
        Self::new(
            ResponseType::MissingAuthenticationToken,
            "Missing Authentication Token",
        )
    }
    /// A configuration problem: the client sees AWS's opaque 500, the log gets the reason.
    pub fn config(detail: impl Into<String>) -> GatewayError {
        GatewayError {
            detail: Some(detail.into()),
            ..Self::new(ResponseType::ApiConfigurationError, "Internal server error")
        }
    }
    /// An error whose message AWS leaves `null`.
    pub fn without_message(kind: ResponseType) -> GatewayError {
        GatewayError {
            message: None,
            ..Self::new(kind, "")
        }
    }
    pub fn with_message_key(mut self, key: &'static str) -> GatewayError {
        self.message_key = key;
        self
    }
    pub fn with_status(mut self, status: u16) -> GatewayError {
        self.status = Some(status);
        self
    }
    pub fn with_detail(mut self, detail: impl Into<String>) -> GatewayError {
        self.detail = Some(detail.into());
        self
    }
    fn class_default(&self) -> ResponseType {
        if self.status.unwrap_or(self.kind.default_status()) >= 500 {
            ResponseType::Default5xx
        } else {
            ResponseType::Default4xx
        }
    }
}

/// One customised gateway response, compiled.
#[derive(Debug)]
struct Custom {
    status: Option<u16>,
    parameters: Vec<(String, Source)>,
    templates: Vec<(String, Template)>,
}

/// The API's customised gateway responses (from the deployment snapshot).
#[derive(Debug, Default)]
pub struct GatewayResponses {
    custom: HashMap<ResponseType, Custom>,
}

impl GatewayResponses {
    /// Compile the snapshot's `gatewayResponses`. Entries that don't compile are skipped with a
    /// warning: a broken customisation must not break the API's error path.
    pub fn compile(docs: &[Value]) -> GatewayResponses {
        let mut custom = HashMap::new();
        for d in docs {
            let Some(kind) = d
                .get("responseType")
                .and_then(Value::as_str)
                .and_then(ResponseType::from_name)
            else {
                continue;
            };
            let status = d
                .get("statusCode")
                .and_then(Value::as_str)
                .and_then(|s| s.parse().ok());
            let mut parameters = Vec::new();
            for (k, v) in d
                .get("responseParameters")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let (Some(name), Some(expr)) =
                    (k.strip_prefix("gatewayresponse.header."), v.as_str())
                else {
                    continue;
                };
                match mapping::parse_source(expr) {
                    Ok(src) => parameters.push((name.to_string(), src)),
                    Err(e) => tracing::warn!(response_type = kind.name(), "{e}"),
                }
            }
            let mut templates = Vec::new();
            for (ct, src) in d
                .get("responseTemplates")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                match Template::parse(src.as_str().unwrap_or("")) {
                    Ok(t) => templates.push((ct.clone(), t)),
                    Err(e) => tracing::warn!(response_type = kind.name(), "bad template: {e}"),
                }
            }
            custom.insert(
                kind,
                Custom {
                    status,
                    parameters,
                    templates,
                },
            );
        }
        GatewayResponses { custom }
    }

    /// Render `err`. `ctx` is the request's `$context` (without `error`, added here); `req` the
    /// request view for `method.request.*` parameters when routing got that far.
    pub fn render(
        &self,
        err: &GatewayError,
        ctx: &LazyContext,
        stage_variables: &Map<String, Value>,
        req: Option<&View>,
    ) -> Response<ResponseBody> {
        let custom = self
            .custom
            .get(&err.kind)
            .or_else(|| self.custom.get(&err.class_default()));
        // A status set on the customisation wins (LocalStack's AWS-validated behaviour for a
        // DEFAULT_4XX/5XX that sets one); otherwise the type's own status.
        let status = match custom.and_then(|c| c.status) {
            Some(s) => s,
            None => err.status.unwrap_or(match err.kind.default_status() {
                0 => 500,
                s => s,
            }),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-amzn-ErrorType",
            HeaderValue::from_static(err.kind.error_type()),
        );
        let Some(custom) = custom else {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return build(status, headers, default_body(err.message_key, &err.message));
        };
        let mut ctx = ctx.get().clone();
        if let Value::Object(m) = &mut ctx {
            m.insert("error".into(), error_context(err));
        }
        let empty = HeaderMap::new();
        let none: [(String, String); 0] = [];
        let fallback_ctx;
        let fallback_view;
        let view = match req {
            Some(v) => v,
            None => {
                fallback_ctx = LazyContext::ready(ctx.clone());
                fallback_view =
                    View::new(&none, &none, &empty, b"", &fallback_ctx, stage_variables);
                &fallback_view
            }
        };
        for (name, src) in &custom.parameters {
            let value = match src {
                Source::Context(path) => {
                    let mut v = &ctx;
                    let mut ok = true;
                    for k in path {
                        match v.get(k) {
                            Some(x) => v = x,
                            None => {
                                ok = false;
                                break;
                            }
                        }
                    }
                    ok.then(|| mapping::scalar_text(v))
                }
                other => view.eval(other),
            };
            if let (Some(v), Ok(n)) = (value, HeaderName::try_from(name.as_str())) {
                if let Ok(hv) = HeaderValue::from_str(&v) {
                    headers.insert(n, hv);
                }
            }
        }
        let chosen = template::select(&custom.templates, "application/json")
            .map(|t| ("application/json", t))
            .or_else(|| custom.templates.first().map(|(ct, t)| (ct.as_str(), t)));
        let body = match chosen {
            None => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                default_body(err.message_key, &err.message)
            }
            Some((ct, t)) => {
                if let Ok(v) = HeaderValue::from_str(ct) {
                    headers.entry(CONTENT_TYPE).or_insert(v);
                }
                let inputs = Inputs {
                    context: ctx.clone(),
                    stage_variables: stage_variables.clone(),
                    path_params: view.path_params.to_vec(),
                    query_params: view.query.to_vec(),
                    ..Inputs::default()
                };
                match t.render(inputs) {
                    Ok(r) => Bytes::from(r.output),
                    Err(e) => {
                        tracing::warn!(
                            response_type = err.kind.name(),
                            "gateway response template failed: {e}"
                        );
                        default_body(err.message_key, &err.message)
                    }
                }
            }
        };
        build(status, headers, body)
    }
}

/// `$context.error`.
pub fn error_context(err: &GatewayError) -> Value {
    json!({
        "message": err.message,
        "messageString": message_json(&err.message),
        "responseType": err.kind.name(),
        "validationErrorString": err.detail.clone().unwrap_or_default(),
    })
}

fn default_body(key: &str, message: &Option<String>) -> Bytes {
    Bytes::from(format!("{{\"{key}\":{}}}", message_json(message)))
}

/// The message as a JSON literal (`$context.error.messageString`): quoted, or `null`.
fn message_json(message: &Option<String>) -> String {
    match message {
        Some(m) => Value::String(m.clone()).to_string(),
        None => "null".to_string(),
    }
}

fn build(status: u16, headers: HeaderMap, body: Bytes) -> Response<ResponseBody> {
    let mut r = Response::new(full(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *r.headers_mut() = headers;
    r
}

/// Unknown API or stage. Not customisable (there is no deployment to customise it in); AWS's
/// execute-api endpoint answers a wrong API id or stage with 403 `{"message":"Forbidden"}`.
pub fn forbidden() -> Response<ResponseBody> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(
        "x-amzn-ErrorType",
        HeaderValue::from_static("ForbiddenException"),
    );
    build(
        403,
        headers,
        default_body("message", &Some("Forbidden".into())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn body(r: Response<ResponseBody>) -> (u16, HeaderMap, String) {
        let status = r.status().as_u16();
        let (parts, b) = r.into_parts();
        let bytes = b.collect().await.unwrap().to_bytes();
        (
            status,
            parts.headers,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    fn render(custom: Value, err: GatewayError) -> (u16, HeaderMap, String) {
        let gr = GatewayResponses::compile(custom.as_array().unwrap());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(body(gr.render(
            &err,
            &LazyContext::ready(json!({"requestId": "rid-1"})),
            &Map::new(),
            None,
        )))
    }

    #[test]
    fn types_and_statuses_agree_with_the_control_plane() {
        let table = portico_model::gateway_responses::TYPES;
        for (name, status) in table {
            let t = ResponseType::from_name(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(t.default_status(), status.unwrap_or(0), "{name}");
        }
        assert_eq!(ResponseType::ALL.len(), table.len());
    }

    #[test]
    fn defaults_are_aws_shapes() {
        let (s, h, b) = render(json!([]), GatewayError::missing_token());
        assert_eq!(s, 403);
        assert_eq!(b, r#"{"message":"Missing Authentication Token"}"#);
        assert_eq!(h["x-amzn-ErrorType"], "MissingAuthenticationTokenException");
        let (s, _, b) = render(
            json!([]),
            GatewayError::new(
                ResponseType::IntegrationTimeout,
                "Endpoint request timed out",
            ),
        );
        assert_eq!(
            (s, b.as_str()),
            (504, r#"{"message":"Endpoint request timed out"}"#)
        );
    }

    #[test]
    fn customised_type_and_class_default() {
        let custom = json!([
            {"responseType": "MISSING_AUTHENTICATION_TOKEN", "statusCode": "404",
             "responseParameters": {"gatewayresponse.header.x-hint": "'no route'",
                                    "gatewayresponse.header.x-rid": "context.requestId"},
             "responseTemplates": {"application/json": "{\"msg\": $context.error.messageString, \"id\": \"$context.requestId\"}"}},
            {"responseType": "DEFAULT_5XX",
             "responseTemplates": {"application/json": "{\"oops\": \"$context.error.responseType\"}"}}
        ]);
        let (s, h, b) = render(custom.clone(), GatewayError::missing_token());
        assert_eq!(s, 404);
        assert_eq!(h["x-hint"], "no route");
        assert_eq!(h["x-rid"], "rid-1");
        assert_eq!(
            b,
            r#"{"msg": "Missing Authentication Token", "id": "rid-1"}"#
        );
        let (s, _, b) = render(
            custom,
            GatewayError::new(
                ResponseType::IntegrationTimeout,
                "Endpoint request timed out",
            ),
        );
        assert_eq!(s, 504, "the type keeps its own status under DEFAULT_5XX");
        assert_eq!(b, r#"{"oops": "INTEGRATION_TIMEOUT"}"#);
    }
}
