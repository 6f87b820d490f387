//! The tenants directory as the embedded warehouse knows it: `admin/tenants.json` (written by the demo
//! generator): each tenant's name, partner, whether it is active, and its reporting currency
//! (`config.default_currency`). The file is read again only when its modification time or size changes, so
//! a question costs one `stat`, and a new demo is seen at once.

use inda_core::TenantEntry;
use serde::Deserialize;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
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
    tenant_name: Option<String>,
    #[serde(default)]
    partner_id: Option<String>,
    #[serde(default = "active")]
    is_active: bool,
    #[serde(default)]
    config: TenantConfig,
}

fn active() -> bool {
    true
}

#[derive(Deserialize, Default)]
struct TenantConfig {
    #[serde(default)]
    default_currency: Option<String>,
}

/// The file as last read: its modification time and size, and its tenants.
struct Snapshot {
    stamp: (Option<SystemTime>, u64),
    tenants: Arc<Vec<TenantEntry>>,
}

/// A cache of `admin/tenants.json`, shared by the clones of one warehouse.
#[derive(Default)]
pub(crate) struct TenantsFile {
    cached: Mutex<Option<Snapshot>>,
}

impl TenantsFile {
    /// `tenant`'s currency per the tenants file at `path`; `None` when there is no file, no such tenant, or
    /// no currency in its config.
    pub(crate) fn currency(&self, path: &Path, tenant: &str) -> Result<Option<String>, TenantsFileError> {
        Ok(self
            .entries(path)?
            .and_then(|all| all.iter().find(|t| t.tenant_id == tenant).and_then(|t| t.currency.clone())))
    }

    /// Every tenant of the file at `path`; `None` when there is no file.
    pub(crate) fn entries(&self, path: &Path) -> Result<Option<Arc<Vec<TenantEntry>>>, TenantsFileError> {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(TenantsFileError::Read { path: path.to_path_buf(), source }),
        };
        let stamp = (meta.modified().ok(), meta.len());
        // A panic while the lock was held leaves at worst a stale snapshot, which the stamp replaces.
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.as_ref().is_none_or(|s| s.stamp != stamp) {
            *cached = Some(Snapshot { stamp, tenants: Arc::new(read(path)?) });
        }
        Ok(cached.as_ref().map(|s| s.tenants.clone()))
    }
}

fn read(path: &Path) -> Result<Vec<TenantEntry>, TenantsFileError> {
    let text =
        std::fs::read(path).map_err(|source| TenantsFileError::Read { path: path.to_path_buf(), source })?;
    let rows: Vec<TenantRow> = serde_json::from_slice(&text)
        .map_err(|source| TenantsFileError::Parse { path: path.to_path_buf(), source })?;
    Ok(rows
        .into_iter()
        .filter(|r| inda_core::is_tenant_id(&r.tenant_id))
        .map(|r| {
            let currency = r.config.default_currency.map(|c| c.trim().to_ascii_uppercase());
            TenantEntry {
                tenant_name: r
                    .tenant_name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| r.tenant_id.clone()),
                partner_id: r.partner_id.unwrap_or_default(),
                is_active: r.is_active,
                currency: currency.filter(|c| !c.is_empty()),
                tenant_id: r.tenant_id,
            }
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
        let cache = TenantsFile::default();
        assert_eq!(cache.currency(&path, "acme_corp").expect("no file"), None);
        std::fs::write(&path, r#"[{"tenant_id": "acme_corp", "config": {"default_currency": "COP"}}]"#)
            .expect("write");
        assert_eq!(cache.currency(&path, "acme_corp").expect("read").as_deref(), Some("COP"));
        assert_eq!(cache.currency(&path, "globex").expect("read"), None);
        std::fs::write(
            &path,
            r#"[{"tenant_id": "acme_corp", "config": {"default_currency": "usd"}}, {"tenant_id": "globex"}]"#,
        )
        .expect("write");
        assert_eq!(cache.currency(&path, "acme_corp").expect("read").as_deref(), Some("USD"));
        assert_eq!(cache.currency(&path, "globex").expect("read"), None);
        std::fs::write(&path, "not json").expect("write");
        assert!(cache.currency(&path, "acme_corp").is_err());
    }
}
