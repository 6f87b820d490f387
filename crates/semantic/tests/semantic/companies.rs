//! Several companies (issue 18): partner and platform admins read the rows of several tenants. The company
//! dimension (by name, in both languages, for a scope of several companies and of one), filters by a
//! company's name, joins that match the tenant only across several companies, money split by reporting
//! currency only when the companies' differ, and an analyst's SQL exactly as before.

use chrono::NaiveDate;
use inda_core::{ChartKind, Column, ResultSet, TenantEntry, Value};
use inda_semantic::{Lang, Plan, SemanticModel, SummaryContext, choose_chart, interpret, summarize};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")
}

fn entry(id: &str, name: &str, currency: Option<&str>) -> TenantEntry {
    TenantEntry {
        tenant_id: id.into(),
        tenant_name: name.into(),
        partner_id: "indigital".into(),
        is_active: true,
        currency: currency.map(str::to_string),
    }
}

fn builtin() -> SemanticModel {
    SemanticModel::builtin().expect("builtin model")
}

/// Partner `indigital`'s four companies, each with its own reporting currency.
fn partner() -> SemanticModel {
    builtin().with_companies(&[
        entry("globex", "Globex", Some("MXN")),
        entry("acme_corp", "Acme Corp", Some("COP")),
        entry("initech", "Initech", Some("PEN")),
        entry("umbrella", "Umbrella Health", Some("USD")),
    ])
}

/// Two companies that both report in US dollars.
fn dollars() -> SemanticModel {
    builtin().with_companies(&[
        entry("umbrella", "Umbrella Health", Some("USD")),
        entry("stark_ind", "Stark Industries", Some("usd")),
    ])
}

/// An analyst's scope: one company.
fn analyst() -> SemanticModel {
    builtin().with_companies(&[entry("acme_corp", "Acme Corp", Some("COP"))])
}

fn ask(m: &SemanticModel, q: &str) -> Plan {
    interpret(m, q, None, today()).unwrap_or_else(|e| panic!("{q}: {}", e.message))
}

const PARTNER_NAMES: &str = "CASE tenant_id WHEN 'acme_corp' THEN 'Acme Corp' WHEN 'globex' THEN 'Globex' \
                             WHEN 'initech' THEN 'Initech' WHEN 'umbrella' THEN 'Umbrella Health' END AS company";
const PARTNER_CURRENCIES: &str = "CASE a.tenant_id WHEN 'acme_corp' THEN 'COP' WHEN 'globex' THEN 'MXN' \
                                  WHEN 'initech' THEN 'PEN' WHEN 'umbrella' THEN 'USD' END AS currency";

#[test]
fn by_company_in_both_languages_for_several_companies() {
    let m = partner();
    assert!(m.spans_several_companies());
    for (q, lang, title) in [
        ("messages sent by company", Lang::En, "Messages sent by company"),
        ("messages sent per company last month", Lang::En, "Messages sent by company, last month"),
        ("mensajes enviados por empresa", Lang::Es, "Mensajes enviados por empresa"),
        ("mensajes enviados por cliente", Lang::Es, "Mensajes enviados por empresa"),
        ("mensajes enviados por compañía", Lang::Es, "Mensajes enviados por empresa"),
        ("messages sent by client", Lang::En, "Messages sent by company"),
        ("messages sent by customer company", Lang::En, "Messages sent by company"),
    ] {
        let p = ask(&m, q);
        assert!(p.sql.starts_with(&format!("SELECT {PARTNER_NAMES}, COUNT(*) AS ")), "{q}: {}", p.sql);
        assert!(p.sql.contains("GROUP BY 1 ORDER BY"), "{q}: {}", p.sql);
        assert_eq!((p.lang, p.title.as_str()), (lang, title), "{q}");
        assert_eq!(p.dimension_columns, ["company"], "{q}");
        assert_eq!(p.currency_column, None, "{q}: counts are not split by currency");
    }
    // "Which company …" ranks the companies; the customers metric keeps its words.
    let p = ask(&m, "which company sent the most messages");
    assert!(p.sql.contains(PARTNER_NAMES) && p.sql.ends_with("LIMIT 1"), "{}", p.sql);
    let p = ask(&m, "¿cuántos clientes hay?");
    assert!(p.sql.contains("lifecycle_stage = 'customer'") && !p.sql.contains("company"), "{}", p.sql);
    let p = ask(&m, "contactos por empresa");
    assert!(p.sql.contains(PARTNER_NAMES) && p.sql.contains("FROM marts.dim_contacts"), "{}", p.sql);
}

