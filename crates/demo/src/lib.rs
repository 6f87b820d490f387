//! The demo of inDigital Analytics: believable, deterministic marts data for the five demo tenants of the
//! data-model contract (partner `indigital`: `acme_corp`, `globex`, `initech`, `umbrella`; partner
//! `other_partner`: `stark_ind`), so that the product, the evaluation sets and the benchmarks have something
//! realistic to query on an analyst's laptop; and a local inDigital API serving that data, so that the sync
//! can be shown and tested without an account.
//!
//! The generator ([`generate`]: `inda demo init`, tests and benchmarks) writes
//! `<warehouse_dir>/marts/<table>/<tenant_id>/data.parquet` (every table of `inda_core::marts`, in the Arrow
//! schemas of `inda_warehouse::marts_schema`), `admin/partners.json`, `admin/tenants.json` and
//! `manifest.json`, replacing any previous warehouse atomically (built in a sibling temp dir, then swapped in
//! with renames).
//!
//! The demo API ([`DemoApi`]: `inda demo api`, the sync's tests and benchmark) serves a generated warehouse
//! as the inDigital API the sync reads, with fault knobs ([`Faults`]) that prove the sync survives a
//! misbehaving API.
//!
//! What it is not for: reading or querying the warehouse (the embedded engine, `inda-warehouse`), loading
//! real tenant data (the sync, `inda-ingest`), defining the marts schema (`inda_core::marts`), or any tenant
//! isolation policy. The engine and the sync never depend on it; only front ends (through `inda-app`),
//! tests and benchmarks do.
//!
//! Determinism: every tenant draws from its own ChaCha8 streams seeded from `(seed, tenant_id, stream)`, so
//! generating one tenant alone writes exactly the rows a full generation writes for it, and the same seed
//! always gives the same data.
//!
//! Failures are this crate's own kinds ([`DemoError`]); the public functions return the boundary
//! `inda_core::Error`, converted in one place (`From<DemoError> for inda_core::Error`).

#![warn(missing_docs)]

mod activities;
mod admin;
mod api;
mod calendar;
mod campaigns;
mod contacts;
mod error;
mod faults;
mod fx_rates;
mod messages;
mod names;
mod parallel;
mod plan;
mod rng;
mod swap;
mod tenants;
mod writer;

use chrono::NaiveDate;
use inda_core::Error;
use inda_warehouse::encryption::{self, WarehouseKey};
use parquet::file::properties::WriterProperties;
use serde::Serialize;
use std::path::Path;
use std::time::Instant;

pub use api::{DemoApi, DemoApiHandle};
pub use error::DemoError;
pub use faults::Faults;

/// What to generate. `Default` is scale 1.0, seed 42, all five tenants, as of today (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOptions {
    /// Multiplies contacts, messages and activities linearly (campaigns grow sub-linearly). Default 1.0.
    pub scale: f64,
    /// Same seed, same data. Default 42.
    pub seed: u64,
    /// Last day with data; the data spans the 24 months up to and including it.
    pub as_of: NaiveDate,
    /// Tenant ids to generate; `None` means all five.
    pub tenants: Option<Vec<String>>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions { scale: 1.0, seed: 42, as_of: chrono::Utc::now().date_naive(), tenants: None }
    }
}

/// Rows written for one tenant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantSummary {
    /// The tenant id, as tokens carry it (`acme_corp`).
    pub tenant_id: String,
    /// The company's display name.
    pub tenant_name: String,
    /// The partner the tenant belongs to (`indigital` or `other_partner`).
    pub partner_id: String,
    /// Rows written to `dim_contacts`.
    pub contacts: u64,
    /// Rows written to `dim_campaigns`.
    pub campaigns: u64,
    /// Rows written to `fct_messages`.
    pub messages: u64,
    /// Rows written to `fct_activities`.
    pub activities: u64,
    /// Rows written to `fx_rates` (one per currency and month).
    pub fx_rates: u64,
}

impl TenantSummary {
    /// All marts rows of this tenant.
    pub fn rows(&self) -> u64 {
        self.contacts + self.campaigns + self.messages + self.activities + self.fx_rates
    }
}

/// What `generate` created; also written to `<warehouse_dir>/manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemoSummary {
    /// The last day with data ([`DemoOptions::as_of`]).
    pub as_of: NaiveDate,
    /// The seed the data was drawn from ([`DemoOptions::seed`]).
    pub seed: u64,
    /// The scale used ([`DemoOptions::scale`]).
    pub scale: f64,
    /// One entry per generated tenant, in canonical order.
    pub tenants: Vec<TenantSummary>,
    /// All marts rows of all tenants.
    pub rows: u64,
    /// Wall-clock time of the generation, in milliseconds (the final swap into place not included).
    pub elapsed_ms: f64,
}

/// Progress of a generation, in rows written. `Start` comes once with the exact total, then `Advance`s
/// (possibly from several threads) that add up to it, then `Done` once the warehouse is in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Planning is over and writing begins.
    Start {
        /// Rows the whole generation will write.
        total_rows: u64,
    },
    /// This many more rows were written.
    Advance(u64),
    /// The new warehouse replaced the old one.
    Done,
}

