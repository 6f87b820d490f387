//! The commands of the analyst's library: saved analyses, dashboards, exports and the scheduler. Like
//! `commands`, each unpacks its arguments, calls one use case of `inda-app`, and prints.

use crate::args::{DashboardCommand, ExportArgs, SavedCommand, SchedulerCommand};
use crate::commands::block_on;
use crate::output::{Format, print_answer, print_json, table};
use inda_app::{
    App, DashboardView, ExportRequest, LinkTarget, SaveRequest, SavedAnalysis, SavedAnswer, SchedulerReport,
};
use inda_core::{Error, Session};

pub fn saved(app: App, s: Session, cmd: SavedCommand, format: Format) -> Result<(), Error> {
    let changes = matches!(
        cmd,
        SavedCommand::Save { .. }
            | SavedCommand::Run { .. }
            | SavedCommand::Delete { .. }
            | SavedCommand::Schedule { .. }
    );
    saved_command(&app, &s, cmd, format)?;
    if changes {
        mirror_after(&app, &s);
    }
    Ok(())
}

/// Local first: the change is saved; Snowflake's ADMIN tables get it now if they can (see `inda_app::mirror`).
fn mirror_after(app: &App, s: &Session) {
    if app.mirrors() {
        let _ = block_on(|cancel| Box::pin(async move { Ok(app.mirror_quietly(s, &cancel).await) }));
    }
}

