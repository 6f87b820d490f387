//! `inda sync` (the inDigital API into the configured warehouse), `inda sync export-n8n` and `inda demo api`.

use crate::args::{SyncArgs, SyncCommand};
use crate::commands::block_on;
use crate::output::{Format, print_json, table};
use inda_app::DemoOptions;
use inda_app::{App, ProgressFn, SyncReport, SyncRequest};
use inda_core::Error;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn interval(s: &str) -> Result<Duration, Error> {
    match crate::commands::parse_duration("--every", s)? {
        Duration::ZERO => Err(Error::usage(format!("--every takes a duration longer than zero, not `{s}`"))),
        every => Ok(every),
    }
}

pub fn run(app: &App, token: Option<&str>, args: SyncArgs, format: Format) -> Result<(), Error> {
    if let Some(SyncCommand::ExportN8n { out, api, every_minutes }) = args.command {
        let files = app.export_n8n(&out, &api, every_minutes)?;
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        if format == Format::Json {
            return print_json(&json!({"path": out.display().to_string(), "workflows": paths}));
        }
        for p in paths {
            println!("{p}");
        }
        return Ok(());
    }
    let api = args.api.ok_or_else(|| Error::usage("--api URL is required (the inDigital API's base URL)"))?;
    let every = args.every.as_deref().map(interval).transpose()?;
    let progress: ProgressFn = Arc::new(|line: &str| eprintln!("{line}"));
    loop {
        let req = SyncRequest {
            api: api.clone(),
            tenants: args.tenants.clone(),
            page_limit: args.limit,
            progress: Some(progress.clone()),
        };
        let report = block_on(|_| Box::pin(async move { app.sync(token, req).await }))?;
        print_report(&report, format)?;
        match every {
            None => {
                return if report.ok {
                    Ok(())
                } else {
                    Err(Error::engine("the sync failed for some tenants or entities (see the summary)"))
                };
            }
            Some(d) => {
                let stop = block_on(|cancel| {
                    Box::pin(async move {
                        tokio::select! {
                            _ = tokio::time::sleep(d) => Ok(false),
                            _ = cancel.cancelled() => Ok(true),
                        }
                    })
                })?;
                if stop {
                    return Ok(());
                }
            }
        }
    }
}

fn print_report(report: &SyncReport, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(report);
    }
    let headers: Vec<String> =
        ["tenant", "entity", "status", "pages", "loaded", "skipped", "rejected", "retries"]
            .map(String::from)
            .to_vec();
    let mut rows = Vec::new();
    for t in &report.tenants {
        if t.entities.is_empty() {
            rows.push(vec![
                t.tenant_id.clone(),
                "-".into(),
                "failed".into(),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
                "0".into(),
            ]);
        }
        for e in &t.entities {
            rows.push(vec![
                t.tenant_id.clone(),
                e.entity.clone(),
                if e.ok { "ok".into() } else { "failed".into() },
                e.pages.to_string(),
                e.loaded.to_string(),
                e.skipped.to_string(),
                e.rejected.to_string(),
                e.retries.to_string(),
            ]);
        }
    }
    print!("{}", table(&headers, &rows));
    println!("{} records loaded in {:.1} s", report.loaded, report.elapsed_ms / 1000.0);
    for t in report.tenants.iter().filter(|t| !t.ok) {
        eprintln!("{}: {}", t.tenant_id, t.error.as_deref().unwrap_or("failed"));
    }
    Ok(())
}

pub fn demo_api(
    bind: std::net::SocketAddr,
    opts: DemoOptions,
    faults: &str,
    format: Format,
) -> Result<(), Error> {
    let key = std::env::var("INDIGITAL_API_KEY").ok().filter(|k| !k.trim().is_empty());
    let api = inda_app::demo_api(&opts, faults, key)?;
    block_on(|cancel| {
        Box::pin(async move {
            let records = api.total();
            let server = api.serve(bind).await?;
            if format == Format::Json {
                print_json(&json!({"url": server.url(), "records": records}))?;
            } else {
                println!(
                    "serving the inDigital demo API on {} ({records} records); Ctrl-C stops",
                    server.url()
                );
            }
            use std::io::Write;
            let _ = std::io::stdout().flush();
            cancel.cancelled().await;
            Ok(())
        })
    })
}
