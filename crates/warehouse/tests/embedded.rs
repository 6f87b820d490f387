//! The embedded warehouse on real Parquet files: a query sees only its session's tenant (or exactly the
//! tenants of an admin's scope), the session is read-only, Snowflake functions run, and limits (rows, time,
//! cancellation) hold.

use chrono::NaiveDate;
use inda_core::{ErrorCode, Role, Scope, Session, Value};
use inda_demo::{DemoOptions, generate};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};
use std::sync::OnceLock;
use std::time::Duration;

fn setup() -> &'static (tempfile::TempDir, EmbeddedWarehouse) {
    static W: OnceLock<(tempfile::TempDir, EmbeddedWarehouse)> = OnceLock::new();
    W.get_or_init(|| {
        let (dir, root) = demo(0.05, 7);
        (dir, EmbeddedWarehouse::new(root))
    })
}

/// Demo data of every tenant at `scale` (up to 2026-11-20) in a warehouse directory of its own: the
/// shared one of [`setup`], or one a test may change.
fn demo(scale: f64, seed: u64) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("warehouse");
    let opts =
        DemoOptions { scale, seed, as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(), tenants: None };
    generate(&root, &opts, &|_| {}).unwrap();
    (dir, root)
}

fn session(tenant: &str) -> Session {
    Session {
        tenant_id: tenant.into(),
        user_id: "u".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        role: Role::Analyst,
        scope: Scope::one(tenant).unwrap(),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    }
}

/// An admin's session: its own tenant, reading every tenant of `scope`.
fn admin_session(tenant: &str, scope: &Scope) -> Session {
    Session {
        role: Role::PlatformAdmin,
        roles: vec!["platform_admin".into()],
        scope: scope.clone(),
        ..session(tenant)
    }
}

fn run(tenant: &str, sql: &str) -> inda_core::Result<inda_core::ResultSet> {
    run_as(&session(tenant), sql)
}

fn run_as(session: &Session, sql: &str) -> inda_core::Result<inda_core::ResultSet> {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(w.query(session, sql, &QueryLimits::default(), &Cancel::new()))
}

/// `sql` through the guard for `scope`, then the guard's tree on the engine for `session`.
fn run_guarded(session: &Session, scope: &Scope, sql: &str) -> inda_core::Result<inda_core::ResultSet> {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let checked =
        inda_guard::guard(sql, scope, &inda_guard::Catalog::marts(), &inda_guard::GuardOptions::default())
            .map_err(|r| inda_core::Error::engine(format!("the guard refused it: {r}")))?;
    rt.block_on(w.query_guarded(session, &checked, &QueryLimits::default(), &Cancel::new()))
}

/// The count of a single-cell result.
fn count(rs: &inda_core::ResultSet) -> i64 {
    match rs.rows.as_slice() {
        [row] => match row.as_slice() {
            [Value::Int(n)] => *n,
            other => panic!("not a count: {other:?}"),
        },
        other => panic!("not one row: {other:?}"),
    }
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
fn a_session_of_several_tenants_sees_exactly_their_rows() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let probe = session("acme_corp");
    let directory = rt.block_on(w.tenants(&probe)).unwrap().expect("the demo writes admin/tenants.json");
    let everyone: Vec<&str> = directory.iter().map(|t| t.tenant_id.as_str()).collect();
    assert!(everyone.len() >= 3, "{everyone:?}");
    let pair = Scope::new(["globex", "acme_corp"]).unwrap();
    let all = Scope::new(everyone.iter().copied()).unwrap();
    // An unknown tenant adds nothing; the others' rows are all there.
    let with_unknown = Scope::new(["acme_corp", "nobody", "stark_ind"]).unwrap();
    for scope in [&pair, &all, &with_unknown] {
        // The session's own tenant is the first of the scope's, or none of them: the scope alone decides.
        for own in [scope.tenants()[0].as_str(), "umbrella"] {
            let session = admin_session(own, scope);
            for table in inda_core::marts::names() {
                let sql = format!("SELECT COUNT(*) FROM marts.{table}");
                let alone: i64 = scope.tenants().iter().map(|t| count(&run(t, &sql).unwrap())).sum();
                assert_eq!(count(&run_as(&session, &sql).unwrap()), alone, "{table} for {scope} as {own}");
            }
            let rs =
                run_as(&session, "SELECT DISTINCT tenant_id FROM marts.fct_messages ORDER BY 1").unwrap();
            let seen: Vec<Value> = rs.rows.into_iter().flatten().collect();
            let expected: Vec<Value> = scope
                .tenants()
                .iter()
                .filter(|t| t.as_str() != "nobody")
                .map(|t| Value::Text(t.clone()))
                .collect();
            assert_eq!(seen, expected, "{scope} as {own}");
        }
    }
    // Through the guard too, the way the app runs every query: the guard's scope and the engine's agree.
    let sql = "SELECT tenant_id, COUNT(*) AS n FROM marts.dim_contacts GROUP BY tenant_id ORDER BY tenant_id";
    let by_tenant = |scope: &Scope| run_guarded(&admin_session("acme_corp", scope), scope, sql).unwrap().rows;
    let both = by_tenant(&pair);
    assert_eq!(both.len(), 2, "{both:?}");
    let apart: Vec<_> = pair.tenants().iter().flat_map(|t| by_tenant(&Scope::one(t).unwrap())).collect();
    assert_eq!(both, apart);
}

