//! `inda alert …` through the real binary, against a local webhook (a thread per request, HTTP/1.1 over std
//! sockets): the JSON of each command per `cli.md`, the URL read from a file or a variable and printed
//! nowhere, a test message, a paused alert left silent by `inda scheduler run`, one message per refreshed
//! run, a failing webhook's test exiting 5 after its retries, and other users' not-found.
//!
//! The URL is kept in the OS keyring: run these in a D-Bus session (see `scripts/test.sh`).

use crate::common::{self, AS_OF, demo_init, inda, json, mint, ok};
use serde_json::Value as J;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

const KPI: &str = "SELECT COUNT(*) AS messages FROM marts.fct_messages";
const NEEDLE: &str = "T0CLI/B0CLI/clisecret1618";

/// A local webhook answering every request with `status`; the bodies it received.
fn webhook(status: u16) -> (String, Arc<Mutex<Vec<J>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/services/{NEEDLE}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(J::Null));
            let out = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            let _ = stream.write_all(out.as_bytes());
        }
    });
    (url, seen)
}

struct Setup {
    tmp: tempfile::TempDir,
    dir: PathBuf,
    token: String,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    demo_init(&dir, &["--scale", "0.05", "--as-of", AS_OF, "--tenants", "acme_corp"]);
    // Short waits between tries; written before `token mint`, which adds its issuer to the same file.
    std::fs::write(dir.join("config.toml"), "[alerts]\nfirst_backoff = \"10ms\"\ntimeout = \"2s\"\n")
        .unwrap();
    let token = mint(&dir, "acme_corp", "maria@acme.example", &[]);
    Setup { tmp, dir, token }
}

impl Setup {
    fn url_file(&self, url: &str) -> String {
        let path = self.tmp.path().join("webhook.url");
        std::fs::write(&path, format!("{url}\n")).unwrap();
        path.display().to_string()
    }

    fn scheduled(&self) -> String {
        let a = ok(
            &self.dir,
            &self.token,
            &["saved", "save", "--name", "Messages", "--sql", KPI, "--schedule", "0 8 * * *"],
        );
        a["id"].as_str().unwrap().to_string()
    }

