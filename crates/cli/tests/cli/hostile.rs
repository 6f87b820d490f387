//! Issue 15's proof: hostile SQL thrown at a real `inda serve` by one tenant while another tenant keeps
//! asking. The server must never die, answer every hostile request within the timeout plus a margin, keep
//! the other tenant's p95 under 2 s and `/healthz` answering, stay within its memory budget, and go back to
//! idle after the last request; the same statements through `inda sql` end with a result or an error,
//! never a signal.
//!
//! The corpus (`tests/hostile/*.jsonl`) was written by someone who read only the contracts and the issue.
//! `dev.jsonl` was used while building; `holdout.jsonl` was kept unseen until the final measurement. The
//! test prints its measurements (p95, peak RSS, timings): the note quotes them.

use crate::common::{self, inda, mint};
use serde_json::Value as J;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HOSTILE: &str = "acme_corp";
const NEIGHBOUR: &str = "umbrella";
/// The limits the server runs under here: short enough to keep the suite quick.
const TIMEOUT: Duration = Duration::from_secs(4);
const PROCESS_MEMORY_MIB: u64 = 1536;
/// Time over the timeout an answer may take: queueing is inside the timeout, but an unoptimised build
/// spends a while parsing and guarding a 100 KB statement, and the machine has two cores for everything.
const MARGIN: Duration = Duration::from_secs(6);
/// Hostile requests in flight at once: more than the tenant may run, so queueing and `busy` are exercised.
const HOSTILE_CLIENTS: usize = 3;

#[derive(Debug, Clone)]
struct Case {
    id: String,
    expect: String,
    sql: String,
}

fn corpus(file: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: J = serde_json::from_str(l).expect("corpus line is JSON");
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            Case { id: s("id"), expect: s("expect"), sql: s("sql") }
        })
        .collect()
}

/// The corpus files to run: `INDA_HOSTILE_CORPUS` (comma-separated file names) or every file.
fn corpus_files() -> Vec<String> {
    match std::env::var("INDA_HOSTILE_CORPUS") {
        Ok(list) if !list.trim().is_empty() => list.split(',').map(|s| s.trim().to_string()).collect(),
        _ => vec!["dev.jsonl".into(), "holdout.jsonl".into()],
    }
}

