//! The embedded store: one SQLite file in WAL mode under the data directory, with every
//! document also held in memory ([`cache`]) so reads touch neither SQLite nor the JSON parser.
//!
//! Durability: a write transaction commits to SQLite before the caller hears `Ok`, and the
//! memory copy changes only as part of that transaction (undone if it does not commit). WAL with
//! `synchronous=NORMAL` makes every committed transaction survive the death of the process
//! (`kill -9`): the commit is in the WAL file, in the OS page cache, before we answer. Only a
//! power loss or kernel crash can lose the last transactions (never corrupt the file);
//! `synchronous=FULL` would close that window with an fsync per commit.

mod cache;
mod counters;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;
use rusqlite::{params, Connection};
use serde_json::Value;
use tokio::sync::broadcast;

use self::cache::{Docs, Entry, Undo};
use super::{kind, Change, Doc, SharedDoc, Store, Tenant, Topic, Txn, UsageIncrement, UsageRow};
use crate::StoreError;
use rusqlite::OptionalExtension;

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
-- Lists are served from memory now; the index on seq only cost a page write per change.
DROP INDEX IF EXISTS docs_by_seq;
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
    metering: broadcast::Sender<Change>,
    functions: broadcast::Sender<Change>,
}

struct Inner {
    conn: Connection,
    /// Next sequence number; allocated in memory under the lock, persisted with each row.
    next_seq: i64,
    docs: Docs,
}

impl SqliteStore {
    pub fn open(data_dir: &Path) -> Result<SqliteStore, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::backend(format!(
                "cannot create data dir {}: {e}",
                data_dir.display()
            ))
        })?;
        let conn = Connection::open(data_dir.join("portico.sqlite3"))?;
        // One process owns the file: an exclusive lock spares a pair of fcntl calls per
        // transaction and lets WAL run without the shared-memory index, a second Portico
        // pointed at the same data dir fails instead of interleaving writes, and the memory
        // copy of the documents can never go stale.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Every statement Portico runs stays prepared (the default cache of 16 thrashes).
        conn.set_prepared_statement_cache_capacity(128);
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(SCHEMA)?;
        let (docs, max_seq) = load(&conn)?;
        let (changes, _) = broadcast::channel(1024);
        let (metering, _) = broadcast::channel(1024);
        let (functions, _) = broadcast::channel(1024);
        Ok(SqliteStore {
            inner: Mutex::new(Inner {
                conn,
                next_seq: max_seq + 1,
                docs,
            }),
            changes,
            metering,
            functions,
        })
    }

    fn announce_metering(&self, tenant: &Tenant) {
        // Nobody listening is fine: the data plane may not be running (tests).
        let _ = self.metering.send(Change::Metering {
            tenant: tenant.clone(),
        });
    }
}

/// Kinds whose change alters how a function runs (the Lambda host caches them).
fn is_function_kind(k: &str) -> bool {
    k == kind::LAMBDA_FUNCTION || k == kind::LAMBDA_VERSION || k == kind::LAMBDA_ALIAS
}

/// Kinds the data plane's domain index is built from (`Change::DomainNames`).
fn is_domain_kind(k: &str) -> bool {
    k == kind::DOMAIN_NAME || k == kind::BASE_PATH_MAPPING || k == kind::ROUTING_RULE
}

/// Read every document into memory; also the highest sequence number in use.
fn load(conn: &Connection) -> Result<(Docs, i64), StoreError> {
    let mut docs = Docs::default();
    let mut max_seq = 0;
    let mut stmt = conn.prepare("SELECT account, region, kind, scope, id, seq, body FROM docs")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let tenant = Tenant::from_key(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?);
        let (kind, scope, id): (String, String, String) = (r.get(2)?, r.get(3)?, r.get(4)?);
        let seq: i64 = r.get(5)?;
        let text = r.get_ref(6)?.as_str().map_err(rusqlite::Error::from)?;
        // Refusing to start beats serving without a document the user stored; the message
        // names the row so it can be restored or removed by hand.
        let body = serde_json::from_str(text).map_err(|e| {
            StoreError::document(format!(
                "the stored {kind} document {id:?} (scope {scope:?}, account {}, region {}) \
                 is not valid JSON ({e}); restore portico.sqlite3 from a backup or delete that row",
                tenant.account(),
                tenant.partition()
            ))
        })?;
        max_seq = max_seq.max(seq);
        docs.insert(
            &tenant,
            &kind,
            &scope,
            &id,
            Entry {
                seq,
                body: Arc::new(body),
            },
        );
    }
    Ok((docs, max_seq))
}

