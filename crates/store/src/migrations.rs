//! Versioned migrations. Each entry belongs to the module that owns its tables; the file's `user_version`
//! records how many have run, and each runs in its own transaction so a crash leaves a consistent version.

use crate::{audit, conversations, db_error};
use inda_core::Error;
use rusqlite::Connection;

const MIGRATIONS: &[&str] = &[audit::MIGRATION_1, conversations::MIGRATION_2];

pub fn apply(conn: &mut Connection) -> Result<(), Error> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error)?;
    if current > MIGRATIONS.len() as i64 {
        return Err(Error::internal(format!(
            "the local store is at schema version {current}, newer than this app ({}): update the app",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction().map_err(db_error)?;
        tx.execute_batch(sql).map_err(db_error)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64).map_err(db_error)?;
        tx.commit().map_err(db_error)?;
    }
    Ok(())
}
