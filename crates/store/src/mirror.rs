//! The local side of the admin mirror: which saved analyses, executions and audit entries Snowflake's ADMIN
//! tables have not seen yet, and the conflicts found on the way. The store stays the source of truth for
//! the laptop (local first); the app pushes what is pending when a warehouse is configured.
//!
//! How changes are noticed: a trigger bumps `mirror_version` on every change of a mirrored column, whoever
//! makes it (save, schedule, a refresh), and the mirror records the version it pushed. Marking a row
//! mirrored only succeeds for the version that was read, so a change made while a push is in flight stays
//! pending. A deleted analysis that Snowflake had seen leaves a tombstone, so the delete reaches it too.
//!
//! `mirror_base` is the `updated_at` both sides agreed on at the last mirror: a remote `updated_at` that
//! differs from it means someone else changed the analysis (another device), which is a conflict when the
//! local copy changed too. Conflicts are settled by `updated_at` and the losing version is kept in
//! `mirror_conflicts`, never dropped.

use crate::saved::{COLUMN_COUNT, COLUMNS, execution_from_row, from_row};
use crate::{AuditRecord, Execution, SavedAnalysis, Store, StoreError, db_error, query_all};
use inda_core::{ChartKind, Error};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

pub(crate) const MIGRATION_6: &str = "
ALTER TABLE saved_analyses ADD COLUMN mirror_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE saved_analyses ADD COLUMN mirrored_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE saved_analyses ADD COLUMN mirror_base TEXT;
CREATE TRIGGER saved_analyses_mirror_version
AFTER UPDATE OF name, description, natural_language_query, generated_sql, chart_type, chart_config,
    refresh_schedule, last_refresh_at, next_refresh_at, is_active, updated_at ON saved_analyses
BEGIN
    UPDATE saved_analyses SET mirror_version = OLD.mirror_version + 1 WHERE analysis_id = NEW.analysis_id;
END;
CREATE TABLE mirror_tombstones (
    analysis_id  TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    deleted_at   TEXT NOT NULL,
    mirror_base  TEXT
);
CREATE TRIGGER saved_analyses_tombstone AFTER DELETE ON saved_analyses WHEN OLD.mirror_base IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO mirror_tombstones (analysis_id, tenant_id, user_id, deleted_at, mirror_base)
    VALUES (OLD.analysis_id, OLD.tenant_id, OLD.created_by, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), OLD.mirror_base);
END;
ALTER TABLE analysis_executions ADD COLUMN mirrored INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mirror_audit (
    tenant_id   TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    pushed_seq  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE mirror_conflicts (
    conflict_id        INTEGER PRIMARY KEY,
    tenant_id          TEXT NOT NULL,
    user_id            TEXT NOT NULL,
    analysis_id        TEXT NOT NULL,
    kept               TEXT NOT NULL CHECK (kept IN ('local', 'remote')),
    local_updated_at   TEXT,
    remote_updated_at  TEXT,
    lost_version       TEXT NOT NULL,
    detected_at        TEXT NOT NULL
);
CREATE INDEX mirror_conflicts_owner ON mirror_conflicts (tenant_id, user_id, conflict_id);
";

/// A local analysis with its mirror bookkeeping.
#[derive(Debug, Clone)]
pub struct MirrorAnalysis {
    /// The analysis as stored here.
    pub analysis: SavedAnalysis,
    /// Changed since the last push.
    pub pending: bool,
    /// The local change counter (bumped by a trigger on every change of a mirrored column): what
    /// [`Store::mirror_mark_pushed`] takes back, so a change made during the push stays pending.
    pub version: i64,
    /// The `updated_at` both sides had at the last mirror; `None`: Snowflake never saw it.
    pub base: Option<String>,
}

/// A local delete Snowflake has not seen yet.
#[derive(Debug, Clone)]
pub struct Tombstone {
    /// The deleted analysis.
    pub analysis_id: String,
    /// When it was deleted here (ISO 8601, UTC, milliseconds): a remote change after it wins over the delete.
    pub deleted_at: String,
    /// The `updated_at` both sides agreed on at the last mirror: a remote `updated_at` that differs means
    /// Snowflake's copy changed since. Always set in practice (only an analysis Snowflake had seen leaves a
    /// tombstone).
    pub base: Option<String>,
}

/// A conflict, as recorded and reported.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MirrorConflict {
    /// The analysis both sides changed.
    pub analysis_id: String,
    /// `local` or `remote`: which version won (the later `updated_at`).
    pub kept: String,
    /// The local side's `updated_at` (for a local delete, when it was deleted).
    pub local_updated_at: Option<String>,
    /// Snowflake's `updated_at` for the analysis.
    pub remote_updated_at: Option<String>,
    /// The version that lost, as JSON (an analysis, or `{"deleted_at": …}` for a delete).
    pub lost_version: serde_json::Value,
    /// When the mirror found the conflict (ISO 8601, UTC).
    pub detected_at: String,
}

