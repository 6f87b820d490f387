//! The attack corpus: every way the old substring validator (architecture document, section 4.2) could be
//! fooled, and more. Each case is either refused with a reason naming the right thing, or accepted with
//! every base table provably inside the tenant filter.

use crate::common::{TENANT, accepted, assert_scoped, rejected, run};

/// (query, words the reason must contain)
const REFUSED: &[(&str, &[&str])] = &[
    // Statements that are not queries.
    ("DELETE FROM marts.dim_contacts", &["only SELECT", "DELETE"]),
    ("UPDATE marts.dim_contacts SET full_name = 'x'", &["only SELECT", "UPDATE"]),
    ("INSERT INTO marts.dim_contacts (contact_id) VALUES ('x')", &["only SELECT", "INSERT"]),
    (
        "MERGE INTO marts.dim_contacts t USING marts.fct_messages s ON t.contact_id = s.contact_id \
         WHEN MATCHED THEN DELETE",
        &["only SELECT", "MERGE"],
    ),
    ("CREATE TABLE stolen AS SELECT * FROM marts.dim_contacts", &["only SELECT", "CREATE"]),
    ("CREATE VIEW v AS SELECT * FROM marts.dim_contacts", &["only SELECT", "CREATE"]),
    ("DROP TABLE marts.dim_contacts", &["only SELECT", "DROP"]),
    ("ALTER TABLE marts.dim_contacts ADD COLUMN x INT", &["only SELECT", "ALTER"]),
    ("TRUNCATE TABLE marts.dim_contacts", &["only SELECT", "TRUNCATE"]),
    ("COPY INTO marts.dim_contacts FROM @my_stage", &["only SELECT", "COPY"]),
    ("ATTACH DATABASE 'other.db' AS other", &["only SELECT", "ATTACH"]),
    ("PRAGMA table_info('dim_contacts')", &["only SELECT", "PRAGMA"]),
    ("SET tenant = 'globex'", &["only SELECT", "SET"]),
    ("USE DATABASE other", &["only SELECT", "USE"]),
    ("INSTALL httpfs", &["only SELECT", "INSTALL"]),
    ("LOAD httpfs", &["only SELECT", "LOAD"]),
    ("EXPORT DATABASE 'out'", &["only SELECT", "EXPORT"]),
    ("CALL system$cancel_all_queries()", &["only SELECT", "CALL"]),
    ("EXECUTE IMMEDIATE 'DROP TABLE marts.dim_contacts'", &["only SELECT", "EXECUTE"]),
    ("GRANT SELECT ON marts.dim_contacts TO ROLE public", &["only SELECT", "GRANT"]),
    ("SHOW TABLES", &["only SELECT", "SHOW"]),
    ("DESCRIBE TABLE marts.dim_contacts", &["only SELECT", "DESCRIBE"]),
    ("EXPLAIN SELECT * FROM marts.dim_contacts", &["only SELECT", "EXPLAIN"]),
    ("TABLE marts.dim_contacts", &["only SELECT", "TABLE"]),
    // Stacked statements, including ones the parser cannot read.
    ("SELECT 1; DROP TABLE marts.dim_contacts", &["only one statement"]),
    ("SELECT 1; SELECT * FROM admin.tenants", &["only one statement"]),
    ("SELECT 1; ATTACH 'x' AS y; SELECT 2", &["only one statement"]),
    // Queries that write, lock or recurse.
    ("SELECT * INTO stolen FROM marts.dim_contacts", &["SELECT INTO"]),
    ("SELECT * FROM marts.dim_contacts FOR UPDATE", &["FOR UPDATE"]),
    ("WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT * FROM r", &["RECURSIVE"]),
    (
        "SELECT * FROM marts.dim_contacts START WITH contact_id = 'c1' CONNECT BY PRIOR contact_id = city",
        &["CONNECT BY"],
    ),
    // Schemas other than marts, and tables that do not exist.
    ("SELECT * FROM information_schema.tables", &["information_schema.tables", "only marts"]),
    ("SELECT * FROM INFORMATION_SCHEMA.COLUMNS", &["INFORMATION_SCHEMA.COLUMNS", "only marts"]),
    ("SELECT * FROM admin.tenants", &["admin.tenants", "only marts"]),
    ("SELECT * FROM ADMIN.AUDIT_LOG", &["ADMIN.AUDIT_LOG", "only marts"]),
    ("SELECT * FROM raw.indigital_users", &["raw.indigital_users", "only marts"]),
    ("SELECT * FROM staging.stg_contacts", &["staging.stg_contacts", "only marts"]),
    ("SELECT * FROM pg_catalog.pg_tables", &["pg_catalog.pg_tables", "only marts"]),
    ("SELECT * FROM prod.admin.tenants", &["prod.admin.tenants", "only marts"]),
    ("SELECT * FROM a.marts.dim_contacts.x", &["a.marts.dim_contacts.x", "not available"]),
    ("SELECT * FROM marts.secret_table", &["marts.secret_table", "dim_contacts"]),
    ("SELECT * FROM tenants", &["tenants", "not available"]),
    ("SELECT * FROM marts.dim_contacts CROSS JOIN admin.tenants", &["admin.tenants"]),
    (
        "SELECT * FROM marts.dim_contacts c JOIN admin.tenants t ON c.tenant_id = t.tenant_id",
        &["admin.tenants"],
    ),
    ("SELECT (SELECT COUNT(*) FROM admin.tenants) AS n", &["admin.tenants"]),
    ("SELECT * FROM marts.dim_contacts WHERE EXISTS (SELECT 1 FROM admin.partners)", &["admin.partners"]),
    ("SELECT 1 UNION ALL SELECT COUNT(*) FROM raw.indigital_users", &["raw.indigital_users"]),
    ("SELECT * FROM marts.dim_contacts, LATERAL (SELECT * FROM admin.tenants) t", &["admin.tenants"]),
    (
        "SELECT country FROM marts.dim_contacts GROUP BY country HAVING COUNT(*) > (SELECT COUNT(*) FROM admin.tenants)",
        &["admin.tenants"],
    ),
    (
        "WITH a AS (WITH b AS (SELECT * FROM admin.tenants) SELECT * FROM b) SELECT * FROM a",
        &["admin.tenants"],
    ),
    // A CTE never stands for a qualified name.
    ("WITH tenants AS (SELECT 1 AS x) SELECT * FROM admin.tenants", &["admin.tenants"]),
    // CTE visibility: not outside its query, not before its definition.
    ("SELECT * FROM (WITH t AS (SELECT 1 AS x) SELECT * FROM t) AS d, t", &["table t is not available"]),
    ("WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a", &["table b is not available"]),
    ("WITH a AS (SELECT 1 AS x), A AS (SELECT 2 AS x) SELECT * FROM a", &["defined twice"]),
    // Files, stages, table functions and computed names.
    ("SELECT * FROM 'data.parquet'", &["'data.parquet'", "files"]),
    ("SELECT * FROM \"/etc/passwd\"", &["/etc/passwd", "files"]),
    ("SELECT * FROM read_parquet('s3://bucket/all_tenants.parquet')", &["table functions", "read_parquet"]),
    ("SELECT * FROM read_csv_auto('x.csv')", &["table functions", "read_csv_auto"]),
    ("SELECT * FROM glob('*')", &["table functions", "glob"]),
    ("SELECT * FROM generate_series(1, 10)", &["table functions", "generate_series"]),
    ("SELECT * FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))", &["table functions", "RESULT_SCAN"]),
    ("SELECT * FROM TABLE(GENERATOR(ROWCOUNT => 10))", &["table functions", "GENERATOR"]),
    (
        "SELECT * FROM marts.dim_contacts c, LATERAL FLATTEN(input => c.email)",
        &["table functions", "FLATTEN"],
    ),
    ("SELECT * FROM marts.dim_contacts, UNNEST(ARRAY[1, 2])", &["table functions", "UNNEST"]),
    ("SELECT $1 FROM @stage", &["stages"]),
    ("SELECT * FROM @~/staged", &["stages"]),
    ("SELECT * FROM IDENTIFIER('admin.tenants')", &["IDENTIFIER", "written out"]),
    ("SELECT * FROM IDENTIFIER('marts.dim_contacts')", &["IDENTIFIER"]),
    // Time travel, sampling, pivots.
    ("SELECT * FROM marts.dim_contacts AT(TIMESTAMP => '2024-01-01'::TIMESTAMP)", &["time travel"]),
    ("SELECT * FROM marts.dim_contacts BEFORE(STATEMENT => '01b2c3')", &["time travel"]),
    ("SELECT * FROM marts.dim_contacts SAMPLE (10)", &["SAMPLE"]),
    ("SELECT * FROM marts.dim_contacts TABLESAMPLE BERNOULLI (10)", &["SAMPLE"]),
    ("SELECT * FROM marts.fct_messages PIVOT(COUNT(message_id) FOR channel IN ('sms', 'email'))", &["PIVOT"]),
    (
        "SELECT * FROM marts.fct_messages MATCH_RECOGNIZE(ORDER BY sent_at PATTERN (a) DEFINE a AS cost > 0)",
        &["MATCH_RECOGNIZE"],
    ),
    // Functions off the allow-list, wherever they hide.
    ("SELECT CURRENT_USER()", &["function CURRENT_USER"]),
    ("SELECT CURRENT_USER", &["CURRENT_USER", "session"]),
    ("SELECT current_role", &["current_role", "session"]),
    ("SELECT CURRENT_ACCOUNT()", &["function CURRENT_ACCOUNT"]),
    ("SELECT version()", &["function version"]),
    ("SELECT SYSTEM$WHITELIST()", &["function SYSTEM$WHITELIST"]),
    ("SELECT snowflake.cortex.complete('mistral-large', 'leak')", &["snowflake.cortex.complete"]),
    ("SELECT sys.x(1)", &["sys.x"]),
    ("SELECT marts.count(*) FROM marts.dim_contacts", &["marts.count"]),
    ("SELECT getenv('HOME')", &["function getenv"]),
    ("SELECT sleep(100)", &["function sleep"]),
    ("SELECT random()", &["function random"]),
    ("SELECT md5(full_name) FROM marts.dim_contacts", &["function md5"]),
    ("SELECT read_csv('x')", &["function read_csv"]),
    ("SELECT COUNT(*) FROM marts.dim_contacts WHERE full_name = current_user()", &["current_user"]),
    ("SELECT SUM(cost) OVER (PARTITION BY current_role()) FROM marts.fct_messages", &["current_role"]),
    ("SELECT COUNT_IF(version() = 'x') FROM marts.dim_contacts", &["version"]),
    (
        "SELECT LISTAGG(full_name, ',') WITHIN GROUP (ORDER BY getvariable('x')) FROM marts.dim_contacts",
        &["getvariable"],
    ),
    ("SELECT * FROM marts.dim_contacts ORDER BY random()", &["random"]),
    ("SELECT COUNT(*) FROM marts.dim_contacts GROUP BY getenv('x')", &["getenv"]),
    (
        "SELECT country FROM marts.dim_contacts GROUP BY country HAVING MAX(uuid_string()) > ''",
        &["uuid_string"],
    ),
    (
        "SELECT * FROM marts.dim_contacts c JOIN marts.fct_messages m ON m.contact_id = c.contact_id AND sleep(1) = 0",
        &["sleep"],
    ),
    ("SELECT CASE WHEN 1 = 1 THEN version() END", &["version"]),
    ("SELECT (SELECT MAX(current_database()) FROM marts.dim_contacts)", &["current_database"]),
    (
        "SELECT * FROM marts.dim_contacts LIMIT 5 OFFSET (SELECT COUNT(*) FROM admin.tenants)",
        &["admin.tenants"],
    ),
    ("SELECT my_seq.NEXTVAL", &["sequences"]),
    // FILTER only where moving it into a CASE keeps the meaning, and its condition is checked like the rest.
    ("SELECT ABS(cost) FILTER (WHERE cost > 0) FROM marts.fct_messages", &["FILTER", "ABS", "aggregates"]),
    ("SELECT ARRAY_AGG(channel) FILTER (WHERE cost > 0) FROM marts.fct_messages", &["FILTER", "ARRAY_AGG"]),
    ("SELECT ANY_VALUE(channel) FILTER (WHERE cost > 0) FROM marts.fct_messages", &["FILTER", "ANY_VALUE"]),
    (
        "SELECT FIRST_VALUE(channel) FILTER (WHERE cost > 0) OVER (ORDER BY sent_at) FROM marts.fct_messages",
        &["FILTER", "FIRST_VALUE"],
    ),
    ("SELECT COUNT(m.*) FILTER (WHERE cost > 0) FROM marts.fct_messages m", &["FILTER", "COUNT"]),
    ("SELECT COUNT(*) FILTER (WHERE version() = 'x') FROM marts.dim_contacts", &["function version"]),
    (
        "SELECT COUNT(*) FILTER (WHERE contact_id IN (SELECT contact_id FROM admin.tenants)) FROM marts.dim_contacts",
        &["admin.tenants"],
    ),
    ("SELECT read_csv('x') FILTER (WHERE 1 = 1)", &["function read_csv"]),
    // Variables, parameters and stage columns.
    ("SELECT $1 FROM marts.dim_contacts", &["parameters and variables", "$1"]),
    ("SELECT * FROM marts.dim_contacts WHERE tenant_id = $tenant", &["$tenant"]),
    ("SELECT * FROM marts.dim_contacts WHERE tenant_id = ?", &["parameters"]),
    ("SELECT * FROM marts.dim_contacts WHERE tenant_id = :tenant", &["parameters"]),
    ("SELECT @@version", &["@"]),
    // A backslash would end the string elsewhere on Snowflake than the guard parsed it.
    ("SELECT * FROM marts.dim_contacts WHERE full_name = 'a\\\\' OR 1 = 1 --'", &["backslash"]),
    ("SELECT 'x\\\\' AS a", &["backslash"]),
    // Literal forms other engines read differently.
    ("SELECT $$DROP TABLE x$$", &["literal"]),
    // Input size and emptiness.
    ("", &["empty"]),
    ("   ", &["empty"]),
    ("-- SELECT * FROM marts.dim_contacts", &["empty", "comments"]),
    ("/* DROP TABLE marts.dim_contacts */", &["empty", "comments"]),
];

