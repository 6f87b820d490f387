//! The use cases every front end calls (the `inda` CLI, `inda serve`, the desktop shell): open a data dir,
//! turn a token into a session, guard and run SQL, ask a question, save, schedule, export, sync, read the
//! audit log, create the demo warehouse; and the types the UI receives (generated into TypeScript). It is the
//! one place that knows every piece; front ends only parse their input and print what this returns, and
//! what they need of lower crates is re-exported here.
//!
//! Not here: argument parsing, output formatting, HTTP or IPC.

#![warn(missing_docs)]

mod admission;
mod alerts;
mod answer;
mod ask;
mod backup;
mod branding;
mod config;
mod contract;
mod currency;
mod dashboards;
mod data_dir;
mod data_keys;
mod demo;
mod doctor;
pub mod eval;
mod export;
mod export_target;
mod history;
mod mirror;
mod models;
mod present;
mod provider_usage;
mod saved;
pub mod scheduler;
mod scope;
mod signin;
mod sql;
mod sync;
mod tenant_model;
mod updates;
mod warehouse_check;
mod webhook;

pub use alerts::{AlertDelivery, AlertNotice, AlertRequest, EVENTS_PER_POLL, WebhookUrl};
pub use answer::Answer;
pub use ask::{AskOptions, AskRequest, Drill, Provider};
pub use backup::{BackupSummary, RestoreSummary};
pub use branding::{Brand, Branding, BrandingConfig, Colors};
pub use config::{
    AlertsConfig, AppSettings, AuditConfig, Concurrency, Config, Embedding, LimitsConfig, SecretsConfig,
    SecretsFallback, ServeConfig, WarehouseConfig, WarehouseKind,
};
pub use contract::{Deleted, Suggestions, UiConfig};
pub use dashboards::{DashboardView, FilterChoice, FilterChoices, FilterDimension, TileUpdate, TileView};
pub use data_dir::DataDir;
pub use demo::{DemoApi, DemoApiHandle, DemoOptions, DemoSummary, Progress, demo_api};
pub use doctor::{Checkup, DoctorOptions, DoctorReport, Finding, Health, doctor};
pub use export::{ExportRequest, ExportSummary};
pub use export_target::{
    ExportAnswerRequest, ExportFile, ExportQuery, ExportTarget, MAX_ANSWER_COLUMNS, MAX_ANSWER_ROWS,
};
pub use history::{AuditRecord, Conversation, Execution, TenantAuditVerification, Turn};
/// Text for a spreadsheet cell that no spreadsheet runs as a formula (every CSV the app writes goes through it).
pub use inda_export::inert;
pub use mirror::MirrorReport;
pub use provider_usage::ProviderTally;
pub use saved::{SaveRequest, SavedAnswer};
pub use scheduler::{RunStatus, SchedulerReport};
pub use scope::ScopeChoice;
pub use signin::{REFRESH_DUE_SECONDS, SessionInfo, SignIn, SignedInUser};
pub use sql::Origin;
pub use sync::{EntityReport, ProgressFn, SyncReport, SyncRequest, TenantReport};
pub use updates::{AvailableUpdate, UpdateCheck, UpdatesConfig};
pub use warehouse_check::WarehouseReport;
pub use webhook::DeliveryPolicy;

// What front ends need of the lower crates: they depend on this crate and inda-core only.
pub use inda_auth::{LinkTarget, MintRequest};
pub use inda_export::ExportFormat;
pub use inda_guard::Guarded;
pub use inda_providers::{ExplanationSink, NoSink};
pub use inda_snowflake::{Check, CheckStatus};
pub use inda_store::{
    Alert, AlertEvent, AuditAction, AuditOutcome, ConditionKind, Dashboard, DashboardFilters, DeliveryStatus,
    ExecutionStatus, MirrorConflict, SavedAnalysis, Tile, Trigger,
};
/// Cancels a running use case (the UI's Esc, a closed request, Ctrl-C): a `tokio_util` cancellation token.
pub use inda_warehouse::Cancel;

use inda_core::{Client, Error, Session};

use inda_store::{CacheCipher, Store};
use inda_warehouse::{EmbeddedWarehouse, QueryLimits, Warehouse};
use std::sync::{Arc, OnceLock};

