//! Test harness: the room's real handlers driven the way the HTTP layer drives them
//! (`portico_mgmt::route`, then `handle_blocking`), over a fresh SQLite store.

use std::sync::Arc;

use bytes::Bytes;
use hyper::HeaderMap;
use serde_json::Value;

use crate::store::{SqliteStore, Tenant};
use crate::{
    handle_blocking, ApiError, BoxFuture, Ctx, DataPlane, Reply, TestAuthorizer, TestInvoke,
};

/// A data plane with nothing counted in memory: tests that need usage write it into the store
/// themselves, as the data plane's flusher does.
struct NothingInMemory;

impl DataPlane for NothingInMemory {
    fn flush_usage(&self) {}
    fn apply_changes(&self) {}
    fn test_invoke(&self, _: TestInvoke) -> BoxFuture<'_, Result<Value, ApiError>> {
        Box::pin(async { Err(ApiError::internal("no data plane in this harness")) })
    }
    fn test_authorizer(&self, _: TestAuthorizer) -> BoxFuture<'_, Result<Value, ApiError>> {
        Box::pin(async { Err(ApiError::internal("no data plane in this harness")) })
    }
    fn flush_stage_cache(&self, _: &Tenant, _: &str, _: &str) {}
    fn flush_authorizers_cache(&self, _: &Tenant, _: &str, _: &str) {}
}

pub struct Harness {
    pub cx: Ctx,
    pub tenant: Tenant,
    _dir: tempfile::TempDir,
}

impl Harness {
    pub fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        Harness {
            cx: Ctx::new(Arc::new(store), Arc::new(NothingInMemory)),
            tenant: Tenant::aws("111111111111", "us-east-1"),
            _dir: dir,
        }
    }

    /// One call; its JSON answer (`Null` for an empty one). Panics if the call fails.
    /// See [`Harness::try_call`] for the body.
    pub fn call(&self, method: &str, path: &str, query: &str, body: Value) -> Value {
        self.try_call(method, path, query, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// One call; its JSON answer, or its error. A `String` body is sent as is (CSV), any other
    /// as JSON, `Null` as none.
    pub fn try_call(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: Value,
    ) -> Result<Value, ApiError> {
        let body = match body {
            Value::Null => Bytes::new(),
            Value::String(raw) => Bytes::from(raw),
            json => Bytes::from(json.to_string()),
        };
        let done = portico_mgmt::route(
            &self.cx.routes,
            &self.tenant,
            method,
            path,
            query,
            &HeaderMap::new(),
            body,
        )
        .and_then(|(status, call)| handle_blocking(&self.cx, status, call))?;
        Ok(match done.reply {
            Reply::Json(v) => v,
            _ => Value::Null,
        })
    }

    /// Every stored document of `kind` in `scope`, as the handlers left them.
    pub fn documents(&self, kind: &str, scope: &str) -> Vec<Value> {
        crate::store::read(&*self.cx.store, &self.tenant, |txn| {
            Ok(txn.list(kind, scope, 0, usize::MAX)?)
        })
        .unwrap()
        .into_iter()
        .map(|d| d.body)
        .collect()
    }
}
