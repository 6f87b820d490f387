//! The admin mirror through the real `inda` binary against the `fakesnow` protocol peer, with the ADMIN
//! tables created from `warehouse/snowflake/04_admin.sql` itself: two data dirs play two devices of one
//! analyst. Saved analyses, executions and audit entries reach Snowflake; the other device takes them;
//! changes on both sides are settled by `updated_at` with the losing version kept and reported; deletes
//! travel both ways; another tenant sees nothing; and with Snowflake down the change is kept locally and
//! pushed at the next mirror.

// The sync's tests load this launcher too, inside the ingestion's Snowflake helper (`sync::snowflake`): each
// module starts its own server, as the two binaries did, since each deploys a different database into it.
#[allow(clippy::duplicate_mod)]
#[path = "../../../snowflake/tests/common/fakesnow.rs"]
mod fakesnow;

use crate::common::{self, mint};
use inda_core::{ResultSet, Secret, Session, Value};
use inda_snowflake::{AuthMethod, CredentialSource, Credentials, SnowflakeProfile, SnowflakeWarehouse};
use inda_warehouse::{Cancel, QueryLimits};
use serde_json::Value as J;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

const DATABASE: &str = "INDIGITAL_PROD";
const BY_CHANNEL: &str =
    "SELECT channel, COUNT(*) AS messages FROM marts.fct_messages GROUP BY channel ORDER BY channel";
const ANA: &str = "ana@acme.example";

fn server() -> &'static fakesnow::Server {
    static SERVER: OnceLock<fakesnow::Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        // Starting fakesnow and deploying is heavy work in (and beside) this process: a turn of the gate.
        let _turn = common::turn();
        let server = fakesnow::start(&[]);
        deploy(&server.base_url());
        server
    })
}

fn profile(base_url: &str) -> SnowflakeProfile {
    SnowflakeProfile {
        account: "inda-test".into(),
        user: "inda_app".into(),
        role: None,
        warehouse: None,
        database: DATABASE.into(),
        schema: "MARTS".into(),
        auth: AuthMethod::Password,
        base_url: Some(base_url.into()),
        max_sessions: 2,
        login_timeout_seconds: 5,
    }
}

fn admin_session() -> Session {
    Session {
        tenant_id: "acme_corp".into(),
        user_id: "test-harness".into(),
        partner_id: "indigital".into(),
        user_name: None,
        roles: vec![],
        role: inda_core::Role::Analyst,
        scope: inda_core::Scope::one("acme_corp").unwrap(),
        issued_at: 0,
        expires_at: i64::MAX,
        caller: Default::default(),
    }
}

/// Runs SQL on fakesnow as the test harness (deployment and inspection, not the code under test).
fn sql(sql: &str) -> ResultSet {
    sql_at(&server().base_url(), sql)
}

fn sql_at(base_url: &str, sql: &str) -> ResultSet {
    let password: CredentialSource = Arc::new(|_| Ok(Credentials::Password(Secret::new("fake".to_string()))));
    let sf = SnowflakeWarehouse::new(profile(base_url), password).expect("warehouse");
    let limits = QueryLimits { timeout: Duration::from_secs(60), ..QueryLimits::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(sf.run_trusted(&admin_session(), sql, &[], &limits, &Cancel::new()))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The ADMIN schema from the deployable DDL (fakesnow knows no GRANT), one tenant row per demo tenant
/// (the tables reference ADMIN.TENANTS), and a small message mart to run analyses on.
fn deploy(base_url: &str) {
    sql_at(base_url, &format!("CREATE DATABASE IF NOT EXISTS {DATABASE}"));
    for schema in ["ADMIN", "MARTS"] {
        sql_at(base_url, &format!("CREATE SCHEMA IF NOT EXISTS {DATABASE}.{schema}"));
    }
    let ddl = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../warehouse/snowflake/04_admin.sql"),
    )
    .expect("04_admin.sql");
    let ddl: String =
        ddl.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
    for statement in ddl.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        if statement.starts_with("GRANT") || statement.starts_with("USE ") {
            continue;
        }
        sql_at(base_url, statement);
    }
    for tenant in ["acme_corp", "globex"] {
        sql_at(
            base_url,
            &format!(
                "INSERT INTO ADMIN.TENANTS (tenant_id, tenant_name, partner_id) VALUES ('{tenant}', '{tenant}', 'indigital')"
            ),
        );
    }
    sql_at(
        base_url,
        "CREATE TABLE MARTS.FCT_MESSAGES (tenant_id VARCHAR, message_id VARCHAR, channel VARCHAR)",
    );
    sql_at(
        base_url,
        "INSERT INTO MARTS.FCT_MESSAGES VALUES ('acme_corp', 'm1', 'whatsapp'), ('acme_corp', 'm2', 'sms'), \
         ('acme_corp', 'm3', 'whatsapp'), ('globex', 'm4', 'email')",
    );
}

