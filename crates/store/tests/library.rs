//! Saved analyses, executions, encrypted cached results and dashboards on a real SQLite file: round trips,
//! owner-only access (not-found for anyone else), a cache blob moved to another row or tenant failing to
//! decrypt, tampering and wrong keys caught, the key file's permissions, and the scheduler's claim.

use chrono::{Duration, Utc};
use inda_core::{ChartSpec, Column, ErrorCode, ResultSet, Value};
use inda_store::{CacheCipher, CacheKeySource, CachedResult, FileKeySource, NewAnalysis, Store, Trigger};
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
        .execution_succeed(tenant, user, &exec, r, &s.cipher, Some("table"), None, Trigger::Manual)
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
    let d = s.store.dashboard_create("acme_corp", "u1", "weekly").unwrap();
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
    let order: Vec<(&str, i64)> = tiles.iter().map(|t| (t.analysis_id.as_str(), t.position)).collect();
    assert_eq!(order, vec![(ids[0].as_str(), 1), (ids[2].as_str(), 2)]);
    // Deleting an analysis removes its tile.
    s.store.saved_delete("acme_corp", "u1", &ids[0]).unwrap();
    assert_eq!(s.store.dashboard_tiles("acme_corp", "u1", &d.id).unwrap().len(), 1);
    assert!(s.store.dashboard_list("globex", "u1").unwrap().is_empty());
}

#[test]
fn a_due_analysis_is_claimed_once_and_a_crashed_claim_expires() {
    let s = setup();
    let past = Utc::now() - Duration::minutes(5);
    let mut new = analysis("due");
    new.refresh_schedule = Some("0 */5 * * * *".into());
    new.next_refresh_at = Some(past);
    let a = s.store.saved_create("acme_corp", "u1", &new).unwrap();
    let now = Utc::now();
    let due = s.store.scheduler_due(now).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].tenant_id.as_str(), due[0].user_id.as_str()), ("acme_corp", "u1"));
    let lease = now + Duration::minutes(3);
    assert!(s.store.scheduler_claim(&due[0], now, lease).unwrap().is_some());
    assert!(s.store.scheduler_claim(&due[0], now, lease).unwrap().is_none());
    assert!(s.store.scheduler_due(now).unwrap().is_empty());
    // The claimer died: after the lease the analysis is due again.
    let later = lease + Duration::seconds(1);
    assert_eq!(s.store.scheduler_due(later).unwrap().len(), 1);
    let exec = s.store.scheduler_claim(&due[0], later, later + Duration::minutes(3)).unwrap().unwrap();
    let next = Utc::now() + Duration::minutes(5);
    s.store
        .execution_succeed(
            "acme_corp",
            "u1",
            &exec,
            &result(1),
            &s.cipher,
            None,
            Some(next),
            Trigger::Scheduled,
        )
        .unwrap();
    assert!(s.store.scheduler_due(later).unwrap().is_empty());
    let a = s.store.saved_get("acme_corp", "u1", &a.id).unwrap();
    assert_eq!(a.next_refresh_at, Some(inda_store::timestamp(next)));
    drop(s.dir);
}
