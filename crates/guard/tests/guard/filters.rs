//! Dashboard row filters: each rule written out and rendered exactly, hostile values kept inside their
//! literals, several tenants, no query able to see a row the filters leave out (checked on SQLite against
//! a database from which those rows were deleted), and the output byte-identical to the plain guard's when
//! no filter is set.

use crate::common::{TENANTS, scope_of, tenant_scope};
use crate::isolation::{CORPUS, database, rows, sqlite_eval_queries};
use inda_guard::{Catalog, GuardOptions, Guarded, RowDimension, RowFilters, Scope, guard, guard_filtered};
use rusqlite::Connection;

const OPTIONS: GuardOptions = GuardOptions { max_rows: 1_000_000 };

fn filtered(sql: &str, scope: &Scope, filters: &RowFilters) -> Guarded {
    guard_filtered(sql, scope, &Catalog::marts(), &OPTIONS, filters).unwrap_or_else(|r| panic!("{sql}: {r}"))
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

const ACME: &str = "tenant_id = 'acme_corp'";

#[test]
fn without_filters_the_output_is_byte_identical() {
    let scopes = [tenant_scope(), scope_of(&TENANTS)];
    let mut corpus: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    corpus.extend(sqlite_eval_queries());
    corpus.extend(include_str!("../fixtures/analyst.sql").split(";\n").map(str::to_string));
    let mut compared = 0;
    for scope in &scopes {
        for sql in &corpus {
            let plain = guard(sql, scope, &Catalog::marts(), &OPTIONS);
            let none = guard_filtered(sql, scope, &Catalog::marts(), &OPTIONS, &RowFilters::default());
            assert_eq!(plain, none, "{sql}");
            if let Ok(g) = none {
                assert!(g.filtered.is_empty());
                compared += 1;
            }
        }
    }
    assert!(compared > 80, "only {compared} accepted queries compared");
}

#[test]
fn each_rule_is_written_inside_the_tenant_filter() {
    let all = RowFilters {
        from: Some("2026-03-01".into()),
        to: Some("2026-03-31".into()),
        channel: strings(&["whatsapp", "sms"]),
        country: strings(&["CO"]),
        segment: strings(&["vip"]),
        campaign: strings(&["Black Friday"]),
    };
    let scope = tenant_scope();
    let contacts = format!(
        "contact_id IN (SELECT contact_id FROM marts.dim_contacts WHERE {ACME} AND country IN ('CO') AND segment IN ('vip'))"
    );
    let campaigns = format!(
        "campaign_id IN (SELECT campaign_id FROM marts.dim_campaigns WHERE {ACME} AND campaign_name IN ('Black Friday'))"
    );
    let g = filtered("SELECT COUNT(*) FROM marts.fct_messages", &scope, &all);
    assert_eq!(
        g.sql,
        format!(
            "SELECT COUNT(*) FROM (SELECT * FROM marts.fct_messages WHERE {ACME} AND channel IN ('whatsapp', 'sms') \
             AND {contacts} AND {campaigns} AND sent_at >= DATE '2026-03-01' AND sent_at < DATE '2026-04-01') \
             AS fct_messages LIMIT 1000000"
        )
    );
    assert_eq!(
        g.filtered,
        RowDimension::ALL
            .iter()
            .copied()
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    let g = filtered("SELECT COUNT(*) FROM fct_activities a", &scope, &all);
    assert!(g.sql.contains("channel IN ('whatsapp', 'sms') AND contact_id IN"), "{}", g.sql);
    assert!(
        g.sql.contains("occurred_at >= DATE '2026-03-01' AND occurred_at < DATE '2026-04-01') AS a"),
        "{}",
        g.sql
    );
    // Contacts: country and segment on the table itself; its own date only when no fact table is read.
    let g = filtered("SELECT COUNT(*) FROM dim_contacts", &scope, &all);
    assert_eq!(
        g.sql,
        format!(
            "SELECT COUNT(*) FROM (SELECT * FROM marts.dim_contacts WHERE {ACME} AND country IN ('CO') \
             AND segment IN ('vip') AND created_at >= DATE '2026-03-01' AND created_at < DATE '2026-04-01') \
             AS dim_contacts LIMIT 1000000"
        )
    );
    use RowDimension::*;
    assert_eq!(g.filtered, vec![Date, Country, Segment]);
    // Campaigns: channel and name on the table; started_at for dates when no fact table is read.
    let g = filtered("SELECT COUNT(*) FROM dim_campaigns", &scope, &all);
    assert_eq!(
        g.sql,
        format!(
            "SELECT COUNT(*) FROM (SELECT * FROM marts.dim_campaigns WHERE {ACME} AND channel IN ('whatsapp', 'sms') \
             AND campaign_name IN ('Black Friday') AND started_at >= DATE '2026-03-01' AND started_at < DATE '2026-04-01') \
             AS dim_campaigns LIMIT 1000000"
        )
    );
    assert_eq!(g.filtered, vec![Date, Channel, Campaign]);
    // A join with a fact table: the date goes on the facts only.
    let g = filtered(
        "SELECT c.country, COUNT(*) FROM fct_messages m JOIN dim_contacts c ON c.contact_id = m.contact_id GROUP BY 1",
        &scope,
        &all,
    );
    assert!(!g.sql.contains("created_at"), "{}", g.sql);
    assert!(g.sql.contains("sent_at >= DATE '2026-03-01'"), "{}", g.sql);
    // Exchange rates are never filtered, so nothing applied.
    let g = filtered("SELECT * FROM fx_rates", &scope, &all);
    assert_eq!(
        g.sql,
        guard("SELECT * FROM fx_rates", &scope, &Catalog::marts(), &OPTIONS).map(|g| g.sql).unwrap()
    );
    assert!(g.filtered.is_empty());
    // A dimension that does not reach a table is not reported: channel on contacts.
    let channel = RowFilters { channel: strings(&["sms"]), ..RowFilters::default() };
    assert!(filtered("SELECT * FROM dim_contacts", &scope, &channel).filtered.is_empty());
    // Only a start, or only an end.
    let from = RowFilters { from: Some("2025-12-31".into()), ..RowFilters::default() };
    let g = filtered("SELECT * FROM fct_messages", &scope, &from);
    assert!(g.sql.contains(&format!("{ACME} AND sent_at >= DATE '2025-12-31') AS")), "{}", g.sql);
    let to = RowFilters { to: Some("2025-12-31".into()), ..RowFilters::default() };
    let g = filtered("SELECT * FROM fct_messages", &scope, &to);
    assert!(g.sql.contains(&format!("{ACME} AND sent_at < DATE '2026-01-01') AS")), "{}", g.sql);
}

#[test]
fn filtered_output_parses_back_and_guarding_it_again_changes_nothing() {
    let all = RowFilters {
        from: Some("2026-01-01".into()),
        to: Some("2026-02-28".into()),
        channel: strings(&["email"]),
        country: strings(&["MX", "O'Hara"]),
        segment: strings(&["new"]),
        campaign: strings(&["Día de la Madre", "It's on"]),
    };
    for scope in [tenant_scope(), scope_of(&TENANTS)] {
        for sql in CORPUS {
            let Ok(first) = guard_filtered(sql, &scope, &Catalog::marts(), &OPTIONS, &all) else { continue };
            first.proven_sql().unwrap_or_else(|r| panic!("{sql}: {r}\n{}", first.sql));
            let again = filtered(&first.sql, &scope, &all);
            assert_eq!(again.sql, first.sql, "{sql}");
            assert_eq!(again.filtered, first.filtered, "{sql}");
        }
    }
}

#[test]
fn hostile_values_stay_inside_their_literals() {
    let everyone = database(&TENANTS);
    let scope = tenant_scope();
    for hostile in
        ["x' OR '1'='1", "CO') OR ('1'='1", "'; DROP TABLE marts.dim_contacts; --", "CO'--", "Ñandú \"q\""]
    {
        let filters = RowFilters { country: strings(&[hostile]), ..RowFilters::default() };
        let g =
            filtered("SELECT COUNT(*) FROM dim_contacts WHERE 1 = 1 OR tenant_id <> 'x'", &scope, &filters);
        let text = g.proven_sql().unwrap_or_else(|r| panic!("{hostile}: {r}"));
        assert_eq!(
            rows(&everyone, text).unwrap_or_else(|e| panic!("{e}")),
            vec![vec!["0".to_string()]],
            "{text}"
        );
    }
    // A backslash or a control character never reaches the SQL.
    for refused in ["a\\", "a\u{0}b", "line\nbreak"] {
        let filters = RowFilters { campaign: strings(&[refused]), ..RowFilters::default() };
        let r = guard_filtered("SELECT * FROM dim_campaigns", &scope, &Catalog::marts(), &OPTIONS, &filters);
        assert!(r.is_err(), "{refused:?} accepted");
    }
}

#[test]
fn bad_filters_are_refused() {
    let scope = tenant_scope();
    let refuse = |f: RowFilters| {
        guard_filtered("SELECT * FROM fct_messages", &scope, &Catalog::marts(), &OPTIONS, &f)
            .expect_err("accepted")
            .reason
    };
    let date = |from: &str, to: &str| RowFilters {
        from: Some(from.into()),
        to: Some(to.into()),
        ..RowFilters::default()
    };
    assert!(refuse(date("2026-02-30", "2026-03-01")).contains("YYYY-MM-DD"));
    assert!(refuse(date("2026-03-02", "2026-03-01")).contains("after"));
    assert!(refuse(date("2026-03-01' OR '1'='1", "2026-03-02")).contains("YYYY-MM-DD"));
    let many = RowFilters { channel: (0..51).map(|i| format!("c{i}")).collect(), ..RowFilters::default() };
    assert!(refuse(many).contains("at most 50"));
    let long = RowFilters { segment: vec!["x".repeat(201)], ..RowFilters::default() };
    assert!(refuse(long).contains("200"));
    // At the bounds it is accepted.
    let at_bounds = RowFilters {
        channel: (0..50).map(|_| "y".repeat(200)).collect(),
        ..date("2024-02-29", "2024-02-29")
    };
    assert!(
        guard_filtered("SELECT * FROM fct_messages", &scope, &Catalog::marts(), &OPTIONS, &at_bounds).is_ok()
    );
}

/// The filters every escape test applies: values the test data holds, for every tenant.
fn escape_filters() -> RowFilters {
    RowFilters {
        channel: strings(&["whatsapp", "email", "web"]),
        country: strings(&["CO", "US"]),
        segment: strings(&["vip", "new", "regular"]),
        campaign: TENANTS
            .iter()
            .flat_map(|t| [format!("{t} campaign 1"), format!("{t} campaign 2")])
            .collect(),
        ..RowFilters::default()
    }
}

/// The scope's rows minus those the filters leave out, written out here from the rules (not from the guard):
/// facts keep their channels, contacts of the countries and segments and campaigns of the names (matched
/// within their own tenant); contacts keep their countries and segments; campaigns their channels and names.
fn filtered_database(tenants: &[String], f: &RowFilters) -> Connection {
    let db = database(tenants);
    let list = |values: &[String]| {
        values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect::<Vec<_>>().join(", ")
    };
    let (channels, countries, segments, names) =
        (list(&f.channel), list(&f.country), list(&f.segment), list(&f.campaign));
    for fact in ["fct_messages", "fct_activities"] {
        db.execute_batch(&format!(
            "DELETE FROM marts.{fact} WHERE channel NOT IN ({channels})
               OR NOT EXISTS (SELECT 1 FROM marts.dim_contacts d WHERE d.tenant_id = {fact}.tenant_id
                   AND d.contact_id = {fact}.contact_id AND d.country IN ({countries}) AND d.segment IN ({segments}))
               OR NOT EXISTS (SELECT 1 FROM marts.dim_campaigns k WHERE k.tenant_id = {fact}.tenant_id
                   AND k.campaign_id = {fact}.campaign_id AND k.campaign_name IN ({names}));"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
    }
    db.execute_batch(&format!(
        "DELETE FROM marts.dim_contacts WHERE country NOT IN ({countries}) OR segment NOT IN ({segments});
         DELETE FROM marts.dim_campaigns WHERE channel NOT IN ({channels}) OR campaign_name NOT IN ({names});"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    db
}

/// Whatever the query says (its own WHERE, OR, UNION, joins, CTEs named like tables, the guard's own
/// unfiltered wrapper written out), over everyone's rows it returns exactly what it returns over a database
/// holding only the scope's rows that the filters keep.
#[test]
fn a_query_cannot_see_rows_the_filters_leave_out() {
    let everyone = database(&TENANTS);
    let f = escape_filters();
    let mut corpus: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    corpus.extend(sqlite_eval_queries());
    corpus.push(
        "SELECT COUNT(*) FROM (SELECT * FROM marts.fct_messages WHERE tenant_id = 'acme_corp') AS m".into(),
    );
    corpus.push(
        "SELECT channel, COUNT(*) FROM marts.fct_messages WHERE channel = 'sms' OR 1 = 1 GROUP BY channel \
         UNION ALL SELECT country, COUNT(*) FROM marts.dim_contacts WHERE country NOT IN ('CO', 'US') GROUP BY country"
            .into(),
    );
    let mut failures = Vec::new();
    let mut compared = 0;
    for scope in [tenant_scope(), scope_of(&["acme_corp", "globex"]), scope_of(&TENANTS)] {
        let own = filtered_database(scope.tenants(), &f);
        for sql in &corpus {
            let Ok(g) = guard_filtered(sql, &scope, &Catalog::marts(), &OPTIONS, &f) else { continue };
            let text = g.proven_sql().unwrap_or_else(|r| panic!("{sql}: {r}"));
            let (expected, actual) = (rows(&own, sql), rows(&everyone, text));
            compared += 1;
            if expected != actual {
                failures.push(format!(
                    "{scope}: {sql}\n  guarded {text}\n  expected {expected:?}\n  actual {actual:?}"
                ));
            }
        }
    }
    assert!(compared > 100, "only {compared} compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The data makes a filter visible: the filtered count is smaller than the unfiltered one and not zero.
#[test]
fn the_filters_really_remove_rows() {
    let everyone = database(&TENANTS);
    let f = escape_filters();
    for table in ["fct_messages", "fct_activities", "dim_contacts", "dim_campaigns"] {
        let sql = format!("SELECT COUNT(*) FROM marts.{table}");
        let count = |g: Guarded| -> i64 {
            rows(&everyone, g.proven_sql().unwrap_or_else(|r| panic!("{r}")))
                .unwrap_or_else(|e| panic!("{e}"))[0][0]
                .parse()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        for scope in [tenant_scope(), scope_of(&TENANTS)] {
            let all = count(filtered(&sql, &scope, &RowFilters::default()));
            let some = count(filtered(&sql, &scope, &f));
            assert!(0 < some && some < all, "{table} {scope}: {some} of {all}");
        }
    }
}

/// Over several tenants the contact and campaign subqueries match the outer row's tenant too, because ids
/// repeat across tenants.
#[test]
fn several_tenants_match_the_subquery_on_the_tenant() {
    let scope = scope_of(&["acme_corp", "globex"]);
    let f = RowFilters { country: strings(&["CO"]), ..RowFilters::default() };
    let g = filtered("SELECT COUNT(*) FROM fct_messages", &scope, &f);
    assert_eq!(
        g.sql,
        "SELECT COUNT(*) FROM (SELECT * FROM marts.fct_messages WHERE tenant_id IN ('acme_corp', 'globex') \
         AND contact_id IN (SELECT contact_id FROM marts.dim_contacts WHERE tenant_id IN ('acme_corp', 'globex') \
         AND country IN ('CO') AND tenant_id = marts.fct_messages.tenant_id)) AS fct_messages LIMIT 1000000"
    );
}
