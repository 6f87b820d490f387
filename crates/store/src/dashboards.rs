//! Dashboards: named, ordered sets of the owner's saved analyses (tiles with a position and a size). A tile
//! can only point at an analysis of the same tenant and user; deleting the analysis removes its tiles.

use crate::saved::{owns, scope_column, scope_of};
use crate::{Store, StoreError, db_error, query_all, timestamp};
use chrono::Utc;
use inda_core::{Error, Scope};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

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

/// Text tiles, deleting a dashboard's tiles with it, and the dashboard's filters. The tiles table gets a
/// `tile_id` (for an analysis tile, the analysis id: one tile per analysis, and the ids the API and CLI
/// already use keep working) and an optional `text`; SQLite cannot change a primary key in place, so the
/// table is rebuilt. Nothing references it, so dropping the old one touches no other row.
pub(crate) const MIGRATION_9: &str = "
CREATE TABLE dashboard_tiles_9 (
    dashboard_id TEXT NOT NULL REFERENCES dashboards (dashboard_id) ON DELETE CASCADE,
    tile_id      TEXT NOT NULL,
    analysis_id  TEXT REFERENCES saved_analyses (analysis_id) ON DELETE CASCADE,
    text         TEXT,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    position     INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    PRIMARY KEY (dashboard_id, tile_id),
    CHECK ((analysis_id IS NULL) <> (text IS NULL)),
    CHECK (analysis_id IS NULL OR analysis_id = tile_id)
);
INSERT INTO dashboard_tiles_9 (dashboard_id, tile_id, analysis_id, text, tenant_id, user_id, position, width, height)
    SELECT dashboard_id, analysis_id, analysis_id, NULL, tenant_id, user_id, position, width, height
    FROM dashboard_tiles;
DROP TABLE dashboard_tiles;
ALTER TABLE dashboard_tiles_9 RENAME TO dashboard_tiles;
CREATE INDEX dashboard_tiles_owner ON dashboard_tiles (tenant_id, user_id, dashboard_id, position);
ALTER TABLE dashboards ADD COLUMN filters TEXT;
";

/// Default tile size, in grid cells of the UI.
pub const TILE_WIDTH: i64 = 6;
/// Default tile height, in grid rows of the UI.
pub const TILE_HEIGHT: i64 = 4;

/// What a dashboard's analysis tiles are narrowed to when it is shown, refreshed or exported. Empty lists
/// and absent dates filter nothing (and are left out of the JSON).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct DashboardFilters {
    /// First day included, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Last day included, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Channels, exactly as in the data (`whatsapp`, `sms`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub channel: Vec<String>,
    /// Contact countries (`CO`, `MX`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub country: Vec<String>,
    /// Contact segments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub segment: Vec<String>,
    /// Campaign names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub campaign: Vec<String>,
}

impl DashboardFilters {
    /// Whether nothing is set.
    pub fn is_empty(&self) -> bool {
        *self == DashboardFilters::default()
    }
}

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

