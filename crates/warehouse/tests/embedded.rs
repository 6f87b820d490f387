//! The embedded warehouse on real Parquet files: a query sees only its session's tenant, the session is
//! read-only, Snowflake functions run, and limits (rows, time, cancellation) hold.

use chrono::NaiveDate;
use inda_core::{ErrorCode, Session, Value};
use inda_warehouse::demo::{DemoOptions, generate};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};
use std::sync::OnceLock;
use std::time::Duration;

fn setup() -> &'static (tempfile::TempDir, EmbeddedWarehouse) {
    static W: OnceLock<(tempfile::TempDir, EmbeddedWarehouse)> = OnceLock::new();
    W.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("warehouse");
        let opts = DemoOptions {
            scale: 0.05,
            seed: 7,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            tenants: None,
        };
        generate(&root, &opts, &|_| {}).unwrap();
        (dir, EmbeddedWarehouse::new(root))
    })
}

fn session(tenant: &str) -> Session {
    Session {
        tenant_id: tenant.into(),
        user_id: "u".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        issued_at: 0,
        expires_at: i64::MAX,
    }
}

fn run(tenant: &str, sql: &str) -> inda_core::Result<inda_core::ResultSet> {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(w.query(&session(tenant), sql, &QueryLimits::default(), &Cancel::new()))
}

#[test]
fn a_session_sees_only_its_tenant_even_without_the_guard() {
    for tenant in ["acme_corp", "globex", "stark_ind"] {
        let rs = run(tenant, "SELECT DISTINCT tenant_id FROM marts.fct_messages").unwrap();
        assert_eq!(rs.rows, vec![vec![Value::Text(tenant.into())]]);
    }
    let a = run("acme_corp", "SELECT COUNT(*) FROM marts.dim_contacts").unwrap();
    let g = run("globex", "SELECT COUNT(*) FROM marts.dim_contacts").unwrap();
    assert_ne!(a.rows, g.rows, "tenants differ in size");
}

#[test]
fn unknown_tenants_see_empty_tables() {
    let rs = run("nobody", "SELECT COUNT(*) FROM marts.dim_contacts").unwrap();
    assert_eq!(rs.rows, vec![vec![Value::Int(0)]]);
}

#[test]
fn the_session_is_read_only() {
    for sql in [
        "CREATE TABLE marts.x AS SELECT 1",
        "DROP TABLE marts.dim_contacts",
        "INSERT INTO marts.dim_campaigns SELECT * FROM marts.dim_campaigns",
        "SET datafusion.execution.target_partitions = 1",
        "SELECT * FROM information_schema.tables",
        "SELECT * FROM 'warehouse/marts/dim_contacts/globex/data.parquet'",
    ] {
        let err = run("acme_corp", sql).expect_err(sql);
        assert_eq!(err.code, ErrorCode::Engine, "{sql}");
    }
}

#[test]
fn snowflake_functions_run() {
    let rs = run(
        "acme_corp",
        "SELECT IFF(1 < 2, 'a', 'b') AS x, DATEADD(day, 2, DATE '2026-01-30') AS d, DATEDIFF(month, DATE '2025-12-31', DATE '2026-01-01') AS m, DATEDIFF(day, DATE '2026-01-01', DATE '2026-03-01') AS dd, ZEROIFNULL(NULL) AS z, DATE_TRUNC(month, TIMESTAMP '2026-03-15 10:00:00') AS t",
    )
    .unwrap();
    let row = &rs.rows[0];
    assert_eq!(row[0], Value::Text("a".into()));
    assert!(row[1].to_text().starts_with("2026-02-01"), "{:?}", row[1]);
    assert_eq!(row[2].as_f64(), Some(1.0));
    assert_eq!(row[3].as_f64(), Some(59.0));
    assert_eq!(row[4].as_f64(), Some(0.0));
    assert!(row[5].to_text().starts_with("2026-03-01"));
}