impl Store {
    /// Whether anything of the caller's waits for the mirror (cheap: the background pass asks often).
    pub fn mirror_pending(&self, tenant_id: &str, user_id: &str) -> Result<bool, Error> {
        self.with(|c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM saved_analyses WHERE tenant_id = ?1 AND created_by = ?2
                                  AND mirror_version <> mirrored_version)
                     OR EXISTS (SELECT 1 FROM mirror_tombstones WHERE tenant_id = ?1 AND user_id = ?2)
                     OR EXISTS (SELECT 1 FROM analysis_executions WHERE tenant_id = ?1 AND user_id = ?2
                                  AND mirrored = 0 AND status <> 'running')
                     OR EXISTS (SELECT 1 FROM audit_log WHERE tenant_id = ?1 AND user_id = ?2
                                  AND seq > COALESCE((SELECT pushed_seq FROM mirror_audit
                                                      WHERE tenant_id = ?1 AND user_id = ?2), 0))",
                params![tenant_id, user_id],
                |r| r.get(0),
            )
            .map_err(db_error)
        })
    }

    /// The caller's analyses with their mirror state.
    pub fn mirror_analyses(&self, tenant_id: &str, user_id: &str) -> Result<Vec<MirrorAnalysis>, Error> {
        self.with(|c| {
            query_all(
                c,
                &format!(
                    "SELECT {COLUMNS}, mirror_version, mirrored_version, mirror_base FROM saved_analyses
                     WHERE tenant_id = ?1 AND created_by = ?2 ORDER BY created_at, analysis_id"
                ),
                params![tenant_id, user_id],
                |r| {
                    let version: i64 = r.get(COLUMN_COUNT)?;
                    let mirrored: i64 = r.get(COLUMN_COUNT + 1)?;
                    Ok(MirrorAnalysis {
                        analysis: from_row(r)?,
                        pending: version != mirrored,
                        version,
                        base: r.get(COLUMN_COUNT + 2)?,
                    })
                },
            )
        })
    }

    /// Records that Snowflake has `version` of the analysis, with `base` as the agreed `updated_at`. A newer
    /// local change (a higher version) stays pending.
    pub fn mirror_mark_pushed(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
        version: i64,
        base: &str,
    ) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE saved_analyses SET mirrored_version = ?4, mirror_base = ?5
                 WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3 AND mirror_version = ?4",
                params![analysis_id, tenant_id, user_id, version, base],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Takes Snowflake's version of an analysis (new from another device, or newer there), keeping the
    /// local row's scheduler claim. The result counts as mirrored.
    pub fn mirror_apply_remote(
        &self,
        tenant_id: &str,
        user_id: &str,
        remote: &SavedAnalysis,
    ) -> Result<(), Error> {
        if remote.tenant_id != tenant_id || remote.created_by != user_id {
            return Err(StoreError::MirrorForeignAnalysis.into());
        }
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // An earlier delete of this analysis here lost to the remote version: the tombstone goes.
            tx.execute(
                "DELETE FROM mirror_tombstones WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![remote.id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            let a = remote;
            let exists: bool = tx
                .query_row(
                    "SELECT 1 FROM saved_analyses WHERE analysis_id = ?1",
                    params![a.id],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db_error)?
                .is_some();
            let values = params![
                a.id,
                tenant_id,
                user_id,
                a.name,
                a.description,
                a.natural_language_query,
                a.generated_sql,
                a.chart_type.map(ChartKind::as_str),
                a.chart_config.as_ref().map(|v| v.to_string()),
                a.refresh_schedule,
                a.last_refresh_at,
                a.next_refresh_at,
                a.is_active,
                a.created_at,
                a.updated_at
            ];
            let changed = if exists {
                tx.execute(
                    "UPDATE saved_analyses SET name = ?4, description = ?5, natural_language_query = ?6,
                        generated_sql = ?7, chart_type = ?8, chart_config = ?9, refresh_schedule = ?10,
                        last_refresh_at = ?11, next_refresh_at = ?12, is_active = ?13, created_at = ?14, updated_at = ?15
                     WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                    values,
                )
                .map_err(db_error)?
            } else {
                tx.execute(
                    "INSERT INTO saved_analyses (analysis_id, tenant_id, created_by, name, description,
                        natural_language_query, generated_sql, chart_type, chart_config, refresh_schedule,
                        last_refresh_at, next_refresh_at, is_active, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                    values,
                )
                .map_err(db_error)?
            };
            if changed != 1 {
                // The id exists under another owner: never touch it.
                return Err(StoreError::MirrorOwnedElsewhere(a.id.clone()).into());
            }
            tx.execute(
                "UPDATE saved_analyses SET mirrored_version = mirror_version, mirror_base = updated_at
                 WHERE analysis_id = ?1",
                params![a.id],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)
        })
    }

    /// Deletes an analysis that was deleted in Snowflake (from another device), with its executions, cache
    /// and tiles, leaving no tombstone behind.
    pub fn mirror_delete_local(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
    ) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE saved_analyses SET mirror_base = NULL WHERE analysis_id = ?1 AND tenant_id = ?2 AND created_by = ?3",
                params![analysis_id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            Ok(())
        })?;
        self.saved_delete(tenant_id, user_id, analysis_id)
    }

    /// Local deletes Snowflake has not seen.
    pub fn mirror_tombstones(&self, tenant_id: &str, user_id: &str) -> Result<Vec<Tombstone>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT analysis_id, deleted_at, mirror_base FROM mirror_tombstones
                     WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY deleted_at, analysis_id",
                params![tenant_id, user_id],
                |r| Ok(Tombstone { analysis_id: r.get(0)?, deleted_at: r.get(1)?, base: r.get(2)? }),
            )
        })
    }

    /// Forgets a tombstone once Snowflake has the delete (or no longer has the analysis at all).
    pub fn mirror_tombstone_done(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: &str,
    ) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "DELETE FROM mirror_tombstones WHERE analysis_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![analysis_id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Finished executions not mirrored yet, oldest first (a running one is mirrored once it ends:
    /// Snowflake's table is append-only for the app).
    pub fn mirror_executions(
        &self,
        tenant_id: &str,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<Execution>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT execution_id, analysis_id, started_at, finished_at, status, row_count, error_message, trigger_kind
                     FROM analysis_executions
                     WHERE tenant_id = ?1 AND user_id = ?2 AND mirrored = 0 AND status <> 'running'
                     ORDER BY started_at, execution_id LIMIT ?3",
                params![tenant_id, user_id, limit as i64],
                execution_from_row,
            )
        })
    }

    /// Marks the caller's executions `ids` as mirrored, so they are not pushed again.
    pub fn mirror_executions_done(
        &self,
        tenant_id: &str,
        user_id: &str,
        ids: &[String],
    ) -> Result<(), Error> {
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            for id in ids {
                tx.execute(
                    "UPDATE analysis_executions SET mirrored = 1 WHERE execution_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                    params![id, tenant_id, user_id],
                )
                .map_err(db_error)?;
            }
            tx.commit().map_err(db_error)
        })
    }

    /// The caller's audit entries after the last one mirrored, oldest first.
    pub fn mirror_audit(
        &self,
        tenant_id: &str,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, Error> {
        self.with(|c| {
            let after: i64 = c
                .query_row(
                    "SELECT pushed_seq FROM mirror_audit WHERE tenant_id = ?1 AND user_id = ?2",
                    params![tenant_id, user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?
                .unwrap_or(0);
            query_all(
                c,
                "SELECT seq, log_id, tenant_id, user_id, action, outcome, details, created_at FROM audit_log
                     WHERE tenant_id = ?1 AND user_id = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
                params![tenant_id, user_id, after, limit as i64],
                crate::audit::record_from_row,
            )
        })
    }

    /// Records that the caller's audit entries up to `seq` are in Snowflake; the mark never moves back.
    pub fn mirror_audit_done(&self, tenant_id: &str, user_id: &str, seq: i64) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO mirror_audit (tenant_id, user_id, pushed_seq) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tenant_id, user_id) DO UPDATE SET pushed_seq = MAX(pushed_seq, excluded.pushed_seq)",
                params![tenant_id, user_id, seq],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Keeps the losing version of a conflict.
    pub fn mirror_record_conflict(
        &self,
        tenant_id: &str,
        user_id: &str,
        conflict: &MirrorConflict,
    ) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "INSERT INTO mirror_conflicts (tenant_id, user_id, analysis_id, kept, local_updated_at,
                    remote_updated_at, lost_version, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    tenant_id,
                    user_id,
                    conflict.analysis_id,
                    conflict.kept,
                    conflict.local_updated_at,
                    conflict.remote_updated_at,
                    conflict.lost_version.to_string(),
                    conflict.detected_at
                ],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// The caller's recorded conflicts, newest first.
    pub fn mirror_conflicts(
        &self,
        tenant_id: &str,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<MirrorConflict>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT analysis_id, kept, local_updated_at, remote_updated_at, lost_version, detected_at
                     FROM mirror_conflicts WHERE tenant_id = ?1 AND user_id = ?2
                     ORDER BY conflict_id DESC LIMIT ?3",
                params![tenant_id, user_id, limit as i64],
                |r| {
                    let lost: String = r.get(4)?;
                    Ok(MirrorConflict {
                        analysis_id: r.get(0)?,
                        kept: r.get(1)?,
                        local_updated_at: r.get(2)?,
                        remote_updated_at: r.get(3)?,
                        lost_version: serde_json::from_str(&lost).unwrap_or(serde_json::Value::Null),
                        detected_at: r.get(5)?,
                    })
                },
            )
        })
    }
}
