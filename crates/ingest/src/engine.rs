//! The sync engine: for each active tenant and entity, read the cursor, fetch the pages, validate, commit
//! each page with its cursor (see [`crate::cursor`] for the atomicity scheme), then rebuild the tenant's
//! dirty STAGING and MARTS tables. Campaigns and fx_rates are full refreshes; the other entities are
//! incremental on (`updated_at`, `id`). A tenant's failure is reported and the next tenant runs.

use crate::SyncError;
use crate::api::{ApiClient, ApiConfig, PageRequest};
use crate::cursor::{EntityState, TenantState};
use crate::destination::Destination;
use crate::entity::Entity;
use crate::raw::{RecordKey, format_ts, parse_ts, validate};
use inda_core::Error;
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::Instant;

/// A line of progress for a person (the CLI prints it on stderr).
pub type ProgressFn = Arc<dyn Fn(&str) + Send + Sync>;

/// What one sync run fetches, from where, and who hears about its progress.
#[derive(Clone)]
pub struct SyncOptions {
    /// The API to fetch from, with its key, timeouts and retries.
    pub api: ApiConfig,
    /// Tenant ids to sync; `None`: every active tenant the API lists.
    pub tenants: Option<Vec<String>>,
    /// The entities to sync, in this order; a mart is rebuilt only from what its entities committed.
    pub entities: Vec<Entity>,
    /// Records per page (`limit`), 1 to 10,000.
    pub page_limit: usize,
    /// Told a line per entity, per rebuilt mart and per cleanup; `None`: silent.
    pub progress: Option<ProgressFn>,
}

impl SyncOptions {
    /// Every active tenant and every entity ([`Entity::ALL`]), 1,000 records per page, no progress lines.
    pub fn new(api: ApiConfig) -> Self {
        SyncOptions { api, tenants: None, entities: Entity::ALL.to_vec(), page_limit: 1000, progress: None }
    }
}

/// How one entity of one tenant went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EntityReport {
    /// The entity's [`Entity::name`].
    pub entity: String,
    /// Whether the run reached the last page. When not, the pages committed before the failure stay, and
    /// the next run resumes from the cursor.
    pub ok: bool,
    /// Pages received.
    pub pages: u64,
    /// Records received.
    pub fetched: u64,
    /// Records committed to RAW.
    pub loaded: u64,
    /// Records received again although already loaded (at or before the watermark).
    pub skipped: u64,
    /// Invalid records (not loaded).
    pub rejected: u64,
    /// Why the first few rejected records were rejected (at most 5), as `<entity> <id>: <why>`.
    pub rejected_examples: Vec<String>,
    /// Requests retried (timeouts, dropped connections, 5xx, 429).
    pub retries: u64,
    /// Why the run stopped early; `None` when `ok`.
    pub error: Option<String>,
    /// Wall time of the entity's run, in milliseconds.
    pub elapsed_ms: f64,
}

/// How one tenant's sync went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TenantReport {
    /// The tenant, as given in [`SyncOptions::tenants`] or listed by the API.
    pub tenant_id: String,
    /// Whether every entity synced and every mart they changed was rebuilt.
    pub ok: bool,
    /// Why the tenant failed (an invalid id, another sync holding its lock, unreadable state, a failed
    /// rebuild), or `some entities failed; see entities`; `None` when `ok`.
    pub error: Option<String>,
    /// One report per entity run, in sync order; empty when the tenant failed before its first entity.
    pub entities: Vec<EntityReport>,
    /// Marts rebuilt, with their rows.
    pub marts: Vec<(String, u64)>,
    /// Wall time of the tenant's sync, in milliseconds.
    pub elapsed_ms: f64,
}

