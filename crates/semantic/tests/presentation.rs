//! Chart choice by result shape, one-line summaries in both languages, and locale number formats.

use chrono::NaiveDate;
use inda_core::{ChartKind, Column, ResultSet, Value};
use inda_semantic::{Lang, SemanticModel, choose_chart, format_number, interpret, summarize};

fn rs(columns: &[(&str, &str)], rows: Vec<Vec<Value>>) -> ResultSet {
    ResultSet { columns: columns.iter().map(|(n, t)| Column::new(*n, *t)).collect(), rows, truncated: false }
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

fn date(y: i32, m: u32) -> Value {
    Value::Date(NaiveDate::from_ymd_opt(y, m, 1).expect("date"))
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
    assert_eq!(summarize(&r, &c, Lang::En), "12,345 contacts.");
    let r = rs(&[("contactos", "BIGINT")], vec![vec![Value::Int(12345)]]);
    assert_eq!(summarize(&r, &choose_chart(&r, None), Lang::Es), "12.345 contactos.");
    let p = plan("delivery rate this week");
    let r = rs(&[("delivery_rate", "DOUBLE")], vec![vec![Value::Float(0.9512)]]);
    let c = choose_chart(&r, Some(&p));
    assert_eq!(c.percent, ["delivery_rate"]);
    assert_eq!(summarize(&r, &c, Lang::En), "Delivery rate: 95.1%.");
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
    assert_eq!(summarize(&r, &c, Lang::En), "whatsapp leads with 1,234 messages sent (93.4%).");
    let r = rs(
        &[("channel", "VARCHAR"), ("mensajes_enviados", "BIGINT")],
        vec![vec![text("whatsapp"), Value::Int(1234)], vec![text("sms"), Value::Int(87)]],
    );
    assert_eq!(
        summarize(&r, &choose_chart(&r, None), Lang::Es),
        "whatsapp lidera con 1.234 mensajes enviados (93,4 %)."
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
    assert_eq!(summarize(&r, &c, Lang::En), "whatsapp has the highest delivery rate (95.1%).");
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
    assert_eq!(summarize(&r, &c, Lang::En), "Revenue rose 12.3% from Jan 2026 to Nov 2026.");
    let r = rs(
        &[("mes", "DATE"), ("ingresos", "DECIMAL(12,2)")],
        vec![vec![date(2026, 1), Value::Int(100)], vec![date(2026, 11), Value::Float(112.3)]],
    );
    let c = choose_chart(&r, None);
    assert_eq!(c.kind, ChartKind::Line);
    assert_eq!(summarize(&r, &c, Lang::Es), "Los ingresos subieron 12,3 % de ene 2026 a nov 2026.");
    let r = rs(
        &[("mes", "TIMESTAMP"), ("tasa_de_entrega", "DOUBLE")],
        vec![vec![date(2026, 1), Value::Float(0.95)], vec![date(2026, 2), Value::Float(0.9)]],
    );
    assert_eq!(
        summarize(&r, &choose_chart(&r, None), Lang::Es),
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
    assert_eq!(summarize(&r, &c, Lang::En), "Revenue fell 20% from Apr 2026 to May 2026.");
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
    assert_eq!(summarize(&r, &c, Lang::Es), "1 fila.");
    let many: Vec<Vec<Value>> = (0..60).map(|i| vec![text(&format!("c{i}")), Value::Int(i)]).collect();
    assert_eq!(
        choose_chart(&rs(&[("city", "VARCHAR"), ("contacts", "BIGINT")], many), None).kind,
        ChartKind::Table
    );
    let empty = rs(&[("channel", "VARCHAR"), ("revenue", "DOUBLE")], vec![]);
    let c = choose_chart(&empty, None);
    assert_eq!(summarize(&empty, &c, Lang::En), "No data for this period.");
    assert_eq!(summarize(&empty, &c, Lang::Es), "No hay datos para este período.");
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
