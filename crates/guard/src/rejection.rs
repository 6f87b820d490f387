//! Why the guard refused a query, in words a person (or the AI that wrote the SQL) can act on.

/// The guard refused the query. `reason` is one sentence, safe to show: it names the offending construct
/// and never carries data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct Rejection {
    /// One sentence naming the refused construct (user text in it is cut to 60 characters); no data.
    pub reason: String,
}

impl Rejection {
    pub(crate) fn new(reason: impl Into<String>) -> Self {
        Rejection { reason: reason.into() }
    }
}

impl From<Rejection> for inda_core::Error {
    fn from(rejection: Rejection) -> Self {
        inda_core::Error::guard(rejection.reason)
    }
}

/// Shortens user text quoted in a reason, so a rejection of a huge expression stays one readable line.
pub(crate) fn excerpt(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}