#[test]
fn the_row_cap_stops_reading() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits { max_rows: 25, ..QueryLimits::default() };
    let rs = rt
        .block_on(w.query(&session("umbrella"), "SELECT * FROM marts.fct_messages", &limits, &Cancel::new()))
        .unwrap();
    assert_eq!(rs.rows.len(), 25);
    assert!(rs.truncated);
}

#[test]
fn timeouts_and_cancellation_stop_a_query() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // A cross join large enough to run for a long time.
    let heavy = "SELECT COUNT(*) FROM marts.fct_messages a CROSS JOIN marts.fct_messages b CROSS JOIN marts.dim_contacts c";
    let limits = QueryLimits { timeout: Duration::from_millis(200), ..QueryLimits::default() };
    let started = std::time::Instant::now();
    let err = rt.block_on(w.query(&session("umbrella"), heavy, &limits, &Cancel::new())).unwrap_err();
    assert_eq!(err.code, ErrorCode::Engine);
    assert!(err.message.contains("did not finish"), "{}", err.message);
    assert!(started.elapsed() < Duration::from_secs(10));

    let cancel = Cancel::new();
    let c2 = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        c2.cancel();
    });
    let err =
        rt.block_on(w.query(&session("umbrella"), heavy, &QueryLimits::default(), &cancel)).unwrap_err();
    assert!(err.message.contains("cancelled"), "{}", err.message);
}

#[test]
fn memory_limits_are_enforced() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits { memory_bytes: 1 << 20, ..QueryLimits::default() };
    let sql = "SELECT message_id, COUNT(*) FROM marts.fct_messages GROUP BY message_id ORDER BY 2 DESC";
    let r = rt.block_on(w.query(&session("umbrella"), sql, &limits, &Cancel::new()));
    if let Err(e) = r {
        assert_eq!(e.code, ErrorCode::Engine);
        assert!(e.message.contains("memory"), "{}", e.message);
    }
}

#[test]
fn the_reporting_currency_comes_from_the_tenants_file() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    for (tenant, currency) in
        [("acme_corp", Some("COP")), ("globex", Some("MXN")), ("stark_ind", Some("USD")), ("nobody", None)]
    {
        let got = rt.block_on(w.reporting_currency(&session(tenant))).unwrap();
        assert_eq!(got.as_deref(), currency, "{tenant}");
    }
    // A warehouse without admin files (a fresh sync target) does not know it.
    let empty = tempfile::tempdir().unwrap();
    let none = rt.block_on(EmbeddedWarehouse::new(empty.path()).reporting_currency(&session("acme_corp")));
    assert_eq!(none.unwrap(), None);
}

#[test]
fn money_converts_with_the_tenants_own_rates() {
    let join = "FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency \
                AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
                WHERE a.activity_type IN ('purchase','refund')";
    for tenant in ["acme_corp", "umbrella", "stark_ind"] {
        let revenue = run(tenant, &format!("SELECT SUM(a.amount * f.rate) AS revenue {join}")).unwrap();
        assert!(revenue.rows[0][0].as_f64().is_some_and(|r| r > 0.0), "{tenant}: {:?}", revenue.rows);
        let left = join.replacen(" JOIN ", " LEFT JOIN ", 1);
        let missing = run(tenant, &format!("SELECT COUNT(*) {left} AND f.rate IS NULL")).unwrap();
        assert_eq!(missing.rows, vec![vec![Value::Int(0)]], "{tenant}: amounts without a rate");
    }
    let rs = run("globex", "SELECT DISTINCT tenant_id FROM marts.fx_rates").unwrap();
    assert_eq!(rs.rows, vec![vec![Value::Text("globex".into())]]);
    let rs = run("globex", "SELECT rate FROM marts.fx_rates WHERE currency = 'MXN' LIMIT 1").unwrap();
    assert_eq!(rs.columns[0].data_type, "DECIMAL(18,8)");
}
