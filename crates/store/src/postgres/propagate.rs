//! Change propagation between nodes sharing one database.
//!
//! Every write transaction that owes announcements inserts one row into `changes` (under a
//! global advisory lock held until commit, so rows become visible in `seq` order) and sends a
//! `NOTIFY` (delivered at commit). Each node holds one extra connection that `LISTEN`s; on a
//! notice, on a timer (the safety net for a lost notice) and after every reconnect it reads
//! the rows past the last one it applied and re-announces their changes on its own channels,
//! so the data plane rebuilds from a remote change exactly as from a local one. A node skips
//! its own rows: it announced them when it committed them.

use std::collections::{BTreeSet, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio_postgres::{AsyncMessage, Client};

use crate::touched::{Channels, Touched};
use crate::{Change, StoreError, Tenant};

/// The NOTIFY channel.
pub(super) const CHANNEL: &str = "portico_changes";
/// Rows read per catch-up query.
const BATCH: i64 = 500;

/// What the store and its listener share.
pub(super) struct Shared {
    pub channels: Channels,
    pub node: String,
    /// The last `changes.seq` this node has applied.
    pub applied: AtomicI64,
    /// Whether the listener's connection is up.
    pub listening: AtomicBool,
    /// Whether the last attempt to reach the database (pool or listener) worked, and why not.
    pub reachable: AtomicBool,
    pub last_error: Mutex<Option<String>>,
    /// Remote changes applied, the lag of the last one and the largest lag seen (µs, measured
    /// on the database's clock from the commit to the read, so node clocks do not matter).
    pub remote_applied: AtomicU64,
    pub last_lag_us: AtomicU64,
    pub max_lag_us: AtomicU64,
    pub resyncs: AtomicU64,
    pub reconnects: AtomicU64,
    /// Everything ever announced here, for the rebuild after missed rows (see [`resync`]).
    pub known: Mutex<HashSet<Change>>,
}

impl Shared {
    pub fn new(node: String) -> Shared {
        Shared {
            channels: Channels::new(),
            node,
            applied: AtomicI64::new(0),
            listening: AtomicBool::new(false),
            reachable: AtomicBool::new(true),
            last_error: Mutex::new(None),
            remote_applied: AtomicU64::new(0),
            last_lag_us: AtomicU64::new(0),
            max_lag_us: AtomicU64::new(0),
            resyncs: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            known: Mutex::new(HashSet::new()),
        }
    }

    pub fn announce(&self, changes: impl IntoIterator<Item = Change>) {
        let mut known = self.known.lock();
        let mut out = Vec::new();
        for c in changes {
            known.insert(c.clone());
            out.push(c);
        }
        drop(known);
        for c in out {
            self.channels.announce(c);
        }
    }

    pub fn up(&self) {
        self.reachable.store(true, Ordering::Relaxed);
    }

    pub fn down(&self, e: &StoreError) {
        self.reachable.store(false, Ordering::Relaxed);
        *self.last_error.lock() = Some(e.to_string());
    }
}

pub(super) fn encode(changes: &[Change]) -> String {
    let items: Vec<Value> = changes
        .iter()
        .map(|c| {
            let t = c.tenant();
            let (what, id) = match c {
                Change::RestApi { rest_api_id, .. } => ("restapi", rest_api_id.as_str()),
                Change::HttpApi { api_id, .. } => ("httpapi", api_id.as_str()),
                Change::Metering { .. } => ("metering", ""),
                Change::VpcLinks { .. } => ("vpclinks", ""),
                Change::DomainNames { .. } => ("domainnames", ""),
                Change::Functions { .. } => ("functions", ""),
            };
            json!([what, t.account(), t.partition(), id])
        })
        .collect();
    Value::Array(items).to_string()
}

pub(super) fn decode(text: &str) -> Result<Vec<Change>, String> {
    let items: Vec<(String, String, String, String)> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    items
        .into_iter()
        .map(|(what, account, partition, id)| {
            let tenant = Tenant::from_key(&account, &partition);
            Ok(match what.as_str() {
                "restapi" => Change::RestApi {
                    tenant,
                    rest_api_id: id,
                },
                "httpapi" => Change::HttpApi { tenant, api_id: id },
                "metering" => Change::Metering { tenant },
                "vpclinks" => Change::VpcLinks { tenant },
                "domainnames" => Change::DomainNames { tenant },
                "functions" => Change::Functions { tenant },
                other => return Err(format!("unknown change {other:?}")),
            })
        })
        .collect()
}

/// Every announcement the documents now stored could owe: what a rebuild must cover (with
/// what this node has announced before, for things deleted since).
pub(super) async fn everything(client: &Client) -> Result<Vec<Change>, StoreError> {
    let rows = client
        .query(
            "SELECT DISTINCT account, region, kind,
                    CASE WHEN kind IN ('restapi', 'v2api') THEN id ELSE scope END
             FROM docs",
            &[],
        )
        .await?;
    let mut by_tenant: std::collections::BTreeMap<Tenant, Touched> = Default::default();
    for r in rows {
        let tenant = Tenant::from_key(r.get(0), r.get(1));
        let (kind, api): (&str, &str) = (r.get(2), r.get(3));
        let t = by_tenant.entry(tenant).or_default();
        t.touch(kind, api, api);
        // Metering indexes are per tenant: any tenant with state has one.
        t.metering = true;
    }
    let usage = client
        .query("SELECT DISTINCT account, region FROM usage_counts", &[])
        .await?;
    for r in usage {
        by_tenant
            .entry(Tenant::from_key(r.get(0), r.get(1)))
            .or_default()
            .metering = true;
    }
    Ok(by_tenant
        .into_iter()
        .flat_map(|(tenant, t)| t.into_changes(&tenant))
        .collect())
}

/// The listener: forever, connect, `LISTEN`, catch up, and follow.
pub(super) async fn listen(
    shared: Arc<Shared>,
    config: tokio_postgres::Config,
    tls: super::tls::MakeRustls,
    poll: Duration,
    retention: Duration,
) {
    let mut first = true;
    loop {
        if !first {
            shared.reconnects.fetch_add(1, Ordering::Relaxed);
        }
        first = false;
        let e = follow(&shared, &config, &tls, poll, retention)
            .await
            .err()
            .unwrap_or_else(|| StoreError::backend("the listener's connection closed"));
        shared.listening.store(false, Ordering::Relaxed);
        shared.down(&e);
        tracing::warn!(error = %e, "PostgreSQL change listener lost its connection; reconnecting");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn follow(
    shared: &Shared,
    config: &tokio_postgres::Config,
    tls: &super::tls::MakeRustls,
    poll: Duration,
    retention: Duration,
) -> Result<(), StoreError> {
    let (client, mut conn) = config.connect(tls.clone()).await?;
    let (notices, mut noticed) = tokio::sync::mpsc::unbounded_channel::<()>();
    // Polling the connection for messages is also what drives its queries.
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(_))) => {
                    let _ = notices.send(());
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err::<(), _>(e),
                None => return Ok(()),
            }
        }
    });
    let result = async {
        client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
        shared.listening.store(true, Ordering::Release);
        shared.up();
        let mut tick = tokio::time::interval(poll);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_prune = tokio::time::Instant::now();
        loop {
            catch_up(shared, &client).await?;
            if last_prune.elapsed() > Duration::from_secs(60) {
                prune(&client, retention).await?;
                last_prune = tokio::time::Instant::now();
            }
            tokio::select! {
                n = noticed.recv() => {
                    if n.is_none() {
                        return Err(StoreError::backend("the listener's connection closed"));
                    }
                    while noticed.try_recv().is_ok() {}
                }
                _ = tick.tick() => {}
            }
        }
    }
    .await;
    driver.abort();
    result
}

