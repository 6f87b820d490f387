//! Signing in and out: the deep link and `inda login` put a verified token in the OS keyring and mark its
//! user as the one signed in; every later command without `--token` uses it. Switching to another tenant
//! or user ends the previous session; signing out removes the user's secrets from the keyring.

use crate::{App, now};
use inda_auth::{Expiry, LinkTarget, Verified};
use inda_core::{Error, Role, Scope, Secret, Session};
use inda_secrets::{Keyring, Owner, SecretName};
use inda_store::{AuditAction, AuditOutcome};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

/// Under this many seconds left, the app asks the CRM for a fresh link.
pub const REFRESH_DUE_SECONDS: i64 = 600;

/// The session as `inda whoami` and the desktop header show it.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SessionInfo {
    /// The tenant the token grants.
    pub tenant_id: String,
    /// The user within the tenant.
    pub user_id: String,
    /// The partner, which picks the branding.
    pub partner_id: String,
    /// The name to greet the user by, when the token has one.
    pub user_name: Option<String>,
    /// The token's `roles` claim as issued.
    pub roles: Vec<String>,
    /// What the token grants here: `analyst`, `partner_admin` or `platform_admin`.
    pub role: Role,
    /// ISO 8601, UTC.
    pub expires_at: String,
    /// Seconds until the token expires; negative once it has.
    pub seconds_left: i64,
    /// Under [`REFRESH_DUE_SECONDS`] left (or expired): time to ask the CRM for a fresh link.
    pub refresh_due: bool,
    /// Expired beyond the leeway: live work is refused, but the signed-in user can still read their cached
    /// results.
    pub expired: bool,
    /// Where the CRM hands out a fresh deep link, when the issuer has one configured.
    pub refresh_url: Option<String>,
    /// `keyring` (signed in) or `token` (`--token` / `INDA_TOKEN`).
    pub source: &'static str,
}

impl SessionInfo {
    fn new(v: &Verified, source: &'static str) -> SessionInfo {
        let s = &v.session;
        let left = s.seconds_left(now());
        SessionInfo {
            tenant_id: s.tenant_id.clone(),
            user_id: s.user_id.clone(),
            partner_id: s.partner_id.clone(),
            user_name: s.user_name.clone(),
            roles: s.roles.clone(),
            role: s.role,
            expires_at: chrono::DateTime::from_timestamp(s.expires_at, 0)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                .unwrap_or_default(),
            seconds_left: left,
            refresh_due: left < REFRESH_DUE_SECONDS,
            expired: left + (inda_auth::LEEWAY_SECONDS as i64) < 0,
            refresh_url: v.refresh_url.clone(),
            source,
        }
    }
}

/// What signing in did.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SignIn {
    /// The session now signed in.
    pub session: SessionInfo,
    /// The tenant and user whose session this sign-in ended, when it was someone else.
    pub ended: Option<SignedInUser>,
}

/// Who is signed in on this data dir (`session.json`; names only, the token is in the keyring).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SignedInUser {
    /// The signed-in user's tenant.
    pub tenant_id: String,
    /// The signed-in user; with the tenant, the owner of the keyring entries.
    pub user_id: String,
}

impl SignedInUser {
    fn owner(&self) -> Owner {
        Owner::new(&self.tenant_id, &self.user_id)
    }
}

fn owner_of(s: &Session) -> Owner {
    Owner::new(&s.tenant_id, &s.user_id)
}

impl App {
    /// The OS keyring (or the opted-in file fallback), opened on first use.
    pub fn keyring(&self) -> Result<Arc<Keyring>, Error> {
        if let Some(k) = self.keyring.get() {
            return Ok(k.clone());
        }
        let keyring = Arc::new(Keyring::open(self.dir.root(), crate::data_keys::fallback(&self.config))?);
        Ok(self.keyring.get_or_init(|| keyring).clone())
    }

    fn verify(&self, token: &str, expiry: Expiry) -> Result<Verified, Error> {
        inda_auth::verify_token(token, &self.config.auth, self.dir.root(), now(), expiry)
    }

