//! The scheduler: refreshes every due, active saved analysis of this data dir.
//!
//! It is a trusted local process. No token is at hand in the background, so each analysis runs under a
//! session built from its stored owner (tenant and user of the saved row): the guard still scopes every
//! query to that tenant, and the embedded engine still registers only that tenant's files, so a scheduled
//! run can read exactly what its owner could. `inda scheduler run` works on a data dir the user owns; the
//! data dir (keys, cache) is readable by its owner only.
//!
//! Each analysis is claimed atomically before it runs (see `Store::scheduler_claim`), so two schedulers never
//! run one analysis at the same time. A run missed while the machine slept is made up once: the next slot
//! is computed from now, not replayed per missed slot.
//!
//! A poison analysis cannot put the scheduler in a loop. Every failed run counts against its analysis, and
//! so does a claim whose lease ran out before its run finished: that is what a run that took its process
//! down (a crash, an abort, the kernel's OOM killer) leaves behind, and such a claim is settled as a failure
//! before anything else is claimed. Each failure in a row pushes the next attempt to the later of the next
//! slot and an exponential backoff ([`RETRY`]); the fifth pauses the schedule with the reason, which its
//! owner sees on the analysis. A success ends the run of failures; saving the schedule again resumes a
//! paused one.
//!
//! After each successful refresh the analysis's alerts are checked (see `alerts`): each alert's message for
//! a run is claimed in the store before it is sent, so it goes out at most once, and a pass first settles
//! the messages a stopped process left half-sent as failed.

use crate::App;
use chrono::{DateTime, Duration, Utc};
use cron::Schedule;
use inda_core::{Error, Session};
use inda_store::{AuditAction, AuditOutcome};
use inda_store::{Claim, DueAnalysis, Failure, RetryPolicy, Store, Trigger};
use inda_warehouse::Cancel;
use serde::Serialize;
use std::str::FromStr;
use tracing::Instrument;

/// How often `inda scheduler run` looks for due analyses.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Failures in a row back off 1 min, 2, 4, 8 … up to 6 h, never earlier than the next slot; the fifth
/// pauses the schedule. Five tries over a quarter of an hour or more tell a bad moment of the warehouse
/// from an analysis that cannot run.
pub const RETRY: RetryPolicy = RetryPolicy {
    first_backoff: std::time::Duration::from_secs(60),
    max_backoff: std::time::Duration::from_secs(6 * 3600),
    pause_after: 5,
};

/// Parses a cron expression: the usual 5 fields (`0 8 * * 1`, weekdays 0-7 from Sunday as in crontab), or 6/7
/// fields with seconds first (and years last) in the `cron` crate's own syntax (weekdays 1-7 from Sunday).
/// Returns the normalized form that is stored, with the parsed schedule.
pub fn parse_schedule(expr: &str) -> Result<(String, Schedule), Error> {
    let fields: Vec<&str> = expr.split_whitespace().collect();
    let normalized = match fields.len() {
        // Classic cron has no seconds field; the cron crate wants one.
        5 => {
            let mut fields: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            fields[4] = weekday_names(&fields[4]);
            format!("0 {}", fields.join(" "))
        }
        6 | 7 => fields.join(" "),
        _ => {
            return Err(Error::usage(format!(
                "`{expr}` is not a cron schedule: use 5 fields (minute hour day-of-month month day-of-week), e.g. `0 8 * * 1`"
            )));
        }
    };
    let schedule = Schedule::from_str(&normalized)
        .map_err(|e| Error::usage(format!("`{expr}` is not a valid cron schedule: {e}")))?;
    if schedule.after(&Utc::now()).next().is_none() {
        return Err(Error::usage(format!("the cron schedule `{expr}` never fires again")));
    }
    Ok((normalized, schedule))
}

