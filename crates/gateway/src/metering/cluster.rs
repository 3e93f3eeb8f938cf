//! Cluster metering: quotas, usage counts and throttle buckets shared by every node through
//! Redis (`--redis-url`). Without it metering stays local (`quota.rs`, `throttle.rs`).
//!
//! The hot path never waits for Redis while a local **lease** can serve: a node takes a small
//! batch of tokens (a throttle) or of quota from Redis in one atomic Lua call and spends it
//! with one atomic operation per request. Only an empty lease costs a round trip, awaited on
//! the request's task (never blocking a worker): the call runs on this module's own thread and
//! runtime, so no worker drives another's connection.
//!
//! - **Quotas** (`QUOTA_LEASE`): one hash per (tenant, plan, key, quota period): `used`
//!   (granted, leases included), `served` and `d:<day>` (requests served, pushed by each node
//!   every flush), `adj` (UpdateUsage's correction). A lease is granted only within
//!   `limit + adj - used`, so no two nodes can spend the same unit: the cluster serves exactly
//!   the quota. Redis sizes each lease at a sixteenth of what is left (at most
//!   [`MAX_QUOTA_LEASE`]), so near the limit every request increments Redis itself; a lease
//!   idle for [`LEASE_IDLE_SECS`] is given back.
//! - **Throttles** (`GCRA_LEASE`): GCRA in Redis on Redis's clock (`TIME`), the theoretical
//!   arrival time in µs. A lease of k tokens advances it by k intervals; tokens unspent after
//!   k intervals are not spent any more (given back at the next refill), so a node never banks tokens: the cluster never admits more
//!   than the bucket allows, and under load (when a throttle matters) leases are spent at
//!   once, within ±5% of the rate. A refusal tells how long until the next token, and the
//!   node refuses locally until then.
//! - **Missing records**: a quota hash missing from Redis (first use in a period, or Redis
//!   lost its data) is seeded from the store (its usage rows in the period, its adjustment,
//!   plus this node's counts not yet written), once, by the first node that needs it.
//! - **Epoch**: `{prefix}epoch` holds a random id; every quota script checks it. A new id
//!   means Redis lost its data: each node drops its leases and its unpushed counts (they are
//!   in the store, which re-seeds the records) instead of pushing them twice.
//! - **Unreachable** (`redis_unavailable`): `fail_open` admits (quotas counted locally and
//!   pushed when Redis returns; throttles fall back to a per-node bucket at the full rate),
//!   `fail_closed` answers 503 for what a lease can't cover. A probe every flush tick brings
//!   the node back when Redis answers.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use parking_lot::Mutex;
use redis::aio::ConnectionManager;
use redis::{Client, RedisResult, Script};

use crate::rest::gateway_responses::{GatewayError, ResponseType};
use portico_store::Tenant;

pub use super::lease::{now_ns, period_at, Local, QuotaLease, SharedBucket};

/// What the cluster does with requests it can't meter because Redis is unreachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unavailable {
    /// Serve them (logged): quotas counted locally and pushed later, throttles per node.
    FailOpen,
    /// Refuse what the node's leases can't cover (503).
    FailClosed,
}

impl Unavailable {
    pub fn parse(s: &str) -> Option<Unavailable> {
        match s {
            "fail_open" => Some(Unavailable::FailOpen),
            "fail_closed" => Some(Unavailable::FailClosed),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Unavailable::FailOpen => "fail_open",
            Unavailable::FailClosed => "fail_closed",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub url: String,
    /// Every key Portico writes starts with it (several clusters, or tests, share a Redis).
    pub prefix: String,
    pub unavailable: Unavailable,
}

/// The largest quota lease.
pub const MAX_QUOTA_LEASE: i64 = 1000;
/// A quota lease is at most this share (1/n) of what is left: n nodes each holding a lease
/// hold at most n/16 of it, and below 32 left every request takes exactly one.
pub const QUOTA_LEASE_SHARE: i64 = 16;
/// A quota lease unspent this long is given back.
pub const LEASE_IDLE_SECS: i64 = 1;
/// Connection and response timeouts: Redis is on the local network, and a request waiting
/// longer than this is better served by the failure mode.
const TIMEOUT: Duration = Duration::from_millis(250);

static QUOTA_LEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {-3, 0} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local used = tonumber(redis.call('HGET', KEYS[1], 'used') or '0')
local adj = tonumber(redis.call('HGET', KEYS[1], 'adj') or '0')
local left = tonumber(ARGV[2]) + adj - used
local k = math.min(tonumber(ARGV[3]), math.max(1, math.floor(left / tonumber(ARGV[4]))), left)
if k < 0 then k = 0 end
if k > 0 then redis.call('HINCRBY', KEYS[1], 'used', k) end
return {k, left - k}
",
    )
});

