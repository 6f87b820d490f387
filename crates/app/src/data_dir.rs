//! The data dir: where the warehouse, the local store, keys and config of one installation live.

use inda_core::Error;
use std::path::{Path, PathBuf};

/// The folder of one installation. Only paths: nothing is created or read until [`DataDir::ensure`] and the
/// users of these paths.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// A data dir at `root` (`--data-dir`, `INDA_DATA_DIR`).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DataDir { root: root.into() }
    }

    /// The OS's per-user data folder for the app (e.g. `~/.local/share/indigital-analytics` on Linux).
    pub fn default_location() -> Result<Self, Error> {
        dirs::data_dir().map(|d| DataDir::new(d.join("indigital-analytics"))).ok_or_else(|| {
            Error::usage("cannot find a per-user data folder: pass --data-dir or set INDA_DATA_DIR")
        })
    }

    /// The folder itself; keys (`keys/`) and relative paths of the config resolve against it.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// `warehouse/`: the embedded warehouse's Parquet marts and admin files (`inda demo init`, `inda sync`).
    pub fn warehouse(&self) -> PathBuf {
        self.root.join("warehouse")
    }
    /// `store.sqlite`: saved analyses, dashboards, conversations, cached results and the audit log.
    pub fn store(&self) -> PathBuf {
        self.root.join("store.sqlite")
    }
    /// `config.toml`: see [`Config`](crate::Config).
    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }
    /// Who is signed in (tenant and user; the token itself is in the OS keyring).
    pub fn signed_in(&self) -> PathBuf {
        self.root.join("session.json")
    }
    /// `semantic.yaml`: optional overrides merged over the semantic model shipped with the app.
    pub fn semantic_override(&self) -> PathBuf {
        self.root.join("semantic.yaml")
    }

    /// Creates the folder if needed and, on Unix, makes it owner-only (0700; best effort): it holds keys and
    /// cached results. A folder that cannot be created is a usage error.
    pub fn ensure(&self) -> Result<(), Error> {
        std::fs::create_dir_all(&self.root)
            .map_err(|e| Error::usage(format!("cannot create the data dir {}: {e}", self.root.display())))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // The data dir holds cached results and keys: owner only.
            let _ = std::fs::set_permissions(&self.root, std::fs::Permissions::from_mode(0o700));
        }
        Ok(())
    }
}

impl DataDir {
    /// Refuses a data dir that belongs to another user: background work (the scheduler) runs with the data
    /// dir's keys and cached results, which only their owner may use.
    pub fn check_owned(&self) -> Result<(), Error> {
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt;
            let dir = std::fs::metadata(&self.root).map_err(|e| {
                Error::usage(format!("cannot read the data dir {}: {e}", self.root.display()))
            })?;
            // /proc/self belongs to the process's user: no libc call needed to learn who we are.
            if let Ok(me) = std::fs::metadata("/proc/self")
                && me.uid() != dir.uid()
            {
                return Err(Error::usage(format!(
                    "the data dir {} belongs to another user; run the scheduler as its owner",
                    self.root.display()
                )));
            }
        }
        Ok(())
    }
}
