//! The JSON API under `/api` and the UI at `/`. Each handler takes the session from the bearer token, calls
//! one use case and returns its result; long work is cancelled when the client goes away.

use crate::{ApiError, Shared, assets, security};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::{HeaderValue, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use inda_app::{AskOptions, ExportRequest, Provider, SaveRequest};
use inda_core::{Error, Session};
use inda_warehouse::Cancel;
use serde::Deserialize;
use serde_json::json;

type ApiResult = Result<Response, ApiError>;

pub fn router(shared: Shared) -> Router {
    let api = Router::new()
        .route("/session", get(session))
        .route("/config", get(config))
        .route("/branding/logo", get(logo))
        .route("/suggestions", get(suggestions))
        .route("/ask", post(ask))
        .route("/ask/stream", post(ask_stream))
        .route("/sql", post(sql))
        .route("/saved", get(saved_list).post(saved_save))
        .route("/saved/{id}", get(saved_show).delete(saved_delete))
        .route("/saved/{id}/run", post(saved_run))
        .route("/saved/{id}/schedule", put(saved_schedule))
        .route("/saved/{id}/history", get(saved_history))
        .route("/dashboards", get(dashboard_list).post(dashboard_create))
        .route("/dashboards/{id}", get(dashboard_show))
        .route("/dashboards/{id}/tiles", post(dashboard_add))
        .route("/dashboards/{id}/tiles/{analysis_id}", delete(dashboard_remove))
        .route("/dashboards/{id}/refresh", post(dashboard_refresh))
        .route("/export", get(export))
        .fallback(|| async { ApiError(Error::not_found("no such API route")) });
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})) }),
        )
        .nest("/api", api)
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), security::guard))
        .with_state(shared)
}

/// The caller's session, from `Authorization: Bearer <token>` (the UI in an iframe, API clients) or the
/// HttpOnly session cookie set when the page was opened with `?token=`.
pub struct Authed(Session);

pub const COOKIE: &str = "inda_session";

pub fn request_token(headers: &axum::http::HeaderMap) -> Result<String, Error> {
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

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Shared) -> Result<Self, Self::Rejection> {
        let token = request_token(&parts.headers)?;
        Ok(Authed(shared.app.session(Some(&token))?))
    }
}

/// Cancels the running query when the request future is dropped (the client disconnected or aborted).
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn cancel() -> (Cancel, CancelOnDrop) {
    let c = Cancel::new();
    (c.clone(), CancelOnDrop(c))
}

fn ok(v: impl serde::Serialize) -> ApiResult {
    Ok(Json(v).into_response())
}

/// JSON bodies: a malformed one is a `usage` error in the one error shape, not axum's plain-text rejection.
pub struct Body<T>(T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => {
                Err(ApiError(Error::usage(format!("the request body is not valid: {}", e.body_text()))))
            }
        }
    }
}

async fn session(State(s): State<Shared>, headers: axum::http::HeaderMap) -> ApiResult {
    let token = request_token(&headers)?;
    // Reported even when expired, so the UI can show the banner and the refresh link.
    ok(s.app.session_info(Some(&token))?)
}

async fn config(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(json!({
        "branding": s.app.branding(&session)?,
        "lang_default": s.app.config.app.lang.as_deref(),
        "offline": s.app.offline,
        "version": env!("CARGO_PKG_VERSION"),
        "ui_built": assets::has_ui(),
        "warehouse": "embedded",
        "question_engine": "offline",
    }))
}

