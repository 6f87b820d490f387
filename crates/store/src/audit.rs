//! The audit log: every query (accepted or rejected), export, save and sign-in, made tamper-evident by a
//! hash chain. Each entry stores the SHA-256 of its own content and of the entry before it, so editing or
//! deleting any entry breaks the chain at that point, which [`Store::verify_audit`] reports.
//!
//! The chain is one for the whole store, every tenant's entries in it. A tenant's analyst checks it with
//! [`Store::verify_audit_for`]: the whole chain is walked, but the answer carries only whether it is intact
//! and that tenant's own entries, never another tenant's names, counts or positions.

use crate::kinds::{AuditAction, AuditOutcome};
use crate::{Store, db_error, query_all};
use inda_core::Error;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub(crate) const MIGRATION_1: &str = "
CREATE TABLE audit_log (
    seq          INTEGER PRIMARY KEY,
    log_id       TEXT NOT NULL UNIQUE,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    action       TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    details      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, user_id, seq);
";

/// Retention (`[audit] retention_days`) deletes the oldest entries; the last one deleted stays as the chain's
/// anchor, so that verification starts from a known link instead of reporting the deletion as tampering.
pub(crate) const MIGRATION_11: &str = "
CREATE TABLE audit_anchor (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL,
    pruned_at  TEXT NOT NULL
);
";

/// What to record.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// The tenant the action was done in, from the verified token.
    pub tenant_id: String,
    /// Who did it, from the verified token.
    pub user_id: String,
    /// What happened; it decides what `details` holds.
    pub action: AuditAction,
    /// How it ended (`rejected` when the guard refused the statement).
    pub outcome: AuditOutcome,
    /// Action-specific details (rewritten SQL, rows, duration, error code). Never secrets.
    pub details: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    /// The entry's place in the chain: 1, 2, 3… with no gaps (a gap is a deleted entry). The mirror pushes a
    /// user's entries in this order.
    pub seq: i64,
    /// A random UUID naming the entry, also its key in Snowflake's `ADMIN.AUDIT_LOG`.
    pub log_id: String,
    /// As recorded (see [`AuditEntry`]).
    pub tenant_id: String,
    /// As recorded (see [`AuditEntry`]).
    pub user_id: String,
    /// As recorded (see [`AuditEntry`]).
    pub action: AuditAction,
    /// As recorded (see [`AuditEntry`]).
    pub outcome: AuditOutcome,
    /// As recorded; JSON `null` when the stored text no longer parses.
    pub details: serde_json::Value,
    /// When it was recorded: ISO 8601, UTC, microsecond precision (`2025-01-31T08:00:00.123456Z`).
    pub created_at: String,
}

