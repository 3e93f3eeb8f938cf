//! The embedded store: one SQLite file in WAL mode under the data directory.
//!
//! Durability: WAL with `synchronous=NORMAL` makes every committed transaction survive the death
//! of the process (`kill -9`): the commit is in the WAL file, in the OS page cache, before we
//! answer. Only a power loss or kernel crash can lose the last transactions; set
//! `synchronous=FULL` (config `durability = "full"`, not yet exposed) if that matters.

use std::collections::BTreeSet;
use std::path::Path;

use parking_lot::Mutex;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;
use tokio::sync::broadcast;

use super::{kind, Change, Doc, MeteringChange, Store, Tenant, Txn, UsageIncrement, UsageRow};
use crate::error::ApiError;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS docs (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    id      TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, scope, id)
);
CREATE INDEX IF NOT EXISTS docs_by_seq ON docs (account, region, kind, scope, seq);
-- Requests counted per usage plan, API key and UTC day (YYYY-MM-DD). Written by the data
-- plane's background flush (add_usage), read by GetUsage.
CREATE TABLE IF NOT EXISTS usage_counts (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    day     TEXT NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (account, region, plan_id, key_id, day)
);
-- UpdateUsage's corrections: remaining = limit - used in the period + adjustment.
CREATE TABLE IF NOT EXISTS quota_adjustments (
    account      TEXT NOT NULL,
    region       TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    period_start TEXT NOT NULL,
    adjustment   BIGINT NOT NULL,
    PRIMARY KEY (account, region, plan_id, key_id, period_start)
);
";

pub struct SqliteStore {
    inner: Mutex<Inner>,
    changes: broadcast::Sender<Change>,
    metering: broadcast::Sender<MeteringChange>,
}

struct Inner {
    conn: Connection,
    /// Next sequence number; allocated in memory under the lock, persisted with each row.
    next_seq: i64,
}

impl SqliteStore {
    pub fn open(data_dir: &Path) -> Result<SqliteStore, ApiError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            ApiError::internal(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let conn = Connection::open(data_dir.join("portico.sqlite3"))?;
        // One process owns the file: an exclusive lock spares a pair of fcntl calls per
        // transaction and lets WAL run without the shared-memory index, and a second Portico
        // pointed at the same data dir fails instead of interleaving writes.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Every statement Portico runs stays prepared (the default cache of 16 thrashes).
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let max: Option<i64> = conn.query_row("SELECT MAX(seq) FROM docs", [], |r| r.get(0))?;
        let (changes, _) = broadcast::channel(1024);
        let (metering, _) = broadcast::channel(1024);
        Ok(SqliteStore {
            inner: Mutex::new(Inner {
                conn,
                next_seq: max.unwrap_or(0) + 1,
            }),
            changes,
            metering,
        })
    }

    fn announce_metering(&self, tenant: &Tenant) {
        // Nobody listening is fine: the data plane may not be running (tests).
        let _ = self.metering.send(MeteringChange {
            tenant: tenant.clone(),
        });
    }
}

struct SqliteTxn<'a> {
    conn: &'a Connection,
    tenant: &'a Tenant,
    next_seq: &'a mut i64,
    /// REST APIs whose served shape may have changed in this transaction.
    touched: BTreeSet<String>,
    /// Whether this transaction wrote something the metering layer indexes.
    metering: bool,
}

fn parse_body(text: &str) -> Result<Value, ApiError> {
    serde_json::from_str(text).map_err(|e| ApiError::internal(format!("corrupt document: {e}")))
}

fn affects_data_plane(kind: &str) -> bool {
    matches!(kind, kind::STAGE | kind::DEPLOYMENT | kind::REST_API)
}

fn affects_metering(kind: &str) -> bool {
    matches!(
        kind,
        kind::API_KEY
            | kind::API_KEY_VALUE
            | kind::USAGE_PLAN
            | kind::USAGE_PLAN_KEY
            | kind::ACCOUNT
    )
}

