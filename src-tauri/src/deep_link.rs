//! `indigital-analytics://open?token=…[&analysis=ID|&question=TEXT]` links: signed in by the core
//! ([`inda_app::App::open_link`]), then announced to the UI. The link carries a token, so it is never
//! logged, and errors from the core never repeat it.

use crate::{CmdError, Shell};
use inda_app::LinkTarget;
use serde_json::json;
use tauri::{AppHandle, Emitter, Manager};

/// Emitted after a link signed someone in: `{session, ended, target}`, where `target` is `{analysis}`,
/// `{question}` or null.
pub const OPENED: &str = "deep-link-opened";
/// Emitted when a link was refused: `{code, message}`.
pub const FAILED: &str = "deep-link-failed";

/// For links that arrive while running: signing in talks to the keyring, which may block, so not on the
/// thread that delivered the event.
pub fn open_in_background(handle: &AppHandle, url: String) {
    let handle = handle.clone();
    tauri::async_runtime::spawn_blocking(move || open(&handle, &url));
}

pub fn open(handle: &AppHandle, url: &str) {
    let _span = tracing::info_span!("deep_link.open").entered();
    let shell = handle.state::<Shell>();
    match shell.app.open_link(url) {
        Ok((signed, target)) => {
            let target = match target {
                Some(LinkTarget::Analysis(id)) => json!({ "analysis": id }),
                Some(LinkTarget::Question(q)) => json!({ "question": q }),
                None => serde_json::Value::Null,
            };
            tracing::info!(tenant = %signed.session.tenant_id, "signed in from a deep link");
            // A new token may reach other tenants: the scope picked under the previous one starts over.
            shell.reset_scope();
            let switched = signed.ended.is_some();
            let payload = json!({ "session": signed.session, "ended": signed.ended, "target": target });
            if let Err(e) = handle.emit(OPENED, payload) {
                tracing::warn!(error = %e, "cannot notify the UI of the deep link");
            }
            // Another user took over: whatever the window shows belongs to the previous one, so start over.
            if switched && let Some(w) = handle.get_webview_window("main") {
                let _ = w.reload();
            }
        }
        Err(e) => {
            tracing::warn!(code = e.code.as_str(), "deep link refused");
            let _ = handle.emit(FAILED, CmdError::from(e));
        }
    }
}
