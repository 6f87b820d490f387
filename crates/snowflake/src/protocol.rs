//! Snowflake's REST protocol on top of snowflake-api's `Connection` (which builds the URLs and headers):
//! login, one statement with bind parameters and per-statement parameters, and the answer as rowtype plus
//! Arrow batches.
//!
//! Why not `SnowflakeApi::exec`: it sends neither bind parameters (Cortex needs them) nor per-statement
//! parameters (the query tag and the server-side timeout), and it drops the rowtype of an empty result, so
//! an empty answer would lose its columns. Its `Session` also parses answers strictly, failing on fields
//! that only some servers send. The Arrow decoding is still the crate's.

use crate::config::{AuthMethod, Credentials, SnowflakeProfile};
use crate::http::{HttpStatusError, first_line};
use base64::Engine;
use serde_json::{Value as Json, json};
use snowflake_api::connection::{Connection, ConnectionError, QueryType};
use snowflake_api::{QueryResult, RawQueryResult, RecordBatch};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Snowflake codes meaning the session token is no longer valid; nothing ran, a new login may retry.
const SESSION_GONE: [&str; 4] = ["390112", "390114", "390104", "390111"];

/// Why a request failed, in the terms the retry rules need.
#[derive(Debug, Clone)]
pub(crate) enum Failure {
    /// Could not connect: the request never left this machine, so any statement may be retried.
    Connect(String),
    /// The connection broke after the request was sent, or the answer was not readable: the statement may
    /// have run.
    Transport(String),
    /// A non-2xx answer.
    Status(HttpStatusError),
    /// The session expired or is unknown to the server: the statement did not run.
    SessionGone(String),
    /// Sign-in refused (wrong password, key or user).
    LoginRefused(String),
    /// Snowflake refused the statement (syntax, permissions, timeout): it is the statement, not the wire.
    Api { code: String, message: String },
    /// Nothing to sign in with, or a key that does not parse.
    Credentials(String),
}

impl Failure {
    pub(crate) fn from_connection(e: ConnectionError) -> Failure {
        match e {
            ConnectionError::RequestMiddlewareError(reqwest_middleware::Error::Middleware(m)) => {
                match m.downcast::<HttpStatusError>() {
                    Ok(status) => match &status.code {
                        Some(code) if SESSION_GONE.contains(&code.as_str()) => {
                            Failure::SessionGone(status.message.clone().unwrap_or_default())
                        }
                        _ => Failure::Status(status),
                    },
                    Err(other) => Failure::Transport(other.to_string()),
                }
            }
            ConnectionError::RequestMiddlewareError(reqwest_middleware::Error::Reqwest(e))
            | ConnectionError::RequestError(e) => reqwest_failure(e),
            ConnectionError::Deserialization(e) => {
                Failure::Transport(format!("Snowflake's answer could not be read: {e}"))
            }
            other => Failure::Transport(other.to_string()),
        }
    }
}

