//! The IPC commands the web UI invokes (`ui/src/lib/api/tauri.ts`), one per operation of `inda serve`'s
//! `/api` (`crates/server/src/routes.rs`). Each one is one line: it unpacks its arguments, calls one use case
//! of [`inda_app::App`] and converts the error; nothing here decides anything.
//!
//! Argument names follow Tauri's default mapping from the UI's camelCase (`analysisId` → `analysis_id`); a
//! request of the UI's contract is read from all of them (`ipc::Args`). Long commands take the UI's `requestId`
//! as a `cancel::Running`, which the UI's Cancel trips. Commands are async (or `async` in the attribute) so that
//! none runs on the main thread, which draws the window: the keyring, the store and the warehouse may all
//! take a moment.

use crate::Shell;
use crate::cancel::Running;
use crate::error::Cmd;
use crate::ipc::Args;
use crate::updates;
use inda_app::{
    Alert, AlertDelivery, AlertRequest, Answer, AskRequest, Cancel, Dashboard, DashboardView, Deleted,
    Execution, ExplanationSink, ExportAnswerRequest, ExportFormat, ExportQuery, ExportSummary, SaveRequest,
    SavedAnalysis, SavedAnswer, ScopeChoice, SessionInfo, Suggestions, UiConfig, UpdateCheck,
};
use inda_core::{ChartSpec, Error, Lang, Session};
use serde_json::{Value, json};
use tauri::ipc::Channel;
use tauri::{State, WebviewWindow};
use tauri_plugin_dialog::DialogExt;

/// The signed-in user's session (OS keyring, from the last deep link or `inda login`), narrowed to the
/// scope picked in the UI: the desktop counterpart of the server's bearer-token extractor.
async fn signed_in(shell: &Shell) -> Result<Session, Error> {
    let picked = shell.scope.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
    shell.app.session(None, picked.as_ref()).await
}

/// Reported even when expired, so the UI can show the banner and the refresh link.
#[tauri::command(async)]
#[tracing::instrument(name = "cmd.session", skip_all)]
pub fn session(shell: State<'_, Shell>) -> Cmd<SessionInfo> {
    Ok(shell.app.session_info(None)?)
}

/// The tenants the session's role reaches, each marked when in its current scope (`GET /api/scope`).
#[tauri::command]
#[tracing::instrument(name = "cmd.scope", skip_all)]
pub async fn scope(shell: State<'_, Shell>) -> Cmd<Vec<ScopeChoice>> {
    Ok(shell.app.scope_choices(&signed_in(&shell).await?).await?)
}

/// Narrows the session to `tenants` (the UI's picker; `None` or empty: everything the role reaches). The
/// scope is checked now, so a tenant beyond the role is refused here and never kept.
#[tauri::command]
#[tracing::instrument(name = "cmd.set_scope", skip_all)]
pub async fn set_scope(shell: State<'_, Shell>, tenants: Option<Vec<String>>) -> Cmd<Vec<ScopeChoice>> {
    let picked = match tenants.filter(|t| !t.is_empty()) {
        Some(t) => Some(inda_core::Scope::new(t).map_err(Error::from)?),
        None => None,
    };
    let session = shell.app.session(None, picked.as_ref()).await?;
    *shell.scope.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = picked;
    Ok(shell.app.scope_choices(&session).await?)
}

