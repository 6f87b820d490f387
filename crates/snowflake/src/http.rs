//! The HTTP client under snowflake-api's `Connection`.
//!
//! snowflake-api's default client retries every request on transient errors, including the query request
//! itself: after a 5xx or a reset the statement may already have run, and a retry would run it twice. This
//! client has no retry layer; `pool.rs` retries only where it is safe. Two layers instead:
//! - [`StatusCheck`] turns a non-2xx answer into an error that keeps the status and Snowflake's own code
//!   (the crate would only report that the body did not deserialize);
//! - [`Redirect`], only when a profile sets `base_url`, sends requests meant for
//!   `https://{account}.snowflakecomputing.com` there (the crate builds that URL itself).

use crate::SnowflakeError;
use async_trait::async_trait;
use http::Extensions;
use reqwest::{Request, Response, Url};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A non-2xx answer.
#[derive(Debug, Clone)]
pub struct HttpStatusError {
    /// The HTTP status code (429, 503, …): Cortex tells rate limits and server errors apart by it.
    pub status: u16,
    /// Snowflake's error code from the body, when it sent one.
    pub code: Option<String>,
    /// Snowflake's `message` from a JSON body, else the body's first non-blank line (at most 300
    /// characters); `None` for an empty body.
    pub message: Option<String>,
}

impl fmt::Display for HttpStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        write!(f, "Snowflake answered HTTP {} {reason}", self.status)?;
        if let Some(m) = &self.message {
            write!(f, ": {}", first_line(m, 300))?;
        }
        Ok(())
    }
}

impl std::error::Error for HttpStatusError {}

pub(crate) fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
    match line.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &line[..i]),
        None => line.to_string(),
    }
}

pub(crate) struct StatusCheck;

#[async_trait]
impl Middleware for StatusCheck {
    async fn handle(
        &self,
        req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let resp = next.run(req, extensions).await?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap_or_default();
        let json: Option<serde_json::Value> = serde_json::from_str(&body).ok();
        let code = json.as_ref().and_then(|j| j["code"].as_str()).map(str::to_string);
        let message = json
            .as_ref()
            .and_then(|j| j["message"].as_str())
            .map(str::to_string)
            .or_else(|| (!body.trim().is_empty()).then(|| first_line(&body, 300)));
        Err(reqwest_middleware::Error::middleware(HttpStatusError { status, code, message }))
    }
}

/// Rewrites scheme, host and port (keeping path and query) to `base`.
pub(crate) struct Redirect {
    base: Url,
}

#[async_trait]
impl Middleware for Redirect {
    async fn handle(
        &self,
        mut req: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        // Result chunks live on cloud storage, not on the account host: only the account host moves.
        if req.url().host_str().is_some_and(|h| h.ends_with(".snowflakecomputing.com")) {
            let mut url = self.base.clone();
            let base_path = self.base.path().trim_end_matches('/');
            url.set_path(&format!("{base_path}{}", req.url().path()));
            url.set_query(req.url().query());
            *req.url_mut() = url;
        }
        next.run(req, extensions).await
    }
}

/// The client every connection of a warehouse shares.
pub(crate) fn client(
    base_url: Option<&str>,
    extra: &[Arc<dyn Middleware>],
) -> Result<ClientWithMiddleware, SnowflakeError> {
    let inner = reqwest::Client::builder()
        .user_agent(concat!("inda-snowflake/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .referer(false)
        .build()
        .map_err(SnowflakeError::HttpClient)?;
    // Outermost first: the status check also sees answers that a later layer (a test's fault injector)
    // makes up without reaching the network.
    let mut builder = reqwest_middleware::ClientBuilder::new(inner).with(StatusCheck);
    if let Some(base) = base_url {
        let base = Url::parse(base)
            .map_err(|source| SnowflakeError::ClientBaseUrl { url: base.to_string(), source })?;
        builder = builder.with(Redirect { base });
    }
    for m in extra {
        builder = builder.with_arc(m.clone());
    }
    Ok(builder.build())
}
