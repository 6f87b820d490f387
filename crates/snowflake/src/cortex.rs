//! `SNOWFLAKE.CORTEX.COMPLETE` through the warehouse connection, for `inda_providers::CortexProvider`.

use crate::SnowflakeError;
use crate::warehouse::SnowflakeWarehouse;
use futures_util::future::BoxFuture;
use inda_core::{Session, Value};
use inda_providers::{CortexRunner, ErrorKind, ProviderError};
use inda_warehouse::{Cancel, QueryLimits};

/// Runs Cortex statements for one analyst's session. The model and prompt travel as bind parameters.
pub struct SnowflakeCortex {
    warehouse: SnowflakeWarehouse,
    session: Session,
    limits: QueryLimits,
}

impl SnowflakeWarehouse {
    /// A Cortex runner on this warehouse's sessions, signed in as `session`'s analyst; every completion is
    /// one statement bounded by `limits` (its timeout also stops the statement on the server).
    pub fn cortex(&self, session: Session, limits: QueryLimits) -> SnowflakeCortex {
        SnowflakeCortex { warehouse: self.clone(), session, limits }
    }
}

const NAME: &str = "cortex";

impl CortexRunner for SnowflakeCortex {
    fn query_string<'a>(
        &'a self,
        sql: &'a str,
        binds: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, ProviderError>> {
        Box::pin(async move {
            let cancel = Cancel::new();
            let binds: Vec<Option<&str>> = binds.iter().map(|b| Some(*b)).collect();
            let rs = self
                .warehouse
                .bounded(&self.session, sql, &binds, &self.limits, &cancel)
                .await
                .map_err(classify)?;
            match rs.rows.first().and_then(|r| r.first()) {
                Some(Value::Text(t)) => Ok(t.clone()),
                Some(Value::Json(j)) => Ok(j.to_string()),
                _ => Err(ProviderError::bad_output(NAME, "COMPLETE returned no text")),
            }
        })
    }
}

/// Cortex failures in the router's terms, so that it can fall back to the next provider.
fn classify(e: SnowflakeError) -> ProviderError {
    use SnowflakeError as E;
    let kind = match &e {
        E::Unreachable { .. } | E::ConnectionFailed(_) => ErrorKind::Network,
        E::Status(s) if s.status == 429 => ErrorKind::RateLimited { retry_after: None },
        E::Status(s) if s.status >= 500 => ErrorKind::Server { status: s.status },
        E::Status(s) => ErrorKind::BadRequest { status: s.status },
        E::LoginRefused { .. } | E::SignIn(_) | E::SessionExpired(_) => ErrorKind::Auth { status: 401 },
        // Snowflake's own message (Cortex has no error code for its rate limits), not one of ours.
        E::Refused { message, .. } | E::ServerTimeout { message, .. }
            if message.to_ascii_lowercase().contains("rate limit")
                || message.to_ascii_lowercase().contains("too many requests") =>
        {
            ErrorKind::RateLimited { retry_after: None }
        }
        E::Refused { .. } | E::ServerTimeout { .. } => ErrorKind::BadRequest { status: 400 },
        E::TimedOut(_) => ErrorKind::Timeout,
        E::Cancelled
        | E::ShuttingDown
        | E::PoolPoisoned
        | E::CredentialTask(_)
        | E::Credentials(_)
        | E::ResultTooLarge { .. }
        | E::NoEpoch
        | E::UnreadableValue { .. }
        | E::InvalidIdentifier { .. }
        | E::InvalidBaseUrl { .. }
        | E::HttpClient(_)
        | E::ClientBaseUrl { .. }
        | E::CheckFailed { .. } => ErrorKind::Network,
    };
    let message = inda_core::Error::from(e).message;
    ProviderError::new(NAME, kind, message)
}
