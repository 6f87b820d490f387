//! `inda warehouse test`: can the configured warehouse serve this analyst, and is the second wall there?
//! Snowflake is checked by `inda_snowflake` (sign-in, role, warehouse, database, marts, and whether the
//! account's row access policies and their attachments match `warehouse/snowflake/06_security.sql`: `warn`
//! when the account will not say); the embedded engine by its data and a guarded count of every mart.

use crate::App;
use crate::config::WarehouseKind;
use inda_core::{Error, Session};
use inda_snowflake::{Check, CheckStatus};
use inda_warehouse::Cancel;
use serde::Serialize;
use std::time::Instant;

/// What `inda warehouse test` prints.
#[derive(Debug, Clone, Serialize)]
pub struct WarehouseReport {
    /// `embedded` or `snowflake`.
    pub kind: &'static str,
    /// The Snowflake profile's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// Whether no check failed. A `warn` check (something the account would not show, so unverified) does
    /// not fail the report; its detail says what was not verified.
    pub ok: bool,
    /// Each check in the order run, with its outcome and how long it took.
    pub checks: Vec<Check>,
}

impl WarehouseReport {
    /// An `engine` error naming the failed checks, or `Ok` when none failed.
    pub fn verdict(&self) -> Result<(), Error> {
        inda_snowflake::verdict(&self.checks)
    }
}

impl App {
    /// Runs the checks for `session`'s user against a fresh connection (nothing pooled hides a failed
    /// sign-in). Never fails itself for a failed check: the report says which; [`inda_snowflake::verdict`]
    /// turns it into the exit status.
    pub async fn warehouse_test(&self, session: &Session, cancel: &Cancel) -> Result<WarehouseReport, Error> {
        match self.config.warehouse.kind {
            WarehouseKind::Snowflake => {
                let (name, _) = self.config.warehouse.snowflake_profile()?;
                let name = name.to_string();
                let warehouse = crate::config::snowflake_warehouse(&self.dir, &self.config)?;
                let checks = warehouse.check(session, cancel).await;
                Ok(report("snowflake", Some(name), checks))
            }
            WarehouseKind::Embedded => {
                Ok(report("embedded", None, self.embedded_checks(session, cancel).await))
            }
        }
    }

    async fn embedded_checks(&self, session: &Session, cancel: &Cancel) -> Vec<Check> {
        let mut checks = Vec::new();
        let started = Instant::now();
        let root = self.dir.warehouse();
        let data = if root.join("marts").is_dir() {
            Ok(format!("Parquet marts in {}", root.display()))
        } else {
            Err("no data yet: run `inda demo init` (or `inda sync`)".to_string())
        };
        let has_data = data.is_ok();
        checks.push(Check::new("data", started, data));
        if !has_data {
            return checks;
        }
        let started = Instant::now();
        let mut found = Vec::new();
        let mut failed = Vec::new();
        for table in inda_core::marts::names() {
            // The app's own statement, but it reads tenant data, so it takes the guard like any other.
            let sql = format!("SELECT COUNT(*) FROM marts.{table}");
            match self.guard_and_run(session, &sql, cancel).await {
                Ok((_, rs)) => {
                    let n = rs.rows.first().and_then(|r| r.first()).map(|v| v.to_text()).unwrap_or_default();
                    found.push(format!("{table} ({n} rows)"));
                }
                Err(e) => failed.push(format!("{table}: {}", e.message)),
            }
        }
        let marts = if failed.is_empty() { Ok(found.join(", ")) } else { Err(failed.join("; ")) };
        checks.push(Check::new("marts", started, marts));
        let walls =
            "not used by the embedded engine: each query's session opens only its scope's tenants' files";
        checks.push(Check::new("row_access_policies", Instant::now(), Ok(walls.into())));
        checks
    }
}

fn report(kind: &'static str, profile: Option<String>, checks: Vec<Check>) -> WarehouseReport {
    let ok = checks.iter().all(|c| c.status != CheckStatus::Fail);
    WarehouseReport { kind, profile, ok, checks }
}
