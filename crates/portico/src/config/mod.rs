//! Configuration: command-line flags and environment over an optional TOML file.
//!
//! Unknown keys in the file are rejected (`deny_unknown_fields`) so that a typo never silently
//! falls back to a default.
//!
//! This module holds the file and the resolved [`Config`]; each section's keys and checks live
//! in a submodule of their own, re-exported here.

mod cluster;
mod identity;
mod lambda;
mod network;
#[cfg(test)]
mod tests;
mod websocket;

pub use cluster::{
    check_database_url, database_options, DatabaseOptions, DEFAULT_DATABASE_POOL_SIZE,
    DEFAULT_REDIS_PREFIX, MAX_DATABASE_POOL_SIZE,
};
pub use identity::{Credential, UserPoolFile, UserPoolKeys, DEFAULT_JWKS_REFRESH_SECS};
pub use lambda::{
    LambdaFile, LambdaSettings, DEFAULT_LAMBDA_CONCURRENCY, DEFAULT_LAMBDA_IDLE_SECS,
};
pub use network::{
    CertificateFile, CloudMapInstanceFile, CloudMapService, ListenerFile, LoadBalancer,
};
pub use websocket::WebsocketFile;

use cluster::redis_config;
use identity::read_user_pools;
use network::{check_cloud_map_services, check_load_balancers, read_roots};

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
            lambda: file.lambda.resolve()?,
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

/// A limit from the file: `default` when absent, else within `1..=max`.
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
