//! Drill-down through the question engine, end to end over a real demo warehouse, in both languages: a
//! click on a breakdown's value or on a period of a series is asked as `AskRequest::drill` (what the UI and
//! the desktop's `ask` send), and the narrowed answer must hold exactly the rows behind the cell clicked
//! (the drilled slice adds up to the clicked number), in a conversation that later follow-ups continue.

use inda_app::{Answer, App, AskRequest, Cancel, DataDir, DemoOptions, NoSink};
use inda_core::{ErrorCode, Session, Value};
use std::sync::OnceLock;

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    session: Session,
    rt: tokio::runtime::Runtime,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(DataDir::new(dir.path())).unwrap();
        // A fixed last day: the periods drilled into below exist whatever day the tests run.
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let opts = DemoOptions { scale: 0.05, seed: 42, as_of, tenants: Some(vec!["acme_corp".into()]) };
        app.demo_init(&opts, &|_| {}).unwrap();
        let req = inda_auth::MintRequest {
            tenant_id: "acme_corp".into(),
            user_id: "drill@acme.example".into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![],
            ttl_seconds: 3600,
        };
        let token = app.mint_token(&req).unwrap();
        let session = app.identity(Some(&token)).unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        Setup { _dir: dir, app, session, rt }
    })
}

/// The request as the UI sends it: JSON, through the same entry point as `POST /api/ask` and the desktop.
fn ask_json(body: serde_json::Value) -> Result<Answer, inda_core::Error> {
    let s = setup();
    let req: AskRequest = serde_json::from_value(body).unwrap();
    s.rt.block_on(s.app.ask_request(&s.session, &req, &Cancel::new(), &NoSink))
}

fn ask(question: &str) -> Answer {
    ask_json(serde_json::json!({ "question": question })).unwrap_or_else(|e| panic!("{question:?}: {e:?}"))
}

/// A click on the cell of `column` in `row` of `answer`: the cell's JSON as the UI has it.
fn click(answer: &Answer, column: &str, row: usize) -> serde_json::Value {
    serde_json::to_value(&answer.rows[row][col(answer, column)]).unwrap()
}

fn drill(question: &str, column: &str, value: serde_json::Value) -> Result<Answer, inda_core::Error> {
    ask_json(serde_json::json!({ "question": question, "drill": { "column": column, "value": value } }))
}

fn col(answer: &Answer, name: &str) -> usize {
    answer.columns.iter().position(|c| c.name == name).unwrap_or_else(|| {
        panic!("no column {name} in {:?}", answer.columns.iter().map(|c| &c.name).collect::<Vec<_>>())
    })
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v:?}"))
}

fn sum(answer: &Answer, column: &str) -> f64 {
    let i = col(answer, column);
    answer.rows.iter().map(|r| num(&r[i])).sum()
}

/// The row of `answer` whose `column` holds `value`.
fn row_of(answer: &Answer, column: &str, value: &str) -> usize {
    let i = col(answer, column);
    answer
        .rows
        .iter()
        .position(|r| r[i].to_text() == value)
        .unwrap_or_else(|| panic!("no {column} = {value}"))
}

fn texts(answer: &Answer, column: &str) -> Vec<String> {
    let i = col(answer, column);
    answer.rows.iter().map(|r| r[i].to_text()).collect()
}

#[test]
fn a_channel_drills_into_its_own_messages_in_english_and_spanish() {
    let whole = ask("messages sent by channel");
    let wa = row_of(&whole, "channel", "whatsapp");
    let d = drill("messages sent by channel", "channel", click(&whole, "channel", wa)).unwrap();
    assert_eq!(texts(&d, "channel"), ["whatsapp"]);
    assert_eq!(sum(&d, "messages_sent"), num(&whole.rows[wa][col(&whole, "messages_sent")]));
    assert_eq!(d.title.as_deref(), Some("Messages sent by channel (WhatsApp)"));
    assert_eq!(d.question.as_deref(), Some("Messages sent by channel (WhatsApp)"));
    assert_eq!(d.chart.title.as_deref(), Some("Messages sent by channel (WhatsApp)"));
    assert_eq!(d.drilled.as_deref(), Some("Filtered to channel = WhatsApp"));
    assert_eq!(d.provider.as_deref(), Some("offline"));
    assert!(d.sql.contains("'whatsapp'"), "{}", d.sql);

    let todo = ask("mensajes enviados por canal");
    let sms = row_of(&todo, "channel", "sms");
    let d = drill("mensajes enviados por canal", "channel", click(&todo, "channel", sms)).unwrap();
    assert_eq!(texts(&d, "channel"), ["sms"]);
    assert_eq!(sum(&d, "mensajes_enviados"), num(&todo.rows[sms][col(&todo, "mensajes_enviados")]));
    assert_eq!(d.title.as_deref(), Some("Mensajes enviados por canal (SMS)"));
    assert_eq!(d.drilled.as_deref(), Some("Filtrado a canal = SMS"));
    assert_eq!(d.lang.as_deref(), Some("es"));
    // Answers that are not drills say nothing of it.
    assert_eq!(todo.drilled, None);
}

