//! Usage of a plan's keys: GetUsage and UpdateUsage, and the quota arithmetic the data plane
//! shares.
//!
//! Storage (see `Store::add_usage`): one counter per (tenant, plan, key, UTC day
//! `YYYY-MM-DD`). The data plane counts requests in memory and flushes increments in the
//! background at least once a second; GetUsage reads the counters. A key's remaining quota on a
//! day is `limit - (requests from the start of that day's quota period through the day) +
//! adjustment`, where the adjustment is what UpdateUsage recorded for that period
//! (`Store::set_quota_adjustment`), so a granted extension shrinks as the key keeps calling.
//!
//! Quota periods start at 00:00 UTC on: every day (DAY); the weekday `offset` (0 = Sunday) for
//! WEEK; day `offset + 1` of the month for MONTH.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use time::macros::format_description;
use time::{Date, OffsetDateTime};

use super::call::{Call, Reply};
use super::patch::{self, Op};
use super::{paging, usage_plan_keys, usage_plans, Handler};
use crate::app::App;
use crate::error::ApiError;
use crate::store::{self, kind, Store, Tenant, UsageRow};

pub(super) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetUsage" => get_usage,
        "UpdateUsage" => update_usage,
        _ => return None,
    })
}

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
    /// The quota of a usage plan document, if it has one.
    pub fn of_plan(plan: &Map<String, Value>) -> Option<Quota> {
        let q = plan.get("quota")?.as_object()?;
        let period = match q.get("period")?.as_str()? {
            "DAY" => Period::Day,
            "WEEK" => Period::Week,
            "MONTH" => Period::Month,
            _ => return None,
        };
        Some(Quota {
            limit: q.get("limit")?.as_i64()?,
            offset: q.get("offset").and_then(Value::as_i64).unwrap_or(0),
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
) -> Result<(i64, i64), ApiError> {
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
) -> Result<i64, ApiError> {
    let (used, adjustment) = period_usage(store, tenant, plan_id, key_id, quota, day)?;
    Ok(quota.limit - used + adjustment)
}

fn date_param(call: &Call, name: &str) -> Result<Date, ApiError> {
    let Some(text) = call.query(name).filter(|t| !t.is_empty()) else {
        return Err(ApiError::bad_request(format!(
            "1 validation error detected: Value null at '{name}' failed to satisfy constraint: Member must not be null"
        )));
    };
    // The texts for malformed dates are Portico's.
    parse_day(text).ok_or_else(|| {
        ApiError::bad_request(format!(
            "Invalid {name} specified: {text}. Dates have the form yyyy-MM-dd"
        ))
    })
}

/// The Usage document for `keys` over `start..=end`.
fn usage_of(
    app: &App,
    call: &Call,
    plan_id: &str,
    quota: Option<Quota>,
    keys: &[String],
    only_key: Option<&str>,
    (start, end): (Date, Date),
) -> Result<Map<String, Value>, ApiError> {
    let from = quota.map_or(start, |q| q.period_start(start));
    let rows = app.store.usage(
        call.tenant,
        plan_id,
        only_key,
        &format_day(from),
        &format_day(end),
    )?;
    let adjustments = app
        .store
        .quota_adjustments(call.tenant, plan_id, only_key)?;
    let mut out = Map::new();
    out.insert("usagePlanId".into(), json!(plan_id));
    out.insert("startDate".into(), json!(format_day(start)));
    out.insert("endDate".into(), json!(format_day(end)));
    out.insert(
        "values".into(),
        Value::Object(daily_values(quota, keys, start, end, &rows, &adjustments)),
    );
    Ok(out)
}

fn get_usage(app: &App, call: &Call) -> Result<Reply, ApiError> {
    // Report every request served, not only those the background flusher has written.
    app.data.metering.flush();
    let plan_id = call.label(0);
    let key_filter = call.query("keyId").filter(|k| !k.is_empty());
    let (plan, page) = store::read(&*app.store, call.tenant, |txn| {
        let plan = usage_plans::require(txn, plan_id)?;
        // Page over the plan's keys; each page carries every day of its keys.
        let page = paging::page(
            txn,
            call,
            kind::USAGE_PLAN_KEY,
            plan_id,
            |d| match key_filter {
                Some(k) if k != d.id => None,
                _ => Some(json!(d.id)),
            },
        )?;
        Ok((plan, page))
    })?;
    let start = date_param(call, "startDate")?;
    let end = date_param(call, "endDate")?;
    if end < start {
        return Err(ApiError::bad_request(format!(
            "The endDate {} is before the startDate {}",
            format_day(end),
            format_day(start)
        )));
    }
    let keys: Vec<String> = page["item"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut out = usage_of(
        app,
        call,
        plan_id,
        Quota::of_plan(&plan),
        &keys,
        key_filter,
        (start, end),
    )?;
    if let Some(p) = page.get("position") {
        out.insert("position".into(), p.clone());
    }
    Ok(Reply::Json(Value::Object(out)))
}

/// `replace /remaining` sets the key's remaining quota in the current period to the value.
fn update_usage(app: &App, call: &Call) -> Result<Reply, ApiError> {
    // The correction is relative to what was served: count every request first.
    app.data.metering.flush();
    let (plan_id, key_id) = (call.label(0), call.label(1));
    let ops = patch::parse(&call.json()?)?;
    let plan = store::read(&*app.store, call.tenant, |txn| {
        let plan = usage_plans::require(txn, plan_id)?;
        usage_plan_keys::require(txn, plan_id, key_id)?;
        Ok(plan)
    })?;
    let mut remaining = None;
    for op in &ops {
        if op.op != Op::Replace || op.path != "/remaining" {
            return Err(ApiError::bad_request(format!(
                "Invalid patch path '{}' specified for op '{}'. Must be one of: [/remaining]",
                op.path,
                op.op.as_str()
            )));
        }
        let n = op.i64_value()?;
        if n < 0 {
            return Err(ApiError::bad_request(format!(
                "Invalid remaining quota specified: {n}. It must be a non-negative integer"
            )));
        }
        remaining = Some(n);
    }
    let Some(quota) = Quota::of_plan(&plan) else {
        return Err(ApiError::bad_request(format!(
            "Usage plan {plan_id} has no quota, so there is no remaining quota to update"
        )));
    };
    let today = today();
    let start = quota.period_start(today);
    if let Some(r) = remaining {
        let (used, _) = period_usage(&*app.store, call.tenant, plan_id, key_id, quota, today)?;
        app.store.set_quota_adjustment(
            call.tenant,
            plan_id,
            key_id,
            &format_day(start),
            r - quota.limit + used,
        )?;
    }
    let out = usage_of(
        app,
        call,
        plan_id,
        Some(quota),
        &[key_id.to_string()],
        Some(key_id),
        (start, today),
    )?;
    Ok(Reply::Json(Value::Object(out)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, UsageIncrement};

    fn day(s: &str) -> Date {
        parse_day(s).unwrap()
    }

    fn q(period: Period, limit: i64, offset: i64) -> Quota {
        Quota {
            limit,
            offset,
            period,
        }
    }

    #[test]
    fn days_parse_strictly() {
        assert_eq!(format_day(day("2024-02-29")), "2024-02-29");
        for bad in [
            "2024-2-29",
            "2023-02-29",
            "20240101",
            "2024-01-01T00:00",
            "",
        ] {
            assert!(parse_day(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn period_starts_follow_the_offset() {
        // 2024-01-10 is a Wednesday.
        assert_eq!(
            q(Period::Day, 1, 0).period_start(day("2024-01-10")),
            day("2024-01-10")
        );
        assert_eq!(
            q(Period::Week, 1, 0).period_start(day("2024-01-10")),
            day("2024-01-07")
        );
        assert_eq!(
            q(Period::Week, 1, 3).period_start(day("2024-01-10")),
            day("2024-01-10")
        );
        assert_eq!(
            q(Period::Week, 1, 4).period_start(day("2024-01-10")),
            day("2024-01-04")
        );
        assert_eq!(
            q(Period::Month, 1, 0).period_start(day("2024-01-10")),
            day("2024-01-01")
        );
        assert_eq!(
            q(Period::Month, 1, 14).period_start(day("2024-01-10")),
            day("2023-12-15")
        );
        assert_eq!(
            q(Period::Month, 1, 9).period_start(day("2024-03-10")),
            day("2024-03-10")
        );
    }

    fn rows(list: &[(&str, &str, i64)]) -> Vec<UsageRow> {
        list.iter()
            .map(|(k, d, n)| UsageRow {
                key_id: k.to_string(),
                day: d.to_string(),
                used: *n,
            })
            .collect()
    }

    #[test]
    fn remaining_counts_down_within_a_period_and_resets_at_the_next() {
        let keys = vec!["k1".to_string(), "k2".to_string()];
        let used = rows(&[
            ("k1", "2024-01-01", 3),
            ("k1", "2024-01-02", 4),
            ("k1", "2024-01-03", 1),
        ]);
        let v = daily_values(
            Some(q(Period::Day, 10, 0)),
            &keys,
            day("2024-01-01"),
            day("2024-01-03"),
            &used,
            &[],
        );
        assert_eq!(
            Value::Object(v),
            json!({"k1": [[3, 7], [4, 6], [1, 9]], "k2": [[0, 10], [0, 10], [0, 10]]})
        );
        // A weekly quota counts from the period start even before the asked range.
        let v = daily_values(
            Some(q(Period::Week, 10, 1)),
            &keys[..1],
            day("2024-01-02"),
            day("2024-01-03"),
            &used,
            &[],
        );
        // 2024-01-01 is a Monday: the week started on it, so its 3 requests count.
        assert_eq!(Value::Object(v), json!({"k1": [[4, 3], [1, 2]]}));
        // Without a quota nothing remains.
        let v = daily_values(
            None,
            &keys[..1],
            day("2024-01-01"),
            day("2024-01-01"),
            &used,
            &[],
        );
        assert_eq!(Value::Object(v), json!({"k1": [[3, 0]]}));
        // An adjustment applies to its own period only, and never drives remaining below 0.
        let adj = vec![("k1".to_string(), "2024-01-02".to_string(), 5)];
        let v = daily_values(
            Some(q(Period::Day, 2, 0)),
            &keys[..1],
            day("2024-01-01"),
            day("2024-01-03"),
            &used,
            &adj,
        );
        assert_eq!(Value::Object(v), json!({"k1": [[3, 0], [4, 3], [1, 1]]}));
    }

    #[test]
    fn counts_flushed_through_the_store_show_up_in_daily_values() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(dir.path()).unwrap();
        let t = Tenant {
            account: "111111111111".into(),
            region: "us-east-1".into(),
        };
        let inc = |d: &str, n| UsageIncrement {
            tenant: t.clone(),
            plan_id: "p".into(),
            key_id: "k".into(),
            day: d.into(),
            count: n,
        };
        s.add_usage(&[
            inc("2024-05-01", 2),
            inc("2024-05-02", 5),
            inc("2024-05-01", 1),
        ])
        .unwrap();
        let quota = q(Period::Month, 100, 0);
        let got = s.usage(&t, "p", None, "2024-05-01", "2024-05-03").unwrap();
        let v = daily_values(
            Some(quota),
            &["k".into()],
            day("2024-05-01"),
            day("2024-05-03"),
            &got,
            &[],
        );
        assert_eq!(Value::Object(v), json!({"k": [[3, 97], [5, 92], [0, 92]]}));
    }

    /// Drive the real handlers the way the HTTP layer does, with counts flushed through the
    /// store API as the data plane will.
    mod through_handlers {
        use std::sync::Arc;

        use bytes::Bytes;
        use hyper::HeaderMap;

        use super::*;
        use crate::config::{Config, FileConfig};
        use crate::control::handle;

        struct Harness {
            app: App,
            tenant: Tenant,
            _dir: tempfile::TempDir,
        }

        impl Harness {
            fn new() -> Harness {
                let dir = tempfile::tempdir().unwrap();
                let config = Config::resolve(
                    FileConfig::parse("").unwrap(),
                    None,
                    Some(dir.path().to_path_buf()),
                    None,
                )
                .unwrap();
                let store = SqliteStore::open(dir.path()).unwrap();
                Harness {
                    app: App::new(config, Arc::new(store)),
                    tenant: Tenant {
                        account: "111111111111".into(),
                        region: "us-east-1".into(),
                    },
                    _dir: dir,
                }
            }

            fn call(&self, method: &str, path: &str, query: &str, body: Value) -> Value {
                let body = if body.is_null() {
                    Bytes::new()
                } else {
                    Bytes::from(body.to_string())
                };
                let done = handle(
                    &self.app,
                    &self.tenant,
                    method,
                    path,
                    query,
                    &HeaderMap::new(),
                    body,
                )
                .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
                match done.reply {
                    Reply::Json(v) => v,
                    _ => Value::Null,
                }
            }

            fn add(&self, plan: &str, key: &str, day: &str, count: i64) {
                self.app
                    .store
                    .add_usage(&[UsageIncrement {
                        tenant: self.tenant.clone(),
                        plan_id: plan.into(),
                        key_id: key.into(),
                        day: day.into(),
                        count,
                    }])
                    .unwrap();
            }
        }

        fn plan_with_key(h: &Harness, quota: Value) -> (String, String) {
            let plan = h.call(
                "POST",
                "/usageplans",
                "",
                json!({"name": "p", "quota": quota}),
            );
            let key = h.call("POST", "/apikeys", "", json!({"name": "k"}));
            let (plan, key) = (
                plan["id"].as_str().unwrap().to_string(),
                key["id"].as_str().unwrap().to_string(),
            );
            h.call(
                "POST",
                &format!("/usageplans/{plan}/keys"),
                "",
                json!({"keyId": key, "keyType": "API_KEY"}),
            );
            (plan, key)
        }

        #[test]
        fn get_usage_reports_flushed_counts_against_the_quota() {
            let h = Harness::new();
            let (plan, key) = plan_with_key(&h, json!({"limit": 10, "period": "DAY"}));
            h.add(&plan, &key, "2024-03-01", 4);
            h.add(&plan, &key, "2024-03-02", 12);
            h.add(&plan, "some-other-key", "2024-03-02", 1);
            let usage = h.call(
                "GET",
                &format!("/usageplans/{plan}/usage"),
                "startDate=2024-03-01&endDate=2024-03-03",
                Value::Null,
            );
            assert_eq!(
                usage,
                json!({"usagePlanId": plan, "startDate": "2024-03-01", "endDate": "2024-03-03",
                       "values": {key.clone(): [[4, 6], [12, 0], [0, 10]]}})
            );
        }

        #[test]
        fn update_usage_grants_remaining_that_later_requests_consume() {
            let h = Harness::new();
            let (plan, key) = plan_with_key(&h, json!({"limit": 10, "period": "MONTH"}));
            let today = today();
            let start = Quota {
                limit: 10,
                offset: 0,
                period: Period::Month,
            }
            .period_start(today);
            h.add(&plan, &key, &format_day(today), 3);
            let r = h.call(
                "PATCH",
                &format!("/usageplans/{plan}/keys/{key}/usage"),
                "",
                json!({"patchOperations": [{"op": "replace", "path": "/remaining", "value": "20"}]}),
            );
            assert_eq!(r["startDate"], json!(format_day(start)));
            assert_eq!(
                r["values"][&key].as_array().unwrap().last(),
                Some(&json!([3, 20]))
            );
            h.add(&plan, &key, &format_day(today), 5);
            let day = format_day(today);
            let usage = h.call(
                "GET",
                &format!("/usageplans/{plan}/usage"),
                &format!("startDate={day}&endDate={day}&keyId={key}"),
                Value::Null,
            );
            assert_eq!(usage["values"], json!({key.clone(): [[8, 15]]}));
            let quota = Quota {
                limit: 10,
                offset: 0,
                period: Period::Month,
            };
            assert_eq!(
                remaining_on(&*h.app.store, &h.tenant, &plan, &key, quota, today).unwrap(),
                15
            );
        }
    }
}
