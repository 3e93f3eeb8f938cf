//! The cluster store: every document in PostgreSQL, shared by any number of nodes.
//!
//! Nothing is cached: every read asks the database, so a node never serves another node's
//! stale write from its management API. The data plane's compiled indexes are what stays in
//! memory, rebuilt from the announcements [`propagate`] carries between nodes.
//!
//! Threads: the `Store` interface is blocking (callers on a connection's worker go through
//! `offload`, which moves the call to tokio's blocking pool because [`Store::waits_on_network`]
//! says yes). The pool's connections and the change listener live on a runtime of the store's
//! own (one thread): a blocking call hands its query to that runtime and waits on a channel.
//! This works from any thread — the blocking pool, a test without a runtime, startup code
//! inside an async function — where `Handle::block_on` would panic inside an async context,
//! and it keeps the connections' I/O independent of the gateway's per-worker runtimes.
//!
//! Semantics kept from the embedded store:
//! - write transactions of one tenant are serialized (a transaction-scoped advisory lock on
//!   the tenant, taken at `BEGIN`), and each statement after it sees every earlier commit
//!   (READ COMMITTED), so a check-then-write inside a transaction holds as on SQLite; tenants
//!   never share state, so different tenants' writes run in parallel;
//! - read transactions see one snapshot (REPEATABLE READ);
//! - a replaced document keeps its sequence number (`ON CONFLICT DO UPDATE` leaves `seq`);
//!   new ones take the next value of one database-wide sequence, so lists page in insertion
//!   order on every node;
//! - durable once `Ok`: the commit has returned.

mod propagate;
mod schema;
#[cfg(test)]
mod tests;
mod tls;

use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use serde_json::Value;
use tokio::sync::broadcast;

use self::propagate::Shared;
use crate::touched::Touched;
use crate::{
    Change, Doc, SqliteExport, Store, StoreError, StoreHealth, Tenant, Topic, Txn, UsageIncrement,
    UsageRow,
};

/// Advisory lock classes (the first key of the two-key form), so Portico's locks never collide
/// with another application's in the same database.
const TENANT_LOCK: i32 = 1886611301;
const CHANGE_LOCK: i64 = 1886611302;

/// Tunables; the defaults suit a node of a small cluster.
#[derive(Debug, Clone)]
pub struct PgStoreOptions {
    /// Connections in the pool, at most (plus one for the change listener).
    pub max_connections: usize,
    /// How often a node reads the change table even without a notice (the safety net).
    pub poll_interval: Duration,
    /// How long change rows are kept for nodes that were away.
    pub retention: Duration,
    /// How long a call waits for the database to come back (a restart) before failing.
    pub reconnect_within: Duration,
    /// PEM certificates of a private CA that signed the server's certificate (`database_ca_file`),
    /// trusted besides the web's roots when the connection uses TLS.
    pub ca_pem: Option<Vec<u8>>,
}

impl Default for PgStoreOptions {
    fn default() -> Self {
        PgStoreOptions {
            max_connections: 10,
            poll_interval: Duration::from_millis(500),
            retention: Duration::from_secs(3600),
            reconnect_within: Duration::from_secs(10),
            ca_pem: None,
        }
    }
}

