//! What the UI reads besides answers (its configuration, the suggestions, the outcome of a delete) and what
//! every long-running front end starts (the scheduler): one method each, so that `inda serve` and the desktop
//! shell say the same. The types cross to TypeScript (`ui/src/lib/api/generated.ts`).

use crate::{App, Branding, Provider, SchedulerReport, WarehouseKind};
use inda_core::{Error, Lang, Session};
use inda_warehouse::Cancel;
use serde::Serialize;
use std::sync::Arc;

/// `GET /api/config` and the desktop's `config` command: how the UI looks and what it runs on.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct UiConfig {
    /// The look of the session's partner.
    pub branding: Branding,
    /// The UI's language from `[app] lang`; `null`: follow the browser or the OS.
    pub lang_default: Option<Lang>,
    /// Served from the local cache only (`--offline`, `[app] offline`).
    pub offline: bool,
    /// The app's version (the workspace's Cargo version).
    pub version: String,
    /// Whether the front end has the UI to serve (`inda serve` built without `ui/dist` has none).
    pub ui_built: bool,
    /// The configured warehouse (`[warehouse] kind`).
    pub warehouse: WarehouseKind,
    /// The engine a question goes to first; configured language models take what it does not understand.
    pub question_engine: Provider,
}

/// Example questions for the chat screen's chips.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Suggestions {
    /// Up to 12 questions in the asked language, from the semantic model.
    pub suggestions: Vec<String>,
}

/// What a delete answers.
#[derive(Debug, Clone, Copy, Serialize, ts_rs::TS)]
pub struct Deleted {
    /// Always `true`: deleting what is missing (or someone else's) is a `not_found` error instead.
    pub deleted: bool,
}

/// As many suggestions as the chat screen shows: one row of chips.
const SUGGESTIONS: usize = 12;

impl App {
    /// The UI's configuration for `session`'s tenant (its branding). `ui_built`: whether the front end serves
    /// the UI (the desktop shell always does: the UI is compiled into it).
    pub fn ui_config(&self, session: &Session, ui_built: bool) -> Result<UiConfig, Error> {
        Ok(UiConfig {
            branding: self.branding(session)?,
            lang_default: self.config.app.lang.as_deref().and_then(|l| l.parse().ok()),
            offline: self.offline,
            version: env!("CARGO_PKG_VERSION").to_string(),
            ui_built,
            warehouse: self.config.warehouse.kind,
            question_engine: Provider::Offline,
        })
    }

    /// Example questions in `lang`, for a signed-in analyst (`session`).
    pub fn suggestions(&self, _session: &Session, lang: Lang) -> Result<Suggestions, Error> {
        let mut suggestions = self.semantic()?.suggestions(lang);
        suggestions.truncate(SUGGESTIONS);
        Ok(Suggestions { suggestions })
    }

    /// Scheduled refreshes (and, with Snowflake, the admin mirror) while a front end is up, until `cancel`
    /// fires: the task `inda serve` and the desktop shell spawn at start-up. Passes that ran something are
    /// logged; the scheduler stopping is a warning, never the end of the front end.
    pub async fn background_scheduler(self: Arc<Self>, cancel: Cancel) {
        let on_pass = |r: &SchedulerReport| {
            if r.ran > 0 {
                tracing::info!(ran = r.ran, ok = r.ok, failed = r.failed, "scheduled refreshes");
            }
        };
        if let Err(e) = self.run_scheduler(&cancel, &on_pass).await {
            tracing::warn!("the scheduler stopped: {}", e.message);
        }
    }
}
