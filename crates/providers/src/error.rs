//! Why a provider failed, classified so that the router can decide between trying the next provider and
//! stopping with a clear message. Messages are scrubbed of API keys before they are stored.

use std::fmt;
use std::time::Duration;

use inda_core::Secret;

/// What kind of failure a provider had: decides whether the router tries the next provider
/// ([`ErrorKind::is_transient`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The provider did not answer within the request timeout.
    Timeout,
    /// HTTP 429 (or the provider's own rate-limit error); `retry_after` is what the provider asked for.
    RateLimited {
        /// How long the provider asked to wait (`retry-after`, in seconds or as a date); `None` when it
        /// did not say.
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx or an overloaded provider.
    Server {
        /// The HTTP status, 500 to 599 (for an error inside a stream, the one its type stands for).
        status: u16,
    },
    /// HTTP 401/403: a missing, wrong or unauthorised key. Another try with the same key cannot succeed.
    Auth {
        /// The HTTP status, 401 or 403 (for an error inside a stream, the one its type stands for).
        status: u16,
    },
    /// The provider refused the request itself (4xx): the same request elsewhere would fail the same way.
    BadRequest {
        /// The HTTP status: any other than 401, 403, 408, 429 and 5xx (400 for an unknown error inside a
        /// stream).
        status: u16,
    },
    /// The model answered, but not with SQL, a chart and an explanation in the agreed shape.
    BadOutput,
    /// The connection failed (refused, reset, DNS), e.g. a local model server that is not running.
    Network,
    /// Nothing to ask: no provider configured, or one without its key.
    NotConfigured,
}

impl ErrorKind {
    /// Whether another provider may succeed where this one failed.
    pub fn is_transient(&self) -> bool {
        !matches!(self, ErrorKind::Auth { .. } | ErrorKind::BadRequest { .. } | ErrorKind::NotConfigured)
    }

    fn describe(&self) -> String {
        match self {
            ErrorKind::Timeout => "timed out".into(),
            ErrorKind::RateLimited { retry_after: Some(d) } => {
                format!("rate limited (retry after {}s)", d.as_secs())
            }
            ErrorKind::RateLimited { retry_after: None } => "rate limited".into(),
            ErrorKind::Server { status } => format!("server error ({status})"),
            ErrorKind::Auth { status } => format!("not authorised ({status}): check the API key"),
            ErrorKind::BadRequest { status } => format!("request refused ({status})"),
            ErrorKind::BadOutput => "answered in an unexpected shape".into(),
            ErrorKind::Network => "could not be reached".into(),
            ErrorKind::NotConfigured => "is not configured".into(),
        }
    }
}

/// A provider's failure: which provider, what kind, and the provider's own words (scrubbed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    /// The provider's short name (`anthropic`, `openai`, `cortex`); `router` or `http` for a failure before
    /// any provider was asked.
    pub provider: String,
    /// What kind of failure: decides whether the router moves on.
    pub kind: ErrorKind,
    /// The provider's own words (its error body, cut to 300 characters) or what went wrong here, scrubbed of
    /// the API key; may be empty.
    pub message: String,
}

impl ProviderError {
    /// A failure of `provider`. `message` is kept as given: scrub it ([`ProviderError::scrubbed`]) when it
    /// may quote a key.
    pub fn new(provider: impl Into<String>, kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError { provider: provider.into(), kind, message: message.into() }
    }

    /// The model answered, but not in the agreed shape; `message` says what was wrong with it.
    pub fn bad_output(provider: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(provider, ErrorKind::BadOutput, message)
    }

    /// The same error with every occurrence of `secret` in its message replaced. Provider error bodies and
    /// transport errors are quoted back to the user, and a proxy could echo a header into either.
    pub fn scrubbed(mut self, secret: Option<&Secret>) -> Self {
        self.message = scrub(&self.message, secret);
        self
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.provider, self.kind.describe())?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

impl From<ProviderError> for inda_core::Error {
    fn from(e: ProviderError) -> Self {
        match e.kind {
            ErrorKind::BadOutput => inda_core::Error::not_understood(e.to_string()),
            _ => inda_core::Error::engine(e.to_string()),
        }
    }
}

/// `text` with the secret's value replaced by `<redacted>`. Short values are left alone: replacing a
/// one-letter "key" would garble the message and protect nothing.
pub fn scrub(text: &str, secret: Option<&Secret>) -> String {
    match secret.map(|s| s.expose().as_str()) {
        Some(value) if value.len() >= 8 => text.replace(value, "<redacted>"),
        _ => text.to_string(),
    }
}

/// Bounds what a provider's error body contributes to a message: enough to act on, never a whole page.
pub(crate) fn truncate_message(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX).collect();
    out.push('…');
    out
}
