//! Versioned migrations. Each entry belongs to the module that owns its tables; the file's `user_version`
//! records how many have run. Pending migrations run in one transaction, so a crash leaves a consistent
//! version.

use crate::{alerts, audit, cache, conversations, dashboards, mirror, saved};
use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    audit::MIGRATION_1,
    conversations::MIGRATION_2,
    saved::MIGRATION_3,
    cache::MIGRATION_4,
    dashboards::MIGRATION_5,
    mirror::MIGRATION_6,
    saved::MIGRATION_7,
    saved::MIGRATION_8,
    dashboards::MIGRATION_9,
    saved::MIGRATION_10,
    audit::MIGRATION_11,
    alerts::MIGRATION_12,
];

/// Why migrations could not run: SQLite said no (perhaps only busy, which the caller retries), or the file
/// belongs to a newer app.
pub enum MigrationError {
    Sqlite(rusqlite::Error),
    TooNew { current: i64, latest: i64 },
}

impl From<rusqlite::Error> for MigrationError {
    fn from(e: rusqlite::Error) -> Self {
        MigrationError::Sqlite(e)
    }
}

/// The version a store is at once every migration has run.
pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

pub fn apply(conn: &mut Connection) -> Result<(), MigrationError> {
    let latest = latest();
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > latest {
        return Err(MigrationError::TooNew { current, latest });
    }
    if current == latest {
        return Ok(());
    }
    // Two processes may open a new store at once (the CLI is often run in parallel): take the write lock
    // first and read the version again under it, so each migration runs exactly once.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    Ok(tx.commit()?)
}
