//! ImportRestApi and PutRestApi (overwrite) of arbitrary bytes, through the room's real
//! handlers over a real SQLite store: any input must answer a success or a client error,
//! never panic nor answer a server error.
#![no_main]

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hyper::HeaderMap;
use libfuzzer_sys::fuzz_target;
use portico_api_apigateway::{handle_blocking, BoxFuture, Ctx, DataPlane, TestInvoke};
use portico_core::{ApiError, Tenant};
use portico_store::{SqliteStore, Store};
use serde_json::Value;

struct NoDataPlane;

impl DataPlane for NoDataPlane {
    fn flush_usage(&self) {}
    fn apply_changes(&self) {}
    fn test_invoke(&self, _: TestInvoke) -> BoxFuture<'_, Result<Value, ApiError>> {
        Box::pin(async { Err(ApiError::internal("no data plane while fuzzing")) })
    }
    fn flush_stage_cache(&self, _: &Tenant, _: &str, _: &str) {}
    fn flush_authorizers_cache(&self, _: &Tenant, _: &str, _: &str) {}
}

struct World {
    cx: Ctx,
    tenant: Tenant,
    target: String,
}

fn call(w: &World, method: &str, path: &str, query: &str, body: Bytes) -> Result<Value, ApiError> {
    let (status, call) = portico_mgmt::route(
        &w.cx.routes,
        &w.tenant,
        method,
        path,
        query,
        &HeaderMap::new(),
        body,
    )?;
    Ok(match handle_blocking(&w.cx, status, call)?.reply {
        portico_api_apigateway::Reply::Json(v) => v,
        _ => Value::Null,
    })
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("portico-fuzz-{}", std::process::id()));
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir).expect("store"));
        let cx = Ctx::new(store, Arc::new(NoDataPlane));
        let tenant = Tenant::aws("111111111111", "us-east-1");
        let mut w = World {
            cx,
            tenant,
            target: String::new(),
        };
        let api = call(&w, "POST", "/restapis", "", Bytes::from(r#"{"name":"target"}"#))
            .expect("target API");
        w.target = format!("/restapis/{}", api["id"].as_str().unwrap_or_default());
        w
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let body = Bytes::copy_from_slice(data);
    for (method, path, query) in [
        ("POST", "/restapis", "mode=import"),
        ("PUT", w.target.as_str(), "mode=overwrite"),
    ] {
        match call(w, method, path, query, body.clone()) {
            Ok(answer) => {
                // A new API each time: delete it, so the store stays small.
                if let Some(id) = answer["id"].as_str().filter(|_| method == "POST") {
                    let _ = call(w, "DELETE", &format!("/restapis/{id}"), "", Bytes::new());
                }
            }
            Err(e) => assert!(e.status < 500, "{method} {path}: {} {}", e.status, e.message),
        }
    }
});
