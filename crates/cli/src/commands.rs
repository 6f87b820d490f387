//! One function per command: unpack arguments, call one use case, print.

use crate::args::{
    AlertCommand, AuditCommand, Cli, Command, ConversationCommand, DashboardCommand, DemoCommand, DemoData,
    SavedCommand, SecretCommand, TokenCommand, WarehouseCommand,
};
use crate::output::{Format, print_answer, print_json, table};
use inda_app::{App, AskOptions, Cancel, DataDir, MintRequest, Provider};
use inda_app::{DemoOptions, Progress};
use inda_core::{Error, Scope, Session};
use serde_json::json;
use std::io::IsTerminal;

pub fn run(cli: Cli) -> Result<(), Error> {
    let format = cli.output_format();
    let dir = match &cli.data_dir {
        Some(d) => DataDir::new(d),
        None => DataDir::default_location()?,
    };
    // Before the app opens: the doctor must also describe a data dir whose config or store it cannot open.
    if let Command::Doctor { fix } = cli.command {
        return crate::doctor::run(&dir, fix, format);
    }
    let mut app = App::open(dir)?;
    // The flag can only turn offline on; `[app] offline = true` in config.toml also does.
    app.offline |= cli.offline;
    let token = cli.token.clone();
    let scope = cli.scope.as_deref().map(Scope::parse_list).transpose()?;
    let scope = scope.as_ref();
    let token_ref = token.as_deref();
    let session = |app: &App| -> Result<Session, Error> {
        block_on(|_| Box::pin(async move { app.session(token_ref, scope).await }))
    };
    // Commands that only read the user's own cached results keep working after the signed-in user's token
    // expires: they switch to the cache, and say so.
    let reading = |app: &mut App| -> Result<Session, Error> {
        let shared: &App = app;
        let (s, expired) =
            block_on(|_| Box::pin(async move { shared.reading_session(token_ref, scope).await }))?;
        if expired {
            app.offline = true;
            eprintln!(
                "note: your session has expired: showing cached results only (open the app again from the CRM)"
            );
        }
        Ok(s)
    };
    let _span = tracing::info_span!("command", name = command_name(&cli.command)).entered();
    match cli.command {
        Command::Demo(DemoCommand::Init { data }) => demo_init(&app, demo_options(data)?, format),
        Command::Token(TokenCommand::Mint { tenant, user, partner, name, roles, ttl }) => {
            let partner = match partner {
                Some(p) => p,
                None => app.partner_of(&tenant).ok().flatten().unwrap_or_else(|| "indigital".into()),
            };
            let req = MintRequest {
                tenant_id: tenant,
                user_id: user,
                partner_id: partner,
                user_name: name,
                roles: roles.unwrap_or_default(),
                ttl_seconds: i64::try_from(parse_duration("--ttl", &ttl)?.as_secs())
                    .map_err(|_| Error::usage(format!("--ttl `{ttl}` is too long")))?,
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
            let guarded = app.guard_for_print(&session(&app)?, &sql)?;
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
            let sessions = {
                let (app, tenants) = (&mut app, &args.tenants);
                block_on(|_| Box::pin(async move { app.eval_sessions(tenants).await }))?
            };
            let report =
                block_on(|_| Box::pin(async move { app.evaluate(&sessions, &questions, provider).await }))?;
            if format == Format::Json {
                return print_json(&report);
            }
            for f in &report.failures {
                println!("  {} {} {:?}: {}", f.tenant, f.id, f.question, f.why);
            }
            println!(
                "{}/{} answers right ({:.1}%); {} answered wrong",
                report.correct,
                report.total,
                report.accuracy * 100.0,
                report.answered_wrong
            );
            Ok(())
        }
        Command::Audit(AuditCommand::List { limit }) => {
            let s = reading(&mut app)?;
            let entries = app.audit_log(&s, limit)?;
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
                        e.action.to_string(),
                        e.outcome.to_string(),
                        e.details.to_string(),
                    ]
                })
                .collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
        Command::Audit(AuditCommand::Export { since, out }) => {
            let s = reading(&mut app)?;
            let entries = app.audit_export(&s, since.as_deref())?;
            let bytes = match format {
                Format::Csv => crate::output::audit_csv(&entries)?,
                // A compliance export is a document: JSON unless CSV is asked for.
                Format::Json | Format::Table => serde_json::to_vec_pretty(&entries)
                    .map_err(|e| Error::internal(format!("cannot write JSON: {e}")))?,
            };
            match out {
                Some(path) => {
                    inda_core::fs::write_private(&path, &bytes)?;
                    print_json(&json!({"path": path, "rows": entries.len()}))
                }
                None => {
                    use std::io::Write;
                    // A closed pipe (`| head`) is not an error worth a message.
                    let _ = std::io::stdout().lock().write_all(&bytes);
                    Ok(())
                }
            }
        }
        Command::Audit(AuditCommand::Verify) => {
            // An expired signed-in session still may, as for `audit list`; no session at all is an `auth` error.
            let (s, _expired) = {
                let app = &app;
                block_on(|_| Box::pin(async move { app.reading_session(token_ref, scope).await }))?
            };
            let v = app.verify_audit(&s)?;
            if format == Format::Json {
                print_json(&v)?;
                if !v.ok {
                    // The report is the one JSON document on stdout (`ok: false` says why); a second, error
                    // document would break parsers, so the failure is only the exit code.
                    std::process::exit(inda_core::ErrorCode::Internal.exit_code());
                }
            } else if v.ok {
                println!("audit log intact: {} entries of {}", v.entries, v.tenant_id);
            } else {
                let reason = v.reason.as_deref().unwrap_or("unknown");
                match v.broken_at {
                    Some(seq) => println!("audit log BROKEN at entry {seq}: {reason}"),
                    None => println!("audit log BROKEN: {reason}"),
                }
            }
            if v.ok { Ok(()) } else { Err(Error::internal("the audit log has been tampered with")) }
        }
        Command::Conversation(ConversationCommand::List) => {
            let s = reading(&mut app)?;
            let list = app.conversations(&s)?;
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
            let s = reading(&mut app)?;
            let turns = app.conversation_turns(&s, &id)?;
            print_json(&turns)
        }
        Command::Saved(cmd) => {
            let read_only =
                matches!(cmd, SavedCommand::List | SavedCommand::Show { .. } | SavedCommand::Run { .. })
                    || matches!(cmd, SavedCommand::History { .. });
            let s = if read_only { reading(&mut app)? } else { session(&app)? };
            crate::library::saved(app, s, cmd, format)
        }
        Command::Alert(cmd) => {
            let read_only = matches!(cmd, AlertCommand::List | AlertCommand::Events { .. });
            let s = if read_only { reading(&mut app)? } else { session(&app)? };
            crate::alerts::run(&app, &s, cmd, format)
        }
        Command::Dashboard(cmd) => {
            let read_only = matches!(cmd, DashboardCommand::List | DashboardCommand::Show { .. });
            let s = if read_only { reading(&mut app)? } else { session(&app)? };
            crate::library::dashboard(app, s, cmd, format)
        }
        Command::Export(args) => {
            let s = reading(&mut app)?;
            crate::library::export(app, s, args, format)
        }
        Command::Serve { bind } => {
            app.client = inda_core::Client::Serve;
            let app = std::sync::Arc::new(app);
            // A signed-in user gets a ready link; the token rides in the URL once and the UI drops it from
            // the address bar.
            let link_token = app.identity(None).ok().and_then(|_| app.signed_in_token().ok());
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| Error::internal(format!("cannot start the runtime: {e}")))?;
            rt.block_on(inda_server::serve(
                app,
                inda_server::ServeOptions { bind },
                |addr| match &link_token {
                    Some(t) => println!("serving on http://{addr}/?token={}", t.expose()),
                    None => println!("serving on http://{addr}/ (open it with ?token=JWT)"),
                },
            ))
        }
        Command::Login => {
            let token = read_stdin_secret("token")?;
            let signed = app.sign_in(&token)?;
            print_sign_in(&signed, format)
        }
        Command::Open { link } => {
            let (signed, target) = app.open_link(&link)?;
            crate::library::open(app, signed, target, format)
        }
        Command::Logout => {
            let (user, removed) = app.sign_out(token.as_deref())?;
            if format == Format::Json {
                print_json(
                    &json!({"tenant_id": user.tenant_id, "user_id": user.user_id, "secrets_removed": removed}),
                )
            } else {
                println!(
                    "signed out {} ({}); {removed} keyring entries removed",
                    user.user_id, user.tenant_id
                );
                Ok(())
            }
        }
        Command::Secret(cmd) => {
            // Secrets are the user's own, not tenant data: the verified identity is enough.
            let s = app.identity(token.as_deref())?;
            match cmd {
                SecretCommand::Set { name } => {
                    let value = read_stdin_secret(&name)?;
                    app.set_secret(&s, &name, &value)?;
                    if format == Format::Json {
                        print_json(&json!({"name": name, "stored": true}))
                    } else {
                        println!("stored `{name}` in {}", app.keyring()?.describe());
                        Ok(())
                    }
                }
                SecretCommand::Delete { name } => {
                    let existed = app.delete_secret(&s, &name)?;
                    if !existed {
                        return Err(Error::not_found(format!("there is no secret named `{name}`")));
                    }
                    if format == Format::Json {
                        print_json(&json!({"name": name, "deleted": true}))
                    } else {
                        println!("deleted `{name}`");
                        Ok(())
                    }
                }
                SecretCommand::List => {
                    let names = app.secret_names(&s)?;
                    if format == Format::Json {
                        print_json(&names.iter().map(|n| json!({"name": n})).collect::<Vec<_>>())
                    } else {
                        for n in names {
                            println!("{n}");
                        }
                        Ok(())
                    }
                }
            }
        }
        Command::Scheduler(cmd) => crate::library::scheduler(app, cmd, format),
        Command::Sync(args) => crate::sync::run(&app, token.as_deref(), args, format),
        // Answered above, before the app opens.
        Command::Doctor { fix } => crate::doctor::run(&app.dir, fix, format),
        Command::Backup { out, passphrase_file } => {
            let summary = app.backup(&out, &backup_passphrase(passphrase_file.as_deref())?)?;
            if format == Format::Json {
                return print_json(&summary);
            }
            println!(
                "backup written to {} ({} bytes: {}; {} audit entries, chain intact)",
                summary.path.display(),
                summary.bytes,
                summary.files.join(", "),
                summary.audit_entries
            );
            Ok(())
        }
        Command::Restore { file, passphrase_file } => {
            let summary = app.restore(&file, &backup_passphrase(passphrase_file.as_deref())?)?;
            if format == Format::Json {
                return print_json(&summary);
            }
            println!(
                "restored {} from the backup of {} ({} audit entries, chain intact)",
                summary.files.join(", "),
                summary.created_at,
                summary.audit_entries
            );
            for kept in &summary.kept {
                println!("kept the replaced {}", kept.display());
            }
            Ok(())
        }
        Command::Demo(DemoCommand::Api { bind, data, faults }) => {
            crate::sync::demo_api(bind, demo_options(data)?, &faults, format)
        }
        Command::Whoami => {
            let info = app.session_info(token.as_deref())?;
            // The scope is shown when it can be resolved (an expired token still shows who it was).
            let choices = session(&app).and_then(|s| {
                let app = &app;
                block_on(|_| Box::pin(async move { app.scope_choices(&s).await }))
            });
            print_session(&info, choices.ok().as_deref(), format)
        }
        Command::Warehouse(WarehouseCommand::Mirror) => {
            let s = session(&app)?;
            let report = block_on(|cancel| Box::pin(async move { app.mirror(&s, &cancel).await }))?;
            if format == Format::Json {
                return print_json(&report);
            }
            println!(
                "pushed {} analyses, took {}, deleted {} there and {} here; {} executions, {} audit entries ({:.0} ms)",
                report.pushed,
                report.pulled,
                report.deleted_remote,
                report.deleted_local,
                report.executions,
                report.audit_entries,
                report.elapsed_ms
            );
            for c in &report.conflicts {
                println!(
                    "conflict: analysis {} changed here ({}) and in Snowflake ({}); kept the {} version, the other is kept in the local store",
                    c.analysis_id,
                    c.local_updated_at.as_deref().unwrap_or("?"),
                    c.remote_updated_at.as_deref().unwrap_or("?"),
                    c.kept
                );
            }
            Ok(())
        }
        Command::Warehouse(WarehouseCommand::Test) => {
            let s = session(&app)?;
            let report = block_on(|cancel| Box::pin(async move { app.warehouse_test(&s, &cancel).await }))?;
            if format == Format::Json {
                // One document: the report, with the contract's `error` object when a check failed.
                let mut doc = serde_json::to_value(&report)
                    .map_err(|e| Error::internal(format!("cannot print JSON: {e}")))?;
                if let Err(e) = report.verdict() {
                    doc["error"] = json!({"code": e.code.as_str(), "message": e.message});
                    print_json(&doc)?;
                    std::process::exit(e.code.exit_code());
                }
                print_json(&doc)?;
            } else {
                let title = match &report.profile {
                    Some(p) => format!("{} (profile {p})", report.kind),
                    None => report.kind.to_string(),
                };
                println!("warehouse: {title}");
                let headers = ["check", "status", "ms", "detail"].map(String::from);
                let rows: Vec<Vec<String>> = report
                    .checks
                    .iter()
                    .map(|c| {
                        let status = match c.status {
                            inda_app::CheckStatus::Ok => "ok",
                            inda_app::CheckStatus::Warn => "WARN",
                            inda_app::CheckStatus::Fail => "FAIL",
                        };
                        vec![c.name.to_string(), status.to_string(), c.ms.to_string(), c.detail.clone()]
                    })
                    .collect();
                print!("{}", table(&headers, &rows));
            }
            report.verdict()
        }
    }
}

