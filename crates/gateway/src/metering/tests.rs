use super::*;
use crate::rest::validate::Checks;
use portico_store::{self as store, SqliteStore, StoreError, Txn};
use serde_json::json;

fn tenant() -> Tenant {
    Tenant::aws("000000000000", "us-east-1")
}

fn method(path: &str, keyed: bool) -> MethodPlan {
    MethodPlan {
        http_method: "GET".into(),
        resource_id: "r".into(),
        resource_path: path.into(),
        authorization: Default::default(),
        api_key_required: keyed,
        checks: Checks::default(),
        integration: Err("unused".into()),
    }
}

/// The outcome of `n` calls: how many passed, and the last failure's response type.
fn check(
    m: &Metering,
    plan: &MethodPlan,
    key: Option<&str>,
    n: usize,
) -> (usize, Option<&'static str>) {
    let mut ok = 0;
    let mut last = None;
    for _ in 0..n {
        match m.authorize_local(&tenant(), "api1", "prod", plan, key.map(str::as_bytes)) {
            Ok(_) => ok += 1,
            Err(e) => last = Some(e.kind.name()),
        }
    }
    (ok, last)
}

fn setup(plan: serde_json::Value) -> (tempfile::TempDir, Arc<dyn Store>, Metering) {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.path()).unwrap());
    store::write(&*store, &tenant(), |tx: &mut dyn Txn| {
        tx.put(kind::REST_API, "", "api1", &json!({"id": "api1"}))?;
        tx.put(
            kind::STAGE,
            "api1",
            "prod",
            &json!({"stageName": "prod", "deploymentId": "d1", "methodSettings": {
            "~1slow/GET": {"throttlingRateLimit": 1.0, "throttlingBurstLimit": 2}}}),
        )?;
        for (id, value, enabled) in [
            ("k1", "value-one-0123456789", true),
            ("k2", "value-two-0123456789", false),
            ("k3", "value-three-0123456789", true),
        ] {
            tx.put(
                kind::API_KEY,
                "",
                id,
                &json!({"id": id, "value": value, "enabled": enabled}),
            )?;
        }
        tx.put(kind::USAGE_PLAN, "", "p1", &plan)?;
        tx.put(
            kind::USAGE_PLAN_KEY,
            "p1",
            "k1",
            &json!({"id": "k1", "type": "API_KEY"}),
        )?;
        tx.put(
            kind::USAGE_PLAN_KEY,
            "p1",
            "k2",
            &json!({"id": "k2", "type": "API_KEY"}),
        )?;
        Ok::<(), StoreError>(())
    })
    .unwrap();
    let m = Metering::new(store.clone());
    (dir, store, m)
}

#[test]
fn keys_must_exist_be_enabled_and_be_bound_to_the_stage() {
    let (_d, _s, m) =
        setup(json!({"id": "p1", "name": "p1", "apiStages": [{"apiId": "api1", "stage": "prod"}]}));
    let keyed = method("/pets", true);
    let forbidden = (0, Some("INVALID_API_KEY"));
    assert_eq!(check(&m, &keyed, None, 1), forbidden, "missing");
    assert_eq!(
        check(&m, &keyed, Some("nope-nope-nope-nope-nope"), 1),
        forbidden,
        "unknown"
    );
    assert_eq!(
        check(&m, &keyed, Some("value-two-0123456789"), 1),
        forbidden,
        "disabled"
    );
    assert_eq!(
        check(&m, &keyed, Some("value-three-0123456789"), 1),
        forbidden,
        "in no plan"
    );
    let id = m
        .authorize_local(
            &tenant(),
            "api1",
            "prod",
            &keyed,
            Some(b"value-one-0123456789"),
        )
        .unwrap()
        .unwrap();
    assert_eq!((id.api_key_id(), id.usage_plan_id()), ("k1", "p1"));
    assert_eq!(id.api_key(), "value-one-0123456789");
    let other_stage = m.authorize_local(
        &tenant(),
        "api1",
        "dev",
        &keyed,
        Some(b"value-one-0123456789"),
    );
    assert!(
        other_stage.is_err(),
        "the plan is not bound to the dev stage"
    );
    let open = m.authorize_local(&tenant(), "api1", "prod", &method("/pets", false), None);
    assert!(open.unwrap().is_none(), "no key needed, none named");
}

#[test]
fn every_throttle_level_applies_most_specific_first() {
    let (_d, _s, m) = setup(
        json!({"id": "p1", "name": "p1", "throttle": {"rateLimit": 1.0, "burstLimit": 3},
        "apiStages": [{"apiId": "api1", "stage": "prod",
                       "throttle": {"/special/GET": {"rateLimit": 1.0, "burstLimit": 5}}}]}),
    );
    let key = Some("value-one-0123456789");
    assert_eq!(
        check(&m, &method("/pets", true), key, 10),
        (3, Some("THROTTLED")),
        "plan per key"
    );
    assert_eq!(
        check(&m, &method("/special", true), key, 10),
        (5, Some("THROTTLED")),
        "per method"
    );
    assert_eq!(
        check(&m, &method("/slow", false), None, 10),
        (2, Some("THROTTLED")),
        "stage method"
    );
    assert_eq!(
        check(&m, &method("/other", false), None, 100),
        (100, None),
        "nothing set"
    );
}