/// A device: a data dir whose warehouse is the fakesnow server (or `base_url`), and a token for one user.
struct Device {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    token: String,
}

fn device(tenant: &str, user: &str) -> Device {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir_all(&dir).unwrap();
    point_at(&dir, &server().base_url());
    let token = mint(&dir, tenant, user, &[]);
    Device { _tmp: tmp, dir, token }
}

/// Sets the `[warehouse]` section, keeping the rest of config.toml (the token issuer's key).
fn point_at(dir: &Path, base_url: &str) {
    let path = dir.join("config.toml");
    let mut config: toml::Table =
        std::fs::read_to_string(&path).unwrap_or_default().parse().expect("config.toml");
    let warehouse: toml::Table = format!(
        "kind = \"snowflake\"\nprofile = \"development\"\n[profiles.development]\naccount = \"inda-test\"\n\
         user = \"inda_app\"\ndatabase = \"{DATABASE}\"\nauth = \"password\"\nbase_url = \"{base_url}\"\n\
         login_timeout_seconds = 3\n"
    )
    .parse()
    .expect("warehouse section");
    config.insert("warehouse".into(), toml::Value::Table(warehouse));
    std::fs::write(&path, toml::to_string(&config).unwrap()).unwrap();
}

fn command(dir: &Path, token: Option<&str>, args: &[&str]) -> Command {
    let mut cmd = common::command(dir, token, args);
    // fakesnow takes any password; the app reads this variable before the keyring.
    cmd.env("SNOWFLAKE_PASSWORD", "fake");
    cmd
}

impl Device {
    fn json(&self, args: &[&str]) -> (i32, J) {
        common::json_of(&mut command(&self.dir, Some(&self.token), args))
    }

    fn ok(&self, args: &[&str]) -> J {
        let (code, doc) = self.json(args);
        assert_eq!(code, 0, "{args:?}: {doc}");
        doc
    }

    fn save(&self, name: &str) -> String {
        self.ok(&["saved", "save", "--name", name, "--sql", BY_CHANNEL])["id"].as_str().unwrap().to_string()
    }

    fn mirror(&self) -> J {
        self.ok(&["warehouse", "mirror"])
    }

    fn analysis(&self, id: &str) -> Option<J> {
        let list = self.ok(&["saved", "list"]);
        list.as_array().unwrap().iter().find(|a| a["id"] == id).cloned()
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        other => other.to_text(),
    }
}

/// `column` of the ADMIN.SAVED_ANALYSES row of `id`.
fn remote(id: &str, column: &str) -> Option<String> {
    let rs = sql(&format!("SELECT {column} FROM ADMIN.SAVED_ANALYSES WHERE analysis_id = '{id}'"));
    rs.rows.first().map(|r| text(&r[0]))
}

fn count(query: &str) -> i64 {
    match &sql(query).rows[0][0] {
        Value::Int(n) => *n,
        other => other.as_f64().expect("a count") as i64,
    }
}

