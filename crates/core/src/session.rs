//! The verified identity every data command runs under.

use serde::{Deserialize, Serialize};

/// Who is asking, taken only from a verified token. The tenant here scopes every query, cache read and
/// audit entry; nothing else may choose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The client company whose data this session may see (`acme_corp`): ASCII letters, digits, `_` and
    /// `-`, at most 64 characters, so it is safe in SQL literals and file paths.
    pub tenant_id: String,
    /// The analyst within the tenant (often an e-mail address); saved analyses, dashboards and
    /// conversations belong to it.
    pub user_id: String,
    /// The inDigital partner (reseller) the tenant belongs to; chooses the white-label branding.
    pub partner_id: String,
    /// The name to greet the user by; `None` when the token has none (show `user_id` instead).
    pub user_name: Option<String>,
    /// The token's roles, shown to the user; they grant nothing in this app.
    pub roles: Vec<String>,
    /// Issued-at and expiry, seconds since the Unix epoch.
    pub issued_at: i64,
    /// When the token expires, seconds since the Unix epoch (validation allows a small leeway).
    pub expires_at: i64,
}

impl Session {
    /// Seconds left before expiry (negative once expired).
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expires_at - now
    }
}
