//! Alerts on a real SQLite file: only their owner sees or changes them, the value seen at each run becomes
//! the next run's baseline (and noting one run twice changes nothing), a run's message is claimed once and
//! never for a paused alert, a claim whose sender stopped is settled as failed once its lease runs out, and
//! deleting the analysis deletes its alerts.

use chrono::{Duration, Utc};
use inda_core::ErrorCode;
use inda_store::{ConditionKind, DeliveryStatus, NewAlert, NewAnalysis, NewDelivery, Store};

fn setup() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.sqlite")).unwrap();
    let new =
        NewAnalysis { name: "revenue".into(), generated_sql: "SELECT 1".into(), ..NewAnalysis::default() };
    let a = store.saved_create("acme_corp", "u1", &new).unwrap();
    (dir, store, a.id)
}

fn above(analysis_id: &str, threshold: f64) -> NewAlert {
    NewAlert {
        analysis_id: analysis_id.into(),
        condition: ConditionKind::Above,
        threshold,
        column: Some("revenue".into()),
        row: None,
        baseline: Some(10.0),
    }
}

fn delivery(alert_id: &str, exec: &str, lease: Duration) -> NewDelivery {
    NewDelivery {
        alert_id: alert_id.into(),
        execution_id: exec.into(),
        value: 1500.0,
        previous: Some(10.0),
        message: "revenue is 1,500".into(),
        lease_until: Utc::now() + lease,
    }
}

