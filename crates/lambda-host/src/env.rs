//! One execution environment: a child process running the function's runtime in its own code
//! folder, with its own Runtime API listener.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use portico_model::lambda::{self as model, Resolved};
use portico_store::Tenant;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, watch};

use crate::memory::{MemoryWatch, Watched};
use crate::runtime_api::{self, Api};
use crate::{next_env_id, str_of, Inner, InvokeError};

/// How long a runtime may take to start before its first event (AWS's init phase limit).
const INIT_LIMIT: Duration = Duration::from_secs(10);

/// One event handed to the runtime.
pub(crate) struct Job {
    pub request_id: String,
    pub arn: String,
    pub payload: Bytes,
    /// The function's timeout: its deadline is set when the runtime takes the event.
    pub timeout: Duration,
    /// Told when the runtime takes the event (the timeout starts then).
    pub taken: oneshot::Sender<()>,
    pub client_context: Option<String>,
    pub reply: oneshot::Sender<Outcome>,
}

/// How an invocation ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    Response(Bytes),
    /// A response the runtime streamed (`Lambda-Runtime-Function-Response-Mode: streaming`).
    Streamed(Streamed),
    /// The runtime posted an error (its body is the error payload).
    Error(Bytes),
    /// The runtime posted a response over the limit (this one, in bytes).
    TooLarge(usize),
    TimedOut,
    /// The process (with its children) grew past the function's `MemorySize`.
    OutOfMemory,
    /// The process exited (its status, as `exit status 1` or `signal: 9 (SIGKILL)`).
    Exited(String),
    /// The runtime reported `/init/error` (its body).
    InitError(Bytes),
}

/// A streamed response, whole: its content type, its bytes, and the error the runtime
/// reported in its trailers (`Lambda-Runtime-Function-Error-Type`, `…-Error-Body`), if it
/// failed mid-stream.
#[derive(Debug)]
pub(crate) struct Streamed {
    pub content_type: Option<String>,
    pub body: Bytes,
    pub error: Option<(String, String)>,
}

/// Why an environment is gone.
#[derive(Debug, Clone)]
pub(crate) enum Death {
    Exited(String),
    InitError(Bytes),
}

pub(crate) struct Env {
    jobs: mpsc::Sender<Job>,
    dead: watch::Receiver<Option<Death>>,
    kill: Mutex<Option<oneshot::Sender<()>>>,
    log: Mutex<LogReader>,
    /// `/proc/{pid}/status`, kept open: read again after every invocation for its peak memory.
    status: Option<std::fs::File>,
    /// The process as the host's memory watcher sees it (`None` when none started).
    memory: Option<Arc<Watched>>,
    watch: Arc<MemoryWatch>,
    /// When the runtime first asked for an event: the end of its init.
    pub ready: Arc<OnceLock<Instant>>,
}

