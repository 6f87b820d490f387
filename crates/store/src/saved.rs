//! Saved analyses (the columns of `ADMIN.saved_analyses`) and their executions. An analysis keeps the SQL as
//! submitted, before the guard: the guard runs again on every execution, so a saved statement can never
//! carry a tenant filter of its own into the warehouse.
//!
//! The scheduler's claim lives here too: `claimed_until` is set in one conditional `UPDATE`, so two
//! scheduler processes never run the same analysis at once. So does its memory of failures: every failed
//! scheduled run, and every claim whose lease ran out before its run finished (the process died mid-run),
//! counts against the analysis ([`Store::scheduler_fail`]); each failure in a row pushes the next attempt
//! further out, and enough of them pause the schedule with the reason, so a poison analysis (one that
//! crashes the process, or always hits a limit) cannot keep a scheduler in a crash loop.

use crate::kinds::{ExecutionStatus, Trigger};
use crate::{Store, StoreError, db_error, query_all, timestamp};
use chrono::{DateTime, Utc};
use inda_core::{ChartKind, ChartSpec, Error, ErrorCode, Scope};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

pub(crate) const MIGRATION_3: &str = "
CREATE TABLE saved_analyses (
    analysis_id            TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    name                   TEXT NOT NULL,
    description            TEXT,
    natural_language_query TEXT,
    generated_sql          TEXT NOT NULL,
    chart_type             TEXT,
    chart_config           TEXT,
    refresh_schedule       TEXT,
    last_refresh_at        TEXT,
    next_refresh_at        TEXT,
    is_active              INTEGER NOT NULL DEFAULT 1,
    claimed_until          TEXT,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL
);
CREATE INDEX saved_analyses_owner ON saved_analyses (tenant_id, created_by, created_at);
CREATE INDEX saved_analyses_due ON saved_analyses (is_active, next_refresh_at);
CREATE TABLE analysis_executions (
    execution_id   TEXT PRIMARY KEY,
    analysis_id    TEXT NOT NULL REFERENCES saved_analyses (analysis_id) ON DELETE CASCADE,
    tenant_id      TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    started_at     TEXT NOT NULL,
    finished_at    TEXT,
    status         TEXT NOT NULL CHECK (status IN ('running', 'ok', 'error')),
    row_count      INTEGER,
    error_message  TEXT,
    trigger_kind   TEXT NOT NULL CHECK (trigger_kind IN ('manual', 'scheduled'))
);
CREATE INDEX analysis_executions_owner ON analysis_executions (tenant_id, user_id, analysis_id, started_at);
";

/// The scheduler's memory of failures: the execution that holds the claim (so exactly that claim can be
/// settled), the failures in a row with the latest one, and the pause.
pub(crate) const MIGRATION_7: &str = "
ALTER TABLE saved_analyses ADD COLUMN claimed_execution TEXT;
ALTER TABLE saved_analyses ADD COLUMN refresh_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE saved_analyses ADD COLUMN last_failure_kind TEXT CHECK (last_failure_kind IN ('error', 'interrupted'));
ALTER TABLE saved_analyses ADD COLUMN last_failure_code TEXT;
ALTER TABLE saved_analyses ADD COLUMN last_failure_message TEXT;
ALTER TABLE saved_analyses ADD COLUMN last_failure_at TEXT;
ALTER TABLE saved_analyses ADD COLUMN schedule_paused_at TEXT;
ALTER TABLE saved_analyses ADD COLUMN schedule_paused_reason TEXT;
";

/// The tenants an analysis (or dashboard) was made with, when wider than its owner's tenant: a partner or
/// platform admin's scope, kept as `acme_corp,globex`. NULL means the owner's tenant alone.
pub(crate) const MIGRATION_8: &str = "
ALTER TABLE saved_analyses ADD COLUMN scope TEXT;
ALTER TABLE dashboards ADD COLUMN scope TEXT;
";

/// The chart its owner chose for an analysis (a JSON chart spec), drawn on every result instead of the one
/// the engine would choose; NULL leaves the choice to each run.
pub(crate) const MIGRATION_10: &str = "
ALTER TABLE saved_analyses ADD COLUMN chart TEXT;
";

/// The scope a stored `scope` column holds: the owner's tenant when NULL (every item made before scopes
/// existed) or unreadable (never wider than the owner's own tenant).
pub(crate) fn scope_of(stored: Option<String>, tenant_id: &str) -> Scope {
    stored
        .and_then(|s| Scope::parse_list(&s).ok())
        .or_else(|| Scope::one(tenant_id).ok())
        .unwrap_or_else(|| Scope::one("_").unwrap_or_else(|_| unreachable!("'_' is a tenant id")))
}

/// The column value for `scope`: NULL when it is exactly the owner's tenant.
pub(crate) fn scope_column(scope: Option<&Scope>, tenant_id: &str) -> Option<String> {
    scope.filter(|s| s.single() != Some(tenant_id)).map(Scope::to_list)
}

