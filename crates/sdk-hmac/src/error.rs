//! Every way verification can fail, with Huawei API Gateway's error code,
//! HTTP status and message.
//!
//! # Provenance of codes and texts
//!
//! Huawei APIG answers every failed IAM (AK/SK or token) authentication with
//! HTTP 401, `"error_code": "APIG.0301"` and an `error_msg` starting
//! `Incorrect IAM authentication information: `. Its published FAQs ("Common
//! Errors Related to IAM Authentication Information", the OCR/SIS/Live FAQs on
//! APIG.0301) quote these, which are used verbatim:
//!
//! * `verify aksk signature fail` — wrong signature. The FAQ's own remedy for
//!   it includes checking that `x-sdk-date` is within 15 minutes, i.e. IAM
//!   authentication reports clock skew under APIG.0301 too.
//! * `Get secretKey failed,ak:<AK>,err:ak not exist` — unknown access key.
//! * `x-auth-token not found` — no credentials at all (APIG falls back to
//!   token authentication when there is no signature, and reports the token
//!   as missing).
//!
//! The other APIG codes near it do not fit: `APIG.0302` is "The IAM user is
//! not authorized to access the API" (403, an authorization failure after
//! authentication) and `APIG.0303` is "Incorrect app authentication
//! information" (APIG *app* authentication, a different credential type).
//! APIG.0303's documented expiry text, `signature expired, signature
//! time:<T>,server time:<T>`, is the only published wording for an
//! out-of-window `x-sdk-date`, so [`Error::SignatureExpired`] uses it under
//! the IAM prefix and code.
//!
//! **Chosen here (no published text found):** the messages of
//! [`Error::UnsupportedAlgorithm`], [`Error::MalformedAuthorization`],
//! [`Error::DuplicateHeader`], [`Error::HeaderNotSigned`],
//! [`Error::MissingDate`] (modelled on `x-auth-token not found`),
//! [`Error::InvalidDate`] and [`Error::SignedHeaderMissing`]. All keep the
//! APIG.0301 code, the 401 status and the IAM prefix, so clients that match
//! on the code see what APIG would send them.
//!
//! Messages echo at most a short, truncated piece of client input; JSON
//! escaping is the renderer's job.

use std::fmt;

/// The code APIG returns for every IAM authentication failure.
pub const IAM_AUTH_ERROR_CODE: &str = "APIG.0301";
const PREFIX: &str = "Incorrect IAM authentication information: ";
/// Longest piece of client input echoed in a message, in characters.
const ECHO_MAX: usize = 64;

/// Every way verification can fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// No `Authorization` header. A distinct variant because the server may
    /// choose to let such requests through (or try another scheme).
    MissingAuthorization,
    /// `Authorization` names another algorithm than `SDK-HMAC-SHA256`.
    UnsupportedAlgorithm { algorithm: String },
    /// `Authorization` is too long, lacks `Access`/`SignedHeaders`/
    /// `Signature`, repeats one, or has an invalid value in one.
    MalformedAuthorization { reason: &'static str },
    /// `Authorization`, `X-Sdk-Date`, `X-Project-Id` or `X-Security-Token`
    /// was sent more than once.
    DuplicateHeader { name: &'static str },
    /// `host` or `x-sdk-date` is not in `SignedHeaders`, or `x-project-id` /
    /// `x-security-token` is sent but not signed.
    HeaderNotSigned { name: &'static str },
    /// A header listed in `SignedHeaders` is not in the request.
    SignedHeaderMissing { name: String },
    /// No `X-Sdk-Date` header.
    MissingDate,
    /// `X-Sdk-Date` is not `YYYYMMDDTHHMMSSZ`.
    InvalidDate { value: String },
    /// `X-Sdk-Date` is more than 15 minutes before or after the server clock.
    SignatureExpired {
        signature_time: String,
        server_time: String,
    },
    /// The access key is unknown to `secret_for`.
    UnknownAccessKey { access_key: String },
    /// The signature did not verify. The canonical request and string to
    /// sign are kept for server-side debug logging; they are deliberately not
    /// part of [`Error::error_msg`].
    SignatureDoesNotMatch {
        canonical_request: String,
        string_to_sign: String,
    },
}

/// At most [`ECHO_MAX`] characters of `s`, with `...` when cut.
fn echo(s: &str) -> String {
    match s.char_indices().nth(ECHO_MAX) {
        None => s.to_string(),
        Some((i, _)) => format!("{}...", &s[..i]),
    }
}

impl Error {
    /// APIG's `error_code`: `APIG.0301` for every variant (see the module
    /// docs for why not APIG.0302/0303).
    pub fn error_code(&self) -> &'static str {
        IAM_AUTH_ERROR_CODE
    }

    /// HTTP status: APIG answers every authentication failure with 401.
    pub fn status(&self) -> u16 {
        401
    }

    /// APIG's `error_msg`.
    pub fn error_msg(&self) -> String {
        let detail = match self {
            Error::MissingAuthorization => "x-auth-token not found".to_string(),
            Error::UnsupportedAlgorithm { algorithm } => {
                format!("unsupported signing algorithm '{}'", echo(algorithm))
            }
            Error::MalformedAuthorization { reason } => {
                format!("invalid Authorization header: {reason}")
            }
            Error::DuplicateHeader { name } => format!("header {name} is sent more than once"),
            Error::HeaderNotSigned { name } => format!("{name} must be a signed header"),
            Error::SignedHeaderMissing { name } => {
                format!("signed header {} not found", echo(name))
            }
            Error::MissingDate => "x-sdk-date not found".to_string(),
            Error::InvalidDate { value } => format!(
                "invalid x-sdk-date '{}', expected YYYYMMDDTHHMMSSZ",
                echo(value)
            ),
            Error::SignatureExpired {
                signature_time,
                server_time,
            } => format!(
                "signature expired, signature time:{signature_time},server time:{server_time}"
            ),
            Error::UnknownAccessKey { access_key } => format!(
                "Get secretKey failed,ak:{},err:ak not exist",
                echo(access_key)
            ),
            Error::SignatureDoesNotMatch { .. } => "verify aksk signature fail".to_string(),
        };
        format!("{PREFIX}{detail}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_code(), self.error_msg())
    }
}

impl std::error::Error for Error {}
