//! Alerts on saved analyses: create, list, pause, resume, delete and test them, read what fired since a
//! moment (the desktop polls that to notify its user), and the check the scheduler runs after each
//! successful scheduled refresh.
//!
//! What is watched, kept simple: one number of the refreshed result. The row is the first one, or the first
//! whose first column reads `row` (`whatsapp` for a result by channel; compared as text, ignoring case). The
//! column is `column`, or else the chart's first measure, or else the first numeric column: for a KPI, its
//! number. A result without that number (no rows, no such row, NULL) fires nothing and is noted nowhere.
//! `above`/`below` compare it with the threshold at every refresh that meets them (one message per such
//! refresh, not only when it crosses); the `change_*` kinds compare it, in percent, with the value of the
//! previous successful scheduled refresh (the result the alert was created over, for the first one).
//!
//! Which runs: scheduled refreshes only. A manual run (`inda saved run`, Refresh in the UI) neither fires
//! nor moves the baseline, so that looking at an analysis never uses up its change or waits on a webhook.
//!
//! At most once per run: the run's message is claimed in the store before anything is sent (see
//! `inda_store`'s alerts module), so a second check of the same run sends nothing, and a message whose
//! sender stopped is settled as failed on the scheduler's next pass, never sent blindly again.
//!
//! The webhook URL is kept in the OS keyring (`alert-webhook-<id>`), never in the store, an audit entry or
//! a log; signing out removes it with the user's other secrets, and the alert's messages then fail, saying
//! why. Not here: sending itself (`webhook`), desktop notifications (the shell polls
//! [`App::signed_in_alert_notices`]).

use crate::saved::plan_of;
use crate::webhook::{self, DeliveryPolicy, Sent};
use crate::{App, Deleted};
use chrono::Utc;
use inda_core::{ChartSpec, Error, Lang, ResultSet, Secret, Session};
use inda_secrets::{Owner, SecretName};
use inda_semantic::format_number;
use inda_store::{
    Alert, AlertEvent, AuditAction, AuditOutcome, CachedResult, ConditionKind, DeliveryStatus,
    ExecutionStatus, ExpiredDelivery, NewAlert, NewDelivery, SavedAnalysis,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tracing::Instrument;

/// Events one poll returns at most; the caller asks again from the last one's `fired_at`.
pub const EVENTS_PER_POLL: usize = 500;

/// What `inda alert create` and `POST /api/alerts` ask for.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct AlertRequest {
    /// The saved analysis to watch (one of the caller's).
    pub analysis_id: String,
    /// What to watch for.
    pub condition: ConditionKind,
    /// The bound for `above`/`below`; the change in percent (above 0) for the `change_*` kinds.
    pub threshold: f64,
    /// The column to watch; absent: the chart's first measure, else the first numeric column.
    #[serde(default)]
    #[ts(optional)]
    pub column: Option<String>,
    /// The row to watch: the first whose first column reads this (ignoring case); absent: the first row.
    #[serde(default)]
    #[ts(optional)]
    pub row: Option<String>,
    /// Where messages go: `https://…` (a Slack incoming webhook or any endpoint taking JSON), or `http` to
    /// localhost. Kept in the OS keyring only.
    #[ts(type = "string")]
    pub webhook_url: WebhookUrl,
}

/// A webhook URL on its way to the keyring: `Debug` prints `<redacted>`, and it is never serialized.
#[derive(Debug, Clone)]
pub struct WebhookUrl(pub Secret);

impl<'de> Deserialize<'de> for WebhookUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| WebhookUrl(Secret::new(s)))
    }
}

/// How one message went: a fired alert's (with its run) or a test's.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AlertDelivery {
    /// The alert.
    pub alert_id: String,
    /// The refresh it fired at; `None` for a test message.
    pub execution_id: Option<String>,
    /// `sent`, or `failed` with `error`.
    pub status: DeliveryStatus,
    /// Tries made.
    pub attempts: u32,
    /// The last try's error (never the URL), when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// The text sent, in the analysis's language.
    pub message: String,
}

/// A fired alert as its owner's desktop shows it: one per event of [`App::signed_in_alert_notices`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertNotice {
    /// The event's `fired_at`: the next poll asks for the notices after the last one's.
    pub fired_at: String,
    /// The alert that fired.
    pub alert_id: String,
    /// The refresh it fired at.
    pub execution_id: String,
    /// The saved analysis's name.
    pub title: String,
    /// The value and the condition, in the language asked for: `messages is 1,234 (messages above 0)`.
    pub body: String,
}

/// The watched number of a result, and the column it is in.
struct Watched {
    index: usize,
    value: f64,
}

