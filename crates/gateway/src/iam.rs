//! `AWS_IAM` authorization of invocations: the request's SigV4 signature (service
//! `execute-api`) verified, then whether the caller may invoke the method.
//!
//! The data plane does not know credentials: the binary plugs in an [`IamVerifier`] over the
//! keys it verifies management calls with (a port, as the rooms' `DataPlane` is the other way
//! round). Without one, `AWS_IAM` methods are refused.
//!
//! Portico has no IAM users or policies: a configured credential stands for its account (as its
//! root would), so it may invoke that account's APIs in the region it signed for; another
//! account's caller is denied, since resource policies (the only way AWS lets another account
//! in) are not evaluated yet.

use hyper::HeaderMap;

/// What a verifier reads of an invocation: the request exactly as the client signed it.
pub struct SignedInvocation<'a> {
    pub method: &'a str,
    /// The path as sent (percent-encoded), including any stage and base path.
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// A caller whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamCaller {
    pub account_id: String,
    pub access_key: String,
    /// The region of the signature's credential scope.
    pub region: String,
}

impl IamCaller {
    /// `$context.identity.userArn`: the account itself (Portico's credentials are per account).
    pub fn user_arn(&self) -> String {
        format!("arn:aws:iam::{}:root", self.account_id)
    }
}

/// Why a signature did not verify, with AWS's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamRefusal {
    /// No `Authorization` header and no presigned query.
    Missing,
    /// An access key no credential has: "The security token included in the request is
    /// invalid."
    UnknownKey(String),
    /// The request is older or newer than the signature allows.
    Expired(String),
    /// Anything else: a malformed or mismatching signature, another service's scope.
    Invalid(String),
}

pub trait IamVerifier: Send + Sync {
    fn verify(&self, req: &SignedInvocation<'_>) -> Result<IamCaller, IamRefusal>;
}

/// AWS shows an invocation ARN's account masked but for its last four digits.
pub fn masked_account(account: &str) -> String {
    let keep = account.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), &account[keep..])
}