#[test]
fn refused_with_a_reason_naming_the_problem() {
    let mut failures = Vec::new();
    for (sql, words) in REFUSED {
        match run(sql) {
            Ok(guarded) => failures.push(format!("ACCEPTED {sql:?} as {}", guarded.sql)),
            Err(rejection) => {
                let missing: Vec<_> = words.iter().filter(|w| !rejection.reason.contains(**w)).collect();
                if !missing.is_empty() {
                    failures.push(format!("{sql:?}: reason {:?} lacks {missing:?}", rejection.reason));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        REFUSED.len(),
        failures.join("\n")
    );
}

/// Inputs the parser cannot read, some of which sqlparser describes with Rust debug output.
const UNPARSABLE: &[&str] = &[
    "SELECT a DIV b FROM marts.dim_contacts",
    "SELECT a ! b",
    "SELECT 1 !",
    "SELECT a && b",
    "SELECT a << b",
    "SELECT a >> 2",
    "SELECT 1 +",
    "SELECT * FROM marts.dim_contacts WHERE",
    "SELECT CAST(1 AS) FROM x",
    "SELECT * FROM marts.dim_contacts a JOIN",
    "SELECT CASE WHEN THEN END",
    "SELECT 1 UNION",
    "SELECT * FROM marts.dim_contacts NATURAL",
    "SELECT a.b.c.d.e.f(1)",
    "SELECT x IS",
    "SELECT * FROM (VALUES (1)) AS t(a",
    "SELECT ARRAY[1",
    "SELECT $$",
    "SELECT 1 OVER ()",
    "SELECT POSITION('a' IN)",
    "SELECT * FROM marts.dim_contacts MATCH_RECOGNIZE(",
    "WITH a AS",
    "VALUES (1",
    "SELECT * FROM marts.dim_contacts WHERE contact_id IN 'x'",
    "SELECT 'unterminated",
    "SELECT \"unterminated",
    "SELECT COUNT(*) FILTER (WHERE) FROM marts.dim_contacts",
    "SELECT COUNT(*) FILTER (opted_in) FROM marts.dim_contacts",
    "SELECT MAP {",
    "SELECT 1 LIMIT 1,",
];

/// Pieces of sqlparser's debug output that must never reach a reason.
const DEBUG_MARKERS: &[&str] =
    &["Span(", "Location(", "Ident {", "ValueWithSpan", "Word {", "Word(", "quote_style", "Token", "{ value"];

#[test]
fn no_reason_is_a_dump_of_the_syntax_tree() {
    let deep_ctes = (1..=70).map(|i| format!("c{i} AS (SELECT 1 AS x)")).collect::<Vec<_>>().join(", ");
    let bounded = [
        format!("WITH {deep_ctes} SELECT * FROM c1"),
        format!("SELECT 1{} AS x", " + 1".repeat(300)),
        format!("SELECT {}1{} AS x", "COALESCE(".repeat(12), ", 0)".repeat(12)),
        format!("SELECT 1 AS x{}", " UNION ALL SELECT 1".repeat(100)),
        format!("SELECT {}1{}", "(".repeat(80), ")".repeat(80)),
    ];
    let inputs = REFUSED
        .iter()
        .map(|(sql, _)| *sql)
        .chain(UNPARSABLE.iter().copied())
        .chain(bounded.iter().map(String::as_str));
    let mut failures = Vec::new();
    for sql in inputs {
        let Err(rejection) = run(sql) else {
            failures.push(format!("ACCEPTED {sql:?}"));
            continue;
        };
        if let Some(marker) = DEBUG_MARKERS.iter().find(|m| rejection.reason.contains(**m)) {
            failures.push(format!("{sql:?}: {marker:?} in {:?}", rejection.reason));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn oversized_input_is_refused() {
    let sql = format!("SELECT 1 AS x{}", " ".repeat(101 * 1024));
    assert!(rejected(&sql).contains("too long"));
}

#[test]
fn invalid_tenant_ids_never_reach_the_sql() {
    for tenant in ["", "acme' OR '1'='1", "acme\\", "a b", "acme;", "ácme"] {
        let result = inda_guard::guard(
            "SELECT * FROM marts.dim_contacts",
            tenant,
            &inda_guard::Catalog::marts(),
            &inda_guard::GuardOptions::default(),
        );
        assert!(result.is_err_and(|r| r.reason.contains("tenant id")), "{tenant:?}");
    }
}

/// Queries that fooled the substring validator but are harmless once every table is wrapped.
const SCOPED: &[&str] = &[
    "SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' OR 1=1",
    "SELECT * FROM marts.dim_contacts WHERE 1=1 OR tenant_id = 'acme_corp'",
    "SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' OR tenant_id = 'globex'",
    "SELECT * FROM marts.dim_contacts WHERE tenant_id IN ('acme_corp', 'globex', 'initech')",
    "SELECT * FROM marts.dim_contacts WHERE tenant_id <> 'acme_corp'",
    "SELECT contact_id FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' UNION SELECT contact_id FROM marts.dim_contacts",
    "SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' \
     UNION ALL SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'globex'",
    "SELECT contact_id FROM marts.dim_contacts INTERSECT SELECT contact_id FROM marts.fct_messages",
    "SELECT contact_id FROM marts.dim_contacts EXCEPT SELECT contact_id FROM marts.fct_activities",
    "SELECT contact_id FROM marts.dim_contacts MINUS SELECT contact_id FROM marts.fct_activities",
    // CTE shadowing a table name, in the body and in a later CTE.
    "WITH dim_contacts AS (SELECT * FROM marts.fct_messages) SELECT * FROM dim_contacts",
    "WITH dim_contacts AS (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp') SELECT * FROM dim_contacts",
    "WITH dim_contacts AS (SELECT * FROM dim_contacts) SELECT * FROM dim_contacts",
    "WITH a AS (SELECT * FROM dim_contacts), dim_contacts AS (SELECT * FROM a) SELECT * FROM dim_contacts",
    "WITH x AS (SELECT 1 AS n) SELECT * FROM marts.dim_contacts, x",
    // Nested WITH, with its own scope.
    "WITH a AS (WITH b AS (SELECT * FROM marts.dim_contacts) SELECT * FROM b) SELECT * FROM a",
    "SELECT * FROM (WITH fct_messages AS (SELECT * FROM marts.dim_contacts) SELECT * FROM fct_messages) AS d \
     JOIN fct_messages m ON m.contact_id = d.contact_id",
    "WITH x AS (SELECT * FROM marts.dim_contacts) SELECT * FROM x WHERE contact_id IN (SELECT contact_id FROM x)",
    // Quoted and mixed-case names.
    "SELECT * FROM MARTS.DIM_CONTACTS",
    "SELECT * FROM \"marts\".\"dim_contacts\"",
    "SELECT * FROM \"MARTS\".\"DIM_CONTACTS\"",
    "SELECT * FROM Dim_Contacts",
    "SELECT * FROM \"Dim_Contacts\" d",
    "SELECT * FROM warehouse.marts.dim_contacts",
    "SELECT * FROM \"ANY_DB\".MARTS.dim_contacts",
    // Subqueries everywhere.
    "SELECT (SELECT COUNT(*) FROM marts.dim_contacts) AS everyone",
    "SELECT * FROM marts.dim_contacts WHERE contact_id IN (SELECT contact_id FROM marts.fct_messages)",
    "SELECT * FROM marts.dim_contacts c WHERE EXISTS (SELECT 1 FROM marts.fct_activities a WHERE a.contact_id = c.contact_id)",
    "SELECT * FROM (SELECT * FROM marts.dim_contacts) AS c",
    "SELECT * FROM (SELECT * FROM (SELECT * FROM marts.dim_contacts) AS x) AS y",
    "SELECT country FROM marts.dim_contacts GROUP BY country HAVING COUNT(*) > (SELECT COUNT(*) / 10 FROM marts.dim_contacts)",
    "SELECT * FROM marts.dim_contacts c, LATERAL (SELECT COUNT(*) AS n FROM marts.fct_messages m WHERE m.contact_id = c.contact_id) AS l",
    "SELECT * FROM marts.dim_contacts c JOIN marts.fct_messages m ON m.contact_id IN (SELECT contact_id FROM marts.fct_activities)",
    "SELECT * FROM marts.dim_contacts ORDER BY (SELECT MAX(cost) FROM marts.fct_messages)",
    "SELECT * FROM marts.dim_contacts LIMIT 5 OFFSET (SELECT COUNT(*) FROM marts.fct_messages)",
    "SELECT * FROM (marts.dim_contacts c JOIN marts.fct_messages m ON m.contact_id = c.contact_id)",
    // Whole-table windows and outer joins see only the tenant's rows.
    "SELECT contact_id, COUNT(*) OVER () AS everyone FROM marts.dim_contacts",
    "SELECT * FROM marts.dim_contacts c FULL OUTER JOIN marts.fct_messages m ON 1 = 1",
    "SELECT * FROM marts.dim_contacts c RIGHT JOIN marts.fct_messages m ON m.tenant_id <> c.tenant_id",
    "SELECT * FROM marts.dim_contacts CROSS JOIN marts.dim_campaigns",
    "SELECT * FROM marts.dim_contacts NATURAL JOIN marts.fct_messages",
    // The guard's own wrapper, written for another tenant or spelled differently, is wrapped again.
    "SELECT * FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex') AS c",
    "SELECT * FROM (SELECT * FROM marts.DIM_CONTACTS WHERE tenant_id = 'acme_corp') AS c",
    "SELECT * FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' OR 1 = 1) AS c",
    "SELECT * FROM LATERAL (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp') AS c",
    // Keywords in comments and strings.
    "SELECT 1 -- ; DROP TABLE marts.dim_contacts",
    "SELECT /* DROP TABLE marts.dim_contacts; */ 1",
    "SELECT * FROM marts.dim_contacts -- WHERE tenant_id = 'globex'",
    "SELECT * FROM marts.dim_contacts /* tenant_id = 'acme_corp' */ WHERE 1 = 1",
    "SELECT * FROM marts.dim_contacts WHERE full_name = 'DROP TABLE'",
    "SELECT * FROM marts.dim_contacts WHERE full_name = 'x''; DROP TABLE marts.dim_contacts; --'",
    "SELECT * FROM marts.dim_contacts WHERE full_name = 'a; b; c'",
    "SELECT 'it\\'s' AS quoted",
    "SELECT * FROM marts.dim_contacts WHERE full_name = 'admin.tenants' AND city = 'information_schema'",
];

#[test]
fn tricks_that_fooled_the_substring_validator_stay_scoped() {
    for sql in SCOPED {
        accepted(sql);
    }
}

#[test]
fn cte_shadowing_wraps_the_inner_table_and_leaves_the_cte_alone() {
    let guarded =
        accepted("WITH dim_contacts AS (SELECT * FROM marts.fct_messages) SELECT * FROM dim_contacts");
    assert_eq!(
        guarded.sql,
        "WITH dim_contacts AS (SELECT * FROM (SELECT * FROM marts.fct_messages WHERE tenant_id = 'acme_corp') AS \
         fct_messages) SELECT * FROM dim_contacts LIMIT 10000"
    );
    assert_eq!(guarded.tables, ["fct_messages"]);
}

#[test]
fn a_cte_body_does_not_see_itself() {
    let guarded = accepted("WITH dim_contacts AS (SELECT * FROM dim_contacts) SELECT * FROM dim_contacts");
    assert_eq!(
        guarded.sql,
        "WITH dim_contacts AS (SELECT * FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'acme_corp') AS \
         dim_contacts) SELECT * FROM dim_contacts LIMIT 10000"
    );
}

#[test]
fn another_tenants_literal_can_only_narrow() {
    let guarded = accepted(
        "SELECT full_name FROM marts.dim_contacts UNION ALL SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'globex'",
    );
    assert_eq!(guarded.sql.matches("WHERE tenant_id = 'acme_corp'").count(), 2, "{}", guarded.sql);
}

#[test]
fn comments_are_dropped_from_the_output() {
    let guarded = accepted("SELECT 1 AS one -- ; DROP TABLE marts.dim_contacts");
    assert_eq!(guarded.sql, "SELECT 1 AS one LIMIT 10000");
    let guarded = accepted("SELECT * FROM marts.dim_contacts -- WHERE tenant_id = 'globex'");
    assert!(!guarded.sql.contains("globex"), "{}", guarded.sql);
}

#[test]
fn strings_keep_their_content() {
    let guarded = accepted("SELECT * FROM marts.dim_contacts WHERE full_name = 'DROP TABLE; x'");
    assert!(guarded.sql.contains("full_name = 'DROP TABLE; x'"), "{}", guarded.sql);
    let guarded = accepted("SELECT 'it''s' AS a, 'it\\'s' AS b");
    assert_eq!(guarded.sql, "SELECT 'it''s' AS a, 'it''s' AS b LIMIT 10000");
}

#[test]
fn rewritten_sql_is_scoped_for_the_callers_tenant_only() {
    for tenant in ["globex", "initech", "stark-ind_2"] {
        let guarded = inda_guard::guard(
            "SELECT * FROM marts.dim_contacts c JOIN fct_messages m ON m.contact_id = c.contact_id",
            tenant,
            &inda_guard::Catalog::marts(),
            &inda_guard::GuardOptions::default(),
        )
        .unwrap_or_else(|r| panic!("{r}"));
        assert_scoped(&guarded.sql, tenant);
        assert!(!guarded.sql.contains(TENANT));
    }
}