impl Env {
    /// Hand one event to the runtime and wait for its answer, its death or the deadline.
    pub async fn invoke(
        &self,
        request_id: &str,
        arn: &str,
        payload: Bytes,
        client_context: Option<String>,
        timeout: Duration,
    ) -> Outcome {
        let (tx, rx) = oneshot::channel();
        let (taken_tx, taken_rx) = oneshot::channel();
        let job = Job {
            request_id: request_id.to_string(),
            arn: arn.to_string(),
            payload,
            timeout,
            taken: taken_tx,
            client_context,
            reply: tx,
        };
        let mut dead = self.dead.clone();
        if let Some(d) = dead.borrow().clone() {
            return from_death(d);
        }
        if self.jobs.send(job).await.is_err() {
            return Outcome::Exited("the runtime API stopped".into());
        }
        let _busy = self.memory.as_ref().map(|m| m.busy(&self.watch));
        tokio::select! {
            r = rx => match r {
                Ok(outcome) => outcome,
                // The runtime API went away with the process: say how the process ended.
                Err(_) => match self.dead.borrow().clone() {
                    Some(d) => from_death(d),
                    None => Outcome::Exited("the runtime API stopped".into()),
                },
            },
            // The timeout counts from the moment the runtime takes the event; before that, a
            // cold runtime's init has AWS's own limit (10 s).
            // One timer for both limits, moved when the event is taken.
            _ = async {
                let deadline = tokio::time::sleep(INIT_LIMIT);
                tokio::pin!(deadline);
                tokio::select! {
                    taken = taken_rx => match taken {
                        Ok(()) => {
                            deadline.as_mut().reset(tokio::time::Instant::now() + timeout);
                            deadline.await;
                        }
                        // The environment went away: the death branch answers.
                        Err(_) => std::future::pending::<()>().await,
                    },
                    () = &mut deadline => {}
                }
            } => Outcome::TimedOut,
            d = async {
                loop {
                    if let Some(d) = dead.borrow_and_update().clone() {
                        return d;
                    }
                    if dead.changed().await.is_err() {
                        return Death::Exited("the environment stopped".into());
                    }
                }
            } => from_death(d),
            // `MemorySize` as AWS enforces it (a cgroup's OOM kill): the caller kills the
            // process group once the watcher finds its resident memory past the limit.
            _ = async {
                match &self.memory {
                    Some(m) => m.over_limit().await,
                    None => std::future::pending().await,
                }
            } => Outcome::OutOfMemory,
        }
    }

    /// Can it take an event: its process runs and its Runtime API is still served (the
    /// runtime that served it may have been shut down, e.g. a caller's short-lived runtime)?
    pub fn is_usable(&self) -> bool {
        self.dead.borrow().is_none() && !self.jobs.is_closed()
    }

    /// What the process wrote since the last call. Read in place from the open log file (a
    /// local file, in the page cache): through tokio's blocking pool, the open, seek and read
    /// were three thread hops on every invocation.
    pub async fn take_log(&self) -> String {
        use std::os::unix::fs::FileExt;
        let mut log = self.log.lock().expect("log lock");
        let LogReader { file, offset } = &mut *log;
        let Some(f) = file else {
            return String::new();
        };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 8192];
        while let Ok(n @ 1..) = f.read_at(&mut chunk, *offset) {
            buf.extend_from_slice(&chunk[..n]);
            *offset += n as u64;
        }
        String::from_utf8_lossy(&buf).into_owned()
    }

    /// The process's peak resident memory (VmHWM), in MB.
    pub fn max_memory_mb(&self) -> u64 {
        use std::os::unix::fs::FileExt;
        let Some(f) = &self.status else { return 0 };
        let mut buf = [0u8; 4096];
        let n = f.read_at(&mut buf, 0).unwrap_or(0);
        // `VmHWM:\t   1234 kB`, found in the bytes as they are (once per invocation).
        const KEY: &[u8] = b"\nVmHWM:";
        let status = &buf[..n];
        let Some(at) = status.windows(KEY.len()).position(|w| w == KEY) else {
            return 0;
        };
        let kb = status[at + KEY.len()..]
            .iter()
            .skip_while(|b| b.is_ascii_whitespace())
            .take_while(|b| b.is_ascii_digit())
            .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
        kb.div_ceil(1024)
    }

    /// Stop the process (and its process group) and remove its folder.
    pub fn kill(&self) {
        if let Some(k) = self.kill.lock().expect("kill lock").take() {
            let _ = k.send(());
        }
    }
}

/// The environment's log file (the child's stdout and stderr) and how much of it was taken.
struct LogReader {
    file: Option<std::fs::File>,
    offset: u64,
}

impl LogReader {
    fn open(path: &std::path::Path) -> LogReader {
        LogReader {
            file: std::fs::File::open(path).ok(),
            offset: 0,
        }
    }
}

fn from_death(d: Death) -> Outcome {
    match d {
        Death::Exited(s) => Outcome::Exited(s),
        Death::InitError(b) => Outcome::InitError(b),
    }
}

