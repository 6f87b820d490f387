//! Saved analyses, dashboards, exports and the scheduler through the real `inda` binary on real SQLite
//! files: JSON shapes, the cache (as_of, offline, stale fallback when the warehouse fails), tenant and user
//! isolation (not-found for anyone else's ids, nothing changed), the audit chain, scheduled runs (once, with
//! failures recorded, never twice at the same time), and a refresh killed mid-way leaving the previous result.

use crate::common::{self, AS_OF, command, demo_init, inda, json, mint, ok};
use serde_json::Value as J;
use std::path::{Path, PathBuf};

const BY_CHANNEL: &str =
    "SELECT channel, COUNT(*) AS messages FROM marts.fct_messages GROUP BY channel ORDER BY channel";
const BY_TYPE: &str = "SELECT activity_type, COUNT(*) AS n FROM marts.fct_activities GROUP BY 1 ORDER BY 1";
/// Fails in the engine at run time, not in the guard.
const FAILS: &str = "SELECT CAST(channel AS INT) AS broken FROM marts.fct_messages";

/// A fresh data dir with a small demo warehouse of two tenants.
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

fn setup() -> Setup {
    setup_at_scale("0.05")
}

fn setup_at_scale(scale: &str) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    demo_init(&dir, &["--scale", scale, "--as-of", AS_OF, "--tenants", "acme_corp,globex"]);
    Setup { _tmp: tmp, dir }
}

fn token(dir: &Path, tenant: &str, user: &str) -> String {
    mint(dir, tenant, user, &[])
}

fn save(dir: &Path, token: &str, name: &str, sql: &str) -> String {
    let doc = ok(dir, token, &["saved", "save", "--name", name, "--sql", sql]);
    doc["id"].as_str().expect("id").to_string()
}

fn executions(dir: &Path, token: &str, id: &str) -> Vec<J> {
    ok(dir, token, &["saved", "history", id]).as_array().unwrap().clone()
}

/// Makes every scheduled analysis due now, as if its slot had passed.
fn make_due(dir: &Path) {
    let db = rusqlite::Connection::open(dir.join("store.sqlite")).unwrap();
    db.execute(
        "UPDATE saved_analyses SET next_refresh_at = '2000-01-01T00:00:00.000Z' WHERE refresh_schedule IS NOT NULL",
        [],
    )
    .unwrap();
}

