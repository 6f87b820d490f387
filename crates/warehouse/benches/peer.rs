//! The embedded engine's side of `scripts/bench-peer.sh`, which runs the same questions on DuckDB over the very
//! same files and prints the ratios. Each shape of `bench/peer-shapes.json` goes through the guard for one
//! tenant, as every query of the app does, then runs warm (this process's engine, footers cached) `PEER_RUNS`
//! times after `PEER_WARMUP` untimed runs (default 1). Prints one JSON line per shape: `{"shape", "median_ms",
//! "min_ms", "rows"}`.
//!
//! - `PEER_WAREHOUSE`: the warehouse directory; generated here (plain Parquet, so that DuckDB reads it) at
//!   `PEER_SCALE` (default 1) when it has no `manifest.json`.
//! - `PEER_TENANT`: the tenant (default: the one with the most messages). `PEER_RUNS`: default 10.
//! - `PEER_KEY`: the 32-byte key file of a sealed warehouse (a data dir's `keys/warehouse.key` when it has no
//!   keyring), to measure sealed Parquet; the data must then be generated elsewhere (`inda demo init`).
//! - `PEER_SHAPES`: another shapes file of the same form. `PEER_EXPLAIN=1`: print each shape's guarded SQL and
//!   its `EXPLAIN ANALYZE` (the plan with each operator's rows and time, after three warm runs) to stderr first.
//! - `PEER_MEMORY_MIB`, `PEER_TIMEOUT_SECS`: one query's memory pool and deadline, instead of the app's
//!   defaults (2 GiB, 60 s).
//! - `PEER_PAUSE_MS`: wait this long before each timed run: past 2 s the warehouse has handed its freed memory
//!   back (`idle.rs`), so each run measures a question asked after a pause rather than back to back.
//! - `PEER_ROLLUPS=1`: let the engine answer from its daily rollups (`rollup.rs`) where they give the same
//!   rows; by default it reads the same fact files as DuckDB.
//! - `PEER_EAGER=0`: join each fact to a small dimension before summing it, as written, instead of summing it
//!   first (`crates/warehouse/src/eager.rs`).
//! - `PEER_VIEWS=0`: find each partial aggregate's groups by hashing its strings, as DataFusion does, instead
//!   of by their views (`crates/warehouse/src/grouping.rs`).
//! - `PEER_VIEW_FILTERS=0`: compare a filter's strings with short literals as DataFusion does, instead of by
//!   their views (`crates/warehouse/src/view_filter.rs`).
//! - `PEER_PLANS=0`: plan every run afresh, as a statement never asked before, instead of reusing the
//!   optimised plan of the warm-up run (`crates/warehouse/src/plans.rs`).
//! - `PEER_KEYED=0`: group as written where each group is one row (a contact's sums joined to the contacts),
//!   instead of projecting them (`crates/warehouse/src/keyed.rs`).

use inda_core::{Role, Scope, Session};
use inda_demo::{DemoOptions, generate};
use inda_guard::{Catalog, GuardOptions};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(serde::Deserialize)]
struct Shape {
    shape: String,
    sql: String,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The warehouse's manifest (`tenants[]` with their `messages`), generating the demo first when there is none.
fn warehouse(root: &Path) -> serde_json::Value {
    let manifest = root.join("manifest.json");
    if !manifest.exists() {
        let opts = DemoOptions {
            scale: env_or("PEER_SCALE", 1.0),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).expect("date"),
            ..DemoOptions::default()
        };
        let started = Instant::now();
        generate(root, &opts, &|_| {}).expect("demo generation");
        eprintln!("generated scale {} in {:.1} s", opts.scale, started.elapsed().as_secs_f64());
    }
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    serde_json::from_str(&text).expect("manifest JSON")
}