#[test]
fn by_company_for_one_company_is_one_row_not_an_error() {
    let m = analyst();
    assert!(!m.spans_several_companies());
    for q in ["messages sent by company", "mensajes enviados por empresa", "ventas por compañía"] {
        let p = ask(&m, q);
        assert!(
            p.sql.contains("tenant_id WHEN 'acme_corp' THEN 'Acme Corp' END AS company"),
            "{q}: {}",
            p.sql
        );
        assert_eq!(p.dimension_columns, ["company"]);
        assert_eq!(p.currency_column, None);
    }
    let p = ask(&m, "ventas por compañía");
    assert!(p.sql.contains("CASE a.tenant_id WHEN 'acme_corp' THEN 'Acme Corp' END AS company"), "{}", p.sql);
    // Within one company a "cliente" is still one of its customers (a contact), not a company.
    let p = ask(&m, "ventas por cliente");
    assert!(p.sql.contains("c.full_name") && !p.sql.contains("company"), "{}", p.sql);
    let p = ask(&m, "los 10 clientes con más ingresos");
    assert!(p.sql.contains("c.contact_id") && !p.sql.contains("company"), "{}", p.sql);
    // Without the directory the company is its tenant id.
    let p = ask(&builtin(), "messages sent by company");
    assert!(p.sql.starts_with("SELECT tenant_id AS company, COUNT(*)"), "{}", p.sql);
}

#[test]
fn a_company_is_filtered_by_its_name() {
    let m = partner();
    let p = ask(&m, "revenue for Acme");
    assert!(p.sql.contains("a.tenant_id = 'acme_corp'"), "{}", p.sql);
    assert_eq!(p.title, "Revenue (Acme Corp)");
    let p = ask(&m, "revenue of Acme Corp last month");
    assert!(p.sql.contains("a.tenant_id = 'acme_corp'"), "{}", p.sql);
    let p = ask(&m, "mensajes de Umbrella");
    assert!(p.sql.ends_with("WHERE tenant_id = 'umbrella'"), "{}", p.sql);
    assert_eq!(p.title, "Mensajes (Umbrella Health)");
    // "A vs B" between companies: one row each.
    for q in ["messages sent globex vs initech", "mensajes enviados de globex frente a initech"] {
        let p = ask(&m, q);
        assert!(p.sql.contains(PARTNER_NAMES), "{q}: {}", p.sql);
        assert!(p.sql.contains("tenant_id IN ('globex', 'initech')"), "{q}: {}", p.sql);
    }
    let p = ask(&m, "messages sent excluding globex");
    assert!(p.sql.contains("tenant_id <> 'globex'"), "{}", p.sql);
    // Follow-ups narrow to a company, or break down by company.
    let prev = ask(&m, "revenue by channel").intent;
    let p = interpret(&m, "only Globex", Some(&prev), today()).expect("a follow-up");
    assert!(p.sql.contains("a.tenant_id = 'globex'") && p.currency_column.is_none(), "{}", p.sql);
    let p = interpret(&m, "y por empresa?", Some(&prev), today()).expect("a follow-up");
    assert_eq!((p.lang, p.dimension_columns.as_slice()), (Lang::Es, &["company".to_string()][..]));
    // A company of another scope is not a word of this one.
    assert!(interpret(&m, "revenue for Stark", None, today()).is_err());
    assert!(interpret(&analyst(), "mensajes de Umbrella", None, today()).is_err());
}

#[test]
fn company_names_never_take_over_words_and_are_quoted_safely() {
    let m = builtin().with_companies(&[
        entry("sales_co", "Sales", Some("USD")),
        entry("whats", "WhatsApp", Some("USD")),
        entry("obrien", "O'Brien's \\ Sons", Some("USD")),
        entry("bad id'", "Injected", Some("USD")),
    ]);
    // "Sales" and "WhatsApp" keep their meaning: revenue, the channel.
    let p = ask(&m, "sales by channel");
    assert!(p.sql.contains("SUM(a.amount * f.rate)") && !p.sql.contains("'sales_co'"), "{}", p.sql);
    let p = ask(&m, "messages sent on WhatsApp");
    assert!(p.sql.contains("channel = 'whatsapp'"), "{}", p.sql);
    // Its tenant id still names it.
    let p = ask(&m, "revenue of sales co");
    assert!(p.sql.contains("a.tenant_id = 'sales_co'"), "{}", p.sql);
    // Quotes are doubled; a backslash (which engines read differently) is dropped; a bad id is left out.
    let p = ask(&m, "messages by company");
    assert!(p.sql.contains("WHEN 'obrien' THEN 'O''Brien''s  Sons'"), "{}", p.sql);
    assert!(!p.sql.contains('\\') && !p.sql.contains("Injected"), "{}", p.sql);
    let p = ask(&m, "revenue of O'Brien's Sons");
    assert!(p.sql.contains("a.tenant_id = 'obrien'"), "{}", p.sql);
}

