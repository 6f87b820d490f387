//! Every statement of the deployable DDL (`warehouse/snowflake/*.sql`) parses in sqlparser's Snowflake
//! dialect, and the DDL covers what the architecture document and the data-model contract ask for.

use sqlparser::ast::Statement;
use sqlparser::dialect::SnowflakeDialect;
use sqlparser::parser::Parser;
use std::path::PathBuf;

fn files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../warehouse/snowflake");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("warehouse/snowflake exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect()
}

/// Splits a file into statements (`inda_snowflake::check::statements`); each must end with its `;`.
fn split(text: &str) -> Vec<String> {
    let out = inda_snowflake::check::statements(text);
    if let Some(last) = out.last() {
        assert!(last.trim_end().ends_with(';'), "a statement without its `;`: {last}");
    }
    out
}

/// Snowflake statements sqlparser 0.59 has no grammar for. For each, the SQL inside it (a policy's
/// condition, a task's call, a procedure's statements) is still parsed; only the wrapper is taken as is.
fn inner_sql(statement: &str) -> Option<Vec<String>> {
    let upper = statement.to_uppercase();
    let head: String = upper.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
    if head.starts_with("CREATE WAREHOUSE") || head.starts_with("ALTER TASK") {
        return Some(vec![]);
    }
    // 08_time_travel.sql: sqlparser's ALTER SCHEMA knows no `SET <parameter> = <value>`. Only that one
    // parameter with a whole number of days passes unparsed; any other ALTER SCHEMA is still parsed.
    if head.starts_with("ALTER SCHEMA") {
        let words: Vec<&str> = upper.trim_end().trim_end_matches(';').split_whitespace().collect();
        if let ["ALTER", "SCHEMA", _, "SET", "DATA_RETENTION_TIME_IN_DAYS", "=", days] = words.as_slice()
            && days.parse::<u8>().is_ok()
        {
            return Some(vec![]);
        }
    }
    if head.starts_with("CREATE ROW ACCESS POLICY") || head.starts_with("ALTER ROW ACCESS POLICY") {
        let body = statement.split_once("->").map(|(_, b)| b).unwrap_or_default();
        return Some(vec![format!("SELECT {}", body.trim().trim_end_matches(';'))]);
    }
    if head.starts_with("CREATE OR REPLACE TASK") {
        let call = &statement[upper.rfind("\nAS\n").expect("a task has AS") + 4..];
        return Some(vec![call.trim().to_string()]);
    }
    if head.starts_with("CREATE OR REPLACE PROCEDURE") {
        // Snowflake Scripting: the SQL statements between BEGIN and the final END.
        let body = statement.split("$$").nth(1).expect("a $$ body");
        let mut sql = Vec::new();
        for s in body.split(';') {
            let s = s.trim();
            let mut s = s.trim_start_matches("BEGIN").trim();
            if let Some(i) = s.find("WHEN OTHER THEN") {
                s = s[i + "WHEN OTHER THEN".len()..].trim();
            }
            let first = s.split_whitespace().next().unwrap_or("").to_uppercase();
            if ["MERGE", "INSERT", "UPDATE", "SELECT"].contains(&first.as_str()) {
                // Scripting variables (`:x`, `analysis.x`) are plain expressions to the parser; `INTO :x`,
                // scripting's assignment of a result, is not SQL the parser knows.
                let s = match s.find(" INTO :") {
                    Some(i) if first == "SELECT" => {
                        let rest = &s[i + " INTO :".len()..];
                        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                        format!("{}{}", &s[..i], &rest[end..])
                    }
                    _ => s.to_string(),
                };
                sql.push(s);
            }
        }
        assert!(!sql.is_empty(), "no SQL found in a procedure");
        return Some(sql);
    }
    None
}

