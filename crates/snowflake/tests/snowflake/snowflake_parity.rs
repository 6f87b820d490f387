//! Snowflake against its protocol peer: the `fakesnow` server (Snowflake's HTTP protocol over DuckDB),
//! started by `scripts/fakesnow.sh`. The demo tenants are generated once, written to Parquet, read by the
//! embedded warehouse and loaded into fakesnow; every question of the public evaluation set and a set of
//! guard attacks must then give the same answer on both, for every tenant. The failure tests inject faults
//! with an HTTP middleware; everything else runs the production code path.
//!
//! These tests fail, never skip, when fakesnow cannot start: CI provides python3 with venv.
//!
//! Known gaps of fakesnow 0.12, and how they are bridged here:
//! - it rejects row access policy DDL and cannot describe policies or list their attachments (no
//!   `DESCRIBE ROW ACCESS POLICY`, no `POLICY_REFERENCES`, no `IS_ROLE_IN_SESSION`), so the second wall is
//!   not exercised (the guard's filter is) and `inda warehouse test` can only say it is unverified;
//! - it ignores per-statement parameters and has no way to read a QUERY_TAG back, so the tag is checked on
//!   the wire (a middleware reads each request's `parameters`);
//! - it sends NULL timestamps without a null mask (the launcher patches `timestamp_to_sf_struct`);
//! - requests go to `https://{account}.snowflakecomputing.com`: the profile's `base_url` redirects them;
//! - Parquet is loaded with DuckDB's `read_parquet`, which only fakesnow understands.

use async_trait::async_trait;
use inda_core::{Error, ErrorCode, ResultSet, Role, Scope, Secret, Session, TenantEntry, Value};
use inda_demo::DemoOptions;
use inda_guard::{Catalog, GuardOptions};
use inda_snowflake::{
    AuthMethod, CheckStatus, CredentialSource, Credentials, SnowflakeProfile, SnowflakeWarehouse,
};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse, marts_schema};
use reqwest_middleware::{Middleware, Next};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

const NL_DEV: &str = include_str!("../../../../eval/nl-dev.jsonl");
/// What the stand-in `SNOWFLAKE.CORTEX.COMPLETE` (created by `scripts/fakesnow.sh`) answers to every prompt.
/// Its SQL has no tenant filter: the guard is what scopes it.
const CORTEX_ANSWER: &str = r#"{"sql": "SELECT channel, COUNT(*) AS messages FROM marts.fct_messages GROUP BY channel ORDER BY channel", "chart": "bar", "explanation": "Messages by channel."}"#;
/// Small enough to load in seconds, large enough that every tenant has data in every table.
const SCALE: f64 = 0.2;

#[path = "../common/fakesnow.rs"]
mod fakesnow;
use fakesnow::Server;

/// Starts fakesnow once for the whole test binary; it stops with this process.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| fakesnow::start(&[("INDA_FAKESNOW_CORTEX_ANSWER", CORTEX_ANSWER)]))
}

fn profile(base_url: String) -> SnowflakeProfile {
    SnowflakeProfile {
        account: "inda-test".into(),
        user: "inda_app".into(),
        role: Some("INDA_ANALYST".into()),
        warehouse: Some("ANALYTICS_WH".into()),
        database: "INDIGITAL_DEV".into(),
        schema: "MARTS".into(),
        auth: AuthMethod::Password,
        base_url: Some(base_url),
        max_sessions: 3,
        login_timeout_seconds: 5,
    }
}

fn password() -> CredentialSource {
    Arc::new(|_| {
        // fakesnow accepts any password; a real account's comes from the environment in CI.
        Ok(Credentials::Password(Secret::new(
            std::env::var("SNOWFLAKE_PASSWORD").unwrap_or_else(|_| "fake".into()),
        )))
    })
}

fn session(tenant: &str) -> Session {
    Session {
        tenant_id: tenant.into(),
        user_id: format!("analyst@{tenant}.example"),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec!["analyst".into()],
        role: Role::Analyst,
        // The made-up ids some tests attack the binds with are no tenant: their sessions read an empty one.
        scope: Scope::one(tenant).or_else(|_| Scope::one("no_such_tenant")).expect("a tenant id"),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    }
}

/// An administrator of `role` signed in from the tenant `home`, reading `scope`.
fn admin_session(role: Role, home: &str, scope: &[&str]) -> Session {
    Session {
        user_id: format!("admin@{home}.example"),
        roles: vec![role.as_str().into()],
        role,
        scope: Scope::new(scope.iter().copied()).expect("tenant ids"),
        ..session(home)
    }
}

fn warehouse_with(middleware: Vec<Arc<dyn Middleware>>) -> SnowflakeWarehouse {
    let base = server().base_url();
    SnowflakeWarehouse::with_middleware(profile(base), password(), middleware).expect("warehouse")
}

/// A warehouse whose sessions open in `database` (fakesnow creates it on sign-in): for tests that write
/// tables the shared demo database must keep as loaded.
fn warehouse_in(database: &str) -> SnowflakeWarehouse {
    let profile = SnowflakeProfile { database: database.into(), ..profile(server().base_url()) };
    SnowflakeWarehouse::new(profile, password()).expect("warehouse")
}

fn limits() -> QueryLimits {
    QueryLimits { timeout: Duration::from_secs(60), ..QueryLimits::default() }
}

/// The demo data, in Parquet for the embedded engine and loaded into fakesnow. Once per test binary.
struct Demo {
    embedded: EmbeddedWarehouse,
    _dir: tempfile::TempDir,
}

