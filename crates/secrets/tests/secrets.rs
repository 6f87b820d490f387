//! The keyring against a real Secret Service. `scripts/test.sh` runs the suite inside `dbus-run-session` with
//! an unlocked gnome-keyring; outside it these tests fail and say so, rather than pass without a keyring.

use inda_core::Secret;
use inda_secrets::{Fallback, Keyring, Owner, SecretName};

struct Setup {
    dir: tempfile::TempDir,
    keyring: Keyring,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let keyring = Keyring::open(dir.path(), Fallback::Refuse).unwrap_or_else(|e| {
        panic!("{}\n(run the tests through scripts/test.sh, which starts gnome-keyring)", e.message)
    });
    Setup { dir, keyring }
}

fn name(n: &str) -> SecretName {
    SecretName::parse(n).unwrap()
}

#[test]
fn the_os_keyring_round_trips_a_secret() {
    let s = setup();
    assert_eq!(s.keyring.describe(), "Secret Service");
    let owner = Owner::new("acme_corp", "ana@acme.example");
    let value = Secret::new("sk-ant-test-0123456789".to_string());
    assert!(s.keyring.get(&owner, &name("anthropic")).unwrap().is_none());
    s.keyring.set(&owner, &name("anthropic"), &value).unwrap();
    assert_eq!(s.keyring.get(&owner, &name("anthropic")).unwrap().unwrap().expose(), value.expose());
    // Replacing keeps one entry with the new value.
    s.keyring.set(&owner, &name("anthropic"), &Secret::new("second".to_string())).unwrap();
    assert_eq!(s.keyring.get(&owner, &name("anthropic")).unwrap().unwrap().expose(), "second");
    assert!(s.keyring.delete(&owner, &name("anthropic")).unwrap());
    assert!(s.keyring.get(&owner, &name("anthropic")).unwrap().is_none());
    assert!(!s.keyring.delete(&owner, &name("anthropic")).unwrap());
}

#[test]
fn owners_and_installations_are_kept_apart() {
    let s = setup();
    let other_install = tempfile::tempdir().unwrap();
    let other = Keyring::open(other_install.path(), Fallback::Refuse).unwrap();
    let ana = Owner::new("acme_corp", "ana");
    let bob = Owner::new("acme_corp", "bob");
    let ana_globex = Owner::new("globex", "ana");
    s.keyring.set(&ana, &name("openai"), &Secret::new("ana-key".to_string())).unwrap();
    assert!(s.keyring.get(&bob, &name("openai")).unwrap().is_none());
    assert!(s.keyring.get(&ana_globex, &name("openai")).unwrap().is_none());
    assert!(other.get(&ana, &name("openai")).unwrap().is_none());
    s.keyring.delete_all(&ana).unwrap();
}

#[test]
fn signing_out_deletes_every_entry_of_the_owner_only() {
    let s = setup();
    let ana = Owner::new("acme_corp", "ana");
    let bob = Owner::new("acme_corp", "bob");
    for n in ["session-token", "anthropic", "snowflake-password"] {
        s.keyring.set(&ana, &name(n), &Secret::new(format!("{n}-value"))).unwrap();
    }
    s.keyring.set(&bob, &name("anthropic"), &Secret::new("bob-key".to_string())).unwrap();
    assert_eq!(s.keyring.names(&ana).unwrap().len(), 3);
    assert_eq!(s.keyring.delete_all(&ana).unwrap(), 3);
    for n in ["session-token", "anthropic", "snowflake-password"] {
        assert!(s.keyring.get(&ana, &name(n)).unwrap().is_none(), "{n}");
    }
    assert_eq!(s.keyring.get(&bob, &name("anthropic")).unwrap().unwrap().expose(), "bob-key");
    s.keyring.delete_all(&bob).unwrap();
}

#[test]
fn no_value_reaches_the_data_dir() {
    let s = setup();
    let owner = Owner::new("acme_corp", "ana");
    s.keyring.set(&owner, &name("anthropic"), &Secret::new("needle-7f3a9c".to_string())).unwrap();
    for entry in walk(s.dir.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains("needle-7f3a9c"), "{}", entry.display());
    }
    s.keyring.delete_all(&owner).unwrap();
}

#[test]
fn empty_and_oversized_secrets_are_refused() {
    let s = setup();
    let owner = Owner::new("acme_corp", "ana");
    assert!(s.keyring.set(&owner, &name("x"), &Secret::new(String::new())).is_err());
    assert!(s.keyring.set(&owner, &name("x"), &Secret::new("a".repeat(20_000))).is_err());
}

#[test]
fn the_file_fallback_is_private_and_opt_in() {
    // With no D-Bus session at all, the keyring is missing: refused unless the user opted in.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "file_fallback_child", "--nocapture", "--include-ignored"])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR")
        .env("INDA_TEST_CHILD_DIR", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 passed"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: secrets are kept in"), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secrets.json")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

/// Runs in a child process without a D-Bus session (see above).
#[test]
#[ignore = "run by the_file_fallback_is_private_and_opt_in in a child process"]
fn file_fallback_child() {
    let Some(dir) = std::env::var_os("INDA_TEST_CHILD_DIR") else { return };
    let dir = std::path::PathBuf::from(dir);
    let refused = Keyring::open(&dir, Fallback::Refuse).err().expect("no keyring without D-Bus");
    assert!(refused.message.contains("fallback"), "{}", refused.message);
    let keyring = Keyring::open(&dir, Fallback::File).unwrap();
    let owner = Owner::new("acme_corp", "ana");
    keyring.set(&owner, &name("anthropic"), &Secret::new("file-value".to_string())).unwrap();
    assert_eq!(keyring.get(&owner, &name("anthropic")).unwrap().unwrap().expose(), "file-value");
    assert_eq!(keyring.delete_all(&owner).unwrap(), 1);
    assert!(keyring.get(&owner, &name("anthropic")).unwrap().is_none());
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
