use super::*;
use serde_json::json;

/// The generic helpers with the store's own error.
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

fn tenant(a: &str) -> Tenant {
    Tenant::aws(a, "us-east-1")
}

#[test]
fn committed_writes_survive_reopen_and_failed_ones_vanish() {
    let dir = tempfile::tempdir().unwrap();
    let t = tenant("111111111111");
    {
        let s = SqliteStore::open(dir.path()).unwrap();
        write(&s, &t, |tx| tx.put("restapi", "", "a", &json!({"id": "a"}))).unwrap();
        let failed: Result<(), _> = write(&s, &t, |tx| {
            tx.put("restapi", "", "b", &json!({"id": "b"}))?;
            Err(StoreError::misuse("no"))
        });
        assert!(failed.is_err());
    }
    let s = SqliteStore::open(dir.path()).unwrap();
    let got = read(&s, &t, |tx| {
        Ok((tx.get("restapi", "", "a")?, tx.get("restapi", "", "b")?))
    })
    .unwrap();
    assert_eq!(got.0, Some(json!({"id": "a"})));
    assert_eq!(got.1, None);
}

#[test]
fn stage_changes_are_announced_after_commit() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let mut rx = s.subscribe(Topic::Serving);
    let t = tenant("111111111111");
    write(&s, &t, |tx| tx.put("stage", "api1", "prod", &json!({}))).unwrap();
    write(&s, &t, |tx| tx.put("model", "api1", "m", &json!({}))).unwrap();
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
}

#[test]
fn http_api_changes_are_announced_by_api() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let mut rx = s.subscribe(Topic::Serving);
    let t = tenant("111111111111");
    let http = |api_id: &str| Change::HttpApi {
        tenant: t.clone(),
        api_id: api_id.into(),
    };
    write(&s, &t, |tx| tx.put(kind::V2_API, "", "a1", &json!({}))).unwrap();
    assert_eq!(rx.try_recv().unwrap(), http("a1"));
    for k in [kind::V2_STAGE, kind::V2_DEPLOYMENT, kind::V2_AUTHORIZER] {
        write(&s, &t, |tx| tx.put(k, "a2", "x", &json!({}))).unwrap();
        assert_eq!(rx.try_recv().unwrap(), http("a2"), "{k}");
    }
    // Routes and integrations reach the data plane through a deployment.
    write(&s, &t, |tx| tx.put(kind::V2_ROUTE, "a2", "r", &json!({}))).unwrap();
    assert!(rx.try_recv().is_err());
}

#[test]
fn usage_counts_accumulate_per_day_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let t = tenant("111111111111");
    let inc = |key: &str, day: &str, count| UsageIncrement {
        tenant: t.clone(),
        plan_id: "plan1".into(),
        key_id: key.into(),
        day: day.into(),
        count,
    };
    {
        let s = SqliteStore::open(dir.path()).unwrap();
        s.add_usage(&[inc("k1", "2024-01-01", 3), inc("k1", "2024-01-01", 2)])
            .unwrap();
        s.add_usage(&[inc("k1", "2024-01-02", 1), inc("k2", "2024-01-01", 7)])
            .unwrap();
        s.set_quota_adjustment(&t, "plan1", "k1", "2024-01-01", 5)
            .unwrap();
        s.set_quota_adjustment(&t, "plan1", "k1", "2024-01-01", 9)
            .unwrap();
    }
    let s = SqliteStore::open(dir.path()).unwrap();
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
    let left = s
        .usage(&t, "plan1", None, "2024-01-01", "2024-12-31")
        .unwrap();
    assert_eq!(left.len(), 1);
    assert!(s.quota_adjustments(&t, "plan1", None).unwrap().is_empty());
    s.wipe().unwrap();
    assert!(s
        .usage(&t, "plan1", None, "2024-01-01", "2024-12-31")
        .unwrap()
        .is_empty());
}