fn snowflake_type(t: &arrow_schema::DataType) -> String {
    use arrow_schema::DataType as D;
    match t {
        D::Utf8 => "VARCHAR".into(),
        D::Boolean => "BOOLEAN".into(),
        D::Timestamp(_, _) => "TIMESTAMP_NTZ".into(),
        D::Decimal128(p, s) => format!("NUMBER({p},{s})"),
        D::Date32 => "DATE".into(),
        other => panic!("no Snowflake type for {other}"),
    }
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("warehouse");
        let opts = DemoOptions { scale: SCALE, ..DemoOptions::default() };
        inda_demo::generate(&root, &opts, &|_| {}).expect("demo data");
        // The tests are async: the load runs on a thread of its own with a runtime of its own.
        let loader_root = root.clone();
        std::thread::spawn(move || load(&loader_root)).join().expect("the load panicked");
        Demo { embedded: EmbeddedWarehouse::new(root), _dir: dir }
    })
}

/// Creates the marts in fakesnow and loads the demo's Parquet files into them.
fn load(root: &std::path::Path) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let sf = warehouse_with(vec![]);
        let admin = session("acme_corp");
        let run = |sql: String| {
            let sf = sf.clone();
            let admin = admin.clone();
            async move {
                sf.run_trusted(&admin, &sql, &[], &limits(), &Cancel::new())
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        };
        run("CREATE DATABASE IF NOT EXISTS INDIGITAL_DEV".into()).await;
        run("CREATE SCHEMA IF NOT EXISTS INDIGITAL_DEV.MARTS".into()).await;
        for table in inda_core::marts::names() {
            let schema = marts_schema(table).expect("schema");
            let columns: Vec<String> = schema
                .fields()
                .iter()
                .map(|f| {
                    let null = if f.is_nullable() { "" } else { " NOT NULL" };
                    format!("{} {}{null}", f.name(), snowflake_type(f.data_type()))
                })
                .collect();
            run(format!("CREATE OR REPLACE TABLE MARTS.{table} ({})", columns.join(", "))).await;
            let files = root.join("marts").join(table).join("*").join("*.parquet");
            run(format!("INSERT INTO MARTS.{table} SELECT * FROM read_parquet('{}')", files.display())).await;
        }
        // The tenants directory, from the demo's own admin/tenants.json (what the embedded engine reads).
        run("CREATE SCHEMA IF NOT EXISTS INDIGITAL_DEV.ADMIN".into()).await;
        run(TENANTS_TABLE.into()).await;
        let file = std::fs::read_to_string(root.join("admin").join("tenants.json")).expect("tenants.json");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&file).expect("tenants.json is JSON");
        for row in rows {
            let text =
                |k: &str| row[k].as_str().unwrap_or_else(|| panic!("tenants.json: no {k}")).to_string();
            let active = row["is_active"].as_bool().expect("is_active").to_string();
            let config = row["config"].to_string();
            let binds = [text("tenant_id"), text("tenant_name"), text("partner_id"), active, config];
            let binds: Vec<&str> = binds.iter().map(String::as_str).collect();
            sf.run_trusted(&admin, INSERT_TENANT, &binds, &limits(), &Cancel::new())
                .await
                .expect("tenant row");
        }
    });
}

/// ADMIN.TENANTS as 04_admin.sql creates it, without the partner's foreign key (no ADMIN.PARTNERS here).
const TENANTS_TABLE: &str = "CREATE OR REPLACE TABLE ADMIN.TENANTS (tenant_id VARCHAR(50), \
     tenant_name VARCHAR(255), partner_id VARCHAR(50), source_tenant_id VARCHAR(100), is_active BOOLEAN, \
     created_at TIMESTAMP_NTZ, config VARIANT)";
const INSERT_TENANT: &str = "INSERT INTO ADMIN.TENANTS (tenant_id, tenant_name, partner_id, is_active, config) \
     SELECT ?, ?, ?, CAST(? AS BOOLEAN), PARSE_JSON(?)";

fn tenants() -> Vec<&'static str> {
    inda_demo::all_tenants().into_iter().map(|(id, _, _)| id).collect()
}

/// Numbers compare by value (Snowflake and DataFusion pick different decimal scales and float/decimal
/// types for the same expression), to the precision of the less precise side: DataFusion's AVG of a
/// NUMBER(12,2) stops at 6 decimals (truncated) where fakesnow returns a double. Everything else exactly.
fn same_value(a: &Value, b: &Value) -> bool {
    let scale = |v: &Value| match v {
        Value::Decimal { scale, .. } => Some(i32::from(*scale)),
        _ => None,
    };
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => {
            let relative = 1e-9 * x.abs().max(y.abs()).max(1.0);
            let unit = match (scale(a), scale(b)) {
                (Some(s), Some(t)) => 10f64.powi(-s.min(t)),
                (Some(s), None) | (None, Some(s)) => 10f64.powi(-s),
                (None, None) => 0.0,
            };
            (x - y).abs() <= relative.max(unit)
        }
        _ => match (a, b) {
            (Value::Date(d), Value::Timestamp(t)) | (Value::Timestamp(t), Value::Date(d)) => {
                d.and_hms_opt(0, 0, 0) == Some(*t)
            }
            _ => a == b,
        },
    }
}

fn sort_key(row: &[Value]) -> String {
    row.iter()
        .map(|v| match v.as_f64() {
            Some(f) => format!("{f:.6}"),
            None => v.to_text(),
        })
        .collect::<Vec<_>>()
        .join("\u{1}")
}