async fn logo(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    let (bytes, kind) = s.app.branding_logo(&session)?;
    let mut response = bytes.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    Ok(response)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn suggestions(State(s): State<Shared>, Authed(_): Authed, Query(q): Query<LangQuery>) -> ApiResult {
    let lang = match q.lang.as_deref() {
        Some("es") => inda_semantic::Lang::Es,
        _ => inda_semantic::Lang::En,
    };
    let mut list = s.app.semantic()?.suggestions(lang);
    list.truncate(12);
    ok(json!({ "suggestions": list }))
}

#[derive(Deserialize)]
struct AskBody {
    question: String,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    new_conversation: bool,
    #[serde(default)]
    provider: Option<String>,
}

async fn ask(State(s): State<Shared>, Authed(session): Authed, Body(b): Body<AskBody>) -> ApiResult {
    let provider = Provider::parse(b.provider.as_deref().unwrap_or("offline"))?;
    let opts = AskOptions { conversation_id: b.conversation_id, new_conversation: b.new_conversation };
    let (c, _guard) = cancel();
    ok(s.app.ask(&session, &b.question, provider, &opts, &c).await?)
}

/// `/api/ask` as server-sent events, for the UI: `explanation` events (`{"text": …}`) while a language
/// model writes its explanation, `restart` (`{}`) when what came so far is void (another provider, or the
/// model repairing its SQL), then exactly one `answer` (the same JSON as `/api/ask`) or `error`
/// (`{code, message}`). Failures before the stream starts (token, bad body) are ordinary HTTP errors.
/// Closing the connection cancels the work, like every other long request.
async fn ask_stream(State(s): State<Shared>, Authed(session): Authed, Body(b): Body<AskBody>) -> ApiResult {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let provider = Provider::parse(b.provider.as_deref().unwrap_or("offline"))?;
    let opts = AskOptions { conversation_id: b.conversation_id, new_conversation: b.new_conversation };
    let (c, on_drop) = cancel();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
    let app = s.app.clone();
    tokio::spawn(async move {
        let sink = EventSink(tx.clone());
        let event = match app.ask_streaming(&session, &b.question, provider, &opts, &c, &sink).await {
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
    });
    // The receiver and the cancel guard live in the response body: when the client goes away, the body is
    // dropped, which cancels the query.
    let events = futures_util::stream::unfold((rx, on_drop), |(mut rx, on_drop)| async move {
        let event = rx.recv().await?;
        Some((Ok::<_, std::convert::Infallible>(event), (rx, on_drop)))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()).into_response())
}

/// Explanation text as `explanation` events.
struct EventSink(tokio::sync::mpsc::UnboundedSender<axum::response::sse::Event>);

impl inda_app::ExplanationSink for EventSink {
    fn text(&self, delta: &str) {
        if delta.is_empty() {
            return;
        }
        if let Ok(e) =
            axum::response::sse::Event::default().event("explanation").json_data(json!({"text": delta}))
        {
            let _ = self.0.send(e);
        }
    }
    fn restart(&self) {
        let _ = self.0.send(axum::response::sse::Event::default().event("restart").data("{}"));
    }
}

#[derive(Deserialize)]
struct SqlBody {
    sql: String,
}

async fn sql(State(s): State<Shared>, Authed(session): Authed, Body(b): Body<SqlBody>) -> ApiResult {
    let (c, _guard) = cancel();
    ok(s.app.run_sql(&session, &b.sql, &c).await?)
}

async fn saved_list(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.list_analyses(&session)?)
}

#[derive(Deserialize)]
struct SaveBody {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    question: Option<String>,
    #[serde(default)]
    sql: Option<String>,
    #[serde(default)]
    schedule: Option<String>,
}

async fn saved_save(State(s): State<Shared>, Authed(session): Authed, Body(b): Body<SaveBody>) -> ApiResult {
    let req = SaveRequest {
        name: b.name,
        description: b.description,
        question: b.question,
        sql: b.sql,
        schedule: b.schedule,
    };
    ok(s.app.save_analysis(&session, &req)?)
}

async fn saved_show(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    let (c, _guard) = cancel();
    ok(s.app.show_analysis(&session, &id, &c).await?)
}

async fn saved_run(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    let (c, _guard) = cancel();
    ok(s.app.run_analysis(&session, &id, &c).await?)
}

async fn saved_delete(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    s.app.delete_analysis(&session, &id)?;
    ok(json!({"deleted": true}))
}

#[derive(Deserialize)]
struct ScheduleBody {
    schedule: Option<String>,
}

async fn saved_schedule(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<ScheduleBody>,
) -> ApiResult {
    ok(s.app.schedule_analysis(&session, &id, b.schedule.as_deref())?)
}

async fn saved_history(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.store()?.executions_list(&session.tenant_id, &session.user_id, &id)?)
}

async fn dashboard_list(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.list_dashboards(&session)?)
}

#[derive(Deserialize)]
struct NameBody {
    name: String,
}

async fn dashboard_create(
    State(s): State<Shared>,
    Authed(session): Authed,
    Body(b): Body<NameBody>,
) -> ApiResult {
    ok(s.app.create_dashboard(&session, &b.name)?)
}

async fn dashboard_show(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> ApiResult {
    let (c, _guard) = cancel();
    ok(s.app.show_dashboard(&session, &id, &c).await?)
}

#[derive(Deserialize)]
struct TileBody {
    analysis_id: String,
}

async fn dashboard_add(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<TileBody>,
) -> ApiResult {
    ok(s.app.dashboard_add(&session, &id, &b.analysis_id)?)
}

async fn dashboard_remove(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path((id, analysis_id)): Path<(String, String)>,
) -> ApiResult {
    ok(s.app.dashboard_remove(&session, &id, &analysis_id)?)
}

async fn dashboard_refresh(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> ApiResult {
    let (c, _guard) = cancel();
    ok(s.app.refresh_dashboard(&session, &id, &c).await?)
}

#[derive(Deserialize)]
struct ExportQuery {
    analysis: Option<String>,
    dashboard: Option<String>,
    to: String,
}

async fn export(State(s): State<Shared>, Authed(session): Authed, Query(q): Query<ExportQuery>) -> ApiResult {
    let (kind, ext) = match q.to.as_str() {
        "csv" => ("text/csv; charset=utf-8", "csv"),
        "xlsx" => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        "png" => ("image/png", "png"),
        "svg" => ("image/svg+xml", "svg"),
        "pdf" => ("application/pdf", "pdf"),
        other => {
            return Err(
                Error::usage(format!("cannot export to `{other}`: use csv, xlsx, png, svg or pdf")).into()
            );
        }
    };
    // Rendered into a private temp dir and streamed back: the exporter writes files atomically, and the
    // temp dir disappears with the response.
    let tmp = tempfile::tempdir().map_err(|e| Error::internal(format!("cannot create a temp dir: {e}")))?;
    let out = tmp.path().join(format!("export.{ext}"));
    let req = ExportRequest {
        analysis: q.analysis.clone(),
        dashboard: q.dashboard.clone(),
        format: q.to.clone(),
        out,
    };
    let (c, _guard) = cancel();
    let summary = s.app.export(&session, &req, &c).await?;
    let bytes =
        std::fs::read(&req.out).map_err(|e| Error::internal(format!("cannot read the export: {e}")))?;
    let stem = q.analysis.or(q.dashboard).unwrap_or_else(|| "export".into());
    let stem: String =
        stem.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&summary.rows.to_string()) {
        h.insert("x-export-rows", v);
    }
    Ok(response)
}
