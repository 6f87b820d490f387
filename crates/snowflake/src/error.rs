//! What can go wrong talking to Snowflake, and the one place each failure gets its boundary code.

use crate::http::{HttpStatusError, first_line};
use arrow_schema::{ArrowError, DataType};
use inda_core::{ByteSize, Error};
use std::time::Duration;

/// What `reqwest::Url::parse` fails with (`url::ParseError`, which reqwest does not re-export).
pub(crate) type UrlError = <reqwest::Url as std::str::FromStr>::Err;

/// Why a profile, a statement or a check failed. Protocol failures (`protocol::Failure`) become
/// one of these once the warehouse has decided what to retry; Cortex reads the variant to tell the provider
/// router what kind of failure it was.
#[derive(Debug, thiserror::Error)]
pub enum SnowflakeError {
    #[error("snowflake profile: `{field}` = {value:?} is not a valid identifier")]
    /// A profile field is empty or holds characters outside letters, digits and `_-.$@`; found before any
    /// network traffic.
    InvalidIdentifier {
        /// The profile's key: `account`, `user`, `database`, `role` or `warehouse`.
        field: &'static str,
        /// The value as configured.
        value: String,
    },
    #[error("snowflake profile: base_url {url:?} is not a URL: {source}")]
    /// The profile's `base_url` does not parse as an absolute URL.
    InvalidBaseUrl {
        /// The configured `base_url`.
        url: String,
        /// Why it does not parse.
        source: UrlError,
    },
    /// reqwest could not build the warehouse's HTTP client (its TLS backend, usually); nothing was sent.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(reqwest::Error),
    /// The HTTP client's redirect target does not parse (a profile that skipped validation).
    #[error("base_url {url:?} is not a URL: {source}")]
    ClientBaseUrl {
        /// The `base_url` the client was given.
        url: String,
        /// Why it does not parse.
        source: UrlError,
    },

    /// The caller's `Cancel` fired first. The session is closed, not reused: the statement may still run.
    #[error("the query was cancelled")]
    Cancelled,
    /// The statement ran past the query's time limit and was abandoned.
    #[error("the query did not finish within {} s and was stopped", .0.as_secs_f64())]
    TimedOut(Duration),
    /// Snowflake stopped the statement at STATEMENT_TIMEOUT_IN_SECONDS (error 000630); `message` is
    /// Snowflake's own.
    #[error("the query did not finish within {} s and was stopped", .timeout.as_secs_f64())]
    ServerTimeout {
        /// The query's time limit, which was also sent as the statement's server-side timeout.
        timeout: Duration,
        /// Snowflake's text, kept because Cortex reports its rate limits only there.
        message: String,
    },
    /// Waiting for a free session failed because the pool's semaphore was closed (nothing in this crate
    /// closes it; a shutdown would).
    #[error("the Snowflake warehouse is shutting down")]
    ShuttingDown,
    /// The list of idle sessions was poisoned by a thread that panicked while holding it.
    #[error("session pool poisoned")]
    PoolPoisoned,
    /// The blocking task that asks the [`CredentialSource`](crate::CredentialSource) for the analyst's
    /// secret panicked or was cancelled.
    #[error("reading the Snowflake secret failed: {0}")]
    CredentialTask(tokio::task::JoinError),
    /// The app's [`crate::CredentialSource`] failed; its error already has its code and message.
    #[error(transparent)]
    Credentials(Error),

