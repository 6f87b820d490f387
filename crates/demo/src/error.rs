//! Why generating or serving the demo failed, as this crate's own kinds; [`From<DemoError> for
//! inda_core::Error`](DemoError) is the one place that picks the boundary code (usage for what the caller
//! asked for, internal for everything else).

use chrono::NaiveDate;
use datafusion::arrow::error::ArrowError;
use inda_core::Error;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What went wrong, with today's message text for each.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// `--scale` is not a finite number in `(0, MAX_SCALE]`.
    #[error("scale must be a number above 0 and at most {}", crate::MAX_SCALE)]
    BadScale,
    /// The as-of date is outside the years the generator's date arithmetic supports.
    #[error("as-of date {0} is out of range (years 1972 to 9999)")]
    AsOfOutOfRange(NaiveDate),
    /// An empty list of tenants was requested.
    #[error("no tenants requested")]
    NoTenants,
    /// A requested tenant is not one of the demo tenants.
    #[error("unknown demo tenant '{name}' (known: {known})")]
    UnknownTenant {
        /// The requested name, trimmed.
        name: String,
        /// The demo tenants, comma-separated.
        known: String,
    },
    /// The warehouse directory has no final component to build sibling names from.
    #[error("warehouse directory {} has no name", .0.display())]
    WarehouseHasNoName(PathBuf),
    /// A file or directory operation failed.
    #[error("cannot {action} {}: {source}", path.display())]
    File {
        /// What was being done (`create`, `write`, `move aside`, …).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The file system's, Parquet's or JSON's reason.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A decimal column builder refused its precision and scale.
    #[error("decimal({precision},{scale}) builder: {source}")]
    DecimalBuilder {
        /// The requested precision.
        precision: u8,
        /// The requested scale.
        scale: i8,
        /// Arrow's reason.
        source: ArrowError,
    },
    /// A table name that `inda_warehouse::marts_schema` does not know.
    #[error("unknown marts table {0}")]
    UnknownTable(String),
    /// A generated batch does not fit its table's schema.
    #[error("demo batch for {}: {source}", path.display())]
    Batch {
        /// The Parquet file being written.
        path: PathBuf,
        /// Arrow's reason.
        source: ArrowError,
    },
    /// A generation worker ended without a result (it panicked).
    #[error("demo generation stopped early")]
    StoppedEarly,
    /// The demo API cannot read the warehouse's `admin/tenants.json`.
    #[error("cannot read {}: {source}", path.display())]
    TenantsUnreadable {
        /// The tenants file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// The warehouse's `admin/tenants.json` is not the generator's JSON.
    #[error("{0}")]
    TenantsInvalid(serde_json::Error),
    /// No temp dir for a generated demo API.
    #[error("cannot create a temp dir: {0}")]
    TempDir(std::io::Error),
    /// The demo API cannot bind its address.
    #[error("cannot listen on {bind}: {source}")]
    Listen {
        /// The requested address.
        bind: SocketAddr,
        /// The socket's reason.
        source: std::io::Error,
    },
    /// The bound listener cannot report its address.
    #[error("{0}")]
    LocalAddr(std::io::Error),
    /// A fault knob without `=`.
    #[error("fault `{0}`: expected name=value")]
    FaultNotNameValue(String),
    /// A fault knob whose value does not parse.
    #[error("fault `{0}`: bad value")]
    FaultBadValue(String),
    /// A fault knob of an unknown name.
    #[error("unknown fault `{0}` (slow, 429, retry-after, 500, drop, dup, update)")]
    UnknownFault(String),
}

impl DemoError {
    /// A [`DemoError::File`] for `path`.
    pub(crate) fn file(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> DemoError {
        DemoError::File { action, path: path.into(), source: source.into() }
    }
}

impl From<DemoError> for Error {
    fn from(e: DemoError) -> Error {
        use DemoError::*;
        match e {
            BadScale
            | AsOfOutOfRange(_)
            | NoTenants
            | UnknownTenant { .. }
            | WarehouseHasNoName(_)
            | TenantsUnreadable { .. }
            | Listen { .. }
            | FaultNotNameValue(_)
            | FaultBadValue(_)
            | UnknownFault(_) => Error::usage(e.to_string()),
            File { .. }
            | DecimalBuilder { .. }
            | UnknownTable(_)
            | Batch { .. }
            | StoppedEarly
            | TenantsInvalid(_)
            | TempDir(_)
            | LocalAddr(_) => Error::internal(e.to_string()),
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
            (DemoError::BadScale, ErrorCode::Usage, "scale must be a number above 0 and at most 1000"),
            (
                DemoError::AsOfOutOfRange(NaiveDate::from_ymd_opt(1970, 1, 2).unwrap()),
                ErrorCode::Usage,
                "as-of date 1970-01-02 is out of range (years 1972 to 9999)",
            ),
            (DemoError::NoTenants, ErrorCode::Usage, "no tenants requested"),
            (
                DemoError::UnknownTenant { name: "hooli".into(), known: "acme_corp, globex".into() },
                ErrorCode::Usage,
                "unknown demo tenant 'hooli' (known: acme_corp, globex)",
            ),
            (
                DemoError::file("/w/admin", "create", std::io::Error::other("disk full")),
                ErrorCode::Internal,
                "cannot create /w/admin: disk full",
            ),
            (DemoError::UnknownTable("dim_x".into()), ErrorCode::Internal, "unknown marts table dim_x"),
            (DemoError::StoppedEarly, ErrorCode::Internal, "demo generation stopped early"),
            (
                DemoError::TenantsUnreadable {
                    path: "/w/admin/tenants.json".into(),
                    source: std::io::Error::other("gone"),
                },
                ErrorCode::Usage,
                "cannot read /w/admin/tenants.json: gone",
            ),
            (DemoError::FaultBadValue("429=x".into()), ErrorCode::Usage, "fault `429=x`: bad value"),
            (
                DemoError::UnknownFault("boom".into()),
                ErrorCode::Usage,
                "unknown fault `boom` (slow, 429, retry-after, 500, drop, dup, update)",
            ),
        ];
        for (e, code, text) in cases {
            let e = Error::from(e);
            assert_eq!((e.code, e.message.as_str()), (code, text));
        }
    }
}
