//! One invocation on an environment: a warm one taken or a new one started, the event handed
//! over, and how it ended turned into Lambda's answer (AWS's error payloads for a timeout, a
//! crash, an out-of-memory kill, a response too large), framed by the `START`/`END`/`REPORT`
//! log lines.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use portico_model::lambda::Resolved;
use portico_store::Tenant;
use serde_json::{json, Value};

use crate::env::{self, Outcome};
use crate::{
    json_bytes, new_request_id, str_of, Inner, InvokeError, Invoked, PoolKey, LOG_TAIL,
    MAX_RESPONSE_PAYLOAD,
};

/// One invocation to run, resolved.
pub(crate) struct Run {
    pub tenant: Tenant,
    pub name: String,
    pub invoked_arn: String,
    pub resolved: Arc<Resolved>,
    pub payload: Bytes,
    pub log_tail: bool,
    pub client_context: Option<String>,
    /// An Event waits for a free environment; a synchronous call over the cap is throttled.
    pub queued: bool,
    pub stream: bool,
}

impl Inner {
    pub(crate) async fn run(self: Arc<Self>, job: Run) -> Result<Invoked, InvokeError> {
        let Run {
            tenant,
            name,
            invoked_arn,
            resolved,
            payload,
            log_tail,
            client_context,
            queued,
            stream,
        } = job;
        let config = &resolved.config;
        let revision = str_of(config, "RevisionId").to_string();
        let pool = self.pool(PoolKey {
            tenant: tenant.clone(),
            name: name.clone(),
            version: resolved.version.clone(),
            revision,
        });
        // A synchronous call over the cap is throttled, as AWS does; an Event waits for a
        // slot, as AWS's queue does.
        let permit = if queued {
            pool.slots.clone().acquire_owned().await.ok()
        } else {
            pool.slots.clone().try_acquire_owned().ok()
        };
        let Some(_permit) = permit else {
            return Err(InvokeError::TooManyRequests("Rate Exceeded.".into()));
        };
        let timeout_s = config.get("Timeout").and_then(Value::as_u64).unwrap_or(3);
        let memory = config
            .get("MemorySize")
            .and_then(Value::as_u64)
            .unwrap_or(128);
        // The most recently used idle environment whose process still runs (one that exited
        // while idle is dropped, and the call gets a fresh one, as on AWS).
        let warm = {
            let mut idle = pool.idle.lock().expect("idle lock");
            let mut found = None;
            while let Some((env, _)) = idle.pop() {
                if env.is_usable() {
                    found = Some(env);
                    break;
                }
            }
            found
        };
        let (env, init) = match warm {
            Some(env) => (env, None),
            None => {
                let started = Instant::now();
                // The child is spawned on the host's runtime (its death signal is tied to the
                // spawning thread, which must outlive it); its Runtime API is served here, on
                // the caller's runtime.
                let serve_on = tokio::runtime::Handle::current();
                let (me, t, n, r) = (self.clone(), tenant.clone(), name.clone(), resolved.clone());
                let env = self
                    .host_rt
                    .spawn(async move { env::start(&me, &t, &n, &r, serve_on).await })
                    .await
                    .map_err(|e| {
                        InvokeError::Service(format!("environment start failed: {e}"))
                    })??;
                (env, Some(started))
            }
        };
        let request_id = new_request_id();
        let version = resolved.version.clone();
        let started = Instant::now();
        let mut log = format!("START RequestId: {request_id} Version: {version}\n");
        let deadline = Duration::from_secs(timeout_s);
        let outcome = env
            .invoke(&request_id, &invoked_arn, payload, client_context, deadline)
            .await;
        let ended = Instant::now();
        // On a cold start, the runtime's init (interpreter start, imports) ends when it first
        // asks for an event: that is `Init Duration`, and `Duration` starts there, as on AWS.
        let (elapsed, init_duration) = match init {
            Some(t0) => match env.ready.get().copied() {
                Some(ready) if ready > started => (ended - ready, Some(ready - t0)),
                _ => (ended - started, Some(started - t0)),
            },
            None => (ended - started, None),
        };
        let output = env.take_log().await;
        log.push_str(&output);
        if !output.is_empty() && !output.ends_with('\n') {
            log.push('\n');
        }
        // The peak resident memory (read for REPORT anyway) catches a runtime that passed its
        // `MemorySize` between two of the watcher's measurements: AWS's kernel would have
        // killed it before it could answer.
        let max_mem = env.max_memory_mb();
        let outcome = match outcome {
            Outcome::Response(_)
            | Outcome::Streamed(_)
            | Outcome::Error(_)
            | Outcome::TooLarge(_)
                if max_mem > memory =>
            {
                Outcome::OutOfMemory
            }
            other => other,
        };
        let too_large = |limit: usize| {
            json_bytes(json!({
                "errorMessage": format!("Response payload size exceeded maximum allowed payload size ({limit} bytes)."),
                "errorType": "Function.ResponseSizeTooLarge",
            }))
        };
        let mut content_type = None;
        let mut stream_error = None;
        let (payload, function_error, healthy) = match outcome {
            Outcome::Response(body) => (body, None, true),
            // InvokeWithResponseStream: the stream as it came, and its error apart.
            Outcome::Streamed(s) if stream => {
                content_type = s.content_type;
                stream_error = s.error;
                (s.body, None, true)
            }
            // An ordinary Invoke of a streaming function: an ordinary answer (6 MB at most);
            // a mid-stream error is the function's error.
            Outcome::Streamed(s) => match s.error {
                Some((kind, details)) => (
                    json_bytes(json!({ "errorType": kind, "errorMessage": details })),
                    Some("Unhandled"),
                    true,
                ),
                None if s.body.len() > MAX_RESPONSE_PAYLOAD => {
                    (too_large(MAX_RESPONSE_PAYLOAD), Some("Unhandled"), true)
                }
                None => (s.body, None, true),
            },
            Outcome::Error(body) => (body, Some("Unhandled"), true),
            Outcome::TooLarge(limit) => (too_large(limit), Some("Unhandled"), true),
            Outcome::TimedOut => {
                let now = time::OffsetDateTime::now_utc();
                let stamp = now
                    .format(time::macros::format_description!(
                        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
                    ))
                    .unwrap_or_default();
                let text = format!(
                    // AWS's recorded answers give the time the invocation actually ran
                    // ("Task timed out after 3.07 seconds" for a 3-second timeout).
                    "{stamp} {request_id} Task timed out after {:.2} seconds",
                    elapsed.as_secs_f64().max(timeout_s as f64)
                );
                log.push_str(&text);
                log.push('\n');
                tracing::warn!(target: "portico::lambda", function = %name, "{text}");
                (
                    json_bytes(json!({ "errorMessage": text })),
                    Some("Unhandled"),
                    false,
                )
            }
            Outcome::OutOfMemory => {
                // Decision: AWS's kernel OOM kill reads "Runtime exited with error: signal:
                // killed"; current runtimes name it Runtime.OutOfMemory (older ones
                // Runtime.ExitError, which a plain crash still gets).
                let text = format!(
                    "RequestId: {request_id} Error: Runtime exited with error: signal: killed"
                );
                log.push_str(&text);
                log.push_str("\nRuntime.OutOfMemory\n");
                tracing::warn!(target: "portico::lambda", function = %name, "{text} (over MemorySize {memory} MB)");
                (
                    json_bytes(json!({ "errorType": "Runtime.OutOfMemory", "errorMessage": text })),
                    Some("Unhandled"),
                    false,
                )
            }
            Outcome::Exited(status) => {
                let text =
                    format!("RequestId: {request_id} Error: Runtime exited with error: {status}");
                log.push_str(&text);
                log.push('\n');
                tracing::warn!(target: "portico::lambda", function = %name, "{text}");
                (
                    json_bytes(json!({ "errorType": "Runtime.ExitError", "errorMessage": text })),
                    Some("Unhandled"),
                    false,
                )
            }
            Outcome::InitError(body) => (body, Some("Unhandled"), false),
        };
        if healthy {
            pool.idle
                .lock()
                .expect("idle lock")
                .push((env, Instant::now()));
        } else {
            env.kill();
        }
        let ms = elapsed.as_secs_f64() * 1000.0;
        let mut report = format!(
            "REPORT RequestId: {request_id}\tDuration: {ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {memory} MB\tMax Memory Used: {max_mem} MB",
            ms.ceil() as u64
        );
        if let Some(init) = init_duration {
            let init_ms = init.as_secs_f64() * 1000.0;
            report.push_str(&format!("\tInit Duration: {init_ms:.2} ms"));
        }
        log.push_str(&format!("END RequestId: {request_id}\n{report}\t\n"));
        // One event for the whole invocation (START, the function's output, END, REPORT), as
        // CloudWatch shows it: an event per line cost a formatting pass and a write to stderr
        // each, the largest part of Portico's own work in a warm invocation.
        tracing::info!(target: "portico::lambda", function = %name, "{}", log.trim_end());
        let log_tail = log_tail.then(|| {
            let mut start = log.len().saturating_sub(LOG_TAIL);
            while !log.is_char_boundary(start) {
                start += 1;
            }
            log[start..].to_string()
        });
        Ok(Invoked {
            status: 200,
            payload,
            function_error: function_error.map(str::to_string),
            executed_version: version,
            log_tail,
            content_type,
            stream_error,
        })
    }
}
