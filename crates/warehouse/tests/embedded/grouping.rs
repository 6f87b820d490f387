//! Finding a partial aggregate's groups by the views of its strings (`crates/warehouse/src/grouping.rs`)
//! gives exactly DataFusion's answer: every statement of the project's question files and the peer shapes,
//! and statements made for its edges, with it and without it, the same rows, columns and types.

use super::differential::{Rule, differential, statements_of};
use super::rollups::{canonical, project_sql};
use super::{session, setup};
use inda_guard::{Catalog, GuardOptions};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};

/// Its edges: nulls in a group column and a filter on them, an aggregate's own filter, a filter that keeps
/// no row, three and four group columns, strings longer than a view holds, a key of many values (past the
/// codes a column gets beside another), one key column of many values (grouped by its views, in both stages)
/// of short and of long strings, and aggregates it leaves to DataFusion (`DISTINCT`). The contacts' names
/// are read through the messages: the contacts alone, a few hundred rows here, are aggregated in one stage
/// (DataFusion's), as a small table is.
const EDGES: [&str; 10] = [
    "SELECT contact_id, COUNT(*) AS n, SUM(cost) AS cost, AVG(cost) AS mean, MIN(sent_at) AS first, \
     MAX(template_name) AS template, COUNT(*) FILTER (WHERE status = 'read') AS read FROM marts.fct_messages \
     GROUP BY contact_id",
    "SELECT c.full_name, COUNT(*) AS n, MAX(c.country) AS country FROM marts.fct_messages m JOIN \
     marts.dim_contacts c ON c.contact_id = m.contact_id GROUP BY c.full_name",
    "SELECT campaign_id, channel, COUNT(*) AS n, COUNT(*) FILTER (WHERE status = 'read') AS read, SUM(cost) \
     AS cost, MIN(sent_at) AS first, MAX(template_name) AS template FROM marts.fct_messages GROUP BY \
     campaign_id, channel",
    "SELECT channel, campaign_id, COUNT(*) AS n FROM marts.fct_messages WHERE campaign_id IS NOT NULL GROUP BY \
     channel, campaign_id",
    "SELECT channel, status, COUNT(*) AS n FROM marts.fct_messages WHERE sent_at < TIMESTAMP '1990-01-01 \
     00:00:00' GROUP BY channel, status",
    "SELECT channel, direction, status, template_name, COUNT(*) AS n, AVG(cost) AS cost FROM \
     marts.fct_messages GROUP BY channel, direction, status, template_name",
    "SELECT template_name, status, direction, COUNT(read_at) AS read FROM marts.fct_messages WHERE cost > 0 \
     GROUP BY template_name, status, direction",
    "SELECT c.full_name, c.country, COUNT(*) AS n FROM marts.fct_messages m JOIN marts.dim_contacts c ON \
     c.contact_id = m.contact_id GROUP BY c.full_name, c.country",
    "SELECT contact_id, channel, COUNT(*) AS n, MAX(sent_at) AS last FROM marts.fct_messages GROUP BY \
     contact_id, channel",
    "SELECT channel, COUNT(DISTINCT contact_id) AS contacts, COUNT(*) AS n FROM marts.fct_messages GROUP BY \
     channel",
];

#[test]
fn grouping_by_views_gives_the_same_answers() {
    // Only an aggregate can be grouped by views. Unoptimised, DataFusion takes about 0.1 s a statement here:
    // every eighth statement (each for one of the two tenants) keeps the test to a few hundred runs.
    let statements: Vec<String> = project_sql().into_iter().filter(|sql| sql.contains("GROUP BY")).collect();
    let runs = compare(&statements, 8, false).1;
    assert!(runs >= 80, "only {runs} runs");
}

#[test]
fn grouping_by_views_at_its_edges_gives_the_same_answers() {
    let statements: Vec<String> = EDGES.iter().map(|s| s.to_string()).collect();
    // Joined as written: summed before the join, the names would be grouped after it, a few hundred rows.
    let (_, w) = setup();
    let (applied, runs) = compare_on(w.clone().with_eager_aggregation(false), &statements, 1, true);
    assert_eq!(runs, 2 * EDGES.len(), "every statement passes the guard");
    assert!(applied >= 2 * (EDGES.len() - 1), "only {applied} of {runs} runs grouped by views");
}

#[test]
fn statements_written_from_the_contract_alone_give_the_same_answers() {
    let statements = statements_of(include_str!("../fixtures/grouping.sql"));
    let (_, runs) = compare(&statements, 1, false);
    assert_eq!(runs, 2 * statements.len(), "every statement passes the guard, for both tenants");
}

