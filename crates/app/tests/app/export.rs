//! Exports end to end over a real demo warehouse, as the UI asks for them (`GET/POST /api/export`, the
//! desktop's `export`, `export_answer` and `saved_set_chart`): files named like their content and dated, in
//! the UI's language; an answer not saved exported as it is; the chart its owner kept drawn by every show,
//! run and export; a filtered dashboard's filters printed with it.

use inda_app::{
    Answer, App, AskRequest, Cancel, DataDir, DemoOptions, ExportAnswerRequest, ExportQuery, NoSink,
    SaveRequest,
};
use inda_core::{ChartKind, ChartSpec, ErrorCode, Session};
use std::sync::OnceLock;

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    /// One user per test (they run at once, and each reads back its own audit entries), and one more.
    users: Vec<Session>,
    other: Session,
    rt: tokio::runtime::Runtime,
}

/// The test's own user.
fn user(n: usize) -> &'static Session {
    &setup().users[n]
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(DataDir::new(dir.path())).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let opts = DemoOptions { scale: 0.05, seed: 42, as_of, tenants: Some(vec!["acme_corp".into()]) };
        app.demo_init(&opts, &|_| {}).unwrap();
        let mut session = |user: &str| {
            let req = inda_auth::MintRequest {
                tenant_id: "acme_corp".into(),
                user_id: user.into(),
                partner_id: "indigital".into(),
                user_name: None,
                roles: vec![],
                ttl_seconds: 3600,
            };
            let token = app.mint_token(&req).unwrap();
            app.identity(Some(&token)).unwrap()
        };
        let users = (0..4).map(|n| session(&format!("ana{n}@acme.example"))).collect();
        let other = session("bob@acme.example");
        let rt = tokio::runtime::Runtime::new().unwrap();
        Setup { _dir: dir, app, users, other, rt }
    })
}

const BY_CHANNEL: &str = "SELECT channel, COUNT(*) AS messages, COUNT(delivered_at) AS delivered \
     FROM marts.fct_messages GROUP BY channel ORDER BY channel";

fn save(who: &Session, name: &str, sql: &str, chart: Option<ChartSpec>) -> String {
    let s = setup();
    let req = SaveRequest { name: name.into(), sql: Some(sql.into()), chart, ..SaveRequest::default() };
    s.rt.block_on(s.app.save_analysis(who, &req)).unwrap().id
}

fn query(body: serde_json::Value) -> ExportQuery {
    serde_json::from_value(body).unwrap()
}

fn today() -> String {
    chrono::Local::now().date_naive().format("%Y-%m-%d").to_string()
}

/// Whether the PDF draws a line starting with `text`. Its content streams are not compressed; a line is a
/// literal string when ASCII, else the hex of its WinAnsi bytes (Latin-1 for the accents used here).
fn pdf_shows(pdf: &[u8], text: &str) -> bool {
    let needle = if text.is_ascii() {
        format!("({text}")
    } else {
        let hex: String = text.chars().map(|c| format!("{:02X}", u32::from(c))).collect();
        format!("<{hex}")
    };
    let lower = needle.to_lowercase();
    pdf.windows(needle.len()).any(|w| w == needle.as_bytes() || w == lower.as_bytes())
}

fn last_export_details(session: &Session) -> serde_json::Value {
    let log = setup().app.audit_log(session, 50).unwrap();
    log.into_iter().rev().find(|e| e.action.as_str() == "export").map(|e| e.details).unwrap_or_default()
}

#[test]
fn downloads_are_named_like_their_content_and_written_in_the_ui_language() {
    let s = setup();
    let ana = user(0);
    let id = save(ana, "Mensajes por canal: 2026/Q4", BY_CHANNEL, None);
    let es =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"analysis": id, "to": "pdf", "lang": "es"})),
            &Cancel::new(),
        ))
        .unwrap();
    assert_eq!(es.file_name, format!("Mensajes por canal 2026 Q4 – {}.pdf", today()));
    assert_eq!(es.mime, "application/pdf");
    assert!(pdf_shows(&es.bytes, "Datos a: ") && pdf_shows(&es.bytes, "Página 1 de 1"), "Spanish labels");
    assert_eq!(last_export_details(ana)["lang"], "es");

    let en =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"analysis": id, "to": "pdf", "lang": "en"})),
            &Cancel::new(),
        ))
        .unwrap();
    assert!(pdf_shows(&en.bytes, "As of: ") && pdf_shows(&en.bytes, "Page 1 of 1"));
    // No `lang`: the question's language, English for SQL typed by hand.
    let plain =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"analysis": id, "to": "csv"})),
            &Cancel::new(),
        ))
        .unwrap();
    assert_eq!(plain.file_name, format!("Mensajes por canal 2026 Q4 – {}.csv", today()));
    assert!(String::from_utf8(plain.bytes).unwrap().starts_with("channel,messages,delivered\r\n"));

    let dash = s.app.create_dashboard(ana, "Panel «Q4»").unwrap().dashboard.id;
    s.app.dashboard_add(ana, &dash, &id).unwrap();
    let file =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"dashboard": dash, "to": "xlsx", "lang": "es"})),
            &Cancel::new(),
        ))
        .unwrap();
    assert_eq!(file.file_name, format!("Panel «Q4» – {}.xlsx", today()));

    // The desktop's save dialog asks for the name first: someone else's analysis has none to give.
    let target = query(serde_json::json!({"analysis": id, "to": "pdf"})).target;
    let err = s.app.export_file_name(&s.other, &target, inda_app::ExportFormat::Pdf, None).unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