/// Reads one secret value from stdin (piped, or typed without echo being our concern): trailing newlines
/// are dropped, nothing else is changed.
fn read_stdin_secret(what: &str) -> Result<inda_core::Secret, Error> {
    use std::io::Read;
    if std::io::stdin().is_terminal() {
        eprintln!("paste the {what} and press Ctrl-D:");
    }
    let mut value = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut value)
        .map_err(|_| Error::usage(format!("the {what} on stdin is not valid UTF-8 text")))?;
    let value = value.trim_end_matches(['\n', '\r']).to_string();
    if value.is_empty() {
        return Err(Error::usage(format!("no {what} on stdin")));
    }
    Ok(inda_core::Secret::new(value))
}

pub(crate) fn print_session(
    info: &inda_app::SessionInfo,
    scope: Option<&[inda_app::ScopeChoice]>,
    format: Format,
) -> Result<(), Error> {
    let in_scope: Vec<&inda_app::ScopeChoice> =
        scope.unwrap_or_default().iter().filter(|c| c.selected).collect();
    if format == Format::Json {
        let mut doc = serde_json::to_value(info).map_err(|e| Error::internal(e.to_string()))?;
        if let (Some(obj), Some(_)) = (doc.as_object_mut(), scope) {
            obj.insert("scope".into(), in_scope.iter().map(|c| c.tenant_id.clone()).collect());
        }
        return print_json(&doc);
    }
    let who = info.user_name.as_deref().unwrap_or(&info.user_id);
    let left =
        if info.expired { "expired".to_string() } else { format!("{} min left", info.seconds_left / 60) };
    println!("tenant {} · user {who} · partner {} · {left}", info.tenant_id, info.partner_id);
    println!("role: {}", info.role);
    if !in_scope.is_empty() {
        let names: Vec<&str> = in_scope.iter().map(|c| c.tenant_name.as_str()).collect();
        println!("scope: {}", names.join(", "));
    }
    if info.expired || info.refresh_due {
        match &info.refresh_url {
            Some(url) => println!("refresh due: open {url} to get a new link"),
            None => println!("refresh due: open the app again from the CRM"),
        }
    }
    Ok(())
}

