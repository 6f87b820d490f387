//! Where a sync loads: the embedded warehouse's files, or Snowflake. The engine (pagination, validation,
//! watermarks) is the same for both; this is the part that differs: how the state is read, how a page is
//! committed with its cursor, and how a mart is rebuilt.

use crate::SyncError;
use crate::cursor::{self, TenantState};
use crate::entity::Entity;
use crate::snowflake::SnowflakeLoader;
use crate::transform;
use datafusion::arrow::record_batch::RecordBatch;
use inda_warehouse::encryption::WarehouseKey;
use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};

/// The warehouse a sync loads into, with the state and locks that go with it.
pub enum Destination {
    /// The embedded warehouse (the data dir's `warehouse/`).
    Embedded(Local),
    /// Snowflake; `locks` is a local directory for the per-tenant locks.
    Snowflake {
        /// The Snowflake connection the statements run on.
        loader: Box<SnowflakeLoader>,
        /// Where the `<tenant>.lock` files go (created when missing). Only syncs that share this directory
        /// keep out of each other's way.
        locks: PathBuf,
    },
}

/// The embedded warehouse's directory, and the key its Parquet files are sealed with (`None`: plain files,
/// for tests and tools that read them with other engines).
pub struct Local {
    /// The warehouse directory.
    pub root: PathBuf,
    /// The warehouse key of the data dir.
    pub key: Option<WarehouseKey>,
}

impl From<PathBuf> for Local {
    fn from(root: PathBuf) -> Self {
        Local { root, key: None }
    }
}

/// Held for a tenant's whole sync; released when dropped (or when the process dies).
pub struct TenantLock {
    _file: File,
}

impl Destination {
    /// `embedded` or `snowflake`, as [`SyncReport::warehouse`](crate::SyncReport::warehouse) names it.
    pub fn engine(&self) -> &'static str {
        match self {
            Destination::Embedded(_) => "embedded",
            Destination::Snowflake { .. } => "snowflake",
        }
    }

    /// Refuses a second sync of the same tenant into the same destination (a manual `inda sync` while
    /// `inda sync --every` runs): the two would fetch the same pages and race on the cursor.
    pub fn lock(&self, tenant: &str) -> Result<TenantLock, SyncError> {
        let dir = match self {
            Destination::Embedded(Local { root, .. }) => root.join("raw").join("_sync"),
            Destination::Snowflake { locks, .. } => locks.clone(),
        };
        std::fs::create_dir_all(&dir).map_err(|source| SyncError::Io {
            action: "create",
            path: dir.clone(),
            source,
        })?;
        let path = dir.join(format!("{tenant}.lock"));
        let mut options = File::options();
        options.create(true).truncate(false).write(true);
        // Empty, but owner-only like every file of the data dir.
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|source| SyncError::Io {
            action: "open",
            path: path.clone(),
            source,
        })?;
        match file.try_lock() {
            Ok(()) => Ok(TenantLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(SyncError::AlreadyRunning { tenant: tenant.to_string() }),
            Err(TryLockError::Error(source)) => Err(SyncError::Io { action: "lock", path, source }),
        }
    }

    /// The tenant's state, after cleaning up what an interrupted run left (returns how many files).
    pub async fn load(&self, tenant: &str) -> Result<(TenantState, usize), SyncError> {
        match self {
            Destination::Embedded(Local { root, .. }) => {
                let state = cursor::load(root, tenant)?;
                let orphans = cursor::remove_orphans(root, &state);
                Ok((state, orphans))
            }
            // Snowflake has nothing to clean: an interrupted transaction left nothing.
            Destination::Snowflake { loader, .. } => Ok((loader.load_state(tenant).await?, 0)),
        }
    }

    /// Writes a validated page where it becomes part of RAW once committed: the embedded warehouse's file
    /// (returned, for the manifest to name), or Snowflake's RAW rows under the page number.
    pub async fn stage(
        &self,
        entity: Entity,
        tenant: &str,
        seq: i64,
        batch: &RecordBatch,
    ) -> Result<Option<String>, SyncError> {
        match self {
            Destination::Embedded(Local { root, key }) => {
                let rel = cursor::raw_file(entity, tenant, seq);
                let batches = std::slice::from_ref(batch);
                crate::raw::write_parquet(&root.join(&rel), batch.schema(), batches, key.as_ref())?;
                Ok(Some(rel))
            }
            Destination::Snowflake { loader, .. } => {
                loader.stage_page(entity, tenant, seq, batch).await?;
                Ok(None)
            }
        }
    }

    /// The commit point of a page: the state with the next cursor. A completed full refresh drops the
    /// previous snapshot: embedded files after the commit, Snowflake rows (`refresh_from`) just before.
    pub async fn commit(
        &self,
        state: &mut TenantState,
        entity: Entity,
        refresh_from: Option<i64>,
        replaced: Vec<String>,
    ) -> Result<(), SyncError> {
        match self {
            Destination::Embedded(Local { root, .. }) => {
                cursor::commit(root, state)?;
                for old in replaced {
                    let _ = std::fs::remove_file(root.join(old));
                }
                Ok(())
            }
            Destination::Snowflake { loader, .. } => loader.commit(state, entity, refresh_from).await,
        }
    }

    /// After a tenant's sync: Snowflake's readable ADMIN.SYNC_STATE rows. Nothing for the embedded one.
    pub async fn publish(&self, state: &TenantState) -> Result<(), SyncError> {
        match self {
            Destination::Embedded(_) => Ok(()),
            Destination::Snowflake { loader, .. } => loader.publish(state).await,
        }
    }

    /// Rebuilds one dirty mart of the tenant and records it clean. Returns its rows.
    pub async fn rebuild(&self, state: &mut TenantState, mart: &str) -> Result<u64, SyncError> {
        match self {
            Destination::Embedded(Local { root, key }) => {
                let snapshot = state.clone();
                let files = move |e: Entity| snapshot.entity(e).files;
                let rows = transform::rebuild(root, key.as_ref(), &state.tenant_id, mart, &files).await?;
                state.dirty.remove(mart);
                cursor::commit(root, state)?;
                Ok(rows)
            }
            Destination::Snowflake { loader, .. } => loader.rebuild(state, mart).await,
        }
    }
}

/// The embedded warehouse at `root`, for callers that only have a path.
impl From<&Path> for Destination {
    fn from(root: &Path) -> Self {
        Destination::Embedded(root.to_path_buf().into())
    }
}

impl From<&PathBuf> for Destination {
    fn from(root: &PathBuf) -> Self {
        Destination::Embedded(root.clone().into())
    }
}
