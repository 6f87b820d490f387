//! Alerts against a real local webhook (a thread per request, HTTP/1.1 over std sockets) after real
//! scheduled refreshes of a demo warehouse: a run that meets the condition sends one message, never two
//! however often it is checked; failing and slow webhooks are retried under the configured policy (short
//! waits here) and audited; paused alerts send nothing; a change is measured against the previous
//! successful refresh; a message whose sender stopped is settled as failed, not resent; nobody else sees or
//! triggers an alert; and the webhook URL appears in no audit entry, store file or debug print.
//!
//! The webhook URL lives in the OS keyring: run these in a D-Bus session (see `scripts/test.sh`).

use chrono::{DateTime, Duration, Utc};
use inda_app::{
    AlertDelivery, AlertRequest, AlertsConfig, App, ConditionKind, DataDir, DeliveryStatus, DemoOptions,
    RunStatus, SaveRequest, WebhookUrl,
};
use inda_core::{ErrorCode, Secret, Session};
use inda_store::SavedAnalysis;
use inda_warehouse::Cancel;
use serde_json::Value as J;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KPI: &str = "SELECT COUNT(*) AS messages FROM marts.fct_messages";
const EVERY_5_MIN: &str = "*/5 * * * *";
/// The secret part of every webhook URL here: it must show up nowhere but the request line.
const NEEDLE: &str = "T0NEEDLE/B0NEEDLE/hooksecret314";
const USER: &str = "maria@acme.example";

/// How the webhook answers one request.
#[derive(Clone, Copy)]
enum Reply {
    Status(u16),
    /// Answers 200 after this long.
    Slow(std::time::Duration),
}

/// A local webhook answering the n-th request with the n-th reply (the last one repeats).
struct Webhook {
    url: String,
    bodies: Arc<Mutex<Vec<J>>>,
}

impl Webhook {
    fn start(script: Vec<Reply>) -> Webhook {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/services/{NEEDLE}", listener.local_addr().unwrap());
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let log = bodies.clone();
        let count = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let reply = script[count.fetch_add(1, Ordering::SeqCst).min(script.len() - 1)];
                let log = log.clone();
                std::thread::spawn(move || answer(stream, reply, &log));
            }
        });
        Webhook { url, bodies }
    }

    fn received(&self) -> Vec<J> {
        self.bodies.lock().unwrap().clone()
    }
}

fn answer(mut stream: std::net::TcpStream, reply: Reply, log: &Mutex<Vec<J>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    log.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(J::Null));
    let status = match reply {
        Reply::Status(s) => s,
        Reply::Slow(d) => {
            std::thread::sleep(d);
            200
        }
    };
    let text = if status == 200 { "ok" } else { "no_service" };
    let out =
        format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}", text.len());
    let _ = stream.write_all(out.as_bytes());
}

struct Setup {
    dir: tempfile::TempDir,
    app: App,
    session: Session,
    rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(dir.path())).unwrap();
    demo(&app, 0.05);
    // The production policy's shape, with waits short enough for a test.
    app.config.alerts = AlertsConfig {
        attempts: Some(3),
        first_backoff: Some(std::time::Duration::from_millis(20)),
        timeout: Some(std::time::Duration::from_secs(2)),
    };
    let session = session(&mut app, "acme_corp", USER);
    Setup { dir, app, session, rt: tokio::runtime::Runtime::new().unwrap() }
}

fn demo(app: &App, scale: f64) {
    let opts = DemoOptions {
        scale,
        seed: 42,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(vec!["acme_corp".into()]),
    };
    app.demo_init(&opts, &|_| {}).unwrap();
}

fn session(app: &mut App, tenant: &str, user: &str) -> Session {
    let token = app
        .mint_token(&inda_auth::MintRequest {
            tenant_id: tenant.into(),
            user_id: user.into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![],
            ttl_seconds: 3600,
        })
        .unwrap();
    app.identity(Some(&token)).unwrap()
}