#[test]
fn joins_match_the_tenant_only_across_several_companies() {
    for q in [
        "purchases by segment",
        "revenue by campaign",
        "top 10 contacts by revenue",
        "messaging cost by campaign type",
        "tasa de entrega por país",
    ] {
        let several = ask(&partner(), q).sql;
        let one = ask(&analyst(), q).sql;
        assert_eq!(one, ask(&builtin(), q).sql, "{q}: one company's SQL is unchanged");
        assert!(!one.contains("tenant_id"), "{q}: {one}");
        let joins: Vec<&str> = several.split(" JOIN ").skip(1).collect();
        assert!(!joins.is_empty(), "{q}: {several}");
        for j in joins {
            let on = j.split(" WHERE ").next().unwrap_or(j);
            assert!(
                on.contains(".tenant_id = ") && on.contains(".tenant_id"),
                "{q}: a join without the tenant: {j}"
            );
        }
    }
    let sql = ask(&partner(), "revenue by segment").sql;
    assert!(sql.contains("ON f.tenant_id = a.tenant_id AND f.currency = a.currency AND f.month ="), "{sql}");
    assert!(sql.contains("ON a.tenant_id = c.tenant_id AND a.contact_id = c.contact_id"), "{sql}");
    // A contact or a campaign of one company is not another's namesake: each row names its company.
    let p = ask(&partner(), "top 10 contacts by messages");
    assert_eq!(p.dimension_columns, ["contact_id", "full_name", "company"]);
    let p = ask(&partner(), "messages sent by campaign");
    assert_eq!(p.dimension_columns, ["campaign_name", "company"]);
    assert_eq!(ask(&analyst(), "messages sent by campaign").dimension_columns, ["campaign_name"]);
}

#[test]
fn money_is_split_by_currency_only_when_currencies_differ() {
    let m = partner();
    let p = ask(&m, "revenue by channel");
    assert_eq!(p.currency_column.as_deref(), Some("currency"));
    assert!(p.sql.contains(PARTNER_CURRENCIES), "{}", p.sql);
    assert!(p.sql.contains("GROUP BY a.channel, 2 ORDER BY 2 ASC, revenue DESC"), "{}", p.sql);
    for q in ["revenue", "ticket promedio", "campaign budget by channel", "monthly revenue this year"] {
        assert!(ask(&m, q).currency_column.is_some(), "{q}");
    }
    // Counts, rates, US-dollar costs and original amounts need no split; nor one company's money.
    for q in [
        "purchases by channel",
        "delivery rate",
        "messaging cost by channel",
        "revenue by currency",
        "revenue for Acme",
        "revenue of umbrella by month",
    ] {
        let p = ask(&m, q);
        assert_eq!(p.currency_column, None, "{q}: {}", p.sql);
        assert!(!p.sql.contains("AS currency"), "{q}: {}", p.sql);
    }
    // A list of several companies' rows says whose each is, and in which currency its money is.
    let p = ask(&m, "list the paused campaigns");
    assert!(p.sql.starts_with("SELECT CASE tenant_id WHEN 'acme_corp' THEN 'Acme Corp'"), "{}", p.sql);
    assert!(p.sql.contains("END AS currency, campaign_name,"), "{}", p.sql);
    assert_eq!(
        (p.dimension_columns.as_slice(), p.currency_column.as_deref()),
        (&["company".to_string()][..], Some("currency"))
    );
    let p = ask(&dollars(), "list the paused campaigns");
    assert!(p.sql.contains("END AS company, campaign_name,") && p.currency_column.is_none(), "{}", p.sql);
    // Companies sharing a currency: as today, one currency.
    let p = ask(&dollars(), "revenue by channel");
    assert_eq!(p.currency_column, None, "{}", p.sql);
    assert!(p.sql.contains("f.tenant_id = a.tenant_id"), "{}", p.sql);
    assert_eq!(dollars().reporting_currency(), Some("USD"));
    assert_eq!(partner().reporting_currency(), None);
    assert_eq!(analyst().reporting_currency(), Some("COP"));
    assert_eq!(builtin().reporting_currency(), None);
}