impl App {
    /// Creates an alert on one of the caller's analyses (`not_found` when it is not theirs), with its webhook
    /// URL in the keyring. Over a cached result, the column must be one of its numeric columns, and the
    /// watched value becomes the first change's baseline.
    pub fn create_alert(&self, session: &Session, req: &AlertRequest) -> Result<Alert, Error> {
        let _span = tracing::info_span!("alert_create", analysis_id = %req.analysis_id).entered();
        let url = webhook::check_url(req.webhook_url.0.expose())?;
        let new = self.new_alert(session, req)?;
        let store = self.store()?;
        let alert = store.alert_create(&session.tenant_id, &session.user_id, &new)?;
        if let Err(e) = self.keyring().and_then(|k| k.set(&owner(session), &secret_name(&alert.id)?, &url)) {
            // No alert without its webhook: the row goes too.
            store.alert_delete(&session.tenant_id, &session.user_id, &alert.id)?;
            return Err(e);
        }
        self.audit(
            session,
            AuditAction::Save,
            AuditOutcome::Ok,
            json!({"alert_id": alert.id, "analysis_id": alert.analysis_id, "condition": alert.condition,
                   "threshold": alert.threshold, "column": alert.column, "row": alert.row}),
        )?;
        Ok(alert)
    }

    /// The alert `req` asks for, checked against the analysis and its cached result (the baseline).
    fn new_alert(&self, session: &Session, req: &AlertRequest) -> Result<NewAlert, Error> {
        check_threshold(req.condition, req.threshold)?;
        let analysis = self.get_analysis(session, &req.analysis_id)?;
        let cached = self.cached(session, &analysis)?;
        let column = clean(req.column.as_deref());
        let row = clean(req.row.as_deref());
        if let (Some(c), Some(name)) = (&cached, &column) {
            check_column(&c.result, name)?;
        }
        let baseline = cached
            .as_ref()
            .and_then(|c| watched(&c.result, &c.chart, column.as_deref(), row.as_deref()))
            .map(|w| w.value);
        Ok(NewAlert {
            analysis_id: analysis.id,
            condition: req.condition,
            threshold: req.threshold,
            column,
            row,
            baseline,
        })
    }

    /// The caller's alerts, oldest first.
    pub fn list_alerts(&self, session: &Session) -> Result<Vec<Alert>, Error> {
        self.store()?.alert_list(&session.tenant_id, &session.user_id, None)
    }

    /// One of the caller's alerts; `not_found` when it is not theirs, whoever owns it.
    pub fn get_alert(&self, session: &Session, id: &str) -> Result<Alert, Error> {
        self.store()?.alert_get(&session.tenant_id, &session.user_id, id)
    }

    /// Pauses (`true`) or resumes one of the caller's alerts. A paused alert sends nothing, and still notes
    /// each refresh's value, so that once resumed a change is measured against the refresh just before.
    pub fn set_alert_paused(&self, session: &Session, id: &str, paused: bool) -> Result<Alert, Error> {
        let _span = tracing::info_span!("alert_pause", alert_id = %id, paused).entered();
        let alert = self.store()?.alert_set_paused(&session.tenant_id, &session.user_id, id, paused)?;
        self.audit(session, AuditAction::Save, AuditOutcome::Ok, json!({"alert_id": id, "paused": paused}))?;
        Ok(alert)
    }

    /// Deletes one of the caller's alerts with its events, and its webhook URL from the keyring.
    pub fn delete_alert(&self, session: &Session, id: &str) -> Result<Deleted, Error> {
        let _span = tracing::info_span!("alert_delete", alert_id = %id).entered();
        let alert = self.get_alert(session, id)?;
        self.store()?.alert_delete(&session.tenant_id, &session.user_id, id)?;
        self.forget_webhooks(session, &[alert.id]);
        self.audit(
            session,
            AuditAction::Delete,
            AuditOutcome::Ok,
            json!({"alert_id": id, "analysis_id": alert.analysis_id}),
        )?;
        Ok(Deleted { deleted: true })
    }

    /// Removes the webhook URLs of deleted alerts from the keyring. The alerts are gone already, so a
    /// keyring that fails is logged, not an error.
    pub(crate) fn forget_webhooks(&self, session: &Session, alert_ids: &[String]) {
        for id in alert_ids {
            let removed = self.keyring().and_then(|k| k.delete(&owner(session), &secret_name(id)?));
            if let Err(e) = removed {
                tracing::warn!(alert_id = %id, "cannot remove the alert's webhook from the keyring: {}", e.message);
            }
        }
    }

