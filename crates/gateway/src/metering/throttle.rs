//! Throttling: token buckets as GCRA (the `governor` crate), one per throttled thing.
//!
//! A check is one atomic compare-and-swap on the bucket's "theoretical arrival time": no lock,
//! no allocation: a throttled stage costs the hot path a few nanoseconds per request.
//!
//! Decisions where AWS's behaviour is not documented:
//! - a rate or burst of 0 blocks every request (AWS's documented way to turn a method off);
//! - a burst left unset is the rate rounded up (at least 1); a rate left unset (or negative)
//!   means the level does not throttle;
//! - rates too high to express as a period of at least 1 ns do not throttle;
//! - limits equal to AWS's account default are not enforced at the stage or account level
//!   ([`Limits::AWS_DEFAULT`]).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use portico_model::{IndexMap, MethodSetting, ThrottleSettings};

use super::cluster::{Local, SharedBucket};
use crate::fast_map::FastMap;

/// A rate (requests per second, may be fractional) and a burst (bucket size).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    pub rate: f64,
    pub burst: u32,
}

impl Limits {
    /// AWS's default account throttle, which a stage's method settings also start from. It is
    /// a soft service quota AWS raises on request; a local emulator enforcing it would only get
    /// in the way of load tests, so Portico does not enforce limits equal to it, at the account
    /// or the stage level (any other value is enforced).
    pub const AWS_DEFAULT: Limits = Limits {
        rate: 10000.0,
        burst: 5000,
    };

    /// Limits from a rate and a burst (`rateLimit`/`burstLimit` of a usage plan, its methods
    /// and the account; `throttlingRateLimit`/`throttlingBurstLimit` of stage method settings).
    pub fn of(rate: Option<f64>, burst: Option<i64>) -> Option<Limits> {
        let rate = rate.filter(|r| *r >= 0.0)?;
        let burst = match burst {
            Some(b) if b >= 0 => u32::try_from(b).unwrap_or(u32::MAX),
            _ => (rate.ceil() as u32).max(1),
        };
        Some(Limits { rate, burst })
    }

    /// Limits of a usage plan's, a plan method's or the account's throttle.
    pub fn of_throttle(t: &ThrottleSettings) -> Option<Limits> {
        Limits::of(t.rate_limit, t.burst_limit)
    }
}

enum Gate {
    /// Never admits (rate or burst 0).
    Closed,
    /// Never throttles (a rate beyond what a GCRA period can express).
    Open,
    Gcra(DefaultDirectRateLimiter),
}

/// One token bucket.
pub struct Bucket {
    pub limits: Limits,
    /// The local bucket; with a shared one, its stand-in while Redis is unreachable
    /// (fail_open: each node enforces the full rate).
    gate: Gate,
    /// Cluster mode: the bucket in Redis this node leases tokens of.
    shared: Option<SharedBucket>,
}

impl std::fmt::Debug for Bucket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bucket")
            .field("limits", &self.limits)
            .finish()
    }
}

impl Bucket {
    pub fn new(limits: Limits) -> Bucket {
        let gate = match NonZeroU32::new(limits.burst) {
            _ if limits.rate <= 0.0 || !limits.rate.is_finite() => Gate::Closed,
            None => Gate::Closed,
            Some(burst) => {
                let period = Duration::from_secs_f64(1.0 / limits.rate);
                match Quota::with_period(period) {
                    Some(q) => Gate::Gcra(RateLimiter::direct(q.allow_burst(burst))),
                    None => Gate::Open,
                }
            }
        };
        Bucket {
            limits,
            gate,
            shared: None,
        }
    }

    /// A bucket shared by the cluster through Redis under `key` (a bucket that never or
    /// always admits, or whose rate is beyond whole microseconds, stays local).
    pub fn shared(limits: Limits, key: String) -> Bucket {
        let mut b = Bucket::new(limits);
        if matches!(b.gate, Gate::Gcra(_)) {
            b.shared = SharedBucket::new(key, limits);
        }
        b
    }

    /// The shared bucket, in cluster mode.
    pub fn cluster(&self) -> Option<&SharedBucket> {
        self.shared.as_ref()
    }

    /// Take one token if this node can tell without Redis.
    pub fn decide(&self) -> Local {
        match &self.shared {
            Some(s) => s.check(),
            None if self.check() => Local::Pass,
            None => Local::Refuse,
        }
    }

    /// A bucket that never throttles (limits kept for display).
    pub fn unlimited(limits: Limits) -> Bucket {
        Bucket {
            limits,
            gate: Gate::Open,
            shared: None,
        }
    }

    /// Take one token from the local bucket: `false` = throttled.
    pub fn check(&self) -> bool {
        match &self.gate {
            Gate::Closed => false,
            Gate::Open => true,
            Gate::Gcra(g) => g.check().is_ok(),
        }
    }
}

/// Buckets of one level addressed by method: a specific `(resource path, HTTP method)` wins
/// over the level's catch-all (`*/*` in stage method settings, `/*/*` in usage plans).
#[derive(Debug, Default)]
pub struct MethodLimits {
    by_path: FastMap<String, Vec<(String, Arc<Bucket>)>>,
    any: Option<Arc<Bucket>>,
}

