//! The sync state of one tenant and how a page is committed atomically.
//!
//! Scheme: one JSON manifest per tenant, `raw/_sync/<tenant>.json`, holds for every entity the API cursor of
//! the run in progress, the watermark of the last completed run, and the list of committed RAW files. A page
//! is committed in two steps: (1) its RAW file is written under a fresh sequence number and synced; (2) a new
//! manifest naming that file *and* the next cursor is written to a temp file, synced, and renamed over the old
//! one. The rename is the commit point: before it, the page is an orphan file that the next run deletes and
//! fetches again from the old cursor (no loss); after it, file and cursor are both in (no duplicate). A
//! manifest per tenant (rather than a database) keeps tenants independent and the state greppable; the
//! sequence numbers also order loads, so STAGING keeps the latest version of a record.
//!
//! STAGING and MARTS are derived from the committed RAW files only: the manifest lists the marts that are
//! `dirty` (RAW changed since they were built) and they are rebuilt until a rebuild completes, so a crash
//! during a rebuild is repaired by the next run.

use crate::SyncError;
use crate::entity::Entity;
use crate::raw::RecordKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The sync state of one entity of one tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EntityState {
    /// The largest (`updated_at`, `id`) loaded by the last completed run: the next run asks for
    /// `updated_since` = its time and skips what is not after it.
    pub watermark: Option<RecordKey>,
    /// The API cursor of the next page of the run in progress (a crashed run resumes here).
    pub cursor: Option<String>,
    /// Whether a run is in progress (its first page may have no cursor yet).
    pub in_progress: bool,
    /// The largest key seen by the run in progress.
    pub run_max: Option<RecordKey>,
    /// Committed RAW files, relative to the warehouse dir, in load order.
    pub files: Vec<String>,
    /// Full-refresh entities: the files of the snapshot being fetched; they replace `files` when it completes.
    pub pending: Vec<String>,
    /// The page number of the run in progress's first page (Snowflake's full refresh deletes the rows of
    /// earlier pages when the run completes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_first_seq: Option<i64>,
    /// Records committed in total.
    pub records: u64,
    /// When the last run of this entity completed (UTC, ISO 8601).
    pub last_synced_at: Option<String>,
}

/// The manifest of one tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TenantState {
    /// The tenant the manifest belongs to (and names its file).
    pub tenant_id: String,
    /// The sequence number of the next RAW file.
    pub next_seq: i64,
    /// How many times this state was committed (Snowflake keeps every commit and reads the latest).
    #[serde(default)]
    pub version: u64,
    /// Per entity, by [`Entity::name`]; an entity never synced has no entry (read through
    /// [`TenantState::entity`], which gives the default).
    pub entities: BTreeMap<String, EntityState>,
    /// Marts whose RAW changed since they were last built.
    pub dirty: BTreeSet<String>,
}

impl TenantState {
    /// A copy of `e`'s state; the default (never synced) when it has none yet.
    pub fn entity(&self, e: Entity) -> EntityState {
        self.entities.get(e.name()).cloned().unwrap_or_default()
    }
    /// Replaces `e`'s state, in memory only: [`commit`] (or the destination's commit) makes it durable.
    pub fn set_entity(&mut self, e: Entity, s: EntityState) {
        self.entities.insert(e.name().to_string(), s);
    }
}

/// Where a tenant's manifest lives.
pub fn manifest_path(warehouse: &Path, tenant: &str) -> PathBuf {
    warehouse.join("raw").join("_sync").join(format!("{tenant}.json"))
}

/// The RAW file of page `seq` (relative to the warehouse dir).
pub fn raw_file(entity: Entity, tenant: &str, seq: i64) -> String {
    format!("raw/{}/{tenant}/{seq:010}.parquet", entity.name())
}

/// Reads a tenant's manifest (the default state when there is none yet).
pub fn load(warehouse: &Path, tenant: &str) -> Result<TenantState, SyncError> {
    let path = manifest_path(warehouse, tenant);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map_err(|source| SyncError::CorruptManifest { path, source })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(TenantState { tenant_id: tenant.to_string(), next_seq: 1, ..Default::default() })
        }
        Err(source) => Err(SyncError::Io { action: "read", path, source }),
    }
}

/// Commits a tenant's manifest: temp file, sync, rename (the commit point), sync of the directory.
pub fn commit(warehouse: &Path, state: &TenantState) -> Result<(), SyncError> {
    let path = manifest_path(warehouse, &state.tenant_id);
    let dir = path.parent().unwrap_or(warehouse);
    std::fs::create_dir_all(dir).map_err(|source| SyncError::Io {
        action: "create",
        path: dir.to_path_buf(),
        source,
    })?;
    let text = serde_json::to_vec_pretty(state).map_err(SyncError::Serialize)?;
    inda_core::fs::write_private(&path, &text).map_err(SyncError::CommitManifest)
}

/// Deletes the RAW files of a tenant that no committed manifest names (pages written by a run that died
/// before its commit, replaced full-refresh snapshots) and leftover temp files.
pub fn remove_orphans(warehouse: &Path, state: &TenantState) -> usize {
    let known: BTreeSet<&str> = state
        .entities
        .values()
        .flat_map(|e| e.files.iter().chain(e.pending.iter()))
        .map(String::as_str)
        .collect();
    let mut removed = 0;
    for entity in Entity::ALL {
        let dir = warehouse.join("raw").join(entity.name()).join(&state.tenant_id);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("raw/{}/{}/{name}", entity.name(), state.tenant_id);
            if !known.contains(rel.as_str()) && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}
