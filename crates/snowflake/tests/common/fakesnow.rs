//! Starts the `fakesnow` protocol peer (`scripts/fakesnow.sh`) for a test binary: once, on a free port on
//! 127.0.0.1, stopping with the test process (the launcher watches its parent). Shared by the test
//! binaries that talk to Snowflake; it panics, never skips, when fakesnow cannot start.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Server {
    pub port: u16,
    _child: Mutex<Child>,
}

impl Server {
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the launcher with `env` added and waits until the server listens.
pub fn start(env: &[(&str, &str)]) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let mut child = Command::new("bash")
        .arg(repo_root().join("scripts/fakesnow.sh"))
        .arg("run")
        .arg(port.to_string())
        .env("INDA_FAKESNOW_PARENT", std::process::id().to_string())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .spawn()
        .expect("cannot run scripts/fakesnow.sh: bash is required");
    // The first run installs the venv from PyPI, which takes a while.
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("fakesnow did not start (exit {status}); see its output above");
        }
        assert!(Instant::now() < deadline, "fakesnow did not listen on port {port} within 10 minutes");
        std::thread::sleep(Duration::from_millis(200));
    }
    Server { port, _child: Mutex::new(child) }
}
