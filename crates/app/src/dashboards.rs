//! Dashboards: create, rename, delete, list; add analysis and text tiles, move, resize, edit and remove them;
//! keep filters with the dashboard; and show every tile's result (from the cache when there is one; offline,
//! only from the cache). A tile that cannot be shown carries its error; the others still show.
//!
//! Filters narrow every analysis tile through the guard ([`inda_guard::guard_filtered`]): they sit inside
//! each tenant-filtered table, so no tile's SQL can see past them. A filtered result is computed live and
//! never cached (the analysis's cache stays its unfiltered result); a tile whose SQL no set filter reaches
//! is served as without filters, and says which filters did not apply.

use crate::sql::{Origin, round_ms};
use crate::{App, SavedAnswer};
use chrono::{NaiveDate, Utc};
use inda_core::{Error, Session};
use inda_guard::{Catalog, GuardOptions, Guarded, RowDimension, RowFilters};
use inda_store::{AuditAction, AuditOutcome, DashboardFilters, SavedAnalysis};
use inda_store::{Dashboard, Tile};
use inda_warehouse::Cancel;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::time::Instant;

/// A dashboard with its filters and its tiles, in order.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct DashboardView {
    /// Id, name and timestamps (flattened into the same JSON object).
    #[serde(flatten)]
    pub dashboard: Dashboard,
    /// What its analysis tiles are narrowed to (empty: nothing).
    pub filters: DashboardFilters,
    /// The tiles in position order; only [`App::show_dashboard`] and [`App::refresh_dashboard`] fill in
    /// their results.
    pub tiles: Vec<TileView>,
}

/// One tile of a dashboard view: the analysis or text, its place and size, and its result or why it has
/// none.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct TileView {
    /// The tile: its id, analysis or text, position and size (flattened).
    #[serde(flatten)]
    pub tile: Tile,
    /// The tile's result (only from `show` and `refresh`, only for an analysis tile).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<SavedAnswer>,
    /// Why the tile has no result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Error>,
    /// Filters of the dashboard that do not reach this tile's data (`date`, `channel`, `country`,
    /// `segment`, `campaign`): its result is not narrowed by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<String>>")]
    pub unfiltered: Vec<String>,
}

/// A change to one tile: any of its position (1-based), size and, for a text tile, text.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ts_rs::TS)]
#[ts(optional_fields)]
pub struct TileUpdate {
    /// Where to move it: 1 is first; the tiles between shift by one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
    /// Width in grid columns, 3 to 12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<i64>,
    /// Height in grid rows, 2 to 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<i64>,
    /// New text of a text tile (plain, at most 2,000 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// A dimension a dashboard can be filtered on by value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum FilterDimension {
    /// The channel of a message, activity or campaign.
    Channel,
    /// The contact's country.
    Country,
    /// The contact's segment.
    Segment,
    /// The campaign's name.
    Campaign,
}

impl FilterDimension {
    fn row_dimension(self) -> RowDimension {
        match self {
            FilterDimension::Channel => RowDimension::Channel,
            FilterDimension::Country => RowDimension::Country,
            FilterDimension::Segment => RowDimension::Segment,
            FilterDimension::Campaign => RowDimension::Campaign,
        }
    }

    /// The tenant's distinct values, sorted (the guard scopes each table).
    fn values_sql(self) -> String {
        let sql = match self {
            FilterDimension::Channel => {
                "SELECT channel AS v FROM marts.fct_messages UNION SELECT channel FROM marts.fct_activities \
                 UNION SELECT channel FROM marts.dim_campaigns"
            }
            FilterDimension::Country => "SELECT DISTINCT country AS v FROM marts.dim_contacts",
            FilterDimension::Segment => "SELECT DISTINCT segment AS v FROM marts.dim_contacts",
            FilterDimension::Campaign => "SELECT DISTINCT campaign_name AS v FROM marts.dim_campaigns",
        };
        format!("SELECT v FROM ({sql}) AS choices WHERE v IS NOT NULL ORDER BY v LIMIT {MAX_CHOICES}")
    }
}

