//! The local store on a real SQLite file: migrations, the audit chain (and that editing or deleting an entry
//! is caught), and conversations that only their owner can read.

use inda_store::{AuditAction, AuditEntry, AuditOutcome, Store};
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
        action: AuditAction::Query,
        outcome: AuditOutcome::Ok,
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
fn a_tenant_verifies_the_whole_chain_but_learns_only_its_own_entries() {
    let (_d, path, store) = setup();
    for (i, tenant) in ["acme_corp", "globex", "acme_corp", "globex", "globex"].iter().enumerate() {
        store.audit(&entry(tenant, i as i64)).unwrap();
    }
    let v = store.verify_audit_for("acme_corp").unwrap();
    assert_eq!((v.ok, v.entries, v.broken_at), (true, 2, None));
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains("globex") && !text.contains('5'), "{text}");
    assert_eq!(store.verify_audit_for("initech").unwrap().entries, 0);

    // Another tenant's entry edited: the chain is broken for everyone, but where and whose is not said.
    let raw = Connection::open(&path).unwrap();
    raw.execute("UPDATE audit_log SET outcome = 'rejected' WHERE seq = 4", []).unwrap();
    let v = store.verify_audit_for("acme_corp").unwrap();
    assert_eq!((v.ok, v.entries, v.broken_at), (false, 2, None));
    assert!(!serde_json::to_string(&v).unwrap().contains("globex"));
    let theirs = store.verify_audit_for("globex").unwrap();
    assert_eq!((theirs.ok, theirs.entries, theirs.broken_at), (false, 3, Some(4)));
    assert_eq!(theirs.reason.as_deref(), Some("the entry was edited"));
}

#[test]
fn retention_prunes_the_oldest_entries_and_the_chain_still_verifies() {
    let (_d, path, store) = setup();
    for i in 1..=6 {
        store.audit(&entry(if i % 2 == 0 { "globex" } else { "acme_corp" }, i)).unwrap();
    }
    // Every entry is older than a cutoff in the future.
    let cutoff = "9999-01-01T00:00:00Z";
    // With a Snowflake mirror, an entry not pushed yet stays, and so does everything after it.
    store.mirror_audit_done("globex", "u1", 2).unwrap();
    assert_eq!(store.audit_prune(cutoff, true).unwrap(), 0, "seq 1 (acme) is not in Snowflake yet");
    store.mirror_audit_done("acme_corp", "u1", 3).unwrap();
    assert_eq!(store.audit_prune(cutoff, true).unwrap(), 3, "1–3 are pushed; 4 (globex) is not");
    let v = store.verify_audit().unwrap();
    assert!(v.ok, "{v:?}");
    assert_eq!(v.entries, 3);
    // Without a mirror, every entry before the cutoff goes; new entries chain on from the anchor.
    assert_eq!(store.audit_prune(cutoff, false).unwrap(), 3);
    assert!(store.verify_audit().unwrap().ok);
    store.audit(&entry("acme_corp", 7)).unwrap();
    store.audit(&entry("acme_corp", 8)).unwrap();
    let v = store.verify_audit().unwrap();
    assert!(v.ok && v.entries == 2, "{v:?}");
    assert_eq!(store.audit_list("acme_corp", "u1", 10).unwrap()[1].seq, 7, "seq goes on, no reuse");
    // Deleting an entry after a prune is still caught.
    Connection::open(&path).unwrap().execute("DELETE FROM audit_log WHERE seq = 7", []).unwrap();
    let v = store.verify_audit().unwrap();
    assert_eq!((v.ok, v.broken_at), (false, Some(8)));
    // Nothing older than the cutoff: nothing pruned.
    assert_eq!(store.audit_prune("2000-01-01T00:00:00Z", false).unwrap(), 0);
}