    /// Sends a test message to the alert's webhook now, and audits it. A webhook that fails is not an error:
    /// the answer says how it went (`failed`, with the reason).
    pub async fn test_alert(&self, session: &Session, id: &str) -> Result<AlertDelivery, Error> {
        let span = tracing::info_span!("alert_test", alert_id = %id);
        async {
            let alert = self.get_alert(session, id)?;
            let analysis = self.get_analysis(session, &alert.analysis_id)?;
            let lang = lang_of(&analysis);
            let label = alert.column.clone().unwrap_or_else(|| lang.pick("the value", "el valor").into());
            let text = test_text(lang, &analysis.name, &condition_text(lang, &alert, &label));
            let payload = payload(&text, lang, &analysis, &alert, None, None);
            Ok(self.deliver(session, &alert, None, &text, &payload).await)
        }
        .instrument(span)
        .await
    }

    /// The caller's alert events (fired alerts and how their messages went) fired after `since` (a
    /// timestamp as in `fired_at`; absent: all), oldest first, at most [`EVENTS_PER_POLL`]. The desktop
    /// shell polls it with the last `fired_at` it saw to show a notification per new event.
    pub fn alert_events(&self, session: &Session, since: Option<&str>) -> Result<Vec<AlertEvent>, Error> {
        self.store()?.alert_events(&session.tenant_id, &session.user_id, since, EVENTS_PER_POLL)
    }

