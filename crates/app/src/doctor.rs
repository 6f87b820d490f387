//! `inda doctor`: is what this installation keeps on the laptop private and usable? It looks at the data dir
//! and its permissions, every file under it that group or others could read, the config, where secrets go,
//! the warehouse's data, the local store's schema against this build's, and the free disk space. Each check
//! says `ok`, `warn` or `problem` in one line; with `--fix` it first makes the data dir owner-only again.
//!
//! Not here: contacting a warehouse (`inda warehouse test` signs in to Snowflake and queries the marts),
//! repairing anything but permissions, or printing. It needs no [`App`](crate::App): a data dir whose config
//! cannot be read, or whose store is too new to open, is exactly what it must still describe.

use crate::config::{Config, SecretsFallback, WarehouseKind};
use crate::data_dir::DataDir;
use inda_core::{ByteSize, Error};
use inda_secrets::{Availability, Fallback, Keyring};
use inda_warehouse::encryption::{ParquetKind, parquet_kind};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// How many exposed files a report names; the count says how many there are in all.
const MAX_LISTED: usize = 10;
/// Below this much free space writes start failing (the store, a sync's pages): a problem.
const DISK_PROBLEM: ByteSize = ByteSize(100 << 20);
/// Below this, a sync or a larger demo may not fit: a warning.
const DISK_WARN: ByteSize = ByteSize(1 << 30);
/// What to run when permissions are too open.
const FIX_HINT: &str = "run `inda doctor --fix`";

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Nothing to do.
    Ok,
    /// Works, but worth knowing (no data yet, secrets in a file, little disk left).
    Warn,
    /// Something is exposed or broken: `inda doctor` exits 5.
    Problem,
}

/// What is checked, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Checkup {
    /// The folder: there, the user's, owner-only (0700).
    DataDir,
    /// Every file under it: none readable by group or others.
    Files,
    /// `config.toml` can be read.
    Config,
    /// Where secrets go: the OS keyring, the opt-in file, or nowhere.
    Keyring,
    /// The configured engine and, for the embedded one, its Parquet marts.
    Warehouse,
    /// The local store's schema version against this build's.
    Store,
    /// Free space on the data dir's file system.
    DiskSpace,
}

impl Checkup {
    /// The snake-case name, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Checkup::DataDir => "data_dir",
            Checkup::Files => "files",
            Checkup::Config => "config",
            Checkup::Keyring => "keyring",
            Checkup::Warehouse => "warehouse",
            Checkup::Store => "store",
            Checkup::DiskSpace => "disk_space",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// Which check.
    pub check: Checkup,
    /// Its outcome.
    pub status: Health,
    /// One line in English: what was found and, when something is wrong, what to do.
    pub message: String,
    /// What the message is about, when it is a list (the exposed files, at most `MAX_LISTED`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

impl Finding {
    fn new(check: Checkup, status: Health, message: impl Into<String>) -> Finding {
        Finding { check, status, message: message.into(), items: Vec::new() }
    }
}

/// What `inda doctor` prints.
#[derive(Debug, Clone, Serialize)]
pub struct DoctorReport {
    /// This build's version.
    pub version: &'static str,
    /// The data dir examined.
    pub data_dir: PathBuf,
    /// Whether no check found a problem (warnings allowed).
    pub ok: bool,
    /// With `--fix`: how many files and folders were made owner-only before the checks ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<usize>,
    /// With `--fix`: how many plain Parquet files of the embedded warehouse were rewritten encrypted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sealed: Option<usize>,
    /// Each check, in [`Checkup`] order.
    pub checks: Vec<Finding>,
}

impl DoctorReport {
    /// An `engine` error (exit 5) naming the checks with a problem, or `Ok` when none has one.
    pub fn verdict(&self) -> Result<(), Error> {
        let problems: Vec<&str> =
            self.checks.iter().filter(|c| c.status == Health::Problem).map(|c| c.check.as_str()).collect();
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::engine(format!("inda doctor found problems: {}", problems.join(", "))))
    }
}

/// What `inda doctor` may do besides looking.
#[derive(Debug, Clone, Copy, Default)]
pub struct DoctorOptions {
    /// Make the data dir, its folders and files owner-only first (0700, 0600), the user's own files
    /// (`semantic.yaml`) apart.
    pub fix: bool,
}

