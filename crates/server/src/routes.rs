//! The JSON API under `/api` and the UI at `/`. Each handler is one line: it takes the session from the
//! request, calls one use case of `inda-app` and returns its result (see [`crate::http`] for what they share);
//! long work is cancelled when the client goes away.
//!
//! Beside the API, three routes for operators need no token (only an allowed Host, like everything): `/healthz`
//! (the process is up), `/readyz` (the warehouse answers) and `/metrics` (Prometheus). None says anything of a
//! tenant; still, they are for the host's own monitoring and should not be routed from the internet (see
//! docs/operations.md).

use crate::http::{
    ApiResult, Authed, Body, Cancellable, Params, answer_stream, download, ok, request_token, typed,
};
use crate::{ApiError, Shared, assets, error, metrics, observe, security};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use inda_app::{
    AlertRequest, AskRequest, DashboardFilters, ExportAnswerRequest, ExportQuery, NoSink, SaveRequest,
    TileUpdate,
};
use inda_core::{Error, Lang};
use serde::Deserialize;
use serde_json::json;

pub fn router(shared: Shared) -> Router {
    let api = Router::new()
        .route("/session", get(session))
        .route("/embedding", get(embedding))
        .route("/config", get(config))
        .route("/scope", get(scope))
        .route("/branding/logo", get(logo))
        .route("/suggestions", get(suggestions))
        .route("/ask", post(ask))
        .route("/ask/stream", post(ask_stream))
        .route("/sql", post(sql))
        .route("/saved", get(saved_list).post(saved_save))
        .route("/saved/{id}", get(saved_show).delete(saved_delete))
        .route("/saved/{id}/run", post(saved_run))
        .route("/saved/{id}/schedule", put(saved_schedule))
        .route("/saved/{id}/chart", put(saved_set_chart))
        .route("/saved/{id}/history", get(saved_history))
        .route("/alerts", get(alert_list).post(alert_create))
        .route("/alerts/events", get(alert_events))
        .route("/alerts/{id}", patch(alert_pause).delete(alert_delete))
        .route("/alerts/{id}/test", post(alert_test))
        .route("/dashboards", get(dashboard_list).post(dashboard_create))
        .route("/dashboards/{id}", get(dashboard_show).patch(dashboard_rename).delete(dashboard_delete))
        .route("/dashboards/{id}/tiles", post(dashboard_add))
        .route("/dashboards/{id}/tiles/{tile_id}", patch(dashboard_update_tile).delete(dashboard_remove))
        .route("/dashboards/{id}/filters", get(dashboard_filter_choices).put(dashboard_set_filters))
        .route("/dashboards/{id}/refresh", post(dashboard_refresh))
        .route(
            "/export",
            get(export).post(export_answer).layer(axum::extract::DefaultBodyLimit::max(EXPORT_BODY_LIMIT)),
        )
        .fallback(|| async { ApiError(Error::not_found("no such API route")) });
    Router::new()
        .route(
            "/healthz",
            get(|| async { Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})) }),
        )
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .nest("/api", api)
        .fallback(assets::serve)
        .layer(axum::middleware::from_fn_with_state(shared.clone(), security::guard))
        // Outermost, so that requests the Host check refuses have an id and are counted too.
        .layer(axum::middleware::from_fn_with_state(shared.clone(), observe::request))
        .with_state(shared)
}

/// Ready when the warehouse answers a trivial query (see `App::warehouse_ready`); else `503` with the error.
async fn readyz(State(s): State<Shared>, c: Cancellable) -> Response {
    match s.app.warehouse_ready(&c).await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => error::unavailable(e),
    }
}

async fn metrics_text(State(s): State<Shared>) -> Response {
    let providers = s.app.provider_usage();
    ([(header::CONTENT_TYPE, metrics::CONTENT_TYPE)], s.metrics.render(&providers)).into_response()
}

/// Reported even when expired, so the UI can show the banner and the refresh link.
async fn session(State(s): State<Shared>, headers: axum::http::HeaderMap) -> ApiResult {
    ok(s.app.session_info(Some(&request_token(&headers)?))?)
}

/// Who may frame the UI, read before any session exists (the iframe then asks its parent for a token).
async fn embedding(State(s): State<Shared>) -> ApiResult {
    ok(s.app.embedding())
}

/// The tenants the session's role reaches, each marked when in its current scope: the UI's picker.
async fn scope(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.scope_choices(&session).await?)
}

async fn config(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.ui_config(&session, assets::has_ui())?)
}

async fn logo(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    typed(s.app.branding_logo(&session)?)
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

async fn suggestions(
    State(s): State<Shared>,
    Authed(session): Authed,
    Params(q): Params<LangQuery>,
) -> ApiResult {
    ok(s.app.suggestions(&session, Lang::or_default(q.lang.as_deref()))?)
}

async fn ask(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Body(req): Body<AskRequest>,
) -> ApiResult {
    ok(s.metrics.answered(s.app.ask_request(&session, &req, &c, &NoSink).await)?)
}

/// `/api/ask` as server-sent events, for the UI (see [`answer_stream`]). Failures before the stream starts
/// (token, bad body) are ordinary HTTP errors.
async fn ask_stream(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Body(req): Body<AskRequest>,
) -> ApiResult {
    answer_stream(c, move |sink, c| async move {
        s.metrics.streamed(s.app.ask_request(&session, &req, &c, &sink).await)
    })
}

#[derive(Deserialize)]
struct SqlBody {
    sql: String,
}

async fn sql(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Body(b): Body<SqlBody>,
) -> ApiResult {
    ok(s.metrics.answered(s.app.run_sql(&session, &b.sql, &c).await)?)
}

async fn saved_list(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.list_analyses(&session)?)
}

