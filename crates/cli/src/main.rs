//! `inda`: the headless twin of the desktop app, for power users, servers and tests. It parses arguments,
//! calls one use case of `inda-app`, and prints the result as a table, JSON or CSV per `cli.md`.
//!
//! Not here: any business logic. Errors leave as `{code, message}` with the contract's exit codes, never as
//! a panic or a stack trace.

// The doc comments of the arguments are clap's `--help` text, where a URL is plain text, not a link.
#![allow(rustdoc::bare_urls)]

mod alerts;
mod args;
mod commands;
mod doctor;
mod library;
mod output;
mod sync;

use clap::Parser;
use inda_core::Error;
use output::Format;

/// DataFusion, the Parquet reader and sqlparser allocate and free at a high rate; mimalloc keeps freed
/// memory in its own pages where glibc hands large buffers back to the kernel and faults them in again.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // A panic must not print a stack trace (it could include data); report it as an internal error.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unexpected failure".into());
        eprintln!("error: internal error: {msg}");
    }));
    let raw: Vec<String> = std::env::args().collect();
    let wants_json = raw.windows(2).any(|w| w[0] == "--format" && w[1] == "json")
        || raw.iter().any(|a| a == "--format=json");
    let cli = match args::Cli::try_parse_from(&raw) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                std::process::exit(if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    2
                } else {
                    0
                });
            }
            let message = e.kind().to_string();
            let detail = e.to_string();
            let first = detail.lines().next().unwrap_or(&message).trim_start_matches("error: ").to_string();
            output::print_error(&Error::usage(first), if wants_json { Format::Json } else { Format::Table });
            std::process::exit(2);
        }
    };
    init_tracing(cli.verbose);
    let format = cli.output_format();
    let code = match commands::run(cli) {
        Ok(()) => 0,
        Err(e) => {
            output::print_error(&e, format);
            e.code.exit_code()
        }
    };
    std::process::exit(code);
}

/// Logs go to stderr, filtered by `INDA_LOG` (default `warn`, `info` with `--verbose`). `INDA_LOG_FORMAT=json`
/// writes one JSON object per line instead, for a log collector (`inda serve` run as a service): each line lists
/// its spans with their fields (`spans`), so every line of a request carries its `request_id`, however deep.
fn init_tracing(verbose: bool) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("INDA_LOG")
        .unwrap_or_else(|_| EnvFilter::new(if verbose { "info" } else { "warn" }));
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false);
    let _ = if std::env::var("INDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        // The span list alone: the current span would repeat its innermost entry on every line.
        builder.json().with_current_span(false).try_init()
    } else {
        builder.try_init()
    };
}
