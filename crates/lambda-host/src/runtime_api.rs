//! Lambda's Runtime API (2018-06-01), one listener per environment: `GET invocation/next`,
//! `POST invocation/{id}/response`, `POST invocation/{id}/error`, `POST init/error`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};

use crate::env::{Death, Job, Outcome, Streamed};
use crate::{MAX_RESPONSE_PAYLOAD, MAX_STREAMED_PAYLOAD};

const PREFIX: &str = "/2018-06-01/runtime/";

pub(crate) struct Api {
    jobs: tokio::sync::Mutex<mpsc::Receiver<Job>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    dead: Arc<watch::Sender<Option<Death>>>,
    ready: Arc<OnceLock<Instant>>,
}

impl Api {
    pub fn new(
        jobs: mpsc::Receiver<Job>,
        dead: Arc<watch::Sender<Option<Death>>>,
        ready: Arc<OnceLock<Instant>>,
    ) -> Api {
        Api {
            jobs: tokio::sync::Mutex::new(jobs),
            pending: Mutex::new(HashMap::new()),
            dead,
            ready,
        }
    }
}

/// Serve one environment's Runtime API on the current runtime (the listener is registered
/// with this runtime's reactor here, not where it was bound).
pub(crate) async fn serve(listener: std::net::TcpListener, api: Arc<Api>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let api = api.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req| {
                let api = api.clone();
                async move { Ok::<_, Infallible>(handle(&api, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

fn reply(status: u16, body: serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(
        serde_json::to_vec(&body).unwrap_or_default(),
    )));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r
}

fn error(status: u16, error_type: &str, message: &str) -> Response<Full<Bytes>> {
    reply(
        status,
        serde_json::json!({ "errorMessage": message, "errorType": error_type }),
    )
}

/// A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`, a chunked body
/// and maybe trailers naming a mid-stream error), read whole up to the streaming limit; `None`
/// when it is longer.
async fn streamed(req: Request<Incoming>) -> Result<Option<Streamed>, ()> {
    use base64::Engine;
    let content_type = req
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let collected = match Limited::new(req.into_body(), MAX_STREAMED_PAYLOAD)
        .collect()
        .await
    {
        Ok(c) => c,
        Err(e) if e.is::<http_body_util::LengthLimitError>() => return Ok(None),
        Err(_) => return Err(()),
    };
    let error = collected.trailers().and_then(|t| {
        let kind = t
            .get("lambda-runtime-function-error-type")?
            .to_str()
            .ok()?
            .to_string();
        let body = t
            .get("lambda-runtime-function-error-body")
            .and_then(|v| v.to_str().ok())
            .map(|b| {
                base64::engine::general_purpose::STANDARD
                    .decode(b.trim())
                    .map(|d| String::from_utf8_lossy(&d).into_owned())
                    .unwrap_or_else(|_| b.to_string())
            })
            .unwrap_or_default();
        Some((kind, body))
    });
    Ok(Some(Streamed {
        content_type,
        body: collected.to_bytes(),
        error,
    }))
}

/// The body, or `None` when it is longer than Lambda's response limit.
async fn body(req: Request<Incoming>) -> Result<Option<Bytes>, ()> {
    match Limited::new(req.into_body(), MAX_RESPONSE_PAYLOAD)
        .collect()
        .await
    {
        Ok(b) => Ok(Some(b.to_bytes())),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Ok(None),
        Err(_) => Err(()),
    }
}

async fn handle(api: &Api, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return error(404, "InvalidRequest", "Not found");
    };
    let method = req.method().as_str().to_string();
    match (
        method.as_str(),
        rest.split('/').collect::<Vec<_>>().as_slice(),
    ) {
        ("GET", ["invocation", "next"]) => {
            api.ready.get_or_init(Instant::now);
            let job = { api.jobs.lock().await.recv().await };
            let Some(job) = job else {
                return error(500, "ServiceException", "The environment is shutting down");
            };
            api.pending
                .lock()
                .expect("pending lock")
                .insert(job.request_id.clone(), job.reply);
            let _ = job.taken.send(());
            let deadline_ms = (std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                + job.timeout)
                .as_millis() as u64;
            let mut r = Response::new(Full::new(job.payload));
            let h = r.headers_mut();
            let mut set = |k: &'static str, v: &str| {
                if let Ok(v) = hyper::header::HeaderValue::from_str(v) {
                    h.insert(k, v);
                }
            };
            set("lambda-runtime-aws-request-id", &job.request_id);
            set("lambda-runtime-deadline-ms", &deadline_ms.to_string());
            set("lambda-runtime-invoked-function-arn", &job.arn);
            let hex: String = job.request_id.chars().filter(|c| *c != '-').collect();
            set(
                "lambda-runtime-trace-id",
                &format!(
                    "Root=1-{:08x}-{};Parent={};Sampled=0",
                    portico_core::ids::now_epoch(),
                    hex.get(..24).unwrap_or(&hex),
                    hex.get(16..32).unwrap_or(&hex)
                ),
            );
            if let Some(cc) = &job.client_context {
                set("lambda-runtime-client-context", cc);
            }
            set("content-type", "application/json");
            r
        }
        ("POST", ["invocation", id, kind @ ("response" | "error")]) => {
            let sender = api.pending.lock().expect("pending lock").remove(*id);
            let Some(sender) = sender else {
                return error(400, "InvalidRequestID", "Invalid request ID");
            };
            let is_error = *kind == "error";
            let streaming = !is_error
                && req
                    .headers()
                    .get("lambda-runtime-function-response-mode")
                    .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"streaming"));
            if streaming {
                return match streamed(req).await {
                    Ok(Some(s)) => {
                        let _ = sender.send(Outcome::Streamed(s));
                        reply(202, serde_json::json!({ "status": "OK" }))
                    }
                    Ok(None) => {
                        let _ = sender.send(Outcome::TooLarge(MAX_STREAMED_PAYLOAD));
                        error(
                            413,
                            "RequestEntityTooLarge",
                            &format!("Exceeded maximum allowed payload size ({MAX_STREAMED_PAYLOAD} bytes)."),
                        )
                    }
                    Err(()) => {
                        let _ =
                            sender.send(Outcome::Exited("the runtime's answer was cut off".into()));
                        error(400, "InvalidRequest", "Could not read the body")
                    }
                };
            }
            match body(req).await {
                Ok(Some(b)) => {
                    let _ = sender.send(if is_error {
                        Outcome::Error(b)
                    } else {
                        Outcome::Response(b)
                    });
                    reply(202, serde_json::json!({ "status": "OK" }))
                }
                Ok(None) => {
                    let _ = sender.send(Outcome::TooLarge(MAX_RESPONSE_PAYLOAD));
                    error(
                        413,
                        "RequestEntityTooLarge",
                        &format!(
                            "Exceeded maximum allowed payload size ({MAX_RESPONSE_PAYLOAD} bytes)."
                        ),
                    )
                }
                Err(()) => {
                    let _ = sender.send(Outcome::Exited("the runtime's answer was cut off".into()));
                    error(400, "InvalidRequest", "Could not read the body")
                }
            }
        }
        ("POST", ["init", "error"]) => {
            let b = body(req).await.ok().flatten().unwrap_or_default();
            api.dead.send_if_modified(|d| {
                if d.is_none() {
                    *d = Some(Death::InitError(b));
                    true
                } else {
                    false
                }
            });
            reply(202, serde_json::json!({ "status": "OK" }))
        }
        _ => error(404, "InvalidRequest", "Not found"),
    }
}
