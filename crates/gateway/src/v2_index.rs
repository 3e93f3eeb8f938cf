//! The live `apigatewayv2` APIs of one protocol (`http::registry`'s HTTP APIs,
//! `websocket::registry`'s WebSocket APIs), by id: an `ArcSwap` snapshot that readers take
//! without a lock, rebuilt for the APIs a `Change::HttpApi` names (both protocols hear the same
//! announcement, from the same documents) and swapped in whole. What an API compiles to is the
//! registry's own (`build`); keeping, replacing and dropping the compiled APIs is this one's.

use std::collections::BTreeSet;
use std::sync::Arc;

use arc_swap::ArcSwap;
use parking_lot::Mutex;
use portico_store::{self as store, kind, Store, StoreError, Tenant};
use tokio::sync::broadcast::{self, error::TryRecvError};

use crate::fast_map::FastMap;

/// A compiled API: whose it is (ids are unique per tenant, not across them).
pub trait Owned {
    fn tenant(&self) -> &Tenant;
}

/// Builds one API from the store: `None` when it is gone, is not of this protocol, or has no
/// stage with a deployment; `old` is the compiled one it replaces (its deployments can be reused).
pub type Build<'a, T> = &'a dyn Fn(&Tenant, &str, Option<&T>) -> Result<Option<T>, StoreError>;

type ById<T> = FastMap<String, Vec<Arc<T>>>;

pub struct ApiIndex<T> {
    store: Arc<dyn Store>,
    apis: ArcSwap<ById<T>>,
    changes: Mutex<broadcast::Receiver<store::Change>>,
    /// What the APIs are, for logs ("HTTP API").
    what: &'static str,
}

impl<T: Owned> ApiIndex<T> {
    /// Subscribed, and empty until the first `rebuild_all`.
    pub fn new(store: Arc<dyn Store>, what: &'static str) -> ApiIndex<T> {
        // Subscribe before the initial scan so nothing committed in between is missed.
        let changes = Mutex::new(store.subscribe(store::Topic::Serving));
        ApiIndex {
            store,
            apis: ArcSwap::from_pointee(ById::default()),
            changes,
            what,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The API `api_id`; when tenants share the id, the one in `region` wins.
    pub fn api(&self, api_id: &str, region: Option<&str>) -> Option<Arc<T>> {
        let apis = self.apis.load();
        let list = apis.get(api_id)?;
        region
            .and_then(|r| list.iter().find(|e| e.tenant().region() == r))
            .or_else(|| list.first())
            .cloned()
    }

    /// The API as one tenant holds it (a custom domain's mapping, `@connections`).
    pub fn api_of(&self, tenant: &Tenant, api_id: &str) -> Option<Arc<T>> {
        let apis = self.apis.load();
        apis.get(api_id)?
            .iter()
            .find(|e| e.tenant() == tenant)
            .cloned()
    }

    /// Apply every announced change. Cheap when nothing is pending.
    pub fn sync(&self, build: Build<'_, T>) {
        // Held until the new map is stored, so two syncs cannot swap in each other's misses.
        let mut rx = self.changes.lock();
        let mut touched = BTreeSet::new();
        loop {
            match rx.try_recv() {
                Ok(store::Change::HttpApi { tenant, api_id }) => {
                    touched.insert((tenant, api_id));
                }
                Ok(_) => {}
                Err(TryRecvError::Lagged(_)) => {
                    drop(rx);
                    self.rebuild_all(build);
                    return;
                }
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
            }
        }
        if touched.is_empty() {
            return;
        }
        let mut by_id = ById::clone(&self.apis.load_full());
        for (tenant, api_id) in touched {
            let old = by_id
                .get(&api_id)
                .and_then(|l| l.iter().find(|e| e.tenant() == &tenant).cloned());
            let fresh = match build(&tenant, &api_id, old.as_deref()) {
                Ok(e) => e,
                Err(e) => {
                    tracing::error!(api_id, error = %e, "cannot rebuild {}; keeping the previous one", self.what);
                    continue;
                }
            };
            let list = by_id.entry(api_id.clone()).or_default();
            list.retain(|e| e.tenant() != &tenant);
            if let Some(entry) = fresh {
                list.push(Arc::new(entry));
            }
            if list.is_empty() {
                by_id.remove(&api_id);
            }
        }
        self.apis.store(Arc::new(by_id));
        drop(rx);
    }

    /// Every API of the store, built afresh.
    pub fn rebuild_all(&self, build: Build<'_, T>) {
        let apis = match self.store.scan(kind::V2_API) {
            Ok(a) => a,
            Err(e) => {
                tracing::error!(error = %e, "cannot scan {}s", self.what);
                return;
            }
        };
        let mut by_id = ById::default();
        for (tenant, _, doc) in apis {
            match build(&tenant, &doc.id, None) {
                Ok(Some(e)) => by_id.entry(doc.id).or_default().push(Arc::new(e)),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(api_id = doc.id, error = %e, "cannot build {}", self.what)
                }
            }
        }
        self.apis.store(Arc::new(by_id));
    }
}