    /// The signed-in user's alert events fired after `since` (as [`App::alert_events`]) as notices in `lang`,
    /// the reader's language (an event's stored message is in the analysis's): titled with the analysis's
    /// name, saying the value and the condition. What the desktop polls: the store alone says whether
    /// anything fired, so a poll with nothing new touches neither the keyring nor the warehouse; nobody
    /// signed in, nothing. An event whose alert or analysis is gone, or with no session to read them with
    /// (the keyring does not answer), keeps its stored message.
    pub async fn signed_in_alert_notices(&self, since: &str, lang: Lang) -> Result<Vec<AlertNotice>, Error> {
        let Some(user) = self.signed_in_user()? else { return Ok(Vec::new()) };
        let events =
            self.store()?.alert_events(&user.tenant_id, &user.user_id, Some(since), EVENTS_PER_POLL)?;
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let session = match self.reading_session(None, None).await {
            Ok((s, _)) if s.tenant_id == user.tenant_id && s.user_id == user.user_id => Some(s),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!(code = e.code.as_str(), "alert notices without the analyses: {}", e.message);
                None
            }
        };
        Ok(events.into_iter().map(|e| self.notice(session.as_ref(), e, lang)).collect())
    }

    fn notice(&self, session: Option<&Session>, event: AlertEvent, lang: Lang) -> AlertNotice {
        let found = session.map(|session| {
            let alert = self.get_alert(session, &event.alert_id)?;
            let analysis = self.get_analysis(session, &alert.analysis_id)?;
            // The column's display name from the cached result, as the message has it.
            let label = self
                .cached(session, &analysis)
                .ok()
                .flatten()
                .and_then(|c| {
                    let (column, row) = (alert.column.as_deref(), alert.row.as_deref());
                    watched(&c.result, &c.chart, column, row).map(|w| label(&c.result, w.index, row))
                })
                .unwrap_or_else(|| plain_label(lang, &alert));
            Ok::<_, Error>((analysis, alert, label))
        });
        let (title, body) = match (found, event.value) {
            (Some(Ok((analysis, alert, label))), Some(value)) => {
                (analysis.name, fired_body(lang, &alert, &label, value, event.previous))
            }
            _ => (lang.pick("Alert", "Alerta").to_string(), event.message),
        };
        AlertNotice {
            fired_at: event.fired_at,
            alert_id: event.alert_id,
            execution_id: event.execution_id,
            title,
            body,
        }
    }

    /// Now, as an event's `fired_at`: where a front end that tells its user what fires starts polling, so
    /// that what fired before it started is not news.
    pub fn alert_cursor_now() -> String {
        inda_store::timestamp(Utc::now())
    }

    /// Checks the alerts of one of the caller's analyses against its run `execution_id`, which must be its
    /// latest successful run (the one whose result is cached): what the scheduler does after a refresh, to
    /// be done again after a crash between the two. A run already checked sends nothing twice.
    pub async fn check_alerts(
        &self,
        session: &Session,
        analysis_id: &str,
        execution_id: &str,
    ) -> Result<Vec<AlertDelivery>, Error> {
        let analysis = self.get_analysis(session, analysis_id)?;
        let latest = self
            .execution_history(session, analysis_id)?
            .into_iter()
            .find(|e| e.status == ExecutionStatus::Ok)
            .map(|e| e.id);
        if latest.as_deref() != Some(execution_id) {
            return Err(Error::usage(format!(
                "run {execution_id} is not the latest successful run of analysis {analysis_id}: only that one's result is kept"
            )));
        }
        let cached = self.cached(session, &analysis)?.ok_or_else(|| crate::saved::offline_miss(&analysis))?;
        Ok(self.alerts_after_refresh(session, &analysis, execution_id, &cached).await)
    }

    /// The scheduler's check after a successful refresh `execution_id` of `analysis`, stored already: each
    /// alert of the analysis notes its value, and each active one whose condition holds sends its message,
    /// once. Failures are logged, never the refresh's.
    pub(crate) async fn alerts_after_refresh(
        &self,
        session: &Session,
        analysis: &SavedAnalysis,
        execution_id: &str,
        cached: &CachedResult,
    ) -> Vec<AlertDelivery> {
        let alerts = match self
            .store()
            .and_then(|s| s.alert_list(&session.tenant_id, &session.user_id, Some(&analysis.id)))
        {
            Ok(alerts) => alerts,
            Err(e) => {
                tracing::warn!("cannot read the analysis's alerts: {}", e.message);
                return Vec::new();
            }
        };
        let mut sent = Vec::new();
        for alert in &alerts {
            let span = tracing::info_span!("alert_check", alert_id = %alert.id, execution_id);
            match self.check_one(session, analysis, execution_id, cached, alert).instrument(span).await {
                Ok(Some(delivery)) => sent.push(delivery),
                Ok(None) => {}
                Err(e) => tracing::warn!(alert_id = %alert.id, "cannot check the alert: {}", e.message),
            }
        }
        sent
    }

    /// One alert against one run: note the value, and send the message when due and not claimed yet.
    async fn check_one(
        &self,
        session: &Session,
        analysis: &SavedAnalysis,
        execution_id: &str,
        cached: &CachedResult,
        alert: &Alert,
    ) -> Result<Option<AlertDelivery>, Error> {
        let Some(seen) =
            watched(&cached.result, &cached.chart, alert.column.as_deref(), alert.row.as_deref())
        else {
            tracing::warn!(
                "the result has no value to watch (no such row or column, or NULL): nothing checked"
            );
            return Ok(None);
        };
        let store = self.store()?;
        let (tenant, user) = (&session.tenant_id, &session.user_id);
        let previous = store.alert_observe(tenant, user, &alert.id, execution_id, seen.value)?;
        if alert.paused || !fires(alert.condition, alert.threshold, seen.value, previous) {
            return Ok(None);
        }
        let lang = lang_of(analysis);
        let label = label(&cached.result, seen.index, alert.row.as_deref());
        let text = fired_text(lang, &analysis.name, alert, &label, seen.value, previous);
        let claim = NewDelivery {
            alert_id: alert.id.clone(),
            execution_id: execution_id.to_string(),
            value: seen.value,
            previous,
            message: text.clone(),
            lease_until: self.lease_until(),
        };
        if !store.alert_claim(tenant, user, &claim)? {
            // Claimed before: sent, failed or being sent by another process. Never twice.
            return Ok(None);
        }
        let payload = payload(&text, lang, analysis, alert, Some(execution_id), Some((seen.value, previous)));
        Ok(Some(self.deliver(session, alert, Some(execution_id), &text, &payload).await))
    }

    /// Until when a claim on a message holds: a minute past the longest its tries can take, so that a live
    /// sender is never taken for a stopped one.
    fn lease_until(&self) -> chrono::DateTime<Utc> {
        let lease = self.delivery_policy().longest() + std::time::Duration::from_secs(60);
        Utc::now() + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::hours(1))
    }

    /// `[alerts]` of config.toml as the policy messages are sent under.
    pub fn delivery_policy(&self) -> DeliveryPolicy {
        DeliveryPolicy::from_config(&self.config.alerts)
    }

    /// Sends one message (claimed already, for a run), settles it in the ledger and audits it.
    async fn deliver(
        &self,
        session: &Session,
        alert: &Alert,
        execution_id: Option<&str>,
        text: &str,
        payload: &serde_json::Value,
    ) -> AlertDelivery {
        let (tenant, user) = (&session.tenant_id, &session.user_id);
        let store = self.store();
        let record = |n: u32| {
            if let (Ok(s), Some(exec)) = (&store, execution_id)
                && let Err(e) = s.alert_attempted(tenant, user, &alert.id, exec, n)
            {
                tracing::warn!("cannot record the try: {}", e.message);
            }
        };
        let sent = match self.webhook_url(session, &alert.id) {
            Ok(url) => webhook::send(&url, payload, &self.delivery_policy(), &record).await,
            Err(e) => Sent { attempts: 0, error: Some(e.message) },
        };
        let status = if sent.error.is_none() { DeliveryStatus::Sent } else { DeliveryStatus::Failed };
        if let (Ok(s), Some(exec)) = (&store, execution_id) {
            let settled = s.alert_delivered(
                tenant,
                user,
                &alert.id,
                exec,
                status,
                sent.attempts,
                sent.error.as_deref(),
            );
            if let Err(e) = settled {
                tracing::warn!("cannot record how the alert's message went: {}", e.message);
            }
        }
        let delivery = AlertDelivery {
            alert_id: alert.id.clone(),
            execution_id: execution_id.map(str::to_string),
            status,
            attempts: sent.attempts,
            error: sent.error,
            message: text.to_string(),
        };
        self.audit_delivery(session, &alert.analysis_id, &delivery);
        delivery
    }

    /// The alert's webhook URL from the keyring.
    fn webhook_url(&self, session: &Session, alert_id: &str) -> Result<Secret, Error> {
        self.keyring()?.get(&owner(session), &secret_name(alert_id)?)?.ok_or_else(|| {
            Error::not_found(
                "the alert's webhook URL is no longer in the keyring (signed out, or deleted): create the alert again",
            )
        })
    }

    /// The `alert` audit entry of a message: ids, outcome and tries, never the URL. Logged, not returned,
    /// when the audit fails: the message went (or not) whatever the log says.
    fn audit_delivery(&self, session: &Session, analysis_id: &str, d: &AlertDelivery) {
        let outcome = match d.status {
            DeliveryStatus::Sent => AuditOutcome::Ok,
            _ => AuditOutcome::Error,
        };
        let details = json!({
            "alert_id": d.alert_id, "analysis_id": analysis_id, "execution_id": d.execution_id,
            "outcome": d.status, "attempts": d.attempts, "test": d.execution_id.is_none(),
            "error": d.error.as_deref().map(|e| crate::saved::truncate(e, 500)),
        });
        if let Err(e) = self.audit(session, AuditAction::Alert, outcome, details) {
            tracing::warn!("cannot audit the alert's message: {}", e.message);
        }
    }

    /// Settles every message whose sender stopped mid-send (its lease ran out) as failed, without sending it
    /// again, and audits each as `interrupted`: the scheduler's first step of each pass.
    pub(crate) fn settle_interrupted_alerts(&self, now: chrono::DateTime<Utc>) -> Result<usize, Error> {
        let store = self.store()?;
        let mut settled = 0;
        for expired in store.alert_expired(now)? {
            let _span = tracing::info_span!("alert_interrupted", alert_id = %expired.alert_id).entered();
            tracing::warn!(
                "an alert's message was being sent when its process stopped: marked failed, not resent"
            );
            if store.alert_interrupt(&expired, INTERRUPTED)? {
                settled += 1;
                // Settled in the store already: an audit that fails is logged rather than failing the pass.
                if let Err(e) = self.audit_interrupted(&expired) {
                    tracing::warn!("cannot audit the interrupted alert message: {}", e.message);
                }
            }
        }
        Ok(settled)
    }

    fn audit_interrupted(&self, e: &ExpiredDelivery) -> Result<(), Error> {
        self.store()?.audit(&inda_store::AuditEntry {
            tenant_id: e.tenant_id.clone(),
            user_id: e.user_id.clone(),
            action: AuditAction::Alert,
            outcome: AuditOutcome::Interrupted,
            details: json!({
                "alert_id": e.alert_id, "analysis_id": e.analysis_id, "execution_id": e.execution_id,
                "outcome": "interrupted", "attempts": e.attempts, "test": false,
                "client": self.client.as_str(),
            }),
        })
    }
}

