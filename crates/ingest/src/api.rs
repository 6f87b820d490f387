//! The inDigital API client: `GET <base>/v1/<entity>?updated_since=&limit=&cursor=` with the tenant in the
//! `X-Tenant-ID` header and the key as a bearer token; answers `{"data": [...], "pagination": {"cursor",
//! "has_more"}}`. Timeouts on every request; transient failures (timeouts, dropped connections, 5xx, 429)
//! are retried with exponential backoff, and a 429's `Retry-After` is waited for. Anything else (401, 404,
//! a malformed body) fails at once.

use crate::entity::Entity;
use inda_core::Error;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// e.g. `http://127.0.0.1:8088` (the `/v1/...` paths are appended).
    pub base_url: String,
    pub api_key: Option<String>,
    pub timeout: Duration,
    /// Attempts after the first one for a page.
    pub max_retries: u32,
    /// First backoff; doubles per attempt, capped at 10 s.
    pub backoff: Duration,
    /// The longest `Retry-After` honoured (longer ones are clamped).
    pub max_retry_after: Duration,
}

impl ApiConfig {
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

#[derive(Debug, Deserialize)]
pub struct Pagination {
    pub cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
}

#[derive(Debug, Deserialize)]
pub struct Page {
    pub data: Vec<Value>,
    pub pagination: Pagination,
}

/// One tenant as the API lists it (`GET /v1/tenants`).
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
pub struct ApiTenant {
    pub tenant_id: String,
    #[serde(default)]
    pub tenant_name: String,
    #[serde(default)]
    pub partner_id: String,
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
    pub updated_since: Option<&'a str>,
    pub cursor: Option<&'a str>,
    pub limit: usize,
}

pub struct ApiClient {
    http: reqwest::Client,
    config: ApiConfig,
}

enum Failure {
    Transient(String, Option<Duration>),
    Permanent(Error),
}

impl ApiClient {
    pub fn new(config: ApiConfig) -> Result<Self, Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(ApiClient { http, config })
    }

    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// The active tenants the API serves.
    pub async fn tenants(&self) -> Result<Vec<ApiTenant>, Error> {
        let (list, _): (TenantList, u32) = self.get_json("/v1/tenants", None, &[]).await?;
        Ok(list.data.into_iter().filter(|t| t.is_active).collect())
    }

    /// Fetches one page; returns it with the number of retries it took.
    pub async fn page(
        &self,
        tenant: &str,
        entity: Entity,
        req: &PageRequest<'_>,
    ) -> Result<(Page, u32), Error> {
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
    ) -> Result<(T, u32), Error> {
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
                        return Err(Error::engine(format!(
                            "{path}: gave up after {} attempts: {why}",
                            attempt + 1
                        )));
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
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64);
            return Err(Failure::Transient(
                "429 too many requests".into(),
                after.or(Some(self.config.backoff)),
            ));
        }
        if status.is_server_error() || status.as_u16() == 408 {
            return Err(Failure::Transient(format!("HTTP {status}"), None));
        }
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(Failure::Permanent(Error::auth(format!(
                "the inDigital API refused the key (HTTP {status}): set INDIGITAL_API_KEY or `inda secret set indigital-api`"
            ))));
        }
        if !status.is_success() {
            return Err(Failure::Permanent(Error::engine(format!(
                "the inDigital API answered HTTP {status} for {url}"
            ))));
        }
        // Reading the body can fail mid-way (a dropped connection): transient.
        let bytes = resp.bytes().await.map_err(|e| Failure::Transient(describe(&e), None))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            // A truncated body is a dropped connection in disguise; anything else is a contract break.
            if e.is_eof() {
                Failure::Transient(format!("truncated response: {e}"), None)
            } else {
                Failure::Permanent(Error::engine(format!("the inDigital API sent a malformed page: {e}")))
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