/// Classic cron numbers weekdays 0-7 from Sunday (0 and 7), the cron crate 1-7 from Sunday: naming the days
/// keeps `1` meaning Monday, as every crontab user expects. Steps (`*/2`) stay numbers.
fn weekday_names(field: &str) -> String {
    const DAYS: [&str; 8] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    let name = |part: &str| match part.parse::<usize>() {
        Ok(n) if n < DAYS.len() => DAYS[n].to_string(),
        _ => part.to_string(),
    };
    field
        .split(',')
        .map(|item| {
            let (base, step) = match item.split_once('/') {
                Some((b, s)) => (b, Some(s)),
                None => (item, None),
            };
            let base: Vec<String> = base.split('-').map(name).collect();
            match step {
                Some(s) => format!("{}/{s}", base.join("-")),
                None => base.join("-"),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The first slot strictly after `after`.
pub fn next_refresh(schedule: &Schedule, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.after(&after).next()
}

/// The schedule's first slot after `after`, if it has a valid one.
fn next_slot(schedule: Option<&str>, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    schedule.and_then(|s| parse_schedule(s).ok()).and_then(|(_, s)| next_refresh(&s, after))
}

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SchedulerReport {
    /// Analyses found due.
    pub due: usize,
    /// Runs this process claimed and ran.
    pub ran: usize,
    /// Runs of this pass that succeeded.
    pub ok: usize,
    /// Runs of this pass that failed, cancelled ones included.
    pub failed: usize,
    /// Due analyses another process was already running.
    pub skipped: usize,
    /// Earlier runs (of any process) whose lease ran out before they finished, counted now as failures.
    pub interrupted: usize,
    /// Schedules this pass paused after repeated failures.
    pub paused: usize,
    /// Alert messages whose sender stopped mid-send (their lease ran out), settled as failed by this pass
    /// without being sent again.
    pub alerts_interrupted: usize,
    /// One entry per run this pass settled: interrupted earlier runs first, then the runs of this pass.
    pub runs: Vec<ScheduledRun>,
}

/// How a scheduled run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// The analysis ran and its fresh result is cached.
    Ok,
    /// The run failed or was cancelled; the run's `error` says why.
    Error,
    /// An earlier run that never finished (its process stopped), found by this pass.
    Interrupted,
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RunStatus::Ok => "ok",
            RunStatus::Error => "error",
            RunStatus::Interrupted => "interrupted",
        })
    }
}

/// One run a scheduler pass settled, as `inda scheduler run` reports it.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduledRun {
    /// The saved analysis that ran.
    pub analysis_id: String,
    /// How the run ended.
    pub status: RunStatus,
    /// Rows of the fresh result (successful runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    /// Why the run failed (the error's message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the analysis is due next (store timestamp: ISO 8601, UTC): the next slot, or later after a
    /// failure's backoff. Absent when paused, when there is no next slot, or when this process did not
    /// record the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_refresh_at: Option<String>,
    /// Failures in a row, this one included (failed runs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u32>,
    /// Why the schedule is now paused, when this failure paused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<String>,
    /// The alerts this refresh fired, each with how its message went (successful runs only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<crate::AlertDelivery>,
}

impl ScheduledRun {
    /// A failed run whose failure this process did not record (see [`settle_failure`]).
    fn failed(claim: &Claim, error: Option<String>) -> ScheduledRun {
        ScheduledRun {
            analysis_id: claim.analysis.analysis_id.clone(),
            status: RunStatus::Error,
            rows: None,
            error,
            next_refresh_at: None,
            failures: None,
            paused: None,
            alerts: Vec::new(),
        }
    }
}

/// The owner's session for a background run (see the module docs for why this is sound).
fn owner_session(due: &DueAnalysis, now: DateTime<Utc>) -> Session {
    Session {
        tenant_id: due.tenant_id.clone(),
        user_id: due.user_id.clone(),
        partner_id: "local-scheduler".into(),
        user_name: None,
        roles: vec![],
        role: inda_core::Role::Analyst,
        // The owner's own tenant: a wider scope needs the owner's current token (`scheduled_session`).
        scope: owner_scope(due),
        issued_at: now.timestamp(),
        expires_at: now.timestamp() + 3600,
        caller: Default::default(),
    }
}

