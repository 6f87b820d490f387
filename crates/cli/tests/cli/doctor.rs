//! `inda doctor` through the binary: exit 0 and one JSON document on a healthy data dir, exit 5 with the
//! report and the contract's `engine` error when a file is readable by others, and `--fix` mending it.

use crate::common::{AS_OF, demo_init, doc, inda};

#[cfg(unix)]
#[test]
fn a_file_readable_by_others_exits_5_until_fixed() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    demo_init(&dir, &["--scale", "0.05", "--as-of", AS_OF, "--tenants", "acme_corp"]);

    let out = inda(&dir, None, &["doctor", "--format", "json"]);
    let report = doc(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["ok"], true);
    assert!(report.get("error").is_none(), "{report}");
    let names: Vec<&str> =
        report["checks"].as_array().unwrap().iter().map(|c| c["check"].as_str().unwrap()).collect();
    assert_eq!(names, ["data_dir", "files", "config", "keyring", "warehouse", "store", "disk_space"]);
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| ["ok", "warn"].contains(&c["status"].as_str().unwrap()))
    );

    let parquet = dir.join("warehouse/marts/fct_messages/acme_corp/data.parquet");
    std::fs::set_permissions(&parquet, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = inda(&dir, None, &["doctor", "--format", "json"]);
    let report = doc(&out);
    assert_eq!(out.status.code(), Some(5), "{report}");
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"]["code"], "engine");
    assert_eq!(report["checks"][1]["status"], "problem");
    assert_eq!(report["checks"][1]["items"][0], "warehouse/marts/fct_messages/acme_corp/data.parquet (0644)");

    // Text: the checks on stdout, the contract's one-line error on stderr.
    let out = inda(&dir, None, &["doctor"]);
    assert_eq!(out.status.code(), Some(5));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("PROBLEM") && l.contains("files")), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), "error: inda doctor found problems: files");

    let out = inda(&dir, None, &["doctor", "--fix", "--format", "json"]);
    let report = doc(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert!(report["fixed"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(std::fs::metadata(&parquet).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_config_the_app_cannot_read_is_reported_not_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "[warehouse\n").unwrap();
    // Any other command stops at the config (a usage error); the doctor describes it.
    assert_eq!(inda(&dir, None, &["whoami"]).status.code(), Some(2));
    let out = inda(&dir, None, &["doctor", "--format", "json"]);
    let report = doc(&out);
    assert_eq!(out.status.code(), Some(5), "{report}");
    assert_eq!(report["checks"][2]["check"], "config");
    assert_eq!(report["checks"][2]["status"], "problem");
}
