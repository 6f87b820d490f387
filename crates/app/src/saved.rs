//! Saved analyses: save a question or a statement, list, show (from the encrypted cache when there is a
//! result), run (the guard → the warehouse → a new cached result), delete and schedule.
//!
//! The SQL is stored as submitted and goes through the guard on every run, under the session of the caller
//! (or, for scheduled runs, of the owner): a saved statement never carries a tenant filter of its own.
//! Offline (`--offline`, `[app] offline = true`) every read is served from the cache and the warehouse is not
//! touched; when the warehouse fails, a run falls back to the cached result, marked `stale`.

use crate::scheduler::{next_refresh, parse_schedule};
use crate::sql::round_ms;
use crate::{Answer, App};
use chrono::{DateTime, Utc};
use inda_core::{ChartKind, ChartSpec, Error, ErrorCode, ResultSet, Session};
use inda_store::{AuditAction, AuditOutcome};
use inda_store::{CachedResult, NewAnalysis, SavedAnalysis, Trigger};
use inda_warehouse::Cancel;
use serde::Serialize;
use serde_json::json;
use std::time::Instant;

/// What `inda saved save` and the UI's Save ask for: exactly one of `question` and `sql`.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize, ts_rs::TS)]
pub struct SaveRequest {
    /// The analysis's name, shown in lists and as its title; trimmed, and must not be empty.
    pub name: String,
    /// Free text kept with the analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A question to save: understood now by the offline engine (refused if it is not) and planned again
    /// on every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<String>,
    /// A statement to save as typed: checked by the guard now (a refused one is not saved) and on every run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// A cron expression (5 or 6 fields).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// The chart shown when saving (kind, columns, second axis), kept so every result of the analysis is drawn
    /// with it; absent: the engine chooses for each result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub chart: Option<ChartSpec>,
}

/// The result of a saved analysis: the JSON of `sql` plus where it came from.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
// Fields that serde leaves out when empty are optional in TypeScript.
#[ts(optional_fields)]
pub struct SavedAnswer {
    /// The result in the shape of a fresh [`Answer`] (flattened into the same JSON object).
    #[serde(flatten)]
    pub answer: Answer,
    /// The saved analysis this is the result of.
    pub analysis_id: String,
    /// The analysis's name.
    pub name: String,
    /// When the result was computed (ISO 8601, UTC).
    pub as_of: String,
    /// Whether it was served from the local cache rather than run now.
    pub cached: bool,
    /// Set when the warehouse failed and the cached result was served instead.
    pub stale: bool,
    /// Why the result is stale (the warehouse's error), when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stale_reason: Option<String>,
}

impl SavedAnswer {
    /// The columns and rows as a [`ResultSet`] (a copy), for the exporters.
    pub fn result_set(&self) -> ResultSet {
        self.answer.result_set()
    }
}

pub(crate) fn offline_miss(a: &SavedAnalysis) -> Error {
    Error::engine(format!("no cached result for analysis `{}` ({}) (offline)", a.name, a.id))
}

