//! Chart choice by result shape, one-line summaries in both languages, and locale number formats.

use chrono::NaiveDate;
use inda_core::{ChartKind, Column, Grain, ResultSet, Value};
use inda_semantic::{
    Lang, Plan, SemanticModel, SummaryContext, choose_chart, format_number, interpret, summarize,
};

fn rs(columns: &[(&str, &str)], rows: Vec<Vec<Value>>) -> ResultSet {
    ResultSet { columns: columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(), rows, truncated: false }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn date(y: i32, m: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, 1).expect("date"))
}

/// What the summary knows beside the rows: the plan (no caveats).
fn with(p: &Plan) -> SummaryContext<'_> {
    SummaryContext { plan: Some(p), caveats: &[] }
}

fn plan(q: &str) -> inda_semantic::Plan {
    let m = SemanticModel::builtin().expect("model");
    interpret(&m, q, None, NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")).expect("understood")
}

#[test]
fn kpi_for_one_number() {
    let r = rs(&[("contacts", "BIGINT")], vec![vec![Value::Int(12345)]]);
    let c = choose_chart(&r, None);
    assert_eq!((c.kind, c.y.clone()), (ChartKind::Kpi, vec!["contacts".to_string()]));
    assert_eq!(summarize(&r, &c, Lang::En, Default::default()), "12,345 contacts.");
    let r = rs(&[("contactos", "BIGINT")], vec![vec![Value::Int(12345)]]);
    assert_eq!(summarize(&r, &choose_chart(&r, None), Lang::Es, Default::default()), "12.345 contactos.");
    let p = plan("delivery rate this week");
    let r = rs(&[("delivery_rate", "DOUBLE")], vec![vec![Value::Float(0.9512)]]);
    let c = choose_chart(&r, Some(&p));
    assert_eq!(c.percent, ["delivery_rate"]);
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "Delivery rate: 95.1%.");
    assert_eq!(c.title.as_deref(), Some("Delivery rate, this week"));
}