/// ARGV: epoch, ttl, adjustment, then day, count pairs.
static SEED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -3 end
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local total = 0
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], 'd:' .. ARGV[i], ARGV[i + 1])
  total = total + tonumber(ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'used', total, 'served', total, 'adj', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1
",
    )
});

/// ARGV: epoch, served, day, to add to `used` (requests served without a lease; negative:
/// a lease given back).
static PUSH: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -3 end
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local n = tonumber(ARGV[2])
if n ~= 0 then
  redis.call('HINCRBY', KEYS[1], 'served', n)
  redis.call('HINCRBY', KEYS[1], 'd:' .. ARGV[3], n)
end
local u = tonumber(ARGV[4])
if u ~= 0 then redis.call('HINCRBY', KEYS[1], 'used', u) end
return 1
",
    )
});

/// ARGV: epoch, limit, remaining. The new remaining counts from what was served: requests
/// granted but not yet served elsewhere come out of it.
static SET_REMAINING: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return {-3, 0} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local served = tonumber(redis.call('HGET', KEYS[1], 'served') or '0')
local adj = tonumber(ARGV[3]) - tonumber(ARGV[2]) + served
redis.call('HSET', KEYS[1], 'adj', adj)
return {1, adj}
",
    )
});

/// ARGV: interval (µs per token), burst × interval, tokens wanted, unspent tokens of the
/// node's expired lease given back. Returns the tokens granted and, when none, the µs until
/// the next one.
static GCRA_LEASE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local T = tonumber(ARGV[1])
local span = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') - tonumber(ARGV[4]) * T
if tat < now then tat = now end
local avail = math.floor((now + span - tat) / T)
local k = math.min(tonumber(ARGV[3]), avail)
if k <= 0 then return {0, tat + T - span - now} end
tat = tat + k * T
redis.call('SET', KEYS[1], string.format('%d', tat), 'PX', math.floor((tat - now) / 1000) + 1000)
return {k, 0}
",
    )
});

/// Counters for `/_portico/metrics`.
#[derive(Debug, Default)]
pub struct Stats {
    pub round_trips: AtomicU64,
    pub quota_leases: AtomicU64,
    pub throttle_leases: AtomicU64,
    pub errors: AtomicU64,
    pub failed_open: AtomicU64,
    pub failed_closed: AtomicU64,
    pub seeds: AtomicU64,
    pub reconciled: AtomicU64,
}

pub struct Cluster {
    pub config: ClusterConfig,
    rt: tokio::runtime::Handle,
    conn: ConnectionManager,
    up: AtomicBool,
    /// The epoch this node works in; empty before Redis was first reached.
    epoch: Mutex<Arc<str>>,
    last_error: Mutex<Option<String>>,
    pub stats: Stats,
}

/// A quota hash's served requests per day (`YYYY-MM-DD`) and its adjustment.
pub type Figures = (Vec<(String, i64)>, i64);

/// What Redis answered a quota lease.
pub enum Lease {
    Granted {
        tokens: i64,
        left: i64,
    },
    /// No record for the period: seed it first.
    Missing,
    /// Redis lost its data since this node last saw it.
    NewEpoch,
}

