//! Cluster mode's connections: the PostgreSQL store (`database_*`) and Redis metering
//! (`redis_*`), checked.

use super::ConfigError;

/// The Redis key prefix, by default.
pub const DEFAULT_REDIS_PREFIX: &str = "portico:";

/// `redis_url`, `redis_prefix`, `redis_unavailable`, checked.
pub(super) fn redis_config(
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

/// A database URL must name PostgreSQL: anything else is a typo that would otherwise surface
/// as a connection error far from its cause.
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
