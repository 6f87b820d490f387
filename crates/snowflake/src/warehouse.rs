//! [`SnowflakeWarehouse`]: guarded SQL on Snowflake, one Snowflake session per running query.

use crate::SnowflakeError;
use crate::config::{CredentialSource, Credentials, SnowflakeProfile};
use crate::convert;
use crate::currency::CurrencyCache;
use crate::protocol::{self, Failure, Login, Statement};
use crate::tenants::TenantsCache;
use inda_core::{Error, ResultSet, Role, Session, TenantEntry};
use inda_warehouse::{BoxFuture, Cancel, QueryLimits, Warehouse};
use reqwest_middleware::Middleware;
use sha2::{Digest, Sha256};
use snowflake_api::connection::Connection;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Attempts to sign in before giving up (connection errors, 5xx, 429 and timeouts only).
const LOGIN_ATTEMPTS: u32 = 3;
/// Extra attempts of a statement whose connection could not even be opened.
const CONNECT_RETRIES: u32 = 2;

/// Snowflake as the warehouse. Cloning shares the sessions.
#[derive(Clone)]
pub struct SnowflakeWarehouse {
    inner: Arc<Inner>,
}

struct Inner {
    profile: SnowflakeProfile,
    connection: Arc<Connection>,
    credentials: CredentialSource,
    /// Signed-in sessions not running anything, each for one analyst in one role: a session is never shared
    /// between two analysts, because it was opened with one analyst's secret (and the credentials may
    /// depend on the role). The scope is not part of the key: nothing of it lives in the Snowflake session,
    /// it travels in each statement's own QUERY_TAG ([`query_tag`]).
    idle: Mutex<Vec<Idle>>,
    /// One permit per session that may run at once.
    permits: Arc<Semaphore>,
    /// The tenants' reporting currencies read so far.
    currencies: CurrencyCache,
    /// ADMIN.TENANTS as read so far, per owner.
    tenants: TenantsCache,
}

struct Idle {
    owner: Owner,
    login: Login,
    sequence: u64,
}

/// Tenant, user and role.
pub(crate) type Owner = (String, String, Role);

pub(crate) fn owner(session: &Session) -> Owner {
    (session.tenant_id.clone(), session.user_id.clone(), session.role)
}

/// A session checked out for one statement. Dropped without [`Lease::release`] (a timeout, a cancel, a
/// broken connection), the session is closed rather than reused: it may still be running the statement.
struct Lease {
    inner: Arc<Inner>,
    owner: Owner,
    login: Option<Login>,
    sequence: u64,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    fn login(&self) -> &Login {
        self.login.as_ref().unwrap_or_else(|| unreachable!("a lease holds its login until released"))
    }
    fn release(mut self) {
        if let Some(login) = self.login.take()
            && let Ok(mut idle) = self.inner.idle.lock()
        {
            idle.push(Idle { owner: self.owner.clone(), login, sequence: self.sequence });
        }
    }
    /// The server no longer knows the session: nothing to close.
    fn forget(mut self) {
        self.login = None;
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(login) = self.login.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            let inner = self.inner.clone();
            rt.spawn(async move {
                protocol::logout(&inner.connection, &inner.profile.account, &login).await;
            });
        }
    }
}

impl SnowflakeWarehouse {
    /// A warehouse for `profile`. Nothing connects until the first query; `credentials` is asked for the
    /// analyst's secret each time a new Snowflake session opens.
    pub fn new(profile: SnowflakeProfile, credentials: CredentialSource) -> Result<Self, Error> {
        Self::with_middleware(profile, credentials, vec![])
    }

