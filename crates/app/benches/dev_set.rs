//! Every question of the dev set (`eval/nl-dev.jsonl`) asked in process at a large scale, warm: the figures
//! behind "every dev-set question answers in under 1 s" for one tenant of 100 million messages
//! (`scripts/bench-scale.sh` makes that data dir with `inda demo init` and runs this).
//!
//! - `SCALE_DATA_DIR`: an existing data dir with a demo warehouse (its signing key mints the token).
//! - `SCALE_TENANT`: the tenant asked for (default `umbrella`). `SCALE_RUNS`: timed runs per question after
//!   one untimed run (default 3).
//!
//! Prints one JSON line per question (`{"id", "first_ms", "median_ms", "max_ms", "rows", "outcome"}`), then
//! the process's memory (the same `App` and engine as the desktop app's own process, without its web view):
//! resident once open and signed in, the peak while answering, resident a second after a heavy query was
//! cancelled half a second in and again 8 s later (the heap, `RssAnon`, is reported beside the totals: the
//! rest is the binary's own code, paged in as questions use it), and a summary line with the slowest
//! question.

mod common;

use inda_app::{App, AskOptions, DataDir, Provider};
use inda_warehouse::Cancel;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(serde::Deserialize)]
struct Question {
    id: String,
    question: String,
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let dir =
        PathBuf::from(std::env::var("SCALE_DATA_DIR").expect("SCALE_DATA_DIR: a data dir with demo data"));
    let tenant = std::env::var("SCALE_TENANT").unwrap_or_else(|_| "umbrella".into());
    let runs: usize = std::env::var("SCALE_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let set = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/nl-dev.jsonl");
    let questions: Vec<Question> = std::fs::read_to_string(set)
        .expect("the dev set")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a question"))
        .collect();

    let mut app = App::open(DataDir::new(&dir)).expect("app");
    let session = common::sign_in(&mut app, &tenant);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cancel = Cancel::new();
    let ask = |q: &str| rt.block_on(app.ask(&session, q, Provider::Offline, &AskOptions::default(), &cancel));

    let (idle_mib, idle_heap_mib) = (memory("VmRSS"), memory("RssAnon"));
    let mut slowest = (String::new(), 0.0_f64);
    for q in &questions {
        let t = Instant::now();
        let first = ask(&q.question);
        let first_ms = t.elapsed().as_secs_f64() * 1000.0;
        let (outcome, rows) = match &first {
            Ok(answer) => ("answered".to_string(), answer.rows.len()),
            Err(e) => (format!("{:?}", e.code), 0),
        };
        let mut ms: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let _ = ask(&q.question);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let (median, max) = (ms[ms.len() / 2], ms[ms.len() - 1]);
        if median > slowest.1 {
            slowest = (q.id.clone(), median);
        }
        let line = serde_json::json!({
            "id": q.id, "first_ms": first_ms.round(), "median_ms": median.round(), "max_ms": max.round(),
            "rows": rows, "outcome": outcome,
        });
        println!("{line}");
    }
    let peak_mib = memory("VmHWM");
    let cancelled_ms = cancel_heavy(&app, &session, &rt);
    std::thread::sleep(std::time::Duration::from_secs(1));
    let after_cancel_mib = memory("VmRSS");
    // The warehouse hands freed memory back once no query has run for 2 s, and again as its file-reading
    // threads exit (crates/warehouse/src/idle.rs); 8 s covers both.
    std::thread::sleep(std::time::Duration::from_secs(7));
    let memory = serde_json::json!({
        "idle_rss_mib": idle_mib, "idle_heap_mib": idle_heap_mib, "peak_rss_mib": peak_mib,
        "after_cancel_rss_mib": after_cancel_mib, "cancel_answered_ms": cancelled_ms,
        "idle_again_rss_mib": memory("VmRSS"), "idle_again_heap_mib": memory("RssAnon"),
    });
    println!("{memory}");
    let summary = serde_json::json!({
        "tenant": tenant, "questions": questions.len(), "slowest": slowest.0,
        "slowest_median_ms": slowest.1.round(),
    });
    println!("{summary}");
}

/// Runs a query that hashes every message's contact per channel, cancels it after 500 ms and returns how long
/// the cancel took to answer (a query that fails or finishes first is reported, not counted as cancelled).
fn cancel_heavy(app: &App, session: &inda_core::Session, rt: &tokio::runtime::Runtime) -> f64 {
    let cancel = Cancel::new();
    let stopper = cancel.clone();
    let sql = "SELECT channel, COUNT(DISTINCT contact_id) FROM marts.fct_messages GROUP BY channel";
    let started = Instant::now();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(500));
        stopper.cancel();
        Instant::now()
    });
    let outcome = rt.block_on(app.run_sql(session, sql, &cancel));
    let done = Instant::now();
    let cancelled_at = canceller.join().expect("canceller");
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    match outcome {
        Ok(_) => eprintln!("the heavy query finished in {elapsed_ms:.0} ms, before its cancel"),
        Err(e) if elapsed_ms < 500.0 => eprintln!("the heavy query failed after {elapsed_ms:.0} ms: {e:?}"),
        Err(_) => {}
    }
    done.saturating_duration_since(cancelled_at).as_secs_f64() * 1000.0
}

/// A `/proc/self/status` figure in MiB (`VmRSS`: resident now; `VmHWM`: the peak; `RssAnon`: the heap's
/// share of `VmRSS`).
fn memory(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.trim_start_matches(':').split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    kib / 1024
}