/// One tile of a dashboard: a saved analysis or a line of text, where it sits and how big it is.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct Tile {
    /// The tile's id on its dashboard: the analysis id for an analysis tile, `text-<uuid>` for text.
    pub id: String,
    /// The saved analysis shown, owned by the dashboard's owner (at most one tile per analysis); absent
    /// for a text tile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis_id: Option<String>,
    /// A text tile's plain text; absent for an analysis tile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The analysis's name, for display ("" for a text tile).
    pub name: String,
    /// Its place in the dashboard's order: 1, 2, 3… without gaps.
    pub position: i64,
    /// Width in grid columns of the UI (6 for a new tile).
    pub width: i64,
    /// Height in grid rows of the UI (4 for a new tile).
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
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            if !owns(tx, tenant_id, user_id, analysis_id)? {
                return Err(crate::saved::not_found(analysis_id));
            }
            let added = tx
                .execute(
                    "INSERT INTO dashboard_tiles (dashboard_id, tile_id, analysis_id, tenant_id, user_id, position, width, height)
                     VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                    params![dashboard_id, analysis_id, tenant_id, user_id, next_position(tx, tenant_id, user_id, dashboard_id)?, TILE_WIDTH, TILE_HEIGHT],
                )
                .map_err(db_error)?;
            if added == 0 {
                return Err(StoreError::AlreadyOnDashboard {
                    analysis_id: analysis_id.to_string(),
                    dashboard_id: dashboard_id.to_string(),
                }
                .into());
            }
            Ok(())
        })
    }

    /// Appends a text tile (last position) and returns its id with the new tiles. The caller checks the
    /// text (plain, bounded).
    pub fn dashboard_add_text(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        text: &str,
    ) -> Result<(String, Vec<Tile>), Error> {
        let tile_id = format!("text-{}", uuid::Uuid::new_v4());
        let tiles = self.change(tenant_id, user_id, dashboard_id, |tx| {
            tx.execute(
                "INSERT INTO dashboard_tiles (dashboard_id, tile_id, text, tenant_id, user_id, position, width, height)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![dashboard_id, tile_id, text, tenant_id, user_id, next_position(tx, tenant_id, user_id, dashboard_id)?, TILE_WIDTH, TILE_HEIGHT],
            )
            .map_err(db_error)?;
            Ok(())
        })?;
        Ok((tile_id, tiles))
    }

    /// Replaces a text tile's text; a usage error for an analysis tile.
    pub fn dashboard_set_text(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        tile_id: &str,
        text: &str,
    ) -> Result<Vec<Tile>, Error> {
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            let is_text = tile(tx, tenant_id, user_id, dashboard_id, tile_id)?;
            if !is_text {
                return Err(StoreError::NotATextTile(tile_id.to_string()).into());
            }
            tx.execute(
                "UPDATE dashboard_tiles SET text = ?5
                 WHERE dashboard_id = ?1 AND tile_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
                params![dashboard_id, tile_id, tenant_id, user_id, text],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Sets a tile's size; the caller checks the ranges.
    pub fn dashboard_resize(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        tile_id: &str,
        width: i64,
        height: i64,
    ) -> Result<Vec<Tile>, Error> {
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            tile(tx, tenant_id, user_id, dashboard_id, tile_id)?;
            tx.execute(
                "UPDATE dashboard_tiles SET width = ?5, height = ?6
                 WHERE dashboard_id = ?1 AND tile_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
                params![dashboard_id, tile_id, tenant_id, user_id, width, height],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Moves a tile to `position` (1-based); the tiles between shift by one, and the order stays 1…n
    /// without gaps. A usage error past the last position.
    pub fn dashboard_move(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        tile_id: &str,
        position: i64,
    ) -> Result<Vec<Tile>, Error> {
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            tile(tx, tenant_id, user_id, dashboard_id, tile_id)?;
            let mut order = tile_order(tx, tenant_id, user_id, dashboard_id)?;
            let tiles = order.len() as i64;
            if !(1..=tiles).contains(&position) {
                return Err(StoreError::TilePosition { position, tiles }.into());
            }
            order.retain(|t| t != tile_id);
            order.insert((position - 1) as usize, tile_id.to_string());
            renumber(tx, tenant_id, user_id, dashboard_id, &order)
        })
    }

    /// Removes a tile (analysis or text) and closes the gap it leaves, in one transaction.
    pub fn dashboard_remove(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        tile_id: &str,
    ) -> Result<Vec<Tile>, Error> {
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            tile(tx, tenant_id, user_id, dashboard_id, tile_id)?;
            tx.execute(
                "DELETE FROM dashboard_tiles WHERE dashboard_id = ?1 AND tile_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
                params![dashboard_id, tile_id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            let order = tile_order(tx, tenant_id, user_id, dashboard_id)?;
            renumber(tx, tenant_id, user_id, dashboard_id, &order)
        })
    }

    /// Renames the caller's dashboard; the name is cut to 255 characters (the caller trims and checks it).
    pub fn dashboard_rename(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        name: &str,
    ) -> Result<Dashboard, Error> {
        let name: String = name.chars().take(255).collect();
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            tx.execute(
                "UPDATE dashboards SET name = ?4 WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![dashboard_id, tenant_id, user_id, name],
            )
            .map_err(db_error)?;
            Ok(())
        })?;
        self.dashboard_get(tenant_id, user_id, dashboard_id)
    }

    /// Deletes the caller's dashboard and its tiles (the analyses stay).
    pub fn dashboard_delete(&self, tenant_id: &str, user_id: &str, dashboard_id: &str) -> Result<(), Error> {
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns_dashboard(&tx, tenant_id, user_id, dashboard_id)? {
                return Err(not_found(dashboard_id));
            }
            // Explicitly, not by cascade: the cascade needs foreign keys on for the connection.
            for sql in [
                "DELETE FROM dashboard_tiles WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                "DELETE FROM dashboards WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
            ] {
                tx.execute(sql, params![dashboard_id, tenant_id, user_id]).map_err(db_error)?;
            }
            tx.commit().map_err(db_error)
        })
    }

    /// The caller's dashboard's filters (empty when none were set).
    pub fn dashboard_filters(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
    ) -> Result<DashboardFilters, Error> {
        let text: Option<Option<String>> = self.with(|c| {
            c.query_row(
                "SELECT filters FROM dashboards WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![dashboard_id, tenant_id, user_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_error)
        })?;
        match text.ok_or_else(|| not_found(dashboard_id))? {
            // Written by this store from the same type; a value it cannot read filters nothing rather than
            // hiding the dashboard.
            Some(json) => Ok(serde_json::from_str(&json).unwrap_or_default()),
            None => Ok(DashboardFilters::default()),
        }
    }

    /// Keeps `filters` with the caller's dashboard (empty filters clear them). The caller checks them.
    pub fn dashboard_set_filters(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        filters: &DashboardFilters,
    ) -> Result<(), Error> {
        let json = match filters.is_empty() {
            true => None,
            false => Some(serde_json::to_string(filters).map_err(StoreError::CannotSerialize)?),
        };
        self.change(tenant_id, user_id, dashboard_id, |tx| {
            tx.execute(
                "UPDATE dashboards SET filters = ?4 WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![dashboard_id, tenant_id, user_id, json],
            )
            .map_err(db_error)?;
            Ok(())
        })?;
        Ok(())
    }

    /// The tiles of the caller's dashboard, in order. Positions are counted here, 1…n, so a gap left by an
    /// analysis deleted elsewhere never shows.
    pub fn dashboard_tiles(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
    ) -> Result<Vec<Tile>, Error> {
        self.dashboard_get(tenant_id, user_id, dashboard_id)?;
        self.with(|c| tiles_of(c, tenant_id, user_id, dashboard_id))
    }

    /// Runs `change` on the caller's dashboard in one write transaction (not-found when it is not theirs),
    /// marks it updated and returns its tiles.
    fn change(
        &self,
        tenant_id: &str,
        user_id: &str,
        dashboard_id: &str,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<(), Error>,
    ) -> Result<Vec<Tile>, Error> {
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns_dashboard(&tx, tenant_id, user_id, dashboard_id)? {
                return Err(not_found(dashboard_id));
            }
            change(&tx)?;
            touch(&tx, tenant_id, user_id, dashboard_id, &at)?;
            let tiles = tiles_of(&tx, tenant_id, user_id, dashboard_id)?;
            tx.commit().map_err(db_error)?;
            Ok(tiles)
        })
    }
}