pub struct PgStore {
    runtime: Option<tokio::runtime::Runtime>,
    handle: tokio::runtime::Handle,
    pool: Pool,
    shared: Arc<Shared>,
    options: PgStoreOptions,
    schema_version: i32,
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            match userinfo.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &userinfo[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

impl PgStore {
    /// Connect, bring the schema up to date (or refuse a newer one) and start following other
    /// nodes' changes.
    pub fn open(url: &str, options: PgStoreOptions) -> Result<PgStore, StoreError> {
        let shown = redact(url);
        let mut config = tokio_postgres::Config::from_str(url)
            .map_err(|e| StoreError::backend(format!("invalid database URL {shown}: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        if config.get_application_name().is_none() {
            config.application_name("portico");
        }
        tls::default_ssl_mode(url, &mut config);
        let tls = tls::MakeRustls::new(options.ca_pem.as_deref())?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("portico-pg")
            .enable_all()
            .build()
            .map_err(|e| {
                StoreError::backend(format!("cannot start the PostgreSQL runtime: {e}"))
            })?;
        let handle = runtime.handle().clone();
        let manager = Manager::from_config(
            config.clone(),
            tls.clone(),
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.max_connections.max(1))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .wait_timeout(Some(options.reconnect_within))
            .create_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| StoreError::backend(format!("cannot build the connection pool: {e}")))?;
        let node = format!(
            "{}-{}-{:x}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
            Arc::as_ptr(&Arc::new(0u8)) as usize
        );
        let mut store = PgStore {
            runtime: Some(runtime),
            handle,
            pool,
            shared: Arc::new(Shared::new(node)),
            options,
            schema_version: 0,
        };
        let migrate_config = config.clone();
        let migrate_tls = tls.clone();
        let shown2 = shown.clone();
        let (version, high, known) = store
            .run(async move {
                let (mut client, conn) =
                    migrate_config.connect(migrate_tls).await.map_err(|e| {
                        StoreError::backend(format!(
                            "cannot reach PostgreSQL at {shown2}: {}",
                            StoreError::from(e)
                        ))
                    })?;
                let driver = tokio::spawn(conn);
                let version = schema::migrate(&mut client, &shown2).await?;
                let high = propagate::high_water(&client).await?;
                let known = propagate::everything(&client).await?;
                drop(client);
                let _ = driver.await;
                Ok((version, high, known))
            })
            .map_err(|e| match e {
                StoreError::Backend(m) if !m.contains(&shown) => {
                    StoreError::Backend(format!("{m} (database {shown})"))
                }
                other => other,
            })?;
        store.schema_version = version;
        store.shared.applied.store(high, Ordering::Release);
        store.shared.known.lock().extend(known);
        store.handle.spawn(propagate::listen(
            store.shared.clone(),
            config,
            tls,
            store.options.poll_interval,
            store.options.retention,
        ));
        // A node follows the others before it serves: wait (briefly) for the listener's
        // LISTEN, so nothing committed after this returns can be missed or reported late.
        let until = Instant::now() + Duration::from_secs(5);
        while !store.shared.listening.load(Ordering::Acquire) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(2));
        }
        Ok(store)
    }

    /// The schema version the database is at.
    pub fn schema_version(&self) -> i32 {
        self.schema_version
    }

    /// The last change row this node has applied (tests wait on it).
    pub fn applied_change(&self) -> i64 {
        self.shared.applied.load(Ordering::Acquire)
    }

    /// Run `fut` on the store's runtime and wait for it on this thread.
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.handle.spawn(async move {
            let _ = tx.send(fut.await);
        });
        rx.recv()
            .unwrap_or_else(|_| Err(StoreError::backend("the PostgreSQL client runtime stopped")))
    }

