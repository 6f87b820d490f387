//! The scheduler: refreshes every due, active saved analysis of this data dir.
//!
//! It is a trusted local process. No token is at hand in the background, so each analysis runs under a
//! session built from its stored owner (tenant and user of the saved row): the guard still scopes every
//! query to that tenant, and the embedded engine still registers only that tenant's files, so a scheduled
//! run can read exactly what its owner could. `inda scheduler run` works on a data dir the user owns; the
//! data dir (keys, cache) is readable by its owner only.
//!
//! Each analysis is claimed atomically before it runs (see `Store::scheduler_claim`), so two schedulers never
//! run one analysis at the same time, and a crashed claim expires after its lease. A run missed while the
//! machine slept is made up once: the next slot is computed from now, not replayed per missed slot.

use crate::App;
use chrono::{DateTime, Duration, Utc};
use cron::Schedule;
use inda_core::{Error, Session};
use inda_store::{DueAnalysis, Trigger};
use inda_warehouse::Cancel;
use serde::Serialize;
use std::str::FromStr;

/// How often `inda scheduler run` looks for due analyses.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

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

/// What one pass did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SchedulerReport {
    /// Analyses found due.
    pub due: usize,
    /// Runs this process claimed and ran.
    pub ran: usize,
    pub ok: usize,
    pub failed: usize,
    /// Due analyses another process was already running.
    pub skipped: usize,
    pub runs: Vec<ScheduledRun>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScheduledRun {
    pub analysis_id: String,
    /// `ok` or `error`.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_refresh_at: Option<String>,
}

/// The owner's session for a background run (see the module docs for why this is sound).
fn owner_session(due: &DueAnalysis, now: DateTime<Utc>) -> Session {
    Session {
        tenant_id: due.tenant_id.clone(),
        user_id: due.user_id.clone(),
        partner_id: "local-scheduler".into(),
        user_name: None,
        roles: vec![],
        issued_at: now.timestamp(),
        expires_at: now.timestamp() + 3600,
    }
}

impl App {
    /// Runs every analysis due at `now` once; a failure is recorded and the others still run.
    pub async fn run_due(&self, now: DateTime<Utc>, cancel: &Cancel) -> Result<SchedulerReport, Error> {
        let store = self.store()?;
        let due = store.scheduler_due(now)?;
        let mut report = SchedulerReport { due: due.len(), ..SchedulerReport::default() };
        // A claim outlives the longest query, so a live run is never taken over, and a crashed one is.
        let lease = Duration::seconds(self.limits().timeout.as_secs() as i64 + 120);
        let mut owners: Vec<Session> = Vec::new();
        for item in due {
            if cancel.is_cancelled() {
                break;
            }
            let claim_time = Utc::now().max(now);
            let Some(exec_id) = store.scheduler_claim(&item, claim_time, claim_time + lease)? else {
                report.skipped += 1;
                continue;
            };
            report.ran += 1;
            let session = owner_session(&item, claim_time);
            let run = self.run_claimed(&session, &item, &exec_id, cancel).await;
            match &run.status[..] {
                "ok" => report.ok += 1,
                _ => report.failed += 1,
            }
            report.runs.push(run);
            if !owners.iter().any(|o| o.tenant_id == session.tenant_id && o.user_id == session.user_id) {
                owners.push(session);
            }
        }
        // The refreshes (last refresh, next refresh, executions) go to Snowflake's ADMIN tables too.
        for owner in &owners {
            self.mirror_quietly(owner, cancel).await;
        }
        Ok(report)
    }

    async fn run_claimed(
        &self,
        session: &Session,
        item: &DueAnalysis,
        exec_id: &str,
        cancel: &Cancel,
    ) -> ScheduledRun {
        let failed = |e: &Error, next: Option<DateTime<Utc>>| ScheduledRun {
            analysis_id: item.analysis_id.clone(),
            status: "error".into(),
            rows: None,
            error: Some(e.message.clone()),
            next_refresh_at: next.map(inda_store::timestamp),
        };
        let analysis = match self.get_analysis(session, &item.analysis_id) {
            Ok(a) => a,
            Err(e) => return failed(&e, None),
        };
        // Computed from now, not from the missed slot: a laptop waking after a week runs each analysis once.
        let next = analysis
            .refresh_schedule
            .as_deref()
            .and_then(|s| parse_schedule(s).ok())
            .and_then(|(_, s)| next_refresh(&s, Utc::now()));
        match self.refresh(session, &analysis, exec_id, Trigger::Scheduled, next, cancel).await {
            Ok(cached) => ScheduledRun {
                analysis_id: analysis.id,
                status: "ok".into(),
                rows: Some(cached.result.rows.len()),
                error: None,
                next_refresh_at: next.map(inda_store::timestamp),
            },
            Err(e) => failed(&e, next),
        }
    }

    /// The signed-in analyst's admin mirror, from the scheduler's loop: at start (to take what other
    /// devices saved), then only when something local is pending, so an idle app never wakes the
    /// Snowflake warehouse.
    async fn mirror_pass(&self, first: bool, cancel: &Cancel) {
        if !self.mirrors() {
            return;
        }
        let Ok(session) = self.session(None) else { return };
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
    fn bad_cron_is_a_usage_error() {
        for bad in ["", "every monday", "61 8 * * 1", "0 8 * *"] {
            assert_eq!(parse_schedule(bad).unwrap_err().code, inda_core::ErrorCode::Usage, "{bad}");
        }
    }
}
