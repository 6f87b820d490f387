//! `inda ask` with language models, end to end: the real binary against local HTTP servers that speak the
//! Anthropic Messages API and the OpenAI chat-completions API exactly (a thread per server, HTTP/1.1 over
//! std sockets). Proves that a model's SQL is held to the guard (another tenant's rows, writes, forbidden
//! functions), that a refused query is repaired once, that providers fall back in order, that every call
//! is audited with tokens and cost, that the budget stops calls, and that prompts carry no rows, tenant
//! names or keys.

use crate::common::{self, AS_OF, assert_success, demo_init, mint};
use serde_json::{Value as J, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::{Arc, Mutex};

const KEY: &str = "sk-ant-test-KEYNEEDLE-3141";
/// The offline engine does not understand this one, so it goes to the model.
const QUESTION: &str = "compare the cohort of contacts who came from instagram with those from whatsapp";
const GOOD_SQL: &str = "SELECT source_channel, COUNT(*) AS contacts FROM marts.dim_contacts \
                        WHERE source_channel IN ('instagram', 'whatsapp') GROUP BY source_channel ORDER BY 1";

/// One recorded request: its head (request line and headers, lower-cased names) and body.
#[derive(Clone, Debug)]
struct Seen {
    head: String,
    body: J,
}

/// A scripted HTTP server: answers the n-th request with the n-th response (the last one repeats).
struct Wire {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// A scripted response: status, extra headers, body.
type Reply = (u16, Vec<(&'static str, String)>, String);

fn wire(responses: Vec<Reply>) -> Wire {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&lower);
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            log.lock().unwrap().push(Seen { head, body: serde_json::from_slice(&body).unwrap_or(J::Null) });
            let (status, headers, text) = responses[n.min(responses.len() - 1)].clone();
            let mut out = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\n");
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str(&format!("content-length: {}\r\nconnection: close\r\n\r\n{text}", text.len()));
            let _ = stream.write_all(out.as_bytes());
        }
    });
    Wire { base, seen }
}

fn tool_use(sql: &str) -> Reply {
    let body = json!({
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "answer_with_sql",
                     "input": {"sql": sql, "chart": "bar", "explanation": "Contacts by first channel."}}],
        "stop_reason": "tool_use", "stop_sequence": null,
        "usage": {"input_tokens": 2000, "output_tokens": 80}
    });
    (200, vec![], body.to_string())
}

fn chat_completion(sql: &str) -> Reply {
    let content =
        json!({"sql": sql, "chart": "bar", "explanation": "Contacts by first channel."}).to_string();
    let body = json!({
        "id": "chatcmpl-123", "object": "chat.completion", "created": 1_694_268_190, "model": "llama3.1:8b",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1500, "completion_tokens": 60, "total_tokens": 1560}
    });
    (200, vec![], body.to_string())
}

struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    token: String,
}

fn setup(config: &str) -> Setup {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    demo_init(&dir, &["--scale", "0.05", "--as-of", AS_OF, "--tenants", "acme_corp,globex"]);
    // Written before `token mint`, which adds its issuer to the same file.
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let token = mint(&dir, "acme_corp", "ana", &[]);
    Setup { _tmp: tmp, dir, token }
}

/// `inda` with `env` set (model keys and base URLs: the launcher clears the caller's).
fn run(dir: &Path, token: Option<&str>, env: &[(&str, &str)], args: &[&str]) -> Output {
    common::output(common::command(dir, token, args).envs(env.iter().copied()))
}

fn ask(s: &Setup, env: &[(&str, &str)], extra: &[&str]) -> (i32, J, String) {
    let mut args = vec!["ask", QUESTION, "--format", "json"];
    args.extend_from_slice(extra);
    let o = run(&s.dir, Some(&s.token), env, &args);
    let doc = serde_json::from_slice(&o.stdout).unwrap_or(J::Null);
    (o.status.code().unwrap_or(-1), doc, String::from_utf8_lossy(&o.stderr).into_owned())
}

fn audit(s: &Setup, action: &str) -> Vec<J> {
    let o = run(&s.dir, Some(&s.token), &[], &["audit", "list", "--format", "json"]);
    let all: Vec<J> = serde_json::from_slice(&o.stdout).unwrap();
    all.into_iter().filter(|e| e["action"] == action).collect()
}

const ANTHROPIC_ONLY: &str = "\n[ask]\nproviders = [\"anthropic\"]\ntimeout_seconds = 5\n";

