//! Load test of a running `inda serve` (`scripts/load.sh` starts the server and runs this): simulated
//! analysts of several tenants at once, each looping over what the UI does most — ask a question, list the
//! saved analyses, export the analysis they saved, now and then open the dashboards — for a fixed time, in
//! two identical rounds against the same server.
//!
//! Every answer is checked, not just timed: an HTTP or transport error counts as an error, and an answer
//! whose SQL filters on another tenant (or not on the user's own), a saved list carrying another user's
//! analysis, or an export with the very rows another tenant exported counts as a cross-tenant answer. Either
//! makes the run fail (exit 1).
//!
//! Prints per round: requests, errors, throughput, P50/P95/P99 per route and overall, and the server's
//! resident memory (`VmRSS`, sampled every second: start, peak, end, and again after 10 s idle); then every
//! round's memory side by side, so growth across runs is visible.
//!
//! Input, from the environment (the script sets it):
//! - `LOAD_BASE`: the server's base URL (`http://127.0.0.1:PORT`);
//! - `LOAD_TOKENS`: a file of `tenant user token` lines, one per simulated user;
//! - `LOAD_SERVER_PID`: the server's process id, for its memory (optional);
//! - `LOAD_SECONDS` (default 60), `LOAD_ROUNDS` (default 2), `LOAD_THINK_MS` (a user's mean pause between
//!   requests, default 0: every user always has a request in flight).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Questions the offline engine answers, in both languages (the shipped model's verified examples).
const QUESTIONS: &[&str] = &[
    "How many contacts do we have?",
    "Contacts by country",
    "Messages sent by channel last month",
    "What was the delivery rate by channel this year?",
    "Monthly revenue over the last 12 months",
    "Top 5 campaigns by revenue",
    "Average order value by country",
    "Which channel had the most purchases this year?",
    "Ingresos por canal este año",
    "Mensajes enviados por mes en los últimos 6 meses",
    "Número de compras por segmento",
    "Tickets de soporte por canal en los últimos 90 días",
];

/// The question each user saves once and then exports.
const SAVED_QUESTION: &str = "Messages sent by channel last month";

/// After an error a user waits this long before their next request, as a person would before retrying; it
/// also keeps an instant refusal (`busy`) from turning into a hot loop that would inflate the counts.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Longest wait for one answer: past the server's own 60 s query deadline, so a slow answer is measured,
/// not cut short.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

struct User {
    tenant: String,
    name: String,
    token: String,
    /// The analysis the user saved (in the first round), which later rounds export again.
    saved: Mutex<Option<String>>,
}

