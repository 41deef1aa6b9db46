//! The HTTP edge every request passes (OWASP ASVS 4.2.2, 13.1.x, 14.4, 14.5):
//!
//! - [`client_ip`]: the client's address (the connection's peer, or the last untrusted
//!   address of `X-Forwarded-For` when the peer is a `server.trusted_proxies` proxy),
//!   put in the request's extensions for the throttles.
//! - [`limit_body`]: a body limit on every route, read before any handler sees the body:
//!   `POST /api/v1/calls` and the platform intake URLs (`/api/v1/intake/…`)
//!   `ingest.max_body_bytes`, the rest of `/api/v1`
//!   [`API_BODY_LIMIT`], server functions `server.max_form_bytes`, anything else
//!   [`OTHER_BODY_LIMIT`]. A larger `Content-Length` is answered 413 before a byte of the
//!   body is read; a chunked body is cut at the limit and answered 413.
//! - [`same_origin`]: `POST`, `PUT`, `PATCH` and `DELETE` outside the API-key routes
//!   (`/api/v1`) — everything a browser could send with our session cookie, sign-in and
//!   sign-up included — are refused with 403 when their `Origin` (or, without one, their
//!   `Referer`) is present and is not the server's public origin (CSRF).
//! - [`security_headers`]: `X-Content-Type-Options: nosniff`,
//!   `Referrer-Policy: strict-origin-when-cross-origin`, `X-Frame-Options: DENY`,
//!   `Cross-Origin-Opener-Policy: same-origin` on every answer, HSTS when the public URL is
//!   https, and on HTML answers a Content-Security-Policy (the pages' own, with Leptos'
//!   per-response nonce — see [`page_csp`] — or a script-free default) and
//!   `Cache-Control: no-store`.
//! - [`friendly_429`]: a throttled plain form post (no JavaScript) gets a small HTML page
//!   with the wait instead of the server function's JSON, still 429 with `Retry-After`.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use backend::throttle::ClientIp;

mod headers;
pub use headers::*;

/// Largest body of the configuration endpoints of `/api/v1` (256 KiB).
pub const API_BODY_LIMIT: usize = crate::http::extract::CONFIG_BODY_LIMIT;
/// Largest body of any other route: pages, static files, SSE (16 KiB; they take none).
pub const OTHER_BODY_LIMIT: usize = 16 * 1024;

/// What the edge needs to know; built once from the configuration.
#[derive(Clone, Debug)]
pub struct EdgeConfig {
    /// `scheme://host[:port]` of `server.public_url`, as browsers send it in `Origin`.
    pub public_origin: Arc<str>,
    /// Whether to send HSTS (the public URL is https).
    pub https: bool,
    pub ingest_limit: usize,
    pub form_limit: usize,
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
}