impl App {
    /// Saves a question (interpreted now by the offline engine) or a statement (checked by the guard now: a
    /// rejected statement is not saved).
    pub async fn save_analysis(&self, session: &Session, req: &SaveRequest) -> Result<SavedAnalysis, Error> {
        let name = req.name.trim();
        if name.is_empty() {
            return Err(Error::usage("--name must not be empty"));
        }
        let (schedule, next_refresh_at) = match &req.schedule {
            Some(expr) => {
                let (normalized, next) = schedule_now(expr)?;
                (Some(normalized), next)
            }
            None => (None, None),
        };
        if let Some(chart) = &req.chart {
            check_chart(chart, None)?;
        }
        let mut new = NewAnalysis {
            chart: req.chart.clone(),
            name: name.to_string(),
            description: req.description.clone(),
            refresh_schedule: schedule.clone(),
            next_refresh_at,
            scope: Some(session.scope.clone()),
            ..NewAnalysis::default()
        };
        let source = match (&req.question, &req.sql) {
            (Some(question), None) => {
                // The scope's model: the tenant's names (a saved campaign name) and, for an admin, its
                // companies and their currencies.
                let model = self.semantic_for(session).await?;
                let plan = match inda_semantic::interpret(&model, question, None, Utc::now().date_naive()) {
                    Ok(plan) => plan,
                    Err(not_understood) => {
                        let err: Error = not_understood.into();
                        self.audit(
                            session,
                            AuditAction::Save,
                            AuditOutcome::NotUnderstood,
                            json!({"name": name, "message": err.message}),
                        )?;
                        return Err(err);
                    }
                };
                new.natural_language_query = Some(question.clone());
                new.generated_sql = plan.sql.clone();
                // The plan tells the chart which columns are measures and time: kept to chart every refresh.
                new.chart_config = Some(json!({"plan": plan}));
                "question"
            }
            (None, Some(sql)) => {
                new.generated_sql = sql.clone();
                "sql"
            }
            _ => return Err(Error::usage("give exactly one of --question and --sql")),
        };
        // The guard runs at save time only to refuse what could never run; runs guard the stored SQL again.
        if let Err(e) = self.guard(session, &new.generated_sql) {
            self.audit(
                session,
                AuditAction::Save,
                AuditOutcome::Rejected,
                json!({"name": name, "source": source, "submitted": truncate(&new.generated_sql, 4000), "message": e.message}),
            )?;
            return Err(e);
        }
        let saved = self.store()?.saved_create(&session.tenant_id, &session.user_id, &new)?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"analysis_id": saved.id, "name": saved.name, "source": source, "schedule": schedule}),
        )?;
        Ok(saved)
    }

    /// The session user's saved analyses, oldest first.
    pub fn list_analyses(&self, session: &Session) -> Result<Vec<SavedAnalysis>, Error> {
        self.store()?.saved_list(&session.tenant_id, &session.user_id)
    }

    /// One of the session user's saved analyses; `not_found` when it is not theirs (whoever owns it), and
    /// `auth` when it was saved with a scope the session does not cover now (a partner admin's analysis
    /// opened with an analyst's token, or with a narrower `--scope`).
    pub fn get_analysis(&self, session: &Session, id: &str) -> Result<SavedAnalysis, Error> {
        let analysis = self.store()?.saved_get(&session.tenant_id, &session.user_id, id)?;
        self.check_within(session, &analysis.scope)?;
        Ok(analysis)
    }

    /// Deletes one of the session user's saved analyses with its tiles, cached result, executions and alerts
    /// (their webhook URLs leave the keyring), and audits it; `not_found` when it is not theirs.
    pub fn delete_analysis(&self, session: &Session, id: &str) -> Result<crate::Deleted, Error> {
        let store = self.store()?;
        let alerts = store.alert_list(&session.tenant_id, &session.user_id, Some(id))?;
        store.saved_delete(&session.tenant_id, &session.user_id, id)?;
        self.forget_webhooks(session, &alerts.into_iter().map(|a| a.id).collect::<Vec<_>>());
        self.audit(session, AuditAction::Delete, AuditOutcome::Ok, json!({"analysis_id": id}))?;
        Ok(crate::Deleted { deleted: true })
    }

    /// Sets (`Some(cron)`) or clears (`None`) the refresh schedule.
    pub fn schedule_analysis(
        &self,
        session: &Session,
        id: &str,
        schedule: Option<&str>,
    ) -> Result<SavedAnalysis, Error> {
        let (normalized, next) = match schedule {
            Some(expr) => {
                let (normalized, next) = schedule_now(expr)?;
                (Some(normalized), next)
            }
            None => (None, None),
        };
        let saved = self.store()?.saved_set_schedule(
            &session.tenant_id,
            &session.user_id,
            id,
            normalized.as_deref(),
            next,
        )?;
        self.audit(
            session,
            AuditAction::Schedule,
            AuditOutcome::Ok,
            json!({"analysis_id": id, "schedule": normalized}),
        )?;
        Ok(saved)
    }

    /// Keeps `chart` as the chart of one of the caller's analyses (`not_found` when it is not theirs): every
    /// later show, run and export draws it. The columns it names (x, y, y2, series) must be columns of the
    /// cached result when there is one; without one it is kept as given (a run that lacks them falls back
    /// to the engine's choice). Works offline. Audited as a `save`.
    pub fn set_analysis_chart(
        &self,
        session: &Session,
        id: &str,
        chart: ChartSpec,
    ) -> Result<SavedAnalysis, Error> {
        let analysis = self.get_analysis(session, id)?;
        let cached = self.cached(session, &analysis)?;
        check_chart(&chart, cached.as_ref().map(|c| &c.result))?;
        let saved = self.store()?.saved_set_chart(&session.tenant_id, &session.user_id, id, Some(&chart))?;
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"analysis_id": id, "chart": chart.kind.as_str()}),
        )?;
        Ok(saved)
    }

    /// The cached result when there is one, else runs the analysis (never offline).
    pub async fn show_analysis(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<SavedAnswer, Error> {
        let started = Instant::now();
        let analysis = self.get_analysis(session, id)?;
        if let Some(cached) = self.cached(session, &analysis)? {
            return Ok(self.cached_answer(&analysis, cached, started, None));
        }
        if self.offline {
            return Err(offline_miss(&analysis));
        }
        self.run_loaded(session, &analysis, cancel).await
    }

    /// Runs the analysis now and caches the result; offline, serves the cache instead.
    pub async fn run_analysis(
        &self,
        session: &Session,
        id: &str,
        cancel: &Cancel,
    ) -> Result<SavedAnswer, Error> {
        let started = Instant::now();
        let analysis = self.get_analysis(session, id)?;
        if self.offline {
            let cached = self.cached(session, &analysis)?.ok_or_else(|| offline_miss(&analysis))?;
            return Ok(self.cached_answer(&analysis, cached, started, None));
        }
        self.run_loaded(session, &analysis, cancel).await
    }

    async fn run_loaded(
        &self,
        session: &Session,
        analysis: &SavedAnalysis,
        cancel: &Cancel,
    ) -> Result<SavedAnswer, Error> {
        let started = Instant::now();
        let store = self.store()?;
        let exec =
            store.execution_start(&session.tenant_id, &session.user_id, &analysis.id, Trigger::Manual)?;
        match self.refresh(session, analysis, &exec, Trigger::Manual, None, cancel).await {
            Ok(fresh) => Ok(self.answer(analysis, fresh, started, false)),
            Err(e) if e.code == ErrorCode::Engine => match self.cached(session, analysis)? {
                // The warehouse is down: the last result, clearly marked, is better than nothing.
                Some(cached) => Ok(self.cached_answer(analysis, cached, started, Some(e.message))),
                None => Err(e),
            },
            Err(e) => Err(e),
        }
    }

    /// Runs one analysis for its execution `exec_id` and stores the outcome (result and execution in one
    /// transaction). Audited as `run` whatever the outcome.
    pub(crate) async fn refresh(
        &self,
        session: &Session,
        analysis: &SavedAnalysis,
        exec_id: &str,
        trigger: Trigger,
        next_refresh_at: Option<DateTime<Utc>>,
        cancel: &Cancel,
    ) -> Result<CachedResult, Error> {
        let started = Instant::now();
        // It reads exactly the tenants it was saved with, never the session's current (wider) scope.
        self.check_within(session, &analysis.scope)?;
        let session = &Session { scope: analysis.scope.clone(), ..session.clone() };
        // A saved question runs with today's definitions (its intent planned again), so a metric whose
        // definition changed since it was saved (money converted into one currency) is never computed the
        // old way; a statement, or an intent the model no longer has, runs as saved.
        let plan = match plan_of(analysis) {
            Some(old) => Some(match self.semantic_for(session).await {
                Ok(model) => inda_semantic::replan(&model, old.intent.clone(), old.lang).unwrap_or(old),
                Err(_) => old,
            }),
            None => None,
        };
        let sql = plan.as_ref().map_or(analysis.generated_sql.as_str(), |p| p.sql.as_str());
        let mut outcome = self.guard_and_run(session, sql, cancel).await;
        if let (Ok((_, rs)), Some(plan)) = (&mut outcome, plan) {
            // A saved question is checked and labelled like a fresh one (its money check column removed).
            if let Err(e) = self.present(session, &plan, rs, cancel).await {
                outcome = Err(e);
            }
        } else if let Ok((guarded, rs)) = &mut outcome {
            // A statement (a model's answer kept, the analyst's own SQL) converts money its own way: a month
            // that lost its rate fails the run, naming it, rather than shrinking the total. Its periods and
            // money are labelled as its SQL makes them, and kept so with the result.
            let lang = self.statement_lang(analysis);
            match self.check_statement_rates(session, lang, &analysis.generated_sql, cancel).await {
                Ok(()) => {
                    self.present_statement(session, &guarded.sql, rs, lang).await;
                }
                Err(e) => outcome = Err(e),
            }
        }
        let ms = round_ms(started.elapsed().as_secs_f64() * 1000.0);
        let store = self.store()?;
        let (tenant, user) = (&session.tenant_id, &session.user_id);
        match outcome {
            Ok((guarded, rs)) => {
                let chart = chart_for(analysis, &rs);
                let kind = chart.kind;
                let rows = rs.rows.len();
                let cached = CachedResult {
                    result: rs,
                    chart,
                    sql: guarded.sql,
                    as_of: inda_store::timestamp(Utc::now()),
                };
                let cipher = self.cache_cipher()?;
                store.execution_succeed(
                    tenant,
                    user,
                    exec_id,
                    &cached,
                    &cipher,
                    Some(kind),
                    next_refresh_at,
                    trigger,
                )?;
                self.audit(
                    session,
                    AuditAction::Run,
                    AuditOutcome::Ok,
                    json!({"analysis_id": analysis.id, "trigger": trigger.as_str(), "sql": cached.sql, "rows": rows, "duration_ms": ms}),
                )?;
                Ok(cached)
            }
            Err(e) => {
                store.execution_fail(tenant, user, exec_id, &e.message, next_refresh_at, trigger)?;
                let outcome = AuditOutcome::of_error(&e);
                self.audit(
                    session,
                    AuditAction::Run,
                    outcome,
                    json!({"analysis_id": analysis.id, "trigger": trigger.as_str(), "error": e.code.as_str(),
                           "message": truncate(&e.message, 500), "duration_ms": ms}),
                )?;
                Err(e)
            }
        }
    }

    /// The language of a saved statement's caveats: that of its name.
    fn statement_lang(&self, analysis: &SavedAnalysis) -> inda_semantic::Lang {
        self.semantic()
            .map_or(inda_semantic::Lang::En, |model| inda_semantic::detect_lang(&model, &analysis.name))
    }

    /// The decrypted cached result of an analysis the caller owns.
    pub(crate) fn cached(
        &self,
        session: &Session,
        analysis: &SavedAnalysis,
    ) -> Result<Option<CachedResult>, Error> {
        let cipher = self.cache_cipher()?;
        self.store()?.cache_get(&session.tenant_id, &session.user_id, &analysis.id, &cipher)
    }

    fn cached_answer(
        &self,
        analysis: &SavedAnalysis,
        cached: CachedResult,
        started: Instant,
        stale_reason: Option<String>,
    ) -> SavedAnswer {
        let mut answer = self.answer(analysis, cached, started, true);
        answer.stale = stale_reason.is_some();
        answer.stale_reason = stale_reason;
        answer
    }

    fn answer(
        &self,
        analysis: &SavedAnalysis,
        c: CachedResult,
        started: Instant,
        cached: bool,
    ) -> SavedAnswer {
        // Caveats as of the result's own time: "to date" means the day it was computed.
        let as_of = chrono::NaiveDate::parse_from_str(c.as_of.get(..10).unwrap_or(""), "%Y-%m-%d")
            .unwrap_or_else(|_| Utc::now().date_naive());
        let plan = plan_of(analysis);
        // A saved statement's result keeps the grains of its period columns (`label_statement`).
        let caveats = match &plan {
            Some(p) => inda_semantic::caveats(p, &c.result, as_of),
            None => inda_semantic::statement_caveats(&c.result, as_of, self.statement_lang(analysis)),
        };
        // The chart its owner kept since this result was computed, if any.
        let chart = kept_chart(analysis, &c.result, c.chart);
        let shown = Shown { sql: c.sql, result: c.result, chart, caveats };
        self.saved_answer(analysis, shown, c.as_of, cached, started)
    }

    /// A saved analysis's answer: the SQL that ran and its result, titled by the analysis, with no question or
    /// summary (a saved answer is read, not asked), in the language of its question.
    pub(crate) fn saved_answer(
        &self,
        analysis: &SavedAnalysis,
        shown: Shown,
        as_of: String,
        cached: bool,
        started: Instant,
    ) -> SavedAnswer {
        let rs = shown.result;
        SavedAnswer {
            answer: Answer {
                question: None,
                sql: shown.sql,
                row_count: rs.rows.len(),
                columns: rs.columns,
                rows: rs.rows,
                truncated: rs.truncated,
                caveats: shown.caveats,
                chart: shown.chart,
                summary: None,
                engine: self.warehouse().engine().to_string(),
                provider: None,
                elapsed_ms: round_ms(started.elapsed().as_secs_f64() * 1000.0),
                conversation_id: None,
                lang: plan_of(analysis).map(|p| p.lang.as_str().to_string()),
                title: Some(analysis.name.clone()),
                drilled: None,
            },
            analysis_id: analysis.id.clone(),
            name: analysis.name.clone(),
            as_of,
            cached,
            stale: false,
            stale_reason: None,
        }
    }
}

