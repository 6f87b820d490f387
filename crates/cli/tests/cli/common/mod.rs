//! The launchers every CLI test uses: the real `inda` binary on a data dir, in a clean environment; tokens;
//! JSON output; and the gate that gives the timing tests (`hostile`) the machine to themselves.

#![allow(dead_code)]

use serde_json::Value as J;
use std::cell::Cell;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// The `as_of` date of the demo warehouses the tests build.
pub const AS_OF: &str = "2026-11-20";

/// Variables of the app that a test must set itself or not at all: the caller's session, data dir and model
/// providers never leak into a test.
const CLEARED: &[&str] = &[
    "INDA_TOKEN",
    "INDA_DATA_DIR",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "ANTHROPIC_BASE_URL",
    "OPENAI_BASE_URL",
];

/// `inda --data-dir <dir> <args>`, with `token` as `INDA_TOKEN` when given.
pub fn command(dir: &Path, token: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inda"));
    cmd.arg("--data-dir").arg(dir).args(args);
    for var in CLEARED {
        cmd.env_remove(var);
    }
    if let Some(t) = token {
        cmd.env("INDA_TOKEN", t);
    }
    cmd
}

/// Runs `cmd` to its end (stdin closed, stdout and stderr captured), during a [`turn`].
pub fn output(cmd: &mut Command) -> Output {
    let _turn = turn();
    cmd.output().expect("inda runs")
}

/// [`command`] run to its end.
pub fn inda(dir: &Path, token: Option<&str>, args: &[&str]) -> Output {
    output(&mut command(dir, token, args))
}