/// What one round observed.
#[derive(Default)]
struct Round {
    /// Latencies of the successful requests, by route.
    latencies: Mutex<BTreeMap<&'static str, Vec<Duration>>>,
    /// Errors by route and what they were (status and error code, or the transport failure).
    errors: Mutex<BTreeMap<(&'static str, String), u64>>,
    /// Answers that named another tenant, or not the user's own.
    cross_tenant: Mutex<Vec<String>>,
    /// The first file each tenant exported.
    exports: Mutex<HashMap<String, Vec<u8>>>,
    requests: AtomicU64,
}

/// Resident memory of the server over a round, in KiB.
#[derive(Clone, Copy, Default)]
struct Rss {
    start: u64,
    peak: u64,
    /// Right after the round's last answer.
    end: u64,
    /// After [`IDLE`] without requests: the allocator has returned what it no longer uses, so this is
    /// closer to what the server still holds than `end` is.
    idle: u64,
}

/// The quiet time after each round before memory is read again.
const IDLE: Duration = Duration::from_secs(10);

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}={v} is not a number")),
        Err(_) => default,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; there are no other arguments. Without a server there is nothing to
    // load (`cargo bench` over the workspace, `cargo test --all-targets`): say so and pass.
    let Ok(base) = std::env::var("LOAD_BASE") else {
        println!("load: skipped (LOAD_BASE is not set; scripts/load.sh starts a server and runs this)");
        return;
    };
    let tokens = std::env::var("LOAD_TOKENS").expect("LOAD_TOKENS: a file of `tenant user token` lines");
    let pid: Option<u32> = std::env::var("LOAD_SERVER_PID").ok().and_then(|p| p.trim().parse().ok());
    let seconds: u64 = env_or("LOAD_SECONDS", 60);
    let rounds: usize = env_or("LOAD_ROUNDS", 2);
    let think = Duration::from_millis(env_or("LOAD_THINK_MS", 0));
    let users: Vec<Arc<User>> = std::fs::read_to_string(&tokens)
        .unwrap_or_else(|e| panic!("{tokens}: {e}"))
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (tenant, name, token) = (f.next()?, f.next()?, f.next()?);
            Some(Arc::new(User {
                tenant: tenant.into(),
                name: name.into(),
                token: token.into(),
                saved: Mutex::default(),
            }))
        })
        .collect();
    assert!(!users.is_empty(), "{tokens} names no user");
    let tenants: Vec<String> =
        users.iter().map(|u| u.tenant.clone()).collect::<HashSet<_>>().into_iter().collect();

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let failed = rt.block_on(async {
        let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().expect("client");
        let setup = Setup { client, base, tenants: Arc::new(tenants), think, owners: Arc::default() };
        println!(
            "load: {} users over {} tenants, {seconds} s per round, {rounds} rounds, think time {} ms, against {}",
            users.len(),
            setup.tenants.len(),
            think.as_millis(),
            setup.base
        );
        let mut memory = Vec::new();
        let mut failed = false;
        for n in 1..=rounds {
            let (round, elapsed, rss) = run_round(&setup, &users, Duration::from_secs(seconds), pid).await;
            failed |= report(n, &round, elapsed, rss, pid.is_some());
            memory.push(rss);
        }
        if pid.is_some() && memory.len() > 1 {
            report_growth(&memory);
        }
        failed
    });
    if failed {
        println!("FAILED: errors or cross-tenant answers (above)");
        std::process::exit(1);
    }
}

#[derive(Clone)]
struct Setup {
    client: reqwest::Client,
    base: String,
    tenants: Arc<Vec<String>>,
    think: Duration,
    /// Saved analysis id → the user who saved it (`tenant/user`), to catch a list showing someone else's.
    owners: Arc<Mutex<HashMap<String, String>>>,
}

async fn run_round(
    setup: &Setup,
    users: &[Arc<User>],
    length: Duration,
    pid: Option<u32>,
) -> (Arc<Round>, Duration, Rss) {
    let round = Arc::new(Round::default());
    let started = Instant::now();
    let deadline = started + length;
    let sampler = pid.map(|pid| tokio::spawn(sample_rss(pid, deadline)));
    let tasks: Vec<_> = users
        .iter()
        .enumerate()
        .map(|(i, user)| {
            let (setup, user, round) = (setup.clone(), user.clone(), round.clone());
            tokio::spawn(async move { simulate(&setup, &user, &round, deadline, i).await })
        })
        .collect();
    for t in tasks {
        t.await.expect("a simulated user panicked");
    }
    let elapsed = started.elapsed();
    let mut rss = match sampler {
        Some(s) => s.await.expect("memory sampler"),
        None => Rss::default(),
    };
    if let Some(pid) = pid {
        rss.end = vm_rss(pid).unwrap_or(rss.end);
        rss.peak = rss.peak.max(rss.end);
        tokio::time::sleep(IDLE).await;
        rss.idle = vm_rss(pid).unwrap_or(rss.end);
    }
    (round, elapsed, rss)
}

