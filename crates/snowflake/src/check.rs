//! `inda warehouse test`: whether a profile can serve analysts, checked the way a query would use it.
//!
//! Each check runs its own statement, so one function an account (or a protocol peer) lacks fails that
//! check alone and the others still report. The statements are the app's own (`run_trusted`), never user
//! SQL, and read only metadata and row counts.
//!
//! The row access policies are compared with `warehouse/snowflake/06_security.sql` as this build embeds it:
//! each policy's body (`DESCRIBE ROW ACCESS POLICY`, compared token by token, ignoring whitespace, comments
//! and the case of everything but quoted text) and the policy on each table the file attaches one to
//! (`INFORMATION_SCHEMA.POLICY_REFERENCES`). What the account will not say (a role without the APPLY or
//! OWNERSHIP privilege those need, or a protocol peer without them) is reported as `warn`, unverified,
//! never as a pass.

use crate::{SnowflakeError, SnowflakeWarehouse};
use inda_core::{Error, ResultSet, Session, Value};
use inda_warehouse::{Cancel, QueryLimits};
use serde::Serialize;
use std::time::{Duration, Instant};

/// The deployable row access policies, as this build knows them.
const SECURITY_SQL: &str = include_str!("../../../warehouse/snowflake/06_security.sql");

/// The policy every mart must carry.
const MART_POLICY: &str = "ADMIN.TENANT_DATA_POLICY";

/// The marts every tenant's answers read (`inda_core::marts`, upper-cased as Snowflake spells them, in the
/// schema's order); each must exist and carry a row access policy.
fn marts() -> impl Iterator<Item = String> {
    inda_core::marts::names().map(str::to_ascii_uppercase)
}

/// How a check came out; serialized as `ok`, `warn` or `fail` (`inda warehouse test --format json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// The profile is fit for analysts on this point.
    Ok,
    /// Could not be verified: the account did not answer what the check needs (the detail says what, and
    /// what would let it). Nothing wrong was found, but nothing is vouched for either; it does not fail
    /// the report.
    Warn,
    /// Something is missing or wrong; the check's `detail` says what to do. Any failure fails the report
    /// ([`verdict`]).
    Fail,
}

impl CheckStatus {
    /// `ok`, `warn` or `fail`, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
        }
    }
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
        match outcome {
            Ok(detail) => Check::with_status(name, started, CheckStatus::Ok, detail),
            Err(detail) => Check::with_status(name, started, CheckStatus::Fail, detail),
        }
    }

    /// A check named `name` that took since `started`, with its status and detail.
    pub fn with_status(name: &'static str, started: Instant, status: CheckStatus, detail: String) -> Check {
        Check { name, status, detail, ms: started.elapsed().as_millis() as u64 }
    }
}

impl SnowflakeWarehouse {
    /// Signs in as `session`'s user with the profile and checks, in order: connectivity, the role, the
    /// warehouse and the database the session got, that every mart exists, and that the account's row
    /// access policies (the second wall behind the guard) are 06_security.sql's and on every mart and admin
    /// table it names. Stops after a failed sign-in: nothing else can run.
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
        let (status, detail) = self.policies(session, &limits, cancel).await;
        checks.push(Check::with_status("row_access_policies", started, status, detail));
        checks
    }

    /// The account's row access policies against 06_security.sql: each policy's body, and the policy on
    /// each table the file attaches one to (every mart among them).
    async fn policies(
        &self,
        session: &Session,
        limits: &QueryLimits,
        cancel: &Cancel,
    ) -> (CheckStatus, String) {
        let database = self.profile().database.to_ascii_uppercase();
        let declared = match declared(SECURITY_SQL) {
            Ok(d) => d,
            Err(e) => return (CheckStatus::Fail, format!("06_security.sql as built in: {e}")),
        };
        let mut findings = Vec::new();
        for (policy, body) in &declared.policies {
            let sql = format!("DESCRIBE ROW ACCESS POLICY {database}.{policy}");
            findings.push(match self.run_trusted(session, &sql, &[], limits, cancel).await {
                Err(e) => Finding::Unknown(format!("the body of {policy} (DESCRIBE: {})", e.message)),
                Ok(rs) => match column(&rs, "body") {
                    None => Finding::Unknown(format!("the body of {policy} (DESCRIBE gave no body)")),
                    Some(live) => compare_body(policy, body, &live),
                },
            });
        }
        for (table, policy) in declared.attachments(marts()) {
            let entity = format!("{database}.{table}");
            let sql = format!(
                "SELECT POLICY_SCHEMA || '.' || POLICY_NAME FROM TABLE({database}.INFORMATION_SCHEMA.\
                 POLICY_REFERENCES(REF_ENTITY_NAME => ?, REF_ENTITY_DOMAIN => 'table')) \
                 WHERE POLICY_KIND = 'ROW_ACCESS_POLICY'"
            );
            match self.run_trusted(session, &sql, &[&entity], limits, cancel).await {
                // One refusal says it for every table: the role cannot read attachments.
                Err(e) => {
                    findings.push(Finding::Unknown(format!(
                        "which tables carry which policy (INFORMATION_SCHEMA.POLICY_REFERENCES: {})",
                        e.message
                    )));
                    break;
                }
                Ok(rs) => {
                    let found: Vec<String> =
                        rs.rows.iter().map(|r| first_of(r).to_ascii_uppercase()).collect();
                    findings.push(compare_attachment(&table, &policy, &found));
                }
            }
        }
        summarize(&findings)
    }
}