fn request(analysis_id: &str, condition: ConditionKind, threshold: f64, url: &str) -> AlertRequest {
    AlertRequest {
        analysis_id: analysis_id.into(),
        condition,
        threshold,
        column: None,
        row: None,
        webhook_url: WebhookUrl(Secret::new(url.into())),
    }
}

impl Setup {
    fn save(&self, req: SaveRequest) -> SavedAnalysis {
        let req = SaveRequest { schedule: Some(EVERY_5_MIN.into()), ..req };
        self.rt.block_on(self.app.save_analysis(&self.session, &req)).unwrap()
    }

    fn save_sql(&self, sql: &str) -> SavedAnalysis {
        self.save(SaveRequest { name: "Messages".into(), sql: Some(sql.into()), ..SaveRequest::default() })
    }

    /// One scheduler pass when the analysis is next due.
    fn pass(&self, id: &str) -> inda_app::SchedulerReport {
        let a = self.app.get_analysis(&self.session, id).unwrap();
        let due = at(a.next_refresh_at.as_deref().unwrap());
        self.rt.block_on(self.app.run_due(due, &Cancel::new())).unwrap()
    }

    /// A successful scheduled refresh of the analysis; the alerts it fired. (Another analysis of the test,
    /// saved across a five-minute boundary from this one, may be due at the same time and run in the same
    /// pass: this analysis's run is the one looked at.)
    fn refresh(&self, id: &str) -> Vec<AlertDelivery> {
        let report = self.pass(id);
        let run = report.runs.iter().find(|r| r.analysis_id == id);
        let run = run.unwrap_or_else(|| panic!("{id} did not run: {report:?}"));
        assert_eq!(run.status, RunStatus::Ok, "{report:?}");
        run.alerts.clone()
    }

    fn latest_run(&self, id: &str) -> String {
        self.app.execution_history(&self.session, id).unwrap()[0].id.clone()
    }

    fn audit(&self) -> Vec<inda_app::AuditRecord> {
        self.app.audit_log(&self.session, 200).unwrap()
    }
}

fn at(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp).unwrap().with_timezone(&Utc)
}

#[test]
fn a_run_that_meets_the_condition_sends_one_message_however_often_it_is_checked() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(200)]);
    let a = s.save_sql(KPI);
    let req = request(&a.id, ConditionKind::Above, 10.0, &hook.url);
    assert!(!format!("{req:?}").contains(NEEDLE), "the request's Debug redacts the URL");
    let alert = s.app.create_alert(&s.session, &req).unwrap();

    let fired = s.refresh(&a.id);
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!((fired[0].status, fired[0].attempts), (DeliveryStatus::Sent, 1));
    let exec = s.latest_run(&a.id);
    // The same run checked again (as the scheduler would after a crash): nothing more is sent.
    let again = s.rt.block_on(s.app.check_alerts(&s.session, &a.id, &exec)).unwrap();
    assert!(again.is_empty(), "{again:?}");
    let received = hook.received();
    assert_eq!(received.len(), 1);
    let body = &received[0];
    assert!(body["text"].as_str().unwrap().starts_with("Alert “Messages”: messages is "), "{body}");
    assert_eq!(body["alert"]["id"], alert.id.as_str());
    assert_eq!(body["alert"]["execution_id"], exec.as_str());
    assert_eq!(body["alert"]["condition"], "above");
    assert!(body["alert"]["value"].as_f64().unwrap() > 10.0);

    let events = s.app.alert_events(&s.session, None).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!((events[0].status, events[0].execution_id.as_str()), (DeliveryStatus::Sent, exec.as_str()));
    assert!(s.app.alert_events(&s.session, Some(&events[0].fired_at)).unwrap().is_empty());

    let audit = s.audit();
    let sent: Vec<_> = audit.iter().filter(|e| e.action == "alert").collect();
    assert_eq!(sent.len(), 1, "{audit:?}");
    let d = &sent[0].details;
    assert_eq!(
        (d["alert_id"].as_str(), d["execution_id"].as_str()),
        (Some(alert.id.as_str()), Some(exec.as_str()))
    );
    assert_eq!(
        (d["outcome"].as_str(), d["attempts"].as_u64(), sent[0].outcome.as_str()),
        (Some("sent"), Some(1), "ok")
    );
    // The URL is in the keyring only: not in the audit log, not in the store's files.
    assert!(!serde_json::to_string(&audit).unwrap().contains(NEEDLE));
    for file in std::fs::read_dir(s.dir.path()).unwrap().flatten() {
        if file.path().is_file() {
            let bytes = std::fs::read(file.path()).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains(NEEDLE), "{}", file.path().display());
        }
    }
}

