//! The IPC commands the web UI invokes (`ui/src/lib/api/tauri.ts`), one per operation of `inda serve`'s
//! `/api` (`crates/server/src/routes.rs`). Each one unpacks its arguments, calls one use case of
//! [`inda_app::App`] and converts the error; nothing here decides anything.
//!
//! Argument names follow Tauri's default mapping from the UI's camelCase (`analysisId` → `analysis_id`).
//! Commands are async (or `async` in the attribute) so that none runs on the main thread, which draws the
//! window: the keyring, the store and the warehouse may all take a moment.

use crate::Shell;
use crate::error::Cmd;
use inda_app::{
    Answer, App, AskOptions, DashboardView, ExplanationSink, ExportRequest, ExportSummary, Provider,
    SaveRequest, SavedAnswer, SessionInfo,
};
use inda_core::{Error, Session};
use inda_store::{Dashboard, Execution, SavedAnalysis};
use inda_warehouse::Cancel;
use serde_json::{Value, json};
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

/// The signed-in user's session (OS keyring, from the last deep link or `inda login`): the desktop
/// counterpart of the server's bearer-token extractor.
fn signed_in(app: &App) -> Result<Session, Error> {
    app.session(None)
}

/// Reported even when expired, so the UI can show the banner and the refresh link.
#[tauri::command(async)]
#[tracing::instrument(name = "cmd.session", skip_all)]
pub fn session(shell: State<'_, Shell>) -> Cmd<SessionInfo> {
    Ok(shell.app.session_info(None)?)
}

/// The same JSON as `GET /api/config`.
#[tauri::command(async)]
#[tracing::instrument(name = "cmd.config", skip_all)]
pub fn config(shell: State<'_, Shell>) -> Cmd<Value> {
    let app = &shell.app;
    Ok(json!({
        "branding": app.branding(&signed_in(app)?)?,
        "lang_default": app.config.app.lang.as_deref(),
        "offline": app.offline,
        "version": env!("CARGO_PKG_VERSION"),
        // The UI is compiled into the binary (frontendDist), so it is always there.
        "ui_built": true,
        "warehouse": "embedded",
        "question_engine": "offline",
    }))
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.suggestions", skip_all)]
pub fn suggestions(shell: State<'_, Shell>, lang: Option<String>) -> Cmd<Value> {
    signed_in(&shell.app)?;
    let lang = match lang.as_deref() {
        Some("es") => inda_semantic::Lang::Es,
        _ => inda_semantic::Lang::En,
    };
    let mut list = shell.app.semantic()?.suggestions(lang);
    // As many as `/api/suggestions` gives: the chips are one row of the chat screen.
    list.truncate(12);
    Ok(json!({ "suggestions": list }))
}

#[tauri::command]
#[tracing::instrument(name = "cmd.ask", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn ask(
    shell: State<'_, Shell>,
    question: String,
    conversation_id: Option<String>,
    new_conversation: Option<bool>,
    provider: Option<String>,
    request_id: Option<String>,
    explanation: Channel<Value>,
) -> Cmd<Answer> {
    let provider = Provider::parse(provider.as_deref().unwrap_or("offline"))?;
    let opts = AskOptions { conversation_id, new_conversation: new_conversation.unwrap_or(false) };
    let c = shell.cancels.register(request_id);
    let sink = ChannelSink(explanation);
    Ok(shell.app.ask_streaming(&signed_in(&shell.app)?, &question, provider, &opts, c.token(), &sink).await?)
}

/// A language model's explanation as it is written, as the same messages `/api/ask/stream` sends as
/// events: `{"text": …}` for more text, `{"restart": true}` when what came so far is void. (The UI always
/// passes a channel: Tauri cannot make a channel argument optional.)
struct ChannelSink(Channel<Value>);

impl ExplanationSink for ChannelSink {
    fn text(&self, delta: &str) {
        if !delta.is_empty() {
            let _ = self.0.send(json!({ "text": delta }));
        }
    }
    fn restart(&self) {
        let _ = self.0.send(json!({ "restart": true }));
    }
}

#[tauri::command]
#[tracing::instrument(name = "cmd.sql", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn sql(shell: State<'_, Shell>, sql: String, request_id: Option<String>) -> Cmd<Answer> {
    let c = shell.cancels.register(request_id);
    Ok(shell.app.run_sql(&signed_in(&shell.app)?, &sql, c.token()).await?)
}

