//! The local store: one SQLite file in the data dir (WAL mode) holding the audit log, the conversations, saved
//! analyses with their executions and (encrypted) cached results, dashboards, alerts with the ledger of their
//! messages, and the bookkeeping of the admin mirror (what Snowflake's ADMIN tables have not seen yet). Each table's migration lives in the
//! module that owns the table; [`Store::open`] applies the ones a file has not seen yet, in order.
//!
//! Not here: policy. Every read and write takes the caller's tenant and user, and every query filters on
//! them; the store never decides who the caller is.
//!
//! Failures are this crate's own kinds ([`StoreError`]), turned into the boundary `inda_core::Error` in one
//! place (its `From` impl); the public methods return the boundary error.

#![warn(missing_docs)]

mod alerts;
mod audit;
mod backup;
mod cache;
mod cipher;
mod conversations;
mod dashboards;
mod error;
mod kinds;
mod migrations;
mod mirror;
mod saved;

pub use alerts::{Alert, AlertEvent, ExpiredDelivery, NewAlert, NewDelivery};
pub use audit::{AuditEntry, AuditRecord, AuditVerification, TenantAuditVerification};
pub use backup::{
    BackupFile, BackupManifest, MIN_PASSPHRASE_CHARS, ManifestEntry, open as open_backup, seal as seal_backup,
};
pub use cache::CachedResult;
pub use cipher::{CacheCipher, CacheKeySource, FileKeySource};
pub use conversations::{Conversation, Turn};
pub use dashboards::{Dashboard, DashboardFilters, TILE_HEIGHT, TILE_WIDTH, Tile};
pub use error::StoreError;
pub use kinds::{AuditAction, AuditOutcome, ConditionKind, DeliveryStatus, ExecutionStatus, Trigger};
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

/// The store holds the audit log and cached results: a new file is created owner-only (0600), so that SQLite,
/// which gives its `-wal` and `-shm` files the database file's permissions, creates those owner-only too. An
/// empty file is an empty database to SQLite. A racing process may create it first: either file will do.
fn create_private(path: &Path) -> Result<(), Error> {
    if !path.exists() {
        inda_core::fs::create_new(path, b"", inda_core::fs::Perms::Private)?;
    }
    Ok(())
}

/// Makes the store and its WAL files owner-only (0600) when an older app, or a copy, left them readable by
/// others: three `stat`s when they already are.
fn make_files_private(path: &Path) -> Result<(), Error> {
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        names.push(name.into());
    }
    for name in names {
        inda_core::fs::make_private(&name)?;
    }
    Ok(())
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
        create_private(path)?;
        loop {
            match Self::open_once(path) {
                Ok(conn) => {
                    make_files_private(path)?;
                    return Ok(Store { conn: Mutex::new(conn) });
                }
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

    /// The schema version of the store file at `path`, read without creating, migrating or changing it (for
    /// `inda doctor`, which must also describe a file from a newer app that [`Store::open`] refuses); `None`
    /// when there is no file.
    pub fn schema_version_at(path: &Path) -> Result<Option<i64>, Error> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(db_error)?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(db_error)?;
        conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map(Some).map_err(db_error)
    }

    /// The schema version this build writes and reads: the number of migrations it knows.
    pub fn latest_schema_version() -> i64 {
        migrations::latest()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn the_store_and_its_wal_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        let mode = |suffix: &str| {
            let file = format!("{}{suffix}", path.display());
            std::fs::metadata(&file)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or_else(|e| panic!("{file}: {e}"))
        };
        let store = Store::open(&path).expect("open");
        store.schema_version().expect("a read, so that the WAL files exist");
        assert_eq!([mode(""), mode("-wal"), mode("-shm")], [0o600; 3]);
        drop(store);

        // A store an older app left readable by others is made owner-only when it opens.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let store = Store::open(&path).expect("open again");
        store.schema_version().expect("read");
        assert_eq!([mode(""), mode("-wal"), mode("-shm")], [0o600; 3]);
    }

    #[test]
    fn the_schema_version_is_read_without_migrating() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.sqlite");
        assert_eq!(Store::schema_version_at(&path).expect("no file"), None);
        assert!(!path.exists(), "reading the version creates nothing");
        drop(Store::open(&path).expect("open"));
        assert_eq!(Store::schema_version_at(&path).expect("read"), Some(Store::latest_schema_version()));

        let future = Store::latest_schema_version() + 1;
        let conn = Connection::open(&path).expect("sqlite");
        conn.pragma_update(None, "user_version", future).expect("set version");
        drop(conn);
        assert_eq!(Store::schema_version_at(&path).expect("read"), Some(future));
        assert!(Store::open(&path).is_err(), "a newer schema is refused by open, yet readable here");
    }
}
