//! `inda warehouse test`: whether a profile can serve analysts, checked the way a query would use it.
//!
//! Each check runs its own statement, so one function an account (or a protocol peer) lacks fails that
//! check alone and the others still report. The statements are the app's own (`run_trusted`), never user
//! SQL, and read only metadata and row counts.

use crate::{SnowflakeError, SnowflakeWarehouse};
use inda_core::{Error, ResultSet, Session, Value};
use inda_warehouse::{Cancel, QueryLimits};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The marts every tenant's answers read (`inda_core::marts`, upper-cased as Snowflake spells them, in the
/// schema's order); each must exist and carry a row access policy.
fn marts() -> impl Iterator<Item = String> {
    inda_core::marts::names().map(str::to_ascii_uppercase)
}

/// How a check came out; serialized as `ok` or `fail` (`inda warehouse test --format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The profile is fit for analysts on this point.
    Ok,
    /// Something is missing or wrong; the check's `detail` says what to do. Any failure fails the report
    /// ([`verdict`]).
    Fail,
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// `connect`, `role`, `warehouse`, `database`, `marts`, `row_access_policies`.
    pub name: &'static str,
    /// Whether it passed.
    pub status: CheckStatus,
    /// What was found, or what is wrong and what to do about it.
    pub detail: String,
    /// How long the check took, in milliseconds (for `connect`, with the sign-in when no session was open).
    pub ms: u64,
}

impl Check {
    /// A check named `name` that took since `started`: passed with what was found, or failed with why.
    pub fn new(name: &'static str, started: Instant, outcome: Result<String, String>) -> Check {
        let ms = started.elapsed().as_millis() as u64;
        match outcome {
            Ok(detail) => Check { name, status: CheckStatus::Ok, detail, ms },
            Err(detail) => Check { name, status: CheckStatus::Fail, detail, ms },
        }
    }
}

impl SnowflakeWarehouse {
    /// Signs in as `session`'s user with the profile and checks, in order: connectivity, the role, the
    /// warehouse and the database the session got, that every mart exists, and that every mart carries a
    /// row access policy (the second wall behind the guard). Stops after a failed sign-in: nothing else
    /// can run.
    pub async fn check(&self, session: &Session, cancel: &Cancel) -> Vec<Check> {
        let limits =
            QueryLimits { timeout: Duration::from_secs(30), max_rows: 1_000, ..QueryLimits::default() };
        let profile = self.profile().clone();
        let mut checks = Vec::new();

        let started = Instant::now();
        let connect = self.run_trusted(session, "SELECT CURRENT_VERSION()", &[], &limits, cancel).await;
        let connected = connect.is_ok();
        checks.push(Check::new(
            "connect",
            started,
            connect
                .map(|rs| {
                    format!("signed in as {} to {}; Snowflake {}", profile.user, profile.account, first(&rs))
                })
                .map_err(|e| e.message),
        ));
        if !connected {
            return checks;
        }

        for (name, function, wanted) in [
            ("role", "CURRENT_ROLE()", profile.role.as_deref()),
            ("warehouse", "CURRENT_WAREHOUSE()", profile.warehouse.as_deref()),
            ("database", "CURRENT_DATABASE()", Some(profile.database.as_str())),
        ] {
            let started = Instant::now();
            let sql = format!("SELECT {function}");
            let outcome = match self.run_trusted(session, &sql, &[], &limits, cancel).await {
                Err(e) => Err(format!("cannot read {function}: {}", e.message)),
                Ok(rs) => current(name, &first(&rs), wanted),
            };
            checks.push(Check::new(name, started, outcome));
        }

        let started = Instant::now();
        let mut found = Vec::new();
        let mut missing = Vec::new();
        for table in marts() {
            let sql = format!("SELECT COUNT(*) FROM MARTS.{table}");
            match self.run_trusted(session, &sql, &[], &limits, cancel).await {
                Ok(rs) => found.push(format!("{table} ({} rows visible)", first(&rs))),
                Err(e) => missing.push(format!("{table}: {}", e.message)),
            }
        }
        let marts = if missing.is_empty() {
            Ok(found.join(", "))
        } else {
            Err(format!("not readable: {} (deploy warehouse/snowflake/05_marts.sql)", missing.join("; ")))
        };
        checks.push(Check::new("marts", started, marts));

        let started = Instant::now();
        checks.push(Check::new(
            "row_access_policies",
            started,
            self.policies(session, &limits, cancel).await,
        ));
        checks
    }