fn reqwest_failure(e: reqwest::Error) -> Failure {
    let connect = e.is_connect();
    // The URL is the account host or a result chunk's signed storage URL: neither goes into a message.
    let e = e.without_url();
    let text = e.to_string();
    let mut source = std::error::Error::source(&e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    let text = if detail.is_empty() { text } else { format!("{text}: {detail}") };
    if connect { Failure::Connect(text) } else { Failure::Transport(text) }
}

/// A signed-in Snowflake session.
#[derive(Debug)]
pub(crate) struct Login {
    pub token: String,
    /// When the session token stops working; `None` when the server did not say.
    pub valid_until: Option<Instant>,
}

impl Login {
    pub(crate) fn auth_header(&self) -> String {
        format!("Snowflake Token=\"{}\"", self.token)
    }
}

pub(crate) async fn login(
    conn: &Connection,
    profile: &SnowflakeProfile,
    credentials: &Credentials,
) -> Result<Login, Failure> {
    let account = profile.account.to_uppercase();
    let user = profile.user.to_uppercase();
    let mut data = json!({
        // snowflake-api's identity: Snowflake picks result formats (Arrow) and minimum versions by driver.
        "CLIENT_APP_ID": "Go",
        "CLIENT_APP_VERSION": "1.6.22",
        "SVN_REVISION": "",
        "ACCOUNT_NAME": account,
        "LOGIN_NAME": user,
        "SESSION_PARAMETERS": {"CLIENT_VALIDATE_DEFAULT_PARAMETERS": true},
        "CLIENT_ENVIRONMENT": {
            "APPLICATION": "inDigital Analytics",
            "OS": std::env::consts::OS,
            "OS_VERSION": std::env::consts::ARCH,
            "OCSP_MODE": "FAIL_OPEN",
        },
    });
    match (profile.auth, credentials) {
        (AuthMethod::Password, Credentials::Password(p)) => data["PASSWORD"] = json!(p.expose()),
        (AuthMethod::KeyPair, Credentials::KeyPair(pem)) => {
            data["AUTHENTICATOR"] = json!("SNOWFLAKE_JWT");
            data["TOKEN"] = json!(crate::jwt::token(pem.expose(), &account, &user)?);
        }
        _ => return Err(Failure::Credentials("the credentials do not match the profile's `auth`".into())),
    }
    let mut params =
        vec![("databaseName", profile.database.as_str()), ("schemaName", profile.schema.as_str())];
    if let Some(w) = &profile.warehouse {
        params.push(("warehouse", w.as_str()));
    }
    if let Some(r) = &profile.role {
        params.push(("roleName", r.as_str()));
    }
    let answer: Json = conn
        .request(QueryType::LoginRequest, &profile.account, &params, None, json!({ "data": data }))
        .await
        .map_err(Failure::from_connection)
        .map_err(|f| match f {
            // A 401/403 on login is a refusal, not an expired session.
            Failure::SessionGone(m) => Failure::LoginRefused(m),
            Failure::Status(s) if s.status == 401 || s.status == 403 => Failure::LoginRefused(s.to_string()),
            other => other,
        })?;
    if answer["success"].as_bool() != Some(true) {
        let code = answer["code"].as_str().unwrap_or("?");
        let message = answer["message"].as_str().unwrap_or("no message");
        return Err(Failure::LoginRefused(format!("{} (code {code})", first_line(message, 300))));
    }
    let token = answer["data"]["token"]
        .as_str()
        .ok_or_else(|| Failure::Transport("Snowflake's login answer has no session token".into()))?
        .to_string();
    let valid_until = answer["data"]["validityInSeconds"]
        .as_i64()
        .filter(|s| *s > 0)
        // A margin, so that a query never starts on a token about to lapse.
        .map(|s| Instant::now() + Duration::from_secs(s as u64).saturating_sub(Duration::from_secs(60)));
    Ok(Login { token, valid_until })
}

/// Closes a session server-side (also ending what it still runs). Best effort.
pub(crate) async fn logout(conn: &Connection, account: &str, login: &Login) {
    let _ = conn
        .request::<Json>(
            QueryType::CloseSession,
            account,
            &[("delete", "true")],
            Some(&login.auth_header()),
            json!({}),
        )
        .await;
}

/// One column as Snowflake describes it.
#[derive(Debug, Clone)]
pub(crate) struct RowType {
    pub name: String,
    /// Lower-case Snowflake type: `fixed`, `real`, `text`, `date`, `timestamp_ntz`, `variant`, …
    pub kind: String,
    pub precision: Option<i64>,
    pub scale: Option<i64>,
}

/// What a statement returned.
pub(crate) struct Answer {
    pub rowtype: Vec<RowType>,
    pub batches: Vec<RecordBatch>,
    /// Rows as JSON text cells, for statements Snowflake answers without Arrow (DML, some SHOW).
    pub json_rows: Option<Vec<Vec<Json>>>,
    /// More rows exist in chunks not fetched because `max_rows` was reached.
    pub more: bool,
}

/// Per-statement parameters: applied to this statement only, so a pooled session never carries one
/// analyst's tag into another's query.
pub(crate) struct Statement<'a> {
    pub sql: &'a str,
    /// Positional `?` parameters; `None` binds NULL.
    pub binds: &'a [Option<&'a str>],
    pub query_tag: &'a str,
    pub timeout: Duration,
    pub sequence_id: u64,
    pub max_rows: usize,
}