/// The result of walking the whole audit chain ([`Store::verify_audit`]): the store owner's view, every
/// tenant's entries included.
#[derive(Debug, Clone, Serialize)]
pub struct AuditVerification {
    /// Whether every entry follows the one before it without a gap, links to its hash, and hashes to what it
    /// stored.
    pub ok: bool,
    /// Entries found intact: all of them when `ok`, else those before `broken_at`.
    pub entries: u64,
    /// The first entry where the chain breaks, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    /// Why the chain breaks at `broken_at` (an entry deleted, relinked or edited), in English; `None` when
    /// intact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What one tenant may learn from a check of the whole chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TenantAuditVerification {
    /// Whether the whole chain (every tenant's entries) is intact.
    pub ok: bool,
    /// The tenant this answer is for (the caller's).
    pub tenant_id: String,
    /// The tenant's own entries in the log.
    pub entries: u64,
    /// The first broken entry, only when it is one of the tenant's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broken_at: Option<i64>,
    /// Why the chain is broken: the detail only when the broken entry is the tenant's own, otherwise just
    /// that it is not theirs. `None` when intact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
fn entry_hash(
    prev: &str,
    seq: i64,
    log_id: &str,
    tenant: &str,
    user: &str,
    action: &str,
    outcome: &str,
    details: &str,
    created_at: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [prev, &seq.to_string(), log_id, tenant, user, action, outcome, details, created_at] {
        // Length-prefixed so that moving bytes between fields changes the hash.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// An entry from `seq, log_id, tenant_id, user_id, action, outcome, details, created_at`.
pub(crate) fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let details: String = r.get(6)?;
    Ok(AuditRecord {
        seq: r.get(0)?,
        log_id: r.get(1)?,
        tenant_id: r.get(2)?,
        user_id: r.get(3)?,
        action: r.get(4)?,
        outcome: r.get(5)?,
        details: serde_json::from_str(&details).unwrap_or(serde_json::Value::Null),
        created_at: r.get(7)?,
    })
}

impl Store {
    /// Appends an entry to the chain.
    pub fn audit(&self, entry: &AuditEntry) -> Result<(), Error> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let last: Option<(i64, String)> = tx
                .query_row("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .map_err(db_error)?;
            let (seq, prev) = match last {
                Some((s, h)) => (s + 1, h),
                None => anchor(&tx)?.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h)),
            };
            let log_id = uuid::Uuid::new_v4().to_string();
            let created_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
            let details = entry.details.to_string();
            let hash = entry_hash(
                &prev,
                seq,
                &log_id,
                &entry.tenant_id,
                &entry.user_id,
                entry.action.as_str(),
                entry.outcome.as_str(),
                &details,
                &created_at,
            );
            tx.execute(
                "INSERT INTO audit_log (seq, log_id, tenant_id, user_id, action, outcome, details, created_at, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![seq, log_id, entry.tenant_id, entry.user_id, entry.action, entry.outcome, details, created_at, prev, hash],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)
        })
    }

    /// What a tenant's language-model calls have cost since `since` (a store timestamp), in USD, as
    /// recorded in their audit entries: the monthly budget is checked against this.
    pub fn model_cost_since(&self, tenant_id: &str, since: &str) -> Result<f64, Error> {
        self.with(|conn| {
            conn.query_row(
                "SELECT COALESCE(SUM(CAST(json_extract(details, '$.cost_usd') AS REAL)), 0.0) FROM audit_log
                 WHERE tenant_id = ?1 AND action = 'model_call' AND created_at >= ?2",
                params![tenant_id, since],
                |r| r.get::<_, f64>(0),
            )
            .map_err(db_error)
        })
    }

    /// The caller's own entries, newest first.
    pub fn audit_list(
        &self,
        tenant_id: &str,
        user_id: &str,
        limit: usize,
    ) -> Result<Vec<AuditRecord>, Error> {
        self.with(|conn| {
            query_all(
                conn,
                "SELECT seq, log_id, tenant_id, user_id, action, outcome, details, created_at FROM audit_log
                     WHERE tenant_id = ?1 AND user_id = ?2 ORDER BY seq DESC LIMIT ?3",
                params![tenant_id, user_id, limit as i64],
                record_from_row,
            )
        })
    }

    /// Every entry of the tenants `tenant_ids` (of `user_id` alone when given) recorded at or after `since` (a
    /// store timestamp or a date, `2026-01-31`), oldest first: the compliance export.
    pub fn audit_export(
        &self,
        tenant_ids: &[String],
        user_id: Option<&str>,
        since: Option<&str>,
    ) -> Result<Vec<AuditRecord>, Error> {
        self.with(|conn| {
            let mut all = Vec::new();
            for tenant in tenant_ids {
                all.extend(query_all(
                    conn,
                    "SELECT seq, log_id, tenant_id, user_id, action, outcome, details, created_at FROM audit_log
                         WHERE tenant_id = ?1 AND (?2 IS NULL OR user_id = ?2) AND created_at >= ?3 ORDER BY seq",
                    params![tenant, user_id, since.unwrap_or("")],
                    record_from_row,
                )?);
            }
            all.sort_by_key(|r: &AuditRecord| r.seq);
            Ok(all)
        })
    }

    /// Deletes the entries recorded before `before` (a store timestamp), oldest first and without a gap, and
    /// keeps the last one deleted as the chain's anchor. With `keep_unmirrored` it stops at the first entry
    /// not yet pushed to Snowflake, which must not be lost. Returns how many entries were deleted.
    pub fn audit_prune(&self, before: &str, keep_unmirrored: bool) -> Result<u64, Error> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(db_error)?;
            let first_kept = |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<Option<i64>, Error> {
                tx.query_row(sql, p, |r| r.get::<_, Option<i64>>(0)).map_err(db_error)
            };
            let mut keep_from =
                first_kept("SELECT MIN(seq) FROM audit_log WHERE created_at >= ?1", &[&before])?.unwrap_or(i64::MAX);
            if keep_unmirrored {
                let unpushed = first_kept(
                    "SELECT MIN(seq) FROM audit_log a WHERE seq > COALESCE((SELECT pushed_seq FROM mirror_audit m
                         WHERE m.tenant_id = a.tenant_id AND m.user_id = a.user_id), 0)",
                    &[],
                )?;
                keep_from = keep_from.min(unpushed.unwrap_or(i64::MAX));
            }
            let last: Option<(i64, String)> = tx
                .query_row(
                    "SELECT seq, hash FROM audit_log WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
                    params![keep_from],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_error)?;
            let Some((seq, hash)) = last else { return Ok(0) };
            let deleted = tx.execute("DELETE FROM audit_log WHERE seq <= ?1", params![seq]).map_err(db_error)?;
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
            tx.execute(
                "INSERT OR REPLACE INTO audit_anchor (id, seq, hash, pruned_at) VALUES (1, ?1, ?2, ?3)",
                params![seq, hash, now],
            )
            .map_err(db_error)?;
            tx.commit().map_err(db_error)?;
            Ok(deleted as u64)
        })
    }

    /// Walks the whole chain and reports the first edited, inserted or deleted entry. Every tenant's
    /// entries are counted: this is the store owner's view, not an analyst's (see `verify_audit_for`).
    pub fn verify_audit(&self) -> Result<AuditVerification, Error> {
        self.with(|conn| walk_chain(conn).map(|(v, _)| v))
    }

    /// Walks the whole chain and reports to one tenant whether it is intact, with that tenant's own entry
    /// count; where it breaks only when the broken entry is the tenant's own.
    pub fn verify_audit_for(&self, tenant_id: &str) -> Result<TenantAuditVerification, Error> {
        self.with(|conn| {
            let (whole, broken_tenant) = walk_chain(conn)?;
            let entries: i64 = conn
                .query_row("SELECT COUNT(*) FROM audit_log WHERE tenant_id = ?1", params![tenant_id], |r| {
                    r.get(0)
                })
                .map_err(db_error)?;
            let own = broken_tenant.as_deref() == Some(tenant_id);
            Ok(TenantAuditVerification {
                ok: whole.ok,
                tenant_id: tenant_id.to_string(),
                entries: u64::try_from(entries).unwrap_or(0),
                broken_at: whole.broken_at.filter(|_| own),
                reason: match (whole.ok, own) {
                    (true, _) => None,
                    (false, true) => whole.reason,
                    // Where and how would tell this tenant about another's entries.
                    (false, false) => Some("an entry that is not yours was edited or deleted".into()),
                },
            })
        })
    }
}