/// The same JSON as `GET /api/config`; the UI is compiled into the binary (frontendDist), so it is always there.
#[tauri::command]
#[tracing::instrument(name = "cmd.config", skip_all)]
pub async fn config(shell: State<'_, Shell>) -> Cmd<UiConfig> {
    Ok(shell.app.ui_config(&signed_in(&shell).await?, true)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.suggestions", skip_all)]
pub async fn suggestions(shell: State<'_, Shell>, lang: Option<String>) -> Cmd<Suggestions> {
    Ok(shell.app.suggestions(&signed_in(&shell).await?, Lang::or_default(lang.as_deref()))?)
}

/// A question, or with the optional `drill {column, value}` a drill-down into a cell of the answer to
/// `question`: the arguments are the fields of [`AskRequest`] (camelCase), as `POST /api/ask`'s body.
#[tauri::command]
#[tracing::instrument(name = "cmd.ask", skip_all, fields(request_id = request_id.id()))]
pub async fn ask(
    shell: State<'_, Shell>,
    req: Args<AskRequest>,
    request_id: Running<'_>,
    explanation: Channel<Value>,
) -> Cmd<Answer> {
    Ok(shell.app.ask_request(&signed_in(&shell).await?, &req, &request_id, &ChannelSink(explanation)).await?)
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
#[tracing::instrument(name = "cmd.sql", skip_all, fields(request_id = request_id.id()))]
pub async fn sql(shell: State<'_, Shell>, sql: String, request_id: Running<'_>) -> Cmd<Answer> {
    Ok(shell.app.run_sql(&signed_in(&shell).await?, &sql, &request_id).await?)
}

/// Best effort: `false` when nothing was running under `request_id` (it may have finished already).
#[tauri::command(async)]
#[tracing::instrument(name = "cmd.cancel", skip_all, fields(request_id = %request_id))]
pub fn cancel(shell: State<'_, Shell>, request_id: String) -> Cmd<bool> {
    Ok(shell.cancels.cancel(&request_id))
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_list", skip_all)]
pub async fn saved_list(shell: State<'_, Shell>) -> Cmd<Vec<SavedAnalysis>> {
    Ok(shell.app.list_analyses(&signed_in(&shell).await?)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_save", skip_all)]
pub async fn saved_save(shell: State<'_, Shell>, req: Args<SaveRequest>) -> Cmd<SavedAnalysis> {
    Ok(shell.app.save_analysis(&signed_in(&shell).await?, &req).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_show", skip_all, fields(request_id = request_id.id()))]
pub async fn saved_show(shell: State<'_, Shell>, id: String, request_id: Running<'_>) -> Cmd<SavedAnswer> {
    Ok(shell.app.show_analysis(&signed_in(&shell).await?, &id, &request_id).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_run", skip_all, fields(request_id = request_id.id()))]
pub async fn saved_run(shell: State<'_, Shell>, id: String, request_id: Running<'_>) -> Cmd<SavedAnswer> {
    Ok(shell.app.run_analysis(&signed_in(&shell).await?, &id, &request_id).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_delete", skip_all)]
pub async fn saved_delete(shell: State<'_, Shell>, id: String) -> Cmd<Deleted> {
    Ok(shell.app.delete_analysis(&signed_in(&shell).await?, &id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_schedule", skip_all)]
pub async fn saved_schedule(
    shell: State<'_, Shell>,
    id: String,
    schedule: Option<String>,
) -> Cmd<SavedAnalysis> {
    Ok(shell.app.schedule_analysis(&signed_in(&shell).await?, &id, schedule.as_deref())?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.saved_history", skip_all)]
pub async fn saved_history(shell: State<'_, Shell>, id: String) -> Cmd<Vec<Execution>> {
    Ok(shell.app.execution_history(&signed_in(&shell).await?, &id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_list", skip_all)]
pub async fn dashboard_list(shell: State<'_, Shell>) -> Cmd<Vec<Dashboard>> {
    Ok(shell.app.list_dashboards(&signed_in(&shell).await?)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_create", skip_all)]
pub async fn dashboard_create(shell: State<'_, Shell>, name: String) -> Cmd<DashboardView> {
    Ok(shell.app.create_dashboard(&signed_in(&shell).await?, &name)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_show", skip_all, fields(request_id = request_id.id()))]
pub async fn dashboard_show(
    shell: State<'_, Shell>,
    id: String,
    request_id: Running<'_>,
) -> Cmd<DashboardView> {
    Ok(shell.app.show_dashboard(&signed_in(&shell).await?, &id, &request_id).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_add", skip_all)]
pub async fn dashboard_add(shell: State<'_, Shell>, id: String, analysis_id: String) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_add(&signed_in(&shell).await?, &id, &analysis_id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_remove", skip_all)]
pub async fn dashboard_remove(
    shell: State<'_, Shell>,
    id: String,
    analysis_id: String,
) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_remove(&signed_in(&shell).await?, &id, &analysis_id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_rename", skip_all)]
pub async fn dashboard_rename(shell: State<'_, Shell>, id: String, name: String) -> Cmd<DashboardView> {
    Ok(shell.app.rename_dashboard(&signed_in(&shell).await?, &id, &name)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_delete", skip_all)]
pub async fn dashboard_delete(shell: State<'_, Shell>, id: String) -> Cmd<Deleted> {
    Ok(shell.app.delete_dashboard(&signed_in(&shell).await?, &id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_add_text", skip_all)]
pub async fn dashboard_add_text(shell: State<'_, Shell>, id: String, text: String) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_add_text(&signed_in(&shell).await?, &id, &text)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_update_tile", skip_all)]
#[allow(clippy::too_many_arguments)]
pub async fn dashboard_update_tile(
    shell: State<'_, Shell>,
    id: String,
    tile_id: String,
    position: Option<i64>,
    width: Option<i64>,
    height: Option<i64>,
    text: Option<String>,
) -> Cmd<DashboardView> {
    let update = inda_app::TileUpdate { position, width, height, text };
    Ok(shell.app.dashboard_update_tile(&signed_in(&shell).await?, &id, &tile_id, &update)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_remove_tile", skip_all)]
pub async fn dashboard_remove_tile(
    shell: State<'_, Shell>,
    id: String,
    tile_id: String,
) -> Cmd<DashboardView> {
    Ok(shell.app.dashboard_remove(&signed_in(&shell).await?, &id, &tile_id)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_set_filters", skip_all)]
pub async fn dashboard_set_filters(
    shell: State<'_, Shell>,
    id: String,
    filters: inda_app::DashboardFilters,
) -> Cmd<DashboardView> {
    Ok(shell.app.set_dashboard_filters(&signed_in(&shell).await?, &id, &filters)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_filter_choices", skip_all, fields(request_id = request_id.id()))]
pub async fn dashboard_filter_choices(
    shell: State<'_, Shell>,
    id: String,
    request_id: Running<'_>,
) -> Cmd<inda_app::FilterChoices> {
    Ok(shell.app.dashboard_filter_choices(&signed_in(&shell).await?, &id, &request_id).await?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.dashboard_refresh", skip_all, fields(request_id = request_id.id()))]
pub async fn dashboard_refresh(
    shell: State<'_, Shell>,
    id: String,
    request_id: Running<'_>,
) -> Cmd<DashboardView> {
    Ok(shell.app.refresh_dashboard(&signed_in(&shell).await?, &id, &request_id).await?)
}

/// Asks where to write with the native save dialog, then exports there. The session is checked first so an
/// expired one fails before the user picks a file.
#[tauri::command]
#[tracing::instrument(name = "cmd.export", skip_all, fields(to = %req.to))]
pub async fn export(
    window: WebviewWindow,
    shell: State<'_, Shell>,
    req: Args<ExportQuery>,
) -> Cmd<ExportSummary> {
    let session = signed_in(&shell).await?;
    let name = shell.app.export_file_name(&session, &req.target, req.to, req.lang)?;
    let out = save_dialog(&window, name, req.to).await?;
    Ok(shell.app.export_to(&session, &req.target, req.to, req.lang, &out, &Cancel::new()).await?)
}

/// An answer not saved, as the UI shows it (`{answer, to, lang}`), to the file the save dialog picks
/// (suggested: its title and today's date). Nothing is queried.
#[tauri::command]
#[tracing::instrument(name = "cmd.export_answer", skip_all, fields(to = %req.to))]
pub async fn export_answer(
    window: WebviewWindow,
    shell: State<'_, Shell>,
    req: Args<ExportAnswerRequest>,
) -> Cmd<ExportSummary> {
    let session = signed_in(&shell).await?;
    let out = save_dialog(&window, shell.app.export_answer_file_name(&req), req.to).await?;
    Ok(shell.app.export_answer_to(&session, &req, &out)?)
}

/// Keeps the chart the user picked with the analysis (`PUT /api/saved/{id}/chart`).
#[tauri::command]
#[tracing::instrument(name = "cmd.saved_set_chart", skip_all)]
pub async fn saved_set_chart(shell: State<'_, Shell>, id: String, chart: ChartSpec) -> Cmd<SavedAnalysis> {
    Ok(shell.app.set_analysis_chart(&signed_in(&shell).await?, &id, chart)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.alert_list", skip_all)]
pub async fn alert_list(shell: State<'_, Shell>) -> Cmd<Vec<Alert>> {
    Ok(shell.app.list_alerts(&signed_in(&shell).await?)?)
}

/// The webhook URL in the request goes to the keyring; the answer never carries it.
#[tauri::command]
#[tracing::instrument(name = "cmd.alert_create", skip_all)]
pub async fn alert_create(shell: State<'_, Shell>, req: Args<AlertRequest>) -> Cmd<Alert> {
    Ok(shell.app.create_alert(&signed_in(&shell).await?, &req)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.alert_set_paused", skip_all)]
pub async fn alert_set_paused(shell: State<'_, Shell>, id: String, paused: bool) -> Cmd<Alert> {
    Ok(shell.app.set_alert_paused(&signed_in(&shell).await?, &id, paused)?)
}

#[tauri::command]
#[tracing::instrument(name = "cmd.alert_delete", skip_all)]
pub async fn alert_delete(shell: State<'_, Shell>, id: String) -> Cmd<Deleted> {
    Ok(shell.app.delete_alert(&signed_in(&shell).await?, &id)?)
}

/// A test message now; a webhook that fails still resolves, with `status` `failed` and the reason.
#[tauri::command]
#[tracing::instrument(name = "cmd.alert_test", skip_all)]
pub async fn alert_test(shell: State<'_, Shell>, id: String) -> Cmd<AlertDelivery> {
    Ok(shell.app.test_alert(&signed_in(&shell).await?, &id).await?)
}

/// Asks the update server of `[updates] endpoint` whether a newer version exists; installs nothing.
#[tauri::command]
#[tracing::instrument(name = "cmd.check_update", skip_all)]
pub async fn check_update(
    handle: tauri::AppHandle,
    shell: State<'_, Shell>,
    pending: State<'_, updates::Pending>,
) -> Cmd<UpdateCheck> {
    Ok(updates::check(&handle, shell.app.config.updates.endpoint()?, &pending).await?)
}

/// Installs the version the user agreed to (the one last offered), its signature verified first, and
/// restarts into it.
#[tauri::command]
#[tracing::instrument(name = "cmd.install_update", skip_all, fields(version = %version))]
pub async fn install_update(
    handle: tauri::AppHandle,
    pending: State<'_, updates::Pending>,
    version: String,
) -> Cmd<()> {
    Ok(updates::install(&handle, &version, &pending).await?)
}

/// The native save dialog, suggesting `name` (the export's title and date) with a filter for the format;
/// `usage` when dismissed, since the UI has no "cancelled" outcome for an export.
async fn save_dialog(
    window: &WebviewWindow,
    name: String,
    format: ExportFormat,
) -> Result<std::path::PathBuf, Error> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_file_name(name)
        .add_filter(format.label(), &[format.extension()])
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let picked = rx.await.map_err(|_| Error::internal("the save dialog closed without an answer"))?;
    let picked = picked.ok_or_else(|| Error::usage("export cancelled: no file was chosen"))?;
    picked.into_path().map_err(|e| Error::usage(format!("cannot save there: {e}")))
}
