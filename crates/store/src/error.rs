//! Why the store could not do what was asked, as this crate's own kinds; [`From<StoreError> for
//! inda_core::Error`](StoreError) is the one place that picks the boundary code. The store's public methods
//! return the boundary error, converted there.

use crate::cipher::KEY_LEN;
use inda_core::Error;
use std::path::PathBuf;

/// What went wrong, with today's message text for each.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite refused a statement, a transaction or the file.
    #[error("local store: {0}")]
    Database(rusqlite::Error),
    /// The file's schema is newer than this app knows.
    #[error("the local store is at schema version {current}, newer than this app ({latest}): update the app")]
    MigrationTooNew {
        /// The file's `user_version`.
        current: i64,
        /// The number of migrations this app knows.
        latest: i64,
    },
    /// The directory of the store file cannot be created.
    #[error("cannot create {}: {source}", .dir.display())]
    CannotCreateDir {
        /// The directory.
        dir: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// A previous holder of the connection panicked.
    #[error("local store: a previous writer crashed")]
    Poisoned,
    /// No conversation with this id for the caller.
    #[error("no conversation {0}")]
    ConversationNotFound(String),
    /// No dashboard with this id for the caller.
    #[error("no dashboard {0}")]
    DashboardNotFound(String),
    /// No saved analysis with this id for the caller (the same whether it is absent or someone else's).
    #[error("no saved analysis {0}")]
    AnalysisNotFound(String),
    /// No execution with this id for the caller.
    #[error("no execution {0}")]
    ExecutionNotFound(String),
    /// No alert with this id for the caller (the same whether it is absent or someone else's).
    #[error("no alert {0}")]
    AlertNotFound(String),
    /// The analysis already has a tile on the dashboard.
    #[error("analysis {analysis_id} is already on dashboard {dashboard_id}")]
    AlreadyOnDashboard {
        /// The analysis.
        analysis_id: String,
        /// The dashboard.
        dashboard_id: String,
    },
    /// The analysis has no tile on the dashboard.
    #[error("analysis {analysis_id} is not on dashboard {dashboard_id}")]
    NotOnDashboard {
        /// The analysis.
        analysis_id: String,
        /// The dashboard.
        dashboard_id: String,
    },
    /// No tile with this id on the caller's dashboard.
    #[error("no tile {tile_id} on dashboard {dashboard_id}")]
    TileNotFound {
        /// The tile.
        tile_id: String,
        /// The dashboard.
        dashboard_id: String,
    },
    /// Text was given for a tile that shows an analysis.
    #[error("tile {0} shows an analysis: only a text tile has text to edit")]
    NotATextTile(String),
    /// A tile was moved to a place the dashboard does not have.
    #[error("position {position} is out of range: the dashboard has {tiles} tiles (positions start at 1)")]
    TilePosition {
        /// The position asked for.
        position: i64,
        /// How many tiles the dashboard has.
        tiles: i64,
    },
    /// A cached result decrypted but is not a result this app can read.
    #[error("the cached result is damaged; run the analysis again")]
    CachedResultDamaged,
    /// A result could not be serialized for the cache.
    #[error("cannot serialize the result: {0}")]
    CannotSerialize(serde_json::Error),
    /// The cache key file is not 32 bytes: cut short, or still being written by the process that created it.
    #[error("the cache key {} is damaged ({len} bytes, expected {KEY_LEN}): cached results cannot be read", .path.display())]
    CacheKeyDamaged {
        /// The key file.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
    },
    /// The cache key file exists but cannot be read.
    #[error("the cache key {} cannot be read: {source}", .path.display())]
    CacheKeyUnreadable {
        /// The key file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// The cache key file or its directory cannot be created.
    #[error("cannot create the cache key {}: {source}", .path.display())]
    CacheKeyNotCreated {
        /// The key file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// The key file was created, yet no key could be read from it.
    #[error("the cache key could not be created")]
    CacheKeyMissing,
    /// The key from a [`CacheKeySource`](crate::CacheKeySource) is not 256 bits.
    #[error("the cache key has the wrong length")]
    CacheKeyWrongLength,
    /// Encrypting a cached result failed.
    #[error("cannot encrypt the cached result")]
    CannotEncrypt,
    /// A cached blob failed authentication: another key, another row, or altered.
    #[error(
        "the cached result cannot be decrypted (wrong cache key, or the data was altered); run the analysis again"
    )]
    CannotDecrypt,
    /// The admin mirror offered an analysis of another tenant or user.
    #[error("the admin mirror offered another user's analysis")]
    MirrorForeignAnalysis,
    /// The mirrored analysis's id exists here under another owner.
    #[error("analysis {0} belongs to someone else here")]
    MirrorOwnedElsewhere(String),
    /// A backup passphrase too short to resist guessing.
    #[error("the backup passphrase must have at least {min} characters")]
    WeakPassphrase {
        /// The shortest accepted.
        min: usize,
    },
    /// The file does not start like a backup of this app.
    #[error("this file is not a backup made by `inda backup`")]
    NotABackup,
    /// The backup's authentication failed: a wrong passphrase, or a file altered or cut short.
    #[error("the backup cannot be opened: wrong passphrase, or the file was altered or cut short")]
    BackupUnreadable,
    /// The backup opened, but its contents do not match its manifest.
    #[error("the backup is damaged: its files do not match its manifest")]
    BackupDamaged,
    /// A stored word that is not one of its closed set's values.
    #[error("`{word}` is not a known {kind}")]
    UnknownWord {
        /// The stored text.
        word: String,
        /// The set's type name (`AuditAction`, `Trigger`, …).
        kind: &'static str,
    },
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        use StoreError::*;
        match e {
            ConversationNotFound(_)
            | DashboardNotFound(_)
            | AnalysisNotFound(_)
            | ExecutionNotFound(_)
            | AlertNotFound(_)
            | NotOnDashboard { .. }
            | TileNotFound { .. } => Error::not_found(e.to_string()),
            AlreadyOnDashboard { .. }
            | NotATextTile(_)
            | TilePosition { .. }
            | WeakPassphrase { .. }
            | NotABackup
            | BackupUnreadable
            | BackupDamaged => Error::usage(e.to_string()),
            // Disk, SQLite, keys, encryption, refusals of the mirror: local failures.
            _ => Error::internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let cases = [
            (
                StoreError::Database(rusqlite::Error::QueryReturnedNoRows),
                ErrorCode::Internal,
                "local store: Query returned no rows",
            ),
            (
                StoreError::MigrationTooNew { current: 9, latest: 7 },
                ErrorCode::Internal,
                "the local store is at schema version 9, newer than this app (7): update the app",
            ),
            (StoreError::Poisoned, ErrorCode::Internal, "local store: a previous writer crashed"),
            (StoreError::ConversationNotFound("c1".into()), ErrorCode::NotFound, "no conversation c1"),
            (StoreError::AnalysisNotFound("a1".into()), ErrorCode::NotFound, "no saved analysis a1"),
            (StoreError::AlertNotFound("al1".into()), ErrorCode::NotFound, "no alert al1"),
            (
                StoreError::AlreadyOnDashboard { analysis_id: "a1".into(), dashboard_id: "d1".into() },
                ErrorCode::Usage,
                "analysis a1 is already on dashboard d1",
            ),
            (
                StoreError::NotOnDashboard { analysis_id: "a1".into(), dashboard_id: "d1".into() },
                ErrorCode::NotFound,
                "analysis a1 is not on dashboard d1",
            ),
            (
                StoreError::CacheKeyDamaged { path: PathBuf::from("/d/keys/cache.key"), len: 5 },
                ErrorCode::Internal,
                "the cache key /d/keys/cache.key is damaged (5 bytes, expected 32): cached results cannot be read",
            ),
            (
                StoreError::MirrorOwnedElsewhere("a1".into()),
                ErrorCode::Internal,
                "analysis a1 belongs to someone else here",
            ),
            (
                StoreError::UnknownWord { word: "maybe".into(), kind: "Trigger" },
                ErrorCode::Internal,
                "`maybe` is not a known Trigger",
            ),
        ];
        for (e, code, text) in cases {
            let e = Error::from(e);
            assert_eq!((e.code, e.message.as_str()), (code, text));
        }
    }
}
