//! The verified identity every data command runs under.

use crate::{Role, Scope};
use serde::{Deserialize, Serialize};

/// Who is asking, taken only from a verified token. The tenant here owns every saved item, cache entry and
/// audit entry; the [`Scope`] (the tenant alone unless the role is an admin's) bounds what queries read.
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
    /// The token's `roles` claim as issued (the CRM's own role names included), shown to the user.
    pub roles: Vec<String>,
    /// What the token grants here: the widest of the claim's roles this app knows, allowed by its issuer.
    pub role: Role,
    /// The tenants this session reads: its own tenant as the token is verified; the app widens it for an
    /// admin role (and narrows it on request) once the tenants directory is read. Every query is scoped to
    /// it; saved items, caches and audit entries record it.
    pub scope: Scope,
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