    /// A pooled connection with `begin` run on it. A connection the database closed (a
    /// restart) is thrown away and another tried, and an unreachable database is retried,
    /// until `reconnect_within` has passed.
    fn begin(&self, begin: String) -> Result<Arc<Object>, StoreError> {
        let pool = self.pool.clone();
        let within = self.options.reconnect_within;
        let result = self.run(async move {
            let until = Instant::now() + within;
            loop {
                let err: StoreError = match pool.get().await {
                    Ok(client) => match client.batch_execute(&begin).await {
                        Ok(()) => return Ok(Arc::new(client)),
                        Err(e) => {
                            let lost = client.is_closed() || connection_lost(&e);
                            let err = StoreError::from(e);
                            // Never back into the pool: it may be dead or mid-transaction.
                            drop(Object::take(client));
                            if !lost {
                                return Err(err);
                            }
                            err
                        }
                    },
                    Err(e) => StoreError::backend(format!("cannot get a database connection: {e}")),
                };
                if Instant::now() >= until {
                    return Err(err);
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        match &result {
            Ok(_) => self.shared.up(),
            Err(e) => self.shared.down(e),
        }
        result
    }

    /// Run `sql` steps on their own transaction (the usage counters' calls).
    fn simple<T: Send + 'static, F, Fut>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(Arc<Object>) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        let client = self.begin("BEGIN".into())?;
        let c = client.clone();
        let result = self.run(async move {
            match f(c.clone()).await {
                Ok(v) => {
                    c.batch_execute("COMMIT").await?;
                    Ok(v)
                }
                Err(e) => {
                    let _ = c.batch_execute("ROLLBACK").await;
                    Err(e)
                }
            }
        });
        if result.is_err() {
            discard(client);
        }
        result
    }

    /// Commit on `client`, recording `changes` for the other nodes first, then announce them
    /// here.
    fn commit(&self, client: Arc<Object>, changes: Vec<Change>) -> Result<(), StoreError> {
        let body = (!changes.is_empty()).then(|| propagate::encode(&changes));
        let node = self.shared.node.clone();
        let c = client.clone();
        let done = self.run(async move {
            if let Some(body) = body {
                c.batch_execute(&format!("SELECT pg_advisory_xact_lock({CHANGE_LOCK})"))
                    .await?;
                let st = c
                    .prepare_cached(
                        "WITH c AS (INSERT INTO changes (node, body) VALUES ($1, $2) RETURNING seq)
                         SELECT pg_notify('portico_changes', (SELECT seq FROM c)::text)",
                    )
                    .await?;
                c.query(&st, &[&node, &body]).await?;
            }
            c.batch_execute("COMMIT").await?;
            Ok(())
        });
        if done.is_err() {
            discard(client);
            return done;
        }
        self.shared.announce(changes);
        Ok(())
    }

    /// Copy everything a SQLite data dir holds into this database (`portico migrate`).
    /// Idempotent: documents, counts and adjustments are upserted with their source values
    /// (a count is set, not added), so a second run leaves the same state. Documents keep
    /// their sequence numbers, hence their order; the database's sequence moves past them.
    /// Running nodes hear of every copied document.
    pub fn import(&self, export: SqliteExport) -> Result<ImportCounts, StoreError> {
        let counts = ImportCounts {
            documents: export.docs.len(),
            usage_rows: export.usage.len(),
            quota_adjustments: export.adjustments.len(),
        };
        let mut touched: std::collections::BTreeMap<Tenant, Touched> = Default::default();
        for (tenant, kind, scope, doc) in &export.docs {
            touched
                .entry(tenant.clone())
                .or_default()
                .touch(kind, scope, &doc.id);
        }
        let client = self.begin("BEGIN".into())?;
        let c = client.clone();
        let copied = self.run(async move {
            let put = c
                .prepare_cached(
                    "INSERT INTO docs (account, region, kind, scope, id, seq, body)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (account, region, kind, scope, id)
                     DO UPDATE SET seq = excluded.seq, body = excluded.body",
                )
                .await?;
            for (tenant, kind, scope, doc) in &export.docs {
                let body = doc.body.to_string();
                c.execute(
                    &put,
                    &[
                        &tenant.account(),
                        &tenant.partition().as_ref(),
                        kind,
                        scope,
                        &doc.id,
                        &doc.seq,
                        &body,
                    ],
                )
                .await?;
            }
            c.batch_execute(
                "SELECT setval('portico_doc_seq', GREATEST((SELECT coalesce(max(seq), 1) FROM docs), \
                 (SELECT last_value FROM portico_doc_seq)))",
            )
            .await?;
            let used = c
                .prepare_cached(
                    "INSERT INTO usage_counts (account, region, plan_id, key_id, day, used)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = excluded.used",
                )
                .await?;
            for (tenant, plan, row) in &export.usage {
                c.execute(
                    &used,
                    &[
                        &tenant.account(),
                        &tenant.partition().as_ref(),
                        plan,
                        &row.key_id,
                        &row.day,
                        &row.used,
                    ],
                )
                .await?;
            }
            let adj = c
                .prepare_cached(
                    "INSERT INTO quota_adjustments (account, region, plan_id, key_id, period_start, adjustment)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, region, plan_id, key_id, period_start) DO UPDATE SET adjustment = excluded.adjustment",
                )
                .await?;
            for (tenant, plan, key, period, adjustment) in &export.adjustments {
                c.execute(
                    &adj,
                    &[
                        &tenant.account(),
                        &tenant.partition().as_ref(),
                        plan,
                        key,
                        period,
                        adjustment,
                    ],
                )
                .await?;
            }
            Ok(())
        });
        if let Err(e) = copied {
            discard(client);
            return Err(e);
        }
        let changes: Vec<Change> = touched
            .into_iter()
            .flat_map(|(tenant, t)| t.into_changes(&tenant))
            .collect();
        self.commit(client, changes)?;
        Ok(counts)
    }

    fn metering_change(&self, tenant: &Tenant) -> Vec<Change> {
        vec![Change::Metering {
            tenant: tenant.clone(),
        }]
    }
}

/// What [`PgStore::import`] copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCounts {
    pub documents: usize,
    pub usage_rows: usize,
    pub quota_adjustments: usize,
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // Dropping a runtime inside an async context panics; its tasks (the listener, the
        // connections) just stop.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// Whether an error means the connection is gone (rather than the statement being wrong).
fn connection_lost(e: &tokio_postgres::Error) -> bool {
    match e.code() {
        // 08: connection exceptions; 57P01..03: the server is shutting down or restarting.
        Some(code) => {
            let c = code.code();
            c.starts_with("08") || c.starts_with("57P")
        }
        None => e.is_closed() || e.as_db_error().is_none(),
    }
}

/// Take a connection out of the pool for good (its transaction state is unknown).
fn discard(client: Arc<Object>) {
    if let Ok(obj) = Arc::try_unwrap(client) {
        drop(Object::take(obj));
    }
}

/// A stable 32-bit hash of a tenant, for its advisory lock (FNV-1a: the same on every node).
fn tenant_lock_key(tenant: &Tenant) -> i32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in tenant
        .account()
        .bytes()
        .chain([0u8])
        .chain(tenant.partition().bytes())
    {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h as i32
}

/// PostgreSQL's text cannot hold a NUL character, so no stored key has one (SQLite's can, but
/// a caller never stores one: identifiers are generated or validated). A lookup by such a key
/// finds nothing, as on SQLite; storing one is refused.
fn nul(parts: &[&str]) -> bool {
    parts.iter().any(|p| p.contains('\0'))
}

fn parse_body(text: &str, kind: &str, id: &str) -> Result<Value, StoreError> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::document(format!(
            "the stored {kind} document {id:?} is not valid JSON ({e})"
        ))
    })
}