/// [`command`] run to its end with `input` on stdin.
pub fn inda_stdin(dir: &Path, token: Option<&str>, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let _turn = turn();
    let mut child = command(dir, token, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("inda runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("inda runs")
}

/// Asserts that `out` is a success; returns its stdout.
pub fn assert_success(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON document `out` printed on stdout.
pub fn doc(out: &Output) -> J {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("not JSON ({e}): {text} / {}", String::from_utf8_lossy(&out.stderr)))
}

/// Asserts that `out` is a success; the JSON document on its stdout.
pub fn success_doc(out: &Output) -> J {
    assert_success(out);
    doc(out)
}

/// Runs `cmd` with `--format json`: its exit code and the document it printed.
pub fn json_of(cmd: &mut Command) -> (i32, J) {
    let out = output(cmd.args(["--format", "json"]));
    (out.status.code().unwrap_or(-1), doc(&out))
}

/// Runs with `--format json`: the exit code and the document printed.
pub fn json(dir: &Path, token: &str, args: &[&str]) -> (i32, J) {
    json_of(&mut command(dir, Some(token), args))
}

/// [`json`], asserting exit code 0.
pub fn ok(dir: &Path, token: &str, args: &[&str]) -> J {
    let (code, doc) = json(dir, token, args);
    assert_eq!(code, 0, "{args:?}: {doc}");
    doc
}

/// A development token for `tenant`/`user` minted in `dir` (`more`: `--roles`, `--ttl`, …).
pub fn mint(dir: &Path, tenant: &str, user: &str, more: &[&str]) -> String {
    let mut args = vec!["token", "mint", "--tenant", tenant, "--user", user];
    args.extend(more);
    assert_success(&inda(dir, None, &args)).trim().to_string()
}

/// `inda demo init <args>` into `dir`, asserting success.
pub fn demo_init(dir: &Path, args: &[&str]) {
    let mut all = vec!["demo", "init"];
    all.extend(args);
    let out = inda(dir, None, &all);
    assert!(out.status.success(), "demo init failed: {}", String::from_utf8_lossy(&out.stderr));
}

// The gate. When every file was its own test binary, the hostile suite had the process, and so the machine,
// to itself while it measured latencies and CPU. In one binary the other tests run beside it, so: every
// command of the launchers above runs during a turn (shared), and a timing test takes the gate alone
// (exclusive), which waits for the running commands to end and holds new ones back until it is done. A test
// that starts children itself, or does heavy work in process, takes a turn around that.

static GATE: RwLock<()> = RwLock::new(());

thread_local! {
    /// Turns (and the exclusive hold) this thread has: only the outermost one touches the gate, so nested
    /// turns never wait for a waiting writer that waits for them.
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// A shared hold of the gate; free when this thread holds it already.
pub struct Turn {
    _guard: Option<RwLockReadGuard<'static, ()>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        HELD.set(HELD.get() - 1);
    }
}

pub fn turn() -> Turn {
    let held = HELD.get();
    let guard = (held == 0).then(|| GATE.read().unwrap_or_else(PoisonError::into_inner));
    HELD.set(held + 1);
    Turn { _guard: guard }
}

/// The exclusive hold: no other test runs a command until it is dropped; this thread's commands still run.
pub struct Alone {
    _guard: RwLockWriteGuard<'static, ()>,
}

impl Drop for Alone {
    fn drop(&mut self) {
        HELD.set(HELD.get() - 1);
    }
}

pub fn alone() -> Alone {
    assert_eq!(HELD.get(), 0, "alone() during a turn would wait for itself");
    let guard = GATE.write().unwrap_or_else(PoisonError::into_inner);
    HELD.set(1);
    Alone { _guard: guard }
}

/// The warehouse key of the data dir `dir`, where `inda` keeps it (the keyring of the suite's D-Bus session,
/// or `keys/` on a machine with none): the tests that read or rewrite the encrypted Parquet directly need it.
pub fn warehouse_key(dir: &Path) -> inda_warehouse::encryption::WarehouseKey {
    let keys = inda_secrets::DataKeys::open(dir, inda_secrets::Fallback::Refuse).expect("data keys");
    keys.key(inda_secrets::DataKey::Warehouse).expect("warehouse key")
}

/// Every record batch of one of the data dir `dir`'s Parquet files, opened with its key.
pub fn read_parquet(dir: &Path, file: &Path) -> Vec<datafusion::arrow::record_batch::RecordBatch> {
    let key = warehouse_key(dir);
    let options = inda_warehouse::encryption::reader_options(Some(&key)).expect("reader options");
    let f = std::fs::File::open(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new_with_options(f, options)
        .and_then(|b| b.build())
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Removes `tenant`'s `currency` rate for the month starting `month` from the data dir's `marts.fx_rates`,
/// sealed again with the data dir's key as `inda` writes it: the amounts of that currency-month then have no
/// rate.
pub fn drop_rate(dir: &Path, tenant: &str, currency: &str, month: chrono::NaiveDate) {
    use datafusion::arrow::array::{BooleanArray, Date32Array, StringArray};
    use datafusion::arrow::compute::filter_record_batch;
    use parquet::arrow::ArrowWriter;

    let file = dir.join(format!("warehouse/marts/fx_rates/{tenant}/data.parquet"));
    let day = (month - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
    let mut kept = Vec::new();
    for batch in read_parquet(dir, &file) {
        let cur = batch.column_by_name("currency").expect("currency");
        let cur = cur.as_any().downcast_ref::<StringArray>().expect("utf8 currency");
        let months = batch.column_by_name("month").expect("month");
        let months = months.as_any().downcast_ref::<Date32Array>().expect("date month");
        let keep: BooleanArray = (0..batch.num_rows())
            .map(|i| Some(!(cur.value(i) == currency && months.value(i) == day)))
            .collect();
        kept.push(filter_record_batch(&batch, &keep).expect("filter"));
    }
    let before: usize = read_parquet(dir, &file).iter().map(|b| b.num_rows()).sum();
    assert_eq!(
        kept.iter().map(|b| b.num_rows()).sum::<usize>(),
        before - 1,
        "{currency} {month} had one rate"
    );
    let props = inda_warehouse::encryption::writer_properties(Some(&warehouse_key(dir))).expect("props");
    let schema = kept[0].schema();
    let mut w = ArrowWriter::try_new(std::fs::File::create(&file).expect("rewrite"), schema, Some(props))
        .expect("writer");
    for b in &kept {
        w.write(b).expect("write");
    }
    w.close().expect("close");
}