#[test]
fn the_compliance_export_reads_a_tenants_entries_since_a_date() {
    let (_d, _path, store) = setup();
    for i in 1..=4 {
        store.audit(&entry(if i % 2 == 0 { "globex" } else { "acme_corp" }, i)).unwrap();
    }
    let acme = store.audit_export(&["acme_corp".into()], None, None).unwrap();
    assert_eq!(acme.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 3]);
    let both =
        store.audit_export(&["globex".into(), "acme_corp".into()], Some("u1"), Some("2000-01-01")).unwrap();
    assert_eq!(both.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2, 3, 4], "oldest first across tenants");
    assert!(store.audit_export(&["acme_corp".into()], Some("someone_else"), None).unwrap().is_empty());
    assert!(store.audit_export(&["acme_corp".into()], None, Some("9999-01-01")).unwrap().is_empty());
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

/// Two processes adding turns to one conversation at once (the desktop app and `inda ask` on one data dir):
/// every turn is kept, numbered once. A transaction that read before it wrote would fail with "database is
/// locked" when the other wrote in between, whatever the busy timeout.
#[test]
fn turns_added_at_once_from_two_connections_are_all_kept() {
    let (_d, path, store) = setup();
    let c = store.conversation_create("acme_corp", "u1", "revenue").unwrap();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (path, id) = (path.clone(), c.id.clone());
            std::thread::spawn(move || {
                let store = Store::open(&path).unwrap();
                (0..25)
                    .map(|i| {
                        store.conversation_add_turn("acme_corp", "u1", &id, &format!("{w}-{i}"), None, None)
                    })
                    .filter(Result::is_err)
                    .count()
            })
        })
        .collect();
    let failed: usize = writers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(failed, 0);
    let turns = store.conversation_turns("acme_corp", "u1", &c.id).unwrap();
    assert_eq!(turns.len(), 100);
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

#[test]
fn the_mirror_sees_every_change_and_a_change_during_a_push_stays_pending() {
    use inda_store::NewAnalysis;
    let (_d, _path, store) = setup();
    let new = NewAnalysis { name: "A".into(), generated_sql: "SELECT 1".into(), ..NewAnalysis::default() };
    let a = store.saved_create("acme_corp", "u1", &new).unwrap();
    let pending = |s: &Store| s.mirror_analyses("acme_corp", "u1").unwrap()[0].clone();
    let first = pending(&store);
    assert!(first.pending && first.base.is_none(), "a new analysis is pending");
    assert!(store.mirror_pending("acme_corp", "u1").unwrap());

    // A push read version 1; meanwhile a schedule change lands. Marking version 1 leaves it pending.
    store.saved_set_schedule("acme_corp", "u1", &a.id, Some("0 0 8 * * MON"), None).unwrap();
    store.mirror_mark_pushed("acme_corp", "u1", &a.id, first.version, &a.updated_at).unwrap();
    let now = pending(&store);
    assert!(now.pending && now.version > first.version, "the later change is not lost");
    store.mirror_mark_pushed("acme_corp", "u1", &a.id, now.version, &now.analysis.updated_at).unwrap();
    assert!(!pending(&store).pending);
    // Nor is another user's or tenant's pending work visible.
    assert!(store.mirror_analyses("globex", "u1").unwrap().is_empty());
    assert!(store.mirror_analyses("acme_corp", "u2").unwrap().is_empty());

    // Deleting a mirrored analysis leaves a tombstone for the mirror; a pulled delete does not.
    store.saved_delete("acme_corp", "u1", &a.id).unwrap();
    let tombs = store.mirror_tombstones("acme_corp", "u1").unwrap();
    assert_eq!(tombs.len(), 1);
    assert_eq!(tombs[0].base.as_deref(), Some(now.analysis.updated_at.as_str()));
    assert!(store.mirror_tombstones("globex", "u1").unwrap().is_empty());
    let b = store.saved_create("acme_corp", "u1", &new).unwrap();
    let v = pending(&store).version;
    store.mirror_mark_pushed("acme_corp", "u1", &b.id, v, &b.updated_at).unwrap();
    store.mirror_delete_local("acme_corp", "u1", &b.id).unwrap();
    assert_eq!(
        store.mirror_tombstones("acme_corp", "u1").unwrap().len(),
        1,
        "no tombstone for a pulled delete"
    );
}
