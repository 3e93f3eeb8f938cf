//! `[websocket]`: WebSocket connections' limits, AWS's quotas by default.

use std::time::Duration;

use serde::Deserialize;

use super::ConfigError;

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
    pub(super) fn resolve(&self) -> Result<portico_gateway::websocket::Limits, ConfigError> {
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
