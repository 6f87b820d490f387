//! Who may see which companies: the [`Role`] a verified token grants, the [`Scope`] (the tenants) a session
//! reads, and the [`TenantEntry`] rows of `admin.tenants` a wider scope is resolved from.
//!
//! The types hold no policy beyond their own validity: which tenants a role reaches is decided once, where
//! the session is built (`inda-app`), and the guard scopes every base table to whatever [`Scope`] it is
//! given.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a session may read beyond its own company (architecture document §2.2, the row access policy).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Its own tenant only: the default, and what a token without a known role gets.
    #[default]
    Analyst,
    /// Every active tenant of the token's partner.
    PartnerAdmin,
    /// Every active tenant.
    PlatformAdmin,
}

impl Role {
    /// Every role, narrowest first.
    pub const ALL: [Role; 3] = [Role::Analyst, Role::PartnerAdmin, Role::PlatformAdmin];

    /// The claim's spelling: `analyst`, `partner_admin`, `platform_admin`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::PartnerAdmin => "partner_admin",
            Role::PlatformAdmin => "platform_admin",
        }
    }

    /// The role a token's `roles` claim grants: the widest one it names. Other role names (the CRM has its
    /// own) grant nothing here.
    pub fn from_claims<S: AsRef<str>>(roles: &[S]) -> Role {
        roles.iter().filter_map(|r| r.as_ref().parse().ok()).max().unwrap_or_default()
    }

    /// The roles a token's claim names that this app knows, in the claim's order.
    pub fn known_in<S: AsRef<str>>(roles: &[S]) -> Vec<Role> {
        roles.iter().filter_map(|r| r.as_ref().parse().ok()).collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(s.trim())).ok_or_else(|| {
            crate::Error::usage(format!(
                "unknown role '{}': choose analyst, partner_admin or platform_admin",
                s.chars().take(64).collect::<String>()
            ))
        })
    }
}

/// The tenants a session reads: at least one, each a valid tenant id, sorted and without repeats, so two
/// scopes of the same tenants are equal and print alike.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
#[ts(as = "Vec<String>")]
pub struct Scope(Vec<String>);

/// Why a list of tenants is not a scope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    /// No tenant at all.
    #[error("a scope names at least one tenant")]
    Empty,
    /// A name that is not a tenant id (shown shortened).
    #[error("'{0}' is not a tenant id (letters, digits, '_' and '-', at most 64)")]
    Invalid(String),
}

impl From<ScopeError> for crate::Error {
    fn from(e: ScopeError) -> Self {
        crate::Error::usage(e.to_string())
    }
}

impl TryFrom<Vec<String>> for Scope {
    type Error = ScopeError;
    fn try_from(tenants: Vec<String>) -> Result<Self, Self::Error> {
        Scope::new(tenants)
    }
}

impl From<Scope> for Vec<String> {
    fn from(scope: Scope) -> Self {
        scope.0
    }
}

/// A tenant id is safe in SQL literals, file paths and keyring entries: ASCII letters, digits, `_` and
/// `-`, at most 64 characters.
pub fn is_tenant_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Scope {
    /// The scope of `tenants`, sorted and deduplicated.
    pub fn new<I, S>(tenants: I) -> Result<Scope, ScopeError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut list: Vec<String> = Vec::new();
        for t in tenants {
            let t: String = t.into();
            let t = t.trim().to_string();
            if !is_tenant_id(&t) {
                return Err(ScopeError::Invalid(t.chars().take(64).collect()));
            }
            list.push(t);
        }
        list.sort();
        list.dedup();
        if list.is_empty() { Err(ScopeError::Empty) } else { Ok(Scope(list)) }
    }

    /// One tenant's scope (what an analyst's session has).
    pub fn one(tenant: &str) -> Result<Scope, ScopeError> {
        Scope::new([tenant])
    }

    /// `--scope a,b` and the `X-Inda-Scope` header: tenant ids separated by commas.
    pub fn parse_list(text: &str) -> Result<Scope, ScopeError> {
        Scope::new(text.split(',').map(str::trim).filter(|t| !t.is_empty()))
    }

    /// The tenants, sorted.
    pub fn tenants(&self) -> &[String] {
        &self.0
    }

    /// The tenant, when the scope is exactly one.
    pub fn single(&self) -> Option<&str> {
        match self.0.as_slice() {
            [one] => Some(one),
            _ => None,
        }
    }

    /// Whether `tenant` is in the scope.
    pub fn contains(&self, tenant: &str) -> bool {
        self.0.binary_search_by(|t| t.as_str().cmp(tenant)).is_ok()
    }

    /// Whether every tenant of `self` is in `other`.
    pub fn is_within(&self, other: &Scope) -> bool {
        self.0.iter().all(|t| other.contains(t))
    }

    /// The tenants of `self` that are not in `other`.
    pub fn outside<'a>(&'a self, other: &Scope) -> Vec<&'a str> {
        self.0.iter().filter(|t| !other.contains(t)).map(String::as_str).collect()
    }

    /// `acme_corp,globex`: the form `--scope` takes and the store keeps.
    pub fn to_list(&self) -> String {
        self.0.join(",")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(", "))
    }
}

/// One row of `admin.tenants`, as far as scoping and labelling need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TenantEntry {
    /// The tenant id.
    pub tenant_id: String,
    /// The company's name (`Acme Corp`), what the company dimension shows.
    pub tenant_name: String,
    /// The partner the tenant belongs to.
    pub partner_id: String,
    /// Inactive tenants are in no admin's scope.
    pub is_active: bool,
    /// `config.default_currency`: what the tenant's money converts into (ISO 4217), when known.
    pub currency: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widest_known_role_wins_and_others_grant_nothing() {
        assert_eq!(Role::from_claims::<&str>(&[]), Role::Analyst);
        assert_eq!(Role::from_claims(&["viewer", "admin"]), Role::Analyst);
        assert_eq!(Role::from_claims(&["analyst", "partner_admin"]), Role::PartnerAdmin);
        assert_eq!(Role::from_claims(&["PLATFORM_ADMIN", "analyst"]), Role::PlatformAdmin);
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn a_scope_is_sorted_deduplicated_and_valid() {
        let s = Scope::parse_list(" globex, acme_corp,globex ").expect("scope");
        assert_eq!(s.tenants(), ["acme_corp", "globex"]);
        assert_eq!(s.to_list(), "acme_corp,globex");
        assert_eq!(s.single(), None);
        assert!(Scope::one("acme_corp").expect("one").is_within(&s));
        assert!(!s.is_within(&Scope::one("acme_corp").expect("one")));
        assert_eq!(s.outside(&Scope::one("globex").expect("one")), ["acme_corp"]);
        assert_eq!(Scope::parse_list(" , "), Err(ScopeError::Empty));
        assert!(matches!(Scope::parse_list("acme' OR '1'='1"), Err(ScopeError::Invalid(_))));
        let json: Scope = serde_json::from_str(r#"["b","a"]"#).expect("json");
        assert_eq!(serde_json::to_string(&json).expect("json"), r#"["a","b"]"#);
        assert!(serde_json::from_str::<Scope>("[]").is_err());
    }
}
