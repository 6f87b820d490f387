//! One function per command: unpack arguments, call one use case, print.

use crate::args::{AuditCommand, Cli, Command, ConversationCommand, DemoCommand, TokenCommand};
use crate::output::{Format, print_answer, print_json, table};
use inda_app::{App, AskOptions, DataDir, Provider};
use inda_core::{Error, Session};
use inda_warehouse::Cancel;
use inda_warehouse::demo::{DemoOptions, Progress};
use serde_json::json;
use std::io::IsTerminal;

pub fn run(cli: Cli) -> Result<(), Error> {
    let format = cli.output_format();
    let dir = match &cli.data_dir {
        Some(d) => DataDir::new(d),
        None => DataDir::default_location()?,
    };
    let mut app = App::open(dir)?;
    // The flag can only turn offline on; `[app] offline = true` in config.toml also does.
    app.offline |= cli.offline;
    let token = cli.token.clone();
    let session = |app: &App| -> Result<Session, Error> { app.session(token.as_deref()) };
    let _span = tracing::info_span!("command", name = command_name(&cli.command)).entered();
    match cli.command {
        Command::Demo(DemoCommand::Init { scale, seed, as_of, tenants }) => {
            demo_init(&app, scale, seed, as_of, tenants, format)
        }
        Command::Token(TokenCommand::Mint { tenant, user, partner, name, roles, ttl }) => {
            let req = inda_auth::MintRequest {
                tenant_id: tenant,
                user_id: user,
                partner_id: partner,
                user_name: name,
                roles: roles.unwrap_or_default(),
                ttl_seconds: parse_duration(&ttl)?,
            };
            let token = app.mint_token(&req)?;
            if format == Format::Json {
                print_json(&json!({"token": token}))
            } else {
                println!("{token}");
                Ok(())
            }
        }
        Command::Guard { sql } => {
            let s = session(&app)?;
            let guarded = match app.guard(&s, &sql) {
                Ok(g) => g,
                Err(e) => {
                    app.store()?.audit(&inda_store::AuditEntry {
                        tenant_id: s.tenant_id.clone(),
                        user_id: s.user_id.clone(),
                        action: "guard".into(),
                        outcome: "rejected".into(),
                        details: json!({"submitted": sql.chars().take(4000).collect::<String>(), "message": e.message}),
                    })?;
                    return Err(e);
                }
            };
            if format == Format::Json {
                print_json(&json!({"sql": guarded.sql, "tables": guarded.tables, "limit": guarded.limit}))
            } else {
                println!("{}", guarded.sql);
                Ok(())
            }
        }
        Command::Sql { sql } => {
            let s = session(&app)?;
            let answer = block_on(|cancel| Box::pin(async move { app.run_sql(&s, &sql, &cancel).await }))?;
            print_answer(&answer, format)
        }
        Command::Ask(args) => {
            let s = session(&app)?;
            let provider = Provider::parse(&args.provider)?;
            let opts =
                AskOptions { conversation_id: args.conversation, new_conversation: args.new_conversation };
            let question = args.question;
            let answer = block_on(|cancel| {
                Box::pin(async move { app.ask(&s, &question, provider, &opts, &cancel).await })
            })?;
            print_answer(&answer, format)
        }
        Command::Eval(args) => {
            let text = std::fs::read_to_string(&args.set)
                .map_err(|e| Error::usage(format!("cannot read {}: {e}", args.set.display())))?;
            let questions = inda_app::eval::parse_questions(&text)?;
            let provider = Provider::parse(&args.provider)?;
            let tenants = if args.tenants.is_empty() {
                vec!["acme_corp".into(), "umbrella".into()]
            } else {
                args.tenants
            };
            let mut sessions = Vec::new();
            for t in &tenants {
                let req = inda_auth::MintRequest {
                    tenant_id: t.clone(),
                    user_id: "eval@indigital.local".into(),
                    partner_id: "indigital".into(),
                    user_name: None,
                    roles: vec![],
                    ttl_seconds: 3600,
                };
                let token = app.mint_token(&req)?;
                sessions.push(app.session(Some(&token))?);
            }
            let report =
                block_on(|_| Box::pin(async move { app.evaluate(&sessions, &questions, provider).await }))?;
            if format == Format::Json {
                return print_json(&report);
            }
            for f in &report.failures {
                println!("  {} {} {:?}: {}", f.tenant, f.id, f.question, f.why);
            }
            println!(
                "{}/{} answers equal the gold results ({:.1}%)",
                report.correct,
                report.total,
                report.accuracy * 100.0
            );
            Ok(())
        }
        Command::Audit(AuditCommand::List { limit }) => {
            let s = session(&app)?;
            let entries = app.store()?.audit_list(&s.tenant_id, &s.user_id, limit.clamp(1, 10_000))?;
            if format == Format::Json {
                return print_json(&entries);
            }
            let headers: Vec<String> =
                ["seq", "created_at", "action", "outcome", "details"].map(String::from).to_vec();
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.seq.to_string(),
                        e.created_at.clone(),
                        e.action.clone(),
                        e.outcome.clone(),
                        e.details.to_string(),
                    ]
                })
                .collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
        Command::Audit(AuditCommand::Verify) => {
            let v = app.store()?.verify_audit()?;
            if format == Format::Json {
                print_json(&v)?;
                if !v.ok {
                    // The report is the one JSON document on stdout (`ok: false` says why); a second, error
                    // document would break parsers, so the failure is only the exit code.
                    std::process::exit(inda_core::ErrorCode::Internal.exit_code());
                }
            } else if v.ok {
                println!("audit log intact: {} entries", v.entries);
            } else {
                println!(
                    "audit log BROKEN at entry {}: {}",
                    v.broken_at.unwrap_or_default(),
                    v.reason.as_deref().unwrap_or("unknown")
                );
            }
            if v.ok { Ok(()) } else { Err(Error::internal("the audit log has been tampered with")) }
        }
        Command::Conversation(ConversationCommand::List) => {
            let s = session(&app)?;
            let list = app.store()?.conversation_list(&s.tenant_id, &s.user_id)?;
            if format == Format::Json {
                return print_json(&list);
            }
            let headers: Vec<String> = ["id", "updated_at", "title"].map(String::from).to_vec();
            let rows: Vec<Vec<String>> =
                list.iter().map(|c| vec![c.id.clone(), c.updated_at.clone(), c.title.clone()]).collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
        Command::Conversation(ConversationCommand::Show { id }) => {
            let s = session(&app)?;
            let turns = app.store()?.conversation_turns(&s.tenant_id, &s.user_id, &id)?;
            print_json(&turns)
        }
        Command::Saved(cmd) => {
            let s = session(&app)?;
            crate::library::saved(app, s, cmd, format)
        }
        Command::Dashboard(cmd) => {
            let s = session(&app)?;
            crate::library::dashboard(app, s, cmd, format)
        }
        Command::Export(args) => {
            let s = session(&app)?;
            crate::library::export(app, s, args, format)
        }
        Command::Scheduler(cmd) => crate::library::scheduler(app, cmd, format),
        Command::Whoami => {
            let s = session(&app)?;
            let now = inda_app::now();
            let left = s.seconds_left(now);
            let doc = json!({
                "tenant_id": s.tenant_id,
                "user_id": s.user_id,
                "partner_id": s.partner_id,
                "user_name": s.user_name,
                "roles": s.roles,
                "expires_at": chrono::DateTime::from_timestamp(s.expires_at, 0).map(|t| t.to_rfc3339()),
                "seconds_left": left,
                "refresh_due": left < 600,
            });
            if format == Format::Json {
                print_json(&doc)
            } else {
                println!(
                    "tenant {} · user {} · partner {} · {} min left",
                    s.tenant_id,
                    s.user_id,
                    s.partner_id,
                    left / 60
                );
                Ok(())
            }
        }
    }
}

