//! The reporting currency: what money answers convert into with `marts.fx_rates` and name (semantics.md,
//! Money). The warehouse knows each tenant's (`admin.tenants.config.default_currency`); a scope of several
//! companies has one only when they all share it, else each company's money stays in its own and answers
//! are split by currency (the semantic engine does that).

use crate::App;
use inda_core::{Error, Session};

impl App {
    /// The ISO 4217 code of the reporting currency of `session`'s scope: its tenant's own for an analyst's
    /// scope; for several companies (or another one), the one they all share. `None` when it is not known,
    /// when the companies have several, or when the app is offline (which never touches the warehouse).
    pub async fn reporting_currency(&self, session: &Session) -> Result<Option<String>, Error> {
        if self.offline {
            return Ok(None);
        }
        if session.scope.single() == Some(session.tenant_id.as_str()) {
            return self.warehouse().reporting_currency(session).await;
        }
        let companies = self.companies(session, &session.scope).await?;
        let codes: Vec<Option<String>> = companies
            .iter()
            .map(|c| c.currency.as_deref().map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty()))
            .collect();
        Ok(match codes.first() {
            Some(Some(first)) if codes.iter().all(|c| c.as_ref() == Some(first)) => Some(first.clone()),
            _ => None,
        })
    }
}
