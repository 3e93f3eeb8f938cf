//! Moving counts to the store: a background task flushes every [`INTERVAL`], on a blocking
//! thread (never on the request path); a graceful shutdown flushes once more; GetUsage and
//! UpdateUsage flush first so they see every request served.
//!
//! Crash loss: a kill -9 (or power loss) loses what was counted since the last flush — at most
//! [`INTERVAL`] of requests plus one in-flight batch, i.e. well under a second of counts. The
//! quota of those requests is then granted again after a restart.

use std::sync::Arc;
use std::time::Duration;

use super::Metering;
use portico_model::quota as usage;
use portico_store::UsageIncrement;

/// How often counts are flushed.
pub const INTERVAL: Duration = Duration::from_millis(250);

impl Metering {
    /// Flush unflushed counts to the store (blocking; call off the async workers or where a
    /// store call would be fine anyway).
    pub fn flush(&self) {
        let _flushing = self.flush_lock.lock();
        self.flush_locked();
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
