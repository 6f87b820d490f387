//! Rollups (`crates/warehouse/src/rollup.rs`, `route.rs`) against the facts: every statement of the
//! project's SQL sets (the gold SQL of each question file, the money statements, the peer shapes) and
//! statements written to find the rewrite's edges is run with rollups and without; where a rollup answers,
//! the results must be the same rows, columns and types. Then: a rollup is rebuilt when its facts change,
//! and it is never reachable by name.

use super::{admin_session, session, setup};
use inda_core::{ResultSet, Scope, Session};
use inda_guard::{Catalog, GuardOptions};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};

include!("../../../../eval/sets.rs");

/// Statements written against the rewrite's rules: each either reads a rollup and gives the facts' answer,
/// or stays on the facts. `true`: it must read a rollup; `false`: it must not.
const EDGES: &[(bool, &str)] = &[
    (false, "SELECT channel, SUM(cost / 3) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(cost * 1.1) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(cost * 1e0) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(cost / 7.0) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(CAST(cost AS DOUBLE)) AS c FROM marts.fct_messages GROUP BY channel"),
    (
        false,
        "SELECT a.currency, SUM(a.amount / f.rate) AS s FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) GROUP BY 1",
    ),
    (
        false,
        "SELECT a.currency, SUM(a.amount * f.rate * 1.07) AS s FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) GROUP BY 1",
    ),
    (
        false,
        "SELECT a.currency, SUM(f.rate) AS s FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) GROUP BY 1",
    ),
    (
        true,
        "SELECT a.currency, SUM(a.amount * f.rate * 2) AS s FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) GROUP BY 1",
    ),
    (
        true,
        "SELECT a.currency, SUM(a.amount * CAST(f.rate * 1.07 AS DECIMAL(18,8))) AS s FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) GROUP BY 1",
    ),
    (
        false,
        "SELECT status, SUM(CASE WHEN channel = 'sms' THEN cost ELSE 0.0 END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (true, "SELECT channel, AVG(cost) AS c FROM marts.fct_messages GROUP BY channel"),
    (
        true,
        "SELECT channel, AVG(-cost * 2) AS c FROM marts.fct_messages GROUP BY channel HAVING AVG(cost) >= 0",
    ),
    (
        true,
        "SELECT c.country, AVG(a.amount * f.rate) AS average_order_value FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type = 'purchase' GROUP BY c.country",
    ),
    (true, "SELECT activity_type, AVG(amount) AS a, COUNT(amount) AS n FROM marts.fct_activities GROUP BY 1"),
    // The bridge writes FILTER as a CASE choosing the measure or NULL.
    (
        true,
        "SELECT activity_type, AVG(amount) FILTER (WHERE currency = 'USD') AS usd FROM marts.fct_activities GROUP BY 1",
    ),
    (
        true,
        "SELECT AVG(amount) AS a, COUNT(amount) AS n FROM marts.fct_activities WHERE activity_type = 'no such type'",
    ),
    (
        true,
        "SELECT DATE_TRUNC('month', occurred_at) AS m, ROUND(AVG(amount), 2) AS a FROM marts.fct_activities GROUP BY 1 ORDER BY 1",
    ),
    (
        true,
        "SELECT channel, AVG(CASE WHEN status = 'read' THEN 1 ELSE 0 END) AS r FROM marts.fct_messages GROUP BY channel",
    ),
    (
        true,
        "SELECT channel, AVG(CASE WHEN status = 'read' THEN 1.0 ELSE 0 END) AS r, AVG(CASE WHEN status = 'failed' THEN 1 END) AS f FROM marts.fct_messages GROUP BY channel",
    ),
    (
        false,
        "SELECT channel, AVG(CASE WHEN status = 'read' THEN 0.5 ELSE 0 END) AS r FROM marts.fct_messages GROUP BY channel",
    ),
    (
        false,
        "SELECT status, AVG(CASE WHEN channel = 'sms' THEN cost ELSE 0 END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (
        true,
        "SELECT status, AVG(CASE WHEN channel = 'sms' THEN cost END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (
        true,
        "SELECT status, AVG(CASE WHEN channel = 'sms' THEN cost * 2 ELSE NULL END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (
        true,
        "SELECT status, AVG(CASE WHEN channel = 'sms' THEN cost ELSE -cost END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (false, "SELECT channel, AVG(DISTINCT cost) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, AVG(cost * 1.5) AS c FROM marts.fct_messages GROUP BY channel"),
    (true, "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY channel"),
    (true, "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE channel = 'fax'"),
    (
        true,
        "SELECT channel, SUM(cost) AS c, COUNT(*) AS n FROM marts.fct_messages WHERE sent_at >= CURRENT_DATE - INTERVAL '30 days' GROUP BY channel",
    ),
    (
        true,
        "SELECT status, SUM(CASE WHEN channel = 'sms' THEN cost ELSE 0 END) AS c FROM marts.fct_messages GROUP BY status",
    ),
    (true, "SELECT COUNT(DISTINCT campaign_id) AS n FROM marts.fct_messages"),
    (
        true,
        "SELECT CAST(sent_at AS DATE) AS d, COUNT(*) AS n FROM marts.fct_messages WHERE CAST(sent_at AS DATE) <= DATE '2026-03-01' GROUP BY 1",
    ),
    (
        true,
        "SELECT channel, ROW_NUMBER() OVER (ORDER BY COUNT(*) DESC) AS rn, COUNT(*) AS n FROM marts.fct_messages GROUP BY channel",
    ),
    (
        true,
        "SELECT channel, SUM(1) AS s, SUM(CASE WHEN status = 'read' THEN 1.0 ELSE 0 END) / COUNT(*) AS r FROM marts.fct_messages GROUP BY channel",
    ),
    (
        true,
        "SELECT MAX(DATE_TRUNC('day', sent_at)) AS last_day, MIN(DATE_TRUNC('month', sent_at)) AS first_month FROM marts.fct_messages",
    ),
    (
        true,
        "SELECT k, n FROM (SELECT 'm' AS k, COUNT(*) AS n FROM marts.fct_messages UNION ALL SELECT 'a' AS k, COUNT(*) AS n FROM marts.fct_activities) AS t",
    ),
    (
        true,
        "WITH x AS (SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1) SELECT * FROM x ORDER BY n DESC",
    ),
    (
        true,
        "SELECT COUNT(*) AS n FROM marts.fct_messages m, marts.dim_campaigns cp WHERE m.campaign_id = cp.campaign_id",
    ),
    (true, "SELECT channel, COUNT(*) FILTER (WHERE status = 'read') AS r FROM marts.fct_messages GROUP BY 1"),
    (
        true,
        "SELECT a.currency, SUM(a.amount) AS amount FROM marts.fct_activities a WHERE a.occurred_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '3 months' GROUP BY 1",
    ),
    (
        true,
        "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at >= '2026-01-01' AND sent_at < TIMESTAMP '2026-06-01 00:00:00'",
    ),
    (
        true,
        "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY channel HAVING COUNT(*) > 100 ORDER BY COUNT(*) DESC",
    ),
    (
        true,
        "SELECT EXTRACT(YEAR FROM sent_at) AS y, DATE_PART('dow', sent_at) AS dow, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1, 2",
    ),
    (
        true,
        "SELECT cp.campaign_type, SUM(m.cost) AS cost, COUNT(m.campaign_id) AS n FROM marts.fct_messages m JOIN marts.dim_campaigns cp ON m.campaign_id = cp.campaign_id GROUP BY cp.campaign_type",
    ),
    (
        true,
        "SELECT DATE_TRUNC('quarter', a.occurred_at) AS q, SUM(a.amount * f.rate) AS revenue, COUNT(CASE WHEN a.currency IS NOT NULL AND f.rate IS NULL THEN 1 END) AS missing FROM marts.fct_activities a LEFT JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) WHERE a.activity_type IN ('purchase', 'refund') GROUP BY 1",
    ),
    (true, "SELECT channel, SUM(-cost * 2) AS c FROM marts.fct_messages GROUP BY channel"),
    (
        true,
        "SELECT c.segment, SUM(a.amount * f.rate) AS revenue, COUNT(CASE WHEN a.currency IS NOT NULL AND f.rate IS NULL THEN 1 END) AS missing FROM marts.fct_activities a LEFT JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase', 'refund') GROUP BY c.segment",
    ),
    (
        true,
        "SELECT country, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON c.contact_id = a.contact_id WHERE a.activity_type = 'purchase' GROUP BY country ORDER BY n DESC",
    ),
    (
        true,
        "SELECT c.segment, cp.campaign_type, COUNT(*) AS n, SUM(a.amount) AS amount FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id JOIN marts.dim_campaigns cp ON a.campaign_id = cp.campaign_id GROUP BY 1, 2",
    ),
    (
        true,
        "SELECT c.lifecycle_stage, DATE_TRUNC('month', a.occurred_at) AS month, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.occurred_at >= DATE_TRUNC('year', CURRENT_DATE) GROUP BY 1, 2 ORDER BY c.lifecycle_stage",
    ),
    (
        false,
        "SELECT c.city, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id GROUP BY c.city",
    ),
    (
        false,
        "SELECT c.segment, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id AND c.opted_in GROUP BY c.segment",
    ),
    (
        false,
        "SELECT c.segment, COUNT(*) AS n FROM marts.fct_activities a LEFT JOIN marts.dim_contacts c ON a.contact_id = c.contact_id GROUP BY c.segment",
    ),
    (
        false,
        "SELECT c.segment, COUNT(*) AS n FROM marts.dim_contacts c JOIN marts.fct_activities a ON a.contact_id = c.contact_id GROUP BY c.segment",
    ),
    (
        false,
        "SELECT c.segment, COUNT(DISTINCT a.contact_id) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id GROUP BY c.segment",
    ),
    (
        false,
        "SELECT segment, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE full_name LIKE 'A%' GROUP BY segment",
    ),
    (
        false,
        "SELECT c.segment, COUNT(*) AS n FROM marts.fct_activities a JOIN marts.dim_contacts c ON a.contact_id = c.contact_id JOIN marts.dim_contacts c2 ON c2.contact_id = a.contact_id GROUP BY c.segment",
    ),
    (false, "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at > CURRENT_DATE - INTERVAL '30 days'"),
    (false, "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at <= TIMESTAMP '2026-10-01 12:00:00'"),
    (false, "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at >= '2026-01-01 10:00:00'"),
    (
        false,
        "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at BETWEEN DATE '2026-01-01' AND DATE '2026-02-01'",
    ),
    (false, "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at >= NOW() - INTERVAL '1 day'"),
    (
        false,
        "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE sent_at >= CURRENT_DATE - INTERVAL '12 hours'",
    ),
    (false, "SELECT DATE_TRUNC('hour', sent_at) AS h, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1"),
    (false, "SELECT EXTRACT(HOUR FROM sent_at) AS h, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1"),
    (false, "SELECT channel, MIN(sent_at) AS first FROM marts.fct_messages GROUP BY channel"),
    (true, "SELECT channel, COUNT(cost) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(cost + 1) AS c FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, SUM(0.5) AS h FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT COUNT(DISTINCT contact_id) AS n FROM marts.fct_messages"),
    (
        false,
        "SELECT c.segment, COUNT(*) AS n FROM marts.fct_messages m JOIN marts.dim_contacts c ON m.contact_id = c.contact_id GROUP BY 1",
    ),
    (
        false,
        "SELECT cp.campaign_name, COUNT(*) AS n FROM marts.dim_campaigns cp LEFT JOIN marts.fct_messages m ON m.campaign_id = cp.campaign_id GROUP BY 1",
    ),
    (
        false,
        "SELECT cp.campaign_name, COUNT(*) AS n FROM marts.fct_messages m RIGHT JOIN marts.dim_campaigns cp ON m.campaign_id = cp.campaign_id GROUP BY 1",
    ),
    (
        false,
        "SELECT channel, COUNT(*) AS n FROM marts.fct_messages m WHERE m.campaign_id IN (SELECT campaign_id FROM marts.dim_campaigns WHERE status = 'active') GROUP BY 1",
    ),
    (
        false,
        "SELECT COUNT(*) AS n FROM marts.fct_messages m JOIN marts.fct_activities a ON m.campaign_id = a.campaign_id",
    ),
    (true, "SELECT direction, COUNT(*) AS status FROM marts.fct_messages GROUP BY direction ORDER BY status"),
    (
        true,
        "SELECT status, COUNT(*) AS channel FROM marts.fct_messages GROUP BY status ORDER BY channel DESC",
    ),
    (false, "SELECT channel, SUM(cost) AS cost FROM marts.fct_messages GROUP BY channel HAVING cost > 1"),
    (false, "SELECT channel, COUNT(*) FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, status FROM marts.fct_messages WHERE sent_at >= CURRENT_DATE"),
    (false, "SELECT channel, ROW_NUMBER() OVER (ORDER BY sent_at) AS rn FROM marts.fct_messages"),
    (
        true,
        "SELECT AVG(a.amount * f.rate) AS aov FROM marts.fct_activities a JOIN marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)",
    ),
    (
        false,
        "SELECT channel, SUM(DATEDIFF('second', sent_at, read_at)) AS s FROM marts.fct_messages GROUP BY channel",
    ),
    (false, "SELECT channel, STRING_AGG(status, ',') AS s FROM marts.fct_messages GROUP BY channel"),
    (false, "SELECT channel, MEDIAN(cost) AS p FROM marts.fct_messages GROUP BY channel"),
];

/// The project's SQL sets, compiled in (a test binary reused from another checkout must not look for files
/// at the path it was built from): every `"sql"` of each line, and the peer shapes.
pub(super) fn project_sql() -> Vec<String> {
    let more = [
        include_str!("../../../../eval/fresh/questions-all.jsonl"),
        include_str!("../../../../eval/fresh/tune.jsonl"),
        include_str!("../../../../eval/fresh/tune2.jsonl"),
        include_str!("../../../../eval/fresh/money-sql.jsonl"),
        // Written from the contracts alone to catch a rollup giving another answer (never tuned against).
        include_str!("../../../../eval/fresh/rollup-sql.jsonl"),
        // The same, aimed at numeric exactness: averages, ratios, literals, rates (a second helper).
        include_str!("../../../../eval/fresh/rollup-sql-2.jsonl"),
    ];
    let mut sql: Vec<String> = QUESTION_SETS
        .iter()
        .chain(&more)
        .flat_map(|set| set.lines().filter(|l| !l.trim().is_empty()))
        .filter_map(|line| {
            serde_json::from_str::<serde_json::Value>(line).ok()?["sql"].as_str().map(String::from)
        })
        .collect();
    let shapes: serde_json::Value =
        serde_json::from_str(include_str!("../../../../bench/peer-shapes.json")).expect("shapes");
    sql.extend(shapes.as_array().into_iter().flatten().filter_map(|s| s["sql"].as_str().map(String::from)));
    sql.sort();
    sql.dedup();
    sql
}

/// Rows in a stable order (a rollup may hand ties in another order), with the columns and their types.
pub(super) fn canonical(rs: &ResultSet) -> (Vec<String>, Vec<String>) {
    let columns = rs.columns.iter().map(|c| format!("{c:?}")).collect();
    let mut rows: Vec<String> = rs.rows.iter().map(|r| format!("{r:?}")).collect();
    rows.sort();
    (columns, rows)
}

/// `sql` with every output column appended to its ORDER BY when a LIMIT cuts the ordered rows. Rows tied on
/// the query's own keys come in any order, so a LIMIT may keep a different one of them on each run (and on the
/// facts and the rollup): both answers are right, and only a total order makes them comparable.
pub(super) fn ties_broken(sql: &str) -> String {
    use sqlparser::ast::{
        Expr, OrderByExpr, OrderByKind, OrderByOptions, SelectItem, SetExpr, Statement, Value,
    };
    let Ok(mut statements) =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SnowflakeDialect {}, sql)
    else {
        return sql.to_string();
    };
    let [Statement::Query(query)] = statements.as_mut_slice() else { return sql.to_string() };
    let SetExpr::Select(select) = query.body.as_ref() else { return sql.to_string() };
    let width = select.projection.len();
    let plain = select
        .projection
        .iter()
        .all(|item| matches!(item, SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }));
    let (Some(_), Some(order_by)) = (&query.limit_clause, &mut query.order_by) else {
        return sql.to_string();
    };
    let OrderByKind::Expressions(keys) = &mut order_by.kind else { return sql.to_string() };
    if !plain {
        return sql.to_string();
    }
    keys.extend((1..=width).map(|i| OrderByExpr {
        expr: Expr::value(Value::Number(i.to_string(), false)),
        options: OrderByOptions { asc: None, nulls_first: None },
        with_fill: None,
    }));
    statements[0].to_string()
}

