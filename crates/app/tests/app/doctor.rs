//! `inda doctor` over real data dirs: a fresh demo installation is healthy and owner-only throughout, a file
//! readable by others is a problem until `--fix`, and so are damaged marts and a store from a newer app.

use inda_app::{
    App, Checkup, DataDir, DemoOptions, DoctorOptions, DoctorReport, Health, SecretsFallback, doctor,
};
use inda_core::{ErrorCode, Secret};
use std::path::Path;

/// A data dir with the smallest demo warehouse the app tests use, a development key, a config and a store.
fn demo_dir() -> (tempfile::TempDir, App) {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(tmp.path())).unwrap();
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let opts = DemoOptions { scale: 0.05, seed: 42, as_of, tenants: Some(vec!["acme_corp".into()]) };
    app.demo_init(&opts, &|_| {}).unwrap();
    let token = app.mint_token(&mint("acme_corp")).unwrap();
    app.identity(Some(&token)).unwrap();
    app.store().unwrap().schema_version().unwrap();
    (tmp, app)
}

fn mint(tenant: &str) -> inda_auth::MintRequest {
    inda_auth::MintRequest {
        tenant_id: tenant.into(),
        user_id: "doctor@example.com".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        ttl_seconds: 3600,
    }
}

fn check(report: &DoctorReport, which: Checkup) -> &inda_app::Finding {
    report.checks.iter().find(|c| c.check == which).unwrap_or_else(|| panic!("no {which:?} in {report:#?}"))
}

fn examine(dir: &Path) -> DoctorReport {
    doctor(&DataDir::new(dir), DoctorOptions::default())
}

#[test]
fn a_fresh_demo_installation_is_healthy() {
    let (tmp, _app) = demo_dir();
    let report = examine(tmp.path());
    assert!(report.ok, "{report:#?}");
    report.verdict().unwrap();
    for which in [Checkup::DataDir, Checkup::Files, Checkup::Config, Checkup::Warehouse, Checkup::Store] {
        assert_eq!(check(&report, which).status, Health::Ok, "{which:?}: {report:#?}");
    }
    // Whether this machine has an OS keyring is not the test's to decide; having none is never a problem.
    assert_ne!(check(&report, Checkup::Keyring).status, Health::Problem);
    assert!(check(&report, Checkup::Warehouse).message.contains("1 tenant"), "{report:#?}");
    let store = &check(&report, Checkup::Store).message;
    assert!(store.contains(&inda_store::Store::latest_schema_version().to_string()), "{store}");
    assert_eq!(report.version, env!("CARGO_PKG_VERSION"));

    let doc = serde_json::to_value(&report).unwrap();
    assert_eq!(doc["checks"][0]["check"], "data_dir");
    assert_eq!(doc["checks"][0]["status"], "ok");
    assert!(doc.get("fixed").is_none(), "nothing was fixed: {doc}");
}

/// Every file the app writes in the data dir, signed in with secrets in the file fallback where the machine
/// has no OS keyring, is 0600 from the start.
#[cfg(unix)]
#[test]
fn every_file_the_app_writes_is_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, _) = demo_dir();
    let dir = DataDir::new(tmp.path());
    let mut config = inda_app::Config::load(&dir).unwrap();
    config.secrets.fallback = SecretsFallback::File;
    config.save(&dir).unwrap();
    let mut app = App::open(dir.clone()).unwrap();
    let token = app.mint_token(&mint("acme_corp")).unwrap();
    app.sign_in(&Secret::new(token)).unwrap();
    let session = app.identity(None).unwrap();
    app.set_secret(&session, "anthropic", &Secret::new("sk-test".into())).unwrap();
    assert!(dir.signed_in().exists() && dir.config().exists() && dir.store().exists());

    let mut pending = vec![tmp.path().to_path_buf()];
    let mut files = 0;
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                pending.push(entry.path());
            } else {
                files += 1;
                assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{}", entry.path().display());
            }
        }
    }
    assert!(files > 10, "{files} files");
    // Out of the OS keyring, when the machine has one.
    app.sign_out(None).unwrap();
}

#[cfg(unix)]
#[test]
fn a_file_readable_by_others_is_a_problem_until_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let (tmp, _app) = demo_dir();
    let parquet = tmp.path().join("warehouse/marts/fct_messages/acme_corp/data.parquet");
    let chmod =
        |path: &Path, mode| std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    chmod(&parquet, 0o644);
    // The user's own file is theirs to share.
    let semantic = tmp.path().join("semantic.yaml");
    std::fs::write(&semantic, "metrics: {}\n").unwrap();
    chmod(&semantic, 0o644);

    let report = examine(tmp.path());
    assert!(!report.ok);
    let files = check(&report, Checkup::Files);
    assert_eq!(files.status, Health::Problem, "{report:#?}");
    assert_eq!(files.items, ["warehouse/marts/fct_messages/acme_corp/data.parquet (0644)"]);
    assert_eq!(report.verdict().unwrap_err().code, ErrorCode::Engine, "exit 5");

    let fixed = doctor(&DataDir::new(tmp.path()), DoctorOptions { fix: true });
    assert!(fixed.ok, "{fixed:#?}");
    assert!(fixed.fixed.unwrap() >= 1);
    assert_eq!(std::fs::metadata(&parquet).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(std::fs::metadata(&semantic).unwrap().permissions().mode() & 0o777, 0o644);
}

#[test]
fn a_store_from_a_newer_app_is_a_problem() {
    let (tmp, app) = demo_dir();
    drop(app);
    let future = inda_store::Store::latest_schema_version() + 1;
    let conn = rusqlite::Connection::open(tmp.path().join("store.sqlite")).unwrap();
    conn.pragma_update(None, "user_version", future).unwrap();
    drop(conn);

    let report = examine(tmp.path());
    let store = check(&report, Checkup::Store);
    assert_eq!(store.status, Health::Problem, "{report:#?}");
    assert!(store.message.contains(&format!("schema version {future}")), "{}", store.message);
    assert!(store.message.contains("update the app"), "{}", store.message);
    assert!(!report.ok);
}

#[test]
fn damaged_or_missing_marts_are_a_problem() {
    let (tmp, _app) = demo_dir();
    let marts = tmp.path().join("warehouse/marts");
    std::fs::write(marts.join("dim_contacts/acme_corp/data.parquet"), b"not parquet").unwrap();
    let report = examine(tmp.path());
    let warehouse = check(&report, Checkup::Warehouse);
    assert_eq!(warehouse.status, Health::Problem, "{report:#?}");
    assert_eq!(warehouse.items, ["marts/dim_contacts/acme_corp/data.parquet"]);

    std::fs::remove_dir_all(marts.join("fx_rates")).unwrap();
    let report = examine(tmp.path());
    let warehouse = check(&report, Checkup::Warehouse);
    assert_eq!(warehouse.status, Health::Problem);
    assert!(warehouse.message.contains("fx_rates"), "{}", warehouse.message);
}

#[test]
fn a_data_dir_not_created_yet_is_only_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let report = examine(&tmp.path().join("not-yet"));
    assert!(report.ok, "{report:#?}");
    assert_eq!(check(&report, Checkup::DataDir).status, Health::Warn);
    assert!(!tmp.path().join("not-yet").exists(), "looking creates nothing");
}
