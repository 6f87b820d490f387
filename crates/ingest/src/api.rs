//! The inDigital API client: `GET <base>/v1/<entity>?updated_since=&limit=&cursor=` with the tenant in the
//! `X-Tenant-ID` header and the key as a bearer token; answers `{"data": [...], "pagination": {"cursor",
//! "has_more"}}`. Timeouts on every request; transient failures (timeouts, dropped connections, 5xx, 429)
//! are retried with exponential backoff, and a 429's `Retry-After` is waited for. Anything else (401, 404,
//! a malformed body) fails at once.

use crate::SyncError;
use crate::entity::Entity;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// Where the inDigital API is, the key to present, and how patiently to ask.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// e.g. `http://127.0.0.1:8088` (the `/v1/...` paths are appended).
    pub base_url: String,
    /// Sent as a bearer token; `None` sends no `Authorization` header (an API that asks for no key).
    pub api_key: Option<String>,
    /// The limit on each request, its body included; connecting gets at most 10 s of it.
    pub timeout: Duration,
    /// Attempts after the first one for a page.
    pub max_retries: u32,
    /// First backoff; doubles per attempt, capped at 10 s.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured (longer ones are clamped).
    pub max_retry_after: Duration,
}

impl ApiConfig {
    /// The API at `base_url` (a trailing `/` dropped), with no key, 30 s per request, 5 retries backing off
    /// from 200 ms, and `Retry-After` honoured up to 60 s.
    pub fn new(base_url: impl Into<String>) -> Self {
        ApiConfig {
            base_url: base_url.into().trim_end_matches('/').to_string(),
            api_key: None,
            timeout: Duration::from_secs(30),
            max_retries: 5,
            backoff: Duration::from_millis(200),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

/// The `pagination` object of a page.
#[derive(Debug, Deserialize)]
pub struct Pagination {
    /// What to send as `cursor` for the next page; `None` or empty on the last page.
    pub cursor: Option<String>,
    /// Whether another page follows; missing means `false`. Without a cursor the page is the last anyway.
    #[serde(default)]
    pub has_more: bool,
}

/// One answer of `GET /v1/<entity>`.
#[derive(Debug, Deserialize)]
pub struct Page {
    /// The records as received, not yet validated ([`crate::raw::validate`] does that).
    pub data: Vec<Value>,
    /// Whether, and from where, to fetch the next page.
    pub pagination: Pagination,
}

/// One tenant as the API lists it (`GET /v1/tenants`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ApiTenant {
    /// The id the entity requests send in `X-Tenant-ID`; also the tenant's id in the warehouse.
    pub tenant_id: String,
    /// The name shown to people; empty when the API leaves it out.
    #[serde(default)]
    pub tenant_name: String,
    /// The partner the tenant belongs to; empty when the API leaves it out.
    #[serde(default)]
    pub partner_id: String,
    /// A sync of every tenant skips inactive ones; missing means active.
    #[serde(default = "yes")]
    pub is_active: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
struct TenantList {
    data: Vec<ApiTenant>,
}

/// A page request.
#[derive(Debug, Clone, Default)]
pub struct PageRequest<'a> {
    /// Asks only for records updated since this time ([`crate::raw::format_ts`] text); `None`: all of them
    /// (a first run, or a full refresh).
    pub updated_since: Option<&'a str>,
    /// The previous page's [`Pagination::cursor`]; `None` for a run's first page.
    pub cursor: Option<&'a str>,
    /// Records per page, 1 to 10,000 ([`crate::sync_into`] refuses others before any request).
    pub limit: usize,
}

/// A client of the inDigital API that applies the retry rules above to every request.
pub struct ApiClient {
    http: reqwest::Client,
    config: ApiConfig,
}

enum Failure {
    Transient(String, Option<Duration>),
    Permanent(SyncError),
}

impl ApiClient {
    /// Builds the HTTP client with `config`'s timeouts; sends nothing yet.
    pub fn new(config: ApiConfig) -> Result<Self, SyncError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(SyncError::HttpClient)?;
        Ok(ApiClient { http, config })
    }

    /// The configuration the client was built with.
    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// The active tenants the API serves.
    pub async fn tenants(&self) -> Result<Vec<ApiTenant>, SyncError> {
        let (list, _): (TenantList, u32) = self.get_json("/v1/tenants", None, &[]).await?;
        Ok(list.data.into_iter().filter(|t| t.is_active).collect())
    }

    /// Fetches one page; returns it with the number of retries it took.
    pub async fn page(
        &self,
        tenant: &str,
        entity: Entity,
        req: &PageRequest<'_>,
    ) -> Result<(Page, u32), SyncError> {
        let limit = req.limit.to_string();
        let mut query: Vec<(&str, &str)> = vec![("limit", &limit)];
        if let Some(s) = req.updated_since {
            query.push(("updated_since", s));
        }
        if let Some(c) = req.cursor {
            query.push(("cursor", c));
        }
        self.get_json(&format!("/v1/{}", entity.name()), Some(tenant), &query).await
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        tenant: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<(T, u32), SyncError> {
        let url = format!("{}{path}", self.config.base_url);
        let mut attempt = 0u32;
        loop {
            let failure = match self.try_once::<T>(&url, tenant, query).await {
                Ok(v) => return Ok((v, attempt)),
                Err(f) => f,
            };
            match failure {
                Failure::Permanent(e) => return Err(e),
                Failure::Transient(why, retry_after) => {
                    if attempt >= self.config.max_retries {
                        return Err(SyncError::GaveUp { path: path.to_string(), attempts: attempt + 1, why });
                    }
                    let backoff = self
                        .config
                        .backoff
                        .saturating_mul(1u32 << attempt.min(16))
                        .min(Duration::from_secs(10));
                    let wait = retry_after.map_or(backoff, |r| r.min(self.config.max_retry_after));
                    tracing::info!(path, attempt, wait_ms = wait.as_millis() as u64, why, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn try_once<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        tenant: Option<&str>,
        query: &[(&str, &str)],
    ) -> Result<T, Failure> {
        let mut req = self.http.get(url).query(query);
        if let Some(t) = tenant {
            req = req.header("X-Tenant-ID", t);
        }
        if let Some(k) = &self.config.api_key {
            req = req.bearer_auth(k);
        }
        let resp = req.send().await.map_err(|e| Failure::Transient(describe(&e), None))?;
        let status = resp.status();
        if status.as_u16() == 429 {
            let after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| inda_core::retry_after(v, chrono::Utc::now()));
            return Err(Failure::Transient(
                "429 too many requests".into(),
                after.or(Some(self.config.backoff)),
            ));
        }
        if status.is_server_error() || status.as_u16() == 408 {
            return Err(Failure::Transient(format!("HTTP {status}"), None));
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(Failure::Permanent(SyncError::KeyRefused { status }));
        }
        if !status.is_success() {
            return Err(Failure::Permanent(SyncError::HttpStatus { status, url: url.to_string() }));
        }
        // Reading the body can fail mid-way (a dropped connection): transient.
        let bytes = resp.bytes().await.map_err(|e| Failure::Transient(describe(&e), None))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            // A truncated body is a dropped connection in disguise; anything else is a contract break.
            if e.is_eof() {
                Failure::Transient(format!("truncated response: {e}"), None)
            } else {
                Failure::Permanent(SyncError::MalformedPage(e))
            }
        })
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else if e.is_body() || e.is_decode() {
        "the connection dropped mid-response".into()
    } else {
        let text = e.to_string();
        text.split(" for url").next().unwrap_or("request failed").to_string()
    }
}
