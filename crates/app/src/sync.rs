//! `inda sync`: the inDigital API into the configured warehouse, with one audit entry per tenant and run;
//! and the equivalent n8n workflows for teams that schedule the sync there.

use crate::App;
use inda_core::{Error, Session};
use inda_ingest::{ApiConfig, Destination, Local, SnowflakeLoader, SyncOptions};
pub use inda_ingest::{EntityReport, ProgressFn, SyncReport, TenantReport};
use inda_store::{AuditAction, AuditOutcome};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The keyring entry holding the inDigital API key (`inda secret set indigital-api`).
const KEY_ENTRY: &str = "indigital-api";

/// The audit log's user for runs of the sync.
const SYNC_USER: &str = "inda-sync";

/// One run of the sync, as a front end asks for it.
pub struct SyncRequest {
    /// The inDigital API's base URL (http or https).
    pub api: String,
    /// Tenant ids to sync; `None`: every active tenant the API lists.
    pub tenants: Option<Vec<String>>,
    /// Records per page.
    pub page_limit: usize,
    /// Progress lines, as the sync writes them.
    pub progress: Option<ProgressFn>,
}

impl App {
    /// Runs the sync once into the configured warehouse and audits it. `token` is the caller's token (or the
    /// signed-in user's): its keyring holds the API key, and on Snowflake the loads run under its sessions.
    pub async fn sync(&self, token: Option<&str>, req: SyncRequest) -> Result<SyncReport, Error> {
        if !(req.api.starts_with("http://") || req.api.starts_with("https://")) {
            return Err(Error::usage(format!("--api takes an http(s) URL, not `{}`", req.api)));
        }
        let mut api = ApiConfig::new(req.api);
        api.api_key = self.sync_api_key(token);
        let mut opts = SyncOptions::new(api);
        opts.tenants = req.tenants;
        opts.page_limit = req.page_limit;
        opts.progress = req.progress;
        let report = inda_ingest::sync_into(&self.sync_destination(token)?, &opts).await?;
        self.audit_sync(&report)?;
        let synced: Vec<String> =
            report.tenants.iter().filter(|t| t.ok).map(|t| t.tenant_id.clone()).collect();
        if let Some(refresh) = self.rollup_refresh(&synced) {
            // Off the async workers: it blocks while it builds.
            let _ = tokio::task::spawn_blocking(refresh).await;
        }
        Ok(report)
    }

    /// Writes n8n workflows equivalent to `inda sync --every` into `out`; returns the files written.
    pub fn export_n8n(&self, out: &Path, api: &str, every_minutes: u32) -> Result<Vec<PathBuf>, Error> {
        inda_ingest::n8n::export(out, api, every_minutes.max(1))
    }

    /// The API key: `INDIGITAL_API_KEY`, else the signed-in user's keyring entry; none is fine for a local API.
    fn sync_api_key(&self, token: Option<&str>) -> Option<String> {
        if let Ok(k) = std::env::var("INDIGITAL_API_KEY")
            && !k.trim().is_empty()
        {
            return Some(k.trim().to_string());
        }
        let session = self.identity(token).ok()?;
        self.secret(&session, KEY_ENTRY).ok().flatten().map(|s| s.expose().clone())
    }

    /// The configured warehouse. Snowflake loads under the signed-in user's Snowflake sessions (their
    /// secret), or, with nobody signed in, a service session whose password comes from `SNOWFLAKE_PASSWORD`
    /// or `SNOWFLAKE_PRIVATE_KEY`.
    fn sync_destination(&self, token: Option<&str>) -> Result<Destination, Error> {
        Ok(match self.snowflake_warehouse() {
            None => {
                let key = self.keys.get(inda_secrets::DataKey::Warehouse)?;
                Destination::Embedded(Local { root: self.dir.warehouse(), key: Some(key) })
            }
            Some(sf) => {
                let session = self.identity(token).unwrap_or_else(|_| {
                    let now = crate::now();
                    Session {
                        tenant_id: "_sync".into(),
                        user_id: SYNC_USER.into(),
                        partner_id: "local-sync".into(),
                        user_name: None,
                        roles: vec![],
                        role: inda_core::Role::Analyst,
                        scope: inda_core::Scope::one("_sync").expect("a valid tenant id"),
                        issued_at: now,
                        expires_at: now + 86_400,
                        caller: Default::default(),
                    }
                });
                Destination::Snowflake {
                    loader: Box::new(SnowflakeLoader::new(sf.clone(), session)),
                    locks: self.dir.root().join("sync-locks"),
                }
            }
        })
    }

    /// One audit entry per tenant and run.
    fn audit_sync(&self, report: &SyncReport) -> Result<(), Error> {
        let store = self.store()?;
        for t in &report.tenants {
            store.audit(&inda_store::AuditEntry {
                tenant_id: t.tenant_id.clone(),
                user_id: SYNC_USER.into(),
                action: AuditAction::Sync,
                outcome: if t.ok { AuditOutcome::Ok } else { AuditOutcome::Error },
                details: json!({
                    "entities": t.entities.iter().map(|e| json!({
                        "entity": e.entity, "ok": e.ok, "pages": e.pages, "loaded": e.loaded,
                        "skipped": e.skipped, "rejected": e.rejected, "retries": e.retries, "error": e.error,
                    })).collect::<Vec<_>>(),
                    "marts": t.marts,
                    "error": t.error,
                    "elapsed_ms": t.elapsed_ms,
                }),
            })?;
        }
        Ok(())
    }
}