fn compare(label: &str, embedded: &ResultSet, snowflake: &ResultSet, ordered: bool) -> Result<(), String> {
    // An unaliased expression is named by each engine its own way (`count(*)` in DataFusion and Snowflake,
    // `count_star()` in fakesnow's DuckDB): only plain names are compared.
    let names =
        |rs: &ResultSet| {
            rs.columns
                .iter()
                .map(|c| c.name.to_lowercase())
                .map(|n| {
                    if n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') { n } else { "(expr)".into() }
                })
                .collect::<Vec<_>>()
        };
    if names(embedded) != names(snowflake) {
        return Err(format!("{label}: columns {:?} vs {:?}", names(embedded), names(snowflake)));
    }
    if embedded.rows.len() != snowflake.rows.len() {
        return Err(format!("{label}: {} rows vs {}", embedded.rows.len(), snowflake.rows.len()));
    }
    let (mut e, mut s) = (embedded.rows.clone(), snowflake.rows.clone());
    if !ordered {
        e.sort_by_key(|r| sort_key(r));
        s.sort_by_key(|r| sort_key(r));
    }
    for (i, (re, rs)) in e.iter().zip(&s).enumerate() {
        if re.len() != rs.len() || !re.iter().zip(rs).all(|(a, b)| same_value(a, b)) {
            return Err(format!("{label}: row {i} differs: {re:?} vs {rs:?}"));
        }
    }
    Ok(())
}

fn guard(sql: &str, tenant: &str) -> Result<String, Error> {
    guard_scope(sql, &Scope::one(tenant)?)
}

fn guard_scope(sql: &str, scope: &Scope) -> Result<String, Error> {
    Ok(inda_guard::guard(sql, scope, &Catalog::marts(), &GuardOptions::default())?.sql)
}

#[tokio::test(flavor = "multi_thread")]
async fn every_dev_question_gives_the_same_answer_on_both_engines() {
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let mut failures = Vec::new();
    let (mut checked, mut nonempty) = (0, 0);
    let mut latencies = Vec::new();
    for line in NL_DEV.lines().filter(|l| !l.trim().is_empty()) {
        let item: serde_json::Value = serde_json::from_str(line).expect("jsonl");
        let id = item["id"].as_str().expect("id");
        let sql = item["sql"].as_str().expect("sql");
        let ordered = item["ordered"].as_bool().unwrap_or(false);
        for tenant in tenants() {
            let s = session(tenant);
            let guarded = guard(sql, tenant)
                .unwrap_or_else(|e| panic!("{id}: the guard refused a reference query: {e}"));
            let e = demo.embedded.query(&s, &guarded, &limits(), &Cancel::new()).await;
            let started = Instant::now();
            let f = sf.query(&s, &guarded, &limits(), &Cancel::new()).await;
            latencies.push(started.elapsed());
            checked += 1;
            match (e, f) {
                (Ok(e), Ok(f)) => {
                    nonempty += usize::from(!e.rows.is_empty());
                    if let Err(m) = compare(&format!("{id}/{tenant}"), &e, &f, ordered) {
                        failures.push(m);
                    }
                }
                (e, f) => {
                    failures.push(format!("{id}/{tenant}: embedded {:?} vs snowflake {:?}", e.err(), f.err()))
                }
            }
        }
    }
    latencies.sort();
    let p50 = latencies[latencies.len() / 2];
    let p95 = latencies[latencies.len() * 95 / 100];
    eprintln!(
        "parity: {} of {checked} (question, tenant) pairs equal, {nonempty} with rows; snowflake latency p50 {p50:?} p95 {p95:?}",
        checked - failures.len()
    );
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(nonempty * 2 > checked, "most answers should have rows, only {nonempty} of {checked} had");
}