/// What to save.
#[derive(Debug, Clone, Default)]
pub struct NewAnalysis {
    /// Shown in lists and on tiles; cut to 255 characters when saved.
    pub name: String,
    /// Free text from the owner; `None` when they gave none.
    pub description: Option<String>,
    /// The question it was saved from; `None` for an analysis saved as SQL.
    pub natural_language_query: Option<String>,
    /// The SQL as submitted, before the guard.
    pub generated_sql: String,
    /// The chart to draw; `None` lets each run choose from the result's shape (or the question's plan).
    pub chart_type: Option<ChartKind>,
    /// Chart settings as JSON: `{"plan": …}` for an analysis saved from a question (the plan says which
    /// columns are measures and time), or a chart spec. `None`: chosen from each result.
    pub chart_config: Option<serde_json::Value>,
    /// The refresh schedule as a normalized cron expression (seconds first, as the `cron` crate reads it);
    /// `None`: refreshed only by hand.
    pub refresh_schedule: Option<String>,
    /// The schedule's first slot; `None` when unscheduled.
    pub next_refresh_at: Option<DateTime<Utc>>,
    /// The tenants it reads (the session's scope when it was saved); `None`: the owner's tenant.
    pub scope: Option<Scope>,
    /// The chart its owner chose (kind, columns, second axis), kept for every result; `None`: each run
    /// chooses.
    pub chart: Option<ChartSpec>,
}

/// A stored analysis.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SavedAnalysis {
    /// A random UUID, stable for the analysis's life and the same in Snowflake's `ADMIN.saved_analyses`.
    pub id: String,
    /// The owner's tenant.
    pub tenant_id: String,
    /// The owner: the only user who can see, run or change it.
    pub created_by: String,
    /// Shown in lists and on tiles; at most 255 characters.
    pub name: String,
    /// Free text from the owner; `None` when they gave none.
    pub description: Option<String>,
    /// The question it was saved from; `None` for an analysis saved as SQL.
    pub natural_language_query: Option<String>,
    /// The SQL as submitted, before the guard: every run guards it again under the caller's tenant.
    pub generated_sql: String,
    /// The chart to draw; `None` when unset or a kind this version does not draw (each run chooses one).
    pub chart_type: Option<ChartKind>,
    /// Chart settings as JSON: `{"plan": …}` for an analysis saved from a question, or a chart spec; `None`:
    /// chosen from each result.
    pub chart_config: Option<serde_json::Value>,
    /// The refresh schedule as a normalized cron expression (seconds first); `None`: refreshed only by hand.
    pub refresh_schedule: Option<String>,
    /// When it last ran, by hand or on schedule, successfully or not (store timestamp); `None`: never.
    pub last_refresh_at: Option<String>,
    /// When the scheduler runs it next (store timestamp); `None` when unscheduled or paused.
    pub next_refresh_at: Option<String>,
    /// `false` only in a copy read from Snowflake of an analysis deleted there (`ADMIN.saved_analyses` keeps
    /// deleted rows, inactive): a local delete removes the row. The scheduler runs active ones only.
    pub is_active: bool,
    /// When it was saved (store timestamp: ISO 8601, UTC, milliseconds).
    pub created_at: String,
    /// When it was last changed (store timestamp); the admin mirror settles conflicts by it, the later one
    /// winning.
    pub updated_at: String,
    /// How its scheduled refreshes are going (flattened: `refresh_failures`, `last_failure`,
    /// `schedule_paused`).
    #[serde(flatten)]
    pub refresh_health: RefreshHealth,
    /// The tenants every run reads: the scope it was saved with (the owner's tenant for an analyst). A run
    /// is refused when the user's current session does not cover it.
    pub scope: Scope,
    /// The chart its owner chose and kept (`PUT /api/saved/{id}/chart`, or when saving): every result of the
    /// analysis is drawn, shown and exported with it. Absent: the engine chooses for each result.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub chart: Option<ChartSpec>,
}

/// How an analysis's scheduled refreshes are going: what its owner needs to see when they stopped.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ts_rs::TS)]
pub struct RefreshHealth {
    /// Scheduled refreshes that failed in a row since the last successful one (or the last resume).
    pub refresh_failures: u32,
    /// The latest of those failures.
    #[ts(inline)]
    pub last_failure: Option<RefreshFailure>,
    /// Set when the scheduler stopped refreshing the analysis; saving its schedule again resumes it.
    #[ts(inline)]
    pub schedule_paused: Option<SchedulePause>,
}

/// One failed scheduled refresh.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RefreshFailure {
    /// Whether the run failed or never finished.
    #[ts(inline)]
    pub kind: FailureKind,
    /// The error's code (`internal` for an interrupted run).
    pub code: ErrorCode,
    /// The error's message (at most 2,000 characters), for the owner.
    pub message: String,
    /// When it was recorded (ISO 8601, UTC).
    pub at: String,
}

