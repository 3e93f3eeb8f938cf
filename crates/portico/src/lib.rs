//! Portico: Amazon API Gateway's management APIs and data plane in one binary.
//! See ARCHITECTURE.md at the repository root for the map.
//!
//! This crate is the house's frame: configuration, the listener, authentication, and the one
//! function that decides which plane and which API answers a request (`planes`). Each API is a
//! room in its own crate; the data plane is `portico-gateway`; the store is below them all.

pub mod apis;
pub mod app;
pub mod auth;
pub mod config;
pub mod head_watch;
pub mod lambda_endpoints;
pub mod planes;
pub mod server;
pub mod tls;

pub use portico_gateway::http;

use std::sync::Arc;

use app::App;
use config::Config;
use portico_store::{PgStore, PgStoreOptions, SqliteStore, Store};
use server::Server;

/// The store the configuration names: PostgreSQL when `database_url` is set (cluster mode),
/// else the embedded SQLite store in `data_dir`.
pub fn open_store(config: &Config) -> Result<Arc<dyn Store>, String> {
    match &config.database_url {
        Some(url) => PgStore::open(
            url,
            PgStoreOptions {
                max_connections: config.database.pool_size,
                ca_pem: config.database.ca_pem.clone(),
                ..PgStoreOptions::default()
            },
        )
        .map(|s| Arc::new(s) as Arc<dyn Store>)
        .map_err(|e| format!("cannot open the PostgreSQL store: {e}")),
        None => SqliteStore::open(&config.data_dir)
            .map(|s| Arc::new(s) as Arc<dyn Store>)
            .map_err(|e| {
                format!(
                    "cannot open the store in {}: {}",
                    config.data_dir.display(),
                    e
                )
            }),
    }
}

/// Open the store and bind the listener; the returned server is ready to `run`.
pub async fn start(config: Config) -> Result<Server, Box<dyn std::error::Error>> {
    let store = open_store(&config)?;
    let mut app = App::new(config, store)?;
    if app.config.tls_listen.is_some() {
        let tls = tls::Tls::new(app.data.clone(), &app.config.certificates)?;
        app.tls = Some(Arc::new(tls));
    }
    let app = Arc::new(app);
    portico_gateway::metering::spawn(app.data.clone());
    Ok(Server::bind(app).await?)
}