/// Unpack the function's code, open its Runtime API listener and start its runtime.
pub(crate) async fn start(
    inner: &Arc<Inner>,
    tenant: &Tenant,
    name: &str,
    resolved: &Resolved,
    serve_on: tokio::runtime::Handle,
) -> Result<Arc<Env>, InvokeError> {
    let config = &resolved.config;
    let runtime = str_of(config, "Runtime").to_string();
    let handler = str_of(config, "Handler").to_string();
    let id = next_env_id(inner);
    let dir = inner.cfg.root.join("run").join(id.to_string());
    let task = dir.join("task");
    let zip = model::code_path(&inner.cfg.root, str_of(config, model::CODE));
    {
        let task = task.clone();
        tokio::task::spawn_blocking(move || unpack(&zip, &task))
            .await
            .map_err(|e| InvokeError::Service(e.to_string()))?
            .map_err(|e| {
                InvokeError::Service(format!("could not unpack the function's code: {e}"))
            })?;
    }
    let (program, args): (PathBuf, Vec<PathBuf>) = if runtime.starts_with("python3") {
        (
            PathBuf::from(&inner.cfg.python),
            vec![inner.bootstrap_dir.join("python").join("bootstrap.py")],
        )
    } else if runtime.starts_with("nodejs") {
        (
            PathBuf::from(&inner.cfg.node),
            vec![inner.bootstrap_dir.join("node").join("bootstrap.js")],
        )
    } else if runtime.starts_with("provided") {
        (task.join("bootstrap"), vec![])
    } else {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(InvokeError::Unsupported(format!(
            "Portico cannot run the runtime {runtime} yet (python3.x, nodejs* and provided.* run); see \"Not yet supported\" in Portico's README"
        )));
    };
    // A std listener: a tokio one would belong to this (the host's) runtime's reactor, and
    // every readiness event of the Runtime API would then cross threads.
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|e| InvokeError::Service(format!("runtime API listener: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| InvokeError::Service(e.to_string()))?;
    let log_path = dir.join("log");
    let log = std::fs::File::create(&log_path).map_err(|e| InvokeError::Service(e.to_string()))?;
    let log2 = log
        .try_clone()
        .map_err(|e| InvokeError::Service(e.to_string()))?;

    let mut cmd = tokio::process::Command::new(&program);
    cmd.args(&args)
        .current_dir(&task)
        .env_clear()
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2))
        .kill_on_drop(true)
        .process_group(0);
    // The runtime dies with Portico even while it runs a handler (it would otherwise only
    // notice at its next Runtime API call). The signal is sent when the spawning thread ends:
    // spawns happen on the host runtime's worker thread, which lives as long as the host.
    #[cfg(target_os = "linux")]
    // SAFETY: between fork and exec only async-signal-safe calls are allowed; prctl is one.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    for keep in ["PATH", "LANG", "HOME", "TMPDIR"] {
        if let Ok(v) = std::env::var(keep) {
            cmd.env(keep, v);
        }
    }
    let version = &resolved.version;
    let memory = config
        .get("MemorySize")
        .and_then(Value::as_u64)
        .unwrap_or(128);
    cmd.env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("_HANDLER", &handler)
        .env("LAMBDA_TASK_ROOT", &task)
        .env(
            "LAMBDA_RUNTIME_DIR",
            inner.bootstrap_dir.join(runtime_dir(&runtime)),
        )
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", version)
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", memory.to_string())
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env(
            "AWS_LAMBDA_LOG_STREAM_NAME",
            format!("portico/[{version}]{id}"),
        )
        .env("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand")
        .env("AWS_EXECUTION_ENV", format!("AWS_Lambda_{runtime}"))
        .env("AWS_REGION", tenant.region())
        .env("AWS_DEFAULT_REGION", tenant.region())
        .env("TZ", ":UTC")
        .env("PYTHONUNBUFFERED", "1");
    if let Some(Value::Object(vars)) = config.get("Environment").and_then(|e| e.get("Variables")) {
        for (k, v) in vars {
            if let Some(v) = v.as_str() {
                cmd.env(k, v);
            }
        }
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&dir);
            let (error_type, message) = if runtime.starts_with("provided") {
                (
                    "Runtime.InvalidEntrypoint",
                    format!(
                        "Couldn't find valid bootstrap(s): [{}]: {e}",
                        task.join("bootstrap").display()
                    ),
                )
            } else {
                (
                    "Runtime.InvalidEntrypoint",
                    format!("could not start {}: {e}", program.display()),
                )
            };
            // Reported the way AWS reports a runtime that cannot start: as the invocation's error.
            let body = serde_json::json!({ "errorType": error_type, "errorMessage": message });
            let (_tx, dead) = watch::channel(Some(Death::InitError(Bytes::from(
                serde_json::to_vec(&body).unwrap_or_default(),
            ))));
            let (jobs, _) = mpsc::channel(1);
            return Ok(Arc::new(Env {
                jobs,
                dead,
                kill: Mutex::new(None),
                log: Mutex::new(LogReader::open(&log_path)),
                status: None,
                memory: None,
                watch: inner.memory.clone(),
                ready: Arc::default(),
            }));
        }
    };
    let pid = child.id();
    let (jobs_tx, jobs_rx) = mpsc::channel::<Job>(1);
    let (dead_tx, dead_rx) = watch::channel(None);
    let dead_tx = Arc::new(dead_tx);
    let ready: Arc<OnceLock<Instant>> = Arc::default();
    let api = Arc::new(Api::new(jobs_rx, dead_tx.clone(), ready.clone()));
    let server = serve_on.spawn(runtime_api::serve(listener, api));
    let (kill_tx, kill_rx) = oneshot::channel::<()>();
    let fname = name.to_string();
    tokio::spawn(async move {
        let status = tokio::select! {
            s = child.wait() => s.map(|s| describe(&s)).unwrap_or_else(|e| e.to_string()),
            _ = kill_rx => {
                kill_group(pid);
                let _ = child.kill().await;
                "signal: 9 (SIGKILL)".to_string()
            }
        };
        // A runtime that exits may leave children behind in its group.
        kill_group(pid);
        tracing::debug!(target: "portico::lambda", function = %fname, "environment ended: {status}");
        dead_tx.send_if_modified(|d| {
            if d.is_none() {
                *d = Some(Death::Exited(status));
                true
            } else {
                false
            }
        });
        server.abort();
        let _ = tokio::task::spawn_blocking(move || std::fs::remove_dir_all(&dir)).await;
    });
    Ok(Arc::new(Env {
        jobs: jobs_tx,
        dead: dead_rx,
        kill: Mutex::new(Some(kill_tx)),
        log: Mutex::new(LogReader::open(&log_path)),
        status: pid.and_then(|p| std::fs::File::open(format!("/proc/{p}/status")).ok()),
        memory: pid.map(|p| inner.memory.watch(p, memory * 1024 * 1024)),
        watch: inner.memory.clone(),
        ready,
    }))
}

impl Drop for Env {
    fn drop(&mut self) {
        self.kill();
    }
}

fn runtime_dir(runtime: &str) -> &'static str {
    if runtime.starts_with("nodejs") {
        "node"
    } else {
        "python"
    }
}

fn describe(s: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (s.code(), s.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(sig)) => format!("signal: {sig}"),
        _ => s.to_string(),
    }
}

/// SIGKILL the process group the runtime leads (a shell `bootstrap` may have started others).
fn kill_group(pid: Option<u32>) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory is shared.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
}

/// Unpack a deployment package into `dest`, keeping Unix modes (a `bootstrap` must stay
/// executable) and refusing entries that would land outside it.
fn unpack(zip: &Path, dest: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dest)?;
    let file = std::fs::File::open(zip)?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let Some(rel) = entry.enclosed_name() else {
            continue;
        };
        let path = dest.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = std::fs::File::create(&path)?;
        std::io::copy(&mut entry, &mut out)?;
        use std::os::unix::fs::PermissionsExt;
        // Zips made without Unix modes (Windows tools) still get readable, executable files,
        // as Lambda's own unpacking does.
        let mode = entry.unix_mode().map_or(0o755, |m| (m & 0o777) | 0o444);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}
