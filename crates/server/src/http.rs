//! What every route shares, so that each stays one line: the session from the request ([`Authed`]), bodies
//! and queries whose errors take the one error shape ([`Body`], [`Params`]), the request's cancel
//! ([`Cancellable`]), and the responses: JSON ([`ok`]), bytes of a media type ([`typed`]), a file download
//! ([`download`]) and an answer as server-sent events ([`answer_stream`]).

use crate::{ApiError, Shared};
use axum::Json;
use axum::extract::ConnectInfo;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use inda_app::{Cancel, ExplanationSink, ExportFile};
use inda_core::{Caller, Client, Error, Scope, Session};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::convert::Infallible;
use std::net::SocketAddr;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::DropGuard;
use tracing::Instrument;

pub type ApiResult = Result<Response, ApiError>;

/// A JSON response.
pub fn ok(v: impl Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

/// The caller's session, from `Authorization: Bearer <token>` (the UI in an iframe, API clients) or the
/// HttpOnly session cookie set when the page was opened with `?token=`.
pub struct Authed(pub Session);

pub const COOKIE: &str = "inda_session";

pub fn request_token(headers: &HeaderMap) -> Result<String, Error> {
    if let Some(t) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Ok(t.trim().to_string());
    }
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE).and_then(|r| r.strip_prefix('=')))
        .map(str::to_string)
        .next()
        .ok_or_else(|| Error::auth("no token: open the app from the CRM (the link carries one)"))
}

/// The header the UI's scope picker sends on every request (`acme_corp,globex`); without it, the session
/// reads everything its role reaches.
pub const SCOPE_HEADER: &str = "x-inda-scope";

/// The scope the request narrows its session to, if any.
pub fn request_scope(headers: &HeaderMap) -> Result<Option<Scope>, Error> {
    match headers.get(SCOPE_HEADER) {
        None => Ok(None),
        Some(v) => {
            let text = v.to_str().map_err(|_| Error::usage("the X-Inda-Scope header is not text"))?;
            if text.trim().is_empty() { Ok(None) } else { Ok(Some(Scope::parse_list(text)?)) }
        }
    }
}

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Self::Rejection> {
        let token = request_token(&parts.headers)?;
        let scope = request_scope(&parts.headers)?;
        let mut session = shared.app.session(Some(&token), scope.as_ref()).await?;
        session.caller = caller_of(parts);
        Ok(Authed(session))
    }
}

/// Where a request came from, as its audit entries record it: the peer's address, its user agent (cut to 256
/// characters) and the request's id. Never used to decide what may be read.
fn caller_of(parts: &Parts) -> Caller {
    Caller {
        client: Some(Client::Serve),
        remote_addr: parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(256).collect()),
        request_id: parts.extensions.get::<crate::RequestId>().map(|r| r.0.clone()),
    }
}

/// JSON bodies: a malformed one is a `usage` error in the one error shape, not axum's plain-text rejection.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => {
                Err(ApiError(Error::usage(format!("the request body is not valid: {}", e.body_text()))))
            }
        }
    }
}

/// Query strings, with [`Body`]'s error shape.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(Params(v)),
            Err(e) => Err(ApiError(Error::usage(format!("the query is not valid: {}", e.body_text())))),
        }
    }
}

/// The request's cancel, tripped when the handler's future is dropped: the client disconnected or aborted,
/// and the query it asked for stops. Dereferences to the [`Cancel`] a use case takes.
pub struct Cancellable {
    cancel: Cancel,
    _on_drop: DropGuard,
}

