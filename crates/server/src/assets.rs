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

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
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
