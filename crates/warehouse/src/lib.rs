//! Warehouses: where guarded SQL runs. The [`Warehouse`] trait is what every engine implements; the
//! [`EmbeddedWarehouse`] is the default, Apache DataFusion over the Parquet files of the data dir (the demo
//! generator, `inda-demo`, or the sync, `inda-ingest`, writes them, in the marts' Arrow schemas
//! [`marts_schema`] derives from `inda_core::marts`).
//!
//! Not here: generating demo data (`inda-demo`), or deciding what SQL may run. Callers hand over SQL that
//! the guard already rewrote; the embedded engine adds a second wall (a session that sees only the caller's
//! tenant, read-only) but never a first.
//!
//! Failures are this crate's own kinds (`WarehouseError` in `error.rs`, which wraps the stop reasons and
//! the tenants file's failures); the [`Warehouse`] trait and the public functions return the boundary
//! `inda_core::Error`, converted in one place (`From<WarehouseError> for inda_core::Error`).

#![warn(missing_docs)]

mod average;
mod bridge;
mod build_side;
pub mod clustered;
mod compact;
mod convert;
mod division;
mod eager;
mod embedded;
pub mod encryption;
mod error;
mod functions;
mod grouping;
mod idle;
mod keyed;
mod limits;
mod marts;
mod plans;
mod reporting;
mod rollup;
mod route;
mod stop;
mod tenant_table;
mod unique_key;
mod view_filter;
mod view_keys;

pub use embedded::{EmbeddedWarehouse, KeySource};
pub use limits::{Cancel, QueryLimits};
pub use marts::marts_schema;

use inda_core::{ResultSet, Session, TenantEntry};
use inda_guard::Guarded;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so that `dyn Warehouse` works from async front ends (server, desktop) and the CLI alike.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs one guarded query for one session.
pub trait Warehouse: Send + Sync {
    /// Short engine name reported to users (`embedded`, `snowflake`).
    fn engine(&self) -> &'static str;

    /// Runs `sql` as text for `session`, within `limits`, until done or cancelled. The app runs only SQL the
    /// guard accepted, through [`Warehouse::query_guarded`]; this is the text path beneath it.
    fn query<'a>(
        &'a self,
        session: &'a Session,
        sql: &'a str,
        limits: &'a QueryLimits,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, inda_core::Result<ResultSet>>;

    /// Runs a query the guard accepted. An engine that reads text gets the rendering proven to parse back
    /// into the checked tree ([`Guarded::proven_sql`]); an engine that plans from sqlparser's tree
    /// overrides this and runs the tree itself.
    fn query_guarded<'a>(
        &'a self,
        session: &'a Session,
        guarded: &'a Guarded,
        limits: &'a QueryLimits,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, inda_core::Result<ResultSet>> {
        Box::pin(async move {
            let sql = guarded.proven_sql()?;
            self.query(session, sql, limits, cancel).await
        })
    }

    /// The reporting currency of `session`'s tenant (`admin.tenants.config.default_currency`, ISO 4217):
    /// what money metrics convert into with `marts.fx_rates`. `None` when the engine does not know it.
    fn reporting_currency<'a>(
        &'a self,
        _session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<String>>> {
        Box::pin(async { Ok(None) })
    }

    /// The rows of `admin.tenants` this engine shows `session` (Snowflake reads them under its row access
    /// policy, signed in for the session): what an admin's scope is resolved from and what the company
    /// dimension is labelled with. `None` when the engine has no tenants directory.
    fn tenants<'a>(
        &'a self,
        _session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<Vec<TenantEntry>>>> {
        Box::pin(async { Ok(None) })
    }
}