pub(crate) fn print_sign_in(signed: &inda_app::SignIn, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(signed);
    }
    if let Some(e) = &signed.ended {
        println!("ended the session of {} ({})", e.user_id, e.tenant_id);
    }
    print!("signed in: ");
    print_session(&signed.session, None, format)
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
        Command::Login => "login",
        Command::Logout => "logout",
        Command::Open { .. } => "open",
        Command::Serve { .. } => "serve",
        Command::Secret(_) => "secret",
        Command::Warehouse(_) => "warehouse",
        Command::Saved(_) => "saved",
        Command::Dashboard(_) => "dashboard",
        Command::Alert(_) => "alert",
        Command::Export(_) => "export",
        Command::Scheduler(_) => "scheduler",
        Command::Sync(_) => "sync",
        Command::Doctor { .. } => "doctor",
        Command::Backup { .. } => "backup",
        Command::Restore { .. } => "restore",
    }
}

pub(crate) type Job<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, Error>> + 'a>>;

/// Runs an async use case to completion; Ctrl-C cancels the running query cleanly.
pub(crate) fn block_on<'a, T>(job: impl FnOnce(Cancel) -> Job<'a, T>) -> Result<T, Error> {
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

/// The demo data the options name, checked.
fn demo_options(data: DemoData) -> Result<DemoOptions, Error> {
    let DemoData { scale, seed, as_of, tenants } = data;
    if !(scale > 0.0 && scale <= 1000.0) {
        return Err(Error::usage("--scale must be a number above 0 and at most 1000"));
    }
    let as_of = match as_of {
        Some(s) => chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d")
            .map_err(|_| Error::usage(format!("--as-of takes a date as YYYY-MM-DD, not `{s}`")))?,
        None => chrono::Utc::now().date_naive(),
    };
    Ok(DemoOptions { scale, seed, as_of, tenants })
}

fn demo_init(app: &App, opts: DemoOptions, format: Format) -> Result<(), Error> {
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
        ["tenant", "partner", "contacts", "campaigns", "messages", "activities", "fx_rates"]
            .map(String::from)
            .to_vec();
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
                t.fx_rates.to_string(),
            ]
        })
        .collect();
    print!("{}", table(&headers, &rows));
    Ok(())
}

