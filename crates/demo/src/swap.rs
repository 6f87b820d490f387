//! Atomic replacement of the warehouse directory: everything is built in a sibling temp dir
//! (`<warehouse_dir>.tmp-<pid>`) and swapped in with renames, so the final name only ever holds a complete
//! warehouse and a failed run keeps the previous one.

use crate::DemoError;
use inda_core::Error;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

fn sibling(dir: &Path, tag: &str) -> Result<PathBuf, Error> {
    let name = dir.file_name().ok_or_else(|| DemoError::WarehouseHasNoName(dir.to_path_buf()))?;
    let mut sib = OsString::from(name);
    sib.push(format!(".{tag}-{}", std::process::id()));
    Ok(dir.with_file_name(sib))
}

fn fs_error(path: &Path, what: &'static str, e: std::io::Error) -> Error {
    DemoError::file(path, what, e).into()
}

/// Creates an empty temp dir next to `warehouse_dir` (and the parent if needed), clearing a leftover of
/// an earlier crashed run with the same pid.
pub(crate) fn prepare_temp(warehouse_dir: &Path) -> Result<PathBuf, Error> {
    let tmp = sibling(warehouse_dir, "tmp")?;
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| fs_error(&tmp, "remove stale", e))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| fs_error(&tmp, "create", e))?;
    Ok(tmp)
}

/// Moves `tmp` to `warehouse_dir`, replacing what was there. Two renames: the old warehouse is moved
/// aside first and only deleted once the new one is in place; if the second rename fails it is put back.
pub(crate) fn swap_in(tmp: &Path, warehouse_dir: &Path) -> Result<(), Error> {
    if fs::symlink_metadata(warehouse_dir).is_err() {
        fs::rename(tmp, warehouse_dir)
            .map_err(|e| fs_error(warehouse_dir, "move the new warehouse to", e))?;
        sync_parent(warehouse_dir);
        return Ok(());
    }
    let old = sibling(warehouse_dir, "old")?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| fs_error(&old, "remove stale", e))?;
    }
    fs::rename(warehouse_dir, &old).map_err(|e| fs_error(warehouse_dir, "move aside", e))?;
    if let Err(e) = fs::rename(tmp, warehouse_dir) {
        let _ = fs::rename(&old, warehouse_dir);
        return Err(fs_error(warehouse_dir, "move the new warehouse to", e));
    }
    sync_parent(warehouse_dir);
    let removed = if old.is_dir() { fs::remove_dir_all(&old) } else { fs::remove_file(&old) };
    if let Err(e) = removed {
        tracing::warn!(path = %old.display(), error = %e, "could not remove the previous demo warehouse");
    }
    Ok(())
}

/// Removes the temp dir of a failed run (best effort: the error that made the run fail matters more).
pub(crate) fn discard(tmp: &Path) {
    if let Err(e) = fs::remove_dir_all(tmp) {
        tracing::warn!(path = %tmp.display(), error = %e, "could not remove the demo temp dir");
    }
}

/// Makes the renames durable where the platform allows syncing a directory (best effort elsewhere).
fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Ok(dir) = fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
}
