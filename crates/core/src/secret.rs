//! A wrapper that keeps secrets (tokens, API keys, passwords) out of logs, errors and serialized output.

use std::fmt;

/// Holds a secret value. `Debug` and `Display` print `<redacted>`, and it implements no `Serialize`,
/// so a secret cannot reach a log line, a JSON document or an export by accident: reading it takes an
/// explicit call to [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T = String>(T);

impl<T> Secret<T> {
    /// Wraps `value`; from here on only [`Secret::expose`] reads it.
    pub fn new(value: T) -> Self {
        Secret(value)
    }
    /// The secret itself. Call sites are few and easy to audit by searching for `expose`.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Secret::new("hunter2".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(s.expose(), "hunter2");
    }
}