/// A model converts money with the contract's inner join to `marts.fx_rates`, which drops amounts without
/// a rate unseen: its answer fails naming the currency-month, as the offline engine's does (semantics.md,
/// Money), and answers again for a month whose rates are all there.
#[test]
fn a_models_money_without_a_rate_fails_naming_it() {
    let revenue = |from: &str, to: &str| {
        format!(
            "SELECT SUM(a.amount * f.rate) AS revenue FROM marts.fct_activities a JOIN marts.fx_rates f \
             ON f.currency = a.currency AND f.month = CAST(DATE_TRUNC('month', a.occurred_at) AS DATE) \
             WHERE a.activity_type IN ('purchase', 'refund') \
             AND a.occurred_at >= DATE '{from}' AND a.occurred_at < DATE '{to}'"
        )
    };
    let october = revenue("2026-10-01", "2026-11-01");
    let server = wire(vec![tool_use(&october), tool_use(&revenue("2026-03-01", "2026-04-01"))]);
    let s = setup(ANTHROPIC_ONLY);
    let october_1 = chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date");
    common::drop_rate(&s.dir, "acme_corp", "COP", october_1);
    let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];

    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 5, "{doc} {err}");
    assert_eq!(doc["error"]["code"], "engine");
    let msg = doc["error"]["message"].as_str().unwrap();
    assert!(msg.contains("COP 2026-10") && msg.contains("exchange rate"), "{msg}");
    // What the model's SQL alone would have answered: a confident total without October's COP amounts.
    let dropped = run(&s.dir, Some(&s.token), &[], &["sql", &october, "--format", "json"]);
    let dropped: J = serde_json::from_slice(&dropped.stdout).unwrap();
    assert!(dropped["rows"][0][0].as_f64().is_some(), "{dropped}");

    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 0, "{doc} {err}");
    assert!(doc["rows"][0][0].as_f64().is_some_and(|v| v > 0.0), "{doc}");
}

#[test]
fn a_model_answers_what_the_offline_engine_does_not_under_the_guard() {
    let server = wire(vec![tool_use(GOOD_SQL)]);
    let s = setup(ANTHROPIC_ONLY);
    let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];
    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["provider"], "anthropic");
    assert!(doc["sql"].as_str().unwrap().contains("tenant_id = 'acme_corp'"), "{doc}");
    assert_eq!(doc["row_count"], 2);
    assert_eq!(doc["summary"], "Contacts by first channel.");

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert!(req.head.starts_with("post /v1/messages "), "{}", req.head);
    assert!(req.head.contains(&format!("x-api-key: {}", KEY.to_ascii_lowercase())));
    assert!(req.head.contains("anthropic-version: 2023-06-01"));
    assert_eq!(req.body["tool_choice"]["name"], "answer_with_sql");
    let prompt = req.body.to_string();
    // No tenant, no key, no data rows in the prompt.
    for needle in ["acme_corp", "globex", KEY] {
        assert!(!prompt.contains(needle), "the prompt contains {needle}");
    }
    let names = run(
        &s.dir,
        Some(&s.token),
        &[],
        &["sql", "SELECT full_name FROM marts.dim_contacts LIMIT 5", "--format", "json"],
    );
    let names: J = serde_json::from_slice(&names.stdout).unwrap();
    for row in names["rows"].as_array().unwrap() {
        assert!(!prompt.contains(row[0].as_str().unwrap()), "the prompt contains a contact's name");
    }
    let calls = audit(&s, "model_call");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["details"]["input_tokens"], 2000);
    assert!(calls[0]["details"]["cost_usd"].as_f64().unwrap() > 0.0);
    assert!(!serde_json::to_string(&calls).unwrap().contains(KEY));
}

#[test]
fn a_model_cannot_reach_another_tenant_or_write() {
    // It reads globex's rows on purpose: the guard scopes it to acme_corp, so the filter finds nothing.
    let server =
        wire(vec![tool_use("SELECT COUNT(*) AS n FROM marts.dim_contacts WHERE tenant_id = 'globex'")]);
    let s = setup(ANTHROPIC_ONLY);
    let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];
    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["rows"], json!([[0]]));

    // Writes and forbidden functions, twice (the repair also fails): refused by the guard, exit 3.
    for bad in ["DELETE FROM marts.dim_contacts", "SELECT pg_read_file('/etc/passwd') AS x"] {
        let server = wire(vec![tool_use(bad)]);
        let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];
        let (code, doc, _) = ask(&s, &env, &[]);
        assert_eq!(code, 3, "{doc}");
        assert_eq!(doc["error"]["code"], "guard_rejected");
        // Asked twice: once, then once more with the guard's message (self-repair), never a third time.
        let seen = server.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2, "{bad}");
        let repair = seen[1].body.to_string();
        assert!(repair.contains("could not run"), "{repair}");
        assert!(!repair.contains("acme_corp"), "the repair prompt leaks the tenant");
    }
}