#[test]
fn the_library_reaches_snowflake_and_the_other_device_and_conflicts_keep_both_versions() {
    let laptop = device("acme_corp", ANA);
    let desktop = device("acme_corp", ANA);

    // Saved and run on the laptop: each command mirrors by itself afterwards.
    let x = laptop.save("By channel");
    let y = laptop.save("Channels, again");
    let run = laptop.ok(&["saved", "run", &x]);
    assert_eq!(run["engine"], "snowflake");
    assert_eq!(remote(&x, "name").as_deref(), Some("By channel"));
    assert_eq!(remote(&y, "created_by").as_deref(), Some(ANA));
    assert_eq!(remote(&x, "tenant_id").as_deref(), Some("acme_corp"));
    assert_eq!(remote(&x, "generated_sql").as_deref(), Some(BY_CHANNEL));
    assert_eq!(
        count(&format!(
            "SELECT COUNT(*) FROM ADMIN.ANALYSIS_EXECUTIONS WHERE analysis_id = '{x}' AND status = 'ok' AND row_count = 2"
        )),
        1
    );
    // Every local audit entry of the analyst is there, once, by its own id.
    let audit = laptop.ok(&["audit", "list", "--limit", "1000"]);
    let ids: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["log_id"].as_str().unwrap()).collect();
    assert!(ids.len() >= 3, "{audit}");
    for id in &ids {
        assert_eq!(count(&format!("SELECT COUNT(*) FROM ADMIN.AUDIT_LOG WHERE log_id = '{id}'")), 1, "{id}");
    }
    // A mirror with nothing new pushes nothing and duplicates nothing.
    let again = laptop.mirror();
    assert_eq!((again["pushed"].as_u64(), again["pulled"].as_u64()), (Some(0), Some(0)), "{again}");
    assert_eq!(
        count(&format!("SELECT COUNT(*) FROM ADMIN.ANALYSIS_EXECUTIONS WHERE analysis_id = '{x}'")),
        1
    );

    // The desktop takes both.
    let first = desktop.mirror();
    assert_eq!(first["pulled"].as_u64(), Some(2), "{first}");
    let on_desktop = desktop.analysis(&x).expect("pulled");
    assert_eq!(on_desktop["name"], "By channel");
    assert_eq!(on_desktop["generated_sql"], BY_CHANNEL);
    assert_eq!(desktop.ok(&["saved", "run", &x])["rows"], run["rows"], "the pulled analysis runs");

    // Changed on both: the laptop offline first, the desktop later (mirrored at once). The later wins.
    laptop.ok(&["--offline", "saved", "schedule", &x, "0 8 * * 1"]);
    std::thread::sleep(Duration::from_millis(20));
    desktop.ok(&["saved", "schedule", &x, "30 6 * * 1-5"]);
    assert_eq!(remote(&x, "refresh_schedule").as_deref(), Some("0 30 6 * * MON-FRI"));
    let settled = laptop.mirror();
    let conflicts = settled["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{settled}");
    assert_eq!(conflicts[0]["analysis_id"], x.as_str());
    assert_eq!(conflicts[0]["kept"], "remote");
    assert_eq!(
        conflicts[0]["lost_version"]["refresh_schedule"], "0 0 8 * * MON",
        "the losing version is kept"
    );
    assert_eq!(laptop.analysis(&x).unwrap()["refresh_schedule"], "0 30 6 * * MON-FRI");
    // … and recorded in the audit log, which reaches Snowflake too.
    let audit = laptop.ok(&["audit", "list", "--limit", "5"]);
    assert!(
        audit.as_array().unwrap().iter().any(|e| e["action"] == "mirror" && e["outcome"] == "conflict"),
        "{audit}"
    );

    // The other way round: the desktop changes first, the laptop later while offline. The laptop wins.
    desktop.ok(&["saved", "schedule", &y, "0 9 * * *"]);
    std::thread::sleep(Duration::from_millis(20));
    laptop.ok(&["--offline", "saved", "schedule", &y, "0 10 * * *"]);
    let settled = laptop.mirror();
    let conflicts = settled["conflicts"].as_array().unwrap();
    assert_eq!(conflicts.len(), 1, "{settled}");
    assert_eq!(conflicts[0]["kept"], "local");
    assert_eq!(conflicts[0]["lost_version"]["refresh_schedule"], "0 0 9 * * *");
    assert_eq!(remote(&y, "refresh_schedule").as_deref(), Some("0 0 10 * * *"));
    let taken = desktop.mirror();
    assert_eq!(taken["pulled"].as_u64(), Some(1), "{taken}");
    assert!(taken["conflicts"].as_array().unwrap().is_empty());
    assert_eq!(desktop.analysis(&y).unwrap()["refresh_schedule"], "0 0 10 * * *");

    // Deleted on the desktop: inactive in Snowflake, then gone from the laptop.
    desktop.ok(&["saved", "delete", &y]);
    assert_eq!(remote(&y, "is_active").as_deref(), Some("false"));
    let gone = laptop.mirror();
    assert_eq!(gone["deleted_local"].as_u64(), Some(1), "{gone}");
    assert!(laptop.analysis(&y).is_none());
    assert!(laptop.analysis(&x).is_some());
}

