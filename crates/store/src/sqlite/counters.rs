//! Usage counters and quota adjustments: plain SQL tables beside the documents, not cached (the
//! data plane keeps its own live counts; these are read at index builds and by GetUsage).

use rusqlite::{params, Connection};

use super::exec_cached;
use crate::StoreError;
use crate::{Tenant, UsageIncrement, UsageRow};

/// Add every increment to its (tenant, plan, key, day) counter, all in one transaction.
pub(super) fn add(conn: &Connection, increments: &[UsageIncrement]) -> Result<(), StoreError> {
    exec_cached(conn, "BEGIN IMMEDIATE")?;
    let result = (|| {
        let mut stmt = conn.prepare_cached(
            "INSERT INTO usage_counts (account, region, plan_id, key_id, day, used) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (account, region, plan_id, key_id, day) DO UPDATE SET used = usage_counts.used + excluded.used",
        )?;
        for inc in increments {
            stmt.execute(params![
                inc.tenant.account(),
                inc.tenant.partition(),
                inc.plan_id,
                inc.key_id,
                inc.day,
                inc.count
            ])?;
        }
        Ok::<_, rusqlite::Error>(())
    })();
    match result.and_then(|()| exec_cached(conn, "COMMIT")) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = exec_cached(conn, "ROLLBACK");
            Err(e.into())
        }
    }
}

pub(super) fn usage(
    conn: &Connection,
    tenant: &Tenant,
    plan_id: &str,
    key_id: Option<&str>,
    from: &str,
    to: &str,
) -> Result<Vec<UsageRow>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key_id, day, used FROM usage_counts
         WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4) AND day >= ?5 AND day <= ?6
         ORDER BY key_id, day",
    )?;
    let rows = stmt.query_map(
        params![
            tenant.account(),
            tenant.partition(),
            plan_id,
            key_id,
            from,
            to
        ],
        |r| {
            Ok(UsageRow {
                key_id: r.get(0)?,
                day: r.get(1)?,
                used: r.get(2)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(super) fn set_adjustment(
    conn: &Connection,
    tenant: &Tenant,
    plan_id: &str,
    key_id: &str,
    period_start: &str,
    adjustment: i64,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO quota_adjustments (account, region, plan_id, key_id, period_start, adjustment) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (account, region, plan_id, key_id, period_start) DO UPDATE SET adjustment = excluded.adjustment",
    )?;
    stmt.execute(params![
        tenant.account(),
        tenant.partition(),
        plan_id,
        key_id,
        period_start,
        adjustment
    ])?;
    Ok(())
}

pub(super) fn adjustments(
    conn: &Connection,
    tenant: &Tenant,
    plan_id: &str,
    key_id: Option<&str>,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT key_id, period_start, adjustment FROM quota_adjustments
         WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4)
         ORDER BY key_id, period_start",
    )?;
    let rows = stmt.query_map(
        params![tenant.account(), tenant.partition(), plan_id, key_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Forget counters and adjustments of a usage plan (or of one key in it).
pub(super) fn delete(
    conn: &Connection,
    tenant: &Tenant,
    plan_id: &str,
    key_id: Option<&str>,
) -> Result<(), StoreError> {
    for table in ["usage_counts", "quota_adjustments"] {
        conn.execute(
            &format!(
                "DELETE FROM {table} WHERE account=?1 AND region=?2 AND plan_id=?3 AND (?4 IS NULL OR key_id=?4)"
            ),
            params![tenant.account(), tenant.partition(), plan_id, key_id],
        )?;
    }
    Ok(())
}

/// Tenants with usage counts (a wipe announces them to the metering layer).
pub(super) fn tenants(conn: &Connection) -> Result<Vec<Tenant>, StoreError> {
    let mut stmt = conn.prepare("SELECT DISTINCT account, region FROM usage_counts")?;
    let rows = stmt.query_map([], |r| {
        Ok(Tenant::from_key(
            &r.get::<_, String>(0)?,
            &r.get::<_, String>(1)?,
        ))
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