/// Examines the data dir at `dir`. Never fails itself: whatever cannot be read is a check's problem.
pub fn doctor(dir: &DataDir, opts: DoctorOptions) -> DoctorReport {
    let fixed = opts.fix.then(|| fix(dir));
    let config = Config::load(dir);
    let sealed = match (&config, opts.fix) {
        (Ok(config), true) => Some(seal(dir, config)),
        _ => None,
    };
    let checks = vec![
        data_dir(dir),
        files(dir),
        config_check(dir, &config),
        keyring(dir, config.as_ref().ok()),
        warehouse(dir, config.as_ref().ok()),
        store(dir),
        disk_space(dir.root()),
    ];
    let ok = checks.iter().all(|c| c.status != Health::Problem);
    let data_dir = dir.root().to_path_buf();
    DoctorReport { version: env!("CARGO_PKG_VERSION"), data_dir, ok, fixed, sealed, checks }
}

/// Makes every folder and file under the data dir owner-only; returns how many changed. A path that cannot
/// be changed stays as it is, and the checks that follow report it.
fn fix(dir: &DataDir) -> usize {
    if !dir.root().is_dir() {
        return 0;
    }
    let tree = walk(dir);
    // A data dir that is a link is the folder it leads to (links inside it are not followed).
    let root = std::fs::canonicalize(dir.root()).unwrap_or_else(|_| dir.root().to_path_buf());
    let paths = std::iter::once(root).chain(tree.shared_dirs).chain(tree.shared_files);
    paths.filter(|p| inda_core::fs::make_private(p).unwrap_or(false)).count()
}

/// Rewrites the embedded warehouse's plain Parquet files (marts, staging, raw) encrypted with the warehouse
/// key. A file that cannot be sealed stays as it is, and the warehouse check still reports it.
fn seal(dir: &DataDir, config: &Config) -> usize {
    let warehouse = dir.warehouse();
    if config.warehouse.kind != WarehouseKind::Embedded || !warehouse.is_dir() {
        return 0;
    }
    let key = match crate::data_keys::Keys::new(dir.root().to_path_buf(), config)
        .get(inda_secrets::DataKey::Warehouse)
    {
        Ok(key) => key,
        Err(e) => {
            tracing::warn!("cannot encrypt the warehouse: {}", e.message);
            return 0;
        }
    };
    let mut sealed = 0;
    for layer in ["marts", "staging", "raw"] {
        for path in parquet_files(&warehouse.join(layer)) {
            if matches!(parquet_kind(&path), Some(ParquetKind::Plain)) {
                match inda_warehouse::encryption::seal_file(&path, &key) {
                    Ok(true) => sealed += 1,
                    Ok(false) => {}
                    Err(e) => tracing::warn!("{}", e.message),
                }
            }
        }
    }
    sealed
}

/// Every `*.parquet` under `root` (links not followed).
fn parquet_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let Ok(kind) = entry.file_type() else { continue };
            let path = entry.path();
            if kind.is_dir() {
                todo.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|x| x == "parquet") {
                found.push(path);
            }
        }
    }
    found
}

fn data_dir(dir: &DataDir) -> Finding {
    let root = dir.root();
    let meta = match std::fs::metadata(root) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = format!("{} does not exist yet: the first command creates it", root.display());
            return Finding::new(Checkup::DataDir, Health::Warn, why);
        }
        Err(e) => {
            return Finding::new(
                Checkup::DataDir,
                Health::Problem,
                format!("cannot read {}: {e}", root.display()),
            );
        }
    };
    if !meta.is_dir() {
        return Finding::new(
            Checkup::DataDir,
            Health::Problem,
            format!("{} is not a folder", root.display()),
        );
    }
    if let Err(e) = dir.check_owned() {
        return Finding::new(Checkup::DataDir, Health::Problem, e.message);
    }
    let mode = inda_core::fs::mode_text(&meta).map(|m| format!(" ({m})")).unwrap_or_default();
    if inda_core::fs::is_shared(&meta) {
        let why = format!("{} is open to group or others{mode}: {FIX_HINT}", root.display());
        return Finding::new(Checkup::DataDir, Health::Problem, why);
    }
    Finding::new(Checkup::DataDir, Health::Ok, format!("{} is owner-only{mode}", root.display()))
}