    /// Every mart must have a row access policy attached. `POLICY_REFERENCES` is Snowflake's own view of
    /// attachments; when it cannot be read the answer is "unknown", reported as a failure, since the
    /// second wall cannot be vouched for.
    async fn policies(
        &self,
        session: &Session,
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> Result<String, String> {
        let database = self.profile().database.to_ascii_uppercase();
        let mut without = Vec::new();
        let mut with = Vec::new();
        for table in marts() {
            let entity = format!("{database}.MARTS.{table}");
            let sql = format!(
                "SELECT POLICY_NAME FROM TABLE({database}.INFORMATION_SCHEMA.POLICY_REFERENCES(\
                 REF_ENTITY_NAME => ?, REF_ENTITY_DOMAIN => 'table')) WHERE POLICY_KIND = 'ROW_ACCESS_POLICY'"
            );
            match self.run_trusted(session, &sql, &[&entity], limits, cancel).await {
                Ok(rs) if rs.rows.is_empty() => without.push(table),
                Ok(rs) => with.push(format!("{table} ({})", first(&rs))),
                Err(e) => {
                    return Err(format!(
                        "cannot tell whether the marts carry row access policies: {} (the role needs to read \
                         INFORMATION_SCHEMA.POLICY_REFERENCES; see warehouse/snowflake/06_security.sql)",
                        e.message
                    ));
                }
            }
        }
        if without.is_empty() {
            Ok(with.join(", "))
        } else {
            Err(format!(
                "no row access policy on {}: only the guard keeps tenants apart there (apply \
                 warehouse/snowflake/06_security.sql)",
                without.join(", ")
            ))
        }
    }
}

/// Compares a `CURRENT_…()` value with what the profile asked for (ignoring case, as Snowflake folds
/// unquoted names).
fn current(name: &str, got: &str, wanted: Option<&str>) -> Result<String, String> {
    match wanted {
        _ if got.is_empty() => {
            Err(format!("the session has no {name}: grant the profile's user one, or set it in the profile"))
        }
        Some(w) if !w.eq_ignore_ascii_case(got) => Err(format!(
            "the profile asks for {name} {w} but the session got {got}: grant it to the user, or fix the profile"
        )),
        _ => Ok(got.to_string()),
    }
}

/// The first value of the first row, as text ("" for none or NULL).
fn first(rs: &ResultSet) -> String {
    match rs.rows.first().and_then(|r| r.first()) {
        None | Some(Value::Null) => String::new(),
        Some(v) => v.to_text(),
    }
}

/// The report's verdict: an `engine` error naming the failed checks, or `Ok` when all passed.
pub fn verdict(checks: &[Check]) -> Result<(), Error> {
    let failed: Vec<&'static str> =
        checks.iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.name).collect();
    if failed.is_empty() { Ok(()) } else { Err(SnowflakeError::CheckFailed { checks: failed }.into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_values_are_compared_ignoring_case() {
        assert!(current("role", "INDA_ANALYST", Some("inda_analyst")).is_ok());
        assert!(current("role", "PUBLIC", Some("INDA_ANALYST")).is_err_and(|e| e.contains("asks for role")));
        assert!(current("warehouse", "", Some("WH")).is_err_and(|e| e.contains("no warehouse")));
        assert!(current("role", "ANY", None).is_ok());
    }
}