struct Setup {
    dir: PathBuf,
    /// Each test measures timings, so it runs alone: not beside the other hostile test (two corpora at once
    /// would share two cores), nor beside any other test of the binary.
    _alone: common::Alone,
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn setup(name: &str) -> Setup {
    let alone = common::alone();
    let dir = std::env::temp_dir().join(format!("inda-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    common::demo_init(&dir, &["--scale", "0.2", "--tenants", "acme_corp,umbrella"]);
    let config = dir.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap_or_default();
    text.push_str(&format!(
        "\n[limits]\nquery_timeout = \"{}s\"\nquery_memory = \"512MiB\"\nprocess_memory = \"{PROCESS_MEMORY_MIB}MiB\"\n\
         result_bytes = \"32MiB\"\nconcurrent_per_tenant = 2\nconcurrent_total = 3\n",
        TIMEOUT.as_secs()
    ));
    std::fs::write(&config, text).unwrap();
    Setup { dir, _alone: alone }
}

fn token(dir: &Path, tenant: &str) -> String {
    mint(dir, tenant, "hostile@example.com", &[])
}

/// `inda serve` on a free port, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Server {
    let mut child = common::command(dir, None, &["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("inda serve starts");
    let mut line = String::new();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    while stdout.read(&mut byte).unwrap_or(0) == 1 && byte[0] != b'\n' {
        line.push(byte[0] as char);
    }
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    // Keep reading stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Server { child, addr }
}

/// One HTTP/1.1 exchange over a fresh connection: status and body.
fn http(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut stream = match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
        Ok(s) => s,
        Err(e) => return (0, format!("connect: {e}")),
    };
    let _ = stream.set_read_timeout(Some(TIMEOUT + MARGIN + Duration::from_secs(30)));
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{auth}Content-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        addr.port(),
        body.len()
    );
    if let Err(e) = stream.write_all(request.as_bytes()) {
        return (0, format!("write: {e}"));
    }
    let mut response = Vec::new();
    if let Err(e) = stream.read_to_end(&mut response) {
        return (0, format!("read: {e}"));
    }
    let text = String::from_utf8_lossy(&response);
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn sql_request(addr: SocketAddr, token: &str, sql: &str) -> (u16, String) {
    http(addr, "POST", "/api/sql", Some(token), &serde_json::json!({ "sql": sql }).to_string())
}

/// Resident high-water mark and CPU ticks (user + system) of a process, from procfs.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

struct Outcome {
    case: Case,
    status: u16,
    code: String,
    message: String,
    elapsed: Duration,
    other_tenant_seen: bool,
}

fn check_outcome(o: &Outcome, failures: &mut Vec<String>) {
    let ok = o.status == 200;
    let id = &o.case.id;
    if o.status == 0 {
        failures.push(format!("{id}: no HTTP answer ({})", o.code));
    }
    if o.elapsed > TIMEOUT + MARGIN {
        failures.push(format!("{id}: answered after {:.1} s", o.elapsed.as_secs_f64()));
    }
    if o.status >= 500 && o.code == "internal" {
        failures.push(format!("{id}: internal error"));
    }
    if o.other_tenant_seen {
        failures.push(format!("{id}: another tenant's id in the answer"));
    }
    match o.case.expect.as_str() {
        "result" if !ok => failures.push(format!("{id}: expected a result, got {} {}", o.status, o.code)),
        "refused" if ok => failures.push(format!("{id}: expected a refusal, got a result")),
        _ => {}
    }
}

#[test]
fn hostile_sql_never_takes_the_service_down() {
    let s = setup("serve");
    let hostile = token(&s.dir, HOSTILE);
    let neighbour = token(&s.dir, NEIGHBOUR);
    let server = serve(&s.dir);
    let (addr, pid) = (server.addr, server.child.id());
    let cases: Vec<Case> = corpus_files().iter().flat_map(|f| corpus(f)).collect();
    assert!(!cases.is_empty());

    // The neighbour asks a small question, and the server's health, over and over until the end.
    let done = Arc::new(AtomicBool::new(false));
    let neighbour_times = Arc::new(Mutex::new((Vec::new(), Vec::new(), Vec::new())));
    let watcher = {
        let (done, times, neighbour) = (done.clone(), neighbour_times.clone(), neighbour.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                let started = Instant::now();
                let (status, body) = sql_request(
                    addr,
                    &neighbour,
                    "SELECT channel, COUNT(*) AS n FROM marts.fct_messages GROUP BY 1",
                );
                let query = started.elapsed();
                let started = Instant::now();
                let (health, _) = http(addr, "GET", "/healthz", None, "");
                let mut t = times.lock().unwrap();
                t.0.push(query);
                t.1.push(started.elapsed());
                if status != 200 || health != 200 {
                    t.2.push(format!(
                        "neighbour: {status} {}; healthz {health}",
                        body.chars().take(200).collect::<String>()
                    ));
                }
                drop(t);
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };

    let started_all = Instant::now();
    let queue = Arc::new(Mutex::new(cases.clone()));
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    let clients: Vec<_> = (0..HOSTILE_CLIENTS)
        .map(|_| {
            let (queue, outcomes, hostile) = (queue.clone(), outcomes.clone(), hostile.clone());
            std::thread::spawn(move || {
                while let Some(case) = queue.lock().unwrap().pop() {
                    let started = Instant::now();
                    let (status, body) = sql_request(addr, &hostile, &case.sql);
                    let elapsed = started.elapsed();
                    let doc: J = serde_json::from_str(&body).unwrap_or(J::Null);
                    let code = doc["error"]["code"].as_str().unwrap_or(if status == 200 { "" } else { "?" });
                    // Only the rows count: the echoed SQL holds whatever literals the statement had.
                    let rows = doc["rows"].to_string();
                    let other_tenant_seen =
                        ["globex", "umbrella", "initech", "stark_ind"].iter().any(|t| rows.contains(t));
                    outcomes.lock().unwrap().push(Outcome {
                        code: if status == 0 { body.clone() } else { code.to_string() },
                        message: doc["error"]["message"]
                            .as_str()
                            .unwrap_or_default()
                            .chars()
                            .take(90)
                            .collect(),
                        case,
                        status,
                        elapsed,
                        other_tenant_seen,
                    });
                }
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let hostile_elapsed = started_all.elapsed();
    done.store(true, Ordering::SeqCst);
    watcher.join().unwrap();

    // Idle afterwards: CPU over two seconds once the last answer is in.
    std::thread::sleep(Duration::from_millis(500));
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let idle_ticks = cpu_ticks(pid) - before;
    let peak_kib = peak_rss_kib(pid);
    let (health, _) = http(addr, "GET", "/healthz", None, "");

    let outcomes = outcomes.lock().unwrap();
    let mut failures = Vec::new();
    for o in outcomes.iter() {
        check_outcome(o, &mut failures);
    }
    let (mut query, mut healthz, neighbour_failures) = neighbour_times.lock().unwrap().clone();
    query.sort();
    healthz.sort();
    let slowest = outcomes.iter().map(|o| o.elapsed).max().unwrap_or_default();
    let busy = outcomes.iter().filter(|o| o.code == "busy").count();
    let results = outcomes.iter().filter(|o| o.status == 200).count();
    println!(
        "hostile: {} statements in {:.1} s ({} results, {} errors of which {} busy); slowest answer {:.2} s",
        outcomes.len(),
        hostile_elapsed.as_secs_f64(),
        results,
        outcomes.len() - results,
        busy,
        slowest.as_secs_f64()
    );
    println!(
        "neighbour: {} queries, p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; /healthz p95 {:.0} ms; {} failed",
        query.len(),
        percentile(&query, 0.5).as_secs_f64() * 1e3,
        percentile(&query, 0.95).as_secs_f64() * 1e3,
        query.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        percentile(&healthz, 0.95).as_secs_f64() * 1e3,
        neighbour_failures.len()
    );
    println!(
        "server: peak RSS {} MiB (budget {PROCESS_MEMORY_MIB} MiB); CPU after the last answer {} ticks in 2 s",
        peak_kib / 1024,
        idle_ticks
    );
    for o in outcomes.iter().filter(|o| o.status != 200) {
        println!(
            "  {:<28} {} {:<14} {:>5.2} s  {}",
            o.case.id,
            o.status,
            o.code,
            o.elapsed.as_secs_f64(),
            o.message
        );
    }

    assert_eq!(health, 200, "the server stopped answering /healthz");
    assert!(failures.is_empty(), "hostile requests answered wrongly:\n{}", failures.join("\n"));
    assert!(neighbour_failures.is_empty(), "the neighbour failed:\n{}", neighbour_failures.join("\n"));
    assert!(
        percentile(&query, 0.95) < Duration::from_secs(2),
        "the neighbour's p95 is {:?}",
        percentile(&query, 0.95)
    );
    assert!(peak_kib / 1024 <= PROCESS_MEMORY_MIB, "peak RSS {} MiB over the budget", peak_kib / 1024);
    // Two cores at 100 ticks a second: anything left running would show hundreds.
    assert!(idle_ticks < 40, "the server kept burning CPU after the last answer: {idle_ticks} ticks in 2 s");
}

#[test]
fn hostile_sql_through_the_cli_ends_with_an_answer_never_a_signal() {
    use std::os::unix::process::ExitStatusExt;
    let s = setup("cli");
    let hostile = token(&s.dir, HOSTILE);
    let mut failures = Vec::new();
    let started = Instant::now();
    for case in corpus_files().iter().flat_map(|f| corpus(f)) {
        let t = Instant::now();
        let out = inda(&s.dir, Some(&hostile), &["sql", &case.sql, "--format", "json"]);
        let elapsed = t.elapsed();
        let doc: J = serde_json::from_slice(&out.stdout).unwrap_or(J::Null);
        if let Some(signal) = out.status.signal() {
            failures.push(format!("{}: killed by signal {signal}", case.id));
            continue;
        }
        let code = out.status.code().unwrap_or(-1);
        if doc.is_null() {
            failures.push(format!("{}: exit {code} without JSON on stdout", case.id));
        }
        if !matches!(code, 0 | 2 | 3 | 5) {
            failures.push(format!("{}: exit {code}: {}", case.id, doc));
        }
        if elapsed > TIMEOUT + MARGIN {
            failures.push(format!("{}: took {:.1} s", case.id, elapsed.as_secs_f64()));
        }
        match case.expect.as_str() {
            "result" if code != 0 => failures.push(format!("{}: expected a result: {doc}", case.id)),
            "refused" if code == 0 => failures.push(format!("{}: expected a refusal", case.id)),
            _ => {}
        }
    }
    println!("cli: the corpus in {:.1} s", started.elapsed().as_secs_f64());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