/// How a scheduled refresh failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The run ended with an error: the guard's, the engine's, a limit's.
    Error,
    /// The run never finished: the process running it stopped (a crash, a kill, a limit that took the
    /// process down) and its claim's lease ran out.
    Interrupted,
}

impl FailureKind {
    fn as_str(self) -> &'static str {
        match self {
            FailureKind::Error => "error",
            FailureKind::Interrupted => "interrupted",
        }
    }
}

/// Why the scheduler stopped refreshing an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SchedulePause {
    /// When (ISO 8601, UTC).
    pub at: String,
    /// Why, for the owner: how many refreshes failed in a row and the last error.
    pub reason: String,
}

/// One run of an analysis.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Execution {
    /// The execution id (a random UUID).
    pub id: String,
    /// The analysis that ran.
    pub analysis_id: String,
    /// When it started (store timestamp: ISO 8601, UTC, milliseconds).
    pub started_at: String,
    /// When it finished (store timestamp); `None` while it runs, or when its process died mid-run.
    pub finished_at: Option<String>,
    /// How the run stands.
    pub status: ExecutionStatus,
    /// Rows in the result, once it succeeded; `None` while it runs or when it failed.
    pub rows: Option<i64>,
    /// Why it failed (at most 2,000 characters); `None` unless it failed.
    pub error: Option<String>,
    /// Whether a person or the scheduler started it.
    pub trigger: Trigger,
}

/// An analysis the scheduler found due: its owner, under whose session it runs.
#[derive(Debug, Clone)]
pub struct DueAnalysis {
    /// The analysis that is due.
    pub analysis_id: String,
    /// The owner's tenant: the run is guarded for this tenant only.
    pub tenant_id: String,
    /// The owner, under whose session it runs.
    pub user_id: String,
    /// The tenants the run reads (the analysis's scope).
    pub scope: Scope,
}

/// A scheduled run's hold on its analysis, from [`Store::scheduler_claim`] or, once its lease ran out,
/// [`Store::scheduler_expired`]. A failure is settled against exactly this claim.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The analysis held and its owner.
    pub analysis: DueAnalysis,
    /// The run's execution; `None` only for a claim taken before the store recorded it.
    pub execution_id: Option<String>,
    /// When the lease ends (a store timestamp).
    pub until: String,
    /// The schedule the analysis had when the claim was read.
    pub refresh_schedule: Option<String>,
}

/// How failures in a row push the next attempt out and when they pause the schedule. Policy as data: the
/// scheduler chooses it, the store applies it inside the transaction that counts the failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; it doubles with each further one.
    pub first_backoff: std::time::Duration,
    /// The longest wait between attempts, however many failures in a row.
    pub max_backoff: std::time::Duration,
    /// Failures in a row that pause the schedule.
    pub pause_after: u32,
}

impl RetryPolicy {
    /// The wait after `failures` failures in a row (1 → `first_backoff`), doubling up to `max_backoff`.
    pub fn backoff(&self, failures: u32) -> std::time::Duration {
        let doublings = failures.saturating_sub(1).min(31);
        self.first_backoff.saturating_mul(1u32 << doublings).min(self.max_backoff)
    }
}

/// What ended a scheduled run that did not succeed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Whether the run failed or never finished.
    pub kind: FailureKind,
    /// The error's code (`internal` for an interrupted run).
    pub code: ErrorCode,
    /// For the owner; cut to 2,000 characters when recorded.
    pub message: String,
}

impl Failure {
    /// A run that ended with `e`.
    pub fn error(e: &Error) -> Failure {
        Failure { kind: FailureKind::Error, code: e.code, message: e.message.clone() }
    }

    /// A run whose lease ran out before it finished.
    pub fn interrupted() -> Failure {
        Failure { kind: FailureKind::Interrupted, code: ErrorCode::Internal, message: INTERRUPTED.into() }
    }
}

const INTERRUPTED: &str = "the refresh never finished: the process running it stopped (a crash, a kill, or a \
    limit that took the process down)";

/// What a recorded failure did to the schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRecord {
    /// Failures in a row, this one included.
    pub failures: u32,
    /// The next attempt (store timestamp); `None` when paused or unscheduled.
    pub next_refresh_at: Option<String>,
    /// The pause's reason, when this failure paused the schedule.
    pub paused: Option<String>,
}

pub(crate) const COLUMNS: &str = "analysis_id, tenant_id, created_by, name, description, natural_language_query, generated_sql,
    chart_type, chart_config, refresh_schedule, last_refresh_at, next_refresh_at, is_active, created_at, updated_at,
    refresh_failures, last_failure_kind, last_failure_code, last_failure_message, last_failure_at,
    schedule_paused_at, schedule_paused_reason, scope, chart";