fn files(dir: &DataDir) -> Finding {
    if !dir.root().is_dir() {
        return Finding::new(Checkup::Files, Health::Ok, "no files yet");
    }
    let tree = walk(dir);
    let mut items: Vec<String> =
        tree.unreadable.iter().map(|p| format!("{} (cannot be read)", relative(dir, p))).collect();
    for path in &tree.shared_files {
        let mode = std::fs::symlink_metadata(path).ok().and_then(|m| inda_core::fs::mode_text(&m));
        items.push(format!("{} ({})", relative(dir, path), mode.unwrap_or_default()));
    }
    let exposed = tree.shared_files.len();
    let mut finding = match (exposed, tree.unreadable.len()) {
        (0, 0) => {
            let why = format!("none of its {} files is open to group or others", tree.files);
            return Finding::new(Checkup::Files, Health::Ok, why);
        }
        (0, n) => Finding::new(
            Checkup::Files,
            Health::Problem,
            format!("{n} folders cannot be read by their owner"),
        ),
        (n, _) => {
            let why = format!("{n} of its {} files are open to group or others: {FIX_HINT}", tree.files);
            Finding::new(Checkup::Files, Health::Problem, why)
        }
    };
    items.truncate(MAX_LISTED);
    finding.items = items;
    finding
}

/// `path` as the user finds it under the data dir.
fn relative(dir: &DataDir, path: &Path) -> String {
    path.strip_prefix(dir.root()).unwrap_or(path).display().to_string()
}

/// What a walk over the data dir found (links are not followed).
#[derive(Default)]
struct Tree {
    /// Regular files seen, the user's own apart.
    files: usize,
    /// Those of them group or others may access, sorted.
    shared_files: Vec<PathBuf>,
    /// Folders below the data dir group or others may access.
    shared_dirs: Vec<PathBuf>,
    /// Folders that could not be listed.
    unreadable: Vec<PathBuf>,
}

fn walk(dir: &DataDir) -> Tree {
    let mut tree = Tree::default();
    let mut pending = vec![dir.root().to_path_buf()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            tree.unreadable.push(folder);
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // `DirEntry::metadata` does not follow links: a link is neither a folder nor a file here.
            let Ok(meta) = entry.metadata() else { continue };
            let shared = inda_core::fs::is_shared(&meta);
            if meta.is_dir() {
                if shared {
                    tree.shared_dirs.push(path.clone());
                }
                pending.push(path);
            } else if meta.is_file() && !dir.is_user_file(&path) {
                tree.files += 1;
                if shared {
                    tree.shared_files.push(path);
                }
            }
        }
    }
    tree.shared_files.sort();
    tree
}

fn config_check(dir: &DataDir, config: &Result<Config, Error>) -> Finding {
    match config {
        Err(e) => Finding::new(Checkup::Config, Health::Problem, e.message.clone()),
        Ok(_) if !dir.config().exists() => {
            Finding::new(Checkup::Config, Health::Ok, "no config.toml: the defaults (embedded warehouse)")
        }
        Ok(_) => Finding::new(Checkup::Config, Health::Ok, "config.toml is valid"),
    }
}

fn keyring(dir: &DataDir, config: Option<&Config>) -> Finding {
    let fallback = match config.map(|c| c.secrets.fallback).unwrap_or_default() {
        SecretsFallback::Refuse => Fallback::Refuse,
        SecretsFallback::File => Fallback::File,
    };
    let loose = loose_keys(dir);
    match Keyring::probe(fallback) {
        Availability::Os(name) if loose.is_empty() => Finding::new(
            Checkup::Keyring,
            Health::Ok,
            format!("secrets and the data keys (cache, warehouse) are kept in the OS keyring ({name})"),
        ),
        Availability::Os(name) => {
            let why = format!(
                "the OS keyring ({name}) answers, but data keys are still in keys/: they move there on next use"
            );
            let mut finding = Finding::new(Checkup::Keyring, Health::Warn, why);
            finding.items = loose;
            finding
        }
        Availability::File(why) => Finding::new(
            Checkup::Keyring,
            Health::Warn,
            format!(
                "secrets and the data keys are kept in secrets.json in the data dir (0600) because {why}; an OS keyring is safer"
            ),
        ),
        Availability::Unavailable(why) => Finding::new(
            Checkup::Keyring,
            Health::Warn,
            format!(
                "no keyring: {why}. The data keys (cache, warehouse) are kept in keys/ next to the data they protect; \
                 signing in and stored secrets need a keyring (or `[secrets] fallback = \"file\"`); --token works without"
            ),
        ),
    }
}

