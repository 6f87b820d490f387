//! Atomic file replacement: render into a uniquely named temp file beside the target, fsync it, rename it over
//! the target, fsync the directory. A reader (or a crash) sees either the old file or the complete new one.
//! Why the same directory: `rename` is only atomic within one file system.

use inda_core::Error;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Distinguishes temp files of concurrent exports within one process (pid + time alone could repeat).
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Removes the temp file when dropped, unless it was renamed into place; runs on error returns and on unwinding.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the file may already be gone, and a failed cleanup must not hide the real error.
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Runs `render` against a fresh temp file and moves the result to `out`. Returns the bytes written.
/// A panic inside `render` becomes an `internal` error and the temp file is removed.
pub(crate) fn write_atomic(
    out: &Path,
    render: impl FnOnce(&mut File) -> Result<(), Error>,
) -> Result<u64, Error> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| Error::usage(format!("export target '{}' has no file name", out.display())))?;
    if out.is_dir() {
        return Err(Error::usage(format!("export target '{}' is a directory", out.display())));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (mut file, temp_path) =
        create_temp(&dir, &name).map_err(|e| io_error("cannot create a file in", &dir, &e))?;
    let mut guard = TempGuard { path: temp_path, armed: true };

    // The guard removes the temp file on error; on a panic too, since catch_panics returns normally.
    crate::catch_panics("rendering", || render(&mut file))?;
    file.flush().map_err(|e| io_error("cannot write", &guard.path, &e))?;
    file.sync_all().map_err(|e| io_error("cannot flush to disk", &guard.path, &e))?;
    let bytes = file.metadata().map_err(|e| io_error("cannot read back", &guard.path, &e))?.len();
    drop(file);
    fs::rename(&guard.path, out).map_err(|e| io_error("cannot move the export into place at", out, &e))?;
    guard.armed = false;
    sync_dir(&dir);
    Ok(bytes)
}

/// Writes a whole buffer, mapping I/O failures to the boundary error.
pub(crate) fn write_all(file: &mut File, bytes: &[u8]) -> Result<(), Error> {
    file.write_all(bytes).map_err(|e| Error::internal(format!("cannot write the export: {e}")))
}

/// Maps an I/O error to a one-line `internal` error naming the path.
pub(crate) fn io_error(what: &str, path: &Path, e: &io::Error) -> Error {
    Error::internal(format!("{what} '{}': {e}", path.display()))
}

fn create_temp(dir: &Path, name: &str) -> io::Result<(File, PathBuf)> {
    let pid = std::process::id();
    let mut last_err = None;
    for _ in 0..16 {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.tmp-{pid}-{n}-{nanos:x}"));
        // create_new: never reuse (and so never clobber) a file someone else is writing.
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((f, path)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last_err = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_err.unwrap_or_else(|| io::Error::other("no unique temp file name found")))
}

/// Makes the rename itself durable. Best effort: not every platform or file system lets a directory be synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}
