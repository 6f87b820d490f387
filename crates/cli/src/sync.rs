//! `inda sync` (the inDigital API into the configured warehouse), `inda sync export-n8n` and `inda demo api`.

use crate::args::{SyncArgs, SyncCommand};
use crate::commands::block_on;
use crate::output::{Format, print_json, table};
use inda_app::App;
use inda_core::{Error, Session};
use inda_ingest::{ApiConfig, DemoApi, Destination, Faults, SnowflakeLoader, SyncOptions, SyncReport};
use inda_warehouse::demo::DemoOptions;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// The keyring entry holding the inDigital API key (`inda secret set indigital-api`).
const KEY_ENTRY: &str = "indigital-api";

fn interval(s: &str) -> Result<Duration, Error> {
    match crate::commands::parse_duration("--every", s)? {
        0 => Err(Error::usage(format!("--every takes a duration longer than zero, not `{s}`"))),
        secs => Ok(Duration::from_secs(secs.unsigned_abs())),
    }
}

/// The API key: `INDIGITAL_API_KEY`, else the signed-in user's keyring entry; none is fine for a local API.
fn api_key(app: &App, token: Option<&str>) -> Option<String> {
    if let Ok(k) = std::env::var("INDIGITAL_API_KEY")
        && !k.trim().is_empty()
    {
        return Some(k.trim().to_string());
    }
    let session = app.session(token).ok()?;
    app.secret(&session, KEY_ENTRY).ok().flatten().map(|s| s.expose().clone())
}

pub fn run(app: &App, token: Option<&str>, args: SyncArgs, format: Format) -> Result<(), Error> {
    if let Some(SyncCommand::ExportN8n { out, api, every_minutes }) = args.command {
        let files = inda_ingest::n8n::export(&out, &api, every_minutes.max(1))?;
        let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        if format == Format::Json {
            return print_json(&json!({"path": out.display().to_string(), "workflows": paths}));
        }
        for p in paths {
            println!("{p}");
        }
        return Ok(());
    }
    let base =
        args.api.ok_or_else(|| Error::usage("--api URL is required (the inDigital API's base URL)"))?;
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(Error::usage(format!("--api takes an http(s) URL, not `{base}`")));
    }
    let every = args.every.as_deref().map(interval).transpose()?;
    let mut api = ApiConfig::new(base);
    api.api_key = api_key(app, token);
    let mut opts = SyncOptions::new(api);
    opts.tenants = args.tenants;
    opts.page_limit = args.limit;
    opts.progress = Some(Arc::new(|line: &str| eprintln!("{line}")));
    let dest = destination(app, token);
    loop {
        let (d, o) = (&dest, &opts);
        let report = block_on(|_| Box::pin(async move { inda_ingest::sync_into(d, o).await }))?;
        audit(app, &report)?;
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

/// The configured warehouse. Snowflake loads under the signed-in user's Snowflake sessions (their
/// secret), or, with nobody signed in, a service session whose password comes from `SNOWFLAKE_PASSWORD`
/// or `SNOWFLAKE_PRIVATE_KEY`.
fn destination(app: &App, token: Option<&str>) -> Destination {
    match app.snowflake_warehouse() {
        None => Destination::Embedded(app.dir.warehouse()),
        Some(sf) => {
            let session = app.session(token).unwrap_or_else(|_| {
                let now = chrono::Utc::now().timestamp();
                Session {
                    tenant_id: "_sync".into(),
                    user_id: "inda-sync".into(),
                    partner_id: "local-sync".into(),
                    user_name: None,
                    roles: vec![],
                    issued_at: now,
                    expires_at: now + 86_400,
                }
            });
            Destination::Snowflake {
                loader: SnowflakeLoader::new(sf.clone(), session),
                locks: app.dir.root().join("sync-locks"),
            }
        }
    }
}

/// One audit entry per tenant and run.
fn audit(app: &App, report: &SyncReport) -> Result<(), Error> {
    let store = app.store()?;
    for t in &report.tenants {
        store.audit(&inda_store::AuditEntry {
            tenant_id: t.tenant_id.clone(),
            user_id: "inda-sync".into(),
            action: "sync".into(),
            outcome: if t.ok { "ok" } else { "error" }.into(),
            details: json!({
                "entities": t.entities.iter().map(|e| json!({
                    "entity": e.entity, "ok": e.ok, "pages": e.pages, "loaded": e.loaded, "skipped": e.skipped,
                    "rejected": e.rejected, "retries": e.retries, "error": e.error,
                })).collect::<Vec<_>>(),
                "marts": t.marts,
                "error": t.error,
                "elapsed_ms": t.elapsed_ms,
            }),
        })?;
    }
    Ok(())
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
    let faults = Faults::parse(faults)?;
    let api = DemoApi::generate(&opts)?.with_faults(faults);
    let key = std::env::var("INDIGITAL_API_KEY").ok().filter(|k| !k.trim().is_empty());
    let api = api.with_api_key(key);
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
