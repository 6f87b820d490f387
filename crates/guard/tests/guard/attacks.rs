//! The attack corpus: every way the old substring validator (architecture document, section 4.2) could be
//! fooled, and more. Each case is either refused with a reason naming the right thing, or accepted with
//! every base table provably inside the tenant filter, for a scope of one tenant and of several alike.

use crate::common::{
    TENANT, TENANTS, accepted, accepted_in, assert_scoped, filter_of, rejected, run, run_in, scope_of,
    scopes_one_several_all,
};
use inda_guard::Scope;

/// (query, words the reason must contain), from `fixtures/attacks-refused.tsv` (the app's proof of
/// isolation for wider scopes runs the same corpus).
fn refused() -> Vec<(&'static str, Vec<&'static str>)> {
    include_str!("../fixtures/attacks-refused.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .map(|(sql, words)| (sql, words.split('|').filter(|w| !w.is_empty()).collect()))
        .collect()
}

#[test]
fn refused_with_a_reason_naming_the_problem() {
    let mut failures = Vec::new();
    for scope in scopes_one_several_all() {
        for (sql, words) in &refused() {
            match run_in(sql, &scope) {
                Ok(guarded) => failures.push(format!("ACCEPTED for {scope} {sql:?} as {}", guarded.sql)),
                Err(rejection) => {
                    let missing: Vec<_> = words.iter().filter(|w| !rejection.reason.contains(**w)).collect();
                    if !missing.is_empty() {
                        failures.push(format!(
                            "{sql:?} for {scope}: reason {:?} lacks {missing:?}",
                            rejection.reason
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        refused().len() * scopes_one_several_all().len(),
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
    let refused = refused();
    let inputs = refused
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
    // The guard takes a `Scope`, and no scope holds an invalid tenant id: alone, among valid ones, or in a
    // list. (The guard checks the scope's ids again, for a scope built some other way.)
    for tenant in ["", "acme' OR '1'='1", "acme\\", "a b", "acme;", "ácme", "acme,globex'"] {
        assert!(Scope::one(tenant).is_err(), "{tenant:?}");
        assert!(Scope::new(["acme_corp", tenant]).is_err(), "{tenant:?}");
        assert!(Scope::new([tenant, "globex", "initech"]).is_err(), "{tenant:?}");
        assert!(
            Scope::parse_list(&format!("acme_corp,{tenant}")).is_err() || tenant.is_empty(),
            "{tenant:?}"
        );
    }
    assert!(Scope::new(Vec::<String>::new()).is_err(), "an empty scope");
    assert!(Scope::parse_list(" , ").is_err(), "an empty list");
}

#[test]
fn a_scope_past_the_bound_is_refused_and_one_at_it_is_scoped() {
    let tenants = |n: usize| (0..n).map(|i| format!("tenant_{i:04}")).collect::<Vec<_>>();
    let at = Scope::new(tenants(1000)).unwrap_or_else(|e| panic!("{e}"));
    let guarded =
        accepted_in("SELECT COUNT(*) FROM marts.dim_contacts c JOIN fct_messages m USING (contact_id)", &at);
    assert_eq!(guarded.sql.matches("'tenant_0999'").count(), 2, "{}", guarded.sql);
    let past = Scope::new(tenants(1001)).unwrap_or_else(|e| panic!("{e}"));
    let refused = run_in("SELECT COUNT(*) FROM marts.dim_contacts", &past).err().map(|r| r.reason);
    assert!(refused.is_some_and(|r| r.contains("more than 1000 tenants")));
}

/// Queries that fooled the substring validator but are harmless once every table is wrapped
/// (`fixtures/attacks-scoped.sql`).
fn scoped() -> Vec<&'static str> {
    corpus(include_str!("../fixtures/attacks-scoped.sql"))
}

/// One statement per line; `--` comment lines and blank lines skipped.
fn corpus(text: &'static str) -> Vec<&'static str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("--")).collect()
}

#[test]
fn tricks_that_fooled_the_substring_validator_stay_scoped() {
    for scope in scopes_one_several_all() {
        for sql in scoped() {
            accepted_in(sql, &scope);
        }
    }
}

/// The same tricks aimed at a scope of several tenants (`fixtures/attacks-scoped-several.sql`).
fn scoped_several() -> Vec<&'static str> {
    corpus(include_str!("../fixtures/attacks-scoped-several.sql"))
}

#[test]
fn tricks_aimed_at_a_scope_of_several_stay_scoped() {
    for scope in scopes_one_several_all() {
        for sql in scoped_several() {
            let guarded = accepted_in(sql, &scope);
            // Every base table reference sits directly in the scope's own filter, whatever filter the input
            // wrote around it.
            let reads = guarded.sql.matches("FROM marts.").count();
            let scoped =
                guarded.sql.matches(&format!("{} {}", "FROM marts.dim_contacts", filter_of(&scope))).count()
                    + guarded
                        .sql
                        .matches(&format!("{} {}", "FROM marts.fct_messages", filter_of(&scope)))
                        .count();
            assert!(reads > 0 && scoped == reads, "{scope}: {}", guarded.sql);
        }
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
fn a_literal_of_a_tenant_outside_a_scope_of_several_can_only_narrow() {
    let scope = scope_of(&["acme_corp", "globex"]);
    for sql in [
        "SELECT full_name FROM marts.dim_contacts UNION ALL SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'initech'",
        "SELECT full_name FROM marts.dim_contacts WHERE tenant_id IN ('initech', 'acme_corp') \
         UNION ALL SELECT full_name FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id IN ('globex', 'initech')) AS d",
    ] {
        let guarded = accepted_in(sql, &scope);
        assert_eq!(
            guarded.sql.matches("FROM marts.dim_contacts WHERE tenant_id IN ('acme_corp', 'globex')").count(),
            2,
            "{}",
            guarded.sql
        );
        assert_eq!(guarded.sql.matches("FROM marts.dim_contacts").count(), 2, "{}", guarded.sql);
    }
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
        let scope = scope_of(&[tenant]);
        let guarded = inda_guard::guard(
            "SELECT * FROM marts.dim_contacts c JOIN fct_messages m ON m.contact_id = c.contact_id",
            &scope,
            &inda_guard::Catalog::marts(),
            &inda_guard::GuardOptions::default(),
        )
        .unwrap_or_else(|r| panic!("{r}"));
        assert_scoped(&guarded.sql, &scope);
        assert!(!guarded.sql.contains(TENANT));
    }
}

#[test]
fn rewritten_sql_is_scoped_for_the_callers_tenants_only() {
    for tenants in [&["globex", "initech"][..], &["initech", "stark-ind_2", "globex"], &TENANTS[1..]] {
        let scope = scope_of(tenants);
        let guarded = run_in(
            "SELECT * FROM marts.dim_contacts c JOIN fct_messages m ON m.contact_id = c.contact_id \
             WHERE c.tenant_id = 'acme_corp' OR 1 = 1",
            &scope,
        )
        .unwrap_or_else(|r| panic!("{r}"));
        assert_scoped(&guarded.sql, &scope);
        // The caller's literal stays in the outer condition, never in a tenant filter.
        assert_eq!(guarded.sql.matches(TENANT).count(), 1, "{}", guarded.sql);
        assert!(!guarded.sql.contains(&format!("IN ('{TENANT}'")), "{}", guarded.sql);
    }
}
