//! Response headers and request checks that hold for every route: a strict Content-Security-Policy (no
//! remote code, framing only by the configured CRM origins), no MIME sniffing, no referrer (URLs may carry a
//! token on first load), and a Host allow-list against DNS rebinding.
//!
//! The Host header is parsed as an RFC 3986 authority before it is compared: `host[:port]`, the host a DNS
//! name, an IPv4 address or an IPv6 address in brackets, the port digits only. Anything else (userinfo or
//! `@`, a path, a query or fragment, an empty header) is refused outright, because comparing a prefix of
//! it would let `localhost:80@evil.example` pass as `localhost`.

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
/// inject another directive ([`ServeConfig::frame_origins`], which `GET /api/embedding` lists too).
pub fn content_security_policy(cfg: &ServeConfig) -> String {
    for origin in cfg.frame_ancestors.iter().filter(|o| !ServeConfig::is_frame_origin(o)) {
        tracing::warn!(
            origin = origin.as_str(),
            "ignoring a [serve] frame_ancestors entry that is not an origin"
        );
    }
    let mut ancestors = vec!["'self'".to_string()];
    ancestors.extend(cfg.frame_origins());
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors {}",
        ancestors.join(" ")
    )
}

pub async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).and_then(authority_host);
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

/// The host of a Host header that is exactly an RFC 3986 authority without userinfo, `host[:port]`:
/// lowercased, an IPv6 address in its canonical bracketed form (as [`allowed_hosts`] writes it). `None`
/// for anything else.
fn authority_host(header: &str) -> Option<String> {
    let (host, port) = if let Some(rest) = header.strip_prefix('[') {
        // IP-literal: an IPv6 address (no zone, no IPvFuture: nothing this server listens on).
        let (ip, after) = rest.split_once(']')?;
        let ip: std::net::Ipv6Addr = ip.parse().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (format!("[{ip}]"), port)
    } else {
        let (name, port) = match header.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (header, None),
        };
        // A DNS name or an IPv4 address: RFC 3986's unreserved characters. Percent-encoding and the
        // sub-delimiters are legal in a reg-name but never in a name this server answers to.
        let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
        if name.is_empty() || !name.bytes().all(unreserved) {
            return None;
        }
        (name.to_ascii_lowercase(), port)
    };
    if let Some(port) = port {
        // Digits only, and a port that exists (an empty port is legal in RFC 3986 but never sent).
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        port.parse::<u16>().ok()?;
    }
    Some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_header_is_an_authority_or_nothing() {
        for (header, host) in [
            ("localhost", "localhost"),
            ("localhost:8080", "localhost"),
            ("LocalHost:8765", "localhost"),
            ("127.0.0.1:3000", "127.0.0.1"),
            ("127.0.0.1", "127.0.0.1"),
            ("[::1]:80", "[::1]"),
            ("[::1]", "[::1]"),
            ("[0:0:0:0:0:0:0:1]:8765", "[::1]"),
            ("analytics.example.com:443", "analytics.example.com"),
            ("analytics.example.com", "analytics.example.com"),
        ] {
            assert_eq!(authority_host(header).as_deref(), Some(host), "{header}");
        }
        for header in [
            "",
            "localhost:80@evil.example",
            "localhost@evil.example",
            "user:pass@localhost",
            "localhost/evil",
            "localhost:80/evil",
            "localhost:abc",
            "localhost:",
            "localhost:99999",
            "localhost:+80",
            "localhost:80:80",
            "evil.example#localhost",
            "evil.example?localhost",
            "localhost evil.example",
            " localhost",
            "%6cocalhost",
            "[::1",
            "[::1]x",
            "[::1]:",
            "[::1]:abc",
            "[::1]@evil.example",
            "[evil.example]",
            "[fe80::1%25eth0]",
            "::1",
            ":80",
        ] {
            assert_eq!(authority_host(header), None, "{header:?}");
        }
    }

    #[test]
    fn only_the_configured_and_local_names_are_allowed() {
        let cfg =
            ServeConfig { allowed_hosts: vec!["Analytics.Example.com".into()], ..ServeConfig::default() };
        let hosts = allowed_hosts(&cfg, "127.0.0.1:8765".parse().unwrap());
        let allowed = |header: &str| authority_host(header).is_some_and(|h| hosts.contains(&h));
        for ok in [
            "localhost:8765",
            "127.0.0.1:3000",
            "[::1]:80",
            "analytics.example.com",
            "ANALYTICS.example.com:443",
        ] {
            assert!(allowed(ok), "{ok}");
        }
        for refused in [
            "localhost:80@evil.example",
            "localhost@evil.example",
            "localhost/evil",
            "localhost:abc",
            "evil.example#localhost",
            "",
            "evil.example",
            "analytics.example.com.evil.example",
        ] {
            assert!(!allowed(refused), "{refused:?}");
        }
    }
}
