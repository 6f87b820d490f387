//! Data ingestion from the inDigital API into either warehouse: incremental, per tenant, resumable.
//! It replaces the n8n workflows of the architecture document (§2.3): for each active tenant and entity it
//! reads the cursor, fetches pages (cursor pagination, `updated_since`, `limit`) with timeouts, retries and
//! respect for 429/Retry-After, validates the records, commits each page to RAW together with the cursor in
//! one atomic step, then rebuilds the tenant's STAGING and MARTS tables with DataFusion SQL.
//!
//! Also here: an exporter of equivalent n8n workflows ([`n8n`]).
//!
//! Failures are [`SyncError`]s inside the crate; a tenant's report carries the text of its failure, and the
//! entry points ([`sync`], [`sync_into`], [`n8n::export`]) return the boundary `inda_core::Error`,
//! converted once (`From<SyncError>`).
//!
//! Both warehouses ([`Destination`]): the embedded one's Parquet files, and Snowflake's RAW, MARTS and
//! ADMIN.SYNC_STATE tables through the Snowflake crate's connection ([`snowflake`]), with the same engine.
//!
//! What it is not: a query engine (the warehouse crate reads the marts), a place for tenant isolation
//! policy (the guard), the demo inDigital API its tests sync from (the demo crate, `inda-demo`), or
//! anything GUI.
//!
//! Layout of the embedded warehouse it writes (under the data dir's `warehouse/`):
//! `raw/<entity>/<tenant>/<seq>.parquet` (one file per committed page), `raw/_sync/<tenant>.json` (the
//! tenant's sync manifest: cursors, watermarks and the list of committed RAW files; see [`cursor`]),
//! `staging/<stg_table>/<tenant>/data.parquet` and `marts/<table>/<tenant>/data.parquet`.

#![warn(missing_docs)]

pub mod api;
pub mod cursor;
pub mod destination;
pub mod engine;
pub mod entity;
mod error;
pub mod n8n;
pub mod raw;
pub mod snowflake;
pub mod transform;

pub use api::{ApiClient, ApiConfig};
pub use destination::{Destination, Local};
pub use engine::{EntityReport, ProgressFn, SyncOptions, SyncReport, TenantReport, sync, sync_into};
pub use entity::Entity;
pub use error::SyncError;
pub use snowflake::SnowflakeLoader;
