//! The keys that protect this installation's data at rest: the result cache's and the local warehouse's.
//! They belong to the installation, not to a user, so sign-out leaves them (the data they seal stays).
//!
//! Where a key lives, in order: the OS keyring; the opted-in secrets file (`[secrets] fallback = "file"`);
//! and only when the machine has neither, `keys/<name>.key` in the data dir (0600), which is what every
//! installation used before keys moved to the keyring. A key file found there is moved into the keyring (or
//! the opted-in file) on first use, read back, and only then deleted, so an existing cache or warehouse is
//! never lost. A marker (`keys/<name>.where`) remembers that the key moved: when the keyring is not reachable
//! later, the data dir refuses with a clear error instead of making a new key that could not open the data.
//!
//! A new key is always born as a file created with `create_new` and then moved: of two processes racing to
//! create it, both move the same bytes.

use crate::{Fallback, SecretsError, entry, file, os};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use inda_core::{Error, Secret};
use keyring_core::CredentialStore;
use rand::RngCore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes in a data key (AES-256).
pub const DATA_KEY_LEN: usize = 32;

/// Which data a key protects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataKey {
    /// Cached results in the store (AES-256-GCM per blob).
    Cache,
    /// The local warehouse's Parquet files (Parquet modular encryption, AES-GCM).
    Warehouse,
}

impl DataKey {
    /// The entry's name in the keyring, and the key file's stem in `keys/`.
    pub fn name(self) -> &'static str {
        match self {
            DataKey::Cache => "cache",
            DataKey::Warehouse => "warehouse",
        }
    }

    /// What it protects, for messages.
    fn what(self) -> &'static str {
        match self {
            DataKey::Cache => "cached results",
            DataKey::Warehouse => "the local warehouse",
        }
    }
}

/// Where the data keys of an installation live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyHome {
    /// The OS keyring (its name).
    Keyring(&'static str),
    /// The opted-in secrets file in the data dir.
    SecretsFile,
    /// `keys/` in the data dir, because this machine has no keyring and no opt-in; why there is no keyring.
    DataDir(String),
}

enum Home {
    Os(Arc<CredentialStore>),
    File(PathBuf),
    DataDir(String),
    #[cfg(test)]
    Memory(Arc<CredentialStore>),
}

/// The data keys of one installation (data dir).
pub struct DataKeys {
    home: Home,
    install: String,
    keys_dir: PathBuf,
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKeys({:?})", self.home())
    }
}

impl DataKeys {
    /// The data keys of the data dir at `data_dir`, kept where the machine allows (see the module's doc).
    pub fn open(data_dir: &Path, fallback: Fallback) -> Result<DataKeys, Error> {
        let install = entry::install_id(data_dir)?;
        let keys_dir = data_dir.join("keys");
        let home = match (os::store(), fallback) {
            (Ok(store), _) => Home::Os(store),
            (Err(_), Fallback::File) => Home::File(data_dir.join("secrets.json")),
            (Err(why), Fallback::Refuse) => Home::DataDir(why),
        };
        Ok(DataKeys { home, install, keys_dir })
    }

    /// Where the keys live.
    pub fn home(&self) -> KeyHome {
        match &self.home {
            Home::Os(_) => KeyHome::Keyring(os::NAME),
            Home::File(_) => KeyHome::SecretsFile,
            Home::DataDir(why) => KeyHome::DataDir(why.clone()),
            #[cfg(test)]
            Home::Memory(_) => KeyHome::Keyring("memory"),
        }
    }

