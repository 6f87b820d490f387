//! Data at rest: the warehouse's Parquet is sealed with the installation's key (no tenant's names readable in
//! the files), plain files from an older install still read and `inda doctor --fix` seals them, and a cache
//! key left in `keys/` by an older install moves to the keyring without losing a cached result.

use inda_app::{App, Cancel, Checkup, DataDir, DemoOptions, DoctorOptions, Health, doctor};
use inda_store::{CacheCipher, FileKeySource};
use std::path::{Path, PathBuf};

/// A contact name every demo tenant carries (a formula-injection probe): plain text in plain Parquet.
const PROBE: &[u8] = b"attacker.invalid";

fn opts() -> DemoOptions {
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    DemoOptions { scale: 0.05, seed: 42, as_of, tenants: Some(vec!["acme_corp".into()]) }
}

fn parquet_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(root).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(parquet_files(&path));
        } else if path.extension().is_some_and(|x| x == "parquet") {
            found.push(path);
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Messages of acme_corp, through the guard and the engine.
fn messages(app: &mut App) -> String {
    let token = app
        .mint_token(&inda_auth::MintRequest {
            tenant_id: "acme_corp".into(),
            user_id: "rest@example.com".into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![],
            ttl_seconds: 3600,
        })
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let session = app.identity(Some(&token)).unwrap();
    let sql = "SELECT COUNT(*), COUNT(DISTINCT contact_id) FROM marts.fct_messages";
    let answer = rt.block_on(app.run_sql(&session, sql, &Cancel::new())).unwrap();
    serde_json::to_string(&answer.rows).unwrap()
}

fn tail(path: &Path) -> Vec<u8> {
    let bytes = std::fs::read(path).unwrap();
    bytes[bytes.len() - 4..].to_vec()
}

#[test]
fn the_demo_warehouse_is_sealed_and_no_name_is_readable_in_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(tmp.path())).unwrap();
    app.demo_init(&opts(), &|_| {}).unwrap();
    // The tenant's five marts and the three daily rollups `demo init` built from them: all sealed.
    let files = parquet_files(&tmp.path().join("warehouse"));
    assert_eq!(files.len(), 8, "{files:?}");
    assert_eq!(files.iter().filter(|f| f.to_string_lossy().contains("/rollups/")).count(), 3, "{files:?}");
    for f in &files {
        assert_eq!(tail(f), b"PARE", "{} is not encrypted", f.display());
    }
    let contacts = files.iter().find(|f| f.to_string_lossy().contains("dim_contacts")).unwrap();
    assert!(!contains(&std::fs::read(contacts).unwrap(), PROBE), "a contact name is readable in the file");
    assert!(messages(&mut app).starts_with("[[13204,"), "{}", messages(&mut app));

    // The control: the same data written plain shows the name.
    let plain = tempfile::tempdir().unwrap();
    inda_demo::generate(plain.path(), &opts(), &|_| {}).unwrap();
    let plain_contacts = plain.path().join("marts/dim_contacts/acme_corp/data.parquet");
    assert!(contains(&std::fs::read(plain_contacts).unwrap(), PROBE));
}

#[test]
fn plain_files_of_an_older_install_still_read_until_doctor_fix_seals_them() {
    let tmp = tempfile::tempdir().unwrap();
    let mut app = App::open(DataDir::new(tmp.path())).unwrap();
    // As `demo init` wrote before encryption at rest.
    inda_demo::generate(&tmp.path().join("warehouse"), &opts(), &|_| {}).unwrap();
    let before = messages(&mut app);

    let report = doctor(&DataDir::new(tmp.path()), DoctorOptions::default());
    let warehouse = report.checks.iter().find(|c| c.check == Checkup::Warehouse).unwrap();
    assert_eq!(warehouse.status, Health::Warn, "{report:#?}");
    assert!(warehouse.message.contains("5 of 5 Parquet files are not encrypted"), "{}", warehouse.message);

    let report = doctor(&DataDir::new(tmp.path()), DoctorOptions { fix: true });
    assert_eq!(report.sealed, Some(5), "{report:#?}");
    let warehouse = report.checks.iter().find(|c| c.check == Checkup::Warehouse).unwrap();
    assert_eq!(warehouse.status, Health::Ok, "{report:#?}");
    for f in parquet_files(&tmp.path().join("warehouse")) {
        assert_eq!(tail(&f), b"PARE", "{}", f.display());
    }
    // A fresh app (new process): the same rows, through the key.
    let mut app = App::open(DataDir::new(tmp.path())).unwrap();
    assert_eq!(messages(&mut app), before);
    let again = doctor(&DataDir::new(tmp.path()), DoctorOptions { fix: true });
    assert_eq!(again.sealed, Some(0), "sealing twice changes nothing");
}

#[test]
fn a_cache_key_left_in_the_data_dir_moves_to_the_keyring_without_losing_a_result() {
    let tmp = tempfile::tempdir().unwrap();
    // An older install: its key in keys/cache.key, a result sealed with it.
    let old = CacheCipher::new(&FileKeySource::in_data_dir(tmp.path())).unwrap();
    let blob = old.encrypt("acme_corp", "ana@example.com", "a1", b"cached rows").unwrap();
    let key_file = tmp.path().join("keys/cache.key");
    assert!(key_file.exists());

    let app = App::open(DataDir::new(tmp.path())).unwrap();
    let cipher = app.cache_cipher().unwrap();
    assert_eq!(cipher.decrypt("acme_corp", "ana@example.com", "a1", &blob).unwrap(), b"cached rows");
    let keyring = inda_secrets::Keyring::probe(inda_secrets::Fallback::Refuse);
    if matches!(keyring, inda_secrets::Availability::Os(_)) {
        assert!(!key_file.exists(), "the key left the data dir");
        assert!(tmp.path().join("keys/cache.where").exists());
        // Another process later reads the same key from the keyring.
        let later = App::open(DataDir::new(tmp.path())).unwrap();
        let cipher = later.cache_cipher().unwrap();
        assert_eq!(cipher.decrypt("acme_corp", "ana@example.com", "a1", &blob).unwrap(), b"cached rows");
    } else {
        // No keyring on this machine (the suite runs one): the key stays where it was.
        assert!(key_file.exists(), "{keyring:?}");
    }
}
