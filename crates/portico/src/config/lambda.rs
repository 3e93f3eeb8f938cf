//! `[lambda]`: how Lambda functions run on this machine, and its defaults.

use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

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

impl LambdaFile {
    /// The limits checked, the interpreters defaulted.
    pub(super) fn resolve(self) -> Result<LambdaSettings, ConfigError> {
        Ok(LambdaSettings {
            max_concurrency: match self.max_concurrency {
                None => DEFAULT_LAMBDA_CONCURRENCY,
                Some(n) if (1..=1000).contains(&n) => n,
                Some(n) => {
                    return Err(ConfigError(format!(
                        "lambda.max_concurrency must be between 1 and 1000, not {n}"
                    )))
                }
            },
            idle_timeout: match self.idle_timeout_secs {
                None => Duration::from_secs(DEFAULT_LAMBDA_IDLE_SECS),
                Some(n) if (1..=86_400).contains(&n) => Duration::from_secs(n),
                Some(n) => {
                    return Err(ConfigError(format!(
                        "lambda.idle_timeout_secs must be between 1 and 86400, not {n}"
                    )))
                }
            },
            python: self.python.unwrap_or_else(|| "python3".into()),
            node: self.node.unwrap_or_else(|| "node".into()),
        })
    }
}
