//! The built UI, embedded at compile time (see build.rs), served with the right content type; unknown
//! paths that are not files get `index.html` so the UI's own routes survive a reload.

use axum::http::{StatusCode, Uri, header};

use axum::response::{IntoResponse, Response};

mod generated {
    include!(concat!(env!("OUT_DIR"), "/ui_files.rs"));
}

const PLACEHOLDER: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>inDigital Analytics</title></head>\
<body><h1>inDigital Analytics</h1><p>The web UI is not built into this binary. Run <code>scripts/setup.sh</code> \
(or <code>npm ci &amp;&amp; npm run build</code> in <code>ui/</code>) and rebuild. The API answers under \
<code>/api</code>.</p></body></html>";

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn find(path: &str) -> Option<&'static [u8]> {
    generated::FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

pub fn has_ui() -> bool {
    find("index.html").is_some()
}

/// The UI's pages. Opened with `?token=JWT` (the CRM's link), a valid token is also set as an HttpOnly,
/// SameSite=Strict cookie, so a reload of the top-level page stays signed in. The page itself still reads the
/// token once from its URL, keeps it in memory for the API's bearer header (inside the CRM's iframe a strict
/// cookie is not sent, so a reload there asks the CRM for a token: docs/embedding.md) and drops it from the
/// address bar; `Referrer-Policy: no-referrer` keeps it out of any Referer.
pub async fn serve(axum::extract::State(shared): axum::extract::State<crate::Shared>, uri: Uri) -> Response {
    let mut response = page(uri.path());
    if let Some(token) = uri.query().and_then(|q| q.split('&').find_map(|p| p.strip_prefix("token=")))
        && response.status() == StatusCode::OK
        && shared.app.identity(Some(token)).is_ok()
    {
        // A bad token sets nothing; the UI loads and shows its sign-in banner.
        let cookie = format!("{}={token}; HttpOnly; SameSite=Strict; Path=/", crate::http::COOKIE);
        if let Ok(cookie) = cookie.parse() {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
    }
    response
}

fn page(path: &str) -> Response {
    let path = path.trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    if let Some(bytes) = find(path) {
        let cache =
            if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return ([(header::CONTENT_TYPE, content_type(path)), (header::CACHE_CONTROL, cache)], bytes)
            .into_response();
    }
    // A missing asset is a 404; anything else is a page of the UI.
    if path.starts_with("assets/") || path.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    match find("index.html") {
        Some(bytes) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], bytes).into_response(),
        None => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PLACEHOLDER).into_response(),
    }
}
