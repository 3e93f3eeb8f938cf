//! The behaviour every store must have, as test bodies run against each store (SQLite's tests
//! and PostgreSQL's call these with a fresh, empty store).

use serde_json::json;

use crate::{kind, Change, Store, StoreError, Tenant, Topic, Txn, UsageIncrement};

fn read<R>(
    s: &dyn Store,
    t: &Tenant,
    f: impl FnOnce(&mut dyn Txn) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    crate::read(s, t, f)
}

fn write<R>(
    s: &dyn Store,
    t: &Tenant,
    f: impl FnOnce(&mut dyn Txn) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    crate::write(s, t, f)
}

pub fn tenant(a: &str) -> Tenant {
    Tenant::aws(a, "us-east-1")
}

fn ids(s: &dyn Store, t: &Tenant, kind: &str, scope: &str) -> Vec<String> {
    read(s, t, |tx| tx.list(kind, scope, 0, 1000))
        .unwrap()
        .into_iter()
        .map(|d| d.id)
        .collect()
}

pub fn committed_writes_are_read_back_and_failed_ones_vanish(s: &dyn Store) {
    let t = tenant("111111111111");
    write(s, &t, |tx| {
        tx.put("restapi", "", "a", &json!({"id": "a", "z": 1, "b": 2}))
    })
    .unwrap();
    let failed: Result<(), _> = write(s, &t, |tx| {
        tx.put("restapi", "", "b", &json!({"id": "b"}))?;
        assert!(
            tx.exists("restapi", "", "b")?,
            "a transaction sees its own writes"
        );
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    let got = read(s, &t, |tx| {
        Ok((tx.get("restapi", "", "a")?, tx.get("restapi", "", "b")?))
    })
    .unwrap();
    assert_eq!(got.0, Some(json!({"id": "a", "z": 1, "b": 2})));
    // Members keep the order they were written in (AWS's shape, as stored).
    assert_eq!(
        serde_json::to_string(&got.0.unwrap()).unwrap(),
        r#"{"id":"a","z":1,"b":2}"#
    );
    assert_eq!(got.1, None);
}

pub fn tenants_are_isolated(s: &dyn Store) {
    write(s, &tenant("111111111111"), |tx| {
        tx.put("restapi", "", "a", &json!({}))
    })
    .unwrap();
    let other = read(s, &tenant("222222222222"), |tx| {
        Ok((
            tx.get("restapi", "", "a")?,
            tx.list("restapi", "", 0, 100)?.len(),
            tx.delete("restapi", "", "a")?,
        ))
    })
    .unwrap();
    assert_eq!(other, (None, 0, false));
    assert_eq!(ids(s, &tenant("111111111111"), "restapi", ""), ["a"]);
}

pub fn replace_keeps_order_and_list_pages_by_seq(s: &dyn Store) {
    let t = tenant("111111111111");
    write(s, &t, |tx| {
        for id in ["c", "a", "b"] {
            tx.put("model", "api", id, &json!({"v": 1}))?;
        }
        tx.put("model", "api", "c", &json!({"v": 2}))
    })
    .unwrap();
    // Another scope's documents interleave in the sequence without showing up.
    write(s, &t, |tx| tx.put("model", "other", "x", &json!({}))).unwrap();
    write(s, &t, |tx| tx.put("model", "api", "d", &json!({}))).unwrap();
    let page1 = read(s, &t, |tx| tx.list("model", "api", 0, 2)).unwrap();
    assert_eq!(
        page1.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["c", "a"]
    );
    assert_eq!(page1[0].body, json!({"v": 2}));
    let page2 = read(s, &t, |tx| tx.list("model", "api", page1[1].seq, 10)).unwrap();
    assert_eq!(
        page2.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
        ["b", "d"]
    );
    // Deleting and re-creating puts a document at the end.
    write(s, &t, |tx| {
        tx.delete("model", "api", "c")?;
        tx.put("model", "api", "c", &json!({}))
    })
    .unwrap();
    assert_eq!(ids(s, &t, "model", "api"), ["a", "b", "d", "c"]);
    assert!(!read(s, &t, |tx| tx.delete("model", "api", "nope")).unwrap());
}

pub fn serving_changes_are_announced_after_commit(s: &dyn Store) {
    let mut rx = s.subscribe(Topic::Serving);
    let t = tenant("111111111111");
    write(s, &t, |tx| tx.put("stage", "api1", "prod", &json!({}))).unwrap();
    write(s, &t, |tx| tx.put("model", "api1", "m", &json!({}))).unwrap();
    assert_eq!(
        rx.try_recv().unwrap(),
        Change::RestApi {
            tenant: t.clone(),
            rest_api_id: "api1".into()
        }
    );
    assert!(
        rx.try_recv().is_err(),
        "a model change does not concern the data plane"
    );
    let http = |api_id: &str| Change::HttpApi {
        tenant: t.clone(),
        api_id: api_id.into(),
    };
    write(s, &t, |tx| tx.put(kind::V2_API, "", "a1", &json!({}))).unwrap();
    assert_eq!(rx.try_recv().unwrap(), http("a1"));
    for k in [kind::V2_STAGE, kind::V2_DEPLOYMENT, kind::V2_AUTHORIZER] {
        write(s, &t, |tx| tx.put(k, "a2", "x", &json!({}))).unwrap();
        assert_eq!(rx.try_recv().unwrap(), http("a2"), "{k}");
    }
    let _ = write(s, &t, |tx| {
        tx.put("stage", "api9", "prod", &json!({}))?;
        Err::<(), _>(StoreError::misuse("rolled back"))
    });
    assert!(rx.try_recv().is_err(), "nothing announced for a rollback");
    write(s, &t, |tx| tx.put(kind::VPC_LINK, "", "l", &json!({}))).unwrap();
    assert_eq!(
        rx.try_recv().unwrap(),
        Change::VpcLinks { tenant: t.clone() }
    );
    let mut functions = s.subscribe(Topic::Functions);
    write(s, &t, |tx| {
        tx.put(kind::LAMBDA_FUNCTION, "", "f", &json!({}))
    })
    .unwrap();
    assert_eq!(
        functions.try_recv().unwrap(),
        Change::Functions { tenant: t.clone() }
    );
    assert!(rx.try_recv().is_err(), "functions have their own channel");
}

pub fn metering_changes_are_announced_on_their_own_channel(s: &dyn Store) {
    let mut stages = s.subscribe(Topic::Serving);
    let mut rx = s.subscribe(Topic::Metering);
    let t = tenant("111111111111");
    let ours = Change::Metering { tenant: t.clone() };
    write(s, &t, |tx| {
        tx.put(kind::API_KEY, "", "k1", &json!({}))?;
        tx.put(kind::API_KEY_VALUE, "", "v", &json!({"id": "k1"}))
    })
    .unwrap();
    assert_eq!(
        rx.try_recv().unwrap(),
        ours,
        "one announcement per transaction"
    );
    assert!(rx.try_recv().is_err());
    assert!(
        stages.try_recv().is_err(),
        "the registry does not hear of keys"
    );
    s.set_quota_adjustment(&t, "p1", "k1", "2024-01-01", 3)
        .unwrap();
    assert_eq!(rx.try_recv().unwrap(), ours, "UpdateUsage's correction");
    s.delete_usage(&t, "p1", None).unwrap();
    assert_eq!(rx.try_recv().unwrap(), ours);
    s.wipe().unwrap();
    assert_eq!(rx.try_recv().unwrap(), ours, "a wipe resets every tenant");
}

pub fn usage_counts_accumulate_per_day(s: &dyn Store) {
    let t = tenant("111111111111");
    let inc = |key: &str, day: &str, count| UsageIncrement {
        tenant: t.clone(),
        plan_id: "plan1".into(),
        key_id: key.into(),
        day: day.into(),
        count,
    };
    s.add_usage(&[inc("k2", "2024-01-01", 7), inc("k1", "2024-01-01", 3)])
        .unwrap();
    s.add_usage(&[inc("k1", "2024-01-02", 1), inc("k1", "2024-01-01", 2)])
        .unwrap();
    s.add_usage(&[]).unwrap();
    s.set_quota_adjustment(&t, "plan1", "k1", "2024-01-01", 5)
        .unwrap();
    s.set_quota_adjustment(&t, "plan1", "k1", "2024-01-01", 9)
        .unwrap();
    let rows = s
        .usage(&t, "plan1", None, "2024-01-01", "2024-01-31")
        .unwrap();
    let got: Vec<(&str, &str, i64)> = rows
        .iter()
        .map(|r| (r.key_id.as_str(), r.day.as_str(), r.used))
        .collect();
    assert_eq!(
        got,
        [
            ("k1", "2024-01-01", 5),
            ("k1", "2024-01-02", 1),
            ("k2", "2024-01-01", 7)
        ]
    );
    let only_k1 = s
        .usage(&t, "plan1", Some("k1"), "2024-01-02", "2024-01-02")
        .unwrap();
    assert_eq!(only_k1.len(), 1);
    assert_eq!(
        s.quota_adjustments(&t, "plan1", None).unwrap(),
        vec![("k1".to_string(), "2024-01-01".to_string(), 9)]
    );
    let other = tenant("222222222222");
    assert!(s
        .usage(&other, "plan1", None, "2024-01-01", "2024-12-31")
        .unwrap()
        .is_empty());
    s.delete_usage(&t, "plan1", Some("k1")).unwrap();
    assert_eq!(
        s.usage(&t, "plan1", None, "2024-01-01", "2024-12-31")
            .unwrap()
            .len(),
        1
    );
    assert!(s.quota_adjustments(&t, "plan1", None).unwrap().is_empty());
    s.wipe().unwrap();
    assert!(s
        .usage(&t, "plan1", None, "2024-01-01", "2024-12-31")
        .unwrap()
        .is_empty());
}

pub fn a_panicking_transaction_is_rolled_back(s: &dyn Store) {
    let t = tenant("111111111111");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = write(s, &t, |tx| {
            tx.put("restapi", "", "a", &json!({}))?;
            panic!("handler bug");
            #[allow(unreachable_code)]
            Ok(())
        });
    }));
    assert!(caught.is_err());
    assert_eq!(read(s, &t, |tx| tx.get("restapi", "", "a")).unwrap(), None);
    write(s, &t, |tx| tx.put("restapi", "", "b", &json!({}))).unwrap();
    assert_eq!(ids(s, &t, "restapi", ""), ["b"]);
}