/// One analyst until the deadline: the UI's mix, in a fixed order shifted per user so that the routes
/// overlap. Out of 20 steps: 11 questions, 4 saved lists, 4 exports, 1 dashboard list (and one save, the
/// first time).
async fn simulate(setup: &Setup, user: &User, round: &Round, deadline: Instant, seed: usize) {
    const PLAN: [Step; 20] = {
        use Step::*;
        [
            Ask, Saved, Ask, Export, Ask, Ask, Saved, Export, Ask, Dashboards, Ask, Saved, Ask, Export, Ask,
            Ask, Saved, Export, Ask, Ask,
        ]
    };
    let mut n = seed;
    let mut question = seed * 7;
    // People do not click in step: with a think time, each pause is drawn from half to one and a half of it,
    // and the first request waits a share of it, so that users do not stay in lockstep.
    let mut pauses = Jitter(0x9E37_79B9_7F4A_7C15 ^ (seed as u64 + 1).wrapping_mul(0xBF58_476D_1CE4_E5B9));
    if !setup.think.is_zero() {
        tokio::time::sleep(setup.think.mul_f64(pauses.next())).await;
    }
    while Instant::now() < deadline {
        let step = PLAN[n % PLAN.len()];
        n += 1;
        let ok = match step {
            Step::Ask => {
                question += 1;
                ask(setup, user, round, QUESTIONS[question % QUESTIONS.len()]).await
            }
            Step::Saved => saved_list(setup, user, round).await,
            Step::Export => export(setup, user, round).await,
            Step::Dashboards => {
                get(setup, user, round, "GET /api/dashboards", "/api/dashboards").await.is_some()
            }
        };
        if !ok {
            tokio::time::sleep(ERROR_PAUSE).await;
        } else if !setup.think.is_zero() {
            tokio::time::sleep(setup.think.mul_f64(0.5 + pauses.next())).await;
        }
    }
}

/// A xorshift generator: fractions in [0, 1), different per user, the same on every run.
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone, Copy)]
enum Step {
    Ask,
    Saved,
    Export,
    Dashboards,
}

/// Sends a request and records its latency (on success) or its error; the body on success.
async fn send(round: &Round, route: &'static str, request: reqwest::RequestBuilder) -> Option<Vec<u8>> {
    round.requests.fetch_add(1, Ordering::Relaxed);
    let started = Instant::now();
    let outcome = match request.send().await {
        Ok(res) => {
            let status = res.status();
            match res.bytes().await {
                Ok(body) if status.is_success() => Ok(body.to_vec()),
                Ok(body) => Err(format!("{} {}", status.as_u16(), error_code(&body))),
                Err(e) => Err(format!("{} body: {}", status.as_u16(), transport(&e))),
            }
        }
        Err(e) => Err(transport(&e)),
    };
    let elapsed = started.elapsed();
    match outcome {
        Ok(body) => {
            round.latencies.lock().unwrap().entry(route).or_default().push(elapsed);
            Some(body)
        }
        Err(what) => {
            *round.errors.lock().unwrap().entry((route, what)).or_default() += 1;
            None
        }
    }
}

fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_else(|| "(no error code)".into())
}

fn transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused".into()
    } else {
        "transport error".into()
    }
}

async fn get(setup: &Setup, user: &User, round: &Round, route: &'static str, path: &str) -> Option<Vec<u8>> {
    let request = setup.client.get(format!("{}{path}", setup.base)).bearer_auth(&user.token);
    send(round, route, request).await
}

async fn post(
    setup: &Setup,
    user: &User,
    round: &Round,
    route: &'static str,
    path: &str,
    body: serde_json::Value,
) -> Option<serde_json::Value> {
    let request = setup.client.post(format!("{}{path}", setup.base)).bearer_auth(&user.token).json(&body);
    let body = send(round, route, request).await?;
    json(round, route, &body)
}

fn json(round: &Round, route: &'static str, body: &[u8]) -> Option<serde_json::Value> {
    match serde_json::from_slice(body) {
        Ok(v) => Some(v),
        Err(_) => {
            *round
                .errors
                .lock()
                .unwrap()
                .entry((route, "200 with a body that is not JSON".into()))
                .or_default() += 1;
            None
        }
    }
}