fn affects_data_plane(kind: &str) -> bool {
    matches!(kind, kind::STAGE | kind::DEPLOYMENT | kind::REST_API)
}

/// What the HTTP API registry compiles: the API (its CORS configuration), its stages,
/// deployments (the routes and integrations they froze) and authorizers.
fn affects_http_apis(kind: &str) -> bool {
    matches!(
        kind,
        kind::V2_API | kind::V2_STAGE | kind::V2_DEPLOYMENT | kind::V2_AUTHORIZER
    )
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

/// Run a parameterless statement through the statement cache. Transaction control runs on every
/// write; `execute_batch` would re-parse it each time (a visible share of a call's CPU).
/// A document's body as SQLite has it, for putting a lent document back. A row that cannot be
/// read here was read (and parsed) when the store opened, so a failure is logged and the
/// document dropped from the memory copy rather than served half-edited.
fn stored_body(
    conn: &Connection,
    tenant: &Tenant,
    kind: &str,
    scope: &str,
    id: &str,
) -> Option<Value> {
    let text: Option<String> = conn
        .prepare_cached(
            "SELECT body FROM docs WHERE account = ?1 AND region = ?2 AND kind = ?3 AND scope = ?4 AND id = ?5",
        )
        .and_then(|mut st| {
            st.query_row(
                rusqlite::params![tenant.account(), tenant.partition(), kind, scope, id],
                |r| r.get(0),
            )
            .optional()
        })
        .unwrap_or_else(|e| {
            tracing::error!(kind, id, error = %e, "cannot read back a document after a rollback");
            None
        });
    text.and_then(|t| serde_json::from_str(&t).ok())
}

fn exec_cached(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

struct SqliteTxn<'a> {
    conn: &'a Connection,
    docs: &'a mut Docs,
    next_seq: &'a mut i64,
    saved_seq: i64,
    tenant: &'a Tenant,
    /// Whether the SQLite transaction has begun: only at the first write, so reads and
    /// failed validations never reach SQLite.
    began: bool,
    /// How to take back this transaction's edits of the memory copy.
    undo: Vec<Undo>,
    /// Committed or rolled back: nothing left for `drop` to do.
    finished: bool,
    /// REST APIs whose served shape may have changed in this transaction.
    touched: BTreeSet<String>,
    /// `apigatewayv2` APIs whose served shape may have changed in this transaction.
    touched_v2: BTreeSet<String>,
    /// Whether this transaction wrote something the metering layer indexes.
    metering: bool,
    /// A VPC link was written or deleted.
    vpc_links: bool,
    /// A custom domain name or one of its base path mappings was written or deleted.
    domain_names: bool,
    functions: bool,
}

impl SqliteTxn<'_> {
    /// Remember how to undo an edit of the memory copy (`prev`: the document it replaced or
    /// removed), and note who must hear of the change.
    fn record(&mut self, kind: &str, scope: &str, id: &str, prev: Option<Entry>) {
        self.undo.push(Undo::Doc {
            kind: kind.to_string(),
            scope: scope.to_string(),
            id: id.to_string(),
            prev,
        });
        self.touch(kind, scope, id);
    }

    fn touch(&mut self, kind: &str, scope: &str, id: &str) {
        self.metering |= affects_metering(kind);
        self.vpc_links |= kind == kind::VPC_LINK;
        self.domain_names |= is_domain_kind(kind);
        self.functions |= is_function_kind(kind);
        if affects_data_plane(kind) {
            let api = if kind == kind::REST_API { id } else { scope };
            self.touched.insert(api.to_string());
        }
        if affects_http_apis(kind) {
            let api = if kind == kind::V2_API { id } else { scope };
            self.touched_v2.insert(api.to_string());
        }
    }

    fn begin(&mut self) -> Result<(), StoreError> {
        if !self.began {
            exec_cached(self.conn, "BEGIN IMMEDIATE")?;
            self.began = true;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        if self.began {
            if let Err(e) = exec_cached(self.conn, "COMMIT") {
                self.rollback();
                return Err(e.into());
            }
        }
        // A document lent and never written back still has its committed body in SQLite.
        let (conn, tenant) = (self.conn, self.tenant);
        for u in &self.undo {
            if let Undo::Lent { kind, scope, id } = u {
                if self
                    .docs
                    .get(tenant, kind, scope, id)
                    .is_some_and(cache::is_lent)
                {
                    self.docs.reload(tenant, kind, scope, id, &mut |k, s, i| {
                        stored_body(conn, tenant, k, s, i)
                    });
                }
            }
        }
        self.finished = true;
        Ok(())
    }

    fn rollback(&mut self) {
        if self.began {
            let _ = exec_cached(self.conn, "ROLLBACK");
        }
        let (conn, tenant) = (self.conn, self.tenant);
        self.docs
            .undo(tenant, std::mem::take(&mut self.undo), &mut |k, s, i| {
                stored_body(conn, tenant, k, s, i)
            });
        *self.next_seq = self.saved_seq;
        self.finished = true;
    }
}

impl Drop for SqliteTxn<'_> {
    /// A panic inside a transaction must not leave SQLite mid-transaction or the memory copy
    /// half edited.
    fn drop(&mut self) {
        if !self.finished {
            self.rollback();
        }
    }
}