pub(crate) async fn execute(
    conn: &Connection,
    account: &str,
    login: &Login,
    st: &Statement<'_>,
) -> Result<Answer, Failure> {
    let mut body = json!({
        "sqlText": st.sql,
        "asyncExec": false,
        "sequenceId": st.sequence_id,
        "isInternal": false,
        "parameters": {
            "QUERY_TAG": st.query_tag,
            // The server stops the statement too when the client gives up on it.
            "STATEMENT_TIMEOUT_IN_SECONDS": st.timeout.as_secs().max(1),
        },
    });
    if !st.binds.is_empty() {
        let bindings: serde_json::Map<String, Json> = st
            .binds
            .iter()
            .enumerate()
            .map(|(i, v)| ((i + 1).to_string(), json!({"type": "TEXT", "value": v})))
            .collect();
        body["bindings"] = Json::Object(bindings);
    }
    let answer: Json = conn
        .request(QueryType::ArrowQuery, account, &[], Some(&login.auth_header()), body)
        .await
        .map_err(Failure::from_connection)?;
    if answer["success"].as_bool() != Some(true) {
        let code =
            answer["data"]["errorCode"].as_str().or(answer["code"].as_str()).unwrap_or("?").to_string();
        let message = answer["message"].as_str().unwrap_or("no message").to_string();
        if SESSION_GONE.contains(&code.as_str()) {
            return Err(Failure::SessionGone(message));
        }
        return Err(Failure::Api { code, message });
    }
    let data = &answer["data"];
    let rowtype = data["rowtype"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| RowType {
                    name: c["name"].as_str().unwrap_or("").to_string(),
                    kind: c["type"].as_str().unwrap_or("text").to_ascii_lowercase(),
                    precision: c["precision"].as_i64(),
                    scale: c["scale"].as_i64(),
                })
                .collect()
        })
        .unwrap_or_default();
    if let Some(rows) = data["rowset"].as_array() {
        let rows = rows.iter().map(|r| r.as_array().cloned().unwrap_or_default()).collect();
        return Ok(Answer { rowtype, batches: vec![], json_rows: Some(rows), more: false });
    }
    let mut parts = Vec::new();
    if let Some(b64) = data["rowsetBase64"].as_str()
        && !b64.is_empty()
    {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| Failure::Transport(format!("Snowflake's result is not valid base64: {e}")))?;
        parts.push(bytes::Bytes::from(bytes));
    }
    let mut batches = decode(parts)?;
    let mut rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Large results come as chunks on cloud storage. Fetching a chunk is a plain read, but it is only done
    // while rows are still wanted.
    let chunks = data["chunks"].as_array().cloned().unwrap_or_default();
    let mut headers: HashMap<String, String> = data["chunkHeaders"]
        .as_object()
        .map(|h| h.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
        .unwrap_or_default();
    if headers.is_empty()
        && let Some(qrmk) = data["qrmk"].as_str()
    {
        headers.insert("x-amz-server-side-encryption-customer-algorithm".into(), "AES256".into());
        headers.insert("x-amz-server-side-encryption-customer-key".into(), qrmk.into());
    }
    let mut more = false;
    for (i, chunk) in chunks.iter().enumerate() {
        if rows > st.max_rows {
            more = i < chunks.len();
            break;
        }
        let url =
            chunk["url"].as_str().ok_or_else(|| Failure::Transport("a result chunk has no URL".into()))?;
        let bytes = conn.get_chunk(url, &headers).await.map_err(Failure::from_connection)?;
        let more_batches = decode(vec![bytes])?;
        rows += more_batches.iter().map(RecordBatch::num_rows).sum::<usize>();
        batches.extend(more_batches);
    }
    Ok(Answer { rowtype, batches, json_rows: None, more })
}

fn decode(parts: Vec<bytes::Bytes>) -> Result<Vec<RecordBatch>, Failure> {
    if parts.is_empty() {
        return Ok(vec![]);
    }
    match RawQueryResult::Bytes(parts).deserialize_arrow() {
        Ok(QueryResult::Arrow(batches)) => Ok(batches),
        Ok(_) => Ok(vec![]),
        Err(e) => Err(Failure::Transport(format!("Snowflake's Arrow result could not be read: {e}"))),
    }
}
