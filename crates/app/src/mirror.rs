//! The admin mirror: with Snowflake configured, the analyst's saved analyses, their executions and audit
//! entries are written to the ADMIN tables too (`warehouse/snowflake/04_admin.sql`), so the platform sees
//! them and another device of the same analyst gets them. Local first: every command writes the local
//! store and succeeds without Snowflake; the mirror pushes what is pending afterwards, and again at the next
//! chance when Snowflake was unreachable (`inda warehouse mirror` does it on demand).
//!
//! Saved analyses are a three-way merge against the `updated_at` both sides agreed on last time (the
//! store's `mirror_base`): a change on one side is taken over by the other; a change on both is a conflict,
//! settled by the later `updated_at`, with the losing version kept in the store's `mirror_conflicts`,
//! reported here and audited, never dropped. Executions and audit entries are append-only and inserted
//! once (by id), so a push interrupted after Snowflake committed is harmless to repeat.
//!
//! Every write to Snowflake is one statement, atomic by itself, and the local bookkeeping is updated after
//! it succeeds; no transaction spans two requests, so a mirror killed half-way leaves no lock behind and
//! repeats its last step harmlessly. Every statement is scoped to the analyst's tenant and user.

use crate::App;
use chrono::Utc;
use inda_core::{Error, ResultSet, Session, Value};
use inda_snowflake::{SnowflakeWarehouse, TrustedStatement, ntz_text as ntz};
use inda_store::{AuditAction, AuditOutcome};
use inda_store::{AuditRecord, MirrorAnalysis, MirrorConflict, SavedAnalysis, Tombstone};
use inda_warehouse::{Cancel, QueryLimits};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

/// Audit entries per insert.
const AUDIT_BATCH: usize = 500;
/// Executions per run of the mirror (the rest go at the next one).
const EXECUTION_BATCH: usize = 1000;

/// What one mirror did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MirrorReport {
    /// Analyses written to Snowflake (new or changed here).
    pub pushed: u64,
    /// Analyses taken from Snowflake (new or changed on another device).
    pub pulled: u64,
    /// Local deletes written to Snowflake (`is_active = FALSE`).
    pub deleted_remote: u64,
    /// Analyses deleted here because they were deleted elsewhere.
    pub deleted_local: u64,
    /// Runs of the analyst's analyses inserted into Snowflake (at most 1000 per mirror; the rest go next
    /// time).
    pub executions: u64,
    /// The analyst's audit entries inserted into Snowflake.
    pub audit_entries: u64,
    /// Analyses changed on both sides, this run: which version was kept and the one that was not.
    pub conflicts: Vec<MirrorConflict>,
    /// Wall-clock time of the whole mirror, in milliseconds.
    pub elapsed_ms: f64,
}

/// What to do locally once Snowflake committed.
enum After {
    MarkPushed { id: String, version: i64, base: String },
    Apply(Box<SavedAnalysis>),
    DeleteLocal(String),
    TombstoneDone(String),
}

impl App {
    /// Whether saved analyses are mirrored: Snowflake is the warehouse and the app is not offline.
    pub fn mirrors(&self) -> bool {
        self.snowflake.is_some() && !self.offline
    }