fn tiles_of(
    c: &rusqlite::Connection,
    tenant_id: &str,
    user_id: &str,
    dashboard_id: &str,
) -> Result<Vec<Tile>, Error> {
    query_all(
        c,
        "SELECT t.tile_id, t.analysis_id, t.text, COALESCE(a.name, ''),
                ROW_NUMBER() OVER (ORDER BY t.position, t.tile_id), t.width, t.height
         FROM dashboard_tiles t LEFT JOIN saved_analyses a
           ON a.analysis_id = t.analysis_id AND a.tenant_id = t.tenant_id AND a.created_by = t.user_id
         WHERE t.dashboard_id = ?1 AND t.tenant_id = ?2 AND t.user_id = ?3
           AND (t.analysis_id IS NULL OR a.analysis_id IS NOT NULL)
         ORDER BY t.position, t.tile_id",
        params![dashboard_id, tenant_id, user_id],
        |r| {
            Ok(Tile {
                id: r.get(0)?,
                analysis_id: r.get(1)?,
                text: r.get(2)?,
                name: r.get(3)?,
                position: r.get(4)?,
                width: r.get(5)?,
                height: r.get(6)?,
            })
        },
    )
}

/// Whether the tile is a text tile; not-found when the dashboard has no such tile.
fn tile(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    dashboard_id: &str,
    tile_id: &str,
) -> Result<bool, Error> {
    tx.query_row(
        "SELECT text IS NOT NULL FROM dashboard_tiles
         WHERE dashboard_id = ?1 AND tile_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
        params![dashboard_id, tile_id, tenant_id, user_id],
        |r| r.get(0),
    )
    .optional()
    .map_err(db_error)?
    .ok_or_else(|| {
        StoreError::TileNotFound { tile_id: tile_id.to_string(), dashboard_id: dashboard_id.to_string() }
            .into()
    })
}

