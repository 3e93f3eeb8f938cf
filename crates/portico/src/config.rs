//! Configuration: command-line flags and environment over an optional TOML file.
//!
//! Unknown keys in the file are rejected (`deny_unknown_fields`) so that a typo never silently
//! falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:4566";
pub const DEFAULT_REGION: &str = "us-east-1";
pub const SEEDED_ACCESS_KEY: &str = "test";
pub const SEEDED_SECRET_KEY: &str = "test";
pub const SEEDED_ACCOUNT: &str = "000000000000";
/// More worker threads than this is a typo, not a machine.
pub const MAX_WORKERS: usize = 1024;
/// How long a client may take to send a request head (nginx's `client_header_timeout`).
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 60;
/// A longer head timeout is a typo; the cap also keeps `now + timeout` far from overflowing.
pub const MAX_HEADER_READ_TIMEOUT_SECS: u64 = 3600;
/// Open client connections, across all workers (nginx's default `worker_connections`).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
/// More open connections than this is a typo (each one is a file descriptor, or two).
pub const MAX_MAX_CONNECTIONS: usize = 1 << 20;

/// The TOML file, as written by an operator.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// `postgres://…`: keep all state in PostgreSQL (cluster mode) instead of the embedded
    /// SQLite store under `data_dir`.
    pub database_url: Option<String>,
    /// Connections to PostgreSQL a node keeps, at most (default `DEFAULT_DATABASE_POOL_SIZE`),
    /// besides the one that follows other nodes' changes.
    pub database_pool_size: Option<usize>,
    /// PEM certificates of the private CA that signed PostgreSQL's certificate, trusted besides
    /// the web's roots when the connection uses TLS (the URL's `sslmode`).
    pub database_ca_file: Option<PathBuf>,
    pub region: Option<String>,
    #[serde(default)]
    pub credentials: Vec<Credential>,
    /// Accept management calls that carry no signature at all, attributing them to the first
    /// credential's account. Off by default; signatures are always verified when present.
    pub allow_unsigned: Option<bool>,
    /// Worker threads, each with its own single-threaded runtime (default: `default_workers`).
    pub workers: Option<usize>,
    /// Seconds a client may take to send a whole request head, on a new connection and between
    /// the requests of a kept-alive one (default `DEFAULT_HEADER_READ_TIMEOUT_SECS`).
    pub header_read_timeout_secs: Option<u64>,
    /// Open client connections across all workers; more are refused (default
    /// `DEFAULT_MAX_CONNECTIONS`).
    pub max_connections: Option<usize>,
    /// moto/LocalStack compatibility: accept management calls signed with any access key
    /// (loopback only; see `auth`). Off by default.
    pub accept_any_key: Option<bool>,
    /// Load balancers VPC links and private integrations may target: each one's real
    /// addresses, and its listeners.
    #[serde(default)]
    pub load_balancers: Vec<LoadBalancer>,
    /// AWS Cloud Map services HTTP APIs' private integrations may name: their instances.
    #[serde(default)]
    pub cloud_map_services: Vec<CloudMapService>,
    /// A PEM file of CA certificates trusted for `https://` backends, beside webpki-roots
    /// (Mozilla's list): a private CA's backends, or a test's.
    pub backend_ca_file: Option<PathBuf>,
    /// A second address, served over HTTPS (every plane, as on `listen`).
    pub tls_listen: Option<String>,
    /// Certificates custom domains name by ARN (`certificateArn`, `regionalCertificateArn`).
    #[serde(default)]
    pub certificates: Vec<CertificateFile>,
    /// Cognito user pools whose tokens `COGNITO_USER_POOLS` methods accept, with their keys.
    #[serde(default)]
    pub user_pools: Vec<UserPoolFile>,
    /// How Lambda functions run (`[lambda]`).
    #[serde(default)]
    pub lambda: LambdaFile,
    /// Function ARNs the data plane sends to an existing Lambda Invoke endpoint.
    #[serde(default)]
    pub lambda_endpoints: Vec<crate::lambda_endpoints::LambdaEndpointFile>,
    /// Where `AWS` integrations to AWS services go (`[aws_services] endpoint`, `endpoints`).
    pub aws_services: Option<portico_gateway::integrations::aws::AwsServicesConfig>,
    /// Cluster metering: `redis://[user:password@]host[:port][/db]` shared by every node
    /// (also `--redis-url`, `PORTICO_REDIS_URL`). Unset: metering is local to this process.
    pub redis_url: Option<String>,
    /// What every Redis key Portico writes starts with (default `DEFAULT_REDIS_PREFIX`).
    pub redis_prefix: Option<String>,
    /// `fail_open` (the default: serve, with a warning) or `fail_closed` (503) for what needs
    /// Redis while it is unreachable.
    pub redis_unavailable: Option<String>,
    /// `[websocket]`: WebSocket APIs' limits (AWS's quotas by default).
    #[serde(default)]
    pub websocket: WebsocketFile,
}

/// `[websocket]`: each limit of WebSocket connections; AWS's quota when not given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsocketFile {
    /// Largest client message, and PostToConnection's payload (AWS: 131072 bytes).
    pub max_message_bytes: Option<usize>,
    /// Largest frame of a client message (AWS: 32768 bytes).
    pub max_frame_bytes: Option<usize>,
    /// A connection without a client frame for this long is closed (AWS: 600).
    pub idle_timeout_secs: Option<u64>,
    /// A connection is closed this long after it opened (AWS: 7200).
    pub max_connection_secs: Option<u64>,
}