const INTERRUPTED: &str = "interrupted: the process sending it stopped; not sent again, because the webhook may \
    have received it";

fn owner(session: &Session) -> Owner {
    Owner::new(&session.tenant_id, &session.user_id)
}

/// The keyring entry of an alert's webhook URL.
fn secret_name(alert_id: &str) -> Result<SecretName, Error> {
    Ok(SecretName::parse(&format!("alert-webhook-{alert_id}"))?)
}

/// A trimmed, non-empty option.
fn clean(s: Option<&str>) -> Option<String> {
    s.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

fn check_threshold(kind: ConditionKind, threshold: f64) -> Result<(), Error> {
    if !threshold.is_finite() {
        return Err(Error::usage("the threshold must be a number"));
    }
    let change = !matches!(kind, ConditionKind::Above | ConditionKind::Below);
    if change && threshold <= 0.0 {
        return Err(Error::usage("a change alert's threshold is a percentage above 0 (10 means 10%)"));
    }
    Ok(())
}

/// The column named must be a numeric column of the result.
fn check_column(rs: &ResultSet, name: &str) -> Result<(), Error> {
    match rs.column_index(name).map(|i| &rs.columns[i]) {
        Some(c) if c.is_numeric() => Ok(()),
        Some(c) => Err(Error::usage(format!("column `{name}` holds {}, not numbers", c.data_type))),
        None => {
            let numeric: Vec<&str> =
                rs.columns.iter().filter(|c| c.is_numeric()).map(|c| c.name.as_str()).collect();
            Err(Error::usage(format!(
                "the analysis's result has no column `{name}` (numeric columns: {})",
                numeric.join(", ")
            )))
        }
    }
}

/// The watched number of a result (see the module docs); `None` when it has none.
fn watched(rs: &ResultSet, chart: &ChartSpec, column: Option<&str>, row: Option<&str>) -> Option<Watched> {
    let cells = match row {
        Some(want) => {
            rs.rows.iter().find(|r| r.first().is_some_and(|v| v.to_text().trim().eq_ignore_ascii_case(want)))
        }
        None => rs.rows.first(),
    }?;
    let index = match column {
        Some(name) => rs.column_index(name)?,
        None => first_measure(rs, chart)?,
    };
    let value = cells.get(index)?.as_f64().filter(|v| v.is_finite())?;
    Some(Watched { index, value })
}

/// The chart's first numeric measure, else the first numeric column.
fn first_measure(rs: &ResultSet, chart: &ChartSpec) -> Option<usize> {
    let numeric = |i: &usize| rs.columns[*i].is_numeric();
    chart
        .y
        .iter()
        .filter_map(|y| rs.column_index(y))
        .find(numeric)
        .or_else(|| (0..rs.columns.len()).find(numeric))
}

/// Whether the condition holds for `value`, given the previous refresh's value (a change needs one).
pub(crate) fn fires(kind: ConditionKind, threshold: f64, value: f64, previous: Option<f64>) -> bool {
    let change = || previous.map(|p| change_percent(p, value));
    match kind {
        ConditionKind::Above => value > threshold,
        ConditionKind::Below => value < threshold,
        ConditionKind::ChangeUp => change().is_some_and(|c| c >= threshold),
        ConditionKind::ChangeDown => change().is_some_and(|c| c <= -threshold),
        ConditionKind::ChangeEither => change().is_some_and(|c| c.abs() >= threshold),
    }
}

/// The change from `previous` to `value` in percent of `previous`; from 0, any change is infinite.
fn change_percent(previous: f64, value: f64) -> f64 {
    if previous == 0.0 {
        return if value == 0.0 { 0.0 } else { f64::INFINITY.copysign(value) };
    }
    (value - previous) / previous.abs() * 100.0
}

/// The language of the analysis's question (its plan says), English for one saved as SQL.
fn lang_of(analysis: &SavedAnalysis) -> Lang {
    plan_of(analysis).map_or(Lang::En, |p| p.lang)
}

/// The watched column's display name, with the row when one is chosen.
fn label(rs: &ResultSet, index: usize, row: Option<&str>) -> String {
    let c = &rs.columns[index];
    let name = c.label.clone().unwrap_or_else(|| c.name.clone());
    match row {
        Some(row) => format!("{name} ({row})"),
        None => name,
    }
}

fn number(v: f64, lang: Lang) -> String {
    format_number(v, lang, "number")
}

fn percent(p: f64, lang: Lang) -> String {
    if p.is_infinite() {
        return "∞".into();
    }
    format_number(p / 100.0, lang, "percent")
}

/// What the alert watches for, in words: `revenue above 1,000`, `revenue up 10% or more`.
fn condition_text(lang: Lang, alert: &Alert, label: &str) -> String {
    let t = alert.threshold;
    let (en, es) = match alert.condition {
        ConditionKind::Above => {
            (format!("above {}", number(t, lang)), format!("por encima de {}", number(t, lang)))
        }
        ConditionKind::Below => {
            (format!("below {}", number(t, lang)), format!("por debajo de {}", number(t, lang)))
        }
        ConditionKind::ChangeUp => {
            (format!("up {} or more", percent(t, lang)), format!("sube un {} o más", percent(t, lang)))
        }
        ConditionKind::ChangeDown => {
            (format!("down {} or more", percent(t, lang)), format!("baja un {} o más", percent(t, lang)))
        }
        ConditionKind::ChangeEither => {
            (format!("changes {} or more", percent(t, lang)), format!("cambia un {} o más", percent(t, lang)))
        }
    };
    format!("{label} {}", lang.pick(&en, &es))
}

/// The message of a fired alert.
fn fired_text(
    lang: Lang,
    name: &str,
    alert: &Alert,
    label: &str,
    value: f64,
    previous: Option<f64>,
) -> String {
    let what = fired_body(lang, alert, label, value, previous);
    match lang {
        Lang::En => format!("Alert “{name}”: {what}."),
        Lang::Es => format!("Alerta «{name}»: {what}."),
    }
}

/// What a fired alert saw, without its analysis: `revenue is 1,500 (revenue above 1,000)`.
fn fired_body(lang: Lang, alert: &Alert, label: &str, value: f64, previous: Option<f64>) -> String {
    let now = number(value, lang);
    let watch = condition_text(lang, alert, label);
    match (alert.condition, previous) {
        (ConditionKind::Above | ConditionKind::Below, _) | (_, None) => match lang {
            Lang::En => format!("{label} is {now} ({watch})"),
            Lang::Es => format!("{label} es {now} ({watch})"),
        },
        (_, Some(p)) => {
            let change = change_percent(p, value);
            let by = percent(change.abs(), lang);
            let was = number(p, lang);
            match (lang, change >= 0.0) {
                (Lang::En, up) => {
                    let verb = if up { "rose" } else { "fell" };
                    format!("{label} {verb} {by}, from {was} to {now} ({watch})")
                }
                (Lang::Es, up) => {
                    let verb = if up { "subió" } else { "bajó" };
                    format!("{label} {verb} un {by}, de {was} a {now} ({watch})")
                }
            }
        }
    }
}

/// The watched value's name when the result does not give it: the column, else "the value", with the row.
fn plain_label(lang: Lang, alert: &Alert) -> String {
    let name = alert.column.clone().unwrap_or_else(|| lang.pick("the value", "el valor").into());
    match &alert.row {
        Some(row) => format!("{name} ({row})"),
        None => name,
    }
}

fn test_text(lang: Lang, name: &str, watch: &str) -> String {
    match lang {
        Lang::En => format!("Test from inDigital Analytics: the alert on “{name}” ({watch}) posts here."),
        Lang::Es => format!("Prueba de inDigital Analytics: la alerta de «{name}» ({watch}) publica aquí."),
    }
}

/// Slack's `{"text": …}`, and the alert's fields under `alert` for anything else that reads it.
fn payload(
    text: &str,
    lang: Lang,
    analysis: &SavedAnalysis,
    alert: &Alert,
    execution_id: Option<&str>,
    seen: Option<(f64, Option<f64>)>,
) -> serde_json::Value {
    json!({
        "text": text,
        "alert": {
            "id": alert.id,
            "analysis_id": analysis.id,
            "analysis": analysis.name,
            "execution_id": execution_id,
            "condition": alert.condition,
            "threshold": alert.threshold,
            "column": alert.column,
            "row": alert.row,
            "value": seen.map(|s| s.0),
            "previous": seen.and_then(|s| s.1),
            "lang": lang,
            "test": execution_id.is_none(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::{Column, Value};

    fn by_channel() -> (ResultSet, ChartSpec) {
        let rs = ResultSet {
            columns: vec![
                Column::new("channel", "VARCHAR"),
                Column::new("sent", "BIGINT"),
                Column::new("revenue", "DECIMAL(12,2)"),
            ],
            rows: vec![
                vec![Value::Text("sms".into()), Value::Int(10), Value::Decimal { units: 150, scale: 2 }],
                vec![Value::Text("WhatsApp".into()), Value::Int(90), Value::Null],
            ],
            truncated: false,
        };
        let chart = ChartSpec { y: vec!["revenue".into()], ..ChartSpec::table() };
        (rs, chart)
    }

    #[test]
    fn the_watched_value_is_the_first_measure_of_the_first_or_the_named_row() {
        let (rs, chart) = by_channel();
        let value =
            |c: Option<&str>, r: Option<&str>, chart: &ChartSpec| watched(&rs, chart, c, r).map(|w| w.value);
        assert_eq!(value(None, None, &chart), Some(1.5), "the chart's first measure");
        assert_eq!(value(None, None, &ChartSpec::table()), Some(10.0), "else the first numeric column");
        assert_eq!(value(Some("sent"), Some("whatsapp"), &chart), Some(90.0), "the row by its first column");
        assert_eq!(value(None, Some("whatsapp"), &chart), None, "NULL is no value");
        assert_eq!(value(Some("channel"), None, &chart), None, "text is no value");
        assert_eq!(value(Some("nope"), None, &chart), None);
        assert_eq!(value(None, Some("email"), &chart), None);
        assert!(check_column(&rs, "channel").is_err() && check_column(&rs, "nope").is_err());
        assert!(check_column(&rs, "sent").is_ok());
    }

    #[test]
    fn conditions_compare_with_the_threshold_or_the_previous_value() {
        use ConditionKind::*;
        assert!(fires(Above, 1000.0, 1000.5, None) && !fires(Above, 1000.0, 1000.0, None));
        assert!(fires(Below, 10.0, 9.0, Some(50.0)) && !fires(Below, 10.0, 11.0, None));
        assert!(fires(ChangeUp, 10.0, 110.0, Some(100.0)) && !fires(ChangeUp, 10.0, 109.0, Some(100.0)));
        assert!(fires(ChangeDown, 10.0, 90.0, Some(100.0)) && !fires(ChangeDown, 10.0, 110.0, Some(100.0)));
        assert!(
            fires(ChangeEither, 10.0, 90.0, Some(100.0)) && fires(ChangeEither, 10.0, 110.0, Some(100.0))
        );
        assert!(!fires(ChangeEither, 10.0, 105.0, Some(100.0)));
        assert!(!fires(ChangeUp, 10.0, 1e9, None), "no previous run, no change");
        assert!(fires(ChangeUp, 10.0, 5.0, Some(0.0)) && !fires(ChangeDown, 10.0, 0.0, Some(0.0)));
        assert!(fires(ChangeUp, 10.0, -50.0, Some(-100.0)), "from -100 to -50 is up 50%");
        assert!(check_threshold(ChangeUp, 0.0).is_err() && check_threshold(Above, -5.0).is_ok());
        assert!(check_threshold(Above, f64::NAN).is_err());
    }

    #[test]
    fn messages_speak_the_analysis_language() {
        let alert = Alert {
            id: "a1".into(),
            analysis_id: "x".into(),
            condition: ConditionKind::ChangeDown,
            threshold: 10.0,
            column: None,
            row: None,
            paused: false,
            paused_at: None,
            last_value: None,
            last_checked_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        assert_eq!(
            fired_text(Lang::En, "Revenue", &alert, "revenue", 800.0, Some(1000.0)),
            "Alert “Revenue”: revenue fell 20%, from 1,000 to 800 (revenue down 10% or more)."
        );
        assert_eq!(
            fired_text(Lang::Es, "Ingresos", &alert, "ingresos", 1250.0, Some(1000.0)),
            "Alerta «Ingresos»: ingresos subió un 25 %, de 1.000 a 1.250 (ingresos baja un 10 % o más)."
        );
        let above = Alert { condition: ConditionKind::Above, threshold: 1000.0, ..alert.clone() };
        assert_eq!(
            fired_text(Lang::Es, "Ingresos", &above, "ingresos", 1500.0, None),
            "Alerta «Ingresos»: ingresos es 1.500 (ingresos por encima de 1.000)."
        );
    }

    #[test]
    fn notices_say_the_value_and_the_condition_in_the_readers_language() {
        let alert = Alert {
            id: "a1".into(),
            analysis_id: "x".into(),
            condition: ConditionKind::Above,
            threshold: 0.0,
            column: None,
            row: Some("whatsapp".into()),
            paused: false,
            paused_at: None,
            last_value: None,
            last_checked_at: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        assert_eq!(
            fired_body(Lang::En, &alert, "messages", 1234.0, None),
            "messages is 1,234 (messages above 0)"
        );
        assert_eq!(
            fired_body(Lang::Es, &alert, "mensajes", 1234.0, Some(1000.0)),
            "mensajes es 1.234 (mensajes por encima de 0)"
        );
        let change = Alert { condition: ConditionKind::ChangeUp, threshold: 10.0, ..alert.clone() };
        assert_eq!(
            fired_body(Lang::Es, &change, "mensajes", 1250.0, Some(1000.0)),
            "mensajes subió un 25 %, de 1.000 a 1.250 (mensajes sube un 10 % o más)"
        );
        assert_eq!(plain_label(Lang::Es, &alert), "el valor (whatsapp)");
        let sent = Alert { column: Some("sent".into()), row: None, ..alert };
        assert_eq!(plain_label(Lang::En, &sent), "sent");
    }
}