    /// The key, created on first use, and moved out of `keys/` when it is still there and can be.
    pub fn key(&self, which: DataKey) -> Result<Secret<[u8; DATA_KEY_LEN]>, Error> {
        let file = KeyFile::new(&self.keys_dir, which);
        if let Home::DataDir(why) = &self.home {
            if let Some(home) = file.moved_to()? {
                return Err(
                    SecretsError::KeyUnreachable { what: which.what(), home, why: why.clone() }.into()
                );
            }
            return file.read_or_create();
        }
        let account = format!("{}-key@{}", which.name(), self.install);
        if let Some(key) = self.get(&account)? {
            file.forget_copy(&key);
            return Ok(key);
        }
        if file.moved_to()?.is_some() {
            // The keyring lost the entry (wiped, or another keyring): a new key, the old data reads as lost.
            tracing::warn!(key = which.name(), "the data key is no longer in the keyring: a new one is made");
            file.forget_move()?;
        }
        let key = file.read_or_create()?;
        self.set(&account, &key)?;
        match self.get(&account)? {
            Some(kept) if kept == key => {}
            _ => return Err(SecretsError::KeyNotKept { what: which.what() }.into()),
        }
        file.record_move(&self.home_name())?;
        file.forget_copy(&key);
        tracing::info!(key = which.name(), "data key kept in {}", self.home_name());
        Ok(key)
    }

    fn home_name(&self) -> String {
        match self.home() {
            KeyHome::Keyring(name) => name.to_string(),
            KeyHome::SecretsFile => "secrets.json".to_string(),
            KeyHome::DataDir(_) => "keys/".to_string(),
        }
    }

    fn get(&self, account: &str) -> Result<Option<Secret<[u8; DATA_KEY_LEN]>>, Error> {
        let text = match &self.home {
            Home::Os(store) => os::get(store, account)?,
            #[cfg(test)]
            Home::Memory(store) => os::get(store, account)?,
            Home::File(path) => file::get(path, account)?,
            Home::DataDir(_) => None,
        };
        let Some(text) = text else { return Ok(None) };
        let bytes = BASE64.decode(text.expose().trim()).map_err(|_| SecretsError::KeyEntryDamaged)?;
        let key: [u8; DATA_KEY_LEN] = bytes.try_into().map_err(|_| SecretsError::KeyEntryDamaged)?;
        Ok(Some(Secret::new(key)))
    }

    fn set(&self, account: &str, key: &Secret<[u8; DATA_KEY_LEN]>) -> Result<(), Error> {
        let text = Secret::new(BASE64.encode(key.expose()));
        match &self.home {
            Home::Os(store) => os::set(store, account, &text)?,
            #[cfg(test)]
            Home::Memory(store) => os::set(store, account, &text)?,
            Home::File(path) => {
                file::set(path, account, Some(&text))?;
            }
            Home::DataDir(_) => {}
        }
        Ok(())
    }

    /// Keys in a keyring kept in memory, over the data dir `data_dir` (for the tests of moving keys).
    #[cfg(test)]
    fn in_memory(data_dir: &Path) -> DataKeys {
        let store = keyring_core::mock::Store::new().expect("mock store");
        DataKeys { home: Home::Memory(store), install: "memory".into(), keys_dir: data_dir.join("keys") }
    }
}

/// `keys/<name>.key` and its marker `keys/<name>.where`.
struct KeyFile {
    path: PathBuf,
    marker: PathBuf,
}

impl KeyFile {
    fn new(keys_dir: &Path, which: DataKey) -> KeyFile {
        KeyFile {
            path: keys_dir.join(format!("{}.key", which.name())),
            marker: keys_dir.join(format!("{}.where", which.name())),
        }
    }

