//! Data ingestion from the inDigital API into either warehouse: incremental, per tenant, resumable.
//! It replaces the n8n workflows of the architecture document (§2.3): for each active tenant and entity it
//! reads the cursor, fetches pages (cursor pagination, `updated_since`, `limit`) with timeouts, retries and
//! respect for 429/Retry-After, validates the records, commits each page to RAW together with the cursor in
//! one atomic step, then rebuilds the tenant's STAGING and MARTS tables with DataFusion SQL.
//!
//! Also here: a local inDigital API server over the deterministic demo data, with fault knobs, for tests and
//! demos ([`demo_api`]), and an exporter of equivalent n8n workflows ([`n8n`]).
//!
//! Both warehouses ([`Destination`]): the embedded one's Parquet files, and Snowflake's RAW, MARTS and
//! ADMIN.SYNC_STATE tables through the Snowflake crate's connection ([`snowflake`]), with the same engine.
//!
//! What it is not: a query engine (the warehouse crate reads the marts), a place for tenant isolation
//! policy (the guard), or anything GUI.
//!
//! Layout of the embedded warehouse it writes (under the data dir's `warehouse/`):
//! `raw/<entity>/<tenant>/<seq>.parquet` (one file per committed page), `raw/_sync/<tenant>.json` (the
//! tenant's sync manifest: cursors, watermarks and the list of committed RAW files; see [`cursor`]),
//! `staging/<stg_table>/<tenant>/data.parquet` and `marts/<table>/<tenant>/data.parquet`.

pub mod api;
pub mod cursor;
pub mod demo_api;
pub mod destination;
pub mod engine;
pub mod entity;
pub mod faults;
pub mod n8n;
pub mod raw;
pub mod snowflake;
pub mod transform;

pub use api::{ApiClient, ApiConfig};
pub use demo_api::{DemoApi, DemoApiHandle};
pub use destination::Destination;
pub use engine::{EntityReport, SyncOptions, SyncReport, TenantReport, sync, sync_into};
pub use entity::Entity;
pub use faults::Faults;
pub use snowflake::SnowflakeLoader;