#[test]
fn a_rolled_back_transaction_leaves_memory_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let t = tenant("111111111111");
    write(&s, &t, |tx| {
        tx.put("restapi", "", "a", &json!({"v": 1}))?;
        tx.put("resource", "a", "r1", &json!({"v": 1}))?;
        tx.put("resource", "a", "r2", &json!({"v": 1}))
    })
    .unwrap();
    let failed: Result<(), _> = write(&s, &t, |tx| {
        tx.put("restapi", "", "a", &json!({"v": 2}))?;
        tx.put("restapi", "", "b", &json!({"v": 2}))?;
        assert!(tx.delete("resource", "a", "r1")?);
        tx.delete_scope("a")?;
        tx.put("resource", "a", "r3", &json!({"v": 2}))?;
        // The transaction sees its own writes.
        assert_eq!(tx.get("restapi", "", "a")?, Some(json!({"v": 2})));
        assert_eq!(tx.get("resource", "a", "r2")?, None);
        assert_eq!(tx.list("resource", "a", 0, 10)?.len(), 1);
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    let check = |s: &SqliteStore| {
        read(s, &t, |tx| {
            assert_eq!(tx.get("restapi", "", "a")?, Some(json!({"v": 1})));
            assert_eq!(tx.get("restapi", "", "b")?, None);
            let ids: Vec<String> = tx
                .list("resource", "a", 0, 10)?
                .into_iter()
                .map(|d| d.id)
                .collect();
            assert_eq!(ids, ["r1", "r2"]);
            Ok(())
        })
        .unwrap()
    };
    check(&s);
    // A new document after the rollback is numbered after the surviving ones.
    write(&s, &t, |tx| tx.put("resource", "a", "r4", &json!({}))).unwrap();
    let last = read(&s, &t, |tx| tx.list("resource", "a", 0, 10)).unwrap();
    assert_eq!(last.last().unwrap().id, "r4");
    drop(s);
    let s = SqliteStore::open(dir.path()).unwrap();
    let again = read(&s, &t, |tx| tx.list("resource", "a", 0, 10)).unwrap();
    assert_eq!(
        again
            .iter()
            .map(|d| (d.seq, d.id.as_str()))
            .collect::<Vec<_>>(),
        last.iter()
            .map(|d| (d.seq, d.id.as_str()))
            .collect::<Vec<_>>(),
        "memory and SQLite agree"
    );
}

#[test]
fn a_corrupt_stored_document_stops_open_with_a_message_naming_it_and_stays_stored() {
    let dir = tempfile::tempdir().unwrap();
    let t = tenant("111111111111");
    {
        let s = SqliteStore::open(dir.path()).unwrap();
        write(&s, &t, |tx| {
            tx.put("restapi", "", "abc123", &json!({"id": "abc123"}))
        })
        .unwrap();
    }
    let file = dir.path().join("portico.sqlite3");
    Connection::open(&file)
        .unwrap()
        .execute("UPDATE docs SET body = '{not json' WHERE id = 'abc123'", [])
        .unwrap();
    let err = SqliteStore::open(dir.path()).err().expect("open must fail");
    assert!(
        err.to_string().contains("restapi document \"abc123\"")
            && err.to_string().contains("account 111111111111")
            && err.to_string().contains("not valid JSON"),
        "{}",
        err
    );
    let kept: String = Connection::open(&file)
        .unwrap()
        .query_row("SELECT body FROM docs WHERE id = 'abc123'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(kept, "{not json");
}

/// The ids of a collection in list order, with their bodies.
fn listed(s: &SqliteStore, t: &Tenant) -> Vec<(String, Value)> {
    read(s, t, |tx| {
        Ok(tx
            .list("resource", "api", 0, 100)?
            .into_iter()
            .map(|d| (d.id, d.body))
            .collect())
    })
    .unwrap()
}

/// A store holding resources `a` and `b` of one API, both `{"v": 1}`.
fn two_resources() -> (tempfile::TempDir, SqliteStore, Tenant) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let t = tenant("111111111111");
    write(&s, &t, |tx| {
        tx.put("resource", "api", "a", &json!({"v": 1}))?;
        tx.put("resource", "api", "b", &json!({"v": 1}))
    })
    .unwrap();
    (dir, s, t)
}

#[test]
fn a_lent_document_comes_back_unchanged_whatever_its_writer_did() {
    let (_dir, s, t) = two_resources();
    let before = listed(&s, &t);
    // Changed, written back, then the transaction fails.
    let failed: Result<(), _> = write(&s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "a")?.unwrap();
        doc["v"] = json!(2);
        tx.put_owned("resource", "api", "a", doc)?;
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    assert_eq!(listed(&s, &t), before, "rolled back after a write-back");
    // Changed and dropped before anything was written.
    let failed: Result<(), _> = write(&s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "b")?.unwrap();
        doc["v"] = json!(3);
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    assert_eq!(listed(&s, &t), before, "rolled back without a write");
    // Lent, never written back, and the transaction commits.
    write(&s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "a")?.unwrap();
        doc["v"] = json!(4);
        Ok(())
    })
    .unwrap();
    assert_eq!(listed(&s, &t), before, "committed without a write-back");
    // Lent and deleted, then rolled back.
    let failed: Result<(), _> = write(&s, &t, |tx| {
        tx.lend("resource", "api", "b")?;
        tx.delete("resource", "api", "b")?;
        Err(StoreError::misuse("no"))
    });
    assert!(failed.is_err());
    assert_eq!(listed(&s, &t), before, "a lent then deleted document");
}

#[test]
fn a_document_a_reader_holds_is_copied_not_lent() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path()).unwrap();
    let t = tenant("111111111111");
    write(&s, &t, |tx| {
        tx.put("resource", "api", "a", &json!({"v": 1}))
    })
    .unwrap();
    let held = read(&s, &t, |tx| tx.get_shared("resource", "api", "a"))
        .unwrap()
        .unwrap();
    write(&s, &t, |tx| {
        let mut doc = tx.lend("resource", "api", "a")?.unwrap();
        doc["v"] = json!(2);
        tx.put_owned("resource", "api", "a", doc)
    })
    .unwrap();
    assert_eq!(*held, json!({"v": 1}), "the reader's copy is untouched");
    assert_eq!(listed(&s, &t), vec![("a".into(), json!({"v": 2}))]);
}

fn fresh() -> Option<crate::contract::Fixture> {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    Some(crate::contract::Fixture {
        store: Box::new(store),
        _guard: Box::new(dir),
    })
}

crate::contract::contract_tests!(super::fresh);