#[test]
fn bars_for_categories_with_leader_and_share() {
    let p = plan("messages sent by channel last month");
    let r = rs(
        &[("channel", "VARCHAR"), ("messages_sent", "BIGINT")],
        vec![vec![text("whatsapp"), Value::Int(1234)], vec![text("sms"), Value::Int(87)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(c.kind, ChartKind::Bar);
    assert_eq!(c.x.as_deref(), Some("channel"));
    assert_eq!(c.y, ["messages_sent"]);
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "WhatsApp leads with 1,234 messages sent (93.4%).");
    let r = rs(
        &[("channel", "VARCHAR"), ("mensajes_enviados", "BIGINT")],
        vec![vec![text("whatsapp"), Value::Int(1234)], vec![text("sms"), Value::Int(87)]],
    );
    // Without the plan the rows may be a top-N cut of the whole: no share is claimed.
    assert_eq!(
        summarize(&r, &choose_chart(&r, None), Lang::Es, Default::default()),
        "WhatsApp lidera con 1.234 mensajes enviados."
    );
    // A top-N cut is not the whole either.
    let top = plan("top 2 canales por mensajes enviados");
    assert_eq!(
        summarize(&r, &choose_chart(&r, Some(&top)), Lang::Es, with(&top)),
        "WhatsApp lidera con 1.234 mensajes enviados."
    );
}

#[test]
fn rates_by_category_name_the_highest() {
    let p = plan("delivery rate by channel");
    let r = rs(
        &[("channel", "VARCHAR"), ("delivery_rate", "DOUBLE")],
        vec![vec![text("whatsapp"), Value::Float(0.951)], vec![text("sms"), Value::Float(0.9)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!((c.kind, c.percent.clone()), (ChartKind::Bar, vec!["delivery_rate".to_string()]));
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "WhatsApp has the highest delivery rate (95.1%).");
}

#[test]
fn a_rate_next_to_counts_gets_its_own_axis() {
    let r = rs(
        &[("channel", "VARCHAR"), ("messages_sent", "BIGINT"), ("delivery_rate", "DOUBLE")],
        vec![
            vec![text("whatsapp"), Value::Int(12000), Value::Float(0.95)],
            vec![text("sms"), Value::Int(800), Value::Float(0.9)],
        ],
    );
    let c = choose_chart(&r, None);
    assert_eq!((c.kind, c.y.len(), c.y2.clone()), (ChartKind::Bar, 2, vec!["delivery_rate".to_string()]));
    // Two counts on one scale share the axis; one 20 times smaller gets its own.
    let r = rs(
        &[("month", "DATE"), ("sent", "BIGINT"), ("delivered", "BIGINT"), ("replies", "BIGINT")],
        vec![
            vec![date(2026, 1), Value::Int(10000), Value::Int(9500), Value::Int(40)],
            vec![date(2026, 2), Value::Int(12000), Value::Int(11000), Value::Int(55)],
        ],
    );
    let c = choose_chart(&r, None);
    assert_eq!((c.kind, c.y2.clone()), (ChartKind::Line, vec!["replies".to_string()]));
    let none = rs(&[("month", "DATE"), ("sent", "BIGINT"), ("replies", "BIGINT")], vec![]);
    assert!(choose_chart(&none, None).y2.is_empty());
}

#[test]
fn pie_only_for_asked_shares_of_a_whole() {
    let rows = vec![
        vec![text("vip"), Value::Int(10)],
        vec![text("regular"), Value::Int(50)],
        vec![text("new"), Value::Int(30)],
    ];
    let r = rs(&[("segment", "VARCHAR"), ("contacts", "BIGINT")], rows.clone());
    assert_eq!(choose_chart(&r, Some(&plan("distribution of contacts by segment"))).kind, ChartKind::Pie);
    let es = rs(&[("segment", "VARCHAR"), ("contactos", "BIGINT")], rows);
    assert_eq!(choose_chart(&es, Some(&plan("reparto de contactos por segmento"))).kind, ChartKind::Pie);
    assert_eq!(choose_chart(&r, Some(&plan("contacts by segment"))).kind, ChartKind::Bar);
    assert_eq!(choose_chart(&r, Some(&plan("top 3 segments by contacts share"))).kind, ChartKind::Bar);
    assert_eq!(choose_chart(&r, None).kind, ChartKind::Bar);
    let many: Vec<Vec<Value>> = (0..8).map(|i| vec![text(&format!("s{i}")), Value::Int(i)]).collect();
    let r = rs(&[("segment", "VARCHAR"), ("contacts", "BIGINT")], many);
    assert_eq!(choose_chart(&r, Some(&plan("distribution of contacts by segment"))).kind, ChartKind::Bar);
}

#[test]
fn a_share_column_is_a_percentage_in_the_table_not_a_second_measure() {
    let p = plan("distribution of contacts by segment");
    let share = p.share_column.clone().expect("a share column");
    let r = rs(
        &[("segment", "VARCHAR"), ("contacts", "BIGINT"), (share.as_str(), "DOUBLE")],
        vec![
            vec![text("vip"), Value::Int(10), Value::Float(0.25)],
            vec![text("new"), Value::Int(30), Value::Float(0.75)],
        ],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(
        (c.kind, c.y.clone(), c.percent.clone()),
        (ChartKind::Pie, vec!["contacts".to_string()], vec![share])
    );
}

#[test]
fn lines_for_series_with_change_summary() {
    let p = plan("monthly revenue over the last 12 months");
    let r = rs(
        &[("month", "DATE"), ("revenue", "DECIMAL(12,2)")],
        vec![
            vec![date(2026, 1), Value::Decimal { units: 10000, scale: 2 }],
            vec![date(2026, 6), Value::Decimal { units: 10500, scale: 2 }],
            vec![date(2026, 11), Value::Decimal { units: 11230, scale: 2 }],
        ],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!((c.kind, c.x.as_deref()), (ChartKind::Line, Some("month")));
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "Revenue rose 12.3% from Jan 2026 to Nov 2026.");
    let r = rs(
        &[("mes", "DATE"), ("ingresos", "DECIMAL(12,2)")],
        vec![vec![date(2026, 1), Value::Int(100)], vec![date(2026, 11), Value::Float(112.3)]],
    );
    let c = choose_chart(&r, None);
    assert_eq!(c.kind, ChartKind::Line);
    assert_eq!(
        summarize(&r, &c, Lang::Es, Default::default()),
        "Los ingresos subieron 12,3 % de ene 2026 a nov 2026."
    );
    let r = rs(
        &[("mes", "TIMESTAMP"), ("tasa_de_entrega", "DOUBLE")],
        vec![vec![date(2026, 1), Value::Float(0.95)], vec![date(2026, 2), Value::Float(0.9)]],
    );
    assert_eq!(
        summarize(&r, &choose_chart(&r, None), Lang::Es, Default::default()),
        "La tasa de entrega bajó de 95 % a 90 % (ene 2026 → feb 2026)."
    );
}

#[test]
fn series_by_category_and_comparisons() {
    let p = plan("monthly messages sent by channel this year");
    let r = rs(
        &[("month", "DATE"), ("channel", "VARCHAR"), ("messages_sent", "BIGINT")],
        vec![
            vec![date(2026, 1), text("sms"), Value::Int(1)],
            vec![date(2026, 1), text("email"), Value::Int(2)],
        ],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!((c.kind, c.series.as_deref()), (ChartKind::Line, Some("channel")));
    let p = plan("revenue this month vs last month");
    let r = rs(
        &[("period", "TIMESTAMP"), ("revenue", "DOUBLE")],
        vec![vec![date(2026, 4), Value::Float(50.0)], vec![date(2026, 5), Value::Float(40.0)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(c.kind, ChartKind::Bar);
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "Revenue fell 20% from Apr 2026 to May 2026.");
}

#[test]
fn scatter_table_and_empty() {
    let r = rs(
        &[("messages_sent", "BIGINT"), ("revenue", "DOUBLE")],
        vec![vec![Value::Int(1), Value::Float(2.0)], vec![Value::Int(3), Value::Float(4.0)]],
    );
    assert_eq!(choose_chart(&r, None).kind, ChartKind::Scatter);
    let r = rs(
        &[("a", "VARCHAR"), ("b", "VARCHAR"), ("c", "VARCHAR"), ("n", "BIGINT")],
        vec![vec![text("x"), text("y"), text("z"), Value::Int(1)]],
    );
    assert_eq!(choose_chart(&r, None).kind, ChartKind::Table);
    let r = rs(&[("full_name", "VARCHAR")], vec![vec![text("Ana")]]);
    let c = choose_chart(&r, None);
    assert_eq!(c.kind, ChartKind::Table);
    assert_eq!(summarize(&r, &c, Lang::Es, Default::default()), "1 fila.");
    let many: Vec<Vec<Value>> = (0..60).map(|i| vec![text(&format!("c{i}")), Value::Int(i)]).collect();
    assert_eq!(
        choose_chart(&rs(&[("city", "VARCHAR"), ("contacts", "BIGINT")], many), None).kind,
        ChartKind::Table
    );
    let empty = rs(&[("channel", "VARCHAR"), ("revenue", "DOUBLE")], vec![]);
    let c = choose_chart(&empty, None);
    assert_eq!(summarize(&empty, &c, Lang::En, Default::default()), "No data for this period.");
    assert_eq!(summarize(&empty, &c, Lang::Es, Default::default()), "No hay datos para este período.");
}

#[test]
fn top_contacts_chart_by_name() {
    let p = plan("top 10 contacts by revenue");
    let r = rs(
        &[("contact_id", "VARCHAR"), ("full_name", "VARCHAR"), ("revenue", "DOUBLE")],
        vec![
            vec![text("c1"), text("Ana"), Value::Float(10.0)],
            vec![text("c2"), text("Luis"), Value::Float(5.0)],
        ],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!((c.kind, c.x.as_deref(), c.series.clone()), (ChartKind::Bar, Some("full_name"), None));
}

#[test]
fn number_formats() {
    assert_eq!(format_number(1234.5, Lang::En, "number"), "1,234.5");
    assert_eq!(format_number(1234.5, Lang::Es, "number"), "1.234,5");
    assert_eq!(format_number(0.123, Lang::En, "percent"), "12.3%");
    assert_eq!(format_number(0.123, Lang::Es, "percent"), "12,3 %");
    assert_eq!(format_number(98765.4321, Lang::Es, "currency"), "98.765,43");
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")
}

/// Money columns carry the tenant's reporting currency (messaging cost is USD); summaries name it.
#[test]
fn money_is_labelled_with_its_currency() {
    let m = SemanticModel::builtin().expect("model");
    let p = plan("revenue by channel");
    let mut r = rs(
        &[("channel", "VARCHAR"), ("revenue", "DOUBLE"), (inda_semantic::MISSING_RATE_COLUMN, "BIGINT")],
        vec![
            vec![text("whatsapp"), Value::Float(1500.0), Value::Int(0)],
            vec![text("store"), Value::Float(500.0), Value::Int(0)],
        ],
    );
    assert_eq!(inda_semantic::take_missing_rate_rows(&p, &mut r), 0);
    assert_eq!(r.columns.len(), 2, "the check column is removed");
    inda_semantic::label_columns(&m, &p, &mut r, Some("COP"));
    assert_eq!(r.columns[1].currency.as_deref(), Some("COP"));
    assert_eq!(r.columns[1].label.as_deref(), Some("Revenue"));
    assert_eq!(r.columns[0].label.as_deref(), Some("Channel"));
    let c = choose_chart(&r, Some(&p));
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "WhatsApp leads with 1,500.00 COP in revenue (75%).");

    let p = plan("costo de mensajes por canal");
    let mut r = rs(
        &[("channel", "VARCHAR"), ("costo_de_mensajes", "DOUBLE")],
        vec![vec![text("sms"), Value::Float(12.5)]],
    );
    inda_semantic::label_columns(&m, &p, &mut r, Some("COP"));
    assert_eq!(r.columns[1].currency.as_deref(), Some("USD"));
    assert_eq!(r.columns[1].label.as_deref(), Some("Costo de mensajes"));
}

/// A series' time column names its grain, so that a year reads "2025" in the UI and exports, not "Jan 1, 2025".
#[test]
fn the_time_column_names_its_grain() {
    let m = SemanticModel::builtin().expect("model");
    for (question, grain) in [("messages by year", Grain::Year), ("mensajes por trimestre", Grain::Quarter)] {
        let p = plan(question);
        let time = p.time_column.clone().expect("a series");
        let mut r = rs(&[(time.as_str(), "TIMESTAMP"), ("messages", "BIGINT")], vec![]);
        inda_semantic::label_columns(&m, &p, &mut r, None);
        assert_eq!(r.columns[0].grain, Some(grain), "{question}");
        assert_eq!(r.columns[1].grain, None);
    }
}

/// Rows without a rate are counted by the check column, never dropped unseen.
#[test]
fn missing_rates_are_counted_and_named() {
    let p = plan("revenue last month");
    let mut r = rs(
        &[("revenue", "DOUBLE"), (inda_semantic::MISSING_RATE_COLUMN, "BIGINT")],
        vec![vec![Value::Float(9.0), Value::Int(3)]],
    );
    assert_eq!(inda_semantic::take_missing_rate_rows(&p, &mut r), 3);
    let found = rs(&[("currency", "VARCHAR"), ("month", "DATE")], vec![vec![text("PEN"), date(2026, 4)]]);
    let msg = inda_semantic::missing_rates_message(Lang::En, 3, &found);
    assert!(msg.contains("PEN 2026-04"), "{msg}");
    let m = SemanticModel::builtin().expect("model");
    let sql = inda_semantic::missing_rates_sql(&m, &p).expect("a converted plan has a check query");
    assert!(sql.contains("LEFT JOIN marts.fx_rates") && sql.contains("IS NULL"), "{sql}");
    assert!(inda_semantic::missing_rates_sql(&m, &plan("contacts by country")).is_none());
}

/// A model's SQL converts money its own way; its check keeps that SELECT's FROM and WHERE, makes the rates
/// join LEFT and counts the rows with a currency and no rate per currency-month. Round trips of each shape.
#[test]
fn a_models_rates_join_becomes_its_check() {
    let m = SemanticModel::builtin().expect("model");
    let check = |sql: &str| inda_semantic::model_missing_rates_sql(&m, sql);
    let on = "f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)";
    let month = "CAST(DATE_TRUNC('month', a.occurred_at) AS DATE)";
    // The contract's own join (semantics.md, Money), inner, with a filter.
    let gold = format!(
        "SELECT SUM(a.amount * f.rate) AS revenue FROM marts.fct_activities a JOIN marts.fx_rates f ON {on} \
         WHERE a.activity_type IN ('purchase','refund')"
    );
    assert_eq!(
        check(&gold).expect("a check"),
        format!(
            "SELECT a.currency AS currency, {month} AS month, COUNT(*) AS missing_rows \
             FROM marts.fct_activities AS a LEFT OUTER JOIN marts.fx_rates AS f ON {on} \
             WHERE f.rate IS NULL AND a.currency IS NOT NULL AND (a.activity_type IN ('purchase', 'refund')) \
             GROUP BY a.currency, {month} ORDER BY month, currency"
        )
    );
    // Sides swapped, no aliases, a dimension joined after the rates, no WHERE.
    let bare = "SELECT c.segment, SUM(amount * rate) FROM marts.fct_activities JOIN marts.fx_rates \
                ON fct_activities.currency = fx_rates.currency \
                AND CAST(DATE_TRUNC('month', fct_activities.occurred_at) AS DATE) = fx_rates.month \
                INNER JOIN marts.dim_contacts c ON c.contact_id = fct_activities.contact_id GROUP BY 1";
    let sql = check(bare).expect("a check");
    assert!(sql.starts_with("SELECT fct_activities.currency AS currency, CAST(DATE_TRUNC('month', fct_activities.occurred_at) AS DATE) AS month"), "{sql}");
    assert!(
        sql.contains("LEFT OUTER JOIN marts.fx_rates ON") && sql.contains("JOIN marts.dim_contacts AS c"),
        "{sql}"
    );
    assert!(
        sql.contains("WHERE fx_rates.rate IS NULL AND fct_activities.currency IS NOT NULL GROUP BY"),
        "{sql}"
    );
    // Inside a CTE: the check keeps the WITH and reads the CTE's SELECT.
    let cte = format!(
        "WITH r AS (SELECT a.channel, a.amount * f.rate AS usd FROM marts.fct_activities a \
         LEFT JOIN marts.fx_rates f ON {on} WHERE a.occurred_at >= DATE '2026-01-01') \
         SELECT channel, SUM(usd) FROM r GROUP BY channel"
    );
    let sql = check(&cte).expect("a check");
    assert!(sql.starts_with("WITH r AS (SELECT"), "{sql}");
    assert!(
        sql.ends_with(&format!(
            "SELECT a.currency AS currency, {month} AS month, COUNT(*) AS missing_rows \
         FROM marts.fct_activities AS a LEFT OUTER JOIN marts.fx_rates AS f ON {on} \
         WHERE f.rate IS NULL AND a.currency IS NOT NULL AND (a.occurred_at >= DATE '2026-01-01') \
         GROUP BY a.currency, {month} ORDER BY month, currency"
        )),
        "{sql}"
    );
    // As the guard rewrote it (a saved answer keeps that SQL): each table a derived table with its alias.
    let guarded = format!(
        "SELECT SUM(a.amount * f.rate) AS revenue FROM (SELECT * FROM marts.fct_activities WHERE tenant_id = 'acme_corp') AS a \
         JOIN (SELECT * FROM marts.fx_rates WHERE tenant_id = 'acme_corp') AS f ON {on}"
    );
    let sql = check(&guarded).expect("a check");
    assert!(
        sql.contains("LEFT OUTER JOIN (SELECT * FROM marts.fx_rates WHERE tenant_id = 'acme_corp') AS f ON"),
        "{sql}"
    );
    assert!(sql.contains("WHERE f.rate IS NULL AND a.currency IS NOT NULL GROUP BY"), "{sql}");
    // A derived table that is more than the guard's wrapper is not taken for the rates.
    let other = format!(
        "SELECT 1 FROM marts.fct_activities a JOIN (SELECT currency, month, 1 AS rate FROM marts.fx_rates) AS f ON {on}"
    );
    assert_eq!(check(&other), None);
    // Both halves of a UNION: each checked, the counts added per currency-month.
    let union = format!(
        "SELECT 'this' AS p, SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON {on} \
         WHERE a.occurred_at >= DATE '2026-11-01' UNION ALL \
         SELECT 'before', SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f ON {on} \
         WHERE a.occurred_at < DATE '2026-11-01'"
    );
    let sql = check(&union).expect("a check");
    assert!(
        sql.starts_with("SELECT currency, month, SUM(missing_rows) AS missing_rows FROM (SELECT a.currency"),
        "{sql}"
    );
    assert!(sql.contains("(a.occurred_at >= DATE '2026-11-01') GROUP BY a.currency, CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) UNION ALL SELECT a.currency"), "{sql}");
    assert!(
        sql.contains("(a.occurred_at < DATE '2026-11-01')") && sql.ends_with("ORDER BY month, currency"),
        "{sql}"
    );
    // A rate matched by range rather than by month: the month the row's time falls in.
    let range = "SELECT SUM(a.amount * f.rate) FROM marts.fct_activities a JOIN marts.fx_rates f \
                 ON (a.currency = f.currency) AND a.occurred_at >= f.month \
                 AND a.occurred_at < f.month + INTERVAL '1 month'";
    let sql = check(range).expect("a check");
    assert!(sql.starts_with(&format!("SELECT a.currency AS currency, {month} AS month, COUNT(*)")), "{sql}");
    // The model's own subquery over the rates, columns kept by name.
    let own = format!(
        "SELECT SUM(a.amount * f.rate) FROM marts.fct_activities a \
         JOIN (SELECT currency, month, rate FROM marts.fx_rates) f ON {on}"
    );
    assert!(
        check(&own)
            .expect("a check")
            .contains("LEFT OUTER JOIN (SELECT currency, month, rate FROM marts.fx_rates) AS f")
    );
    // In a derived table.
    let derived = format!(
        "SELECT SUM(usd) FROM (SELECT a.amount * f.rate AS usd FROM marts.fct_activities a JOIN marts.fx_rates f ON {on}) t"
    );
    assert!(check(&derived).expect("a check").contains("LEFT OUTER JOIN marts.fx_rates AS f"));
    // Nothing to check: no rates join, a rates join this cannot follow, not a query.
    assert_eq!(check("SELECT SUM(amount) FROM marts.fct_activities GROUP BY currency"), None);
    assert_eq!(check("SELECT * FROM marts.fct_activities a JOIN marts.fx_rates f USING (currency)"), None);
    assert_eq!(check("SELECT a.amount FROM marts.fct_activities a CROSS JOIN marts.fx_rates f"), None);
    assert_eq!(check("DELETE FROM marts.fx_rates"), None);
    assert_eq!(check("not sql at all"), None);
}

/// SQL written for money questions by someone who never read this code (eval/fresh/money-sql.jsonl): every
/// statement that converts through the rates gets a check, and no other does.
#[test]
fn every_fresh_conversion_gets_a_check_and_nothing_else_does() {
    let m = SemanticModel::builtin().expect("model");
    let set = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../eval/fresh/money-sql.jsonl");
    let lines = std::fs::read_to_string(set).expect("the set");
    let mut seen = 0;
    for line in lines.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).expect("a case");
        let sql = case["sql"].as_str().expect("sql");
        let checked = inda_semantic::model_missing_rates_sql(&m, sql).is_some();
        assert_eq!(checked, case["converts"] == true, "{}: {sql}", case["id"]);
        seen += 1;
    }
    assert_eq!(seen, 36);
}

/// What the check found: the rows summed, up to five currency-months named; nothing found, no error.
#[test]
fn a_models_missing_rates_are_summed_and_named() {
    let found = rs(
        &[("currency", "VARCHAR"), ("month", "DATE"), ("missing_rows", "BIGINT")],
        (1..=7).map(|m| vec![text("COP"), date(2026, m), Value::Int(10)]).collect(),
    );
    let msg = inda_semantic::model_missing_rates_message(Lang::En, &found).expect("an error");
    assert!(msg.starts_with("70 amounts have no exchange rate"), "{msg}");
    assert!(msg.contains("COP 2026-01, COP 2026-02, COP 2026-03, COP 2026-04, COP 2026-05)"), "{msg}");
    let es = inda_semantic::model_missing_rates_message(Lang::Es, &found).expect("an error");
    assert!(es.contains("70 montos") && es.contains("COP 2026-01"), "{es}");
    let none = rs(&[("currency", "VARCHAR"), ("month", "DATE"), ("missing_rows", "BIGINT")], vec![]);
    assert_eq!(inda_semantic::model_missing_rates_message(Lang::En, &none), None);
}

/// Monthly revenue from March to May 2026, May still running on `today()`.
fn three_months() -> ResultSet {
    rs(
        &[("month", "TIMESTAMP"), ("revenue", "DOUBLE")],
        vec![
            vec![date(2026, 3), Value::Float(100.0)],
            vec![date(2026, 4), Value::Float(110.0)],
            vec![date(2026, 5), Value::Float(20.0)],
        ],
    )
}

/// A series reaching into the running month keeps it, marks it, and compares complete months only.
#[test]
fn partial_periods_are_marked_and_not_compared_as_whole() {
    let p = plan("monthly revenue this year");
    let r = three_months();
    let caveats = inda_semantic::caveats(&p, &r, today());
    assert_eq!(caveats.len(), 1);
    assert_eq!(caveats[0].code, inda_core::CaveatCode::PartialPeriod);
    assert_eq!(caveats[0].message, "May 2026 is to date (15 of 31 days)");
    assert_eq!(caveats[0].value.as_deref(), Some("2026-05-01"));
    let c = choose_chart(&r, Some(&p));
    let cx = SummaryContext { plan: Some(&p), caveats: &caveats };
    assert_eq!(
        summarize(&r, &c, Lang::En, cx),
        "Revenue rose 10% from Mar 2026 to Apr 2026 (complete periods only; May 2026 is to date (15 of 31 days))."
    );
    // A finished range has no partial period.
    assert!(inda_semantic::caveats(&plan("monthly revenue last year"), &r, today()).is_empty());
    let es = plan("ingresos por mes este año");
    assert_eq!(
        inda_semantic::caveats(&es, &r, today())[0].message,
        "Mayo de 2026 está en curso (15 de 31 días)"
    );
}

/// A period named by its dates that holds today ("in 2026", "May 2026" on May 15th) is as unfinished as
/// "this year": marked, and never compared as whole (it had said revenue fell from March to May). A series
/// of only the running period gives its figure so far (it had said "no data").
#[test]
fn a_named_period_that_holds_today_is_partial() {
    let r = three_months();
    let p = plan("monthly revenue in 2026");
    let caveats = inda_semantic::caveats(&p, &r, today());
    assert_eq!(caveats[0].message, "May 2026 is to date (15 of 31 days)");
    let cx = SummaryContext { plan: Some(&p), caveats: &caveats };
    assert!(summarize(&r, &choose_chart(&r, Some(&p)), Lang::En, cx).contains("complete periods only"));
    assert!(inda_semantic::caveats(&plan("monthly revenue in 2025"), &r, today()).is_empty());
    let one =
        rs(&[("month", "TIMESTAMP"), ("revenue", "DOUBLE")], vec![vec![date(2026, 5), Value::Float(20.0)]]);
    let p = plan("monthly revenue in May 2026");
    let caveats = inda_semantic::caveats(&p, &one, today());
    let cx = SummaryContext { plan: Some(&p), caveats: &caveats };
    let line = summarize(&one, &choose_chart(&one, Some(&p)), Lang::En, cx);
    assert!(line.contains("20.00") && line.ends_with("May 2026 is to date (15 of 31 days)."), "{line}");
    let single = plan("revenue in May 2026");
    let kpi = rs(&[("revenue", "DOUBLE")], vec![vec![Value::Float(20.0)]]);
    assert_eq!(inda_semantic::caveats(&single, &kpi, today()).len(), 1);
}

/// "This month vs last month" while this month runs: the same days of both, and says so.
#[test]
fn running_period_compared_on_the_same_days() {
    let p = plan("revenue this month vs last month");
    let same = p.same_days_column.clone().expect("a same-days column");
    let r = rs(
        &[("period", "TIMESTAMP"), ("revenue", "DOUBLE"), (same.as_str(), "DOUBLE")],
        vec![
            vec![date(2026, 4), Value::Float(300.0), Value::Float(100.0)],
            vec![date(2026, 5), Value::Float(120.0), Value::Float(120.0)],
        ],
    );
    let caveats = inda_semantic::caveats(&p, &r, today());
    let c = choose_chart(&r, Some(&p));
    assert_eq!(c.kind, ChartKind::Bar);
    assert_eq!(c.y, ["revenue"]);
    let cx = SummaryContext { plan: Some(&p), caveats: &caveats };
    assert_eq!(
        summarize(&r, &c, Lang::En, cx),
        "May 2026 so far: 120.00, up 20% on the same days of April 2026 (100.00); April 2026 as a whole: 300.00. May 2026 is to date (15 of 31 days)."
    );
}

/// "Revenue by currency" gives the original amounts: no conversion, no total across currencies.
#[test]
fn revenue_by_currency_stays_in_each_currency() {
    let p = plan("revenue by currency");
    assert!(!p.sql.contains("fx_rates"), "{}", p.sql);
    assert!(p.measures[0].currency.is_none());
    let m = SemanticModel::builtin().expect("model");
    let mut r = rs(
        &[("currency", "VARCHAR"), ("revenue", "DOUBLE")],
        vec![vec![text("COP"), Value::Float(9000.0)], vec![text("USD"), Value::Float(10.0)]],
    );
    inda_semantic::label_columns(&m, &p, &mut r, Some("COP"));
    assert_eq!(r.columns[1].currency, None);
    assert_eq!(r.columns[1].label.as_deref(), Some("Revenue (original currency)"));
    let c = choose_chart(&r, Some(&p));
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "COP leads with 9,000.00 COP in revenue.");
}

/// Values read like a person wrote them, in the question's language; the rows keep the stored values.
#[test]
fn values_have_display_names() {
    let m = SemanticModel::builtin().expect("model");
    let p = plan("contactos por segmento");
    let mut r = rs(
        &[("segment", "VARCHAR"), ("contactos", "BIGINT")],
        vec![vec![text("at_risk"), Value::Int(3)], vec![text("vip"), Value::Int(2)]],
    );
    inda_semantic::label_columns(&m, &p, &mut r, None);
    assert_eq!(r.columns[0].values.get("at_risk").map(String::as_str), Some("En riesgo"));
    assert_eq!(r.columns[0].values.get("vip").map(String::as_str), Some("VIP"));
    assert_eq!(r.rows[0][0], text("at_risk"));
    let p = plan("contacts by country");
    let mut r = rs(&[("country", "VARCHAR"), ("contacts", "BIGINT")], vec![vec![text("MX"), Value::Int(3)]]);
    inda_semantic::label_columns(&m, &p, &mut r, None);
    assert_eq!(r.columns[0].values.get("MX").map(String::as_str), Some("Mexico"));
}

#[test]
fn a_statements_periods_and_money_are_read_from_its_sql() {
    let m = SemanticModel::builtin().expect("model");
    let sql = "SELECT CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) AS month, SUM(a.amount * f.rate) AS revenue, \
               SUM(a.amount) AS original, COUNT(a.amount) AS n, SUM(a.amount * f.rate) / SUM(b.budget) AS ratio \
               FROM (SELECT * FROM marts.fct_activities WHERE tenant_id = 'acme_corp') AS a \
               JOIN marts.fx_rates f ON f.currency = a.currency JOIN marts.dim_campaigns b ON b.campaign_id = a.campaign_id \
               GROUP BY 1";
    let cols = [
        ("month", "DATE"),
        ("revenue", "DOUBLE"),
        ("original", "DOUBLE"),
        ("n", "BIGINT"),
        ("ratio", "DOUBLE"),
    ];
    let row = |d| vec![d, Value::Float(1.0), Value::Float(1.0), Value::Int(1), Value::Float(1.0)];
    let mut r = rs(&cols, vec![row(date(2026, 4)), row(date(2026, 5))]);
    inda_semantic::label_statement(&m, sql, &mut r, Some("COP"));
    let currency: Vec<Option<&str>> = r.columns.iter().map(|c| c.currency.as_deref()).collect();
    // An amount is money only with the rate that converts it; a count of amounts and a ratio are not.
    assert_eq!(currency, [None, Some("COP"), None, None, None]);
    assert_eq!(r.columns[0].grain, Some(Grain::Month));
    let caveats = inda_semantic::statement_caveats(&r, today(), Lang::Es);
    assert_eq!(caveats.len(), 1);
    assert_eq!(
        (caveats[0].column.as_deref(), caveats[0].message.as_str()),
        (Some("month"), "Mayo de 2026 está en curso (15 de 31 días)")
    );
    // Messaging cost is in dollars whatever the tenant's currency; a wildcard leaves columns unlabelled.
    let mut r = rs(&[("channel", "VARCHAR"), ("cost", "DOUBLE")], vec![]);
    inda_semantic::label_statement(
        &m,
        "SELECT channel, AVG(cost) AS cost FROM fct_messages GROUP BY 1",
        &mut r,
        Some("COP"),
    );
    assert_eq!(r.columns[1].currency.as_deref(), Some("USD"));
    let mut r = rs(&[("budget", "DOUBLE")], vec![]);
    inda_semantic::label_statement(
        &m,
        "SELECT * FROM (SELECT budget FROM marts.dim_campaigns) AS x",
        &mut r,
        Some("COP"),
    );
    assert_eq!(r.columns[0].currency, None);
}

/// A ranking from the lowest names the lowest, never "leads"; an ordinal names its place.
#[test]
fn the_lowest_of_a_ranking_is_named_as_such() {
    let p = plan("the 2 worst campaigns by delivery rate");
    let r = rs(
        &[("campaign_name", "VARCHAR"), ("delivery_rate", "DOUBLE")],
        vec![vec![text("Navidad"), Value::Float(0.805)], vec![text("Verano"), Value::Float(0.82)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(summarize(&r, &c, Lang::En, with(&p)), "Navidad has the lowest delivery rate (80.5%).");
    let p = plan("el canal con menos mensajes enviados");
    let r = rs(
        &[("channel", "VARCHAR"), ("mensajes_enviados", "BIGINT")],
        vec![vec![text("push"), Value::Int(8632)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(
        summarize(&r, &c, Lang::Es, with(&p)),
        "Push tiene el valor más bajo de mensajes enviados (8.632)."
    );
    let p = plan("el segundo canal con mas mensajes recibidos");
    let r = rs(
        &[("channel", "VARCHAR"), ("mensajes_recibidos", "BIGINT")],
        vec![vec![text("email"), Value::Int(5192)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(summarize(&r, &c, Lang::Es, with(&p)), "Correo es el número 2 en mensajes recibidos (5.192).");
}

/// "Which month had the fewest messages this year": the running month is no rival of whole ones; the
/// complete months are ranked, and the caveat says the running one is left out.
#[test]
fn a_ranked_running_period_is_left_out_and_said_to_be() {
    let p = plan("which month had the fewest messages this year");
    assert!(p.sql.contains("sent_at < DATE_TRUNC('month', CURRENT_DATE)"), "{}", p.sql);
    let r =
        rs(&[("month", "TIMESTAMP"), ("messages", "BIGINT")], vec![vec![date(2026, 2), Value::Int(7057)]]);
    let caveats = inda_semantic::caveats(&p, &r, today());
    assert_eq!(caveats.len(), 1);
    assert_eq!(
        caveats[0].message,
        "May 2026 is to date (15 of 31 days), so it is left out: complete periods only"
    );
    let cx = SummaryContext { plan: Some(&p), caveats: &caveats };
    assert_eq!(
        summarize(&r, &choose_chart(&r, Some(&p)), Lang::En, cx),
        "Feb 2026 has the lowest messages (7,057). May 2026 is to date (15 of 31 days), so it is left out: complete periods only."
    );
}

/// A change: the later value, the change and the earlier value, and whether the same days were compared.
#[test]
fn a_change_is_summarized_with_both_values() {
    let p = plan("messages sent this month vs last month, % change");
    let r = rs(
        &[("messages_sent", "BIGINT"), ("messages_sent_previous", "BIGINT"), ("change", "DOUBLE")],
        vec![vec![Value::Int(5354), Value::Int(3492), Value::Float(0.5332)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(
        summarize(&r, &c, Lang::En, with(&p)),
        "Messages sent: 5,354, up 53.3% on 3,492 (the same days of the period before)."
    );
    let p = plan("cual pais cayo mas en compras el mes pasado");
    let r = rs(
        &[
            ("country", "VARCHAR"),
            ("compras", "BIGINT"),
            ("compras_anterior", "BIGINT"),
            ("variacion", "DOUBLE"),
        ],
        vec![vec![text("EC"), Value::Int(58), Value::Int(100), Value::Float(-0.42)]],
    );
    let c = choose_chart(&r, Some(&p));
    assert_eq!(summarize(&r, &c, Lang::Es, with(&p)), "Ecuador, compras: 58, 42 % menos que 100.");
}
