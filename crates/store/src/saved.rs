//! Saved analyses (the columns of `ADMIN.saved_analyses`) and their executions. An analysis keeps the SQL as
//! submitted, before the guard: the guard runs again on every execution, so a saved statement can never
//! carry a tenant filter of its own into the warehouse.
//!
//! The scheduler's claim lives here too: `claimed_until` is set in one conditional `UPDATE`, so two
//! scheduler processes never run the same analysis at once, and a crashed claim expires by itself.

use crate::{Store, db_error, query_all, timestamp};
use chrono::{DateTime, Utc};
use inda_core::Error;
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

/// What to save.
#[derive(Debug, Clone, Default)]
pub struct NewAnalysis {
    pub name: String,
    pub description: Option<String>,
    pub natural_language_query: Option<String>,
    /// The SQL as submitted, before the guard.
    pub generated_sql: String,
    pub chart_type: Option<String>,
    pub chart_config: Option<serde_json::Value>,
    pub refresh_schedule: Option<String>,
    pub next_refresh_at: Option<DateTime<Utc>>,
}

/// A stored analysis.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SavedAnalysis {
    pub id: String,
    pub tenant_id: String,
    pub created_by: String,
    pub name: String,
    pub description: Option<String>,
    pub natural_language_query: Option<String>,
    pub generated_sql: String,
    pub chart_type: Option<String>,
    pub chart_config: Option<serde_json::Value>,
    pub refresh_schedule: Option<String>,
    pub last_refresh_at: Option<String>,
    pub next_refresh_at: Option<String>,
    pub is_active: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// One run of an analysis.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct Execution {
    pub id: String,
    pub analysis_id: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `ok` or `error`.
    pub status: String,
    pub rows: Option<i64>,
    pub error: Option<String>,
    /// `manual` or `scheduled`.
    pub trigger: String,
}

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    Scheduled,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Scheduled => "scheduled",
        }
    }
}

/// An analysis the scheduler found due: its owner, under whose session it runs.
#[derive(Debug, Clone)]
pub struct DueAnalysis {
    pub analysis_id: String,
    pub tenant_id: String,
    pub user_id: String,
}