/// What one sync run did, over all its tenants.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Whether every tenant's sync was `ok`; a failed tenant does not stop the others.
    pub ok: bool,
    /// `embedded` or `snowflake`.
    pub warehouse: &'static str,
    /// One report per tenant, in the order they were synced.
    pub tenants: Vec<TenantReport>,
    /// Records committed to RAW over every tenant and entity.
    pub loaded: u64,
    /// Wall time of the whole run, in milliseconds.
    pub elapsed_ms: f64,
}

fn say(opts: &SyncOptions, line: &str) {
    if let Some(p) = &opts.progress {
        p(line);
    }
}

/// Runs one sync of every selected tenant into `dest` (a path means the embedded warehouse there).
pub async fn sync(dest: impl Into<Destination>, opts: &SyncOptions) -> Result<SyncReport, Error> {
    sync_into(&dest.into(), opts).await
}

/// [`sync`] into a destination the caller keeps.
pub async fn sync_into(warehouse: &Destination, opts: &SyncOptions) -> Result<SyncReport, Error> {
    let started = Instant::now();
    if opts.page_limit == 0 || opts.page_limit > 10_000 {
        return Err(SyncError::PageLimit.into());
    }
    let client = ApiClient::new(opts.api.clone())?;
    let tenants = match &opts.tenants {
        Some(t) => t.clone(),
        None => client.tenants().await?.into_iter().map(|t| t.tenant_id).collect(),
    };
    let mut report = SyncReport { ok: true, warehouse: warehouse.engine(), ..Default::default() };
    for tenant in tenants {
        let t = sync_tenant(warehouse, &client, &tenant, opts).await;
        report.ok &= t.ok;
        report.loaded += t.entities.iter().map(|e| e.loaded).sum::<u64>();
        report.tenants.push(t);
    }
    report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(report)
}