/// The values a dashboard's filters can take.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FilterChoices {
    /// One entry per dimension that reaches every analysis tile, in the order channel, country, segment,
    /// campaign; none when the dashboard has no analysis tile.
    pub dimensions: Vec<FilterChoice>,
}

/// The values of one filter dimension in the tenant's data.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct FilterChoice {
    /// Which dimension.
    pub dimension: FilterDimension,
    /// Distinct values, sorted, at most 500.
    pub values: Vec<String>,
}

/// Most values a filter dimension offers.
const MAX_CHOICES: usize = 500;
/// Longest text tile, in characters.
pub const MAX_TEXT_CHARS: usize = 2000;
const WIDTHS: std::ops::RangeInclusive<i64> = 3..=12;
const HEIGHTS: std::ops::RangeInclusive<i64> = 2..=8;
const FILTER_DIMENSIONS: [FilterDimension; 4] =
    [FilterDimension::Channel, FilterDimension::Country, FilterDimension::Segment, FilterDimension::Campaign];

fn layout(dashboard: Dashboard, filters: DashboardFilters, tiles: Vec<Tile>) -> DashboardView {
    DashboardView {
        dashboard,
        filters,
        tiles: tiles
            .into_iter()
            .map(|tile| TileView { tile, result: None, error: None, unfiltered: vec![] })
            .collect(),
    }
}

/// A text tile's text, trimmed: plain, not empty, at most [`MAX_TEXT_CHARS`] characters.
fn checked_text(text: &str) -> Result<&str, Error> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::usage("a text tile's text must not be empty"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::usage(format!("a text tile holds at most {MAX_TEXT_CHARS} characters")));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(Error::usage("a text tile's text must be plain text (no control characters)"));
    }
    Ok(text)
}

/// The filters as kept: values trimmed, empty ones and repeats dropped; dates real days in order; at most
/// 50 values per dimension, each at most 200 characters.
fn checked_filters(filters: &DashboardFilters) -> Result<DashboardFilters, Error> {
    let date = |d: &Option<String>, which: &str| -> Result<Option<NaiveDate>, Error> {
        match d.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
            None => Ok(None),
            Some(d) => {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").ok().filter(|_| d.len() == 10).map(Some).ok_or_else(
                    || Error::usage(format!("--{which} must be a date written YYYY-MM-DD (got {d:.20})")),
                )
            }
        }
    };
    let (from, to) = (date(&filters.from, "from")?, date(&filters.to, "to")?);
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Error::usage(format!("the filter starts ({from}) after it ends ({to})")));
    }
    let list = |values: &[String], name: &str| -> Result<Vec<String>, Error> {
        let mut out: Vec<String> = Vec::new();
        for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            if v.chars().count() > inda_guard::MAX_VALUE_CHARS
                || v.chars().any(|c| c.is_control() || c == '\\')
            {
                return Err(Error::usage(format!(
                    "a {name} filter value must be at most {} characters of plain text, without backslashes",
                    inda_guard::MAX_VALUE_CHARS
                )));
            }
            if !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
        if out.len() > inda_guard::MAX_VALUES {
            return Err(Error::usage(format!(
                "a {name} filter holds at most {} values",
                inda_guard::MAX_VALUES
            )));
        }
        Ok(out)
    };
    Ok(DashboardFilters {
        from: from.map(|d| d.format("%Y-%m-%d").to_string()),
        to: to.map(|d| d.format("%Y-%m-%d").to_string()),
        channel: list(&filters.channel, "channel")?,
        country: list(&filters.country, "country")?,
        segment: list(&filters.segment, "segment")?,
        campaign: list(&filters.campaign, "campaign")?,
    })
}

fn row_filters(f: &DashboardFilters) -> RowFilters {
    RowFilters {
        from: f.from.clone(),
        to: f.to.clone(),
        channel: f.channel.clone(),
        country: f.country.clone(),
        segment: f.segment.clone(),
        campaign: f.campaign.clone(),
    }
}