/// Best effort: `false` when nothing was running under `request_id` (it may have finished already).
#[tauri::command(async)]
#[tracing::instrument(name = "cmd.cancel", skip_all, fields(request_id = %request_id))]
pub fn cancel(shell: State<'_, Shell>, request_id: String) -> Cmd<bool> {
    Ok(shell.cancels.cancel(&request_id))
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.saved_list", skip_all)]
pub fn saved_list(shell: State<'_, Shell>) -> Cmd<Vec<SavedAnalysis>> {
    Ok(shell.app.list_analyses(&signed_in(&shell.app)?)?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.saved_save", skip_all)]
pub fn saved_save(
    shell: State<'_, Shell>,
    name: String,
    description: Option<String>,
    question: Option<String>,
    sql: Option<String>,
    schedule: Option<String>,
) -> Cmd<SavedAnalysis> {
    let req = SaveRequest { name, description, question, sql, schedule };
    Ok(shell.app.save_analysis(&signed_in(&shell.app)?, &req)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_show", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn saved_show(shell: State<'_, Shell>, id: String, request_id: Option<String>) -> Cmd<SavedAnswer> {
    let c = shell.cancels.register(request_id);
    Ok(shell.app.show_analysis(&signed_in(&shell.app)?, &id, c.token()).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_run", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn saved_run(shell: State<'_, Shell>, id: String, request_id: Option<String>) -> Cmd<SavedAnswer> {
    let c = shell.cancels.register(request_id);
    Ok(shell.app.run_analysis(&signed_in(&shell.app)?, &id, c.token()).await?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.saved_delete", skip_all)]
pub fn saved_delete(shell: State<'_, Shell>, id: String) -> Cmd<Value> {
    shell.app.delete_analysis(&signed_in(&shell.app)?, &id)?;
    Ok(json!({"deleted": true}))
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.saved_schedule", skip_all)]
pub fn saved_schedule(shell: State<'_, Shell>, id: String, schedule: Option<String>) -> Cmd<SavedAnalysis> {
    Ok(shell.app.schedule_analysis(&signed_in(&shell.app)?, &id, schedule.as_deref())?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.saved_history", skip_all)]
pub fn saved_history(shell: State<'_, Shell>, id: String) -> Cmd<Vec<Execution>> {
    let s = signed_in(&shell.app)?;
    Ok(shell.app.store()?.executions_list(&s.tenant_id, &s.user_id, &id)?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.dashboard_list", skip_all)]
pub fn dashboard_list(shell: State<'_, Shell>) -> Cmd<Vec<Dashboard>> {
    Ok(shell.app.list_dashboards(&signed_in(&shell.app)?)?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.dashboard_create", skip_all)]
pub fn dashboard_create(shell: State<'_, Shell>, name: String) -> Cmd<DashboardView> {
    Ok(shell.app.create_dashboard(&signed_in(&shell.app)?, &name)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_show", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn dashboard_show(
    shell: State<'_, Shell>,
    id: String,
    request_id: Option<String>,
) -> Cmd<DashboardView> {
    let c = shell.cancels.register(request_id);
    Ok(shell.app.show_dashboard(&signed_in(&shell.app)?, &id, c.token()).await?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.dashboard_add", skip_all)]
pub fn dashboard_add(shell: State<'_, Shell>, id: String, analysis_id: String) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_add(&signed_in(&shell.app)?, &id, &analysis_id)?)
}

#[tauri::command(async)]
#[tracing::instrument(name = "cmd.dashboard_remove", skip_all)]
pub fn dashboard_remove(shell: State<'_, Shell>, id: String, analysis_id: String) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_remove(&signed_in(&shell.app)?, &id, &analysis_id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_refresh", skip_all, fields(request_id = request_id.as_deref()))]
pub async fn dashboard_refresh(
    shell: State<'_, Shell>,
    id: String,
    request_id: Option<String>,
) -> Cmd<DashboardView> {
    let c = shell.cancels.register(request_id);
    Ok(shell.app.refresh_dashboard(&signed_in(&shell.app)?, &id, c.token()).await?)
}

/// Asks where to write with the native save dialog, then exports there. The session is checked first so an
/// expired one fails before the user picks a file.
#[tauri::command]
#[tracing::instrument(name = "cmd.export", skip_all, fields(to = %to))]
pub async fn export(
    window: WebviewWindow,
    shell: State<'_, Shell>,
    analysis: Option<String>,
    dashboard: Option<String>,
    to: String,
) -> Cmd<ExportSummary> {
    let session = signed_in(&shell.app)?;
    let out = save_dialog(&window, analysis.as_deref().or(dashboard.as_deref()), &to).await?;
    let req = ExportRequest { analysis, dashboard, format: to, out };
    Ok(shell.app.export(&session, &req, &Cancel::new()).await?)
}

/// The native save dialog, suggesting `<id>.<ext>` with a filter for the format; `usage` when dismissed,
/// since the UI has no "cancelled" outcome for an export.
async fn save_dialog(
    window: &WebviewWindow,
    stem: Option<&str>,
    to: &str,
) -> Result<std::path::PathBuf, Error> {
    let label = match to {
        "csv" => "CSV",
        "xlsx" => "Excel workbook",
        "png" => "PNG image",
        "svg" => "SVG image",
        "pdf" => "PDF document",
        other => {
            return Err(Error::usage(format!("cannot export to `{other}`: use csv, xlsx, png, svg or pdf")));
        }
    };
    // The id only, filtered like the server's Content-Disposition name: it becomes part of a file name.
    let stem: String = stem
        .unwrap_or("export")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect();
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_file_name(format!("{stem}.{to}"))
        .add_filter(label, &[to])
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let picked = rx.await.map_err(|_| Error::internal("the save dialog closed without an answer"))?;
    let picked = picked.ok_or_else(|| Error::usage("export cancelled: no file was chosen"))?;
    picked.into_path().map_err(|e| Error::usage(format!("cannot save there: {e}")))
}