/// An open data dir with its configuration, store and warehouse.
pub struct App {
    /// Where this installation keeps its warehouse, store, keys and config.
    pub dir: DataDir,
    /// `config.toml` as read at open; [`App::mint_token`] may add the development issuer and save it.
    pub config: Config,
    store: OnceLock<Arc<Store>>,
    warehouse: Arc<dyn Warehouse>,
    /// The same warehouse as `warehouse` when it is Snowflake: Cortex runs on its connection.
    snowflake: Option<inda_snowflake::SnowflakeWarehouse>,
    semantic: OnceLock<Arc<inda_semantic::SemanticModel>>,
    /// The semantic model with each tenant's own names (campaigns), read from the data now and then.
    tenant_models: tenant_model::TenantModels,
    cipher: OnceLock<Arc<CacheCipher>>,
    /// The keys of cached results and of the local warehouse.
    keys: data_keys::Keys,
    keyring: OnceLock<Arc<inda_secrets::Keyring>>,
    /// Turns for queries, per tenant and in all (`[limits] concurrent_*`).
    admission: admission::Admission,
    /// The question engines' calls, tokens and cost since open, summed over tenants (for `/metrics`).
    provider_usage: provider_usage::ProviderUsage,
    /// Serve saved analyses, dashboards and exports from the cache only (`--offline`, `[app] offline`).
    pub offline: bool,
    /// The front end this installation runs as, recorded by every audit entry; the front end sets it.
    pub client: Client,
}

impl App {
    /// Opens the data dir (creating it if needed) and reads its `config.toml`.
    pub fn open(dir: DataDir) -> Result<App, Error> {
        dir.ensure()?;
        let config = Config::load(&dir)?;
        let snowflake = match config.warehouse.kind {
            WarehouseKind::Embedded => None,
            WarehouseKind::Snowflake => Some(config::snowflake_warehouse(&dir, &config)?),
        };
        let keys = data_keys::Keys::new(dir.root().to_path_buf(), &config);
        let warehouse: Arc<dyn Warehouse> = match &snowflake {
            None => {
                let engine = EmbeddedWarehouse::new(dir.warehouse())
                    .with_key_source(keys.warehouse_source())
                    .with_rollups(config.warehouse.rollups.unwrap_or(true));
                Arc::new(match config.warehouse.threads {
                    Some(n) => engine.with_threads(n),
                    None => engine,
                })
            }
            Some(sf) => Arc::new(sf.clone()),
        };
        let offline = config.app.offline;
        let admission = admission::Admission::new(config.concurrency());
        Ok(App {
            admission,
            provider_usage: Default::default(),
            dir,
            config,
            store: OnceLock::new(),
            warehouse,
            snowflake,
            semantic: OnceLock::new(),
            tenant_models: Default::default(),
            cipher: OnceLock::new(),
            keys,
            keyring: OnceLock::new(),
            offline,
            client: Client::default(),
        })
    }

    /// The local store, opened on first use so that commands that need none stay fast.
    pub fn store(&self) -> Result<Arc<Store>, Error> {
        if let Some(s) = self.store.get() {
            return Ok(s.clone());
        }
        let store = Arc::new(Store::open(&self.dir.store())?);
        self.apply_audit_retention(&store)?;
        Ok(self.store.get_or_init(|| store).clone())
    }

    /// Deletes audit entries past `[audit] retention_days`, once per open; with Snowflake, only those already
    /// mirrored to its `ADMIN.AUDIT_LOG`.
    fn apply_audit_retention(&self, store: &Store) -> Result<(), Error> {
        let Some(keep) = self.config.audit.retention()? else { return Ok(()) };
        let before = (chrono::Utc::now() - keep).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let pruned = store.audit_prune(&before, self.snowflake.is_some())?;
        if pruned > 0 {
            tracing::info!(pruned, before, "audit entries past their retention deleted");
        }
        Ok(())
    }

