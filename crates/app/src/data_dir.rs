//! The data dir: where the warehouse, the local store, keys and config of one installation live, and who may
//! read them (its owner only: the folder 0700, every file the app writes 0600).
//!
//! Not here: what is inside each file, and the walk over the whole tree (`inda doctor` does that, on demand).

use inda_core::Error;
use std::path::{Path, PathBuf};

/// The files the app writes directly in the data dir, made owner-only again on every start (a handful of
/// `stat`s): those of an older version, or restored from a backup, may be readable by others. `keys/`'s files
/// too ([`KEYS`]); the warehouse tree is left to `inda doctor --fix`, being too large to walk on every start.
const PRIVATE_FILES: &[&str] = &[
    "store.sqlite",
    "store.sqlite-wal",
    "store.sqlite-shm",
    "config.toml",
    "session.json",
    "secrets.json",
    "secret-names.json",
    "install-id",
];

/// The folder of the signing and cache keys.
const KEYS: &str = "keys";

/// Files the user writes, with the permissions they choose: no check or fix of the app touches them.
pub(crate) const USER_FILES: &[&str] = &["semantic.yaml"];

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

    /// Creates the folder if needed and, on Unix, makes it owner-only (0700), with the files the app keeps
    /// directly in it and in `keys/` (0600). Best effort: it holds keys and cached results, but a file that
    /// cannot be changed (another user's) must not stop the app; `inda doctor` reports it. A folder that
    /// cannot be created is a usage error.
    pub fn ensure(&self) -> Result<(), Error> {
        std::fs::create_dir_all(&self.root)
            .map_err(|e| Error::usage(format!("cannot create the data dir {}: {e}", self.root.display())))?;
        // Created here, owner-only, before the code that puts keys into it would create it as any folder.
        let keys = inda_core::fs::create_private_dir(&self.root.join(KEYS));
        let loose = self.known_private_paths().into_iter().map(|p| inda_core::fs::make_private(&p));
        for e in std::iter::once(keys.map(|()| false)).chain(loose).filter_map(Result::err) {
            tracing::warn!("{}", e.message);
        }
        Ok(())
    }

    /// The data dir, `keys/`, and the files the app writes directly in them: what [`DataDir::ensure`] keeps
    /// owner-only.
    fn known_private_paths(&self) -> Vec<PathBuf> {
        let keys = self.root.join(KEYS);
        let key_files = std::fs::read_dir(&keys).into_iter().flatten().flatten().map(|e| e.path());
        // A data dir that is a link to a folder elsewhere is that folder (links inside it are not followed).
        let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        [root, keys]
            .into_iter()
            .chain(PRIVATE_FILES.iter().map(|name| self.root.join(name)))
            .chain(key_files)
            .collect()
    }

    /// Whether `path` (under the data dir) is a file the user writes, which the app leaves as it is.
    pub(crate) fn is_user_file(&self, path: &Path) -> bool {
        USER_FILES.iter().any(|name| path == self.root.join(name))
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn ensure_makes_the_folder_and_the_files_it_knows_owner_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::new(tmp.path().join("data"));
        dir.ensure().expect("create");
        assert_eq!(mode(dir.root()), 0o700);

        let keys = dir.root().join(KEYS);
        assert_eq!(mode(&keys), 0o700, "created owner-only, before any key goes in");
        std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let loose = [dir.config(), dir.signed_in(), dir.store(), keys.join("cache.key")];
        for path in loose.iter().chain([&dir.semantic_override()]) {
            std::fs::write(path, b"x").expect("write");
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        std::fs::set_permissions(dir.root(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        dir.ensure().expect("again");
        assert_eq!((mode(dir.root()), mode(&keys)), (0o700, 0o700));
        for path in &loose {
            assert_eq!(mode(path), 0o600, "{}", path.display());
        }
        assert_eq!(mode(&dir.semantic_override()), 0o644, "the user's own file is left as they made it");
    }
}