#[test]
fn a_tuple_with_a_key_of_many_values_is_grouped_by_its_views_or_handed_over_with_the_same_answers() {
    // Beside the channel, contact ids (short strings) make more tuples than codes pay for: the rows are grouped
    // by their views directly (DataFusion's probe, after 100,000 rows, is not reached here). Message ids, each
    // its own group, are longer than a view: the inner aggregate hands them to DataFusion's. (Summed per
    // channel: the answer stays under the row limit, whose cut would fall on other rows.)
    for (key, handed_over) in [("contact_id", false), ("message_id", true)] {
        let sql = format!(
            "SELECT channel, COUNT(*) AS groups, SUM(n) AS n, MIN(first) AS first FROM (SELECT {key}, channel, \
             COUNT(*) AS n, MIN(sent_at) AS first FROM marts.fct_messages GROUP BY {key}, channel) AS m GROUP BY \
             channel"
        );
        assert_eq!(compare(std::slice::from_ref(&sql), 1, true), (2, 2), "both tenants, grouped by views");
        let w = as_written(&setup().1);
        let s = session("umbrella");
        let guarded = inda_guard::guard(&sql, &s.scope, &Catalog::marts(), &GuardOptions::default()).unwrap();
        let analyze = format!("EXPLAIN ANALYZE {}", guarded.sql);
        let rt = tokio::runtime::Runtime::new().unwrap();
        let plan = rt.block_on(w.query(&s, &analyze, &QueryLimits::default(), &Cancel::new())).unwrap();
        let plan = format!("{:?}", plan.rows);
        // The outer aggregate, by channel, never hands over; the inner one only for the longer ids.
        let handed: Vec<&str> = plan
            .split("mode=Partial")
            .skip(1)
            .filter_map(|exec| exec.split("handed_over=").nth(1))
            .map(|rest| rest.split(|c: char| !c.is_ascii_digit()).next().unwrap())
            .collect();
        let inner_handed = handed.iter().filter(|h| **h != "0").count();
        assert!(handed.len() == 2 && inner_handed == usize::from(handed_over), "{key}: {plan}");
        assert_eq!(plan.matches("GroupByViewsExec: mode=Final").count(), 2, "{key}: {plan}");
    }
}

/// Every `step`-th statement, grouped by views and as DataFusion does; from the facts, so that what is
/// compared is the exec alone. When `count`, how many grouped by views is read from their `EXPLAIN ANALYZE`.
fn compare(statements: &[String], step: usize, count: bool) -> (usize, usize) {
    compare_on(setup().1.clone(), statements, step, count)
}

/// The warehouse `w` grouping every statement as written: a grouping by a key its file proves unique (a
/// message id) is a projection otherwise (`keyed.rs`), and these tests are of the groupings.
fn as_written(w: &EmbeddedWarehouse) -> EmbeddedWarehouse {
    w.clone().with_keyed_groups(false)
}

/// [`compare`] on the warehouse `w`.
fn compare_on(w: EmbeddedWarehouse, statements: &[String], step: usize, count: bool) -> (usize, usize) {
    let with = as_written(&w).with_rollups(false);
    let without = with.clone().with_view_grouping(false);
    let rule = Rule {
        with,
        without,
        explain: "EXPLAIN ANALYZE",
        marker: "GroupByViewsExec",
        compare_all: true,
        count,
    };
    differential(&rule, statements, step)
}

#[test]
fn a_final_aggregate_short_of_memory_hands_its_groups_over_with_the_same_answers() {
    // Grouped by views, a final aggregate the pool refuses more hands its groups so far to DataFusion's as
    // partial states, which merges (and spills) them as it would have. Pools from one too small for either to
    // one large enough for both: the same answer whenever it answers, and answers after a handover. (Near the
    // pool's edge either may be refused or not, as the two partitions happen to run: DataFusion's aggregate
    // then starts afresh, its first slice of states asking for hundreds of KB while the other partition holds
    // the rest. A query of a few row groups merges in one final stage, which holds every group: with the
    // other tests running beside it, 4 MiB was refused once, and on 2026-12-07 twice in a row: alone, only
    // 4 MiB of these pools both refuses the final aggregate and then fits DataFusion's, hence the pools from 4
    // to 8 MiB by 1 MiB.) Each message its own group; counted, so that the answer stays under the row limit.
    let sql = "SELECT COUNT(*) AS messages, SUM(n) AS n, MAX(template) AS template FROM (SELECT message_id, \
               COUNT(*) AS n, MAX(template_name) AS template FROM marts.fct_messages GROUP BY message_id) AS m";
    let with = as_written(&setup().1).with_rollups(false);
    let without = with.clone().with_view_grouping(false);
    let s = session("umbrella");
    let guarded = inda_guard::guard(sql, &s.scope, &Catalog::marts(), &GuardOptions::default()).unwrap();
    let analyze = format!("EXPLAIN ANALYZE {}", guarded.sql);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let run = |w: &EmbeddedWarehouse, limits: &QueryLimits| {
        rt.block_on(w.query_guarded(&s, &guarded, limits, &Cancel::new())).map(|answer| canonical(&answer))
    };
    let answer = run(&without, &QueryLimits::default()).unwrap();
    let mut handovers = 0;
    for kib in [64, 128, 256, 512, 768, 1024, 1536, 2048, 3072, 4096, 5120, 6144, 7168, 8192, 1 << 20] {
        let limits = QueryLimits { memory_bytes: kib << 10, ..QueryLimits::default() };
        match run(&with, &limits) {
            Ok(grouped) => assert_eq!(grouped, answer, "{kib} KiB"),
            Err(_) => assert!(kib < 8192, "refused at {kib} KiB"),
        }
        let Ok(plan) = rt.block_on(with.query(&s, &analyze, &limits, &Cancel::new())) else { continue };
        let plan = format!("{:?}", plan.rows);
        let line = plan
            .split("GroupByViewsExec: mode=Final")
            .nth(1)
            .and_then(|rest| rest.split("\\n").next())
            .unwrap_or("");
        assert!(!line.is_empty(), "the final aggregate is grouped by views: {plan}");
        if !line.contains("handed_over=0") {
            handovers += 1;
        }
    }
    assert!(handovers >= 1, "no pool made the final aggregate hand over");
}
