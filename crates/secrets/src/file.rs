//! The opt-in fallback for machines with no keyring at all: one JSON file, readable by its owner only,
//! rewritten atomically.

use inda_core::{Error, Secret};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

fn load(path: &Path) -> Result<BTreeMap<String, String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            // The parse error could quote the file's contents: say only that it is damaged.
            .map_err(|_| Error::internal(format!("{} is damaged", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(Error::internal(format!("cannot read {}: {e}", path.display()))),
    }
}

pub fn get(path: &Path, account: &str) -> Result<Option<Secret>, Error> {
    Ok(load(path)?.remove(account).map(Secret::new))
}

/// Sets or (with `None`) removes one value; returns whether a value was there before.
pub fn set(path: &Path, account: &str, value: Option<&Secret>) -> Result<bool, Error> {
    let mut map = load(path)?;
    let existed = match value {
        Some(v) => map.insert(account.to_string(), v.expose().clone()).is_some(),
        None => map.remove(account).is_some(),
    };
    let text = serde_json::to_string(&map).map_err(|e| Error::internal(e.to_string()))?;
    write_private(path, text.as_bytes())?;
    Ok(existed)
}

/// Writes `bytes` to `path` atomically, created 0600 from the start (never briefly world-readable).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("secrets"),
        uuid::Uuid::new_v4().simple()
    ));
    let fail = |e: std::io::Error| Error::internal(format!("cannot write {}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(fail)?;
    let written = file.write_all(bytes).and_then(|_| file.sync_all());
    drop(file);
    if let Err(e) = written.and_then(|_| std::fs::rename(&tmp, path)) {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}