impl Txn for SqliteTxn<'_> {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        Ok(self
            .docs
            .get(self.tenant, kind, scope, id)
            .map(|e| (*e.body).clone()))
    }

    /// The memory copy's own document, without copying it, unless a reader holds it too.
    /// Until it is written back, the entry holds a placeholder; if the transaction does not
    /// commit (or commits without writing it), the body is read back from SQLite.
    fn lend(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        let Some(entry) = self.docs.get_mut(self.tenant, kind, scope, id) else {
            return Ok(None);
        };
        if cache::is_lent(entry) {
            return Err(StoreError::misuse(format!(
                "document {kind} {id} lent twice in one transaction"
            )));
        }
        if Arc::strong_count(&entry.body) > 1 {
            return Ok(Some((*entry.body).clone()));
        }
        let body = std::mem::replace(&mut entry.body, cache::lent());
        self.undo.push(Undo::Lent {
            kind: kind.to_string(),
            scope: scope.to_string(),
            id: id.to_string(),
        });
        Ok(Some(Arc::try_unwrap(body).unwrap_or_else(|a| (*a).clone())))
    }

    fn get_shared(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
    ) -> Result<Option<Arc<Value>>, StoreError> {
        Ok(self
            .docs
            .get(self.tenant, kind, scope, id)
            .map(|e| e.body.clone()))
    }

    fn exists(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.docs.get(self.tenant, kind, scope, id).is_some())
    }

    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), StoreError> {
        self.put_owned(kind, scope, id, body.clone())
    }

    fn put_owned(
        &mut self,
        kind: &str,
        scope: &str,
        id: &str,
        body: Value,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(&body)
            .map_err(|e| StoreError::document(format!("cannot encode document: {e}")))?;
        self.begin()?;
        // The memory copy knows whether the row exists, so SQLite is told exactly what to do
        // (an upsert costs an extra index probe). A replaced document keeps its place in the
        // order.
        let seq = match self.docs.get(self.tenant, kind, scope, id) {
            Some(e) => {
                let mut stmt = self.conn.prepare_cached(
                    "UPDATE docs SET body=?6 WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4 AND id=?5",
                )?;
                let t = self.tenant;
                stmt.execute(params![t.account(), t.partition(), kind, scope, id, text])?;
                e.seq
            }
            None => {
                let seq = *self.next_seq;
                let mut stmt = self.conn.prepare_cached(
                    "INSERT INTO docs (account, region, kind, scope, id, seq, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                let t = self.tenant;
                stmt.execute(params![
                    t.account(),
                    t.partition(),
                    kind,
                    scope,
                    id,
                    seq,
                    text
                ])?;
                *self.next_seq += 1;
                seq
            }
        };
        let entry = Entry {
            seq,
            body: Arc::new(body),
        };
        let prev = self.docs.insert(self.tenant, kind, scope, id, entry);
        self.record(kind, scope, id, prev);
        Ok(())
    }

    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        if self.docs.get(self.tenant, kind, scope, id).is_none() {
            return Ok(false);
        }
        self.begin()?;
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM docs WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4 AND id=?5",
        )?;
        stmt.execute(params![
            self.tenant.account(),
            self.tenant.partition(),
            kind,
            scope,
            id
        ])?;
        let prev = self.docs.remove(self.tenant, kind, scope, id);
        self.record(kind, scope, id, prev);
        Ok(true)
    }

    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        Ok(self
            .list_shared(kind, scope, after_seq, limit)?
            .into_iter()
            .map(|d| Doc {
                seq: d.seq,
                id: d.id,
                body: (*d.body).clone(),
            })
            .collect())
    }

    fn list_shared(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<SharedDoc>, StoreError> {
        let Some(coll) = self.docs.collection(self.tenant, kind, scope) else {
            return Ok(Vec::new());
        };
        Ok(coll
            .after(after_seq)
            .take(limit)
            .map(|(id, e)| SharedDoc {
                seq: e.seq,
                id: id.to_string(),
                body: e.body.clone(),
            })
            .collect())
    }

    fn delete_scope(&mut self, scope: &str) -> Result<(), StoreError> {
        self.touched.insert(scope.to_string());
        self.touched_v2.insert(scope.to_string());
        let kinds = self.docs.kinds_in(self.tenant, scope);
        if kinds.is_empty() {
            return Ok(());
        }
        self.begin()?;
        // One statement per kind so each deletes along the primary key.
        let mut stmt = self.conn.prepare_cached(
            "DELETE FROM docs WHERE account=?1 AND region=?2 AND kind=?3 AND scope=?4",
        )?;
        for k in &kinds {
            stmt.execute(params![
                self.tenant.account(),
                self.tenant.partition(),
                k,
                scope
            ])?;
        }
        let prev = self.docs.take_scope(self.tenant, scope);
        self.metering |= kinds.iter().any(|k| affects_metering(k));
        self.domain_names |= kinds.iter().any(|k| is_domain_kind(k));
        self.functions |= kinds.iter().any(|k| is_function_kind(k));
        self.undo.push(Undo::Scope {
            scope: scope.to_string(),
            prev,
        });
        Ok(())
    }
}

