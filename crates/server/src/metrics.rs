//! `GET /metrics`: what operators scrape, in Prometheus' text exposition format 0.0.4. Requests by route
//! template, method and status; request latency by route; query time by engine; the guard's refusals and the
//! questions not understood; the question engines' calls, tokens and cost by provider.
//!
//! Every label is bounded, and none carries tenant data: routes are axum's templates (`/api/saved/{id}`),
//! never raw paths, engines and providers fixed sets. A few counters under a lock and fixed-bucket histograms are all it
//! takes, so no metrics crate.

use axum::http::Method;
use inda_app::{Answer, ProviderTally, SavedAnswer};
use inda_core::{Error, ErrorCode};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The media type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Upper bounds of the latency buckets, in seconds: from a cached read (5 ms) to a query near its limit.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The label of requests that no route template matched (the UI's pages and files, unknown paths).
pub const UNMATCHED: &str = "fallback";

/// The server's counters since it started.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<RequestKey, u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    queries: Mutex<BTreeMap<Engine, Histogram>>,
    guard_rejections: AtomicU64,
    not_understood: AtomicU64,
}

/// Route template, method, status code.
type RequestKey = (String, &'static str, u16);

/// The engines an answer names; anything else is `other` (a label set never grows with input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Engine {
    Embedded,
    Snowflake,
    Other,
}

impl Engine {
    fn of(name: &str) -> Engine {
        match name {
            "embedded" => Engine::Embedded,
            "snowflake" => Engine::Snowflake,
            _ => Engine::Other,
        }
    }
    fn as_str(self) -> &'static str {
        match self {
            Engine::Embedded => "embedded",
            Engine::Snowflake => "snowflake",
            Engine::Other => "other",
        }
    }
}

/// Counts per bucket (each already cumulative: a sample counts in every bucket it fits), their number and
/// their sum in seconds.
#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        for (n, le) in self.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= le {
                *n += 1;
            }
        }
        self.count += 1;
        self.sum += seconds;
    }
}

/// A use case's result that says which engine ran its query and how long the answer took.
pub trait QueryTime {
    /// The engine's name and the time, or `None` when no query ran (a cached result).
    fn query_time(&self) -> Option<(&str, Duration)>;
}

impl QueryTime for Answer {
    fn query_time(&self) -> Option<(&str, Duration)> {
        let seconds = Duration::try_from_secs_f64(self.elapsed_ms / 1000.0).ok()?;
        Some((&self.engine, seconds))
    }
}

impl QueryTime for SavedAnswer {
    fn query_time(&self) -> Option<(&str, Duration)> {
        if self.cached { None } else { self.answer.query_time() }
    }
}

/// A poisoned lock only means a panic mid-increment elsewhere: the counts are still worth reporting.
fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// One answered request: `route` is its template (or [`UNMATCHED`]).
    pub fn request(&self, route: &str, method: &Method, status: u16, elapsed: Duration) {
        *locked(&self.requests).entry((route.to_string(), method_label(method), status)).or_default() += 1;
        locked(&self.latency).entry(route.to_string()).or_default().observe(elapsed.as_secs_f64());
    }

    /// A boundary error, counted by its code.
    pub fn error(&self, code: ErrorCode) {
        let counter = match code {
            ErrorCode::GuardRejected => &self.guard_rejections,
            ErrorCode::NotUnderstood => &self.not_understood,
            _ => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Records the query time of an answer and passes it on. Its error is counted where it becomes the
    /// response (the request's middleware reads its code).
    pub fn answered<T: QueryTime>(&self, answer: Result<T, Error>) -> Result<T, Error> {
        if let Ok(Some((engine, elapsed))) = answer.as_ref().map(QueryTime::query_time) {
            locked(&self.queries).entry(Engine::of(engine)).or_default().observe(elapsed.as_secs_f64());
        }
        answer
    }

    /// [`Metrics::answered`] for an answer streamed as events, whose error reaches the client inside a
    /// `200` stream rather than as an error response: counted here.
    pub fn streamed<T: QueryTime>(&self, answer: Result<T, Error>) -> Result<T, Error> {
        if let Err(e) = &answer {
            self.error(e.code);
        }
        self.answered(answer)
    }

    /// Everything, in the text exposition format; `providers` is the app's tally of model calls
    /// ([`inda_app::App::provider_usage`]), which the app keeps since only it sees the calls.
    pub fn render(&self, providers: &[ProviderTally]) -> String {
        let mut out = String::new();
        family(&mut out, "inda_build_info", "gauge", "The running version of inda serve.");
        line(&mut out, "inda_build_info", &[("version", env!("CARGO_PKG_VERSION"))], 1);
        self.render_requests(&mut out);
        let latency = locked(&self.latency);
        let name = "inda_http_request_duration_seconds";
        family(&mut out, name, "histogram", "Time to answer a request (to the start of a stream), by route.");
        for (route, h) in latency.iter() {
            histogram(&mut out, name, ("route", route), h);
        }
        drop(latency);
        let queries = locked(&self.queries);
        let name = "inda_query_duration_seconds";
        let help = "Time from a request to its answer when a query ran (ask, sql, saved runs), by engine.";
        family(&mut out, name, "histogram", help);
        for (engine, h) in queries.iter() {
            histogram(&mut out, name, ("engine", engine.as_str()), h);
        }
        drop(queries);
        self.render_errors(&mut out);
        render_providers(&mut out, providers);
        out
    }

    fn render_requests(&self, out: &mut String) {
        let name = "inda_http_requests_total";
        family(out, name, "counter", "Requests answered, by route template, method and status code.");
        for ((route, method, status), n) in locked(&self.requests).iter() {
            let status = status.to_string();
            line(out, name, &[("route", route), ("method", method), ("status", &status)], *n);
        }
    }

    fn render_errors(&self, out: &mut String) {
        let counters = [
            ("inda_guard_rejections_total", "Statements the SQL guard refused.", &self.guard_rejections),
            (
                "inda_not_understood_total",
                "Questions the question engine did not understand.",
                &self.not_understood,
            ),
        ];
        for (name, help, n) in counters {
            family(out, name, "counter", help);
            line(out, name, &[], n.load(Ordering::Relaxed));
        }
    }
}

/// The question engines' calls (by outcome), tokens (by direction) and estimated cost, per provider. A
/// provider appears from its first call on: before that the families are declared with no samples.
fn render_providers(out: &mut String, providers: &[ProviderTally]) {
    let name = "inda_provider_calls_total";
    family(out, name, "counter", "Question-engine calls, by provider and outcome (ok, error).");
    for t in providers {
        line(out, name, &[("provider", t.provider), ("outcome", "ok")], t.answered);
        line(out, name, &[("provider", t.provider), ("outcome", "error")], t.failed);
    }
    let name = "inda_provider_tokens_total";
    family(out, name, "counter", "Question-engine tokens, by provider and direction (input, output).");
    for t in providers {
        line(out, name, &[("provider", t.provider), ("direction", "input")], t.input_tokens);
        line(out, name, &[("provider", t.provider), ("direction", "output")], t.output_tokens);
    }
    let name = "inda_provider_cost_usd_total";
    family(out, name, "counter", "Question-engine cost in US dollars as estimated from prices, by provider.");
    for t in providers {
        // Kept in micro-dollars, so six decimals are exact.
        let usd = format!("{}.{:06}", t.cost_micro_usd / 1_000_000, t.cost_micro_usd % 1_000_000);
        line(out, name, &[("provider", t.provider)], usd);
    }
}

/// The few methods the routes take; any other is `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn line(out: &mut String, name: &str, labels: &[(&str, &str)], value: impl std::fmt::Display) {
    out.push_str(name);
    if !labels.is_empty() {
        let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{k}=\"{}\"", escape(v))).collect();
        let _ = write!(out, "{{{}}}", pairs.join(","));
    }
    let _ = writeln!(out, " {value}");
}

