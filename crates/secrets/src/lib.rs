//! Where the app keeps its secrets: the session token, API keys, warehouse passwords and private keys. They
//! live in the operating system's keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) under the service `indigital-analytics`, one entry per purpose and user. Only when no keyring
//! exists at all, and the user has opted in, they go to a 0600 file in the data dir, with a warning each time.
//! The installation's own data keys (the result cache's and the warehouse's) are [`DataKeys`], kept the same
//! way, except that a machine with neither keeps them in `keys/` rather than refusing to open its data.
//!
//! Failures are [`SecretsError`]s inside the crate; the public API returns the boundary [`Error`], converted
//! once (`From<SecretsError>`).
//!
//! Not here: deciding who the user is (the caller passes the owner, taken from a verified token) or what a
//! secret is for. Values only ever travel inside [`Secret`].

#![warn(missing_docs)]

mod data_key;
mod entry;
mod error;
mod file;
mod os;

pub use data_key::{DATA_KEY_LEN, DataKey, DataKeys, KeyHome};
pub use entry::{Owner, SecretName};
pub use error::SecretsError;

use inda_core::{Error, Secret};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The keyring service every entry of the app is filed under.
pub const SERVICE: &str = "indigital-analytics";

/// Where secrets are kept when the OS keyring is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// No keyring, no secrets: the safe default.
    #[default]
    Refuse,
    /// A 0600 file in the data dir (`secrets.json`), opted into by the user.
    File,
}

/// Where [`Keyring::open`] would keep secrets on this machine: what [`Keyring::probe`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// The OS keyring answers; its name (`Secret Service`, `macOS Keychain`, …).
    Os(&'static str),
    /// No OS keyring, and the user opted into the file in the data dir; why there is no keyring.
    File(String),
    /// No OS keyring and no opt-in: no secret can be stored; why there is no keyring.
    Unavailable(String),
}

/// The secrets of one installation (data dir).
pub struct Keyring {
    backend: Backend,
    /// Entries carry the installation's id, so that two data dirs of one OS user (or parallel tests) never
    /// read each other's entries.
    install: String,
    /// Which names each owner has stored: keyrings cannot all list their entries, and sign-out must find
    /// every one. Names only, never values.
    index: entry::Index,
}

enum Backend {
    Os(Arc<keyring_core::CredentialStore>),
    File(PathBuf),
    /// For unit tests of the code around the keyring only.
    Memory(Arc<keyring_core::CredentialStore>),
}

impl Keyring {
    /// Opens the OS keyring for the data dir at `data_dir`, or the opted-in file fallback when the OS has none.
    pub fn open(data_dir: &Path, fallback: Fallback) -> Result<Keyring, Error> {
        let install = entry::install_id(data_dir)?;
        let index = entry::Index::in_data_dir(data_dir);
        match os::store() {
            Ok(store) => Ok(Keyring { backend: Backend::Os(store), install, index }),
            Err(why) => match fallback {
                Fallback::File => {
                    let path = data_dir.join("secrets.json");
                    warn_file_fallback(&path, &why);
                    Ok(Keyring { backend: Backend::File(path), install, index })
                }
                Fallback::Refuse => Err(SecretsError::NoKeyring { why }.into()),
            },
        }
    }

    /// Which backend [`Keyring::open`] would choose with `fallback`, found without opening this installation's
    /// keyring or writing anything (for `inda doctor`). Asks the OS keyring a harmless question, as `open`
    /// does.
    pub fn probe(fallback: Fallback) -> Availability {
        match (os::store(), fallback) {
            (Ok(_), _) => Availability::Os(os::NAME),
            (Err(why), Fallback::File) => Availability::File(why),
            (Err(why), Fallback::Refuse) => Availability::Unavailable(why),
        }
    }

