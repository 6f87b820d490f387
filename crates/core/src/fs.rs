//! Atomic file writes: the one way the crates replace a file (the config, the sign-in pointer, keys, the
//! secrets fallback file, exports, the sync's manifests and Parquet files, n8n workflows); and who may read
//! what the app keeps in its data dir: files there are owner-only ([`Perms::Private`], [`create_private`],
//! [`make_private`]).
//!
//! The protocol: write into a uniquely named temp file beside the target (`.<name>.tmp-<random>`, created with
//! `create_new`, so it never clobbers anyone's file), fsync it, rename it over the target, then fsync the
//! directory on Unix so that the rename itself survives a crash. A reader, or a crash, sees the old file or the
//! complete new one, never half of one. The temp file is removed on every error and on a panic. Beside the
//! target because `rename` is only atomic within one file system.

use crate::Error;
use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::Path;

/// Who may read a file written here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perms {
    /// As `std::fs::write` creates files (0666 less the umask on Unix).
    Default,
    /// The owner only (0600 on Unix), from the moment the file exists: never briefly readable by others.
    Private,
}

/// Writes `bytes` to `path` atomically, replacing what was there.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_with(path, |file| write_all(path, file, bytes))
}

/// [`write_atomic`] for a file readable by its owner only ([`Perms::Private`]).
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write(path, Perms::Private, true, |file| write_all(path, file, bytes)).map(|_| ())
}

/// [`write_atomic_with`] for a file readable by its owner only ([`Perms::Private`]).
pub fn write_private_with<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, Error>,
) -> Result<T, Error> {
    self::write(path, Perms::Private, true, write)?
        .ok_or_else(|| Error::internal(format!("cannot write {}", path.display())))
}

/// [`write_atomic`] for a streaming writer: `write` fills the temp file (and flushes any buffer it puts in
/// front of it); its error, or its panic, leaves `path` untouched and no temp file behind. Returns what `write`
/// returned.
pub fn write_atomic_with<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, Error>,
) -> Result<T, Error> {
    self::write(path, Perms::Default, true, write)?
        .ok_or_else(|| Error::internal(format!("cannot write {}", path.display())))
}

/// [`write_private_with`] unless `path` exists: the first of several racing writers wins and the others keep
/// its file, so a reader that opened it never sees it replaced under it. Returns what `write` returned, or
/// `None` when the file was there.
pub fn create_new_private_with<T>(
    path: &Path,
    write: impl FnOnce(&mut File) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    self::write(path, Perms::Private, false, write)
}

/// Creates `path` atomically with `bytes` unless it exists: the first of several racing writers wins and the
/// others keep its file. Returns whether this call created it.
pub fn create_new(path: &Path, bytes: &[u8], perms: Perms) -> Result<bool, Error> {
    Ok(write(path, perms, false, |file| write_all(path, file, bytes))?.is_some())
}

/// `File::create` for a file readable by its owner only: created 0600 on Unix, and a file that was already
/// there loses any access of group and others before a byte is written. For files written in place (a
/// temp dir swapped in whole, pages published by a later manifest), where [`write_private`] is not needed.
/// The caller names the path in its own error.
pub fn create_private(path: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    // `mode` applies to new files only.
    #[cfg(unix)]
    if is_shared(&file.metadata()?) {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Creates the folder `path` owner-only (0700 on Unix) unless it exists; its parent must exist.
pub fn create_private_dir(path: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::internal(format!("cannot create {}: {e}", path.display()))),
    }
}

/// Whether anyone but the owner may read, write or enter it: any permission bit of group or others on Unix.
/// Never elsewhere, where a user's files are kept private by their profile folder's access list.
pub fn is_shared(meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & 0o077 != 0
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// The permission bits as `ls` and `chmod` write them (`0644`); `None` off Unix.
pub fn mode_text(meta: &std::fs::Metadata) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(format!("{:04o}", meta.permissions().mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Makes `path` owner-only (0600 for a file, 0700 for a folder) when group or others have any access;
/// returns whether it changed anything. A missing path, a symbolic link (whose target may be anyone's) and
/// any path off Unix are left alone.
pub fn make_private(path: &Path) -> Result<bool, Error> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::internal(format!("cannot read {}: {e}", path.display()))),
    };
    if meta.file_type().is_symlink() || !is_shared(&meta) {
        return Ok(false);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::internal(format!("cannot make {} owner-only: {e}", path.display())))?;
    }
    Ok(true)
}

