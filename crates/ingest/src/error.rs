//! What can go wrong in a sync, and the one place each failure gets its boundary code.

use crate::entity::Entity;
use datafusion::arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use inda_core::{Error, Value};
use parquet::errors::ParquetError;
use reqwest::StatusCode;
use std::path::PathBuf;

/// Why a sync (or a step of one) failed. A tenant's report carries its text; the public entry points
/// ([`crate::sync`], [`crate::sync_into`], [`crate::n8n::export`]) return it as the boundary `Error`.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// [`SyncOptions::page_limit`](crate::SyncOptions::page_limit) is 0 or over 10,000; found before any
    /// request.
    #[error("the page limit must be between 1 and 10000")]
    PageLimit,
    /// A tenant id to sync is empty, over 64 characters, or holds characters other than ASCII letters,
    /// digits, `_` and `-` (it becomes a path and a header). That tenant fails; the others run.
    #[error("invalid tenant id `{0}`")]
    InvalidTenant(String),

    /// reqwest could not build the API client (its TLS backend, usually); nothing was sent.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(reqwest::Error),
    /// Transient failures (timeouts, dropped connections, 5xx, 429) until the retries ran out.
    #[error("{path}: gave up after {attempts} attempts: {why}")]
    GaveUp {
        /// The API path (`/v1/<entity>`, `/v1/tenants`), without base URL or query.
        path: String,
        /// Requests made, the first one included.
        attempts: u32,
        /// The last failure: `timed out`, `HTTP 503 …`, `429 too many requests`, ….
        why: String,
    },
    #[error(
        "the inDigital API refused the key (HTTP {status}): set INDIGITAL_API_KEY or `inda secret set indigital-api`"
    )]
    /// The API answered 401 or 403: the key is missing, wrong or not valid for the tenant. Not retried.
    KeyRefused {
        /// 401 or 403.
        status: StatusCode,
    },
    #[error("the inDigital API answered HTTP {status} for {url}")]
    /// Any other non-2xx answer that retrying cannot fix (400, 404, …; 408, 429 and 5xx are retried).
    HttpStatus {
        /// The API's status.
        status: StatusCode,
        /// The URL asked for, without its query.
        url: String,
    },
    /// A complete body that is not the JSON the API promises; a truncated one is retried instead, as a
    /// dropped connection.
    #[error("the inDigital API sent a malformed page: {0}")]
    MalformedPage(serde_json::Error),

    #[error("another sync of {tenant} is running into this warehouse; this one leaves it alone")]
    /// Another sync (another process, or `inda sync --every`) holds the tenant's lock in this destination.
    AlreadyRunning {
        /// The tenant whose lock is held.
        tenant: String,
    },
    /// A file or directory of the embedded warehouse: `action` is `create`, `open`, `read`, `lock`, `sync`, ….
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done to `path`.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// The Parquet writer failed on a RAW, STAGING or MARTS file of the embedded warehouse.
    #[error("cannot {action} {}: {source}", path.display())]
    Parquet {
        /// `start writing`, `write` or `finish`.
        action: &'static str,
        /// The file being written (or its temp file's target).
        path: PathBuf,
        /// The writer's reason.
        source: ParquetError,
    },
    /// An atomic write (`inda_core::fs`) failed; that error already has its code and message.
    #[error(transparent)]
    Write(Error),
    #[error("the sync manifest {} is corrupt: {source}", path.display())]
    /// A tenant's manifest (`raw/_sync/<tenant>.json`) does not parse; the tenant's sync stops before
    /// fetching anything.
    CorruptManifest {
        /// The manifest.
        path: PathBuf,
        /// Where and why it does not parse.
        source: serde_json::Error,
    },
    /// Writing a new manifest, a page's commit point, failed: the page stays uncommitted and the next run
    /// fetches it again.
    #[error("cannot commit the sync manifest: {}", .0.message)]
    CommitManifest(Error),
    /// A manifest or an n8n workflow could not be encoded as JSON (plain data: not expected to happen).
    #[error("{0}")]
    Serialize(serde_json::Error),

    /// Arrow refused a decimal column's precision and scale, which come from the entity's fields: a bug in
    /// [`crate::entity`], not bad data.
    #[error("decimal({precision},{scale}): {source}")]
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point.
        scale: i8,
        /// Arrow's reason.
        source: ArrowError,
    },
    /// A validated value does not fit its column: a bug in validation, not bad data.
    #[error("field type mismatch in validation")]
    TypeMismatch,
    /// A page's RAW batch could not be assembled from its columns: a bug, not bad data.
    #[error("RAW batch of {entity}: {source}")]
    RawBatch {
        /// The page's entity.
        entity: Entity,
        /// Arrow's reason.
        source: ArrowError,
    },

    /// A rebuild was asked for a mart the warehouse contract (`inda_warehouse::marts_schema`) does not have.
    #[error("unknown mart {0}")]
    UnknownMart(String),
    /// A mart has a schema but no entry in `inda_core::marts`, whose key orders its rows: the two
    /// contracts disagree.
    #[error("no key for mart {0}")]
    NoMartKey(String),
    /// A DataFusion step of a rebuild (`staging SQL`, `register RAW`, …).
    #[error("{step}: {source}")]
    DataFusion {
        /// Which step, in words.
        step: &'static str,
        /// DataFusion's reason.
        source: DataFusionError,
    },
    /// A batch of the staging query does not fit the schema DataFusion planned for it.
    #[error("staging batch: {0}")]
    StagingBatch(ArrowError),
    /// A mart column that does not cast to the contract's type.
    #[error("{mart}: {source}")]
    MartCast {
        /// The mart being rebuilt.
        mart: String,
        /// Arrow's reason.
        source: ArrowError,
    },
    /// The rebuilt mart's columns, cast, still do not make a batch of the contract's schema.
    #[error("{mart} does not fit the contract: {source}")]
    MartContract {
        /// The mart being rebuilt.
        mart: String,
        /// Arrow's reason.
        source: ArrowError,
    },

    /// A statement on Snowflake failed; the Snowflake crate's error already has its code and message.
    #[error(transparent)]
    Snowflake(Error),
    #[error("ADMIN.SYNC_MANIFEST of {tenant} is corrupt: {source}")]
    /// The tenant's latest `state` in ADMIN.SYNC_MANIFEST is not a manifest; the tenant's sync stops
    /// before fetching anything.
    CorruptRemoteManifest {
        /// The tenant.
        tenant: String,
        /// Where and why it does not parse.
        source: serde_json::Error,
    },
    /// The manifest's `state` cell is neither JSON nor text.
    #[error("ADMIN.SYNC_MANIFEST of {tenant} is corrupt: {cell:?}")]
    UnexpectedManifestCell {
        /// The tenant.
        tenant: String,
        /// The cell as read.
        cell: Value,
    },
    /// A page to load into Snowflake has no `_source_data` column: a bug, since validation always adds it.
    #[error("RAW batch without `_source_data`")]
    NoSourceData,

    /// `inda sync --n8n`: the output directory the user named.
    #[error("cannot create {}: {source}", path.display())]
    ExportDir {
        /// The directory.
        path: PathBuf,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// `inda sync --n8n`: a workflow file in the output directory the user named.
    #[error("{}", .0.message)]
    ExportWrite(Error),
}

