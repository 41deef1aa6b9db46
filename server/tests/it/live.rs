//! Alerts that reach members at once: server-sent events to every open dashboard of the
//! recipient, and Web Push (RFC 8291 encryption, RFC 8292 VAPID) to a local push endpoint
//! that decrypts and checks the payload as a browser's push service and service worker do.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::Method;
use serde_json::{Value, json};
use web_push_native::jwt_simple::prelude::{ECDSAP256PublicKeyLike, ES256PublicKey, VerificationOptions};
use web_push_native::{Auth, p256};

use crate::helpers::{Db, Tenant, TestApp, call, spawn_app};

async fn always_alert(app: &TestApp, t: &Tenant) {
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({"name": "Callback wanted", "trigger": {"always": true}, "recipients": {"fixed": []},
                    "email": {"subject": "s", "body": "b"}, "team_alert": "all"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Reads server-sent events from `resp` until one named `name` arrives; returns its data.
async fn next_event(resp: &mut reqwest::Response, buffer: &mut String, name: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let event = block.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or("message");
            let data: String = block.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
            if event == name {
                return serde_json::from_str(&data).expect("event data is JSON");
            }
        }
        let chunk = tokio::time::timeout_at(deadline, resp.chunk()).await.expect("an event in time").expect("stream");
        buffer.push_str(std::str::from_utf8(&chunk.expect("stream open")).unwrap());
    }
}

async fn open_stream(app: &TestApp, client: &reqwest::Client) -> reqwest::Response {
    let resp = client.get(format!("{}/events/alerts", app.base)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    resp
}

db_test!(new_alerts_are_pushed_to_every_open_dashboard_of_the_recipient, |app| {
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    always_alert(&app, &a).await;
    always_alert(&app, &b).await;
    let mate = app.teammate(&a, "member").await;
    let owner_tab1 = app.browser(&a).await;
    let owner_tab2 = app.browser(&a).await;
    let beta = app.browser(&b).await;
    let mut streams = Vec::new();
    for client in [&owner_tab1, &owner_tab2, &mate.client, &beta] {
        let mut resp = open_stream(&app, client).await;
        let mut buffer = String::new();
        let first = next_event(&mut resp, &mut buffer, "unread").await;
        assert_eq!(first, json!({"unread": 0}));
        streams.push((resp, buffer));
    }
    let created: Value = app.post_call(&a.api_key, &call("c-1", "desk")).await.json().await.unwrap();
    app.drain().await;
    let link = format!("/conversations/{}", created["conversation_id"].as_str().unwrap());
    for (resp, buffer) in streams.iter_mut().take(3) {
        let alert = next_event(resp, buffer, "alert").await;
        assert_eq!(alert["title"], "Callback wanted");
        assert_eq!(alert["link"], link.as_str());
        assert_eq!(alert["unread"], 1);
    }
    // Beta's dashboard hears nothing of Alpha's alert: its first alert is its own.
    let created_b: Value = app.post_call(&b.api_key, &call("c-b", "desk")).await.json().await.unwrap();
    app.drain().await;
    let (resp, buffer) = &mut streams[3];
    let alert = next_event(resp, buffer, "alert").await;
    assert_eq!(alert["link"], format!("/conversations/{}", created_b["conversation_id"].as_str().unwrap()));
    // Signed out, the stream is refused.
    let resp = reqwest::get(format!("{}/events/alerts", app.base)).await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
});

db_test!(marking_alerts_read_updates_the_count, |app| {
    let t = app.tenant("Acme").await;
    always_alert(&app, &t).await;
    let owner = app.browser(&t).await;
    for id in ["c-1", "c-2"] {
        app.post_call(&t.api_key, &call(id, "desk")).await;
    }
    app.drain().await;
    let unread = |client: reqwest::Client| {
        let base = app.base.clone();
        async move {
            let mut resp = client.get(format!("{base}/events/alerts")).send().await.unwrap();
            next_event(&mut resp, &mut String::new(), "unread").await["unread"].as_i64().unwrap()
        }
    };
    assert_eq!(unread(owner.clone()).await, 2);
    let (_, page) = app.server_fn(&owner, "list_alerts", &[]).await;
    let first = page["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(page["items"][0]["read"], false);
    app.server_fn(&owner, "mark_alert_read", &[("id", &first)]).await;
    assert_eq!(unread(owner.clone()).await, 1);
    let (_, page) = app.server_fn(&owner, "list_alerts", &[]).await;
    assert_eq!((page["items"][0]["read"].as_bool(), page["items"][1]["read"].as_bool()), (Some(true), Some(false)));
    app.server_fn(&owner, "mark_all_alerts_read", &[]).await;
    assert_eq!(unread(owner.clone()).await, 0);
});

/// What the local push service received.
#[derive(Clone, Debug)]
struct Delivery {
    headers: HeaderMap,
    body: Vec<u8>,
}

#[derive(Clone, Default)]
struct PushService {
    received: Arc<Mutex<Vec<Delivery>>>,
    /// Status to answer with (201 when unset).
    answer: Arc<Mutex<Option<StatusCode>>>,
}

async fn push_endpoint(State(service): State<PushService>, headers: HeaderMap, body: Bytes) -> StatusCode {
    service.received.lock().unwrap().push(Delivery { headers, body: body.to_vec() });
    service.answer.lock().unwrap().unwrap_or(StatusCode::CREATED)
}

async fn local_push_service() -> (String, PushService) {
    let service = PushService::default();
    let router =
        axum::Router::new().route("/push/{id}", axum::routing::post(push_endpoint)).with_state(service.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (origin, service)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_alerts_arrive_encrypted_and_signed_at_the_push_service() {
    let app = spawn_app(Db::Sqlite, "[push]\nallow_http_endpoints = true\n").await.unwrap();
    let t = app.tenant("Acme").await;
    always_alert(&app, &t).await;
    let owner = app.browser(&t).await;
    let (origin, service) = local_push_service().await;
    // The browser's side: a P-256 key pair and a 16-byte auth secret.
    let ua_secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let auth_bytes = [9u8; 16];
    let p256dh = URL_SAFE_NO_PAD.encode(p256::EncodedPoint::from(ua_secret.public_key()).as_bytes());
    let endpoint = format!("{origin}/push/browser-1");
    let subscription = json!({"endpoint": endpoint, "expirationTime": null, "keys": {"p256dh": p256dh, "auth": URL_SAFE_NO_PAD.encode(auth_bytes)}});
    let (status, body) = app.server_fn(&owner, "subscribe_push", &[("subscription", &subscription.to_string())]).await;
    assert_eq!(status, 200, "{body}");
    let (_, state) = app.server_fn(&owner, "push_status", &[]).await;
    assert_eq!(state["endpoints"], json!([endpoint]));
    let vapid_public = state["public_key"].as_str().unwrap().to_owned();
    assert_eq!(URL_SAFE_NO_PAD.decode(&vapid_public).unwrap().len(), 65, "an uncompressed P-256 point");
    // A bad subscription is refused, naming the field.
    let bad = json!({"endpoint": endpoint, "keys": {"p256dh": "nope", "auth": "x"}});
    let (_, body) = app.server_fn(&owner, "subscribe_push", &[("subscription", &bad.to_string())]).await;
    assert!(body["Invalid"]["field"].as_str().unwrap().starts_with("keys."), "{body}");

    let created: Value = app.post_call(&t.api_key, &call("c-1", "desk")).await.json().await.unwrap();
    app.drain().await;
    let deliveries = service.received.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1);
    let delivery = &deliveries[0];
    assert_eq!(delivery.headers["content-encoding"], "aes128gcm");
    assert!(delivery.headers["ttl"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    // RFC 8292: `vapid t=<JWT signed with the installation key>, k=<that public key>`.
    let authorization = delivery.headers["authorization"].to_str().unwrap().to_owned();
    let rest = authorization.strip_prefix("vapid t=").expect("vapid scheme");
    let (jwt, k) = rest.split_once(", k=").expect("t and k");
    assert_eq!(k, vapid_public);
    let key = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
    // `web-push-native` signs the endpoint's scheme and host as the audience (real push
    // services listen on the default port, where that is the origin).
    let options =
        VerificationOptions { allowed_audiences: Some(["http://127.0.0.1".to_owned()].into()), ..Default::default() };
    let claims = key
        .verify_token::<web_push_native::jwt_simple::prelude::NoCustomClaims>(jwt, Some(options))
        .expect("a valid VAPID signature");
    assert!(claims.subject.unwrap().starts_with("mailto:"));
    let lifetime = claims.expires_at.unwrap().as_secs() - claims.issued_at.unwrap().as_secs();
    assert!(lifetime <= 24 * 3600, "RFC 8292 caps a VAPID token at 24 hours: {lifetime} s");
    // RFC 8291: only the browser's key opens the payload.
    let plain = web_push_native::decrypt(delivery.body.clone(), &ua_secret, &Auth::clone_from_slice(&auth_bytes))
        .expect("decrypts");
    let payload: Value = serde_json::from_slice(&plain).unwrap();
    assert_eq!(payload["title"], "Callback wanted");
    assert_eq!(payload["url"], format!("{}/conversations/{}", app.base, created["conversation_id"].as_str().unwrap()));
    assert!(payload["alert_id"].is_string());
    let other_secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    assert!(
        web_push_native::decrypt(delivery.body.clone(), &other_secret, &Auth::clone_from_slice(&auth_bytes)).is_err()
    );

    // A push service that says the subscription is gone (410) removes it.
    *service.answer.lock().unwrap() = Some(StatusCode::GONE);
    app.post_call(&t.api_key, &call("c-2", "desk")).await;
    app.drain().await;
    assert_eq!(service.received.lock().unwrap().len(), 2);
    let (_, state) = app.server_fn(&owner, "push_status", &[]).await;
    assert_eq!(state["endpoints"], json!([]));
    app.post_call(&t.api_key, &call("c-3", "desk")).await;
    app.drain().await;
    assert_eq!(service.received.lock().unwrap().len(), 2, "nothing more is sent to it");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_push_endpoints_are_refused_by_default() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let owner = app.browser(&t).await;
    let subscription =
        json!({"endpoint": "http://127.0.0.1:9/push/x", "keys": {"p256dh": "BAAA", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}});
    let (_, body) = app.server_fn(&owner, "subscribe_push", &[("subscription", &subscription.to_string())]).await;
    assert_eq!(body["Invalid"]["field"], "endpoint", "{body}");
    assert_eq!(app.count("push_subscriptions").await, 0);
    app.stop().await;
}

/// A unit of work publishes its alert events and wakes the dispatcher only when it
/// commits: a rolled-back or dropped one tells nobody about alerts that do not exist.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_events_and_wakeups_leave_a_unit_of_work_only_at_commit() {
    let app = spawn_app(Db::Sqlite, "").await.expect("app");
    let mut events = app.services.live.subscribe();
    let woken = || async { tokio::time::timeout(Duration::ZERO, app.services.jobs_wakeup.notified()).await.is_ok() };
    woken().await;
    let event = |n: u128| backend::live::AlertEvent {
        account_id: uuid::Uuid::from_u128(1),
        user_id: uuid::Uuid::from_u128(2),
        alert_id: uuid::Uuid::from_u128(n),
    };

    let mut rolled_back = backend::db::Work::begin(&app.services).await.unwrap();
    rolled_back.publish(event(10));
    rolled_back.wake_runner();
    rolled_back.rollback().await.unwrap();
    let mut dropped = backend::db::Work::begin(&app.services).await.unwrap();
    dropped.publish(event(11));
    dropped.wake_runner();
    drop(dropped);
    assert!(events.try_recv().is_err(), "nothing published without a commit");
    assert!(!woken().await, "nobody woken without a commit");

    let mut work = backend::db::Work::begin(&app.services).await.unwrap();
    work.publish(event(12));
    work.wake_runner();
    assert!(events.try_recv().is_err(), "not before the commit");
    work.commit().await.unwrap();
    assert_eq!(events.try_recv().unwrap(), event(12));
    assert!(woken().await);
    app.stop().await;
}

/// Two processes on one PostgreSQL: a call ingested by a web process without a dispatcher
/// wakes the dispatcher of the other process (which polls only once a minute) by NOTIFY,
/// and the alert that one writes reaches the dashboard open on the first process by
/// NOTIFY too (on PostgreSQL no process polls for alerts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres)")]
async fn alerts_and_jobs_reach_another_process_on_postgres_by_notify() {
    let url = crate::helpers::fresh_postgres_url().await.expect("TEST_DATABASE_URL must be set");
    // One database and one installation key, as two processes of one installation have.
    let dir = tempfile::tempdir().unwrap();
    let shared = format!(
        "[database]\nurl = \"{url}\"\n[secrets]\nkey_file = \"{}\"\n",
        dir.path().join("aftercall.key").display()
    );
    let web = spawn_app(Db::Sqlite, &shared).await.unwrap();
    let worker = spawn_app(Db::Sqlite, &format!("{shared}[jobs]\nrun_in_server = true\npoll_interval_ms = 60000\n"))
        .await
        .unwrap();
    let t = web.tenant("Acme").await;
    always_alert(&web, &t).await;
    let owner = web.browser(&t).await;
    let mut resp = open_stream(&web, &owner).await;
    let mut buffer = String::new();
    assert_eq!(next_event(&mut resp, &mut buffer, "unread").await, json!({"unread": 0}));
    for (n, call_id) in ["c-1", "c-2"].into_iter().enumerate() {
        let created: Value = web.post_call(&t.api_key, &call(call_id, "desk")).await.json().await.unwrap();
        let alert = next_event(&mut resp, &mut buffer, "alert").await;
        assert_eq!(alert["link"], format!("/conversations/{}", created["conversation_id"].as_str().unwrap()));
        assert_eq!(alert["unread"], n + 1);
    }
    drop(resp); // an open stream would hold the graceful shutdown
    worker.stop().await;
    web.stop().await;
}