#[test]
fn a_webhook_that_fails_twice_gets_three_tries_and_one_success() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(500), Reply::Status(503), Reply::Status(200)]);
    let a = s.save_sql(KPI);
    s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    let fired = s.refresh(&a.id);
    assert_eq!(
        (fired[0].status, fired[0].attempts, fired[0].error.as_deref()),
        (DeliveryStatus::Sent, 3, None)
    );
    assert_eq!(hook.received().len(), 3);
    let events = s.app.alert_events(&s.session, None).unwrap();
    assert_eq!((events.len(), events[0].attempts), (1, 3));
}

#[test]
fn a_webhook_that_always_fails_ends_failed_and_audited() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(500)]);
    let a = s.save_sql(KPI);
    let alert =
        s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    let fired = s.refresh(&a.id);
    assert_eq!((fired[0].status, fired[0].attempts), (DeliveryStatus::Failed, 3), "{fired:?}");
    let error = fired[0].error.as_deref().unwrap();
    assert!(error.contains("HTTP 500") && !error.contains(NEEDLE), "{error}");
    assert_eq!(hook.received().len(), 3);
    let e = &s.app.alert_events(&s.session, None).unwrap()[0];
    assert_eq!((e.status, e.attempts), (DeliveryStatus::Failed, 3));
    let audit = s.audit();
    let entry = audit.iter().find(|e| e.action == "alert").unwrap();
    assert_eq!(entry.outcome.as_str(), "error");
    assert_eq!(entry.details["outcome"], "failed");
    assert_eq!(entry.details["attempts"], 3);
    assert_eq!(entry.details["alert_id"], alert.id.as_str());
    // A refusal that will not pass (a deleted webhook's 404) is not retried.
    let gone = Webhook::start(vec![Reply::Status(404)]);
    let other = s.save_sql(KPI);
    s.app.create_alert(&s.session, &request(&other.id, ConditionKind::Above, 10.0, &gone.url)).unwrap();
    let fired = s.refresh(&other.id);
    assert_eq!((fired[0].status, fired[0].attempts), (DeliveryStatus::Failed, 1));
}

#[test]
fn a_slow_webhook_times_out_and_is_retried() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Slow(std::time::Duration::from_secs(10)), Reply::Status(200)]);
    let a = s.save_sql(KPI);
    s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    let started = std::time::Instant::now();
    let fired = s.refresh(&a.id);
    assert_eq!((fired[0].status, fired[0].attempts), (DeliveryStatus::Sent, 2), "{fired:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "the slow try was cut at its time limit");
    assert_eq!(hook.received().len(), 2);
}

#[test]
fn paused_alerts_send_nothing_until_resumed() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(200)]);
    let a = s.save_sql(KPI);
    let alert =
        s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    assert!(s.app.set_alert_paused(&s.session, &alert.id, true).unwrap().paused);
    assert!(s.refresh(&a.id).is_empty());
    assert!(s.app.alert_events(&s.session, None).unwrap().is_empty());
    assert!(hook.received().is_empty());
    // Paused, it still noted the value.
    assert!(s.app.get_alert(&s.session, &alert.id).unwrap().last_value.is_some());
    assert!(!s.app.set_alert_paused(&s.session, &alert.id, false).unwrap().paused);
    assert_eq!(s.refresh(&a.id).len(), 1);
    assert_eq!(hook.received().len(), 1);
}