/// Data keys still in the data dir (`keys/*.key`), by name.
fn loose_keys(dir: &DataDir) -> Vec<String> {
    let entries = std::fs::read_dir(dir.root().join("keys")).into_iter().flatten().flatten();
    let mut keys: Vec<String> = entries
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".key"))
        .map(|n| format!("keys/{n}"))
        .collect();
    keys.sort();
    keys
}

fn warehouse(dir: &DataDir, config: Option<&Config>) -> Finding {
    let Some(config) = config else {
        return Finding::new(Checkup::Warehouse, Health::Warn, "not checked: config.toml cannot be read");
    };
    match config.warehouse.kind {
        WarehouseKind::Embedded => embedded(&dir.warehouse()),
        WarehouseKind::Snowflake => snowflake(dir, config),
    }
}

/// The profile only: signing in costs a round trip and a credential, which `inda warehouse test` spends.
fn snowflake(dir: &DataDir, config: &Config) -> Finding {
    let profile = config.warehouse.snowflake_profile().and_then(|(name, p)| {
        crate::config::snowflake_warehouse(dir, config)?;
        Ok(format!("profile `{name}` (account {}, database {})", p.account, p.database))
    });
    match profile {
        Ok(what) => Finding::new(
            Checkup::Warehouse,
            Health::Ok,
            format!(
                "snowflake, {what}: configured, not contacted (`inda warehouse test` signs in and checks the marts)"
            ),
        ),
        Err(e) => Finding::new(Checkup::Warehouse, Health::Problem, format!("snowflake: {}", e.message)),
    }
}

/// The marts of the embedded engine: every table present, every Parquet file readable as Parquet.
fn embedded(root: &Path) -> Finding {
    let marts = root.join("marts");
    if !marts.is_dir() {
        return Finding::new(
            Checkup::Warehouse,
            Health::Warn,
            "embedded: no data yet: run `inda demo init` or `inda sync`",
        );
    }
    let scan = scan_marts(&marts);
    if !scan.missing.is_empty() {
        let why = format!(
            "embedded: marts without data: {} (run `inda demo init` or `inda sync`)",
            scan.missing.join(", ")
        );
        return Finding::new(Checkup::Warehouse, Health::Problem, why);
    }
    if !scan.plain.is_empty() && scan.damaged.is_empty() {
        let why = format!(
            "embedded: {} of {} Parquet files are not encrypted (written before encryption at rest): \
             `inda doctor --fix` rewrites them sealed",
            scan.plain.len(),
            scan.files
        );
        let mut finding = Finding::new(Checkup::Warehouse, Health::Warn, why);
        finding.items = listed(root, &scan.plain);
        return finding;
    }
    if !scan.damaged.is_empty() {
        let why = format!(
            "embedded: {} Parquet files cannot be read (run `inda demo init` or `inda sync` again)",
            scan.damaged.len()
        );
        let mut finding = Finding::new(Checkup::Warehouse, Health::Problem, why);
        finding.items = listed(root, &scan.damaged);
        return finding;
    }
    let tenants = match scan.tenants.len() {
        1 => "1 tenant".to_string(),
        n => format!("{n} tenants"),
    };
    let why = format!(
        "embedded: {} marts in {} encrypted Parquet files, {tenants}",
        inda_core::marts::names().count(),
        scan.files
    );
    Finding::new(Checkup::Warehouse, Health::Ok, why)
}