struct PgTxn<'a> {
    store: &'a PgStore,
    client: Option<Arc<Object>>,
    account: String,
    region: String,
    touched: Touched,
}

impl PgTxn<'_> {
    fn client(&self) -> Result<Arc<Object>, StoreError> {
        self.client
            .clone()
            .ok_or_else(|| StoreError::misuse("transaction used after it finished"))
    }

    fn key(&self, kind: &str, scope: &str) -> (String, String, String, String) {
        (
            self.account.clone(),
            self.region.clone(),
            kind.to_string(),
            scope.to_string(),
        )
    }
}

impl Drop for PgTxn<'_> {
    /// A panic inside a transaction: the connection's transaction is left open, so the
    /// connection goes (the database rolls back when it closes).
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            discard(c);
        }
    }
}

impl Txn for PgTxn<'_> {
    fn get(&mut self, kind: &str, scope: &str, id: &str) -> Result<Option<Value>, StoreError> {
        if nul(&[kind, scope, id]) {
            return Ok(None);
        }
        let c = self.client()?;
        let (a, r, k, s) = self.key(kind, scope);
        let i = id.to_string();
        let text: Option<String> = self.store.run(async move {
            let st = c
                .prepare_cached(
                    "SELECT body FROM docs WHERE account=$1 AND region=$2 AND kind=$3 AND scope=$4 AND id=$5",
                )
                .await?;
            Ok(c.query_opt(&st, &[&a, &r, &k, &s, &i])
                .await?
                .map(|row| row.get(0)))
        })?;
        text.map(|t| parse_body(&t, kind, id)).transpose()
    }

    fn exists(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        if nul(&[kind, scope, id]) {
            return Ok(false);
        }
        let c = self.client()?;
        let (a, r, k, s) = self.key(kind, scope);
        let i = id.to_string();
        self.store.run(async move {
            let st = c
                .prepare_cached(
                    "SELECT 1 FROM docs WHERE account=$1 AND region=$2 AND kind=$3 AND scope=$4 AND id=$5",
                )
                .await?;
            Ok(c.query_opt(&st, &[&a, &r, &k, &s, &i]).await?.is_some())
        })
    }

    fn put(&mut self, kind: &str, scope: &str, id: &str, body: &Value) -> Result<(), StoreError> {
        if nul(&[kind, scope, id]) {
            return Err(StoreError::document(format!(
                "a {kind} identifier cannot contain a NUL character"
            )));
        }
        let text = serde_json::to_string(body)
            .map_err(|e| StoreError::document(format!("cannot encode document: {e}")))?;
        let c = self.client()?;
        let (a, r, k, s) = self.key(kind, scope);
        let i = id.to_string();
        self.store.run(async move {
            // A replaced document keeps its seq: the update leaves the column alone.
            let st = c
                .prepare_cached(
                    "INSERT INTO docs (account, region, kind, scope, id, body) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, region, kind, scope, id) DO UPDATE SET body = excluded.body",
                )
                .await?;
            c.execute(&st, &[&a, &r, &k, &s, &i, &text]).await?;
            Ok(())
        })?;
        self.touched.touch(kind, scope, id);
        Ok(())
    }

    fn delete(&mut self, kind: &str, scope: &str, id: &str) -> Result<bool, StoreError> {
        if nul(&[kind, scope, id]) {
            return Ok(false);
        }
        let c = self.client()?;
        let (a, r, k, s) = self.key(kind, scope);
        let i = id.to_string();
        let n = self.store.run(async move {
            let st = c
                .prepare_cached(
                    "DELETE FROM docs WHERE account=$1 AND region=$2 AND kind=$3 AND scope=$4 AND id=$5",
                )
                .await?;
            Ok(c.execute(&st, &[&a, &r, &k, &s, &i]).await?)
        })?;
        if n > 0 {
            self.touched.touch(kind, scope, id);
        }
        Ok(n > 0)
    }

    fn list(
        &mut self,
        kind: &str,
        scope: &str,
        after_seq: i64,
        limit: usize,
    ) -> Result<Vec<Doc>, StoreError> {
        if nul(&[kind, scope]) {
            return Ok(Vec::new());
        }
        let c = self.client()?;
        let (a, r, k, s) = self.key(kind, scope);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, String)> = self.store.run(async move {
            let st = c
                .prepare_cached(
                    "SELECT seq, id, body FROM docs WHERE account=$1 AND region=$2 AND kind=$3 AND scope=$4
                     AND seq > $5 ORDER BY seq LIMIT $6",
                )
                .await?;
            Ok(c.query(&st, &[&a, &r, &k, &s, &after_seq, &limit])
                .await?
                .into_iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect())
        })?;
        rows.into_iter()
            .map(|(seq, id, text)| {
                let body = parse_body(&text, kind, &id)?;
                Ok(Doc { seq, id, body })
            })
            .collect()
    }

    fn delete_scope(&mut self, scope: &str) -> Result<(), StoreError> {
        if nul(&[scope]) {
            return Ok(());
        }
        let c = self.client()?;
        let (a, r, _, s) = self.key("", scope);
        let kinds: Vec<String> = self.store.run(async move {
            let st = c
                .prepare_cached(
                    "DELETE FROM docs WHERE account=$1 AND region=$2 AND scope=$3 RETURNING kind",
                )
                .await?;
            Ok(c.query(&st, &[&a, &r, &s])
                .await?
                .into_iter()
                .map(|row| row.get(0))
                .collect())
        })?;
        self.touched
            .scope_deleted(scope, kinds.iter().map(String::as_str));
        Ok(())
    }
}

