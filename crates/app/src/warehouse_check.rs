//! `inda warehouse test`: can the configured warehouse serve this analyst, and is the second wall there?
//! Snowflake is checked by `inda_snowflake` (sign-in, role, warehouse, database, marts, and whether the
//! account's row access policies and their attachments match `warehouse/snowflake/06_security.sql`: `warn`
//! when the account will not say); the embedded engine by its data and a guarded count of every mart.
//! Also `inda serve`'s readiness ([`App::warehouse_ready`]): the same question, cheaply and without a session.

use crate::App;
use crate::config::WarehouseKind;
use inda_core::{Error, Role, Scope, Session};
use inda_snowflake::{Check, CheckStatus};
use inda_warehouse::Cancel;
use serde::Serialize;
use std::time::{Duration, Instant};

/// The identity of the readiness probe's statement, named for what it is in Snowflake's query history. Its
/// `SELECT 1` reads no table, so no tenant's data is reachable whatever the id.
const PROBE: &str = "_readiness_probe";

/// A probe that waits longer than this is answered "not ready": orchestrators call again.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

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

    /// Whether the warehouse answers now, for `inda serve`'s `GET /readyz`. A probe has no token, so this is
    /// the app's own `SELECT 1`, which reads no table, as `PROBE` (never an analyst's session). The embedded
    /// engine must also have its marts. Snowflake signs in with the server's own credentials
    /// (`SNOWFLAKE_PASSWORD` / `SNOWFLAKE_PRIVATE_KEY`): where only analysts' keyrings hold them, this is an
    /// `engine` error. Not queued behind analysts' queries (a probe must answer while they run), and bounded
    /// by `READY_TIMEOUT` (5 s). Offline there is no warehouse to wait for: ready.
    pub async fn warehouse_ready(&self, cancel: &Cancel) -> Result<(), Error> {
        if self.offline {
            return Ok(());
        }
        if self.config.warehouse.kind == WarehouseKind::Embedded
            && !self.dir.warehouse().join("marts").is_dir()
        {
            return Err(Error::engine("no data yet: run `inda demo init` (or `inda sync`)"));
        }
        let mut limits = self.limits();
        limits.timeout = limits.timeout.min(READY_TIMEOUT);
        self.warehouse().query(&probe_session()?, "SELECT 1", &limits, cancel).await.map(|_| ())
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

fn probe_session() -> Result<Session, Error> {
    let now = crate::now();
    Ok(Session {
        tenant_id: PROBE.into(),
        user_id: PROBE.into(),
        partner_id: PROBE.into(),
        user_name: None,
        roles: vec![],
        role: Role::Analyst,
        scope: Scope::one(PROBE)?,
        issued_at: now,
        expires_at: now + READY_TIMEOUT.as_secs() as i64,
        caller: Default::default(),
    })
}

fn report(kind: &'static str, profile: Option<String>, checks: Vec<Check>) -> WarehouseReport {
    let ok = checks.iter().all(|c| c.status != CheckStatus::Fail);
    WarehouseReport { kind, profile, ok, checks }
}
