//! `indigital-analytics`: the desktop app. Everything is in the library (`inda_desktop`); this only sets up
//! logging and reports a start-up failure.

// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // Logs go to stderr, filtered by INDA_LOG (e.g. `INDA_LOG=debug`); warnings only by default.
    let filter = tracing_subscriber::EnvFilter::try_from_env("INDA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    if let Err(e) = inda_desktop::run() {
        eprintln!("inDigital Analytics could not start: {} ({})", e.message, e.code.as_str());
        std::process::exit(e.code.exit_code());
    }
}
