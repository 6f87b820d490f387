//! Signing in by deep link or `inda login`, secrets in the real OS keyring (Secret Service: `scripts/test.sh`
//! runs the suite inside `dbus-run-session` with an unlocked gnome-keyring), token expiry, switching users,
//! signing out; hostile links; and a whole session after which neither the token nor any stored secret may
//! be found anywhere on disk or in the output.

use crate::common::{self, AS_OF, assert_success, demo_init, inda, inda_stdin, success_doc};
use serde_json::Value as J;
use std::path::{Path, PathBuf};
use std::process::Output;

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// Where the test writes exports and captured output: searched for leaks with the data dir.
    out: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    demo_init(&dir, &["--scale", "0.05", "--as-of", AS_OF, "--tenants", "acme_corp,globex"]);
    Setup { _tmp: tmp, dir, out }
}

fn mint(dir: &Path, tenant: &str, user: &str, ttl: &str) -> String {
    common::mint(dir, tenant, user, &["--roles", "analyst", "--ttl", ttl])
}

fn link(token: &str, extra: &str) -> String {
    format!("indigital-analytics://open?token={token}{extra}")
}

fn whoami(dir: &Path) -> Output {
    inda(dir, None, &["whoami", "--format", "json"])
}

#[test]
fn a_deep_link_signs_in_and_answers_its_question() {
    let s = setup();
    let token = mint(&s.dir, "acme_corp", "ana", "1h");
    let doc = success_doc(&inda(
        &s.dir,
        None,
        &["open", &link(&token, "&question=messages+by+channel&utm_source=crm"), "--format", "json"],
    ));
    assert_eq!(doc["signed_in"]["session"]["tenant_id"], "acme_corp");
    assert_eq!(doc["answer"]["chart"]["kind"], "bar");
    assert!(doc["answer"]["row_count"].as_u64().unwrap() > 0);
    // Every later command without --token runs as the signed-in user.
    let who = success_doc(&whoami(&s.dir));
    for key in ["tenant_id", "user_id", "partner_id", "roles", "expires_at", "refresh_due"] {
        assert!(who.get(key).is_some(), "whoami lacks {key}: {who}");
    }
    assert_eq!(who["user_id"], "ana");
    assert_eq!(who["roles"], serde_json::json!(["analyst"]));
    assert_eq!(who["refresh_due"], false);
    let answer = success_doc(&inda(&s.dir, None, &["ask", "how many contacts", "--format", "json"]));
    assert!(answer["rows"][0][0].as_i64().unwrap() > 0);
    assert_success(&inda(&s.dir, None, &["logout"]));
}

#[test]
fn a_short_token_signals_that_a_refresh_is_due() {
    let s = setup();
    let token = mint(&s.dir, "acme_corp", "ana", "5m");
    assert_success(&inda_stdin(&s.dir, None, &["login"], &format!("{token}\n")));
    let who = success_doc(&whoami(&s.dir));
    assert_eq!(who["refresh_due"], true);
    assert!(who["seconds_left"].as_i64().unwrap() <= 300);
    assert_success(&inda(&s.dir, None, &["logout"]));
}