impl MethodLimits {
    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty() && self.any.is_none()
    }

    /// The bucket governing `path` + `method`, if any.
    pub fn get(&self, path: &str, method: &str) -> Option<&Arc<Bucket>> {
        self.by_path
            .get(path)
            .and_then(|ms| ms.iter().find(|(m, _)| m == method).map(|(_, b)| b))
            .or(self.any.as_ref())
    }

    /// Stage `methodSettings`: keys `~1pets/GET` (the resource path with `/` escaped as `~1`)
    /// and `*/*`.
    pub fn of_method_settings(
        settings: &IndexMap<String, MethodSetting>,
        mut bucket: impl FnMut(&str, Limits) -> Arc<Bucket>,
    ) -> MethodLimits {
        let mut out = MethodLimits::default();
        for (key, s) in settings {
            let Some(limits) = Limits::of(s.throttling_rate_limit, s.throttling_burst_limit) else {
                continue;
            };
            // A method at the default still overrides `*/*` (with "no stage limit").
            let b = if limits == Limits::AWS_DEFAULT {
                Arc::new(Bucket::unlimited(limits))
            } else {
                bucket(key, limits)
            };
            if key == "*/*" {
                out.any = Some(b);
            } else if let Some((path, method)) = key.rsplit_once('/') {
                let path = path.replace("~1", "/");
                out.insert(path, method, b);
            }
        }
        out
    }

    /// A usage plan stage's `throttle`: keys `/pets/GET`, `//GET` (root), `/*/*`.
    pub fn of_plan_stage(
        throttle: Option<&IndexMap<String, ThrottleSettings>>,
        mut bucket: impl FnMut(&str, Limits) -> Arc<Bucket>,
    ) -> MethodLimits {
        let mut out = MethodLimits::default();
        for (key, t) in throttle.into_iter().flatten() {
            let Some(limits) = Limits::of_throttle(t) else {
                continue;
            };
            if key == "/*/*" {
                out.any = Some(bucket(key, limits));
            } else if let Some((path, method)) = key.rsplit_once('/') {
                let path = if path.is_empty() { "/" } else { path };
                out.insert(path.to_string(), method, bucket(key, limits));
            }
        }
        out
    }

    fn insert(&mut self, path: String, method: &str, b: Arc<Bucket>) {
        self.by_path
            .entry(path)
            .or_default()
            .push((method.to_string(), b));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// How many of `n` back-to-back requests `bucket` admits.
    fn check(bucket: &Bucket, n: usize) -> usize {
        (0..n).filter(|_| bucket.check()).count()
    }

    fn limits(rate: f64, burst: u32) -> Limits {
        Limits { rate, burst }
    }

    #[test]
    fn a_burst_is_admitted_then_the_rate_refills() {
        let b = Bucket::new(limits(1.0, 5));
        assert_eq!(
            check(&b, 20),
            5,
            "the burst, then nothing within the same instant"
        );
        let fast = Bucket::new(limits(1000.0, 2));
        assert_eq!(check(&fast, 2), 2);
        std::thread::sleep(Duration::from_millis(20));
        let refilled = check(&fast, 10);
        assert!(
            refilled == 2,
            "refills up to the burst only, got {refilled}"
        );
    }

    #[test]
    fn zero_blocks_and_huge_rates_do_not_throttle() {
        assert_eq!(check(&Bucket::new(limits(0.0, 10)), 5), 0);
        assert_eq!(check(&Bucket::new(limits(10.0, 0)), 5), 0);
        assert_eq!(check(&Bucket::new(limits(1e12, 1)), 100), 100);
    }

    #[test]
    fn limits_read_settings_with_aws_defaults() {
        assert_eq!(Limits::of(Some(2.5), Some(7)), Some(limits(2.5, 7)));
        assert_eq!(Limits::of(Some(2.5), None), Some(limits(2.5, 3)));
        assert_eq!(Limits::of(None, Some(3)), None);
        assert_eq!(Limits::of(Some(-1.0), None), None);
        let account = ThrottleSettings::ACCOUNT_DEFAULT;
        assert_eq!(Limits::of_throttle(&account), Some(Limits::AWS_DEFAULT));
    }

    #[test]
    fn the_most_specific_method_setting_wins() {
        let mk = |_: &str, l: Limits| Arc::new(Bucket::new(l));
        let ms: IndexMap<String, MethodSetting> = serde_json::from_value(json!({
            "*/*": {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 50},
            "~1pets~1{id}/GET": {"throttlingRateLimit": 1.0, "throttlingBurstLimit": 1},
            "~1/POST": {"throttlingRateLimit": 2.0, "throttlingBurstLimit": 2},
            "~1cats/GET": {"metricsEnabled": true},
            "~1dogs/GET": {"throttlingRateLimit": 10000.0, "throttlingBurstLimit": 5000}
        }))
        .unwrap();
        let stage = MethodLimits::of_method_settings(&ms, mk);
        assert_eq!(
            stage.get("/pets/{id}", "GET").unwrap().limits,
            limits(1.0, 1)
        );
        assert_eq!(stage.get("/", "POST").unwrap().limits, limits(2.0, 2));
        assert_eq!(
            stage.get("/pets/{id}", "PUT").unwrap().limits,
            limits(100.0, 50)
        );
        assert_eq!(stage.get("/cats", "GET").unwrap().limits, limits(100.0, 50));
        let dogs = stage.get("/dogs", "GET").unwrap();
        assert_eq!(dogs.limits, Limits::AWS_DEFAULT);
        assert_eq!(check(dogs, 20_000), 20_000, "AWS's default is not enforced");
        let plan: IndexMap<String, ThrottleSettings> = serde_json::from_value(json!({
            "/pets/GET": {"rateLimit": 3.0, "burstLimit": 4},
            "//GET": {"rateLimit": 5.0, "burstLimit": 6}}))
        .unwrap();
        let plan = MethodLimits::of_plan_stage(Some(&plan), mk);
        assert_eq!(plan.get("/pets", "GET").unwrap().limits, limits(3.0, 4));
        assert_eq!(plan.get("/", "GET").unwrap().limits, limits(5.0, 6));
        assert!(plan.get("/pets", "POST").is_none());
        assert!(MethodLimits::of_plan_stage(None, mk).is_empty());
    }
}