/// What one comparison found.
#[derive(Debug, Clone, PartialEq)]
enum Finding {
    /// As 06_security.sql has it.
    Matches(String),
    /// Not as 06_security.sql has it: what differs.
    Differs(String),
    /// The account did not say: what could not be read, and Snowflake's reason.
    Unknown(String),
}

/// One status and detail from every finding: any difference fails, else anything unread warns, else ok.
fn summarize(findings: &[Finding]) -> (CheckStatus, String) {
    let (mut matches, mut differs, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for f in findings {
        match f {
            Finding::Matches(m) => matches.push(m.as_str()),
            Finding::Differs(m) => differs.push(m.as_str()),
            Finding::Unknown(m) => unknown.push(m.as_str()),
        }
    }
    let unread = if unknown.is_empty() {
        String::new()
    } else {
        format!(" Not verified either: {}.", unknown.join("; "))
    };
    if !differs.is_empty() {
        let differs = differs.join("; ");
        return (
            CheckStatus::Fail,
            format!(
                "{differs}: only the guard keeps tenants apart there (deploy \
                 warehouse/snowflake/06_security.sql).{unread}"
            ),
        );
    }
    if !unknown.is_empty() {
        let read = if matches.is_empty() {
            String::new()
        } else {
            format!(" What could be read matches: {}.", matches.join("; "))
        };
        return (
            CheckStatus::Warn,
            format!(
                "NOT VERIFIED, the account did not show {}. The second wall is not vouched for: run the check \
                 with a role that has APPLY ROW ACCESS POLICY (or owns the policies) to compare them with \
                 warehouse/snowflake/06_security.sql.{read}",
                unknown.join("; ")
            ),
        );
    }
    (CheckStatus::Ok, matches.join("; "))
}

/// A policy's body on the account against the file's.
fn compare_body(policy: &str, expected: &str, live: &str) -> Finding {
    let (want, got) = (tokens(expected), tokens(live));
    if want == got {
        return Finding::Matches(format!("{policy} as in 06_security.sql"));
    }
    let at = want.iter().zip(&got).take_while(|(a, b)| a == b).count();
    let near = |t: &[String]| {
        let shown: Vec<&str> = t.iter().skip(at).take(8).map(String::as_str).collect();
        if shown.is_empty() { "(its end)".to_string() } else { format!("`{}`", shown.join(" ")) }
    };
    Finding::Differs(format!(
        "the body of {policy} differs from 06_security.sql at token {}: the account has {}, the file {}",
        at + 1,
        near(&got),
        near(&want)
    ))
}

/// The policies a table carries (`SCHEMA.NAME`, upper case) against the one it should.
fn compare_attachment(table: &str, policy: &str, found: &[String]) -> Finding {
    match found {
        [] => Finding::Differs(format!("{table} has no row access policy")),
        [one] if one.eq_ignore_ascii_case(policy) => Finding::Matches(format!("{table} carries {policy}")),
        other => Finding::Differs(format!("{table} carries {} instead of {policy}", other.join(", "))),
    }
}

/// What 06_security.sql declares: each policy's body (from its `ALTER ROW ACCESS POLICY … SET BODY ->`) and
/// each table's policy (from its `CALL ADMIN.SP_ATTACH_ROW_ACCESS_POLICY('TABLE', 'POLICY', …)`), names
/// upper-cased.
#[derive(Debug)]
struct Declared {
    policies: Vec<(String, String)>,
    attachments: Vec<(String, String)>,
}

impl Declared {
    /// The tables to check with their policy: the file's, and any mart it forgot with the marts' policy.
    fn attachments(&self, marts: impl Iterator<Item = String>) -> Vec<(String, String)> {
        let mut all = self.attachments.clone();
        for mart in marts.map(|m| format!("MARTS.{m}")) {
            if !all.iter().any(|(t, _)| *t == mart) {
                all.push((mart, MART_POLICY.to_string()));
            }
        }
        all
    }
}

fn declared(sql: &str) -> Result<Declared, String> {
    let mut policies = Vec::new();
    let mut attachments = Vec::new();
    for statement in statements(sql) {
        let words: Vec<String> = statement.split_whitespace().take(5).map(str::to_ascii_uppercase).collect();
        if words.len() == 5 && words[..4] == ["ALTER", "ROW", "ACCESS", "POLICY"] {
            let (_, body) = statement.split_once("->").ok_or("a SET BODY without `->`")?;
            policies.push((words[4].clone(), body.trim().trim_end_matches(';').trim().to_string()));
        } else if words.first().is_some_and(|w| w == "CALL")
            && statement.to_ascii_uppercase().contains("ADMIN.SP_ATTACH_ROW_ACCESS_POLICY(")
        {
            let quoted: Vec<&str> = statement.split('\'').skip(1).step_by(2).collect();
            match quoted.as_slice() {
                [table, policy, _columns] => {
                    attachments.push((table.to_ascii_uppercase(), policy.to_ascii_uppercase()))
                }
                _ => return Err(format!("cannot read the attachment `{}`", statement.trim())),
            }
        }
    }
    if policies.is_empty() || !policies.iter().any(|(p, _)| p == MART_POLICY) {
        return Err(format!("no SET BODY for {MART_POLICY}"));
    }
    Ok(Declared { policies, attachments })
}

/// The statements of a deployment file (`warehouse/snowflake/*.sql`): each ends with `;` at the end of a
/// line outside `$$ … $$` bodies; comment lines before a statement are dropped. Text after the last `;`
/// comes last as it is, so a caller can tell a statement that lacks its `;`.
pub fn statements(sql: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_body = false;
    for line in sql.lines() {
        if line.trim_start().starts_with("--") && current.trim().is_empty() {
            continue;
        }
        in_body ^= line.matches("$$").count() % 2 == 1;
        current.push_str(line);
        current.push('\n');
        if !in_body && line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// SQL as tokens for comparison: whitespace and comments dropped, words upper-cased (Snowflake folds
/// unquoted names), quoted strings and identifiers kept as written, operators whole (`<>`, `||`, `=>`).
fn tokens(sql: &str) -> Vec<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && next == Some('-') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c == '\'' || c == '"' {
            // A quoted string or identifier, a doubled quote inside it included.
            let start = i;
            i += 1;
            while i < chars.len() {
                if chars[i] == c && chars.get(i + 1) == Some(&c) {
                    i += 2;
                } else if chars[i] == c {
                    i += 1;
                    break;
                } else {
                    i += 1;
                }
            }
            out.push(chars[start..i.min(chars.len())].iter().collect());
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '$') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect::<String>().to_uppercase());
        } else {
            let pair: String = [Some(c), next].iter().flatten().collect();
            if ["<>", "!=", "<=", ">=", "||", "->", "=>", "::"].contains(&pair.as_str()) {
                out.push(pair);
                i += 2;
            } else {
                out.push(c.to_string());
                i += 1;
            }
        }
    }
    out
}

