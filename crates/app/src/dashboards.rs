//! Dashboards: create, list, add and remove tiles, and show every tile's result (from the cache when there
//! is one; offline, only from the cache). A tile that cannot be shown carries its error; the others still show.

use crate::{App, SavedAnswer};
use inda_core::{Error, Session};
use inda_store::{AuditAction, AuditOutcome};
use inda_store::{Dashboard, Tile};
use inda_warehouse::Cancel;
use serde::Serialize;
use serde_json::json;

/// A dashboard with its tiles, in order.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DashboardView {
    /// Id, name and timestamps (flattened into the same JSON object).
    #[serde(flatten)]
    pub dashboard: Dashboard,
    /// The tiles in position order; only [`App::show_dashboard`] and [`App::refresh_dashboard`] fill in
    /// their results.
    pub tiles: Vec<TileView>,
}

/// One tile of a dashboard view: the analysis, its place and size, and its result or why it has none.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct TileView {
    /// The saved analysis shown, its position and its size (flattened).
    #[serde(flatten)]
    pub tile: Tile,
    /// The tile's result (only from `show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<SavedAnswer>,
    /// Why the tile has no result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
}

fn layout(dashboard: Dashboard, tiles: Vec<Tile>) -> DashboardView {
    DashboardView {
        dashboard,
        tiles: tiles.into_iter().map(|tile| TileView { tile, result: None, error: None }).collect(),
    }
}

impl App {
    /// Creates an empty dashboard owned by the session's user and audits it. The name is trimmed (empty is
    /// a usage error) and cut to 255 characters.
    pub fn create_dashboard(&self, session: &Session, name: &str) -> Result<DashboardView, Error> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::usage("--name must not be empty"));
        }
        let d = self.store()?.dashboard_create(
            &session.tenant_id,
            &session.user_id,
            name,
            Some(&session.scope),
        )?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": d.id, "name": d.name}),
        )?;
        Ok(layout(d, vec![]))
    }

    /// The session user's dashboards, oldest first (without their tiles).
    pub fn list_dashboards(&self, session: &Session) -> Result<Vec<Dashboard>, Error> {
        self.store()?.dashboard_list(&session.tenant_id, &session.user_id)
    }

    /// The dashboard's layout, without running anything; `auth` when it was made with a scope the session
    /// does not cover now.
    pub fn dashboard_layout(&self, session: &Session, id: &str) -> Result<DashboardView, Error> {
        let store = self.store()?;
        let d = store.dashboard_get(&session.tenant_id, &session.user_id, id)?;
        self.check_within(session, &d.scope)?;
        let tiles = store.dashboard_tiles(&session.tenant_id, &session.user_id, id)?;
        Ok(layout(d, tiles))
    }

    /// Appends one of the caller's saved analyses to the caller's dashboard as its last tile, audits it and
    /// returns the new layout. `not_found` when either is not the caller's; a usage error when the analysis
    /// is already on it.
    pub fn dashboard_add(
        &self,
        session: &Session,
        id: &str,
        analysis_id: &str,
    ) -> Result<DashboardView, Error> {
        self.store()?.dashboard_add(&session.tenant_id, &session.user_id, id, analysis_id)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "added": analysis_id}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// Takes an analysis's tile off the caller's dashboard (the tiles after it move up), audits it and
    /// returns the new layout; `not_found` when the dashboard is not the caller's or the analysis is not on
    /// it.
    pub fn dashboard_remove(
        &self,
        session: &Session,
        id: &str,
        analysis_id: &str,
    ) -> Result<DashboardView, Error> {
        self.store()?.dashboard_remove(&session.tenant_id, &session.user_id, id, analysis_id)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "removed": analysis_id}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// The dashboard with every tile's result.
    pub async fn show_dashboard(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<DashboardView, Error> {
        let mut view = self.dashboard_layout(session, id)?;
        for tile in &mut view.tiles {
            match self.show_analysis(session, &tile.tile.analysis_id, cancel).await {
                Ok(answer) => tile.result = Some(answer),
                Err(e) => tile.error = Some(e),
            }
        }
        Ok(view)
    }

    /// Runs every tile's analysis now (cached results are replaced) and returns the dashboard. A tile that
    /// fails keeps its error and the others still refresh; offline, every tile is served from the cache.
    pub async fn refresh_dashboard(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<DashboardView, Error> {
        let mut view = self.dashboard_layout(session, id)?;
        for tile in &mut view.tiles {
            if cancel.is_cancelled() {
                return Err(Error::engine("the refresh was cancelled"));
            }
            match self.run_analysis(session, &tile.tile.analysis_id, cancel).await {
                Ok(answer) => tile.result = Some(answer),
                Err(e) => tile.error = Some(e),
            }
        }
        Ok(view)
    }
}