/// Measures of different data side by side: the engine's SQL (each table grouped on its own, FULL JOIN on
/// the breakdown with IS NOT DISTINCT FROM, ORDER BY positions) gives the same rows on both engines.
#[tokio::test(flavor = "multi_thread")]
async fn measures_side_by_side_give_the_same_answer_on_both_engines() {
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let model = inda_semantic::SemanticModel::builtin().expect("the shipped model");
    let today = chrono::Utc::now().date_naive();
    let mut failures = Vec::new();
    for q in [
        "customers and revenue by country",
        "messaging cost and revenue by channel last month",
        "mensajes enviados e ingresos del mes pasado",
        "active campaigns with their budget and messages sent",
        "top 3 campaigns by revenue, with budget and revenue",
    ] {
        let plan =
            inda_semantic::interpret(&model, q, None, today).unwrap_or_else(|e| panic!("{q}: {}", e.message));
        assert!(plan.sql.contains("part_2"), "{q}: not side by side: {}", plan.sql);
        for tenant in tenants() {
            let s = session(tenant);
            let guarded =
                guard(&plan.sql, tenant).unwrap_or_else(|e| panic!("{q}: the guard refused it: {e}"));
            let e = demo.embedded.query(&s, &guarded, &limits(), &Cancel::new()).await;
            let f = sf.query(&s, &guarded, &limits(), &Cancel::new()).await;
            match (e, f) {
                (Ok(e), Ok(f)) => {
                    assert!(!e.rows.is_empty(), "{q}/{tenant}: no rows");
                    if let Err(m) = compare(&format!("{q}/{tenant}"), &e, &f, true) {
                        failures.push(m);
                    }
                }
                (e, f) => {
                    failures.push(format!("{q}/{tenant}: embedded {:?} vs snowflake {:?}", e.err(), f.err()))
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Money in the reporting currency (semantics.md, Money): the gold conversion through `marts.fx_rates`
/// gives the same revenue on both engines for every tenant, and no amount lacks its month's rate.
#[tokio::test(flavor = "multi_thread")]
async fn money_converts_the_same_on_both_engines() {
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let join = "FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency \
                AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
                WHERE a.activity_type IN ('purchase','refund')";
    let queries = [
        format!("SELECT SUM(a.amount * f.rate) AS revenue {join}"),
        format!(
            "SELECT COUNT(*) AS missing {} AND f.rate IS NULL",
            join.replacen(" JOIN ", " LEFT JOIN ", 1)
        ),
        "SELECT currency, COUNT(*) AS months, MIN(rate) AS low, MAX(rate) AS high FROM marts.fx_rates \
         GROUP BY currency"
            .to_string(),
    ];
    for tenant in tenants() {
        let s = session(tenant);
        for (i, sql) in queries.iter().enumerate() {
            let guarded = guard(sql, tenant).unwrap_or_else(|e| panic!("{sql}: {e}"));
            let e = demo.embedded.query(&s, &guarded, &limits(), &Cancel::new()).await.expect("embedded");
            let f = sf.query(&s, &guarded, &limits(), &Cancel::new()).await.expect("snowflake");
            compare(&format!("money {i} / {tenant}"), &e, &f, false).unwrap_or_else(|m| panic!("{m}"));
            if i == 1 {
                assert_eq!(f.rows[0][0].as_f64(), Some(0.0), "{tenant}: amounts without a rate");
            }
        }
    }
}

/// The reporting currency comes from ADMIN.TENANTS' config, through a bound statement: the tenant's own
/// row, `None` for a tenant without one, and a quote in the tenant id is data, not SQL. In a database of
/// its own: it rewrites ADMIN.TENANTS, which the demo database's directory tests read as loaded.
#[tokio::test(flavor = "multi_thread")]
async fn the_reporting_currency_is_read_from_admin_tenants() {
    let sf = warehouse_in("INDIGITAL_CURRENCY");
    let admin = session("acme_corp");
    let run = |sql: &'static str| {
        let sf = sf.clone();
        let admin = admin.clone();
        async move {
            sf.run_trusted(&admin, sql, &[], &limits(), &Cancel::new())
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
        }
    };
    run("CREATE DATABASE IF NOT EXISTS INDIGITAL_CURRENCY").await;
    run("CREATE SCHEMA IF NOT EXISTS INDIGITAL_CURRENCY.ADMIN").await;
    run(TENANTS_TABLE).await;
    run("INSERT INTO ADMIN.TENANTS (tenant_id, tenant_name, partner_id, is_active, config) \
         SELECT 'globex', 'Globex', 'indigital', TRUE, PARSE_JSON('{\"default_currency\": \"MXN\"}') UNION ALL \
         SELECT 'initech', 'Initech', 'indigital', TRUE, PARSE_JSON('{\"locale\": \"es-PE\"}')")
    .await;
    let currency = |tenant: &'static str| {
        let sf = sf.clone();
        async move { sf.reporting_currency(&session(tenant)).await.expect("reporting currency") }
    };
    assert_eq!(currency("globex").await.as_deref(), Some("MXN"));
    assert_eq!(currency("initech").await, None, "no default_currency in the config");
    assert_eq!(currency("nobody' OR '1'='1").await, None);
    // Remembered: a second question does not ask again.
    run("UPDATE ADMIN.TENANTS SET config = PARSE_JSON('{\"default_currency\": \"USD\"}') WHERE tenant_id = 'globex'")
        .await;
    assert_eq!(currency("globex").await.as_deref(), Some("MXN"));
}

/// Records what each statement carried on the wire (fakesnow cannot show a QUERY_TAG back) and counts
/// sign-ins.
#[derive(Default)]
struct Wire {
    tags: std::sync::Mutex<Vec<(String, serde_json::Value)>>,
    logins: AtomicUsize,
}

impl Wire {
    /// The QUERY_TAG sent with the last statement whose SQL was `sql`.
    fn tag_of(&self, sql: &str) -> serde_json::Value {
        let tags = self.tags.lock().expect("tags");
        let (_, tag) =
            tags.iter().rev().find(|(s, _)| s == sql).unwrap_or_else(|| panic!("never sent: {sql}"));
        tag.clone()
    }
}

#[async_trait]
impl Middleware for Wire {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let path = req.url().path().to_string();
        if path.ends_with("login-request") {
            self.logins.fetch_add(1, Ordering::SeqCst);
        }
        if path.ends_with("query-request")
            && let Some(body) = req.body().and_then(|b| b.as_bytes())
            && let Ok(body) = serde_json::from_slice::<serde_json::Value>(body)
        {
            let sql = body["sqlText"].as_str().unwrap_or_default().to_string();
            let tag = body["parameters"]["QUERY_TAG"].as_str().unwrap_or("null");
            let tag = serde_json::from_str(tag).unwrap_or(serde_json::Value::Null);
            self.tags.lock().expect("tags").push((sql, tag));
        }
        next.run(req, extensions).await
    }
}

/// A partner administrator's scope of two tenants on Snowflake: the guard's `tenant_id IN (…)` filter
/// reads exactly those two, each with the rows its own analyst's one-tenant session counts, and the same
/// as the embedded engine for the same scope. Every statement's QUERY_TAG names role and scope; a pooled
/// session reused for a narrower scope of the same user carries the narrower scope, never the wider one.
#[tokio::test(flavor = "multi_thread")]
async fn a_partner_admins_scope_reads_exactly_its_tenants_and_each_statement_is_tagged_with_it() {
    let demo = demo();
    let wire = Arc::new(Wire::default());
    let sf = warehouse_with(vec![wire.clone() as Arc<dyn Middleware>]);
    let sql = "SELECT tenant_id, COUNT(*) AS messages FROM marts.fct_messages GROUP BY tenant_id";
    let counts = |rs: &ResultSet| {
        let mut rows: Vec<(String, i64)> =
            rs.rows.iter().map(|r| (r[0].to_text(), r[1].as_f64().expect("a count") as i64)).collect();
        rows.sort();
        rows
    };

    let admin = admin_session(Role::PartnerAdmin, "acme_corp", &["globex", "acme_corp"]);
    let guarded = guard_scope(sql, &admin.scope).expect("guarded");
    assert!(guarded.contains("IN ('acme_corp', 'globex')"), "{guarded}");
    let both = sf.query(&admin, &guarded, &limits(), &Cancel::new()).await.expect("the admin's query");
    let both = counts(&both);
    let tenants: Vec<&str> = both.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(tenants, ["acme_corp", "globex"], "exactly the scope's tenants");
    for (tenant, n) in &both {
        let own = guard(sql, tenant).expect("guarded");
        let one = sf.query(&session(tenant), &own, &limits(), &Cancel::new()).await.expect("one tenant");
        assert_eq!(counts(&one), vec![(tenant.clone(), *n)], "{tenant}: the admin's count is its analyst's");
        assert!(*n > 0, "{tenant} has messages");
        let tag = wire.tag_of(&own);
        assert_eq!(tag["role"], "analyst");
        assert_eq!(tag["scope"], serde_json::json!([tenant]));
    }
    let embedded = demo.embedded.query(&admin, &guarded, &limits(), &Cancel::new()).await.expect("embedded");
    assert_eq!(counts(&embedded), both, "the same scope on both engines");

    let tag = wire.tag_of(&guarded);
    assert_eq!(tag["role"], "partner_admin", "{tag}");
    assert_eq!(tag["scope"], serde_json::json!(["acme_corp", "globex"]), "{tag}");
    assert_eq!((tag["tenant"].as_str(), tag["scope_count"].as_u64()), (Some("acme_corp"), Some(2)));
    assert_eq!(tag["user"], "admin@acme_corp.example");

    // The same admin narrows the scope: the pooled session is reused, and its statement says so.
    let narrowed = Session { scope: Scope::one("acme_corp").expect("scope"), ..admin.clone() };
    let logins = wire.logins.load(Ordering::SeqCst);
    let own = guard_scope(sql, &narrowed.scope).expect("guarded");
    let one = sf.query(&narrowed, &own, &limits(), &Cancel::new()).await.expect("narrowed");
    assert_eq!(counts(&one), both[..1].to_vec());
    assert_eq!(wire.logins.load(Ordering::SeqCst), logins, "the admin's pooled session was reused");
    let tag = wire.tag_of(&own);
    assert_eq!(
        (tag["role"].as_str(), tag["scope"].clone()),
        (Some("partner_admin"), serde_json::json!(["acme_corp"]))
    );
}

/// The tenants directory: ADMIN.TENANTS as Snowflake shows the session (fakesnow has no row access policy,
/// so every row), the same entries the embedded engine reads from the demo's admin/tenants.json, directly
/// and through the trait (signed in for the session it is given).
#[tokio::test(flavor = "multi_thread")]
async fn the_tenants_directory_is_read_from_admin_tenants() {
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let admin = admin_session(Role::PlatformAdmin, "acme_corp", &["acme_corp"]);
    let mut want: Vec<TenantEntry> =
        demo.embedded.tenants(&admin).await.expect("embedded").expect("tenants.json");
    want.sort_by(|a, b| a.tenant_id.cmp(&b.tenant_id));
    let got = sf.tenants_for(&admin).await.expect("the directory");
    assert_eq!(got, want);
    let ids: Vec<&str> = got.iter().map(|t| t.tenant_id.as_str()).collect();
    assert_eq!(ids, ["acme_corp", "globex", "initech", "stark_ind", "umbrella"]);
    assert!(
        got.iter().all(|t| t.is_active && t.currency.as_deref().is_some_and(|c| c.len() == 3)),
        "{got:?}"
    );
    assert_eq!(
        got.iter().find(|t| t.tenant_id == "stark_ind").map(|t| t.partner_id.as_str()),
        Some("other_partner")
    );
    // The trait's read, for an analyst's session of another tenant: the same rows (fakesnow has no policy).
    assert_eq!(sf.tenants(&session("globex")).await.expect("the directory"), Some(want));
}

/// Attacks the guard must refuse, or rewrite into something that still reads only the caller's tenant.
const ATTACKS: &[&str] = &[
    "SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex'",
    "SELECT tenant_id, COUNT(*) FROM marts.dim_contacts WHERE 1=1 OR tenant_id <> '' GROUP BY tenant_id",
    "SELECT tenant_id, COUNT(*) FROM MARTS.DIM_CONTACTS GROUP BY tenant_id",
    "SELECT tenant_id, COUNT(*) FROM \"MARTS\".\"DIM_CONTACTS\" GROUP BY tenant_id",
    // (campaigns with campaigns: an `OR TRUE` join is a cross join, kept small enough for a debug build)
    "SELECT c.tenant_id, COUNT(*) FROM marts.dim_campaigns c LEFT JOIN marts.dim_campaigns m ON m.campaign_id = c.campaign_id OR TRUE GROUP BY 1",
    "SELECT tenant_id FROM marts.dim_contacts UNION SELECT tenant_id FROM marts.fct_activities",
    "SELECT tenant_id, currency, COUNT(*) FROM marts.fx_rates GROUP BY tenant_id, currency",
    "SELECT f.tenant_id, COUNT(*) FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency GROUP BY 1",
    "WITH x AS (SELECT * FROM marts.dim_campaigns) SELECT tenant_id, COUNT(*) FROM x GROUP BY 1",
    "SELECT (SELECT COUNT(*) FROM marts.fct_messages) AS n",
    "SELECT * FROM admin.tenants",
    "SELECT * FROM raw.indigital_users",
    "DELETE FROM marts.dim_contacts",
    "SELECT 1; DROP TABLE marts.dim_contacts",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))",
    "SELECT * FROM marts.dim_contacts AT(OFFSET => -60)",
    "SELECT SYSTEM$WHITELIST()",
    "ALTER SESSION SET QUERY_TAG = 'x'",
    "SELECT * FROM INDIGITAL_DEV.MARTS.DIM_CONTACTS",
];

