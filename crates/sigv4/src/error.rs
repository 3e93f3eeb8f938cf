//! Every way verification can fail, with AWS's error code, HTTP status and message text.

use std::fmt::Write as _;

use crate::{format_amz_date, parse_amz_date, MAX_SKEW_SECS};

/// Every way verification can fail, each mapping to AWS's code and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No `Authorization` header and no presigned query. A distinct variant
    /// because the server may choose to let such requests through.
    MissingAuthenticationToken,
    /// Authorization header lacks parts and/or the request lacks a date.
    /// `header` is echoed at the end of the message like AWS does.
    IncompleteAuthorization {
        missing_credential: bool,
        missing_signature: bool,
        missing_signed_headers: bool,
        missing_date: bool,
        header: String,
    },
    /// A presigned query lacks some `X-Amz-*` parameters (in AWS's order:
    /// Algorithm, Credential, Signature, SignedHeaders, Date).
    IncompleteQuery { missing: Vec<&'static str> },
    /// A comma/space separated token of the Authorization header has no `=`.
    MalformedAuthorizationPair { pair: String, header: String },
    /// The algorithm is not `AWS4-HMAC-SHA256`.
    UnsupportedAlgorithm { algorithm: String },
    /// `Credential=` does not have five `/`-separated parts.
    MalformedCredential { credential: String },
    /// `X-Amz-Date` (or `Date`) could not be parsed.
    InvalidDate { value: String },
    /// `host` is not among the signed headers.
    HostNotSigned,
    /// Credential scope names another service.
    WrongService { expected: String },
    /// Credential scope names a region this server does not serve. Not
    /// raised by [`verify`] (it does not know the region list); callers use it
    /// after inspecting [`Credential::region`].
    WrongRegion { region: String },
    /// Credential scope terminator is not `aws4_request`.
    WrongTerminator { terminator: String },
    /// Credential scope date differs from the request date.
    ScopeDateMismatch {
        scope_date: String,
        request_date: String,
    },
    /// Request date is more than 15 minutes in the past.
    SignatureExpired { request: String, now: String },
    /// Request date is more than 15 minutes in the future.
    SignatureNotYetCurrent { request: String, now: String },
    /// Presigned URL used after `X-Amz-Date + X-Amz-Expires`.
    PresignExpired {
        request: String,
        now: String,
        expires: i64,
    },
    /// `X-Amz-Expires` is not a number in `1..=604800`.
    InvalidExpires { value: String },
    /// Access key unknown to `secret_for`.
    UnrecognizedClient,
    /// The signature did not verify. The canonical request and string to
    /// sign are kept for server-side debug logging; they are deliberately
    /// not part of [`Error::message`].
    SignatureDoesNotMatch {
        canonical_request: String,
        string_to_sign: String,
    },
}

impl Error {
    /// The AWS error code, used as `__type` / `x-amzn-ErrorType`.
    pub fn aws_code(&self) -> &'static str {
        match self {
            Error::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Error::IncompleteAuthorization { .. }
            | Error::IncompleteQuery { .. }
            | Error::MalformedAuthorizationPair { .. }
            | Error::UnsupportedAlgorithm { .. }
            | Error::MalformedCredential { .. }
            | Error::InvalidDate { .. }
            | Error::HostNotSigned
            | Error::InvalidExpires { .. } => "IncompleteSignatureException",
            Error::UnrecognizedClient => "UnrecognizedClientException",
            Error::WrongService { .. }
            | Error::WrongRegion { .. }
            | Error::WrongTerminator { .. }
            | Error::ScopeDateMismatch { .. }
            | Error::SignatureExpired { .. }
            | Error::SignatureNotYetCurrent { .. }
            | Error::PresignExpired { .. }
            | Error::SignatureDoesNotMatch { .. } => "InvalidSignatureException",
        }
    }

    /// HTTP status. API Gateway answers every authentication failure with
    /// 403, including `IncompleteSignatureException` (JSON-protocol services
    /// such as DynamoDB use 400 for that one; API Gateway does not).
    pub fn status(&self) -> u16 {
        match self {
            // S3 answers an out-of-range X-Amz-Expires with 400; it is the
            // only AWS evidence for this case, so we follow it.
            Error::InvalidExpires { .. } => 400,
            _ => 403,
        }
    }

    /// The human-readable message, byte-for-byte as AWS phrases it.
    pub fn message(&self) -> String {
        match self {
            Error::MissingAuthenticationToken => "Missing Authentication Token".into(),
            Error::IncompleteAuthorization {
                missing_credential,
                missing_signature,
                missing_signed_headers,
                missing_date,
                header,
            } => {
                let mut m = String::new();
                if *missing_credential {
                    m.push_str("Authorization header requires 'Credential' parameter. ");
                }
                if *missing_signature {
                    m.push_str("Authorization header requires 'Signature' parameter. ");
                }
                if *missing_signed_headers {
                    m.push_str("Authorization header requires 'SignedHeaders' parameter. ");
                }
                if *missing_date {
                    m.push_str(
                        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
                    );
                }
                m.push_str("Authorization=");
                m.push_str(header);
                m
            }
            Error::IncompleteQuery { missing } => {
                let mut m = String::new();
                for p in missing {
                    let _ = write!(m, "AWS query-string parameters must include '{p}'. ");
                }
                m.push_str("Re-examine the query-string parameters.");
                m
            }
            Error::MalformedAuthorizationPair { pair, header } => format!(
                "'{pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            ),
            Error::UnsupportedAlgorithm { algorithm } => {
                format!("Unsupported AWS 'algorithm': '{algorithm}'.")
            }
            Error::MalformedCredential { credential } => format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
            ),
            Error::InvalidDate { value } => format!(
                "Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ),
            Error::HostNotSigned => {
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.".into()
            }
            Error::WrongService { expected } => {
                format!("Credential should be scoped to correct service: '{expected}'. ")
            }
            Error::WrongRegion { region } => {
                format!("Credential should be scoped to a valid region, not '{region}'. ")
            }
            Error::WrongTerminator { terminator } => format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'. "
            ),
            Error::ScopeDateMismatch { scope_date, request_date } => format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scope_date}' != '{}', from '{request_date}'.",
                &request_date[..8]
            ),
            Error::SignatureExpired { request, now } => {
                let limit = format_amz_date(parse_amz_date(now).unwrap_or(0) - MAX_SKEW_SECS);
                format!("Signature expired: {request} is now earlier than {limit} ({now} - 15 min.)")
            }
            Error::SignatureNotYetCurrent { request, now } => {
                let limit = format_amz_date(parse_amz_date(now).unwrap_or(0) + MAX_SKEW_SECS);
                format!(
                    "Signature not yet current: {request} is still later than {limit} ({now} + 15 min.)"
                )
            }
            Error::PresignExpired { request, now, expires } => {
                let limit = format_amz_date(parse_amz_date(now).unwrap_or(0) - expires);
                format!(
                    "Signature expired: {request} is now earlier than {limit} ({now} - {expires} sec.)"
                )
            }
            Error::InvalidExpires { value } => format!(
                "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds. Got '{value}'."
            ),
            Error::UnrecognizedClient => {
                "The security token included in the request is invalid.".into()
            }
            Error::SignatureDoesNotMatch { .. } => "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.".into(),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.aws_code(), self.message())
    }
}

impl std::error::Error for Error {}