#[test]
fn saved_analyses_round_trip() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let saved = ok(&s.dir, &t, &["saved", "save", "--name", "By channel", "--sql", BY_CHANNEL]);
    let id = saved["id"].as_str().unwrap().to_string();
    assert_eq!(saved["name"], "By channel");
    assert_eq!(saved["generated_sql"], BY_CHANNEL, "the SQL is stored as submitted, before the guard");
    assert!(saved["refresh_schedule"].is_null());

    let q = ok(&s.dir, &t, &["saved", "save", "--name", "Q", "--question", "messages by channel last month"]);
    assert_eq!(q["natural_language_query"], "messages by channel last month");
    assert!(q["generated_sql"].as_str().unwrap().contains("fct_messages"));

    let list = ok(&s.dir, &t, &["saved", "list"]);
    let ids: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![id.as_str(), q["id"].as_str().unwrap()]);

    // First show has no cache: it runs. The second serves the cache with the same as_of.
    let first = ok(&s.dir, &t, &["saved", "show", &id]);
    for key in [
        "sql",
        "columns",
        "rows",
        "row_count",
        "truncated",
        "chart",
        "engine",
        "elapsed_ms",
        "as_of",
        "cached",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["cached"], false);
    assert!(first["sql"].as_str().unwrap().contains("tenant_id = 'acme_corp'"));
    let second = ok(&s.dir, &t, &["saved", "show", &id]);
    assert_eq!(second["cached"], true);
    assert_eq!(second["as_of"], first["as_of"]);
    assert_eq!(second["rows"], first["rows"]);
    assert_eq!(second["columns"], first["columns"]);
    assert_eq!(second["stale"], false);

    let run = ok(&s.dir, &t, &["saved", "run", &id]);
    assert_eq!(run["cached"], false);
    assert_ne!(run["as_of"], first["as_of"]);
    assert_eq!(run["rows"], first["rows"]);
    let after = ok(&s.dir, &t, &["saved", "show", &id]);
    assert_eq!((after["cached"].clone(), after["as_of"].clone()), (J::Bool(true), run["as_of"].clone()));
    let runs = executions(&s.dir, &t, &id);
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["status"] == "ok" && r["trigger"] == "manual"));

    // Schedules: classic 5-field cron, validated, cleared with --off.
    let sched = ok(&s.dir, &t, &["saved", "schedule", &id, "0 8 * * 1"]);
    assert_eq!(sched["id"], id.as_str());
    assert!(sched["refresh_schedule"].as_str().unwrap().starts_with("0 0 8 * *"));
    assert!(sched["next_refresh_at"].as_str().unwrap().ends_with("T08:00:00.000Z"));
    let (code, err) = json(&s.dir, &t, &["saved", "schedule", &id, "every monday"]);
    assert_eq!((code, err["error"]["code"].as_str()), (2, Some("usage")), "{err}");
    let off = ok(&s.dir, &t, &["saved", "schedule", &id, "--off"]);
    assert!(off["refresh_schedule"].is_null() && off["next_refresh_at"].is_null());

    // A statement the guard rejects is not saved (exit 3).
    let (code, err) =
        json(&s.dir, &t, &["saved", "save", "--name", "bad", "--sql", "SELECT * FROM admin.tenants"]);
    assert_eq!((code, err["error"]["code"].as_str()), (3, Some("guard_rejected")), "{err}");
    assert_eq!(ok(&s.dir, &t, &["saved", "list"]).as_array().unwrap().len(), 2);

    let deleted = ok(&s.dir, &t, &["saved", "delete", &id]);
    assert_eq!(deleted["id"], id.as_str());
    let (code, err) = json(&s.dir, &t, &["saved", "show", &id]);
    assert_eq!((code, err["error"]["code"].as_str()), (2, Some("not_found")), "{err}");
    assert_eq!(ok(&s.dir, &t, &["saved", "list"]).as_array().unwrap().len(), 1);
}

#[test]
fn dashboards_keep_their_tiles_in_order() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let a = save(&s.dir, &t, "A", BY_CHANNEL);
    let b = save(&s.dir, &t, "B", BY_TYPE);
    let c = save(&s.dir, &t, "C", "SELECT COUNT(*) AS contacts FROM marts.dim_contacts");
    let d = ok(&s.dir, &t, &["dashboard", "create", "--name", "Weekly"]);
    let did = d["id"].as_str().unwrap().to_string();
    assert_eq!(d["name"], "Weekly");
    assert_eq!(d["tiles"], serde_json::json!([]));
    for id in [&b, &a, &c] {
        ok(&s.dir, &t, &["dashboard", "add", &did, id]);
    }
    let (code, err) = json(&s.dir, &t, &["dashboard", "add", &did, &a]);
    assert_eq!((code, err["error"]["code"].as_str()), (2, Some("usage")), "{err}");
    let removed = ok(&s.dir, &t, &["dashboard", "remove", &did, &a]);
    let order: Vec<(&str, i64)> = removed["tiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["analysis_id"].as_str().unwrap(), t["position"].as_i64().unwrap()))
        .collect();
    assert_eq!(order, vec![(b.as_str(), 1), (c.as_str(), 2)]);
    let shown = ok(&s.dir, &t, &["dashboard", "show", &did]);
    let tiles = shown["tiles"].as_array().unwrap();
    assert_eq!(tiles.len(), 2);
    assert_eq!(tiles[0]["name"], "B");
    assert_eq!(tiles[0]["result"]["columns"][0]["name"], "activity_type");
    assert!(tiles[1]["result"]["rows"][0][0].as_i64().unwrap() > 0);
    // Shown once, the tiles are now cached.
    let again = ok(&s.dir, &t, &["dashboard", "show", &did]);
    assert!(again["tiles"].as_array().unwrap().iter().all(|t| t["result"]["cached"] == true));
    let list = ok(&s.dir, &t, &["dashboard", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], did.as_str());
}