#[test]
fn a_top_n_ranks_within_each_currency() {
    let p = ask(&partner(), "top 5 campaigns by revenue");
    let sql = &p.sql;
    assert!(
        sql.starts_with(
            "SELECT campaign_name, company, currency, revenue, missing_fx_rate_rows FROM (SELECT"
        ),
        "{sql}"
    );
    assert!(
        sql.contains("ROW_NUMBER() OVER (PARTITION BY CASE a.tenant_id WHEN 'acme_corp' THEN 'COP'"),
        "{sql}"
    );
    assert!(sql.contains("ORDER BY SUM(a.amount * f.rate) DESC, cp.campaign_name ASC"), "{sql}");
    assert!(
        sql.ends_with("AS ranked WHERE rank_in_currency <= 5 ORDER BY currency, rank_in_currency"),
        "{sql}"
    );
    // Counts rank over all rows, as for one company.
    let sql = ask(&partner(), "top 3 campaigns by messages sent").sql;
    assert!(sql.ends_with("LIMIT 3") && !sql.contains("ROW_NUMBER"), "{sql}");
}

/// An analyst's SQL is exactly what it was before scopes: the same text, for every dev question, with the
/// analyst's one company known or not; and for a handful, the text the engine wrote before issue 18.
#[test]
fn an_analysts_sql_is_unchanged() {
    let (b, one) = (builtin(), analyst());
    for line in include_str!("../fixtures/nl-dev.jsonl").lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        let q = v["question"].as_str().unwrap_or_default();
        assert_eq!(ask(&one, q).sql, ask(&b, q).sql, "{q}");
    }
    let before = [
        (
            "Messages sent by channel last month",
            "SELECT channel, COUNT(*) AS messages_sent FROM marts.fct_messages WHERE direction = 'outbound' AND sent_at >= DATE_TRUNC('month', CURRENT_DATE) - INTERVAL '1 month' AND sent_at < DATE_TRUNC('month', CURRENT_DATE) GROUP BY channel ORDER BY messages_sent DESC, channel ASC",
        ),
        (
            "Top 5 campaigns by revenue",
            "SELECT cp.campaign_name, SUM(a.amount * f.rate) AS revenue, COUNT(CASE WHEN a.currency IS NOT NULL AND f.rate IS NULL THEN 1 END) AS missing_fx_rate_rows FROM marts.fct_activities AS a LEFT OUTER JOIN marts.fx_rates AS f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_campaigns AS cp ON a.campaign_id = cp.campaign_id WHERE a.activity_type IN ('purchase', 'refund') GROUP BY cp.campaign_name ORDER BY revenue DESC, cp.campaign_name ASC LIMIT 5",
        ),
        (
            "Average order value by country",
            "SELECT c.country, AVG(a.amount * f.rate) AS average_order_value, COUNT(CASE WHEN a.currency IS NOT NULL AND f.rate IS NULL THEN 1 END) AS missing_fx_rate_rows FROM marts.fct_activities AS a LEFT OUTER JOIN marts.fx_rates AS f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts AS c ON a.contact_id = c.contact_id WHERE a.activity_type = 'purchase' GROUP BY c.country ORDER BY average_order_value DESC, c.country ASC",
        ),
        (
            "Número de compras por segmento",
            "SELECT c.segment, COUNT(*) AS compras FROM marts.fct_activities AS a JOIN marts.dim_contacts AS c ON a.contact_id = c.contact_id WHERE a.activity_type = 'purchase' GROUP BY c.segment ORDER BY compras DESC, c.segment ASC",
        ),
        (
            "Top 10 contacts by revenue",
            "SELECT c.contact_id, c.full_name, SUM(a.amount * f.rate) AS revenue, COUNT(CASE WHEN a.currency IS NOT NULL AND f.rate IS NULL THEN 1 END) AS missing_fx_rate_rows FROM marts.fct_activities AS a LEFT OUTER JOIN marts.fx_rates AS f ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) JOIN marts.dim_contacts AS c ON a.contact_id = c.contact_id WHERE a.activity_type IN ('purchase', 'refund') GROUP BY c.contact_id, c.full_name ORDER BY revenue DESC, c.contact_id ASC, c.full_name ASC LIMIT 10",
        ),
    ];
    for (q, sql) in before {
        assert_eq!(ask(&one, q).sql, sql, "{q}");
        assert_eq!(ask(&b, q).sql, sql, "{q}");
    }
}