/// Whether tiles are shown (cache first) or refreshed (run now).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    Show,
    Refresh,
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
        Ok(layout(d, DashboardFilters::default(), vec![]))
    }

    /// The session user's dashboards, oldest first (without their tiles).
    pub fn list_dashboards(&self, session: &Session) -> Result<Vec<Dashboard>, Error> {
        self.store()?.dashboard_list(&session.tenant_id, &session.user_id)
    }

    /// The dashboard's layout and filters, without running anything; `auth` when it was made with a scope
    /// the session does not cover now.
    pub fn dashboard_layout(&self, session: &Session, id: &str) -> Result<DashboardView, Error> {
        let store = self.store()?;
        let d = store.dashboard_get(&session.tenant_id, &session.user_id, id)?;
        self.check_within(session, &d.scope)?;
        let tiles = store.dashboard_tiles(&session.tenant_id, &session.user_id, id)?;
        let filters = store.dashboard_filters(&session.tenant_id, &session.user_id, id)?;
        Ok(layout(d, filters, tiles))
    }

    /// Renames the caller's dashboard (trimmed, not empty, cut to 255 characters), audits it and returns
    /// its layout.
    pub fn rename_dashboard(&self, session: &Session, id: &str, name: &str) -> Result<DashboardView, Error> {
        let name = checked_name(name)?;
        self.dashboard_layout(session, id)?;
        let d = self.store()?.dashboard_rename(&session.tenant_id, &session.user_id, id, name)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "name": d.name}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// Deletes the caller's dashboard with its tiles (the analyses stay) and audits it.
    pub fn delete_dashboard(&self, session: &Session, id: &str) -> Result<crate::Deleted, Error> {
        self.store()?.dashboard_delete(&session.tenant_id, &session.user_id, id)?;
        self.audit(session, AuditAction::Delete, AuditOutcome::Ok, json!({"dashboard_id": id}))?;
        Ok(crate::Deleted { deleted: true })
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

    /// Appends a text tile (plain text, at most 2,000 characters, trimmed) as the last tile, audits it and
    /// returns the new layout.
    pub fn dashboard_add_text(
        &self,
        session: &Session,
        id: &str,
        text: &str,
    ) -> Result<DashboardView, Error> {
        let text = checked_text(text)?;
        let (tile_id, _) =
            self.store()?.dashboard_add_text(&session.tenant_id, &session.user_id, id, text)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "added": tile_id, "text_chars": text.chars().count()}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// Moves, resizes or edits one tile (any of the update's fields), audits it and returns the new layout.
    /// Width is 3 to 12 grid columns, height 2 to 8 rows, a position 1 to the number of tiles; text only for
    /// a text tile. Nothing to change is a usage error.
    pub fn dashboard_update_tile(
        &self,
        session: &Session,
        id: &str,
        tile_id: &str,
        update: &TileUpdate,
    ) -> Result<DashboardView, Error> {
        if update.position.is_none()
            && update.width.is_none()
            && update.height.is_none()
            && update.text.is_none()
        {
            return Err(Error::usage("give a position, a width, a height or a text to change"));
        }
        if let Some(w) = update.width
            && !WIDTHS.contains(&w)
        {
            return Err(Error::usage(format!("a tile's width is 3 to 12 grid columns (got {w})")));
        }
        if let Some(h) = update.height
            && !HEIGHTS.contains(&h)
        {
            return Err(Error::usage(format!("a tile's height is 2 to 8 grid rows (got {h})")));
        }
        let text = update.text.as_deref().map(checked_text).transpose()?;
        let view = self.dashboard_layout(session, id)?;
        let Some(current) = view.tiles.iter().find(|t| t.tile.id == tile_id).map(|t| t.tile.clone()) else {
            return Err(Error::not_found(format!("no tile {tile_id} on dashboard {id}")));
        };
        let store = self.store()?;
        let (tenant, user) = (&session.tenant_id, &session.user_id);
        if let Some(text) = text {
            store.dashboard_set_text(tenant, user, id, tile_id, text)?;
        }
        if update.width.is_some() || update.height.is_some() {
            let (w, h) = (update.width.unwrap_or(current.width), update.height.unwrap_or(current.height));
            store.dashboard_resize(tenant, user, id, tile_id, w, h)?;
        }
        if let Some(p) = update.position {
            store.dashboard_move(tenant, user, id, tile_id, p)?;
        }
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "tile_id": tile_id, "position": update.position, "width": update.width,
                   "height": update.height, "text_chars": text.map(|t| t.chars().count())}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// Takes a tile (an analysis's, by the analysis id, or a text tile) off the caller's dashboard (the
    /// tiles after it move up), audits it and returns the new layout; `not_found` when the dashboard is not
    /// the caller's or has no such tile.
    pub fn dashboard_remove(
        &self,
        session: &Session,
        id: &str,
        tile_id: &str,
    ) -> Result<DashboardView, Error> {
        self.store()?.dashboard_remove(&session.tenant_id, &session.user_id, id, tile_id)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "removed": tile_id}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// Keeps `filters` with the caller's dashboard (empty ones clear it), audits it and returns the layout.
    /// Dates must be real days (`YYYY-MM-DD`) in order; at most 50 values per dimension, each at most 200
    /// characters.
    pub fn set_dashboard_filters(
        &self,
        session: &Session,
        id: &str,
        filters: &DashboardFilters,
    ) -> Result<DashboardView, Error> {
        let filters = checked_filters(filters)?;
        self.dashboard_layout(session, id)?;
        self.store()?.dashboard_set_filters(&session.tenant_id, &session.user_id, id, &filters)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"dashboard_id": id, "filters": filters}),
        )?;
        self.dashboard_layout(session, id)
    }

    /// The values each filter dimension can take in the dashboard's companies' data (through the guard,
    /// sorted, at most 500), for the dimensions that reach every analysis tile; none without analysis
    /// tiles. Needs the warehouse.
    pub async fn dashboard_filter_choices(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<FilterChoices, Error> {
        let view = self.dashboard_layout(session, id)?;
        let mut common: Option<Vec<FilterDimension>> = None;
        for analysis_id in view.tiles.iter().filter_map(|t| t.tile.analysis_id.as_deref()) {
            let analysis = self.get_analysis(session, analysis_id)?;
            let tile_session = Session { scope: analysis.scope.clone(), ..session.clone() };
            let reaches = match self.guard(&tile_session, &analysis.generated_sql) {
                Ok(g) => reached(&g),
                // A tile that cannot run is filtered by nothing.
                Err(_) => vec![],
            };
            common = Some(match common {
                None => reaches,
                Some(so_far) => so_far.into_iter().filter(|d| reaches.contains(d)).collect(),
            });
        }
        let session = &Session { scope: view.dashboard.scope.clone(), ..session.clone() };
        let mut dimensions = Vec::new();
        for dimension in common.unwrap_or_default() {
            let sql = dimension.values_sql();
            let started = Instant::now();
            let outcome = self.guard_and_run(session, &sql, cancel).await;
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let purpose = json!({"dashboard_id": id, "filter_choices": dimension});
            self.audit_query(session, Origin::Person, &sql, &outcome, ms, Some(purpose))?;
            let (_, rs) = outcome?;
            let mut values: Vec<String> = rs
                .rows
                .iter()
                .filter_map(|row| match row.first() {
                    Some(inda_core::Value::Text(t)) => Some(t.clone()),
                    _ => None,
                })
                .collect();
            values.sort();
            values.dedup();
            values.truncate(MAX_CHOICES);
            dimensions.push(FilterChoice { dimension, values });
        }
        Ok(FilterChoices { dimensions })
    }

    /// The dashboard with every analysis tile's result: the cached one when there is one, else run now;
    /// narrowed by its filters when it has some (then computed live).
    pub async fn show_dashboard(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<DashboardView, Error> {
        self.fill(session, id, Fill::Show, cancel).await
    }

    /// Runs every analysis tile now (cached results are replaced; filtered results are not cached) and
    /// returns the dashboard. A tile that fails keeps its error and the others still refresh; offline,
    /// every tile is served from the cache (a filtered one fails).
    pub async fn refresh_dashboard(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<DashboardView, Error> {
        self.fill(session, id, Fill::Refresh, cancel).await
    }

    /// The results of the dashboard's analysis tiles in order, as shown (filters applied), for an export;
    /// the first tile that cannot be shown is the error.
    pub(crate) async fn dashboard_answers(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<Vec<SavedAnswer>, Error> {
        let view = self.dashboard_layout(session, id)?;
        let filters = row_filters(&view.filters);
        let mut answers = Vec::new();
        for analysis_id in view.tiles.iter().filter_map(|t| t.tile.analysis_id.as_deref()) {
            let (answer, _) = self.tile_answer(session, id, analysis_id, &filters, Fill::Show, cancel).await;
            answers.push(answer?);
        }
        Ok(answers)
    }

    async fn fill(
        &self,
        session: &Session,
        id: &str,
        fill: Fill,
        cancel: &Cancel,
    ) -> Result<DashboardView, Error> {
        let mut view = self.dashboard_layout(session, id)?;
        let filters = row_filters(&view.filters);
        for tile in &mut view.tiles {
            let Some(analysis_id) = tile.tile.analysis_id.clone() else { continue };
            if fill == Fill::Refresh && cancel.is_cancelled() {
                return Err(Error::engine("the refresh was cancelled"));
            }
            let (answer, unfiltered) =
                self.tile_answer(session, id, &analysis_id, &filters, fill, cancel).await;
            tile.unfiltered = unfiltered;
            match answer {
                Ok(answer) => tile.result = Some(answer),
                Err(e) => tile.error = Some(e),
            }
        }
        Ok(view)
    }

    /// One analysis tile's result, and the set filters that do not reach it. Without filters (or when none
    /// reaches its SQL) it is the analysis's own result, shown or refreshed as usual.
    async fn tile_answer(
        &self,
        session: &Session,
        dashboard_id: &str,
        analysis_id: &str,
        filters: &RowFilters,
        fill: Fill,
        cancel: &Cancel,
    ) -> (Result<SavedAnswer, Error>, Vec<String>) {
        let plain = || async {
            match fill {
                Fill::Show => self.show_analysis(session, analysis_id, cancel).await,
                Fill::Refresh => self.run_analysis(session, analysis_id, cancel).await,
            }
        };
        if filters.is_empty() {
            return (plain().await, vec![]);
        }
        let set = filters.dimensions();
        let prepared = self.filtered_tile(session, analysis_id, filters).await;
        let (analysis, tile_session, plan, guarded) = match prepared {
            Ok(prepared) => prepared,
            Err(e) => return (Err(e), vec![]),
        };
        let unfiltered: Vec<String> =
            set.iter().filter(|d| !guarded.filtered.contains(d)).map(|d| d.as_str().to_string()).collect();
        if guarded.filtered.is_empty() {
            return (plain().await, unfiltered);
        }
        let answer =
            self.run_filtered(&tile_session, dashboard_id, &analysis, plan, guarded, filters, cancel).await;
        (answer, unfiltered)
    }

    /// The analysis, the session it runs in (its own scope), its plan and its SQL guarded with the filters.
    async fn filtered_tile(
        &self,
        session: &Session,
        analysis_id: &str,
        filters: &RowFilters,
    ) -> Result<(SavedAnalysis, Session, Option<inda_semantic::Plan>, Guarded), Error> {
        let analysis = self.get_analysis(session, analysis_id)?;
        // It reads exactly the tenants it was saved with, as its own runs do.
        let session = Session { scope: analysis.scope.clone(), ..session.clone() };
        // A saved question runs with today's definitions, as its own runs do.
        let plan = match crate::saved::plan_of(&analysis) {
            Some(old) => Some(match self.semantic_for(&session).await {
                Ok(model) => inda_semantic::replan(&model, old.intent.clone(), old.lang).unwrap_or(old),
                Err(_) => old,
            }),
            None => None,
        };
        let sql = plan.as_ref().map_or(analysis.generated_sql.as_str(), |p| p.sql.as_str());
        let opts = GuardOptions { max_rows: self.limits().max_rows as u64 };
        let guarded = inda_guard::guard_filtered(sql, &session.scope, &Catalog::marts(), &opts, filters)?;
        Ok((analysis, session, plan, guarded))
    }

    /// Runs a filtered tile live (never cached) and audits the run whatever its outcome.
    #[allow(clippy::too_many_arguments)]
    async fn run_filtered(
        &self,
        session: &Session,
        dashboard_id: &str,
        analysis: &SavedAnalysis,
        plan: Option<inda_semantic::Plan>,
        guarded: Guarded,
        filters: &RowFilters,
        cancel: &Cancel,
    ) -> Result<SavedAnswer, Error> {
        let started = Instant::now();
        if self.offline {
            return Err(Error::engine(
                "offline: a filtered tile is computed from the warehouse; clear the dashboard's filters to see cached results",
            ));
        }
        let outcome = async {
            let (guarded, mut rs) = self.run_guarded(session, guarded, cancel).await?;
            let shown = match &plan {
                Some(plan) => {
                    let p = self.present(session, plan, &mut rs, cancel).await?;
                    (crate::saved::kept_chart(analysis, &rs, p.chart), p.caveats)
                }
                None => (
                    crate::saved::chart_for(analysis, &rs),
                    inda_semantic::truncated_caveat(&rs, inda_semantic::Lang::En).into_iter().collect(),
                ),
            };
            Ok::<_, Error>((guarded, rs, shown))
        }
        .await;
        let ms = round_ms(started.elapsed().as_secs_f64() * 1000.0);
        let filters_json = json!({"from": filters.from, "to": filters.to, "channel": filters.channel,
            "country": filters.country, "segment": filters.segment, "campaign": filters.campaign});
        let details = match &outcome {
            Ok((g, rs, _)) => {
                json!({"analysis_id": analysis.id, "dashboard_id": dashboard_id, "trigger": "dashboard",
                "filters": filters_json, "sql": g.sql, "rows": rs.rows.len(), "duration_ms": ms})
            }
            Err(e) => {
                json!({"analysis_id": analysis.id, "dashboard_id": dashboard_id, "trigger": "dashboard",
                "filters": filters_json, "error": e.code.as_str(), "message": crate::saved::truncate(&e.message, 500),
                "duration_ms": ms})
            }
        };
        let result = match &outcome {
            Ok(_) => AuditOutcome::Ok,
            Err(e) => AuditOutcome::of_error(e),
        };
        self.audit(session, AuditAction::Run, result, details)?;
        let (guarded, result, (chart, caveats)) = outcome?;
        let shown = crate::saved::Shown { sql: guarded.sql, result, chart, caveats };
        Ok(self.saved_answer(analysis, shown, inda_store::timestamp(Utc::now()), false, started))
    }
}

/// The value dimensions a guarded query's tables can be filtered on.
fn reached(g: &Guarded) -> Vec<FilterDimension> {
    let reads_facts = g.tables.iter().any(|t| t.starts_with("fct_"));
    FILTER_DIMENSIONS
        .into_iter()
        .filter(|d| {
            g.tables.iter().any(|t| inda_guard::applicable(t, reads_facts).contains(&d.row_dimension()))
        })
        .collect()
}

/// A dashboard's name: trimmed, not empty, at most 255 characters.
fn checked_name(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(Error::usage("--name must not be empty"));
    }
    if name.chars().count() > 255 {
        return Err(Error::usage("a dashboard's name is at most 255 characters"));
    }
    Ok(name)
}