impl SqliteTxn<'_> {
    fn touch(&mut self, kind: &str, scope: &str, id: &str) {
        self.metering |= affects_metering(kind);
        if affects_data_plane(kind) {
            let api = if kind == kind::REST_API { id } else { scope };
            self.touched.insert(api.to_string());
        }
    }
}

impl Txn for SqliteTxn<'_> {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, ApiError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT body FROM docs WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4 AND id=?5",
        )?;
        let text: Option<String> = stmt
            .query_row(
                params![self.tenant.account, self.tenant.region, kind, scope, id],
                |r| r.get(0),
            )
            .optional()?;
        text.map(|t| parse_body(&t)).transpose()
    }

    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), ApiError> {
        let text = serde_json::to_string(body)
            .map_err(|e| ApiError::internal(format!("cannot encode document: {e}")))?;
        let seq = *self.next_seq;
        let mut stmt = self.conn.prepare_cached(
            "INSERT INTO docs (account, region, kind, scope, id, seq, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (account, region, kind, scope, id) DO UPDATE SET body = excluded.body",
        )?;
        stmt.execute(params![
            self.tenant.account,
            self.tenant.region,
            kind,
            scope,
            id,
            seq,
            text
        ])?;
        *self.next_seq += 1;
        self.touch(kind, scope, id);
        Ok(())
    }

    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, ApiError> {
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM docs WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4 AND id=?5",
        )?;
        let n = stmt.execute(params![
            self.tenant.account,
            self.tenant.region,
            kind,
            scope,
            id
        ])?;
        if n > 0 {
            self.touch(kind, scope, id);
        }
        Ok(n > 0)
    }

    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, ApiError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, id, body FROM docs WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4 AND seq > ?5
             ORDER BY seq LIMIT ?6",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            params![
                self.tenant.account,
                self.tenant.region,
                kind,
                scope,
                after_seq,
                limit
            ],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            },
        )?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, id, text) = row?;
            out.push(Doc {
                seq,
                id,
                body: parse_body(&text)?,
            });
        }
        Ok(out)
    }

    fn delete_scope(&mut self, scope: &str) -> Result<(), ApiError> {
        let mut stmt = self
            .conn
            .prepare_cached("DELETE FROM docs WHERE account=?1 AND region=?2 AND scope=?3")?;
        stmt.execute(params![self.tenant.account, self.tenant.region, scope])?;
        self.touched.insert(scope.to_string());
        Ok(())
    }
}

/// Run a parameterless statement through the statement cache. Transaction control runs on every
/// call; `execute_batch` would re-parse it each time (a visible share of a call's CPU).
fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

impl Store for SqliteStore {
    fn transact(
        &self,
        tenant: &Tenant,
        write: bool,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<(), ApiError>,
    ) -> Result<(), ApiError> {
        let mut inner = self.inner.lock();
        let Inner { conn, next_seq } = &mut *inner;
        let saved_seq = *next_seq;
        exec_cached(conn, if write { "BEGIN IMMEDIATE" } else { "BEGIN" })?;
        let mut txn = SqliteTxn {
            conn,
            tenant,
            next_seq,
            touched: BTreeSet::new(),
            metering: false,
        };
        let result = f(&mut txn);
        let touched = std::mem::take(&mut txn.touched);
        let metering = txn.metering;
        match result {
            Ok(()) => {
                if let Err(e) = exec_cached(conn, "COMMIT") {
                    let _ = exec_cached(conn, "ROLLBACK");
                    *next_seq = saved_seq;
                    return Err(e.into());
                }
                for rest_api_id in touched {
                    // Nobody listening is fine: the data plane may not be running (tests).
                    let _ = self.changes.send(Change {
                        tenant: tenant.clone(),
                        rest_api_id,
                    });
                }
                if metering {
                    self.announce_metering(tenant);
                }
                Ok(())
            }
            Err(e) => {
                let _ = exec_cached(conn, "ROLLBACK");
                *next_seq = saved_seq;
                Err(e)
            }
        }
    }

