//! The Lambda runtime host: runs functions as local child processes behind Lambda's Runtime API.
//!
//! [`Host::start`] starts the host on its own thread and tokio runtime, which spawns and watches
//! the children (so they die with the host) and reaps idle environments. [`Host::invoke`] and
//! [`Host::invoke_with`] may be awaited from any tokio runtime: an invocation runs on the
//! caller's runtime, and an environment's Runtime API is served on the runtime of the
//! invocation that started it, so that a warm invocation from a single-threaded worker never
//! wakes another thread (see `env::start`).
//!
//! Each *environment* is one child process (the function's runtime) with its own unpacked code
//! folder and its own Runtime API listener on an ephemeral `127.0.0.1` port, handed to the child
//! as `AWS_LAMBDA_RUNTIME_API` (one listener per environment: an invocation's events and answers
//! can only come from the child they were given to). Environments are pooled per function
//! version and revision: a warm one is reused, a new one starts on demand up to the concurrency
//! cap, idle ones are reaped after `idle_timeout` (see [`HostConfig`]).
//!
//! Architecture invariant: imports the store and the domain (`portico-model`), never a room or
//! the data plane; rooms and the data plane reach it through ports the binary implements.

mod env;
mod memory;
mod run;
mod runtime_api;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use portico_model::lambda::{self as model, Resolved};
use portico_store::{Store, Tenant};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;

use env::Env;
use run::Run;

/// The largest synchronous invocation payload, request or response (6 MB, AWS's quota).
pub const MAX_REQUEST_PAYLOAD: usize = 6_291_456;
/// The largest response a function may post (AWS counts 6291556 bytes here).
pub const MAX_RESPONSE_PAYLOAD: usize = 6_291_556;
/// The largest response a function may stream (`InvokeWithResponseStream`: AWS's 20 MB).
pub const MAX_STREAMED_PAYLOAD: usize = 20 * 1024 * 1024;
/// Bytes of log returned by `LogType: Tail`.
const LOG_TAIL: usize = 4096;

/// How the host runs functions.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// The Lambda folder (`{data_dir}/lambda`): `code/` (zips), `run/` (environments),
    /// `bootstrap/` (the runtimes Portico ships).
    pub root: PathBuf,
    /// Environments per function version at once (AWS's reserved concurrency; over it an
    /// invocation is throttled).
    pub max_concurrency: usize,
    /// An environment idle this long is stopped.
    pub idle_timeout: Duration,
    /// The interpreter for `python3.x` runtimes.
    pub python: String,
    /// The interpreter for `nodejs*` runtimes.
    pub node: String,
}

impl HostConfig {
    pub fn new(root: PathBuf) -> HostConfig {
        HostConfig {
            root,
            max_concurrency: 10,
            idle_timeout: Duration::from_secs(300),
            python: "python3".into(),
            node: "node".into(),
        }
    }
}

/// How the caller wants the function run (`X-Amz-Invocation-Type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvocationType {
    RequestResponse,
    /// Queued: answered 202 at once, run in the background.
    Event,
    /// Only checks that the function exists and may be invoked: 204.
    DryRun,
}

/// One invocation.
#[derive(Debug, Clone)]
pub struct InvokeRequest {
    /// A name, ARN or partial ARN, with an optional `:qualifier`.
    pub function: String,
    /// The separate `Qualifier` parameter (must agree with one in `function`).
    pub qualifier: Option<String>,
    pub payload: Bytes,
    pub invocation_type: InvocationType,
    /// `LogType: Tail`: return the last 4 KB of the invocation's log.
    pub log_tail: bool,
    /// The client context (JSON text), handed to the runtime as `Lambda-Runtime-Client-Context`.
    pub client_context: Option<String>,
    /// `InvokeWithResponseStream`: a streamed response may be up to `MAX_STREAMED_PAYLOAD`
    /// and a mid-stream error is reported apart (`Invoked::stream_error`); otherwise a
    /// streamed response is an ordinary one (6 MB at most).
    pub stream: bool,
}

