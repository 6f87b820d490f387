//! `inda backup` / `inda restore` on real files: a restore brings back exactly the backed-up library and keeps
//! what it replaced; a wrong passphrase, an altered file, a weak passphrase and a backup whose audit chain was
//! tampered with are refused before anything is replaced.

use inda_app::{App, DataDir, SaveRequest};
use inda_core::{ErrorCode, Secret, Session};
use inda_store::{BackupFile, Store};

const PASS: &str = "correct horse battery staple";

struct Setup {
    dir: tempfile::TempDir,
    token: String,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(dir.path())).unwrap();
    let req = inda_auth::MintRequest {
        tenant_id: "acme_corp".into(),
        user_id: "backup@acme.example".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        ttl_seconds: 3600,
    };
    let token = app.mint_token(&req).unwrap();
    Setup { dir, token }
}

impl Setup {
    /// A fresh app over the data dir, as a new `inda` process would open it.
    fn app(&self) -> (App, Session) {
        let app = App::open(DataDir::new(self.dir.path())).unwrap();
        let session = app.identity(Some(&self.token)).unwrap();
        (app, session)
    }
    fn save(&self, name: &str) {
        let (app, session) = self.app();
        let req = SaveRequest {
            name: name.into(),
            sql: Some("SELECT COUNT(*) FROM marts.dim_contacts".into()),
            ..SaveRequest::default()
        };
        tokio::runtime::Runtime::new().unwrap().block_on(app.save_analysis(&session, &req)).unwrap();
    }
    fn names(&self) -> Vec<String> {
        let (app, session) = self.app();
        app.list_analyses(&session).unwrap().into_iter().map(|a| a.name).collect()
    }
}

fn pass(p: &str) -> Secret {
    Secret::new(p.to_string())
}

#[test]
fn a_restore_brings_back_the_backed_up_library_and_keeps_what_it_replaced() {
    let s = setup();
    s.save("Kept");
    let file = s.dir.path().join("library.indabak");
    let summary = s.app().0.backup(&file, &pass(PASS)).unwrap();
    assert!(
        summary.files.contains(&"store.sqlite".to_string())
            && summary.files.contains(&"config.toml".to_string())
    );
    assert!(summary.audit_entries >= 1, "the save is audited");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let bytes = std::fs::read(&file).unwrap();
    assert!(!bytes.windows(4).any(|w| w == b"Kept"), "the names are not readable in the file");

    s.save("After the backup");
    assert_eq!(s.names(), ["Kept", "After the backup"]);
    let restored = s.app().0.restore(&file, &pass(PASS)).unwrap();
    assert_eq!(s.names(), ["Kept"]);
    assert!(restored.audit_entries >= summary.audit_entries);
    let old_store =
        restored.kept.iter().find(|p| p.to_string_lossy().contains("store.sqlite.before-restore-"));
    let old = Store::open(old_store.expect("the replaced store is kept")).unwrap();
    let (_, session) = s.app();
    let kept: Vec<String> =
        old.saved_list(&session.tenant_id, &session.user_id).unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(kept, ["Kept", "After the backup"], "nothing lost");
    let (app, session) = s.app();
    assert!(app.verify_audit(&session).unwrap().ok);
}

#[test]
fn bad_passphrases_altered_files_and_broken_chains_are_refused_before_anything_is_replaced() {
    let s = setup();
    s.save("Only");
    let file = s.dir.path().join("b.indabak");
    let weak = s.app().0.backup(&file, &pass("short")).unwrap_err();
    assert_eq!(weak.code, ErrorCode::Usage);
    s.app().0.backup(&file, &pass(PASS)).unwrap();
    s.save("Second");

    let wrong = s.app().0.restore(&file, &pass("the wrong passphrase")).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::Usage);
    assert!(wrong.message.contains("wrong passphrase"), "{}", wrong.message);
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    let altered = s.dir.path().join("altered.indabak");
    std::fs::write(&altered, &bytes).unwrap();
    assert_eq!(s.app().0.restore(&altered, &pass(PASS)).unwrap_err().code, ErrorCode::Usage);
    let not_one = s.dir.path().join("config.toml");
    assert_eq!(s.app().0.restore(&not_one, &pass(PASS)).unwrap_err().code, ErrorCode::Usage);

    // A backup sealed correctly around a store whose audit log was edited.
    let copy = s.dir.path().join("copy.sqlite");
    Store::open(&s.dir.path().join("store.sqlite")).unwrap().snapshot_to(&copy).unwrap();
    rusqlite::Connection::open(&copy)
        .unwrap()
        .execute("UPDATE audit_log SET details = '{\"forged\":true}' WHERE seq = 1", [])
        .unwrap();
    let files = [BackupFile { name: "store.sqlite".into(), bytes: std::fs::read(&copy).unwrap() }];
    let forged = s.dir.path().join("forged.indabak");
    std::fs::write(&forged, inda_store::seal_backup(&files, &pass(PASS), 11, "test").unwrap()).unwrap();
    let broken = s.app().0.restore(&forged, &pass(PASS)).unwrap_err();
    assert!(broken.message.contains("audit log is broken"), "{}", broken.message);

    assert_eq!(s.names(), ["Only", "Second"], "every refusal left the library as it was");
    let leftovers: Vec<String> = std::fs::read_dir(s.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".restore-") || n.contains("before-restore"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
