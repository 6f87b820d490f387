//! Versioned migrations. Each entry belongs to the module that owns its tables; the file's `user_version`
//! records how many have run. Pending migrations run in one transaction, so a crash leaves a consistent
//! version.

use crate::{audit, cache, conversations, dashboards, db_error, saved};
use inda_core::Error;
use rusqlite::{Connection, TransactionBehavior};

const MIGRATIONS: &[&str] = &[
    audit::MIGRATION_1,
    conversations::MIGRATION_2,
    saved::MIGRATION_3,
    cache::MIGRATION_4,
    dashboards::MIGRATION_5,
];

pub fn apply(conn: &mut Connection) -> Result<(), Error> {
    let latest = MIGRATIONS.len() as i64;
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error)?;
    if current > latest {
        return Err(Error::internal(format!(
            "the local store is at schema version {current}, newer than this app ({latest}): update the app"
        )));
    }
    if current == latest {
        return Ok(());
    }
    // Two processes may open a new store at once (the CLI is often run in parallel): take the write lock
    // first and read the version again under it, so each migration runs exactly once.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        tx.execute_batch(sql).map_err(db_error)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(db_error)?;
    }
    tx.commit().map_err(db_error)
}