/// How many columns [`COLUMNS`] reads, for queries that select more after them.
pub(crate) const COLUMN_COUNT: usize = 24;

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<SavedAnalysis> {
    let config: Option<String> = r.get(8)?;
    let tenant_id: String = r.get(1)?;
    Ok(SavedAnalysis {
        id: r.get(0)?,
        scope: scope_of(r.get(22)?, &tenant_id),
        tenant_id,
        created_by: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        natural_language_query: r.get(5)?,
        generated_sql: r.get(6)?,
        // A kind this version does not draw (written by a newer one, or by hand) is chosen again.
        chart_type: r.get::<_, Option<String>>(7)?.and_then(|k| k.parse().ok()),
        chart_config: config.and_then(|s| serde_json::from_str(&s).ok()),
        refresh_schedule: r.get(9)?,
        last_refresh_at: r.get(10)?,
        next_refresh_at: r.get(11)?,
        is_active: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
        refresh_health: health_from_row(r)?,
        // A spec this version cannot read (written by a newer one) leaves the choice to each run.
        chart: r.get::<_, Option<String>>(23)?.and_then(|s| serde_json::from_str(&s).ok()),
    })
}

/// `analysis_id, tenant_id, created_by, scope`.
fn due_from_row(r: &Row<'_>) -> rusqlite::Result<DueAnalysis> {
    let tenant_id: String = r.get(1)?;
    Ok(DueAnalysis {
        analysis_id: r.get(0)?,
        scope: scope_of(r.get(3)?, &tenant_id),
        tenant_id,
        user_id: r.get(2)?,
    })
}

/// Columns 15-21 of [`COLUMNS`].
fn health_from_row(r: &Row<'_>) -> rusqlite::Result<RefreshHealth> {
    let kind: Option<String> = r.get(16)?;
    let last_failure = match kind.as_deref() {
        Some(kind) => {
            let code: Option<String> = r.get(17)?;
            Some(RefreshFailure {
                kind: if kind == "interrupted" { FailureKind::Interrupted } else { FailureKind::Error },
                // A code this build does not know (written by a newer one) still reads as a failure.
                code: code
                    .and_then(|c| serde_json::from_value(serde_json::Value::String(c)).ok())
                    .unwrap_or(ErrorCode::Internal),
                message: r.get::<_, Option<String>>(18)?.unwrap_or_default(),
                at: r.get::<_, Option<String>>(19)?.unwrap_or_default(),
            })
        }
        None => None,
    };
    let paused_at: Option<String> = r.get(20)?;
    let reason: Option<String> = r.get(21)?;
    Ok(RefreshHealth {
        refresh_failures: u32::try_from(r.get::<_, i64>(15)?.max(0)).unwrap_or(u32::MAX),
        last_failure,
        schedule_paused: paused_at.map(|at| SchedulePause { at, reason: reason.unwrap_or_default() }),
    })
}

pub(crate) fn execution_from_row(r: &Row<'_>) -> rusqlite::Result<Execution> {
    Ok(Execution {
        id: r.get(0)?,
        analysis_id: r.get(1)?,
        started_at: r.get(2)?,
        finished_at: r.get(3)?,
        status: r.get(4)?,
        rows: r.get(5)?,
        error: r.get(6)?,
        trigger: r.get(7)?,
    })
}

pub(crate) fn not_found(id: &str) -> Error {
    // The same message whether the id does not exist or belongs to someone else: existence is not revealed.
    StoreError::AnalysisNotFound(id.to_string()).into()
}

/// Whether the caller owns the analysis, inside a transaction or connection.
pub(crate) fn owns(
    c: &rusqlite::Connection,
    tenant_id: &str,
    user_id: &str,
    id: &str,
) -> Result<bool, Error> {
    c.query_row(
        "SELECT 1 FROM saved_analyses WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
        params![id, tenant_id, user_id],
        |_| Ok(()),
    )
    .optional()
    .map_err(db_error)
    .map(|o| o.is_some())
}

