//! `inda alert …`: alerts on saved analyses. Like `library`, each command unpacks its arguments, calls one
//! use case of `inda-app`, and prints: JSON per `cli.md` (an object with its `id` for what is created or
//! changed, an array for lists), or a table.
//!
//! Not here: when alerts fire or how messages are sent (`inda_app`'s alerts). The webhook URL is read from
//! a file or an environment variable, never from a flag (the shell's history and `ps` would show it), and
//! never printed.

use crate::args::{AlertCommand, AlertCreateArgs};
use crate::commands::block_on;
use crate::output::{Format, print_json, table};
use inda_app::{Alert, AlertDelivery, AlertRequest, App, ConditionKind, WebhookUrl};
use inda_core::{Error, Secret, Session};

pub fn run(app: &App, s: &Session, cmd: AlertCommand, format: Format) -> Result<(), Error> {
    match cmd {
        AlertCommand::Create(args) => print_alert(&app.create_alert(s, &request(args)?)?, format),
        AlertCommand::List => print_alerts(&app.list_alerts(s)?, format),
        AlertCommand::Pause { id } => print_alert(&app.set_alert_paused(s, &id, true)?, format),
        AlertCommand::Resume { id } => print_alert(&app.set_alert_paused(s, &id, false)?, format),
        AlertCommand::Delete { id } => {
            app.delete_alert(s, &id)?;
            if format == Format::Json {
                return print_json(&serde_json::json!({"id": id, "deleted": true}));
            }
            println!("deleted {id}");
            Ok(())
        }
        AlertCommand::Test { id } => {
            let sent = block_on(|_| Box::pin(async move { app.test_alert(s, &id).await }))?;
            print_test(&sent, format)
        }
        AlertCommand::Events { since } => {
            let events = app.alert_events(s, since.as_deref())?;
            if format == Format::Json {
                return print_json(&events);
            }
            let headers = ["fired_at", "alert", "status", "attempts", "message"].map(String::from);
            let rows: Vec<Vec<String>> = events
                .iter()
                .map(|e| {
                    let said =
                        e.error.as_deref().map_or(e.message.clone(), |err| format!("{} ({err})", e.message));
                    vec![
                        e.fired_at.clone(),
                        e.alert_id.clone(),
                        e.status.to_string(),
                        e.attempts.to_string(),
                        said,
                    ]
                })
                .collect();
            print!("{}", table(&headers, &rows));
            Ok(())
        }
    }
}

/// The request of `inda alert create`, its URL from the file or variable named.
fn request(args: AlertCreateArgs) -> Result<AlertRequest, Error> {
    let (condition, threshold) = [
        (ConditionKind::Above, args.above),
        (ConditionKind::Below, args.below),
        (ConditionKind::ChangeUp, args.change_up),
        (ConditionKind::ChangeDown, args.change_down),
        (ConditionKind::ChangeEither, args.change),
    ]
    .into_iter()
    .find_map(|(kind, n)| n.map(|n| (kind, n)))
    .ok_or_else(|| Error::usage("give one of --above, --below, --change-up, --change-down, --change"))?;
    let url = webhook_url(args.webhook_url_file.as_deref(), args.webhook_url_env.as_deref())?;
    Ok(AlertRequest {
        analysis_id: args.analysis,
        condition,
        threshold,
        column: args.column,
        row: args.row,
        webhook_url: WebhookUrl(url),
    })
}

/// The first line of `file`, else the variable `env`. Errors name where it was looked for, never a value.
fn webhook_url(file: Option<&std::path::Path>, env: Option<&str>) -> Result<Secret, Error> {
    let text = match (file, env) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map_err(|e| Error::usage(format!("cannot read the webhook URL file {}: {e}", path.display())))?,
        (None, Some(var)) => std::env::var(var)
            .map_err(|_| Error::usage(format!("the environment variable {var} holds no webhook URL")))?,
        (None, None) => return Err(Error::usage("give --webhook-url-file FILE or --webhook-url-env VAR")),
    };
    let url = text.lines().next().unwrap_or_default().trim().to_string();
    if url.is_empty() {
        return Err(Error::usage("the webhook URL is empty"));
    }
    Ok(Secret::new(url))
}

fn print_alert(a: &Alert, format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(a);
    }
    println!("{}  on {}  {}{}", a.id, a.analysis_id, describe(a), if a.paused { "  (paused)" } else { "" });
    Ok(())
}

fn print_alerts(list: &[Alert], format: Format) -> Result<(), Error> {
    if format == Format::Json {
        return print_json(&list);
    }
    let headers = ["id", "analysis", "condition", "status", "last_value"].map(String::from);
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|a| {
            vec![
                a.id.clone(),
                a.analysis_id.clone(),
                describe(a),
                if a.paused { "paused" } else { "active" }.to_string(),
                a.last_value.map(|v| v.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    print!("{}", table(&headers, &rows));
    Ok(())
}

/// `revenue (whatsapp) above 1000`, `first measure change_up 10%`.
fn describe(a: &Alert) -> String {
    let what = a.column.as_deref().unwrap_or("first measure");
    let row = a.row.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    let unit = if matches!(a.condition, ConditionKind::Above | ConditionKind::Below) { "" } else { "%" };
    format!("{what}{row} {} {}{unit}", a.condition, a.threshold)
}

/// The test's report; a message that could not be sent exits 5 (`engine`), the report still printed.
fn print_test(sent: &AlertDelivery, format: Format) -> Result<(), Error> {
    let failed = sent.error.as_ref().map(|e| Error::engine(format!("the test message was not sent: {e}")));
    if format == Format::Json {
        // One document: the report, with the contract's `error` object when it failed.
        let mut doc =
            serde_json::to_value(sent).map_err(|e| Error::internal(format!("cannot print JSON: {e}")))?;
        if let Some(e) = &failed {
            doc["error"] = serde_json::json!({"code": e.code.as_str(), "message": e.message});
            print_json(&doc)?;
            std::process::exit(e.code.exit_code());
        }
        return print_json(&doc);
    }
    match failed {
        Some(e) => Err(e),
        None => {
            println!("sent after {} attempt(s): {}", sent.attempts, sent.message);
            Ok(())
        }
    }
}
