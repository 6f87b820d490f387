//! The one error type that crosses every boundary (CLI, HTTP, Tauri IPC): a stable `code` the UI and scripts
//! branch on, and a message a person can read. Messages never carry secrets or another tenant's data.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Stable error codes of the CLI contract; the UI branches on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Bad command-line or API input.
    Usage,
    /// The SQL guard refused the statement.
    GuardRejected,
    /// Missing, invalid or expired token.
    Auth,
    /// Warehouse, engine or connection failure.
    Engine,
    /// The question engine did not understand the question.
    NotUnderstood,
    /// The thing asked for does not exist for this tenant and user.
    NotFound,
    /// Too many queries are running (for this tenant or in all): try again in a moment.
    Busy,
    /// A local failure (disk, store) that is none of the above.
    Internal,
}

impl ErrorCode {
    /// The snake-case word of the contract (`guard_rejected`, …), the same as the JSON `code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Usage => "usage",
            ErrorCode::GuardRejected => "guard_rejected",
            ErrorCode::Auth => "auth",
            ErrorCode::Engine => "engine",
            ErrorCode::NotUnderstood => "not_understood",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Busy => "busy",
            ErrorCode::Internal => "internal",
        }
    }

    /// Process exit code of the CLI contract.
    pub fn exit_code(self) -> i32 {
        match self {
            ErrorCode::Usage | ErrorCode::NotFound => 2,
            ErrorCode::GuardRejected => 3,
            ErrorCode::Auth => 4,
            ErrorCode::Engine | ErrorCode::Busy => 5,
            ErrorCode::NotUnderstood => 6,
            ErrorCode::Internal => 1,
        }
    }
}

/// `{code, message}`: the shape of every error at the boundary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(rename = "ApiError")]
pub struct Error {
    /// What kind of failure: the part callers branch on.
    pub code: ErrorCode,
    /// One or two sentences for a person, in English, saying what to do where there is something to do;
    /// never a secret or another tenant's data. Callers must not parse it.
    pub message: String,
}

/// A result whose error is, unless said otherwise, the boundary [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error with any code; the shorthands below name the code instead.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }
    /// [`ErrorCode::Usage`]: the caller's input is wrong.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Usage, message)
    }
    /// [`ErrorCode::GuardRejected`]: the SQL guard refused the statement.
    pub fn guard(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::GuardRejected, message)
    }
    /// [`ErrorCode::Auth`]: no valid token; the message must never repeat the token.
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Auth, message)
    }
    /// [`ErrorCode::Engine`]: the warehouse or the connection to it failed.
    pub fn engine(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Engine, message)
    }
    /// [`ErrorCode::NotUnderstood`]: the question engine could not turn the question into a query.
    pub fn not_understood(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotUnderstood, message)
    }
    /// [`ErrorCode::NotFound`]: nothing by that id for this tenant and user (also when it belongs to
    /// someone else, so existence does not leak).
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    /// [`ErrorCode::Internal`]: a local failure (disk, store, a bug).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}
