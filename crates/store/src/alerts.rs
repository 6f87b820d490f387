//! Alerts on saved analyses: what each one watches for, the value it saw at the latest scheduled refreshes
//! (so that a change is measured against the previous successful one), and the ledger of its messages, one
//! row per alert and run.
//!
//! The ledger is what makes a message go out at most once: its primary key is `(alert_id, execution_id)`,
//! and a sender claims the row (status `sending`, with a lease) in a transaction before it sends anything.
//! A second check of the same run finds the row and sends nothing. A process that stops mid-send leaves the
//! row `sending`; once its lease runs out the row is marked `failed` ([`Store::alert_interrupt`]), never
//! sent again, because the webhook may well have received it.
//!
//! Not here: choosing the value, evaluating the condition, writing or sending the message (`inda-app`), nor
//! the webhook's URL, which lives in the OS keyring only.

use crate::kinds::{ConditionKind, DeliveryStatus};
use crate::{Store, StoreError, db_error, query_all, timestamp};
use chrono::{DateTime, Utc};
use inda_core::Error;
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

pub(crate) const MIGRATION_12: &str = "
CREATE TABLE alerts (
    alert_id        TEXT PRIMARY KEY,
    analysis_id     TEXT NOT NULL REFERENCES saved_analyses (analysis_id) ON DELETE CASCADE,
    tenant_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    condition_kind  TEXT NOT NULL
                    CHECK (condition_kind IN ('above', 'below', 'change_up', 'change_down', 'change_either')),
    threshold       REAL NOT NULL,
    column_name     TEXT,
    row_match       TEXT,
    paused_at       TEXT,
    seen_value      REAL,
    seen_execution  TEXT,
    seen_at         TEXT,
    previous_value  REAL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX alerts_owner ON alerts (tenant_id, user_id, analysis_id);
CREATE TABLE alert_deliveries (
    alert_id        TEXT NOT NULL REFERENCES alerts (alert_id) ON DELETE CASCADE,
    execution_id    TEXT NOT NULL,
    analysis_id     TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    value           REAL,
    previous_value  REAL,
    message         TEXT NOT NULL,
    error           TEXT,
    fired_at        TEXT NOT NULL,
    lease_until     TEXT NOT NULL,
    finished_at     TEXT,
    PRIMARY KEY (alert_id, execution_id)
);
CREATE INDEX alert_deliveries_owner ON alert_deliveries (tenant_id, user_id, fired_at);
CREATE INDEX alert_deliveries_sending ON alert_deliveries (status, lease_until);
";

/// What to create.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// The analysis it watches; it must be the caller's.
    pub analysis_id: String,
    /// What it watches for.
    pub condition: ConditionKind,
    /// The value's bound for `above`/`below`, the change in percent for the `change_*` kinds.
    pub threshold: f64,
    /// The column whose value is watched; `None`: the first numeric column.
    pub column: Option<String>,
    /// The row whose first column has this value; `None`: the first row.
    pub row: Option<String>,
    /// The value in the analysis's latest result when the alert is created, the first change's baseline.
    pub baseline: Option<f64>,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct Alert {
    /// A random UUID.
    pub id: String,
    /// The saved analysis it watches (the owner's own).
    pub analysis_id: String,
    /// What it watches for.
    pub condition: ConditionKind,
    /// The value's bound for `above`/`below`, the change in percent for the `change_*` kinds.
    pub threshold: f64,
    /// The column whose value is watched; `None`: the first numeric column of the row.
    pub column: Option<String>,
    /// The row watched: the first one whose first column has this value; `None`: the first row.
    pub row: Option<String>,
    /// Whether it is paused: a paused alert still notes each refresh's value, and sends nothing.
    pub paused: bool,
    /// When it was paused (store timestamp); `None` when active.
    pub paused_at: Option<String>,
    /// The value seen at the latest scheduled refresh (or in the result it was created over).
    pub last_value: Option<f64>,
    /// When that value was seen (store timestamp); `None` before the first scheduled refresh.
    pub last_checked_at: Option<String>,
    /// When it was created (store timestamp).
    pub created_at: String,
    /// When it was last changed (store timestamp).
    pub updated_at: String,
}

/// One alert's message for one run: the alert fired at that run, and this is how its message went.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct AlertEvent {
    /// The alert that fired.
    pub alert_id: String,
    /// Its analysis.
    pub analysis_id: String,
    /// The refresh it fired at.
    pub execution_id: String,
    /// How its message stands.
    pub status: DeliveryStatus,
    /// Attempts made to send it so far.
    pub attempts: u32,
    /// The value that met the condition.
    pub value: Option<f64>,
    /// The value of the previous successful refresh, when there was one.
    pub previous: Option<f64>,
    /// The message's text, in the analysis's language.
    pub message: String,
    /// Why it was not sent (the last attempt's error, or an interruption); absent unless `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub error: Option<String>,
    /// When it fired (store timestamp): the cursor to ask for the events after it.
    pub fired_at: String,
    /// When its sending ended (store timestamp); `None` while `sending`.
    pub finished_at: Option<String>,
}