/// A duration given to the option `flag` (named in the error): plain seconds, or humantime's `30m`, `1h`,
/// `2d`, `1h 30m`.
pub(crate) fn parse_duration(flag: &str, s: &str) -> Result<std::time::Duration, Error> {
    let s = s.trim();
    let parsed = match s.parse::<u64>() {
        Ok(secs) => Ok(std::time::Duration::from_secs(secs)),
        Err(_) => humantime::parse_duration(s),
    };
    parsed.map_err(|_| Error::usage(format!("{flag} takes a duration like 30m, 1h or 2d, not `{s}`")))
}

/// The backup passphrase: the first line of `file`, else `INDA_BACKUP_PASSPHRASE`. Never a flag's value, which
/// the shell's history and `ps` would show.
fn backup_passphrase(file: Option<&std::path::Path>) -> Result<inda_core::Secret, Error> {
    let text = match file {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| Error::usage(format!("cannot read the passphrase file {}: {e}", path.display())))?,
        None => std::env::var("INDA_BACKUP_PASSPHRASE").map_err(|_| {
            Error::usage("no passphrase: give --passphrase-file FILE or set INDA_BACKUP_PASSPHRASE")
        })?,
    };
    Ok(inda_core::Secret::new(text.lines().next().unwrap_or_default().to_string()))
}
