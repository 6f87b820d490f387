//! The scheduler against a poison analysis, over a real demo warehouse: a refresh that always fails backs
//! off and is paused after five failures in a row with the reason on the analysis; a run that took its
//! process down (its claim's lease ran out) counts as a failure, so a crash loop ends in a pause too; saving
//! the schedule again resumes it.

use chrono::{DateTime, Duration, Utc};
use inda_app::scheduler::{RETRY, next_refresh, parse_schedule};
use inda_app::{App, DataDir, DemoOptions, SaveRequest};
use inda_core::{ErrorCode, Session};
use inda_store::{FailureKind, SavedAnalysis};
use inda_warehouse::Cancel;

/// Fails in the engine at run time, not in the guard.
const FAILS: &str = "SELECT CAST(channel AS INT) AS broken FROM marts.fct_messages";
const EVERY_5_MIN: &str = "*/5 * * * *";

struct Setup {
    _dir: tempfile::TempDir,
    app: App,
    session: Session,
    rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(dir.path())).unwrap();
    let opts = DemoOptions {
        scale: 0.05,
        seed: 42,
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        tenants: Some(vec!["acme_corp".into()]),
    };
    app.demo_init(&opts, &|_| {}).unwrap();
    let token = app
        .mint_token(&inda_auth::MintRequest {
            tenant_id: "acme_corp".into(),
            user_id: "maria@acme.example".into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![],
            ttl_seconds: 3600,
        })
        .unwrap();
    let session = app.identity(Some(&token)).unwrap();
    Setup { _dir: dir, app, session, rt: tokio::runtime::Runtime::new().unwrap() }
}

impl Setup {
    fn save(&self, name: &str, sql: &str) -> SavedAnalysis {
        let req = SaveRequest {
            name: name.into(),
            sql: Some(sql.into()),
            schedule: Some(EVERY_5_MIN.into()),
            ..SaveRequest::default()
        };
        self.rt.block_on(self.app.save_analysis(&self.session, &req)).unwrap()
    }

    fn get(&self, id: &str) -> SavedAnalysis {
        self.app.get_analysis(&self.session, id).unwrap()
    }

    fn run_due(&self, now: DateTime<Utc>) -> inda_app::SchedulerReport {
        self.rt.block_on(self.app.run_due(now, &Cancel::new())).unwrap()
    }
}

fn at(stamp: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(stamp).unwrap().with_timezone(&Utc)
}

fn next_due(a: &SavedAnalysis) -> DateTime<Utc> {
    at(a.next_refresh_at.as_deref().expect("a next refresh"))
}

#[test]
fn a_failing_analysis_backs_off_and_is_paused_after_five_failures() {
    let s = setup();
    let a = s.save("broken", FAILS);
    let (_, schedule) = parse_schedule(EVERY_5_MIN).unwrap();
    let mut due = next_due(&a);
    for n in 1..=4u32 {
        // Not a moment before it is due.
        assert_eq!(s.run_due(due - Duration::seconds(1)).ran, 0, "failure {n}");
        let report = s.run_due(due);
        assert_eq!((report.ran, report.failed, report.paused), (1, 1, 0), "failure {n}: {report:?}");
        assert_eq!(report.runs[0].failures, Some(n));
        let a = s.get(&a.id);
        let health = &a.refresh_health;
        assert_eq!(health.refresh_failures, n);
        let last = health.last_failure.as_ref().unwrap();
        assert_eq!((last.kind, last.code), (FailureKind::Error, ErrorCode::Engine), "{last:?}");
        assert!(health.schedule_paused.is_none());
        // The later of the next slot and the backoff (1, 2, 4, 8 minutes).
        let backoff = Duration::from_std(RETRY.backoff(n)).unwrap();
        let expected = next_refresh(&schedule, due).unwrap().max(due + backoff);
        assert_eq!(next_due(&a), expected, "failure {n}");
        due = expected;
    }
    let report = s.run_due(due);
    assert_eq!((report.ran, report.failed, report.paused), (1, 1, 1), "{report:?}");
    let a = s.get(&a.id);
    let pause = a.refresh_health.schedule_paused.as_ref().expect("paused");
    assert!(pause.reason.contains("5 scheduled refreshes failed in a row"), "{}", pause.reason);
    let last = a.refresh_health.last_failure.as_ref().unwrap();
    let said: String = last.message.chars().take(40).collect();
    assert!(pause.reason.contains(&said), "the engine's reason in {:?}", pause.reason);
    assert_eq!(a.next_refresh_at, None);
    // The owner sees it wherever analyses are listed.
    let listed = s.app.list_analyses(&s.session).unwrap();
    let json = serde_json::to_value(&listed).unwrap();
    assert_eq!(json[0]["schedule_paused"]["reason"], pause.reason.as_str(), "{json}");
    assert_eq!(json[0]["refresh_failures"], 5, "{json}");

    let audit = s.app.store().unwrap().audit_list("acme_corp", "maria@acme.example", 100).unwrap();
    assert!(audit.iter().any(|e| e.action == "schedule" && e.outcome == "paused"), "{audit:?}");
    // Paused for good: a month later nothing runs it, and its history shows the five failures.
    assert_eq!(s.run_due(due + Duration::days(30)).ran, 0);
    let runs = s.app.store().unwrap().executions_list("acme_corp", "maria@acme.example", &a.id).unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "error").count(), 5);

    // Saving the schedule again resumes it, with a clean slate.
    let resumed = s.app.schedule_analysis(&s.session, &a.id, Some(EVERY_5_MIN)).unwrap();
    assert_eq!(resumed.refresh_health, Default::default());
    assert_eq!(s.run_due(next_due(&resumed)).ran, 1);
}