impl Store {
    /// Saves an analysis owned by the caller.
    pub fn saved_create(
        &self,
        tenant_id: &str,
        user_id: &str,
        new: &NewAnalysis,
    ) -> Result<SavedAnalysis, Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = timestamp(Utc::now());
        let name: String = new.name.chars().take(255).collect();
        self.with(|c| {
            c.execute(
                "INSERT INTO saved_analyses (analysis_id, tenant_id, created_by, name, description, natural_language_query,
                    generated_sql, chart_type, chart_config, refresh_schedule, next_refresh_at, is_active, created_at, updated_at,
                    scope, chart)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?12, ?13, ?14)",
                params![
                    id,
                    tenant_id,
                    user_id,
                    name,
                    new.description,
                    new.natural_language_query,
                    new.generated_sql,
                    new.chart_type.map(ChartKind::as_str),
                    new.chart_config.as_ref().map(|v| v.to_string()),
                    new.refresh_schedule,
                    new.next_refresh_at.map(timestamp),
                    at,
                    scope_column(new.scope.as_ref(), tenant_id),
                    chart_column(new.chart.as_ref())?
                ],
            )
            .map_err(db_error)?;
            Ok(())
        })?;
        self.saved_get(tenant_id, user_id, &id)
    }

    /// The caller's analysis, or not-found (also when it belongs to someone else).
    pub fn saved_get(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<SavedAnalysis, Error> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM saved_analyses WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3"),
                params![id, tenant_id, user_id],
                from_row,
            )
            .optional()
            .map_err(db_error)?
            .ok_or_else(|| not_found(id))
        })
    }

    /// The caller's analyses, oldest first.
    pub fn saved_list(&self, tenant_id: &str, user_id: &str) -> Result<Vec<SavedAnalysis>, Error> {
        self.with(|c| {
            query_all(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM saved_analyses WHERE tenant_id = ?1 AND created_by = ?2
                     ORDER BY created_at, analysis_id"
                ),
                params![tenant_id, user_id],
                from_row,
            )
        })
    }

    /// Deletes the caller's analysis with its executions, cached result, dashboard tiles and alerts, in one
    /// transaction.
    pub fn saved_delete(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<(), Error> {
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns(&tx, tenant_id, user_id, id)? {
                return Err(not_found(id));
            }
            // Explicit deletes rather than relying on ON DELETE CASCADE: foreign keys are a per-connection
            // setting in SQLite, and a connection without it must not leave orphaned (encrypted) results.
            for sql in [
                "DELETE FROM alert_deliveries WHERE alert_id IN (SELECT alert_id FROM alerts
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3)",
                "DELETE FROM alerts WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                "DELETE FROM dashboard_tiles WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                "DELETE FROM cached_results WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                "DELETE FROM analysis_executions WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                "DELETE FROM saved_analyses WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
            ] {
                tx.execute(sql, params![id, tenant_id, user_id]).map_err(db_error)?;
            }
            tx.commit().map_err(db_error)
        })
    }

    /// Sets or clears (`None`) the refresh schedule and the next refresh time. Either way the scheduler starts
    /// afresh: a paused schedule resumes (saving the same schedule again is how its owner resumes it) and
    /// the failures in a row are forgotten.
    pub fn saved_set_schedule(
        &self,
        tenant_id: &str,
        user_id: &str,
        id: &str,
        schedule: Option<&str>,
        next_refresh_at: Option<DateTime<Utc>>,
    ) -> Result<SavedAnalysis, Error> {
        let at = timestamp(Utc::now());
        let changed = self.with(|c| {
            c.execute(
                &format!(
                    "UPDATE saved_analyses SET refresh_schedule = ?4, next_refresh_at = ?5, updated_at = ?6, {FRESH_START}
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3"
                ),
                params![id, tenant_id, user_id, schedule, next_refresh_at.map(timestamp), at],
            )
            .map_err(db_error)
        })?;
        if changed == 0 {
            return Err(not_found(id));
        }
        self.saved_get(tenant_id, user_id, id)
    }

    /// Keeps `chart` (or, `None`, forgets the kept one) as the chart of the caller's analysis; not-found
    /// unless the caller owns it. Checking the spec against a result is the caller's: the store keeps it.
    pub fn saved_set_chart(
        &self,
        tenant_id: &str,
        user_id: &str,
        id: &str,
        chart: Option<&ChartSpec>,
    ) -> Result<SavedAnalysis, Error> {
        let at = timestamp(Utc::now());
        let json = chart_column(chart)?;
        let changed = self.with(|c| {
            c.execute(
                "UPDATE saved_analyses SET chart = ?4, updated_at = ?5
                 WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                params![id, tenant_id, user_id, json, at],
            )
            .map_err(db_error)
        })?;
        if changed == 0 {
            return Err(not_found(id));
        }
        self.saved_get(tenant_id, user_id, id)
    }

    /// Records the start of a manual run; returns the execution id.
    pub fn execution_start(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
        trigger: Trigger,
    ) -> Result<String, Error> {
        let exec_id = uuid::Uuid::new_v4().to_string();
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !owns(&tx, tenant_id, user_id, analysis_id)? {
                return Err(not_found(analysis_id));
            }
            tx.execute(
                "INSERT INTO analysis_executions (execution_id, analysis_id, tenant_id, user_id, started_at, status, trigger_kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6)",
                params![exec_id, analysis_id, tenant_id, user_id, at, trigger],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)
        })?;
        Ok(exec_id)
    }

    /// Records a failed run. A manual one also moves the next refresh to `next_refresh_at` when given. A
    /// scheduled one keeps its claim and its next refresh (`next_refresh_at` is not used): the scheduler
    /// settles it with [`Store::scheduler_fail`], which counts the failure and backs off. Should the process
    /// die in between, the claim's lease runs out and the failure is counted all the same.
    pub fn execution_fail(
        &self,
        tenant_id: &str,
        user_id: &str,
        execution_id: &str,
        message: &str,
        next_refresh_at: Option<DateTime<Utc>>,
        trigger: Trigger,
    ) -> Result<(), Error> {
        let now = timestamp(Utc::now());
        let message: String = message.chars().take(2000).collect();
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let analysis_id = finish_execution(
                &tx,
                tenant_id,
                user_id,
                execution_id,
                ExecutionStatus::Error,
                None,
                Some(&message),
                &now,
            )?;
            match trigger {
                Trigger::Manual => {
                    update_refresh(&tx, tenant_id, user_id, &analysis_id, &now, next_refresh_at, trigger)?
                }
                Trigger::Scheduled => {
                    tx.execute(
                        "UPDATE saved_analyses SET last_refresh_at = ?4
                         WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                        params![analysis_id, tenant_id, user_id, now],
                    )
                    .map_err(db_error)?;
                }
            }
            tx.commit().map_err(db_error)
        })
    }

    /// The caller's executions of one analysis, newest first.
    pub fn executions_list(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
    ) -> Result<Vec<Execution>, Error> {
        self.saved_get(tenant_id, user_id, analysis_id)?;
        self.with(|c| {
            query_all(c, "SELECT execution_id, analysis_id, started_at, finished_at, status, row_count, error_message, trigger_kind
                     FROM analysis_executions WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3
                     ORDER BY started_at DESC, rowid DESC", params![analysis_id, tenant_id, user_id], execution_from_row)
        })
    }

    /// Every active, unpaused analysis of this store whose next refresh is due and that no claim holds. A
    /// claim whose lease ran out still holds until [`Store::scheduler_fail`] settles it (see
    /// [`Store::scheduler_expired`]), so a run that took its process down is always counted.
    ///
    /// One of the two reads that span tenants (with `scheduler_expired`): only the local scheduler calls
    /// them, and they return owners so that each analysis then runs under its own owner's tenant and user.
    pub fn scheduler_due(&self, now: DateTime<Utc>) -> Result<Vec<DueAnalysis>, Error> {
        let now = timestamp(now);
        self.with(|c| {
            query_all(
                c,
                "SELECT analysis_id, tenant_id, created_by, scope FROM saved_analyses
                     WHERE is_active = 1 AND refresh_schedule IS NOT NULL AND next_refresh_at IS NOT NULL
                       AND next_refresh_at <= ?1 AND claimed_until IS NULL AND schedule_paused_at IS NULL
                     ORDER BY next_refresh_at, analysis_id",
                params![now],
                due_from_row,
            )
        })
    }

    /// Claims a due analysis for one scheduled run until `lease_until`, and records its `running` execution,
    /// in one transaction. `None` when another process claimed it first or it is no longer due.
    pub fn scheduler_claim(
        &self,
        due: &DueAnalysis,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Claim>, Error> {
        let now = timestamp(now);
        let until = timestamp(lease_until);
        let exec_id = uuid::Uuid::new_v4().to_string();
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // The conditions are checked again inside the UPDATE: whoever changes the row first owns the run.
            let claimed = tx
                .execute(
                    "UPDATE saved_analyses SET claimed_until = ?4, claimed_execution = ?6
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3 AND is_active = 1
                       AND refresh_schedule IS NOT NULL AND next_refresh_at <= ?5
                       AND claimed_until IS NULL AND schedule_paused_at IS NULL",
                    params![due.analysis_id, due.tenant_id, due.user_id, until, now, exec_id],
                )
                .map_err(db_error)?;
            if claimed == 0 {
                return Ok(None);
            }
            tx.execute(
                "INSERT INTO analysis_executions (execution_id, analysis_id, tenant_id, user_id, started_at, status, trigger_kind)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running', 'scheduled')",
                params![exec_id, due.analysis_id, due.tenant_id, due.user_id, now],
            )
            .map_err(db_error)?;
            let refresh_schedule: Option<String> = tx
                .query_row(
                    "SELECT refresh_schedule FROM saved_analyses WHERE analysis_id = ?1",
                    params![due.analysis_id],
                    |r| r.get(0),
                )
                .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(Some(Claim { analysis: due.clone(), execution_id: Some(exec_id), until, refresh_schedule }))
        })
    }

    /// Every claim whose lease ran out before its run was settled: the process running it died (or hung past
    /// its lease). Each is a failure for [`Store::scheduler_fail`] to count; until then its analysis is not
    /// due, so a run that crashes its process cannot be picked up again uncounted.
    pub fn scheduler_expired(&self, now: DateTime<Utc>) -> Result<Vec<Claim>, Error> {
        let now = timestamp(now);
        self.with(|c| {
            query_all(
                c,
                "SELECT analysis_id, tenant_id, created_by, scope, claimed_execution, claimed_until, refresh_schedule
                     FROM saved_analyses WHERE claimed_until IS NOT NULL AND claimed_until < ?1
                     ORDER BY claimed_until, analysis_id",
                params![now],
                |r| {
                    Ok(Claim {
                        analysis: due_from_row(r)?,
                        execution_id: r.get(4)?,
                        until: r.get(5)?,
                        refresh_schedule: r.get(6)?,
                    })
                },
            )
        })
    }

    /// Settles a claimed run that failed, in one transaction: its execution is marked failed if it is still
    /// `running`, the failure is counted and kept as the latest, the claim is released, and the next attempt
    /// is the later of `next_slot` (the schedule's next slot) and now plus the policy's backoff. The failure
    /// that reaches `policy.pause_after` in a row pauses the schedule instead, with the reason.
    ///
    /// `None` when the claim is no longer there (another scheduler settled it, or the run succeeded after
    /// all): nothing is counted twice.
    pub fn scheduler_fail(
        &self,
        claim: &Claim,
        failure: &Failure,
        next_slot: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        policy: &RetryPolicy,
    ) -> Result<Option<FailureRecord>, Error> {
        let at = timestamp(now);
        let message: String = failure.message.chars().take(2000).collect();
        let a = &claim.analysis;
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // Exactly this claim: the same lease and execution, still held.
            let held: Option<(i64, Option<String>)> = tx
                .query_row(
                    "SELECT refresh_failures, refresh_schedule FROM saved_analyses
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3
                       AND claimed_until = ?4 AND claimed_execution IS ?5",
                    params![a.analysis_id, a.tenant_id, a.user_id, claim.until, claim.execution_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_error)?;
            let Some((before, schedule)) = held else {
                return Ok(None);
            };
            if let Some(exec) = &claim.execution_id {
                tx.execute(
                    "UPDATE analysis_executions SET status = 'error', error_message = ?4, finished_at = ?5
                     WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3 AND status = 'running'",
                    params![exec, a.tenant_id, a.user_id, message, at],
                )
                .map_err(db_error)?;
            }
            let failures = u32::try_from(before.max(0)).unwrap_or(u32::MAX).saturating_add(1);
            let paused = (failures >= policy.pause_after).then(|| {
                let last: String = message.chars().take(500).collect();
                format!("{failures} scheduled refreshes failed in a row; the last one: {last}")
            });
            let backoff = chrono::Duration::from_std(policy.backoff(failures))
                .unwrap_or_else(|_| chrono::Duration::hours(6));
            let next = match (&paused, &schedule) {
                (None, Some(_)) => {
                    let earliest = now + backoff;
                    Some(timestamp(next_slot.map_or(earliest, |slot| slot.max(earliest))))
                }
                _ => None,
            };
            tx.execute(
                "UPDATE saved_analyses SET claimed_until = NULL, claimed_execution = NULL, refresh_failures = ?4,
                    last_failure_kind = ?5, last_failure_code = ?6, last_failure_message = ?7, last_failure_at = ?8,
                    next_refresh_at = ?9,
                    schedule_paused_at = CASE WHEN ?10 IS NULL THEN schedule_paused_at ELSE ?8 END,
                    schedule_paused_reason = COALESCE(?10, schedule_paused_reason)
                 WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                params![
                    a.analysis_id,
                    a.tenant_id,
                    a.user_id,
                    failures,
                    failure.kind.as_str(),
                    failure.code.as_str(),
                    message,
                    at,
                    next,
                    paused
                ],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(Some(FailureRecord { failures, next_refresh_at: next, paused }))
        })
    }

    /// Lets go of a claimed run that was stopped from outside (the scheduler was cancelled), without counting
    /// a failure: its execution is marked failed with `message` if still `running`, and the analysis stays
    /// due. `false` when the claim is no longer there.
    pub fn scheduler_release(&self, claim: &Claim, message: &str) -> Result<bool, Error> {
        let at = timestamp(Utc::now());
        let a = &claim.analysis;
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let released = tx
                .execute(
                    "UPDATE saved_analyses SET claimed_until = NULL, claimed_execution = NULL
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3
                       AND claimed_until = ?4 AND claimed_execution IS ?5",
                    params![a.analysis_id, a.tenant_id, a.user_id, claim.until, claim.execution_id],
                )
                .map_err(db_error)?;
            if released == 1
                && let Some(exec) = &claim.execution_id
            {
                tx.execute(
                    "UPDATE analysis_executions SET status = 'error', error_message = ?4, finished_at = ?5
                     WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3 AND status = 'running'",
                    params![exec, a.tenant_id, a.user_id, message, at],
                )
                .map_err(db_error)?;
            }
            tx.commit().map_err(db_error)?;
            Ok(released == 1)
        })
    }
}