impl Cluster {
    /// Start the cluster's thread and runtime. Redis need not be reachable yet.
    pub fn start(config: ClusterConfig) -> Result<Arc<Cluster>, String> {
        let client =
            Client::open(config.url.as_str()).map_err(|e| format!("invalid redis_url: {e}"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("portico-redis".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = tx.send(Err(e.to_string()));
                        return;
                    }
                };
                rt.block_on(async move {
                    let cfg = redis::aio::ConnectionManagerConfig::new()
                        .set_connection_timeout(Some(TIMEOUT))
                        .set_response_timeout(Some(TIMEOUT))
                        .set_number_of_retries(1)
                        .set_max_delay(TIMEOUT);
                    let made = ConnectionManager::new_lazy_with_config(client, cfg)
                        .map(|c| (tokio::runtime::Handle::current(), c))
                        .map_err(|e| e.to_string());
                    let _ = tx.send(made);
                    std::future::pending::<()>().await
                })
            })
            .map_err(|e| e.to_string())?;
        let (rt, conn) = rx.recv().map_err(|e| e.to_string())??;
        Ok(Arc::new(Cluster {
            config,
            rt,
            conn,
            up: AtomicBool::new(false),
            epoch: Mutex::new(Arc::from("")),
            last_error: Mutex::new(None),
            stats: Stats::default(),
        }))
    }

    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    pub fn last_error(&self) -> Option<String> {
        self.last_error.lock().clone()
    }

    fn epoch(&self) -> Arc<str> {
        self.epoch.lock().clone()
    }

    fn epoch_key(&self) -> String {
        format!("{}epoch", self.config.prefix)
    }

    /// The quota hash of `key_id` in `plan_id` for the period starting on `period_start`.
    pub fn quota_key(&self, tenant: &Tenant, plan_id: &str, key_id: &str, start: &str) -> String {
        format!(
            "{}q:{}:{}:{plan_id}:{key_id}:{start}",
            self.config.prefix,
            tenant.account(),
            tenant.region()
        )
    }

    /// A throttle bucket's key: `name` says what it throttles (see `keys::Builder`).
    pub fn bucket_key(&self, tenant: &Tenant, name: &str) -> String {
        format!(
            "{}t:{}:{}:{name}",
            self.config.prefix,
            tenant.account(),
            tenant.region()
        )
    }

    /// Redis failed: go down (the probe brings the node back).
    pub fn failed(&self, e: &dyn std::fmt::Display) {
        self.stats.errors.fetch_add(1, Ordering::Relaxed);
        *self.last_error.lock() = Some(e.to_string());
        if self.up.swap(false, Ordering::AcqRel) {
            tracing::warn!(error = %e, mode = self.config.unavailable.name(),
                "metering: Redis is unreachable; serving with redis_unavailable = {}",
                self.config.unavailable.name());
        }
    }

    /// What a request that needs Redis gets while Redis is unreachable: `Ok` (fail open) or
    /// a 503 (fail closed).
    pub fn unavailable(&self) -> Result<(), GatewayError> {
        match self.config.unavailable {
            Unavailable::FailOpen => {
                self.stats.failed_open.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Unavailable::FailClosed => {
                self.stats.failed_closed.fetch_add(1, Ordering::Relaxed);
                Err(
                    GatewayError::new(ResponseType::Default5xx, "Service Unavailable")
                        .with_status(503)
                        .with_detail(
                            "metering: Redis is unreachable (redis_unavailable = fail_closed)",
                        ),
                )
            }
        }
    }

    /// Run `script` on the cluster's runtime; awaitable from any runtime.
    async fn run<T: redis::FromRedisValue + Send + 'static>(
        &self,
        script: &'static Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> RedisResult<T> {
        self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
        let mut conn = self.conn.clone();
        let task = self.rt.spawn(async move {
            let mut inv = script.prepare_invoke();
            for k in keys {
                inv.key(k);
            }
            for a in args {
                inv.arg(a);
            }
            inv.invoke_async::<T>(&mut conn).await
        });
        match task.await {
            Ok(r) => r,
            Err(e) => Err(redis::RedisError::from((
                redis::ErrorKind::Client,
                "the Redis task failed",
                e.to_string(),
            ))),
        }
    }

    /// [`Cluster::run`] from a thread that may block (the flusher, a management call).
    fn run_blocking<T: redis::FromRedisValue + Send + 'static>(
        &self,
        script: &'static Script,
        keys: Vec<String>,
        args: Vec<String>,
    ) -> RedisResult<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut conn = self.conn.clone();
        self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
        self.rt.spawn(async move {
            let mut inv = script.prepare_invoke();
            for k in keys {
                inv.key(k);
            }
            for a in args {
                inv.arg(a);
            }
            let _ = tx.send(inv.invoke_async::<T>(&mut conn).await);
        });
        rx.recv_timeout(TIMEOUT * 4).unwrap_or_else(|_| {
            Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "Redis did not answer in time",
            )))
        })
    }

    /// A command (not a script) from a thread that may block.
    fn cmd_blocking<T: redis::FromRedisValue + Send + 'static>(
        &self,
        cmd: redis::Cmd,
    ) -> RedisResult<T> {
        let (tx, rx) = std::sync::mpsc::channel();
        let mut conn = self.conn.clone();
        self.stats.round_trips.fetch_add(1, Ordering::Relaxed);
        self.rt.spawn(async move {
            let _ = tx.send(cmd.query_async::<T>(&mut conn).await);
        });
        rx.recv_timeout(TIMEOUT * 4).unwrap_or_else(|_| {
            Err(redis::RedisError::from((
                redis::ErrorKind::Io,
                "Redis did not answer in time",
            )))
        })
    }

    /// Reach Redis and learn its epoch (creating one in an empty Redis). `Ok(true)` when the
    /// epoch changed since this node last saw it: Redis lost its data.
    pub fn probe(&self) -> RedisResult<bool> {
        let key = self.epoch_key();
        let fresh = format!("{:016x}", rand::random::<u64>());
        let _: () =
            self.cmd_blocking(redis::cmd("SET").arg(&key).arg(&fresh).arg("NX").to_owned())?;
        let now: String = self.cmd_blocking(redis::cmd("GET").arg(&key).to_owned())?;
        let mut mine = self.epoch.lock();
        let changed = !mine.is_empty() && **mine != *now;
        *mine = Arc::from(now.as_str());
        drop(mine);
        if !self.up.swap(true, Ordering::AcqRel) {
            tracing::info!(lost_data = changed, "metering: Redis is reachable");
        }
        Ok(changed)
    }

    /// Note that this node's epoch is stale (a script said so): the next probe renews it.
    pub fn stale_epoch(&self) {
        self.up.store(false, Ordering::Release);
    }

    /// Lease units of the quota hash `key` (limit `limit`): a [`QUOTA_LEASE_SHARE`] of what
    /// is left, at least 1 and at most [`MAX_QUOTA_LEASE`], sized by Redis on the current
    /// figure so that near the limit every request asks for exactly one.
    pub async fn quota_lease(&self, key: &str, limit: i64) -> RedisResult<Lease> {
        let r: Vec<i64> = self
            .run(
                &QUOTA_LEASE,
                vec![key.to_string(), self.epoch_key()],
                vec![
                    self.epoch().to_string(),
                    limit.to_string(),
                    MAX_QUOTA_LEASE.to_string(),
                    QUOTA_LEASE_SHARE.to_string(),
                ],
            )
            .await?;
        Ok(match r.as_slice() {
            [-3, ..] => Lease::NewEpoch,
            [-1, ..] => Lease::Missing,
            [k, left] => {
                if *k > 0 {
                    self.stats.quota_leases.fetch_add(1, Ordering::Relaxed);
                }
                Lease::Granted {
                    tokens: *k,
                    left: *left,
                }
            }
            _ => return Err(bad_answer()),
        })
    }

    /// Create the quota hash `key` from the store's figures unless a node already did.
    /// `Ok(Some(true))`: this call created it.
    pub fn seed(
        &self,
        key: &str,
        period_end: i64,
        adjustment: i64,
        days: &[(String, i64)],
    ) -> RedisResult<Option<bool>> {
        // Kept 35 days past the period's end, for GetUsage of recent days.
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let ttl = (period_end - now).max(0) + 35 * 86_400;
        let mut args = vec![
            self.epoch().to_string(),
            ttl.to_string(),
            adjustment.to_string(),
        ];
        for (d, n) in days {
            args.push(d.clone());
            args.push(n.to_string());
        }
        let r: i64 = self.run_blocking(&SEED, vec![key.to_string(), self.epoch_key()], args)?;
        self.stats
            .seeds
            .fetch_add(u64::from(r == 1), Ordering::Relaxed);
        Ok(match r {
            -3 => None,
            r => Some(r == 1),
        })
    }

    /// Add what this node served (and granted without a lease, or gives back) to the quota
    /// hash `key`. `Ok(Some(false))`: the hash is missing; `Ok(None)`: a new epoch.
    pub fn push(&self, key: &str, served: i64, day: &str, used: i64) -> RedisResult<Option<bool>> {
        let r: i64 = self.run_blocking(
            &PUSH,
            vec![key.to_string(), self.epoch_key()],
            vec![
                self.epoch().to_string(),
                served.to_string(),
                day.to_string(),
                used.to_string(),
            ],
        )?;
        Ok(match r {
            -3 => None,
            r => Some(r == 1),
        })
    }

    /// UpdateUsage: the new adjustment, or `Ok(None)` when the hash is missing (seed first).
    pub fn set_remaining(&self, key: &str, limit: i64, remaining: i64) -> RedisResult<Option<i64>> {
        let r: Vec<i64> = self.run_blocking(
            &SET_REMAINING,
            vec![key.to_string(), self.epoch_key()],
            vec![
                self.epoch().to_string(),
                limit.to_string(),
                remaining.to_string(),
            ],
        )?;
        match r.as_slice() {
            [-3, _] => {
                self.stale_epoch();
                Err(redis::RedisError::from((
                    redis::ErrorKind::Client,
                    "Redis lost its data; retry",
                )))
            }
            [-1, _] => Ok(None),
            [_, adj] => Ok(Some(*adj)),
            _ => Err(bad_answer()),
        }
    }

    /// GetUsage: the quota hash `key` as (served per day, adjustment), `None` when missing.
    pub fn read(&self, key: &str) -> RedisResult<Option<Figures>> {
        let fields: Vec<(String, i64)> =
            self.cmd_blocking(redis::cmd("HGETALL").arg(key).to_owned())?;
        if fields.is_empty() {
            return Ok(None);
        }
        let mut adj = 0;
        let mut days = Vec::new();
        for (f, v) in fields {
            if f == "adj" {
                adj = v;
            } else if let Some(d) = f.strip_prefix("d:") {
                days.push((d.to_string(), v));
            }
        }
        Ok(Some((days, adj)))
    }

    /// Take up to `want` tokens of the GCRA bucket `key`: (granted, µs until the next token
    /// when none).
    pub async fn gcra_lease(
        &self,
        key: &str,
        interval_us: i64,
        span_us: i64,
        want: i64,
        back: i64,
    ) -> RedisResult<(i64, i64)> {
        let r: Vec<i64> = self
            .run(
                &GCRA_LEASE,
                vec![key.to_string()],
                vec![
                    interval_us.to_string(),
                    span_us.to_string(),
                    want.to_string(),
                    back.to_string(),
                ],
            )
            .await?;
        match r.as_slice() {
            [k, wait] => {
                if *k > 0 {
                    self.stats.throttle_leases.fetch_add(1, Ordering::Relaxed);
                }
                Ok((*k, *wait))
            }
            _ => Err(bad_answer()),
        }
    }

    /// The Redis figures in Prometheus text format.
    pub fn metrics(&self) -> String {
        let s = &self.stats;
        let mut out = String::new();
        let mut counter = |name: &str, help: &str, v: u64| {
            out.push_str(&format!(
                "# HELP portico_redis_{name} {help}\n# TYPE portico_redis_{name} counter\nportico_redis_{name}_total {v}\n"
            ));
        };
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        counter("round_trips", "Calls to Redis.", g(&s.round_trips));
        counter(
            "quota_lease_refills",
            "Quota leases granted by Redis.",
            g(&s.quota_leases),
        );
        counter(
            "throttle_lease_refills",
            "Throttle token leases granted by Redis.",
            g(&s.throttle_leases),
        );
        counter("errors", "Redis calls that failed.", g(&s.errors));
        counter(
            "failed_open",
            "Requests admitted without Redis (fail_open).",
            g(&s.failed_open),
        );
        counter(
            "failed_closed",
            "Requests refused without Redis (fail_closed).",
            g(&s.failed_closed),
        );
        counter(
            "seeds",
            "Quota records created in Redis from the store.",
            g(&s.seeds),
        );
        counter(
            "reconciled",
            "Requests served while Redis was unreachable, pushed since.",
            g(&s.reconciled),
        );
        out.push_str(&format!(
            "# HELP portico_redis_up Whether Redis is reachable.\n# TYPE portico_redis_up gauge\nportico_redis_up {}\n",
            u8::from(self.is_up())
        ));
        out
    }
}

