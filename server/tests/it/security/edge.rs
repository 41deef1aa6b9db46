//! The edge against anonymous clients: a 64 MiB body to any route is refused with 413
//! before it is read (and the server keeps serving), state-changing requests from another
//! origin get 403, and every answer carries the security headers (pages a CSP whose nonce
//! is the one on their inline script).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Db, call, spawn_app};

const ROUTES: &[&str] = &[
    "/api/sign_in", "/api/sign_up", "/api/accept_invitation", "/api/request_password_reset", "/api/create_api_key",
    "/api/v1/calls", "/api/v1/agents", "/", "/signin", "/healthz", "/events/alerts", "/conversations/export.csv",
    "/pkg/aftercall.js", "/no/such/page",
];

/// Sends `head` (request line and headers) and then up to `body_bytes` of body in 64 KiB
/// pieces, stopping early when the server answers or closes; returns the status line.
async fn raw_post(addr: &str, head: String, body_bytes: usize, chunked: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let sender = tokio::spawn(async move {
        let piece = vec![b'x'; 64 * 1024];
        let mut sent = 0;
        while sent < body_bytes {
            let written = if chunked {
                let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
                framed.extend_from_slice(&piece);
                framed.extend_from_slice(b"\r\n");
                writer.write_all(&framed).await
            } else {
                writer.write_all(&piece).await
            };
            if written.is_err() {
                break;
            }
            sent += piece.len();
        }
        sent
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(2).any(|w| w == b"\r\n") {
        match tokio::time::timeout(Duration::from_secs(20), reader.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            _ => break,
        }
    }
    let sent = sender.await.unwrap_or(0);
    let status = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_owned();
    assert!(sent < body_bytes || status.contains("413"), "the whole body had to be sent: {status}");
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_64_mib_post_to_any_route_is_413_and_the_server_keeps_serving() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let addr = app.base.trim_start_matches("http://").to_owned();
    let started = Instant::now();
    const SIXTY_FOUR_MIB: usize = 64 * 1024 * 1024;
    for route in ROUTES {
        let common = format!(
            "POST {route} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/x-www-form-urlencoded\r\n",
            t.api_key
        );
        // Declared 64 MiB: answered at once, before a byte of the body is read (the client
        // here waits for the answer, as `Expect: 100-continue` clients do).
        let head = format!("{common}Content-Length: {SIXTY_FOUR_MIB}\r\nExpect: 100-continue\r\n\r\n");
        let status = raw_post(&addr, head, 0, false).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{route}: {status}");
        // Declared and sent: refused without the server reading all of it.
        let head = format!("{common}Content-Length: {SIXTY_FOUR_MIB}\r\n\r\n");
        let status = raw_post(&addr, head, SIXTY_FOUR_MIB, false).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{route}: {status}");
        // Chunked, no length: cut at the route's limit.
        let head = format!("{common}Transfer-Encoding: chunked\r\n\r\n");
        let status = raw_post(&addr, head, SIXTY_FOUR_MIB, true).await;
        assert!(status.starts_with("HTTP/1.1 413"), "{route} (chunked): {status}");
    }
    assert!(started.elapsed() < Duration::from_secs(60), "{:?}", started.elapsed());
    // Still serving, and a normal call is accepted.
    assert_eq!(app.http.get(format!("{}/healthz", app.base)).send().await.unwrap().status().as_u16(), 200);
    assert_eq!(app.post_call(&t.api_key, &call("after", "desk")).await.status().as_u16(), 202);
    // The limits are the route's: a 600 KiB call is fine (1 MiB ingest limit), the same
    // size to a server function is not (128 KiB).
    let mut big_call = call("big", "desk");
    big_call["dynamic_variables"] = json!({"notes": "n".repeat(600 * 1024)});
    assert_eq!(app.post_call(&t.api_key, &big_call).await.status().as_u16(), 202);
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        600 * 1024
    );
    assert!(raw_post(&addr, head, 600 * 1024, false).await.starts_with("HTTP/1.1 413"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_changing_requests_from_another_origin_are_refused() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let signed_in = app.browser(&t).await;
    let keys_before = app.count("api_keys").await;
    let sign_in = |origin: Option<String>, referer: Option<String>| {
        let mut req = app
            .http
            .post(format!("{}/api/sign_in", app.base))
            .header("accept", "text/html")
            .form(&[("email", t.email.as_str()), ("password", t.password.as_str())]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req.send()
    };
    for (origin, referer) in [
        (Some("https://evil.example".to_owned()), None),
        (Some("null".to_owned()), None),
        (Some(format!("{}.evil.example", app.base)), None),
        (None, Some("https://evil.example/login".to_owned())),
    ] {
        let resp = sign_in(origin.clone(), referer.clone()).await.unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{origin:?} {referer:?}");
        assert!(resp.headers().get("set-cookie").is_none(), "no session for a cross-origin sign-in");
    }
    // The same origin, or no browser headers at all (not a browser), is let through.
    assert_eq!(sign_in(Some(app.base.clone()), None).await.unwrap().status().as_u16(), 302);
    assert_eq!(sign_in(None, Some(format!("{}/signin", app.base))).await.unwrap().status().as_u16(), 302);
    assert_eq!(sign_in(None, None).await.unwrap().status().as_u16(), 302);
    // With a session cookie: a server function called from another origin does nothing.
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let resp = signed_in
            .request(method.clone(), format!("{}/api/create_api_key", app.base))
            .header("origin", "https://evil.example")
            .header("accept", "application/json")
            .form(&[("name", "stolen")])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 403, "{method}");
    }
    assert_eq!(app.count("api_keys").await, keys_before, "no key was created");
    let (status, _) = app.server_fn(&signed_in, "create_api_key", &[("name", "mine")]).await;
    assert_eq!(status, 200, "from our own origin it works");
    // API-key routes are not cookie routes: any origin may call them.
    let resp = app
        .http
        .post(format!("{}/api/v1/calls", app.base))
        .bearer_auth(&t.api_key)
        .header("origin", "https://evil.example")
        .json(&call("c-1", "desk"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_security_headers_and_pages_a_csp_with_their_nonce() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    for path in ["/signin", "/signup", "/no/such/page", "/healthz", "/api/v1/calls"] {
        let resp = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        let h = resp.headers().clone();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over http: {path}");
        let html = h.get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
        if !html {
            assert!(h.get("content-security-policy").is_none() || path != "/healthz", "{path}");
            continue;
        }
        let csp = h["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
        let body = resp.text().await.unwrap();
        if path != "/no/such/page" {
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|r| r.split('\'').next())
                .unwrap_or_else(|| panic!("{path}: no nonce in {csp}"));
            assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'"), "{csp}");
            assert!(
                body.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: the inline script carries the policy's nonce"
            );
            let again = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
            let other = again.headers()["content-security-policy"].to_str().unwrap().to_owned();
            assert_ne!(other, csp, "a fresh nonce per response");
        }
    }
    // Served over https: HSTS too.
    let secure = spawn_app(Db::Sqlite, "[server]\npublic_url = \"https://calls.example.test\"\n").await.unwrap();
    let resp = secure.http.get(format!("{}/healthz", secure.base)).send().await.unwrap();
    assert_eq!(resp.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
}