/// The demo tenants in canonical order: `(tenant_id, tenant_name, partner_id)`.
pub fn all_tenants() -> Vec<(&'static str, &'static str, &'static str)> {
    tenants::PROFILES.iter().map(|p| (p.id, p.name, p.partner_id)).collect()
}

/// The largest accepted `scale`; far beyond what a laptop should hold, it only catches typos.
const MAX_SCALE: f64 = 1000.0;

/// Creates or replaces the warehouse at `warehouse_dir` with demo data in plain Parquet (for fixtures that
/// leave the data dir: the demo CRM, the Snowflake tests). Nothing under `warehouse_dir` changes unless the
/// whole generation succeeds.
pub fn generate(
    warehouse_dir: &Path,
    opts: &DemoOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<DemoSummary, Error> {
    generate_sealed(warehouse_dir, opts, None, progress)
}

/// As [`generate`], every Parquet file sealed with `key` (the data dir's warehouse key) when given.
pub fn generate_sealed(
    warehouse_dir: &Path,
    opts: &DemoOptions,
    key: Option<&WarehouseKey>,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<DemoSummary, Error> {
    let started = Instant::now();
    // Validate everything before touching the disk, so a usage error never costs the previous warehouse.
    if !opts.scale.is_finite() || opts.scale <= 0.0 || opts.scale > MAX_SCALE {
        return Err(DemoError::BadScale.into());
    }
    let profiles = tenants::select(opts.tenants.as_deref())?;
    let window = calendar::Window::new(opts.as_of)?;
    let tmp = swap::prepare_temp(warehouse_dir)?;

    let props = encryption::writer_properties(key)?;
    match build(&tmp, &profiles, &window, opts, &props, progress, started) {
        Ok(summary) => {
            swap::swap_in(&tmp, warehouse_dir)?;
            progress(Progress::Done);
            tracing::info!(rows = summary.rows, elapsed_ms = summary.elapsed_ms, "demo warehouse generated");
            Ok(summary)
        }
        Err(e) => {
            swap::discard(&tmp);
            Err(e)
        }
    }
}

/// Writes the whole warehouse into `root` (the temp dir).
fn build(
    root: &Path,
    profiles: &[&'static tenants::TenantProfile],
    window: &calendar::Window,
    opts: &DemoOptions,
    props: &WriterProperties,
    progress: &(dyn Fn(Progress) + Sync),
    started: Instant,
) -> Result<DemoSummary, Error> {
    // Phase 1 plans every tenant (contacts, campaigns, daily volumes) so that the exact row total is known
    // before the first row is written; phase 2 streams the rows to Parquet.
    let sizes: Vec<f64> = profiles.iter().map(|p| p.contacts).collect();
    let plans =
        parallel::map(profiles, &sizes, |p| Ok(plan::TenantPlan::build(p, window, opts.seed, opts.scale)))?;
    let total: u64 = plans.iter().map(plan::TenantPlan::total_rows).sum();
    progress(Progress::Start { total_rows: total });

    let sizes: Vec<f64> = plans.iter().map(|p| p.total_rows() as f64).collect();
    let tenants = parallel::map(&plans, &sizes, |plan| write_tenant(root, plan, opts.seed, props, progress))?;
    admin::write(root, profiles, window)?;

    let rows = tenants.iter().map(TenantSummary::rows).sum();
    let summary = DemoSummary {
        as_of: opts.as_of,
        seed: opts.seed,
        scale: opts.scale,
        tenants,
        rows,
        elapsed_ms: started.elapsed().as_secs_f64() * 1000.0,
    };
    writer::write_json(&root.join("manifest.json"), &summary)?;
    Ok(summary)
}

/// Writes the marts tables of one tenant.
fn write_tenant(
    root: &Path,
    plan: &plan::TenantPlan,
    seed: u64,
    props: &WriterProperties,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<TenantSummary, Error> {
    let t0 = Instant::now();
    let tenant = plan.profile.id;
    let dir = |table: &str| -> Result<writer::Output, Error> {
        let d = root.join("marts").join(table).join(tenant);
        std::fs::create_dir_all(&d).map_err(|e| DemoError::file(&d, "create", e))?;
        Ok(writer::Output { path: d.join("data.parquet"), props: props.clone() })
    };
    let contacts = contacts::write(plan, &dir("dim_contacts")?, seed, progress)?;
    let campaigns = campaigns::write(plan, &dir("dim_campaigns")?, progress)?;
    let messages = messages::write(plan, &dir("fct_messages")?, seed, progress)?;
    let activities = activities::write(plan, &dir("fct_activities")?, seed, progress)?;
    let fx_rates = fx_rates::write(plan, &dir("fx_rates")?, seed, progress)?;
    tracing::debug!(
        tenant,
        contacts,
        campaigns,
        messages,
        activities,
        fx_rates,
        ms = t0.elapsed().as_millis() as u64,
        "demo tenant written"
    );
    Ok(TenantSummary {
        tenant_id: tenant.to_string(),
        tenant_name: plan.profile.name.to_string(),
        partner_id: plan.profile.partner_id.to_string(),
        contacts,
        campaigns,
        messages,
        activities,
        fx_rates,
    })
}