/// Every statement (and every wrapped statement's inner SQL), parsed.
fn statements() -> Vec<(String, Statement)> {
    let mut all = Vec::new();
    let mut failures = Vec::new();
    for (name, text) in files() {
        for statement in split(&text) {
            let pieces = inner_sql(&statement).unwrap_or_else(|| vec![statement.clone()]);
            for piece in pieces {
                match Parser::parse_sql(&SnowflakeDialect {}, &piece) {
                    Ok(parsed) => all.extend(parsed.into_iter().map(|s| (name.clone(), s))),
                    Err(e) => failures.push(format!("{name}: {e}\n{piece}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} statements do not parse:\n{}", failures.len(), failures.join("\n\n"));
    all
}

#[test]
fn every_statement_parses_in_the_snowflake_dialect() {
    let all = statements();
    assert!(all.len() > 50, "only {} statements", all.len());
}

#[test]
fn every_mart_carries_the_row_access_policy() {
    let text: String = files().into_iter().map(|(_, t)| t.to_uppercase()).collect();
    let attach = |table: &str, policy: &str, columns: &str| {
        format!("CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('{table}', '{policy}', '{columns}');")
    };
    for table in inda_core::marts::names() {
        let upper = table.to_uppercase();
        assert!(
            text.contains(&attach(&format!("MARTS.{upper}"), "ADMIN.TENANT_DATA_POLICY", "TENANT_ID")),
            "MARTS.{upper} has no row access policy"
        );
    }
    assert!(
        !text.lines().any(|l| !l.trim_start().starts_with("--") && l.contains("CURRENT_SESSION_CONTEXT"))
    );
    // The app reads the tenants directory from ADMIN.TENANTS: never before a policy guards it.
    let policy = text
        .find(&attach("ADMIN.TENANTS", "ADMIN.TENANT_CONFIG_POLICY", "TENANT_ID, PARTNER_ID"))
        .expect("ADMIN.TENANTS has a row access policy");
    let grant =
        text.find("GRANT SELECT ON TABLE ADMIN.TENANTS TO ROLE INDA_APP;").expect("the app may read it");
    assert!(policy < grant, "the grant comes after the policy");
}

/// The policies follow the architecture document's (§2.2): a platform administrator, the tenant's own
/// principals, or a partner administrator (PARTNER_ADMIN in the session) of the row tenant's partner; and
/// every policy statement can run again on a deployed account (Snowflake refuses to replace an attached
/// policy, and to attach a second one).
#[test]
fn the_policies_follow_the_architecture_document_and_can_be_deployed_again() {
    let (_, security) = files().into_iter().find(|(n, _)| n == "06_security.sql").expect("06_security.sql");
    let code: String = security
        .lines()
        .filter(|l| !l.trim_start().starts_with("--"))
        .map(|l| l.to_uppercase() + "\n")
        .collect();
    for policy in ["ADMIN.TENANT_DATA_POLICY", "ADMIN.TENANT_CONFIG_POLICY"] {
        assert!(code.contains(&format!("CREATE ROW ACCESS POLICY IF NOT EXISTS {policy}\n")), "{policy}");
        let set = format!("ALTER ROW ACCESS POLICY {policy} SET BODY ->");
        let at = code.find(&set).unwrap_or_else(|| panic!("no SET BODY for {policy}"));
        let body = &code[at..at + code[at..].find(";\n").expect("the body ends")];
        for part in [
            "IS_ROLE_IN_SESSION('PLATFORM_ADMIN')",
            "ADMIN.TENANT_ACCESS",
            "OR (IS_ROLE_IN_SESSION('PARTNER_ADMIN') AND EXISTS (",
            "ADMIN.PARTNER_ACCESS",
            "IS_ROLE_IN_SESSION(P.ROLE_NAME)",
        ] {
            assert!(body.contains(part), "{policy}: no {part} in\n{body}");
        }
    }
    assert!(!code.contains("CREATE OR REPLACE ROW ACCESS POLICY"), "an attached policy cannot be replaced");
    assert!(!code.contains("ADD ROW ACCESS POLICY ADMIN."), "attached only through the procedure");
}

#[test]
fn the_ddl_has_the_documented_objects() {
    let text: String = statements().iter().map(|(_, s)| s.to_string().to_uppercase() + "\n").collect();
    for schema in ["RAW", "STAGING", "MARTS", "ADMIN"] {
        assert!(text.contains(&format!("CREATE SCHEMA IF NOT EXISTS INDIGITAL_PROD.{schema}")), "{schema}");
    }
    let tables = [
        "RAW.INDIGITAL_USERS",
        "RAW.INDIGITAL_EVENTS",
        "RAW.INDIGITAL_TRANSACTIONS",
        "RAW.INDIGITAL_CAMPAIGNS",
        "RAW.INDIGITAL_MESSAGES",
        "RAW.INDIGITAL_FX_RATES",
        "ADMIN.TENANTS",
        "ADMIN.PARTNERS",
        "ADMIN.SAVED_ANALYSES",
        "ADMIN.ANALYSIS_EXECUTIONS",
        "ADMIN.SYNC_STATE",
        "ADMIN.AUDIT_LOG",
        "ADMIN.TENANT_ACCESS",
    ];
    for t in tables {
        assert!(text.contains(&format!("CREATE TABLE IF NOT EXISTS {t}")), "{t}");
    }
    for v in ["STG_CONTACTS", "STG_ACTIVITIES", "STG_MESSAGES", "STG_CAMPAIGNS", "STG_FX_RATES"] {
        assert!(text.contains(&format!("CREATE OR REPLACE VIEW STAGING.{v}")), "{v}");
    }
    for role in ["PLATFORM_ADMIN", "PARTNER_ADMIN", "PARTNER_INDIGITAL", "INDA_APP"] {
        assert!(text.contains(&format!("CREATE ROLE IF NOT EXISTS {role}")), "{role}");
    }
    // Every mart, with the contract's columns in the contract's order, carries the policy.
    for table in inda_core::marts::names() {
        let upper = table.to_uppercase();
        let create = statements()
            .into_iter()
            .find_map(|(_, s)| match s {
                Statement::CreateTable(c)
                    if c.name.to_string().eq_ignore_ascii_case(&format!("MARTS.{table}")) =>
                {
                    Some(c)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("no CREATE TABLE MARTS.{upper}"));
        let ddl: Vec<String> = create.columns.iter().map(|c| c.name.value.to_lowercase()).collect();
        let schema = inda_warehouse::marts_schema(table).expect("schema");
        let contract: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        assert_eq!(ddl, contract, "MARTS.{upper}");
    }
}