impl WebsocketFile {
    fn resolve(&self) -> Result<portico_gateway::websocket::Limits, ConfigError> {
        let d = portico_gateway::websocket::Limits::default();
        let positive = |name: &str, v: Option<u64>, dflt: u64| match v {
            None => Ok(dflt),
            Some(0) => Err(ConfigError(format!("websocket.{name} must be positive"))),
            Some(n) => Ok(n),
        };
        let max_message = positive(
            "max_message_bytes",
            self.max_message_bytes.map(|n| n as u64),
            d.max_message as u64,
        )? as usize;
        let max_frame = positive(
            "max_frame_bytes",
            self.max_frame_bytes.map(|n| n as u64),
            d.max_frame as u64,
        )? as usize;
        if max_frame > max_message {
            return Err(ConfigError(format!(
                "websocket.max_frame_bytes ({max_frame}) exceeds max_message_bytes ({max_message})"
            )));
        }
        Ok(portico_gateway::websocket::Limits {
            max_message,
            max_frame,
            idle: Duration::from_secs(positive(
                "idle_timeout_secs",
                self.idle_timeout_secs,
                d.idle.as_secs(),
            )?),
            max_lifetime: Duration::from_secs(positive(
                "max_connection_secs",
                self.max_connection_secs,
                d.max_lifetime.as_secs(),
            )?),
        })
    }
}

/// The Redis key prefix, by default.
pub const DEFAULT_REDIS_PREFIX: &str = "portico:";

/// `[lambda]`: how functions run on this machine.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaFile {
    /// Environments (processes) per function version at once; over it, Invoke answers 429
    /// TooManyRequestsException (default `DEFAULT_LAMBDA_CONCURRENCY`).
    pub max_concurrency: Option<usize>,
    /// Seconds an idle environment is kept warm (default `DEFAULT_LAMBDA_IDLE_SECS`).
    pub idle_timeout_secs: Option<u64>,
    /// The interpreter `python3.x` functions run with (default `python3` on PATH).
    pub python: Option<String>,
    /// The interpreter `nodejs*` functions run with (default `node` on PATH).
    pub node: Option<String>,
}

/// Lambda environments per function version, by default.
pub const DEFAULT_LAMBDA_CONCURRENCY: usize = 10;
/// Seconds an idle Lambda environment is kept, by default.
pub const DEFAULT_LAMBDA_IDLE_SECS: u64 = 300;

/// `[lambda]`, resolved.
#[derive(Debug, Clone)]
pub struct LambdaSettings {
    pub max_concurrency: usize,
    pub idle_timeout: Duration,
    pub python: String,
    pub node: String,
}

/// `[[user_pools]] arn = "arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID"`, and either
/// `jwks_file = "jwks.json"` (the pool's `/.well-known/jwks.json`, read at start) or
/// `jwks_url = "https://…/.well-known/jwks.json"` (fetched when a token names a key the pool
/// does not hold, at most once per `jwks_refresh_secs`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPoolFile {
    pub arn: String,
    pub jwks_file: Option<PathBuf>,
    pub jwks_url: Option<String>,
    /// The shortest time between two fetches of `jwks_url` (default
    /// `DEFAULT_JWKS_REFRESH_SECS`).
    pub jwks_refresh_secs: Option<u64>,
}

/// Seconds between two fetches of a user pool's `jwks_url`, at least, by default.
pub const DEFAULT_JWKS_REFRESH_SECS: u64 = 60;

/// A user pool's keys, as the config gives them.
#[derive(Debug, Clone)]
pub enum UserPoolKeys {
    /// A JWKS document read from `jwks_file` (and checked) at start.
    Jwks(serde_json::Value),
    /// Fetched from `jwks_url`, at most once per `refresh`.
    Url { url: String, refresh: Duration },
}

/// `[[certificates]] arn = "arn:aws:acm:…:certificate/ID"`, `cert_file = "chain.pem"` (leaf
/// first), `key_file = "key.pem"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateFile {
    pub arn: String,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// `[[load_balancers]] arn = "arn:aws:elasticloadbalancing:…:loadbalancer/{net|app}/NAME/ID"`,
/// `targets = ["127.0.0.1:8081", …]`, and optionally its listeners (`[[load_balancers.listeners]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub arn: String,
    /// Where the balancer sends; a balancer whose listeners all have their own may omit it.
    #[serde(default)]
    pub targets: Vec<String>,
    /// When listed, the only listeners the balancer has; when not, any listener ARN under the
    /// balancer is taken (plain HTTP through it; what Portico did before listeners).
    #[serde(default)]
    pub listeners: Vec<ListenerFile>,
}

/// `arn = "arn:aws:elasticloadbalancing:…:listener/{net|app}/NAME/ID/LISTENER"`,
/// `protocol` (`HTTP`/`HTTPS` for an ALB, default HTTP; `TCP`/`TLS` for an NLB, default TCP),
/// and `targets` of its own (default: the balancer's).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerFile {
    pub arn: String,
    pub protocol: Option<String>,
    pub targets: Option<Vec<String>>,
}

/// `[[cloud_map_services]] arn = "arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-ID"`,
/// `instances = [{ ipv4 = "127.0.0.1", port = 8081, attributes = { stage = "prod" } }, …]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudMapService {
    pub arn: String,
    #[serde(default)]
    pub instances: Vec<CloudMapInstanceFile>,
}

/// An instance as Cloud Map registers it: `AWS_INSTANCE_IPV4`, `AWS_INSTANCE_PORT`, and custom
/// attributes (what an integration URI's `?name=value` filters on).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloudMapInstanceFile {
    pub ipv4: std::net::Ipv4Addr,
    pub port: u16,
    #[serde(default)]
    pub attributes: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    pub access_key: String,
    pub secret_key: String,
    pub account_id: String,
}

