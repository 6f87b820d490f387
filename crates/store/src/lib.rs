//! The local store: one SQLite file in the data dir (WAL mode) holding the audit log, the conversations, saved
//! analyses with their executions and (encrypted) cached results, dashboards, and the bookkeeping of the
//! admin mirror (what Snowflake's ADMIN tables have not seen yet). Each table's migration lives in the
//! module that owns the table; [`Store::open`] applies the ones a file has not seen yet, in order.
//!
//! Not here: policy. Every read and write takes the caller's tenant and user, and every query filters on
//! them; the store never decides who the caller is.
//!
//! Failures are this crate's own kinds ([`StoreError`]), turned into the boundary `inda_core::Error` in one
//! place (its `From` impl); the public methods return the boundary error.

#![warn(missing_docs)]

mod audit;
mod cache;
mod cipher;
mod conversations;
mod dashboards;
mod error;
mod kinds;
mod migrations;
mod mirror;
mod saved;

pub use audit::{AuditEntry, AuditRecord, AuditVerification, TenantAuditVerification};
pub use cache::CachedResult;
pub use cipher::{CacheCipher, CacheKeySource, FileKeySource};
pub use conversations::{Conversation, Turn};
pub use dashboards::{Dashboard, DashboardFilters, TILE_HEIGHT, TILE_WIDTH, Tile};
pub use error::StoreError;
pub use kinds::{AuditAction, AuditOutcome, ExecutionStatus, Trigger};
pub use mirror::{MirrorAnalysis, MirrorConflict, Tombstone};
pub use saved::{
    Claim, DueAnalysis, Execution, Failure, FailureKind, FailureRecord, NewAnalysis, RefreshFailure,
    RefreshHealth, RetryPolicy, SavedAnalysis, SchedulePause,
};

use inda_core::Error;
use migrations::MigrationError;
use rusqlite::Connection;
use std::path::Path;
use std::sync::Mutex;

/// The local SQLite store.
pub struct Store {
    conn: Mutex<Connection>,
}

/// The one timestamp format of the store: UTC, millisecond precision, fixed width, so that text order is
/// time order in SQL comparisons.
pub fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn migration_error(e: MigrationError) -> Error {
    match e {
        MigrationError::Sqlite(e) => db_error(e),
        MigrationError::TooNew { current, latest } => StoreError::MigrationTooNew { current, latest }.into(),
    }
}

/// A SQLite failure as the boundary error (closures of [`Store::with`] return it, so `?` cannot convert).
pub(crate) fn db_error(e: rusqlite::Error) -> Error {
    StoreError::Database(e).into()
}

/// Every row of `sql` through `map`: the prepare, map and collect of each list the store reads.
pub(crate) fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>, Error> {
    let mut stmt = conn.prepare(sql).map_err(db_error)?;
    let rows = stmt.query_map(params, map).map_err(db_error)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(db_error)
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, Error> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| StoreError::CannotCreateDir { dir: dir.to_path_buf(), source })?;
        }
        // SQLite answers BUSY at once, without waiting on the busy handler, when two connections race to
        // switch a new file to WAL or to upgrade a read lock (it would otherwise deadlock). Parallel CLI
        // processes opening a fresh data dir hit exactly that, so the whole opening sequence is retried.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        let mut pause = std::time::Duration::from_millis(5);
        loop {
            match Self::open_once(path) {
                Ok(conn) => return Ok(Store { conn: Mutex::new(conn) }),
                Err(MigrationError::Sqlite(e)) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(200));
                }
                Err(e) => return Err(migration_error(e)),
            }
        }
    }

    fn open_once(path: &Path) -> Result<Connection, MigrationError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        migrations::apply(&mut conn)?;
        Ok(conn)
    }

    /// An in-memory store, for tests.
    pub fn in_memory() -> Result<Store, Error> {
        let mut conn = Connection::open_in_memory().map_err(db_error)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db_error)?;
        migrations::apply(&mut conn).map_err(migration_error)?;
        Ok(Store { conn: Mutex::new(conn) })
    }

    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut Connection) -> Result<T, Error>) -> Result<T, Error> {
        let mut guard = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&mut guard)
    }

    /// The schema version the file is at.
    pub fn schema_version(&self) -> Result<i64, Error> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(db_error))
    }
}