/// What an invocation answered.
#[derive(Debug, Clone)]
pub struct Invoked {
    /// 200 (RequestResponse), 202 (Event), 204 (DryRun).
    pub status: u16,
    /// The function's response, or AWS's error payload when `function_error` is set.
    pub payload: Bytes,
    /// `Unhandled` when the function failed (`X-Amz-Function-Error`).
    pub function_error: Option<String>,
    /// `$LATEST` or the version number that ran (`X-Amz-Executed-Version`).
    pub executed_version: String,
    /// The log's last 4 KB, raw (the room base64-encodes it into `X-Amz-Log-Result`).
    pub log_tail: Option<String>,
    /// The content type a runtime streamed its response with.
    pub content_type: Option<String>,
    /// A streamed response's mid-stream error (type, details), for `stream` requests.
    pub stream_error: Option<(String, String)>,
}

/// Why an invocation was not run. Each maps to one of Lambda's errors ([`InvokeError::code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvokeError {
    /// ResourceNotFoundException (404).
    NotFound(String),
    /// InvalidParameterValueException (400).
    InvalidParameter(String),
    /// RequestTooLargeException (413).
    RequestTooLarge(String),
    /// TooManyRequestsException (429): the function's concurrency is used up.
    TooManyRequests(String),
    /// The runtime cannot run here (501).
    Unsupported(String),
    /// ServiceException (500).
    Service(String),
}

impl InvokeError {
    pub fn status(&self) -> u16 {
        match self {
            InvokeError::NotFound(_) => 404,
            InvokeError::InvalidParameter(_) => 400,
            InvokeError::RequestTooLarge(_) => 413,
            InvokeError::TooManyRequests(_) => 429,
            InvokeError::Unsupported(_) => 501,
            InvokeError::Service(_) => 500,
        }
    }
    /// Lambda's error code (`x-amzn-ErrorType`).
    pub fn code(&self) -> &'static str {
        match self {
            InvokeError::NotFound(_) => "ResourceNotFoundException",
            InvokeError::InvalidParameter(_) => "InvalidParameterValueException",
            InvokeError::RequestTooLarge(_) => "RequestTooLargeException",
            InvokeError::TooManyRequests(_) => "TooManyRequestsException",
            InvokeError::Unsupported(_) => "NotImplementedException",
            InvokeError::Service(_) => "ServiceException",
        }
    }
    pub fn message(&self) -> &str {
        match self {
            InvokeError::NotFound(m)
            | InvokeError::InvalidParameter(m)
            | InvokeError::RequestTooLarge(m)
            | InvokeError::TooManyRequests(m)
            | InvokeError::Unsupported(m)
            | InvokeError::Service(m) => m,
        }
    }
}

impl std::fmt::Display for InvokeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}
impl std::error::Error for InvokeError {}

