//! Throttling of the account flows: per client address and per email address, 429 with
//! `Retry-After` (JSON for the page's script, a small HTML page for a plain form post),
//! before any password is checked — so a correct password does not get through either.

use serde_json::json;

use crate::helpers::{Db, TestApp, spawn_app};

/// Three attempts per address a minute, five per email an hour; proxies on loopback are
/// trusted so a test can speak for many client addresses through `X-Forwarded-For`.
const TIGHT: &str =
    "[auth]\nip_attempts_per_minute = 3\nemail_attempts_per_hour = 5\n[server]\ntrusted_proxies = [\"127.0.0.1/32\"]\n";

async fn post(app: &TestApp, function: &str, form: &[(&str, &str)], client_ip: &str, html: bool) -> reqwest::Response {
    app.http
        .post(format!("{}/api/{function}", app.base))
        .header("accept", if html { "text/html" } else { "application/json" })
        .header("referer", format!("{}/signin", app.base))
        .header("x-forwarded-for", client_ip)
        .form(form)
        .send()
        .await
        .unwrap()
}

fn retry_after(resp: &reqwest::Response) -> u64 {
    resp.headers()["retry-after"].to_str().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_is_throttled_per_client_address_then_per_email() {
    let app = spawn_app(Db::Sqlite, TIGHT).await.unwrap();
    let t = app.tenant("Acme").await;
    let wrong = [("email", t.email.as_str()), ("password", "wrong password!")];
    for _ in 0..3 {
        let resp = post(&app, "sign_in", &wrong, "203.0.113.1", true).await;
        assert_eq!(resp.status().as_u16(), 302, "a wrong password goes back to the form");
    }
    let resp =
        post(&app, "sign_in", &[("email", "someone@else.example"), ("password", "x")], "203.0.113.1", false).await;
    assert_eq!(resp.status().as_u16(), 429, "the address's budget is spent, whatever the email");
    let wait = retry_after(&resp);
    assert!((1..=60).contains(&wait), "{wait}");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["RateLimited"]["retry_after_secs"], json!(wait));
    // A plain form post gets a page saying how long to wait.
    let resp = post(&app, "sign_in", &wrong, "203.0.113.1", true).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().contains_key("retry-after"));
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(resp.text().await.unwrap().contains("Too many attempts"));
    // Another address may still try — until the email's own budget (5 an hour) is spent,
    // whichever addresses the attempts come from.
    for ip in ["203.0.113.2", "203.0.113.3"] {
        let resp = post(&app, "sign_in", &wrong, ip, true).await;
        assert_eq!(resp.status().as_u16(), 302, "attempts 4 and 5 for this email");
    }
    let resp = post(&app, "sign_in", &wrong, "203.0.113.4", true).await;
    assert_eq!(resp.status().as_u16(), 429, "the sixth attempt for this email within the hour, from a fresh address");
    // Even the right password is refused while throttled: guessing cannot go on.
    let right = [("email", t.email.as_str()), ("password", t.password.as_str())];
    let resp = post(&app, "sign_in", &right, "203.0.113.5", false).await;
    assert_eq!(resp.status().as_u16(), 429);
    assert!(resp.headers().get("set-cookie").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_invitations_and_password_resets_are_throttled_too() {
    let app = spawn_app(Db::Sqlite, TIGHT).await.unwrap();
    let t = app.tenant("Acme").await;
    let owner = app.owner(&t).await;
    let invited = backend::identity::members::invite(&app.services, &owner, "new@example.com", "member").await.unwrap();
    let token = invited.link.rsplit('/').next().unwrap().to_owned();
    let cases: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("sign_up", vec![("account_name", "X"), ("name", "X"), ("email", "x@example.com"), ("password", "short")]),
        ("accept_invitation", vec![("token", &token), ("name", "N"), ("password", "short")]),
        ("request_password_reset", vec![("email", "nobody@example.com")]),
        ("reset_password", vec![("token", "not-a-token"), ("password", "a long password 9")]),
        ("resend_verification", vec![("email", "unconfirmed@example.com")]),
    ];
    for (i, (function, form)) in cases.iter().enumerate() {
        let ip = format!("198.51.100.{}", i + 1);
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(post(&app, function, form, &ip, true).await.status().as_u16());
        }
        assert!(statuses[..3].iter().all(|s| *s != 429), "{function}: {statuses:?}");
        assert_eq!(statuses[3], 429, "{function}: {statuses:?}");
    }
    // Password reset mails cannot flood an inbox: five requests an hour per address.
    let mut last = 0;
    for i in 0..6 {
        last = post(&app, "request_password_reset", &[("email", &t.email)], &format!("192.0.2.{}", 10 + i), true)
            .await
            .status()
            .as_u16();
    }
    assert_eq!(last, 429);
    let resets = app.count("emails WHERE subject LIKE 'Reset your Aftercall password%'").await;
    assert_eq!(resets, 5);
}
