//! The tenant's reporting currency on Snowflake: `config:default_currency` of its row in ADMIN.TENANTS
//! (warehouse/snowflake/04_admin.sql), read with the app's own bound statement and remembered for a while,
//! so a question does not pay a round trip for it. Remembered per tenant and user: the row access policy on
//! ADMIN.TENANTS decides per principal what each may read.

use crate::SnowflakeWarehouse;
use inda_core::{Error, Session, Value};
use inda_warehouse::{Cancel, QueryLimits};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a tenant's currency is reused before ADMIN.TENANTS is asked again (a tenant's configuration
/// rarely changes; a long-running `inda serve` still sees a change within this).
const TTL: Duration = Duration::from_secs(600);

const SQL: &str = "SELECT config:default_currency::VARCHAR FROM ADMIN.TENANTS WHERE tenant_id = ?";

/// Tenant and user.
type Key = (String, String);

/// Currencies by tenant and user, with when they were read.
#[derive(Default)]
pub(crate) struct CurrencyCache {
    entries: Mutex<HashMap<Key, (Instant, Option<String>)>>,
}

impl CurrencyCache {
    fn get(&self, key: &Key) -> Option<Option<String>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(at, _)| at.elapsed() < TTL).map(|(_, c)| c.clone())
    }

    fn put(&self, key: Key, currency: Option<String>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.insert(key, (Instant::now(), currency));
    }
}

impl SnowflakeWarehouse {
    /// `session`'s tenant's reporting currency (ISO 4217, upper case); `None` when ADMIN.TENANTS has no row
    /// for the tenant or no `default_currency` in its config.
    pub async fn tenant_currency(&self, session: &Session) -> Result<Option<String>, Error> {
        let key = (session.tenant_id.clone(), session.user_id.clone());
        if let Some(hit) = self.currencies().get(&key) {
            return Ok(hit);
        }
        let limits = QueryLimits { timeout: Duration::from_secs(30), max_rows: 1, ..QueryLimits::default() };
        let rs = self.run_trusted(session, SQL, &[&session.tenant_id], &limits, &Cancel::new()).await?;
        let currency = match rs.rows.first().and_then(|r| r.first()) {
            Some(Value::Text(c)) if !c.trim().is_empty() => Some(c.trim().to_ascii_uppercase()),
            _ => None,
        };
        self.currencies().put(key, currency.clone());
        Ok(currency)
    }
}
