//! The one error shape that crosses the IPC boundary: `{code, message}`, the same pair `inda serve` nests
//! under `"error"`. The UI branches on `code` (snake_case `inda_core::ErrorCode`), never on the text.

use inda_core::{Error, ErrorCode};
use serde::Serialize;

/// What a failed command rejects with in the webview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CmdError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<Error> for CmdError {
    fn from(e: Error) -> Self {
        CmdError { code: e.code, message: e.message }
    }
}

/// The result of every command.
pub type Cmd<T> = Result<T, CmdError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e: CmdError = Error::new(ErrorCode::GuardRejected, "no").into();
        let v = serde_json::to_value(e).unwrap();
        assert_eq!(v, serde_json::json!({"code": "guard_rejected", "message": "no"}));
        let e: CmdError = Error::new(ErrorCode::NotUnderstood, "?").into();
        assert_eq!(serde_json::to_value(e).unwrap()["code"], "not_understood");
    }
}