#[test]
fn a_country_keeps_the_other_breakdowns() {
    let whole = ask("contacts by country and segment");
    let co: f64 = {
        let c = col(&whole, "country");
        let n = col(&whole, "contacts");
        whole.rows.iter().filter(|r| r[c].to_text() == "CO").map(|r| num(&r[n])).sum()
    };
    assert!(co > 0.0, "the demo tenant has contacts in Colombia");
    let d = drill("contacts by country and segment", "country", serde_json::json!("CO")).unwrap();
    assert!(texts(&d, "country").iter().all(|c| c == "CO"));
    assert!(texts(&d, "segment").len() > 1, "still by segment");
    assert_eq!(sum(&d, "contacts"), co);
    assert_eq!(d.drilled.as_deref(), Some("Filtered to country = Colombia"));

    let d = drill("contactos por país", "country", serde_json::json!("CO")).unwrap();
    assert_eq!(sum(&d, "contactos"), co);
    assert_eq!(d.title.as_deref(), Some("Contactos por país (Colombia)"));
    assert_eq!(d.drilled.as_deref(), Some("Filtrado a país = Colombia"));
}

#[test]
fn a_campaign_name_with_accents_is_matched_exactly_and_quotes_stay_literal() {
    let whole = ask("messages sent by campaign");
    let names = texts(&whole, "campaign_name");
    let accented = names.iter().position(|n| !n.is_ascii()).expect("a campaign name with an accent");
    let name = names[accented].clone();
    let d = drill("messages sent by campaign", "campaign_name", serde_json::json!(name)).unwrap();
    assert_eq!(texts(&d, "campaign_name"), vec![name.clone()]);
    assert_eq!(sum(&d, "messages_sent"), num(&whole.rows[accented][col(&whole, "messages_sent")]));
    assert_eq!(d.drilled, Some(format!("Filtered to campaign = {name}")));

    // A value that exists nowhere is an empty answer, not an error; a quote in it is a quote, not SQL.
    for missing in ["O'Brien's Sale", "fax", "x' OR '1'='1"] {
        let d = drill("messages sent by campaign", "campaign_name", serde_json::json!(missing)).unwrap();
        assert_eq!(d.row_count, 0, "{missing}: {:?}", d.rows);
    }
    let d = drill("messages sent by channel", "channel", serde_json::json!("fax")).unwrap();
    assert_eq!(d.row_count, 0);
}

#[test]
fn a_month_drills_into_its_days() {
    let whole = ask("messages sent by month");
    let march = row_of(&whole, "month", "2026-03-01T00:00:00");
    let d = drill("messages sent by month", "month", click(&whole, "month", march)).unwrap();
    let days = texts(&d, "day");
    assert_eq!(days.len(), 31, "{days:?}");
    assert!(days.iter().all(|t| t.starts_with("2026-03-")), "{days:?}");
    assert_eq!(sum(&d, "messages_sent"), num(&whole.rows[march][col(&whole, "messages_sent")]));
    assert_eq!(d.title.as_deref(), Some("Messages sent by day, March 2026"));
    assert_eq!(d.drilled.as_deref(), Some("March 2026 by day"));

    let d = drill("ingresos por mes", "mes", serde_json::json!("2026-03-01T00:00:00")).unwrap();
    assert!(texts(&d, "dia").iter().all(|t| t.starts_with("2026-03-")));
    assert_eq!(d.title.as_deref(), Some("Ingresos por día, marzo de 2026"));
    assert_eq!(d.drilled.as_deref(), Some("marzo de 2026 por día"));
}