#[test]
fn offline_serves_the_cache_and_a_failing_warehouse_falls_back_to_it() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let cached = save(&s.dir, &t, "cached", BY_CHANNEL);
    let never_run = save(&s.dir, &t, "never run", BY_TYPE);
    let run = ok(&s.dir, &t, &["saved", "run", &cached]);

    for args in [vec!["saved", "show", &cached, "--offline"], vec!["saved", "run", &cached, "--offline"]] {
        let doc = ok(&s.dir, &t, &args);
        assert_eq!((doc["cached"].clone(), doc["as_of"].clone()), (J::Bool(true), run["as_of"].clone()));
        assert_eq!(doc["rows"], run["rows"]);
    }
    let (code, err) = json(&s.dir, &t, &["saved", "show", &never_run, "--offline"]);
    assert_eq!((code, err["error"]["code"].as_str()), (5, Some("engine")), "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("no cached result for"), "{err}");
    assert!(err["error"]["message"].as_str().unwrap().contains("(offline)"), "{err}");
    let (code, err) = json(&s.dir, &t, &["sql", BY_CHANNEL, "--offline"]);
    assert_eq!((code, err["error"]["code"].as_str()), (5, Some("engine")), "{err}");
    // Offline ran nothing.
    assert_eq!(executions(&s.dir, &t, &never_run).len(), 0);
    assert_eq!(executions(&s.dir, &t, &cached).len(), 1);

    // The same from config.toml.
    std::fs::write(s.dir.join("config.toml"), "[app]\noffline = true\n").unwrap();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let (code, _) = json(&s.dir, &t, &["saved", "show", &never_run]);
    assert_eq!(code, 5);
    assert_eq!(ok(&s.dir, &t, &["saved", "show", &cached])["cached"], true);
    std::fs::remove_file(s.dir.join("config.toml")).unwrap();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");

    // The warehouse disappears: a run serves the last result, marked stale; the failure is recorded.
    std::fs::remove_dir_all(s.dir.join("warehouse")).unwrap();
    let stale = ok(&s.dir, &t, &["saved", "run", &cached]);
    assert_eq!((stale["cached"].clone(), stale["stale"].clone()), (J::Bool(true), J::Bool(true)), "{stale}");
    assert_eq!(stale["as_of"], run["as_of"]);
    assert_eq!(stale["rows"], run["rows"]);
    let runs = executions(&s.dir, &t, &cached);
    assert_eq!(runs[0]["status"], "error");
    let d = ok(&s.dir, &t, &["dashboard", "create", "--name", "D"]);
    let did = d["id"].as_str().unwrap();
    ok(&s.dir, &t, &["dashboard", "add", did, &cached]);
    ok(&s.dir, &t, &["dashboard", "add", did, &never_run]);
    let shown = ok(&s.dir, &t, &["dashboard", "show", did]);
    assert_eq!(shown["tiles"][0]["result"]["cached"], true);
    assert_eq!(shown["tiles"][1]["error"]["code"], "engine", "{shown}");
}

