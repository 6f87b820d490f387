//! `inda backup` and `inda restore`: the library (saved analyses, dashboards, conversations, cached results, the
//! audit log) and the configuration, in one passphrase-sealed file ([`inda_store::seal_backup`]). A restore
//! checks everything before it replaces anything: the passphrase, every file against the manifest, the store's
//! schema (not from a newer app) and its audit chain. What it replaces is kept beside it
//! (`store.sqlite.before-restore-<time>`), so nothing is lost.
//!
//! Not here: the warehouse (Parquet marts are loaded again by `inda demo init` or `inda sync`) and keys. Cached
//! results stay encrypted with this installation's cache key: restored elsewhere they read as "run it again".
//! Restoring under a running app or `inda serve` is not detected: stop them first (docs/operations.md).

use crate::App;
use inda_core::{Error, Secret};
use inda_store::{BackupFile, Store};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The files next to the store that a backup carries when they exist.
const EXTRA_FILES: [&str; 2] = ["config.toml", "semantic.yaml"];
const STORE_FILE: &str = "store.sqlite";

/// What `inda backup` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    /// The backup file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// The files it holds.
    pub files: Vec<String>,
    /// The audit entries of the store in it (its chain verified before sealing).
    pub audit_entries: u64,
}

/// What `inda restore` did.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    /// The files restored.
    pub files: Vec<String>,
    /// When the backup was made.
    pub created_at: String,
    /// The audit entries of the restored store (its chain verified).
    pub audit_entries: u64,
    /// Where the replaced files were kept.
    pub kept: Vec<PathBuf>,
}

impl App {
    /// Writes a sealed backup of the store and configuration to `out` (atomically, owner-only).
    pub fn backup(&self, out: &Path, passphrase: &Secret) -> Result<BackupSummary, Error> {
        let store = self.store()?;
        let snapshot = self.dir.root().join(format!(".backup-{}.sqlite", unique()));
        let taken = store.snapshot_to(&snapshot).and_then(|()| read(&snapshot));
        let _ = std::fs::remove_file(&snapshot);
        let mut files = vec![BackupFile { name: STORE_FILE.into(), bytes: taken? }];
        for name in EXTRA_FILES {
            let path = self.dir.root().join(name);
            if path.exists() {
                files.push(BackupFile { name: name.into(), bytes: read(&path)? });
            }
        }
        let audit = store.verify_audit()?;
        if !audit.ok {
            return Err(Error::internal(format!(
                "the audit log is broken at entry {}: fix or investigate it before backing up (`inda audit verify`)",
                audit.broken_at.unwrap_or_default()
            )));
        }
        let sealed =
            inda_store::seal_backup(&files, passphrase, store.schema_version()?, env!("CARGO_PKG_VERSION"))?;
        inda_core::fs::write_private(out, &sealed)?;
        Ok(BackupSummary {
            path: out.to_path_buf(),
            bytes: sealed.len() as u64,
            files: files.into_iter().map(|f| f.name).collect(),
            audit_entries: audit.entries,
        })
    }

    /// Restores a backup made by [`App::backup`] into this data dir, once everything in it checks out.
    /// Call it before anything opens the store.
    pub fn restore(&self, file: &Path, passphrase: &Secret) -> Result<RestoreSummary, Error> {
        let (manifest, files) = inda_store::open_backup(&read(file)?, passphrase)?;
        let store_bytes = files
            .iter()
            .find(|f| f.name == STORE_FILE)
            .ok_or_else(|| Error::usage("the backup holds no store"))?;
        // The copy is opened and checked where it will live, then swapped in by a rename.
        let staged = self.dir.root().join(format!(".restore-{}.sqlite", unique()));
        let checked = stage(&staged, &store_bytes.bytes);
        let audit_entries = match checked {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&staged);
                return Err(e);
            }
        };
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let mut kept = Vec::new();
        let store_path = self.dir.store();
        for suffix in ["-wal", "-shm"] {
            // The old store's journal belongs to the old store: kept with it, never replayed into the new one.
            let journal = PathBuf::from(format!("{}{suffix}", store_path.display()));
            if journal.exists() {
                kept.push(keep_aside(&journal, &stamp)?);
            }
        }
        if store_path.exists() {
            kept.push(keep_aside(&store_path, &stamp)?);
        }
        std::fs::rename(&staged, &store_path)
            .map_err(|e| Error::internal(format!("cannot put the restored store in place: {e}")))?;
        for f in files.iter().filter(|f| EXTRA_FILES.contains(&f.name.as_str())) {
            let path = self.dir.root().join(&f.name);
            if path.exists() {
                kept.push(keep_aside(&path, &stamp)?);
            }
            inda_core::fs::write_private(&path, &f.bytes)?;
        }
        Ok(RestoreSummary {
            files: files.into_iter().map(|f| f.name).collect(),
            created_at: manifest.created_at,
            audit_entries,
            kept,
        })
    }
}

/// Writes the store's bytes to `path` and checks them as a store: migrations apply (an older schema is brought
/// up to date, a newer one refused) and the audit chain holds. Returns its audit entry count.
fn stage(path: &Path, bytes: &[u8]) -> Result<u64, Error> {
    inda_core::fs::write_private(path, bytes)?;
    let store = Store::open(path)?;
    let audit = store.verify_audit()?;
    if !audit.ok {
        return Err(Error::usage(format!(
            "the backup's audit log is broken at entry {} ({}): not restored",
            audit.broken_at.unwrap_or_default(),
            audit.reason.unwrap_or_default()
        )));
    }
    Ok(audit.entries)
}

/// Renames `path` to `<path>.before-restore-<stamp>` and returns the new name.
fn keep_aside(path: &Path, stamp: &impl std::fmt::Display) -> Result<PathBuf, Error> {
    let aside = PathBuf::from(format!("{}.before-restore-{stamp}", path.display()));
    std::fs::rename(path, &aside)
        .map_err(|e| Error::internal(format!("cannot keep {} aside: {e}", path.display())))?;
    Ok(aside)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::usage(format!("cannot read {}: {e}", path.display())))
}

/// A name part no other process of this machine uses at the same time: the process id and the clock.
fn unique() -> String {
    format!("{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default())
}
