//! The use cases end to end over a real demo warehouse: the question engine graded against gold SQL (the
//! public dev set, the project's own paraphrases and its held-out-style phrasings, English and Spanish),
//! audit of every query.

use inda_app::eval::parse_questions;
use inda_app::{App, DataDir, DemoOptions, Provider};
use inda_core::Session;
use std::sync::OnceLock;

include!("../../../../eval/sets.rs");

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    sessions: Vec<Session>,
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let mut app = App::open(DataDir::new(dir.path())).unwrap();
        // The gold SQL is relative to CURRENT_DATE, so the demo data must end today.
        let opts =
            DemoOptions { scale: 0.2, seed: 42, as_of: chrono::Utc::now().date_naive(), tenants: None };
        app.demo_init(&opts, &|_| {}).unwrap();
        let mut sessions = Vec::new();
        for tenant in ["acme_corp", "umbrella"] {
            let req = inda_auth::MintRequest {
                tenant_id: tenant.into(),
                user_id: "eval@example.com".into(),
                partner_id: "indigital".into(),
                user_name: None,
                roles: vec![],
                ttl_seconds: 3600,
            };
            let token = app.mint_token(&req).unwrap();
            sessions.push(app.identity(Some(&token)).unwrap());
        }
        Setup { _dir: dir, app, sessions }
    })
}

/// The question sets are compiled in: a test binary reused from another checkout (a shared target dir)
/// must not look for files at the path it was built from.
fn grade(name: &str, set: &str) -> inda_app::eval::EvalReport {
    let s = setup();
    let questions = parse_questions(set).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let report = rt.block_on(s.app.evaluate(&s.sessions, &questions, Provider::Offline)).unwrap();
    for f in &report.failures {
        eprintln!("  {} {} {:?}: {}", f.tenant, f.id, f.question, f.why);
    }
    eprintln!("{name}: {}/{} ({:.1}%)", report.correct, report.total, report.accuracy * 100.0);
    report
}

#[test]
fn the_dev_set_is_answered_correctly() {
    let report = grade("nl-dev.jsonl", include_str!("../../../../eval/nl-dev.jsonl"));
    assert!(report.accuracy >= 0.95, "accuracy {:.3} on nl-dev", report.accuracy);
}

#[test]
fn other_phrasings_are_answered_correctly() {
    let report = grade("nl-paraphrases.jsonl", include_str!("../../../../eval/nl-paraphrases.jsonl"));
    assert!(report.accuracy >= 0.90, "accuracy {:.3} on paraphrases", report.accuracy);
}

#[test]
fn held_out_style_phrasings_are_answered_correctly() {
    let report = grade("nl-heldout-style.jsonl", include_str!("../../../../eval/nl-heldout-style.jsonl"));
    assert!(report.accuracy >= 0.97, "accuracy {:.3} on held-out-style phrasings", report.accuracy);
}

#[test]
fn every_question_is_audited() {
    let s = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let session = &s.sessions[0];
    let cancel = inda_warehouse::Cancel::new();
    let _ = rt.block_on(s.app.ask(
        session,
        "contacts by country",
        Provider::Offline,
        &Default::default(),
        &cancel,
    ));
    let _ = rt.block_on(s.app.ask(session, "blah blah", Provider::Offline, &Default::default(), &cancel));
    let entries = s.app.store().unwrap().audit_list(&session.tenant_id, &session.user_id, 1000).unwrap();
    assert!(entries.iter().any(|e| e.action == "ask" && e.outcome == "ok"));
    assert!(entries.iter().any(|e| e.action == "ask" && e.outcome == "not_understood"));
    assert!(s.app.store().unwrap().verify_audit().unwrap().ok);
}

#[test]
fn the_reporting_currency_is_the_tenants_own_and_unknown_offline() {
    let s = setup();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let currency = |app: &App, session: &Session| rt.block_on(app.reporting_currency(session)).unwrap();
    assert_eq!(currency(&s.app, &s.sessions[0]).as_deref(), Some("COP"), "acme_corp");
    assert_eq!(currency(&s.app, &s.sessions[1]).as_deref(), Some("USD"), "umbrella");
    let mut offline = App::open(DataDir::new(s.app.dir.root())).unwrap();
    offline.offline = true;
    assert_eq!(currency(&offline, &s.sessions[0]), None, "offline never touches the warehouse");
}

/// A copy of the demo data dir (its warehouse, keys and config; a fresh store) whose config turns the
/// rollups off: the same questions answered from the facts every time. Other tests query the original
/// meanwhile, so files that come and go there (rollups being written, the store's journal) are not copied.
fn without_rollups(from: &std::path::Path) -> (tempfile::TempDir, App) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else if !entry.file_name().to_string_lossy().starts_with('.') {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    for part in ["warehouse/admin", "warehouse/marts", "keys"] {
        copy(&from.join(part), &dir.path().join(part));
    }
    for file in ["install-id", "config.toml", "warehouse/manifest.json"] {
        if from.join(file).exists() {
            std::fs::copy(from.join(file), dir.path().join(file)).unwrap();
        }
    }
    let config = dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default();
    std::fs::write(&config, format!("{text}\n[warehouse]\nrollups = false\n")).unwrap();
    let app = App::open(DataDir::new(dir.path())).unwrap();
    (dir, app)
}

/// Every question of the project's question files, asked of the offline engine with the warehouse's daily
/// rollups and without: the same rows, columns, summary and caveats. (The warehouse's own tests compare
/// every gold statement the same way; this covers the SQL the engine itself writes.)
#[test]
fn answers_from_rollups_are_the_answers_from_the_facts() {
    let s = setup();
    // `demo init` built them, so that no question waits for one.
    let built = s.app.dir.warehouse().join("rollups/fct_messages_daily/umbrella");
    assert_eq!(std::fs::read_dir(&built).map(|d| d.count()).unwrap_or(0), 1, "{}", built.display());
    let (_copy, facts) = without_rollups(s.app.dir.root());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let cancel = inda_warehouse::Cancel::new();
    let view = |a: &inda_app::Answer| {
        let mut rows: Vec<String> = a.rows.iter().map(|r| format!("{r:?}")).collect();
        rows.sort();
        (format!("{:?}", a.columns), rows, a.summary.clone(), format!("{:?}", a.caveats))
    };
    let (mut compared, mut different) = (0, Vec::new());
    for set in QUESTION_SETS {
        for q in parse_questions(set).unwrap() {
            let session = &s.sessions[1];
            let ask = |app: &App| {
                rt.block_on(app.ask(session, &q.question, Provider::Offline, &Default::default(), &cancel))
            };
            match (ask(&s.app), ask(&facts)) {
                (Ok(a), Ok(b)) => {
                    compared += 1;
                    if view(&a) != view(&b) {
                        different.push(format!(
                            "{}: {:?}\n  rollups {:?}\n  facts   {:?}",
                            q.id,
                            q.question,
                            view(&a),
                            view(&b)
                        ));
                    }
                }
                (Err(a), Err(b)) if a.code == b.code => {}
                (a, b) => {
                    different.push(format!("{}: {:?}: {:?} / {:?}", q.id, q.question, a.err(), b.err()))
                }
            }
        }
    }
    eprintln!("{compared} answers compared");
    assert!(different.is_empty(), "{}", different.join("\n"));
    assert!(compared > 300, "only {compared} answers");
}
