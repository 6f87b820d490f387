//! Saved analyses, executions, encrypted cached results and dashboards on a real SQLite file: round trips,
//! owner-only access (not-found for anyone else), a cache blob moved to another row or tenant failing to
//! decrypt, tampering and wrong keys caught, the key file's permissions, and the scheduler's claim with its
//! memory of failures (backoff, pause, resume, an expired lease counted as a failure).

use chrono::{DateTime, Duration, Utc};
use inda_core::{ChartSpec, Column, Error, ErrorCode, ResultSet, Value};
use inda_store::{
    CacheCipher, CacheKeySource, CachedResult, Failure, FailureKind, FileKeySource, NewAnalysis, RetryPolicy,
    Store, Trigger, timestamp,
};
use rusqlite::{Connection, params};

struct Setup {
    dir: tempfile::TempDir,
    path: std::path::PathBuf,
    store: Store,
    cipher: CacheCipher,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = Store::open(&path).unwrap();
    let cipher = CacheCipher::new(&FileKeySource::in_data_dir(dir.path())).unwrap();
    Setup { dir, path, store, cipher }
}

fn analysis(name: &str) -> NewAnalysis {
    NewAnalysis {
        name: name.into(),
        generated_sql: "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1".into(),
        ..NewAnalysis::default()
    }
}

fn result(rows: usize) -> CachedResult {
    let d = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    CachedResult {
        result: ResultSet {
            columns: vec![
                Column::new("channel", "VARCHAR"),
                Column::new("n", "BIGINT"),
                Column::new("amount", "DECIMAL(12,2)"),
                Column::new("day", "DATE"),
                Column::new("at", "TIMESTAMP"),
                Column::new("rate", "DOUBLE"),
            ],
            rows: (0..rows)
                .map(|i| {
                    vec![
                        Value::Text(format!("channel {i}")),
                        Value::Int(i as i64),
                        Value::Decimal { units: 123_456 + i as i128, scale: 2 },
                        Value::Date(d),
                        Value::Timestamp(d.and_hms_opt(8, 30, 0).unwrap()),
                        if i % 7 == 0 { Value::Null } else { Value::Float(i as f64 / 3.0) },
                    ]
                })
                .collect(),
            truncated: false,
        },
        chart: ChartSpec::table(),
        sql: "SELECT ... WHERE tenant_id = 'acme_corp'".into(),
        as_of: "2026-11-20T08:00:00.000Z".into(),
    }
}

/// Runs `id` for its owner and caches `r`.
fn cache(s: &Setup, tenant: &str, user: &str, id: &str, r: &CachedResult) {
    let exec = s.store.execution_start(tenant, user, id, Trigger::Manual).unwrap();
    s.store
        .execution_succeed(
            tenant,
            user,
            &exec,
            r,
            &s.cipher,
            Some(inda_core::ChartKind::Table),
            None,
            Trigger::Manual,
        )
        .unwrap();
}