#[test]
fn the_guard_and_the_engine_each_bound_a_multi_tenant_read() {
    // Each layer holds on its own: a guard narrower than the session's scope reads only the guard's
    // tenants, and an engine session narrower than the guard's scope reads only the session's.
    let pair = Scope::new(["acme_corp", "globex"]).unwrap();
    let acme = Scope::one("acme_corp").unwrap();
    let sql = "SELECT DISTINCT tenant_id FROM marts.fct_activities";
    let expected = vec![vec![Value::Text("acme_corp".into())]];
    assert_eq!(run_guarded(&admin_session("acme_corp", &pair), &acme, sql).unwrap().rows, expected);
    assert_eq!(run_guarded(&session("acme_corp"), &pair, sql).unwrap().rows, expected);
}

/// The engine drops the guard's `tenant_id` filter only where the files' own footers prove every row is the
/// directory's tenant. A tenant directory that also holds another tenant's rows (a sync gone wrong), or a
/// file whose footer says nothing, must still be filtered row by row.
#[test]
fn a_tenant_directory_holding_other_rows_is_still_filtered() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("warehouse");
    let opts = DemoOptions {
        scale: 0.02,
        seed: 11,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(vec!["acme_corp".into(), "globex".into()]),
    };
    generate(&root, &opts, &|_| {}).unwrap();
    let w = EmbeddedWarehouse::new(&root);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let acme = Scope::one("acme_corp").unwrap();
    let ask = |sql: &str| {
        let checked = inda_guard::guard(
            sql,
            &acme,
            &inda_guard::Catalog::marts(),
            &inda_guard::GuardOptions::default(),
        )
        .unwrap();
        rt.block_on(w.query_guarded(&session("acme_corp"), &checked, &QueryLimits::default(), &Cancel::new()))
            .unwrap()
    };
    let messages = "SELECT COUNT(*) FROM marts.fct_messages";
    let own = count(&ask(messages));
    assert!(own > 0);

    let marts = root.join("marts").join("fct_messages");
    let globex = count(
        &rt.block_on(w.query(&session("globex"), messages, &QueryLimits::default(), &Cancel::new())).unwrap(),
    );
    std::fs::copy(marts.join("globex/data.parquet"), marts.join("acme_corp/stray.parquet")).unwrap();
    // Without the guard, the engine reads what the directory holds: the stray rows are really there.
    let unguarded =
        rt.block_on(w.query(&session("acme_corp"), messages, &QueryLimits::default(), &Cancel::new()));
    assert_eq!(count(&unguarded.unwrap()), own + globex);
    // Through the guard, only acme_corp's rows, however the query reads them.
    assert_eq!(count(&ask(messages)), own);
    let tenants = ask("SELECT DISTINCT tenant_id FROM marts.fct_messages");
    assert_eq!(tenants.rows, vec![vec![Value::Text("acme_corp".into())]]);
    let limited = ask("SELECT message_id FROM marts.fct_messages LIMIT 100000");
    assert_eq!(limited.rows.len() as i64, own);
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
    // A cross join large enough to run for a long time (the condition keeps the row statistics from
    // answering the count without running it).
    let heavy = "SELECT COUNT(*) FROM marts.fct_messages a CROSS JOIN marts.fct_messages b CROSS JOIN marts.dim_contacts c WHERE a.cost <= b.cost";
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