/// The runtime host. Cheap to share behind an `Arc`; dropping it stops its runtime (and with
/// it every environment: children are killed on drop).
pub struct Host {
    inner: Arc<Inner>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

pub(crate) struct Inner {
    store: Arc<dyn Store>,
    pub(crate) cfg: HostConfig,
    pub(crate) bootstrap_dir: PathBuf,
    pools: Mutex<HashMap<PoolKey, Arc<Pool>>>,
    pub(crate) next_env: AtomicU64,
    configs: Mutex<Configs>,
    /// The host's own runtime: children are spawned and watched there (see `env::start`).
    pub(crate) host_rt: tokio::runtime::Handle,
    /// Measures busy environments against their `MemorySize` (one task for all).
    pub(crate) memory: Arc<memory::MemoryWatch>,
}

/// Function configurations as invocations resolved them, so that a warm invocation reads no
/// store. Emptied whenever the store announces a change to a function, version or alias
/// (`Change::Functions`): the announcement is sent before the management call answers, and
/// every lookup first drains it, so an invocation never sees a configuration older than the
/// last answered change.
struct Configs {
    changes: tokio::sync::broadcast::Receiver<portico_store::Change>,
    resolved: HashMap<ConfigKey, Arc<Resolved>>,
    /// Changes seen so far.
    generation: u64,
}

type ConfigKey = (Tenant, String, Option<String>);

impl Configs {
    /// Drop everything if a change was announced since the last lookup.
    fn sync(&mut self) {
        use tokio::sync::broadcast::error::TryRecvError;
        loop {
            match self.changes.try_recv() {
                Ok(_) | Err(TryRecvError::Lagged(_)) => {
                    self.resolved.clear();
                    self.generation += 1;
                }
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => return,
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PoolKey {
    tenant: Tenant,
    name: String,
    version: String,
    /// The configuration's RevisionId: new code or settings start new environments.
    revision: String,
}

struct Pool {
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<(Arc<Env>, Instant)>>,
}

impl Host {
    /// Start the host's thread and runtime, write the shipped bootstraps under
    /// `{root}/bootstrap` and clear environments a previous process left in `{root}/run`.
    pub fn start(store: Arc<dyn Store>, cfg: HostConfig) -> std::io::Result<Host> {
        let bootstrap_dir = cfg.root.join("bootstrap");
        std::fs::create_dir_all(bootstrap_dir.join("python"))?;
        std::fs::create_dir_all(bootstrap_dir.join("node"))?;
        std::fs::create_dir_all(cfg.root.join("code"))?;
        std::fs::write(
            bootstrap_dir.join("python").join("bootstrap.py"),
            include_str!("bootstrap/python.py"),
        )?;
        std::fs::write(
            bootstrap_dir.join("node").join("bootstrap.js"),
            include_str!("bootstrap/node.js"),
        )?;
        let run = cfg.root.join("run");
        if run.exists() {
            std::fs::remove_dir_all(&run)?;
        }
        std::fs::create_dir_all(&run)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("lambda-host")
            .enable_all()
            .build()?;
        let handle = rt.handle().clone();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("lambda-host".into())
            .spawn(move || {
                rt.block_on(async {
                    let _ = stop_rx.await;
                });
                rt.shutdown_timeout(Duration::from_secs(1));
            })?;
        let configs = Mutex::new(Configs {
            changes: store.subscribe(portico_store::Topic::Functions),
            resolved: HashMap::new(),
            generation: 0,
        });
        let inner = Arc::new(Inner {
            configs,
            store,
            bootstrap_dir,
            pools: Mutex::new(HashMap::new()),
            next_env: AtomicU64::new(1),
            cfg,
            host_rt: handle.clone(),
            memory: Arc::default(),
        });
        handle.spawn(inner.memory.clone().run());
        handle.spawn(reaper(Arc::downgrade(&inner)));
        Ok(Host {
            inner,
            _stop: stop_tx,
        })
    }

    /// Invoke `function` (a name, ARN or partial ARN, with an optional `:qualifier`) of
    /// `tenant` synchronously (RequestResponse) with `payload`: the integration side's entry
    /// point. Usable from any tokio runtime.
    pub async fn invoke(
        &self,
        tenant: &Tenant,
        function: &str,
        payload: Bytes,
    ) -> Result<Invoked, InvokeError> {
        self.invoke_with(
            tenant,
            InvokeRequest {
                function: function.to_string(),
                qualifier: None,
                payload,
                invocation_type: InvocationType::RequestResponse,
                log_tail: false,
                client_context: None,
                stream: false,
            },
        )
        .await
    }

    /// Invoke with every option of Lambda's Invoke.
    pub async fn invoke_with(
        &self,
        tenant: &Tenant,
        req: InvokeRequest,
    ) -> Result<Invoked, InvokeError> {
        let inner = self.inner.clone();
        let tenant = tenant.clone();
        // Spawned on the caller's own runtime: a worker's runtime is single-threaded, so the
        // invocation, the Runtime API connection of the environment it takes (served where the
        // environment was started, see `env::start`) and the caller all run on one thread and
        // hand over without waking another. Spawned rather than awaited in place so that a
        // caller that goes away (a client that hung up) does not cancel the function midway,
        // which would cost its warm environment.
        tokio::spawn(async move { inner.invoke(tenant, req).await })
            .await
            .map_err(|e| InvokeError::Service(format!("invocation failed: {e}")))?
    }

    /// Stop every environment (a reset of all state).
    pub fn stop_all(&self) {
        let pools: Vec<Arc<Pool>> = {
            let mut pools = self.inner.pools.lock().expect("pools lock");
            pools.drain().map(|(_, p)| p).collect()
        };
        for p in pools {
            for (env, _) in p.idle.lock().expect("idle lock").drain(..) {
                env.kill();
            }
        }
    }
}

impl Inner {
    async fn invoke(
        self: Arc<Self>,
        tenant: Tenant,
        req: InvokeRequest,
    ) -> Result<Invoked, InvokeError> {
        if req.payload.len() > MAX_REQUEST_PAYLOAD {
            return Err(InvokeError::RequestTooLarge(format!(
                "Request must be smaller than {MAX_REQUEST_PAYLOAD} bytes for the InvokeFunction operation"
            )));
        }
        let r = model::parse_ref(&req.function, req.qualifier.as_deref()).map_err(|e| match e {
            model::RefError::Malformed => InvokeError::InvalidParameter(format!(
                "1 validation error detected: Value '{}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?",
                req.function
            )),
            model::RefError::QualifierMismatch => InvokeError::InvalidParameter(
                "The derived qualifier from the function name does not match the specified qualifier.".into(),
            ),
        })?;
        let invoked_arn = model::qualified_arn(&tenant, &r.name, r.qualifier.as_deref());
        let other_tenant = r.account.as_deref().is_some_and(|a| a != tenant.account())
            || r.region.as_deref().is_some_and(|g| g != tenant.region());
        let resolved = if other_tenant {
            None
        } else {
            self.resolve(&tenant, &r.name, r.qualifier.as_deref())
                .await?
        };
        let Some(resolved) = resolved else {
            return Err(InvokeError::NotFound(format!(
                "Function not found: {invoked_arn}"
            )));
        };
        match req.invocation_type {
            InvocationType::DryRun => Ok(Invoked {
                status: 204,
                payload: Bytes::new(),
                function_error: None,
                executed_version: resolved.version.clone(),
                log_tail: None,
                content_type: None,
                stream_error: None,
            }),
            InvocationType::Event => {
                let version = resolved.version.clone();
                let me = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = me
                        .run(Run {
                            tenant,
                            name: r.name,
                            invoked_arn,
                            resolved,
                            payload: req.payload,
                            log_tail: false,
                            client_context: req.client_context,
                            queued: true,
                            stream: false,
                        })
                        .await
                    {
                        tracing::warn!(target: "portico::lambda", "event invocation not run: {e}");
                    }
                });
                Ok(Invoked {
                    status: 202,
                    payload: Bytes::new(),
                    function_error: None,
                    executed_version: version,
                    log_tail: None,
                    content_type: None,
                    stream_error: None,
                })
            }
            InvocationType::RequestResponse => {
                self.run(Run {
                    tenant,
                    name: r.name,
                    invoked_arn,
                    resolved,
                    payload: req.payload,
                    log_tail: req.log_tail,
                    client_context: req.client_context,
                    queued: false,
                    stream: req.stream,
                })
                .await
            }
        }
    }

    /// The configuration `qualifier` names, from the cache or else the store.
    async fn resolve(
        &self,
        tenant: &Tenant,
        name: &str,
        qualifier: Option<&str>,
    ) -> Result<Option<Arc<Resolved>>, InvokeError> {
        let key: ConfigKey = (
            tenant.clone(),
            name.to_string(),
            qualifier.map(str::to_string),
        );
        let generation = {
            let mut configs = self.configs.lock().expect("configs lock");
            configs.sync();
            if let Some(r) = configs.resolved.get(&key) {
                return Ok(Some(r.clone()));
            }
            configs.generation
        };
        let store = self.store.clone();
        let (t, n, q) = key.clone();
        let found = portico_store::offload(&*self.store.clone(), move || {
            portico_store::read(&*store, &t, |tx| model::resolve(tx, &n, q.as_deref()))
        })
        .await
        .map_err(|e: portico_store::StoreError| InvokeError::Service(e.to_string()))?
        .map(Arc::new);
        if let Some(r) = &found {
            let mut configs = self.configs.lock().expect("configs lock");
            // A change announced while the store was read may postdate what was read: keep
            // it only if none was.
            configs.sync();
            if configs.generation == generation {
                configs.resolved.insert(key, r.clone());
            }
        }
        Ok(found)
    }

    fn pool(&self, key: PoolKey) -> Arc<Pool> {
        let mut pools = self.pools.lock().expect("pools lock");
        pools
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Pool {
                    slots: Arc::new(Semaphore::new(self.cfg.max_concurrency.max(1))),
                    idle: Mutex::new(Vec::new()),
                })
            })
            .clone()
    }

