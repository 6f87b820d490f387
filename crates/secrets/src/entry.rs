//! How entries are named: an owner (tenant and user), a secret's name, and the installation they belong to;
//! plus the names index that sign-out walks.

use crate::SecretsError;
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
    /// The verified session's tenant (`[a-z0-9_]`).
    pub tenant_id: String,
    /// The verified session's user within the tenant; any characters (escaped in the keyring account).
    pub user_id: String,
}

impl Owner {
    /// An owner from a verified session's ids; checks neither, since the token's validation already did.
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

    /// Checks `name` against the rules above (and that it starts with a letter or digit); a
    /// [`SecretsError::InvalidName`] otherwise.
    pub fn parse(name: &str) -> Result<SecretName, SecretsError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
            && name.as_bytes()[0].is_ascii_alphanumeric();
        if ok {
            Ok(SecretName(name.to_string()))
        } else {
            Err(SecretsError::InvalidName { name: name.chars().take(80).collect() })
        }
    }

    /// The name as it appears in the keyring entry, the names index and `inda secret` commands.
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
pub fn install_id(data_dir: &Path) -> Result<String, SecretsError> {
    let path = data_dir.join("install-id");
    if let Ok(id) = std::fs::read_to_string(&path) {
        let id = id.trim();
        if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Ok(id.to_string());
        }
    }
    std::fs::create_dir_all(data_dir)
        .map_err(|source| SecretsError::CreateDir { path: data_dir.to_path_buf(), source })?;
    let id = uuid::Uuid::new_v4().simple().to_string()[..12].to_string();
    // Created, never replaced: a racing process either wins (and we read its id) or loses to ours.
    // Owner-only like every file of the data dir, though not a secret.
    if inda_core::fs::create_new(&path, id.as_bytes(), inda_core::fs::Perms::Private)? {
        return Ok(id);
    }
    std::fs::read_to_string(&path)
        .map(|s| s.trim().to_string())
        .map_err(|source| SecretsError::Read { path, source })
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

    fn load(&self) -> Result<BTreeMap<String, BTreeSet<String>>, SecretsError> {
        let Some(path) = &self.path else {
            return self.memory.lock().map(|m| m.clone()).map_err(|_| SecretsError::IndexPoisoned);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|source| SecretsError::IndexDamaged { path: path.clone(), source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(source) => Err(SecretsError::Read { path: path.clone(), source }),
        }
    }

    fn save(&self, map: &BTreeMap<String, BTreeSet<String>>) -> Result<(), SecretsError> {
        let Some(path) = &self.path else {
            *self.memory.lock().map_err(|_| SecretsError::IndexPoisoned)? = map.clone();
            return Ok(());
        };
        let text = serde_json::to_string_pretty(map).map_err(SecretsError::Serialize)?;
        Ok(inda_core::fs::write_private(path, text.as_bytes())?)
    }

    fn update(&self, f: impl FnOnce(&mut BTreeMap<String, BTreeSet<String>>)) -> Result<(), SecretsError> {
        let mut map = self.load()?;
        f(&mut map);
        self.save(&map)
    }

    pub fn add(&self, owner: &Owner, name: &SecretName) -> Result<(), SecretsError> {
        self.update(|m| {
            m.entry(owner.key()).or_default().insert(name.0.clone());
        })
    }

    pub fn remove(&self, owner: &Owner, name: &SecretName) -> Result<(), SecretsError> {
        self.update(|m| {
            if let Some(names) = m.get_mut(&owner.key()) {
                names.remove(&name.0);
                if names.is_empty() {
                    m.remove(&owner.key());
                }
            }
        })
    }

    pub fn forget_owner(&self, owner: &Owner) -> Result<(), SecretsError> {
        self.update(|m| {
            m.remove(&owner.key());
        })
    }

    pub fn names(&self, owner: &Owner) -> Result<Vec<SecretName>, SecretsError> {
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
