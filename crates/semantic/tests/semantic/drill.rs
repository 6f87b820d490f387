//! Drill-down on the engine's own plans: a breakdown's value becomes a filter, a period of a series its
//! range by the next finer bucket, the titles and the one-line descriptions in the question's language, and
//! the clicks that cannot narrow anything.

use chrono::NaiveDate;
use inda_semantic::{DrillError, Drilled, Grain, SemanticModel, TimeRange, drill, drill_question, interpret};
use serde_json::{Value, json};

fn model() -> SemanticModel {
    SemanticModel::builtin().expect("builtin model loads")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, 15).expect("date")
}

fn day(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn drilled(q: &str, column: &str, value: Value) -> Drilled {
    drill_question(&model(), q, None, today(), column, &value)
        .unwrap_or_else(|e| panic!("{q:?} drilled at {column}={value}: {e}"))
}

fn refused(q: &str, column: &str, value: Value) -> DrillError {
    match drill_question(&model(), q, None, today(), column, &value) {
        Ok(d) => panic!("{q:?} drilled at {column}={value}: {:?}", d.plan.intent),
        Err(e) => e,
    }
}

#[test]
fn a_breakdown_value_becomes_a_filter_and_the_breakdowns_stay() {
    let d = drilled("messages sent by channel", "channel", json!("whatsapp"));
    assert_eq!(d.plan.intent.breakdowns, ["message_channel"]);
    assert_eq!(d.plan.intent.filters.len(), 1);
    assert_eq!(d.plan.intent.filters[0].dimension, "message_channel");
    assert_eq!(d.plan.intent.filters[0].values, ["whatsapp"]);
    assert!(d.plan.sql.contains("channel = 'whatsapp'"), "{}", d.plan.sql);
    assert_eq!(d.plan.title, "Messages sent by channel (WhatsApp)");
    assert_eq!(d.description, "Filtered to channel = WhatsApp");

    let d = drilled("mensajes enviados por canal", "channel", json!("whatsapp"));
    assert_eq!(d.plan.title, "Mensajes enviados por canal (WhatsApp)");
    assert_eq!(d.description, "Filtrado a canal = WhatsApp");
    // Output column names are the plan's, in the question's language.
    assert!(d.plan.measures.iter().any(|m| m.name == "mensajes_enviados"));
}

#[test]
fn a_value_replaces_what_the_question_said_of_its_dimension() {
    let d = drilled("messages sent by channel except email", "channel", json!("sms"));
    assert_eq!(d.plan.intent.filters.len(), 1, "{:?}", d.plan.intent.filters);
    assert!(!d.plan.intent.filters[0].negated);
    assert_eq!(d.plan.intent.filters[0].values, ["sms"]);
    // Other filters and the period stay.
    let d = drilled("revenue by country last month only whatsapp", "country", json!("CO"));
    let dims: Vec<&str> = d.plan.intent.filters.iter().map(|f| f.dimension.as_str()).collect();
    assert!(dims.contains(&"country") && dims.len() == 2, "{dims:?}");
    assert_eq!(d.plan.intent.time_range, Some(TimeRange::Last { unit: Grain::Month }));
    assert_eq!(d.description, "Filtered to country = Colombia");
}

#[test]
fn a_campaign_name_goes_into_the_sql_as_a_literal() {
    let d = drilled("top 5 campaigns by revenue", "campaign_name", json!("Día del Padre 2026 - O'Brien"));
    assert_eq!(d.plan.intent.filters[0].values, ["Día del Padre 2026 - O'Brien"]);
    assert!(d.plan.sql.contains("'Día del Padre 2026 - O''Brien'"), "{}", d.plan.sql);
    // One campaign left: not a ranking any more.
    assert_eq!(d.plan.intent.top_n, None);
    assert!(
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, &d.plan.sql).is_ok()
    );
}

