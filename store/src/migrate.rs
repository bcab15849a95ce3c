//! Embedded migrations, applied by the crate itself.

use sqlx::{PgPool, Row};

use crate::{SchemaName, StoreError};

/// Each migration, in order: its version and its SQL, with `{schema}`
/// standing for the quoted schema name. Never edit one that shipped; add
/// the next.
const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../migrations/0001_init.sql"))];

pub(crate) async fn run(pool: &PgPool, schema: &SchemaName) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Two services starting at once would both see a migration missing;
    // the lock makes the second wait and then find it applied.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('evc-store-migrate'), hashtext($1))")
        .bind(schema.as_str())
        .execute(&mut *tx)
        .await?;
    let quoted = schema.quoted();
    sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))
        .execute(&mut *tx)
        .await?;
    let ledger = schema.table("evc_migrations");
    sqlx::query(&format!(
        "CREATE TABLE IF NOT EXISTS {ledger} (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now()
        )"
    ))
    .execute(&mut *tx)
    .await?;
    let applied: Vec<i32> = sqlx::query(&format!("SELECT version FROM {ledger}"))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    for (version, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        sqlx::raw_sql(&sql.replace("{schema}", &quoted))
            .execute(&mut *tx)
            .await
            .map_err(|source| StoreError::Migration {
                version: *version,
                source,
            })?;
        sqlx::query(&format!("INSERT INTO {ledger} (version) VALUES ($1)"))
            .bind(version)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn applied(pool: &PgPool, schema: &SchemaName) -> Result<Vec<i32>, StoreError> {
    let ledger = schema.table("evc_migrations");
    let rows = sqlx::query(&format!("SELECT version FROM {ledger} ORDER BY version"))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}