#[test]
fn nobody_else_can_touch_an_analysis_or_a_dashboard() {
    let s = setup();
    let owner = token(&s.dir, "acme_corp", "maria@acme.example");
    let id = save(&s.dir, &owner, "mine", BY_CHANNEL);
    let before = ok(&s.dir, &owner, &["saved", "run", &id]);
    let did =
        ok(&s.dir, &owner, &["dashboard", "create", "--name", "mine"])["id"].as_str().unwrap().to_string();
    ok(&s.dir, &owner, &["dashboard", "add", &did, &id]);
    let out = s.dir.join("out.csv");
    let out = out.to_str().unwrap();

    for other in
        [token(&s.dir, "globex", "maria@acme.example"), token(&s.dir, "acme_corp", "juan@acme.example")]
    {
        let own_dashboard = ok(&s.dir, &other, &["dashboard", "create", "--name", "theirs"])["id"]
            .as_str()
            .unwrap()
            .to_string();
        let attempts: Vec<Vec<&str>> = vec![
            vec!["saved", "show", &id],
            vec!["saved", "run", &id],
            vec!["saved", "run", &id, "--offline"],
            vec!["saved", "history", &id],
            vec!["saved", "schedule", &id, "* * * * *"],
            vec!["saved", "schedule", &id, "--off"],
            vec!["saved", "delete", &id],
            vec!["dashboard", "show", &did],
            vec!["dashboard", "add", &did, &id],
            vec!["dashboard", "add", &own_dashboard, &id],
            vec!["dashboard", "remove", &did, &id],
            vec!["export", "--analysis", &id, "--to", "csv", "--out", out],
            vec!["export", "--dashboard", &did, "--to", "csv", "--out", out],
        ];
        for args in attempts {
            let (code, err) = json(&s.dir, &other, &args);
            assert_eq!((code, err["error"]["code"].as_str()), (2, Some("not_found")), "{args:?}: {err}");
            assert!(!err.to_string().contains("mine"), "the error reveals the owner's data: {err}");
        }
        assert_eq!(ok(&s.dir, &other, &["saved", "list"]), serde_json::json!([]));
        let theirs = ok(&s.dir, &other, &["dashboard", "list"]);
        assert_eq!(theirs.as_array().unwrap().len(), 1);
        assert_eq!(theirs[0]["id"], own_dashboard.as_str());
        assert_eq!(
            ok(&s.dir, &other, &["dashboard", "show", &own_dashboard])["tiles"],
            serde_json::json!([])
        );
    }
    // Nothing changed for the owner.
    let after = ok(&s.dir, &owner, &["saved", "show", &id]);
    assert_eq!((after["cached"].clone(), after["as_of"].clone()), (J::Bool(true), before["as_of"].clone()));
    let a = &ok(&s.dir, &owner, &["saved", "list"])[0];
    assert!(a["refresh_schedule"].is_null());
    assert_eq!(executions(&s.dir, &owner, &id).len(), 1);
    assert_eq!(ok(&s.dir, &owner, &["dashboard", "show", &did])["tiles"].as_array().unwrap().len(), 1);
    assert!(!Path::new(out).exists());
}

#[test]
fn the_audit_chain_covers_the_session_and_catches_an_edit() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let id = save(&s.dir, &t, "audited", BY_CHANNEL);
    ok(&s.dir, &t, &["saved", "run", &id]);
    ok(&s.dir, &t, &["saved", "schedule", &id, "0 8 * * 1"]);
    ok(&s.dir, &t, &["saved", "delete", &id]);
    let actions: Vec<String> = ok(&s.dir, &t, &["audit", "list", "--limit", "10"])
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, vec!["delete", "schedule", "run", "save"]);
    let v = ok(&s.dir, &t, &["audit", "verify"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"], 4);

    let db = rusqlite::Connection::open(s.dir.join("store.sqlite")).unwrap();
    db.execute("UPDATE audit_log SET action = 'query' WHERE seq = 2", []).unwrap();
    let (code, v) = json(&s.dir, &t, &["audit", "verify"]);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["ok"], false, "{v}");
    assert_eq!(v["broken_at"], 2);
}