/// The `chart` column's JSON.
fn chart_column(chart: Option<&ChartSpec>) -> Result<Option<String>, Error> {
    chart
        .map(|c| {
            serde_json::to_string(c).map_err(|e| Error::internal(format!("cannot encode the chart: {e}")))
        })
        .transpose()
}

/// What a fresh start of the schedule resets: the failures in a row, the latest one, the pause.
const FRESH_START: &str = "refresh_failures = 0, last_failure_kind = NULL, last_failure_code = NULL,
    last_failure_message = NULL, last_failure_at = NULL, schedule_paused_at = NULL, schedule_paused_reason = NULL";

/// Marks an execution finished; returns its analysis id. Not-found unless the caller owns it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish_execution(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    execution_id: &str,
    status: ExecutionStatus,
    rows: Option<i64>,
    error: Option<&str>,
    now: &str,
) -> Result<String, Error> {
    let analysis_id: String = tx
        .query_row(
            "SELECT analysis_id FROM analysis_executions WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
            params![execution_id, tenant_id, user_id],
            |r| r.get(0),
        )
        .optional()
        .map_err(db_error)?
        .ok_or_else(|| StoreError::ExecutionNotFound(execution_id.to_string()))?;
    tx.execute(
        "UPDATE analysis_executions SET status = ?4, row_count = ?5, error_message = ?6, finished_at = ?7
         WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        params![execution_id, tenant_id, user_id, status, rows, error, now],
    )
    .map_err(db_error)?;
    Ok(analysis_id)
}