/// The resolved configuration the server runs with.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Where state lives when not in `data_dir` (see [`FileConfig::database_url`]); checked.
    pub database_url: Option<String>,
    /// How the PostgreSQL store connects (pool size, a private CA), checked.
    pub database: DatabaseOptions,
    pub region: String,
    pub credentials: Vec<Credential>,
    /// True when no credentials were configured and the well-known `test`/`test` key was seeded.
    pub seeded_credentials: bool,
    pub allow_unsigned: bool,
    pub workers: usize,
    pub header_read_timeout: Duration,
    pub max_connections: usize,
    /// Unknown access keys are accepted without verifying their signature (see `auth`).
    pub accept_any_key: bool,
    /// The load balancers VPC links and private integrations may target, checked (see
    /// [`check_load_balancers`]).
    pub load_balancers: Vec<LoadBalancer>,
    /// The Cloud Map services private integrations may name, checked.
    pub cloud_map_services: Vec<CloudMapService>,
    /// The user pools' keys (a JWKS document, checked, or the URL to fetch it from), by ARN
    /// (see [`read_user_pools`]).
    pub user_pools: Vec<(String, UserPoolKeys)>,
    /// Where HTTPS is served (`--tls-listen`), if anywhere.
    pub tls_listen: Option<SocketAddr>,
    pub certificates: Vec<CertificateFile>,
    /// The certificates of `backend_ca_file`, trusted for `https://` backends.
    pub backend_roots: Vec<portico_gateway::integrations::tls::CertificateDer<'static>>,
    /// How Lambda functions run.
    pub lambda: LambdaSettings,
    /// `[[lambda_endpoints]]`, checked.
    pub lambda_endpoints: Vec<crate::lambda_endpoints::LambdaEndpoint>,
    /// `[aws_services]`, checked.
    pub aws_services: Option<portico_gateway::integrations::aws::AwsServices>,
    /// Cluster metering through Redis (`redis_url`), if set.
    pub redis: Option<portico_gateway::metering::cluster::ClusterConfig>,
    /// `[websocket]`, checked.
    pub websocket: portico_gateway::websocket::Limits,
}

#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for ConfigError {}

/// `redis_url`, `redis_prefix`, `redis_unavailable`, checked.
fn redis_config(
    url: Option<String>,
    prefix: Option<String>,
    unavailable: Option<String>,
) -> Result<Option<portico_gateway::metering::cluster::ClusterConfig>, ConfigError> {
    use portico_gateway::metering::cluster::{ClusterConfig, Unavailable};
    let unavailable = match unavailable.as_deref() {
        None => Unavailable::FailOpen,
        Some(s) => Unavailable::parse(s).ok_or_else(|| {
            ConfigError(format!(
                "redis_unavailable = {s:?}: must be \"fail_open\" or \"fail_closed\""
            ))
        })?,
    };
    let Some(url) = url.filter(|u| !u.is_empty()) else {
        if prefix.is_some() {
            return Err(ConfigError(
                "redis_prefix is set but redis_url is not".into(),
            ));
        }
        return Ok(None);
    };
    if !(url.starts_with("redis://")
        || url.starts_with("redis+unix://")
        || url.starts_with("unix://"))
    {
        return Err(ConfigError(format!(
            "redis_url {url:?}: must start with redis:// (or redis+unix://)"
        )));
    }
    Ok(Some(ClusterConfig {
        url,
        prefix: prefix.unwrap_or_else(|| DEFAULT_REDIS_PREFIX.to_string()),
        unavailable,
    }))
}

/// A database URL must name PostgreSQL: anything else is a typo that would otherwise surface
/// as a connection error far from its cause.
/// Pooled PostgreSQL connections per node, unless `database_pool_size` says otherwise.
pub const DEFAULT_DATABASE_POOL_SIZE: usize = 10;
/// More than this is a typo: PostgreSQL's own default `max_connections` is 100 for the cluster.
pub const MAX_DATABASE_POOL_SIZE: usize = 1000;

/// The PostgreSQL store's connection settings.
#[derive(Debug, Clone, Default)]
pub struct DatabaseOptions {
    pub pool_size: usize,
    /// The contents of `database_ca_file`, read at start.
    pub ca_pem: Option<Vec<u8>>,
}

/// `database_pool_size` and `database_ca_file`, checked (the file is read now: a missing one
/// stops the start, not the first connection).
pub fn database_options(
    pool_size: Option<usize>,
    ca_file: Option<&std::path::Path>,
) -> Result<DatabaseOptions, ConfigError> {
    let pool_size = pool_size.unwrap_or(DEFAULT_DATABASE_POOL_SIZE);
    if !(1..=MAX_DATABASE_POOL_SIZE).contains(&pool_size) {
        return Err(ConfigError(format!(
            "database_pool_size must be between 1 and {MAX_DATABASE_POOL_SIZE}, not {pool_size}"
        )));
    }
    let ca_pem = ca_file
        .map(|f| {
            std::fs::read(f)
                .map_err(|e| ConfigError(format!("database_ca_file {}: {e}", f.display())))
        })
        .transpose()?;
    Ok(DatabaseOptions { pool_size, ca_pem })
}

pub fn check_database_url(url: Option<String>) -> Result<Option<String>, ConfigError> {
    match url {
        None => Ok(None),
        Some(u) if u.trim().is_empty() => Ok(None),
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => Ok(Some(u)),
        Some(u) => Err(ConfigError(format!(
            "database_url must be a postgres:// URL (SQLite, the default, needs none), not {:?}",
            u.split('@').next_back().unwrap_or("")
        ))),
    }
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read config {}: {e}", path.display())))?;
        Self::parse(&text).map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))
    }

    pub fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError(format!("invalid config: {e}")))
    }
}

impl Config {
    /// Merge flags (already holding env values, via clap) over the file, then defaults.
    pub fn resolve(
        file: FileConfig,
        listen: Option<String>,
        data_dir: Option<PathBuf>,
        region: Option<String>,
    ) -> Result<Config, ConfigError> {
        Self::resolve_with_tls(file, listen, None, data_dir, region)
    }

