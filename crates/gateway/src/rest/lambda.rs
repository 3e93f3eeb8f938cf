//! Phase 6 for Lambda integrations: `AWS_PROXY` (the payload-1.0 event of `lambda_proxy`, the
//! function's answer as the client's response) and `AWS` (the mapped request body as the
//! payload, the answer through integration responses chosen by `errorMessage`), both through
//! the Lambda port (`integrations::lambda`).

use bytes::Bytes;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{HeaderMap, Response};
use serde_json::Value;

use super::compile::Integration;
use super::gateway_responses::{GatewayError, ResponseType};
use super::lambda_proxy;
use super::mapping::View;
use super::pipeline::{ClientRequest, Exec, ExecLog};
use crate::http::ResponseBody;
use crate::integrations::lambda::{InvocationType, InvokeFailure};
use crate::integrations::{Outcome, Selector};

/// Phase 6 of `AWS_PROXY` to Lambda: the payload-1.0 event to the function, its answer back
/// as the client's response (`lambda_proxy`). AWS's answers: a function error or a malformed
/// answer 502 `Internal server error`, an unknown function 500.
pub(super) async fn proxy(
    exec: &Exec<'_>,
    req: &ClientRequest<'_>,
    integ: &Integration,
    view: &View<'_>,
    binary: bool,
    accept: Option<&str>,
    log: &mut ExecLog,
) -> Result<Response<ResponseBody>, GatewayError> {
    let function = integ
        .lambda_function_for(exec.variables)
        .unwrap_or_default();
    let Some(invoker) = exec.lambda else {
        return Err(GatewayError::new(
            ResponseType::ApiConfigurationError,
            "Portico does not invoke AWS_PROXY integrations (Lambda) in this build",
        )
        .with_detail(format!("no Lambda host to run {function}")));
    };
    // Only the members the event carries: a proxied call needs no other `$context`.
    let context = view.context.owned(Some(event_context_keys()));
    let event = lambda_proxy::Event {
        req,
        path_params: view.path_params,
        stage_variables: exec.variables,
        context: &context,
        binary,
    }
    .to_bytes();
    log.add(|| {
        format!(
            "Endpoint request body after transformations: {}",
            String::from_utf8_lossy(&event)
        )
    });
    let payload = Bytes::from(event);
    let bad_gateway = |detail: String| {
        GatewayError::new(ResponseType::Default5xx, "Internal server error")
            .with_status(502)
            .with_detail(detail)
    };
    let invoked = within(
        integ,
        invoker.invoke(
            exec.tenant,
            &function,
            payload,
            InvocationType::RequestResponse,
        ),
    )
    .await?
    .map_err(|e| invoke_failure(&function, e))?;
    log.add(|| {
        format!(
            "Endpoint response body before transformations: {}",
            String::from_utf8_lossy(&invoked.payload)
        )
    });
    if let Some(kind) = &invoked.function_error {
        return Err(bad_gateway(format!(
            "Lambda execution failed with status 200 due to customer function error ({kind}): {}",
            String::from_utf8_lossy(&invoked.payload)
        )));
    }
    lambda_proxy::response(
        &invoked.payload,
        &exec.deployment.binary_media_types,
        accept,
    )
    .map_err(|why| {
        bad_gateway(format!(
            "Execution failed due to configuration error: {why}"
        ))
    })
}

/// Phase 6 of `AWS` (non-proxy) to Lambda: the mapped request body is the function's payload;
/// its answer is the integration response (200, JSON), chosen by the function's `errorMessage`
/// when it failed (AWS's rule), else the default one.
///
/// `invocation_type` is the mapped `X-Amz-Invocation-Type` header, if any: `Event` queues the
/// function and answers at once (Lambda's 202, an empty body, through the default integration
/// response, as AWS's asynchronous Lambda integrations do); `DryRun` only checks the function
/// (204, empty); any other value is Lambda's InvalidParameterValueException, which the client
/// sees as AWS's 500.
pub(super) async fn aws(
    exec: &Exec<'_>,
    integ: &Integration,
    payload: Bytes,
    invocation_type: Option<&str>,
    log: &mut ExecLog,
) -> Result<Outcome, GatewayError> {
    let function = integ
        .lambda_function_for(exec.variables)
        .unwrap_or_default();
    let Some(invoker) = exec.lambda else {
        return Err(GatewayError::new(
            ResponseType::ApiConfigurationError,
            "Portico does not invoke AWS integrations (Lambda) in this build",
        )
        .with_detail(format!("no Lambda host to run {function}")));
    };
    let kind = match invocation_type.map(str::trim) {
        None => InvocationType::RequestResponse,
        Some(v) => InvocationType::parse(v).ok_or_else(|| {
            GatewayError::config(format!(
                "Execution failed due to configuration error: X-Amz-Invocation-Type {v:?} is not one of Event, RequestResponse, DryRun"
            ))
        })?,
    };
    let invoked = within(integ, invoker.invoke(exec.tenant, &function, payload, kind))
        .await?
        .map_err(|e| invoke_failure(&function, e))?;
    log.add(|| {
        format!(
            "Endpoint response body before transformations: {}",
            String::from_utf8_lossy(&invoked.payload)
        )
    });
    let status = match kind {
        InvocationType::RequestResponse => 200,
        InvocationType::Event => 202,
        InvocationType::DryRun => 204,
    };
    let selector = match &invoked.function_error {
        None => Selector::Default,
        Some(_) => {
            let doc: Value = serde_json::from_slice(&invoked.payload).unwrap_or(Value::Null);
            Selector::Text(
                doc.get("errorMessage")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        }
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(Outcome {
        status,
        headers,
        body: invoked.payload,
        selector,
    })
}

/// [`lambda_proxy::CONTEXT_KEYS`] as `LazyContext` takes keys.
fn event_context_keys() -> &'static [Box<str>] {
    static KEYS: std::sync::OnceLock<Vec<Box<str>>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| lambda_proxy::CONTEXT_KEYS.map(Box::from).to_vec())
}

/// The invocation, bounded by the integration's `timeoutInMillis`: past it, AWS's 504
/// `Endpoint request timed out`. The function itself runs on to its own end (the host owns
/// it), as a Lambda function does when API Gateway stops waiting.
async fn within<T>(
    integ: &Integration,
    invocation: impl std::future::Future<Output = T>,
) -> Result<T, GatewayError> {
    tokio::time::timeout(integ.timeout, invocation)
        .await
        .map_err(|_| {
            GatewayError::new(
                ResponseType::IntegrationTimeout,
                "Endpoint request timed out",
            )
            .with_detail(format!(
                "Execution failed due to a timeout error: no answer from the function within {} ms",
                integ.timeout.as_millis()
            ))
        })
}

/// AWS's answers when a function cannot be invoked at all.
fn invoke_failure(function: &str, e: InvokeFailure) -> GatewayError {
    match e {
        InvokeFailure::NotFound(m) => GatewayError::config(format!(
            "Execution failed due to configuration error: Invalid function {function}: {m}"
        )),
        InvokeFailure::Throttled(m) => {
            GatewayError::new(ResponseType::Throttled, "Too Many Requests").with_detail(m)
        }
        InvokeFailure::Other(m) => {
            GatewayError::new(ResponseType::Default5xx, "Internal server error")
                .with_status(502)
                .with_detail(format!("Lambda invocation failed: {m}"))
        }
    }
}
