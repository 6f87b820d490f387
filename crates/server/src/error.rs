//! The one error shape at the HTTP boundary: `{"error": {"code", "message"}}`, with a status the UI and
//! proxies understand. The UI branches on `code`, never on the status or the text.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use inda_core::{Error, ErrorCode};

/// An [`Error`] on its way out of a route: answers with the status of its code and the JSON body
/// `{"error": {"code", "message"}}`.
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError(e)
    }
}

pub fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::Usage => StatusCode::BAD_REQUEST,
        ErrorCode::Auth => StatusCode::UNAUTHORIZED,
        ErrorCode::GuardRejected => StatusCode::FORBIDDEN,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::NotUnderstood => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::Engine => StatusCode::BAD_GATEWAY,
        ErrorCode::Busy => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error as `503 Service Unavailable` (`GET /readyz`): a probe reads the status, a person the code and
/// message.
pub fn unavailable(e: Error) -> Response {
    let mut response = ApiError(e).into_response();
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    response
}

impl IntoResponse for ApiError {
    /// The code also goes in the response's extensions, for `/metrics` to count by (see `observe`).
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.0.code, "message": self.0.message}});
        let mut response = (status(self.0.code), axum::Json(body)).into_response();
        response.extensions_mut().insert(self.0.code);
        response
    }
}
