//! Guarding and running SQL for a session: the one path every query takes, whoever wrote it.

use crate::{Answer, App};
use inda_core::{Error, ResultSet, Session};
use inda_guard::{Catalog, GuardOptions, Guarded};
use inda_store::{AuditAction, AuditOutcome};
use inda_warehouse::Cancel;
use serde_json::json;
use std::time::Instant;

/// Where a statement came from, recorded in the audit log.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    /// Typed by a person (`inda sql`, the SQL editor).
    Person,
    /// Built by a question engine.
    Question,
}

impl Origin {
    fn action(self) -> AuditAction {
        match self {
            Origin::Person => AuditAction::Query,
            Origin::Question => AuditAction::Ask,
        }
    }
}

impl App {
    /// Loads what a first question needs (the semantic model, the store, and on the embedded warehouse its
    /// engine and the signed-in tenant's files), so the analyst's first answer does not pay for it. The
    /// desktop app calls it in the background at start. It runs one guarded count and records nothing (no
    /// audit entry, no history); Snowflake is left alone, where a query would resume a warehouse nobody
    /// asked for. Errors (nobody signed in, offline) are the caller's to ignore.
    pub async fn warm_up(&self) -> Result<(), Error> {
        let session = self.session(None, None).await?;
        self.semantic()?;
        self.store()?;
        if self.offline || self.config.warehouse.kind != crate::config::WarehouseKind::Embedded {
            return Ok(());
        }
        self.guard_and_run(&session, "SELECT COUNT(*) FROM fct_activities", &Cancel::new()).await?;
        Ok(())
    }

    /// The SQL that would run for the session's scope (its tenant, or an admin's tenants); runs nothing.
    pub fn guard(&self, session: &Session, sql: &str) -> Result<Guarded, Error> {
        let opts = GuardOptions { max_rows: self.limits().max_rows as u64 };
        Ok(inda_guard::guard(sql, &session.scope, &Catalog::marts(), &opts)?)
    }

    /// Guards `sql` for printing (`inda guard`): the SQL returned may be run elsewhere as text, so it must be
    /// the proven rendering. A refusal is audited; an accepted statement runs nowhere here, so it is not.
    pub fn guard_for_print(&self, session: &Session, sql: &str) -> Result<Guarded, Error> {
        let proven = self.guard(session, sql).and_then(|g| {
            g.proven_sql()?;
            Ok(g)
        });
        if let Err(e) = &proven {
            let submitted: String = sql.chars().take(4000).collect();
            let details = json!({"submitted": submitted, "message": e.message});
            self.audit(session, AuditAction::Guard, AuditOutcome::Rejected, details)?;
        }
        proven
    }

    /// Guards and runs `sql`, auditing the attempt whatever its outcome.
    pub async fn run_sql(&self, session: &Session, sql: &str, cancel: &Cancel) -> Result<Answer, Error> {
        self.read_model_meanwhile();
        let started = Instant::now();
        let outcome = self.guard_and_run(session, sql, cancel).await;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        self.audit_query(session, Origin::Person, sql, &outcome, ms, None)?;
        let (guarded, mut rs) = outcome?;
        let lang = inda_semantic::Lang::En;
        let mut caveats = self.present_statement(session, &guarded.sql, &mut rs, lang).await;
        let chart = inda_semantic::choose_chart(&rs, None);
        if guarded.crosses_tenants {
            caveats.push(inda_semantic::cross_company_caveat(lang));
        }
        Ok(Answer {
            question: None,
            sql: guarded.sql,
            row_count: rs.rows.len(),
            columns: rs.columns,
            rows: rs.rows,
            truncated: rs.truncated,
            caveats,
            chart,
            summary: None,
            engine: self.warehouse().engine().to_string(),
            provider: None,
            elapsed_ms: round_ms(ms),
            conversation_id: None,
            lang: None,
            title: None,
            drilled: None,
        })
    }

    pub(crate) async fn guard_and_run(
        &self,
        session: &Session,
        sql: &str,
        cancel: &Cancel,
    ) -> Result<(Guarded, ResultSet), Error> {
        let guarded = self.guard(session, sql)?;
        self.run_guarded(session, guarded, cancel).await
    }

    /// Runs what the guard accepted (for `session`'s scope) on the warehouse, in the tenant's turn.
    pub(crate) async fn run_guarded(
        &self,
        session: &Session,
        guarded: Guarded,
        cancel: &Cancel,
    ) -> Result<(Guarded, ResultSet), Error> {
        if self.offline {
            // Offline means no warehouse at all: saved analyses are served from the cache before reaching here.
            return Err(Error::engine(
                "offline (--offline or [app] offline): this needs the warehouse; saved analyses and dashboards serve their cached results",
            ));
        }
        let mut limits = self.limits();
        // The wait for a turn counts against the query's time: every query is answered within its limit.
        let arrived = Instant::now();
        let _turn = self.admission.admit(&session.tenant_id, limits.timeout, cancel).await?;
        limits.timeout =
            limits.timeout.saturating_sub(arrived.elapsed()).max(std::time::Duration::from_millis(100));
        let mut rs = self.warehouse().query_guarded(session, &guarded, &limits, cancel).await?;
        // The guard's LIMIT makes the engine stop at the cap; a full page under a cap the guard imposed means
        // there may have been more.
        if guarded.capped && rs.rows.len() as u64 >= guarded.limit {
            rs.truncated = true;
        }
        Ok((guarded, rs))
    }

    pub(crate) fn audit_query(
        &self,
        session: &Session,
        origin: Origin,
        submitted: &str,
        outcome: &Result<(Guarded, ResultSet), Error>,
        ms: f64,
        extra: Option<serde_json::Value>,
    ) -> Result<(), Error> {
        let mut details = match outcome {
            Ok((g, rs)) => json!({"sql": g.sql, "rows": rs.rows.len(), "duration_ms": round_ms(ms)}),
            Err(e) => json!({
                "submitted": truncate(submitted, 4000),
                "error": e.code.as_str(),
                "message": truncate(&e.message, 500),
                "duration_ms": round_ms(ms),
            }),
        };
        if let (Some(extra), Some(obj)) = (extra, details.as_object_mut())
            && let Some(extra) = extra.as_object()
        {
            obj.extend(extra.clone());
        }
        let result = match outcome {
            Ok(_) => AuditOutcome::Ok,
            Err(e) => AuditOutcome::of_error(e),
        };
        self.audit(session, origin.action(), result, details)
    }
}

pub(crate) fn round_ms(ms: f64) -> f64 {
    (ms * 100.0).round() / 100.0
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