    /// Pushes the analyst's pending changes to Snowflake's ADMIN tables and takes theirs.
    pub async fn mirror(&self, session: &Session, cancel: &Cancel) -> Result<MirrorReport, Error> {
        let started = Instant::now();
        let Some(sf) = &self.snowflake else {
            return Err(Error::usage(
                "the admin mirror needs Snowflake: set `[warehouse] kind = \"snowflake\"` in config.toml",
            ));
        };
        if self.offline {
            return Err(Error::usage("the app is offline: the admin mirror needs Snowflake"));
        }
        let store = self.store()?;
        // The app's own bookkeeping, not an analyst's answer: far more rows and bytes than one answer may carry.
        let limits = QueryLimits { max_rows: 1_000_000, result_bytes: 1 << 30, ..self.limits() };
        let (t, u) = (&session.tenant_id, &session.user_id);
        let mut report = MirrorReport::default();

        // Each write is one statement, atomic by itself, and the local bookkeeping follows it; a mirror
        // interrupted in between repeats it harmlessly next time (same version, or an id already there).
        let remote = remote_analyses(sf, session, &limits, cancel).await?;
        let local = store.mirror_analyses(t, u)?;
        let tombstones = store.mirror_tombstones(t, u)?;
        for step in plan(&local, &tombstones, &remote, &mut report) {
            if let Some(statement) = &step.statement {
                sf.run_statement(session, statement, &limits, cancel).await?;
            }
            match step.after {
                After::MarkPushed { id, version, base } => {
                    store.mirror_mark_pushed(t, u, &id, version, &base)?
                }
                After::Apply(a) => store.mirror_apply_remote(t, u, &a)?,
                After::DeleteLocal(id) => store.mirror_delete_local(t, u, &id)?,
                After::TombstoneDone(id) => store.mirror_tombstone_done(t, u, &id)?,
            }
        }
        let executions = store.mirror_executions(t, u, EXECUTION_BATCH)?;
        if !executions.is_empty() {
            sf.run_statement(session, &insert_executions(session, &executions), &limits, cancel).await?;
            let ids: Vec<String> = executions.iter().map(|e| e.id.clone()).collect();
            store.mirror_executions_done(t, u, &ids)?;
            report.executions = ids.len() as u64;
        }
        for c in &report.conflicts {
            store.mirror_record_conflict(t, u, c)?;
        }
        if !report.conflicts.is_empty() {
            self.audit(
                session,
                AuditAction::Mirror,
                AuditOutcome::Conflict,
                serde_json::json!({ "conflicts": report.conflicts.iter().map(|c| serde_json::json!({
                    "analysis_id": c.analysis_id, "kept": c.kept,
                    "local_updated_at": c.local_updated_at, "remote_updated_at": c.remote_updated_at,
                })).collect::<Vec<_>>() }),
            )?;
        }

        // Audit entries: append-only, in batches.
        loop {
            let entries = store.mirror_audit(t, u, AUDIT_BATCH)?;
            let Some(last) = entries.last().map(|e| e.seq) else { break };
            sf.run_statement(session, &insert_audit(session, &entries), &limits, cancel).await?;
            store.mirror_audit_done(t, u, last)?;
            report.audit_entries += entries.len() as u64;
            if entries.len() < AUDIT_BATCH {
                break;
            }
        }
        report.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(report)
    }

    /// The mirror after a local change: never fails the command that made the change (it is saved here
    /// and goes to Snowflake at the next chance), but says why it could not run.
    pub async fn mirror_quietly(&self, session: &Session, cancel: &Cancel) -> Option<MirrorReport> {
        if !self.mirrors() {
            return None;
        }
        match self.mirror(session, cancel).await {
            Ok(report) => {
                for c in &report.conflicts {
                    tracing::warn!(
                        "saved analysis {} was changed here and in Snowflake; kept the {} version (the other is in the local store's mirror_conflicts)",
                        c.analysis_id,
                        c.kept
                    );
                }
                Some(report)
            }
            Err(e) => {
                tracing::warn!("the admin mirror will retry later: {}", e.message);
                None
            }
        }
    }

    /// The analyst's recorded mirror conflicts, newest first.
    pub fn mirror_conflicts(&self, session: &Session, limit: usize) -> Result<Vec<MirrorConflict>, Error> {
        self.store()?.mirror_conflicts(&session.tenant_id, &session.user_id, limit)
    }
}

/// One step of the merge: the statement for Snowflake (if any), then what to record locally.
struct Step {
    statement: Option<TrustedStatement>,
    after: After,
}