fn valid_tenant(t: &str) -> bool {
    !t.is_empty() && t.len() <= 64 && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

async fn sync_tenant(
    warehouse: &Destination,
    client: &ApiClient,
    tenant: &str,
    opts: &SyncOptions,
) -> TenantReport {
    let started = Instant::now();
    let mut report = TenantReport { tenant_id: tenant.to_string(), ok: true, ..Default::default() };
    let fail = |mut r: TenantReport, e: SyncError| {
        r.ok = false;
        r.error = Some(e.to_string());
        r.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        r
    };
    if !valid_tenant(tenant) {
        return fail(report, SyncError::InvalidTenant(tenant.to_string()));
    }
    let _lock = match warehouse.lock(tenant) {
        Ok(l) => l,
        Err(e) => return fail(report, e),
    };
    let (mut state, orphans) = match warehouse.load(tenant).await {
        Ok(s) => s,
        Err(e) => return fail(report, e),
    };
    if orphans > 0 {
        say(opts, &format!("{tenant}: removed {orphans} uncommitted RAW file(s) of an interrupted run"));
    }
    for &entity in &opts.entities {
        let e = sync_entity(warehouse, client, &mut state, entity, opts).await;
        report.ok &= e.ok;
        say(
            opts,
            &format!(
                "{tenant} {entity}: {} ({} pages, {} loaded, {} skipped, {} rejected, {} retries){}",
                if e.ok { "ok" } else { "FAILED" },
                e.pages,
                e.loaded,
                e.skipped,
                e.rejected,
                e.retries,
                e.error.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
            ),
        );
        report.entities.push(e);
    }
    // Rebuild what committed RAW changed, even after an entity failed: its committed pages are consistent.
    let dirty: Vec<String> = state.dirty.iter().cloned().collect();
    for mart in dirty {
        match warehouse.rebuild(&mut state, &mart).await {
            Ok(rows) => {
                say(opts, &format!("{tenant}: rebuilt {mart} ({rows} rows)"));
                report.marts.push((mart, rows));
            }
            Err(e) => return fail(report, e),
        }
    }
    if let Err(e) = warehouse.publish(&state).await {
        say(opts, &format!("{tenant}: the readable sync state was not updated: {e}"));
    }
    if !report.ok && report.error.is_none() {
        report.error = Some("some entities failed; see entities".into());
    }
    report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    report
}

/// The ordering key of a record as received, if it has one.
fn key_of(record: &Value) -> Option<RecordKey> {
    let id = record.get("id")?.as_str()?;
    let ts =
        record.get("updated_at").and_then(Value::as_str).or_else(|| record.get("created_at")?.as_str())?;
    Some(RecordKey { updated_us: parse_ts(ts)?, id: id.to_string() })
}

async fn sync_entity(
    warehouse: &Destination,
    client: &ApiClient,
    state: &mut TenantState,
    entity: Entity,
    opts: &SyncOptions,
) -> EntityReport {
    let started = Instant::now();
    let mut report = EntityReport { entity: entity.name().to_string(), ok: true, ..Default::default() };
    let tenant = state.tenant_id.clone();
    let mut es: EntityState = state.entity(entity);
    if !es.in_progress {
        es.in_progress = true;
        es.cursor = None;
        es.run_max = None;
        es.pending.clear();
        es.run_first_seq = Some(state.next_seq);
    }
    let watermark = if entity.full_refresh() { None } else { es.watermark.clone() };
    let since = watermark.as_ref().map(|w| format_ts(w.updated_us));
    let result: Result<(), SyncError> = async {
        loop {
            let req = PageRequest {
                updated_since: since.as_deref(),
                cursor: es.cursor.as_deref(),
                limit: opts.page_limit,
            };
            let (page, retries) = client.page(&tenant, entity, &req).await?;
            report.pages += 1;
            report.retries += u64::from(retries);
            let received = page.data.len();
            report.fetched += received as u64;
            let fresh: Vec<Value> = match &watermark {
                Some(w) => page.data.into_iter().filter(|r| key_of(r).is_none_or(|k| k > *w)).collect(),
                None => page.data,
            };
            report.skipped += (received - fresh.len()) as u64;
            let seq = state.next_seq;
            let now = chrono::Utc::now().timestamp_micros();
            let v = validate(entity, &tenant, seq, now, &fresh)?;
            report.rejected += v.rejected as u64;
            for r in v.reasons {
                if report.rejected_examples.len() < 5 {
                    report.rejected_examples.push(r);
                }
            }
            if let Some(batch) = &v.batch {
                if let Some(rel) = warehouse.stage(entity, &tenant, seq, batch).await? {
                    if entity.full_refresh() { es.pending.push(rel) } else { es.files.push(rel) }
                }
                state.next_seq += 1;
                es.records += v.loaded as u64;
                report.loaded += v.loaded as u64;
                state.dirty.insert(entity.mart().to_string());
            }
            if let Some(k) = v.max_key
                && es.run_max.as_ref().is_none_or(|m| k > *m)
            {
                es.run_max = Some(k);
            }
            let next = page.pagination.cursor.filter(|c| page.pagination.has_more && !c.is_empty());
            let mut replaced = Vec::new();
            let mut refresh_from = None;
            let done = next.is_none();
            if let Some(c) = next {
                es.cursor = Some(c);
            } else {
                if entity.full_refresh() {
                    replaced = std::mem::replace(&mut es.files, std::mem::take(&mut es.pending));
                    refresh_from = es.run_first_seq;
                    state.dirty.insert(entity.mart().to_string());
                }
                es.run_first_seq = None;
                if let Some(m) = es.run_max.take()
                    && es.watermark.as_ref().is_none_or(|w| m > *w)
                {
                    es.watermark = Some(m);
                }
                es.cursor = None;
                es.in_progress = false;
                es.last_synced_at = Some(chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
            }
            state.set_entity(entity, es.clone());
            warehouse.commit(state, entity, refresh_from, replaced).await?;
            if done {
                return Ok(());
            }
        }
    }
    .await;
    if let Err(e) = result {
        report.ok = false;
        report.error = Some(e.to_string());
    }
    report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    report
}
