//! What only WebSocket APIs (`apigatewayv2`, protocol `WEBSOCKET`) do, beside `http/` and
//! `rest/`:
//! - `registry`: the live WebSocket APIs (route selection, authorizers, stages with their
//!   compiled deployments: routes, integrations, templates, route and integration responses),
//!   rebuilt from `Change::HttpApi` announcements and swapped atomically;
//! - `session`: the handshake (`$connect`: its authorizer — Lambda REQUEST or IAM — and its
//!   integration decide), then one task per connection: frames in, route selection, messages
//!   out, ping/pong, limits, `$disconnect`;
//! - `link`: a connection's socket, parked (tungstenite's stream and buffers let go) while it
//!   is quiet;
//! - `integrate`: one event through a route's integration (the Lambda WebSocket event, MOCK
//!   and HTTP with templates, integration responses);
//! - `connections`: the connections this node holds, by id, with their bounded outgoing
//!   queues;
//! - `manage`: `@connections` (`apigatewaymanagementapi`: PostToConnection, GetConnection,
//!   DeleteConnection).

pub mod connections;
pub mod integrate;
pub mod link;
pub mod manage;
pub mod registry;
pub mod session;

use std::sync::Arc;
use std::time::Duration;

use portico_store::Store;

/// A client connection's `max_connections` slot, shared by its HTTP connection task and any
/// request that upgrades it: the handshake takes the permit when it answers `101`, so the
/// WebSocket connection keeps the slot after hyper lets the socket go.
#[derive(Clone, Default)]
pub struct Slot(pub Arc<parking_lot::Mutex<Option<tokio::sync::OwnedSemaphorePermit>>>);

impl Slot {
    pub fn new(permit: tokio::sync::OwnedSemaphorePermit) -> Slot {
        Slot(Arc::new(parking_lot::Mutex::new(Some(permit))))
    }

    pub fn take(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        self.0.lock().take()
    }
}

/// AWS's WebSocket quotas, as configurable defaults (`[websocket]` in the config file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message a client may send, and `PostToConnection` may post (128 KB).
    pub max_message: usize,
    /// Largest frame of a client's message (32 KB): bigger messages come in several frames.
    pub max_frame: usize,
    /// A connection without a client frame this long is closed (10 minutes).
    pub idle: Duration,
    /// A connection is closed this long after it opened (2 hours).
    pub max_lifetime: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: 128 * 1024,
            max_frame: 32 * 1024,
            idle: Duration::from_secs(600),
            max_lifetime: Duration::from_secs(7200),
        }
    }
}

/// Everything WebSocket APIs keep: the compiled APIs, the open connections, the limits.
pub struct Websockets {
    pub apis: registry::WsApis,
    pub connections: connections::Connections,
    pub limits: Limits,
}

impl Websockets {
    pub fn new(store: Arc<dyn Store>) -> Websockets {
        Websockets {
            apis: registry::WsApis::new(store),
            connections: Default::default(),
            limits: Limits::default(),
        }
    }
}
