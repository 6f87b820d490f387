//! The tenants directory on Snowflake: the rows of ADMIN.TENANTS (warehouse/snowflake/04_admin.sql) the
//! session's Snowflake role may see. The row access policy on ADMIN.TENANTS (06_security.sql) decides that:
//! a tenant's own principal sees its row, a partner administrator its partner's, a platform administrator
//! every row. Nothing here filters further: the app decides what each role's scope is from what Snowflake
//! shows. Read with the app's own statement and remembered briefly per tenant, user and role (as the
//! reporting currency is, `currency.rs`), so resolving a session's scope does not cost a round trip each
//! time, while a tenant onboarded or deactivated shows within a minute.

use crate::SnowflakeWarehouse;
use crate::warehouse::{Owner, owner};
use inda_core::{Error, ResultSet, Session, TenantEntry, Value};
use inda_warehouse::{Cancel, QueryLimits};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long the directory is reused before ADMIN.TENANTS is asked again.
const TTL: Duration = Duration::from_secs(60);

/// More tenants than this is not a directory the app can scope with: refused rather than cut short.
const MAX_TENANTS: usize = 100_000;

/// `is_active` is `DEFAULT TRUE`: a NULL is read as active, as the embedded directory reads a missing one.
const SQL: &str = "SELECT tenant_id, tenant_name, partner_id, COALESCE(is_active, TRUE) AS is_active, \
                   config:default_currency::VARCHAR AS currency FROM ADMIN.TENANTS ORDER BY tenant_id";

/// A directory as read, with when.
type Read = (Instant, Arc<Vec<TenantEntry>>);

/// The directory by owner, with when it was read.
#[derive(Default)]
pub(crate) struct TenantsCache {
    entries: Mutex<HashMap<Owner, Read>>,
}

impl TenantsCache {
    fn get(&self, key: &Owner) -> Option<Arc<Vec<TenantEntry>>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(key).filter(|(at, _)| at.elapsed() < TTL).map(|(_, t)| t.clone())
    }

    fn put(&self, key: Owner, tenants: Arc<Vec<TenantEntry>>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.retain(|_, (at, _)| at.elapsed() < TTL);
        entries.insert(key, (Instant::now(), tenants));
    }
}

impl SnowflakeWarehouse {
    /// The rows of ADMIN.TENANTS that `session`'s Snowflake session sees, ordered by tenant id: tenant id,
    /// name, partner, whether active, and the reporting currency (`config:default_currency`, upper case).
    /// A row whose tenant id is not a valid one is left out (and logged): it could never be in a scope.
    pub async fn tenants_for(&self, session: &Session) -> Result<Vec<TenantEntry>, Error> {
        let key = owner(session);
        if let Some(hit) = self.tenants_cache().get(&key) {
            return Ok(hit.as_ref().clone());
        }
        let limits =
            QueryLimits { timeout: Duration::from_secs(30), max_rows: MAX_TENANTS, ..QueryLimits::default() };
        let rs = self.run_trusted(session, SQL, &[], &limits, &Cancel::new()).await?;
        let tenants = Arc::new(entries(&rs)?);
        self.tenants_cache().put(key, tenants.clone());
        Ok(tenants.as_ref().clone())
    }
}

/// The directory's rows as entries.
fn entries(rs: &ResultSet) -> Result<Vec<TenantEntry>, Error> {
    if rs.truncated {
        return Err(Error::engine(format!(
            "ADMIN.TENANTS has more than {MAX_TENANTS} tenants visible: too many to scope sessions with"
        )));
    }
    let text = |v: Option<&Value>| match v {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.to_text().trim().to_string()).filter(|t| !t.is_empty()),
    };
    let mut out = Vec::with_capacity(rs.rows.len());
    for row in &rs.rows {
        let Some(tenant_id) = text(row.first()).filter(|t| inda_core::is_tenant_id(t)) else {
            tracing::warn!("ADMIN.TENANTS has a row whose tenant_id is not a tenant id; left out");
            continue;
        };
        let is_active = match row.get(3) {
            Some(Value::Bool(b)) => *b,
            Some(v) => !matches!(v.to_text().trim().to_ascii_lowercase().as_str(), "false" | "0"),
            None => true,
        };
        out.push(TenantEntry {
            tenant_name: text(row.get(1)).unwrap_or_else(|| tenant_id.clone()),
            partner_id: text(row.get(2)).unwrap_or_default(),
            is_active,
            currency: text(row.get(4)).map(|c| c.to_ascii_uppercase()),
            tenant_id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use inda_core::Column;

    fn rs(rows: Vec<Vec<Value>>, truncated: bool) -> ResultSet {
        let columns = ["TENANT_ID", "TENANT_NAME", "PARTNER_ID", "IS_ACTIVE", "CURRENCY"]
            .into_iter()
            .map(|c| Column::new(c, "VARCHAR"))
            .collect();
        ResultSet { columns, rows, truncated }
    }

    fn t(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn rows_become_entries_and_odd_ones_are_read_safely() {
        let rows = vec![
            vec![t("acme_corp"), t("Acme Corp"), t("indigital"), Value::Bool(true), t(" cop ")],
            vec![t("globex"), t("Globex"), t("indigital"), Value::Bool(false), Value::Null],
            vec![t("nobody' OR '1'='1"), t("x"), t("indigital"), Value::Bool(true), Value::Null],
            vec![t("stark_ind"), Value::Null, t("other_partner"), Value::Null, t("")],
        ];
        let got = entries(&rs(rows, false)).expect("entries");
        let ids: Vec<&str> = got.iter().map(|e| e.tenant_id.as_str()).collect();
        assert_eq!(ids, ["acme_corp", "globex", "stark_ind"]);
        assert_eq!(got[0].currency.as_deref(), Some("COP"));
        assert!(got[0].is_active && !got[1].is_active);
        assert_eq!(got[1].currency, None);
        assert_eq!(got[2].tenant_name, "stark_ind", "a missing name falls back to the id");
        assert!(got[2].is_active, "NULL is_active reads as the column's default");
        assert_eq!(got[2].currency, None);
        assert!(entries(&rs(vec![], true)).is_err_and(|e| e.message.contains("too many")));
    }
}
