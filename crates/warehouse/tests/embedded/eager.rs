//! Summing a fact before joining it to a small dimension (`crates/warehouse/src/eager.rs`) gives exactly the
//! answer of the join as written: every statement with a join of the project's question files and the peer
//! shapes, with the rule and without it, the same rows, columns and types.

use super::rollups::{canonical, project_sql, ties_broken};
use super::{session, setup};
use inda_guard::{Catalog, GuardOptions};
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};

#[test]
fn summing_a_fact_before_a_small_join_gives_the_same_answers() {
    let (_, w) = setup();
    // From the facts, so that what is compared is the rule alone (the rollups have their own test).
    let eager = w.clone().with_rollups(false);
    let joined = eager.clone().with_eager_aggregation(false);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let limits = QueryLimits::default();
    let (mut applied, mut runs, mut wrong) = (0, 0, Vec::new());
    // Only a join can be rewritten; each statement runs for one of the two tenants (the rollups' test runs
    // them all for both): the rest would only cost the test its time.
    let statements: Vec<String> = project_sql()
        .into_iter()
        .filter(|sql| sql.to_ascii_uppercase().split_whitespace().any(|word| word == "JOIN"))
        .collect();
    for (i, tenant) in ["acme_corp", "umbrella"].into_iter().enumerate() {
        let s = session(tenant);
        for sql in statements.iter().skip(i).step_by(2) {
            let sql = ties_broken(sql);
            let Ok(guarded) = inda_guard::guard(&sql, &s.scope, &Catalog::marts(), &GuardOptions::default())
            else {
                continue;
            };
            runs += 1;
            let explain = format!("EXPLAIN {}", guarded.sql);
            let plan = rt.block_on(eager.query(&s, &explain, &limits, &Cancel::new()));
            if !plan.is_ok_and(|p| format!("{:?}", p.rows).contains("__inda_eager")) {
                continue;
            }
            applied += 1;
            let run =
                |w: &EmbeddedWarehouse| rt.block_on(w.query_guarded(&s, &guarded, &limits, &Cancel::new()));
            match (run(&joined), run(&eager)) {
                (Ok(a), Ok(b)) if canonical(&a) == canonical(&b) => {}
                (Ok(a), Ok(b)) => wrong.push(format!(
                    "{tenant}: {sql}\njoined {:?}\nsummed first {:?}",
                    canonical(&a),
                    canonical(&b)
                )),
                (Err(a), Err(b)) if a.message == b.message => {}
                (a, b) => {
                    wrong.push(format!("{tenant}: {sql}\njoined {:?}\nsummed first {:?}", a.err(), b.err()))
                }
            }
        }
    }
    eprintln!("{applied} of {runs} runs summed a fact before its join");
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // The sets hold many questions by campaign: the rule must apply to a good share of them.
    assert!(applied >= 200, "only {applied} runs summed a fact first");
}
