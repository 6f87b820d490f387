//! Why a query could not run on the embedded engine, as this crate's own kinds (reusing the stop reasons of
//! `stop` and the tenants file's failures of `reporting`); [`From<WarehouseError> for
//! inda_core::Error`](WarehouseError) is the one place that picks the boundary code (auth for a tenant id
//! that is not one, internal for a missing query runtime, engine for everything else).

use crate::reporting::TenantsFileError;
use crate::stop::StopReason;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::error::ArrowError;
use datafusion::error::DataFusionError;
use inda_core::Error;

/// What went wrong, with today's message text for each.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WarehouseError {
    /// A tenant id that could not safely name a directory.
    #[error("invalid tenant")]
    InvalidTenant,
    /// The data dir has no `marts` directory.
    #[error("no embedded warehouse in this data dir: run `inda demo init` first")]
    NoWarehouse,
    /// The runtime queries execute on could not be built.
    #[error("cannot start the query runtime")]
    NoQueryRuntime,
    /// The session's runtime (memory pool, caches) could not be built.
    #[error("cannot start the embedded engine: {0}")]
    EngineStart(DataFusionError),
    /// The session has no default catalog.
    #[error("the embedded engine has no catalog")]
    NoCatalog,
    /// The `marts` schema could not be registered.
    #[error("cannot register the marts schema: {0}")]
    RegisterSchema(DataFusionError),
    /// A marts table without an Arrow schema.
    #[error("no schema for {0}")]
    NoSchema(&'static str),

    /// A rollup could not be built; the query that wanted it reads the facts instead.
    #[error("cannot build the rollup {0}")]
    Rollup(String),
    /// A marts table's files (or its empty stand-in) could not be opened.
    #[error("cannot open {table}: {source}")]
    OpenTable {
        /// The marts table.
        table: &'static str,
        /// DataFusion's reason.
        source: DataFusionError,
    },
    /// A marts table could not be registered in the session.
    #[error("cannot register {table}: {source}")]
    RegisterTable {
        /// The marts table.
        table: &'static str,
        /// DataFusion's reason.
        source: DataFusionError,
    },
    /// SQL text that does not parse.
    #[error("{0}")]
    Parse(sqlparser::parser::ParserError),
    /// SQL text of zero or several statements.
    #[error("exactly one statement can run at a time")]
    NotOneStatement,
    /// A construct the bridge to DataFusion cannot translate.
    #[error("{0}")]
    Bridge(String),
    /// A plan that would write or change the session.
    #[error("the embedded engine is read-only: {0}")]
    ReadOnly(DataFusionError),
    /// DataFusion refused or failed the query; the part of its message a person can act on.
    #[error("{0}")]
    Query(String),
    /// The memory pool refused the query; the part of DataFusion's message a person can act on.
    #[error("the query needs more memory than allowed: {0}")]
    OutOfMemory(String),
    /// The rows kept so far are over `[limits] result_bytes`.
    #[error(
        "the result is larger than the limit of {} ([limits] result_bytes): select fewer rows or columns",
        inda_core::ByteSize(*.limit)
    )]
    ResultTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A value of an exotic type could not be shown as text.
    #[error("cannot read a {data_type} value: {source}")]
    UnreadableValue {
        /// The value's Arrow type.
        data_type: DataType,
        /// Arrow's reason.
        source: ArrowError,
    },
    /// The query was stopped between batches (deadline, cancel or memory budget).
    #[error(transparent)]
    Stopped(#[from] StopReason),
    /// The caller's time limit passed while the query was still planning or running.
    #[error("the query did not finish within {secs:.0} s and was stopped")]
    TimedOut {
        /// The time limit in seconds, rounded up.
        secs: f64,
    },
    /// The query's task ended without an answer (it panicked or was aborted).
    #[error("the query stopped unexpectedly ({0})")]
    TaskFailed(tokio::task::JoinError),
    /// `admin/tenants.json` could not be read or parsed.
    #[error(transparent)]
    TenantsFile(#[from] TenantsFileError),
}

impl From<WarehouseError> for Error {
    fn from(e: WarehouseError) -> Error {
        match e {
            WarehouseError::InvalidTenant => Error::auth(e.to_string()),
            WarehouseError::NoQueryRuntime => Error::internal(e.to_string()),
            _ => Error::engine(e.to_string()),
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
            (WarehouseError::InvalidTenant, ErrorCode::Auth, "invalid tenant".to_string()),
            (
                WarehouseError::NoWarehouse,
                ErrorCode::Engine,
                "no embedded warehouse in this data dir: run `inda demo init` first".to_string(),
            ),
            (
                WarehouseError::NoQueryRuntime,
                ErrorCode::Internal,
                "cannot start the query runtime".to_string(),
            ),
            (
                WarehouseError::NotOneStatement,
                ErrorCode::Engine,
                "exactly one statement can run at a time".to_string(),
            ),
            (
                WarehouseError::OutOfMemory("Failed to allocate 1 MB".into()),
                ErrorCode::Engine,
                "the query needs more memory than allowed: Failed to allocate 1 MB".to_string(),
            ),
            (
                WarehouseError::ResultTooLarge { limit: 64 << 20 },
                ErrorCode::Engine,
                format!(
                    "the result is larger than the limit of {} ([limits] result_bytes): select fewer rows or columns",
                    inda_core::ByteSize(64 << 20)
                ),
            ),
            (StopReason::Cancelled.into(), ErrorCode::Engine, "the query was cancelled".to_string()),
            (
                WarehouseError::TimedOut { secs: 30.0 },
                ErrorCode::Engine,
                "the query did not finish within 30 s and was stopped".to_string(),
            ),
            (
                TenantsFileError::Read {
                    path: "/d/admin/tenants.json".into(),
                    source: std::io::Error::other("denied"),
                }
                .into(),
                ErrorCode::Engine,
                "cannot read /d/admin/tenants.json: denied".to_string(),
            ),
        ];
        for (e, code, text) in cases {
            let e = Error::from(e);
            assert_eq!((e.code, e.message.as_str()), (code, text.as_str()));
        }
    }
}