    /// Who the token says the user is (verified, unexpired), with its own tenant as scope: for what reads no
    /// tenant data (secrets, sign-out, the keyring's owner). Anything that reads data takes
    /// [`App::session`], which also checks the token against `admin.tenants` and resolves the scope.
    pub fn identity(&self, token: Option<&str>) -> Result<Session, Error> {
        match token {
            Some(t) => Ok(self.verify(t, Expiry::Enforce)?.session),
            None => Ok(self.verify(self.stored_token()?.expose(), Expiry::Enforce)?.session),
        }
    }

    /// The session for live work (queries, questions, runs): from `token` when given, else from the
    /// keyring's signed-in user, with its scope resolved (the role's reach, narrowed to `scope` when given).
    /// An expired token is refused.
    pub async fn session(&self, token: Option<&str>, scope: Option<&Scope>) -> Result<Session, Error> {
        let identity = self.identity(token)?;
        self.scoped(identity, scope).await
    }

    /// The session for reading the user's own cached results. The signed-in user keeps reading them after
    /// the token expires (the second value says so, and the caller serves the cache only); a token passed
    /// explicitly must still be valid.
    pub async fn reading_session(
        &self,
        token: Option<&str>,
        scope: Option<&Scope>,
    ) -> Result<(Session, bool), Error> {
        let (session, expired) = match token {
            Some(t) => (self.verify(t, Expiry::Enforce)?.session, false),
            None => {
                let v = self.verify(self.stored_token()?.expose(), Expiry::Allow)?;
                let expired = v.session.seconds_left(now()) + (inda_auth::LEEWAY_SECONDS as i64) < 0;
                (v.session, expired)
            }
        };
        Ok((self.scoped(session, scope).await?, expired))
    }

    /// `inda whoami`: the session with its time left, expired or not.
    pub fn session_info(&self, token: Option<&str>) -> Result<SessionInfo, Error> {
        match token {
            Some(t) => Ok(SessionInfo::new(&self.verify(t, Expiry::Allow)?, "token")),
            None => {
                Ok(SessionInfo::new(&self.verify(self.stored_token()?.expose(), Expiry::Allow)?, "keyring"))
            }
        }
    }

    /// Who is signed in on this data dir, if anyone.
    pub fn signed_in_user(&self) -> Result<Option<SignedInUser>, Error> {
        match std::fs::read_to_string(self.dir.signed_in()) {
            Ok(text) => Ok(serde_json::from_str(&text).ok()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::internal(format!("cannot read {}: {e}", self.dir.signed_in().display()))),
        }
    }

    /// The signed-in user's token, for handing to the UI `inda serve` opens (the user's own terminal).
    pub fn signed_in_token(&self) -> Result<Secret, Error> {
        self.stored_token()
    }

    fn stored_token(&self) -> Result<Secret, Error> {
        let not_signed_in = || {
            Error::auth(
                "not signed in: open the app from the CRM, run `inda login`, or pass --token / INDA_TOKEN",
            )
        };
        let user = self.signed_in_user()?.ok_or_else(not_signed_in)?;
        let keyring = self.keyring().map_err(|e| Error::auth(format!("not signed in: {}", e.message)))?;
        keyring.get(&user.owner(), &SecretName::session_token())?.ok_or_else(not_signed_in)
    }

    /// Verifies `token` and makes its user the signed-in one: the token goes to the keyring, nowhere else.
    /// Signing in as another tenant or user ends the previous session first (its token leaves the keyring,
    /// so its cached results stay unreadable until that user signs in again).
    pub fn sign_in(&self, token: &Secret) -> Result<SignIn, Error> {
        let verified = self.verify(token.expose(), Expiry::Enforce)?;
        let session = &verified.session;
        let keyring = self.keyring()?;
        let previous = self.signed_in_user()?;
        let ended = match previous {
            Some(p) if p.tenant_id != session.tenant_id || p.user_id != session.user_id => {
                keyring.delete(&p.owner(), &SecretName::session_token())?;
                Some(p)
            }
            _ => None,
        };
        keyring.set(&owner_of(session), &SecretName::session_token(), token)?;
        let user = SignedInUser { tenant_id: session.tenant_id.clone(), user_id: session.user_id.clone() };
        let text = serde_json::to_string(&user).map_err(|e| Error::internal(e.to_string()))?;
        write_replacing(&self.dir.signed_in(), text.as_bytes())?;
        self.audit(
            session,
            AuditAction::SignIn,
            AuditOutcome::Ok,
            json!({"ended": ended.as_ref().map(|e| json!({"tenant_id": e.tenant_id, "user_id": e.user_id}))}),
        )?;
        Ok(SignIn { session: SessionInfo::new(&verified, "keyring"), ended })
    }