#[test]
fn a_month_of_a_series_is_that_month_by_day() {
    let d = drilled("revenue by month", "month", json!("2026-03-01T00:00:00"));
    assert_eq!(d.plan.intent.grain, Some(Grain::Day));
    assert_eq!(
        d.plan.intent.time_range,
        Some(TimeRange::Between { start: day(2026, 3, 1), end: day(2026, 4, 1) })
    );
    assert_eq!(d.plan.title, "Revenue by day, March 2026");
    assert_eq!(d.description, "March 2026 by day");
    assert_eq!(d.plan.time_column.as_deref(), Some("day"));

    let d = drilled("ingresos por mes", "mes", json!("2026-03-01"));
    assert_eq!(d.plan.title, "Ingresos por día, marzo de 2026");
    assert_eq!(d.description, "marzo de 2026 por día");
    assert_eq!(d.plan.time_column.as_deref(), Some("dia"));
}

#[test]
fn years_go_to_quarters_quarters_to_months_days_stay_days() {
    let y = drilled("messages sent by year", "year", json!("2025-01-01"));
    assert_eq!(y.plan.intent.grain, Some(Grain::Quarter));
    assert_eq!(
        y.plan.intent.time_range,
        Some(TimeRange::Between { start: day(2025, 1, 1), end: day(2026, 1, 1) })
    );
    assert_eq!(y.description, "2025 by quarter");

    let q = drilled("mensajes enviados por trimestre", "trimestre", json!("2025-10-01"));
    assert_eq!(q.plan.intent.grain, Some(Grain::Month));
    assert_eq!(
        q.plan.intent.time_range,
        Some(TimeRange::Between { start: day(2025, 10, 1), end: day(2026, 1, 1) })
    );
    assert_eq!(q.description, "T4 2025 por mes");

    let by_day = drilled("messages sent by day last month", "day", json!("2026-04-03"));
    assert_eq!(by_day.plan.intent.grain, Some(Grain::Day));
    assert_eq!(
        by_day.plan.intent.time_range,
        Some(TimeRange::Between { start: day(2026, 4, 3), end: day(2026, 4, 4) })
    );
    assert_eq!(by_day.plan.title, "Messages sent by day, April 3, 2026");
    assert_eq!(by_day.description, "April 3, 2026 by day");
}

#[test]
fn a_series_keeps_its_breakdowns_when_a_period_is_drilled() {
    let d = drilled("messages sent by month by channel", "month", json!("2026-02-01"));
    assert_eq!(d.plan.intent.breakdowns, ["message_channel"]);
    assert_eq!(d.plan.intent.grain, Some(Grain::Day));
    let d = drilled("messages sent by month by channel", "channel", json!("sms"));
    assert_eq!(d.plan.intent.grain, Some(Grain::Month));
    assert_eq!(d.plan.intent.filters[0].values, ["sms"]);
}

#[test]
fn a_drilled_answer_drills_again_from_its_intent() {
    let first = drilled("revenue by year", "year", json!("2026-01-01"));
    let second = drill(&model(), &first.plan.intent, "quarter", &json!("2026-04-01")).expect("drills");
    assert_eq!(second.plan.intent.grain, Some(Grain::Month));
    assert_eq!(second.plan.title, "Revenue by month, Q2 2026");
    // And the drilled title reads as a question the engine understands the same way.
    let again = interpret(&model(), &first.plan.title, None, today()).expect("title reads as a question");
    assert_eq!(again.intent.time_range, first.plan.intent.time_range);
    assert_eq!(again.intent.grain, first.plan.intent.grain);
    let ch = drilled("messages sent by channel", "channel", json!("whatsapp"));
    let again = interpret(&model(), &ch.plan.title, None, today()).expect("title reads as a question");
    assert_eq!(again.intent.filters, ch.plan.intent.filters);
    assert_eq!(again.intent.breakdowns, ch.plan.intent.breakdowns);
}

#[test]
fn booleans_and_contacts() {
    let d = drilled("contacts by opt-in status", "opted_in", json!(true));
    assert_eq!(d.plan.intent.filters[0].values, ["true"]);
    assert!(d.plan.sql.contains("opted_in = true"), "{}", d.plan.sql);
    // A contact's name is shown beside its id: the id is what a drill narrows to.
    let e = refused("top 5 contacts by revenue", "full_name", json!("Ana Pérez"));
    assert!(matches!(&e, DrillError::Usage(m) if m.contains("contact_id")), "{e}");
    let d = drilled("top 5 contacts by revenue", "contact_id", json!("c_001"));
    assert_eq!(d.plan.intent.filters[0].dimension, "contact");
}