#[test]
fn the_scheduler_runs_due_analyses_once_and_records_failures() {
    let s = setup();
    let acme = token(&s.dir, "acme_corp", "maria@acme.example");
    let globex = token(&s.dir, "globex", "li@globex.example");
    let a = save(&s.dir, &acme, "a", BY_CHANNEL);
    let broken = save(&s.dir, &acme, "broken", FAILS);
    let g = save(&s.dir, &globex, "g", BY_CHANNEL);
    let unscheduled = save(&s.dir, &acme, "unscheduled", BY_TYPE);
    for (t, id) in [(&acme, &a), (&acme, &broken), (&globex, &g)] {
        ok(&s.dir, t, &["saved", "schedule", id, "0 8 * * *"]);
    }
    // Nothing is due yet.
    let (code, report) = json(&s.dir, &acme, &["scheduler", "run", "--once"]);
    assert_eq!((code, report["ran"].as_i64()), (0, Some(0)), "{report}");

    make_due(&s.dir);
    // The scheduler needs no token.
    let out = inda(&s.dir, None, &["scheduler", "run", "--once", "--format", "json"]);
    let report: J = serde_json::from_slice(&out.stdout).unwrap();
    assert!(out.status.success(), "{report}");
    assert_eq!((report["due"].as_i64(), report["ran"].as_i64()), (Some(3), Some(3)), "{report}");
    assert_eq!((report["ok"].as_i64(), report["failed"].as_i64()), (Some(2), Some(1)), "{report}");
    let again = ok(&s.dir, &acme, &["scheduler", "run", "--once"]);
    assert_eq!(again["ran"], 0, "{again}");

    let failed = executions(&s.dir, &acme, &broken);
    assert_eq!(failed.len(), 1);
    assert_eq!(
        (failed[0]["status"].as_str(), failed[0]["trigger"].as_str()),
        (Some("error"), Some("scheduled"))
    );
    assert!(failed[0]["error"].as_str().unwrap().contains("cast"), "{}", failed[0]);
    for (t, id) in [(&acme, &a), (&globex, &g)] {
        let runs = executions(&s.dir, t, id);
        assert_eq!((runs.len(), runs[0]["status"].as_str()), (1, Some("ok")));
        // Served from what the scheduler cached, scoped to the owner's tenant.
        let shown = ok(&s.dir, t, &["saved", "show", id]);
        assert_eq!(shown["cached"], true);
        assert!(shown["as_of"].as_str().is_some());
    }
    let g_sql = ok(&s.dir, &globex, &["saved", "show", &g])["sql"].as_str().unwrap().to_string();
    assert!(g_sql.contains("tenant_id = 'globex'"), "{g_sql}");
    assert_eq!(executions(&s.dir, &acme, &unscheduled).len(), 0);
    // The next refresh moved on to a future slot; the last refresh is recorded, failures included.
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string();
    for analysis in ok(&s.dir, &acme, &["saved", "list"]).as_array().unwrap() {
        if analysis["refresh_schedule"].is_null() {
            continue;
        }
        assert!(analysis["next_refresh_at"].as_str().unwrap() > now.as_str(), "{analysis}");
        assert!(analysis["last_refresh_at"].is_string(), "{analysis}");
    }
}

#[test]
fn concurrent_schedulers_never_run_an_analysis_twice() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let ids: Vec<String> = (0..6).map(|i| save(&s.dir, &t, &format!("a{i}"), BY_CHANNEL)).collect();
    for id in &ids {
        ok(&s.dir, &t, &["saved", "schedule", id, "*/5 * * * *"]);
    }
    make_due(&s.dir);
    // The children run outside the launchers: a turn of the gate for them.
    let _turn = common::turn();
    let children: Vec<_> = (0..2)
        .map(|_| {
            command(&s.dir, None, &["scheduler", "run", "--once", "--format", "json"])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ran = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success());
        let report: J = serde_json::from_slice(&out.stdout).unwrap();
        ran += report["ran"].as_i64().unwrap();
    }
    assert_eq!(ran, 6);
    for id in &ids {
        assert_eq!(executions(&s.dir, &t, id).len(), 1, "analysis {id} ran more than once");
    }
}

