//! The inDigital Analytics desktop shell: a Tauri 2 window hosting the web UI (`ui/dist`), with one IPC
//! command per operation of the core (`inda_app::App`), the `indigital-analytics://` deep link that signs
//! the analyst in, and a single running instance that receives later links.
//!
//! Not here: any business rule. Commands are adapters (see [`commands`]); sign-in, sessions, the guard and
//! everything else live in `crates/app` and below, shared with the `inda` CLI and `inda serve`.

mod cancel;
pub mod commands;
mod deep_link;
mod error;
mod ipc;
mod notify;
pub mod updates;

pub use error::{Cmd, CmdError};

use inda_app::{App, Cancel, DataDir};
use inda_core::Error;
use std::sync::Arc;
use tauri::Manager;
use tauri_plugin_deep_link::DeepLinkExt;

/// What every command shares: the open data dir and the cancels of running commands.
pub struct Shell {
    pub app: Arc<App>,
    cancels: cancel::Cancels,
    /// The scope picked in the UI (`None`: everything the role reaches); every command's session uses it.
    scope: std::sync::Mutex<Option<inda_core::Scope>>,
}

impl Shell {
    /// Forgets the scope picked in the UI (a new sign-in reads everything its role reaches).
    pub fn reset_scope(&self) {
        *self.scope.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }
}

/// The data dir: `INDA_DATA_DIR` (as for `inda`), else the OS's per-user data folder.
pub fn data_dir() -> Result<DataDir, Error> {
    match std::env::var_os("INDA_DATA_DIR") {
        Some(d) if !d.is_empty() => Ok(DataDir::new(d)),
        _ => DataDir::default_location(),
    }
}

/// Opens the data dir and runs the window until it closes.
pub fn run() -> Result<(), Error> {
    let mut app = App::open(data_dir()?)?;
    app.client = inda_core::Client::Desktop;
    let app = Arc::new(app);
    let shell = Shell { app, cancels: cancel::Cancels::default(), scope: Default::default() };
    tauri::Builder::default()
        // First, as its docs require: a second launch exits here and hands its arguments (a deep link) to
        // the running instance, whose deep-link plugin then fires `on_open_url` (the `deep-link` feature).
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_updater::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .manage(shell)
        .manage(updates::Pending::default())
        .setup(|tauri_app| {
            let handle = tauri_app.handle().clone();
            let links = tauri_app.deep_link();
            links.on_open_url(move |event| {
                for url in event.urls() {
                    deep_link::open_in_background(&handle, url.to_string());
                }
            });
            // A cold start from a link (`indigital-analytics://…` as the only argument): the plugin read it
            // from argv before this listener existed. Handled before the UI asks for its session.
            if let Some(urls) = links.get_current()? {
                for url in urls {
                    deep_link::open(tauri_app.handle(), url.as_str());
                }
            }
            // Warm the engine for the signed-in analyst while the window paints, so the first question is
            // as quick as the next ones. Nobody signed in, or offline, is not an error here.
            let shell = tauri_app.state::<Shell>();
            let app = shell.app.clone();
            tauri::async_runtime::spawn(async move {
                let started = std::time::Instant::now();
                match app.warm_up().await {
                    Ok(()) => tracing::info!(ms = started.elapsed().as_millis() as u64, "warmed up"),
                    Err(e) => tracing::debug!(code = e.code.as_str(), "no warm-up: {}", e.message),
                }
            });
            // Scheduled refreshes while the app is up, as `inda scheduler run` does, and with Snowflake the
            // admin mirror of the analyst's library. It ends with the process. What they fire from now on
            // is shown as desktop notifications to the signed-in user (see `notify`).
            let started = App::alert_cursor_now();
            tauri::async_runtime::spawn(shell.app.clone().background_scheduler(Cancel::new()));
            let handle = tauri_app.handle().clone();
            tauri::async_runtime::spawn(notify::watch(handle, shell.app.clone(), started, Cancel::new()));
            // Development builds are not installed, so no desktop entry claims the scheme; register this
            // binary for it. Packages declare it in their desktop entry instead.
            #[cfg(all(debug_assertions, target_os = "linux"))]
            if let Err(e) = links.register_all() {
                tracing::warn!(error = %e, "cannot register the URL scheme (is xdg-utils installed?)");
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::session,
            commands::config,
            commands::scope,
            commands::set_scope,
            commands::suggestions,
            commands::ask,
            commands::sql,
            commands::cancel,
            commands::saved_list,
            commands::saved_save,
            commands::saved_show,
            commands::saved_run,
            commands::saved_delete,
            commands::saved_schedule,
            commands::saved_history,
            commands::dashboard_list,
            commands::dashboard_create,
            commands::dashboard_show,
            commands::dashboard_add,
            commands::dashboard_remove,
            commands::dashboard_refresh,
            commands::dashboard_rename,
            commands::dashboard_delete,
            commands::dashboard_add_text,
            commands::dashboard_update_tile,
            commands::dashboard_remove_tile,
            commands::dashboard_set_filters,
            commands::dashboard_filter_choices,
            commands::export,
            commands::export_answer,
            commands::saved_set_chart,
            commands::alert_list,
            commands::alert_create,
            commands::alert_set_paused,
            commands::alert_delete,
            commands::alert_test,
            commands::check_update,
            commands::install_update,
        ])
        .run(tauri::generate_context!())
        .map_err(|e| Error::internal(format!("the window failed: {e}")))
}
