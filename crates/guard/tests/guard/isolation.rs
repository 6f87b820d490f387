//! Isolation checked on a second engine, SQLite: for every query and every scope (one tenant, several, all
//! of them), the guarded SQL run over a database holding all tenants returns exactly what the original SQL
//! returns over a database holding only the scope's rows. Tenants overlap in ids and differ in size, so any
//! leak changes the result.

use crate::common::generator::QueryGen;
use crate::common::{TENANTS, every_scope, scope_of, scope_of_mask};
use inda_guard::{Catalog, GuardOptions, Scope, guard};
use proptest::prelude::*;
use rusqlite::Connection;
use rusqlite::types::ValueRef;

/// Large enough that the row cap never cuts a result here; capping is tested elsewhere.
const OPTIONS: GuardOptions = GuardOptions { max_rows: 1_000_000 };

const SCHEMA: &str = "
    CREATE TABLE marts.dim_contacts (tenant_id TEXT NOT NULL, contact_id TEXT, full_name TEXT, email TEXT,
        phone TEXT, country TEXT, city TEXT, segment TEXT, lifecycle_stage TEXT, source_channel TEXT,
        opted_in INTEGER, created_at TEXT, updated_at TEXT);
    CREATE TABLE marts.dim_campaigns (tenant_id TEXT NOT NULL, campaign_id TEXT, campaign_name TEXT,
        channel TEXT, campaign_type TEXT, status TEXT, started_at TEXT, ended_at TEXT, budget REAL);
    CREATE TABLE marts.fct_messages (tenant_id TEXT NOT NULL, message_id TEXT, contact_id TEXT,
        campaign_id TEXT, channel TEXT, direction TEXT, status TEXT, template_name TEXT, sent_at TEXT,
        delivered_at TEXT, read_at TEXT, cost REAL);
    CREATE TABLE marts.fct_activities (tenant_id TEXT NOT NULL, activity_id TEXT, contact_id TEXT,
        campaign_id TEXT, activity_type TEXT, channel TEXT, occurred_at TEXT, amount REAL, currency TEXT);
    CREATE TABLE marts.fx_rates (tenant_id TEXT NOT NULL, currency TEXT, month TEXT, rate REAL);
";

/// An in-memory database with the marts tables in an attached `marts` schema, holding `tenants`' rows.
pub(crate) fn database<S: AsRef<str>>(tenants: &[S]) -> Connection {
    let db = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
    db.execute_batch("ATTACH DATABASE ':memory:' AS marts;").unwrap_or_else(|e| panic!("{e}"));
    db.execute_batch(SCHEMA).unwrap_or_else(|e| panic!("{e}"));
    for tenant in tenants {
        insert_tenant(&db, tenant.as_ref());
    }
    db
}

/// A database for each subset of [`TENANTS`], indexed by its bit mask (bit 0 is `acme_corp`; 0 holds no
/// rows at all).
fn databases_by_mask() -> Vec<Connection> {
    (0..1usize << TENANTS.len())
        .map(|mask| {
            let tenants: Vec<&str> =
                TENANTS.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, t)| *t).collect();
            database(&tenants)
        })
        .collect()
}

