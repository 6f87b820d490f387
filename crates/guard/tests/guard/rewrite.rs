//! Round trips of every rewrite rule (input SQL → exact output SQL), for a scope of one tenant
//! (`tenant_id = '…'`) and of several (`tenant_id IN (…)`), acceptance of ordinary analytics SQL and of the
//! evaluation set, and the fixed point: guarding the guard's output for the same scope changes nothing,
//! while guarding it for another scope wraps every table again.

use crate::common::{
    accepted, accepted_in, every_scope, filter_of, run, run_in, scope_of, scopes_one_several_all,
    tenant_scope,
};
use inda_guard::{Catalog, GuardOptions, Scope, guard};

const ACME: &str = "WHERE tenant_id = 'acme_corp'";

/// The guard's wrapper of `table` for `filter`, under `alias`.
fn scoped_in(table: &str, alias: &str, filter: &str) -> String {
    format!("(SELECT * FROM marts.{table} {filter}) AS {alias}")
}

/// (input, expected output) for the single-tenant scope of `acme_corp`.
fn round_trips() -> Vec<(String, String)> {
    round_trips_for(&tenant_scope())
}

/// (input, expected output) for `scope`.
fn round_trips_for(scope: &Scope) -> Vec<(String, String)> {
    let filter = filter_of(scope);
    let scoped = |table: &str, alias: &str| scoped_in(table, alias, &filter);
    let contacts = scoped("dim_contacts", "dim_contacts");
    let messages = scoped("fct_messages", "fct_messages");
    let cases: Vec<(&str, String)> = vec![
        // A base table keeps its alias; without one, its own name becomes the alias.
        (
            "SELECT c.country FROM marts.dim_contacts c",
            format!("SELECT c.country FROM {} LIMIT 10000", scoped("dim_contacts", "c")),
        ),
        (
            "SELECT dim_contacts.country FROM dim_contacts",
            format!("SELECT dim_contacts.country FROM {contacts} LIMIT 10000"),
        ),
        // Spellings: case, quotes and a database part all resolve to the canonical name inside.
        (
            "SELECT * FROM MARTS.DIM_CONTACTS",
            format!("SELECT * FROM {} LIMIT 10000", scoped("dim_contacts", "DIM_CONTACTS")),
        ),
        (
            "SELECT * FROM \"marts\".\"dim_contacts\"",
            format!("SELECT * FROM {} LIMIT 10000", scoped("dim_contacts", "\"dim_contacts\"")),
        ),
        (
            "SELECT * FROM Dim_Contacts",
            format!("SELECT * FROM {} LIMIT 10000", scoped("dim_contacts", "Dim_Contacts")),
        ),
        (
            "SELECT * FROM analytics.marts.dim_contacts AS d",
            format!("SELECT * FROM {} LIMIT 10000", scoped("dim_contacts", "d")),
        ),
        // Schema-qualified column and wildcard references follow the table into its alias.
        (
            "SELECT marts.dim_contacts.country, marts.dim_contacts.* FROM marts.dim_contacts",
            format!("SELECT dim_contacts.country, dim_contacts.* FROM {contacts} LIMIT 10000"),
        ),
        // Joins: both sides wrapped, the ON condition untouched.
        (
            "SELECT * FROM marts.dim_contacts c JOIN marts.fct_messages m ON m.contact_id = c.contact_id",
            format!(
                "SELECT * FROM {} JOIN {} ON m.contact_id = c.contact_id LIMIT 10000",
                scoped("dim_contacts", "c"),
                scoped("fct_messages", "m")
            ),
        ),
        // Money converted with the exchange rates (semantics.md, Money): the rates are scoped like the facts.
        (
            "SELECT SUM(a.amount * f.rate) AS revenue FROM marts.fct_activities a JOIN marts.fx_rates f \
             ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
             WHERE a.activity_type IN ('purchase', 'refund')",
            format!(
                "SELECT SUM(a.amount * f.rate) AS revenue FROM {} JOIN {} ON f.currency = a.currency AND \
                 f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) WHERE a.activity_type IN \
                 ('purchase', 'refund') LIMIT 10000",
                scoped("fct_activities", "a"),
                scoped("fx_rates", "f")
            ),
        ),
        // CTEs: the inner table is wrapped, the reference to the CTE is not.
        (
            "WITH dim_contacts AS (SELECT * FROM marts.fct_messages) SELECT * FROM dim_contacts",
            format!("WITH dim_contacts AS (SELECT * FROM {messages}) SELECT * FROM dim_contacts LIMIT 10000"),
        ),
        // A CTE reference is spelled like its definition, so no engine can read it as a table.
        (
            "WITH \"Recent\" AS (SELECT * FROM fct_messages) SELECT recent.channel FROM recent",
            format!(
                "WITH \"Recent\" AS (SELECT * FROM {messages}) SELECT recent.channel FROM \"Recent\" AS recent LIMIT 10000"
            ),
        ),
        // Subqueries in expressions are wrapped too.
        (
            "SELECT (SELECT COUNT(*) FROM marts.fct_messages) AS n",
            format!("SELECT (SELECT COUNT(*) FROM {messages}) AS n LIMIT 10000"),
        ),
        (
            "SELECT * FROM marts.dim_contacts WHERE contact_id IN (SELECT contact_id FROM fct_messages)",
            format!(
                "SELECT * FROM {contacts} WHERE contact_id IN (SELECT contact_id FROM {messages}) LIMIT 10000"
            ),
        ),
        // The same shape for another tenant (a narrower scope, for a scope of several) is wrapped again.
        (
            "SELECT * FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex') AS c",
            format!("SELECT * FROM (SELECT * FROM {contacts} WHERE tenant_id = 'globex') AS c LIMIT 10000"),
        ),
        // Row cap: imposed, lowered, respected, kept with OFFSET.
        ("SELECT 1 AS one", "SELECT 1 AS one LIMIT 10000".to_string()),
        ("SELECT * FROM dim_contacts LIMIT 5", format!("SELECT * FROM {contacts} LIMIT 5")),
        ("SELECT * FROM dim_contacts LIMIT 50000", format!("SELECT * FROM {contacts} LIMIT 10000")),
        (
            "SELECT * FROM dim_contacts LIMIT 50000 OFFSET 20",
            format!("SELECT * FROM {contacts} LIMIT 10000 OFFSET 20"),
        ),
        ("SELECT * FROM dim_contacts LIMIT 0", format!("SELECT * FROM {contacts} LIMIT 0")),
        (
            "SELECT channel FROM fct_messages UNION SELECT channel FROM dim_campaigns ORDER BY 1",
            format!(
                "SELECT channel FROM {messages} UNION SELECT channel FROM {} ORDER BY 1 LIMIT 10000",
                scoped("dim_campaigns", "dim_campaigns")
            ),
        ),
        // Literal TOP and FETCH become a LIMIT.
        ("SELECT TOP 5 * FROM dim_contacts", format!("SELECT * FROM {contacts} LIMIT 5")),
        ("SELECT TOP 20000 * FROM dim_contacts", format!("SELECT * FROM {contacts} LIMIT 10000")),
        ("SELECT * FROM dim_contacts FETCH FIRST 7 ROWS ONLY", format!("SELECT * FROM {contacts} LIMIT 7")),
        (
            "SELECT * FROM dim_contacts LIMIT 3 FETCH FIRST 7 ROWS ONLY",
            format!("SELECT * FROM {contacts} LIMIT 3"),
        ),
        // Bounds that cannot be read before running: the whole query is wrapped under the cap.
        (
            "SELECT * FROM dim_contacts LIMIT 1 + 1",
            format!("SELECT * FROM (SELECT * FROM {contacts} LIMIT 1 + 1) AS guarded LIMIT 10000"),
        ),
        (
            "SELECT * FROM dim_contacts FETCH FIRST 10 PERCENT ROWS ONLY",
            format!(
                "SELECT * FROM (SELECT * FROM {contacts} FETCH FIRST 10 PERCENT ROWS ONLY) AS guarded LIMIT 10000"
            ),
        ),
        // A double minus would render as `--`, a comment: the inner one is parenthesised.
        ("SELECT - -1 AS x", "SELECT -(-1) AS x LIMIT 10000".to_string()),
        // VALUES reads no table.
        ("VALUES (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b') LIMIT 10000".to_string()),
        // Aggregate FILTER becomes a CASE inside the aggregate (Snowflake has no FILTER).
        (
            "SELECT COUNT(*) FILTER (WHERE opted_in) AS n FROM marts.dim_contacts",
            format!("SELECT COUNT(CASE WHEN opted_in THEN 1 END) AS n FROM {contacts} LIMIT 10000"),
        ),
        (
            "select channel, sum(cost) filter (where direction = 'outbound') as spent from fct_messages group by 1",
            format!(
                "SELECT channel, sum(CASE WHEN direction = 'outbound' THEN cost END) AS spent FROM {messages} \
                 GROUP BY 1 LIMIT 10000"
            ),
        ),
        (
            "SELECT COUNT(DISTINCT contact_id) FILTER (WHERE status = 'read') AS readers FROM fct_messages",
            format!(
                "SELECT COUNT(DISTINCT CASE WHEN status = 'read' THEN contact_id END) AS readers FROM {messages} \
                 LIMIT 10000"
            ),
        ),
        (
            "SELECT CORR(cost, 1) FILTER (WHERE cost > 0) AS c FROM fct_messages",
            format!(
                "SELECT CORR(CASE WHEN cost > 0 THEN cost END, CASE WHEN cost > 0 THEN 1 END) AS c FROM {messages} \
                 LIMIT 10000"
            ),
        ),
        (
            "SELECT LISTAGG(country, ', ') FILTER (WHERE opted_in) AS countries FROM dim_contacts",
            format!(
                "SELECT LISTAGG(CASE WHEN opted_in THEN country END, ', ') AS countries FROM {contacts} LIMIT 10000"
            ),
        ),
        (
            "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY amount) FILTER (WHERE activity_type = 'purchase') \
             AS median_purchase FROM fct_activities",
            format!(
                "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CASE WHEN activity_type = 'purchase' THEN amount \
                 END) AS median_purchase FROM {} LIMIT 10000",
                scoped("fct_activities", "fct_activities")
            ),
        ),
        // Over a window frame too, for the same reason: the aggregate skips the NULLs the CASE leaves.
        (
            "SELECT SUM(cost) FILTER (WHERE direction = 'outbound') OVER (PARTITION BY contact_id) AS s FROM fct_messages",
            format!(
                "SELECT SUM(CASE WHEN direction = 'outbound' THEN cost END) OVER (PARTITION BY contact_id) AS s FROM \
                 {messages} LIMIT 10000"
            ),
        ),
        // A subquery in the condition is scoped like any other.
        (
            "SELECT COUNT(*) FILTER (WHERE contact_id IN (SELECT contact_id FROM fct_messages)) AS reached FROM dim_contacts",
            format!(
                "SELECT COUNT(CASE WHEN contact_id IN (SELECT contact_id FROM {messages}) THEN 1 END) AS reached FROM \
                 {contacts} LIMIT 10000"
            ),
        ),
    ];
    let mut cases: Vec<(String, String)> =
        cases.into_iter().map(|(input, output)| (input.to_string(), output)).collect();
    // The guard's own wrapper for this scope is recognised and left alone.
    cases.push((
        format!("SELECT * FROM (SELECT * FROM marts.dim_contacts {filter}) AS c"),
        format!("SELECT * FROM {} LIMIT 10000", scoped("dim_contacts", "c")),
    ));
    cases
}