    /// [`Config::resolve`], with `--tls-listen`.
    pub fn resolve_with_tls(
        file: FileConfig,
        listen: Option<String>,
        tls_listen: Option<String>,
        data_dir: Option<PathBuf>,
        region: Option<String>,
    ) -> Result<Config, ConfigError> {
        let tls_listen = match tls_listen.or(file.tls_listen) {
            None => None,
            Some(t) => Some(
                t.parse::<SocketAddr>()
                    .map_err(|e| ConfigError(format!("invalid tls_listen address {t:?}: {e}")))?,
            ),
        };
        let mut arns = std::collections::HashSet::new();
        for c in &file.certificates {
            if !arns.insert(c.arn.as_str()) {
                return Err(ConfigError(format!(
                    "certificates: {:?} is listed twice",
                    c.arn
                )));
            }
        }
        let listen_text = listen
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_text
            .parse()
            .map_err(|e| ConfigError(format!("invalid listen address {listen_text:?}: {e}")))?;
        let mut credentials = file.credentials;
        for c in &credentials {
            if c.account_id.len() != 12 || !c.account_id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ConfigError(format!(
                    "account_id {:?} of access key {:?} must be 12 digits",
                    c.account_id, c.access_key
                )));
            }
        }
        let workers = match file.workers {
            Some(n) if (1..=MAX_WORKERS).contains(&n) => n,
            Some(n) => {
                return Err(ConfigError(format!(
                    "workers = {n}: must be between 1 and {MAX_WORKERS}"
                )))
            }
            None => default_workers(std::thread::available_parallelism().map_or(1, |n| n.get())),
        };
        let header_read_timeout_secs = in_range(
            "header_read_timeout_secs",
            file.header_read_timeout_secs,
            DEFAULT_HEADER_READ_TIMEOUT_SECS,
            MAX_HEADER_READ_TIMEOUT_SECS,
        )?;
        let max_connections = in_range(
            "max_connections",
            file.max_connections,
            DEFAULT_MAX_CONNECTIONS,
            MAX_MAX_CONNECTIONS,
        )?;
        let redis = redis_config(file.redis_url, file.redis_prefix, file.redis_unavailable)?;
        let seeded_credentials = credentials.is_empty();
        if seeded_credentials {
            credentials.push(Credential {
                access_key: SEEDED_ACCESS_KEY.into(),
                secret_key: SEEDED_SECRET_KEY.into(),
                account_id: SEEDED_ACCOUNT.into(),
            });
        }
        let config = Config {
            redis,
            listen,
            database_url: check_database_url(file.database_url)?,
            database: database_options(file.database_pool_size, file.database_ca_file.as_deref())?,
            data_dir: data_dir
                .or(file.data_dir)
                .unwrap_or_else(|| PathBuf::from("./portico-data")),
            region: region
                .or(file.region)
                .unwrap_or_else(|| DEFAULT_REGION.to_string()),
            credentials,
            seeded_credentials,
            allow_unsigned: file.allow_unsigned.unwrap_or(false),
            workers,
            header_read_timeout: Duration::from_secs(header_read_timeout_secs),
            max_connections,
            accept_any_key: file.accept_any_key.unwrap_or(false),
            load_balancers: check_load_balancers(file.load_balancers)?,
            cloud_map_services: check_cloud_map_services(file.cloud_map_services)?,
            tls_listen,
            certificates: file.certificates,
            user_pools: read_user_pools(&file.user_pools)?,
            lambda_endpoints: crate::lambda_endpoints::check(file.lambda_endpoints)?,
            websocket: file.websocket.resolve()?,
            aws_services: file
                .aws_services
                .as_ref()
                .map(portico_gateway::integrations::aws::AwsServices::new)
                .transpose()
                .map_err(ConfigError)?,
            backend_roots: match &file.backend_ca_file {
                None => Vec::new(),
                Some(path) => read_roots(path)?,
            },
            lambda: LambdaSettings {
                max_concurrency: match file.lambda.max_concurrency {
                    None => DEFAULT_LAMBDA_CONCURRENCY,
                    Some(n) if (1..=1000).contains(&n) => n,
                    Some(n) => {
                        return Err(ConfigError(format!(
                            "lambda.max_concurrency must be between 1 and 1000, not {n}"
                        )))
                    }
                },
                idle_timeout: match file.lambda.idle_timeout_secs {
                    None => Duration::from_secs(DEFAULT_LAMBDA_IDLE_SECS),
                    Some(n) if (1..=86_400).contains(&n) => Duration::from_secs(n),
                    Some(n) => {
                        return Err(ConfigError(format!(
                            "lambda.idle_timeout_secs must be between 1 and 86400, not {n}"
                        )))
                    }
                },
                python: file.lambda.python.unwrap_or_else(|| "python3".into()),
                node: file.lambda.node.unwrap_or_else(|| "node".into()),
            },
        };
        config.check_network_safety()?;
        Ok(config)
    }

    /// What would hand the gateway to anyone on the network stays on loopback: the seeded
    /// `test`/`test` key is public knowledge, and `accept_any_key` lets in whoever signs with any
    /// key at all.
    fn check_network_safety(&self) -> Result<(), ConfigError> {
        for addr in std::iter::once(self.listen).chain(self.tls_listen) {
            if self.accept_any_key && !addr.ip().is_loopback() {
                return Err(ConfigError(format!(
                    "refusing to listen on non-loopback address {addr} with accept_any_key = true: it lets \
                     anyone who can reach the port in with any access key; listen on 127.0.0.1 or ::1",
                )));
            }
            if self.seeded_credentials && !addr.ip().is_loopback() {
                return Err(ConfigError(format!(
                    "refusing to listen on non-loopback address {addr} with only the seeded test/test credentials; \
                     configure [[credentials]] in a --config file",
                )));
            }
        }
        Ok(())
    }
}