#[test]
fn a_change_is_measured_against_the_previous_successful_refresh_in_the_questions_language() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(200)]);
    let a = s.save(SaveRequest {
        name: "Mensajes por canal".into(),
        question: Some("mensajes enviados por canal".into()),
        ..SaveRequest::default()
    });
    let mut req = request(&a.id, ConditionKind::ChangeEither, 5.0, &hook.url);
    req.row = Some("WhatsApp".into());
    let alert = s.app.create_alert(&s.session, &req).unwrap();
    assert_eq!(alert.last_value, None, "no result yet, no baseline");
    assert!(s.refresh(&a.id).is_empty(), "a first refresh has nothing to compare with");
    let first = s.app.get_alert(&s.session, &alert.id).unwrap().last_value.unwrap();
    assert!(s.refresh(&a.id).is_empty(), "the same data: no change");

    // The warehouse goes away for a refresh, which fails; back with twice the data, the change is measured
    // against the last successful refresh.
    std::fs::remove_dir_all(s.app.dir.warehouse()).unwrap();
    let report = s.pass(&a.id);
    assert_eq!((report.ran, report.failed), (1, 1), "{report:?}");
    demo(&s.app, 0.1);
    let fired = s.refresh(&a.id);
    let events = s.app.alert_events(&s.session, None).unwrap();
    let now = s.app.get_alert(&s.session, &alert.id).unwrap().last_value.unwrap();
    let change = (now - first) / first * 100.0;
    assert!(change.abs() >= 5.0, "twice the data: {first} → {now}");
    assert_eq!(fired.len(), 1, "{fired:?}");
    assert_eq!((events[0].previous, events[0].value), (Some(first), Some(now)));
    let text = hook.received()[0]["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("Alerta «Mensajes por canal»: "), "{text}");
    assert!(text.contains("(whatsapp)") || text.contains("(WhatsApp)"), "{text}");
    assert!(text.contains(" subió un ") || text.contains(" bajó un "), "{text}");
}

#[test]
fn a_message_whose_sender_stopped_is_settled_as_failed_not_resent() {
    let s = setup();
    let hook = Webhook::start(vec![Reply::Status(200)]);
    let a = s.save_sql(KPI);
    let alert =
        s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    s.refresh(&a.id);
    let exec = s.latest_run(&a.id);
    // Another run's message was claimed by a process that died mid-send, its lease now over.
    let store = s.app.store().unwrap();
    let crashed = inda_store::NewDelivery {
        alert_id: alert.id.clone(),
        execution_id: "run-of-a-dead-process".into(),
        value: 99.0,
        previous: None,
        message: "…".into(),
        lease_until: Utc::now() - Duration::seconds(1),
    };
    assert!(store.alert_claim("acme_corp", USER, &crashed).unwrap());
    let a = s.app.get_analysis(&s.session, &a.id).unwrap();
    let report =
        s.rt.block_on(s.app.run_due(at(a.next_refresh_at.as_deref().unwrap()), &Cancel::new())).unwrap();
    assert_eq!(report.alerts_interrupted, 1, "{report:?}");
    let events = s.app.alert_events(&s.session, None).unwrap();
    let dead = events.iter().find(|e| e.execution_id == "run-of-a-dead-process").unwrap();
    assert_eq!(dead.status, DeliveryStatus::Failed);
    assert!(dead.error.as_deref().unwrap().starts_with("interrupted"), "{dead:?}");
    let audit = s.audit();
    assert!(audit.iter().any(|e| e.action == "alert" && e.outcome == "interrupted"), "{audit:?}");
    // Two runs, two messages: the dead one was never sent, and the first run is not sent again.
    assert!(s.rt.block_on(s.app.check_alerts(&s.session, &a.id, &s.latest_run(&a.id))).unwrap().is_empty());
    assert_eq!(hook.received().len(), 2);
    assert_ne!(exec, s.latest_run(&a.id));
}