/// `POST /api/ask`, and the check that its SQL reads the user's tenant and no other.
async fn ask(setup: &Setup, user: &User, round: &Round, question: &str) -> bool {
    let route = "POST /api/ask";
    let Some(answer) =
        post(setup, user, round, route, "/api/ask", serde_json::json!({"question": question})).await
    else {
        return false;
    };
    let sql = answer["sql"].as_str().unwrap_or_default();
    if let Some(problem) = foreign_tenant(sql, &user.tenant, &setup.tenants) {
        round
            .cross_tenant
            .lock()
            .unwrap()
            .push(format!("{} asked {question:?}: {problem}: {sql}", user.tenant));
    }
    true
}

/// Why `sql` is not scoped to `own` alone, if it is not.
fn foreign_tenant(sql: &str, own: &str, tenants: &[String]) -> Option<String> {
    if !sql.contains(&format!("tenant_id = '{own}'")) {
        return Some(format!("no `tenant_id = '{own}'`"));
    }
    tenants.iter().find(|t| *t != own && sql.contains(&format!("'{t}'"))).map(|t| format!("names '{t}'"))
}

/// `GET /api/saved`: the list holds only what this user saved (in their tenant).
async fn saved_list(setup: &Setup, user: &User, round: &Round) -> bool {
    let route = "GET /api/saved";
    let Some(body) = get(setup, user, round, route, "/api/saved").await else { return false };
    let Some(list) = json(round, route, &body) else { return false };
    let me = format!("{}/{}", user.tenant, user.name);
    let owners = setup.owners.lock().unwrap().clone();
    for item in list.as_array().map(Vec::as_slice).unwrap_or_default() {
        let id = item["id"].as_str().unwrap_or_default();
        let tenant = item["tenant_id"].as_str().unwrap_or_default();
        let owner = owners.get(id).map(String::as_str);
        if tenant != user.tenant || owner.is_some_and(|o| o != me) {
            round.cross_tenant.lock().unwrap().push(format!(
                "{me} listed analysis {id} of tenant {tenant} (saved by {})",
                owner.unwrap_or("nobody in this run")
            ));
        }
    }
    true
}

/// Saves the user's analysis the first time, then `GET /api/export?analysis=ID&to=csv`.
async fn export(setup: &Setup, user: &User, round: &Round) -> bool {
    let saved = user.saved.lock().unwrap().clone();
    let id = match saved {
        Some(id) => id,
        None => {
            let body =
                serde_json::json!({"name": format!("Load test {}", user.name), "question": SAVED_QUESTION});
            let Some(analysis) = post(setup, user, round, "POST /api/saved", "/api/saved", body).await else {
                return false;
            };
            let id = analysis["id"].as_str().unwrap_or_default().to_string();
            // The saved SQL is the statement before the guard, with no tenant in it: the guard scopes it on
            // every run, so what is checked is the tenant it was saved in and the exported rows below.
            let tenant = analysis["tenant_id"].as_str().unwrap_or_default();
            if tenant != user.tenant {
                round
                    .cross_tenant
                    .lock()
                    .unwrap()
                    .push(format!("{} saved into tenant {tenant}", user.tenant));
            }
            setup.owners.lock().unwrap().insert(id.clone(), format!("{}/{}", user.tenant, user.name));
            *user.saved.lock().unwrap() = Some(id.clone());
            id
        }
    };
    let route = "GET /api/export";
    let Some(csv) = get(setup, user, round, route, &format!("/api/export?analysis={id}&to=csv")).await else {
        return false;
    };
    if csv.is_empty() {
        *round.errors.lock().unwrap().entry((route, "200 with an empty file".into())).or_default() += 1;
        return false;
    }
    // Every user saved the same question, and each tenant's data differs: a file identical to another
    // tenant's means it was computed on their rows.
    let mut files = round.exports.lock().unwrap();
    if let Some((other, _)) = files.iter().find(|(t, f)| **t != user.tenant && **f == csv) {
        let problem = format!("{} exported the same rows as {other}", user.tenant);
        round.cross_tenant.lock().unwrap().push(problem);
    }
    files.entry(user.tenant.clone()).or_insert(csv);
    true
}