fn bad_answer() -> redis::RedisError {
    redis::RedisError::from((redis::ErrorKind::Client, "unexpected answer from a script"))
}

/// Against the machine's Redis (127.0.0.1:6379), each test under a key prefix of its own.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::metering::throttle::Limits;
    use portico_model::quota::{Period, Quota};

    fn cluster() -> Arc<Cluster> {
        let c = Cluster::start(ClusterConfig {
            url: "redis://127.0.0.1:6379".into(),
            prefix: format!("portico-unit-{:016x}:", rand::random::<u64>()),
            unavailable: Unavailable::FailOpen,
        })
        .unwrap();
        assert!(!c.probe().unwrap(), "a first probe sees no lost data");
        assert!(c.is_up());
        c
    }

    #[tokio::test]
    async fn a_shared_bucket_admits_its_burst_then_refuses_locally() {
        let c = cluster();
        let limits = Limits {
            rate: 1.0,
            burst: 5,
        };
        // Two nodes' buckets on one Redis key.
        let a = SharedBucket::new(c.bucket_key(&Tenant::aws("1", "r"), "b"), limits).unwrap();
        let b = SharedBucket::new(c.bucket_key(&Tenant::aws("1", "r"), "b"), limits).unwrap();
        let mut admitted = 0;
        for n in 0..10 {
            let bucket = if n % 2 == 0 { &a } else { &b };
            admitted += usize::from(match bucket.check() {
                Local::Pass => true,
                Local::Refuse => false,
                Local::Ask => bucket.ask(&c).await.unwrap(),
            });
        }
        assert_eq!(admitted, 5, "the burst, shared");
        let trips = c.stats.round_trips.load(Ordering::Relaxed);
        assert!(matches!(a.check(), Local::Refuse), "refused without asking");
        assert_eq!(c.stats.round_trips.load(Ordering::Relaxed), trips);
    }

    #[tokio::test]
    async fn unspent_tokens_given_back_are_granted_again() {
        let c = cluster();
        let key = c.bucket_key(&Tenant::aws("1", "r"), "back");
        let (second, span) = (1_000_000, 20_000_000); // 1/s, burst 20
        assert_eq!(c.gcra_lease(&key, second, span, 20, 0).await.unwrap().0, 20);
        let (none, wait) = c.gcra_lease(&key, second, span, 20, 0).await.unwrap();
        assert_eq!(none, 0);
        assert!(wait > 0 && wait <= second, "{wait}");
        assert_eq!(
            c.gcra_lease(&key, second, span, 20, 15).await.unwrap().0,
            15
        );
    }

    #[tokio::test]
    async fn quota_leases_never_grant_more_than_the_limit_and_shrink_near_it() {
        let c = cluster();
        let quota = Quota {
            limit: 100,
            offset: 0,
            period: Period::Day,
        };
        let (start, end) = period_at(quota, time::OffsetDateTime::now_utc().unix_timestamp());
        let key = c.quota_key(&Tenant::aws("1", "r"), "p", "k", &start);
        assert!(matches!(
            c.quota_lease(&key, 100).await.unwrap(),
            Lease::Missing
        ));
        // 10 served before, by the store's account.
        assert_eq!(
            c.seed(&key, end, 0, &[(start.clone(), 10)]).unwrap(),
            Some(true)
        );
        assert_eq!(c.seed(&key, end, 0, &[]).unwrap(), Some(false), "once");
        let mut sizes = Vec::new();
        loop {
            match c.quota_lease(&key, 100).await.unwrap() {
                Lease::Granted { tokens: 0, left } => {
                    assert_eq!(left, 0);
                    break;
                }
                Lease::Granted { tokens, .. } => sizes.push(tokens),
                _ => panic!("the record exists"),
            }
        }
        assert_eq!(sizes.iter().sum::<i64>(), 90);
        assert_eq!(sizes[0], 5, "a sixteenth of 90");
        assert!(sizes.ends_with(&[1; 31]), "one at a time near the limit");
        // Give 3 back, and push 90 served: UpdateUsage then counts from what was served.
        assert_eq!(c.push(&key, 80, &start, -3).unwrap(), Some(true));
        assert_eq!(c.set_remaining(&key, 100, 5).unwrap(), Some(-5));
        let (days, adj) = c.read(&key).unwrap().unwrap();
        assert_eq!((days, adj), (vec![(start.clone(), 90)], -5));
    }
}
