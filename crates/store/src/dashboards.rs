//! Dashboards: named, ordered sets of the owner's saved analyses (tiles with a position and a size). A tile
//! can only point at an analysis of the same tenant and user; deleting the analysis removes its tiles.

use crate::saved::{owns, scope_column, scope_of};
use crate::{Store, StoreError, db_error, query_all, timestamp};
use chrono::Utc;
use inda_core::{Error, Scope};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

pub(crate) const MIGRATION_5: &str = "
CREATE TABLE dashboards (
    dashboard_id TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX dashboards_owner ON dashboards (tenant_id, user_id, created_at);
CREATE TABLE dashboard_tiles (
    dashboard_id TEXT NOT NULL REFERENCES dashboards (dashboard_id) ON DELETE CASCADE,
    analysis_id  TEXT NOT NULL REFERENCES saved_analyses (analysis_id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    PRIMARY KEY (dashboard_id, analysis_id)
);
CREATE INDEX dashboard_tiles_owner ON dashboard_tiles (tenant_id, user_id, dashboard_id, position);
";

/// Default tile size, in grid cells of the UI.
pub const TILE_WIDTH: i64 = 6;
pub const TILE_HEIGHT: i64 = 4;

/// A named dashboard of one analyst; its tiles come from [`Store::dashboard_tiles`].
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Dashboard {
    /// A random UUID.
    pub id: String,
    /// As the owner named it, at most 255 characters.
    pub name: String,
    /// When it was created (store timestamp: ISO 8601, UTC, milliseconds).
    pub created_at: String,
    /// When it or its tiles last changed (store timestamp).
    pub updated_at: String,
    /// The tenants it was made for (the session's scope at creation): showing it is refused when the
    /// user's current session does not cover it.
    pub scope: Scope,
}

/// One saved analysis on a dashboard: where it sits and how big it is.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Tile {
    /// The saved analysis shown, owned by the dashboard's owner; at most one tile per analysis.
    pub analysis_id: String,
    /// The analysis's name, for display.
    pub name: String,
    /// Its place in the dashboard's order: 1, 2, 3… without gaps (removing a tile closes the gap).
    pub position: i64,
    /// Width in grid cells of the UI (6 for a new tile).
    pub width: i64,
    /// Height in grid cells of the UI (4 for a new tile).
    pub height: i64,
}

/// `dashboard_id, name, created_at, updated_at, scope, tenant_id`.
fn dashboard_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Dashboard> {
    let tenant_id: String = r.get(5)?;
    Ok(Dashboard {
        id: r.get(0)?,
        name: r.get(1)?,
        created_at: r.get(2)?,
        updated_at: r.get(3)?,
        scope: scope_of(r.get(4)?, &tenant_id),
    })
}

fn not_found(id: &str) -> Error {
    StoreError::DashboardNotFound(id.to_string()).into()
}

fn owns_dashboard(c: &rusqlite::Connection, tenant_id: &str, user_id: &str, id: &str) -> Result<bool, Error> {
    c.query_row(
        "SELECT 1 FROM dashboards WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        params![id, tenant_id, user_id],
        |_| Ok(()),
    )
    .optional()
    .map_err(db_error)
    .map(|o| o.is_some())
}

impl Store {
    /// Creates an empty dashboard owned by the caller; the name is cut to 255 characters.
    pub fn dashboard_create(
        &self,
        tenant_id: &str,
        user_id: &str,
        name: &str,
        scope: Option<&Scope>,
    ) -> Result<Dashboard, Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = timestamp(Utc::now());
        let name: String = name.chars().take(255).collect();
        self.with(|c| {
            c.execute(
                "INSERT INTO dashboards (dashboard_id, tenant_id, user_id, name, created_at, updated_at, scope)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                params![id, tenant_id, user_id, name, at, scope_column(scope, tenant_id)],
            )
            .map_err(db_error)?;
            Ok(Dashboard {
                id,
                name,
                created_at: at.clone(),
                updated_at: at,
                scope: scope_of(scope_column(scope, tenant_id), tenant_id),
            })
        })
    }

    /// The caller's dashboard, or not-found (also when it belongs to someone else).
    pub fn dashboard_get(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<Dashboard, Error> {
        self.with(|c| {
            c.query_row(
                "SELECT dashboard_id, name, created_at, updated_at, scope, tenant_id FROM dashboards
                 WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![id, tenant_id, user_id],
                dashboard_from_row,
            )
            .optional()
            .map_err(db_error)?
            .ok_or_else(|| not_found(id))
        })
    }

    /// The caller's dashboards, oldest first.
    pub fn dashboard_list(&self, tenant_id: &str, user_id: &str) -> Result<Vec<Dashboard>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT dashboard_id, name, created_at, updated_at, scope, tenant_id FROM dashboards
                     WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY created_at, dashboard_id",
                params![tenant_id, user_id],
                dashboard_from_row,
            )
        })
    }

    /// Appends the caller's analysis to the caller's dashboard (last position). Both must be the caller's.
    pub fn dashboard_add(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        analysis_id: &str,
    ) -> Result<Vec<Tile>, Error> {
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns_dashboard(&tx, tenant_id, user_id, dashboard_id)? {
                return Err(not_found(dashboard_id));
            }
            if !owns(&tx, tenant_id, user_id, analysis_id)? {
                return Err(crate::saved::not_found(analysis_id));
            }
            let position: i64 = tx
                .query_row(
                    "SELECT COALESCE(MAX(position), 0) + 1 FROM dashboard_tiles
                     WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                    params![dashboard_id, tenant_id, user_id],
                    |r| r.get(0),
                )
                .map_err(db_error)?;
            let added = tx
                .execute(
                    "INSERT INTO dashboard_tiles (dashboard_id, analysis_id, tenant_id, user_id, position, width, height)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                    params![dashboard_id, analysis_id, tenant_id, user_id, position, TILE_WIDTH, TILE_HEIGHT],
                )
                .map_err(db_error)?;
            if added == 0 {
                return Err(StoreError::AlreadyOnDashboard {
                    analysis_id: analysis_id.to_string(),
                    dashboard_id: dashboard_id.to_string(),
                }
                .into());
            }
            touch(&tx, tenant_id, user_id, dashboard_id, &at)?;
            tx.commit().map_err(db_error)
        })?;
        self.dashboard_tiles(tenant_id, user_id, dashboard_id)
    }

    /// Removes a tile and closes the gap it leaves, in one transaction.
    pub fn dashboard_remove(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        analysis_id: &str,
    ) -> Result<Vec<Tile>, Error> {
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns_dashboard(&tx, tenant_id, user_id, dashboard_id)? {
                return Err(not_found(dashboard_id));
            }
            let position: Option<i64> = tx
                .query_row(
                    "SELECT position FROM dashboard_tiles
                     WHERE dashboard_id = ?1 AND analysis_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
                    params![dashboard_id, analysis_id, tenant_id, user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            let Some(position) = position else {
                return Err(StoreError::NotOnDashboard {
                    analysis_id: analysis_id.to_string(),
                    dashboard_id: dashboard_id.to_string(),
                }
                .into());
            };
            tx.execute(
                "DELETE FROM dashboard_tiles WHERE dashboard_id = ?1 AND analysis_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
                params![dashboard_id, analysis_id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            tx.execute(
                "UPDATE dashboard_tiles SET position = position - 1
                 WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3 AND position > ?4",
                params![dashboard_id, tenant_id, user_id, position],
            )
            .map_err(db_error)?;
            touch(&tx, tenant_id, user_id, dashboard_id, &at)?;
            tx.commit().map_err(db_error)
        })?;
        self.dashboard_tiles(tenant_id, user_id, dashboard_id)
    }

    /// The tiles of the caller's dashboard, in order.
    pub fn dashboard_tiles(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
    ) -> Result<Vec<Tile>, Error> {
        self.dashboard_get(tenant_id, user_id, dashboard_id)?;
        self.with(|c| {
            query_all(c, "SELECT t.analysis_id, a.name, t.position, t.width, t.height
                     FROM dashboard_tiles t JOIN saved_analyses a
                       ON a.analysis_id = t.analysis_id AND a.tenant_id = t.tenant_id AND a.created_by = t.user_id
                     WHERE t.dashboard_id = ?1 AND t.tenant_id = ?2 AND t.user_id = ?3
                     ORDER BY t.position", params![dashboard_id, tenant_id, user_id], |r| {
                    Ok(Tile {
                        analysis_id: r.get(0)?,
                        name: r.get(1)?,
                        position: r.get(2)?,
                        width: r.get(3)?,
                        height: r.get(4)?,
                    })
                })
        })
    }
}

fn touch(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    id: &str,
    at: &str,
) -> Result<(), Error> {
    tx.execute(
        "UPDATE dashboards SET updated_at = ?4 WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        params![id, tenant_id, user_id, at],
    )
    .map_err(db_error)?;
    Ok(())
}
