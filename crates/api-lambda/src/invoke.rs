//! Invoke and InvokeWithResponseStream: decoded here, run by the runtime host through the
//! [`crate::Runtime`] port.
//!
//! InvokeWithResponseStream answers AWS's event stream (`event_stream`): the function's
//! response as `PayloadChunk` events, then `InvokeComplete` (`ErrorCode`, `ErrorDetails`,
//! `LogResult`). Decision: the stream is relayed whole once the function has finished (its
//! chunks are framed as they arrived in size, not sent as they were written).

use base64::Engine;
use portico_core::ApiError;

use crate::{error, event_stream, Call, Ctx, Invocation, InvocationType, Reply};

/// AWS's synchronous payload limit (request and response).
pub const MAX_PAYLOAD: usize = 6_291_456;

/// The largest `PayloadChunk` sent.
const CHUNK: usize = 64 * 1024;

/// The options of an Invoke call (`stream`: InvokeWithResponseStream's, whose invocation type
/// is RequestResponse or DryRun).
fn decode(call: &Call, stream: bool) -> Result<Invocation, ApiError> {
    let header = |name: &str| {
        call.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let invocation_type = match header("x-amz-invocation-type").as_deref() {
        None | Some("RequestResponse") => InvocationType::RequestResponse,
        Some("Event") if !stream => InvocationType::Event,
        Some("DryRun") => InvocationType::DryRun,
        Some(other) => {
            let set = if stream {
                "[RequestResponse, DryRun]"
            } else {
                "[Event, RequestResponse, DryRun]"
            };
            return Err(error::validation(format!("1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: {set}")));
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
    Ok(Invocation {
        function: call.label("FunctionName").to_string(),
        qualifier: call.query("Qualifier").map(str::to_string),
        payload: call.body.clone(),
        invocation_type,
        log_tail,
        client_context,
        stream,
    })
}

pub(crate) async fn invoke(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let invocation = decode(call, false)?;
    let invoked = cx.runtime.invoke(&call.tenant, invocation).await?;
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

/// InvokeWithResponseStream: the function's answer as `PayloadChunk` events and an
/// `InvokeComplete`, with the stream's content type as `Content-Type` (botocore's
/// `ResponseStreamContentType`). A function error (posted to `/error`, or reported in the
/// stream's trailers) is `InvokeComplete`'s `ErrorCode` (its `errorType`, else `Unhandled`)
/// and `ErrorDetails`; a DryRun answers 204 with no stream.
pub(crate) async fn invoke_with_response_stream(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    let invocation = decode(call, true)?;
    let invoked = cx.runtime.invoke(&call.tenant, invocation).await?;
    let mut headers = vec![("X-Amz-Executed-Version", invoked.executed_version.clone())];
    if invoked.status != 200 {
        return Ok(Reply::Payload {
            status: invoked.status,
            headers,
            body: bytes::Bytes::new(),
        });
    }
    let (chunks, error): (&[u8], Option<(String, String)>) =
        match (&invoked.function_error, invoked.stream_error.clone()) {
            (_, Some(e)) => (&invoked.payload, Some(e)),
            (Some(kind), None) => {
                let doc: serde_json::Value =
                    serde_json::from_slice(&invoked.payload).unwrap_or_default();
                let code = doc
                    .get("errorType")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or(kind)
                    .to_string();
                (
                    &[],
                    Some((code, String::from_utf8_lossy(&invoked.payload).into_owned())),
                )
            }
            (None, None) => (&invoked.payload, None),
        };
    let mut body = Vec::with_capacity(chunks.len() + 256);
    for chunk in chunks.chunks(CHUNK) {
        body.extend(event_stream::message(
            "PayloadChunk",
            "application/octet-stream",
            chunk,
        ));
    }
    let mut complete = serde_json::Map::new();
    if let Some((code, details)) = error {
        complete.insert("ErrorCode".into(), code.into());
        complete.insert("ErrorDetails".into(), details.into());
    }
    if let Some(tail) = invoked.log_tail {
        complete.insert(
            "LogResult".into(),
            base64::engine::general_purpose::STANDARD
                .encode(tail.as_bytes())
                .into(),
        );
    }
    body.extend(event_stream::message(
        "InvokeComplete",
        "application/json",
        serde_json::Value::Object(complete).to_string().as_bytes(),
    ));
    headers.push((
        "Content-Type",
        invoked
            .content_type
            .unwrap_or_else(|| "application/octet-stream".to_string()),
    ));
    Ok(Reply::Payload {
        status: 200,
        headers,
        body: body.into(),
    })
}