fn command_name(c: &Command) -> &'static str {
    match c {
        Command::Demo(_) => "demo",
        Command::Token(_) => "token",
        Command::Guard { .. } => "guard",
        Command::Sql { .. } => "sql",
        Command::Ask(_) => "ask",
        Command::Eval(_) => "eval",
        Command::Audit(_) => "audit",
        Command::Conversation(_) => "conversation",
        Command::Whoami => "whoami",
        Command::Saved(_) => "saved",
        Command::Dashboard(_) => "dashboard",
        Command::Export(_) => "export",
        Command::Scheduler(_) => "scheduler",
    }
}

pub(crate) type Job<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>>>>;

/// Runs an async use case to completion; Ctrl-C cancels the running query cleanly.
pub(crate) fn block_on<T>(job: impl FnOnce(Cancel) -> Job<T>) -> Result<T, Error> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::internal(format!("cannot start the runtime: {e}")))?;
    let cancel = Cancel::new();
    let on_signal = cancel.clone();
    rt.block_on(async move {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        job(cancel).await
    })
}

fn demo_init(
    app: &App,
    scale: f64,
    seed: u64,
    as_of: Option<String>,
    tenants: Option<Vec<String>>,
    format: Format,
) -> Result<(), Error> {
    if !(scale > 0.0 && scale <= 1000.0) {
        return Err(Error::usage("--scale must be a number above 0 and at most 1000"));
    }
    let as_of = match as_of {
        Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| Error::usage(format!("--as-of takes a date as YYYY-MM-DD, not `{s}`")))?,
        None => chrono::Utc::now().date_naive(),
    };
    let opts = DemoOptions { scale, seed, as_of, tenants };
    let bar = if std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} generating demo data {bar:30} {pos}/{len} rows ({eta})",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let progress = |p: Progress| {
        if let Some(bar) = &bar {
            match p {
                Progress::Start { total_rows } => bar.set_length(total_rows),
                Progress::Advance(n) => bar.inc(n),
                Progress::Done => bar.finish_and_clear(),
            }
        }
    };
    let summary = app.demo_init(&opts, &progress)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if format == Format::Json {
        return print_json(&summary);
    }
    println!(
        "demo warehouse created in {} ({} rows, as of {}, seed {}, {:.1} s)",
        app.dir.warehouse().display(),
        summary.rows,
        summary.as_of,
        summary.seed,
        summary.elapsed_ms / 1000.0
    );
    let headers: Vec<String> =
        ["tenant", "partner", "contacts", "campaigns", "messages", "activities"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = summary
        .tenants
        .iter()
        .map(|t| {
            vec![
                t.tenant_id.clone(),
                t.partner_id.clone(),
                t.contacts.to_string(),
                t.campaigns.to_string(),
                t.messages.to_string(),
                t.activities.to_string(),
            ]
        })
        .collect();
    print!("{}", table(&headers, &rows));
    Ok(())
}

/// `30m`, `1h`, `2d`, `45s` or plain seconds.
fn parse_duration(s: &str) -> Result<i64, Error> {
    let bad = || Error::usage(format!("--ttl takes a duration like 30m, 1h or 2d, not `{s}`"));
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: i64 = num.parse().map_err(|_| bad())?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(bad()),
    };
    n.checked_mul(mult).ok_or_else(bad)
}
