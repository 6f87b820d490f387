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
    /// Where the request came from (`inda serve` fills it per request): recorded by every audit entry, never
    /// used to decide what may be read.
    #[serde(default)]
    pub caller: Caller,
}

/// Which front end an installation runs as: every audit entry records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Client {
    /// `inda …` on a terminal (the default: tests and scripts are CLI calls too).
    #[default]
    Cli,
    /// The desktop app.
    Desktop,
    /// `inda serve`, the browser UI inside the CRM.
    Serve,
}

impl Client {
    /// The word audit entries use: `cli`, `desktop`, `serve`.
    pub fn as_str(self) -> &'static str {
        match self {
            Client::Cli => "cli",
            Client::Desktop => "desktop",
            Client::Serve => "serve",
        }
    }
}

/// Where one request to `inda serve` came from, as its audit entries record it. Empty for the CLI and the
/// desktop app, whose caller is the machine's own user.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Caller {
    /// The front end the request came through, when the server knows better than the installation's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<Client>,
    /// The peer's address (`203.0.113.7:51234`); behind a proxy, the proxy's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_addr: Option<String>,
    /// The browser's `User-Agent`, cut to a sane length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The request's id (`X-Request-Id`), also on its log lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Session {
    /// Seconds left before expiry (negative once expired).
    pub fn seconds_left(&self, now: i64) -> i64 {
        self.expires_at - now
    }
}
