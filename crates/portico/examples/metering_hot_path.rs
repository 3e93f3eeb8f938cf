//! What metering costs a request, without HTTP around it: `Metering::authorize` timed over many
//! calls for a method without a key requirement, and for one with a key in a usage plan with a
//! (never-refusing) per-key throttle and quota — the work a keyed request adds to the pipeline.
//! Run by `bench/metering.sh`:
//!
//!   cargo run --release -p portico --example metering_hot_path
//!   REDIS_URL=redis://127.0.0.1:6379 cargo run --release -p portico --example metering_hot_path
//!
//! With `REDIS_URL`, metering is in cluster mode (quota leased from that Redis, under a fresh
//! key prefix): the figure then includes the lease refills, one Redis round trip per lease.

use std::sync::Arc;
use std::time::Instant;

use portico_gateway::metering::Metering;
use portico_gateway::rest::compile::MethodPlan;
use portico_gateway::rest::validate::Checks;
use portico_store::{self as store, kind, SqliteStore, Store, StoreError, Tenant};
use serde_json::json;

const N: u32 = 2_000_000;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).expect("store"));
    let tenant = Tenant::aws("000000000000", "us-east-1");
    let key = "bench-key-value-0123456789abcdefghijklmn";
    store::write(&*store, &tenant, |tx| -> Result<(), StoreError> {
        tx.put(kind::REST_API, "", "api1", &json!({"id": "api1"}))?;
        tx.put(
            kind::STAGE,
            "api1",
            "bench",
            &json!({"stageName": "bench", "deploymentId": "d1"}),
        )?;
        tx.put(
            kind::API_KEY,
            "",
            "k1",
            &json!({"id": "k1", "value": key, "enabled": true}),
        )?;
        tx.put(
            kind::USAGE_PLAN,
            "",
            "p1",
            &json!({"id": "p1", "name": "bench",
            "apiStages": [{"apiId": "api1", "stage": "bench"}],
            "throttle": {"rateLimit": 1e9, "burstLimit": 1_000_000_000},
            "quota": {"limit": 1_000_000_000_000i64, "period": "DAY"}}),
        )?;
        tx.put(
            kind::USAGE_PLAN_KEY,
            "p1",
            "k1",
            &json!({"id": "k1", "type": "API_KEY"}),
        )
    })
    .expect("seed");
    let mut m = Metering::new(store);
    if let Some(url) = std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()) {
        let cluster = portico_gateway::metering::cluster::Cluster::start(
            portico_gateway::metering::cluster::ClusterConfig {
                url,
                prefix: format!("bench-{:x}:", std::process::id()),
                unavailable: portico_gateway::metering::cluster::Unavailable::FailClosed,
            },
        )
        .expect("redis");
        m.enable_cluster(cluster);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let plan = |keyed| MethodPlan {
        http_method: "GET".into(),
        resource_id: "r".into(),
        resource_path: "/keyed".into(),
        authorization: Default::default(),
        api_key_required: keyed,
        checks: Checks::default(),
        integration: Err("unused".into()),
    };
    for (name, p, k) in [
        ("open", plan(false), None),
        ("keyed", plan(true), Some(key.as_bytes())),
    ] {
        let t = Instant::now();
        rt.block_on(async {
            for _ in 0..N {
                let r = m.authorize(&tenant, "api1", "bench", &p, k).await;
                assert!(r.is_ok());
            }
        });
        let ns = t.elapsed().as_nanos() as f64 / f64::from(N);
        println!("metering {name:<5} {ns:>6.0} ns per request");
    }
    if let Some(c) = m.cluster() {
        let trips = c
            .stats
            .round_trips
            .load(std::sync::atomic::Ordering::Relaxed);
        println!("metering: {trips} Redis round trips for {N} keyed requests");
    }
}