#[tokio::test(flavor = "multi_thread")]
async fn guard_attacks_are_refused_or_stay_in_the_tenant_on_both_engines() {
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let (mut refused, mut contained) = (0, 0);
    for attack in ATTACKS {
        for tenant in ["acme_corp", "stark_ind"] {
            let guarded = match guard(attack, tenant) {
                Err(e) => {
                    assert_eq!(e.code, ErrorCode::GuardRejected, "{attack}");
                    refused += 1;
                    continue;
                }
                Ok(g) => g,
            };
            let s = session(tenant);
            let e = demo.embedded.query(&s, &guarded, &limits(), &Cancel::new()).await;
            let f = sf.query(&s, &guarded, &limits(), &Cancel::new()).await;
            match (e, f) {
                (Ok(e), Ok(f)) => {
                    compare(&format!("{attack} / {tenant}"), &e, &f, false).unwrap_or_else(|m| panic!("{m}"));
                    if let Some(col) = f.column_index("tenant_id") {
                        assert!(
                            f.rows.iter().all(|r| r[col] == Value::Text(tenant.into())),
                            "{attack}: another tenant's rows on Snowflake"
                        );
                    }
                    contained += 1;
                }
                (Err(e), Err(f)) => {
                    assert_eq!((e.code, f.code), (ErrorCode::Engine, ErrorCode::Engine), "{attack}");
                    contained += 1;
                }
                (e, f) => panic!("{attack} / {tenant}: embedded {e:?} vs snowflake {f:?}"),
            }
        }
    }
    eprintln!("attacks: {refused} refused by the guard, {contained} rewritten and contained on both engines");
    assert!(refused > 0 && contained > 0);
}