fn owner_scope(due: &DueAnalysis) -> inda_core::Scope {
    inda_core::Scope::one(&due.tenant_id).unwrap_or_else(|_| due.scope.clone())
}

/// The span of one scheduled refresh: which analysis, whose.
fn refresh_span(claim: &Claim) -> tracing::Span {
    let a = &claim.analysis;
    tracing::info_span!("scheduled_refresh", analysis_id = %a.analysis_id, tenant_id = %a.tenant_id)
}

/// Counts a failed run against its analysis (a backoff, or the pause at [`RETRY`]'s limit) and reports it;
/// `None` when the failure was not recorded here (another scheduler settled the claim first, or the store
/// failed: then the claim stays, and its lease running out counts the failure later).
fn settle_failure(
    store: &Store,
    claim: &Claim,
    failure: &Failure,
    now: DateTime<Utc>,
    status: RunStatus,
) -> Option<ScheduledRun> {
    let slot = next_slot(claim.refresh_schedule.as_deref(), now);
    let record = match store.scheduler_fail(claim, failure, slot, now, &RETRY) {
        Ok(Some(record)) => record,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!("cannot record a failed scheduled refresh: {}", e.message);
            return None;
        }
    };
    match &record.paused {
        Some(reason) => tracing::warn!(failures = record.failures, "schedule paused: {reason}"),
        None => tracing::warn!(
            failures = record.failures,
            next = record.next_refresh_at.as_deref().unwrap_or("-"),
            "scheduled refresh failed: {}",
            failure.message
        ),
    }
    Some(ScheduledRun {
        analysis_id: claim.analysis.analysis_id.clone(),
        status,
        rows: None,
        error: Some(failure.message.clone()),
        next_refresh_at: record.next_refresh_at,
        failures: Some(record.failures),
        paused: record.paused,
        alerts: Vec::new(),
    })
}

impl App {
    /// Runs every analysis due at `now` once; a failure is recorded and the others still run. Runs that
    /// never finished (their lease ran out) are counted as failures first, so their analyses back off
    /// rather than run again at once.
    pub async fn run_due(&self, now: DateTime<Utc>, cancel: &Cancel) -> Result<SchedulerReport, Error> {
        let store = self.store()?;
        // Before anything new is sent: messages left `sending` by a process that stopped are settled.
        let mut report = SchedulerReport {
            alerts_interrupted: self.settle_interrupted_alerts(now)?,
            ..SchedulerReport::default()
        };
        let mut owners: Vec<Session> = Vec::new();
        let mut add_owner = |due: &DueAnalysis, at: DateTime<Utc>| {
            if !owners.iter().any(|o| o.tenant_id == due.tenant_id && o.user_id == due.user_id) {
                owners.push(owner_session(due, at));
            }
        };
        for claim in store.scheduler_expired(now)? {
            let _span = refresh_span(&claim).entered();
            tracing::warn!("a scheduled refresh never finished: its process stopped while running it");
            if let Some(run) =
                settle_failure(&store, &claim, &Failure::interrupted(), now, RunStatus::Interrupted)
            {
                // A failed run is audited by the run itself; one that never finished is audited here.
                let owner = owner_session(&claim.analysis, now);
                self.audit_quietly(&owner, AuditAction::Run, AuditOutcome::Interrupted, &run);
                self.audit_pause(&owner, &run);
                report.interrupted += 1;
                report.paused += usize::from(run.paused.is_some());
                report.runs.push(run);
                add_owner(&claim.analysis, now);
            }
        }
        let due = store.scheduler_due(now)?;
        report.due = due.len();
        // A claim outlives the longest query, so a live run is never taken over, and a crashed one is.
        let lease = Duration::seconds(self.limits().timeout.as_secs() as i64 + 120);
        for item in due {
            if cancel.is_cancelled() {
                break;
            }
            let claim_time = Utc::now().max(now);
            let Some(claim) = store.scheduler_claim(&item, claim_time, claim_time + lease)? else {
                report.skipped += 1;
                continue;
            };
            report.ran += 1;
            let session = owner_session(&item, claim_time);
            let run = self
                .run_claimed(&store, &session, &claim, claim_time, cancel)
                .instrument(refresh_span(&claim))
                .await;
            match run.status {
                RunStatus::Ok => report.ok += 1,
                RunStatus::Error | RunStatus::Interrupted => report.failed += 1,
            }
            self.audit_pause(&session, &run);
            report.paused += usize::from(run.paused.is_some());
            report.runs.push(run);
            add_owner(&item, claim_time);
        }
        // The refreshes (last refresh, next refresh, executions) go to Snowflake's ADMIN tables too.
        for owner in &owners {
            self.mirror_quietly(owner, cancel).await;
        }
        Ok(report)
    }