impl From<SyncError> for Error {
    fn from(e: SyncError) -> Self {
        use SyncError as E;
        match e {
            E::PageLimit | E::InvalidTenant(_) | E::ExportDir { .. } | E::ExportWrite(_) => {
                Error::usage(e.to_string())
            }
            E::KeyRefused { .. } => Error::auth(e.to_string()),
            E::GaveUp { .. } | E::HttpStatus { .. } | E::MalformedPage(_) | E::AlreadyRunning { .. } => {
                Error::engine(e.to_string())
            }
            E::Write(e) | E::Snowflake(e) => e,
            E::HttpClient(_)
            | E::Io { .. }
            | E::Parquet { .. }
            | E::CorruptManifest { .. }
            | E::CommitManifest(_)
            | E::Serialize(_)
            | E::Decimal { .. }
            | E::TypeMismatch
            | E::RawBatch { .. }
            | E::UnknownMart(_)
            | E::NoMartKey(_)
            | E::DataFusion { .. }
            | E::StagingBatch(_)
            | E::MartCast { .. }
            | E::MartContract { .. }
            | E::CorruptRemoteManifest { .. }
            | E::UnexpectedManifestCell { .. }
            | E::NoSourceData => Error::internal(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let e = Error::from(SyncError::KeyRefused { status: StatusCode::UNAUTHORIZED });
        assert_eq!(e.code, ErrorCode::Auth);
        assert_eq!(
            e.message,
            "the inDigital API refused the key (HTTP 401 Unauthorized): set INDIGITAL_API_KEY or `inda secret set \
             indigital-api`"
        );
        let e = Error::from(SyncError::ExportWrite(Error::internal("cannot write x (writing): full")));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Usage, "cannot write x (writing): full"));
        let e = Error::from(SyncError::CommitManifest(Error::internal("cannot write m: full")));
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Internal, "cannot commit the sync manifest: cannot write m: full")
        );
        let e = Error::from(SyncError::Snowflake(Error::engine("Snowflake refused the query: x (error 1)")));
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Engine, "Snowflake refused the query: x (error 1)")
        );
        let e = Error::from(SyncError::UnexpectedManifestCell { tenant: "acme".into(), cell: Value::Int(3) });
        assert_eq!(e.message, "ADMIN.SYNC_MANIFEST of acme is corrupt: Int(3)");
        let e = Error::from(SyncError::InvalidTenant("a b".into()));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Usage, "invalid tenant id `a b`"));
    }
}