pub fn delete_scope_cascades_within_one_tenant_only(s: &dyn Store) {
    let (a, b) = (tenant("111111111111"), tenant("222222222222"));
    for t in [&a, &b] {
        write(s, t, |tx| {
            tx.put("restapi", "", "x", &json!({}))?;
            tx.put("resource", "x", "r", &json!({}))?;
            tx.put("model", "x", "m", &json!({}))?;
            tx.put("model", "y", "m", &json!({}))
        })
        .unwrap();
    }
    let mut rx = s.subscribe(Topic::Serving);
    write(s, &a, |tx| tx.delete_scope("x")).unwrap();
    assert_eq!(
        rx.try_recv().unwrap(),
        Change::RestApi {
            tenant: a.clone(),
            rest_api_id: "x".into()
        }
    );
    let counts = |t: &Tenant| {
        read(s, t, |tx| {
            Ok((
                tx.list("resource", "x", 0, 10)?.len(),
                tx.list("model", "x", 0, 10)?.len(),
                tx.list("model", "y", 0, 10)?.len(),
                tx.list("restapi", "", 0, 10)?.len(),
            ))
        })
        .unwrap()
    };
    assert_eq!(counts(&a), (0, 0, 1, 1));
    assert_eq!(counts(&b), (1, 1, 1, 1));
}