fn saved_command(app: &App, s: &Session, cmd: SavedCommand, format: Format) -> Result<(), Error> {
    match cmd {
        SavedCommand::Save { name, question, sql, schedule, description } => {
            let req = SaveRequest { name, description, question, sql, schedule, chart: None };
            let saved = block_on(|_| Box::pin(async { app.save_analysis(s, &req).await }))?;
            print_analysis(&saved, format)
        }
        SavedCommand::List => {
            let list = app.list_analyses(s)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let headers: Vec<String> =
                ["id", "name", "chart", "schedule", "next_refresh_at"].map(String::from).to_vec();
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|a| {
                    vec![
                        a.id.clone(),
                        a.name.clone(),
                        a.chart_type.map(|k| k.as_str().to_string()).unwrap_or_default(),
                        a.refresh_schedule.clone().unwrap_or_default(),
                        match &a.refresh_health.schedule_paused {
                            Some(p) => format!("paused: {}", p.reason),
                            None => a.next_refresh_at.clone().unwrap_or_default(),
                        },
                    ]
                })
                .collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
        SavedCommand::Show { id } => {
            let answer =
                block_on(|cancel| Box::pin(async move { app.show_analysis(s, &id, &cancel).await }))?;
            print_saved_answer(&answer, format)
        }
        SavedCommand::Run { id } => {
            let answer = block_on(|cancel| Box::pin(async move { app.run_analysis(s, &id, &cancel).await }))?;
            print_saved_answer(&answer, format)
        }
        SavedCommand::Delete { id } => {
            app.delete_analysis(s, &id)?;
            if format == Format::Json {
                print_json(&serde_json::json!({"id": id, "deleted": true}))
            } else {
                println!("deleted {id}");
                Ok(())
            }
        }
        SavedCommand::Schedule { id, cron, off } => {
            let cron = if off { None } else { cron };
            let saved = app.schedule_analysis(s, &id, cron.as_deref())?;
            print_analysis(&saved, format)
        }
        SavedCommand::History { id } => {
            let runs = app.execution_history(s, &id)?;
            if format == Format::Json {
                return print_json(&runs);
            }
            let headers: Vec<String> =
                ["started_at", "trigger", "status", "rows", "error"].map(String::from).to_vec();
            let rows: Vec<Vec<String>> = runs
                .iter()
                .map(|r| {
                    vec![
                        r.started_at.clone(),
                        r.trigger.to_string(),
                        r.status.to_string(),
                        r.rows.map(|n| n.to_string()).unwrap_or_default(),
                        r.error.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
    }
}

pub fn dashboard(app: App, s: Session, cmd: DashboardCommand, format: Format) -> Result<(), Error> {
    match cmd {
        DashboardCommand::Create { name } => print_dashboard(&app.create_dashboard(&s, &name)?, format),
        DashboardCommand::Add { dashboard_id, analysis_id } => {
            print_dashboard(&app.dashboard_add(&s, &dashboard_id, &analysis_id)?, format)
        }
        DashboardCommand::Remove { dashboard_id, analysis_id } => {
            print_dashboard(&app.dashboard_remove(&s, &dashboard_id, &analysis_id)?, format)
        }
        DashboardCommand::Show { id } => {
            let view =
                block_on(|cancel| Box::pin(async move { app.show_dashboard(&s, &id, &cancel).await }))?;
            print_dashboard(&view, format)
        }
        DashboardCommand::Rename { id, name } => {
            print_dashboard(&app.rename_dashboard(&s, &id, &name)?, format)
        }
        DashboardCommand::Delete { id } => {
            let deleted = app.delete_dashboard(&s, &id)?;
            if format == Format::Json {
                return print_json(&deleted);
            }
            println!("deleted {id}");
            Ok(())
        }
        DashboardCommand::Text { id, text } => {
            print_dashboard(&app.dashboard_add_text(&s, &id, &text)?, format)
        }
        DashboardCommand::Move { id, tile, to } => {
            let update = inda_app::TileUpdate { position: Some(to), ..Default::default() };
            print_dashboard(&app.dashboard_update_tile(&s, &id, &tile, &update)?, format)
        }
        DashboardCommand::Resize { id, tile, width, height } => {
            let update = inda_app::TileUpdate { width, height, ..Default::default() };
            print_dashboard(&app.dashboard_update_tile(&s, &id, &tile, &update)?, format)
        }
        DashboardCommand::Filter { id, from, to, channel, country, segment, campaign, clear } => {
            let given = from.is_some()
                || to.is_some()
                || [&channel, &country, &segment, &campaign].iter().any(|v| v.is_some());
            if !given && !clear {
                return print_dashboard(&app.dashboard_layout(&s, &id)?, format);
            }
            let mut filters = if clear {
                inda_app::DashboardFilters::default()
            } else {
                app.dashboard_layout(&s, &id)?.filters
            };
            // An empty value clears that part: `--from ''`, `--channel ''`.
            let date = |d: String| Some(d).filter(|d| !d.trim().is_empty());
            if let Some(d) = from {
                filters.from = date(d);
            }
            if let Some(d) = to {
                filters.to = date(d);
            }
            for (given, kept) in [
                (channel, &mut filters.channel),
                (country, &mut filters.country),
                (segment, &mut filters.segment),
                (campaign, &mut filters.campaign),
            ] {
                if let Some(values) = given {
                    *kept = values;
                }
            }
            print_dashboard(&app.set_dashboard_filters(&s, &id, &filters)?, format)
        }
        DashboardCommand::List => {
            let list = app.list_dashboards(&s)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let headers: Vec<String> = ["id", "name", "updated_at"].map(String::from).to_vec();
            let rows: Vec<Vec<String>> =
                list.iter().map(|d| vec![d.id.clone(), d.name.clone(), d.updated_at.clone()]).collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
    }
}

pub fn export(app: App, s: Session, args: ExportArgs, format: Format) -> Result<(), Error> {
    let req =
        ExportRequest { analysis: args.analysis, dashboard: args.dashboard, format: args.to, out: args.out };
    let summary = block_on(|cancel| Box::pin(async move { app.export(&s, &req, &cancel).await }))?;
    if format == Format::Json {
        print_json(&serde_json::json!({"path": summary.path, "rows": summary.rows, "bytes": summary.bytes}))
    } else {
        println!("wrote {} ({} rows, {} bytes)", summary.path, summary.rows, summary.bytes);
        Ok(())
    }
}

pub fn scheduler(app: App, cmd: SchedulerCommand, format: Format) -> Result<(), Error> {
    let SchedulerCommand::Run { once } = cmd;
    app.dir.check_owned()?;
    let print = move |report: &SchedulerReport| {
        if format == Format::Json {
            let _ = print_json(report);
        } else {
            println!(
                "{} due, {} ran ({} ok, {} failed), {} already running elsewhere",
                report.due, report.ran, report.ok, report.failed, report.skipped
            );
            for r in &report.runs {
                println!(
                    "  {} {} {}",
                    r.analysis_id,
                    r.status,
                    r.error.as_deref().unwrap_or(&r.rows.map(|n| format!("{n} rows")).unwrap_or_default())
                );
                for a in &r.alerts {
                    println!("    alert {} {} after {} attempt(s)", a.alert_id, a.status, a.attempts);
                }
            }
        }
    };
    if once {
        let report =
            block_on(|cancel| Box::pin(async move { app.run_due(chrono::Utc::now(), &cancel).await }))?;
        print(&report);
        Ok(())
    } else {
        block_on(|cancel| Box::pin(async move { app.run_scheduler(&cancel, &print).await }))
    }
}

fn print_analysis(a: &SavedAnalysis, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(a);
    }
    println!(
        "{}  {}{}",
        a.id,
        a.name,
        a.refresh_schedule
            .as_deref()
            .map(|s| match &a.refresh_health.schedule_paused {
                Some(p) =>
                    format!("  (refresh: {s}, paused: {}; save the schedule again to resume)", p.reason),
                None => format!("  (refresh: {s}, next {})", a.next_refresh_at.as_deref().unwrap_or("-")),
            })
            .unwrap_or_default()
    );
    Ok(())
}

fn print_saved_answer(a: &SavedAnswer, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(a);
    }
    print_answer(&a.answer, format)?;
    if format == Format::Table {
        let source = if a.stale {
            format!(
                "cached result as of {} (STALE: {})",
                a.as_of,
                a.stale_reason.as_deref().unwrap_or("the warehouse failed")
            )
        } else if a.cached {
            format!("cached result as of {}", a.as_of)
        } else {
            format!("refreshed at {}", a.as_of)
        };
        println!("{source}");
    }
    Ok(())
}

fn print_dashboard(d: &DashboardView, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(d);
    }
    println!("{}  {}", d.dashboard.id, d.dashboard.name);
    let f = &d.filters;
    let mut parts: Vec<String> = Vec::new();
    if f.from.is_some() || f.to.is_some() {
        parts.push(format!("{}..{}", f.from.as_deref().unwrap_or(""), f.to.as_deref().unwrap_or("")));
    }
    for (name, values) in
        [("channel", &f.channel), ("country", &f.country), ("segment", &f.segment), ("campaign", &f.campaign)]
    {
        if !values.is_empty() {
            parts.push(format!("{name}={}", values.join(",")));
        }
    }
    if !parts.is_empty() {
        println!("  filters: {}", parts.join("  "));
    }
    for t in &d.tiles {
        let what = match (&t.result, &t.error) {
            (Some(r), _) => format!(
                "{} rows, {}{}",
                r.answer.row_count,
                if r.cached { format!("cached as of {}", r.as_of) } else { "fresh".into() },
                if r.stale { " (stale)" } else { "" }
            ),
            (None, Some(e)) => format!("error: {}", e.message),
            (None, None) => String::new(),
        };
        let what = match t.unfiltered.is_empty() {
            true => what,
            false => format!("{what} (not filtered by {})", t.unfiltered.join(", ")),
        };
        let name = t.tile.text.as_deref().map_or(t.tile.name.clone(), |text| format!("text: {text}"));
        println!(
            "  {}. {}  {}  {}  {}x{}",
            t.tile.position, t.tile.id, name, what, t.tile.width, t.tile.height
        );
    }
    Ok(())
}

/// `inda open LINK`: signed in already; now open what the link asks for.
pub fn open(
    app: App,
    signed: inda_app::SignIn,
    target: Option<LinkTarget>,
    format: Format,
) -> Result<(), Error> {
    let session = block_on(|_| Box::pin(async { app.session(None, None).await }))?;
    match target {
        None => crate::commands::print_sign_in(&signed, format),
        Some(LinkTarget::Analysis(id)) => {
            let answer =
                block_on(|cancel| Box::pin(async move { app.show_analysis(&session, &id, &cancel).await }))?;
            if format == Format::Json {
                return print_json(&serde_json::json!({"signed_in": signed, "analysis": answer}));
            }
            crate::commands::print_sign_in(&signed, format)?;
            print_saved_answer(&answer, format)
        }
        Some(LinkTarget::Question(question)) => {
            let opts = inda_app::AskOptions { conversation_id: None, new_conversation: true };
            let answer = block_on(|cancel| {
                Box::pin(async move {
                    app.ask(&session, &question, inda_app::Provider::Offline, &opts, &cancel).await
                })
            })?;
            if format == Format::Json {
                return print_json(&serde_json::json!({"signed_in": signed, "answer": answer}));
            }
            crate::commands::print_sign_in(&signed, format)?;
            print_answer(&answer, format)
        }
    }
}
