//! The `lambda` management API (2015-03-31): a room of its own.
//!
//! Functions (`functions`: create, read, list, update code and configuration, delete),
//! versions and aliases (`versions`), resource policies (`policy`) and invocations (`invoke`).
//! State lives in the store (`kind::LAMBDA_*`, documents in AWS's own JSON; see
//! `portico_model::lambda`); a function's zip lives in the code folder, content-addressed by
//! its SHA-256, so the store holds no megabytes.
//!
//! Architecture invariant: imports the store, the domain (`portico-model`) and the shared
//! management machinery (`portico-mgmt`); never the runtime host, which it reaches only through
//! the [`Runtime`] port that the binary plugs in.

mod event_stream;
mod functions;
mod invoke;
mod policy;
pub mod routes;
mod versions;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use portico_core::{ApiError, Tenant};
use portico_mgmt::{Handled, RouteTable};
use portico_store::Store;

pub use portico_mgmt::{Call, Reply};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the caller wants a function run (`X-Amz-Invocation-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationType {
    RequestResponse,
    Event,
    DryRun,
}

/// One Invoke call, decoded.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub function: String,
    pub qualifier: Option<String>,
    pub payload: Bytes,
    pub invocation_type: InvocationType,
    pub log_tail: bool,
    /// `X-Amz-Client-Context`, decoded (JSON text).
    pub client_context: Option<String>,
    /// InvokeWithResponseStream: a streamed answer up to 20 MB, its error apart.
    pub stream: bool,
}

/// What the runtime answered.
#[derive(Debug, Clone)]
pub struct Invoked {
    pub status: u16,
    pub payload: Bytes,
    pub function_error: Option<String>,
    pub executed_version: String,
    /// The log's last 4 KB (raw text), when asked for.
    pub log_tail: Option<String>,
    /// The content type a runtime streamed its answer with.
    pub content_type: Option<String>,
    /// A streamed answer's mid-stream error: (error type, details).
    pub stream_error: Option<(String, String)>,
}

/// What runs functions. The binary implements it over the runtime host, so this crate never
/// depends on it.
pub trait Runtime: Send + Sync {
    /// Run (or queue, or dry-run) one invocation; failures are Lambda's errors already.
    fn invoke(
        &self,
        tenant: &Tenant,
        invocation: Invocation,
    ) -> BoxFuture<'_, Result<Invoked, ApiError>>;
}

/// Everything a handler may reach.
pub struct Ctx {
    pub store: Arc<dyn Store>,
    pub routes: RouteTable,
    pub runtime: Arc<dyn Runtime>,
    /// The Lambda folder (`{data_dir}/lambda`); zips go to its `code/`.
    pub root: PathBuf,
}

impl Ctx {
    pub fn new(store: Arc<dyn Store>, runtime: Arc<dyn Runtime>, root: PathBuf) -> Ctx {
        Ctx {
            store,
            routes: routes::table(),
            runtime,
            root,
        }
    }
}

pub type Handler = fn(&Ctx, &Call) -> Result<Reply, ApiError>;

fn handler(operation: &str) -> Option<Handler> {
    functions::handler(operation)
        .or_else(|| versions::handler(operation))
        .or_else(|| policy::handler(operation))
}

/// Is this operation implemented (for the README table and `portico routes`)?
pub fn is_supported(operation: &str) -> bool {
    handler(operation).is_some() || matches!(operation, "Invoke" | "InvokeWithResponseStream")
}

/// Run a routed call: synchronous handlers through `portico_store::offload`, Invoke awaited.
pub async fn handle(cx: &Arc<Ctx>, status: u16, call: Call) -> Result<Handled, ApiError> {
    let reply = if call.operation == "Invoke" {
        invoke::invoke(cx, &call).await?
    } else if call.operation == "InvokeWithResponseStream" {
        invoke::invoke_with_response_stream(cx, &call).await?
    } else if let Some(h) = handler(call.operation) {
        let cx = cx.clone();
        let store = cx.store.clone();
        portico_store::offload(&*store, move || h(&cx, &call)).await?
    } else {
        return Err(ApiError::not_implemented(call.operation));
    };
    Ok(Handled { status, reply })
}

/// Lambda's errors.
pub(crate) mod error {
    use portico_core::ApiError;

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, "ResourceNotFoundException", message)
    }
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, "ResourceConflictException", message)
    }
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "InvalidParameterValueException", message)
    }
    pub fn validation(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "ValidationException", message)
    }
    pub fn precondition(message: impl Into<String>) -> ApiError {
        ApiError::new(412, "PreconditionFailedException", message)
    }
    /// A member outside its bounds, in AWS's validation wording.
    pub fn range(member: &str, value: i64, min: i64, max: i64) -> ApiError {
        if value < min {
            validation(format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value greater than or equal to {min}"))
        } else {
            validation(format!("1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have value less than or equal to {max}"))
        }
    }
}

/// Shared helpers of the handlers.
pub(crate) mod common {
    use portico_core::{ApiError, Tenant};
    use portico_model::lambda as model;

    use crate::error;

    /// AWS's `LastModified`: `2026-12-07T17:00:00.000+0000`.
    pub fn now() -> String {
        time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+0000"
            ))
            .unwrap_or_default()
    }

    pub fn uuid() -> String {
        let b: [u8; 16] = rand::random();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            u16::from_be_bytes([b[4], b[5]]),
            u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
            (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
            u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
        )
    }

    /// The function a path's `{FunctionName}` (and a `Qualifier`) names, checked.
    pub fn function_ref(
        tenant: &Tenant,
        reference: &str,
        qualifier: Option<&str>,
    ) -> Result<model::FunctionRef, ApiError> {
        let r = model::parse_ref(reference, qualifier).map_err(|e| match e {
            model::RefError::Malformed => error::validation(format!(
                "1 validation error detected: Value '{reference}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            )),
            model::RefError::QualifierMismatch => error::invalid(
                "The derived qualifier from the function name does not match the specified qualifier.",
            ),
        })?;
        if r.account.as_deref().is_some_and(|a| a != tenant.account())
            || r.region.as_deref().is_some_and(|g| g != tenant.region())
        {
            return Err(not_found(tenant, &r.name, r.qualifier.as_deref()));
        }
        Ok(r)
    }

    /// `Function not found: {arn}` (qualified when a qualifier was named).
    pub fn not_found(tenant: &Tenant, name: &str, qualifier: Option<&str>) -> ApiError {
        error::not_found(format!(
            "Function not found: {}",
            model::qualified_arn(tenant, name, qualifier)
        ))
    }

    /// `MaxItems` (1..=10000, default 50) and `Marker` (the index to start at).
    pub fn page(call: &crate::Call) -> Result<(usize, usize), ApiError> {
        let max = match call.query("MaxItems") {
            None => 50,
            Some(m) => match m.parse::<i64>() {
                Ok(n) if (1..=10000).contains(&n) => n as usize,
                Ok(n) => return Err(error::range("maxItems", n, 1, 10000)),
                Err(_) => return Err(error::invalid(format!("Invalid MaxItems: {m}"))),
            },
        };
        let start = match call.query("Marker") {
            None | Some("") => 0,
            Some(m) => m
                .parse::<usize>()
                .map_err(|_| error::invalid("Invalid marker"))?,
        };
        Ok((start, max))
    }
}

/// The store's transaction helpers with the handlers' error type.
pub(crate) mod store {
    use portico_core::{ApiError, Tenant};
    use portico_store::{Doc, Store, Txn};

    pub fn read<R>(
        store: &dyn Store,
        tenant: &Tenant,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::read(store, tenant, f)
    }

    pub fn write<R>(
        store: &dyn Store,
        tenant: &Tenant,
        f: impl FnOnce(&mut dyn Txn) -> Result<R, ApiError>,
    ) -> Result<R, ApiError> {
        portico_store::write(store, tenant, f)
    }

    /// Every document of a kind in a scope, in insertion order.
    pub fn all(tx: &mut dyn Txn, kind: &str, scope: &str) -> Result<Vec<Doc>, ApiError> {
        Ok(tx.list(kind, scope, 0, 1_000_000)?)
    }
}
