//! What a user did, read back: their audit entries and whether the log is intact, their conversations, and
//! the runs of their saved analyses. Every read is scoped to the session's tenant and user.

use crate::App;
use inda_core::{Error, Session};
pub use inda_store::{AuditRecord, Conversation, Execution, TenantAuditVerification, Turn};

/// The most audit entries one listing returns.
const AUDIT_LIST_MAX: usize = 10_000;

impl App {
    /// The caller's own audit entries, newest first (`limit` is kept between 1 and 10,000).
    pub fn audit_log(&self, session: &Session, limit: usize) -> Result<Vec<AuditRecord>, Error> {
        self.store()?.audit_list(&session.tenant_id, &session.user_id, limit.clamp(1, AUDIT_LIST_MAX))
    }

    /// The compliance export: entries recorded at or after `since` (a date or timestamp), oldest first. An
    /// analyst gets their own; an admin every user's of the tenants in the session's scope.
    pub fn audit_export(&self, session: &Session, since: Option<&str>) -> Result<Vec<AuditRecord>, Error> {
        if let Some(s) = since
            && chrono::NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d").is_err()
        {
            return Err(Error::usage(format!("--since {s} is not a date (YYYY-MM-DD) or timestamp")));
        }
        let store = self.store()?;
        match session.role {
            inda_core::Role::Analyst => {
                store.audit_export(std::slice::from_ref(&session.tenant_id), Some(&session.user_id), since)
            }
            _ => store.audit_export(session.scope.tenants(), None, since),
        }
    }

    /// Whether the whole audit log is intact. The chain holds every tenant's entries: all of it is checked,
    /// but the caller learns only the verdict and their own tenant's count.
    pub fn verify_audit(&self, session: &Session) -> Result<TenantAuditVerification, Error> {
        self.store()?.verify_audit_for(&session.tenant_id)
    }

    /// The caller's conversations, most recent first.
    pub fn conversations(&self, session: &Session) -> Result<Vec<Conversation>, Error> {
        self.store()?.conversation_list(&session.tenant_id, &session.user_id)
    }

    /// The turns of one of the caller's conversations (`not_found` for anyone else's).
    pub fn conversation_turns(&self, session: &Session, id: &str) -> Result<Vec<Turn>, Error> {
        self.store()?.conversation_turns(&session.tenant_id, &session.user_id, id)
    }

    /// The runs of one of the caller's saved analyses, newest first.
    pub fn execution_history(&self, session: &Session, analysis_id: &str) -> Result<Vec<Execution>, Error> {
        self.store()?.executions_list(&session.tenant_id, &session.user_id, analysis_id)
    }
}