#[test]
fn columns_that_are_not_breakdowns_or_the_time_axis_are_refused() {
    for (q, column) in [
        ("messages sent by channel", "messages_sent"),
        ("messages sent by channel", "country"),
        ("messages sent this month vs last month", "period"),
        ("how many contacts", "contacts"),
    ] {
        let e = refused(q, column, json!("x"));
        assert!(matches!(&e, DrillError::Usage(m) if m.contains(column)), "{q:?} {column}: {e}");
        assert_eq!(inda_core::Error::from(e).code, inda_core::ErrorCode::Usage);
    }
    let e = refused("mensajes enviados por canal", "mensajes_enviados", json!("x"));
    assert!(matches!(&e, DrillError::Usage(m) if m.starts_with("No puedo profundizar")), "{e}");
}

#[test]
fn values_that_do_not_fit_are_refused() {
    for v in [json!(null), json!(["whatsapp"]), json!({"a": 1}), json!("x".repeat(501))] {
        let e = refused("messages sent by channel", "channel", v.clone());
        assert!(matches!(e, DrillError::Usage(_)), "{v}");
    }
    let e = refused("revenue by month", "month", json!("March"));
    assert!(matches!(&e, DrillError::Usage(m) if m.contains("March") && m.contains("2026-03-01")), "{e}");
    let e = refused("ingresos por mes", "mes", json!("marzo"));
    assert!(matches!(&e, DrillError::Usage(m) if m.contains("no es el inicio")), "{e}");
}

#[test]
fn a_question_the_engine_does_not_read_cannot_be_drilled() {
    let e = refused("what is the meaning of life", "channel", json!("sms"));
    match &e {
        DrillError::NotUnderstood(n) => {
            assert_eq!(
                n.message,
                "I cannot drill into this answer: the offline engine does not understand its question."
            );
            assert!(n.suggestions.is_empty());
        }
        other => panic!("{other}"),
    }
    assert_eq!(inda_core::Error::from(e).code, inda_core::ErrorCode::NotUnderstood);
    let e = refused("¿cuál es el sentido de la vida?", "canal", json!("sms"));
    assert!(
        matches!(&e, DrillError::NotUnderstood(n) if n.message.starts_with("No puedo profundizar")),
        "{e}"
    );
}

#[test]
fn a_company_by_its_name_is_its_tenant_id() {
    let entry = |id: &str, name: &str| inda_core::TenantEntry {
        tenant_id: id.into(),
        tenant_name: name.into(),
        partner_id: "indigital".into(),
        is_active: true,
        currency: Some("USD".into()),
    };
    let m = model().with_companies(&[entry("acme_corp", "Acme Corp"), entry("globex", "Globex")]);
    let d = drill_question(&m, "messages sent by company", None, today(), "company", &json!("Acme Corp"))
        .expect("drills");
    assert_eq!(d.plan.intent.filters[0].values, ["acme_corp"]);
    assert_eq!(d.description, "Filtered to company = Acme Corp");
    // Across companies, a campaign's rows also name their company: that column narrows to the company.
    let d = drill_question(&m, "messages sent by campaign", None, today(), "company", &json!("Globex"))
        .expect("drills");
    assert_eq!(d.plan.intent.filters[0].values, ["globex"]);
    assert_eq!(d.plan.intent.breakdowns, ["campaign"]);
    // A name of no company of the scope matches no row.
    let d = drill_question(&m, "messages sent by company", None, today(), "company", &json!("Initech"))
        .expect("drills");
    assert_eq!(d.plan.intent.filters[0].values, ["Initech"]);
}

#[test]
fn measures_side_by_side_drill_into_each_part() {
    // The clicked channel narrows each table's part, on that table's own channel.
    let d = drilled("messaging cost and revenue by channel last month", "channel", json!("whatsapp"));
    assert!(d.plan.sql.contains("WHERE channel = 'whatsapp'"), "{}", d.plan.sql);
    assert!(d.plan.sql.contains("a.channel = 'whatsapp'"), "{}", d.plan.sql);
    let d = drilled("customers and revenue by country", "country", json!("CO"));
    assert_eq!(d.plan.sql.matches("country = 'CO'").count(), 2, "{}", d.plan.sql);
}