/// The origin (`scheme://host[:port]`, default ports left out) of a URL, if it has one.
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The client: the peer, or — when the peer is a trusted proxy — the right-most address in
/// `X-Forwarded-For` that is not a trusted proxy itself.
pub fn client_of(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[ipnet::IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded.into_iter().rev().find(|ip| !is_trusted(ip)).or(Some(peer))
}

/// Puts the [`ClientIp`] into the request's extensions.
pub async fn client_ip(State(edge): State<EdgeConfig>, mut req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip = client_of(peer, req.headers(), &edge.trusted_proxies);
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

fn body_limit(edge: &EdgeConfig, path: &str) -> usize {
    if path == "/api/v1/calls" || path.starts_with("/api/v1/intake/") {
        edge.ingest_limit
    } else if path.starts_with("/api/v1/") {
        API_BODY_LIMIT
    } else if path.starts_with("/api/") {
        edge.form_limit
    } else {
        OTHER_BODY_LIMIT
    }
}

fn too_large(path: &str, limit: usize) -> Response {
    if path.starts_with("/api/v1/") {
        super::error::ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is over the limit of {limit} bytes"),
        )
        .into_response()
    } else {
        (StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is over the limit of {limit} bytes.")).into_response()
    }
}

/// Reads the body up to the route's limit before the handler runs (see the module doc).
pub async fn limit_body(State(edge): State<EdgeConfig>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let limit = body_limit(&edge, &path);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(&path, limit);
    }
    let (parts, body) = req.into_parts();
    let bytes: Bytes = match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() => return too_large(&path, limit),
        Err(_) => return (StatusCode::BAD_REQUEST, "The request body could not be read.").into_response(),
    };
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// Whether a state-changing request comes from our own pages (see the module doc).
pub fn same_origin_allowed(method: &Method, path: &str, headers: &HeaderMap, public_origin: &str) -> bool {
    let changes_state = matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !changes_state || path.starts_with("/api/v1/") {
        return true;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.to_str().is_ok_and(|o| o.eq_ignore_ascii_case(public_origin));
    }
    match headers.get(header::REFERER) {
        Some(referer) => {
            referer.to_str().ok().and_then(origin_of).is_some_and(|o| o.eq_ignore_ascii_case(public_origin))
        }
        None => true,
    }
}

/// Refuses cross-origin state-changing requests with 403.
pub async fn same_origin(State(edge): State<EdgeConfig>, req: Request, next: Next) -> Response {
    if same_origin_allowed(req.method(), req.uri().path(), req.headers(), &edge.public_origin) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), origin = ?req.headers().get(header::ORIGIN), "refused a cross-origin request");
    (StatusCode::FORBIDDEN, "Cross-origin request refused: this action can only be sent from Aftercall's own pages.")
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn state_changes_from_another_origin_are_refused() {
        let me = "https://calls.example.com";
        let post = Method::POST;
        assert!(same_origin_allowed(&post, "/api/sign_in", &headers(&[("origin", "https://calls.example.com")]), me));
        assert!(!same_origin_allowed(&post, "/api/sign_in", &headers(&[("origin", "https://evil.example")]), me));
        assert!(!same_origin_allowed(&post, "/api/sign_in", &headers(&[("origin", "null")]), me));
        assert!(!same_origin_allowed(
            &Method::DELETE,
            "/anything",
            &headers(&[("referer", "https://evil.example/x")]),
            me
        ));
        assert!(same_origin_allowed(
            &post,
            "/api/x",
            &headers(&[("referer", "https://calls.example.com/settings?a=1")]),
            me
        ));
        assert!(
            same_origin_allowed(&post, "/api/x", &HeaderMap::new(), me),
            "no browser headers: not a browser request"
        );
        assert!(
            same_origin_allowed(&post, "/api/v1/calls", &headers(&[("origin", "https://evil.example")]), me),
            "API keys are not cookies"
        );
        assert!(same_origin_allowed(&Method::GET, "/", &headers(&[("origin", "https://evil.example")]), me));
        assert!(!same_origin_allowed(
            &post,
            "/api/x",
            &headers(&[("origin", "https://calls.example.com.evil.example")]),
            me
        ));
    }

    #[test]
    fn origins_leave_out_default_ports() {
        assert_eq!(origin_of("https://calls.example.com/x").as_deref(), Some("https://calls.example.com"));
        assert_eq!(origin_of("http://127.0.0.1:3000/").as_deref(), Some("http://127.0.0.1:3000"));
        assert_eq!(origin_of("http://Example.COM:80/a").as_deref(), Some("http://example.com"));
        assert_eq!(origin_of("not a url"), None);
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwards_it() {
        let proxy: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let peer = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        let xff = headers(&[("x-forwarded-for", "203.0.113.7, 198.51.100.2, 10.0.0.5")]);
        assert_eq!(
            client_of(peer("192.0.2.1"), &xff, &proxy),
            peer("192.0.2.1"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(client_of(peer("10.0.0.9"), &xff, &proxy), peer("198.51.100.2"), "the last untrusted hop");
        assert_eq!(client_of(peer("10.0.0.9"), &HeaderMap::new(), &proxy), peer("10.0.0.9"));
    }

    #[test]
    fn the_page_policy_allows_only_our_scripts_and_the_nonce() {
        let csp = page_csp("abc");
        assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'nonce-abc'"));
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"));
        assert!(!csp.contains("unsafe-inline"));
    }
}
