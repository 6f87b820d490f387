//! Summing a fact before joining it to a dimension (`crates/warehouse/src/eager.rs`) gives exactly the
//! answer of the join as written: every statement with a join of the project's question files and the peer
//! shapes, and statements grouped by a large dimension's key, with the rule and without it, the same rows,
//! columns and types.

use super::differential::{Rule, differential};
use super::rollups::project_sql;
use super::setup;

/// Statements grouped by the contacts' key, as summed first when the contacts are too many to be a small
/// dimension. This fixture's tenants have few enough contacts to be one, so these check the rewrite's
/// answers; which sizes choose which side is for the unit tests of `eager.rs`.
const KEYED: [&str; 3] = [
    // What the question engine writes for "top 10 contacts by revenue".
    "SELECT c.contact_id, c.full_name, SUM(a.amount * f.rate) AS revenue, COUNT(CASE WHEN a.currency IS NOT \
     NULL AND f.rate IS NULL THEN 1 END) AS missing_fx_rate_rows FROM marts.fct_activities AS a LEFT OUTER \
     JOIN marts.fx_rates AS f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', \
     a.occurred_at) AS DATE) JOIN marts.dim_contacts AS c ON a.contact_id = c.contact_id WHERE \
     a.activity_type IN ('purchase', 'refund') GROUP BY c.contact_id, c.full_name ORDER BY revenue DESC, \
     c.contact_id ASC, c.full_name ASC LIMIT 10",
    "SELECT c.contact_id, c.country, m.channel, COUNT(*) AS messages, SUM(m.cost) AS cost, MIN(m.sent_at) AS \
     first, MAX(m.sent_at) AS last FROM marts.fct_messages m JOIN marts.dim_contacts c ON m.contact_id = \
     c.contact_id GROUP BY c.contact_id, c.country, m.channel",
    "SELECT c.full_name, c.contact_id, COUNT(a.amount) AS priced FROM marts.dim_contacts c JOIN \
     marts.fct_activities a ON c.contact_id = a.contact_id WHERE a.activity_type = 'purchase' GROUP BY \
     c.full_name, c.contact_id HAVING COUNT(a.amount) > 1",
];

#[test]
fn summing_a_fact_before_a_small_join_gives_the_same_answers() {
    // Only a join can be rewritten; each statement runs for one of the two tenants (the rollups' test runs
    // them all for both): the rest would only cost the test its time.
    let statements: Vec<String> = project_sql()
        .into_iter()
        .filter(|sql| sql.to_ascii_uppercase().split_whitespace().any(|word| word == "JOIN"))
        .collect();
    let (applied, runs) = compare(&statements, 2);
    eprintln!("{applied} of {runs} runs summed a fact before its join");
    // The sets hold many questions by campaign: the rule must apply to a good share of them.
    assert!(applied >= 200, "only {applied} runs summed a fact first");
}

#[test]
fn summing_before_a_join_on_a_grouped_key_gives_the_same_answers() {
    let statements: Vec<String> = KEYED.iter().map(|s| s.to_string()).collect();
    let (applied, runs) = compare(&statements, 1);
    assert_eq!((applied, runs), (2 * KEYED.len(), 2 * KEYED.len()), "each keyed statement, each tenant");
}

/// Every `step`-th statement the rule rewrites, with it and without it; from the facts, so that what is
/// compared is the rule alone (the rollups have their own test).
fn compare(statements: &[String], step: usize) -> (usize, usize) {
    let (_, w) = setup();
    let with = w.clone().with_rollups(false);
    let without = with.clone().with_eager_aggregation(false);
    let rule =
        Rule { with, without, explain: "EXPLAIN", marker: "__inda_eager", compare_all: false, count: true };
    differential(&rule, statements, step)
}
