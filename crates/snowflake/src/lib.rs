//! Snowflake as the production warehouse: [`SnowflakeWarehouse`] runs the SQL the guard rewrote on
//! Snowflake, implementing the same `inda_warehouse::Warehouse` trait as the embedded engine, and runs
//! Cortex completions for `inda_providers::CortexProvider`.
//!
//! What it does: signs in with a password or a key pair (secrets handed in by the app, which keeps them
//! in the OS keyring), keeps one Snowflake session per running query (a session runs one statement at a
//! time), bounds every statement by the caller's timeout and cancellation (client and server side), retries
//! only what certainly did not run, tags every statement with tenant, user, role and scope, maps Snowflake's
//! Arrow results to the product's typed columns, and reads the tenants directory (ADMIN.TENANTS) as the
//! account's row access policy shows it.
//!
//! What it is not: a guard. It runs what it is given; the tenant filter comes from `inda_guard`, and the
//! row access policies of `warehouse/snowflake/` are Snowflake's own second wall. It holds no secrets of
//! its own and reads no keyring. The app's own writes (the ingestion's loads, the admin mirror) run
//! through [`SnowflakeWarehouse::run_statement`], but what they write is decided by their own crates.
//!
//! Failures are [`SnowflakeError`]s inside the crate (protocol failures become one once the retry rules are
//! done with them); the public API returns the boundary `inda_core::Error`, converted once
//! (`From<SnowflakeError>`).

#![warn(missing_docs)]

pub mod check;
mod config;
mod convert;
mod cortex;
mod currency;
mod error;
mod http;
mod jwt;
mod protocol;
mod tenants;
mod warehouse;

pub use check::{Check, CheckStatus, verdict};
pub use config::{AuthMethod, CredentialSource, Credentials, SnowflakeProfile};
pub use cortex::SnowflakeCortex;
pub use error::SnowflakeError;
pub use http::HttpStatusError;
pub use warehouse::{SnowflakeWarehouse, TrustedStatement, ntz_text};