    fn scan(&self, kind: &str) -> Result<Vec<(Tenant, String, Doc)>, ApiError> {
        let inner = self.inner.lock();
        let mut stmt = inner.conn.prepare_cached(
            "SELECT account, region, scope, seq, id, body FROM docs WHERE kind=?1 ORDER BY seq",
        )?;
        let rows = stmt.query_map(params![kind], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (account, region, scope, seq, id, text) = row?;
            out.push((
                Tenant { account, region },
                scope,
                Doc {
                    seq,
                    id,
                    body: parse_body(&text)?,
                },
            ));
        }
        Ok(out)
    }

    fn wipe(&self) -> Result<(), ApiError> {
        let inner = self.inner.lock();
        let tenants: Vec<(String, String, String)> = {
            let mut stmt = inner.conn.prepare(
                "SELECT DISTINCT account, region, CASE WHEN kind='restapi' THEN id ELSE scope END FROM docs
                 WHERE kind IN ('restapi', 'stage', 'deployment')",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        let metered: Vec<(String, String)> = {
            let mut stmt = inner.conn.prepare(
                "SELECT account, region FROM docs UNION SELECT account, region FROM usage_counts",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<Result<_, _>>()?
        };
        inner.conn.execute_batch(
            "DELETE FROM docs; DELETE FROM usage_counts; DELETE FROM quota_adjustments;",
        )?;
        drop(inner);
        for (account, region, rest_api_id) in tenants {
            let _ = self.changes.send(Change {
                tenant: Tenant { account, region },
                rest_api_id,
            });
        }
        for (account, region) in metered {
            self.announce_metering(&Tenant { account, region });
        }
        Ok(())
    }

    fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.changes.subscribe()
    }

    fn subscribe_metering(&self) -> broadcast::Receiver<MeteringChange> {
        self.metering.subscribe()
    }

    fn add_usage(&self, increments: &[UsageIncrement]) -> Result<(), ApiError> {
        if increments.is_empty() {
            return Ok(());
        }
        let inner = self.inner.lock();
        exec_cached(&inner.conn, "BEGIN IMMEDIATE")?;
        let result = (|| {
            let mut stmt = inner.conn.prepare_cached(
                "INSERT INTO usage_counts (account, region, plan_id, key_id, day, used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = usage_counts.used + excluded.used",
            )?;
            for inc in increments {
                stmt.execute(params![
                    inc.tenant.account,
                    inc.tenant.region,
                    inc.plan_id,
                    inc.key_id,
                    inc.day,
                    inc.count
                ])?;
            }
            Ok::<_, rusqlite::Error>(())
        })();
        match result.and_then(|()| exec_cached(&inner.conn, "COMMIT")) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = exec_cached(&inner.conn, "ROLLBACK");
                Err(e.into())
            }
        }
    }

    fn usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<UsageRow>, ApiError> {
        let inner = self.inner.lock();
        let mut stmt = inner.conn.prepare_cached(
            "SELECT key_id, day, used FROM usage_counts
             WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4) AND day >= ?5 AND day <= ?6
             ORDER BY key_id, day",
        )?;
        let rows = stmt.query_map(
            params![tenant.account, tenant.region, plan_id, key_id, from, to],
            |r| {
                Ok(UsageRow {
                    key_id: r.get(0)?,
                    day: r.get(1)?,
                    used: r.get(2)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn set_quota_adjustment(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        period_start: &str,
        adjustment: i64,
    ) -> Result<(), ApiError> {
        let inner = self.inner.lock();
        let mut stmt = inner.conn.prepare_cached(
            "INSERT INTO quota_adjustments (account, region, plan_id, key_id, period_start, adjustment) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account, region, plan_id, key_id, period_start) DO UPDATE SET adjustment = excluded.adjustment",
        )?;
        stmt.execute(params![
            tenant.account,
            tenant.region,
            plan_id,
            key_id,
            period_start,
            adjustment
        ])?;
        drop(stmt);
        drop(inner);
        self.announce_metering(tenant);
        Ok(())
    }

    fn quota_adjustments(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, ApiError> {
        let inner = self.inner.lock();
        let mut stmt = inner.conn.prepare_cached(
            "SELECT key_id, period_start, adjustment FROM quota_adjustments
             WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4)
             ORDER BY key_id, period_start",
        )?;
        let rows = stmt.query_map(
            params![tenant.account, tenant.region, plan_id, key_id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn delete_usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<(), ApiError> {
        let inner = self.inner.lock();
        for table in ["usage_counts", "quota_adjustments"] {
            inner.conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4)"
                ),
                params![tenant.account, tenant.region, plan_id, key_id],
            )?;
        }
        drop(inner);
        self.announce_metering(tenant);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{read, write};
    use serde_json::json;

    fn tenant(a: &str) -> Tenant {
        Tenant {
            account: a.into(),
            region: "us-east-1".into(),
        }
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
                Err(ApiError::bad_request("no"))
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
    fn tenants_are_isolated() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path()).unwrap();
        write(&s, &tenant("111111111111"), |tx| {
            tx.put("restapi", "", "a", &json!({}))
        })
        .unwrap();
        let other = read(&s, &tenant("222222222222"), |tx| {
            Ok((
                tx.get("restapi", "", "a")?,
                tx.list("restapi", "", 0, 100)?.len(),
            ))
        })
        .unwrap();
        assert_eq!(other, (None, 0));
    }

    #[test]
    fn replace_keeps_order_and_list_pages_by_seq() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path()).unwrap();
        let t = tenant("111111111111");
        write(&s, &t, |tx| {
            for id in ["a", "b", "c"] {
                tx.put("model", "api", id, &json!({"v": 1}))?;
            }
            tx.put("model", "api", "a", &json!({"v": 2}))
        })
        .unwrap();
        let docs = read(&s, &t, |tx| tx.list("model", "api", 0, 2)).unwrap();
        assert_eq!(
            docs.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(docs[0].body, json!({"v": 2}));
        let rest = read(&s, &t, |tx| tx.list("model", "api", docs[1].seq, 2)).unwrap();
        assert_eq!(
            rest.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(),
            ["c"]
        );
    }

    #[test]
    fn stage_changes_are_announced_after_commit() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path()).unwrap();
        let mut rx = s.subscribe();
        let t = tenant("111111111111");
        write(&s, &t, |tx| tx.put("stage", "api1", "prod", &json!({}))).unwrap();
        write(&s, &t, |tx| tx.put("model", "api1", "m", &json!({}))).unwrap();
        assert_eq!(
            rx.try_recv().unwrap(),
            Change {
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
    fn metering_changes_are_announced_on_their_own_channel() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path()).unwrap();
        let mut stages = s.subscribe();
        let mut rx = s.subscribe_metering();
        let t = tenant("111111111111");
        let ours = MeteringChange { tenant: t.clone() };
        write(&s, &t, |tx| tx.put("model", "api1", "m", &json!({}))).unwrap();
        assert!(rx.try_recv().is_err(), "a model is not metering state");
        write(&s, &t, |tx| {
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
        let _ = write(&s, &t, |tx| {
            tx.put(kind::USAGE_PLAN, "", "p1", &json!({}))?;
            Err::<(), _>(ApiError::internal("rolled back"))
        });
        assert!(rx.try_recv().is_err(), "nothing announced for a rollback");
        for k in [kind::USAGE_PLAN, kind::USAGE_PLAN_KEY, kind::ACCOUNT] {
            write(&s, &t, |tx| tx.put(k, "", "x", &json!({}))).unwrap();
            assert_eq!(rx.try_recv().unwrap(), ours, "{k}");
        }
        s.set_quota_adjustment(&t, "p1", "k1", "2024-01-01", 3)
            .unwrap();
        assert_eq!(rx.try_recv().unwrap(), ours, "UpdateUsage's correction");
        s.delete_usage(&t, "p1", None).unwrap();
        assert_eq!(rx.try_recv().unwrap(), ours);
        s.wipe().unwrap();
        assert_eq!(rx.try_recv().unwrap(), ours, "a wipe resets every tenant");
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
}
