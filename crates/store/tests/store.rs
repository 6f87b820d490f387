//! The local store on a real SQLite file: migrations, the audit chain (and that editing or deleting an entry
//! is caught), and conversations that only their owner can read.

use inda_store::{AuditEntry, Store};
use rusqlite::Connection;
use serde_json::json;

fn setup() -> (tempfile::TempDir, std::path::PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}

fn entry(tenant: &str, n: i64) -> AuditEntry {
    AuditEntry {
        tenant_id: tenant.into(),
        user_id: "u1".into(),
        action: "query".into(),
        outcome: "ok".into(),
        details: json!({"sql": format!("SELECT {n}"), "rows": n}),
    }
}

#[test]
fn migrations_are_applied_once() {
    let (_d, path, store) = setup();
    let v = store.schema_version().unwrap();
    assert!(v >= 2);
    drop(store);
    let again = Store::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), v);
}

#[test]
fn the_audit_chain_verifies_and_catches_edits() {
    let (_d, path, store) = setup();
    for i in 0..5 {
        store.audit(&entry("acme_corp", i)).unwrap();
    }
    let v = store.verify_audit().unwrap();
    assert!(v.ok);
    assert_eq!(v.entries, 5);
    let raw = Connection::open(&path).unwrap();
    raw.execute("UPDATE audit_log SET details = '{\"sql\":\"SELECT 99\",\"rows\":99}' WHERE seq = 3", [])
        .unwrap();
    let v = store.verify_audit().unwrap();
    assert!(!v.ok);
    assert_eq!(v.broken_at, Some(3));
}

#[test]
fn deleting_an_audit_entry_is_caught() {
    let (_d, path, store) = setup();
    for i in 0..4 {
        store.audit(&entry("acme_corp", i)).unwrap();
    }
    let raw = Connection::open(&path).unwrap();
    raw.execute("DELETE FROM audit_log WHERE seq = 2", []).unwrap();
    let v = store.verify_audit().unwrap();
    assert!(!v.ok);
    assert_eq!(v.broken_at, Some(3));
    // Deleting the newest entry leaves a valid prefix, but the count shows it.
    let (_d2, path2, store2) = setup();
    for i in 0..3 {
        store2.audit(&entry("acme_corp", i)).unwrap();
    }
    Connection::open(&path2).unwrap().execute("DELETE FROM audit_log WHERE seq = 3", []).unwrap();
    assert_eq!(store2.verify_audit().unwrap().entries, 2);
}

#[test]
fn audit_lists_only_the_callers_entries() {
    let (_d, _p, store) = setup();
    store.audit(&entry("acme_corp", 1)).unwrap();
    store.audit(&entry("globex", 2)).unwrap();
    let mine = store.audit_list("acme_corp", "u1", 10).unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].tenant_id, "acme_corp");
}

#[test]
fn conversations_belong_to_their_owner() {
    let (_d, _p, store) = setup();
    let c = store.conversation_create("acme_corp", "u1", "revenue").unwrap();
    store
        .conversation_add_turn(
            "acme_corp",
            "u1",
            &c.id,
            "revenue by channel",
            Some(&json!({"m": 1})),
            Some("SELECT 1"),
        )
        .unwrap();
    assert_eq!(store.conversation_last_intent("acme_corp", "u1", &c.id).unwrap(), Some(json!({"m": 1})));
    assert!(store.conversation_get("globex", "u1", &c.id).is_err());
    assert!(store.conversation_last_intent("acme_corp", "u2", &c.id).is_err());
    assert!(store.conversation_add_turn("globex", "u1", &c.id, "x", None, None).is_err());
    assert_eq!(store.conversation_list("globex", "u1").unwrap().len(), 0);
    assert_eq!(store.conversation_turns("acme_corp", "u1", &c.id).unwrap().len(), 1);
}

#[test]
fn concurrent_first_opens_migrate_once() {
    // Parallel CLI processes often open a brand-new store at the same moment.
    for _ in 0..5 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let handles: Vec<_> = (0..6)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Store::open(&path).map(|s| s.schema_version().unwrap()))
            })
            .collect();
        let versions: Vec<i64> = handles.into_iter().map(|h| h.join().unwrap().unwrap()).collect();
        assert!(versions.windows(2).all(|w| w[0] == w[1]), "{versions:?}");
    }
}