/// Each user pool's JWKS file read and checked (RSA keys with ids) at start; a `jwks_url`
/// checked to be an http(s) URL (it is fetched when first needed).
fn read_user_pools(list: &[UserPoolFile]) -> Result<Vec<(String, UserPoolKeys)>, ConfigError> {
    let mut out: Vec<(String, UserPoolKeys)> = Vec::new();
    for p in list {
        let err = |m: String| ConfigError(format!("user_pools: {}: {m}", p.arn));
        if out.iter().any(|(a, _)| *a == p.arn) {
            return Err(err("listed twice".into()));
        }
        let keys = match (&p.jwks_file, &p.jwks_url) {
            (Some(path), None) => {
                if p.jwks_refresh_secs.is_some() {
                    return Err(err("jwks_refresh_secs goes with jwks_url".into()));
                }
                let text = std::fs::read_to_string(path)
                    .map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
                let jwks: serde_json::Value = serde_json::from_str(&text)
                    .map_err(|e| err(format!("{} is not JSON: {e}", path.display())))?;
                portico_gateway::cognito::UserPools::default()
                    .add(&p.arn, &jwks)
                    .map_err(err)?;
                UserPoolKeys::Jwks(jwks)
            }
            (None, Some(url)) => {
                let refresh = match p.jwks_refresh_secs {
                    None => Duration::from_secs(DEFAULT_JWKS_REFRESH_SECS),
                    Some(n @ 1..=86400) => Duration::from_secs(n),
                    Some(n) => {
                        return Err(err(format!(
                            "jwks_refresh_secs must be between 1 and 86400, not {n}"
                        )))
                    }
                };
                portico_gateway::cognito::UserPools::default()
                    .add_url(&p.arn, url, refresh)
                    .map_err(err)?;
                UserPoolKeys::Url {
                    url: url.clone(),
                    refresh,
                }
            }
            _ => return Err(err("give exactly one of jwks_file and jwks_url".into())),
        };
        out.push((p.arn.clone(), keys));
    }
    Ok(out)
}

/// A limit from the file: `default` when absent, else within `1..=max`.
/// Each entry names a network load balancer by its ARN, once, with at least one `host:port`.
/// `backend_ca_file`'s certificates; an error names the file.
fn read_roots(
    path: &Path,
) -> Result<Vec<portico_gateway::integrations::tls::CertificateDer<'static>>, ConfigError> {
    let pem = std::fs::read(path)
        .map_err(|e| ConfigError(format!("backend_ca_file {}: {e}", path.display())))?;
    portico_gateway::integrations::tls::parse_roots(&pem)
        .map_err(|e| ConfigError(format!("backend_ca_file {}: {e}", path.display())))
}

fn check_load_balancers(list: Vec<LoadBalancer>) -> Result<Vec<LoadBalancer>, ConfigError> {
    use portico_model::balancers::{balancer_kind, listener_balancer, ListenerProtocol};
    let err = |m: String| Err(ConfigError(format!("load_balancers: {m}")));
    let mut listeners: Vec<&str> = Vec::new();
    for (i, lb) in list.iter().enumerate() {
        let Some(kind) = balancer_kind(&lb.arn) else {
            return err(format!(
                "{:?} is not a load balancer ARN \
                 (arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/net/NAME/ID, or /app/ \
                 for an application load balancer)",
                lb.arn
            ));
        };
        if list[..i].iter().any(|o| o.arn == lb.arn) {
            return err(format!("{:?} is listed twice", lb.arn));
        }
        if lb.targets.is_empty()
            && (lb.listeners.is_empty() || lb.listeners.iter().any(|l| l.targets.is_none()))
        {
            return err(format!(
                "{:?} has no targets (of its own, or of each of its listeners)",
                lb.arn
            ));
        }
        check_targets(&lb.arn, &lb.targets)?;
        for l in &lb.listeners {
            if listener_balancer(&l.arn).as_deref() != Some(lb.arn.as_str()) {
                return err(format!(
                    "listener {:?} is not a listener of {:?} \
                     (arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/{kind}/NAME/ID/LISTENER)",
                    l.arn, lb.arn
                ));
            }
            if listeners.contains(&l.arn.as_str()) {
                return err(format!("listener {:?} is listed twice", l.arn));
            }
            listeners.push(&l.arn);
            if let Some(p) = &l.protocol {
                if ListenerProtocol::parse(kind, p).is_none() {
                    let allowed = if kind == "app" {
                        "HTTP or HTTPS"
                    } else {
                        "TCP or TLS"
                    };
                    return err(format!(
                        "listener {:?} has protocol {p:?}; a listener of this balancer is {allowed}",
                        l.arn
                    ));
                }
            }
            match &l.targets {
                Some(t) if t.is_empty() => {
                    return err(format!("listener {:?} has no targets", l.arn))
                }
                Some(t) => check_targets(&l.arn, t)?,
                None => {}
            }
        }
    }
    Ok(list)
}

fn check_targets(of: &str, targets: &[String]) -> Result<(), ConfigError> {
    for t in targets {
        let port = t
            .rsplit_once(':')
            .map(|(host, port)| (host, port.parse::<u16>()));
        if !matches!(port, Some((host, Ok(p))) if !host.is_empty() && p != 0) {
            return Err(ConfigError(format!(
                "load_balancers: target {t:?} of {of:?} must be host:port"
            )));
        }
    }
    Ok(())
}

fn check_cloud_map_services(
    list: Vec<CloudMapService>,
) -> Result<Vec<CloudMapService>, ConfigError> {
    let err = |m: String| Err(ConfigError(format!("cloud_map_services: {m}")));
    for (i, s) in list.iter().enumerate() {
        if !portico_model::balancers::is_cloud_map_service_arn(&s.arn) || s.arn.contains('?') {
            return err(format!(
                "{:?} is not a Cloud Map service ARN \
                 (arn:aws:servicediscovery:REGION:ACCOUNT:service/srv-ID)",
                s.arn
            ));
        }
        if list[..i].iter().any(|o| o.arn == s.arn) {
            return err(format!("{:?} is listed twice", s.arn));
        }
        for inst in &s.instances {
            if inst.port == 0 {
                return err(format!("an instance of {:?} has port 0", s.arn));
            }
            if let Some(k) = inst
                .attributes
                .keys()
                .find(|k| k.starts_with("AWS_INSTANCE_"))
            {
                return err(format!(
                    "attribute {k:?} of an instance of {:?}: AWS_INSTANCE_IPV4 and AWS_INSTANCE_PORT \
                     come from ipv4 and port",
                    s.arn
                ));
            }
        }
    }
    Ok(list)
}

