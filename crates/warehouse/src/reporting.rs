//! The tenants' reporting currencies as the embedded warehouse knows them: `config.default_currency` of
//! each tenant in `admin/tenants.json` (written by the demo generator). The file is read again only when its
//! modification time or size changes, so a question costs one `stat`, and a new demo is seen at once.

use serde::Deserialize;
use std::collections::HashMap;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::SystemTime;

/// Why the tenants file could not be used (the engine code at the boundary, via `WarehouseError`).
#[derive(Debug, thiserror::Error)]
pub(crate) enum TenantsFileError {
    /// The file exists but cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The tenants file.
        path: PathBuf,
        /// The file system's reason.
        source: std::io::Error,
    },
    /// The file is not a JSON list of tenants.
    #[error("{} is not a valid tenants file: {source}", path.display())]
    Parse {
        /// The tenants file.
        path: PathBuf,
        /// Why the JSON was refused.
        source: serde_json::Error,
    },
}

#[derive(Deserialize)]
struct TenantRow {
    tenant_id: String,
    #[serde(default)]
    config: TenantConfig,
}

#[derive(Deserialize, Default)]
struct TenantConfig {
    #[serde(default)]
    default_currency: Option<String>,
}

/// The file as last read: its modification time and size, and each tenant's currency.
struct Snapshot {
    stamp: (Option<SystemTime>, u64),
    currencies: HashMap<String, String>,
}

/// A cache of `admin/tenants.json`, shared by the clones of one warehouse.
#[derive(Default)]
pub(crate) struct ReportingCurrencies {
    cached: Mutex<Option<Snapshot>>,
}

impl ReportingCurrencies {
    /// `tenant`'s currency per the tenants file at `path`; `None` when there is no file, no such tenant, or
    /// no currency in its config.
    pub(crate) fn lookup(&self, path: &Path, tenant: &str) -> Result<Option<String>, TenantsFileError> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(TenantsFileError::Read { path: path.to_path_buf(), source }),
        };
        let stamp = (meta.modified().ok(), meta.len());
        // A panic while the lock was held leaves at worst a stale snapshot, which the stamp replaces.
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.as_ref().is_none_or(|s| s.stamp != stamp) {
            *cached = Some(Snapshot { stamp, currencies: read(path)? });
        }
        Ok(cached.as_ref().and_then(|s| s.currencies.get(tenant).cloned()))
    }
}

fn read(path: &Path) -> Result<HashMap<String, String>, TenantsFileError> {
    let text =
        std::fs::read(path).map_err(|source| TenantsFileError::Read { path: path.to_path_buf(), source })?;
    let rows: Vec<TenantRow> = serde_json::from_slice(&text)
        .map_err(|source| TenantsFileError::Parse { path: path.to_path_buf(), source })?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let currency = r.config.default_currency?.trim().to_ascii_uppercase();
            (!currency.is_empty()).then_some((r.tenant_id, currency))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_currency_and_rereads_a_changed_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tenants.json");
        let cache = ReportingCurrencies::default();
        assert_eq!(cache.lookup(&path, "acme_corp").expect("no file"), None);
        std::fs::write(&path, r#"[{"tenant_id": "acme_corp", "config": {"default_currency": "COP"}}]"#)
            .expect("write");
        assert_eq!(cache.lookup(&path, "acme_corp").expect("read").as_deref(), Some("COP"));
        assert_eq!(cache.lookup(&path, "globex").expect("read"), None);
        std::fs::write(
            &path,
            r#"[{"tenant_id": "acme_corp", "config": {"default_currency": "usd"}}, {"tenant_id": "globex"}]"#,
        )
        .expect("write");
        assert_eq!(cache.lookup(&path, "acme_corp").expect("read").as_deref(), Some("USD"));
        assert_eq!(cache.lookup(&path, "globex").expect("read"), None);
        std::fs::write(&path, "not json").expect("write");
        assert!(cache.lookup(&path, "acme_corp").is_err());
    }
}