#[test]
fn alerts_belong_to_the_owner_of_their_analysis() {
    let (_d, store, analysis) = setup();
    let alert = store.alert_create("acme_corp", "u1", &above(&analysis, 1000.0)).unwrap();
    assert_eq!((alert.condition, alert.threshold, alert.paused), (ConditionKind::Above, 1000.0, false));
    assert_eq!(alert.last_value, Some(10.0), "the baseline is the value at creation");
    for (t, u) in [("globex", "u1"), ("acme_corp", "u2")] {
        assert_eq!(store.alert_get(t, u, &alert.id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(store.alert_set_paused(t, u, &alert.id, true).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(store.alert_delete(t, u, &alert.id).unwrap_err().code, ErrorCode::NotFound);
        assert_eq!(store.alert_create(t, u, &above(&analysis, 1.0)).unwrap_err().code, ErrorCode::NotFound);
        assert!(store.alert_list(t, u, None).unwrap().is_empty());
        assert!(!store.alert_claim(t, u, &delivery(&alert.id, "e1", Duration::minutes(1))).unwrap());
        assert!(store.alert_events(t, u, None, 100).unwrap().is_empty());
    }
    let paused = store.alert_set_paused("acme_corp", "u1", &alert.id, true).unwrap();
    assert!(paused.paused && paused.paused_at.is_some());
    let again = store.alert_set_paused("acme_corp", "u1", &alert.id, true).unwrap();
    assert_eq!(again.paused_at, paused.paused_at, "pausing twice keeps the first pause");
    assert!(!store.alert_set_paused("acme_corp", "u1", &alert.id, false).unwrap().paused);
    assert_eq!(store.alert_list("acme_corp", "u1", Some(&analysis)).unwrap().len(), 1);
    assert!(store.alert_list("acme_corp", "u1", Some("other")).unwrap().is_empty());
    store.alert_delete("acme_corp", "u1", &alert.id).unwrap();
    assert_eq!(store.alert_get("acme_corp", "u1", &alert.id).unwrap_err().code, ErrorCode::NotFound);
}

#[test]
fn each_run_is_measured_against_the_run_before_it() {
    let (_d, store, analysis) = setup();
    let alert = store.alert_create("acme_corp", "u1", &above(&analysis, 1000.0)).unwrap();
    let observe = |exec: &str, v: f64| store.alert_observe("acme_corp", "u1", &alert.id, exec, v).unwrap();
    assert_eq!(observe("e1", 100.0), Some(10.0), "the first run is measured against the baseline");
    assert_eq!(observe("e1", 100.0), Some(10.0), "noting the same run again changes nothing");
    assert_eq!(observe("e2", 150.0), Some(100.0));
    assert_eq!(observe("e2", 150.0), Some(100.0));
    let seen = store.alert_get("acme_corp", "u1", &alert.id).unwrap();
    assert_eq!(seen.last_value, Some(150.0));
    assert!(seen.last_checked_at.is_some());
    assert!(store.alert_observe("globex", "u1", &alert.id, "e3", 1.0).is_err());
}

#[test]
fn a_runs_message_is_claimed_once_and_never_for_a_paused_alert() {
    let (_d, store, analysis) = setup();
    let alert = store.alert_create("acme_corp", "u1", &above(&analysis, 1000.0)).unwrap();
    assert!(store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e1", Duration::minutes(1))).unwrap());
    assert!(!store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e1", Duration::minutes(1))).unwrap());
    store.alert_attempted("acme_corp", "u1", &alert.id, "e1", 2).unwrap();
    let events = store.alert_events("acme_corp", "u1", None, 100).unwrap();
    assert_eq!((events.len(), events[0].status, events[0].attempts), (1, DeliveryStatus::Sending, 2));
    assert!(
        store.alert_delivered("acme_corp", "u1", &alert.id, "e1", DeliveryStatus::Sent, 3, None).unwrap()
    );
    assert!(
        !store
            .alert_delivered("acme_corp", "u1", &alert.id, "e1", DeliveryStatus::Failed, 4, Some("late"))
            .unwrap(),
        "a settled message stays as it was"
    );
    let e = &store.alert_events("acme_corp", "u1", None, 100).unwrap()[0];
    assert_eq!(
        (e.status, e.attempts, e.value, e.previous),
        (DeliveryStatus::Sent, 3, Some(1500.0), Some(10.0))
    );
    assert!(e.finished_at.is_some());
    assert!(store.alert_events("acme_corp", "u1", Some(&e.fired_at), 100).unwrap().is_empty());

    store.alert_set_paused("acme_corp", "u1", &alert.id, true).unwrap();
    assert!(!store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e2", Duration::minutes(1))).unwrap());
}

#[test]
fn a_claim_whose_sender_stopped_is_settled_as_failed_not_sent_again() {
    let (_d, store, analysis) = setup();
    let alert = store.alert_create("acme_corp", "u1", &above(&analysis, 1000.0)).unwrap();
    assert!(store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e1", Duration::seconds(-1))).unwrap());
    assert!(store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e2", Duration::hours(1))).unwrap());
    store.alert_attempted("acme_corp", "u1", &alert.id, "e1", 1).unwrap();
    let expired = store.alert_expired(Utc::now()).unwrap();
    assert_eq!(expired.len(), 1, "only the lease that ran out");
    assert_eq!((expired[0].execution_id.as_str(), expired[0].attempts), ("e1", 1));
    assert!(store.alert_interrupt(&expired[0], "interrupted").unwrap());
    assert!(!store.alert_interrupt(&expired[0], "interrupted").unwrap(), "settled once");
    assert!(store.alert_expired(Utc::now()).unwrap().is_empty());
    let events = store.alert_events("acme_corp", "u1", None, 100).unwrap();
    let e1 = events.iter().find(|e| e.execution_id == "e1").unwrap();
    assert_eq!((e1.status, e1.error.as_deref()), (DeliveryStatus::Failed, Some("interrupted")));
    // The stopped sender cannot settle it afterwards, and the claim stays: the run is never sent again.
    assert!(
        !store.alert_delivered("acme_corp", "u1", &alert.id, "e1", DeliveryStatus::Sent, 2, None).unwrap()
    );
    assert!(!store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e1", Duration::hours(1))).unwrap());
}

#[test]
fn deleting_the_analysis_deletes_its_alerts_and_their_ledger() {
    let (_d, store, analysis) = setup();
    let alert = store.alert_create("acme_corp", "u1", &above(&analysis, 1000.0)).unwrap();
    assert!(store.alert_claim("acme_corp", "u1", &delivery(&alert.id, "e1", Duration::minutes(1))).unwrap());
    store.saved_delete("acme_corp", "u1", &analysis).unwrap();
    assert!(store.alert_list("acme_corp", "u1", None).unwrap().is_empty());
    assert!(store.alert_events("acme_corp", "u1", None, 100).unwrap().is_empty());
}
