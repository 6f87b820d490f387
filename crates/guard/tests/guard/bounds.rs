//! The bounds on what the engine must plan (src/cost.rs): each shape is accepted at its bound, with its
//! output scoped and a fixed point, and refused one step past it with a reason that names the number and
//! the limit; an analyst's long query passes; the trees at the bounds are safe for callers to copy and drop
//! on a small stack.

use crate::common::{accepted, rejected, run};

const W_CONTACTS: &str = "marts.dim_contacts";
const TABLES: [&str; 3] = ["marts.dim_contacts", "marts.fct_messages", "marts.fct_activities"];

/// CTEs `c1 … cn`, each reading the one before.
fn cte_chain(n: usize) -> String {
    let mut ctes = vec!["c1 AS (SELECT contact_id, amount FROM marts.fct_activities)".to_string()];
    for i in 2..=n {
        ctes.push(format!(
            "c{i} AS (SELECT contact_id, amount + 1 AS amount FROM c{} WHERE amount > {i})",
            i - 1
        ));
    }
    format!("WITH {} SELECT COUNT(*) AS n FROM c{n}", ctes.join(", "))
}

/// `n` independent CTEs, unread but one.
fn ctes(n: usize) -> String {
    let ctes: Vec<_> = (1..=n)
        .map(|i| format!("c{i} AS (SELECT channel FROM marts.fct_messages WHERE cost > {i})"))
        .collect();
    format!("WITH {} SELECT * FROM c{n}", ctes.join(", "))
}

/// IN subqueries nested `n` deep.
fn in_depth(n: usize) -> String {
    let mut sql = format!("SELECT contact_id FROM {W_CONTACTS}");
    for i in 1..=n {
        sql = format!("SELECT contact_id FROM {} WHERE contact_id IN ({sql})", TABLES[i % 3]);
    }
    sql
}

/// `n` relations joined with commas, conditions in WHERE.
fn comma_join(n: usize) -> String {
    let from: Vec<_> = (1..=n).map(|i| format!("{} t{i}", TABLES[i % 3])).collect();
    let on: String = (2..=n).map(|i| format!(" AND t{i}.contact_id = t{}.contact_id", i - 1)).collect();
    format!("SELECT COUNT(*) AS n FROM {} WHERE 1 = 1{on}", from.join(", "))
}

/// `n` SELECTs joined by UNION ALL (n - 1 set operations).
fn union_all(n: usize) -> String {
    (1..=n)
        .map(|i| format!("SELECT channel, cost + {i} AS c FROM marts.fct_messages"))
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// CTEs each joining the previous one with itself: 2^(n-1) relations once inlined.
fn cte_doubling(n: usize) -> String {
    let mut ctes = vec![format!("c1 AS (SELECT contact_id FROM {W_CONTACTS})")];
    for i in 2..=n {
        let p = i - 1;
        ctes.push(format!(
            "c{i} AS (SELECT x.contact_id FROM c{p} x JOIN c{p} y ON x.contact_id = y.contact_id)"
        ));
    }
    format!("WITH {} SELECT COUNT(*) AS n FROM c{n}", ctes.join(", "))
}

/// `cost + cost + …`, `n` terms.
fn plus_chain(n: usize) -> String {
    format!("SELECT cost{} AS v FROM marts.fct_messages", " + cost".repeat(n - 1))
}

/// `template` with `X` replaced by the previous level, `n` times, from `amount`.
fn nested(template: &str, n: usize) -> String {
    let mut e = "amount".to_string();
    for _ in 0..n {
        e = template.replace('X', &e);
    }
    e
}

fn nest(template: &str, n: usize) -> String {
    format!("SELECT {} AS v FROM marts.fct_activities", nested(template, n))
}

/// `n` expressions, each eight CASEs deep.
fn case8_wide(n: usize) -> String {
    let deep = nested("CASE WHEN amount > 1 THEN abs(X) ELSE 0 END", 8);
    let items: Vec<_> = (1..=n).map(|i| format!("{deep} AS v{i}")).collect();
    format!("SELECT {} FROM marts.fct_activities", items.join(", "))
}

/// (shape at its bound, one step past it, words the refusal must contain)
fn bounds() -> Vec<(String, String, &'static [&'static str])> {
    vec![
        (ctes(64), ctes(65), &["65 common table expressions", "at most 64"]),
        (cte_chain(31), cte_chain(32), &["33 levels of queries", "at most 32"]),
        (in_depth(8), in_depth(9), &["subqueries in conditions 9 levels deep", "at most 8"]),
        (comma_join(32), comma_join(33), &["joins 33 tables", "at most 32"]),
        (union_all(65), union_all(66), &["65 set operations", "at most 64"]),
        (cte_doubling(8), cte_doubling(9), &["reads 256 tables", "at most 128"]),
        (plus_chain(128), plus_chain(129), &["more than 128 levels", "IN (…)"]),
        (
            nest("CASE WHEN amount > 1 THEN X ELSE 0 END", 8),
            nest("CASE WHEN amount > 1 THEN X ELSE 0 END", 9),
            &["CASE, COALESCE", "more than 8 levels"],
        ),
        (nest("COALESCE(X, 0)", 8), nest("COALESCE(X, 0)", 9), &["more than 8 levels"]),
        (nest("(X BETWEEN 0 AND 1)::INT", 8), nest("(X BETWEEN 0 AND 1)::INT", 9), &["more than 8 levels"]),
        (case8_wide(5), case8_wide(6), &["extra terms", "at most 16384"]),
        (counts(512), counts(513), &["513 columns and expressions", "at most 512"]),
        (windows(64), windows(65), &["65 window functions", "at most 64"]),
        (order_by(16), order_by(17), &["17 expressions", "at most 16"]),
        (window_keys(16), window_keys(17), &["17 expressions", "at most 16"]),
        (cube(8), cube(9), &["512 grouping sets", "at most 256"]),
        (grouping_sets(8), grouping_sets(9), &["512 grouping sets", "at most 256"]),
    ]
}