#[test]
fn hostile_links_are_refused_and_change_nothing() {
    let s = setup();
    let good = mint(&s.dir, "acme_corp", "ana", "1h");
    assert_success(&inda(&s.dir, None, &["open", &link(&good, "")]));
    let pointer = std::fs::read(s.dir.join("session.json")).unwrap();
    let audit_before =
        success_doc(&inda(&s.dir, None, &["audit", "list", "--format", "json"])).as_array().unwrap().len();

    // A token from an issuer this data dir does not trust: signed by another installation's key.
    let elsewhere = tempfile::tempdir().unwrap();
    let foreign = mint(elsewhere.path(), "globex", "mallory", "1h");
    let other_tenant = mint(&s.dir, "globex", "bob", "1h");
    let cases: Vec<(String, i32)> = vec![
        (link(&foreign, ""), 4),
        (format!("javascript:alert(document.cookie)//{}", link(&other_tenant, "")), 2),
        (format!("https://evil.example/open?token={other_tenant}"), 2),
        (format!("indigital-analytics://steal?token={other_tenant}"), 2),
        // argv caps one argument at 128 KiB; the parser itself is tested with 1 MiB.
        (link(&other_tenant, &format!("&pad={}", "A".repeat(120_000))), 2),
        (link(&other_tenant, "&question=a%00b"), 2),
        (link(&other_tenant, "&question=%C0%AF"), 2),
        (link(&other_tenant, "&analysis=..%2F..%2Fsession"), 2),
        (link(&other_tenant, &format!("&token={good}")), 2),
        (format!("indigital-analytics://open?token=%25{}", &other_tenant[1..]), 2),
        (link(&format!("{other_tenant}x"), ""), 4),
    ];
    for (l, code) in cases {
        let o = inda(&s.dir, None, &["open", &l]);
        assert_eq!(o.status.code(), Some(code), "{l:.100}: {}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains(&other_tenant) && !err.contains(&foreign), "the error repeats a token");
        assert!(err.lines().count() <= 2, "{err}");
    }
    assert_eq!(std::fs::read(s.dir.join("session.json")).unwrap(), pointer, "the signed-in user changed");
    assert_eq!(success_doc(&whoami(&s.dir))["user_id"], "ana");
    let audit_after =
        success_doc(&inda(&s.dir, None, &["audit", "list", "--format", "json"])).as_array().unwrap().len();
    assert_eq!(audit_before, audit_after, "a refused link left a trace of a sign-in");
    assert_success(&inda(&s.dir, None, &["logout"]));
}

#[test]
fn another_user_ends_the_session_and_the_cache_stays_theirs() {
    let s = setup();
    let ana = mint(&s.dir, "acme_corp", "ana", "1h");
    assert_success(&inda(&s.dir, None, &["open", &link(&ana, "")]));
    let saved = success_doc(&inda(
        &s.dir,
        None,
        &["saved", "save", "--name", "By channel", "--question", "messages by channel", "--format", "json"],
    ));
    let id = saved["id"].as_str().unwrap().to_string();
    assert_success(&inda(&s.dir, None, &["saved", "run", &id]));

    let bob = mint(&s.dir, "globex", "bob", "1h");
    let doc = success_doc(&inda(&s.dir, None, &["open", &link(&bob, ""), "--format", "json"]));
    assert_eq!(doc["ended"]["user_id"], "ana");
    assert_eq!(success_doc(&whoami(&s.dir))["tenant_id"], "globex");
    // Bob sees neither ana's analysis nor its cached result.
    assert_eq!(
        success_doc(&inda(&s.dir, None, &["saved", "list", "--format", "json"])).as_array().unwrap().len(),
        0
    );
    let o = inda(&s.dir, None, &["saved", "show", &id, "--offline"]);
    assert_eq!(o.status.code(), Some(2), "{}", String::from_utf8_lossy(&o.stdout));
    // Ana, signing in again, finds her analysis and its cache.
    let ana_again = mint(&s.dir, "acme_corp", "ana", "1h");
    let doc = success_doc(&inda(
        &s.dir,
        None,
        &["open", &link(&ana_again, &format!("&analysis={id}")), "--format", "json"],
    ));
    assert_eq!(doc["signed_in"]["ended"]["user_id"], "bob");
    assert_eq!(doc["analysis"]["cached"], true);
    assert_success(&inda(&s.dir, None, &["logout"]));
}

#[test]
fn an_expired_session_stops_queries_but_keeps_the_cache_readable() {
    let s = setup();
    let token = mint(&s.dir, "acme_corp", "ana", "1h");
    assert_success(&inda_stdin(&s.dir, None, &["login"], &token));
    let saved = success_doc(&inda(
        &s.dir,
        None,
        &["saved", "save", "--name", "Contacts", "--question", "how many contacts", "--format", "json"],
    ));
    let id = saved["id"].as_str().unwrap().to_string();
    let fresh = success_doc(&inda(&s.dir, None, &["saved", "run", &id, "--format", "json"]));

    // The keyring now holds a token that expired an hour ago (signed by the same development key).
    let expired = sign_expired(&s.dir, "acme_corp", "ana");
    let keyring = inda_secrets::Keyring::open(&s.dir, inda_secrets::Fallback::Refuse).unwrap();
    let owner = inda_secrets::Owner::new("acme_corp", "ana");
    keyring
        .set(&owner, &inda_secrets::SecretName::session_token(), &inda_core::Secret::new(expired))
        .unwrap();

    let who = success_doc(&whoami(&s.dir));
    assert_eq!(who["expired"], true);
    assert_eq!(who["refresh_due"], true);
    let o = inda(&s.dir, None, &["ask", "how many contacts"]);
    assert_eq!(o.status.code(), Some(4), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired"));
    for args in [["saved", "show", &id], ["saved", "run", &id]] {
        let o = inda(&s.dir, None, &[&args[..], &["--format", "json"]].concat());
        let doc = success_doc(&o);
        assert_eq!(doc["cached"], true);
        assert_eq!(doc["answer"]["rows"], fresh["answer"]["rows"]);
        assert!(String::from_utf8_lossy(&o.stderr).contains("expired"));
    }
    // Writing needs a live session.
    let o = inda(&s.dir, None, &["saved", "delete", &id]);
    assert_eq!(o.status.code(), Some(4));
    assert_success(&inda(&s.dir, None, &["logout"]));
}

#[test]
fn secrets_are_set_listed_and_deleted_by_name_only() {
    let s = setup();
    let token = mint(&s.dir, "acme_corp", "ana", "1h");
    assert_success(&inda_stdin(&s.dir, None, &["login"], &token));
    assert_success(&inda_stdin(&s.dir, None, &["secret", "set", "anthropic"], "sk-ant-name-only-42\n"));
    let list = assert_success(&inda(&s.dir, None, &["secret", "list"]));
    assert_eq!(list.trim(), "anthropic");
    assert_eq!(inda(&s.dir, None, &["secret", "set", "Bad Name"]).status.code(), Some(2));
    assert_eq!(inda_stdin(&s.dir, None, &["secret", "set", "empty"], "\n").status.code(), Some(2));
    assert_eq!(inda_stdin(&s.dir, None, &["secret", "set", "session-token"], "x").status.code(), Some(2));
    assert_success(&inda(&s.dir, None, &["secret", "delete", "anthropic"]));
    assert_eq!(inda(&s.dir, None, &["secret", "delete", "anthropic"]).status.code(), Some(2));
    assert_success(&inda(&s.dir, None, &["logout"]));
    // Signed out: nothing runs without a token.
    assert_eq!(whoami(&s.dir).status.code(), Some(4));
    assert_eq!(inda(&s.dir, None, &["ask", "how many contacts"]).status.code(), Some(4));
}

#[test]
fn a_whole_session_leaves_no_token_or_secret_behind() {
    let s = setup();
    let token = mint(&s.dir, "acme_corp", "ana", "1h");
    let secrets = ["sk-ant-api03-LEAKCHECK-4f9c2e", "snowflake-LEAKCHECK-pass-77", "sk-openai-LEAKCHECK-91"];
    let mut transcript = Vec::new();
    let mut run = |args: &[&str], stdin: Option<&str>| {
        let mut all = vec!["-v"];
        all.extend_from_slice(args);
        let o = match stdin {
            Some(i) => inda_stdin(&s.dir, None, &all, i),
            None => inda(&s.dir, None, &all),
        };
        transcript.extend_from_slice(&o.stdout);
        transcript.extend_from_slice(&o.stderr);
        assert_success(&o)
    };
    run(&["open", &link(&token, "&question=messages+by+channel+last+month")], None);
    run(&["secret", "set", "anthropic"], Some(secrets[0]));
    run(&["secret", "set", "snowflake-password"], Some(secrets[1]));
    run(&["secret", "set", "openai"], Some(secrets[2]));
    run(&["ask", "how many contacts", "--format", "json"], None);
    run(&["ask", "¿cuántos mensajes por canal?"], None);
    let saved = run(
        &["saved", "save", "--name", "Channels", "--question", "messages by channel", "--format", "json"],
        None,
    );
    let id = serde_json::from_str::<J>(&saved).unwrap()["id"].as_str().unwrap().to_string();
    run(&["saved", "run", &id], None);
    let dash = run(&["dashboard", "create", "--name", "Main", "--format", "json"], None);
    let dash_id = serde_json::from_str::<J>(&dash).unwrap()["id"].as_str().unwrap().to_string();
    run(&["dashboard", "add", &dash_id, &id], None);
    for (to, file) in [("csv", "a.csv"), ("xlsx", "a.xlsx"), ("pdf", "a.pdf"), ("svg", "a.svg")] {
        let out = s.out.join(file);
        run(&["export", "--analysis", &id, "--to", to, "--out", out.to_str().unwrap()], None);
    }
    let pdf = s.out.join("dash.pdf");
    run(&["export", "--dashboard", &dash_id, "--to", "pdf", "--out", pdf.to_str().unwrap()], None);
    run(&["audit", "list"], None);
    run(&["whoami"], None);
    run(&["logout"], None);
    std::fs::write(s.out.join("transcript.log"), &transcript).unwrap();

    // The token's signature is its one part that is never anything else; look for the whole token too.
    let signature = token.rsplit('.').next().unwrap().to_string();
    let mut needles: Vec<&str> = vec![&token, &signature];
    needles.extend(secrets);
    let files: Vec<PathBuf> = walk(&s.dir).into_iter().chain(walk(&s.out)).collect();
    assert!(files.iter().any(|f| f.ends_with("store.sqlite")));
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for n in &needles {
            assert!(!contains(&bytes, n.as_bytes()), "{} holds a secret ({}…)", f.display(), &n[..8]);
        }
    }
    // And the keyring no longer has them.
    let keyring = inda_secrets::Keyring::open(&s.dir, inda_secrets::Fallback::Refuse).unwrap();
    let owner = inda_secrets::Owner::new("acme_corp", "ana");
    for name in ["session-token", "anthropic", "snowflake-password", "openai"] {
        let name = inda_secrets::SecretName::parse(name).unwrap();
        assert!(keyring.get(&owner, &name).unwrap().is_none(), "{name} survived logout");
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
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

/// A token for `tenant`/`user` that expired an hour ago, signed with the data dir's development key.
fn sign_expired(dir: &Path, tenant: &str, user: &str) -> String {
    let pem = std::fs::read(dir.join("keys/dev-ed25519.pem")).unwrap();
    let key = jsonwebtoken::EncodingKey::from_ed_pem(&pem).unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some("development".into());
    let now = chrono::Utc::now().timestamp();
    let claims = serde_json::json!({
        "tenant_id": tenant, "user_id": user, "partner_id": "indigital", "roles": ["analyst"],
        "iss": "development", "iat": now - 7200, "exp": now - 3600,
    });
    jsonwebtoken::encode(&header, &claims, &key).unwrap()
}