    /// The key in the file, `None` when there is none.
    fn read(&self) -> Result<Option<Secret<[u8; DATA_KEY_LEN]>>, SecretsError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => bytes
                .as_slice()
                .try_into()
                .map(|k| Some(Secret::new(k)))
                .map_err(|_| SecretsError::KeyFileDamaged { path: self.path.clone(), len: bytes.len() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SecretsError::Read { path: self.path.clone(), source }),
        }
    }

    /// The key in the file, creating the file with a new random key when there is none.
    fn read_or_create(&self) -> Result<Secret<[u8; DATA_KEY_LEN]>, Error> {
        if let Some(key) = self.read()? {
            return Ok(key);
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|source| SecretsError::CreateDir { path: dir.to_path_buf(), source })?;
            inda_core::fs::make_private(dir)?;
        }
        let mut key = [0u8; DATA_KEY_LEN];
        rand::rngs::OsRng.fill_bytes(&mut key);
        // Created whole and never replaced: of two racing processes, the first one's key stays.
        inda_core::fs::create_new(&self.path, &key, inda_core::fs::Perms::Private)?;
        // A racer may still be writing its 32 bytes: wait briefly for them.
        for _ in 0..50 {
            match self.read() {
                Ok(Some(key)) => return Ok(key),
                Ok(None) | Err(SecretsError::KeyFileDamaged { .. }) => {}
                Err(e) => return Err(e.into()),
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Ok(self.read()?.ok_or(SecretsError::KeyNotKept { what: "a data key" })?)
    }

    /// Where the key was moved, when it was.
    fn moved_to(&self) -> Result<Option<String>, SecretsError> {
        match std::fs::read_to_string(&self.marker) {
            Ok(home) => Ok(Some(home.trim().to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(SecretsError::Read { path: self.marker.clone(), source }),
        }
    }

    fn record_move(&self, home: &str) -> Result<(), Error> {
        inda_core::fs::write_private(&self.marker, home.as_bytes())
    }

    fn forget_move(&self) -> Result<(), SecretsError> {
        match std::fs::remove_file(&self.marker) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(SecretsError::Read { path: self.marker.clone(), source }),
        }
    }

    /// Deletes the file when it holds `kept` (the key is safe elsewhere). A file with another key is left
    /// for the user to look at, never deleted: it may be the only key of some data.
    fn forget_copy(&self, kept: &Secret<[u8; DATA_KEY_LEN]>) {
        match self.read() {
            Ok(Some(key)) if key == *kept => {
                if let Err(e) = std::fs::remove_file(&self.path) {
                    tracing::warn!(path = %self.path.display(), "cannot delete the moved key file: {e}");
                }
            }
            Ok(None) => {}
            Ok(Some(_)) | Err(_) => {
                tracing::warn!(path = %self.path.display(), "a different key file is left in the data dir");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_moves_into_the_keyring_once_and_stays_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let keys = dir.path().join("keys");
        std::fs::create_dir_all(&keys).unwrap();
        std::fs::write(keys.join("cache.key"), [7u8; 32]).unwrap();
        let data_keys = DataKeys::in_memory(dir.path());
        let key = data_keys.key(DataKey::Cache).unwrap();
        assert_eq!(key.expose(), &[7u8; 32]);
        assert!(!keys.join("cache.key").exists(), "the file is gone once the keyring holds the key");
        assert!(keys.join("cache.where").exists());
        assert_eq!(data_keys.key(DataKey::Cache).unwrap(), key);
        let fresh = data_keys.key(DataKey::Warehouse).unwrap();
        assert_ne!(fresh, key, "each data key is its own");
        assert!(!keys.join("warehouse.key").exists());
    }

    #[test]
    fn without_a_keyring_a_moved_key_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        DataKeys::in_memory(dir.path()).key(DataKey::Warehouse).unwrap();
        let bare = DataKeys {
            home: Home::DataDir("no bus".into()),
            install: "memory".into(),
            keys_dir: dir.path().join("keys"),
        };
        let e = bare.key(DataKey::Warehouse).unwrap_err();
        assert!(e.message.contains("the local warehouse"), "{}", e.message);
        assert!(!dir.path().join("keys/warehouse.key").exists(), "no new key was made");
    }

    #[test]
    fn a_damaged_key_file_is_named_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("keys")).unwrap();
        std::fs::write(dir.path().join("keys/cache.key"), [1u8; 5]).unwrap();
        let e = DataKeys::in_memory(dir.path()).key(DataKey::Cache).unwrap_err();
        assert!(e.message.contains("5 bytes"), "{}", e.message);
        assert_eq!(std::fs::read(dir.path().join("keys/cache.key")).unwrap(), [1u8; 5]);
    }
}