/// Injects faults into requests whose SQL carries a marker, and session expiries on demand.
#[derive(Default)]
struct Faults {
    expire_next: AtomicUsize,
    logins: AtomicUsize,
}

#[async_trait]
impl Middleware for Faults {
    async fn handle(
        &self,
        req: reqwest::Request,
        extensions: &mut http::Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let body = req.body().and_then(|b| b.as_bytes()).map(|b| String::from_utf8_lossy(b).to_string());
        let body = body.unwrap_or_default();
        let path = req.url().path().to_string();
        if path.ends_with("login-request") {
            self.logins.fetch_add(1, Ordering::SeqCst);
        }
        if path.ends_with("query-request") {
            if body.contains("/*slow*/") {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            if body.contains("/*http500*/") {
                return Ok(http::Response::builder()
                    .status(500)
                    .body("upstream connect error or disconnect/reset before headers")
                    .expect("response")
                    .into());
            }
            if self.expire_next.load(Ordering::SeqCst) > 0 {
                self.expire_next.fetch_sub(1, Ordering::SeqCst);
                let expired = serde_json::json!({
                    "data": {"errorCode": "390112"}, "code": "390112", "success": false,
                    "message": "Your session has expired. Please login again.",
                });
                return Ok(http::Response::builder()
                    .status(200)
                    .body(expired.to_string())
                    .expect("response")
                    .into());
            }
        }
        next.run(req, extensions).await
    }
}

fn faulty() -> (SnowflakeWarehouse, Arc<Faults>) {
    let faults = Arc::new(Faults::default());
    (warehouse_with(vec![faults.clone() as Arc<dyn Middleware>]), faults)
}

fn assert_engine(result: Result<ResultSet, Error>, expect: &str) -> String {
    let e = result.expect_err("should fail");
    assert_eq!(e.code, ErrorCode::Engine, "{e:?}");
    assert!(e.message.contains(expect), "{:?} should mention {expect:?}", e.message);
    e.message
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_is_down_is_an_engine_error_quickly() {
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    let sf =
        SnowflakeWarehouse::new(profile(format!("http://127.0.0.1:{port}")), password()).expect("warehouse");
    let started = Instant::now();
    let msg = assert_engine(
        sf.query(&session("acme_corp"), "SELECT 1", &limits(), &Cancel::new()).await,
        "could not be reached",
    );
    eprintln!("server down: {msg} after {:?}", started.elapsed());
    assert!(started.elapsed() < Duration::from_secs(10), "login retries must stay short");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_query_past_its_timeout_is_stopped_and_the_warehouse_stays_usable() {
    let (sf, _) = faulty();
    let s = session("acme_corp");
    let short = QueryLimits { timeout: Duration::from_secs(1), ..limits() };
    let started = Instant::now();
    assert_engine(
        sf.query(&s, "SELECT /*slow*/ 1 AS x", &short, &Cancel::new()).await,
        "did not finish within 1 s",
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    let ok = sf.query(&s, "SELECT 1 AS x", &limits(), &Cancel::new()).await.expect("usable after a timeout");
    assert_eq!(ok.rows, vec![vec![Value::Int(1)]]);

    let cancel = Cancel::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        c2.cancel();
    });
    assert_engine(sf.query(&s, "SELECT /*slow*/ 1 AS x", &limits(), &cancel).await, "cancelled");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_http_500_is_reported_and_not_retried() {
    let (sf, _) = faulty();
    let msg = assert_engine(
        sf.query(&session("acme_corp"), "SELECT /*http500*/ 1", &limits(), &Cancel::new()).await,
        "HTTP 500",
    );
    assert!(msg.contains("not retried"), "{msg}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_syntax_error_is_snowflakes_own_message() {
    let sf = warehouse_with(vec![]);
    let msg = assert_engine(
        sf.query(&session("acme_corp"), "SELEC 1", &limits(), &Cancel::new()).await,
        "Snowflake refused the query",
    );
    assert!(msg.contains("001003"), "{msg}");
    // The session survives its statement's error.
    assert_eq!(sf.idle_sessions(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_session_signs_in_again_once() {
    let (sf, faults) = faulty();
    let s = session("acme_corp");
    sf.query(&s, "SELECT 1", &limits(), &Cancel::new()).await.expect("first");
    assert_eq!(faults.logins.load(Ordering::SeqCst), 1);
    faults.expire_next.store(1, Ordering::SeqCst);
    let rs = sf.query(&s, "SELECT 2 AS two", &limits(), &Cancel::new()).await.expect("recovers");
    assert_eq!(rs.rows, vec![vec![Value::Int(2)]]);
    assert_eq!(faults.logins.load(Ordering::SeqCst), 2);
    faults.expire_next.store(2, Ordering::SeqCst);
    assert_engine(sf.query(&s, "SELECT 3", &limits(), &Cancel::new()).await, "session expired");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_queries_use_one_session_each_within_the_cap() {
    let sf = warehouse_with(vec![]);
    let s = session("globex");
    let runs = (0..8).map(|i| {
        let sf = sf.clone();
        let s = s.clone();
        async move { sf.query(&s, &format!("SELECT {i} AS i"), &limits(), &Cancel::new()).await }
    });
    let results = futures_util::future::join_all(runs).await;
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r.expect("query").rows, vec![vec![Value::Int(i as i64)]]);
    }
    let idle = sf.idle_sessions();
    assert!((1..=3).contains(&idle), "{idle} sessions for a cap of 3");
}

#[tokio::test(flavor = "multi_thread")]
async fn key_pair_sign_in_and_typed_columns() {
    use rsa::pkcs8::EncodePrivateKey;
    // A throwaway key made now; 1024 bits keeps a debug build fast and fakesnow does not check it.
    let key = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).expect("key");
    let pem = key.to_pkcs8_pem(Default::default()).expect("pem").to_string();
    let mut p = profile(server().base_url());
    p.auth = AuthMethod::KeyPair;
    let creds: CredentialSource = Arc::new(move |_| Ok(Credentials::KeyPair(Secret::new(pem.clone()))));
    let sf = SnowflakeWarehouse::new(p, creds).expect("warehouse");
    let rs = sf
        .query(
            &session("acme_corp"),
            "SELECT 42 AS n, CAST(12.5 AS NUMBER(10,2)) AS amount, TRUE AS flag, DATE '2025-03-01' AS d, \
             CAST('2025-03-01 10:30:00' AS TIMESTAMP_NTZ) AS ts, CAST(NULL AS TIMESTAMP_NTZ) AS missing, \
             PARSE_JSON('{\"k\": [1, 2]}') AS doc, 'x' AS \"MixedCase\"",
            &limits(),
            &Cancel::new(),
        )
        .await
        .expect("typed query");
    let types: Vec<(&str, &str)> =
        rs.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str())).collect();
    assert_eq!(
        types,
        vec![
            ("n", "BIGINT"),
            ("amount", "DECIMAL(10,2)"),
            ("flag", "BOOLEAN"),
            ("d", "DATE"),
            ("ts", "TIMESTAMP"),
            ("missing", "TIMESTAMP"),
            ("doc", "JSON"),
            ("MixedCase", "VARCHAR")
        ]
    );
    let row = &rs.rows[0];
    assert_eq!(row[0], Value::Int(42));
    assert_eq!(row[1].to_text(), "12.50");
    assert_eq!(row[2], Value::Bool(true));
    assert_eq!(row[3].to_text(), "2025-03-01");
    assert_eq!(row[4].to_text(), "2025-03-01T10:30:00");
    assert_eq!(row[5], Value::Null);
    assert_eq!(row[6], Value::Json(serde_json::json!({"k": [1, 2]})));

    let empty = sf
        .query(&session("acme_corp"), "SELECT 1 AS a, 'b' AS b WHERE 1 = 0", &limits(), &Cancel::new())
        .await
        .expect("empty");
    assert!(empty.rows.is_empty());
    assert_eq!(empty.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

/// `inda warehouse test` against the protocol peer: it signs in, reads the session's role, warehouse and
/// database, counts every mart, and asks Snowflake for the row access policies' bodies and which tables
/// carry them. fakesnow cannot answer that last question (no `DESCRIBE ROW ACCESS POLICY`, no
/// `POLICY_REFERENCES`), which must come out as a warning that says the wall is not verified, never as a
/// pass.
#[tokio::test(flavor = "multi_thread")]
async fn the_warehouse_check_reports_each_part_and_never_vouches_for_policies_it_cannot_see() {
    let _ = demo();
    let sf = warehouse_with(vec![]);
    let checks = sf.check(&session("acme_corp"), &Cancel::new()).await;
    for c in &checks {
        eprintln!("check {:<20} {:?} {:>5} ms  {}", c.name, c.status, c.ms, c.detail);
    }
    let by = |name: &str| checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} check"));
    let names: Vec<&str> = checks.iter().map(|c| c.name).collect();
    assert_eq!(names, ["connect", "role", "warehouse", "database", "marts", "row_access_policies"]);
    assert_eq!(by("connect").status, CheckStatus::Ok, "{}", by("connect").detail);
    assert!(by("connect").detail.contains("inda_app"), "{}", by("connect").detail);
    let marts = by("marts");
    assert_eq!(marts.status, CheckStatus::Ok, "{}", marts.detail);
    for table in inda_core::marts::names().map(str::to_ascii_uppercase) {
        assert!(marts.detail.contains(&table), "{table} missing from: {}", marts.detail);
    }
    let policies = by("row_access_policies");
    assert_eq!(policies.status, CheckStatus::Warn, "{}", policies.detail);
    for part in ["NOT VERIFIED", "ADMIN.TENANT_DATA_POLICY", "POLICY_REFERENCES", "06_security.sql"] {
        assert!(policies.detail.contains(part), "{part} missing from: {}", policies.detail);
    }
    // Unverified is not failed: the verdict names only real failures, never this one.
    if let Err(verdict) = inda_snowflake::verdict(&checks) {
        assert!(!verdict.message.contains("row_access_policies"), "{}", verdict.message);
    }

    // A server that is down: one failed `connect` with a readable reason, and nothing else attempted.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = dead.local_addr().expect("addr").port();
    drop(dead);
    let down =
        SnowflakeWarehouse::new(profile(format!("http://127.0.0.1:{port}")), password()).expect("warehouse");
    let checks = down.check(&session("acme_corp"), &Cancel::new()).await;
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].status, CheckStatus::Fail);
    assert!(checks[0].detail.contains("could not be reached"), "{}", checks[0].detail);
}

/// Cortex end to end through the protocol peer. fakesnow has no `SNOWFLAKE.CORTEX`: first the error path
/// of a Cortex function that does not exist, which fails with Snowflake's own message, classified so the
/// router stops instead of retrying. Then the stand-in `COMPLETE` the launcher created (it answers
/// [`CORTEX_ANSWER`] whatever the prompt) and the production path as it runs on Snowflake: the model and the
/// prompt travel as bind parameters, the completion is parsed, its SQL goes through the guard and runs on
/// Snowflake, and the rows equal the embedded engine's for the same tenant.
#[tokio::test(flavor = "multi_thread")]
async fn cortex_completes_through_the_warehouse_connection_and_its_sql_is_guarded() {
    use inda_providers::{
        CortexConfig, CortexProvider, CortexRunner, ErrorKind, GenerationRequest, Provider, Turn,
    };
    let demo = demo();
    let sf = warehouse_with(vec![]);
    let tenant = "umbrella";
    let s = session(tenant);
    let runner = sf.cortex(s.clone(), limits());
    let missing = runner
        .query_string("SELECT SNOWFLAKE.CORTEX.NO_SUCH_FUNCTION(?, ?)", &["mistral-large2", "hello"])
        .await
        .expect_err("no such Cortex function");
    eprintln!("a Cortex function that does not exist: {:?}: {}", missing.kind, missing.message);
    assert!(matches!(missing.kind, ErrorKind::BadRequest { .. }), "{:?}", missing.kind);
    assert!(
        missing.message.contains("NO_SUCH_FUNCTION")
            || missing.message.to_lowercase().contains("no_such_function")
    );

    let cortex = CortexProvider::new(runner, CortexConfig::default());
    // Quotes, a semicolon and a comment marker: bound as a parameter, none of it can become SQL.
    let req = GenerationRequest::new(
        "Answer with JSON {sql, chart, explanation} over the marts tables.",
        vec![Turn::user("¿Cuántos mensajes por canal? (it's \"quoted\"; DROP TABLE x; --)")],
    );
    let generation = cortex.generate(&req).await.expect("a completion");
    assert_eq!(generation.provider, "cortex");
    assert_eq!(generation.model, inda_providers::CORTEX_DEFAULT_MODEL);
    assert!(generation.usage_estimated, "the two-argument form reports no usage");
    assert!(generation.usage.input_tokens > 0);
    assert_eq!(generation.answer.explanation, "Messages by channel.");
    let guarded = guard(&generation.answer.sql, tenant).expect("the guard accepts the model's SQL");
    assert!(guarded.contains(&format!("tenant_id = '{tenant}'")), "{guarded}");
    let on_snowflake = sf.query(&s, &guarded, &limits(), &Cancel::new()).await.expect("runs on Snowflake");
    let embedded = demo.embedded.query(&s, &guarded, &limits(), &Cancel::new()).await.expect("runs embedded");
    compare("cortex answer", &embedded, &on_snowflake, true).expect("same rows on both engines");
    assert!(!on_snowflake.rows.is_empty());
}