/// `VmRSS` of `pid` in KiB.
fn vm_rss(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Samples the server's memory every second until the deadline.
async fn sample_rss(pid: u32, deadline: Instant) -> Rss {
    let first = vm_rss(pid).unwrap_or(0);
    let mut rss = Rss { start: first, peak: first, end: first, idle: first };
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    while Instant::now() < deadline {
        tick.tick().await;
        if let Some(kib) = vm_rss(pid) {
            rss.peak = rss.peak.max(kib);
            rss.end = kib;
        }
    }
    rss
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    // Nearest rank: the smallest sample with at least p% of the samples at or below it.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank.min(sorted.len()) - 1].as_secs_f64() * 1000.0
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Prints one round; true when it failed.
fn report(n: usize, round: &Round, elapsed: Duration, rss: Rss, sampled: bool) -> bool {
    let latencies = round.latencies.lock().unwrap();
    let errors = round.errors.lock().unwrap();
    let cross = round.cross_tenant.lock().unwrap();
    let requests = round.requests.load(Ordering::Relaxed);
    let error_count: u64 = errors.values().sum();
    println!(
        "\nround {n}: {requests} requests in {:.1} s (latencies of the answered requests)",
        elapsed.as_secs_f64()
    );
    println!(
        "{:<22} {:>9} {:>7} {:>9} {:>9} {:>9}",
        "route", "requests", "errors", "P50 ms", "P95 ms", "P99 ms"
    );
    let mut routes: Vec<&str> = latencies.keys().copied().collect();
    routes.extend(errors.keys().map(|(r, _)| *r));
    routes.sort_unstable();
    routes.dedup();
    let mut all: Vec<Duration> = Vec::new();
    for route in routes {
        let mut ok = latencies.get(route).cloned().unwrap_or_default();
        let failed: u64 = errors.iter().filter(|((r, _), _)| *r == route).map(|(_, n)| n).sum();
        ok.sort_unstable();
        row(route, ok.len() as u64 + failed, failed, &ok);
        all.extend(ok);
    }
    all.sort_unstable();
    row("all", requests, error_count, &all);
    println!(
        "throughput: {:.1} requests/s; errors: {error_count}; cross-tenant answers: {}",
        requests as f64 / elapsed.as_secs_f64(),
        cross.len()
    );
    for ((route, what), count) in errors.iter() {
        println!("  error: {route}: {what} ×{count}");
    }
    for c in cross.iter().take(10) {
        println!("  CROSS-TENANT: {c}");
    }
    if sampled {
        println!(
            "server RSS: start {:.1} MiB, peak {:.1} MiB, end {:.1} MiB, after {} s idle {:.1} MiB",
            mib(rss.start),
            mib(rss.peak),
            mib(rss.end),
            IDLE.as_secs(),
            mib(rss.idle)
        );
    }
    error_count > 0 || !cross.is_empty()
}

fn row(route: &str, requests: u64, errors: u64, sorted: &[Duration]) {
    println!(
        "{route:<22} {requests:>9} {errors:>7} {:>9.1} {:>9.1} {:>9.1}",
        percentile(sorted, 50.0),
        percentile(sorted, 95.0),
        percentile(sorted, 99.0)
    );
}

fn report_growth(memory: &[Rss]) {
    println!("\nserver RSS across rounds (MiB):");
    for (n, rss) in memory.iter().enumerate() {
        println!(
            "  round {}: start {:.1}, peak {:.1}, end {:.1}, idle {:.1}",
            n + 1,
            mib(rss.start),
            mib(rss.peak),
            mib(rss.end),
            mib(rss.idle)
        );
    }
    let (first, last) = (memory[0], memory[memory.len() - 1]);
    let growth = |a: u64, b: u64| {
        let d = mib(b) - mib(a);
        let pct = if a == 0 { 0.0 } else { d / mib(a) * 100.0 };
        format!("{d:+.1} MiB ({pct:+.1}%)")
    };
    println!(
        "  growth from round 1 to round {}: peak {}, end {}, idle {}",
        memory.len(),
        growth(first.peak, last.peak),
        growth(first.end, last.end),
        growth(first.idle, last.idle)
    );
}
