//! This node's leases of the cluster's tokens and quota (see `cluster`): what the hot path
//! spends without Redis, and how a lease is refilled.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Instant;

use parking_lot::Mutex;
use redis::RedisResult;

use super::cluster::Cluster;
use super::throttle::Limits;
use portico_model::quota::{format_day, Quota};

/// How long a throttle lease covers at most, as a share of a second (its tokens are the rate
/// over it, at most an eighth of the burst).
const THROTTLE_LEASE_SECS: f64 = 0.02;

/// Monotonic nanoseconds since the process started (lease expiry).
pub fn now_ns() -> u64 {
    static START: LazyLock<Instant> = LazyLock::new(Instant::now);
    u64::try_from(START.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// A throttle bucket shared through Redis, with this node's lease of its tokens.
pub struct SharedBucket {
    pub key: String,
    interval_us: i64,
    span_us: i64,
    lease_size: i64,
    /// How long a lease's tokens may be spent.
    lease_ttl_ns: u64,
    tokens: AtomicI64,
    /// Until when the lease's tokens may be spent (`now_ns`).
    expires: AtomicU64,
    /// Redis said no token before this (`now_ns`): refuse locally.
    empty_until: AtomicU64,
    refill: tokio::sync::Mutex<()>,
}

/// What a bucket says without Redis.
pub enum Local {
    Pass,
    Refuse,
    /// Only Redis can tell.
    Ask,
}

impl SharedBucket {
    /// `None` when the rate is too high to express in whole µs (then the bucket stays local).
    pub fn new(key: String, limits: Limits) -> Option<SharedBucket> {
        let interval_us = (1e6 / limits.rate).round();
        if !(1.0..=1e15).contains(&interval_us) || limits.burst == 0 {
            return None;
        }
        let interval_us = interval_us as i64;
        let by_rate = (limits.rate * THROTTLE_LEASE_SECS).floor() as i64;
        let lease_size = by_rate.min(i64::from(limits.burst / 8)).max(1);
        Some(SharedBucket {
            key,
            interval_us,
            span_us: interval_us * i64::from(limits.burst),
            lease_size,
            lease_ttl_ns: u64::try_from(interval_us * lease_size * 1000).unwrap_or(u64::MAX),
            tokens: AtomicI64::new(0),
            expires: AtomicU64::new(0),
            empty_until: AtomicU64::new(0),
            refill: tokio::sync::Mutex::new(()),
        })
    }

    pub fn check(&self) -> Local {
        let now = now_ns();
        if now < self.expires.load(Ordering::Acquire)
            && self
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    (t > 0).then(|| t - 1)
                })
                .is_ok()
        {
            return Local::Pass;
        }
        if now < self.empty_until.load(Ordering::Acquire) {
            return Local::Refuse;
        }
        Local::Ask
    }

    /// Refill the lease from Redis (one caller at a time per node) and take one token.
    /// `Ok(true)` admitted, `Ok(false)` throttled, `Err` Redis failed.
    pub async fn ask(&self, cluster: &Cluster) -> RedisResult<bool> {
        let _one = self.refill.lock().await;
        match self.check() {
            Local::Pass => return Ok(true),
            Local::Refuse => return Ok(false),
            Local::Ask => {}
        }
        // An expired lease's unspent tokens go back: a node under light load would otherwise
        // take a lease's worth of the rate every lease period, and a few such nodes would
        // drain the bucket with far fewer requests than the rate.
        let back = self.tokens.swap(0, Ordering::AcqRel);
        let (k, wait_us) = match cluster
            .gcra_lease(
                &self.key,
                self.interval_us,
                self.span_us,
                self.lease_size,
                back,
            )
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.tokens.fetch_add(back, Ordering::AcqRel);
                return Err(e);
            }
        };
        let now = now_ns();
        if k <= 0 {
            let wait = u64::try_from(wait_us.max(0)).unwrap_or(0) * 1000;
            self.empty_until.store(now + wait, Ordering::Release);
            return Ok(false);
        }
        self.tokens.store(k - 1, Ordering::Release);
        self.expires
            .store(now + self.lease_ttl_ns, Ordering::Release);
        Ok(true)
    }
}

/// One key's standing in its plan's quota, on this node: its lease and what it served that
/// Redis has not heard of yet. Kept across index rebuilds (in `Usage`).
#[derive(Debug, Default)]
pub struct QuotaLease {
    pub tokens: AtomicI64,
    /// The end of the period (unix seconds) the lease belongs to.
    pub period_end: AtomicI64,
    /// When the lease was last refilled (unix seconds).
    pub at: AtomicI64,
    /// Served and not yet pushed to Redis.
    pub unpushed: AtomicI64,
    /// Served without a lease (Redis unreachable, fail_open): pushed to `used` too.
    pub unleased: AtomicI64,
    pub refill: tokio::sync::Mutex<()>,
    /// The key's quota, for pushes.
    pub quota: Mutex<Option<Quota>>,
}

impl QuotaLease {
    /// Spend one unit of the lease, if it covers `now` (unix seconds).
    pub fn take(&self, now: i64) -> bool {
        now < self.period_end.load(Ordering::Acquire)
            && self
                .tokens
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                    (t > 0).then(|| t - 1)
                })
                .is_ok()
    }
}

/// The first day of `quota`'s period containing unix second `at`, and that period's end.
pub fn period_at(quota: Quota, at: i64) -> (String, i64) {
    let day = time::OffsetDateTime::from_unix_timestamp(at)
        .map(time::OffsetDateTime::date)
        .unwrap_or_else(|_| portico_model::quota::today());
    let end = super::quota::next_period(quota, day)
        .with_time(time::Time::MIDNIGHT)
        .assume_utc()
        .unix_timestamp();
    (format_day(quota.period_start(day)), end)
}
