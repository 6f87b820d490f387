//! What the HTTP providers share: the client, where to send requests, and turning HTTP failures into
//! [`ErrorKind`]s the router can act on.

use std::time::Duration;

use chrono::{DateTime, Utc};
use inda_core::Secret;
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::{ErrorKind, ProviderError, truncate_message};

/// The base URL to use: the configured one, else the ecosystem's environment variable, else the default.
/// `env_value` is passed in (see [`env_base_url`]) so that resolution stays testable and pure.
pub fn resolve_base_url(configured: Option<&str>, env_value: Option<String>, default: &str) -> String {
    let chosen = configured
        .map(str::to_string)
        .filter(|s| !s.trim().is_empty())
        .or(env_value.filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| default.to_string());
    chosen.trim().trim_end_matches('/').to_string()
}

/// `ANTHROPIC_BASE_URL`, `OPENAI_BASE_URL`, … when set.
pub fn env_base_url(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|s| !s.trim().is_empty())
}

/// `ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, … when set, already wrapped so that it cannot be logged.
pub fn env_api_key(var: &str) -> Option<Secret> {
    std::env::var(var).ok().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).map(Secret::new)
}

pub(crate) fn client(timeout: Duration) -> Result<reqwest::Client, ProviderError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| ProviderError::new("http", ErrorKind::Network, format!("cannot build HTTP client: {e}")))
}

/// Whether a reply is one JSON document rather than an event stream.
pub(crate) fn is_json(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

/// Classifies a transport error. reqwest's text can carry the URL, never a header, but it is scrubbed too.
pub(crate) fn transport_error(provider: &str, err: &reqwest::Error, key: Option<&Secret>) -> ProviderError {
    let kind = if err.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Network };
    let mut message = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    ProviderError::new(provider, kind, truncate_message(&message)).scrubbed(key)
}

/// The kind of failure an HTTP status means.
pub fn classify_status(status: u16, headers: &HeaderMap) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Auth { status },
        408 => ErrorKind::Timeout,
        429 => ErrorKind::RateLimited { retry_after: retry_after(headers, Utc::now()) },
        500..=599 => ErrorKind::Server { status },
        _ => ErrorKind::BadRequest { status },
    }
}

/// `retry-after` as seconds or as an HTTP date, relative to `now`; a date in the past means now
/// ([`inda_core::retry_after`]).
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    inda_core::retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(value).expect("header"));
        h
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = DateTime::parse_from_rfc2822("Wed, 21 Oct 2026 07:28:00 GMT").expect("date").to_utc();
        assert_eq!(retry_after(&headers("7"), now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2026 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2026 07:00:00 GMT"), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("soon"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn statuses_classify() {
        let h = HeaderMap::new();
        assert_eq!(classify_status(401, &h), ErrorKind::Auth { status: 401 });
        assert_eq!(classify_status(403, &h), ErrorKind::Auth { status: 403 });
        assert_eq!(classify_status(400, &h), ErrorKind::BadRequest { status: 400 });
        assert_eq!(classify_status(529, &h), ErrorKind::Server { status: 529 });
        assert_eq!(classify_status(429, &h), ErrorKind::RateLimited { retry_after: None });
    }

    #[test]
    fn base_url_prefers_config_then_env_then_default() {
        let d = "https://api.anthropic.com";
        assert_eq!(resolve_base_url(Some("http://gw/"), Some("http://env".into()), d), "http://gw");
        assert_eq!(resolve_base_url(None, Some("http://env/".into()), d), "http://env");
        assert_eq!(resolve_base_url(Some(" "), None, d), d);
    }
}
