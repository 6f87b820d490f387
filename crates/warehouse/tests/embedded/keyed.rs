//! A grouping whose every group is one row, run as a projection (`crates/warehouse/src/keyed.rs`), gives
//! exactly the grouping's answer: every statement with a join of the project's question files and the peer
//! shapes, and statements aimed at the rule, with it and without it. Only a key the writer proved unique
//! counts: a contact written twice, or the contacts of two tenants (who share ids), leave the grouping as
//! written.

use super::differential::{Rule, differential, statements_of};
use super::rollups::project_sql;
use super::{admin_session, demo, session, setup};
use datafusion::arrow::array::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use inda_core::{ResultSet, Scope, Session};
use inda_warehouse::clustered::ClusteredWriter;
use inda_warehouse::{Cancel, EmbeddedWarehouse, QueryLimits, Warehouse};
use std::path::Path;

/// Statements whose groups are one row each once the contacts' or the campaigns' key is proven, in the
/// shapes analysts ask: summed by key and joined, by the query or by the eager aggregation.
const ONE_ROW_GROUPS: [&str; 7] = [
    // "Top 10 contacts by revenue", as the dev set asks it.
    "SELECT c.contact_id, c.full_name, SUM(a.amount * f.rate) AS revenue FROM marts.fct_activities a JOIN \
     marts.fx_rates f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS \
     DATE) JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase', \
     'refund') GROUP BY c.contact_id, c.full_name ORDER BY revenue DESC LIMIT 10",
    // Summed in a subquery, then grouped again by the key and a column of the contacts.
    "SELECT c.contact_id, c.country, SUM(s.n) AS n, MIN(s.n) AS lo, MAX(s.n) AS hi, COUNT(s.n) AS k, COUNT(*) \
     AS r FROM (SELECT contact_id, COUNT(*) AS n FROM marts.fct_messages GROUP BY contact_id) s JOIN \
     marts.dim_contacts c ON s.contact_id = c.contact_id GROUP BY c.contact_id, c.country",
    // A nullable sum counted: one row whose value is NULL counts 0.
    "SELECT c.contact_id, COUNT(s.read) AS k, SUM(s.read) AS total FROM (SELECT contact_id, \
     SUM(CASE WHEN status = 'read' THEN 1 END) AS read FROM marts.fct_messages GROUP BY contact_id) s JOIN \
     marts.dim_contacts c ON c.contact_id = s.contact_id GROUP BY c.contact_id ORDER BY k, c.contact_id",
    // The campaigns' key, with the dimension on the left.
    "SELECT d.campaign_id, d.campaign_name, SUM(m.cost) AS cost, COUNT(*) AS messages FROM marts.dim_campaigns d JOIN \
     marts.fct_messages m ON m.campaign_id = d.campaign_id GROUP BY d.campaign_id, d.campaign_name",
    // Grouped by the summed side's key instead of the contacts'.
    "SELECT s.contact_id, c.segment, MAX(s.spent) AS spent FROM (SELECT contact_id, SUM(amount) AS spent FROM \
     marts.fct_activities WHERE activity_type = 'purchase' GROUP BY contact_id) s JOIN marts.dim_contacts c \
     ON c.contact_id = s.contact_id GROUP BY s.contact_id, c.segment HAVING MAX(s.spent) > 0",
    // A filter on the contacts, and a sum of a decimal column (cast back to the sum's type).
    "SELECT c.contact_id, SUM(s.spent) AS spent FROM (SELECT contact_id, SUM(amount) AS spent FROM \
     marts.fct_activities GROUP BY contact_id) s JOIN (SELECT * FROM marts.dim_contacts WHERE country = 'MX') \
     c ON c.contact_id = s.contact_id GROUP BY c.contact_id",
    // Not one row per group: grouped by the segment only (the rule must leave it).
    "SELECT c.segment, SUM(s.spent) AS spent FROM (SELECT contact_id, SUM(amount) AS spent FROM \
     marts.fct_activities GROUP BY contact_id) s JOIN marts.dim_contacts c ON c.contact_id = s.contact_id \
     GROUP BY c.segment",
];

