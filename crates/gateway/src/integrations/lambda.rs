//! Lambda functions as integration targets: the port through which the data plane invokes a
//! function, and the function an integration URI names.
//!
//! The data plane does not run functions: the binary plugs in a [`LambdaInvoker`] over the
//! Lambda host (as it plugs in the IAM verifier). Without one, Lambda integrations answer a
//! clear 500.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;
use portico_core::Tenant;

/// What a function answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoked {
    pub payload: Bytes,
    /// `X-Amz-Function-Error` (`Unhandled`, `Handled`): the payload is an error document.
    pub function_error: Option<String>,
}

/// Why a function could not be invoked at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeFailure {
    /// No such function (or version, alias) in the API's account and region.
    NotFound(String),
    /// Its concurrency is exhausted.
    Throttled(String),
    /// Anything else (the host is down, the payload too large…).
    Other(String),
}

/// How the function is invoked (`X-Amz-Invocation-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationType {
    /// Wait for the function's answer.
    RequestResponse,
    /// Queue it: answered at once with an empty payload; the function runs in the background.
    Event,
    /// Only check that the function exists: an empty payload.
    DryRun,
}

impl InvocationType {
    /// The header's value (`Event`, `RequestResponse`, `DryRun`, as Lambda spells them).
    pub fn parse(v: &str) -> Option<InvocationType> {
        match v {
            "RequestResponse" => Some(InvocationType::RequestResponse),
            "Event" => Some(InvocationType::Event),
            "DryRun" => Some(InvocationType::DryRun),
            _ => None,
        }
    }
}

pub type InvokeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Invoked, InvokeFailure>> + Send + 'a>>;

pub trait LambdaInvoker: Send + Sync {
    /// Invoke `function` (a name, a full or partial ARN, with an optional `:qualifier`) of
    /// `tenant` with `payload`: synchronously (RequestResponse), or, for `Event` and `DryRun`,
    /// answering an empty payload once the function is found (and, for `Event`, queued).
    fn invoke<'a>(
        &'a self,
        tenant: &'a Tenant,
        function: &'a str,
        payload: Bytes,
        kind: InvocationType,
    ) -> InvokeFuture<'a>;
}

/// The function of a Lambda integration URI
/// (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function}/invocations`).
pub fn function_of_uri(uri: &str) -> Option<&str> {
    let (_, rest) = uri.split_once(":lambda:path/")?;
    let rest = rest.split_once("/functions/")?.1;
    let f = rest.strip_suffix("/invocations")?;
    (!f.is_empty()).then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_is_read_from_the_integration_uri() {
        let f = "arn:aws:lambda:us-east-1:000000000000:function:echo:live";
        let uri = format!(
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{f}/invocations"
        );
        assert_eq!(function_of_uri(&uri), Some(f));
        assert_eq!(
            function_of_uri("arn:aws:apigateway:us-east-1:s3:path/b/k"),
            None
        );
        assert_eq!(
            function_of_uri(
                "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions//invocations"
            ),
            None
        );
    }
}
