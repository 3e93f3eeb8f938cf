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

use serde_json::{json, Map, Value};
use time::Date;

use crate::call::{Call, Reply};
use crate::error::ApiError;
use crate::patch::{self, Op};
use crate::store::{self, kind};
use crate::Ctx;
use crate::{paging, usage_plan_keys, usage_plans, Handler};
pub use portico_model::quota::*;
use portico_model::{Entity, UsagePlan};
use portico_store::UsageRow;

pub(crate) fn handler(operation: &str) -> Option<Handler> {
    Some(match operation {
        "GetUsage" => get_usage,
        "UpdateUsage" => update_usage,
        _ => return None,
    })
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
    cx: &Ctx,
    call: &Call,
    plan_id: &str,
    quota: Option<Quota>,
    keys: &[String],
    only_key: Option<&str>,
    (start, end): (Date, Date),
) -> Result<Map<String, Value>, ApiError> {
    let from = quota.map_or(start, |q| q.period_start(start));
    let mut rows = cx.store.usage(
        &call.tenant,
        plan_id,
        only_key,
        &format_day(from),
        &format_day(end),
    )?;
    let mut adjustments = cx
        .store
        .quota_adjustments(&call.tenant, plan_id, only_key)?;
    // Cluster mode: the current period's figures are the cluster's, in Redis (the store has
    // what each node wrote, which with a store per node is only part of them).
    if let Some(q) = quota {
        for key in keys {
            let Some(shared) = cx.data_plane.shared_usage(&call.tenant, plan_id, key, q) else {
                continue;
            };
            rows.retain(|r| r.key_id != *key || r.day < shared.start);
            rows.extend(shared.days.iter().map(|(day, used)| UsageRow {
                key_id: key.clone(),
                day: day.clone(),
                used: *used,
            }));
            adjustments.retain(|(k, p, _)| k != key || *p != shared.start);
            adjustments.push((key.clone(), shared.start.clone(), shared.adjustment));
        }
    }
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

fn get_usage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    // Report every request served, not only those the background flusher has written.
    cx.data_plane.flush_usage();
    let plan_id = call.label("usageplanId");
    let key_filter = call.query("keyId").filter(|k| !k.is_empty());
    let (plan, page) = store::read(&*cx.store, &call.tenant, |txn| {
        let plan = UsagePlan::from_map(&usage_plans::require(txn, plan_id)?)?;
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
        cx,
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
fn update_usage(cx: &Ctx, call: &Call) -> Result<Reply, ApiError> {
    // The correction is relative to what was served: count every request first.
    cx.data_plane.flush_usage();
    let (plan_id, key_id) = (call.label("usageplanId"), call.label("keyId"));
    let ops = patch::parse_call(call)?;
    let plan = store::read(&*cx.store, &call.tenant, |txn| {
        let plan = UsagePlan::from_map(&usage_plans::require(txn, plan_id)?)?;
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
        // Cluster mode: Redis holds the enforced figure; the store keeps the adjustment for
        // when Redis must be re-seeded.
        let adjustment =
            match cx
                .data_plane
                .set_shared_remaining(&call.tenant, plan_id, key_id, quota, r)
            {
                Ok(Some(adj)) => adj,
                Ok(None) => {
                    let (used, _) =
                        period_usage(&*cx.store, &call.tenant, plan_id, key_id, quota, today)?;
                    r - quota.limit + used
                }
                Err(why) => {
                    return Err(ApiError::new(
                        503,
                        "ServiceUnavailableException",
                        format!("The usage counts are unavailable: {why}"),
                    ))
                }
            };
        cx.store.set_quota_adjustment(
            &call.tenant,
            plan_id,
            key_id,
            &format_day(start),
            adjustment,
        )?;
    }
    let out = usage_of(
        cx,
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
    use portico_store::{SqliteStore, Store, Tenant, UsageIncrement, UsageRow};

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
        let t = Tenant::aws("111111111111", "us-east-1");
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
        use super::*;
        use crate::testing::Harness;

        /// Usage as the data plane's flusher writes it.
        fn add(h: &Harness, plan: &str, key: &str, day: &str, count: i64) {
            h.cx.store
                .add_usage(&[UsageIncrement {
                    tenant: h.tenant.clone(),
                    plan_id: plan.into(),
                    key_id: key.into(),
                    day: day.into(),
                    count,
                }])
                .unwrap();
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
            add(&h, &plan, &key, "2024-03-01", 4);
            add(&h, &plan, &key, "2024-03-02", 12);
            add(&h, &plan, "some-other-key", "2024-03-02", 1);
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
            add(&h, &plan, &key, &format_day(today), 3);
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
            add(&h, &plan, &key, &format_day(today), 5);
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
                remaining_on(&*h.cx.store, &h.tenant, &plan, &key, quota, today).unwrap(),
                15
            );
        }
    }
}