    /// Parses a deep link, signs its token in, and returns what the link asks to open.
    pub fn open_link(&self, link: &str) -> Result<(SignIn, Option<LinkTarget>), Error> {
        let link = inda_auth::parse_deep_link(link)?;
        let signed = self.sign_in(&link.token)?;
        Ok((signed, link.target))
    }

    /// Signs the current user out: every secret they stored leaves the keyring. Returns who it was and how
    /// many entries were removed.
    pub fn sign_out(&self, token: Option<&str>) -> Result<(SignedInUser, usize), Error> {
        let user = match token {
            Some(t) => {
                let s = self.verify(t, Expiry::Allow)?.session;
                SignedInUser { tenant_id: s.tenant_id, user_id: s.user_id }
            }
            None => {
                self.signed_in_user()?.ok_or_else(|| Error::auth("nobody is signed in on this data dir"))?
            }
        };
        let removed = self.keyring()?.delete_all(&user.owner())?;
        if self.signed_in_user()?.as_ref() == Some(&user) {
            match std::fs::remove_file(self.dir.signed_in()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::internal(format!("cannot sign out: {e}"))),
            }
        }
        self.store()?.audit(&inda_store::AuditEntry {
            tenant_id: user.tenant_id.clone(),
            user_id: user.user_id.clone(),
            action: AuditAction::SignOut,
            outcome: AuditOutcome::Ok,
            details: json!({"secrets_removed": removed}),
        })?;
        Ok((user, removed))
    }

    /// Stores a named secret (API key, warehouse password, private key) for the session's user.
    pub fn set_secret(&self, session: &Session, name: &str, value: &Secret) -> Result<(), Error> {
        let name = user_secret_name(name)?;
        self.keyring()?.set(&owner_of(session), &name, value)?;
        self.audit(session, AuditAction::SecretSet, AuditOutcome::Ok, json!({"name": name.as_str()}))
    }

    /// Deletes a named secret; `Ok(false)` when there was none.
    pub fn delete_secret(&self, session: &Session, name: &str) -> Result<bool, Error> {
        let name = user_secret_name(name)?;
        let existed = self.keyring()?.delete(&owner_of(session), &name)?;
        self.audit(
            session,
            AuditAction::SecretDelete,
            AuditOutcome::Ok,
            json!({"name": name.as_str(), "existed": existed}),
        )?;
        Ok(existed)
    }

    /// A named secret of the session's user, if stored.
    pub fn secret(&self, session: &Session, name: &str) -> Result<Option<Secret>, Error> {
        let name = SecretName::parse(name)?;
        self.keyring()?.get(&owner_of(session), &name)
    }

    /// The names (never values) of the session user's secrets.
    pub fn secret_names(&self, session: &Session) -> Result<Vec<String>, Error> {
        Ok(self
            .keyring()?
            .names(&owner_of(session))?
            .into_iter()
            .filter(|n| *n != SecretName::session_token())
            .map(|n| n.as_str().to_string())
            .collect())
    }
}

fn user_secret_name(name: &str) -> Result<SecretName, Error> {
    let name = SecretName::parse(name)?;
    if name == SecretName::session_token() {
        return Err(Error::usage("`session-token` is managed by sign-in: use `inda login` or a deep link"));
    }
    Ok(name)
}

/// Atomic (temp file, then rename): a crash leaves the old pointer or the new one, never half of one.
/// Owner-only, like everything in the data dir: it says who uses this machine.
fn write_replacing(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    inda_core::fs::write_private(path, bytes)
}