/// The three-way merge of the analysis sets (see the module docs).
fn plan(
    local: &[MirrorAnalysis],
    tombstones: &[Tombstone],
    remote: &BTreeMap<String, SavedAnalysis>,
    report: &mut MirrorReport,
) -> Vec<Step> {
    let mut p: Vec<Step> = Vec::new();
    let now = inda_store::timestamp(Utc::now());
    let mut seen = BTreeSet::new();
    for la in local {
        let a = &la.analysis;
        seen.insert(a.id.clone());
        let push = |p: &mut Vec<Step>, exists: bool| {
            p.push(Step {
                statement: Some(if exists { update_analysis(a) } else { insert_analysis(a) }),
                after: After::MarkPushed {
                    id: a.id.clone(),
                    version: la.version,
                    base: a.updated_at.clone(),
                },
            });
        };
        let Some(r) = remote.get(&a.id) else {
            // New here, or gone from Snowflake although it had it: either way the local copy is all there is.
            push(&mut p, false);
            report.pushed += 1;
            continue;
        };
        let remote_changed =
            la.base.as_deref() != Some(r.updated_at.as_str()) && r.updated_at != a.updated_at;
        match (la.pending, remote_changed) {
            (false, false) => {}
            (true, false) => {
                push(&mut p, true);
                report.pushed += 1;
            }
            (false, true) => take_remote(&mut p, r, report),
            (true, true) => {
                let local_wins = a.updated_at >= r.updated_at;
                report.conflicts.push(MirrorConflict {
                    analysis_id: a.id.clone(),
                    kept: if local_wins { "local" } else { "remote" }.into(),
                    local_updated_at: Some(a.updated_at.clone()),
                    remote_updated_at: Some(r.updated_at.clone()),
                    lost_version: serde_json::to_value(if local_wins { r } else { a }).unwrap_or_default(),
                    detected_at: now.clone(),
                });
                if local_wins {
                    push(&mut p, true);
                    report.pushed += 1;
                } else {
                    take_remote(&mut p, r, report);
                }
            }
        }
    }
    for tomb in tombstones {
        seen.insert(tomb.analysis_id.clone());
        match remote.get(&tomb.analysis_id) {
            None => p.push(Step { statement: None, after: After::TombstoneDone(tomb.analysis_id.clone()) }),
            Some(r) if !r.is_active => {
                p.push(Step { statement: None, after: After::TombstoneDone(tomb.analysis_id.clone()) })
            }
            Some(r) => {
                let remote_changed = tomb.base.as_deref() != Some(r.updated_at.as_str());
                let delete_wins = !remote_changed || tomb.deleted_at >= r.updated_at;
                if remote_changed {
                    report.conflicts.push(MirrorConflict {
                        analysis_id: tomb.analysis_id.clone(),
                        kept: if delete_wins { "local" } else { "remote" }.into(),
                        local_updated_at: Some(tomb.deleted_at.clone()),
                        remote_updated_at: Some(r.updated_at.clone()),
                        lost_version: if delete_wins {
                            serde_json::to_value(r).unwrap_or_default()
                        } else {
                            serde_json::json!({ "deleted_at": tomb.deleted_at })
                        },
                        detected_at: now.clone(),
                    });
                }
                if delete_wins {
                    p.push(Step {
                        statement: Some(deactivate(r, &tomb.deleted_at)),
                        after: After::TombstoneDone(tomb.analysis_id.clone()),
                    });
                    report.deleted_remote += 1;
                } else {
                    p.push(Step { statement: None, after: After::Apply(Box::new(r.clone())) });
                    report.pulled += 1;
                }
            }
        }
    }
    // Saved on another device.
    for (id, r) in remote {
        if !seen.contains(id) && r.is_active {
            p.push(Step { statement: None, after: After::Apply(Box::new(r.clone())) });
            report.pulled += 1;
        }
    }
    p
}

fn take_remote(p: &mut Vec<Step>, r: &SavedAnalysis, report: &mut MirrorReport) {
    if r.is_active {
        p.push(Step { statement: None, after: After::Apply(Box::new(r.clone())) });
        report.pulled += 1;
    } else {
        p.push(Step { statement: None, after: After::DeleteLocal(r.id.clone()) });
        report.deleted_local += 1;
    }
}

fn opt_ntz(stamp: &Option<String>) -> Option<String> {
    stamp.as_deref().map(ntz)
}

const ANALYSIS_COLUMNS: &str = "analysis_id, tenant_id, created_by, name, description, natural_language_query, \
    generated_sql, chart_type, chart_config, refresh_schedule, last_refresh_at, next_refresh_at, is_active, \
    created_at, updated_at";

fn analysis_binds(a: &SavedAnalysis) -> Vec<Option<String>> {
    vec![
        Some(a.id.clone()),
        Some(a.tenant_id.clone()),
        Some(a.created_by.clone()),
        Some(a.name.clone()),
        a.description.clone(),
        a.natural_language_query.clone(),
        Some(a.generated_sql.clone()),
        a.chart_type.map(|k| k.as_str().to_string()),
        a.chart_config.as_ref().map(|c| c.to_string()),
        a.refresh_schedule.clone(),
        opt_ntz(&a.last_refresh_at),
        opt_ntz(&a.next_refresh_at),
        Some(a.is_active.to_string()),
        Some(ntz(&a.created_at)),
        Some(ntz(&a.updated_at)),
    ]
}