/// `n` aggregates of a literal in one SELECT list.
fn counts(n: usize) -> String {
    let items: Vec<_> = (1..=n).map(|i| format!("COUNT({i}) AS n{i}")).collect();
    format!("SELECT {} FROM marts.fct_messages", items.join(", "))
}

/// `n` window functions ordered differently.
fn windows(n: usize) -> String {
    let items: Vec<_> = (1..=n)
        .map(|i| format!("SUM(cost) OVER (PARTITION BY channel ORDER BY cost + {i}) AS w{i}"))
        .collect();
    format!("SELECT {} FROM marts.fct_messages", items.join(", "))
}

/// An ORDER BY of `n` expressions.
fn order_by(n: usize) -> String {
    let keys: Vec<_> = (1..=n).map(|i| format!("SUBSTR(channel, {i})")).collect();
    format!("SELECT channel FROM marts.fct_messages ORDER BY {}", keys.join(", "))
}

/// A window partitioned by `n` expressions.
fn window_keys(n: usize) -> String {
    let keys: Vec<_> = (1..=n).map(|i| format!("SUBSTR(channel, {i})")).collect();
    format!("SELECT SUM(cost) OVER (PARTITION BY {}) AS s FROM marts.fct_messages", keys.join(", "))
}

/// GROUP BY CUBE of `n` expressions.
fn cube(n: usize) -> String {
    let keys: Vec<_> = (1..=n).map(|i| format!("cost + {i}")).collect();
    format!("SELECT COUNT(*) AS n FROM marts.fct_messages GROUP BY CUBE ({})", keys.join(", "))
}

/// `n` GROUPING SETS of two sets each, multiplied.
fn grouping_sets(n: usize) -> String {
    let sets: Vec<_> = (1..=n).map(|i| format!("GROUPING SETS ((cost + {i}), ())")).collect();
    format!("SELECT COUNT(*) AS n FROM marts.fct_messages GROUP BY {}", sets.join(", "))
}

#[test]
fn each_shape_is_accepted_at_its_bound_and_refused_past_it() {
    for (at, past, words) in bounds() {
        accepted(&at);
        let reason = rejected(&past);
        for word in words {
            assert!(reason.contains(word), "{reason:?} lacks {word:?}");
        }
    }
}

#[test]
fn a_long_analyst_query_is_accepted() {
    let guarded = accepted(include_str!("../fixtures/analyst.sql"));
    assert_eq!(
        guarded.tables,
        ["dim_campaigns", "dim_contacts", "fct_activities", "fct_messages", "fx_rates"]
    );
}

#[test]
fn the_row_cap_wrapper_counts_so_the_output_guards_to_itself() {
    // An unreadable LIMIT wraps the query one level deeper: at the bound that level is one too many…
    let deepest = cte_chain(31);
    let reason = rejected(&format!("{deepest} LIMIT 1 + 1"));
    assert!(reason.contains("33 levels of queries"), "{reason}");
    // …one level less passes, and its output (wrapper included) is accepted again unchanged.
    accepted(&format!("{} LIMIT 1 + 1", cte_chain(30)));
}

#[test]
fn subqueries_nest_through_ctes_and_derived_tables() {
    let mut ctes = vec![format!("c1 AS (SELECT contact_id FROM {W_CONTACTS})")];
    for i in 2..=10 {
        ctes.push(format!(
            "c{i} AS (SELECT contact_id FROM (SELECT * FROM {}) d WHERE contact_id IN (SELECT contact_id FROM c{}))",
            TABLES[i % 3],
            i - 1
        ));
    }
    let reason = rejected(&format!("WITH {} SELECT COUNT(*) AS n FROM c10", ctes.join(", ")));
    assert!(reason.contains("subqueries in conditions 9 levels deep"), "{reason}");
}

#[test]
fn an_unread_cte_still_counts() {
    // Engines plan every CTE; one nobody reads is charged once.
    let reason = rejected(&format!("WITH unread AS ({}) SELECT 1 AS x", union_all(66)));
    assert!(reason.contains("65 set operations"), "{reason}");
}

#[test]
fn trees_at_the_bounds_can_be_copied_and_dropped_on_a_small_stack() {
    // Callers clone the checked tree (the embedded engine plans from it) and drop it on their own thread,
    // often an async worker with a 2 MiB stack.
    let shapes: Vec<String> = bounds().into_iter().map(|(at, _, _)| at).collect();
    let worker = std::thread::Builder::new().stack_size(2 << 20).spawn(move || {
        for sql in &shapes {
            let guarded = run(sql).unwrap_or_else(|r| panic!("{r}"));
            let copy = guarded.query().clone();
            drop(guarded);
            drop(copy);
        }
    });
    let joined = worker.map(|handle| handle.join());
    assert!(matches!(joined, Ok(Ok(()))), "a tree at the bounds overflowed a 2 MiB stack");
}