#[test]
fn every_rewrite_rule_round_trips_to_the_exact_sql() {
    let mut failures = Vec::new();
    for scope in scopes_one_several_all() {
        for (input, expected) in round_trips_for(&scope) {
            let guarded = accepted_in(&input, &scope);
            if guarded.sql != expected {
                failures.push(format!("{scope}: {input}\n  got      {}\n  expected {expected}", guarded.sql));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_single_tenant_wrapper_is_unchanged() {
    // A scope of one renders exactly as the guard did before scopes: `= '<tenant>'`, never `IN (…)`.
    let guarded = accepted("SELECT * FROM marts.dim_contacts c");
    assert_eq!(
        guarded.sql,
        format!("SELECT * FROM (SELECT * FROM marts.dim_contacts {ACME}) AS c LIMIT 10000")
    );
    assert_eq!(filter_of(&tenant_scope()), ACME);
}

#[test]
fn several_tenants_render_one_sorted_in_list() {
    for scope in [
        Scope::new(["globex", "acme_corp"]),
        Scope::new(["acme_corp", "globex", "acme_corp"]),
        Scope::parse_list(" globex ,acme_corp"),
    ] {
        let scope = scope.unwrap_or_else(|e| panic!("{e}"));
        let guarded = accepted_in(
            "SELECT c.country, COUNT(*) FROM marts.dim_contacts c JOIN fct_messages m ON m.contact_id = c.contact_id \
             GROUP BY 1",
            &scope,
        );
        assert_eq!(
            guarded.sql,
            "SELECT c.country, COUNT(*) FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id IN ('acme_corp', \
             'globex')) AS c JOIN (SELECT * FROM marts.fct_messages WHERE tenant_id IN ('acme_corp', 'globex')) AS m \
             ON m.contact_id = c.contact_id GROUP BY 1 LIMIT 10000"
        );
        assert_eq!(guarded.tables, ["dim_contacts", "fct_messages"]);
    }
    let all = Scope::parse_list("initech,globex,acme_corp").unwrap_or_else(|e| panic!("{e}"));
    let guarded = accepted_in("SELECT COUNT(*) AS n FROM dim_campaigns", &all);
    assert_eq!(
        guarded.sql,
        "SELECT COUNT(*) AS n FROM (SELECT * FROM marts.dim_campaigns WHERE tenant_id IN ('acme_corp', 'globex', \
         'initech')) AS dim_campaigns LIMIT 10000"
    );
}

#[test]
fn proven_sql_holds_for_the_in_form() {
    let mut corpus: Vec<String> = eval_queries();
    corpus.extend(ANALYTICS.iter().map(|s| s.to_string()));
    for scope in
        [scope_of(&["acme_corp", "globex"]), scope_of(&["acme_corp", "globex", "initech", "stark-ind_2"])]
    {
        for sql in &corpus {
            let guarded = run_in(sql, &scope).unwrap_or_else(|r| panic!("{sql} refused for {scope}: {r}"));
            let proven = guarded.proven_sql().unwrap_or_else(|r| panic!("{sql} unproven for {scope}: {r}"));
            assert_eq!(proven, guarded.sql);
            assert!(proven.contains(&filter_of(&scope)), "{proven}");
            assert!(!proven.contains("tenant_id = '"), "{proven}");
        }
    }
}

/// How one scope relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Relation {
    Same,
    Narrower,
    Wider,
    Overlapping,
    Disjoint,
}

fn relation(second: &Scope, first: &Scope) -> Relation {
    match (second.is_within(first), first.is_within(second)) {
        (true, true) => Relation::Same,
        (true, false) => Relation::Narrower,
        (false, true) => Relation::Wider,
        _ if first.tenants().iter().any(|t| second.contains(t)) => Relation::Overlapping,
        _ => Relation::Disjoint,
    }
}

#[test]
fn another_scopes_wrapper_is_wrapped_again_never_taken_as_its_own() {
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for first in every_scope() {
        let once = accepted_in("SELECT c.country FROM marts.dim_contacts c", &first);
        for second in every_scope() {
            let how = relation(&second, &first);
            seen.insert(how);
            let twice = accepted_in(&once.sql, &second);
            // The first scope's filter stays (it can only narrow), and the table inside it is read through
            // the second scope's: a narrower scope guarding a wider wrapper still reads only its own tenants.
            let expected = if how == Relation::Same {
                once.sql.clone()
            } else {
                format!(
                    "SELECT c.country FROM (SELECT * FROM {} {}) AS c LIMIT 10000",
                    scoped_in("dim_contacts", "dim_contacts", &filter_of(&second)),
                    filter_of(&first)
                )
            };
            if twice.sql != expected {
                failures.push(format!(
                    "{first} then {second} ({how:?})\n  got      {}\n  expected {expected}",
                    twice.sql
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let all =
        [Relation::Same, Relation::Narrower, Relation::Wider, Relation::Overlapping, Relation::Disjoint];
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), all);
}

#[test]
fn a_wrapper_like_the_scopes_own_but_spelled_otherwise_is_wrapped_again() {
    let scope = scope_of(&["acme_corp", "globex"]);
    let own = filter_of(&scope);
    for filter in [
        "WHERE tenant_id IN ('globex', 'acme_corp')",
        "WHERE tenant_id IN ('acme_corp', 'globex', 'globex')",
        "WHERE tenant_id IN ('acme_corp', 'globex', 'initech')",
        "WHERE tenant_id IN ('acme_corp')",
        "WHERE tenant_id = 'acme_corp'",
        "WHERE tenant_id NOT IN ('acme_corp', 'globex')",
        "WHERE TENANT_ID IN ('acme_corp', 'globex')",
        "WHERE \"tenant_id\" IN ('acme_corp', 'globex')",
        "WHERE (tenant_id IN ('acme_corp', 'globex'))",
        "WHERE tenant_id IN (('acme_corp'), 'globex')",
        "WHERE tenant_id = 'acme_corp' OR tenant_id = 'globex'",
    ] {
        let input = format!("SELECT * FROM (SELECT * FROM marts.dim_contacts {filter}) AS c");
        let guarded = accepted_in(&input, &scope);
        // The input's filter stays outside (it can only narrow); the table inside is read through the scope's.
        let inner = format!(
            "SELECT * FROM (SELECT * FROM {} WHERE ",
            scoped_in("dim_contacts", "dim_contacts", &own)
        );
        assert!(guarded.sql.starts_with(&inner), "{filter}: {}", guarded.sql);
        assert!(guarded.sql.ends_with(") AS c LIMIT 10000"), "{filter}: {}", guarded.sql);
        assert_eq!(guarded.sql.matches("FROM marts.").count(), 1, "{filter}: {}", guarded.sql);
    }
}

#[test]
fn reports_tables_limit_and_capping() {
    let guarded = accepted(
        "SELECT c.country, COUNT(*) FROM marts.fct_messages m JOIN Dim_Contacts c ON c.contact_id = m.contact_id \
         JOIN dim_contacts c2 ON c2.contact_id = c.contact_id GROUP BY 1 LIMIT 20",
    );
    assert_eq!(guarded.tables, ["dim_contacts", "fct_messages"]);
    assert_eq!((guarded.limit, guarded.capped), (20, false));

    let guarded = accepted("SELECT * FROM dim_contacts");
    assert_eq!((guarded.limit, guarded.capped), (10_000, true));

    let small = GuardOptions { max_rows: 100 };
    let guarded = guard("SELECT * FROM dim_contacts LIMIT 500", &tenant_scope(), &Catalog::marts(), &small)
        .unwrap_or_else(|r| panic!("{r}"));
    assert_eq!((guarded.limit, guarded.capped), (100, true));
    assert!(guarded.sql.ends_with("LIMIT 100"), "{}", guarded.sql);

    let guarded = accepted("SELECT 1 AS x");
    assert!(guarded.tables.is_empty());
}

/// Everyday analytics SQL the guard must not get in the way of.
const ANALYTICS: &[&str] = &[
    "SELECT c.country, COUNT(DISTINCT m.message_id) AS messages FROM marts.dim_contacts c \
     LEFT JOIN marts.fct_messages m ON m.contact_id = c.contact_id \
     WHERE m.sent_at BETWEEN CURRENT_DATE - INTERVAL '30 days' AND CURRENT_DATE \
     GROUP BY 1 HAVING COUNT(*) > 2 ORDER BY 2 DESC LIMIT 5",
    "SELECT DISTINCT city FROM marts.dim_contacts WHERE full_name ILIKE '%ana%' AND country IN ('CO', 'MX')",
    "SELECT contact_id, occurred_at FROM marts.fct_activities \
     QUALIFY ROW_NUMBER() OVER (PARTITION BY contact_id ORDER BY occurred_at DESC) = 1",
    "SELECT CASE WHEN amount > 100 THEN 'big' ELSE 'small' END AS size, SUM(amount) FROM marts.fct_activities GROUP BY 1",
    "SELECT EXTRACT(YEAR FROM started_at) AS y, TRY_CAST(budget AS INT), budget::INT FROM marts.dim_campaigns",
    "WITH monthly AS (SELECT DATE_TRUNC('month', sent_at) AS month, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1) \
     SELECT month, n, LAG(n) OVER (ORDER BY month) AS prev, n - LAG(n) OVER (ORDER BY month) AS delta FROM monthly ORDER BY month",
    "SELECT channel, SUM(cost) AS cost, RANK() OVER (ORDER BY SUM(cost) DESC) AS r FROM marts.fct_messages GROUP BY channel",
    "SELECT segment, AVG(amount), MEDIAN(amount), STDDEV(amount), PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY amount) \
     FROM marts.fct_activities a JOIN marts.dim_contacts c USING (contact_id) GROUP BY segment",
    "SELECT COALESCE(email, phone, 'none') AS reach, NULLIF(city, ''), IFF(opted_in, 'yes', 'no'), \
     LOWER(TRIM(full_name)), SUBSTR(phone, 1, 3), SPLIT_PART(email, '@', 2) FROM marts.dim_contacts",
    "SELECT DATEADD(day, -7, CURRENT_DATE), DATEDIFF('day', started_at, ended_at), TO_CHAR(started_at, 'YYYY-MM') \
     FROM marts.dim_campaigns WHERE status <> 'draft'",
    "SELECT COUNT(*) FROM marts.dim_contacts WHERE created_at >= DATE '2026-01-01' AND NOT opted_in",
    "SELECT ROUND(SUM(CASE WHEN status = 'read' THEN 1 ELSE 0 END) * 100.0 / NULLIF(COUNT(*), 0), 2) AS read_pct \
     FROM marts.fct_messages WHERE direction = 'outbound'",
    "SELECT contact_id FROM marts.fct_activities GROUP BY contact_id HAVING SUM(amount) > 1000 ORDER BY SUM(amount) DESC",
    "SELECT * FROM marts.dim_campaigns WHERE campaign_name LIKE 'Black Friday%' ORDER BY started_at DESC NULLS LAST",
    "SELECT channel, COUNT_IF(status = 'failed') AS failed, APPROX_COUNT_DISTINCT(contact_id) FROM marts.fct_messages GROUP BY ALL",
    "SELECT LISTAGG(DISTINCT country, ', ') WITHIN GROUP (ORDER BY country) FROM marts.dim_contacts",
    "SELECT c.campaign_name, SUM(a.amount) AS revenue FROM marts.dim_campaigns c \
     LEFT JOIN marts.fct_activities a ON a.campaign_id = c.campaign_id AND a.activity_type = 'purchase' \
     GROUP BY c.campaign_name ORDER BY revenue DESC NULLS LAST LIMIT 10",
    "SELECT * FROM (SELECT contact_id, SUM(amount) AS total FROM marts.fct_activities GROUP BY contact_id) t WHERE total > 0",
    "select country, count(*) from marts.dim_contacts group by country order by 2 desc",
    "SELECT * FROM marts.dim_contacts c WHERE NOT EXISTS (SELECT 1 FROM marts.fct_messages m WHERE m.contact_id = c.contact_id)",
    "SELECT YEAR(occurred_at), QUARTER(occurred_at), MONTH(occurred_at), DAYOFWEEK(occurred_at) FROM marts.fct_activities",
    "SELECT DATE_PART('hour', sent_at) AS h, COUNT(*) FROM marts.fct_messages GROUP BY h ORDER BY h",
    "SELECT * FROM marts.dim_contacts WHERE phone IS NULL OR email IS NULL;",
    "SELECT first_value(channel) OVER (PARTITION BY contact_id ORDER BY sent_at), NTILE(4) OVER (ORDER BY cost) \
     FROM marts.fct_messages",
];

#[test]
fn ordinary_analytics_sql_is_accepted() {
    for scope in scopes_one_several_all() {
        for sql in ANALYTICS {
            let guarded = accepted_in(sql, &scope);
            assert!(!guarded.tables.is_empty(), "{sql}");
        }
    }
}

/// The reference queries of the evaluation set, one per line.
pub fn eval_queries() -> Vec<String> {
    // Compiled in: a test binary reused from another checkout (a shared target dir) must not look for files
    // at the path it was built from.
    let text = include_str!("../fixtures/nl-dev.sql");
    text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("--")).map(str::to_string).collect()
}

#[test]
fn every_evaluation_query_is_accepted_and_scoped() {
    let queries = eval_queries();
    assert_eq!(queries.len(), 40);
    for scope in scopes_one_several_all() {
        for sql in &queries {
            let guarded = accepted_in(sql, &scope);
            assert!(!guarded.tables.is_empty(), "{sql}");
        }
    }
}

#[test]
fn guarding_the_output_again_is_a_fixed_point() {
    for scope in scopes_one_several_all() {
        let mut corpus: Vec<String> = eval_queries();
        corpus.extend(ANALYTICS.iter().map(|s| s.to_string()));
        corpus.extend(round_trips_for(&scope).into_iter().map(|(input, _)| input));
        for sql in &corpus {
            let once = accepted_in(sql, &scope);
            let twice = run_in(&once.sql, &scope)
                .unwrap_or_else(|r| panic!("output of {sql:?} refused for {scope}: {r}\n{}", once.sql));
            assert_eq!(twice.sql, once.sql, "not a fixed point for {scope}: {sql}");
            assert_eq!(twice.tables, once.tables, "{sql}");
            assert_eq!(twice.limit, once.limit, "{sql}");
        }
    }
    // The single-tenant corpus is the one the guard always had.
    assert_eq!(round_trips().len(), round_trips_for(&scope_of(&["acme_corp", "globex"])).len());
}

#[test]
fn a_custom_catalog_is_scoped_the_same_way() {
    let catalog = Catalog::new(vec![
        ("Orders".to_string(), vec!["tenant_id".to_string(), "amount".to_string()]),
        ("lookup".to_string(), vec!["code".to_string()]),
    ]);
    let opts = GuardOptions::default();
    let t1 = scope_of(&["t1"]);
    let guarded =
        guard("SELECT SUM(amount) FROM ORDERS", &t1, &catalog, &opts).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(
        guarded.sql,
        "SELECT SUM(amount) FROM (SELECT * FROM marts.orders WHERE tenant_id = 't1') AS ORDERS LIMIT 10000"
    );
    let refused = guard("SELECT * FROM lookup", &t1, &catalog, &opts).err().map(|r| r.reason);
    assert!(refused.is_some_and(|r| r.contains("no tenant_id column")));
    assert!(guard("SELECT * FROM dim_contacts", &t1, &catalog, &opts).is_err());

    let several = scope_of(&["t2", "t1"]);
    let guarded =
        guard("SELECT SUM(amount) FROM ORDERS", &several, &catalog, &opts).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(
        guarded.sql,
        "SELECT SUM(amount) FROM (SELECT * FROM marts.orders WHERE tenant_id IN ('t1', 't2')) AS ORDERS LIMIT 10000"
    );
    let again = guard(&guarded.sql, &several, &catalog, &opts).unwrap_or_else(|r| panic!("{r}"));
    assert_eq!(again.sql, guarded.sql);
    let refused = guard("SELECT * FROM lookup", &several, &catalog, &opts).err().map(|r| r.reason);
    assert!(refused.is_some_and(|r| r.contains("no tenant_id column")));
}

#[test]
fn a_rejection_becomes_the_guard_rejected_error() {
    let rejection = run("DROP TABLE marts.dim_contacts").err().unwrap_or_else(|| panic!("accepted"));
    let error = inda_core::Error::from(rejection.clone());
    assert_eq!(error.code, inda_core::ErrorCode::GuardRejected);
    assert_eq!(error.message, rejection.reason);
    assert_eq!(rejection.to_string(), rejection.reason);
}

#[test]
fn a_join_without_the_tenant_is_flagged_for_several_tenants_only() {
    let several = Scope::new(["acme_corp", "globex"]).unwrap_or_else(|e| panic!("{e}"));
    let one = Scope::one("acme_corp").unwrap_or_else(|e| panic!("{e}"));
    let flagged = |sql: &str, scope: &Scope| crate::common::accepted_in(sql, scope).crosses_tenants;
    let unmatched = [
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c ON c.contact_id = m.contact_id",
        "SELECT COUNT(*) FROM marts.fct_messages m, marts.dim_contacts c WHERE c.contact_id = m.contact_id",
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c USING (contact_id)",
        "SELECT * FROM (SELECT m.* FROM marts.fct_messages m JOIN marts.dim_campaigns k ON k.campaign_id = m.campaign_id) AS x",
    ];
    for sql in unmatched {
        assert!(flagged(sql, &several), "{sql}");
        assert!(!flagged(sql, &one), "{sql}");
    }
    let matched = [
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c ON c.contact_id = m.contact_id AND c.tenant_id = m.tenant_id",
        "SELECT COUNT(*) FROM marts.fct_messages m, marts.dim_contacts c WHERE c.contact_id = m.contact_id AND c.tenant_id = m.tenant_id",
        "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c USING (tenant_id, contact_id)",
        "SELECT COUNT(*) FROM marts.fct_messages NATURAL JOIN marts.dim_contacts",
        "SELECT COUNT(*) FROM marts.fct_messages",
    ];
    for sql in matched {
        assert!(!flagged(sql, &several), "{sql}");
    }
}