impl Store for SqliteStore {
    /// A local file, and reads from memory: never the network.
    fn waits_on_network(&self) -> bool {
        false
    }

    fn transact(
        &self,
        tenant: &Tenant,
        _write: bool,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut inner = self.inner.lock();
        let Inner {
            conn,
            next_seq,
            docs,
        } = &mut *inner;
        let mut txn = SqliteTxn {
            conn,
            docs,
            saved_seq: *next_seq,
            next_seq,
            tenant,
            began: false,
            undo: Vec::new(),
            finished: false,
            touched: BTreeSet::new(),
            touched_v2: BTreeSet::new(),
            metering: false,
            vpc_links: false,
            domain_names: false,
            functions: false,
        };
        match f(&mut txn) {
            Ok(()) => txn.commit()?,
            Err(e) => {
                txn.rollback();
                return Err(e);
            }
        }
        let touched = std::mem::take(&mut txn.touched);
        let touched_v2 = std::mem::take(&mut txn.touched_v2);
        let metering = txn.metering;
        let vpc_links = txn.vpc_links;
        let domain_names = txn.domain_names;
        let functions = txn.functions;
        drop(txn);
        drop(inner);
        for rest_api_id in touched {
            // Nobody listening is fine: the data plane may not be running (tests).
            let _ = self.changes.send(Change::RestApi {
                tenant: tenant.clone(),
                rest_api_id,
            });
        }
        for api_id in touched_v2 {
            let _ = self.changes.send(Change::HttpApi {
                tenant: tenant.clone(),
                api_id,
            });
        }
        if metering {
            self.announce_metering(tenant);
        }
        if vpc_links {
            let _ = self.changes.send(Change::VpcLinks {
                tenant: tenant.clone(),
            });
        }
        if domain_names {
            let _ = self.changes.send(Change::DomainNames {
                tenant: tenant.clone(),
            });
        }
        if functions {
            let _ = self.functions.send(Change::Functions {
                tenant: tenant.clone(),
            });
        }
        Ok(())
    }

