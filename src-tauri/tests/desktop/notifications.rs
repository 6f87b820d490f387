//! The smoke test's alert: a saved analysis scheduled once, a few seconds ahead, with an alert that its
//! refresh meets, made through `inda` before the app starts; and a stand-in notification server that owns
//! `org.freedesktop.Notifications` on the test's D-Bus session (the one the app is launched in) and records
//! every `Notify` call, so the test sees what the app delivered over D-Bus, as a desktop would get it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zbus::zvariant::OwnedValue;

/// The saved analysis's name: the notification's title.
pub const ANALYSIS: &str = "Messages sent (smoke)";
/// An analysis whose alert fires before the app starts (`inda scheduler run`): never shown.
pub const BEFORE_START: &str = "Fired before start-up (smoke)";

/// A notification as the server received it.
#[derive(Debug, Clone)]
pub struct Shown {
    pub summary: String,
    pub body: String,
}

/// Saves a KPI scheduled to refresh about `ahead` from now and then a year later (a 6-field cron naming the
/// second, day and month), so it runs once during the test, with an alert `above 0` whose webhook refuses
/// connections (the message fails; the event is what is shown). Not a 7-field cron naming the year: once
/// its last slot has passed, the scheduler keeps finding it due at every pass.
pub fn schedule_an_alert(inda: &Path, data: &Path, name: &str, ahead: Duration) {
    let at = Command::new("date")
        .args(["-u", "-d", &format!("+{} seconds", ahead.as_secs()), "+%-S %-M %-H %-d %-m *"])
        .output()
        .expect("date");
    let cron = String::from_utf8_lossy(&at.stdout).trim().to_string();
    let kpi = "SELECT COUNT(*) AS messages FROM marts.fct_messages";
    let saved = inda_json(inda, data, &["saved", "save", "--name", name, "--sql", kpi, "--schedule", &cron]);
    let id = saved["id"].as_str().expect("the analysis's id");
    let create =
        ["alert", "create", "--analysis", id, "--above", "0", "--webhook-url-env", "INDA_SMOKE_WEBHOOK"];
    inda_json(inda, data, &create);
}

/// One pass of `inda scheduler run`: what is due now refreshes, and its alerts fire, before the app starts.
pub fn run_scheduler_once(inda: &Path, data: &Path) {
    let report = inda_json(inda, data, &["scheduler", "run", "--once"]);
    assert_eq!(report["ok"].as_u64(), Some(1), "one refresh before start-up: {report}");
}

/// `inda ARGS --format json` on `data`, as the signed-in analyst; its JSON.
fn inda_json(inda: &Path, data: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(inda)
        .args(args)
        .args(["--format", "json"])
        .env("INDA_DATA_DIR", data)
        .env("INDA_SMOKE_WEBHOOK", format!("http://127.0.0.1:{}/alert", closed_port()))
        .env_remove("INDA_TOKEN")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", inda.display()));
    assert!(out.status.success(), "inda {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("inda's JSON")
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    l.local_addr().expect("port").port()
}

/// The stand-in server: it answers as long as this lives.
pub struct Notifications {
    _bus: zbus::Connection,
    seen: Arc<Mutex<Vec<Shown>>>,
}

struct Server {
    seen: Arc<Mutex<Vec<Shown>>>,
    last_id: AtomicU32,
}

/// The calls of the Desktop Notifications Specification a client makes.
#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Shown { summary, body });
        self.last_id.fetch_add(1, Ordering::SeqCst) + 1
    }

    fn close_notification(&self, _id: u32) {}

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        ("inda-smoke".into(), "inDigital".into(), "1".into(), "1.2".into())
    }
}

impl Notifications {
    /// Takes `org.freedesktop.Notifications` on the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub async fn serve() -> Notifications {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let server = Server { seen: seen.clone(), last_id: AtomicU32::new(0) };
        let bus = async {
            zbus::connection::Builder::session()?
                .name("org.freedesktop.Notifications")?
                .serve_at("/org/freedesktop/Notifications", server)?
                .build()
                .await
        }
        .await
        .expect("cannot serve org.freedesktop.Notifications on the D-Bus session (is another server on it?)");
        Notifications { _bus: bus, seen }
    }

    /// What was shown so far.
    pub fn shown(&self) -> Vec<Shown> {
        self.seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// What was shown once something was, within `within`.
    pub async fn wait(&self, within: Duration) -> Vec<Shown> {
        let deadline = Instant::now() + within;
        while self.shown().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.shown()
    }
}
