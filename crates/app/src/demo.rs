//! The demo (`inda-demo`) as front ends use it: `inda demo init` fills the data dir's embedded warehouse
//! with the demo tenants, and `inda demo api` serves demo data as a local inDigital API for the sync.

use crate::App;
use inda_core::Error;
use inda_demo::Faults;
pub use inda_demo::{DemoApi, DemoApiHandle, DemoOptions, DemoSummary, Progress};

impl App {
    /// Creates or replaces the embedded warehouse with demo data, sealed with the warehouse key.
    pub fn demo_init(
        &self,
        opts: &DemoOptions,
        progress: &(dyn Fn(Progress) + Sync),
    ) -> Result<DemoSummary, Error> {
        let key = self.keys.get(inda_secrets::DataKey::Warehouse)?;
        let summary = inda_demo::generate_sealed(&self.dir.warehouse(), opts, Some(&key), progress)?;
        let tenants: Vec<String> = summary.tenants.iter().map(|t| t.tenant_id.clone()).collect();
        if let Some(refresh) = self.rollup_refresh(&tenants) {
            refresh();
        }
        Ok(summary)
    }

    /// What brings the embedded warehouse's daily rollups of `tenants` up to date after their facts changed
    /// (a demo, a sync), so that the first question does not wait while one is built; `None` when there is
    /// nothing to do (Snowflake, rollups off). It blocks while it builds (seconds at 100 M messages). A
    /// rollup is a copy: one that cannot be built is logged and left to the first question that needs it.
    pub(crate) fn rollup_refresh(&self, tenants: &[String]) -> Option<impl FnOnce() + Send + 'static> {
        if self.snowflake_warehouse().is_some() || self.config.warehouse.rollups == Some(false) {
            return None;
        }
        let scope = inda_core::Scope::new(tenants).ok()?;
        let engine = inda_warehouse::EmbeddedWarehouse::new(self.dir.warehouse())
            .with_key_source(self.keys.warehouse_source());
        let limits = self.config.query_limits();
        Some(move || {
            let _span = tracing::info_span!("refresh_rollups", tenants = scope.tenants().len()).entered();
            match engine.refresh_rollups(&scope, &limits) {
                Ok(fresh) => tracing::info!(fresh, "rollups up to date"),
                Err(e) => tracing::warn!(error = %e.message, "rollups not built; the first question will"),
            }
        })
    }
}

/// The local inDigital API of `inda demo api`: the demo data `opts` names, generated in a temp dir, with the
/// fault knobs `faults` (`slow=200ms,429=5,…`; empty for none), requiring `api_key` as a bearer token when
/// there is one. [`DemoApi::serve`] starts it on the current tokio runtime; the returned handle stops it
/// when dropped.
pub fn demo_api(opts: &DemoOptions, faults: &str, api_key: Option<String>) -> Result<DemoApi, Error> {
    let faults = Faults::parse(faults)?;
    Ok(DemoApi::generate(opts)?.with_faults(faults).with_api_key(api_key))
}