/// What a saved analysis shows: the SQL that ran, its result, and the chart and caveats it is drawn with.
pub(crate) struct Shown {
    pub sql: String,
    pub result: ResultSet,
    pub chart: ChartSpec,
    pub caveats: Vec<inda_core::Caveat>,
}

/// The chart a result of `analysis` is drawn with: the one its owner kept when the result has every column
/// it names (with the `chosen` chart's title when the kept one has none), else `chosen` (the engine's).
pub(crate) fn kept_chart(analysis: &SavedAnalysis, rs: &ResultSet, chosen: ChartSpec) -> ChartSpec {
    match &analysis.chart {
        Some(kept) if check_chart(kept, Some(rs)).is_ok() => {
            let mut kept = kept.clone();
            if kept.title.is_none() {
                kept.title = chosen.title;
            }
            kept
        }
        _ => chosen,
    }
}

/// A chart spec an analysis can keep: a kind that draws something names at least one measure, and every
/// column it names (x, y, y2, series) is a column of `rs` when there is a result to check against.
fn check_chart(chart: &ChartSpec, rs: Option<&ResultSet>) -> Result<(), Error> {
    if chart.y.is_empty() && !matches!(chart.kind, ChartKind::Table | ChartKind::Kpi) {
        return Err(Error::usage(format!("a {} chart needs at least one measure (y)", chart.kind.as_str())));
    }
    if let Some(rs) = rs {
        let named = chart.x.iter().chain(&chart.y).chain(&chart.y2).chain(chart.series.iter());
        if let Some(missing) = named.into_iter().find(|c| rs.column_index(c).is_none()) {
            let have: Vec<&str> = rs.columns.iter().map(|c| c.name.as_str()).collect();
            return Err(Error::usage(format!(
                "the chart names column `{missing}`, which the result does not have (it has: {})",
                have.join(", ")
            )));
        }
    }
    Ok(())
}