pub fn scan_and_wipe_cover_every_tenant(s: &dyn Store) {
    let (a, b) = (tenant("111111111111"), tenant("222222222222"));
    write(s, &a, |tx| tx.put("stage", "x", "prod", &json!({"n": 1}))).unwrap();
    write(s, &b, |tx| tx.put("stage", "y", "prod", &json!({"n": 2}))).unwrap();
    write(s, &a, |tx| tx.put("stage", "x", "dev", &json!({"n": 3}))).unwrap();
    let scanned: Vec<(String, String, String)> = s
        .scan("stage")
        .unwrap()
        .into_iter()
        .map(|(t, scope, d)| (t.account().to_string(), scope, d.id))
        .collect();
    assert_eq!(
        scanned,
        [
            ("111111111111".into(), "x".into(), "prod".into()),
            ("222222222222".into(), "y".into(), "prod".into()),
            ("111111111111".into(), "x".into(), "dev".into()),
        ]
    );
    let mut rx = s.subscribe(Topic::Serving);
    s.wipe().unwrap();
    assert!(s.scan("stage").unwrap().is_empty());
    let mut announced = Vec::new();
    while let Ok(c) = rx.try_recv() {
        if let Change::RestApi {
            tenant,
            rest_api_id,
        } = c
        {
            announced.push((tenant.account().to_string(), rest_api_id));
        }
    }
    announced.sort();
    assert_eq!(
        announced,
        [
            ("111111111111".to_string(), "x".to_string()),
            ("222222222222".to_string(), "y".to_string())
        ]
    );
}

