//! Snowflake for the ingestion's tests and benchmark: the `fakesnow` peer with the deployable DDL of
//! `warehouse/snowflake/` (RAW tables, STAGING views, ADMIN, the marts) and a loader connection to it.

#![allow(dead_code)]

#[path = "../../../snowflake/tests/common/fakesnow.rs"]
mod fakesnow;

use inda_core::Value;
use inda_core::{ResultSet, Role, Scope, Secret, Session, marts};
use inda_snowflake::{AuthMethod, CredentialSource, Credentials, SnowflakeProfile, SnowflakeWarehouse};
use inda_warehouse::{Cancel, QueryLimits, Warehouse, marts_schema};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub const DATABASE: &str = "INDIGITAL_PROD";

pub fn server() -> &'static fakesnow::Server {
    static SERVER: OnceLock<fakesnow::Server> = OnceLock::new();
    SERVER.get_or_init(|| fakesnow::start(&[]))
}

pub fn profile() -> SnowflakeProfile {
    SnowflakeProfile {
        account: "inda-test".into(),
        user: "inda_sync".into(),
        role: None,
        warehouse: None,
        database: DATABASE.into(),
        schema: "RAW".into(),
        auth: AuthMethod::Password,
        base_url: Some(server().base_url()),
        max_sessions: 2,
        login_timeout_seconds: 5,
    }
}

pub fn session(tenant: &str) -> Session {
    Session {
        tenant_id: tenant.into(),
        user_id: "inda-sync".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        role: Role::Analyst,
        scope: Scope::one(tenant).expect("a tenant id"),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    }
}

pub fn warehouse() -> SnowflakeWarehouse {
    let password: CredentialSource = Arc::new(|_| Ok(Credentials::Password(Secret::new("fake".to_string()))));
    SnowflakeWarehouse::new(profile(), password).expect("warehouse")
}

pub fn limits() -> QueryLimits {
    QueryLimits { timeout: Duration::from_secs(120), max_rows: 1_000_000, ..QueryLimits::default() }
}

pub async fn sql(sql: &str) -> ResultSet {
    warehouse()
        .run_trusted(&session("acme_corp"), sql, &[], &limits(), &Cancel::new())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// RAW, STAGING, ADMIN and the marts from the deployable DDL, once per test binary (fakesnow knows no
/// GRANT, CLUSTER BY is ignored, the refresh procedure and tasks are Snowflake's own, and it refuses
/// 08_time_travel.sql's `ALTER SCHEMA … SET DATA_RETENTION_TIME_IN_DAYS`).
pub async fn deploy() {
    static DEPLOYED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DEPLOYED
        .get_or_init(|| async {
            sql(&format!("CREATE DATABASE IF NOT EXISTS {DATABASE}")).await;
            for schema in ["RAW", "STAGING", "MARTS", "ADMIN"] {
                sql(&format!("CREATE SCHEMA IF NOT EXISTS {DATABASE}.{schema}")).await;
            }
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../warehouse/snowflake");
            for file in ["02_raw.sql", "03_staging.sql", "04_admin.sql", "05_marts.sql"] {
                let text = std::fs::read_to_string(dir.join(file)).unwrap();
                let text: String =
                    text.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
                for st in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                    let wanted = st.starts_with("CREATE TABLE") || st.starts_with("CREATE OR REPLACE VIEW");
                    if wanted {
                        sql(st).await;
                    }
                }
            }
        })
        .await;
}

/// Numbers compare by value (NUMBER(12,2) and DECIMAL(12,2) may differ in how they carry the digits).
fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// Every mart of `tenant` in Snowflake equals the demo generator's at `demo`, row for row.
pub async fn assert_marts_equal(demo: &std::path::Path, tenant: &str) {
    for table in marts::names() {
        let schema = marts_schema(table).unwrap();
        let columns: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let (columns, id) = (columns.join(", "), marts::table(table).unwrap().key.join(", "));
        let want = inda_warehouse::EmbeddedWarehouse::new(demo)
            .query(
                &session(tenant),
                &format!("SELECT {columns} FROM marts.{table} ORDER BY {id}"),
                &limits(),
                &Cancel::new(),
            )
            .await
            .unwrap();
        let got = sql(&format!(
            "SELECT {columns} FROM MARTS.{} WHERE tenant_id = '{tenant}' ORDER BY {id}",
            table.to_uppercase()
        ))
        .await;
        assert_eq!(got.rows.len(), want.rows.len(), "{tenant} {table} rows");
        for (g, w) in got.rows.iter().zip(&want.rows) {
            assert!(
                g.iter().zip(w).all(|(a, b)| same(a, b)),
                "{tenant} {table}:\n snowflake {g:?}\n demo      {w:?}"
            );
        }
    }
}
