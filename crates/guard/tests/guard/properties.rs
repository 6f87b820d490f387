//! Properties over random input: the guard never panics, whatever it is given; every query it accepts
//! reads base tables only through the tenant filter; and a forbidden relation anywhere is refused.

use crate::common::generator::QueryGen;
use crate::common::{TENANT, assert_fixed_point, assert_guarded_scoped, run};
use proptest::prelude::*;

/// Words and symbols that make random text parse often enough to reach the rewrite.
const VOCABULARY: &[&str] = &[
    "SELECT",
    "*",
    "FROM",
    "WHERE",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    ",",
    ";",
    "=",
    "1",
    "'x'",
    "'acme_corp'",
    "tenant_id",
    "contact_id",
    "marts.dim_contacts",
    "dim_contacts",
    "fct_messages",
    "MARTS.FCT_MESSAGES",
    "\"dim_contacts\"",
    "admin.tenants",
    "information_schema.tables",
    "c",
    "AS",
    "JOIN",
    "LEFT",
    "ON",
    "CROSS",
    "UNION",
    "ALL",
    "WITH",
    "RECURSIVE",
    "LATERAL",
    "IN",
    "EXISTS",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "10",
    "HAVING",
    "COUNT(*)",
    "OVER",
    "--",
    "/*",
    "*/",
    "\n",
    "DROP",
    "TABLE",
    "DELETE",
    "INSERT",
    "INTO",
    "VALUES",
    "read_parquet('x')",
    "@stage",
    "$1",
    "TOP",
    "FETCH",
    "FIRST",
    "ROWS",
    "ONLY",
    "QUALIFY",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "version()",
    "x.y.z",
    "marts.",
    ".",
    "\"",
    "'",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(VOCABULARY), 0..40).prop_map(|words| words.join(" "))
}

fn tape() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(any::<u32>(), 0..160)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: crate::common::regressions(),
        ..ProptestConfig::default()
    })]

    #[test]
    fn never_panics_on_arbitrary_text(sql in any::<String>()) {
        if let Ok(guarded) = run(&sql) {
            assert_guarded_scoped(&guarded, TENANT);
        }
    }

    #[test]
    fn never_panics_on_sql_like_soup_and_scopes_what_it_accepts(sql in soup()) {
        if let Ok(guarded) = run(&sql) {
            assert_guarded_scoped(&guarded, TENANT);
            assert_fixed_point(&guarded);
        }
    }

    #[test]
    fn generated_queries_are_accepted_and_every_table_is_scoped(tape in tape()) {
        let sql = QueryGen::new(&tape, false).query();
        let guarded = run(&sql).map_err(|r| TestCaseError::fail(format!("{sql}\nrefused: {r}")))?;
        prop_assert!(!guarded.tables.is_empty(), "{}", sql);
        assert_guarded_scoped(&guarded, TENANT);
        assert_fixed_point(&guarded);
    }

    #[test]
    fn a_forbidden_relation_anywhere_is_refused(tape in tape(), index in any::<usize>()) {
        let mut clean = QueryGen::new(&tape, false);
        clean.query();
        let mut generator = QueryGen::poisoned_at(&tape, index % clean.base_table_count().max(1));
        let sql = generator.query();
        prop_assert!(generator.poisoned, "{}", sql);
        prop_assert!(run(&sql).is_err(), "accepted: {}", sql);
    }
}

/// Shapes that make deep syntax trees, at and past every bound, on the test thread's small stack.
#[test]
fn deep_and_long_shapes_are_handled_without_overflowing_the_stack() {
    let at_most = 1_990; // just under the operator cap
    let mut shapes: Vec<String> = vec![
        format!("SELECT 1{}", "+1".repeat(at_most)),
        format!("SELECT 1{}", "+1".repeat(50_000)),
        format!("SELECT * FROM marts.dim_contacts WHERE 1=1{}", " OR 1=1".repeat(at_most / 2)),
        format!("SELECT contact_id{} FROM marts.dim_contacts", "::VARCHAR".repeat(at_most / 2)),
        format!("SELECT 1 AS x{}", " UNION ALL SELECT 1".repeat(at_most)),
        format!("SELECT * FROM marts.dim_contacts WHERE country IN ({})", vec!["'CO'"; 20_000].join(",")),
        format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000)),
    ];
    for depth in [10, 25, 40, 49, 60] {
        let open_close = |open: &str, close: &str| format!("{}{}", open.repeat(depth), close.repeat(depth));
        shapes.extend([
            format!("SELECT {}1", "NOT ".repeat(depth)),
            format!("SELECT {}1", "- ".repeat(depth)),
            open_close("SELECT CASE WHEN 1=1 THEN ", " END").replacen(" END", "1 END", 1),
            format!("SELECT {}1{}", "abs(".repeat(depth), ")".repeat(depth)),
            format!("SELECT {}1{}", "(".repeat(depth), ")".repeat(depth)),
            format!("SELECT {}1{}", "(SELECT ".repeat(depth), ")".repeat(depth)),
            format!(
                "SELECT * FROM {}marts.dim_contacts{}",
                "(SELECT * FROM ".repeat(depth),
                ")".repeat(depth)
            ),
            format!("{}SELECT 1 AS x{}", "WITH a AS (".repeat(depth), ") SELECT * FROM a".repeat(depth)),
            format!(
                "SELECT * FROM {}marts.dim_contacts{}",
                "(".repeat(depth),
                " JOIN marts.fct_messages ON 1=1)".repeat(depth)
            ),
            format!(
                "SELECT * FROM marts.dim_contacts WHERE contact_id {}'x'{}",
                "IN (SELECT contact_id FROM marts.fct_messages WHERE contact_id ".repeat(depth),
                ")".repeat(depth)
            ),
        ]);
    }
    let mut accepted = 0;
    for sql in &shapes {
        if let Ok(guarded) = run(sql) {
            assert_guarded_scoped(&guarded, TENANT);
            accepted += 1;
        }
    }
    // The deepest are refused: by the bound on nested parentheses (sqlparser backtracks exponentially near
    // its recursion limit), by that limit, or by the bounds on what the engine can plan.
    assert!(accepted >= 15, "only {accepted} deep shapes were accepted");
    assert!(run(&shapes[1]).is_err_and(|r| r.reason.contains("too complex")));
}
