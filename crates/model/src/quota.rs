//! Usage-plan quotas: periods, their arithmetic, and a key's remaining quota as stored. Shared
//! by the management API (GetUsage, UpdateUsage) and the data plane's metering, so it lives
//! below both.
//!
//! Quota periods start at 00:00 UTC on: every day (DAY); the weekday `offset` (0 = Sunday) for
//! WEEK; day `offset + 1` of the month for MONTH. A key's remaining quota on a day is `limit -
//! (requests from the start of that day's quota period through the day) + adjustment`, where
//! the adjustment is what UpdateUsage recorded for that period.

use std::collections::HashMap;

use portico_store::{Store, StoreError, Tenant, UsageRow};
use serde_json::{json, Map, Value};

use crate::usage_plan::{QuotaSettings, UsagePlan};
use time::macros::format_description;
use time::{Date, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
}

/// A plan's quota, as the data plane enforces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: i64,
    pub offset: i64,
    pub period: Period,
}

impl Quota {
    /// The quota of a usage plan, if it has one (and its period is one Portico knows).
    pub fn of_plan(plan: &UsagePlan) -> Option<Quota> {
        Quota::of_settings(plan.quota.as_ref()?)
    }

    pub fn of_settings(q: &QuotaSettings) -> Option<Quota> {
        let period = match q.period.as_str() {
            "DAY" => Period::Day,
            "WEEK" => Period::Week,
            "MONTH" => Period::Month,
            _ => return None,
        };
        Some(Quota {
            limit: q.limit,
            offset: q.offset,
            period,
        })
    }

    /// The first day of the quota period containing `day`.
    pub fn period_start(&self, day: Date) -> Date {
        match self.period {
            Period::Day => day,
            Period::Week => {
                let back = (i64::from(day.weekday().number_days_from_sunday()) - self.offset)
                    .rem_euclid(7);
                (0..back).fold(day, |d, _| d.previous_day().unwrap_or(d))
            }
            Period::Month => {
                // Offsets are 0..=27, so the start day exists in every month.
                let target = u8::try_from(self.offset.clamp(0, 27) + 1).unwrap_or(1);
                if day.day() >= target {
                    day.replace_day(target).unwrap_or(day)
                } else {
                    day.replace_day(1)
                        .ok()
                        .and_then(Date::previous_day)
                        .and_then(|d| d.replace_day(target).ok())
                        .unwrap_or(day)
                }
            }
        }
    }
}

pub fn parse_day(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

pub fn format_day(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// Today's date in UTC: usage days and quota periods are UTC.
pub fn today() -> Date {
    OffsetDateTime::now_utc().date()
}

/// `[[used, remaining], ...]` for each day of `start..=end`, per key. `rows` must cover every
/// day from the start of the quota period containing `start` through `end`. Without a quota
/// there is nothing to remain, and Portico reports 0 (AWS's behaviour there is unrecorded).
pub fn daily_values(
    quota: Option<Quota>,
    keys: &[String],
    start: Date,
    end: Date,
    rows: &[UsageRow],
    adjustments: &[(String, String, i64)],
) -> Map<String, Value> {
    let mut used: HashMap<(&str, &str), i64> = HashMap::new();
    for r in rows {
        *used.entry((r.key_id.as_str(), r.day.as_str())).or_default() += r.used;
    }
    let adjust: HashMap<(&str, &str), i64> = adjustments
        .iter()
        .map(|(k, p, a)| ((k.as_str(), p.as_str()), *a))
        .collect();
    let mut out = Map::new();
    for key in keys {
        let mut days = Vec::new();
        let mut day = start;
        // Requests used in the current quota period before `day`.
        let mut period = quota.map(|q| q.period_start(start));
        let mut in_period = 0i64;
        if let (Some(_), Some(mut d)) = (quota, period) {
            while d < start {
                in_period += used
                    .get(&(key.as_str(), format_day(d).as_str()))
                    .copied()
                    .unwrap_or(0);
                d = d.next_day().unwrap_or(start);
            }
        }
        loop {
            let day_text = format_day(day);
            let n = used
                .get(&(key.as_str(), day_text.as_str()))
                .copied()
                .unwrap_or(0);
            let remaining = match quota {
                None => 0,
                Some(q) => {
                    let ps = q.period_start(day);
                    if Some(ps) != period {
                        period = Some(ps);
                        in_period = 0;
                    }
                    in_period += n;
                    let adj = adjust
                        .get(&(key.as_str(), format_day(ps).as_str()))
                        .copied()
                        .unwrap_or(0);
                    (q.limit - in_period + adj).max(0)
                }
            };
            days.push(json!([n, remaining]));
            match day.next_day() {
                Some(next) if day < end => day = next,
                _ => break,
            }
        }
        out.insert(key.clone(), Value::Array(days));
    }
    out
}

/// Requests `key_id` used in `plan_id` from the start of the quota period containing `day`
/// through `day`, and the UpdateUsage adjustment of that period.
pub fn period_usage(
    store: &dyn Store,
    tenant: &Tenant,
    plan_id: &str,
    key_id: &str,
    quota: Quota,
    day: Date,
) -> Result<(i64, i64), StoreError> {
    let start = format_day(quota.period_start(day));
    let used = store
        .usage(tenant, plan_id, Some(key_id), &start, &format_day(day))?
        .iter()
        .map(|r| r.used)
        .sum();
    let adjustment = store
        .quota_adjustments(tenant, plan_id, Some(key_id))?
        .into_iter()
        .find(|(_, p, _)| *p == start)
        .map_or(0, |(_, _, a)| a);
    Ok((used, adjustment))
}

/// A key's remaining quota on `day` as stored (what the data plane starts from when it loads a
/// key; it then subtracts what it has counted but not yet flushed). May be negative when the
/// key overran its quota; GetUsage reports such days as 0.
pub fn remaining_on(
    store: &dyn Store,
    tenant: &Tenant,
    plan_id: &str,
    key_id: &str,
    quota: Quota,
    day: Date,
) -> Result<i64, StoreError> {
    let (used, adjustment) = period_usage(store, tenant, plan_id, key_id, quota, day)?;
    Ok(quota.limit - used + adjustment)
}

/// A key's figures for its current quota period as the cluster shares them (Redis), which
/// GetUsage prefers to the store's rows for the days of that period: served per day
/// (`YYYY-MM-DD`) and UpdateUsage's adjustment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedPeriod {
    /// The period's first day.
    pub start: String,
    pub days: Vec<(String, i64)>,
    pub adjustment: i64,
}