    /// As [`SnowflakeWarehouse::new`], with extra HTTP middleware (corporate proxies, tests' fault
    /// injection) between the status check and the network.
    pub fn with_middleware(
        profile: SnowflakeProfile,
        credentials: CredentialSource,
        middleware: Vec<Arc<dyn Middleware>>,
    ) -> Result<Self, Error> {
        profile.validate()?;
        let client = crate::http::client(profile.base_url.as_deref(), &middleware)?;
        let sessions = profile.max_sessions.clamp(1, 64);
        Ok(SnowflakeWarehouse {
            inner: Arc::new(Inner {
                connection: Arc::new(Connection::new_with_middware(client)),
                profile,
                credentials,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(sessions)),
                currencies: CurrencyCache::default(),
                tenants: TenantsCache::default(),
            }),
        })
    }

    /// The profile the warehouse was opened with (already validated).
    pub fn profile(&self) -> &SnowflakeProfile {
        &self.inner.profile
    }

    pub(crate) fn currencies(&self) -> &CurrencyCache {
        &self.inner.currencies
    }

    pub(crate) fn tenants_cache(&self) -> &TenantsCache {
        &self.inner.tenants
    }

    /// Sessions signed in and idle (for tests and `inda warehouse test`).
    pub fn idle_sessions(&self) -> usize {
        self.inner.idle.lock().map(|i| i.len()).unwrap_or(0)
    }

    /// Runs a statement the app itself wrote (deployment DDL, `inda warehouse test`, the admin mirror,
    /// Cortex), with `binds` as positional `?` parameters. Never for user or model SQL: that goes through
    /// the guard and [`Warehouse::query`].
    pub async fn run_trusted(
        &self,
        session: &Session,
        sql: &str,
        binds: &[&str],
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> Result<ResultSet, Error> {
        let binds: Vec<Option<&str>> = binds.iter().map(|b| Some(*b)).collect();
        Ok(self.bounded(session, sql, &binds, limits, cancel).await?)
    }

    /// One statement within the caller's timeout and cancellation; `None` binds NULL.
    pub(crate) async fn bounded(
        &self,
        session: &Session,
        sql: &str,
        binds: &[Option<&str>],
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> Result<ResultSet, SnowflakeError> {
        tokio::select! {
            r = self.run(session, sql, binds, limits) => r,
            _ = tokio::time::sleep(limits.timeout) => Err(SnowflakeError::TimedOut(limits.timeout)),
            _ = cancel.cancelled() => Err(SnowflakeError::Cancelled),
        }
    }

    async fn run(
        &self,
        session: &Session,
        sql: &str,
        binds: &[Option<&str>],
        limits: &QueryLimits,
    ) -> Result<ResultSet, SnowflakeError> {
        let tag = query_tag(session);
        let mut relogins = 0;
        let mut connects = 0;
        loop {
            let mut lease = self.acquire(session, limits).await?;
            let outcome = self.execute(&mut lease, sql, binds, &tag, limits).await;
            match outcome {
                Ok(answer) => {
                    lease.release();
                    return convert::to_result_set(&answer, limits.max_rows, limits.result_bytes);
                }
                // The statement's own fault: the session is fine.
                Err(f @ Failure::Api { .. }) => {
                    lease.release();
                    return Err(self.failed(f, limits));
                }
                // Nothing ran: sign in again once.
                Err(Failure::SessionGone(m)) if relogins == 0 => {
                    tracing::info!("snowflake session expired ({m}); signing in again");
                    lease.forget();
                    relogins += 1;
                }
                // Nothing left this machine: the same session may try again.
                Err(Failure::Connect(m)) if connects < CONNECT_RETRIES => {
                    tracing::info!("snowflake unreachable ({m}); retrying");
                    lease.release();
                    connects += 1;
                    tokio::time::sleep(backoff(connects)).await;
                }
                // Anything else may have run the statement: no retry, and the session is closed.
                Err(f) => {
                    drop(lease);
                    return Err(self.failed(f, limits));
                }
            }
        }
    }

    /// Runs one statement the app wrote with NULL-able binds ([`TrustedStatement`]), in its own implicit
    /// transaction. Callers that write several statements keep them each atomic and idempotent rather
    /// than open a transaction across requests: a client killed between two requests would leave that
    /// transaction, and its locks, open on the server until Snowflake gives up on the session.
    pub async fn run_statement(
        &self,
        session: &Session,
        statement: &TrustedStatement,
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> Result<ResultSet, Error> {
        let binds: Vec<Option<&str>> = statement.binds.iter().map(Option::as_deref).collect();
        Ok(self.bounded(session, &statement.sql, &binds, limits, cancel).await?)
    }

    /// One statement on a session already checked out.
    async fn execute(
        &self,
        lease: &mut Lease,
        sql: &str,
        binds: &[Option<&str>],
        tag: &str,
        limits: &QueryLimits,
    ) -> Result<protocol::Answer, Failure> {
        lease.sequence += 1;
        let statement = Statement {
            sql,
            binds,
            query_tag: tag,
            timeout: limits.timeout,
            sequence_id: lease.sequence,
            max_rows: limits.max_rows,
        };
        protocol::execute(&self.inner.connection, &self.inner.profile.account, lease.login(), &statement)
            .await
    }

    async fn acquire(&self, session: &Session, limits: &QueryLimits) -> Result<Lease, SnowflakeError> {
        let permit =
            self.inner.permits.clone().acquire_owned().await.map_err(|_| SnowflakeError::ShuttingDown)?;
        let who = owner(session);
        let reusable = {
            let mut idle = self.inner.idle.lock().map_err(|_| SnowflakeError::PoolPoisoned)?;
            let now = Instant::now();
            // Sessions past their validity are dropped here; the server forgets them on its own.
            idle.retain(|s| s.login.valid_until.is_none_or(|t| t > now));
            idle.iter().rposition(|s| s.owner == who).map(|i| idle.swap_remove(i))
        };
        if let Some(s) = reusable {
            return Ok(Lease {
                inner: self.inner.clone(),
                owner: who,
                login: Some(s.login),
                sequence: s.sequence,
                _permit: permit,
            });
        }
        let credentials = self.credentials(session).await?;
        let login = self.login(&credentials).await.map_err(|f| self.failed(f, limits))?;
        Ok(Lease { inner: self.inner.clone(), owner: who, login: Some(login), sequence: 0, _permit: permit })
    }

    async fn credentials(&self, session: &Session) -> Result<Credentials, SnowflakeError> {
        let source = self.inner.credentials.clone();
        let session = session.clone();
        // Keyrings block (D-Bus, Keychain): off the async threads.
        tokio::task::spawn_blocking(move || source(&session))
            .await
            .map_err(SnowflakeError::CredentialTask)?
            .map_err(SnowflakeError::Credentials)
    }

    /// Signs in, retrying what cannot have changed anything but a half-open session on the server.
    async fn login(&self, credentials: &Credentials) -> Result<Login, Failure> {
        let profile = &self.inner.profile;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = tokio::time::timeout(
                profile.login_timeout(),
                protocol::login(&self.inner.connection, profile, credentials),
            )
            .await
            .unwrap_or_else(|_| {
                Err(Failure::Transport(format!("no answer within {} s", profile.login_timeout().as_secs())))
            });
            let retryable = match &result {
                Err(Failure::Connect(_) | Failure::Transport(_)) => true,
                Err(Failure::Status(s)) => s.status >= 500 || s.status == 429,
                _ => false,
            };
            if !retryable || attempt >= LOGIN_ATTEMPTS {
                return result.map_err(|f| match f {
                    Failure::Transport(m) => Failure::Transport(format!("signing in: {m}")),
                    Failure::Status(mut s) => {
                        s.message = Some(format!("signing in: {}", s.message.unwrap_or_default()));
                        Failure::Status(s)
                    }
                    other => other,
                });
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    fn host(&self) -> String {
        let p = &self.inner.profile;
        p.base_url
            .clone()
            .unwrap_or_else(|| format!("https://{}.snowflakecomputing.com", p.account.to_lowercase()))
    }

    /// A protocol failure the retry rules gave up on, with what a person needs to act on it.
    fn failed(&self, failure: Failure, limits: &QueryLimits) -> SnowflakeError {
        let p = &self.inner.profile;
        match failure {
            Failure::Connect(reason) => SnowflakeError::Unreachable { host: self.host(), reason },
            Failure::Transport(m) => SnowflakeError::ConnectionFailed(m),
            Failure::Status(s) => SnowflakeError::Status(s),
            Failure::SessionGone(m) => SnowflakeError::SessionExpired(m),
            Failure::LoginRefused(reason) => SnowflakeError::LoginRefused {
                user: p.user.clone(),
                account: p.account.clone(),
                secret: p.auth.secret_name(),
                reason,
            },
            // 000630: the statement hit STATEMENT_TIMEOUT_IN_SECONDS on the server.
            Failure::Api { code, message } if code == "000630" => {
                SnowflakeError::ServerTimeout { timeout: limits.timeout, message }
            }
            Failure::Api { code, message } => SnowflakeError::Refused { code, message },
            Failure::Credentials(m) => SnowflakeError::SignIn(m),
        }
    }
}

/// A statement the app wrote, with its positional `?` binds (`None`: NULL); see
/// [`SnowflakeWarehouse::run_statement`].
#[derive(Debug, Clone)]
pub struct TrustedStatement {
    /// The statement, with a `?` per bind.
    pub sql: String,
    /// One value per `?`, in order, sent as TEXT (the SQL casts where it needs another type); `None`: NULL.
    pub binds: Vec<Option<String>>,
}

impl TrustedStatement {
    /// A statement with its binds, taken as given: nothing here checks that their count matches the `?`s.
    pub fn new(sql: impl Into<String>, binds: Vec<Option<String>>) -> Self {
        TrustedStatement { sql: sql.into(), binds }
    }
}

/// A store or API timestamp (`2026-11-26T10:00:00.123Z`) as `CAST(? AS TIMESTAMP_NTZ)` reads it on
/// Snowflake (and its test peer) alike: no `T`, no zone.
pub fn ntz_text(iso: &str) -> String {
    iso.trim_end_matches('Z').replacen('T', " ", 1)
}

/// Snowflake refuses a QUERY_TAG longer than this (characters).
const QUERY_TAG_MAX: usize = 2000;

/// Names who ran every statement and what it may read (Snowflake's QUERY_HISTORY shows it): tenant, user,
/// partner, role, and the scope. The scope's tenants are listed while the tag stays within Snowflake's
/// limit; its size and a digest of the list (SHA-256 of `a,b,c`, 16 hex digits) are always there, so a
/// long scope, which is named by its count and digest alone, can still be matched with a short one's.
/// Sent with each statement (never set on the session), so a pooled session never carries another
/// statement's scope.
pub(crate) fn query_tag(session: &Session) -> String {
    let scope = session.scope.tenants();
    let digest = Sha256::digest(session.scope.to_list().as_bytes());
    let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let mut tag = serde_json::json!({
        "app": "inDigital Analytics",
        "tenant": session.tenant_id,
        "user": session.user_id,
        "partner": session.partner_id,
        "role": session.role.as_str(),
        "scope": scope,
        "scope_count": scope.len(),
        "scope_hash": hash,
    });
    let fits = |t: &serde_json::Value| {
        let text = t.to_string();
        (text.chars().count() <= QUERY_TAG_MAX).then_some(text)
    };
    if let Some(text) = fits(&tag) {
        return text;
    }
    if let Some(map) = tag.as_object_mut() {
        map.remove("scope");
    }
    if let Some(text) = fits(&tag) {
        return text;
    }
    // Only identities no verified token carries are this long: the role and the scope's digest still fit.
    serde_json::json!({
        "app": "inDigital Analytics",
        "role": session.role.as_str(),
        "scope_count": scope.len(),
        "scope_hash": hash,
    })
    .to_string()
}

fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(200 * 4u64.pow(attempt.saturating_sub(1).min(3)))
}

impl Warehouse for SnowflakeWarehouse {
    fn engine(&self) -> &'static str {
        "snowflake"
    }

    fn query<'a>(
        &'a self,
        session: &'a Session,
        sql: &'a str,
        limits: &'a QueryLimits,
        cancel: &'a Cancel,
    ) -> BoxFuture<'a, inda_core::Result<ResultSet>> {
        Box::pin(async move { self.run_trusted(session, sql, &[], limits, cancel).await })
    }

    /// From ADMIN.TENANTS ([`SnowflakeWarehouse::tenant_currency`]).
    fn reporting_currency<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<String>>> {
        Box::pin(self.tenant_currency(session))
    }

    /// ADMIN.TENANTS as the row access policy shows it to `session`'s sign-in
    /// ([`SnowflakeWarehouse::tenants_for`]).
    fn tenants<'a>(
        &'a self,
        session: &'a Session,
    ) -> BoxFuture<'a, inda_core::Result<Option<Vec<TenantEntry>>>> {
        Box::pin(async move { Ok(Some(self.tenants_for(session).await?)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::Scope;

    fn session(role: Role, scope: &[&str]) -> Session {
        Session {
            tenant_id: "acme_corp".into(),
            user_id: "ana@acme.example".into(),
            partner_id: "indigital".into(),
            user_name: None,
            roles: vec![role.as_str().into()],
            role,
            scope: Scope::new(scope.iter().copied()).expect("scope"),
            issued_at: 0,
            expires_at: i64::MAX,
            caller: Default::default(),
        }
    }

    fn tag(session: &Session) -> serde_json::Value {
        serde_json::from_str(&query_tag(session)).expect("the tag is JSON")
    }

    #[test]
    fn the_tag_names_role_and_scope() {
        let t = tag(&session(Role::PartnerAdmin, &["globex", "acme_corp"]));
        assert_eq!(t["app"], "inDigital Analytics");
        assert_eq!(t["tenant"], "acme_corp");
        assert_eq!(t["user"], "ana@acme.example");
        assert_eq!(t["partner"], "indigital");
        assert_eq!(t["role"], "partner_admin");
        assert_eq!(t["scope"], serde_json::json!(["acme_corp", "globex"]));
        assert_eq!(t["scope_count"], 2);
        let hash = t["scope_hash"].as_str().expect("hash");
        assert_eq!(hash.len(), 16);
        // The digest is the scope's: the same tenants give the same one, others another.
        assert_eq!(tag(&session(Role::PlatformAdmin, &["acme_corp", "globex"]))["scope_hash"], hash);
        assert_ne!(tag(&session(Role::PartnerAdmin, &["acme_corp"]))["scope_hash"], hash);
        let analyst = tag(&session(Role::Analyst, &["acme_corp"]));
        assert_eq!((analyst["role"].as_str(), analyst["scope_count"].as_u64()), (Some("analyst"), Some(1)));
    }

    #[test]
    fn a_long_scope_is_named_by_count_and_digest_within_snowflakes_limit() {
        let many: Vec<String> = (0..200).map(|i| format!("tenant_with_a_rather_long_name_{i:03}")).collect();
        let refs: Vec<&str> = many.iter().map(String::as_str).collect();
        let s = session(Role::PlatformAdmin, &refs);
        let text = query_tag(&s);
        assert!(text.chars().count() <= QUERY_TAG_MAX, "{} chars", text.chars().count());
        let t: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert!(t.get("scope").is_none(), "the list is left out: {text}");
        assert_eq!(t["scope_count"], 200);
        assert_eq!(t["role"], "platform_admin");
        assert_eq!(t["user"], "ana@acme.example");
        // A scope that just fits is listed whole.
        let some: Vec<&str> = refs[..40].to_vec();
        let t = tag(&session(Role::PlatformAdmin, &some));
        assert_eq!(t["scope"].as_array().map(Vec::len), Some(40));

        // An identity no verified token carries still gives a tag Snowflake accepts.
        let mut odd = session(Role::PartnerAdmin, &refs);
        odd.user_id = "\u{1}".repeat(3000);
        let text = query_tag(&odd);
        assert!(text.chars().count() <= QUERY_TAG_MAX);
        let t: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!((t["role"].as_str(), t["scope_count"].as_u64()), (Some("partner_admin"), Some(200)));
    }
}