/// The value of the first row's column named `name` (any case), as text.
fn column(rs: &ResultSet, name: &str) -> Option<String> {
    let i = rs.columns.iter().position(|c| c.name.eq_ignore_ascii_case(name))?;
    match rs.rows.first()?.get(i)? {
        Value::Null => None,
        v => Some(v.to_text()),
    }
}

/// A row's first value as text ("" for none or NULL).
fn first_of(row: &[Value]) -> String {
    match row.first() {
        None | Some(Value::Null) => String::new(),
        Some(v) => v.to_text(),
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

/// The report's verdict: an `engine` error naming the failed checks, or `Ok` when none failed (a `warn`,
/// unverified, does not fail it: its detail says so).
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

    fn declared_file() -> Declared {
        declared(SECURITY_SQL).expect("06_security.sql declares its policies")
    }

    #[test]
    fn the_file_declares_both_policies_and_a_policy_on_every_mart_and_admin_table_the_app_reads() {
        let d = declared_file();
        let names: Vec<&str> = d.policies.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, ["ADMIN.TENANT_DATA_POLICY", "ADMIN.TENANT_CONFIG_POLICY"]);
        for (_, body) in &d.policies {
            let t = tokens(body);
            for role in ["'PLATFORM_ADMIN'", "'PARTNER_ADMIN'"] {
                assert!(t.iter().any(|x| x == role), "{role} missing from {body}");
            }
            assert!(!t.iter().any(|x| x == "CURRENT_SESSION_CONTEXT"), "session context is client-chosen");
        }
        // Every mart from the file itself, not from the fallback.
        for mart in marts() {
            let table = format!("MARTS.{mart}");
            assert!(d.attachments.contains(&(table.clone(), MART_POLICY.into())), "{table} not attached");
        }
        for table in ["ADMIN.SAVED_ANALYSES", "ADMIN.ANALYSIS_EXECUTIONS", "ADMIN.AUDIT_LOG"] {
            assert!(d.attachments.contains(&(table.into(), MART_POLICY.into())), "{table}");
        }
        assert!(d.attachments.contains(&("ADMIN.TENANTS".into(), "ADMIN.TENANT_CONFIG_POLICY".into())));
        assert_eq!(d.attachments(marts()).len(), d.attachments.len());
    }

    #[test]
    fn bodies_compare_ignoring_whitespace_comments_and_case_but_not_quoted_text() {
        let d = declared_file();
        let (policy, body) = &d.policies[0];
        // As Snowflake might give it back: one line, other case, a comment.
        let reflowed = body.split_whitespace().collect::<Vec<_>>().join(" ");
        let reflowed = reflowed
            .replace("IS_ROLE_IN_SESSION", "is_role_in_session")
            .replace("OR EXISTS", "-- x\nOR EXISTS");
        assert!(matches!(compare_body(policy, body, &reflowed), Finding::Matches(_)));
        assert!(matches!(compare_body(policy, body, &format!("  {body}\n\n")), Finding::Matches(_)));
        // Without the partner-admin requirement: the account has the old policy.
        let old = body.replace("(IS_ROLE_IN_SESSION('PARTNER_ADMIN') AND EXISTS (", "(EXISTS (");
        match compare_body(policy, body, &old) {
            Finding::Differs(m) => {
                assert!(m.contains("ADMIN.TENANT_DATA_POLICY") && m.contains("PARTNER_ADMIN"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        // Quoted text keeps its case: a role named in lower case is another role.
        let lower = body.replace("'PLATFORM_ADMIN'", "'platform_admin'");
        assert!(matches!(compare_body(policy, body, &lower), Finding::Differs(_)));
        // A body cut short names the end.
        let cut = &body[..body.find("OR EXISTS").expect("a second clause")];
        assert!(
            matches!(compare_body(policy, body, cut), Finding::Differs(m) if m.contains("the account has (its end)"))
        );
        assert_eq!(
            tokens("a.b<>'it''s' || x=>y -- c\n/* d */ \"Q\""),
            ["A", ".", "B", "<>", "'it''s'", "||", "X", "=>", "Y", "\"Q\""]
        );
    }

    #[test]
    fn attachments_name_the_table_without_its_policy() {
        let found = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let ok = compare_attachment("MARTS.FCT_MESSAGES", MART_POLICY, &found(&["ADMIN.TENANT_DATA_POLICY"]));
        assert!(matches!(ok, Finding::Matches(_)));
        match compare_attachment("MARTS.FX_RATES", MART_POLICY, &[]) {
            Finding::Differs(m) => assert_eq!(m, "MARTS.FX_RATES has no row access policy"),
            other => panic!("{other:?}"),
        }
        let other = compare_attachment("MARTS.DIM_CONTACTS", MART_POLICY, &found(&["ADMIN.OLD_POLICY"]));
        assert!(matches!(other, Finding::Differs(m) if m.contains("ADMIN.OLD_POLICY instead of")));
    }

    #[test]
    fn a_difference_fails_an_unanswered_question_warns_and_all_matching_passes() {
        let m = Finding::Matches("MARTS.DIM_CONTACTS carries ADMIN.TENANT_DATA_POLICY".into());
        let d = Finding::Differs("MARTS.FX_RATES has no row access policy".into());
        let u = Finding::Unknown("the body of ADMIN.TENANT_DATA_POLICY (DESCRIBE: not authorized)".into());
        let (status, detail) = summarize(&[m.clone(), d.clone(), u.clone()]);
        assert_eq!(status, CheckStatus::Fail);
        assert!(
            detail.contains("MARTS.FX_RATES has no row access policy")
                && detail.contains("Not verified either")
        );
        let (status, detail) = summarize(&[m.clone(), u]);
        assert_eq!(status, CheckStatus::Warn);
        assert!(detail.starts_with("NOT VERIFIED") && detail.contains("not authorized"), "{detail}");
        assert!(detail.contains("What could be read matches: MARTS.DIM_CONTACTS"), "{detail}");
        let (status, detail) = summarize(&[m]);
        assert_eq!(status, CheckStatus::Ok);
        assert_eq!(detail, "MARTS.DIM_CONTACTS carries ADMIN.TENANT_DATA_POLICY");
        // A warning does not fail the report; a failure does.
        let started = Instant::now();
        let warn = Check::with_status("row_access_policies", started, CheckStatus::Warn, "x".into());
        assert!(verdict(std::slice::from_ref(&warn)).is_ok());
        let fail = Check::new("marts", started, Err("y".into()));
        assert!(verdict(&[warn, fail]).is_err_and(|e| e.message.contains("marts")));
        assert_eq!(serde_json::to_value(CheckStatus::Warn).expect("json"), "warn");
    }
}