fn session(tenant: &str) -> Session {
    Session {
        tenant_id: tenant.into(),
        user_id: "bench".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        role: Role::Analyst,
        scope: Scope::one(tenant).expect("tenant id"),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read from the command line.
    let root =
        PathBuf::from(std::env::var("PEER_WAREHOUSE").expect("PEER_WAREHOUSE: the warehouse directory"));
    let summary = warehouse(&root);
    let tenant = std::env::var("PEER_TENANT").unwrap_or_else(|_| {
        let tenants = summary["tenants"].as_array().expect("tenants");
        let largest = tenants.iter().max_by_key(|t| t["messages"].as_u64()).expect("a tenant");
        largest["tenant_id"].as_str().expect("tenant id").to_string()
    });
    let runs: usize = env_or("PEER_RUNS", 10);
    let warmup: usize = env_or("PEER_WARMUP", 1);
    let shapes_file = std::env::var("PEER_SHAPES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/peer-shapes.json"));
    let shapes: Vec<Shape> =
        serde_json::from_str(&std::fs::read_to_string(shapes_file).expect("shapes")).expect("shapes JSON");

    let mut engine = EmbeddedWarehouse::new(&root);
    if let Ok(file) = std::env::var("PEER_KEY") {
        let bytes: [u8; 32] = std::fs::read(&file).expect("PEER_KEY").try_into().expect("a 32-byte key");
        engine = engine.with_key_source(std::sync::Arc::new(move || Ok(inda_core::Secret::new(bytes))));
    }
    if let Some(threads) = std::env::var("PEER_THREADS").ok().and_then(|v| v.parse().ok()) {
        engine = engine.with_threads(threads);
    }
    // Like for like with DuckDB: both read the same fact files. `PEER_ROLLUPS=1` lets the engine answer
    // from its daily rollups where they give the same rows (DuckDB still reads the facts).
    engine = engine.with_rollups(std::env::var("PEER_ROLLUPS").is_ok_and(|v| v == "1"));
    // `PEER_EAGER=0`: join every fact before summing it, as the SQL says (what `eager.rs` is measured against).
    engine = engine.with_eager_aggregation(!std::env::var("PEER_EAGER").is_ok_and(|v| v == "0"));
    // `PEER_VIEWS=0`: find every partial aggregate's groups as DataFusion does (what `grouping.rs` is measured
    // against).
    engine = engine.with_view_grouping(!std::env::var("PEER_VIEWS").is_ok_and(|v| v == "0"));
    // `PEER_VIEW_FILTERS=0`: filters compare strings as DataFusion does (what `view_filter.rs` is measured
    // against).
    engine = engine.with_view_filters(!std::env::var("PEER_VIEW_FILTERS").is_ok_and(|v| v == "0"));
    // `PEER_PLANS=0`: every run plans its statement afresh (what keeping plans, `plans.rs`, is measured
    // against: a question asked for the first time).
    engine = engine.with_plan_reuse(!std::env::var("PEER_PLANS").is_ok_and(|v| v == "0"));
    // `PEER_KEYED=0`: groupings of one row a group run as groupings (what `keyed.rs` is measured against).
    engine = engine.with_keyed_groups(!std::env::var("PEER_KEYED").is_ok_and(|v| v == "0"));
    let session = session(&tenant);
    let mut limits = QueryLimits::default();
    if let Some(mib) = std::env::var("PEER_MEMORY_MIB").ok().and_then(|v| v.parse::<usize>().ok()) {
        limits.memory_bytes = mib << 20;
        limits.process_memory_bytes = limits.process_memory_bytes.max(2 * limits.memory_bytes);
    }
    if let Some(secs) = std::env::var("PEER_TIMEOUT_SECS").ok().and_then(|v| v.parse().ok()) {
        limits.timeout = std::time::Duration::from_secs(secs);
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    for shape in &shapes {
        let guarded =
            inda_guard::guard(&shape.sql, &session.scope, &Catalog::marts(), &GuardOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e}", shape.shape));
        if std::env::var("PEER_EXPLAIN").is_ok() {
            eprintln!("== {}\n{}", shape.shape, guarded.sql);
            // Warm first: the plan's times are then those of a warm run, not of the first one's page faults.
            for _ in 0..3 {
                let _ = rt.block_on(engine.query_guarded(&session, &guarded, &limits, &Cancel::new()));
            }
            let sql = format!("EXPLAIN ANALYZE {}", guarded.sql);
            match rt.block_on(engine.query(&session, &sql, &limits, &Cancel::new())) {
                Ok(r) => r.rows.iter().flatten().for_each(|v| eprintln!("{}", v.to_text())),
                Err(e) => eprintln!("explain: {}", e.message),
            }
        }
        let run = || rt.block_on(engine.query_guarded(&session, &guarded, &limits, &Cancel::new()));
        let rows = run().unwrap_or_else(|e| panic!("{}: {}", shape.shape, e.message)).rows.len();
        for _ in 1..warmup {
            run().expect("query");
        }
        let mut ms: Vec<f64> = (0..runs)
            .map(|_| {
                if let Some(ms) = std::env::var("PEER_PAUSE_MS").ok().and_then(|v| v.parse().ok()) {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                }
                let t = Instant::now();
                run().expect("query");
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        ms.sort_by(f64::total_cmp);
        let line = serde_json::json!({
            "shape": shape.shape, "tenant": tenant, "median_ms": ms[ms.len() / 2], "min_ms": ms[0], "rows": rows,
        });
        println!("{line}");
    }
}