#[test]
fn another_tenant_sees_none_of_it_and_a_change_made_while_snowflake_is_down_is_pushed_later() {
    let acme = device("acme_corp", "luis@acme.example");
    let id = acme.save("Mine");
    assert_eq!(remote(&id, "tenant_id").as_deref(), Some("acme_corp"));

    // Same user name, another tenant: nothing of acme's comes down.
    let globex = device("globex", "luis@acme.example");
    let pulled = globex.mirror();
    assert_eq!(pulled["pulled"].as_u64(), Some(0), "{pulled}");
    assert!(globex.ok(&["saved", "list"]).as_array().unwrap().is_empty());
    let (code, err) = globex.json(&["saved", "show", &id]);
    assert_eq!((code, err["error"]["code"].as_str()), (2, Some("not_found")), "{err}");

    // Snowflake unreachable: the save succeeds here, the explicit mirror says why it cannot run.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    point_at(&acme.dir, &format!("http://127.0.0.1:{dead}"));
    let offline_id = acme.save("Saved while Snowflake was down");
    assert!(acme.analysis(&offline_id).is_some());
    let (code, err) = acme.json(&["warehouse", "mirror"]);
    assert_eq!(code, 5, "{err}");
    assert_eq!(err["error"]["code"], "engine");
    assert!(err["error"]["message"].as_str().unwrap().contains("could not be reached"), "{err}");
    assert!(remote(&offline_id, "name").is_none());

    // Back online: the next mirror pushes it, and nothing else is duplicated.
    point_at(&acme.dir, &server().base_url());
    let pushed = acme.mirror();
    assert_eq!(pushed["pushed"].as_u64(), Some(1), "{pushed}");
    assert_eq!(remote(&offline_id, "name").as_deref(), Some("Saved while Snowflake was down"));
    assert_eq!(count(&format!("SELECT COUNT(*) FROM ADMIN.SAVED_ANALYSES WHERE analysis_id = '{id}'")), 1);
}

/// A partner admin on Snowflake: the scope comes from ADMIN.TENANTS as Snowflake shows it, every mart is read
/// for the partner's tenants and `--scope` narrows it, never widens it; a saved analysis keeps its scope.
#[test]
fn a_partner_admin_reads_its_partners_tenants_on_snowflake() {
    const BY_TENANT: &str =
        "SELECT tenant_id, COUNT(*) AS n FROM marts.fct_messages GROUP BY tenant_id ORDER BY 1";
    let mut admin = device("acme_corp", "pat@indigital.example");
    admin.token = mint(&admin.dir, "acme_corp", "pat@indigital.example", &["--roles", "partner_admin"]);
    let rows = |doc: &J| doc["rows"].clone();
    let doc = admin.ok(&["sql", BY_TENANT]);
    assert_eq!(rows(&doc), serde_json::json!([["acme_corp", 3], ["globex", 1]]), "{doc}");
    assert!(doc["sql"].as_str().unwrap().contains("tenant_id IN ('acme_corp', 'globex')"), "{doc}");
    let doc = admin.ok(&["--scope", "globex", "sql", BY_TENANT]);
    assert_eq!(rows(&doc), serde_json::json!([["globex", 1]]), "{doc}");
    let (code, doc) = admin.json(&["--scope", "acme_corp,stark_ind", "sql", BY_TENANT]);
    assert_eq!((code, doc["error"]["code"].as_str()), (4, Some("auth")), "{doc}");
    let who = admin.ok(&["whoami"]);
    assert_eq!(
        (who["role"].as_str(), who["scope"].clone()),
        (Some("partner_admin"), serde_json::json!(["acme_corp", "globex"]))
    );
    let id = admin.ok(&["saved", "save", "--name", "Both", "--sql", BY_TENANT])["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(rows(&admin.ok(&["saved", "run", &id])), serde_json::json!([["acme_corp", 3], ["globex", 1]]));
    let (code, _) = admin.json(&["--scope", "acme_corp", "saved", "show", &id]);
    assert_eq!(code, 4);
    // An analyst of the same tenant reads their own rows only.
    let analyst = device("acme_corp", "ana2@acme.example");
    assert_eq!(rows(&analyst.ok(&["sql", BY_TENANT])), serde_json::json!([["acme_corp", 3]]));
}
