//! `inda serve`: the web UI and its JSON API over HTTP, for a browser or the CRM's iframe (the platform's
//! original embedding). Every route unpacks its input, calls one use case of `inda-app` and converts the
//! result; errors cross as `{"error": {"code", "message"}}`.
//!
//! Not here: any business rule. Sessions come from the bearer token on each request (the UI takes it once
//! from `?token=`) or from the HttpOnly `SameSite=Strict` cookie set on that first load, which browsers do not
//! send on another site's requests (no CSRF; in the CRM's iframe the UI gets fresh tokens from its parent
//! instead, from the origins `GET /api/embedding` lists); the Host header is checked so a rebinding DNS name
//! cannot reach the API.
//!
//! For operators: `GET /healthz` (alive), `GET /readyz` (the warehouse answers) and `GET /metrics`
//! (Prometheus text) need no token, only an allowed Host; every request has an id (`X-Request-Id`) that its
//! log lines carry.

#![warn(missing_docs)]

mod assets;
mod error;
mod http;
mod metrics;
mod observe;
mod routes;
mod security;

pub use error::ApiError;
pub use observe::RequestId;

use inda_app::{App, Cancel};
use inda_core::Error;
use std::net::SocketAddr;
use std::sync::Arc;

/// How the server is reached.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address and port to listen on (port 0 picks a free one; the bound address goes to `on_ready`). Its IP
    /// is also accepted as a `Host` header, beside `localhost` and `[serve] allowed_hosts`.
    pub bind: SocketAddr,
}

/// The state every route shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub app: Arc<App>,
    pub hosts: Arc<Vec<String>>,
    pub csp: Arc<String>,
    pub metrics: Arc<metrics::Metrics>,
}

/// The whole service, for `inda serve` and for tests.
pub fn router(app: Arc<App>, bind: SocketAddr) -> axum::Router {
    let shared = Shared {
        hosts: Arc::new(security::allowed_hosts(&app.config.serve, bind)),
        csp: Arc::new(security::content_security_policy(&app.config.serve)),
        metrics: Arc::default(),
        app,
    };
    routes::router(shared)
}

/// Binds and serves until Ctrl-C. Prints the address once listening.
pub async fn serve(
    app: Arc<App>,
    opts: ServeOptions,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(opts.bind)
        .await
        .map_err(|e| Error::usage(format!("cannot listen on {}: {e}", opts.bind)))?;
    let bound = listener.local_addr().map_err(|e| Error::internal(e.to_string()))?;
    on_ready(bound);
    // Scheduled refreshes (and, with Snowflake, the admin mirror) while the server is up.
    let cancel = Cancel::new();
    let scheduler = tokio::spawn(app.clone().background_scheduler(cancel.clone()));
    let service = router(app, bound);
    // The peer's address reaches the handlers: audit entries record where a request came from.
    let served = axum::serve(listener, service.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::internal(format!("the server stopped: {e}")));
    cancel.cancel();
    let _ = scheduler.await;
    served
}