#[test]
fn quotas_count_and_flush_and_survive_a_reseed() {
    let (_d, store, m) = setup(
        json!({"id": "p1", "name": "p1", "quota": {"limit": 4, "period": "DAY", "offset": 0},
        "apiStages": [{"apiId": "api1", "stage": "prod"}]}),
    );
    let key = Some("value-one-0123456789");
    let keyed = method("/pets", true);
    assert_eq!(check(&m, &keyed, key, 3), (3, None));
    m.flush();
    let today = usage::format_day(usage::today());
    let rows = store
        .usage(&tenant(), "p1", Some("k1"), &today, &today)
        .unwrap();
    assert_eq!(rows[0].used, 3);
    // A fresh process seeds from the store: one left.
    let again = Metering::new(store.clone());
    assert_eq!(check(&again, &keyed, key, 3), (1, Some("QUOTA_EXCEEDED")));
    // UpdateUsage's correction reaches the index on the next sync.
    store
        .set_quota_adjustment(&tenant(), "p1", "k1", &today, 2)
        .unwrap();
    again.sync();
    assert_eq!(check(&again, &keyed, key, 5), (2, Some("QUOTA_EXCEEDED")));
}

#[test]
fn stage_and_account_changes_reach_the_index_on_sync() {
    let (_d, store, m) =
        setup(json!({"id": "p1", "name": "p1", "apiStages": [{"apiId": "api1", "stage": "prod"}]}));
    let open = method("/open", false);
    assert_eq!(check(&m, &open, None, 50), (50, None));
    store::write(&*store, &tenant(), |tx: &mut dyn Txn| {
        tx.put(
            kind::STAGE,
            "api1",
            "prod",
            &json!({"stageName": "prod", "deploymentId": "d1", "methodSettings": {
            "*/*": {"throttlingRateLimit": 0.01, "throttlingBurstLimit": 4}}}),
        )
    })
    .unwrap();
    m.sync();
    assert_eq!(
        check(&m, &open, None, 10),
        (4, Some("THROTTLED")),
        "the stage's */*"
    );
    store::write(&*store, &tenant(), |tx: &mut dyn Txn| {
        tx.put(
            kind::STAGE,
            "api1",
            "prod",
            &json!({"stageName": "prod", "deploymentId": "d1"}),
        )?;
        tx.put(
            kind::ACCOUNT,
            "",
            "account",
            &json!({"throttleSettings": {"rateLimit": 0.01, "burstLimit": 2}}),
        )
    })
    .unwrap();
    m.sync();
    assert_eq!(
        check(&m, &open, None, 10),
        (2, Some("THROTTLED")),
        "the account level"
    );
    store::write(&*store, &tenant(), |tx: &mut dyn Txn| {
        tx.put(
            kind::ACCOUNT,
            "",
            "account",
            &json!({"throttleSettings": {"rateLimit": 10000.0, "burstLimit": 5000}}),
        )
    })
    .unwrap();
    m.sync();
    assert_eq!(
        check(&m, &open, None, 50),
        (50, None),
        "AWS's default is not enforced"
    );
}

#[test]
fn documents_that_do_not_read_are_skipped_not_the_tenant() {
    let (_d, store, m) =
        setup(json!({"id": "p1", "name": "p1", "apiStages": [{"apiId": "api1", "stage": "prod"}]}));
    store::write(&*store, &tenant(), |tx: &mut dyn Txn| {
        tx.put(
            kind::API_KEY,
            "",
            "k4",
            &json!({"id": "k4", "value": "value-four-0123456789", "enabled": "yes"}),
        )?;
        tx.put(
            kind::USAGE_PLAN,
            "",
            "p2",
            &json!({"id": "p2", "apiStages": 7}),
        )?;
        tx.put(
            kind::STAGE,
            "api1",
            "broken",
            &json!({"stageName": "broken", "methodSettings": []}),
        )
    })
    .unwrap();
    m.sync();
    let keyed = method("/pets", true);
    assert_eq!(
        check(&m, &keyed, Some("value-one-0123456789"), 1),
        (1, None)
    );
    assert_eq!(
        check(&m, &keyed, Some("value-four-0123456789"), 1),
        (0, Some("INVALID_API_KEY"))
    );
    assert_eq!(
        check(&m, &method("/slow", false), None, 5),
        (2, Some("THROTTLED")),
        "the stage's own throttles still apply"
    );
}