/// The chart of a fresh result: the one its owner kept, else from the question's plan when it was saved
/// from a question, from a chart spec stored with it when its columns still exist, else chosen from the
/// result's shape.
pub(crate) fn chart_for(analysis: &SavedAnalysis, rs: &ResultSet) -> ChartSpec {
    let chosen = engine_chart(analysis, rs);
    kept_chart(analysis, rs, chosen)
}

/// The engine's chart of a fresh result (see [`chart_for`]).
fn engine_chart(analysis: &SavedAnalysis, rs: &ResultSet) -> ChartSpec {
    let config = analysis.chart_config.as_ref();
    if let Some(plan) = plan_of(analysis) {
        return inda_semantic::choose_chart(rs, Some(&plan));
    }
    if let Some(spec) = config.and_then(|c| serde_json::from_value::<ChartSpec>(c.clone()).ok()) {
        let has = |name: &String| rs.column_index(name).is_some();
        if spec.x.iter().all(has) && spec.y.iter().all(has) {
            return spec;
        }
    }
    let mut chart = inda_semantic::choose_chart(rs, None);
    chart.title = Some(analysis.name.clone());
    chart
}

/// The plan of an analysis saved from a question.
pub(crate) fn plan_of(analysis: &SavedAnalysis) -> Option<inda_semantic::Plan> {
    let plan = analysis.chart_config.as_ref()?.get("plan")?;
    serde_json::from_value(plan.clone()).ok()
}

/// The normalized cron expression and its next slot after now.
fn schedule_now(expr: &str) -> Result<(String, Option<DateTime<Utc>>), Error> {
    let (normalized, schedule) = parse_schedule(expr)?;
    Ok((normalized, next_refresh(&schedule, Utc::now())))
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}