/// How many `Aggregate:` nodes the optimised logical plan of `sql` holds, on `w` for `session`.
fn aggregates(w: &EmbeddedWarehouse, session: &Session, sql: &str) -> usize {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let plan =
        rt.block_on(w.query(session, &format!("EXPLAIN {sql}"), &QueryLimits::default(), &Cancel::new()));
    let plan = format!("{:?}", plan.expect("explain").rows);
    let logical = plan.split("physical_plan").next().unwrap_or_default().to_string();
    logical.matches("Aggregate:").count()
}

fn guarded(sql: &str, scope: &Scope) -> inda_guard::Guarded {
    inda_guard::guard(sql, scope, &inda_guard::Catalog::marts(), &inda_guard::GuardOptions::default())
        .unwrap()
}

fn answer(w: &EmbeddedWarehouse, session: &Session, sql: &str) -> ResultSet {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let guarded = guarded(sql, &session.scope);
    rt.block_on(w.query_guarded(session, &guarded, &QueryLimits::default(), &Cancel::new())).unwrap()
}

/// Every statement compared on `with` (the rule on) and `without`, whether the rule applied or not.
fn both_ways(with: &EmbeddedWarehouse, without: &EmbeddedWarehouse) -> Rule {
    Rule {
        with: with.clone(),
        without: without.clone(),
        explain: "",
        marker: "",
        compare_all: true,
        count: false,
    }
}

#[test]
fn groupings_of_one_row_per_group_give_the_same_answers() {
    let (_, w) = setup();
    // From the facts, so that what is compared is this rule alone (the rollups have their own test).
    let with = w.clone().with_rollups(false);
    let without = with.clone().with_keyed_groups(false);
    let mut statements: Vec<String> = project_sql()
        .into_iter()
        .filter(|sql| sql.to_ascii_uppercase().split_whitespace().any(|word| word == "JOIN"))
        .collect();
    statements.extend(ONE_ROW_GROUPS.iter().map(|s| s.to_string()));
    let rule = both_ways(&with, &without);
    let (_, runs) = differential(&rule, &statements, 2);
    assert!(runs > 200, "only {runs} statements ran");

    // The rule applied where it should: one grouping fewer in each of the aimed statements but the last.
    let s = session("umbrella");
    let fewer: Vec<bool> = ONE_ROW_GROUPS
        .iter()
        .map(|sql| {
            let sql = guarded(sql, &s.scope).sql;
            aggregates(&with, &s, &sql) < aggregates(&without, &s, &sql)
        })
        .collect();
    assert_eq!(fewer, [true, true, true, true, true, true, false]);
}

/// Statements written by a helper from the data-model contract alone (aggregates joined to dimensions, and
/// near misses whose groups are not one row); the second file was kept aside until the rule was done.
#[test]
fn statements_written_from_the_contract_alone_give_the_same_answers() {
    let (_, w) = setup();
    let with = w.clone().with_rollups(false);
    let without = with.clone().with_keyed_groups(false);
    let s = session("umbrella");
    for fixture in
        [include_str!("../fixtures/keyed_pairs.sql"), include_str!("../fixtures/keyed_pairs_heldout.sql")]
    {
        let statements = statements_of(fixture);
        let rule = both_ways(&with, &without);
        let (_, runs) = differential(&rule, &statements, 1);
        let applied = statements
            .iter()
            .filter_map(|sql| {
                inda_guard::guard(sql, &s.scope, &inda_guard::Catalog::marts(), &Default::default()).ok()
            })
            .filter(|g| aggregates(&with, &s, &g.sql) < aggregates(&without, &s, &g.sql))
            .count();
        eprintln!(
            "{} statements, {runs} runs for two tenants, one grouping fewer in {applied}",
            statements.len()
        );
        // Every statement passes the guard, and the rule finds a good share of them.
        assert_eq!(runs, 2 * statements.len());
        assert!(applied * 2 >= statements.len(), "only {applied} of {}", statements.len());
    }
}

