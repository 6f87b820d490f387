//! Comparing a filter's strings with short literals by their views (`crates/warehouse/src/view_filter.rs`)
//! gives exactly DataFusion's answer: every statement of the project's question files with a `WHERE`, and
//! statements made for its edges, with it and without it, the same rows, columns and types.

use super::differential::{Rule, differential, statements_of};
use super::rollups::project_sql;
use super::setup;

/// Its edges: `=`, `<>`, `IN` and `NOT IN` on columns of short strings, on a column with nulls
/// (`campaign_id`), on a column of longer strings (names, a literal a longer name starts with), the empty
/// string, a literal of exactly 12 bytes and one of 13 (left to DataFusion), a filter beside a join and inside
/// an aggregate's own `FILTER`, and a literal that no row holds.
const EDGES: [&str; 12] = [
    "SELECT channel, COUNT(*) AS n FROM marts.fct_messages WHERE status = 'read' GROUP BY channel",
    "SELECT status, COUNT(*) AS n FROM marts.fct_messages WHERE status <> 'read' AND channel <> 'sms' GROUP BY \
     status",
    "SELECT COUNT(*) AS n, SUM(amount) AS amount FROM marts.fct_activities WHERE activity_type IN ('purchase', \
     'refund')",
    "SELECT activity_type, COUNT(*) AS n FROM marts.fct_activities WHERE activity_type NOT IN ('purchase') \
     GROUP BY activity_type",
    "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE campaign_id = 'cmp_0001' OR campaign_id <> 'cmp_0002'",
    "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE template_name = '' OR template_name NOT IN ('a', 'b')",
    "SELECT COUNT(*) AS n FROM marts.dim_contacts WHERE full_name = 'Ana' OR full_name <> 'Maria'",
    "SELECT COUNT(*) AS n FROM marts.dim_contacts WHERE full_name IN ('Twelve bytes', 'Thirteen byte')",
    "SELECT c.country, COUNT(*) AS n FROM marts.fct_messages m JOIN marts.dim_contacts c ON c.contact_id = \
     m.contact_id WHERE m.status = 'delivered' AND c.country <> 'MX' GROUP BY c.country",
    "SELECT channel, COUNT(*) FILTER (WHERE status = 'failed') AS failed FROM marts.fct_messages WHERE \
     direction = 'outbound' GROUP BY channel",
    "SELECT COUNT(*) AS n FROM marts.fct_messages WHERE status = 'no such one'",
    "SELECT message_id, status FROM marts.fct_messages WHERE status IN ('read', 'failed') ORDER BY message_id \
     LIMIT 20",
];

/// Runs every `step`-th statement with the view filters and without them; gives (applied, runs), applied
/// when counted (`EXPLAIN ANALYZE`, whose plan is the one that runs, a third run of each).
fn compare(statements: &[String], step: usize, count: bool) -> (usize, usize) {
    let with = setup().1.clone().with_rollups(false);
    let without = with.clone().with_view_filters(false);
    let rule =
        Rule { with, without, explain: "EXPLAIN ANALYZE", marker: "by views", compare_all: true, count };
    differential(&rule, statements, step)
}

#[test]
fn comparing_by_views_gives_the_same_answers() {
    let statements: Vec<String> = project_sql().into_iter().filter(|sql| sql.contains("WHERE")).collect();
    // Every eighth statement (each for one of the two tenants): a few hundred runs.
    let runs = compare(&statements, 8, false).1;
    assert!(runs >= 80, "only {runs} runs");
}

#[test]
fn comparing_by_views_at_its_edges_gives_the_same_answers() {
    let statements: Vec<String> = EDGES.iter().map(|s| s.to_string()).collect();
    let (applied, runs) = compare(&statements, 1, true);
    assert_eq!(runs, 2 * EDGES.len(), "every statement passes the guard");
    // All but the literal of 13 bytes beside one of 12 (the list is left whole to DataFusion).
    assert!(applied >= 2 * (EDGES.len() - 1), "only {applied} of {runs} runs compared by views");
}

#[test]
fn statements_written_from_the_contract_alone_give_the_same_answers() {
    // Written by a helper from `data-model.md` alone, at the edges of string comparisons in filters (literals
    // of 0 to 52 bytes, 12 and 13 exactly, accents, quotes, case, nulls in lists), never tuned against.
    let statements = statements_of(include_str!("../fixtures/view_filters.sql"));
    let (applied, runs) = compare(&statements, 1, true);
    assert_eq!(runs, 2 * statements.len(), "every statement passes the guard, for both tenants");
    assert!(applied >= statements.len(), "only {applied} of {runs} runs compared by views");
}
