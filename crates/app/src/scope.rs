//! The scope of a session: which tenants its queries read. An analyst reads its own tenant; a partner admin
//! every active tenant of its partner; a platform admin every active tenant (architecture document §2.2).
//! The role comes only from the verified token (and its issuer's `roles`); the tenants come from
//! `admin.tenants`. A requested scope (`--scope`, the UI's picker) may only narrow it: a tenant outside the
//! role's reach is refused, never dropped.

use crate::App;
use inda_core::{Error, Role, Scope, Session, TenantEntry};
use serde::Serialize;

/// A tenant the session may pick, for the UI's scope picker and `inda whoami`.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct ScopeChoice {
    /// The tenant id.
    pub tenant_id: String,
    /// The company's name.
    pub tenant_name: String,
    /// Its reporting currency, when known.
    pub currency: Option<String>,
    /// Whether the session's current scope holds it.
    pub selected: bool,
}

impl App {
    /// The rows of `admin.tenants` the warehouse shows `session`; `None` when it has no directory. The
    /// engines keep it (the embedded one re-reads its file only when it changes; Snowflake's for a minute).
    pub(crate) async fn tenant_directory(
        &self,
        session: &Session,
    ) -> Result<Option<Vec<TenantEntry>>, Error> {
        // Offline never touches the warehouse: Snowflake is not asked; the embedded engine's file is local.
        if self.offline && self.snowflake.is_some() {
            return Ok(None);
        }
        self.warehouse().tenants(session).await
    }

    /// The partner of `tenant` per `admin.tenants`, when the directory lists it: what a development token
    /// is minted with when no partner is given. It reads the embedded warehouse's directory whatever engine
    /// is configured: a development token is minted on a laptop, before any session exists to read
    /// Snowflake with.
    pub fn partner_of(&self, tenant: &str) -> Result<Option<String>, Error> {
        let dir = inda_warehouse::EmbeddedWarehouse::new(self.dir.warehouse()).directory()?;
        Ok(dir.and_then(|d| d.iter().find(|t| t.tenant_id == tenant).map(|t| t.partner_id.clone())))
    }

    /// The directory's entries of `scope`'s tenants, in the scope's order; a tenant the directory does not
    /// know is named by its id.
    pub(crate) async fn companies(
        &self,
        session: &Session,
        scope: &Scope,
    ) -> Result<Vec<TenantEntry>, Error> {
        // Names label the company column; a directory that cannot be read now names them by id instead (an
        // admin's session has read it already to be scoped at all).
        let dir = self.tenant_directory(session).await.unwrap_or_else(|e| {
            tracing::warn!(code = e.code.as_str(), "the tenants directory could not be read: {}", e.message);
            None
        });
        Ok(scope
            .tenants()
            .iter()
            .map(|t| {
                dir.as_deref().and_then(|d| d.iter().find(|e| e.tenant_id == *t)).cloned().unwrap_or_else(
                    || TenantEntry {
                        tenant_id: t.clone(),
                        tenant_name: t.clone(),
                        partner_id: String::new(),
                        is_active: true,
                        currency: None,
                    },
                )
            })
            .collect())
    }

    /// Every tenant `session`'s role reaches. Refused (`auth`) when the token's partner is not its tenant's
    /// partner in `admin.tenants`, for every role, and when an admin role meets a warehouse without a tenants
    /// directory or a tenant it does not list.
    pub async fn reach(&self, session: &Session) -> Result<Scope, Error> {
        let dir = match self.tenant_directory(session).await {
            Ok(dir) => dir,
            // An analyst reads their own tenant whatever the directory says, and a warehouse that cannot be
            // reached now must not keep them from their cached results. Admins need the directory.
            Err(e) if session.role == Role::Analyst => {
                tracing::warn!(
                    code = e.code.as_str(),
                    "the tenants directory could not be read: {}",
                    e.message
                );
                None
            }
            Err(e) => return Err(e),
        };
        let home = dir.as_deref().and_then(|d| d.iter().find(|t| t.tenant_id == session.tenant_id));
        if let Some(home) = home
            && home.partner_id != session.partner_id
        {
            return Err(Error::auth(format!(
                "the token's partner '{}' is not the partner of tenant '{}': ask the CRM for a new link",
                session.partner_id, session.tenant_id
            )));
        }
        let own = || Scope::one(&session.tenant_id).map_err(Error::from);
        if session.role == Role::Analyst {
            return own();
        }
        let (Some(dir), Some(_)) = (dir.as_deref(), home) else {
            return Err(Error::auth(format!(
                "the {} role needs tenant '{}' in the warehouse's admin.tenants, which does not list it",
                session.role, session.tenant_id
            )));
        };
        let tenants = dir.iter().filter(|t| {
            t.is_active && (session.role == Role::PlatformAdmin || t.partner_id == session.partner_id)
        });
        Scope::new(tenants.map(|t| t.tenant_id.clone())).or_else(|_| own())
    }

    /// `session` with its scope resolved: the role's whole reach, or `requested` when it lies within it.
    pub(crate) async fn scoped(
        &self,
        mut session: Session,
        requested: Option<&Scope>,
    ) -> Result<Session, Error> {
        let reach = self.reach(&session).await?;
        session.scope = match requested {
            None => reach,
            Some(r) if r.is_within(&reach) => r.clone(),
            Some(r) => return Err(outside(r, &reach)),
        };
        Ok(session)
    }

    /// Checks that `scope` (a saved item's) is within `session`'s current scope, so that running or reading
    /// it never shows a tenant the user's current token (or chosen scope) does not.
    pub fn check_within(&self, session: &Session, scope: &Scope) -> Result<(), Error> {
        if scope.is_within(&session.scope) { Ok(()) } else { Err(outside(scope, &session.scope)) }
    }

    /// The tenants the session's role reaches, each marked when in its current scope: the UI's picker.
    pub async fn scope_choices(&self, session: &Session) -> Result<Vec<ScopeChoice>, Error> {
        let reach = self.reach(session).await?;
        Ok(self
            .companies(session, &reach)
            .await?
            .into_iter()
            .map(|t| ScopeChoice {
                selected: session.scope.contains(&t.tenant_id),
                tenant_id: t.tenant_id,
                tenant_name: t.tenant_name,
                currency: t.currency,
            })
            .collect())
    }
}

/// The refusal of tenants beyond a scope, naming them (they are ids the caller asked for, not data).
fn outside(asked: &Scope, reach: &Scope) -> Error {
    Error::auth(format!("not in your scope: {} (your scope: {reach})", asked.outside(reach).join(", ")))
}
