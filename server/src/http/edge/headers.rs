//! Response headers every answer gets: the CSP (a nonce per page), HSTS and the rest, and a readable 429 page for browsers.

#[allow(unused_imports)]
use super::*;

/// The Content-Security-Policy of the app's pages with Leptos' per-response `nonce` for its
/// inline hydration script; the wasm module needs `'wasm-unsafe-eval'`.
pub fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; worker-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'"
    )
}

/// The policy of HTML answers that did not set their own (error pages): no scripts at all.
pub(crate) const DEFAULT_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// Adds the security headers (see the module doc).
pub async fn security_headers(State(edge): State<EdgeConfig>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    if edge.https {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    let is_html =
        headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/html"));
    if is_html {
        if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
            headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEFAULT_CSP));
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

pub(crate) fn accepts_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Turns a server function's 429 for a plain form post into a small HTML page.
pub async fn friendly_429(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let html = path.starts_with("/api/") && !path.starts_with("/api/v1/") && accepts_html(req.headers());
    let back = req.headers().get(header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let res = next.run(req).await;
    if !html || res.status() != StatusCode::TOO_MANY_REQUESTS {
        return res;
    }
    let wait = res.headers().get(header::RETRY_AFTER).cloned();
    let secs = wait.as_ref().and_then(|v| v.to_str().ok()).unwrap_or("a few").to_owned();
    // Only our own pages are linked back to (the Origin check let the request in).
    let back = back
        .and_then(|b| url::Url::parse(&b).ok())
        .map(|u| u.path().to_owned())
        .unwrap_or_else(|| "/signin".to_owned());
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Too many attempts · Aftercall</title>\
         <link rel=\"stylesheet\" href=\"/pkg/aftercall.css\"></head><body><main class=\"auth\"><div class=\"card form\">\
         <h2>Too many attempts</h2><p role=\"alert\">For your security, wait {secs} seconds before trying again.</p>\
         <p><a href=\"{}\">Back</a></p></div></main></body></html>",
        html_escape(&back)
    );
    let mut out =
        (StatusCode::TOO_MANY_REQUESTS, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    if let Some(wait) = wait {
        out.headers_mut().insert(header::RETRY_AFTER, wait);
    }
    out
}

pub(crate) fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