    /// The session a scheduled run reads under. An analysis of its owner's tenant alone runs as its owner
    /// (see the module docs). One saved with a wider scope (a partner or platform admin's) needs more than
    /// the stored owner: the owner must be the user signed in here, with a token that still reaches every
    /// tenant of it; otherwise the run fails with the reason, and the owner sees it.
    async fn scheduled_session(&self, owner: &Session, due: &DueAnalysis) -> Result<Session, Error> {
        if due.scope == owner.scope {
            return Ok(owner.clone());
        }
        let signed_in = self.signed_in_user()?;
        if signed_in.is_none_or(|u| u.tenant_id != due.tenant_id || u.user_id != due.user_id) {
            return Err(Error::auth(format!(
                "this analysis reads {} companies: it refreshes only while its owner is signed in here",
                due.scope.tenants().len()
            )));
        }
        let session = self.session(None, None).await?;
        self.check_within(&session, &due.scope)?;
        Ok(session)
    }

    /// Audits a pause in the owner's log: the scheduler changed their analysis, not they.
    fn audit_pause(&self, owner: &Session, run: &ScheduledRun) {
        if run.paused.is_some() {
            self.audit_quietly(owner, AuditAction::Schedule, AuditOutcome::Paused, run);
        }
    }

    /// The audit entry of a scheduler's own action. The failure is recorded in the store already, so an
    /// audit that fails (a busy store) is logged rather than failing the pass.
    fn audit_quietly(&self, owner: &Session, action: AuditAction, outcome: AuditOutcome, run: &ScheduledRun) {
        let details = serde_json::json!({
            "analysis_id": run.analysis_id,
            "trigger": Trigger::Scheduled.as_str(),
            "failures": run.failures,
            "message": run.error,
            "reason": run.paused,
        });
        if let Err(e) = self.audit(owner, action, outcome, details) {
            tracing::warn!("cannot audit the scheduler's {action} ({outcome}): {}", e.message);
        }
    }

    /// Runs one claimed analysis and settles the claim: a success releases it (with the result, in the
    /// store), a failure is counted (`settle_failure`), a cancellation lets it go uncounted.
    async fn run_claimed(
        &self,
        store: &Store,
        session: &Session,
        claim: &Claim,
        now: DateTime<Utc>,
        cancel: &Cancel,
    ) -> ScheduledRun {
        let fail = |e: &Error| {
            // Failures are timed when they happen: a slow failure backs off from its end, not its start.
            let at = Utc::now().max(now);
            settle_failure(store, claim, &Failure::error(e), at, RunStatus::Error)
                .unwrap_or_else(|| ScheduledRun::failed(claim, Some(e.message.clone())))
        };
        let Some(exec_id) = claim.execution_id.as_deref() else {
            // A fresh claim always has its execution.
            return fail(&Error::internal("the scheduler's claim has no execution"));
        };
        let session = match self.scheduled_session(session, &claim.analysis).await {
            Ok(s) => s,
            Err(e) => return fail(&e),
        };
        let session = &session;
        let analysis = match self.get_analysis(session, &claim.analysis.analysis_id) {
            Ok(a) => a,
            Err(e) => return fail(&e),
        };
        // Computed from now, not from the missed slot: a laptop waking after a week runs each analysis once.
        let next = next_slot(analysis.refresh_schedule.as_deref(), now);
        match self.refresh(session, &analysis, exec_id, Trigger::Scheduled, next, cancel).await {
            Ok(cached) => ScheduledRun {
                // The refresh is stored: its alerts are checked now, each sent at most once.
                alerts: self.alerts_after_refresh(session, &analysis, exec_id, &cached).await,
                analysis_id: analysis.id,
                status: RunStatus::Ok,
                rows: Some(cached.result.rows.len()),
                error: None,
                next_refresh_at: next.map(inda_store::timestamp),
                failures: None,
                paused: None,
            },
            // Stopped from outside (Ctrl-C, the server shutting down): not the analysis's fault, so the claim
            // is let go uncounted and the analysis is due again at the next pass.
            Err(e) if cancel.is_cancelled() => {
                if let Err(release) = store.scheduler_release(claim, &e.message) {
                    tracing::warn!("cannot release a cancelled scheduled run: {}", release.message);
                }
                ScheduledRun::failed(claim, Some(e.message))
            }
            Err(e) => fail(&e),
        }
    }