#[test]
fn ties_at_a_limit_are_broken_by_every_output_column() {
    assert_eq!(
        ties_broken("SELECT a, COUNT(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC LIMIT 3"),
        "SELECT a, COUNT(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC, 1, 2 LIMIT 3"
    );
    for unchanged in
        ["SELECT a FROM t ORDER BY 1", "SELECT * FROM t ORDER BY 1 LIMIT 2", "SELECT a FROM t LIMIT 2"]
    {
        assert_eq!(ties_broken(unchanged), unchanged);
    }
}

struct Outcome {
    routed: bool,
    same: Result<(), String>,
}

/// `sql` guarded for `session`, on the facts and (if a rollup answers it) on the rollup.
fn compare(
    facts: &EmbeddedWarehouse,
    rollups: &EmbeddedWarehouse,
    session: &Session,
    sql: &str,
) -> Option<Outcome> {
    let sql = ties_broken(sql);
    let guarded =
        inda_guard::guard(&sql, &session.scope, &Catalog::marts(), &GuardOptions::default()).ok()?;
    let routed = !rollups.rollups_for(&session.scope, &guarded).is_empty();
    if !routed {
        return Some(Outcome { routed, same: Ok(()) });
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits::default();
    let run =
        |w: &EmbeddedWarehouse| rt.block_on(w.query_guarded(session, &guarded, &limits, &Cancel::new()));
    let same = match (run(facts), run(rollups)) {
        (Ok(a), Ok(b)) if canonical(&a) == canonical(&b) => Ok(()),
        (Ok(a), Ok(b)) => Err(format!("facts {:?}\nrollup {:?}", canonical(&a), canonical(&b))),
        (Err(a), Err(b)) if a.message == b.message => Ok(()),
        (a, b) => Err(format!("facts {:?}\nrollup {:?}", a.map(|r| r.rows.len()), b.map(|r| r.rows.len()))),
    };
    Some(Outcome { routed, same })
}

fn warehouses() -> (EmbeddedWarehouse, EmbeddedWarehouse) {
    let (_, w) = setup();
    (w.clone().with_rollups(false), w.clone())
}

#[test]
fn every_edge_reads_a_rollup_only_when_it_gives_the_same_answer() {
    let (facts, rollups) = warehouses();
    let s = session("umbrella");
    let mut wrong = Vec::new();
    for (expected, sql) in EDGES {
        let outcome = compare(&facts, &rollups, &s, sql).unwrap_or_else(|| panic!("the guard refused {sql}"));
        if outcome.routed != *expected {
            wrong.push(format!("{sql}: {} a rollup", if outcome.routed { "reads" } else { "does not read" }));
        }
        if let Err(diff) = outcome.same {
            wrong.push(format!("{sql}: different answers\n{diff}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// The statements written from the contracts alone against the rollups: every one runs through the guard,
/// and a share of them reads a rollup (with the same answer: they are part of the test below too).
#[test]
fn the_statements_written_to_break_the_rollups_run_and_agree() {
    let (facts, rollups) = warehouses();
    let s = session("umbrella");
    let sets = [
        include_str!("../../../../eval/fresh/rollup-sql.jsonl"),
        include_str!("../../../../eval/fresh/rollup-sql-2.jsonl"),
    ];
    let (mut routed, mut total, mut wrong) = (0, 0, Vec::new());
    for line in sets.iter().flat_map(|set| set.lines()).filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a case");
        let sql = case["sql"].as_str().expect("sql");
        total += 1;
        match compare(&facts, &rollups, &s, sql) {
            None => wrong.push(format!("{}: the guard refused it", case["id"])),
            Some(o) => {
                routed += usize::from(o.routed);
                if let Err(diff) = o.same {
                    wrong.push(format!("{}: {sql}\n{diff}", case["id"]));
                }
            }
        }
    }
    eprintln!("{routed} of {total} read a rollup");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn the_projects_sql_gives_the_same_answers_from_rollups() {
    let (facts, rollups) = warehouses();
    let mut routed = 0;
    let mut wrong = Vec::new();
    let statements = project_sql();
    for tenant in ["acme_corp", "umbrella"] {
        let s = session(tenant);
        for sql in &statements {
            let Some(outcome) = compare(&facts, &rollups, &s, sql) else { continue };
            routed += usize::from(outcome.routed);
            if let Err(diff) = outcome.same {
                wrong.push(format!("{tenant}: {sql}\n{diff}"));
            }
        }
    }
    eprintln!("{routed} of {} runs (statements × 2 tenants) read a rollup", 2 * statements.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // The sets hold hundreds of grouped questions over the facts: the rewrite must take a good share.
    assert!(routed >= 200, "only {routed} read a rollup");
}

#[test]
fn an_admins_scope_reads_each_tenants_rollup() {
    let (facts, rollups) = warehouses();
    let scope = Scope::new(["acme_corp", "globex", "stark_ind"]).unwrap();
    let s = admin_session("acme_corp", &scope);
    let sql =
        "SELECT tenant_id, channel, COUNT(*) AS n, SUM(cost) AS cost FROM marts.fct_messages GROUP BY 1, 2";
    let guarded = inda_guard::guard(sql, &s.scope, &Catalog::marts(), &GuardOptions::default()).unwrap();
    let outcome = compare(&facts, &rollups, &s, sql).expect("guarded");
    assert!(outcome.routed, "{}", guarded.sql);
    outcome.same.unwrap();
}

/// A rollup is never the only copy: changed facts make the next query rebuild it, and its answer follows.
#[test]
fn a_rollup_follows_its_facts() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("warehouse");
    let opts = inda_demo::DemoOptions {
        scale: 0.02,
        seed: 3,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(vec!["globex".into()]),
    };
    inda_demo::generate(&root, &opts, &|_| {}).unwrap();
    let warehouse = EmbeddedWarehouse::new(&root);
    let s = session("globex");
    let sql = "SELECT COUNT(*) AS n FROM marts.fct_messages";
    let guarded = inda_guard::guard(sql, &s.scope, &Catalog::marts(), &GuardOptions::default()).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let count = |w: &EmbeddedWarehouse| {
        let rs = rt.block_on(w.query_guarded(&s, &guarded, &QueryLimits::default(), &Cancel::new())).unwrap();
        super::count(&rs)
    };
    let before = count(&warehouse);
    let built: Vec<_> =
        std::fs::read_dir(root.join("rollups/fct_messages_daily/globex")).unwrap().flatten().collect();
    assert_eq!(built.len(), 1, "one rollup file, built by the first query");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&built[0].path()), 0o600, "owner-only, like every file of the data dir");
        assert_eq!(mode(&root.join("rollups/fct_messages_daily")), 0o700);
    }

    // Another demo of the same tenant (a different seed, so other counts) replaces the facts.
    let opts = inda_demo::DemoOptions { seed: 4, scale: 0.03, ..opts };
    inda_demo::generate(&root, &opts, &|_| {}).unwrap();
    let after = count(&warehouse);
    assert_eq!(after, count(&warehouse.clone().with_rollups(false)));
    assert_ne!(before, after, "the new facts are counted");
    let files: Vec<_> =
        std::fs::read_dir(root.join("rollups/fct_messages_daily/globex")).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "the stale rollup was replaced");
}

/// The rollups' schema is not a table anyone can name: the guard refuses it, and the engine's session
/// without a routed query does not even hold it.
#[test]
fn a_rollup_cannot_be_named() {
    let s = session("umbrella");
    for sql in ["SELECT * FROM rollup.fct_messages_daily", "SELECT COUNT(*) FROM fct_messages_daily"] {
        assert!(
            inda_guard::guard(sql, &s.scope, &Catalog::marts(), &GuardOptions::default()).is_err(),
            "{sql}"
        );
        let err = super::run("umbrella", sql).unwrap_err();
        assert!(!err.message.is_empty());
    }
}
