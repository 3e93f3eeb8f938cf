//! Invoke: decoded here, run by the runtime host through the [`crate::Runtime`] port.

use base64::Engine;
use portico_core::ApiError;

use crate::{error, Call, Ctx, Invocation, InvocationType, Reply};

/// AWS's synchronous payload limit (request and response).
pub const MAX_PAYLOAD: usize = 6_291_456;

pub(crate) async fn invoke(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let header = |name: &str| {
        call.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let invocation_type = match header("x-amz-invocation-type").as_deref() {
        None | Some("RequestResponse") => InvocationType::RequestResponse,
        Some("Event") => InvocationType::Event,
        Some("DryRun") => InvocationType::DryRun,
        Some(other) => {
            return Err(error::validation(format!("1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]")))
        }
    };
    let log_tail = match header("x-amz-log-type").as_deref() {
        None | Some("None") => false,
        Some("Tail") => true,
        Some(other) => {
            return Err(error::validation(format!("1 validation error detected: Value '{other}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]")))
        }
    };
    let client_context = match header("x-amz-client-context") {
        None => None,
        Some(b64) => {
            let bad =
                || error::invalid("Client context must be a valid Base64-encoded JSON object.");
            let raw = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|_| bad())?;
            if b64.len() > 3583
                || !matches!(
                    serde_json::from_slice::<serde_json::Value>(&raw),
                    Ok(serde_json::Value::Object(_))
                )
            {
                return Err(bad());
            }
            Some(String::from_utf8(raw).map_err(|_| bad())?)
        }
    };
    if call.body.len() > MAX_PAYLOAD {
        return Err(ApiError::new(
            413,
            "RequestTooLargeException",
            format!(
                "Request must be smaller than {MAX_PAYLOAD} bytes for the InvokeFunction operation"
            ),
        ));
    }
    if !call.body.is_empty() && serde_json::from_slice::<serde::de::IgnoredAny>(&call.body).is_err()
    {
        return Err(ApiError::new(
            400,
            "InvalidRequestContentException",
            "Could not parse request body into json: Could not parse payload into json: Unexpected character: was expecting a JSON value",
        ));
    }
    let invoked = cx
        .runtime
        .invoke(
            &call.tenant,
            Invocation {
                function: call.label("FunctionName").to_string(),
                qualifier: call.query("Qualifier").map(str::to_string),
                payload: call.body.clone(),
                invocation_type,
                log_tail,
                client_context,
            },
        )
        .await?;
    let mut headers = vec![("X-Amz-Executed-Version", invoked.executed_version.clone())];
    if let Some(fe) = invoked.function_error {
        headers.push(("X-Amz-Function-Error", fe));
    }
    if let Some(tail) = invoked.log_tail {
        headers.push((
            "X-Amz-Log-Result",
            base64::engine::general_purpose::STANDARD.encode(tail.as_bytes()),
        ));
    }
    if invoked.status == 200 {
        headers.push(("Content-Type", "application/json".to_string()));
    }
    Ok(Reply::Payload {
        status: invoked.status,
        headers,
        body: invoked.payload,
    })
}