    /// The cipher of cached results, with the installation's cache key (in the keyring; created on first
    /// use, moved there from `keys/cache.key` when an older install left it in the data dir).
    pub fn cache_cipher(&self) -> Result<Arc<CacheCipher>, Error> {
        if let Some(c) = self.cipher.get() {
            return Ok(c.clone());
        }
        let cipher = Arc::new(CacheCipher::from_key(&self.keys.get(inda_secrets::DataKey::Cache)?)?);
        Ok(self.cipher.get_or_init(|| cipher).clone())
    }

    /// The warehouse queries run on: the embedded engine, or Snowflake with `[warehouse] kind = "snowflake"`.
    /// Hand it only SQL the guard accepted; [`App::run_sql`] does both, and audits.
    pub fn warehouse(&self) -> &Arc<dyn Warehouse> {
        &self.warehouse
    }

    /// The warehouse when it is Snowflake (the ingestion loads it through the same connection).
    pub fn snowflake_warehouse(&self) -> Option<&inda_snowflake::SnowflakeWarehouse> {
        self.snowflake.as_ref()
    }

    /// The semantic model: the shipped one, with the data dir's override merged over it when present.
    pub fn semantic(&self) -> Result<Arc<inda_semantic::SemanticModel>, Error> {
        if let Some(m) = self.semantic.get() {
            return Ok(m.clone());
        }
        let builtin = inda_semantic::SemanticModel::builtin()
            .map_err(|e| Error::internal(format!("the shipped semantic model is invalid: {e}")))?;
        let model = match std::fs::read_to_string(self.dir.semantic_override()) {
            Ok(text) => builtin
                .with_override(&text)
                .map_err(|e| Error::usage(format!("semantic model override: {e}")))?,
            Err(_) => builtin,
        };
        Ok(self.semantic.get_or_init(|| Arc::new(model)).clone())
    }

    /// Starts reading the shipped model on another thread when nothing has read it yet, so that a fresh
    /// process (`inda sql`) parses it while its statement runs rather than after: a quarter of the time
    /// of a small statement's whole process. [`App::semantic`] then waits for it.
    fn read_model_meanwhile(&self) {
        if self.semantic.get().is_none() {
            std::thread::spawn(|| {
                let _ = inda_semantic::SemanticModel::builtin();
            });
        }
    }

    /// The limits every query runs under: [`Config::query_limits`], read again on each call.
    pub fn limits(&self) -> QueryLimits {
        self.config.query_limits()
    }

    /// Mints a development token (see `inda token mint`).
    pub fn mint_token(&mut self, req: &inda_auth::MintRequest) -> Result<String, Error> {
        let (token, changed) = inda_auth::mint_dev_token(req, &mut self.config.auth, self.dir.root(), now())?;
        if changed {
            self.config.save(&self.dir)?;
        }
        Ok(token)
    }

    /// Records an audit entry; a failure to audit is reported, never ignored silently.
    pub(crate) fn audit(
        &self,
        session: &Session,
        action: AuditAction,
        outcome: AuditOutcome,
        details: serde_json::Value,
    ) -> Result<(), Error> {
        self.store()?.audit(&inda_store::AuditEntry {
            tenant_id: session.tenant_id.clone(),
            user_id: session.user_id.clone(),
            action,
            outcome,
            details: with_who_and_where(details, session, self.client),
        })
    }
}

/// `details` with the session's role and scope, so every entry says what its user could read, and the client
/// (and for `inda serve` the remote address, user agent and request id) it came through. The hash chain covers
/// them with the rest of the details.
fn with_who_and_where(details: serde_json::Value, session: &Session, client: Client) -> serde_json::Value {
    let mut details = match details {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => serde_json::Map::new(),
        other => serde_json::Map::from_iter([("value".to_string(), other)]),
    };
    details.insert("role".into(), session.role.as_str().into());
    details.insert("scope".into(), session.scope.tenants().into());
    let caller = &session.caller;
    details.insert("client".into(), caller.client.unwrap_or(client).as_str().into());
    for (key, value) in [
        ("remote_addr", &caller.remote_addr),
        ("user_agent", &caller.user_agent),
        ("request_id", &caller.request_id),
    ] {
        if let Some(v) = value {
            details.insert(key.into(), v.as_str().into());
        }
    }
    serde_json::Value::Object(details)
}

/// The current time in whole seconds since the Unix epoch: the clock tokens' `iat` and `exp` are checked
/// against.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}
