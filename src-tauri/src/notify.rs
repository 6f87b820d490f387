//! Alerts that fired, shown as desktop notifications through Tauri's notification plugin. While the window
//! is up, a task asks the core every [`POLL_EVERY`] for the signed-in user's alert events fired since the
//! last one shown (since start-up, at first) and shows each once: titled with the saved analysis's name,
//! saying the value and the condition in the user's language.
//!
//! Once, and never a loop: the cursor (the last event's `fired_at`) moves past an event whether or not its
//! notification could be shown; a desktop without a notification server is logged, not retried. What fired
//! before the app started (while it was closed, by `inda scheduler run`) is not shown: the webhook and
//! `inda alert events` have it. The cursor is kept in memory only, since a restart starts from its own
//! start-up anyway.
//!
//! Not here: when an alert fires or what its texts say (`inda_app`'s alerts,
//! [`App::signed_in_alert_notices`]).

use inda_app::{AlertNotice, App, Cancel};
use inda_core::Lang;
use std::sync::Arc;
use std::time::Duration;
use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// How often the task looks for new events. The scheduler checks for due analyses every 30 s.
pub const POLL_EVERY: Duration = Duration::from_secs(10);

/// Shows a notification for each alert event fired after `since` ([`App::alert_cursor_now`] at start-up),
/// until `cancel` fires.
pub async fn watch<R: Runtime>(handle: AppHandle<R>, app: Arc<App>, mut since: String, cancel: Cancel) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(POLL_EVERY) => {}
            _ = cancel.cancelled() => break,
        }
        let notices = new_notices(&app, &since).await;
        if notices.is_empty() {
            continue;
        }
        let no_server = no_server().await;
        for notice in notices {
            // Past it before showing it: a notification that fails is not tried again.
            since.clone_from(&notice.fired_at);
            show(&handle, &notice, no_server.as_deref());
        }
    }
}

/// The signed-in user's notices fired after `since`; none when nobody is signed in or the store fails.
async fn new_notices(app: &App, since: &str) -> Vec<AlertNotice> {
    app.signed_in_alert_notices(since, user_lang(app)).await.unwrap_or_else(|e| {
        tracing::warn!(code = e.code.as_str(), "cannot read the alert events: {}", e.message);
        Vec::new()
    })
}

/// Shows one notice, unless `no_server` says why it cannot be; a failure is logged.
fn show<R: Runtime>(handle: &AppHandle<R>, notice: &AlertNotice, no_server: Option<&str>) {
    let _span = tracing::info_span!("alert_notification", alert_id = %notice.alert_id,
        execution_id = %notice.execution_id)
    .entered();
    if let Some(why) = no_server {
        tracing::warn!("cannot show the alert as a desktop notification: {why}");
        return;
    }
    match handle.notification().builder().title(&notice.title).body(&notice.body).show() {
        Ok(()) => tracing::info!("alert shown as a desktop notification"),
        Err(e) => tracing::warn!("cannot show the alert as a desktop notification: {e}"),
    }
}

/// Why no notification can be shown, when that can be told beforehand: on Linux, no session bus or nothing
/// serving `org.freedesktop.Notifications` on it (the plugin sends in the background and drops that error).
async fn no_server() -> Option<String> {
    #[cfg(target_os = "linux")]
    {
        tokio::task::spawn_blocking(linux::no_server).await.unwrap_or_else(|e| Some(e.to_string()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use zbus::blocking::{Connection, fdo::DBusProxy};
    use zbus::names::BusName;

    const SERVER: &str = "org.freedesktop.Notifications";

    pub fn no_server() -> Option<String> {
        let bus = match Connection::session() {
            Ok(bus) => bus,
            Err(e) => return Some(format!("no D-Bus session bus ({e})")),
        };
        let dbus = DBusProxy::new(&bus).ok()?;
        let name = BusName::try_from(SERVER).ok()?;
        // A question the bus cannot answer is no reason to stay silent: the plugin tries anyway.
        if dbus.name_has_owner(name).unwrap_or(true) {
            return None;
        }
        let activatable =
            dbus.list_activatable_names().map_or(true, |names| names.iter().any(|n| n.as_str() == SERVER));
        (!activatable)
            .then(|| format!("nothing serves {SERVER} on the D-Bus session bus (no notification daemon)"))
    }
}

/// The user's language: `[app] lang`, else the OS's (`LC_ALL`, `LC_MESSAGES`, `LANG`), as the UI's default.
fn user_lang(app: &App) -> Lang {
    let os = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()));
    lang_of(app.config.app.lang.as_deref(), os.as_deref())
}

/// `configured` when it names a language, else Spanish for an OS locale `es…` (`es_AR.UTF-8`), else
/// English.
fn lang_of(configured: Option<&str>, os_locale: Option<&str>) -> Lang {
    if let Some(lang) = configured.and_then(|l| l.parse().ok()) {
        return lang;
    }
    match os_locale {
        Some(l) if l.to_ascii_lowercase().starts_with("es") => Lang::Es,
        _ => Lang::En,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_is_the_configured_one_else_the_os_locale() {
        assert_eq!(lang_of(Some("es"), Some("en_US.UTF-8")), Lang::Es);
        assert_eq!(lang_of(Some("en"), Some("es_AR.UTF-8")), Lang::En);
        assert_eq!(lang_of(None, Some("es_AR.UTF-8")), Lang::Es);
        assert_eq!(lang_of(Some("klingon"), Some("es")), Lang::Es);
        assert_eq!(lang_of(None, Some("C.UTF-8")), Lang::En);
        assert_eq!(lang_of(None, None), Lang::En);
    }
}