/// The whole chain's verification, with the tenant of the first broken entry when it breaks.
fn walk_chain(conn: &rusqlite::Connection) -> Result<(AuditVerification, Option<String>), Error> {
    let mut stmt = conn
        .prepare(
            "SELECT seq, log_id, tenant_id, user_id, action, outcome, details, created_at, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )
        .map_err(db_error)?;
    let mut rows = stmt.query([]).map_err(db_error)?;
    // After retention pruned the oldest entries, the chain goes on from the last one deleted.
    let (mut expected_seq, mut prev) = anchor(conn)?.map_or((1, GENESIS.to_string()), |(s, h)| (s + 1, h));
    let mut entries = 0u64;
    while let Some(r) = rows.next().map_err(db_error)? {
        let seq: i64 = r.get(0).map_err(db_error)?;
        let get = |i| r.get::<_, String>(i).map_err(db_error);
        let (log_id, tenant, user, action, outcome, details, created_at, prev_hash, hash) =
            (get(1)?, get(2)?, get(3)?, get(4)?, get(5)?, get(6)?, get(7)?, get(8)?, get(9)?);
        let broken = |reason: &str| {
            let v = AuditVerification {
                ok: false,
                entries,
                broken_at: Some(seq),
                reason: Some(reason.to_string()),
            };
            (v, Some(tenant.clone()))
        };
        if seq != expected_seq {
            return Ok(broken("an entry before this one was deleted"));
        }
        if prev_hash != prev {
            return Ok(broken("the link to the previous entry does not match"));
        }
        let computed =
            entry_hash(&prev, seq, &log_id, &tenant, &user, &action, &outcome, &details, &created_at);
        if computed != hash {
            return Ok(broken("the entry was edited"));
        }
        prev = hash;
        expected_seq += 1;
        entries += 1;
    }
    Ok((AuditVerification { ok: true, entries, broken_at: None, reason: None }, None))
}

/// The last entry retention deleted (its seq and hash), if retention ever ran.
fn anchor(conn: &rusqlite::Connection) -> Result<Option<(i64, String)>, Error> {
    conn.query_row("SELECT seq, hash FROM audit_anchor WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
        .map_err(db_error)
}