    /// Could not connect: nothing left this machine.
    #[error(
        "Snowflake could not be reached at {host} ({reason}); saved analyses and dashboards still serve their \
         cached results"
    )]
    Unreachable {
        /// Where it tried: `https://{account}.snowflakecomputing.com`, or the profile's `base_url`.
        host: String,
        /// Why the connection failed (DNS, refused, TLS, timeout), as the HTTP client said it.
        reason: String,
    },
    /// The connection broke after the request was sent, or the answer was not readable.
    #[error(
        "the connection to Snowflake failed ({0}); the query was not retried because it may already have run"
    )]
    ConnectionFailed(String),
    /// Snowflake answered a non-2xx HTTP status: to a statement (never retried, since it may have run), or
    /// to a sign-in still failing after its retries. A sign-in's 401 or 403 is
    /// [`SnowflakeError::LoginRefused`] instead.
    #[error("{0}; the query was not retried because it may already have run")]
    Status(HttpStatusError),
    /// Snowflake said the session was gone (expired or unknown) even after one fresh sign-in; holds its
    /// message.
    #[error("the Snowflake session expired and signing in again did not help: {}", first_line(.0, 300))]
    SessionExpired(String),
    /// `secret` is the keyring entry of the profile's sign-in method.
    #[error(
        "Snowflake refused the sign-in of user {user} on account {account}: {reason}; check the `{secret}` \
         secret (`inda secret set {secret}`)"
    )]
    LoginRefused {
        /// The profile's `user`.
        user: String,
        /// The profile's `account`.
        account: String,
        /// `snowflake-password` or `snowflake-private-key`: the entry the user should check.
        secret: &'static str,
        /// Snowflake's message with its code, or the HTTP 401/403 answer.
        reason: String,
    },
    /// Snowflake refused the statement (syntax, permissions): `message` is Snowflake's own.
    #[error("Snowflake refused the query: {} (error {code})", first_line(.message, 500))]
    Refused {
        /// Snowflake's error code; `?` when the answer carried none.
        code: String,
        /// Snowflake's text; only its first line, cut to 500 characters, reaches the user.
        message: String,
    },
    /// Nothing to sign in with, or a key that does not parse.
    #[error("cannot sign in to Snowflake: {0}")]
    SignIn(String),

    #[error(
        "the result is larger than the limit of {} ([limits] result_bytes): select fewer rows or columns",
        ByteSize(*.max_bytes as u64)
    )]
    /// The result's values weigh more than the caller's `QueryLimits::result_bytes`: refused whole,
    /// whereas too many rows are only cut.
    ResultTooLarge {
        /// The limit, in bytes.
        max_bytes: usize,
    },
    /// A timestamp came in Snowflake's struct encoding without its `epoch` field: an answer this client
    /// cannot read.
    #[error("a Snowflake timestamp has no epoch")]
    NoEpoch,
    #[error("cannot read a Snowflake {data_type} value: {source}")]
    /// A value of a type with no mapping of its own (TIME, BINARY, …) could not even be shown as text.
    UnreadableValue {
        /// The Arrow type Snowflake sent it as.
        data_type: DataType,
        /// Arrow's reason.
        source: ArrowError,
    },

    /// `inda warehouse test`: the names of the checks that failed.
    #[error("warehouse check failed: {}", .checks.join(", "))]
    CheckFailed {
        /// In report order: `connect`, `role`, `warehouse`, `database`, `marts`, `row_access_policies`.
        checks: Vec<&'static str>,
    },
}

impl From<SnowflakeError> for Error {
    fn from(e: SnowflakeError) -> Self {
        match e {
            SnowflakeError::InvalidIdentifier { .. } | SnowflakeError::InvalidBaseUrl { .. } => {
                Error::usage(e.to_string())
            }
            SnowflakeError::PoolPoisoned | SnowflakeError::CredentialTask(_) => {
                Error::internal(e.to_string())
            }
            SnowflakeError::Credentials(e) => e,
            SnowflakeError::HttpClient(_)
            | SnowflakeError::ClientBaseUrl { .. }
            | SnowflakeError::Cancelled
            | SnowflakeError::TimedOut(_)
            | SnowflakeError::ServerTimeout { .. }
            | SnowflakeError::ShuttingDown
            | SnowflakeError::Unreachable { .. }
            | SnowflakeError::ConnectionFailed(_)
            | SnowflakeError::Status(_)
            | SnowflakeError::SessionExpired(_)
            | SnowflakeError::LoginRefused { .. }
            | SnowflakeError::Refused { .. }
            | SnowflakeError::SignIn(_)
            | SnowflakeError::ResultTooLarge { .. }
            | SnowflakeError::NoEpoch
            | SnowflakeError::UnreadableValue { .. }
            | SnowflakeError::CheckFailed { .. } => Error::engine(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::ErrorCode;

    #[test]
    fn each_failure_keeps_its_code_and_text() {
        let e = Error::from(SnowflakeError::TimedOut(Duration::from_millis(1500)));
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Engine, "the query did not finish within 1.5 s and was stopped")
        );
        let e = Error::from(SnowflakeError::InvalidIdentifier { field: "role", value: "a b".into() });
        assert_eq!(
            (e.code, e.message.as_str()),
            (ErrorCode::Usage, "snowflake profile: `role` = \"a b\" is not a valid identifier")
        );
        let e = Error::from(SnowflakeError::LoginRefused {
            user: "ANA".into(),
            account: "xy1".into(),
            secret: "snowflake-password",
            reason: "wrong".into(),
        });
        assert_eq!(
            e.message,
            "Snowflake refused the sign-in of user ANA on account xy1: wrong; check the `snowflake-password` secret \
             (`inda secret set snowflake-password`)"
        );
        let e = Error::from(SnowflakeError::Credentials(Error::auth("no secret")));
        assert_eq!((e.code, e.message.as_str()), (ErrorCode::Auth, "no secret"));
        let e = Error::from(SnowflakeError::CheckFailed { checks: vec!["role", "marts"] });
        assert_eq!(e.message, "warehouse check failed: role, marts");
    }
}