/// The contacts of one tenant rewritten with one contact twice, through the writer that proves keys (it
/// must not) or a plain one.
fn contact_twice(root: &Path, tenant: &str, proving: bool) {
    let path = root.join("marts/dim_contacts").join(tenant).join("data.parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap()).unwrap();
    let schema = reader.schema().clone();
    let batches: Vec<RecordBatch> = reader.build().unwrap().collect::<Result<_, _>>().unwrap();
    let first = batches[0].slice(0, 1);
    let out = std::fs::File::create(&path).unwrap();
    let writer = ArrowWriter::try_new(out, schema.clone(), None).unwrap();
    if proving {
        let mut writer = ClusteredWriter::new(writer, schema, None).with_key(&["contact_id"]);
        writer.write(&first).unwrap();
        for b in &batches {
            writer.write(b).unwrap();
        }
        writer.into_writer().unwrap().close().unwrap();
    } else {
        let mut writer = writer;
        writer.write(&first).unwrap();
        for b in &batches {
            writer.write(b).unwrap();
        }
        writer.close().unwrap();
    }
}

/// Whether the footer of a tenant's table proves its key.
fn proven(root: &Path, table: &str, tenant: &str) -> bool {
    let path = root.join("marts").join(table).join(tenant).join("data.parquet");
    let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap()).unwrap();
    let entries = reader.metadata().file_metadata().key_value_metadata().cloned().unwrap_or_default();
    entries.iter().any(|e| e.key == "inda.unique_key")
}

#[test]
fn only_a_key_the_writer_proved_makes_a_grouping_a_projection() {
    let (_dir, root) = demo(0.02, 11);
    // The generator proves every table's key: the dimensions' and the facts'.
    for table in ["dim_contacts", "dim_campaigns", "fx_rates", "fct_messages", "fct_activities"] {
        assert!(proven(&root, table, "acme_corp"), "{table}");
    }
    // A contact written twice: by the proving writer, which then proves nothing, and by a plain one.
    contact_twice(&root, "acme_corp", true);
    contact_twice(&root, "globex", false);
    assert!(!proven(&root, "dim_contacts", "acme_corp") && !proven(&root, "dim_contacts", "globex"));

    let with = EmbeddedWarehouse::new(&root).with_rollups(false);
    let without = with.clone().with_keyed_groups(false);
    let sql = "SELECT c.contact_id, c.full_name, COUNT(*) AS messages FROM marts.fct_messages m JOIN \
               marts.dim_contacts c ON m.contact_id = c.contact_id GROUP BY c.contact_id, c.full_name";
    for tenant in ["acme_corp", "globex"] {
        let s = session(tenant);
        let shown = guarded(sql, &s.scope).sql;
        assert_eq!(aggregates(&with, &s, &shown), aggregates(&without, &s, &shown), "{tenant}");
        let (a, b) = (answer(&with, &s, sql), answer(&without, &s, sql));
        assert_eq!(super::rollups::canonical(&a), super::rollups::canonical(&b), "{tenant}");
    }
    // A proven tenant: one grouping fewer, the same answer.
    let s = session("umbrella");
    let shown = guarded(sql, &s.scope).sql;
    assert!(aggregates(&with, &s, &shown) < aggregates(&without, &s, &shown));
    assert_eq!(
        super::rollups::canonical(&answer(&with, &s, sql)),
        super::rollups::canonical(&answer(&without, &s, sql))
    );

    // Two tenants' contacts share ids (`ct_000001` in each): an admin's scope of two proves nothing, and
    // the answer is the grouping's, contacts of both tenants summed under one id.
    let scope = Scope::new(["umbrella", "initech"]).unwrap();
    let admin = admin_session("umbrella", &scope);
    let shown = guarded(sql, &scope).sql;
    assert_eq!(aggregates(&with, &admin, &shown), aggregates(&without, &admin, &shown));
    assert_eq!(
        super::rollups::canonical(&answer(&with, &admin, sql)),
        super::rollups::canonical(&answer(&without, &admin, sql))
    );
}
