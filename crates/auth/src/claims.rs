//! The claims of the platform's token (architecture document §3.2).

use serde::{Deserialize, Serialize};

/// `tenant_id`, `user_id`, `partner_id`, `iat` and `exp` are required; serde rejects a token without one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The tenant every query is scoped to: ASCII letters, digits, `_` and `-`, at most 64 characters.
    pub tenant_id: String,
    /// The user within the tenant: ASCII letters, digits and `_ - . @ +`, at most 200 characters.
    pub user_id: String,
    /// The partner the tenant belongs to (picks the branding); same alphabet as `tenant_id`.
    pub partner_id: String,
    /// The name to greet the user by, if the issuer sends one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// Roles in the CRM, passed on to the session for display; this app grants nothing by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
    /// Issued at, seconds since the Unix epoch; a token from the future (past the leeway) is refused.
    pub iat: i64,
    /// Expiry, seconds since the Unix epoch; must be after `iat`.
    pub exp: i64,
    /// The issuer's name, informational: the issuer is chosen by algorithm and `kid`, not by this claim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
}

/// Identifiers that end up in SQL literals, file names and keyring entries stay boring.
pub(crate) fn is_valid_id(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | '+'))
}

pub(crate) fn is_valid_tenant(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}