/// A message to claim before sending it.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    /// The alert that fired.
    pub alert_id: String,
    /// The refresh it fired at.
    pub execution_id: String,
    /// The value that met the condition.
    pub value: f64,
    /// The previous successful refresh's value, when there was one.
    pub previous: Option<f64>,
    /// The text to send.
    pub message: String,
    /// Until when the sender holds it; after that a stopped sender's claim is settled as failed.
    pub lease_until: DateTime<Utc>,
}

/// A claim on a message whose sender's lease ran out while it was still `sending`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiredDelivery {
    /// The alert.
    pub alert_id: String,
    /// The run.
    pub execution_id: String,
    /// The alert's analysis.
    pub analysis_id: String,
    /// The owner's tenant.
    pub tenant_id: String,
    /// The owner.
    pub user_id: String,
    /// Attempts recorded before the sender stopped.
    pub attempts: u32,
    /// The lease that ran out (a store timestamp): exactly this claim is settled.
    pub lease_until: String,
}

const COLUMNS: &str = "alert_id, analysis_id, condition_kind, threshold, column_name, row_match, paused_at,
    seen_value, seen_at, created_at, updated_at";

fn alert_from_row(r: &Row<'_>) -> rusqlite::Result<Alert> {
    let paused_at: Option<String> = r.get(6)?;
    Ok(Alert {
        id: r.get(0)?,
        analysis_id: r.get(1)?,
        condition: r.get(2)?,
        threshold: r.get(3)?,
        column: r.get(4)?,
        row: r.get(5)?,
        paused: paused_at.is_some(),
        paused_at,
        last_value: r.get(7)?,
        last_checked_at: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

const EVENT_COLUMNS: &str =
    "alert_id, analysis_id, execution_id, status, attempts, value, previous_value, message,
    error, fired_at, finished_at";

fn event_from_row(r: &Row<'_>) -> rusqlite::Result<AlertEvent> {
    Ok(AlertEvent {
        alert_id: r.get(0)?,
        analysis_id: r.get(1)?,
        execution_id: r.get(2)?,
        status: r.get(3)?,
        attempts: count(r.get(4)?),
        value: r.get(5)?,
        previous: r.get(6)?,
        message: r.get(7)?,
        error: r.get(8)?,
        fired_at: r.get(9)?,
        finished_at: r.get(10)?,
    })
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn not_found(id: &str) -> Error {
    // The same whether the alert does not exist or is someone else's: existence is not revealed.
    StoreError::AlertNotFound(id.to_string()).into()
}

impl Store {
    /// Creates an alert on one of the caller's analyses; not-found (of the analysis) when it is not theirs.
    pub fn alert_create(&self, tenant_id: &str, user_id: &str, new: &NewAlert) -> Result<Alert, Error> {
        let id = uuid::Uuid::new_v4().to_string();
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            if !crate::saved::owns(&tx, tenant_id, user_id, &new.analysis_id)? {
                return Err(crate::saved::not_found(&new.analysis_id));
            }
            tx.execute(
                "INSERT INTO alerts (alert_id, analysis_id, tenant_id, user_id, condition_kind, threshold, column_name,
                    row_match, seen_value, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
                params![
                    id,
                    new.analysis_id,
                    tenant_id,
                    user_id,
                    new.condition,
                    new.threshold,
                    new.column,
                    new.row,
                    new.baseline,
                    at
                ],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)
        })?;
        self.alert_get(tenant_id, user_id, &id)
    }

    /// The caller's alert, or not-found (also when it belongs to someone else).
    pub fn alert_get(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<Alert, Error> {
        self.with(|c| {
            c.query_row(
                &format!(
                    "SELECT {COLUMNS} FROM alerts WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3"
                ),
                params![id, tenant_id, user_id],
                alert_from_row,
            )
            .optional()
            .map_err(db_error)?
            .ok_or_else(|| not_found(id))
        })
    }

    /// The caller's alerts, of one analysis when `analysis_id` is given, oldest first.
    pub fn alert_list(
        &self,
        tenant_id: &str,
        user_id: &str,
        analysis_id: Option<&str>,
    ) -> Result<Vec<Alert>, Error> {
        self.with(|c| {
            query_all(
                c,
                &format!(
                    "SELECT {COLUMNS} FROM alerts WHERE tenant_id = ?1 AND user_id = ?2 AND (?3 IS NULL OR analysis_id = ?3)
                     ORDER BY created_at, alert_id"
                ),
                params![tenant_id, user_id, analysis_id],
                alert_from_row,
            )
        })
    }

    /// Pauses (`true`) or resumes the caller's alert; pausing a paused one keeps its first pause time.
    pub fn alert_set_paused(
        &self,
        tenant_id: &str,
        user_id: &str,
        id: &str,
        paused: bool,
    ) -> Result<Alert, Error> {
        let at = timestamp(Utc::now());
        let changed = self.with(|c| {
            c.execute(
                "UPDATE alerts SET paused_at = CASE WHEN ?4 THEN COALESCE(paused_at, ?5) ELSE NULL END, updated_at = ?5
                 WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![id, tenant_id, user_id, paused, at],
            )
            .map_err(db_error)
        })?;
        if changed == 0 {
            return Err(not_found(id));
        }
        self.alert_get(tenant_id, user_id, id)
    }

    /// Deletes the caller's alert and its ledger, in one transaction.
    pub fn alert_delete(&self, tenant_id: &str, user_id: &str, id: &str) -> Result<(), Error> {
        self.with(|c| {
            let tx =
                c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // Explicitly, as for analyses: foreign keys are a per-connection setting in SQLite.
            tx.execute(
                "DELETE FROM alert_deliveries WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![id, tenant_id, user_id],
            )
            .map_err(db_error)?;
            let deleted = tx
                .execute(
                    "DELETE FROM alerts WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                    params![id, tenant_id, user_id],
                )
                .map_err(db_error)?;
            if deleted == 0 {
                return Err(not_found(id));
            }
            tx.commit().map_err(db_error)
        })
    }

    /// Notes `value` as what the alert saw at the run `execution_id`, and returns the value of the run
    /// before it (the baseline of a change), in one transaction. Noting the same run again changes nothing
    /// and returns the same previous value, so a second check of one run measures the same change.
    pub fn alert_observe(
        &self,
        tenant_id: &str,
        user_id: &str,
        alert_id: &str,
        execution_id: &str,
        value: f64,
    ) -> Result<Option<f64>, Error> {
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let seen: (Option<f64>, Option<String>, Option<f64>) = tx
                .query_row(
                    "SELECT seen_value, seen_execution, previous_value FROM alerts
                     WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                    params![alert_id, tenant_id, user_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()
                .map_err(db_error)?
                .ok_or_else(|| not_found(alert_id))?;
            let (seen_value, seen_execution, previous) = seen;
            if seen_execution.as_deref() == Some(execution_id) {
                return Ok(previous);
            }
            tx.execute(
                "UPDATE alerts SET previous_value = seen_value, seen_value = ?4, seen_execution = ?5, seen_at = ?6
                 WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3",
                params![alert_id, tenant_id, user_id, value, execution_id, at],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(seen_value)
        })
    }

    /// Claims the message of an alert for one run, before anything is sent: `false` when the run's message
    /// was claimed already (by this process or another, whether it went out or not), or the alert is paused.
    pub fn alert_claim(&self, tenant_id: &str, user_id: &str, new: &NewDelivery) -> Result<bool, Error> {
        let at = timestamp(Utc::now());
        self.with(|c| {
            let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            // Checked inside the transaction: an alert paused a moment ago sends nothing.
            let analysis_id: Option<String> = tx
                .query_row(
                    "SELECT analysis_id FROM alerts
                     WHERE alert_id = ?1 AND tenant_id = ?2 AND user_id = ?3 AND paused_at IS NULL",
                    params![new.alert_id, tenant_id, user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            let Some(analysis_id) = analysis_id else { return Ok(false) };
            let claimed = tx
                .execute(
                    "INSERT INTO alert_deliveries (alert_id, execution_id, analysis_id, tenant_id, user_id, status,
                        attempts, value, previous_value, message, fired_at, lease_until)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'sending', 0, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT (alert_id, execution_id) DO NOTHING",
                    params![
                        new.alert_id,
                        new.execution_id,
                        analysis_id,
                        tenant_id,
                        user_id,
                        new.value,
                        new.previous,
                        new.message,
                        at,
                        timestamp(new.lease_until)
                    ],
                )
                .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(claimed == 1)
        })
    }

    /// Records that `attempts` attempts were made on a claimed message still `sending`, so that a sender
    /// that stops leaves an honest count behind.
    pub fn alert_attempted(
        &self,
        tenant_id: &str,
        user_id: &str,
        alert_id: &str,
        execution_id: &str,
        attempts: u32,
    ) -> Result<(), Error> {
        self.with(|c| {
            c.execute(
                "UPDATE alert_deliveries SET attempts = ?5
                 WHERE alert_id = ?1 AND execution_id = ?2 AND tenant_id = ?3 AND user_id = ?4 AND status = 'sending'",
                params![alert_id, execution_id, tenant_id, user_id, attempts],
            )
            .map_err(db_error)?;
            Ok(())
        })
    }

    /// Settles a claimed message as `sent` or `failed` (with the last error). `false` when it was no longer
    /// `sending`: its lease ran out and it was settled as interrupted meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub fn alert_delivered(
        &self,
        tenant_id: &str,
        user_id: &str,
        alert_id: &str,
        execution_id: &str,
        status: DeliveryStatus,
        attempts: u32,
        error: Option<&str>,
    ) -> Result<bool, Error> {
        let at = timestamp(Utc::now());
        let error: Option<String> = error.map(|e| e.chars().take(2000).collect());
        self.with(|c| {
            let changed = c
                .execute(
                    "UPDATE alert_deliveries SET status = ?5, attempts = ?6, error = ?7, finished_at = ?8
                     WHERE alert_id = ?1 AND execution_id = ?2 AND tenant_id = ?3 AND user_id = ?4
                       AND status = 'sending'",
                    params![alert_id, execution_id, tenant_id, user_id, status, attempts, error, at],
                )
                .map_err(db_error)?;
            Ok(changed == 1)
        })
    }

    /// Every message still `sending` whose sender's lease ran out before `now`: its process stopped mid-send.
    ///
    /// Like `scheduler_expired`, a read across tenants for the local scheduler only, which settles each one
    /// under its own owner ([`Store::alert_interrupt`]).
    pub fn alert_expired(&self, now: DateTime<Utc>) -> Result<Vec<ExpiredDelivery>, Error> {
        self.with(|c| {
            query_all(
                c,
                "SELECT alert_id, execution_id, analysis_id, tenant_id, user_id, attempts, lease_until
                     FROM alert_deliveries WHERE status = 'sending' AND lease_until < ?1
                     ORDER BY lease_until, alert_id",
                params![timestamp(now)],
                |r| {
                    Ok(ExpiredDelivery {
                        alert_id: r.get(0)?,
                        execution_id: r.get(1)?,
                        analysis_id: r.get(2)?,
                        tenant_id: r.get(3)?,
                        user_id: r.get(4)?,
                        attempts: count(r.get(5)?),
                        lease_until: r.get(6)?,
                    })
                },
            )
        })
    }

    /// Marks an expired claim `failed` with `message`, without sending it again: whether the webhook got it
    /// before the process stopped cannot be known, and a message twice is worse than one missing that its
    /// owner can see. `false` when another process settled it first.
    pub fn alert_interrupt(&self, expired: &ExpiredDelivery, message: &str) -> Result<bool, Error> {
        let at = timestamp(Utc::now());
        let e = expired;
        self.with(|c| {
            let changed = c
                .execute(
                    "UPDATE alert_deliveries SET status = 'failed', error = ?6, finished_at = ?7
                     WHERE alert_id = ?1 AND execution_id = ?2 AND tenant_id = ?3 AND user_id = ?4
                       AND status = 'sending' AND lease_until = ?5",
                    params![e.alert_id, e.execution_id, e.tenant_id, e.user_id, e.lease_until, message, at],
                )
                .map_err(db_error)?;
            Ok(changed == 1)
        })
    }

    /// The caller's alert events fired after `since` (a store timestamp; `None`: all), oldest first, at most
    /// `limit`: what a front end polls to notify its user.
    pub fn alert_events(
        &self,
        tenant_id: &str,
        user_id: &str,
        since: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AlertEvent>, Error> {
        self.with(|c| {
            query_all(
                c,
                &format!(
                    "SELECT {EVENT_COLUMNS} FROM alert_deliveries
                     WHERE tenant_id = ?1 AND user_id = ?2 AND fired_at > ?3
                     ORDER BY fired_at, rowid LIMIT ?4"
                ),
                params![tenant_id, user_id, since.unwrap_or(""), limit as i64],
                event_from_row,
            )
        })
    }
}
