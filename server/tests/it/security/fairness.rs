//! Fair dispatch: account A's 20 hanging webhooks hold at most
//! `jobs.per_account_concurrency` of the dispatcher's slots, so account B's call is
//! analysed and its email queued while they hang, within a second — not after the 20 s
//! the hanging endpoint keeps every connection open.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

use crate::helpers::{Db, call, spawn_app};

/// A TCP endpoint that accepts connections, reads the request and never answers.
async fn hanging_endpoint() -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hang", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            open.push(socket);
        }
    });
    (url, handle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_accounts_hanging_webhooks_do_not_hold_up_another_accounts_email() {
    let app = spawn_app(
        Db::Sqlite,
        "[jobs]\nconcurrency = 8\nper_account_concurrency = 4\npoll_interval_ms = 50\n[webhooks]\ntimeout_secs = 20\n",
    )
    .await
    .unwrap();
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let (url, _endpoint) = hanging_endpoint().await;
    for t in [&a, &b] {
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    }
    let (_, action) = app
        .api_send(
            Method::POST,
            &a.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "Slow CRM", "url": url}),
        )
        .await;
    let action = action["action"]["id"].as_str().unwrap().to_owned();
    app.api_send(
        Method::POST,
        &b.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@beta.example"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
    let dispatcher = backend::jobs::Dispatcher::start(app.services.clone());
    for _ in 0..20 {
        let (status, _) =
            app.api_send(Method::POST, &a.api_key, &format!("/api/v1/actions/{action}/test"), &json!({})).await;
        assert_eq!(status, 202);
    }
    // Wait until Alpha's deliveries occupy their share of the slots.
    let running = || app.count("jobs WHERE state = 'running'");
    let deadline = Instant::now() + Duration::from_secs(10);
    while running().await < 4 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(running().await, 4, "Alpha runs exactly its share");

    let started = Instant::now();
    let created: Value = app.post_call(&b.api_key, &call("b-1", "desk")).await.json().await.unwrap();
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();
    loop {
        let (_, conv) = app.api_get(&b.api_key, &format!("/api/v1/conversations/{conversation}")).await;
        if conv["notification_runs"][0]["email_state"] == "outbox" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "Beta's email is held up: {conv}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_secs(1),
        "Beta's call took {waited:?} from ingest to its email while Alpha's webhooks hung"
    );
    // Alpha's deliveries were still hanging all along, and still are.
    assert_eq!(app.count("webhook_deliveries WHERE state = 'delivered'").await, 0);
    assert!(app.count("jobs WHERE state = 'running' AND kind = 'DeliverWebhook'").await <= 4);
    dispatcher.shutdown(Duration::from_millis(200)).await;
}