fn ask(who: &Session, question: &str) -> Answer {
    let s = setup();
    let req: AskRequest = serde_json::from_value(serde_json::json!({ "question": question })).unwrap();
    s.rt.block_on(s.app.ask_request(who, &req, &Cancel::new(), &NoSink)).unwrap()
}

/// The body the UI posts: the answer as it has it (its JSON), the format and the language.
fn answer_request(answer: &serde_json::Value, to: &str, lang: Option<&str>) -> ExportAnswerRequest {
    serde_json::from_value(serde_json::json!({"answer": answer, "to": to, "lang": lang})).unwrap()
}

#[test]
fn an_unsaved_answer_exports_as_the_ui_has_it() {
    let s = setup();
    let ana = user(1);
    let answer = ask(ana, "mensajes por canal");
    let json = serde_json::to_value(&answer).unwrap();
    let file = s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&json, "csv", None))).unwrap();
    let title = answer.title.clone().unwrap();
    assert_eq!(file.file_name, format!("{title} – {}.csv", today()));
    let csv = String::from_utf8(file.bytes).unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), answer.rows.len() + 1, "{csv}");
    for (line, row) in lines[1..].iter().zip(&answer.rows) {
        let cells: Vec<String> = row.iter().map(|v| v.to_text()).collect();
        assert_eq!(*line, cells.join(","));
    }
    let details = last_export_details(ana);
    assert_eq!(
        (details["unsaved"].as_bool(), details["lang"].as_str()),
        (Some(true), Some("es")),
        "{details}"
    );
    assert_eq!(details["rows"], answer.rows.len());

    // Every format renders it, the chart included; the UI's language wins over the question's.
    for to in ["xlsx", "png", "svg", "pdf"] {
        let file =
            s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&json, to, Some("en")))).unwrap();
        assert!(file.bytes.len() > 500, "{to}");
    }
    let pdf =
        s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&json, "pdf", Some("en")))).unwrap();
    assert!(pdf_shows(&pdf.bytes, "As of: "));

    // A time series renders from the JSON the UI holds (its ISO strings typed back into dates).
    let by_month = ask(ana, "messages by month");
    let json_month = serde_json::to_value(&by_month).unwrap();
    let pdf =
        s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&json_month, "pdf", Some("es"))))
            .unwrap();
    assert!(pdf_shows(&pdf.bytes, "Datos a: "));

    // What the UI has is what is exported: rows edited out of the answer are not queried back.
    let mut fewer = json.clone();
    fewer["rows"].as_array_mut().unwrap().truncate(1);
    let file = s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&fewer, "csv", None))).unwrap();
    assert_eq!(String::from_utf8(file.bytes).unwrap().trim_end().split("\r\n").count(), 2);

    // Bounds and shape: past 10,000 rows, a ragged row, a chart naming a column the rows lack.
    let mut big = json.clone();
    let row = big["rows"][0].clone();
    big["rows"] = serde_json::Value::Array(vec![row; inda_app::MAX_ANSWER_ROWS + 1]);
    let err = s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&big, "csv", None))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Usage, "{}", err.message);
    let mut ragged = json.clone();
    ragged["rows"][0].as_array_mut().unwrap().pop();
    let err =
        s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&ragged, "csv", None))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Usage);
    let mut stale = json;
    stale["chart"]["x"] = serde_json::json!("no_such_column");
    let err = s.rt.block_on(s.app.export_answer_file(ana, &answer_request(&stale, "png", None))).unwrap_err();
    assert_eq!(err.code, ErrorCode::Usage);
    assert!(err.message.contains("no_such_column"), "{}", err.message);
}

