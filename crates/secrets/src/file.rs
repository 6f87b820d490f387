//! The opt-in fallback for machines with no keyring at all: one JSON file, readable by its owner only,
//! rewritten atomically.

use crate::SecretsError;
use inda_core::Secret;
use std::collections::BTreeMap;
use std::path::Path;

fn load(path: &Path) -> Result<BTreeMap<String, String>, SecretsError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            // The parse error could quote the file's contents: say only that it is damaged.
            .map_err(|_| SecretsError::FileDamaged { path: path.to_path_buf() }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(SecretsError::Read { path: path.to_path_buf(), source }),
    }
}

pub fn get(path: &Path, account: &str) -> Result<Option<Secret>, SecretsError> {
    Ok(load(path)?.remove(account).map(Secret::new))
}

/// Sets or (with `None`) removes one value; returns whether a value was there before.
pub fn set(path: &Path, account: &str, value: Option<&Secret>) -> Result<bool, SecretsError> {
    let mut map = load(path)?;
    let existed = match value {
        Some(v) => map.insert(account.to_string(), v.expose().clone()).is_some(),
        None => map.remove(account).is_some(),
    };
    let text = serde_json::to_string(&map).map_err(SecretsError::Serialize)?;
    // Atomic, and 0600 from the start (never briefly world-readable).
    inda_core::fs::write_private(path, text.as_bytes())?;
    Ok(existed)
}