impl Config {
    /// What VPC links and private integrations send to, for both planes.
    pub fn balancers(&self) -> portico_model::LoadBalancers {
        use portico_model::balancers::{balancer_kind, CloudMapInstance, ListenerProtocol};
        let mut b = portico_model::LoadBalancers::new(
            self.load_balancers
                .iter()
                .map(|lb| (lb.arn.clone(), lb.targets.clone())),
        );
        for lb in &self.load_balancers {
            let kind = balancer_kind(&lb.arn).unwrap_or("net");
            for l in &lb.listeners {
                // Checked when the file was read.
                let protocol = l
                    .protocol
                    .as_deref()
                    .and_then(|p| ListenerProtocol::parse(kind, p))
                    .unwrap_or_else(|| ListenerProtocol::default_for(kind));
                b = b.with_listener(&lb.arn, &l.arn, protocol, l.targets.clone());
            }
        }
        b = b.with_listener_targets_as_fallback();
        for s in &self.cloud_map_services {
            let instances = s
                .instances
                .iter()
                .map(|i| CloudMapInstance::new(&i.ipv4.to_string(), i.port, i.attributes.clone()))
                .collect();
            b = b.with_service(&s.arn, instances);
        }
        b
    }
}

fn in_range<T>(key: &str, value: Option<T>, default: T, max: T) -> Result<T, ConfigError>
where
    T: PartialOrd + From<u8> + std::fmt::Display,
{
    match value {
        None => Ok(default),
        Some(n) if n >= T::from(1) && n <= max => Ok(n),
        Some(n) => Err(ConfigError(format!(
            "{key} = {n}: must be between 1 and {max}"
        ))),
    }
}

