//! The loop of the engine rules' differential tests (`eager.rs`, `grouping.rs`): each statement runs with
//! the rule and without it, and must give the same rows, columns and types (or the same error).

use super::rollups::{canonical, ties_broken};
use super::session;
use inda_guard::{Catalog, GuardOptions};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};

/// A rule of the engine, on and off, and how to tell from a plan that it applied.
pub(super) struct Rule {
    pub with: EmbeddedWarehouse,
    pub without: EmbeddedWarehouse,
    /// The plan of `explain` and the statement shows `marker` when the rule applied.
    pub explain: &'static str,
    pub marker: &'static str,
    /// Whether statements it did not apply to are compared too (else they are skipped: the same plan runs).
    pub compare_all: bool,
    /// Whether to ask the plan of each compared statement (for `compare_all`, a third run).
    pub count: bool,
}

/// The statements of a fixture file: one a line, without blank lines and `--` comments.
pub(super) fn statements_of(fixture: &str) -> Vec<String> {
    fixture
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("--"))
        .map(String::from)
        .collect()
}

/// Runs every `step`-th statement for each of two tenants, with the rule and without it, and fails on any
/// difference; gives how many runs the rule applied to (when counted), and how many ran.
pub(super) fn differential(rule: &Rule, statements: &[String], step: usize) -> (usize, usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits::default();
    let (mut applied, mut runs, mut wrong) = (0, 0, Vec::new());
    for (i, tenant) in ["acme_corp", "umbrella"].into_iter().enumerate() {
        let s = session(tenant);
        for sql in statements.iter().skip(i % step).step_by(step) {
            let sql = ties_broken(sql);
            let Ok(guarded) = inda_guard::guard(&sql, &s.scope, &Catalog::marts(), &GuardOptions::default())
            else {
                continue;
            };
            runs += 1;
            if rule.count || !rule.compare_all {
                let explain = format!("{} {}", rule.explain, guarded.sql);
                let plan = rt.block_on(rule.with.query(&s, &explain, &limits, &Cancel::new()));
                if plan.is_ok_and(|p| format!("{:?}", p.rows).contains(rule.marker)) {
                    applied += 1;
                } else if !rule.compare_all {
                    continue;
                }
            }
            let run =
                |w: &EmbeddedWarehouse| rt.block_on(w.query_guarded(&s, &guarded, &limits, &Cancel::new()));
            match (run(&rule.without), run(&rule.with)) {
                (Ok(a), Ok(b)) if canonical(&a) == canonical(&b) => {}
                (Ok(a), Ok(b)) => wrong.push(difference(tenant, &sql, &canonical(&a), &canonical(&b))),
                (Err(a), Err(b)) if a.message == b.message => {}
                (a, b) => wrong.push(format!("{tenant}: {sql}\nwithout {:?}\nwith {:?}", a.err(), b.err())),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    (applied, runs)
}

/// What differs between two answers, short enough to read: the columns, or the row counts and the first rows
/// that differ.
fn difference<C: PartialEq + std::fmt::Debug>(
    tenant: &str,
    sql: &str,
    without: &(C, Vec<String>),
    with: &(C, Vec<String>),
) -> String {
    if without.0 != with.0 {
        return format!("{tenant}: {sql}\nwithout {:?}\nwith {:?}", without.0, with.0);
    }
    let first =
        without.1.iter().zip(&with.1).position(|(a, b)| a != b).unwrap_or(without.1.len().min(with.1.len()));
    format!(
        "{tenant}: {sql}\n{} rows without, {} with; from row {first}:\nwithout {:?}\nwith {:?}",
        without.1.len(),
        with.1.len(),
        without.1.get(first..(first + 3).min(without.1.len())),
        with.1.get(first..(first + 3).min(with.1.len()))
    )
}