fn next_position(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    dashboard_id: &str,
) -> Result<i64, Error> {
    tx.query_row(
        "SELECT COALESCE(MAX(position), 0) + 1 FROM dashboard_tiles
         WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        params![dashboard_id, tenant_id, user_id],
        |r| r.get(0),
    )
    .map_err(db_error)
}

/// The tile ids in their order.
fn tile_order(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    dashboard_id: &str,
) -> Result<Vec<String>, Error> {
    query_all(
        tx,
        "SELECT tile_id FROM dashboard_tiles WHERE dashboard_id = ?1 AND tenant_id = ?2 AND user_id = ?3
         ORDER BY position, tile_id",
        params![dashboard_id, tenant_id, user_id],
        |r| r.get(0),
    )
}

/// Positions 1…n in `order`.
fn renumber(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    dashboard_id: &str,
    order: &[String],
) -> Result<(), Error> {
    for (i, tile_id) in order.iter().enumerate() {
        tx.execute(
            "UPDATE dashboard_tiles SET position = ?5
             WHERE dashboard_id = ?1 AND tile_id = ?2 AND tenant_id = ?3 AND user_id = ?4",
            params![dashboard_id, tile_id, tenant_id, user_id, i as i64 + 1],
        )
        .map_err(db_error)?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewAnalysis;
    use inda_core::ErrorCode;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("store.sqlite")).expect("store");
        (dir, store)
    }

    fn analysis(store: &Store, name: &str) -> String {
        let new =
            NewAnalysis { name: name.into(), generated_sql: "SELECT 1".into(), ..NewAnalysis::default() };
        store.saved_create("acme", "u1", &new).expect("saved").id
    }

    fn ids(tiles: &[Tile]) -> Vec<(String, i64)> {
        tiles.iter().map(|t| (t.id.clone(), t.position)).collect()
    }

    #[test]
    fn text_tiles_sit_with_analysis_tiles_and_move_without_gaps() {
        let (_dir, s) = store();
        let (a, b) = (analysis(&s, "a"), analysis(&s, "b"));
        let d = s.dashboard_create("acme", "u1", "weekly", None).expect("dashboard");
        s.dashboard_add("acme", "u1", &d.id, &a).expect("add a");
        let (text, tiles) = s.dashboard_add_text("acme", "u1", &d.id, "Notes for Monday").expect("text");
        assert!(text.starts_with("text-"));
        let t = &tiles[1];
        assert_eq!(
            (t.analysis_id.as_deref(), t.text.as_deref(), t.name.as_str()),
            (None, Some("Notes for Monday"), "")
        );
        let tiles = s.dashboard_add("acme", "u1", &d.id, &b).expect("add b");
        assert_eq!(tiles[0].analysis_id.as_deref(), Some(a.as_str()));
        assert_eq!(tiles[0].id, a, "an analysis tile's id is the analysis id");
        assert_eq!(tiles[0].name, "a");
        // Move the last tile first, then the first one last: the others shift, positions stay 1..n.
        let tiles = s.dashboard_move("acme", "u1", &d.id, &b, 1).expect("move");
        assert_eq!(ids(&tiles), vec![(b.clone(), 1), (a.clone(), 2), (text.clone(), 3)]);
        let tiles = s.dashboard_move("acme", "u1", &d.id, &b, 3).expect("move");
        assert_eq!(ids(&tiles), vec![(a.clone(), 1), (text.clone(), 2), (b.clone(), 3)]);
        for bad in [0, 4, -1] {
            let e = s.dashboard_move("acme", "u1", &d.id, &b, bad).expect_err("out of range");
            assert_eq!(e.code, ErrorCode::Usage, "{bad}");
        }
        // Resize, edit text, and remove by tile id (text or analysis).
        let tiles = s.dashboard_resize("acme", "u1", &d.id, &text, 12, 2).expect("resize");
        assert_eq!((tiles[1].width, tiles[1].height), (12, 2));
        let tiles = s.dashboard_set_text("acme", "u1", &d.id, &text, "Edited").expect("edit");
        assert_eq!(tiles[1].text.as_deref(), Some("Edited"));
        let e = s.dashboard_set_text("acme", "u1", &d.id, &a, "x").expect_err("analysis tile");
        assert_eq!(e.code, ErrorCode::Usage);
        let tiles = s.dashboard_remove("acme", "u1", &d.id, &text).expect("remove text");
        assert_eq!(ids(&tiles), vec![(a.clone(), 1), (b.clone(), 2)]);
        let e = s.dashboard_remove("acme", "u1", &d.id, &text).expect_err("gone");
        assert_eq!(e.code, ErrorCode::NotFound);
        // Someone else cannot touch any of it.
        for e in [
            s.dashboard_move("acme", "u2", &d.id, &a, 1).expect_err("other user"),
            s.dashboard_resize("globex", "u1", &d.id, &a, 6, 4).expect_err("other tenant"),
            s.dashboard_add_text("acme", "u2", &d.id, "x").map(|_| ()).expect_err("other user"),
        ] {
            assert_eq!(e.code, ErrorCode::NotFound);
        }
        // An analysis deleted elsewhere leaves no gap.
        s.saved_delete("acme", "u1", &a).expect("delete analysis");
        assert_eq!(ids(&s.dashboard_tiles("acme", "u1", &d.id).expect("tiles")), vec![(b, 1)]);
    }

    #[test]
    fn rename_delete_and_filters_belong_to_the_owner() {
        let (_dir, s) = store();
        let a = analysis(&s, "a");
        let d = s.dashboard_create("acme", "u1", "weekly", None).expect("dashboard");
        s.dashboard_add("acme", "u1", &d.id, &a).expect("add");
        assert_eq!(s.dashboard_rename("acme", "u1", &d.id, "Monthly").expect("rename").name, "Monthly");
        assert_eq!(
            s.dashboard_rename("acme", "u2", &d.id, "x").expect_err("other").code,
            ErrorCode::NotFound
        );
        assert!(s.dashboard_filters("acme", "u1", &d.id).expect("filters").is_empty());
        let filters = DashboardFilters {
            from: Some("2026-03-01".into()),
            channel: vec!["sms".into(), "it's".into()],
            ..DashboardFilters::default()
        };
        s.dashboard_set_filters("acme", "u1", &d.id, &filters).expect("set");
        assert_eq!(s.dashboard_filters("acme", "u1", &d.id).expect("filters"), filters);
        assert_eq!(s.dashboard_filters("acme", "u2", &d.id).expect_err("other").code, ErrorCode::NotFound);
        s.dashboard_set_filters("acme", "u1", &d.id, &DashboardFilters::default()).expect("clear");
        assert!(s.dashboard_filters("acme", "u1", &d.id).expect("filters").is_empty());
        assert_eq!(s.dashboard_delete("globex", "u1", &d.id).expect_err("other").code, ErrorCode::NotFound);
        s.dashboard_delete("acme", "u1", &d.id).expect("delete");
        assert_eq!(s.dashboard_get("acme", "u1", &d.id).expect_err("gone").code, ErrorCode::NotFound);
        let left: i64 = s
            .with(|c| c.query_row("SELECT COUNT(*) FROM dashboard_tiles", [], |r| r.get(0)).map_err(db_error))
            .expect("count");
        assert_eq!(left, 0, "its tiles go with it");
        assert_eq!(s.saved_get("acme", "u1", &a).expect("analysis stays").name, "a");
    }

    /// A store made before migration 9 keeps its tiles, now with the analysis id as their tile id.
    #[test]
    fn migration_9_keeps_existing_tiles() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.sqlite");
        {
            let c = rusqlite::Connection::open(&path).expect("open");
            c.pragma_update(None, "foreign_keys", "ON").expect("fk");
            for sql in [
                crate::audit::MIGRATION_1,
                crate::conversations::MIGRATION_2,
                crate::saved::MIGRATION_3,
                crate::cache::MIGRATION_4,
                MIGRATION_5,
                crate::mirror::MIGRATION_6,
                crate::saved::MIGRATION_7,
                crate::saved::MIGRATION_8,
            ] {
                c.execute_batch(sql).expect("old migration");
            }
            c.pragma_update(None, "user_version", 8).expect("version");
        }
        {
            // A dashboard with two analysis tiles, as version 8 wrote them.
            let c = rusqlite::Connection::open(&path).expect("open");
            c.execute_batch(
                "INSERT INTO saved_analyses (analysis_id, tenant_id, created_by, name, generated_sql, created_at, updated_at)
                 VALUES ('a1', 'acme', 'u1', 'first', 'SELECT 1', '2026-01-01', '2026-01-01'),
                        ('a2', 'acme', 'u1', 'second', 'SELECT 2', '2026-01-01', '2026-01-01');
                 INSERT INTO dashboards (dashboard_id, tenant_id, user_id, name, created_at, updated_at)
                 VALUES ('d1', 'acme', 'u1', 'old', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                 INSERT INTO dashboard_tiles (dashboard_id, analysis_id, tenant_id, user_id, position, width, height)
                 VALUES ('d1', 'a2', 'acme', 'u1', 1, 12, 3), ('d1', 'a1', 'acme', 'u1', 2, 6, 4);",
            )
            .expect("version 8 rows");
        }
        let s = Store::open(&path).expect("migrated");
        let tiles = s.dashboard_tiles("acme", "u1", "d1").expect("tiles");
        let seen: Vec<_> = tiles
            .iter()
            .map(|t| {
                (t.id.as_str(), t.analysis_id.as_deref(), t.name.as_str(), t.position, t.width, t.height)
            })
            .collect();
        assert_eq!(seen, vec![("a2", Some("a2"), "second", 1, 12, 3), ("a1", Some("a1"), "first", 2, 6, 4)]);
        assert!(s.dashboard_filters("acme", "u1", "d1").expect("filters").is_empty());
        // The old ids keep working: removing by analysis id.
        let tiles = s.dashboard_remove("acme", "u1", "d1", "a2").expect("remove");
        assert_eq!(ids(&tiles), vec![("a1".to_string(), 1)]);
        drop(dir);
    }
}