impl std::ops::Deref for Cancellable {
    type Target = Cancel;
    fn deref(&self) -> &Cancel {
        &self.cancel
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Cancellable {
    type Rejection = Infallible;

    async fn from_request_parts(_: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let cancel = Cancel::new();
        Ok(Cancellable { _on_drop: cancel.clone().drop_guard(), cancel })
    }
}

/// Bytes with their media type (an image, a file).
pub fn typed((bytes, content_type): (Vec<u8>, &'static str)) -> ApiResult {
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

/// An export as a download: its media type, `Content-Disposition` (the file's name, see
/// [`content_disposition`]) and `X-Export-Rows`.
pub fn download(file: ExportFile) -> ApiResult {
    let mut response = typed((file.bytes, file.mime))?;
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&file.file_name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&file.rows.to_string()) {
        h.insert("x-export-rows", v);
    }
    Ok(response)
}

/// `attachment` with the file's name twice (RFC 6266): `filename*=UTF-8''…` percent-encoded, which every
/// current browser reads, and an ASCII `filename="…"` for the others (accents dropped, `–` as `-`, anything
/// else outside printable ASCII, quotes and backslashes as `_`). The header is ASCII whatever the name.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| match c {
            'á' | 'à' | 'ä' | 'â' | 'ã' => 'a',
            'Á' | 'À' | 'Ä' | 'Â' | 'Ã' => 'A',
            'é' | 'è' | 'ë' | 'ê' => 'e',
            'É' | 'È' | 'Ë' | 'Ê' => 'E',
            'í' | 'ì' | 'ï' | 'î' => 'i',
            'Í' | 'Ì' | 'Ï' | 'Î' => 'I',
            'ó' | 'ò' | 'ö' | 'ô' | 'õ' => 'o',
            'Ó' | 'Ò' | 'Ö' | 'Ô' | 'Õ' => 'O',
            'ú' | 'ù' | 'ü' | 'û' => 'u',
            'Ú' | 'Ù' | 'Ü' | 'Û' => 'U',
            'ñ' => 'n',
            'Ñ' => 'N',
            'ç' => 'c',
            'Ç' => 'C',
            '–' | '—' => '-',
            '"' | '\\' => '_',
            c if c.is_ascii_graphic() || c == ' ' => c,
            _ => '_',
        })
        .collect();
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"; everything else percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// A use case's result as server-sent events: `explanation` events (`{"text": …}`) while a language model
/// writes its explanation, `restart` (`{}`) when what came so far is void, then exactly one `answer` (the
/// result's JSON) or `error` (`{code, message}`). `work` runs on its own task with the sink and `cancel`'s
/// token; the events and `cancel` live in the response body, so a client that goes away cancels the work.
/// The task stays in the request's span, so its log lines carry the request's id.
pub fn answer_stream<T, F>(cancel: Cancellable, work: impl FnOnce(EventSink, Cancel) -> F) -> ApiResult
where
    T: Serialize,
    F: Future<Output = Result<T, Error>> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let work = work(EventSink(tx.clone()), cancel.cancel.clone());
    let task = async move {
        let event = match work.await {
            Ok(answer) => Event::default().event("answer").json_data(&answer),
            Err(e) => Event::default()
                .event("error")
                .json_data(json!({"code": e.code.as_str(), "message": e.message})),
        };
        let event = event.unwrap_or_else(|_| {
            Event::default()
                .event("error")
                .data(r#"{"code":"internal","message":"cannot encode the answer"}"#)
        });
        let _ = tx.send(event);
    };
    tokio::spawn(task.instrument(tracing::Span::current()));
    let events = futures_util::stream::unfold((rx, cancel), |(mut rx, cancel)| async move {
        let event = rx.recv().await?;
        Some((Ok::<_, Infallible>(event), (rx, cancel)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

/// Explanation text as `explanation` events.
pub struct EventSink(UnboundedSender<Event>);

impl ExplanationSink for EventSink {
    fn text(&self, delta: &str) {
        if delta.is_empty() {
            return;
        }
        if let Ok(e) = Event::default().event("explanation").json_data(json!({"text": delta})) {
            let _ = self.0.send(e);
        }
    }
    fn restart(&self) {
        let _ = self.0.send(Event::default().event("restart").data("{}"));
    }
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn file_names_go_in_ascii_and_in_utf_8() {
        assert_eq!(
            content_disposition("Análisis – 2026-12-02.pdf"),
            "attachment; filename=\"Analisis - 2026-12-02.pdf\"; filename*=UTF-8''An%C3%A1lisis%20%E2%80%93%202026-12-02.pdf"
        );
        assert_eq!(
            content_disposition("50% “growth”; a,b – 2026-12-02.csv"),
            "attachment; filename=\"50% _growth_; a,b - 2026-12-02.csv\"; \
             filename*=UTF-8''50%25%20%E2%80%9Cgrowth%E2%80%9D%3B%20a%2Cb%20%E2%80%93%202026-12-02.csv"
        );
        assert!(
            content_disposition("漢字 – 2026-12-02.png")
                .starts_with("attachment; filename=\"__ - 2026-12-02.png\"")
        );
        assert!(content_disposition("a\"b\\c.csv").contains("filename=\"a_b_c.csv\""));
    }
}
