//! Backfill benchmark: syncs about a million records from the local demo API into an empty warehouse and
//! prints records/second. `cargo bench -p inda-ingest --bench backfill` (release). Set `INDA_BENCH_SCALE`
//! to change the demo scale (default sized for ~1M records), and `INDA_BENCH_WAREHOUSE=snowflake` to load
//! Snowflake instead: the `fakesnow` peer with the deployable DDL (its DuckDB and Python set the pace
//! there, not the loader; a real account's numbers differ).

#[path = "../tests/common/snowflake.rs"]
mod snowflake;

use inda_demo::{DemoApi, DemoOptions};
use inda_ingest::{ApiConfig, Destination, SnowflakeLoader, SyncOptions, sync_into};
use std::time::Instant;

/// The allocator the `inda` binary and the desktop app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let scale: f64 = std::env::var("INDA_BENCH_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(0.71);
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).expect("date");
        let t0 = Instant::now();
        let api = DemoApi::generate(&DemoOptions { scale, seed: 42, as_of, tenants: None }).expect("demo data");
        let total = api.total();
        eprintln!("demo API data: {total} records (scale {scale}) in {:.1} s", t0.elapsed().as_secs_f64());
        let server = api.serve("127.0.0.1:0".parse().expect("addr")).await.expect("serve");
        let dir = tempfile::tempdir().expect("tempdir");
        let mut opts = SyncOptions::new(ApiConfig::new(server.url()));
        opts.page_limit = 5000;
        let dest = match std::env::var("INDA_BENCH_WAREHOUSE").as_deref() {
            Ok("snowflake") => {
                snowflake::deploy().await;
                Destination::Snowflake {
                    loader: Box::new(SnowflakeLoader::new(snowflake::warehouse(), snowflake::session("_sync"))),
                    locks: dir.path().join("locks"),
                }
            }
            _ => Destination::Embedded(dir.path().join("warehouse").into()),
        };
        let t = Instant::now();
        let report = sync_into(&dest, &opts).await.expect("sync");
        let secs = t.elapsed().as_secs_f64();
        assert!(report.ok, "sync failed: {report:?}");
        println!(
            "backfill into {}: {} records in {:.2} s = {:.0} records/s (RAW commit per 5000-record page, then STAGING and MARTS)",
            report.warehouse,
            report.loaded,
            secs,
            report.loaded as f64 / secs
        );
    });
}
