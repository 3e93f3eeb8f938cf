//! The schema, as numbered migrations compiled into the binary. A node applies the missing ones
//! at start, one transaction each, under an advisory lock so nodes starting together do not
//! race; it refuses a database whose schema is newer than it knows (a newer Portico wrote it,
//! and this one could corrupt what it does not understand).

use tokio_postgres::Client;

use crate::StoreError;

/// `(version, SQL)`, in order. Never edit a released migration: add the next one.
pub(super) const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "
CREATE SEQUENCE portico_doc_seq;
-- Bodies are TEXT, not JSONB: documents keep their members' order (AWS's JSON shape, as
-- written), which JSONB would sort.
CREATE TABLE docs (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    scope   TEXT NOT NULL,
    id      TEXT NOT NULL,
    seq     BIGINT NOT NULL DEFAULT nextval('portico_doc_seq'),
    body    TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, scope, id)
);
CREATE INDEX docs_by_seq ON docs (account, region, kind, scope, seq);
CREATE INDEX docs_by_scope ON docs (account, region, scope);
CREATE INDEX docs_by_kind ON docs (kind);
CREATE TABLE usage_counts (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    day     TEXT NOT NULL,
    used    BIGINT NOT NULL,
    PRIMARY KEY (account, region, plan_id, key_id, day)
);
CREATE TABLE quota_adjustments (
    account      TEXT NOT NULL,
    region       TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    period_start TEXT NOT NULL,
    adjustment   BIGINT NOT NULL,
    PRIMARY KEY (account, region, plan_id, key_id, period_start)
);
-- One row per committed transaction that owes announcements, in commit order (rows are
-- inserted under a global advisory lock held until commit, so a reader that has seen seq N
-- has seen every row below N). Nodes read it after a NOTIFY, on a timer, and after a reconnect.
CREATE TABLE changes (
    seq  BIGSERIAL PRIMARY KEY,
    node TEXT NOT NULL,
    at   TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    body TEXT NOT NULL
);
-- Rows up to this seq were pruned: a node that has not read that far missed announcements
-- and rebuilds everything.
CREATE TABLE changes_pruned (through BIGINT NOT NULL);
INSERT INTO changes_pruned VALUES (0);
",
)];

/// The newest schema this binary knows.
pub(super) fn latest() -> i32 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

/// Bring the database up to [`latest`], or refuse a newer one.
pub(super) async fn migrate(
    client: &mut Client,
    url_for_messages: &str,
) -> Result<i32, StoreError> {
    // Session lock: held across the migrations' own transactions, released below.
    client
        .batch_execute(
            "SELECT pg_advisory_lock(1886611300);
             CREATE TABLE IF NOT EXISTS portico_schema (version INTEGER NOT NULL);",
        )
        .await?;
    let result = apply(client, url_for_messages).await;
    let unlock = client
        .batch_execute("SELECT pg_advisory_unlock(1886611300)")
        .await;
    let v = result?;
    unlock?;
    Ok(v)
}

async fn apply(client: &mut Client, url: &str) -> Result<i32, StoreError> {
    let row = client
        .query_opt("SELECT max(version) FROM portico_schema", &[])
        .await?;
    let mut current: i32 = row.and_then(|r| r.get::<_, Option<i32>>(0)).unwrap_or(0);
    if current > latest() {
        return Err(StoreError::backend(format!(
            "the database {url} has Portico schema version {current}, newer than this Portico's \
             {}: it was written by a newer Portico. Run that version (or newer), or point \
             --database-url at another database",
            latest()
        )));
    }
    for (version, sql) in MIGRATIONS {
        if *version <= current {
            continue;
        }
        let tx = client.transaction().await?;
        tx.batch_execute(sql)
            .await
            .map_err(|e| StoreError::backend(format!("schema migration {version} failed: {e}")))?;
        tx.execute("DELETE FROM portico_schema", &[]).await?;
        tx.execute(
            "INSERT INTO portico_schema (version) VALUES ($1)",
            &[version],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version, "applied PostgreSQL schema migration");
        current = *version;
    }
    Ok(current)
}
