//! `SNOWFLAKE.CORTEX.COMPLETE` through the warehouse connection, for `inda_providers::CortexProvider`.

use crate::protocol::Failure;
use crate::warehouse::{Fail, SnowflakeWarehouse};
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
                .map_err(|f| classify(&self.warehouse, f, &self.limits))?;
            match rs.rows.first().and_then(|r| r.first()) {
                Some(Value::Text(t)) => Ok(t.clone()),
                Some(Value::Json(j)) => Ok(j.to_string()),
                _ => Err(ProviderError::bad_output(NAME, "COMPLETE returned no text")),
            }
        })
    }
}

/// Cortex failures in the router's terms, so that it can fall back to the next provider.
fn classify(warehouse: &SnowflakeWarehouse, fail: Fail, limits: &QueryLimits) -> ProviderError {
    let kind = match &fail {
        Fail::Proto(Failure::Connect(_)) => ErrorKind::Network,
        Fail::Proto(Failure::Transport(_)) => ErrorKind::Network,
        Fail::Proto(Failure::Status(s)) if s.status == 429 => ErrorKind::RateLimited { retry_after: None },
        Fail::Proto(Failure::Status(s)) if s.status >= 500 => ErrorKind::Server { status: s.status },
        Fail::Proto(Failure::Status(s)) => ErrorKind::BadRequest { status: s.status },
        Fail::Proto(Failure::LoginRefused(_) | Failure::Credentials(_) | Failure::SessionGone(_)) => {
            ErrorKind::Auth { status: 401 }
        }
        Fail::Proto(Failure::Api { message, .. })
            if message.to_ascii_lowercase().contains("rate limit")
                || message.to_ascii_lowercase().contains("too many requests") =>
        {
            ErrorKind::RateLimited { retry_after: None }
        }
        Fail::Proto(Failure::Api { .. }) => ErrorKind::BadRequest { status: 400 },
        Fail::Core(e) if e.message.contains("did not finish within") => ErrorKind::Timeout,
        Fail::Core(_) => ErrorKind::Network,
    };
    let message = warehouse.error(fail, limits).message;
    ProviderError::new(NAME, kind, message)
}