#[test]
fn a_refused_query_is_repaired_once() {
    let server = wire(vec![tool_use("DROP TABLE marts.dim_contacts"), tool_use(GOOD_SQL)]);
    let s = setup(ANTHROPIC_ONLY);
    let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];
    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["row_count"], 2);
    let calls = audit(&s, "model_call");
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().any(|c| c["details"]["repair"] == true));
    assert!(audit(&s, "ask").iter().any(|e| e["outcome"] == "rejected"));
}

#[test]
fn providers_fall_back_in_order_and_the_budget_is_kept() {
    let limited = wire(vec![(
        429,
        vec![("retry-after", "120".to_string())],
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your rate limit"}}).to_string(),
    )]);
    let local = wire(vec![chat_completion(GOOD_SQL)]);
    let config =
        "\n[ask]\nproviders = [\"anthropic\", \"openai\"]\ntimeout_seconds = 5\nmonthly_budget_usd = 0.005\n";
    let s = setup(config);
    let env = [
        ("ANTHROPIC_API_KEY", KEY),
        ("ANTHROPIC_BASE_URL", limited.base.as_str()),
        ("OPENAI_BASE_URL", local.base.as_str()),
    ];
    let (code, doc, err) = ask(&s, &env, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(doc["provider"], "openai");
    let req = local.seen.lock().unwrap()[0].clone();
    assert!(
        req.head.starts_with("post /chat/completions ") || req.head.starts_with("post /v1/chat/completions "),
        "{}",
        req.head
    );
    let calls = audit(&s, "model_call");
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert!(calls.iter().any(|c| c["outcome"] == "error" && c["details"]["provider"] == "anthropic"));

    // Forcing a provider skips the others (and the offline engine).
    let (code, doc, _) = ask(&s, &env, &["--provider", "openai"]);
    assert_eq!((code, doc["provider"].as_str()), (0, Some("openai")));

    // A tiny budget: once the month's calls cost more, questions go back to the offline engine only.
    let priced = "\n[ask]\nproviders = [\"anthropic\"]\ntimeout_seconds = 5\nmonthly_budget_usd = 0.000001\n";
    let server = wire(vec![tool_use(GOOD_SQL)]);
    let s = setup(priced);
    let env = [("ANTHROPIC_API_KEY", KEY), ("ANTHROPIC_BASE_URL", server.base.as_str())];
    assert_eq!(ask(&s, &env, &[]).0, 0);
    let (code, doc, _) = ask(&s, &env, &[]);
    assert_eq!(code, 6, "{doc}");
    assert!(doc["error"]["message"].as_str().unwrap().contains("budget"));
    assert_eq!(server.seen.lock().unwrap().len(), 1, "a call was made over budget");
}

#[test]
fn without_a_key_the_answer_says_how_to_add_one() {
    let s = setup(ANTHROPIC_ONLY);
    let (code, doc, _) = ask(&s, &[], &["--provider", "anthropic"]);
    assert_eq!(code, 5, "{doc}");
    let message = doc["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("ANTHROPIC_API_KEY") && message.contains("inda secret set anthropic"),
        "{message}"
    );
}

#[test]
fn the_key_can_come_from_the_os_keyring() {
    let server = wire(vec![tool_use(GOOD_SQL)]);
    let s = setup(ANTHROPIC_ONLY);
    let stdin = |args: &[&str], input: &str| {
        assert_success(&common::inda_stdin(&s.dir, None, args, input));
    };
    stdin(&["login"], &s.token);
    stdin(&["secret", "set", "anthropic"], "sk-ant-from-the-keyring-2718");
    let o = run(
        &s.dir,
        None,
        &[("ANTHROPIC_BASE_URL", server.base.as_str())],
        &["ask", QUESTION, "--format", "json"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    let seen = server.seen.lock().unwrap().clone();
    assert!(seen[0].head.contains("x-api-key: sk-ant-from-the-keyring-2718"), "{}", seen[0].head);
    assert!(run(&s.dir, None, &[], &["logout"]).status.success());
}
