//! Portico: Amazon API Gateway's management APIs and data plane in one binary.
//! See ARCHITECTURE.md at the repository root for the map.

pub mod app;
pub mod auth;
pub mod config;
pub mod control;
pub mod data;
pub mod error;
pub mod fast_map;
pub mod http;
pub mod ids;
pub mod planes;
pub mod server;
pub mod store;

use std::sync::Arc;

use app::App;
use config::Config;
use server::Server;
use store::SqliteStore;

/// Open the store and bind the listener; the returned server is ready to `run`.
pub async fn start(config: Config) -> Result<Server, Box<dyn std::error::Error>> {
    let store = SqliteStore::open(&config.data_dir).map_err(|e| {
        format!(
            "cannot open the store in {}: {}",
            config.data_dir.display(),
            e.message
        )
    })?;
    let app = Arc::new(App::new(config, Arc::new(store)));
    data::metering::spawn(app.clone());
    Ok(Server::bind(app).await?)
}