pub fn a_lent_document_written_back_is_the_new_one_in_its_old_place(s: &dyn Store) {
    let t = tenant("111111111111");
    write(s, &t, |tx| {
        tx.put("resource", "api", "a", &json!({"v": 1}))?;
        tx.put("resource", "api", "b", &json!({"v": 1}))
    })
    .unwrap();
    write(s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "a")?.unwrap();
        doc["v"] = json!(2);
        tx.put_owned("resource", "api", "a", doc)
    })
    .unwrap();
    let failed: Result<(), _> = write(s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "b")?.unwrap();
        doc["v"] = json!(3);
        tx.put_owned("resource", "api", "b", doc)?;
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    let listed: Vec<(String, serde_json::Value)> = read(s, &t, |tx| {
        Ok(tx
            .list_shared("resource", "api", 0, 100)?
            .into_iter()
            .map(|d| (d.id, (*d.body).clone()))
            .collect())
    })
    .unwrap();
    assert_eq!(
        listed,
        vec![("a".into(), json!({"v": 2})), ("b".into(), json!({"v": 1}))]
    );
}

/// A fresh, empty store and whatever must outlive it (a temp dir, a database to drop).
/// Fields drop in order: the store first.
pub struct Fixture {
    pub store: Box<dyn Store>,
    /// Held for its `Drop` only.
    pub _guard: Box<dyn std::any::Any>,
}

/// One `#[test]` per contract body, each on a store from `$fresh` (an
/// `fn() -> Option<Fixture>`; `None` when the store's backend is absent outside CI, after
/// saying so).
macro_rules! contract_tests {
    ($fresh:path) => {
        $crate::contract::contract_tests!(@each $fresh;
            committed_writes_are_read_back_and_failed_ones_vanish,
            tenants_are_isolated,
            replace_keeps_order_and_list_pages_by_seq,
            serving_changes_are_announced_after_commit,
            metering_changes_are_announced_on_their_own_channel,
            usage_counts_accumulate_per_day,
            a_panicking_transaction_is_rolled_back,
            delete_scope_cascades_within_one_tenant_only,
            scan_and_wipe_cover_every_tenant,
            a_lent_document_written_back_is_the_new_one_in_its_old_place
        );
    };
    (@each $fresh:path; $($name:ident),*) => {
        mod contract {
            $(
                #[test]
                fn $name() {
                    if let Some(f) = $fresh() {
                        $crate::contract::$name(&*f.store);
                    }
                }
            )*
        }
    };
}
pub(crate) use contract_tests;