#[test]
fn saved_analyses_round_trip_and_belong_to_their_owner() {
    let s = setup();
    let a = s.store.saved_create("acme_corp", "u1", &analysis("by channel")).unwrap();
    assert_eq!(s.store.saved_get("acme_corp", "u1", &a.id).unwrap().name, "by channel");
    assert!(a.is_active);
    for (t, u) in [("globex", "u1"), ("acme_corp", "u2")] {
        assert_eq!(s.store.saved_get(t, u, &a.id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(s.store.saved_delete(t, u, &a.id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(
            s.store.saved_set_schedule(t, u, &a.id, None, None).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(
            s.store.execution_start(t, u, &a.id, Trigger::Manual).unwrap_err().code,
            ErrorCode::NotFound
        );
        assert_eq!(s.store.cache_get(t, u, &a.id, &s.cipher).unwrap_err().code, ErrorCode::NotFound);
        assert!(s.store.saved_list(t, u).unwrap().is_empty());
    }
    let next = Utc::now() + Duration::hours(1);
    let a = s.store.saved_set_schedule("acme_corp", "u1", &a.id, Some("0 0 8 * * 1"), Some(next)).unwrap();
    assert_eq!(a.refresh_schedule.as_deref(), Some("0 0 8 * * 1"));
    assert!(a.next_refresh_at.is_some());
    s.store.saved_delete("acme_corp", "u1", &a.id).unwrap();
    assert!(s.store.saved_list("acme_corp", "u1").unwrap().is_empty());
}

#[test]
fn cached_results_read_back_exactly_and_are_encrypted() {
    let s = setup();
    let a = s.store.saved_create("acme_corp", "u1", &analysis("a")).unwrap();
    assert_eq!(s.store.cache_get("acme_corp", "u1", &a.id, &s.cipher).unwrap(), None);
    let r = result(50);
    cache(&s, "acme_corp", "u1", &a.id, &r);
    assert_eq!(s.store.cache_get("acme_corp", "u1", &a.id, &s.cipher).unwrap(), Some(r));
    // Nothing of the result is readable in the file.
    let raw = Connection::open(&s.path).unwrap();
    let blob: Vec<u8> = raw.query_row("SELECT blob FROM cached_results", [], |r| r.get(0)).unwrap();
    assert!(!String::from_utf8_lossy(&blob).contains("channel 1"));
    let runs = s.store.executions_list("acme_corp", "u1", &a.id).unwrap();
    assert_eq!((runs.len(), runs[0].status.as_str(), runs[0].rows), (1, "ok", Some(50)));
    assert!(s.store.saved_get("acme_corp", "u1", &a.id).unwrap().last_refresh_at.is_some());
}

#[test]
fn a_blob_copied_to_another_row_or_tenant_does_not_decrypt() {
    let s = setup();
    let mine = s.store.saved_create("acme_corp", "u1", &analysis("mine")).unwrap();
    let other = s.store.saved_create("acme_corp", "u1", &analysis("other")).unwrap();
    let theirs = s.store.saved_create("globex", "u9", &analysis("theirs")).unwrap();
    cache(&s, "acme_corp", "u1", &mine.id, &result(5));
    cache(&s, "acme_corp", "u1", &other.id, &result(1));
    cache(&s, "globex", "u9", &theirs.id, &result(1));
    let raw = Connection::open(&s.path).unwrap();
    let copy = |from: &str, to: &str| {
        raw.execute(
            "UPDATE cached_results SET blob = (SELECT blob FROM cached_results WHERE analysis_id = ?1) WHERE analysis_id = ?2",
            params![from, to],
        )
        .unwrap();
    };
    copy(&mine.id, &theirs.id);
    let err = s.store.cache_get("globex", "u9", &theirs.id, &s.cipher).unwrap_err();
    assert!(err.message.contains("cannot be decrypted"), "{err:?}");
    copy(&mine.id, &other.id);
    assert!(s.store.cache_get("acme_corp", "u1", &other.id, &s.cipher).is_err());
    // The original still reads.
    assert_eq!(
        s.store.cache_get("acme_corp", "u1", &mine.id, &s.cipher).unwrap().unwrap().result.rows.len(),
        5
    );
}

#[test]
fn tampering_and_a_wrong_key_are_errors_not_garbage() {
    let s = setup();
    let a = s.store.saved_create("acme_corp", "u1", &analysis("a")).unwrap();
    cache(&s, "acme_corp", "u1", &a.id, &result(3));
    let other_dir = tempfile::tempdir().unwrap();
    let wrong = CacheCipher::new(&FileKeySource::in_data_dir(other_dir.path())).unwrap();
    assert!(s.store.cache_get("acme_corp", "u1", &a.id, &wrong).is_err());
    let raw = Connection::open(&s.path).unwrap();
    let mut blob: Vec<u8> = raw.query_row("SELECT blob FROM cached_results", [], |r| r.get(0)).unwrap();
    let mid = blob.len() / 2;
    blob[mid] ^= 1;
    raw.execute("UPDATE cached_results SET blob = ?1", params![blob]).unwrap();
    assert!(s.store.cache_get("acme_corp", "u1", &a.id, &s.cipher).is_err());
    // Direct: a truncated blob, and another owner's associated data.
    let sealed = s.cipher.encrypt("t", "u", "a", b"hello").unwrap();
    assert_eq!(s.cipher.decrypt("t", "u", "a", &sealed).unwrap(), b"hello");
    assert!(s.cipher.decrypt("t", "u2", "a", &sealed).is_err());
    assert!(s.cipher.decrypt("t", "u", "a", &sealed[..10]).is_err());
}

#[test]
fn the_key_file_is_32_bytes_owner_only_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let source = FileKeySource::in_data_dir(dir.path());
    let k1 = source.key().unwrap();
    let k2 = FileKeySource::in_data_dir(dir.path()).key().unwrap();
    assert_eq!(k1.expose(), k2.expose());
    assert_eq!(std::fs::read(source.path()).unwrap().len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(source.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    std::fs::write(source.path(), b"short").unwrap();
    let err = source.key().unwrap_err();
    assert!(err.message.contains("damaged"), "{err:?}");
}

#[test]
fn a_failed_refresh_keeps_the_previous_result() {
    let s = setup();
    let a = s.store.saved_create("acme_corp", "u1", &analysis("a")).unwrap();
    let first = result(4);
    cache(&s, "acme_corp", "u1", &a.id, &first);
    let exec = s.store.execution_start("acme_corp", "u1", &a.id, Trigger::Manual).unwrap();
    s.store.execution_fail("acme_corp", "u1", &exec, "division by zero", None, Trigger::Manual).unwrap();
    assert_eq!(s.store.cache_get("acme_corp", "u1", &a.id, &s.cipher).unwrap(), Some(first));
    let runs = s.store.executions_list("acme_corp", "u1", &a.id).unwrap();
    assert_eq!(runs.iter().filter(|r| r.status == "error").count(), 1);
    assert_eq!(runs.iter().find(|r| r.status == "error").unwrap().error.as_deref(), Some("division by zero"));
}

#[test]
fn dashboards_keep_tile_order_and_accept_only_own_analyses() {
    let s = setup();
    let ids: Vec<String> = (0..3)
        .map(|i| s.store.saved_create("acme_corp", "u1", &analysis(&format!("a{i}"))).unwrap().id)
        .collect();
    let foreign = s.store.saved_create("globex", "u1", &analysis("x")).unwrap();
    let d = s.store.dashboard_create("acme_corp", "u1", "weekly", None).unwrap();
    for id in &ids {
        s.store.dashboard_add("acme_corp", "u1", &d.id, id).unwrap();
    }
    assert_eq!(s.store.dashboard_add("acme_corp", "u1", &d.id, &ids[0]).unwrap_err().code, ErrorCode::Usage);
    assert_eq!(
        s.store.dashboard_add("acme_corp", "u1", &d.id, &foreign.id).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        s.store.dashboard_add("globex", "u1", &d.id, &foreign.id).unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(s.store.dashboard_tiles("acme_corp", "u2", &d.id).unwrap_err().code, ErrorCode::NotFound);
    let tiles = s.store.dashboard_remove("acme_corp", "u1", &d.id, &ids[1]).unwrap();
    let order: Vec<(&str, i64)> = tiles.iter().map(|t| (t.id.as_str(), t.position)).collect();
    assert_eq!(order, vec![(ids[0].as_str(), 1), (ids[2].as_str(), 2)]);
    // Deleting an analysis removes its tile.
    s.store.saved_delete("acme_corp", "u1", &ids[0]).unwrap();
    assert_eq!(s.store.dashboard_tiles("acme_corp", "u1", &d.id).unwrap().len(), 1);
    assert!(s.store.dashboard_list("globex", "u1").unwrap().is_empty());
}

const POLICY: RetryPolicy = RetryPolicy {
    first_backoff: std::time::Duration::from_secs(60),
    max_backoff: std::time::Duration::from_secs(6 * 3600),
    pause_after: 5,
};

/// A scheduled analysis of acme_corp/u1, due at `due_at`.
fn scheduled(s: &Setup, due_at: DateTime<Utc>) -> String {
    let mut new = analysis("due");
    new.refresh_schedule = Some("0 */5 * * * *".into());
    new.next_refresh_at = Some(due_at);
    s.store.saved_create("acme_corp", "u1", &new).unwrap().id
}

fn due_at(s: &Setup, id: &str) -> Option<DateTime<Utc>> {
    let a = s.store.saved_get("acme_corp", "u1", id).unwrap();
    a.next_refresh_at.map(|t| DateTime::parse_from_rfc3339(&t).unwrap().with_timezone(&Utc))
}

#[test]
fn a_schedule_with_no_further_time_is_not_due_again_after_its_last_run() {
    let s = setup();
    let now = Utc::now();
    let id = scheduled(&s, now - Duration::minutes(1));
    let due = s.store.scheduler_due(now).unwrap();
    let claim = s.store.scheduler_claim(&due[0], now, now + Duration::minutes(3)).unwrap().unwrap();
    // The schedule has no time after this run (a cron naming a past year): no next slot.
    let exec = claim.execution_id.as_deref().unwrap();
    s.store
        .execution_succeed("acme_corp", "u1", exec, &result(1), &s.cipher, None, None, Trigger::Scheduled)
        .unwrap();
    assert_eq!(due_at(&s, &id), None);
    assert!(s.store.scheduler_due(now + Duration::days(1)).unwrap().is_empty(), "it ran for the last time");
}

#[test]
fn a_due_analysis_is_claimed_once_and_an_expired_claim_is_a_failure() {
    let s = setup();
    let now = Utc::now();
    let id = scheduled(&s, now - Duration::minutes(5));
    let due = s.store.scheduler_due(now).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].tenant_id.as_str(), due[0].user_id.as_str()), ("acme_corp", "u1"));
    let lease = now + Duration::minutes(3);
    let claim = s.store.scheduler_claim(&due[0], now, lease).unwrap().unwrap();
    assert!(s.store.scheduler_claim(&due[0], now, lease).unwrap().is_none());
    assert!(s.store.scheduler_due(now).unwrap().is_empty());
    assert!(s.store.scheduler_expired(now).unwrap().is_empty(), "a live claim has not expired");

    // The claimer died mid-run. After the lease the analysis is not simply due again: the expired claim is
    // found, and it is a failure to count before anything runs it again.
    let later = lease + Duration::seconds(1);
    assert!(s.store.scheduler_due(later).unwrap().is_empty());
    let expired = s.store.scheduler_expired(later).unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].execution_id, claim.execution_id);
    assert_eq!(expired[0].refresh_schedule.as_deref(), Some("0 */5 * * * *"));
    let record =
        s.store.scheduler_fail(&expired[0], &Failure::interrupted(), None, later, &POLICY).unwrap().unwrap();
    assert_eq!((record.failures, record.paused.as_deref()), (1, None));
    assert_eq!(record.next_refresh_at, Some(timestamp(later + Duration::minutes(1))));
    // Counted once, however many schedulers saw it expire.
    assert_eq!(
        s.store.scheduler_fail(&expired[0], &Failure::interrupted(), None, later, &POLICY).unwrap(),
        None
    );
    assert!(s.store.scheduler_expired(later).unwrap().is_empty());
    let a = s.store.saved_get("acme_corp", "u1", &id).unwrap();
    let last = a.refresh_health.last_failure.unwrap();
    assert_eq!(
        (a.refresh_health.refresh_failures, last.kind, last.code),
        (1, FailureKind::Interrupted, ErrorCode::Internal)
    );
    assert!(last.message.contains("never finished"), "{}", last.message);
    let runs = s.store.executions_list("acme_corp", "u1", &id).unwrap();
    assert_eq!((runs.len(), runs[0].status.as_str()), (1, "error"), "the dead run's execution is closed");
    assert!(s.store.scheduler_due(later).unwrap().is_empty(), "it backs off");

    // A success clears the failures and takes the schedule's next slot.
    let retry = later + Duration::minutes(1);
    let due = s.store.scheduler_due(retry).unwrap();
    assert_eq!(due.len(), 1);
    let claim = s.store.scheduler_claim(&due[0], retry, retry + Duration::minutes(3)).unwrap().unwrap();
    let next = Utc::now() + Duration::minutes(5);
    s.store
        .execution_succeed(
            "acme_corp",
            "u1",
            claim.execution_id.as_deref().unwrap(),
            &result(1),
            &s.cipher,
            None,
            Some(next),
            Trigger::Scheduled,
        )
        .unwrap();
    assert!(s.store.scheduler_due(retry).unwrap().is_empty());
    assert!(
        s.store.scheduler_expired(retry + Duration::hours(1)).unwrap().is_empty(),
        "the claim is released"
    );
    let a = s.store.saved_get("acme_corp", "u1", &id).unwrap();
    assert_eq!(a.next_refresh_at, Some(timestamp(next)));
    assert_eq!(a.refresh_health, Default::default());
    drop(s.dir);
}

#[test]
fn failures_back_off_then_pause_the_schedule_until_it_is_saved_again() {
    let s = setup();
    let mut now = Utc::now();
    let id = scheduled(&s, now - Duration::minutes(1));
    let boom = Failure::error(&Error::engine("Resources exhausted: the query needs more than 2 GiB"));
    // With the next slot 3 minutes after each failure: the slot wins over 1 and 2 minutes, the backoff
    // wins from the third failure (4, then 8 minutes).
    for (n, wait) in [(1, 3), (2, 3), (3, 4), (4, 8)] {
        let due = s.store.scheduler_due(now).unwrap();
        assert_eq!(due.len(), 1, "failure {n}");
        let claim = s.store.scheduler_claim(&due[0], now, now + Duration::minutes(3)).unwrap().unwrap();
        let exec = claim.execution_id.clone().unwrap();
        s.store.execution_fail("acme_corp", "u1", &exec, &boom.message, None, Trigger::Scheduled).unwrap();
        // The failed run keeps its claim until the scheduler has counted the failure.
        assert!(s.store.scheduler_due(now + Duration::hours(1)).unwrap().is_empty());
        let slot = now + Duration::minutes(3);
        let record = s.store.scheduler_fail(&claim, &boom, Some(slot), now, &POLICY).unwrap().unwrap();
        assert_eq!(record.failures, n);
        assert_eq!(record.paused, None);
        assert_eq!(record.next_refresh_at, Some(timestamp(now + Duration::minutes(wait))), "failure {n}");
        assert!(
            s.store.scheduler_due(now + Duration::minutes(wait) - Duration::seconds(1)).unwrap().is_empty()
        );
        now += Duration::minutes(wait);
    }
    let due = s.store.scheduler_due(now).unwrap();
    let claim = s.store.scheduler_claim(&due[0], now, now + Duration::minutes(3)).unwrap().unwrap();
    let record = s.store.scheduler_fail(&claim, &boom, Some(now), now, &POLICY).unwrap().unwrap();
    assert_eq!((record.failures, record.next_refresh_at.as_deref()), (5, None));
    let reason = record.paused.unwrap();
    assert!(reason.contains("5 scheduled refreshes failed in a row") && reason.contains("2 GiB"), "{reason}");

    // Paused: never due again, and its owner sees why.
    assert!(s.store.scheduler_due(now + Duration::days(30)).unwrap().is_empty());
    let a = s.store.saved_get("acme_corp", "u1", &id).unwrap();
    let health = &a.refresh_health;
    assert_eq!(health.refresh_failures, 5);
    assert_eq!(health.schedule_paused.as_ref().map(|p| p.reason.as_str()), Some(reason.as_str()));
    let last = health.last_failure.as_ref().unwrap();
    assert_eq!((last.kind, last.code), (FailureKind::Error, ErrorCode::Engine));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["refresh_failures"], 5, "{json}");
    assert_eq!(json["schedule_paused"]["reason"], reason.as_str(), "{json}");
    assert_eq!(json["last_failure"]["code"], "engine", "{json}");
    assert_eq!(s.store.saved_list("acme_corp", "u1").unwrap()[0].refresh_health, *health);
    assert_eq!(due_at(&s, &id), None);

    // Saving the schedule again resumes it with a clean slate.
    let next = now + Duration::minutes(5);
    let a = s.store.saved_set_schedule("acme_corp", "u1", &id, Some("0 */5 * * * *"), Some(next)).unwrap();
    assert_eq!(a.refresh_health, Default::default());
    assert_eq!(s.store.scheduler_due(next).unwrap().len(), 1);
}

#[test]
fn a_failure_after_a_success_starts_counting_again_and_backoff_is_capped() {
    let s = setup();
    let now = Utc::now();
    let id = scheduled(&s, now - Duration::minutes(1));
    let fail = |at: DateTime<Utc>| {
        let due = s.store.scheduler_due(at).unwrap();
        let claim = s.store.scheduler_claim(&due[0], at, at + Duration::minutes(3)).unwrap().unwrap();
        let failure = Failure::error(&Error::guard("the function `nope` is not allowed"));
        s.store.scheduler_fail(&claim, &failure, None, at, &POLICY).unwrap().unwrap()
    };
    assert_eq!(fail(now).failures, 1);
    let at = now + Duration::minutes(1);
    assert_eq!(fail(at).failures, 2);
    let at = at + Duration::minutes(2);
    let due = s.store.scheduler_due(at).unwrap();
    let claim = s.store.scheduler_claim(&due[0], at, at + Duration::minutes(3)).unwrap().unwrap();
    let exec = claim.execution_id.as_deref().unwrap();
    s.store
        .execution_succeed("acme_corp", "u1", exec, &result(1), &s.cipher, None, Some(at), Trigger::Scheduled)
        .unwrap();
    assert_eq!(s.store.saved_get("acme_corp", "u1", &id).unwrap().refresh_health.refresh_failures, 0);
    let record = fail(at);
    assert_eq!((record.failures, record.next_refresh_at), (1, Some(timestamp(at + Duration::minutes(1)))));

    assert_eq!(POLICY.backoff(1), std::time::Duration::from_secs(60));
    assert_eq!(POLICY.backoff(4), std::time::Duration::from_secs(8 * 60));
    assert_eq!(POLICY.backoff(9), std::time::Duration::from_secs(256 * 60));
    assert_eq!(POLICY.backoff(10), std::time::Duration::from_secs(6 * 3600));
    assert_eq!(POLICY.backoff(u32::MAX), std::time::Duration::from_secs(6 * 3600));
}

#[test]
fn a_cancelled_run_is_released_without_counting() {
    let s = setup();
    let now = Utc::now();
    let id = scheduled(&s, now - Duration::minutes(1));
    let due = s.store.scheduler_due(now).unwrap();
    let claim = s.store.scheduler_claim(&due[0], now, now + Duration::minutes(3)).unwrap().unwrap();
    assert!(s.store.scheduler_release(&claim, "cancelled").unwrap());
    assert!(!s.store.scheduler_release(&claim, "cancelled").unwrap());
    assert_eq!(s.store.scheduler_due(now).unwrap().len(), 1, "still due");
    assert_eq!(s.store.saved_get("acme_corp", "u1", &id).unwrap().refresh_health.refresh_failures, 0);
    let runs = s.store.executions_list("acme_corp", "u1", &id).unwrap();
    assert_eq!((runs[0].status.as_str(), runs[0].error.as_deref()), ("error", Some("cancelled")));
}

/// An analysis or dashboard made with an admin's scope keeps it; one made with the owner's tenant alone (or
/// before scopes existed: NULL) reads that tenant, never more.
#[test]
fn saved_items_remember_their_scope() {
    let s = setup();
    let wide = inda_core::Scope::new(["globex", "acme_corp"]).unwrap();
    let new = NewAnalysis { scope: Some(wide.clone()), ..analysis("two companies") };
    let saved = s.store.saved_create("acme_corp", "u1", &new).unwrap();
    assert_eq!(saved.scope, wide);
    assert_eq!(s.store.saved_get("acme_corp", "u1", &saved.id).unwrap().scope, wide);
    let own = s.store.saved_create("acme_corp", "u1", &analysis("mine")).unwrap();
    assert_eq!(own.scope.tenants(), ["acme_corp"]);
    let d = s.store.dashboard_create("acme_corp", "u1", "clients", Some(&wide)).unwrap();
    assert_eq!(s.store.dashboard_get("acme_corp", "u1", &d.id).unwrap().scope, wide);
    let d = s.store.dashboard_create("acme_corp", "u1", "mine", None).unwrap();
    let listed = s.store.dashboard_list("acme_corp", "u1").unwrap();
    assert_eq!(listed.iter().find(|l| l.id == d.id).unwrap().scope.tenants(), ["acme_corp"]);
    assert_eq!(d.scope.tenants(), ["acme_corp"]);
    // A stored scope that does not parse is read as the owner's tenant alone, never wider.
    let db = Connection::open(&s.path).unwrap();
    db.execute("UPDATE saved_analyses SET scope = 'acme_corp,x y' WHERE analysis_id = ?1", [&saved.id])
        .unwrap();
    assert_eq!(s.store.saved_get("acme_corp", "u1", &saved.id).unwrap().scope.tenants(), ["acme_corp"]);
}