    /// A keyring kept in memory, for unit tests of code that stores secrets.
    pub fn in_memory() -> Result<Keyring, Error> {
        let store: Result<Arc<keyring_core::CredentialStore>, _> =
            keyring_core::mock::Store::new().map(|s| s as Arc<keyring_core::CredentialStore>);
        let index = entry::Index::in_memory();
        match store {
            Ok(store) => Ok(Keyring { backend: Backend::Memory(store), install: "memory".into(), index }),
            Err(e) => Err(os::keyring_error(e).into()),
        }
    }

    /// What backs this keyring, for `inda whoami` and diagnostics.
    pub fn describe(&self) -> &'static str {
        match self.backend {
            Backend::Os(_) => os::NAME,
            Backend::File(_) => "file in the data dir (no OS keyring)",
            Backend::Memory(_) => "memory",
        }
    }

    /// The value stored as `name` for `owner`; `None` when there is none (not an error: callers decide
    /// whether a missing secret matters). With the file fallback, warns on stderr on every call.
    pub fn get(&self, owner: &Owner, name: &SecretName) -> Result<Option<Secret>, Error> {
        let account = entry::account(&self.install, owner, name);
        match &self.backend {
            Backend::Os(store) | Backend::Memory(store) => Ok(os::get(store, &account)?),
            Backend::File(path) => {
                warn_file_fallback(path, "no OS keyring");
                Ok(file::get(path, &account)?)
            }
        }
    }

    /// Stores `value` as `name` for `owner`, replacing any earlier value, and records the name so that
    /// sign-out ([`Keyring::delete_all`]) finds it. Refuses an empty value and one over 16 KiB (usage
    /// errors).
    pub fn set(&self, owner: &Owner, name: &SecretName, value: &Secret) -> Result<(), Error> {
        if value.expose().is_empty() {
            return Err(SecretsError::Empty.into());
        }
        if value.expose().len() > entry::MAX_SECRET_LEN {
            return Err(SecretsError::TooLong { max: entry::MAX_SECRET_LEN }.into());
        }
        let account = entry::account(&self.install, owner, name);
        match &self.backend {
            Backend::Os(store) | Backend::Memory(store) => os::set(store, &account, value)?,
            Backend::File(path) => {
                warn_file_fallback(path, "no OS keyring");
                file::set(path, &account, Some(value))?;
            }
        }
        self.index.add(owner, name)?;
        tracing::debug!(secret = %name, "stored in {}", self.describe());
        Ok(())
    }

    /// Deletes one entry; `Ok(false)` when there was none.
    pub fn delete(&self, owner: &Owner, name: &SecretName) -> Result<bool, Error> {
        let account = entry::account(&self.install, owner, name);
        let existed = match &self.backend {
            Backend::Os(store) | Backend::Memory(store) => os::delete(store, &account)?,
            Backend::File(path) => file::set(path, &account, None)?,
        };
        self.index.remove(owner, name)?;
        Ok(existed)
    }

    /// Deletes every entry this installation stored for `owner` (sign-out). Returns how many it removed.
    pub fn delete_all(&self, owner: &Owner) -> Result<usize, Error> {
        let mut deleted = 0;
        let mut names = self.index.names(owner)?;
        // The token is always looked for, even when the index was lost.
        if !names.contains(&SecretName::session_token()) {
            names.push(SecretName::session_token());
        }
        for name in names {
            if self.delete(owner, &name)? {
                deleted += 1;
            }
        }
        self.index.forget_owner(owner)?;
        Ok(deleted)
    }

    /// The names of the secrets stored for `owner` (never their values).
    pub fn names(&self, owner: &Owner) -> Result<Vec<SecretName>, Error> {
        Ok(self.index.names(owner)?)
    }
}

fn warn_file_fallback(path: &Path, why: &str) {
    // Each time, on purpose: a file is a weaker home for secrets than a keyring, and the user should not
    // forget they chose it.
    eprintln!("warning: secrets are kept in {} (0600) because {why}; an OS keyring is safer", path.display());
}
