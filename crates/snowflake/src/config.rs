//! Connection profiles (`[warehouse.profiles.NAME]` in `config.toml`) and the credentials a login uses.

use crate::SnowflakeError;
use inda_core::{Error, Secret, Session};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// How the profile's user signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// The keyring entry `snowflake-password`.
    Password,
    /// The keyring entry `snowflake-private-key` (PKCS#8 PEM, RSA), signed into a short-lived JWT.
    KeyPair,
}

impl AuthMethod {
    /// The keyring entry holding this method's secret.
    pub fn secret_name(self) -> &'static str {
        match self {
            AuthMethod::Password => "snowflake-password",
            AuthMethod::KeyPair => "snowflake-private-key",
        }
    }
}

/// One named Snowflake environment (development, staging, production as in the architecture document, §5.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnowflakeProfile {
    /// Account identifier, e.g. `myorg-analytics` or `xy12345.us-east-1`.
    pub account: String,
    /// The Snowflake user the sessions sign in as; its secret comes from the analyst's keyring, through
    /// the [`CredentialSource`].
    pub user: String,
    /// The role the sessions use; `None`: the user's default role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The virtual warehouse that runs the queries; `None`: the user's default warehouse (a user without
    /// one cannot run queries, which `inda warehouse test` reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// e.g. `INDIGITAL_DEV`, `INDIGITAL_STAGING`, `INDIGITAL_PROD`.
    pub database: String,
    /// The session's default schema. Guarded SQL always qualifies `marts.`, so this only matters for the
    /// statements the app itself writes.
    #[serde(default = "default_schema")]
    pub schema: String,
    /// How the user signs in, and so which keyring entry holds the secret.
    pub auth: AuthMethod,
    /// Sends every request to this URL instead of `https://{account}.snowflakecomputing.com`. For tests
    /// and corporate proxies only; production leaves it unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Snowflake sessions open at once: one per concurrent query, since a session runs one at a time.
    #[serde(default = "default_max_sessions")]
    pub max_sessions: usize,
    /// Time allowed to sign in, per attempt.
    #[serde(default = "default_login_timeout")]
    pub login_timeout_seconds: u64,
}

fn default_schema() -> String {
    "MARTS".into()
}
fn default_max_sessions() -> usize {
    4
}
fn default_login_timeout() -> u64 {
    30
}

impl SnowflakeProfile {
    /// `login_timeout_seconds` as a duration, kept between 1 and 300 seconds whatever the config says.
    pub fn login_timeout(&self) -> Duration {
        Duration::from_secs(self.login_timeout_seconds.clamp(1, 300))
    }

    /// Refuses a profile that cannot work before any network traffic, with the field to fix.
    pub fn validate(&self) -> Result<(), Error> {
        let ident =
            |v: &str| !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || "_-.$@".contains(c));
        for (field, value) in
            [("account", Some(&self.account)), ("user", Some(&self.user)), ("database", Some(&self.database))]
                .into_iter()
                .chain([("role", self.role.as_ref()), ("warehouse", self.warehouse.as_ref())])
        {
            if let Some(v) = value
                && !ident(v)
            {
                return Err(SnowflakeError::InvalidIdentifier { field, value: v.clone() }.into());
            }
        }
        if let Some(url) = &self.base_url {
            reqwest::Url::parse(url)
                .map_err(|source| SnowflakeError::InvalidBaseUrl { url: url.clone(), source })?;
        }
        Ok(())
    }
}

/// The secret a login presents.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// The user's password, for [`AuthMethod::Password`].
    Password(Secret),
    /// An RSA private key, PKCS#8 PEM.
    KeyPair(Secret),
}

/// Finds the credentials of the analyst behind `session` (the app reads their keyring). Called only when a
/// new Snowflake session must be opened, on a blocking thread: keyrings block.
pub type CredentialSource = Arc<dyn Fn(&Session) -> Result<Credentials, Error> + Send + Sync>;