    fn scan(&self, kind: &str) -> Result<Vec<(Tenant, String, Doc)>, StoreError> {
        let inner = self.inner.lock();
        Ok(inner
            .docs
            .scan(kind)
            .into_iter()
            .map(|(tenant, scope, id, e)| {
                (
                    tenant.clone(),
                    scope.to_string(),
                    Doc {
                        seq: e.seq,
                        id: id.to_string(),
                        body: (*e.body).clone(),
                    },
                )
            })
            .collect())
    }

    fn wipe(&self) -> Result<(), StoreError> {
        let mut inner = self.inner.lock();
        let mut served: BTreeSet<(Tenant, String)> = BTreeSet::new();
        for k in [kind::REST_API, kind::STAGE, kind::DEPLOYMENT] {
            for (tenant, scope, id, _) in inner.docs.scan(k) {
                let api = if k == kind::REST_API { id } else { scope };
                served.insert((tenant.clone(), api.to_string()));
            }
        }
        let mut served_v2: BTreeSet<(Tenant, String)> = BTreeSet::new();
        for (tenant, _, id, _) in inner.docs.scan(kind::V2_API) {
            served_v2.insert((tenant.clone(), id.to_string()));
        }
        let linked: BTreeSet<Tenant> = inner
            .docs
            .scan(kind::VPC_LINK)
            .into_iter()
            .map(|(tenant, ..)| tenant.clone())
            .collect();
        let named: BTreeSet<Tenant> = [
            kind::DOMAIN_NAME,
            kind::BASE_PATH_MAPPING,
            kind::ROUTING_RULE,
        ]
        .into_iter()
        .flat_map(|k| inner.docs.scan(k))
        .map(|(tenant, ..)| tenant.clone())
        .collect();
        let functions: BTreeSet<Tenant> = [
            kind::LAMBDA_FUNCTION,
            kind::LAMBDA_VERSION,
            kind::LAMBDA_ALIAS,
        ]
        .into_iter()
        .flat_map(|k| inner.docs.scan(k))
        .map(|(tenant, ..)| tenant.clone())
        .collect();
        let mut metered: BTreeSet<Tenant> = inner.docs.tenants().cloned().collect();
        metered.extend(counters::tenants(&inner.conn)?);
        inner.conn.execute_batch(
            "DELETE FROM docs; DELETE FROM usage_counts; DELETE FROM quota_adjustments;",
        )?;
        inner.docs.clear();
        drop(inner);
        for (tenant, rest_api_id) in served {
            let _ = self.changes.send(Change::RestApi {
                tenant,
                rest_api_id,
            });
        }
        for (tenant, api_id) in served_v2 {
            let _ = self.changes.send(Change::HttpApi { tenant, api_id });
        }
        for tenant in metered {
            self.announce_metering(&tenant);
        }
        for tenant in linked {
            let _ = self.changes.send(Change::VpcLinks { tenant });
        }
        for tenant in named {
            let _ = self.changes.send(Change::DomainNames { tenant });
        }
        for tenant in functions {
            let _ = self.functions.send(Change::Functions { tenant });
        }
        Ok(())
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Change> {
        match topic {
            Topic::Serving => self.changes.subscribe(),
            Topic::Metering => self.metering.subscribe(),
            Topic::Functions => self.functions.subscribe(),
        }
    }

    fn add_usage(&self, increments: &[UsageIncrement]) -> Result<(), StoreError> {
        if increments.is_empty() {
            return Ok(());
        }
        counters::add(&self.inner.lock().conn, increments)
    }

    fn usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<UsageRow>, StoreError> {
        counters::usage(&self.inner.lock().conn, tenant, plan_id, key_id, from, to)
    }

    fn set_quota_adjustment(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        period_start: &str,
        adjustment: i64,
    ) -> Result<(), StoreError> {
        counters::set_adjustment(
            &self.inner.lock().conn,
            tenant,
            plan_id,
            key_id,
            period_start,
            adjustment,
        )?;
        self.announce_metering(tenant);
        Ok(())
    }

    fn quota_adjustments(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        counters::adjustments(&self.inner.lock().conn, tenant, plan_id, key_id)
    }

    fn delete_usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<(), StoreError> {
        counters::delete(&self.inner.lock().conn, tenant, plan_id, key_id)?;
        self.announce_metering(tenant);
        Ok(())
    }
}