#[test]
fn the_model_keeps_its_companies_through_names_and_overrides() {
    let m = partner().with_data_values("campaign", &["Black Friday 2025".to_string()]).expect("names");
    assert!(m.spans_several_companies());
    let p = ask(&m, "revenue of the Black Friday 2025 campaign for Globex");
    assert!(p.sql.contains("cp.campaign_name = 'Black Friday 2025'"), "{}", p.sql);
    assert!(
        p.sql.contains("a.tenant_id = 'globex'") && p.sql.contains("a.tenant_id = cp.tenant_id"),
        "{}",
        p.sql
    );
    let m = m.with_override("examples: []\n").expect("override");
    assert!(
        ask(&m, "revenue by company")
            .sql
            .contains(PARTNER_NAMES.replace("CASE tenant_id", "CASE a.tenant_id").as_str())
    );
}

fn rs(columns: &[(&str, &str)], rows: Vec<Vec<Value>>) -> ResultSet {
    ResultSet { columns: columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(), rows, truncated: false }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

#[test]
fn split_money_carries_no_single_currency_and_is_never_added() {
    let m = partner();
    let p = ask(&m, "revenue by company");
    let mut r = rs(
        &[
            ("company", "VARCHAR"),
            ("currency", "VARCHAR"),
            ("revenue", "DOUBLE"),
            (inda_semantic::MISSING_RATE_COLUMN, "BIGINT"),
        ],
        vec![
            vec![text("Acme Corp"), text("COP"), Value::Float(5000.0), Value::Int(0)],
            vec![text("Globex"), text("MXN"), Value::Float(300.0), Value::Int(0)],
        ],
    );
    assert_eq!(inda_semantic::take_missing_rate_rows(&p, &mut r), 0);
    inda_semantic::label_columns(&m, &p, &mut r, None);
    assert_eq!(r.columns[0].label.as_deref(), Some("Company"));
    assert_eq!(r.columns[1].label.as_deref(), Some("Currency"));
    assert_eq!(r.columns[2].label.as_deref(), Some("Revenue (each company's currency)"));
    assert_eq!(r.columns[2].currency, None, "several currencies: none on the column");
    let c = choose_chart(&r, Some(&p));
    assert_eq!(
        (c.kind, c.x.as_deref(), c.series.as_deref()),
        (ChartKind::Bar, Some("company"), Some("currency"))
    );
    let cx = SummaryContext { plan: Some(&p), caveats: &[] };
    assert_eq!(
        summarize(&r, &c, Lang::En, cx),
        "In COP, Acme Corp: 5,000.00 COP; in MXN, Globex: 300.00 MXN. Each company's amounts are in its own \
         reporting currency, never added across currencies."
    );
    // One figure per currency.
    let p = ask(&m, "ingresos del mes pasado");
    let r = rs(
        &[("currency", "VARCHAR"), ("ingresos", "DOUBLE")],
        vec![vec![text("COP"), Value::Float(1500.0)], vec![text("USD"), Value::Float(10.5)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(
        summarize(&r, &c, Lang::Es, SummaryContext { plan: Some(&p), caveats: &[] }),
        "Ingresos: 1.500,00 COP, 10,50 USD. Los montos de cada empresa están en su propia moneda de reporte y no \
         se suman entre monedas."
    );
    // The companies a question keeps may share a currency: theirs names the column.
    let p = ask(&m, "revenue for Acme");
    let mut r = rs(&[("revenue", "DOUBLE")], vec![vec![Value::Float(1.0)]]);
    inda_semantic::label_columns(&m, &p, &mut r, None);
    assert_eq!(r.columns[0].currency.as_deref(), Some("COP"));
    // Companies sharing one currency: that one, as for one company.
    let d = dollars();
    let p = ask(&d, "revenue by company");
    let mut r =
        rs(&[("company", "VARCHAR"), ("revenue", "DOUBLE")], vec![vec![text("Globex"), Value::Float(1.0)]]);
    inda_semantic::label_columns(&d, &p, &mut r, Some("USD"));
    assert_eq!(
        (r.columns[1].currency.as_deref(), r.columns[1].label.as_deref()),
        (Some("USD"), Some("Revenue"))
    );
}

#[test]
fn missing_rates_are_looked_up_per_company() {
    let m = partner();
    let p = ask(&m, "revenue last month");
    let sql = inda_semantic::missing_rates_sql(&m, &p).expect("a check query");
    assert!(sql.contains("ON f.tenant_id = a.tenant_id AND f.currency = a.currency"), "{sql}");
    assert!(
        sql.contains("CASE a.tenant_id WHEN 'acme_corp' THEN 'Acme Corp'") && sql.contains("AS company"),
        "{sql}"
    );
    let found = rs(
        &[("currency", "VARCHAR"), ("month", "DATE"), ("company", "VARCHAR")],
        vec![vec![
            text("PEN"),
            Value::Date(NaiveDate::from_ymd_opt(2026, 4, 1).expect("date")),
            text("Initech"),
        ]],
    );
    let msg = inda_semantic::missing_rates_message(Lang::En, 3, &found);
    assert!(msg.contains("PEN 2026-04 (Initech)"), "{msg}");
    let one = analyst();
    let sql =
        inda_semantic::missing_rates_sql(&one, &ask(&one, "revenue last month")).expect("a check query");
    assert!(!sql.contains("tenant_id"), "{sql}");
}

#[test]
fn a_company_dimension_is_on_the_tenant_column_of_every_table() {
    const YAML: &str = include_str!("../../../../semantic/model.yaml");
    let load_err = |yaml: &str| SemanticModel::from_yaml_str(yaml).expect_err("invalid").message;
    let e = load_err(&YAML.replacen(
        "    column: tenant_id\n    company: true\n",
        "    column: country\n    company: true\n",
        1,
    ));
    assert!(e.contains("dimension 'company': a company dimension is on the model's tenant column"), "{e}");
    let e = load_err(&YAML.replacen(
        "      - { name: tenant_id, type: VARCHAR }\n      - { name: contact_id",
        "      - { name: contact_id",
        1,
    ));
    assert!(e.contains("table 'dim_contacts' has no tenant column 'tenant_id'"), "{e}");
    let e = load_err(&YAML.replacen("tenant_column: tenant_id\n", "", 1));
    assert!(e.contains("a company dimension is on the model's tenant column"), "{e}");
}

/// "In total across all our companies" is one number over the scope (money one per currency); companies
/// named together ("Acme and Globex") are shown side by side, never added into one.
#[test]
fn all_companies_together_is_a_total_and_companies_named_together_stand_apart() {
    let m = partner();
    for q in
        ["How many contacts do we have in total across all our companies?", "contactos de todas las empresas"]
    {
        let p = ask(&m, q);
        assert!(p.dimension_columns.is_empty() && !p.sql.contains("company"), "{q}: {}", p.sql);
    }
    let p = ask(&m, "¿cuánto vendimos este año en total entre todas las empresas?");
    assert_eq!(p.currency_column.as_deref(), Some("currency"), "{}", p.sql);
    assert!(!p.sql.contains("AS company"), "{}", p.sql);
    for q in ["messages sent by month for Acme and Globex", "mensajes enviados por mes de acme y globex"] {
        let p = ask(&m, q);
        assert!(p.dimension_columns.contains(&"company".to_string()), "{q}: {}", p.sql);
        assert!(p.sql.contains("tenant_id IN ('acme_corp', 'globex')"), "{q}: {}", p.sql);
    }
}

/// The reporting currency named is the answer's own: "revenue in USD" for companies reporting in dollars,
/// "ventas en COP" for one reporting in pesos, is all of it converted; another currency is its own amounts.
#[test]
fn the_reporting_currency_named_is_the_converted_answer() {
    let p = ask(&dollars(), "revenue in USD");
    assert!(p.sql.contains("a.amount * f.rate"), "{}", p.sql);
    assert!(interpret(&analyst(), "revenue in USD", None, today()).is_err());
    let p = ask(&analyst(), "ventas en COP");
    assert!(p.sql.contains("a.amount * f.rate") && !p.sql.contains("currency = 'COP'"), "{}", p.sql);
    let p = ask(&analyst(), "ventas en soles");
    assert!(p.sql.contains("SUM(amount)") && p.sql.contains("currency = 'PEN'"), "{}", p.sql);
    // With the original amounts asked, beside the value or anywhere else, it is the amounts made in pesos.
    for q in [
        "ventas en pesos colombianos, en moneda original",
        "revenue in COP in original currency last month",
        "in original currency, COP revenue",
        "In original currency, did our COP revenue go up last month versus the month before?",
    ] {
        let p = ask(&analyst(), q);
        assert!(p.sql.contains("SUM(amount)") && p.sql.contains("currency = 'COP'"), "{q}: {}", p.sql);
    }
}
