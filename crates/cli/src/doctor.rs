//! `inda doctor [--fix]`: prints the checks of [`inda_app::doctor`], one line each, or one JSON document, and
//! exits 5 when any found a problem (the report, then the contract's `engine` error).
//!
//! Not here: the checks themselves, which need no argument parsing or printing.

use crate::output::{Format, print_json};
use inda_app::{DataDir, DoctorOptions, DoctorReport, Health};
use inda_core::Error;
use serde_json::json;

pub fn run(dir: &DataDir, fix: bool, format: Format) -> Result<(), Error> {
    let report = inda_app::doctor(dir, DoctorOptions { fix });
    if format == Format::Json {
        return print_document(&report);
    }
    print_text(&report);
    report.verdict()
}

/// One document, as `inda warehouse test` prints it: the report, with the contract's `error` object when a
/// check found a problem. A second, error-only document would break parsers, so the failure is the exit code.
fn print_document(report: &DoctorReport) -> Result<(), Error> {
    let mut doc =
        serde_json::to_value(report).map_err(|e| Error::internal(format!("cannot print JSON: {e}")))?;
    if let Err(e) = report.verdict() {
        doc["error"] = json!({"code": e.code.as_str(), "message": e.message});
        print_json(&doc)?;
        std::process::exit(e.code.exit_code());
    }
    print_json(&doc)
}

fn print_text(report: &DoctorReport) {
    println!("inda {} · data dir {}", report.version, report.data_dir.display());
    if let Some(n) = report.fixed {
        println!("made {n} files and folders owner-only");
    }
    if let Some(n) = report.sealed.filter(|n| *n > 0) {
        println!("encrypted {n} Parquet files of the warehouse");
    }
    let width = report.checks.iter().map(|c| c.check.as_str().len()).max().unwrap_or(0);
    for c in &report.checks {
        let status = match c.status {
            Health::Ok => "ok",
            Health::Warn => "WARN",
            Health::Problem => "PROBLEM",
        };
        println!("{status:<8} {:<width$}  {}", c.check.as_str(), c.message);
        for item in &c.items {
            println!("{:<8} {:<width$}    {item}", "", "");
        }
    }
}