async fn saved_save(
    State(s): State<Shared>,
    Authed(session): Authed,
    Body(req): Body<SaveRequest>,
) -> ApiResult {
    ok(s.app.save_analysis(&session, &req).await?)
}

async fn saved_show(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.metrics.answered(s.app.show_analysis(&session, &id, &c).await)?)
}

async fn saved_run(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.metrics.answered(s.app.run_analysis(&session, &id, &c).await)?)
}

async fn saved_delete(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    ok(s.app.delete_analysis(&session, &id)?)
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
    ok(s.app.execution_history(&session, &id)?)
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
    c: Cancellable,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.show_dashboard(&session, &id, &c).await?)
}

/// An analysis tile (`{analysis_id}`) or a text tile (`{text}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum TileBody {
    Analysis { analysis_id: String },
    Text { text: String },
}

async fn dashboard_add(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<TileBody>,
) -> ApiResult {
    match b {
        TileBody::Analysis { analysis_id } => ok(s.app.dashboard_add(&session, &id, &analysis_id)?),
        TileBody::Text { text } => ok(s.app.dashboard_add_text(&session, &id, &text)?),
    }
}

async fn dashboard_remove(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path((id, tile_id)): Path<(String, String)>,
) -> ApiResult {
    ok(s.app.dashboard_remove(&session, &id, &tile_id)?)
}

async fn dashboard_rename(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<NameBody>,
) -> ApiResult {
    ok(s.app.rename_dashboard(&session, &id, &b.name)?)
}

async fn dashboard_delete(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.delete_dashboard(&session, &id)?)
}

async fn dashboard_update_tile(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path((id, tile_id)): Path<(String, String)>,
    Body(b): Body<TileUpdate>,
) -> ApiResult {
    ok(s.app.dashboard_update_tile(&session, &id, &tile_id, &b)?)
}

async fn dashboard_set_filters(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<DashboardFilters>,
) -> ApiResult {
    ok(s.app.set_dashboard_filters(&session, &id, &b)?)
}

async fn dashboard_filter_choices(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.dashboard_filter_choices(&session, &id, &c).await?)
}

async fn dashboard_refresh(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Path(id): Path<String>,
) -> ApiResult {
    ok(s.app.refresh_dashboard(&session, &id, &c).await?)
}

/// The file as a download (see [`download`]).
async fn export(
    State(s): State<Shared>,
    Authed(session): Authed,
    c: Cancellable,
    Params(q): Params<ExportQuery>,
) -> ApiResult {
    download(s.app.export_file(&session, &q, &c).await?)
}

/// The largest answer `POST /api/export` takes (10,000 rows of a wide result fit); beyond it the body is
/// refused as a `usage` error before it is read.
const EXPORT_BODY_LIMIT: usize = 20 << 20;

/// An answer not saved, exported as the UI has it: the file as a download (see [`download`]).
async fn export_answer(
    State(s): State<Shared>,
    Authed(session): Authed,
    Body(req): Body<ExportAnswerRequest>,
) -> ApiResult {
    download(s.app.export_answer_file(&session, &req).await?)
}

#[derive(Deserialize)]
struct ChartBody {
    chart: inda_core::ChartSpec,
}

/// Keeps the chart the user picked with the analysis.
async fn saved_set_chart(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<ChartBody>,
) -> ApiResult {
    ok(s.app.set_analysis_chart(&session, &id, b.chart)?)
}

async fn alert_list(State(s): State<Shared>, Authed(session): Authed) -> ApiResult {
    ok(s.app.list_alerts(&session)?)
}

/// The webhook URL in the body goes to the keyring; the answer never carries it.
async fn alert_create(
    State(s): State<Shared>,
    Authed(session): Authed,
    Body(req): Body<AlertRequest>,
) -> ApiResult {
    ok(s.app.create_alert(&session, &req)?)
}

#[derive(Deserialize)]
struct PausedBody {
    paused: bool,
}

async fn alert_pause(
    State(s): State<Shared>,
    Authed(session): Authed,
    Path(id): Path<String>,
    Body(b): Body<PausedBody>,
) -> ApiResult {
    ok(s.app.set_alert_paused(&session, &id, b.paused)?)
}

async fn alert_delete(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    ok(s.app.delete_alert(&session, &id)?)
}

/// A test message now; a webhook that fails is a `200` whose `status` is `failed`, with the reason.
async fn alert_test(State(s): State<Shared>, Authed(session): Authed, Path(id): Path<String>) -> ApiResult {
    ok(s.app.test_alert(&session, &id).await?)
}

#[derive(Deserialize)]
struct SinceQuery {
    since: Option<String>,
}

/// What fired after `?since=` (an event's `fired_at`), oldest first: what a front end polls to notify.
async fn alert_events(
    State(s): State<Shared>,
    Authed(session): Authed,
    Params(q): Params<SinceQuery>,
) -> ApiResult {
    ok(s.app.alert_events(&session, q.since.as_deref())?)
}