/// CPU time of this process so far (user + system), from procfs.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<u64> = rest.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    fields.get(10).copied().unwrap_or(0) + fields.get(11).copied().unwrap_or(0)
}

#[test]
fn a_stopped_query_stops_working_and_others_still_run() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Aborting a task lands only where it waits, and an aggregate over a cartesian join never waits: the
    // query has to notice the deadline itself, or it burns both cores long after the caller gave up.
    let heavy = "SELECT COUNT(*) FROM marts.fct_messages a, marts.fct_messages b, marts.fct_messages c WHERE a.cost <= c.cost";
    let limits = QueryLimits { timeout: Duration::from_millis(300), ..QueryLimits::default() };
    let err = rt.block_on(w.query(&session("globex"), heavy, &limits, &Cancel::new())).unwrap_err();
    assert!(err.message.contains("did not finish"), "{}", err.message);
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks();
    std::thread::sleep(Duration::from_secs(1));
    let spent = cpu_ticks() - before;
    assert!(spent < 30, "{spent} ticks of CPU in the second after the query stopped");
    let rs = run("globex", "SELECT COUNT(*) FROM marts.dim_contacts").unwrap();
    assert_eq!(rs.rows.len(), 1);
}

#[test]
fn integers_divide_exactly_as_on_snowflake() {
    let rs = run("acme_corp", "SELECT 7 / 2, COUNT(*) / (COUNT(*) * 4), 7.0 / 2").unwrap();
    let values: Vec<f64> = rs.rows[0].iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(values, vec![3.5, 0.25, 3.5]);
    assert_eq!(rs.columns[0].name, "Int64(7) / Int64(2)", "the column keeps the name of what was written");
    // A ratio computed in a CTE and read above it: every node over the division sees its new type.
    let sql = "WITH r AS (SELECT channel, COUNT_IF(status = 'failed') / COUNT(*) AS failed FROM marts.fct_messages \
               GROUP BY channel) SELECT MAX(failed) AS worst, SUM(failed) > 0 AS any FROM r";
    let rs = run("acme_corp", sql).unwrap();
    let worst = rs.rows[0][0].as_f64().unwrap();
    assert!(worst > 0.0 && worst < 1.0, "{worst}");
}

