//! How entries are named: an owner (tenant and user), a secret's name, and the installation they belong to;
//! plus the names index that sign-out walks.

use inda_core::Error;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Keyrings take a few kilobytes per item at most on some platforms (Windows: 2,560 bytes of UTF-16); a
/// private key in PEM fits well under this.
pub const MAX_SECRET_LEN: usize = 16 * 1024;

/// Whose secret it is: taken from a verified session, never from a flag.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Owner {
    pub tenant_id: String,
    pub user_id: String,
}

impl Owner {
    pub fn new(tenant_id: impl Into<String>, user_id: impl Into<String>) -> Owner {
        Owner { tenant_id: tenant_id.into(), user_id: user_id.into() }
    }
    fn key(&self) -> String {
        // Tenant ids are [a-z0-9_]; user ids may hold most characters, so they are escaped to keep `/` the
        // only separator.
        format!("{}/{}", self.tenant_id, escape(&self.user_id))
    }
}

/// A secret's name: `session-token`, `anthropic`, `snowflake-password`, … Lower-case letters, digits, `-`
/// and `_`, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretName(String);

impl SecretName {
    /// The session token of the signed-in user.
    pub fn session_token() -> SecretName {
        SecretName("session-token".into())
    }

    pub fn parse(name: &str) -> Result<SecretName, Error> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && name.as_bytes()[0].is_ascii_alphanumeric();
        if ok {
            Ok(SecretName(name.to_string()))
        } else {
            Err(Error::usage(format!(
                "`{}` is not a valid secret name: use lower-case letters, digits, `-` and `_` (at most 64)",
                name.chars().take(80).collect::<String>()
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The keyring account (the "user" of keyring-core) of one entry.
pub fn account(install: &str, owner: &Owner, name: &SecretName) -> String {
    format!("{name}:{}@{install}", owner.key())
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' | '/' | ':' | '@' => out.push_str(&format!("%{:02X}", c as u32)),
            c if c.is_control() => out.push_str(&format!("%{:02X}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out
}

/// The installation's id, created once in the data dir. Not a secret: it only keeps installations apart.
pub fn install_id(data_dir: &Path) -> Result<String, Error> {
    let path = data_dir.join("install-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        let id = id.trim();
        if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Ok(id.to_string());
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|e| Error::internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    // Write then link: a racing process either wins (and we read its id) or loses to ours.
    let tmp = data_dir.join(format!(".install-id.{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, &id).map_err(|e| Error::internal(format!("cannot write {}: {e}", tmp.display())))?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(id),
        Err(_) => std::fs::read_to_string(&path)
            .map(|s| s.trim().to_string())
            .map_err(|e| Error::internal(format!("cannot read {}: {e}", path.display()))),
    }
}

/// Names stored per owner, in `secret-names.json` in the data dir (names only, never values).
pub struct Index {
    path: Option<PathBuf>,
    memory: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl Index {
    pub fn in_data_dir(data_dir: &Path) -> Index {
        Index { path: Some(data_dir.join("secret-names.json")), memory: Mutex::new(BTreeMap::new()) }
    }

    pub fn in_memory() -> Index {
        Index { path: None, memory: Mutex::new(BTreeMap::new()) }
    }

    fn load(&self) -> Result<BTreeMap<String, BTreeSet<String>>, Error> {
        let Some(path) = &self.path else {
            return self
                .memory
                .lock()
                .map(|m| m.clone())
                .map_err(|_| Error::internal("secret index poisoned"));
        };
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| Error::internal(format!("{} is damaged: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::internal(format!("cannot read {}: {e}", path.display()))),
        }
    }

    fn save(&self, map: &BTreeMap<String, BTreeSet<String>>) -> Result<(), Error> {
        let Some(path) = &self.path else {
            *self.memory.lock().map_err(|_| Error::internal("secret index poisoned"))? = map.clone();
            return Ok(());
        };
        let text = serde_json::to_string_pretty(map).map_err(|e| Error::internal(e.to_string()))?;
        crate::file::write_private(path, text.as_bytes())
    }

    fn update(&self, f: impl FnOnce(&mut BTreeMap<String, BTreeSet<String>>)) -> Result<(), Error> {
        let mut map = self.load()?;
        f(&mut map);
        self.save(&map)
    }

    pub fn add(&self, owner: &Owner, name: &SecretName) -> Result<(), Error> {
        self.update(|m| {
            m.entry(owner.key()).or_default().insert(name.0.clone());
        })
    }

    pub fn remove(&self, owner: &Owner, name: &SecretName) -> Result<(), Error> {
        self.update(|m| {
            if let Some(names) = m.get_mut(&owner.key()) {
                names.remove(&name.0);
                if names.is_empty() {
                    m.remove(&owner.key());
                }
            }
        })
    }

    pub fn forget_owner(&self, owner: &Owner) -> Result<(), Error> {
        self.update(|m| {
            m.remove(&owner.key());
        })
    }

    pub fn names(&self, owner: &Owner) -> Result<Vec<SecretName>, Error> {
        let map = self.load()?;
        let mut names: Vec<SecretName> = map
            .get(&owner.key())
            .map(|s| s.iter().filter_map(|n| SecretName::parse(n).ok()).collect())
            .unwrap_or_default();
        names.sort();
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated() {
        assert!(SecretName::parse("anthropic").is_ok());
        assert!(SecretName::parse("snowflake-password_2").is_ok());
        for bad in ["", "Anthropic", "a b", "-x", "a/b", "é", &"x".repeat(65)] {
            assert!(SecretName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn accounts_keep_owners_and_installs_apart() {
        let n = SecretName::parse("anthropic").unwrap();
        let a = account("i1", &Owner::new("acme", "u/1"), &n);
        let b = account("i1", &Owner::new("acme", "u"), &SecretName::parse("1").unwrap());
        assert_ne!(a, b);
        assert_eq!(a, "anthropic:acme/u%2F1@i1");
        assert_ne!(account("i2", &Owner::new("acme", "u/1"), &n), a);
    }
}