#[test]
fn a_refresh_killed_mid_way_leaves_the_previous_result() {
    let s = setup_at_scale("0.08");
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    // Heavy enough to take seconds in a debug build (about 10^8 joined rows), light enough to end; the
    // condition keeps the row statistics from answering the count without running it.
    let heavy = "SELECT COUNT(*) AS n FROM marts.dim_contacts a CROSS JOIN marts.dim_contacts b \
                 CROSS JOIN marts.dim_contacts c WHERE a.created_at <= c.created_at";
    let id = save(&s.dir, &t, "heavy", heavy);
    let first = ok(&s.dir, &t, &["saved", "run", &id]);
    let _turn = common::turn();
    let mut child = command(&s.dir, Some(&t), &["saved", "run", &id, "--format", "json"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(250));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the refresh finished before it could be killed");
    let after = ok(&s.dir, &t, &["saved", "show", &id]);
    assert_eq!(after["cached"], true);
    assert_eq!(after["as_of"], first["as_of"]);
    assert_eq!(after["rows"], first["rows"]);
    assert_eq!(ok(&s.dir, &t, &["audit", "verify"])["ok"], true);
    ok(&s.dir, &t, &["saved", "list"]);
}

#[test]
fn exports_write_files_from_the_cache_and_are_audited() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "maria@acme.example");
    let a = save(&s.dir, &t, "By channel", BY_CHANNEL);
    let b = save(&s.dir, &t, "By type", BY_TYPE);
    let did =
        ok(&s.dir, &t, &["dashboard", "create", "--name", "Weekly"])["id"].as_str().unwrap().to_string();
    ok(&s.dir, &t, &["dashboard", "add", &did, &a]);
    ok(&s.dir, &t, &["dashboard", "add", &did, &b]);

    // Offline with no cached result: nothing to export from.
    let csv = s.dir.join("by-channel.csv");
    let (code, err) = json(
        &s.dir,
        &t,
        &["export", "--analysis", &a, "--to", "csv", "--out", csv.to_str().unwrap(), "--offline"],
    );
    assert_eq!((code, err["error"]["code"].as_str()), (5, Some("engine")), "{err}");
    assert!(!csv.exists());

    // Online, the analysis runs first, then exports.
    let doc = ok(&s.dir, &t, &["export", "--analysis", &a, "--to", "csv", "--out", csv.to_str().unwrap()]);
    assert_eq!(doc["path"], csv.to_str().unwrap());
    let shown = ok(&s.dir, &t, &["saved", "show", &a]);
    assert_eq!(shown["cached"], true);
    assert_eq!(doc["rows"], shown["row_count"]);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.contains("channel") && text.contains("whatsapp"), "{text}");

    // A dashboard, offline from the cache once every tile has a result.
    ok(&s.dir, &t, &["saved", "run", &b]);
    for format in ["xlsx", "svg", "png", "pdf"] {
        let out = s.dir.join(format!("weekly.{format}"));
        let doc = ok(
            &s.dir,
            &t,
            &["export", "--dashboard", &did, "--to", format, "--out", out.to_str().unwrap(), "--offline"],
        );
        assert!(doc["rows"].as_i64().unwrap() > 0, "{doc}");
        assert!(std::fs::metadata(&out).unwrap().len() > 0);
    }
    let (code, err) = json(&s.dir, &t, &["export", "--analysis", &a, "--to", "docx", "--out", "x.docx"]);
    assert_eq!((code, err["error"]["code"].as_str()), (2, Some("usage")), "{err}");

    let entries = ok(&s.dir, &t, &["audit", "list", "--limit", "50"]);
    let exports: Vec<&J> = entries.as_array().unwrap().iter().filter(|e| e["action"] == "export").collect();
    assert_eq!(exports.len(), 5);
    let csv_entry = exports.last().unwrap();
    assert_eq!(csv_entry["details"]["format"], "csv");
    assert_eq!(csv_entry["details"]["file"], "by-channel.csv");
    assert_eq!(csv_entry["details"]["rows"], doc["rows"]);
    assert_eq!(ok(&s.dir, &t, &["audit", "verify"])["ok"], true);
}

/// A question saved before a metric's definition changed (revenue summed across currencies) runs with
/// today's definition: converted into the reporting currency, its money column named.
#[test]
fn a_saved_question_runs_with_todays_definitions() {
    let s = setup();
    let t = token(&s.dir, "acme_corp", "ana");
    let saved = ok(
        &s.dir,
        &t,
        &["saved", "save", "--name", "Revenue", "--question", "revenue by channel in October 2026"],
    );
    let id = saved["id"].as_str().unwrap().to_string();
    // What an older engine stored: the amounts of every currency added up.
    let old = "SELECT channel, SUM(amount) AS revenue FROM marts.fct_activities \
               WHERE activity_type IN ('purchase','refund') GROUP BY channel";
    let db = rusqlite::Connection::open(s.dir.join("store.sqlite")).unwrap();
    db.execute(
        "UPDATE saved_analyses SET generated_sql = ?1 WHERE analysis_id = ?2",
        rusqlite::params![old, id],
    )
    .unwrap();
    drop(db);
    let run = ok(&s.dir, &t, &["saved", "run", &id]);
    let sql = run["sql"].as_str().unwrap();
    assert!(sql.contains("fx_rates") && sql.contains("'acme_corp'"), "{sql}");
    assert_eq!(run["columns"].as_array().map(Vec::len), Some(2), "no check column: {run}");
    assert_eq!(run["columns"][1]["currency"], "COP", "{run}");
}