/// Apply every change row past the last one applied.
async fn catch_up(shared: &Shared, client: &Client) -> Result<(), StoreError> {
    loop {
        let after = shared.applied.load(Ordering::Acquire);
        let rows = client
            .query(
                "SELECT seq, node, body,
                        (EXTRACT(EPOCH FROM clock_timestamp() - at) * 1000000)::bigint,
                        (SELECT through FROM changes_pruned LIMIT 1)
                 FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &BATCH],
            )
            .await?;
        let pruned: i64 = match rows.first() {
            Some(r) => r.get(4),
            None => client
                .query_one("SELECT through FROM changes_pruned LIMIT 1", &[])
                .await?
                .get(0),
        };
        if after < pruned {
            resync(shared, client).await?;
            continue;
        }
        let n = rows.len() as i64;
        for r in rows {
            let seq: i64 = r.get(0);
            let node: &str = r.get(1);
            if node != shared.node {
                match decode(r.get(2)) {
                    Ok(changes) => shared.announce(changes),
                    Err(e) => tracing::error!(seq, error = %e, "unreadable change row; skipped"),
                }
                let lag = r.get::<_, i64>(3).max(0) as u64;
                shared.last_lag_us.store(lag, Ordering::Relaxed);
                shared.max_lag_us.fetch_max(lag, Ordering::Relaxed);
                shared.remote_applied.fetch_add(1, Ordering::Relaxed);
            }
            shared.applied.store(seq, Ordering::Release);
        }
        if n < BATCH {
            return Ok(());
        }
    }
}

/// Rows this node needed were pruned (it was away longer than the retention): announce
/// everything stored now and everything it ever announced (which covers what was deleted
/// meanwhile), so every index rebuilds.
async fn resync(shared: &Shared, client: &Client) -> Result<(), StoreError> {
    let upto = high_water(client).await?;
    let mut all: BTreeSet<Change> = everything(client).await?.into_iter().collect();
    all.extend(shared.known.lock().iter().cloned());
    tracing::warn!(
        announcements = all.len(),
        "this node missed pruned change rows; rebuilding every index"
    );
    shared.resyncs.fetch_add(1, Ordering::Relaxed);
    shared.announce(all);
    shared.applied.store(upto, Ordering::Release);
    Ok(())
}

/// The highest change row there is or was: where a node that has just built everything from
/// the documents starts following.
pub(super) async fn high_water(client: &Client) -> Result<i64, StoreError> {
    Ok(client
        .query_one(
            "SELECT GREATEST(coalesce(max(seq), 0), (SELECT through FROM changes_pruned LIMIT 1)) FROM changes",
            &[],
        )
        .await?
        .get(0))
}

async fn prune(client: &Client, retention: Duration) -> Result<(), StoreError> {
    client
        .execute(
            "WITH d AS (DELETE FROM changes WHERE at < clock_timestamp() - make_interval(secs => $1) RETURNING seq)
             UPDATE changes_pruned SET through = GREATEST(through, (SELECT max(seq) FROM d))
             WHERE EXISTS (SELECT 1 FROM d)",
            &[&retention.as_secs_f64()],
        )
        .await?;
    Ok(())
}