fn write_all(path: &Path, file: &mut File, bytes: &[u8]) -> Result<(), Error> {
    file.write_all(bytes).map_err(|e| failed(path, "writing", &e))
}

fn failed(path: &Path, step: &str, e: &std::io::Error) -> Error {
    Error::internal(format!("cannot write {} ({step}): {e}", path.display()))
}

/// The protocol; `None` when `replace` is off and `path` already exists.
fn write<T>(
    path: &Path,
    perms: Perms,
    replace: bool,
    write: impl FnOnce(&mut File) -> Result<T, Error>,
) -> Result<Option<T>, Error> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::internal(format!("cannot write {}: the path names no file", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".tmp-");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match perms {
            Perms::Default => 0o666,
            Perms::Private => 0o600,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = perms;
    // Dropping `temp` (an error return below, or unwinding out of `write`) removes the temp file.
    let mut temp = builder
        .tempfile_in(dir)
        .map_err(|e| failed(path, &format!("creating a temp file in {}", dir.display()), &e))?;
    let value = write(temp.as_file_mut())?;
    temp.as_file().sync_all().map_err(|e| failed(path, "syncing it to disk", &e))?;
    let persisted = if replace { temp.persist(path) } else { temp.persist_noclobber(path) };
    match persisted {
        Ok(_) => {}
        // The temp file inside the error is dropped, and so removed, here.
        Err(e) if !replace && e.error.kind() == std::io::ErrorKind::AlreadyExists => return Ok(None),
        Err(e) => return Err(failed(path, "moving it into place", &e.error)),
    }
    sync_dir(dir);
    Ok(Some(value))
}

/// Makes the rename durable. Best effort: not every platform or file system lets a directory be synced.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn temp_files(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp-"))
            .collect()
    }

    #[test]
    fn writes_the_content_and_replaces_the_old_file_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.toml");
        write_atomic(&path, b"old").expect("first write");
        assert_eq!(std::fs::read(&path).expect("read"), b"old");

        // A reader that opened the old file keeps reading the old file: the new one was renamed over it, not
        // written into it.
        let mut reader = File::open(&path).expect("open");
        write_atomic(&path, b"new and longer").expect("second write");
        let mut seen = String::new();
        reader.read_to_string(&mut seen).expect("read old");
        assert_eq!(seen, "old");
        assert_eq!(std::fs::read(&path).expect("read"), b"new and longer");
        assert!(temp_files(dir.path()).is_empty());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        write_atomic(&path, b"kept").expect("write");
        let err = write_atomic_with(&path, |file| {
            file.write_all(b"half").expect("write");
            Err::<(), _>(Error::internal("renderer failed"))
        })
        .expect_err("the writer's error");
        assert_eq!(err.message, "renderer failed");
        assert_eq!(std::fs::read(&path).expect("read"), b"kept");
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));

        let panicked = std::panic::catch_unwind(|| {
            let _ = write_atomic_with(&path, |file| -> Result<(), Error> {
                file.write_all(b"half").expect("write");
                panic!("renderer bug")
            });
        });
        assert!(panicked.is_err());
        assert_eq!(std::fs::read(&path).expect("read"), b"kept");
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
    }

    #[test]
    fn errors_name_the_path_and_the_step() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("missing").join("file.json");
        let err = write_atomic(&path, b"x").expect_err("no such directory");
        assert!(err.message.contains(&path.display().to_string()), "{}", err.message);
        assert!(err.message.contains("creating a temp file"), "{}", err.message);

        // A directory in the way: the rename fails and the temp file goes.
        let path = dir.path().join("taken");
        std::fs::create_dir(&path).expect("mkdir");
        let err = write_atomic(&path, b"x").expect_err("a directory");
        assert!(err.message.contains("moving it into place"), "{}", err.message);
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
    }

    #[test]
    fn streaming_writes_return_what_the_writer_returned() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("data.parquet");
        let n = write_atomic_with(&path, |file| {
            let mut w = std::io::BufWriter::new(file);
            w.write_all(b"abc").and_then(|()| w.flush()).map_err(|e| Error::internal(e.to_string()))?;
            Ok(3)
        })
        .expect("write");
        assert_eq!(n, 3);
        assert_eq!(std::fs::read(&path).expect("read"), b"abc");
    }

    #[test]
    fn create_new_keeps_the_first_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("install-id");
        assert!(create_new(&path, b"first", Perms::Default).expect("create"));
        assert!(!create_new(&path, b"second", Perms::Private).expect("exists"));
        assert_eq!(std::fs::read(&path).expect("read"), b"first");
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
        // The streaming form: a second writer's bytes never replace the first's.
        let streamed = dir.path().join("rollup.parquet");
        let put =
            |bytes: &'static [u8]| create_new_private_with(&streamed, |f| write_all(&streamed, f, bytes));
        assert_eq!(put(b"first").expect("create"), Some(()));
        assert_eq!(put(b"second").expect("exists"), None);
        assert_eq!(std::fs::read(&streamed).expect("read"), b"first");
        assert!(temp_files(dir.path()).is_empty(), "{:?}", temp_files(dir.path()));
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only_and_others_as_fs_write_makes_them() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;

        let private = dir.path().join("secrets.json");
        write_private(&private, b"{}").expect("write");
        assert_eq!(mode(&private), 0o600);
        let key = dir.path().join("key.pem");
        assert!(create_new(&key, b"k", Perms::Private).expect("create"));
        assert_eq!(mode(&key), 0o600);

        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").expect("write");
        let atomic = dir.path().join("atomic");
        write_atomic(&atomic, b"x").expect("write");
        assert_eq!(mode(&atomic), mode(&plain));

        let streamed = dir.path().join("page.parquet");
        write_private_with(&streamed, |file| {
            file.write_all(b"PAR1").map_err(|e| Error::internal(e.to_string()))
        })
        .expect("write");
        assert_eq!(mode(&streamed), 0o600);
        let created = dir.path().join("data.parquet");
        create_private(&created).expect("create").write_all(b"PAR1").expect("write");
        assert_eq!(mode(&created), 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn files_already_there_are_made_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mode = |p: &Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
        let chmod = |p: &Path, m: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod")
        };

        // Truncating an old world-readable file must not leave it readable while new bytes go in.
        let old = dir.path().join("data.parquet");
        std::fs::write(&old, b"old rows").expect("write");
        chmod(&old, 0o644);
        create_private(&old).expect("create").write_all(b"new").expect("write");
        assert_eq!((mode(&old), std::fs::read(&old).expect("read")), (0o600, b"new".to_vec()));

        let file = dir.path().join("config.toml");
        std::fs::write(&file, b"x").expect("write");
        chmod(&file, 0o644);
        let folder = dir.path().join("keys");
        std::fs::create_dir(&folder).expect("mkdir");
        chmod(&folder, 0o755);
        assert!(is_shared(&std::fs::metadata(&file).expect("metadata")));
        assert_eq!(mode_text(&std::fs::metadata(&file).expect("metadata")).as_deref(), Some("0644"));
        assert!(make_private(&file).expect("file"));
        assert!(make_private(&folder).expect("folder"));
        assert_eq!((mode(&file), mode(&folder)), (0o600, 0o700));
        assert!(!make_private(&file).expect("again"), "already owner-only: nothing to change");
        assert!(!make_private(&dir.path().join("missing")).expect("missing"));
        let created = dir.path().join("created");
        create_private_dir(&created).expect("mkdir");
        create_private_dir(&created).expect("already there");
        assert_eq!(mode(&created), 0o700);

        // A link is not followed: its target may be someone else's file.
        let target = dir.path().join("target");
        std::fs::write(&target, b"x").expect("write");
        chmod(&target, 0o644);
        std::os::unix::fs::symlink(&target, dir.path().join("link")).expect("symlink");
        assert!(!make_private(&dir.path().join("link")).expect("link"));
        assert_eq!(mode(&target), 0o644);
    }
}
