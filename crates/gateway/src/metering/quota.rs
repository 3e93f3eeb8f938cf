//! Quotas and usage counts, in memory.
//!
//! [`Usage`] counts what one key served in one plan since the last flush (the flusher moves it
//! to the store). [`Remaining`] is the key's remaining quota in the current period, seeded from
//! the store (`control::usage::remaining_on`, which includes UpdateUsage's corrections) minus
//! what is counted but not yet flushed, and decremented per request without a lock. When the
//! period ends (UTC, per the plan's DAY/WEEK/MONTH and offset) it starts over at the limit.

use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::Mutex;
use time::{Date, Duration, OffsetDateTime, Time};

use portico_model::quota::{Period, Quota};

/// Requests served but not yet flushed to the store; in cluster mode, the key's quota lease
/// and what Redis has not heard of yet.
#[derive(Debug, Default)]
pub struct Usage {
    pending: AtomicI64,
    pub lease: super::cluster::QuotaLease,
}

impl Usage {
    pub fn count(&self) {
        self.pending.fetch_add(1, Ordering::Relaxed);
    }
    pub fn pending(&self) -> i64 {
        self.pending.load(Ordering::Acquire)
    }
    /// Take everything counted so far (the flusher).
    pub fn take(&self) -> i64 {
        self.pending.swap(0, Ordering::AcqRel)
    }
    /// Give back what could not be flushed.
    pub fn restore(&self, n: i64) {
        self.pending.fetch_add(n, Ordering::AcqRel);
    }
}

/// The first day of the period after the one containing `day`.
pub fn next_period(quota: Quota, day: Date) -> Date {
    let start = quota.period_start(day);
    match quota.period {
        Period::Day => start + Duration::days(1),
        Period::Week => start + Duration::days(7),
        // 31 days after a period start always lands in the next month on or after its start
        // day (months have 28-31 days and offsets are at most 27).
        Period::Month => quota.period_start(start + Duration::days(31)),
    }
}

fn midnight(d: Date) -> i64 {
    d.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp()
}

/// A key's remaining quota in the current period.
#[derive(Debug)]
pub struct Remaining {
    pub quota: Quota,
    left: AtomicI64,
    /// When the current period ends (unix seconds).
    period_end: AtomicI64,
    roll: Mutex<()>,
}

impl Remaining {
    pub fn new(quota: Quota, left: i64, now: OffsetDateTime) -> Remaining {
        Remaining {
            quota,
            left: AtomicI64::new(left),
            period_end: AtomicI64::new(midnight(next_period(quota, now.date()))),
            roll: Mutex::new(()),
        }
    }

    pub fn left(&self) -> i64 {
        self.left.load(Ordering::Acquire)
    }

    /// Use one request of the quota at `now` (unix seconds): `false` = quota exhausted.
    pub fn take(&self, now: i64) -> bool {
        if now >= self.period_end.load(Ordering::Acquire) {
            self.roll(now);
        }
        self.left
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |r| {
                (r > 0).then(|| r - 1)
            })
            .is_ok()
    }

    /// A new period began: nothing is used in it yet (an UpdateUsage correction can only
    /// concern the period it was made in).
    fn roll(&self, now: i64) {
        let _g = self.roll.lock();
        if now < self.period_end.load(Ordering::Acquire) {
            return;
        }
        let day = OffsetDateTime::from_unix_timestamp(now)
            .map(OffsetDateTime::date)
            .unwrap_or_else(|_| OffsetDateTime::now_utc().date());
        self.left.store(self.quota.limit, Ordering::Release);
        self.period_end
            .store(midnight(next_period(self.quota, day)), Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_model::quota::parse_day;
    use time::macros::datetime;

    fn q(period: Period, limit: i64, offset: i64) -> Quota {
        Quota {
            limit,
            offset,
            period,
        }
    }

    /// How many of `n` requests at `at` the quota admits.
    fn check(r: &Remaining, at: OffsetDateTime, n: usize) -> usize {
        (0..n).filter(|_| r.take(at.unix_timestamp())).count()
    }

    #[test]
    fn a_quota_admits_exactly_its_remaining_then_resets_with_the_period() {
        let t0 = datetime!(2024-01-10 23:59:59 UTC); // a Wednesday
        let day = Remaining::new(q(Period::Day, 3, 0), 3, t0);
        assert_eq!(check(&day, t0, 5), 3);
        assert_eq!(check(&day, datetime!(2024-01-11 00:00:00 UTC), 5), 3);

        // Seeded from the store with 1 left of 5; the week starts on Thursday (offset 4).
        let week = Remaining::new(q(Period::Week, 5, 4), 1, t0);
        assert_eq!(check(&week, t0, 3), 1);
        assert_eq!(check(&week, datetime!(2024-01-10 23:59:59 UTC), 3), 0);
        assert_eq!(check(&week, datetime!(2024-01-11 00:00:01 UTC), 9), 5);

        let month = Remaining::new(q(Period::Month, 2, 9), 0, t0);
        assert_eq!(check(&month, datetime!(2024-01-31 12:00:00 UTC), 3), 0);
        assert_eq!(check(&month, datetime!(2024-02-10 00:00:00 UTC), 3), 2);

        let overdrawn = Remaining::new(q(Period::Day, 3, 0), -4, t0);
        assert_eq!(
            check(&overdrawn, t0, 3),
            0,
            "a negative remaining admits nothing"
        );
        assert_eq!(overdrawn.left(), -4);
    }

    #[test]
    fn periods_end_where_the_next_begins() {
        let d = |s| parse_day(s).unwrap();
        assert_eq!(
            next_period(q(Period::Day, 1, 0), d("2024-02-29")),
            d("2024-03-01")
        );
        assert_eq!(
            next_period(q(Period::Week, 1, 0), d("2024-01-10")),
            d("2024-01-14")
        );
        assert_eq!(
            next_period(q(Period::Week, 1, 3), d("2024-01-10")),
            d("2024-01-17")
        );
        assert_eq!(
            next_period(q(Period::Month, 1, 0), d("2024-01-31")),
            d("2024-02-01")
        );
        assert_eq!(
            next_period(q(Period::Month, 1, 27), d("2024-01-27")),
            d("2024-01-28")
        );
        assert_eq!(
            next_period(q(Period::Month, 1, 27), d("2024-01-28")),
            d("2024-02-28")
        );
        assert_eq!(
            next_period(q(Period::Month, 1, 27), d("2024-02-28")),
            d("2024-03-28")
        );
        assert_eq!(
            next_period(q(Period::Month, 1, 0), d("2024-12-05")),
            d("2025-01-01")
        );
    }

    #[test]
    fn usage_is_taken_once_and_can_be_given_back() {
        let u = Usage::default();
        u.count();
        u.count();
        assert_eq!(u.take(), 2);
        assert_eq!(u.take(), 0);
        u.restore(2);
        u.count();
        assert_eq!(u.pending(), 3);
    }
}
