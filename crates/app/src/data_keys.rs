//! The installation's data keys (the result cache's and the local warehouse's), kept by `inda-secrets`:
//! in the OS keyring, the opted-in secrets file, or, on a machine with neither, `keys/` in the data dir.
//! Opened on first use, so that commands that read no data never touch the keyring.

use crate::config::{Config, SecretsFallback};
use inda_core::{Error, Secret};
use inda_secrets::{DATA_KEY_LEN, DataKey, DataKeys, Fallback, KeyHome};
use inda_warehouse::KeySource;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The data keys of one data dir, shared by the app and its warehouse.
#[derive(Clone)]
pub(crate) struct Keys {
    root: PathBuf,
    fallback: Fallback,
    opened: Arc<OnceLock<Arc<DataKeys>>>,
}

impl Keys {
    pub(crate) fn new(root: PathBuf, config: &Config) -> Keys {
        Keys { root, fallback: fallback(config), opened: Arc::default() }
    }

    fn open(&self) -> Result<Arc<DataKeys>, Error> {
        if let Some(k) = self.opened.get() {
            return Ok(k.clone());
        }
        let keys = Arc::new(DataKeys::open(&self.root, self.fallback)?);
        let keys_dir = self.root.join("keys");
        let first = ["cache.key", "warehouse.key", "cache.where", "warehouse.where"]
            .iter()
            .all(|name| !keys_dir.join(name).exists());
        if let (KeyHome::DataDir(why), true) = (keys.home(), first) {
            // When the keys are made: the data still opens, but its keys sit next to it (`inda doctor` says
            // so every time).
            tracing::warn!(
                "no OS keyring ({why}): the keys of cached results and the warehouse are kept in keys/ in the \
                 data dir; start a Secret Service to move them there"
            );
        }
        Ok(self.opened.get_or_init(|| keys).clone())
    }

    /// The key, created on first use (and moved out of `keys/` when a keyring has appeared).
    pub(crate) fn get(&self, which: DataKey) -> Result<Secret<[u8; DATA_KEY_LEN]>, Error> {
        self.open()?.key(which)
    }

    /// The warehouse's key, as the embedded engine asks for it on its first query.
    pub(crate) fn warehouse_source(&self) -> Arc<KeySource> {
        let keys = self.clone();
        Arc::new(move || keys.get(DataKey::Warehouse))
    }
}

/// `[secrets] fallback` as the keyring crate takes it.
pub(crate) fn fallback(config: &Config) -> Fallback {
    match config.secrets.fallback {
        SecretsFallback::Refuse => Fallback::Refuse,
        SecretsFallback::File => Fallback::File,
    }
}