    /// Stop environments idle for longer than the configured time; forget empty pools.
    fn reap(&self) {
        let idle_for = self.cfg.idle_timeout;
        let mut pools = self.pools.lock().expect("pools lock");
        pools.retain(|_, pool| {
            let mut idle = pool.idle.lock().expect("idle lock");
            idle.retain(|(env, since)| {
                let keep = since.elapsed() < idle_for;
                if !keep {
                    tracing::debug!(target: "portico::lambda", "idle environment stopped");
                    env.kill();
                }
                keep
            });
            !idle.is_empty() || pool.slots.available_permits() < self.cfg.max_concurrency.max(1)
        });
    }
}

async fn reaper(inner: std::sync::Weak<Inner>) {
    loop {
        let every = match inner.upgrade() {
            Some(i) => {
                (i.cfg.idle_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(5))
            }
            None => return,
        };
        tokio::time::sleep(every).await;
        match inner.upgrade() {
            Some(i) => i.reap(),
            None => return,
        }
    }
}

pub(crate) fn str_of<'a>(config: &'a Map<String, Value>, key: &str) -> &'a str {
    config.get(key).and_then(Value::as_str).unwrap_or("")
}

fn json_bytes(v: Value) -> Bytes {
    Bytes::from(serde_json::to_vec(&v).unwrap_or_default())
}