#[test]
fn the_chart_an_analysis_keeps_draws_its_shows_runs_and_exports() {
    let s = setup();
    let ana = user(2);
    let id = save(ana, "Delivery by channel", BY_CHANNEL, None);
    let engine = s.rt.block_on(s.app.run_analysis(ana, &id, &Cancel::new())).unwrap().answer.chart;
    let kept = ChartSpec {
        kind: ChartKind::Line,
        x: Some("channel".into()),
        y: vec!["messages".into(), "delivered".into()],
        y2: vec!["delivered".into()],
        ..ChartSpec::table()
    };
    assert_ne!(engine.kind, ChartKind::Line);
    let saved = s.app.set_analysis_chart(ana, &id, kept.clone()).unwrap();
    assert_eq!(saved.chart.as_ref(), Some(&kept));
    // The cached result is drawn with it at once, and so is every fresh one; the engine's title stays.
    let shown = s.rt.block_on(s.app.show_analysis(ana, &id, &Cancel::new())).unwrap();
    assert!(shown.cached);
    assert_eq!((shown.answer.chart.kind, &shown.answer.chart.y2), (ChartKind::Line, &kept.y2));
    assert_eq!(shown.answer.chart.title, engine.title);
    let run = s.rt.block_on(s.app.run_analysis(ana, &id, &Cancel::new())).unwrap();
    assert_eq!(run.answer.chart.kind, ChartKind::Line);
    let svg =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"analysis": id, "to": "svg"})),
            &Cancel::new(),
        ))
        .unwrap();
    let svg = String::from_utf8(svg.bytes).unwrap();
    assert!(svg.contains(">delivered<") || svg.contains("delivered\n"), "the second axis is named");

    // A column the result does not have, a chart with no measure, someone else's analysis.
    let bad = ChartSpec { x: Some("country".into()), ..kept.clone() };
    let err = s.app.set_analysis_chart(ana, &id, bad).unwrap_err();
    assert_eq!(err.code, ErrorCode::Usage);
    assert!(err.message.contains("`country`"), "{}", err.message);
    let empty = ChartSpec { kind: ChartKind::Bar, ..ChartSpec::table() };
    assert_eq!(s.app.set_analysis_chart(ana, &id, empty).unwrap_err().code, ErrorCode::Usage);
    assert_eq!(s.app.set_analysis_chart(&s.other, &id, kept.clone()).unwrap_err().code, ErrorCode::NotFound);
    let unchanged = s.app.get_analysis(ana, &id).unwrap();
    assert_eq!(unchanged.chart.as_ref(), Some(&kept));

    // Saving with the chart shown keeps it from the first run on.
    let pie = ChartSpec {
        kind: ChartKind::Pie,
        x: Some("channel".into()),
        y: vec!["messages".into()],
        ..ChartSpec::table()
    };
    let id2 = save(ana, "Share by channel", BY_CHANNEL, Some(pie.clone()));
    assert_eq!(s.app.get_analysis(ana, &id2).unwrap().chart.as_ref(), Some(&pie));
    let first = s.rt.block_on(s.app.show_analysis(ana, &id2, &Cancel::new())).unwrap();
    assert_eq!(first.answer.chart.kind, ChartKind::Pie);
    let audit = s.app.audit_log(ana, 50).unwrap();
    assert!(audit.iter().any(|e| e.details["chart"] == "line" && e.details["analysis_id"] == id.as_str()));
}

#[test]
fn a_filtered_dashboard_prints_its_filters_and_exports_the_filtered_rows() {
    let s = setup();
    let ana = user(3);
    let id = save(ana, "Messages by channel", BY_CHANNEL, None);
    let dash = s.app.create_dashboard(ana, "Filtered").unwrap().dashboard.id;
    s.app.dashboard_add(ana, &dash, &id).unwrap();
    let filters: inda_app::DashboardFilters =
        serde_json::from_value(serde_json::json!({"channel": ["whatsapp"]})).unwrap();
    s.app.set_dashboard_filters(ana, &dash, &filters).unwrap();
    let pdf =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"dashboard": dash, "to": "pdf", "lang": "en"})),
            &Cancel::new(),
        ))
        .unwrap();
    assert!(
        pdf_shows(&pdf.bytes, "Filters: Channel: WhatsApp"),
        "the filters are printed under the title, by their display names"
    );
    let csv =
        s.rt.block_on(s.app.export_file(
            ana,
            &query(serde_json::json!({"dashboard": dash, "to": "csv"})),
            &Cancel::new(),
        ))
        .unwrap();
    let csv = String::from_utf8(csv.bytes).unwrap();
    assert!(!csv.contains("Filters"), "CSV stays data only");
    let channels: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').next()).collect();
    assert_eq!(channels, ["whatsapp"], "{csv}");
}
