//! The verified identity every data command runs under.

use serde::{Deserialize, Serialize};

/// Who is asking, taken only from a verified token. The tenant here scopes every query, cache read and
/// audit entry; nothing else may choose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub tenant_id: String,
    pub user_id: String,
    pub partner_id: String,
    pub user_name: Option<String>,
    pub roles: Vec<String>,
    /// Issued-at and expiry, seconds since the Unix epoch.
    pub issued_at: i64,
    pub expires_at: i64,
}

impl Session {
    /// Seconds left before expiry (negative once expired).
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expires_at - now
    }
}