    /// The signed-in analyst's admin mirror, from the scheduler's loop: at start (to take what other
    /// devices saved), then only when something local is pending, so an idle app never wakes the
    /// Snowflake warehouse.
    async fn mirror_pass(&self, first: bool, cancel: &Cancel) {
        if !self.mirrors() {
            return;
        }
        let Ok(session) = self.session(None, None).await else { return };
        let pending = self
            .store()
            .and_then(|s| s.mirror_pending(&session.tenant_id, &session.user_id))
            .unwrap_or(false);
        if first || pending {
            self.mirror_quietly(&session, cancel).await;
        }
    }

    /// Checks for due analyses every [`CHECK_EVERY`] until `cancel` fires; `on_pass` sees each report, and
    /// the signed-in analyst's changes go to Snowflake's ADMIN tables when it is the warehouse.
    pub async fn run_scheduler(
        &self,
        cancel: &Cancel,
        on_pass: &(dyn Fn(&SchedulerReport) + Sync),
    ) -> Result<(), Error> {
        let mut first = true;
        while !cancel.is_cancelled() {
            match self.run_due(Utc::now(), cancel).await {
                Ok(report) => on_pass(&report),
                // A locked or busy store is worth a retry at the next check, not the end of the scheduler.
                Err(e) => tracing::warn!("scheduler pass failed: {}", e.message),
            }
            self.mirror_pass(first, cancel).await;
            first = false;
            tokio::select! {
                _ = tokio::time::sleep(CHECK_EVERY) => {}
                _ = cancel.cancelled() => break,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Weekday};

    #[test]
    fn five_field_cron_keeps_classic_weekdays() {
        let (normalized, schedule) = parse_schedule("0 8 * * 1").unwrap();
        assert_eq!(normalized, "0 0 8 * * MON");
        let thursday = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
        let next = next_refresh(&schedule, thursday).unwrap();
        assert_eq!((next.weekday(), next.format("%H:%M").to_string()), (Weekday::Mon, "08:00".into()));
        assert_eq!(parse_schedule("30 6 * * 1-5").unwrap().0, "0 30 6 * * MON-FRI");
        assert_eq!(parse_schedule("0 0 * * 0,7").unwrap().0, "0 0 0 * * SUN,SUN");
        assert!(parse_schedule("*/15 * * * *").is_ok());
    }

    #[test]
    fn failures_back_off_from_a_minute_to_six_hours_and_the_fifth_pauses() {
        let minutes = |n| RETRY.backoff(n).as_secs() / 60;
        assert_eq!([1, 2, 3, 4].map(minutes), [1, 2, 4, 8]);
        assert_eq!(minutes(10), 6 * 60);
        assert_eq!(minutes(100), 6 * 60);
        assert_eq!(RETRY.pause_after, 5);
    }

    #[test]
    fn bad_cron_is_a_usage_error() {
        for bad in ["", "every monday", "61 8 * * 1", "0 8 * *"] {
            assert_eq!(parse_schedule(bad).unwrap_err().code, inda_core::ErrorCode::Usage, "{bad}");
        }
    }
}