/// Records a refresh: last refresh now, and the next refresh when the schedule gave one. A scheduled run
/// (only a successful one comes here) releases its claim and ends any run of failures.
pub(crate) fn update_refresh(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    analysis_id: &str,
    now: &str,
    next_refresh_at: Option<DateTime<Utc>>,
    trigger: Trigger,
) -> Result<(), Error> {
    // A scheduled run sets the next slot, none when the schedule has no further time (a cron naming a past
    // year): keeping the old slot would run it again on every pass. A manual run moves it only forward.
    tx.execute(
        "UPDATE saved_analyses SET last_refresh_at = ?4,
            next_refresh_at = CASE WHEN refresh_schedule IS NULL THEN NULL
                                   WHEN ?6 THEN ?5
                                   ELSE COALESCE(?5, next_refresh_at) END
         WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
        params![
            analysis_id,
            tenant_id,
            user_id,
            now,
            next_refresh_at.map(timestamp),
            trigger == Trigger::Scheduled
        ],
    )
    .map_err(db_error)?;
    // Only the scheduled run that holds the claim releases it; a manual run leaves a scheduler's claim (and
    // the schedule's failures, which are the scheduler's to count) alone.
    if trigger == Trigger::Scheduled {
        tx.execute(
            &format!(
                "UPDATE saved_analyses SET claimed_until = NULL, claimed_execution = NULL, {FRESH_START}
                 WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3"
            ),
            params![analysis_id, tenant_id, user_id],
        )
        .map_err(db_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ChartKind;

    #[test]
    fn a_kept_chart_is_saved_read_back_replaced_and_forgotten_by_its_owner_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("store.sqlite");
        let store = Store::open(&path).expect("store");
        let bar = ChartSpec {
            kind: ChartKind::Bar,
            x: Some("channel".into()),
            y: vec!["sent".into(), "delivery_rate".into()],
            y2: vec!["delivery_rate".into()],
            ..ChartSpec::table()
        };
        let new = NewAnalysis {
            name: "By channel".into(),
            generated_sql: "SELECT 1".into(),
            chart: Some(bar.clone()),
            ..NewAnalysis::default()
        };
        let a = store.saved_create("acme", "u1", &new).expect("saved");
        assert_eq!(a.chart.as_ref(), Some(&bar));
        let json = serde_json::to_value(&a).expect("json");
        assert_eq!(json["chart"]["y2"], serde_json::json!(["delivery_rate"]));

        let line = ChartSpec { kind: ChartKind::Line, x: Some("day".into()), y: vec!["sent".into()], ..bar };
        let changed = store.saved_set_chart("acme", "u1", &a.id, Some(&line)).expect("set");
        assert_eq!(changed.chart.as_ref(), Some(&line));
        assert!(changed.updated_at >= a.updated_at);
        // Kept across a reopen, and in lists.
        drop(store);
        let store = Store::open(&path).expect("reopen");
        assert_eq!(store.saved_list("acme", "u1").expect("list")[0].chart.as_ref(), Some(&line));
        // Someone else's analysis is not found, whoever asks.
        for (tenant, user) in [("acme", "u2"), ("globex", "u1")] {
            let err = store.saved_set_chart(tenant, user, &a.id, Some(&line)).expect_err("not theirs");
            assert_eq!(err.code, ErrorCode::NotFound);
        }
        let cleared = store.saved_set_chart("acme", "u1", &a.id, None).expect("clear");
        assert_eq!(cleared.chart, None);
        assert!(serde_json::to_value(&cleared).expect("json").get("chart").is_none());
        // An unreadable stored spec (a newer version's) leaves the choice to each run.
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.execute("UPDATE saved_analyses SET chart = '{\"kind\":\"sankey\"}'", []).expect("update");
        assert_eq!(store.saved_get("acme", "u1", &a.id).expect("get").chart, None);
    }
}