/// A version-4 UUID, as Lambda's request ids are.
pub fn new_request_id() -> String {
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

/// Counter for unique environment ids within this process.
pub(crate) fn next_env_id(inner: &Inner) -> u64 {
    inner.next_env.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_store::{kind, SqliteStore};
    use serde_json::json;
    use std::io::Write;

    fn zip_of(name: &str, text: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .unix_permissions(0o644);
        w.start_file(name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
        w.finish().unwrap().into_inner()
    }

    /// The integration side's call: `Host::invoke` awaited on a current-thread runtime (as
    /// Portico's workers are) other than the host's own, by name, ARN and `name:qualifier`.
    #[test]
    fn invoke_from_another_runtime() {
        if std::process::Command::new("python3")
            .arg("--version")
            .output()
            .is_err()
        {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("db")).unwrap());
        let root = dir.path().join("lambda");
        let host = Host::start(store.clone(), HostConfig::new(root.clone())).unwrap();
        let zip = zip_of("app.py", "def handler(e, c):\n    return {'got': e}\n");
        std::fs::write(model::code_path(&root, "abc"), zip).unwrap();
        let tenant = Tenant::aws("000000000000", "us-east-1");
        portico_store::write(&*store, &tenant, |tx| {
            tx.put(
                kind::LAMBDA_FUNCTION,
                "",
                "f",
                &json!({
                    "FunctionName": "f", "Runtime": "python3.12", "Handler": "app.handler",
                    "Timeout": 3, "MemorySize": 128, "RevisionId": "r1", "Version": "$LATEST",
                    "_code": "abc",
                }),
            )
        })
        .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let r = host
                .invoke(&tenant, "f", Bytes::from_static(b"{\"a\":1}"))
                .await
                .unwrap();
            assert_eq!(r.status, 200);
            assert_eq!(r.function_error, None);
            assert_eq!(r.executed_version, "$LATEST");
            assert_eq!(&r.payload[..], br#"{"got": {"a": 1}}"#);
            let arn = "arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST";
            let r = host.invoke(&tenant, arn, Bytes::from_static(b"2")).await;
            assert_eq!(&r.unwrap().payload[..], br#"{"got": 2}"#);
            let e = host
                .invoke(&tenant, "nope", Bytes::new())
                .await
                .unwrap_err();
            assert_eq!(e.code(), "ResourceNotFoundException");
            assert_eq!(
                e.message(),
                "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope"
            );
            let e = host
                .invoke(&tenant, "f:live", Bytes::new())
                .await
                .unwrap_err();
            assert_eq!(e.status(), 404);
        });
        host.stop_all();
    }
}