/// Deterministic rows; sizes differ by tenant and ids restart at 1 for each, so they overlap.
fn insert_tenant(db: &Connection, tenant: &str) {
    let (contacts, campaigns, factor) = match tenant {
        "acme_corp" => (6, 3, 1),
        "globex" => (9, 4, 2),
        _ => (3, 2, 3),
    };
    let countries = ["CO", "MX", "US", "CO"];
    let segments = ["vip", "regular", "new", "at_risk"];
    let channels = ["whatsapp", "sms", "email", "push"];
    let statuses = ["sent", "delivered", "read", "failed"];
    let kinds = ["purchase", "page_view", "refund", "login"];
    for i in 1..=campaigns {
        db.execute(
            "INSERT INTO marts.dim_campaigns VALUES (?1, ?2, ?3, ?4, 'broadcast', ?5, '2026-01-0' || ?6, NULL, ?7)",
            rusqlite::params![
                tenant,
                format!("k{i}"),
                format!("{tenant} campaign {i}"),
                channels[(i + factor) % 4],
                if i % 2 == 0 { "active" } else { "completed" },
                i,
                100.0 * (i * factor) as f64
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
    }
    // Every tenant has rates for the same currencies and months, at its own rates: a join that reads another
    // tenant's rates multiplies rows and changes sums.
    for (currency, base) in [("USD", 1.0), ("COP", 0.00025)] {
        for month in ["2026-02-01", "2026-03-01"] {
            db.execute(
                "INSERT INTO marts.fx_rates VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![tenant, currency, month, base * (1.0 + 0.1 * factor as f64)],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    for c in 1..=contacts {
        db.execute(
            "INSERT INTO marts.dim_contacts VALUES (?1, ?2, ?3, NULL, NULL, ?4, 'city', ?5, 'customer', ?6, ?7,
             '2025-0' || ?8 || '-01', '2026-01-01')",
            rusqlite::params![
                tenant,
                format!("c{c}"),
                format!("{tenant} person {c}"),
                countries[(c * factor) % 4],
                segments[(c + factor) % 4],
                channels[c % 4],
                (c + factor) % 2,
                1 + c % 9
            ],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for m in 0..(c % 3 + factor) {
            db.execute(
                "INSERT INTO marts.fct_messages VALUES (?1, ?2, ?3, ?4, ?5, 'outbound', ?6, NULL,
                 '2026-02-0' || ?7, NULL, NULL, ?8)",
                rusqlite::params![
                    tenant,
                    format!("m{c}_{m}"),
                    format!("c{c}"),
                    format!("k{}", 1 + (c + m) % campaigns),
                    channels[(c + m) % 4],
                    statuses[(m + factor) % 4],
                    1 + m % 9,
                    0.01 * ((c + m) * factor) as f64
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
        for a in 0..(c % 2 + factor) {
            db.execute(
                "INSERT INTO marts.fct_activities VALUES (?1, ?2, ?3, ?4, ?5, 'web', '2026-03-0' || ?6, ?7, 'USD')",
                rusqlite::params![
                    tenant,
                    format!("a{c}_{a}"),
                    format!("c{c}"),
                    format!("k{}", 1 + (c * a) % campaigns),
                    kinds[(c + a + factor) % 4],
                    1 + a % 9,
                    (10 * c + a * factor) as f64
                ],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// The result as sorted text rows, so row order (which SQLite does not promise) does not matter.
pub(crate) fn rows(db: &Connection, sql: &str) -> Result<Vec<Vec<String>>, String> {
    let mut statement = db.prepare(sql).map_err(|e| format!("{e}: {sql}"))?;
    let width = statement.column_count();
    let mut out: Vec<Vec<String>> = statement
        .query_map([], |row| {
            (0..width)
                .map(|i| {
                    Ok(match row.get_ref(i)? {
                        ValueRef::Null => "NULL".to_string(),
                        ValueRef::Integer(n) => n.to_string(),
                        ValueRef::Real(f) => format!("{f:.6}"),
                        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                        ValueRef::Blob(b) => format!("{b:?}"),
                    })
                })
                .collect()
        })
        .map_err(|e| format!("{e}: {sql}"))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{e}: {sql}"))?;
    out.sort();
    Ok(out)
}

/// Queries SQLite and the guard both read: leaks the substring validator let through, and everyday SQL.
pub(crate) const CORPUS: &[&str] = &[
    "SELECT COUNT(*) AS n FROM marts.dim_contacts",
    "SELECT * FROM dim_contacts",
    "SELECT country, COUNT(*) AS n FROM MARTS.DIM_CONTACTS GROUP BY country",
    "SELECT * FROM \"dim_contacts\" WHERE tenant_id = 'acme_corp' OR 1=1",
    "SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex' OR tenant_id = 'initech' OR tenant_id = 'acme_corp'",
    "SELECT full_name FROM marts.dim_contacts WHERE tenant_id <> 'nobody'",
    "SELECT contact_id FROM marts.dim_contacts UNION SELECT contact_id FROM marts.fct_messages",
    "SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'acme_corp' \
     UNION ALL SELECT full_name FROM marts.dim_contacts WHERE tenant_id = 'globex'",
    "SELECT tenant_id, COUNT(*) FROM marts.fct_messages GROUP BY tenant_id",
    "SELECT c.segment, SUM(a.amount) AS revenue, COUNT(DISTINCT c.contact_id) AS buyers FROM marts.fct_activities a \
     JOIN marts.dim_contacts c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase', 'refund') \
     GROUP BY c.segment",
    "SELECT c.campaign_name, SUM(m.cost) FROM marts.fct_messages m LEFT JOIN marts.dim_campaigns c \
     ON m.campaign_id = c.campaign_id GROUP BY c.campaign_name",
    "SELECT COUNT(*) FROM marts.dim_contacts c CROSS JOIN marts.dim_campaigns k",
    "SELECT COUNT(*) FROM marts.dim_contacts c LEFT JOIN marts.fct_messages m ON 1 = 1",
    "SELECT COUNT(*) FROM marts.fct_messages m JOIN marts.dim_contacts c ON m.tenant_id <> c.tenant_id OR 1 = 1",
    "WITH dim_contacts AS (SELECT * FROM marts.fct_messages) SELECT COUNT(*) FROM dim_contacts",
    "WITH dim_contacts AS (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex' OR 1=1) \
     SELECT COUNT(*), SUM(LENGTH(full_name)) FROM dim_contacts",
    "WITH x AS (SELECT contact_id, COUNT(*) AS n FROM marts.fct_messages GROUP BY contact_id) \
     SELECT c.full_name, x.n FROM x JOIN marts.dim_contacts c ON c.contact_id = x.contact_id",
    "WITH a AS (SELECT * FROM marts.dim_contacts), b AS (SELECT * FROM a WHERE contact_id IN (SELECT contact_id FROM a)) \
     SELECT COUNT(*) FROM b",
    "WITH a AS (WITH b AS (SELECT * FROM marts.fct_activities) SELECT contact_id, SUM(amount) AS s FROM b GROUP BY contact_id) \
     SELECT * FROM a",
    "WITH \"Recent\" AS (SELECT * FROM fct_messages WHERE status = 'read') SELECT COUNT(*) FROM recent",
    "SELECT * FROM (SELECT * FROM marts.dim_contacts WHERE tenant_id = 'globex') AS c",
    "SELECT (SELECT COUNT(*) FROM marts.dim_contacts) AS everyone, (SELECT SUM(amount) FROM marts.fct_activities) AS total",
    "SELECT full_name FROM marts.dim_contacts c WHERE EXISTS (SELECT 1 FROM marts.fct_activities a \
     WHERE a.contact_id = c.contact_id AND a.activity_type = 'purchase')",
    "SELECT full_name FROM marts.dim_contacts WHERE contact_id NOT IN (SELECT contact_id FROM marts.fct_messages \
     WHERE status = 'failed')",
    "SELECT country FROM marts.dim_contacts GROUP BY country HAVING COUNT(*) >= (SELECT COUNT(*) / 4 FROM marts.dim_contacts)",
    "SELECT * FROM (SELECT contact_id, SUM(amount) AS total FROM marts.fct_activities GROUP BY contact_id) t \
     WHERE total > (SELECT AVG(amount) FROM marts.fct_activities)",
    "SELECT contact_id, COUNT(*) OVER () AS everyone, ROW_NUMBER() OVER (ORDER BY contact_id) AS r FROM marts.dim_contacts",
    "SELECT channel, SUM(cost) OVER (PARTITION BY channel) AS c, RANK() OVER (ORDER BY cost DESC) FROM marts.fct_messages",
    "SELECT contact_id, occurred_at, LAG(amount) OVER (PARTITION BY contact_id ORDER BY activity_id) FROM marts.fct_activities",
    "SELECT CASE WHEN amount > 30 THEN 'big' ELSE 'small' END AS size, COUNT(*), ROUND(AVG(amount), 2) \
     FROM marts.fct_activities GROUP BY 1 ORDER BY 2 DESC",
    "SELECT COALESCE(email, phone, 'none'), UPPER(country), SUBSTR(full_name, 1, 4) FROM marts.dim_contacts",
    "SELECT DISTINCT status FROM marts.fct_messages WHERE cost BETWEEN 0.01 AND 0.05",
    "SELECT * FROM marts.fct_messages ORDER BY message_id LIMIT 5",
    "SELECT * FROM marts.fct_messages ORDER BY cost DESC, message_id LIMIT 3 OFFSET 2",
    "SELECT marts.dim_contacts.country FROM marts.dim_contacts",
    "SELECT COUNT(*) FROM marts.dim_contacts, marts.fct_messages WHERE dim_contacts.contact_id = fct_messages.contact_id",
    "SELECT COUNT(*) FROM marts.dim_contacts NATURAL JOIN marts.fct_activities",
    "SELECT contact_id FROM marts.fct_messages INTERSECT SELECT contact_id FROM marts.fct_activities",
    "SELECT contact_id FROM marts.dim_contacts EXCEPT SELECT contact_id FROM marts.fct_activities WHERE amount > 20",
    "SELECT 1 -- ; DROP TABLE marts.dim_contacts",
    "SELECT COUNT(*) FROM marts.dim_contacts -- WHERE tenant_id = 'acme_corp'",
    "SELECT * FROM marts.dim_contacts WHERE full_name = 'DROP TABLE; x' OR 1 = 1",
    // Money converted with the exchange rates (SQLite has no DATE_TRUNC: the month is cut from the text).
    "SELECT SUM(a.amount * f.rate) AS revenue FROM marts.fct_activities a JOIN marts.fx_rates f \
     ON f.currency = a.currency AND f.month = SUBSTR(a.occurred_at, 1, 7) || '-01' \
     WHERE a.activity_type IN ('purchase', 'refund')",
    "SELECT COUNT(*) AS n, COUNT(f.rate) AS rated FROM marts.fct_activities a LEFT JOIN marts.fx_rates f \
     ON f.currency = a.currency AND f.month = SUBSTR(a.occurred_at, 1, 7) || '-01' WHERE a.amount IS NOT NULL",
    "SELECT currency, COUNT(*) AS months, MIN(rate), MAX(rate) FROM marts.fx_rates GROUP BY currency",
];

/// The evaluation set's reference queries that SQLite can run (no DATE_TRUNC, INTERVAL or date literals).
/// The money queries' exchange-rate month (semantics.md, Money) is cut from the text instead, as SQLite has
/// no DATE_TRUNC, so converted revenue still runs here.
pub(crate) fn sqlite_eval_queries() -> Vec<String> {
    // Compiled in: a test binary reused from another checkout (a shared target dir) must not look for files
    // at the path it was built from.
    let text = include_str!("../fixtures/nl-dev.sql");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("--"))
        .map(|l| {
            l.replace(
                "CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)",
                "SUBSTR(a.occurred_at, 1, 7) || '-01'",
            )
        })
        .filter(|l| !["DATE_TRUNC", "INTERVAL", "CURRENT_DATE", "DATE '"].iter().any(|f| l.contains(f)))
        .collect()
}

/// The guarded query over everyone's rows against the original over the scope's own (`own` holds exactly
/// the rows of the scope's tenants).
fn assert_isolated(sql: &str, scope: &Scope, everyone: &Connection, own: &Connection) -> Result<(), String> {
    let guarded = guard(sql, scope, &Catalog::marts(), &OPTIONS)
        .map_err(|r| format!("refused {sql} for {scope}: {r}"))?;
    let expected = rows(own, sql)?;
    // SQLite reads text: it gets the rendering proven to parse back into the checked tree.
    let text = guarded.proven_sql().map_err(|r| format!("unproven rendering of {sql}: {r}"))?;
    let actual = rows(everyone, text)?;
    if actual != expected {
        return Err(format!(
            "scope {scope}: results differ\n  sql     {sql}\n  guarded {}\n  expected {expected:?}\n  actual   {actual:?}",
            guarded.sql
        ));
    }
    Ok(())
}

/// For each tenant alone, each pair and all three: the guarded corpus over everyone's rows equals the corpus
/// over a database of the scope's tenants only.
#[test]
fn guarded_results_equal_the_tenants_own_results() {
    let everyone = database(&TENANTS);
    let mut corpus: Vec<String> = CORPUS.iter().map(|s| s.to_string()).collect();
    let eval = sqlite_eval_queries();
    assert!(eval.len() >= 15, "only {} evaluation queries run on SQLite", eval.len());
    corpus.extend(eval);
    let mut failures = Vec::new();
    let scopes = every_scope();
    assert_eq!(scopes.iter().filter(|s| s.single().is_some()).count(), TENANTS.len());
    for scope in &scopes {
        let own = database(scope.tenants());
        for sql in &corpus {
            if let Err(failure) = assert_isolated(sql, scope, &everyone, &own) {
                failures.push(failure);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A scope of several tenants really reads all of them: over everyone's rows, the guarded count for the
/// scope is the sum of the guarded counts of its tenants alone, and each tenant of the scope shows up.
#[test]
fn a_scope_of_several_tenants_reads_each_of_them_and_only_them() {
    let everyone = database(&TENANTS);
    let count = |sql: &str, scope: &Scope| -> i64 {
        let guarded = guard(sql, scope, &Catalog::marts(), &OPTIONS).unwrap_or_else(|r| panic!("{r}"));
        let text = guarded.proven_sql().unwrap_or_else(|r| panic!("{r}"));
        let rows = rows(&everyone, text).unwrap_or_else(|e| panic!("{e}"));
        rows[0][0].parse().unwrap_or_else(|e| panic!("{e}: {rows:?}"))
    };
    for table in ["dim_contacts", "fct_messages", "fct_activities", "dim_campaigns", "fx_rates"] {
        let sql = format!("SELECT COUNT(*) FROM marts.{table} WHERE tenant_id <> 'nobody' OR 1 = 1");
        for scope in every_scope() {
            let alone: i64 = scope.tenants().iter().map(|t| count(&sql, &scope_of(&[t.as_str()]))).sum();
            assert_eq!(count(&sql, &scope), alone, "{table} for {scope}");
        }
    }
    let sql = "SELECT DISTINCT tenant_id FROM marts.fct_messages";
    for scope in every_scope() {
        let guarded = guard(sql, &scope, &Catalog::marts(), &OPTIONS).unwrap_or_else(|r| panic!("{r}"));
        let seen: Vec<String> =
            rows(&everyone, &guarded.sql).unwrap_or_else(|e| panic!("{e}")).into_iter().flatten().collect();
        assert_eq!(seen, scope.tenants(), "{scope}");
    }
}

/// Without the guard, most of the corpus would leak: the data really tells tenants apart.
#[test]
fn the_data_makes_a_leak_visible() {
    let everyone = database(&TENANTS);
    let owns: Vec<Connection> = TENANTS.iter().map(|t| database(&[t])).collect();
    let reading: Vec<&&str> =
        CORPUS.iter().filter(|sql| sql.contains("marts.") || sql.contains("dim_")).collect();
    let visible = reading
        .iter()
        .filter(|sql| {
            let unguarded = rows(&everyone, sql);
            owns.iter().any(|own| rows(own, sql) != unguarded)
        })
        .count();
    assert!(visible + 2 >= reading.len(), "only {visible} of {} queries would show a leak", reading.len());
}

#[test]
fn isolation_holds_with_the_default_row_cap() {
    let everyone = database(&TENANTS);
    for scope in every_scope() {
        let own = database(scope.tenants());
        let sql = "SELECT m.message_id, c.full_name FROM marts.fct_messages m JOIN marts.dim_contacts c \
                   ON c.contact_id = m.contact_id";
        let guarded =
            guard(sql, &scope, &Catalog::marts(), &GuardOptions::default()).unwrap_or_else(|r| panic!("{r}"));
        assert_eq!(rows(&everyone, &guarded.sql), rows(&own, sql), "{scope}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 192,
        failure_persistence: crate::common::regressions(),
        ..ProptestConfig::default()
    })]

    /// Random queries (CTEs named like tables, unions, joins, subqueries, windows, odd spellings) are
    /// isolated on SQLite for every tenant.
    #[test]
    fn generated_queries_are_isolated_on_sqlite(tape in prop::collection::vec(any::<u32>(), 0..160), who in 0usize..3) {
        let sql = QueryGen::new(&tape, true).query();
        let scope = scope_of(&[TENANTS[who]]);
        DATABASES.with(|owns| {
            assert_isolated(&sql, &scope, &owns[ALL], &owns[1 << who]).map_err(TestCaseError::fail)
        })?;
    }

    /// The same for scopes of several tenants (each pair, and all three): the guarded query over everyone's
    /// rows equals the original over a database holding only the scope's tenants' rows.
    #[test]
    fn generated_queries_are_isolated_on_sqlite_for_several_tenants(
        tape in prop::collection::vec(any::<u32>(), 0..160),
        mask in prop::sample::select(vec![0b011usize, 0b101, 0b110, 0b111]),
    ) {
        let sql = QueryGen::new(&tape, true).query();
        let scope = scope_of_mask(mask);
        prop_assert!(scope.single().is_none());
        DATABASES.with(|owns| {
            assert_isolated(&sql, &scope, &owns[ALL], &owns[mask]).map_err(TestCaseError::fail)
        })?;
    }

    /// The output of a guard for one scope, guarded again for another, reads only the rows of both: over
    /// everyone's rows it equals the original over a database of the tenants the two scopes share (none, when
    /// they are disjoint). A narrower scope never takes a wider scope's wrapper for its own, nor the reverse.
    #[test]
    fn another_scopes_output_is_isolated_on_sqlite(
        tape in prop::collection::vec(any::<u32>(), 0..160),
        first in 1usize..8,
        second in 1usize..8,
    ) {
        let sql = QueryGen::new(&tape, true).query();
        let (first_scope, second_scope) = (scope_of_mask(first), scope_of_mask(second));
        let once = guard(&sql, &first_scope, &Catalog::marts(), &OPTIONS)
            .map_err(|r| TestCaseError::fail(format!("refused {sql} for {first_scope}: {r}")))?;
        let text = once.proven_sql().map_err(|r| TestCaseError::fail(format!("unproven {sql}: {r}")))?;
        DATABASES.with(|owns| {
            let twice = guard(text, &second_scope, &Catalog::marts(), &OPTIONS)
                .map_err(|r| format!("refused {text} for {second_scope}: {r}"))?;
            let expected = rows(&owns[first & second], &sql)?;
            let actual = rows(&owns[ALL], twice.proven_sql().map_err(|r| format!("unproven: {r}"))?)?;
            if actual == expected {
                Ok(())
            } else {
                Err(format!(
                    "{first_scope} then {second_scope}: results differ\n  sql   {sql}\n  twice {}\n  expected {expected:?}\n  actual   {actual:?}",
                    twice.sql
                ))
            }
        })
        .map_err(TestCaseError::fail)?;
    }
}

/// The mask of every tenant, the index of the database holding everyone's rows.
const ALL: usize = (1 << TENANTS.len()) - 1;

thread_local! {
    /// One database per subset of the tenants (see [`databases_by_mask`]), built once per test thread.
    static DATABASES: Vec<Connection> = databases_by_mask();
}
