//! Process-wide state shared by every connection: configuration, store, route table, auth.

use std::sync::Arc;

use crate::auth::Auth;
use crate::config::Config;
use crate::control::routes::RouteTable;
use crate::data::DataPlane;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub auth: Auth,
    pub routes: RouteTable,
    /// The execute-api side: live compiled deployments, the backend client, metrics.
    pub data: DataPlane,
}

impl App {
    pub fn new(config: Config, store: Arc<dyn Store>) -> App {
        App {
            auth: Auth::new(&config),
            routes: RouteTable::apigateway_v1(),
            data: DataPlane::new(store.clone()),
            config,
            store,
        }
    }
}
