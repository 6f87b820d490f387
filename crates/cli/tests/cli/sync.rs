//! `inda sync` end to end: killed with SIGKILL at random points and restarted, it ends with exactly the demo
//! marts, in the embedded warehouse and in Snowflake (the `fakesnow` peer with the deployable DDL);
//! `inda demo api` serves what `inda sync` loads; `inda sync export-n8n` writes the workflows.

#[path = "../../../ingest/tests/common/snowflake.rs"]
mod snowflake;

use crate::common;
use datafusion::arrow::compute::concat_batches;
use datafusion::arrow::record_batch::RecordBatch;
use inda_core::marts;
use inda_demo::{DemoApi, DemoOptions, Faults, generate};
use inda_warehouse::marts_schema;
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn inda(data_dir: &Path) -> Command {
    let mut c = common::command(data_dir, None, &[]);
    c.env("INDIGITAL_API_KEY", "test-key");
    c
}

fn mart(root: &Path, table: &str, tenant: &str) -> RecordBatch {
    let path = root.join("marts").join(table).join(tenant).join("data.parquet");
    // `root` is a data dir's warehouse: its files are sealed with that data dir's key.
    let batches = common::read_parquet(root.parent().expect("data dir"), &path);
    concat_batches(&marts_schema(table).unwrap(), &batches).unwrap()
}

#[test]
fn sync_killed_at_random_points_ends_with_the_demo_marts() {
    // Demo data, an API server and killed children, all outside the launchers: a turn for the whole test.
    let _turn = common::turn();
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let opts = DemoOptions {
        scale: 0.05,
        seed: 11,
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        tenants: Some(vec!["globex".into(), "stark_ind".into()]),
    };
    generate(&demo, &opts, &|_| {}).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let api = DemoApi::from_warehouse(&demo)
        .unwrap()
        .with_faults(Faults::parse("slow=15ms,dup=3").unwrap())
        .with_api_key(Some("test-key".into()));
    let server = rt.block_on(api.serve("127.0.0.1:0".parse().unwrap())).unwrap();
    let data = dir.path().join("data");
    let sync = || {
        let mut c = inda(&data);
        c.args(["sync", "--api", &server.url(), "--tenants", "globex,stark_ind", "--limit", "150"]);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    // Kill points spread over the run (deterministic "random" delays, so a failure can be replayed).
    kill_at_random_points(sync, 0x9E37_79B9_7F4A_7C15, 900);
    let warehouse = data.join("warehouse");
    for tenant in ["globex", "stark_ind"] {
        for table in marts::names() {
            let got = mart(&warehouse, table, tenant);
            let want = mart(&demo, table, tenant);
            assert_eq!(got.num_rows(), want.num_rows(), "{tenant} {table}: lost or duplicated rows");
            assert!(got == want, "{tenant} {table} differs from the demo marts");
        }
    }
    // A second run changes nothing in the incremental entities.
    let out = inda(&data)
        .args(["sync", "--api", &server.url(), "--tenants", "globex", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for e in report["tenants"][0]["entities"].as_array().unwrap() {
        // Campaigns and fx_rates are full refreshes: they load again every run.
        if e["entity"] != "campaigns" && e["entity"] != "fx_rates" {
            assert_eq!(e["loaded"], 0, "{e}");
        }
    }
}

/// Kills `sync()` at five deterministic "random" points over its run, then lets it finish.
fn kill_at_random_points(sync: impl Fn() -> Command, seed: u64, spread_ms: u64) {
    let mut x: u64 = seed;
    for _ in 0..5 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = 150 + x % spread_ms;
        let mut child = sync().spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    let out = sync().stderr(Stdio::piped()).output().unwrap();
    assert!(out.status.success(), "the final sync failed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn sync_into_snowflake_killed_at_random_points_ends_with_the_demo_marts() {
    let _turn = common::turn();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    rt.block_on(snowflake::deploy());
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let tenants = ["initech", "umbrella"];
    let opts = DemoOptions {
        scale: 0.03,
        seed: 5,
        as_of: chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap(),
        tenants: Some(tenants.iter().map(|t| t.to_string()).collect()),
    };
    generate(&demo, &opts, &|_| {}).unwrap();
    let api = DemoApi::from_warehouse(&demo)
        .unwrap()
        .with_faults(Faults::parse("slow=10ms,dup=2").unwrap())
        .with_api_key(Some("test-key".into()));
    let server = rt.block_on(api.serve("127.0.0.1:0".parse().unwrap())).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("config.toml"),
        format!(
            "[warehouse]\nkind = \"snowflake\"\nprofile = \"test\"\n\n[warehouse.profiles.test]\n\
             account = \"inda-test\"\nuser = \"inda_sync\"\ndatabase = \"{}\"\nauth = \"password\"\n\
             base_url = \"{}\"\n",
            snowflake::DATABASE,
            snowflake::server().base_url()
        ),
    )
    .unwrap();
    let sync = || {
        let mut c = inda(&data);
        c.env("SNOWFLAKE_PASSWORD", "fake");
        c.args(["sync", "--api", &server.url(), "--tenants", "initech,umbrella", "--limit", "120"]);
        c.stdout(Stdio::null()).stderr(Stdio::null());
        c
    };
    kill_at_random_points(sync, 0x2545_F491_4F6C_DD1D, 2500);
    for tenant in tenants {
        rt.block_on(snowflake::assert_marts_equal(&demo, tenant));
    }
}

#[test]
fn demo_api_command_serves_what_sync_loads_and_n8n_export_writes_workflows() {
    let _turn = common::turn();
    let dir = tempfile::tempdir().unwrap();
    let mut server = inda(dir.path())
        .args([
            "demo",
            "api",
            "--bind",
            "127.0.0.1:0",
            "--scale",
            "0.02",
            "--tenants",
            "stark_ind",
            "--as-of",
            "2025-06-30",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(server.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the server prints its URL")
        .to_string();
    let out = inda(dir.path()).args(["sync", "--api", &url, "--format", "json"]).output().unwrap();
    // A wrong key is refused at once (no retries), reported, exit code 5.
    let refused = inda(dir.path())
        .env("INDIGITAL_API_KEY", "wrong")
        .args(["sync", "--api", &url, "--tenants", "stark_ind", "--format", "json"])
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["tenants"][0]["tenant_id"], "stark_ind");
    assert!(report["loaded"].as_u64().unwrap() > 0);
    assert_eq!(refused.status.code(), Some(5));

    let n8n = dir.path().join("n8n");
    let out = inda(dir.path()).args(["sync", "export-n8n", "--out"]).arg(&n8n).output().unwrap();
    assert!(out.status.success());
    assert!(n8n.join("indigital_master_sync.json").is_file());
    assert!(n8n.join("indigital_transactions_sync.json").is_file());
}