fn histogram(out: &mut String, name: &str, label: (&str, &str), h: &Histogram) {
    let bucket = format!("{name}_bucket");
    for (le, n) in BUCKETS.iter().zip(h.buckets) {
        line(out, &bucket, &[label, ("le", &le.to_string())], n);
    }
    line(out, &bucket, &[label, ("le", "+Inf")], h.count);
    line(out, &format!("{name}_sum"), &[label], h.sum);
    line(out, &format!("{name}_count"), &[label], h.count);
}

/// Label values escape `\`, `"` and line feeds (the format's only rule).
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_end_at_infinity() {
        let m = Metrics::default();
        m.request("/api/ask", &Method::POST, 200, Duration::from_millis(3));
        m.request("/api/ask", &Method::POST, 200, Duration::from_millis(300));
        m.request("/api/ask", &Method::POST, 200, Duration::from_secs(30));
        let text = m.render(&[]);
        let bucket =
            |le: &str| format!("inda_http_request_duration_seconds_bucket{{route=\"/api/ask\",le=\"{le}\"}}");
        assert!(text.contains(&format!("{} 1\n", bucket("0.005"))), "{text}");
        assert!(text.contains(&format!("{} 2\n", bucket("0.5"))), "{text}");
        assert!(text.contains(&format!("{} 2\n", bucket("10"))), "{text}");
        assert!(text.contains(&format!("{} 3\n", bucket("+Inf"))), "{text}");
        assert!(text.contains("inda_http_request_duration_seconds_count{route=\"/api/ask\"} 3\n"), "{text}");
        assert!(
            text.contains("inda_http_requests_total{route=\"/api/ask\",method=\"POST\",status=\"200\"} 3\n")
        );
    }

    #[test]
    fn errors_count_by_code_and_engines_stay_bounded() {
        let m = Metrics::default();
        m.error(ErrorCode::GuardRejected);
        m.error(ErrorCode::Usage);
        let _ = m.streamed::<Answer>(Err(Error::not_understood("?")));
        assert_eq!(Engine::of("duckdb"), Engine::Other);
        let text = m.render(&[]);
        assert!(text.contains("\ninda_guard_rejections_total 1\n"), "{text}");
        assert!(text.contains("\ninda_not_understood_total 1\n"), "{text}");
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn providers_report_calls_tokens_and_exact_cost() {
        let tally = ProviderTally {
            provider: "anthropic",
            answered: 3,
            failed: 1,
            input_tokens: 4200,
            output_tokens: 310,
            cost_micro_usd: 2_030_405,
        };
        let text = Metrics::default().render(&[tally]);
        assert!(
            text.contains("\ninda_provider_calls_total{provider=\"anthropic\",outcome=\"ok\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("\ninda_provider_calls_total{provider=\"anthropic\",outcome=\"error\"} 1\n"));
        assert!(
            text.contains("\ninda_provider_tokens_total{provider=\"anthropic\",direction=\"output\"} 310\n")
        );
        assert!(text.contains("\ninda_provider_cost_usd_total{provider=\"anthropic\"} 2.030405\n"), "{text}");
        let none = Metrics::default().render(&[]);
        assert!(none.contains("# TYPE inda_provider_cost_usd_total counter\n"));
        assert!(!none.contains("inda_provider_cost_usd_total{"), "no samples before a call");
    }
}