/// Snowflake does not take `PARSE_JSON` inside `INSERT … VALUES`; `SELECT … FROM VALUES` it does.
fn insert_analysis(a: &SavedAnalysis) -> TrustedStatement {
    TrustedStatement::new(
        format!(
            "INSERT INTO ADMIN.SAVED_ANALYSES ({ANALYSIS_COLUMNS}) \
             SELECT column1, column2, column3, column4, column5, column6, column7, column8, PARSE_JSON(column9), \
             column10, CAST(column11 AS TIMESTAMP_NTZ), CAST(column12 AS TIMESTAMP_NTZ), CAST(column13 AS BOOLEAN), \
             CAST(column14 AS TIMESTAMP_NTZ), CAST(column15 AS TIMESTAMP_NTZ) \
             FROM VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        ),
        analysis_binds(a),
    )
}

fn update_analysis(a: &SavedAnalysis) -> TrustedStatement {
    let mut binds = analysis_binds(a);
    let key = binds.drain(0..3).collect::<Vec<_>>();
    binds.extend(key);
    TrustedStatement::new(
        "UPDATE ADMIN.SAVED_ANALYSES SET name = ?, description = ?, natural_language_query = ?, generated_sql = ?, \
         chart_type = ?, chart_config = PARSE_JSON(?), refresh_schedule = ?, \
         last_refresh_at = CAST(? AS TIMESTAMP_NTZ), next_refresh_at = CAST(? AS TIMESTAMP_NTZ), is_active = CAST(? AS BOOLEAN), \
         created_at = CAST(? AS TIMESTAMP_NTZ), updated_at = CAST(? AS TIMESTAMP_NTZ) \
         WHERE analysis_id = ? AND tenant_id = ? AND created_by = ?",
        binds,
    )
}

fn deactivate(r: &SavedAnalysis, deleted_at: &str) -> TrustedStatement {
    TrustedStatement::new(
        "UPDATE ADMIN.SAVED_ANALYSES SET is_active = FALSE, updated_at = CAST(? AS TIMESTAMP_NTZ) \
         WHERE analysis_id = ? AND tenant_id = ? AND created_by = ?",
        vec![
            Some(ntz(deleted_at)),
            Some(r.id.clone()),
            Some(r.tenant_id.clone()),
            Some(r.created_by.clone()),
        ],
    )
}

/// `VALUES (?, …), (?, …)` for `rows` rows of `width` binds.
fn values(rows: usize, width: usize) -> String {
    let row = format!("({})", vec!["?"; width].join(", "));
    vec![row; rows].join(", ")
}

fn insert_executions(session: &Session, executions: &[inda_store::Execution]) -> TrustedStatement {
    let mut binds = Vec::with_capacity(executions.len() * 9 + 1);
    for e in executions {
        binds.extend([
            Some(e.id.clone()),
            Some(e.analysis_id.clone()),
            Some(session.tenant_id.clone()),
            Some(session.user_id.clone()),
            Some(ntz(&e.started_at)),
            opt_ntz(&e.finished_at),
            Some(e.status.as_str().to_string()),
            e.rows.map(|r| r.to_string()),
            e.error.clone(),
        ]);
    }
    binds.push(Some(session.tenant_id.clone()));
    TrustedStatement::new(
        format!(
            "INSERT INTO ADMIN.ANALYSIS_EXECUTIONS (execution_id, analysis_id, tenant_id, executed_by, started_at, \
             finished_at, status, row_count, error_message) \
             SELECT column1, column2, column3, column4, CAST(column5 AS TIMESTAMP_NTZ), CAST(column6 AS TIMESTAMP_NTZ), column7, \
             CAST(column8 AS NUMBER(38, 0)), column9 FROM VALUES {} \
             WHERE column1 NOT IN (SELECT execution_id FROM ADMIN.ANALYSIS_EXECUTIONS WHERE tenant_id = ?)",
            values(executions.len(), 9)
        ),
        binds,
    )
}

fn insert_audit(session: &Session, entries: &[AuditRecord]) -> TrustedStatement {
    let mut binds = Vec::with_capacity(entries.len() * 6 + 1);
    for e in entries {
        // ADMIN.AUDIT_LOG has no outcome column: it goes into the details.
        let details = match &e.details {
            serde_json::Value::Object(m) => {
                let mut m = m.clone();
                m.insert("outcome".into(), e.outcome.as_str().into());
                serde_json::Value::Object(m)
            }
            other => serde_json::json!({ "outcome": e.outcome, "details": other }),
        };
        binds.extend([
            Some(e.log_id.clone()),
            Some(e.tenant_id.clone()),
            Some(e.user_id.clone()),
            Some(e.action.as_str().to_string()),
            Some(details.to_string()),
            Some(ntz(&e.created_at)),
        ]);
    }
    binds.push(Some(session.tenant_id.clone()));
    TrustedStatement::new(
        format!(
            "INSERT INTO ADMIN.AUDIT_LOG (log_id, tenant_id, user_id, action, details, created_at) \
             SELECT column1, column2, column3, column4, PARSE_JSON(column5), CAST(column6 AS TIMESTAMP_NTZ) FROM VALUES {} \
             WHERE column1 NOT IN (SELECT log_id FROM ADMIN.AUDIT_LOG WHERE tenant_id = ?)",
            values(entries.len(), 6)
        ),
        binds,
    )
}

/// The analyst's analyses in Snowflake, by id.
async fn remote_analyses(
    sf: &SnowflakeWarehouse,
    session: &Session,
    limits: &QueryLimits,
    cancel: &Cancel,
) -> Result<BTreeMap<String, SavedAnalysis>, Error> {
    let rs = sf
        .run_trusted(
            session,
            &format!(
                "SELECT {ANALYSIS_COLUMNS} FROM ADMIN.SAVED_ANALYSES WHERE tenant_id = ? AND created_by = ?"
            ),
            &[&session.tenant_id, &session.user_id],
            limits,
            cancel,
        )
        .await?;
    let mut out = BTreeMap::new();
    for a in analyses(&rs)? {
        // The WHERE clause already says so; a row of anyone else would be a bug, never merged.
        if a.tenant_id == session.tenant_id && a.created_by == session.user_id {
            out.insert(a.id.clone(), a);
        }
    }
    Ok(out)
}

fn analyses(rs: &ResultSet) -> Result<Vec<SavedAnalysis>, Error> {
    let bad = |what: &str| Error::engine(format!("ADMIN.SAVED_ANALYSES returned an unreadable {what}"));
    rs.rows
        .iter()
        .map(|row| {
            if row.len() != 15 {
                return Err(bad("row"));
            }
            let text = |i: usize| -> Option<String> {
                match &row[i] {
                    Value::Null => None,
                    Value::Text(s) => Some(s.clone()),
                    other => Some(other.to_text()),
                }
            };
            let stamp = |i: usize| -> Option<String> {
                match &row[i] {
                    Value::Timestamp(t) => Some(inda_store::timestamp(t.and_utc())),
                    _ => None,
                }
            };
            let config = match &row[8] {
                Value::Json(v) => Some(v.clone()),
                Value::Text(s) => serde_json::from_str(s).ok(),
                _ => None,
            };
            Ok(SavedAnalysis {
                id: text(0).ok_or_else(|| bad("analysis_id"))?,
                tenant_id: text(1).ok_or_else(|| bad("tenant_id"))?,
                created_by: text(2).ok_or_else(|| bad("created_by"))?,
                name: text(3).unwrap_or_default(),
                description: text(4),
                natural_language_query: text(5),
                generated_sql: text(6).ok_or_else(|| bad("generated_sql"))?,
                // A kind this version does not draw is chosen again when the analysis runs.
                chart_type: text(7).and_then(|k| k.parse().ok()),
                chart_config: config.filter(|c| !c.is_null()),
                refresh_schedule: text(9),
                last_refresh_at: stamp(10),
                next_refresh_at: stamp(11),
                is_active: !matches!(row[12], Value::Bool(false)),
                created_at: stamp(13).ok_or_else(|| bad("created_at"))?,
                updated_at: stamp(14).ok_or_else(|| bad("updated_at"))?,
                // The scheduler's failures and pause are this store's own; ADMIN has no columns for them.
                refresh_health: Default::default(),
                // The kept chart is this store's own too: ADMIN has no column for it.
                chart: None,
                // ADMIN has no scope column: a copy from Snowflake reads its owner's tenant alone.
                scope: inda_core::Scope::one(&text(1).unwrap_or_default()).map_err(|_| bad("tenant_id"))?,
            })
        })
        .collect()
}