    /// `inda scheduler run --once` with every scheduled analysis due.
    fn scheduler_pass(&self) -> J {
        let db = rusqlite::Connection::open(self.dir.join("store.sqlite")).unwrap();
        db.execute("UPDATE saved_analyses SET next_refresh_at = '2000-01-01T00:00:00.000Z'", []).unwrap();
        let out = inda(&self.dir, None, &["scheduler", "run", "--once", "--format", "json"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

fn no_needle(out: &std::process::Output) {
    for text in [&out.stdout, &out.stderr] {
        assert!(!String::from_utf8_lossy(text).contains(NEEDLE), "{}", String::from_utf8_lossy(text));
    }
}

#[test]
fn alert_commands_round_trip_and_a_refreshed_run_sends_one_message() {
    let s = setup();
    let (url, seen) = webhook(200);
    let analysis = s.scheduled();
    let file = s.url_file(&url);
    let out = common::output(
        common::command(
            &s.dir,
            Some(&s.token),
            &["alert", "create", "--analysis", &analysis, "--above", "10"],
        )
        .args(["--webhook-url-file", &file, "--format", "json"]),
    );
    no_needle(&out);
    let alert = common::success_doc(&out);
    let id = alert["id"].as_str().unwrap().to_string();
    assert_eq!((alert["condition"].as_str(), alert["threshold"].as_f64()), (Some("above"), Some(10.0)));
    assert_eq!(
        (alert["analysis_id"].as_str(), alert["paused"].as_bool()),
        (Some(analysis.as_str()), Some(false))
    );
    let list = ok(&s.dir, &s.token, &["alert", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(NEEDLE));

    // A test message now, said to be one.
    let test = ok(&s.dir, &s.token, &["alert", "test", &id]);
    assert_eq!((test["status"].as_str(), test["attempts"].as_u64()), (Some("sent"), Some(1)), "{test}");
    assert_eq!(seen.lock().unwrap()[0]["alert"]["test"], true);

    // Paused: the refresh sends nothing. Resumed: one message per refreshed run.
    assert_eq!(ok(&s.dir, &s.token, &["alert", "pause", &id])["paused"], true);
    let report = s.scheduler_pass();
    assert_eq!(report["ok"], 1, "{report}");
    assert!(report["runs"][0].get("alerts").is_none(), "{report}");
    assert_eq!(ok(&s.dir, &s.token, &["alert", "resume", &id])["paused"], false);
    let report = s.scheduler_pass();
    assert_eq!(report["runs"][0]["alerts"][0]["status"], "sent", "{report}");
    assert_eq!(seen.lock().unwrap().len(), 2);
    let events = ok(&s.dir, &s.token, &["alert", "events"]);
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    let since = events[0]["fired_at"].as_str().unwrap();
    assert_eq!(ok(&s.dir, &s.token, &["alert", "events", "--since", since]), J::Array(vec![]));

    // A second alert, its URL from a variable; a change needs a previous refresh, which the first one is.
    let out = common::output(
        common::command(
            &s.dir,
            Some(&s.token),
            &["alert", "create", "--analysis", &analysis, "--change", "5"],
        )
        .args(["--column", "messages", "--webhook-url-env", "HOOK_URL", "--format", "json"])
        .env("HOOK_URL", &url),
    );
    no_needle(&out);
    let change = common::success_doc(&out);
    assert_eq!(
        (change["condition"].as_str(), change["column"].as_str()),
        (Some("change_either"), Some("messages"))
    );
    assert!(change["last_value"].as_f64().is_some(), "the cached result is its baseline: {change}");

    // Someone else's ids are not found, and change nothing.
    let other = mint(&s.dir, "acme_corp", "pedro@acme.example", &[]);
    for args in [["alert", "pause", &id], ["alert", "delete", &id], ["alert", "test", &id]] {
        let (code, doc) = json(&s.dir, &other, &args);
        assert_eq!((code, doc["error"]["code"].as_str()), (2, Some("not_found")), "{args:?}: {doc}");
    }
    assert_eq!(ok(&s.dir, &other, &["alert", "list"]), J::Array(vec![]));
    assert_eq!(seen.lock().unwrap().len(), 2);

    let deleted = ok(&s.dir, &s.token, &["alert", "delete", &id]);
    assert_eq!((deleted["id"].as_str(), deleted["deleted"].as_bool()), (Some(id.as_str()), Some(true)));
    assert_eq!(ok(&s.dir, &s.token, &["alert", "list"]).as_array().unwrap().len(), 1);
    let store = std::fs::read(s.dir.join("store.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&store).contains(NEEDLE), "the URL is kept in the keyring only");
}

#[test]
fn a_failing_webhooks_test_exits_5_after_its_retries_and_bad_alerts_are_usage_errors() {
    let s = setup();
    let (url, seen) = webhook(500);
    let analysis = s.scheduled();
    let file = s.url_file(&url);
    let created = ok(
        &s.dir,
        &s.token,
        &["alert", "create", "--analysis", &analysis, "--below", "-1", "--webhook-url-file", &file],
    );
    let id = created["id"].as_str().unwrap();
    let (code, doc) = json(&s.dir, &s.token, &["alert", "test", id]);
    assert_eq!((code, doc["error"]["code"].as_str()), (5, Some("engine")), "{doc}");
    assert_eq!((doc["status"].as_str(), doc["attempts"].as_u64()), (Some("failed"), Some(3)), "{doc}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("HTTP 500"), "{doc}");
    assert!(!doc.to_string().contains(NEEDLE));
    assert_eq!(seen.lock().unwrap().len(), 3);

    let usage = |args: &[&str]| {
        let (code, doc) = json(&s.dir, &s.token, args);
        assert_eq!((code, doc["error"]["code"].as_str()), (2, Some("usage")), "{args:?}: {doc}");
        assert!(!doc.to_string().contains(NEEDLE), "{doc}");
    };
    // No condition, two conditions, no URL, a plain-http URL to another host, a missing file.
    usage(&["alert", "create", "--analysis", &analysis, "--webhook-url-file", &file]);
    usage(&[
        "alert",
        "create",
        "--analysis",
        &analysis,
        "--above",
        "1",
        "--below",
        "2",
        "--webhook-url-file",
        &file,
    ]);
    usage(&["alert", "create", "--analysis", &analysis, "--above", "1"]);
    let remote = s.url_file(&format!("http://example.com/{NEEDLE}"));
    usage(&["alert", "create", "--analysis", &analysis, "--above", "1", "--webhook-url-file", &remote]);
    let missing = Path::new("/nonexistent/webhook.url").display().to_string();
    usage(&["alert", "create", "--analysis", &analysis, "--above", "1", "--webhook-url-file", &missing]);
    assert_eq!(ok(&s.dir, &s.token, &["alert", "list"]).as_array().unwrap().len(), 1);
}
