//! What every request gets before its route: an id, a `tracing` span that carries it, and its count and
//! latency in `/metrics`.
//!
//! The id is the caller's `X-Request-Id` when that is a short safe token (a proxy's or the CRM's, so one id
//! follows the request across systems), else a fresh UUID v4. It goes back in the response's
//! `X-Request-Id`, onto every log line of the request (the span's `request_id` field) and to handlers as a
//! [`RequestId`] request extension. The span names the route template, never the URI: the UI's first load
//! carries a token in its query string.

use crate::{Shared, metrics};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use inda_core::ErrorCode;
use std::time::Instant;
use tracing::Instrument;

/// The header the id comes in and goes back in.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The longest caller's id kept (a UUID is 36 characters; longer ones are replaced, not cut).
const MAX_ID_LEN: usize = 64;

/// The id of one request to `inda serve`, in the request's extensions for handlers (and the audit entries
/// they write): `request.extensions().get::<inda_server::RequestId>()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The caller's id when it is 1 to 64 of `A-Z a-z 0-9 - _ .` (nothing that could forge a log field or
    /// a header), else a fresh UUID v4.
    pub fn from_header(value: Option<&HeaderValue>) -> RequestId {
        let safe = |b: u8| b.is_ascii_alphanumeric() || b"-_.".contains(&b);
        match value.map(HeaderValue::as_bytes) {
            Some(v) if !v.is_empty() && v.len() <= MAX_ID_LEN && v.iter().all(|b| safe(*b)) => {
                RequestId(String::from_utf8_lossy(v).into_owned())
            }
            _ => RequestId(uuid::Uuid::new_v4().to_string()),
        }
    }
}

/// The middleware: id and span around the rest of the request, then its metrics and the id header.
pub async fn request(State(shared): State<Shared>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = RequestId::from_header(request.headers().get(&REQUEST_ID_HEADER));
    let route = request.extensions().get::<MatchedPath>().map_or(metrics::UNMATCHED, MatchedPath::as_str);
    let route = route.to_string();
    let method = request.method().clone();
    let span = tracing::info_span!("request", request_id = %id.0, method = %method, route = %route);
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).instrument(span.clone()).await;

    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    // Errors count by the code the route answered with (see `ApiError`), never by status or text.
    if let Some(code) = response.extensions().get::<ErrorCode>() {
        shared.metrics.error(*code);
    }
    shared.metrics.request(&route, &method, status, elapsed);
    // To 0.01 ms, as answers report their time.
    let elapsed_ms = (elapsed.as_secs_f64() * 100_000.0).round() / 100.0;
    span.in_scope(|| tracing::info!(status, elapsed_ms, "request answered"));
    if let Ok(value) = HeaderValue::from_str(&id.0) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callers_id_is_kept_only_when_it_is_a_short_safe_token() {
        let id = |v: &str| RequestId::from_header(Some(&HeaderValue::from_bytes(v.as_bytes()).unwrap())).0;
        for kept in ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "req_1.2", &"a".repeat(64)] {
            assert_eq!(id(kept), kept);
        }
        for replaced in ["", "a b", "a\"b", "x=1; y=2", "ñ", &"a".repeat(65), "{\"level\":\"error\"}"] {
            let fresh = id(replaced);
            assert_ne!(fresh, replaced);
            assert!(uuid::Uuid::parse_str(&fresh).is_ok(), "{fresh}");
        }
        assert_eq!(RequestId::from_header(None).0.len(), 36);
    }
}
