//! Response headers and request checks that hold for every route: a strict Content-Security-Policy (no
//! remote code, framing only by the configured CRM origins), no MIME sniffing, no referrer (URLs may carry a
//! token on first load), and a Host allow-list against DNS rebinding.

use crate::Shared;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use inda_app::ServeConfig;
use inda_core::Error;
use std::net::SocketAddr;

pub fn allowed_hosts(cfg: &ServeConfig, bind: SocketAddr) -> Vec<String> {
    let mut hosts = vec!["localhost".to_string(), "127.0.0.1".to_string(), "[::1]".to_string()];
    hosts.push(match bind.ip() {
        std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    });
    hosts.extend(cfg.allowed_hosts.iter().map(|h| h.to_ascii_lowercase()));
    hosts
}

/// Origins are checked to be plain `https://host[:port]` (or `http://localhost…`) so a config value cannot
/// inject another directive.
pub fn content_security_policy(cfg: &ServeConfig) -> String {
    let mut ancestors = vec!["'self'".to_string()];
    for origin in &cfg.frame_ancestors {
        let ok = (origin.starts_with("https://") || origin.starts_with("http://localhost"))
            && origin.bytes().all(|b| b.is_ascii_alphanumeric() || b":/.-*".contains(&b));
        if ok {
            ancestors.push(origin.clone());
        } else {
            tracing::warn!(origin, "ignoring a [serve] frame_ancestors entry that is not an origin");
        }
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {}",
        ancestors.join(" ")
    )
}

pub async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| strip_port(h).to_ascii_lowercase());
    let allowed = host.as_deref().is_some_and(|h| shared.hosts.iter().any(|a| a == h));
    if !allowed {
        return crate::ApiError(Error::usage("this server does not answer to that host name"))
            .into_response();
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&shared.csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    response
}

fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host)
}