#[test]
fn nobody_else_sees_changes_tests_or_triggers_an_alert() {
    let mut s = setup();
    let hook = Webhook::start(vec![Reply::Status(200)]);
    let a = s.save_sql(KPI);
    let alert =
        s.app.create_alert(&s.session, &request(&a.id, ConditionKind::Above, 10.0, &hook.url)).unwrap();
    s.refresh(&a.id);
    let others =
        [session(&mut s.app, "acme_corp", "pedro@acme.example"), session(&mut s.app, "globex", USER)];
    for other in &others {
        let not_found = |e: inda_core::Error| assert_eq!(e.code, ErrorCode::NotFound, "{e:?}");
        not_found(s.app.get_alert(other, &alert.id).unwrap_err());
        not_found(s.app.set_alert_paused(other, &alert.id, true).unwrap_err());
        not_found(s.app.delete_alert(other, &alert.id).unwrap_err());
        not_found(s.rt.block_on(s.app.test_alert(other, &alert.id)).unwrap_err());
        not_found(
            s.app.create_alert(other, &request(&a.id, ConditionKind::Above, 1.0, &hook.url)).unwrap_err(),
        );
        let exec = s.latest_run(&a.id);
        not_found(s.rt.block_on(s.app.check_alerts(other, &a.id, &exec)).unwrap_err());
        assert!(s.app.list_alerts(other).unwrap().is_empty());
        assert!(s.app.alert_events(other, None).unwrap().is_empty());
    }
    assert_eq!(hook.received().len(), 1, "only the owner's refresh sent anything");

    // The owner's test message goes now, and says it is one; deleting the analysis deletes the alert.
    let test = s.rt.block_on(s.app.test_alert(&s.session, &alert.id)).unwrap();
    assert_eq!((test.status, test.execution_id.as_deref()), (DeliveryStatus::Sent, None));
    assert_eq!(hook.received()[1]["alert"]["test"], true);
    s.app.delete_analysis(&s.session, &a.id).unwrap();
    assert!(s.app.list_alerts(&s.session).unwrap().is_empty());
}

#[test]
fn bad_alerts_are_refused_before_anything_is_stored() {
    let s = setup();
    let a = s.save_sql(KPI);
    s.rt.block_on(s.app.run_analysis(&s.session, &a.id, &Cancel::new())).unwrap();
    let usage = |req: AlertRequest| {
        let e = s.app.create_alert(&s.session, &req).unwrap_err();
        assert_eq!(e.code, ErrorCode::Usage, "{e:?}");
        assert!(!e.message.contains(NEEDLE), "{}", e.message);
    };
    usage(request(&a.id, ConditionKind::ChangeUp, 0.0, "https://hooks.example/x"));
    usage(request(&a.id, ConditionKind::Above, 1.0, &format!("http://example.com/{NEEDLE}")));
    let mut wrong_column = request(&a.id, ConditionKind::Above, 1.0, "https://hooks.example/x");
    wrong_column.column = Some("revenue".into());
    usage(wrong_column);
    assert!(s.app.list_alerts(&s.session).unwrap().is_empty());
    // Over a cached result the value it holds is the first change's baseline.
    let alert = s
        .app
        .create_alert(&s.session, &request(&a.id, ConditionKind::ChangeUp, 10.0, "https://hooks.example/x"))
        .unwrap();
    assert!(alert.last_value.unwrap() > 0.0);
    s.app.delete_alert(&s.session, &alert.id).unwrap();
    assert_eq!(s.app.get_alert(&s.session, &alert.id).unwrap_err().code, ErrorCode::NotFound);
}