pub(crate) const COLUMNS: &str = "analysis_id, tenant_id, created_by, name, description, natural_language_query, generated_sql,
    chart_type, chart_config, refresh_schedule, last_refresh_at, next_refresh_at, is_active, created_at, updated_at";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<SavedAnalysis> {
    let config: Option<String> = r.get(8)?;
    Ok(SavedAnalysis {
        id: r.get(0)?,
        tenant_id: r.get(1)?,
        created_by: r.get(2)?,
        name: r.get(3)?,
        description: r.get(4)?,
        natural_language_query: r.get(5)?,
        generated_sql: r.get(6)?,
        chart_type: r.get(7)?,
        chart_config: config.and_then(|s| serde_json::from_str(&s).ok()),
        refresh_schedule: r.get(9)?,
        last_refresh_at: r.get(10)?,
        next_refresh_at: r.get(11)?,
        is_active: r.get(12)?,
        created_at: r.get(13)?,
        updated_at: r.get(14)?,
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
    Error::not_found(format!("no saved analysis {id}"))
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
                    generated_sql, chart_type, chart_config, refresh_schedule, next_refresh_at, is_active, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?12)",
                params![
                    id,
                    tenant_id,
                    user_id,
                    name,
                    new.description,
                    new.natural_language_query,
                    new.generated_sql,
                    new.chart_type,
                    new.chart_config.as_ref().map(|v| v.to_string()),
                    new.refresh_schedule,
                    new.next_refresh_at.map(timestamp),
                    at
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

    /// Deletes the caller's analysis with its executions, cached result and dashboard tiles, in one transaction.
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

    /// Sets or clears (`None`) the refresh schedule and the next refresh time.
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
                "UPDATE saved_analyses SET refresh_schedule = ?4, next_refresh_at = ?5, updated_at = ?6
                 WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                params![id, tenant_id, user_id, schedule, next_refresh_at.map(timestamp), at],
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
                params![exec_id, analysis_id, tenant_id, user_id, at, trigger.as_str()],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)
        })?;
        Ok(exec_id)
    }

    /// Records a failed run. A scheduled one also moves the schedule on and releases its claim, so a failing
    /// analysis is retried at its next slot rather than in a tight loop.
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
            let analysis_id =
                finish_execution(&tx, tenant_id, user_id, execution_id, "error", None, Some(&message), &now)?;
            update_refresh(&tx, tenant_id, user_id, &analysis_id, &now, next_refresh_at, trigger)?;
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

    /// Every active analysis of this store whose next refresh is due and that no live claim holds.
    ///
    /// The one read that spans tenants: only the local scheduler calls it, and it returns owners so that each
    /// analysis then runs under its own owner's tenant and user.
    pub fn scheduler_due(&self, now: DateTime<Utc>) -> Result<Vec<DueAnalysis>, Error> {
        let now = timestamp(now);
        self.with(|c| {
            query_all(
                c,
                "SELECT analysis_id, tenant_id, created_by FROM saved_analyses
                     WHERE is_active = 1 AND refresh_schedule IS NOT NULL AND next_refresh_at IS NOT NULL
                       AND next_refresh_at <= ?1 AND (claimed_until IS NULL OR claimed_until < ?1)
                     ORDER BY next_refresh_at, analysis_id",
                params![now],
                |r| Ok(DueAnalysis { analysis_id: r.get(0)?, tenant_id: r.get(1)?, user_id: r.get(2)? }),
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
    ) -> Result<Option<String>, Error> {
        let now = timestamp(now);
        let exec_id = uuid::Uuid::new_v4().to_string();
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // The conditions are checked again inside the UPDATE: whoever changes the row first owns the run.
            let claimed = tx
                .execute(
                    "UPDATE saved_analyses SET claimed_until = ?4
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3 AND is_active = 1
                       AND refresh_schedule IS NOT NULL AND next_refresh_at <= ?5
                       AND (claimed_until IS NULL OR claimed_until < ?5)",
                    params![due.analysis_id, due.tenant_id, due.user_id, timestamp(lease_until), now],
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
            tx.commit().map_err(db_error)?;
            Ok(Some(exec_id))
        })
    }
}

/// Marks an execution finished; returns its analysis id. Not-found unless the caller owns it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn finish_execution(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    execution_id: &str,
    status: &str,
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
        .ok_or_else(|| Error::not_found(format!("no execution {execution_id}")))?;
    tx.execute(
        "UPDATE analysis_executions SET status = ?4, row_count = ?5, error_message = ?6, finished_at = ?7
         WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
        params![execution_id, tenant_id, user_id, status, rows, error, now],
    )
    .map_err(db_error)?;
    Ok(analysis_id)
}

/// Records a refresh: last refresh now, the claim released, and the next refresh when the schedule gave one.
pub(crate) fn update_refresh(
    tx: &rusqlite::Transaction<'_>,
    tenant_id: &str,
    user_id: &str,
    analysis_id: &str,
    now: &str,
    next_refresh_at: Option<DateTime<Utc>>,
    trigger: Trigger,
) -> Result<(), Error> {
    // Only the scheduled run that holds the claim releases it; a manual run leaves a scheduler's claim alone.
    let release = trigger == Trigger::Scheduled;
    tx.execute(
        "UPDATE saved_analyses SET last_refresh_at = ?4,
            claimed_until = CASE WHEN ?6 THEN NULL ELSE claimed_until END,
            next_refresh_at = CASE WHEN refresh_schedule IS NULL THEN NULL ELSE COALESCE(?5, next_refresh_at) END
         WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
        params![analysis_id, tenant_id, user_id, now, next_refresh_at.map(timestamp), release],
    )
    .map_err(db_error)?;
    Ok(())
}