/// Workers when the config names none: half the CPUs, at least one. Portico mostly runs beside
/// the clients and backends it serves (a laptop, a CI runner), and a worker per CPU then
/// competes with them for every core: on two cores, one worker proxied ~8% more requests per
/// second than two, and a MOCK method ~35% more (bench/HISTORY.md, 2026-11-29 evening). A host
/// that runs Portico alone sets `workers` to its CPU count.
pub fn default_workers(cpus: usize) -> usize {
    (cpus / 2).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn websocket_limits_default_to_aws_quotas_and_are_checked() {
        let c = Config::resolve(FileConfig::default(), None, None, None).unwrap();
        assert_eq!(c.websocket, portico_gateway::websocket::Limits::default());
        assert_eq!(c.websocket.max_message, 131_072);
        let file =
            FileConfig::parse("[websocket]\nidle_timeout_secs = 5\nmax_frame_bytes = 1024\n")
                .unwrap();
        let c = Config::resolve(file, None, None, None).unwrap();
        assert_eq!(c.websocket.idle, Duration::from_secs(5));
        assert_eq!(c.websocket.max_frame, 1024);
        for bad in [
            "[websocket]\nidle_timeout_secs = 0\n",
            "[websocket]\nmax_frame_bytes = 200000\n",
            "[websocket]\nmax_messages = 1\n",
        ] {
            let parsed = FileConfig::parse(bad);
            assert!(
                parsed.is_err() || Config::resolve(parsed.unwrap(), None, None, None).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let err = FileConfig::parse("listen = \"127.0.0.1:1\"\nlisten_port = 3\n").unwrap_err();
        assert!(err.0.contains("listen_port"), "{}", err.0);
    }

    #[test]
    fn seeded_key_refuses_non_loopback() {
        let err = Config::resolve(
            FileConfig::default(),
            Some("0.0.0.0:4566".into()),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.0.contains("refusing"), "{}", err.0);
        let ok = Config::resolve(
            FileConfig::default(),
            Some("127.0.0.1:0".into()),
            None,
            None,
        )
        .unwrap();
        assert!(ok.seeded_credentials);
        assert_eq!(ok.credentials[0].account_id, SEEDED_ACCOUNT);
    }

    #[test]
    fn configured_keys_may_listen_anywhere() {
        let file = FileConfig::parse(
            "[[credentials]]\naccess_key = \"AKIA1\"\nsecret_key = \"s\"\naccount_id = \"111111111111\"\n",
        )
        .unwrap();
        let c = Config::resolve(file, Some("0.0.0.0:4566".into()), None, None).unwrap();
        assert!(!c.seeded_credentials);
        assert_eq!(c.credentials.len(), 1);
    }

    #[test]
    fn database_url_names_postgresql_or_nothing() {
        let file =
            FileConfig::parse("database_url = \"postgres://u:pw@db:5432/portico\"\n").unwrap();
        let c = Config::resolve(file, None, None, None).unwrap();
        assert_eq!(
            c.database_url.as_deref(),
            Some("postgres://u:pw@db:5432/portico")
        );
        assert_eq!(
            Config::resolve(FileConfig::default(), None, None, None)
                .unwrap()
                .database_url,
            None,
            "SQLite stays the default"
        );
        let file = FileConfig::parse("database_url = \"mysql://u:secret@db/x\"\n").unwrap();
        let err = Config::resolve(file, None, None, None).unwrap_err();
        assert!(err.0.contains("postgres://"), "{}", err.0);
        assert!(
            !err.0.contains("secret"),
            "the message never shows a password: {}",
            err.0
        );
    }

    #[test]
    fn account_ids_are_twelve_digits() {
        let file = FileConfig::parse(
            "[[credentials]]\naccess_key = \"AKIA1\"\nsecret_key = \"s\"\naccount_id = \"12\"\n",
        )
        .unwrap();
        assert!(Config::resolve(file, None, None, None).is_err());
    }

    #[test]
    fn workers_default_to_half_the_cpus_and_must_be_positive() {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let c = Config::resolve(FileConfig::default(), None, None, None).unwrap();
        assert_eq!(c.workers, (cpus / 2).max(1));
        assert_eq!(
            [1, 2, 3, 8].map(default_workers),
            [1, 1, 1, 4],
            "CPUs to default workers"
        );
        let two = Config::resolve(FileConfig::parse("workers = 2").unwrap(), None, None, None);
        assert_eq!(two.unwrap().workers, 2);
        let err = Config::resolve(FileConfig::parse("workers = 0").unwrap(), None, None, None)
            .unwrap_err();
        assert!(err.0.contains("workers = 0"), "{}", err.0);
    }

    fn resolve(text: &str) -> Result<Config, ConfigError> {
        Config::resolve(FileConfig::parse(text)?, None, None, None)
    }

    #[test]
    fn server_limits_default_like_nginx() {
        let c = resolve("").unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(60));
        assert_eq!(c.max_connections, 1024);
        assert!(!c.accept_any_key);
    }

    #[test]
    fn server_limits_are_read_from_the_file() {
        let c = resolve("header_read_timeout_secs = 2\nmax_connections = 4\n").unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(2));
        assert_eq!(c.max_connections, 4);
        let c = resolve("header_read_timeout_secs = 3600\nmax_connections = 1048576\n").unwrap();
        assert_eq!(c.header_read_timeout, Duration::from_secs(3600));
        assert_eq!(c.max_connections, 1 << 20);
    }

    #[test]
    fn server_limits_must_be_positive_and_bounded() {
        for (text, says) in [
            (
                "header_read_timeout_secs = 0",
                "header_read_timeout_secs = 0: must be between 1 and 3600",
            ),
            (
                "header_read_timeout_secs = 3601",
                "header_read_timeout_secs = 3601: must be between 1 and 3600",
            ),
            (
                "max_connections = 0",
                "max_connections = 0: must be between 1 and 1048576",
            ),
            (
                "max_connections = 1048577",
                "max_connections = 1048577: must be between 1 and 1048576",
            ),
        ] {
            assert_eq!(resolve(text).unwrap_err().0, says);
        }
        // Negative numbers and other types are refused by the parser, naming the key.
        for text in [
            "max_connections = -1",
            "header_read_timeout_secs = \"60\"",
            "header_read_timeout_secs = 1.5",
        ] {
            let err = FileConfig::parse(text).unwrap_err();
            assert!(
                err.0.contains(text.split(' ').next().unwrap()),
                "{text}: {}",
                err.0
            );
        }
        // Near-misses of the new keys are unknown keys, not defaults.
        for text in [
            "header_read_timeout = 2",
            "max_connection = 4",
            "accept_any_keys = true",
        ] {
            let err = FileConfig::parse(text).unwrap_err();
            assert!(err.0.contains("unknown field"), "{text}: {}", err.0);
        }
    }

    #[test]
    fn redis_settings_are_read_and_checked() {
        use portico_gateway::metering::cluster::Unavailable;
        let resolve = |text: &str| {
            Config::resolve(FileConfig::parse(text).unwrap(), None, None, None).map(|c| c.redis)
        };
        assert!(resolve("").unwrap().is_none(), "local metering by default");
        let r = resolve("redis_url = \"redis://127.0.0.1:6379/2\"")
            .unwrap()
            .unwrap();
        assert_eq!(r.url, "redis://127.0.0.1:6379/2");
        assert_eq!(r.prefix, DEFAULT_REDIS_PREFIX);
        assert_eq!(r.unavailable, Unavailable::FailOpen);
        let r = resolve(
            "redis_url = \"redis://h\"\nredis_prefix = \"a:\"\nredis_unavailable = \"fail_closed\"",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (r.prefix.as_str(), r.unavailable),
            ("a:", Unavailable::FailClosed)
        );
        for (text, why) in [
            ("redis_url = \"http://h\"", "must start with redis://"),
            (
                "redis_url = \"redis://h\"\nredis_unavailable = \"open\"",
                "fail_open",
            ),
            ("redis_prefix = \"a:\"", "redis_url is not"),
        ] {
            let err = resolve(text).unwrap_err();
            assert!(err.0.contains(why), "{text}: {}", err.0);
        }
    }

    #[test]
    fn load_balancers_are_read_and_checked() {
        let arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1";
        let c = resolve(&format!(
            "[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"127.0.0.1:8081\", \"backend:80\"]\n"
        ))
        .unwrap();
        assert_eq!(c.load_balancers[0].arn, arn);
        assert_eq!(
            c.load_balancers[0].targets,
            ["127.0.0.1:8081", "backend:80"]
        );
        for bad in [
            format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = []\n"),
            format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"127.0.0.1\"]\n"),
            "[[load_balancers]]\narn = \"nope\"\ntargets = [\"a:1\"]\n".to_string(),
            format!("[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:1\"]\nport = 1\n"),
            format!(
                "[[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:1\"]\n\
                 [[load_balancers]]\narn = \"{arn}\"\ntargets = [\"a:2\"]\n"
            ),
        ] {
            assert!(resolve(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listeners_and_cloud_map_services_are_read_and_checked() {
        let alb = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/1";
        let l443 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/443";
        let l80 = "arn:aws:elasticloadbalancing:us-east-1:000000000000:listener/app/web/1/80";
        let srv = "arn:aws:servicediscovery:us-east-1:000000000000:service/srv-1";
        let c = resolve(&format!(
            "[[load_balancers]]\narn = \"{alb}\"\n\
             [[load_balancers.listeners]]\narn = \"{l443}\"\nprotocol = \"HTTPS\"\ntargets = [\"127.0.0.1:8443\"]\n\
             [[load_balancers.listeners]]\narn = \"{l80}\"\ntargets = [\"127.0.0.1:8080\"]\n\
             [[cloud_map_services]]\narn = \"{srv}\"\n\
             instances = [{{ ipv4 = \"127.0.0.1\", port = 9001, attributes = {{ stage = \"prod\" }} }},\n\
                          {{ ipv4 = \"127.0.0.2\", port = 9002 }}]\n"
        ))
        .unwrap();
        let b = c.balancers();
        let https = b.resolve(l443).unwrap();
        assert_eq!(https.addresses, ["127.0.0.1:8443"]);
        assert_eq!(https.protocol.unwrap().as_str(), "HTTPS");
        assert_eq!(b.resolve(l80).unwrap().protocol.unwrap().as_str(), "HTTP");
        // An ALB without targets of its own has its listeners' (sorted by ARN).
        assert_eq!(b.get(alb).unwrap(), ["127.0.0.1:8443", "127.0.0.1:8080"]);
        assert_eq!(
            b.resolve(&format!("{srv}?stage=prod")).unwrap().addresses,
            ["127.0.0.1:9001"]
        );
        let lb = |extra: &str| format!("[[load_balancers]]\narn = \"{alb}\"\n{extra}");
        let srv_with =
            |inst: &str| format!("[[cloud_map_services]]\narn = \"{srv}\"\ninstances = [{inst}]\n");
        for bad in [
            // a listener without targets, on a balancer without any
            lb(&format!("[[load_balancers.listeners]]\narn = \"{l80}\"\n")),
            lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\nprotocol = \"TCP\"\n")),
            lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{}\"\n", l80.replace("/web/", "/x/"))),
            lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\nport = 80\n")),
            lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\ntargets = [\"nope\"]\n")),
            lb(&format!("targets = [\"a:1\"]\n[[load_balancers.listeners]]\narn = \"{l80}\"\n[[load_balancers.listeners]]\narn = \"{l80}\"\n")),
            "[[cloud_map_services]]\narn = \"arn:aws:servicediscovery:us-east-1:0:namespace/ns-1\"\n".into(),
            srv_with("{ ipv4 = \"localhost\", port = 1 }"),
            srv_with("{ ipv4 = \"127.0.0.1\", port = 0 }"),
            srv_with("{ ipv4 = \"127.0.0.1\" }"),
            srv_with("{ ipv4 = \"127.0.0.1\", port = 1, weight = 2 }"),
            srv_with("{ ipv4 = \"127.0.0.1\", port = 1, attributes = { AWS_INSTANCE_PORT = \"2\" } }"),
            format!("{}{}", srv_with(""), srv_with("")),
        ] {
            assert!(resolve(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accept_any_key_is_loopback_only() {
        let file = || FileConfig::parse("accept_any_key = true").unwrap();
        for listen in ["127.0.0.1:4566", "[::1]:4566", "127.0.0.2:0"] {
            let c = Config::resolve(file(), Some(listen.into()), None, None).unwrap();
            assert!(c.accept_any_key, "{listen}");
        }
        // Even with configured keys, which would otherwise allow any address.
        let keyed = "accept_any_key = true\n[[credentials]]\naccess_key = \"AKIA1\"\n\
                     secret_key = \"s\"\naccount_id = \"111111111111\"\n";
        for (file, listen) in [
            (file(), "0.0.0.0:4566"),
            (FileConfig::parse(keyed).unwrap(), "0.0.0.0:4566"),
            (FileConfig::parse(keyed).unwrap(), "[::]:4566"),
            (FileConfig::parse(keyed).unwrap(), "10.0.0.1:4566"),
        ] {
            let err = Config::resolve(file, Some(listen.into()), None, None).unwrap_err();
            assert!(err.0.contains("accept_any_key"), "{listen}: {}", err.0);
        }
        assert!(!resolve("accept_any_key = false").unwrap().accept_any_key);
    }

    #[test]
    fn tls_listen_and_certificates_are_read_and_checked() {
        let cert = "[[certificates]]\narn = \"arn:aws:acm:us-east-1:1:certificate/a\"\n\
                    cert_file = \"c.pem\"\nkey_file = \"k.pem\"\n";
        let c = resolve(&format!("tls_listen = \"127.0.0.1:4567\"\n{cert}")).unwrap();
        assert_eq!(c.tls_listen, Some("127.0.0.1:4567".parse().unwrap()));
        assert_eq!(c.certificates.len(), 1);
        assert!(resolve(&format!("{cert}{cert}")).is_err());
        assert!(resolve("tls_listen = \"nowhere\"").is_err());
        assert!(resolve(&format!("{cert}certificate_file = \"x\"")).is_err());
        // The seeded key stays on loopback on the HTTPS listener too.
        let err = Config::resolve_with_tls(
            FileConfig::default(),
            None,
            Some("0.0.0.0:4567".into()),
            None,
            None,
        )
        .unwrap_err();
        assert!(err.0.contains("0.0.0.0:4567"), "{}", err.0);
    }

    #[test]
    fn backend_ca_file_must_be_readable_pem_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let not_pem = dir.path().join("not.pem");
        std::fs::write(&not_pem, "hello\n").unwrap();
        for (path, says) in [(&missing, "No such file"), (&not_pem, "no PEM certificate")] {
            let err = resolve(&format!(
                "backend_ca_file = {:?}",
                path.display().to_string()
            ))
            .unwrap_err();
            assert!(
                err.0.starts_with("backend_ca_file ") && err.0.contains(says),
                "{}",
                err.0
            );
        }
        assert!(resolve("").unwrap().backend_roots.is_empty());
    }
}