#[test]
fn a_year_drills_into_quarters_and_a_quarter_into_months() {
    let whole = ask("messages sent by year");
    let y2025 = row_of(&whole, "year", "2025-01-01T00:00:00");
    let d = drill("messages sent by year", "year", click(&whole, "year", y2025)).unwrap();
    assert_eq!(
        texts(&d, "quarter"),
        ["2025-01-01T00:00:00", "2025-04-01T00:00:00", "2025-07-01T00:00:00", "2025-10-01T00:00:00"]
    );
    assert_eq!(sum(&d, "messages_sent"), num(&whole.rows[y2025][col(&whole, "messages_sent")]));
    assert_eq!(d.drilled.as_deref(), Some("2025 by quarter"));

    let todo = ask("mensajes enviados por trimestre");
    let q3 = row_of(&todo, "trimestre", "2026-07-01T00:00:00");
    let d = drill("mensajes enviados por trimestre", "trimestre", click(&todo, "trimestre", q3)).unwrap();
    assert_eq!(texts(&d, "mes"), ["2026-07-01T00:00:00", "2026-08-01T00:00:00", "2026-09-01T00:00:00"]);
    assert_eq!(sum(&d, "mensajes_enviados"), num(&todo.rows[q3][col(&todo, "mensajes_enviados")]));
    assert_eq!(d.title.as_deref(), Some("Mensajes enviados por mes, T3 2026"));
    assert_eq!(d.drilled.as_deref(), Some("T3 2026 por mes"));

    // A day stays a day: that day alone.
    let d = drill("messages sent by day", "day", serde_json::json!("2026-03-02T00:00:00")).unwrap();
    assert_eq!(texts(&d, "day"), ["2026-03-02T00:00:00"]);
    assert_eq!(d.drilled.as_deref(), Some("March 2, 2026 by day"));
}

#[test]
fn a_drill_is_a_turn_of_its_conversation_and_follow_ups_continue_from_it() {
    let first =
        ask_json(serde_json::json!({ "question": "messages sent by channel", "new_conversation": true }))
            .unwrap();
    let id = first.conversation_id.clone().expect("a conversation");
    let d = ask_json(serde_json::json!({
        "question": "messages sent by channel",
        "conversation_id": id,
        "drill": { "column": "channel", "value": "email" },
    }))
    .unwrap();
    assert_eq!(d.conversation_id.as_deref(), Some(id.as_str()));
    // "And by segment" breaks the drilled slice down anew: still only email's messages.
    let next = ask_json(serde_json::json!({ "question": "and by segment", "conversation_id": id })).unwrap();
    assert!(texts(&next, "segment").len() > 1);
    assert_eq!(sum(&next, "messages_sent"), sum(&d, "messages_sent"));
    assert_eq!(next.title.as_deref(), Some("Messages sent by segment (email)"));
    // The drilled answer drills again, from the intent its turn keeps.
    let again = ask_json(serde_json::json!({
        "question": d.question,
        "conversation_id": id,
        "drill": { "column": "channel", "value": "email" },
    }))
    .unwrap();
    assert_eq!(again.rows, d.rows);
    let s = setup();
    let turns =
        s.app.store().unwrap().conversation_turns(&s.session.tenant_id, &s.session.user_id, &id).unwrap();
    let asked: Vec<&str> = turns.iter().map(|t| t.question.as_str()).collect();
    assert_eq!(
        asked,
        [
            "messages sent by channel",
            "Messages sent by channel (email)",
            "and by segment",
            "Messages sent by channel (email)"
        ]
    );
}

#[test]
fn a_column_that_is_not_a_breakdown_is_a_usage_error_and_an_unread_question_is_not_understood() {
    for (q, column) in
        [("messages sent by channel", "messages_sent"), ("messages sent by channel", "country")]
    {
        let e = drill(q, column, serde_json::json!("x")).unwrap_err();
        assert_eq!(e.code, ErrorCode::Usage, "{column}: {}", e.message);
        assert!(e.message.contains(column), "{}", e.message);
    }
    let e = drill("messages sent by month", "month", serde_json::json!("March")).unwrap_err();
    assert_eq!(e.code, ErrorCode::Usage, "{}", e.message);
    let e = drill("what is the meaning of life", "channel", serde_json::json!("sms")).unwrap_err();
    assert_eq!(e.code, ErrorCode::NotUnderstood);
    assert!(e.message.starts_with("I cannot drill into this answer"), "{}", e.message);
    let e = drill("¿cuál es el sentido de la vida?", "canal", serde_json::json!("sms")).unwrap_err();
    assert!(e.message.starts_with("No puedo profundizar en esta respuesta"), "{}", e.message);
    // Every attempt is in the audit log, refused ones too.
    let s = setup();
    let entries = s.app.store().unwrap().audit_list(&s.session.tenant_id, &s.session.user_id, 1000).unwrap();
    assert!(entries.iter().any(|e| e.action == "ask" && e.outcome == "not_understood"));
    assert!(entries.iter().any(|e| e.action == "ask" && e.outcome == "error"));
}