impl Store for PgStore {
    fn transact(
        &self,
        tenant: &Tenant,
        write: bool,
        f: &mut dyn FnMut(&mut dyn Txn) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let begin = if write {
            format!(
                "BEGIN; SELECT pg_advisory_xact_lock({TENANT_LOCK}, {})",
                tenant_lock_key(tenant)
            )
        } else {
            "BEGIN ISOLATION LEVEL REPEATABLE READ".to_string()
        };
        let client = self.begin(begin)?;
        let mut txn = PgTxn {
            store: self,
            client: Some(client),

            account: tenant.account().to_string(),
            region: tenant.partition().into_owned(),
            touched: Touched::default(),
        };
        let outcome = f(&mut txn);
        let client = txn.client.take().expect("the transaction's connection");
        let touched = std::mem::take(&mut txn.touched);
        drop(txn);
        match outcome {
            Ok(()) => self.commit(client, touched.into_changes(tenant)),
            Err(e) => {
                let c = client.clone();
                let rolled = self.run(async move { Ok(c.batch_execute("ROLLBACK").await?) });
                if rolled.is_err() {
                    discard(client);
                }
                Err(e)
            }
        }
    }

    fn scan(&self, kind: &str) -> Result<Vec<(Tenant, String, Doc)>, StoreError> {
        if nul(&[kind]) {
            return Ok(Vec::new());
        }
        let k = kind.to_string();
        let rows: Vec<(String, String, String, i64, String, String)> = self.simple(move |c| async move {
            let st = c
                .prepare_cached(
                    "SELECT account, region, scope, seq, id, body FROM docs WHERE kind=$1 ORDER BY seq",
                )
                .await?;
            Ok(c.query(&st, &[&k])
                .await?
                .into_iter()
                .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5)))
                .collect())
        })?;
        rows.into_iter()
            .map(|(account, region, scope, seq, id, text)| {
                let body = parse_body(&text, kind, &id)?;
                Ok((
                    Tenant::from_key(&account, &region),
                    scope,
                    Doc { seq, id, body },
                ))
            })
            .collect()
    }

    fn wipe(&self) -> Result<(), StoreError> {
        let client = self.begin("BEGIN".into())?;
        let c = client.clone();
        let changes = self.run(async move {
            // What the deletes returned is exactly what was wiped, whatever committed meanwhile.
            let docs = c
                .query(
                    "DELETE FROM docs RETURNING account, region, kind, scope, id",
                    &[],
                )
                .await?;
            let counted = c
                .query("DELETE FROM usage_counts RETURNING account, region", &[])
                .await?;
            c.batch_execute("DELETE FROM quota_adjustments").await?;
            let mut by_tenant: std::collections::BTreeMap<Tenant, Touched> = Default::default();
            for r in &docs {
                let t = by_tenant
                    .entry(Tenant::from_key(r.get(0), r.get(1)))
                    .or_default();
                t.touch(r.get(2), r.get(3), r.get(4));
                t.metering = true;
            }
            for r in &counted {
                by_tenant
                    .entry(Tenant::from_key(r.get(0), r.get(1)))
                    .or_default()
                    .metering = true;
            }
            Ok(by_tenant
                .into_iter()
                .flat_map(|(tenant, t)| t.into_changes(&tenant))
                .collect::<Vec<_>>())
        });
        match changes {
            Ok(changes) => self.commit(client, changes),
            Err(e) => {
                discard(client);
                Err(e)
            }
        }
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Change> {
        self.shared.channels.subscribe(topic)
    }

    fn health(&self) -> StoreHealth {
        let reachable = self.shared.reachable.load(Ordering::Relaxed);
        let listening = self.shared.listening.load(Ordering::Relaxed);
        StoreHealth {
            kind: "postgresql",
            reachable: reachable && listening,
            detail: if reachable && listening {
                None
            } else if !listening && reachable {
                Some("the change listener is reconnecting".into())
            } else {
                self.shared.last_error.lock().clone()
            },
        }
    }

    fn metrics_text(&self) -> String {
        let s = &self.shared;
        let status = self.pool.status();
        let in_use = status.size.saturating_sub(status.available);
        let secs = |us: u64| us as f64 / 1e6;
        format!(
            "# HELP portico_store_up Whether the database answered the last call (1) or not (0).\n\
             # TYPE portico_store_up gauge\n\
             portico_store_up {}\n\
             # HELP portico_store_pool_connections Pooled database connections by state.\n\
             # TYPE portico_store_pool_connections gauge\n\
             portico_store_pool_connections{{state=\"idle\"}} {}\n\
             portico_store_pool_connections{{state=\"in_use\"}} {}\n\
             # HELP portico_store_pool_max Connections the pool may open.\n\
             # TYPE portico_store_pool_max gauge\n\
             portico_store_pool_max {}\n\
             # HELP portico_store_pool_waiting Calls waiting for a connection.\n\
             # TYPE portico_store_pool_waiting gauge\n\
             portico_store_pool_waiting {}\n\
             # HELP portico_store_change_seq The last change row this node has applied.\n\
             # TYPE portico_store_change_seq gauge\n\
             portico_store_change_seq {}\n\
             # HELP portico_store_remote_changes_total Changes committed by other nodes and applied here.\n\
             # TYPE portico_store_remote_changes_total counter\n\
             portico_store_remote_changes_total {}\n\
             # HELP portico_store_propagation_lag_seconds From another node's commit to this node reading it: the last one.\n\
             # TYPE portico_store_propagation_lag_seconds gauge\n\
             portico_store_propagation_lag_seconds {}\n\
             # HELP portico_store_propagation_lag_max_seconds The largest propagation lag seen.\n\
             # TYPE portico_store_propagation_lag_max_seconds gauge\n\
             portico_store_propagation_lag_max_seconds {}\n\
             # HELP portico_store_listener_reconnects_total Times the change listener reconnected.\n\
             # TYPE portico_store_listener_reconnects_total counter\n\
             portico_store_listener_reconnects_total {}\n\
             # HELP portico_store_resyncs_total Full rebuilds after missing pruned change rows.\n\
             # TYPE portico_store_resyncs_total counter\n\
             portico_store_resyncs_total {}\n",
            u8::from(s.reachable.load(Ordering::Relaxed)),
            status.available,
            in_use,
            status.max_size,
            status.waiting,
            s.applied.load(Ordering::Relaxed),
            s.remote_applied.load(Ordering::Relaxed),
            secs(s.last_lag_us.load(Ordering::Relaxed)),
            secs(s.max_lag_us.load(Ordering::Relaxed)),
            s.reconnects.load(Ordering::Relaxed),
            s.resyncs.load(Ordering::Relaxed),
        )
    }

    fn add_usage(&self, increments: &[UsageIncrement]) -> Result<(), StoreError> {
        if increments.is_empty() {
            return Ok(());
        }
        let incs = increments.to_vec();
        self.simple(move |c| async move {
            let st = c
                .prepare_cached(
                    "INSERT INTO usage_counts (account, region, plan_id, key_id, day, used) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = usage_counts.used + excluded.used",
                )
                .await?;
            for inc in &incs {
                c.execute(
                    &st,
                    &[
                        &inc.tenant.account(),
                        &inc.tenant.partition().as_ref(),
                        &inc.plan_id,
                        &inc.key_id,
                        &inc.day,
                        &inc.count,
                    ],
                )
                .await?;
            }
            Ok(())
        })
    }

    fn usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<UsageRow>, StoreError> {
        if nul(&[plan_id, key_id.unwrap_or(""), from, to]) {
            return Ok(Vec::new());
        }
        let (a, r) = (
            tenant.account().to_string(),
            tenant.partition().into_owned(),
        );
        let (p, k, f, t) = (
            plan_id.to_string(),
            key_id.map(str::to_string),
            from.to_string(),
            to.to_string(),
        );
        self.simple(move |c| async move {
            let st = c
                .prepare_cached(
                    "SELECT key_id, day, used FROM usage_counts
                     WHERE account=$1 AND region=$2 AND plan_id=$3 AND ($4::text IS NULL OR key_id=$4)
                     AND day >= $5 AND day <= $6 ORDER BY key_id, day",
                )
                .await?;
            Ok(c.query(&st, &[&a, &r, &p, &k, &f, &t])
                .await?
                .into_iter()
                .map(|row| UsageRow {
                    key_id: row.get(0),
                    day: row.get(1),
                    used: row.get(2),
                })
                .collect())
        })
    }

    fn set_quota_adjustment(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        period_start: &str,
        adjustment: i64,
    ) -> Result<(), StoreError> {
        let client = self.begin("BEGIN".into())?;
        let c = client.clone();
        let (a, r) = (
            tenant.account().to_string(),
            tenant.partition().into_owned(),
        );
        let (p, k, s) = (
            plan_id.to_string(),
            key_id.to_string(),
            period_start.to_string(),
        );
        let done = self.run(async move {
            let st = c
                .prepare_cached(
                    "INSERT INTO quota_adjustments (account, region, plan_id, key_id, period_start, adjustment)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (account, region, plan_id, key_id, period_start) DO UPDATE SET adjustment = excluded.adjustment",
                )
                .await?;
            c.execute(&st, &[&a, &r, &p, &k, &s, &adjustment]).await?;
            Ok(())
        });
        if let Err(e) = done {
            discard(client);
            return Err(e);
        }
        self.commit(client, self.metering_change(tenant))
    }

    fn quota_adjustments(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        if nul(&[plan_id, key_id.unwrap_or("")]) {
            return Ok(Vec::new());
        }
        let (a, r) = (
            tenant.account().to_string(),
            tenant.partition().into_owned(),
        );
        let (p, k) = (plan_id.to_string(), key_id.map(str::to_string));
        self.simple(move |c| async move {
            let st = c
                .prepare_cached(
                    "SELECT key_id, period_start, adjustment FROM quota_adjustments
                     WHERE account=$1 AND region=$2 AND plan_id=$3 AND ($4::text IS NULL OR key_id=$4)
                     ORDER BY key_id, period_start",
                )
                .await?;
            Ok(c.query(&st, &[&a, &r, &p, &k])
                .await?
                .into_iter()
                .map(|row| (row.get(0), row.get(1), row.get(2)))
                .collect())
        })
    }

    fn delete_usage(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: Option<&str>,
    ) -> Result<(), StoreError> {
        if nul(&[plan_id, key_id.unwrap_or("")]) {
            return Ok(());
        }
        let client = self.begin("BEGIN".into())?;
        let c = client.clone();
        let (a, r) = (
            tenant.account().to_string(),
            tenant.partition().into_owned(),
        );
        let (p, k) = (plan_id.to_string(), key_id.map(str::to_string));
        let done = self.run(async move {
            for table in ["usage_counts", "quota_adjustments"] {
                c.execute(
                    &format!(
                        "DELETE FROM {table} WHERE account=$1 AND region=$2 AND plan_id=$3 AND ($4::text IS NULL OR key_id=$4)"
                    ),
                    &[&a, &r, &p, &k],
                )
                .await?;
            }
            Ok(())
        });
        if let Err(e) = done {
            discard(client);
            return Err(e);
        }
        self.commit(client, self.metering_change(tenant))
    }
}
