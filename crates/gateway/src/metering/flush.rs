//! Moving counts to the store: a background task flushes every [`INTERVAL`], on a blocking
//! thread (never on the request path); a graceful shutdown flushes once more; GetUsage and
//! UpdateUsage flush first so they see every request served.
//!
//! Crash loss: a kill -9 (or power loss) loses what was counted since the last flush — at most
//! [`INTERVAL`] of requests plus one in-flight batch, i.e. well under a second of counts. The
//! quota of those requests is then granted again after a restart.

use std::sync::Arc;
use std::time::Duration;

use std::sync::atomic::Ordering;

use super::cluster::{period_at, LEASE_IDLE_SECS};
use super::Metering;
use portico_model::quota::{self as usage, Quota, SharedPeriod};
use portico_store::Tenant;
use portico_store::UsageIncrement;

/// How often counts are flushed.
pub const INTERVAL: Duration = Duration::from_millis(250);

impl Metering {
    /// Flush unflushed counts to the store (blocking; call off the async workers or where a
    /// store call would be fine anyway).
    pub fn flush(&self) {
        {
            let _flushing = self.flush_lock.lock();
            self.flush_locked();
        }
        self.reconcile(false);
    }

    /// [`Metering::flush`], and in cluster mode give every quota lease back, so Redis's
    /// figures are the cluster's (GetUsage, UpdateUsage, shutdown).
    pub fn flush_all(&self) {
        {
            let _flushing = self.flush_lock.lock();
            self.flush_locked();
        }
        self.reconcile(true);
    }

    /// Cluster mode: reach Redis again if it was lost, then push what this node served since
    /// the last push (and served without a lease while Redis was unreachable), and give back
    /// idle leases (all of them when `all`).
    fn reconcile(&self, all: bool) {
        let Some(c) = &self.cluster else {
            return;
        };
        if !c.is_up() {
            match c.probe() {
                Ok(true) => self.renew_epoch_lost(),
                Ok(false) => {}
                Err(e) => {
                    c.failed(&e);
                    return;
                }
            }
        }
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let day = usage::format_day(usage::today());
        let counters: Vec<_> = self
            .usage
            .lock()
            .iter()
            .map(|(k, u)| (k.clone(), u.clone()))
            .collect();
        for ((tenant, plan, key), u) in counters {
            let l = &u.lease;
            let Some(quota) = *l.quota.lock() else {
                continue;
            };
            let idle = now - l.at.load(Ordering::Acquire) >= LEASE_IDLE_SECS;
            // A lease of a period that has ended is worth nothing: dropped, not given back.
            let back = if now < l.period_end.load(Ordering::Acquire) && (all || idle) {
                l.tokens.swap(0, Ordering::AcqRel)
            } else {
                0
            };
            let served = l.unpushed.swap(0, Ordering::AcqRel);
            let unleased = l.unleased.swap(0, Ordering::AcqRel);
            if served == 0 && unleased == 0 && back == 0 {
                continue;
            }
            let (start, _) = period_at(quota, now);
            let rkey = c.quota_key(&tenant, &plan, &key, &start);
            match c.push(&rkey, served, &day, unleased - back) {
                Ok(Some(true)) => {
                    if unleased > 0 {
                        c.stats
                            .reconciled
                            .fetch_add(unleased as u64, Ordering::Relaxed);
                        tracing::info!(
                            plan,
                            key,
                            requests = unleased,
                            "metering: pushed requests served while Redis was unreachable"
                        );
                    }
                }
                // No record for the period (Redis lost it, or nobody leased yet): the store
                // has these requests and seeds the record from them when it is needed.
                Ok(Some(false)) => {}
                Ok(None) => {
                    c.stale_epoch();
                    return;
                }
                Err(e) => {
                    l.unpushed.fetch_add(served, Ordering::AcqRel);
                    l.unleased.fetch_add(unleased, Ordering::AcqRel);
                    l.tokens.fetch_add(back, Ordering::AcqRel);
                    c.failed(&e);
                    return;
                }
            }
        }
    }

    /// The cluster's figures for `key_id` in `plan_id` in the quota period containing
    /// today: `None` without cluster mode, or when Redis is unreachable or has no record
    /// (then the store's are the best there are).
    pub fn shared_period(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        quota: Quota,
    ) -> Option<SharedPeriod> {
        let c = self.cluster.as_ref().filter(|c| c.is_up())?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (start, _) = period_at(quota, now);
        match c.read(&c.quota_key(tenant, plan_id, key_id, &start)) {
            Ok(Some((days, adjustment))) => Some(SharedPeriod {
                start,
                days,
                adjustment,
            }),
            Ok(None) => None,
            Err(e) => {
                c.failed(&e);
                None
            }
        }
    }

    /// UpdateUsage in cluster mode: set the key's remaining quota in Redis; the adjustment
    /// to keep in the store. `Ok(None)` without cluster mode.
    pub fn set_shared_remaining(
        &self,
        tenant: &Tenant,
        plan_id: &str,
        key_id: &str,
        quota: Quota,
        remaining: i64,
    ) -> Result<Option<i64>, String> {
        let Some(c) = &self.cluster else {
            return Ok(None);
        };
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (start, end) = period_at(quota, now);
        let rkey = c.quota_key(tenant, plan_id, key_id, &start);
        for _ in 0..3 {
            if !c.is_up() {
                match c.probe() {
                    Ok(true) => self.renew_epoch_lost(),
                    Ok(false) => {}
                    Err(e) => {
                        c.failed(&e);
                        break;
                    }
                }
            }
            match c.set_remaining(&rkey, quota.limit, remaining) {
                Ok(Some(adj)) => {
                    // This node's view is fresh at once; the others' at their next lease.
                    return Ok(Some(adj));
                }
                Ok(None) => self.seed(c, tenant, plan_id, key_id, &start, end)?,
                Err(e) => c.failed(&e),
            }
        }
        Err(c
            .last_error()
            .unwrap_or_else(|| "Redis is unreachable".into()))
    }

    /// Flush while holding `flush_lock`. Counts are attributed to the UTC day of the flush.
    pub(super) fn flush_locked(&self) {
        let day = usage::format_day(usage::today());
        let mut taken = Vec::new();
        for ((tenant, plan, key), u) in self.usage.lock().iter() {
            let n = u.take();
            if n > 0 {
                taken.push((
                    u.clone(),
                    UsageIncrement {
                        tenant: tenant.clone(),
                        plan_id: plan.clone(),
                        key_id: key.clone(),
                        day: day.clone(),
                        count: n,
                    },
                ));
            }
        }
        if taken.is_empty() {
            return;
        }
        let incs: Vec<UsageIncrement> = taken.iter().map(|(_, i)| i.clone()).collect();
        if let Err(e) = self.store.add_usage(&incs) {
            // Keep the counts for the next attempt rather than lose them.
            tracing::error!(error = %e, "metering: cannot flush usage counts; will retry");
            for (u, i) in taken {
                u.restore(i.count);
            }
        }
    }
}

/// Start the flusher. Each tick also applies any store announcement still pending to the
/// routes and the metering index: a safety net only, since every management call applies its
/// own changes before answering (the binary's management flow). Nothing waits on the announcements
/// themselves: a task woken by every write would cost each write call a thread hand-off
/// (measured: bench/HISTORY.md, control plane, 2026-11-29 evening).
pub fn spawn(data: Arc<crate::DataPlane>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let a = data.clone();
            let _ = tokio::task::spawn_blocking(move || {
                a.metering.flush();
                a.sync();
            })
            .await;
        }
    });
}