#[test]
fn a_run_that_never_finished_counts_as_a_failure_and_a_crash_loop_ends_paused() {
    let s = setup();
    let a = s.save("crashes its process", FAILS);
    let store = s.app.store().unwrap();
    let mut now = next_due(&a);
    for n in 1..=5u32 {
        // A scheduler claims the analysis and its process dies mid-run: nothing settles the claim.
        let due = store.scheduler_due(now).unwrap();
        assert_eq!(due.len(), 1, "crash {n}");
        let lease = now + Duration::minutes(3);
        store.scheduler_claim(&due[0], now, lease).unwrap().unwrap();
        // While the lease runs, the next scheduler leaves it alone.
        let report = s.run_due(now + Duration::minutes(1));
        assert_eq!((report.ran, report.interrupted), (0, 0), "{report:?}");

        // After it, the dead run is counted, and the analysis is not run again at once.
        let after = lease + Duration::seconds(1);
        let report = s.run_due(after);
        assert_eq!((report.interrupted, report.ran), (1, 0), "crash {n}: {report:?}");
        assert_eq!(report.runs[0].failures, Some(n));
        let a = s.get(&a.id);
        let last = a.refresh_health.last_failure.as_ref().unwrap();
        assert_eq!((a.refresh_health.refresh_failures, last.kind), (n, FailureKind::Interrupted));
        if n < 5 {
            assert!(a.refresh_health.schedule_paused.is_none());
            assert!(next_due(&a) >= after + Duration::from_std(RETRY.backoff(n)).unwrap());
            now = next_due(&a);
        } else {
            assert_eq!(report.paused, 1);
            let pause = a.refresh_health.schedule_paused.as_ref().expect("paused");
            assert!(pause.reason.contains("never finished"), "{}", pause.reason);
            assert!(store.scheduler_due(after + Duration::days(30)).unwrap().is_empty());
        }
    }
    // Every dead run's execution is closed, none left `running`; the owner's audit log has each, and the
    // pause.
    let runs = store.executions_list("acme_corp", "maria@acme.example", &a.id).unwrap();
    assert_eq!((runs.len(), runs.iter().all(|r| r.status == "error")), (5, true), "{runs:?}");
    let audit = store.audit_list("acme_corp", "maria@acme.example", 100).unwrap();
    let count = |action: &str, outcome: &str| {
        audit
            .iter()
            .filter(|e| e.action == action && e.outcome == outcome && e.details["analysis_id"] == a.id)
            .count()
    };
    assert_eq!((count("run", "interrupted"), count("schedule", "paused")), (5, 1));
}

#[test]
fn a_success_ends_a_run_of_failures() {
    let s = setup();
    let a = s.save("fine", "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1");
    let store = s.app.store().unwrap();
    // One crash, then a good run.
    let now = next_due(&a);
    let due = store.scheduler_due(now).unwrap();
    store.scheduler_claim(&due[0], now, now + Duration::minutes(3)).unwrap().unwrap();
    let report = s.run_due(now + Duration::minutes(4));
    assert_eq!(report.interrupted, 1);
    assert_eq!(s.get(&a.id).refresh_health.refresh_failures, 1);
    let report = s.run_due(next_due(&s.get(&a.id)));
    assert_eq!((report.ran, report.ok), (1, 1), "{report:?}");
    assert_eq!(s.get(&a.id).refresh_health, Default::default());
}