#[test]
fn results_over_the_byte_limit_are_refused() {
    let (_, w) = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits { result_bytes: 100_000, ..QueryLimits::default() };
    let sql = "SELECT message_id, repeat('x', 1000) FROM marts.fct_messages LIMIT 1000";
    let err = rt.block_on(w.query(&session("acme_corp"), sql, &limits, &Cancel::new())).unwrap_err();
    assert!(err.message.contains("result_bytes"), "{}", err.message);
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

#[path = "embedded/rollups.rs"]
mod rollups;

#[path = "embedded/eager.rs"]
mod eager;

#[path = "embedded/grouping.rs"]
mod grouping;

#[path = "embedded/view_filters.rs"]
mod view_filters;

#[path = "embedded/plans.rs"]
mod plans;

#[path = "embedded/keyed.rs"]
mod keyed;

#[path = "embedded/differential.rs"]
mod differential;

// ---- Snowflake's functions on the embedded engine (crates/warehouse/src/functions, bridge.rs) ----
mod functions {
    use super::{session, setup};
    use inda_core::ErrorCode;
    use inda_guard::{Catalog, GuardOptions, allowed_functions, guard};
    use inda_warehouse::{Cancel, QueryLimits, Warehouse};
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    /// `fixtures/allowed_functions.tsv`: (function, query, expected first cell as text).
    fn cases() -> Vec<(&'static str, &'static str, &'static str)> {
        include_str!("fixtures/allowed_functions.tsv")
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let fields: Vec<&str> = l.split('\t').collect();
                assert_eq!(fields.len(), 3, "a case is function, query and expected value: {l}");
                (fields[0], fields[1], fields[2])
            })
            .collect()
    }

    /// Runs `sql` the way the app does: through the guard, then the guard's tree on the engine.
    fn guarded(rt: &tokio::runtime::Runtime, sql: &str) -> inda_core::Result<inda_core::ResultSet> {
        let (_, w) = setup();
        let session = session("acme_corp");
        let checked = guard(sql, &session.scope, &Catalog::marts(), &GuardOptions::default())
            .map_err(|r| inda_core::Error::engine(format!("the guard refused it: {r}")))?;
        rt.block_on(w.query_guarded(&session, &checked, &QueryLimits::default(), &Cancel::new()))
    }

    #[test]
    fn every_function_on_the_allow_list_has_a_case() {
        let allowed: BTreeSet<&str> = allowed_functions().iter().copied().collect();
        let covered: BTreeSet<&str> = cases().iter().map(|(name, _, _)| *name).collect();
        let missing: Vec<_> = allowed.difference(&covered).collect();
        let extra: Vec<_> = covered.difference(&allowed).collect();
        assert!(
            missing.is_empty(),
            "allowed functions without a case in fixtures/allowed_functions.tsv: {missing:?}"
        );
        assert!(extra.is_empty(), "cases for functions the guard does not allow: {extra:?}");
    }

    #[test]
    fn every_function_on_the_allow_list_runs_with_snowflakes_meaning() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut failures = Vec::new();
        for (name, sql, expected) in cases() {
            match guarded(&rt, sql) {
                Ok(rs) => {
                    let got = rs.rows.first().and_then(|r| r.first()).map(|v| v.to_text());
                    if got.as_deref() != Some(expected) {
                        failures.push(format!("{name}: {sql}\n    expected {expected:?}, got {got:?}"));
                    }
                }
                Err(e) => failures.push(format!("{name}: {sql}\n    failed: {}", e.message)),
            }
        }
        assert!(failures.is_empty(), "{} of the cases failed:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn a_huge_padding_fails_fast_with_the_limit_in_words() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let started = Instant::now();
        let err = guarded(&rt, "SELECT lpad('x', 2147483647, 'yz')").unwrap_err();
        assert_eq!(err.code, ErrorCode::Engine);
        assert!(
            err.message.contains("lpad: the length 2147483647 is over the limit of 1,048,576 characters"),
            "{}",
            err.message
        );
        assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    }

    #[test]
    fn functions_that_grow_strings_are_capped_per_row_and_per_batch() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (_, w) = setup();
        let unguarded = |sql: &str| {
            rt.block_on(w.query(&session("acme_corp"), sql, &QueryLimits::default(), &Cancel::new()))
        };
        for (sql, words) in [
            (
                "SELECT rpad(channel, 2000000) FROM marts.fct_messages",
                "rpad: the length 2000000 is over the limit",
            ),
            (
                "SELECT replace(lpad('x', 1000000, 'x'), 'x', 'xx')",
                "replace: a result of 2,000,000 characters",
            ),
            // Not on the guard's allow-list, but the engine caps it all the same.
            ("SELECT repeat('ab', 1000000000)", "repeat: a result of 2,000,000,000 characters"),
            (
                "SELECT lpad(channel, 200000) FROM marts.fct_messages",
                "lpad: the results for one batch of rows",
            ),
        ] {
            let started = Instant::now();
            let err = unguarded(sql).unwrap_err();
            assert!(err.message.contains(words), "{sql}: {}", err.message);
            assert!(started.elapsed() < Duration::from_secs(2), "{sql}: took {:?}", started.elapsed());
        }
        // Ordinary sizes are untouched.
        let rs = unguarded("SELECT max(length(lpad(channel, 1000, '.'))) FROM marts.fct_messages").unwrap();
        assert_eq!(rs.rows[0][0].as_f64(), Some(1000.0));
    }

    #[test]
    fn engine_errors_name_the_problem_without_syntax_trees() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (_, w) = setup();
        for sql in [
            "SELECT channel:foo FROM marts.fct_messages",
            "SELECT channel COLLATE 'en-ci' FROM marts.fct_messages",
            "SELECT DECODE(channel, 'sms') FROM marts.fct_messages",
            "SELECT to_varchar(cost, '999.99') FROM marts.fct_messages",
            "SELECT to_number('1,234', '9,999')",
        ] {
            let err = rt
                .block_on(w.query(&session("acme_corp"), sql, &QueryLimits::default(), &Cancel::new()))
                .unwrap_err();
            for marker in ["Span(", "Location(", "ValueWithSpan", "Ident {"] {
                assert!(!err.message.contains(marker), "{sql}: {}", err.message);
            }
        }
    }
}