/// What the marts folder holds: `marts/<table>/<tenant>/*.parquet`.
#[derive(Default)]
struct Marts {
    files: usize,
    tenants: BTreeSet<String>,
    /// Tables with no Parquet file at all.
    missing: Vec<&'static str>,
    /// Files that cannot be opened or do not look like Parquet.
    damaged: Vec<PathBuf>,
    /// Parquet files not encrypted.
    plain: Vec<PathBuf>,
}

/// At most [`MAX_LISTED`] of `paths`, relative to `root`.
fn listed(root: &Path, paths: &[PathBuf]) -> Vec<String> {
    paths.iter().take(MAX_LISTED).map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string()).collect()
}

fn scan_marts(marts: &Path) -> Marts {
    let mut scan = Marts::default();
    for table in inda_core::marts::names() {
        let before = scan.files;
        for tenant_dir in subfolders(&marts.join(table)) {
            let files = std::fs::read_dir(&tenant_dir).into_iter().flatten().flatten().map(|e| e.path());
            let parquet: Vec<PathBuf> =
                files.filter(|p| p.extension().is_some_and(|x| x == "parquet")).collect();
            if let (false, Some(name)) = (parquet.is_empty(), tenant_dir.file_name()) {
                scan.tenants.insert(name.to_string_lossy().into_owned());
            }
            scan.files += parquet.len();
            for p in parquet {
                match parquet_kind(&p) {
                    Some(ParquetKind::Sealed) => {}
                    Some(ParquetKind::Plain) => scan.plain.push(p),
                    None => scan.damaged.push(p),
                }
            }
        }
        if scan.files == before {
            scan.missing.push(table);
        }
    }
    scan
}

fn subfolders(path: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(path).into_iter().flatten().flatten();
    entries.filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect()
}

fn store(dir: &DataDir) -> Finding {
    let expected = inda_store::Store::latest_schema_version();
    match inda_store::Store::schema_version_at(&dir.store()) {
        Ok(None) => Finding::new(
            Checkup::Store,
            Health::Ok,
            format!("no store yet: created at schema version {expected} on first use"),
        ),
        Ok(Some(v)) if v == expected => {
            Finding::new(Checkup::Store, Health::Ok, format!("schema version {v}, as this app expects"))
        }
        Ok(Some(v)) if v < expected => Finding::new(
            Checkup::Store,
            Health::Ok,
            format!("schema version {v}: this app migrates it to {expected} when it next opens it"),
        ),
        Ok(Some(v)) => Finding::new(
            Checkup::Store,
            Health::Problem,
            format!(
                "store.sqlite is at schema version {v}, newer than this app's {expected}: update the app"
            ),
        ),
        Err(e) => {
            Finding::new(Checkup::Store, Health::Problem, format!("cannot read the store: {}", e.message))
        }
    }
}

fn disk_space(root: &Path) -> Finding {
    let (free, total) = match free_space(root) {
        Ok(Some(space)) => space,
        Ok(None) => return Finding::new(Checkup::DiskSpace, Health::Warn, "not measured on this system"),
        Err(e) => return Finding::new(Checkup::DiskSpace, Health::Warn, format!("not measured: {e}")),
    };
    let status = match free {
        f if f < DISK_PROBLEM => Health::Problem,
        f if f < DISK_WARN => Health::Warn,
        _ => Health::Ok,
    };
    let advice = if status == Health::Ok { "" } else { ": free some space before a sync or a demo init" };
    Finding::new(Checkup::DiskSpace, status, format!("{free} free of {total}{advice}"))
}

/// Free space for an unprivileged user, and the size, of the file system holding `path` (or, when it does
/// not exist yet, its nearest existing parent); `None` where it is not measured.
fn free_space(path: &Path) -> std::io::Result<Option<(ByteSize, ByteSize)>> {
    let existing = path.ancestors().find(|p| p.exists()).unwrap_or(path);
    #[cfg(unix)]
    {
        let s = rustix::fs::statvfs(existing)?;
        Ok(Some((
            ByteSize(s.f_bavail.saturating_mul(s.f_frsize)),
            ByteSize(s.f_blocks.saturating_mul(s.f_frsize)),
        )))
    }
    #[cfg(not(unix))]
    {
        let _ = existing;
        Ok(None)
    }
}
