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
        inda_demo::generate_sealed(&self.dir.warehouse(), opts, Some(&key), progress)
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
