//! The outbound policy against a tenant that aims the server at its own network: internal
//! addresses refused at save time (422 naming the field) and at send time (a permanent
//! failure that says why; the loopback listener receives nothing), redirects never
//! followed, endless answers cut, and the LLM key only ever sent to the URL it came with.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use reqwest::Method;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};

use crate::helpers::{Db, Tenant, TestApp, call, spawn_app};

/// The production default: no internal range allowed.
const NO_PRIVATE: &str = "[outbound]\nallow_private = []\n";

/// A listener on 127.0.0.1 that counts what reaches it and answers with `respond`.
struct Listener {
    url: String,
    hits: Arc<AtomicUsize>,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

impl Listener {
    async fn start<F>(respond: F) -> Self
    where
        F: Fn() -> axum::response::Response + Clone + Send + Sync + 'static,
    {
        let hits = Arc::new(AtomicUsize::new(0));
        let counted = hits.clone();
        let app = axum::Router::new().fallback(move || {
            let respond = respond.clone();
            let counted = counted.clone();
            async move {
                counted.fetch_add(1, Ordering::SeqCst);
                respond()
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, hits, handle }
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

async fn desk(app: &TestApp, t: &Tenant) {
    let (status, _) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    assert_eq!(status, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_addresses_are_refused_when_saved_in_every_spelling() {
    let app = spawn_app(Db::Sqlite, NO_PRIVATE).await.unwrap();
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let listener = Listener::start(|| StatusCode::OK.into_response()).await;
    let port = listener.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    for (url, range) in [
        (listener.url.clone(), "loopback"),
        (format!("http://localhost:{port}/hook"), "loopback"),
        (format!("http://[::ffff:127.0.0.1]:{port}/hook"), "loopback"),
        (format!("http://2130706433:{port}/hook"), "loopback"),
        ("http://169.254.169.254/latest/meta-data/".to_owned(), "link-local"),
        ("http://10.0.0.8/crm".to_owned(), "private"),
        ("http://100.64.1.1/".to_owned(), "CGNAT"),
        ("http://[fd00::1]/".to_owned(), "unique local"),
        ("http://0.0.0.0:80/".to_owned(), "unspecified"),
    ] {
        for format in ["standard", "slack"] {
            let body = json!({"kind": "webhook", "name": "CRM", "url": url, "format": format, "message_template": "{{ agent_name }}"});
            let (status, answer) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/actions", &body).await;
            assert_eq!(status, 422, "{url} ({format}): {answer}");
            assert_eq!(answer["error"]["field"], "url", "{answer}");
            assert!(answer["error"]["message"].as_str().unwrap().contains(range), "{url}: {answer}");
        }
    }
    // The dashboard's form says the same, naming the field.
    let owner = app.browser(&t).await;
    let agent = backend::agents::find_by_external_id(&app.services.db, &app.owner(&t).await.tenant, "desk")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let (_, body) = app
        .server_fn(
            &owner,
            "save_action",
            &[("agent_id", &agent), ("kind", "webhook"), ("name", "CRM"), ("url", &listener.url), ("enabled", "on")],
        )
        .await;
    assert_eq!(body["Invalid"]["field"], "url", "{body}");
    // Browser push endpoints and the LLM base URL too.
    let subscription = super::world::push_subscription(&format!("https://127.0.0.1:{port}/push"));
    let (_, body) = app.server_fn(&owner, "subscribe_push", &[("subscription", &subscription)]).await;
    assert_eq!(body["Invalid"]["field"], "endpoint", "{body}");
    let (_, body) = app
        .server_fn(
            &owner,
            "save_analyzer",
            &[("provider", "openai"), ("base_url", "http://169.254.169.254/v1"), ("model", "m")],
        )
        .await;
    assert_eq!(body["Invalid"]["field"], "base_url", "{body}");
    assert_eq!(app.count("post_call_actions").await, 0);
    assert_eq!(listener.hits(), 0);
}

/// Stores `url` as action `id`'s URL directly (as if it had passed the policy when saved
/// and the network changed since, e.g. DNS rebinding).
async fn point_action_at(app: &TestApp, id: uuid::Uuid, url: &str) {
    let row = backend::entities::post_call_action::Entity::find_by_id(id).one(&app.services.db).await.unwrap().unwrap();
    let mut active: backend::entities::post_call_action::ActiveModel = row.into();
    active.url = Set(app.services.secrets.seal(&backend::secrets::aad("post_call_actions", "url", id), url));
    active.update(&app.services.db).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_that_turns_internal_after_saving_fails_for_good_and_the_listener_receives_nothing() {
    let app = spawn_app(Db::Sqlite, NO_PRIVATE).await.unwrap();
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let listener = Listener::start(|| StatusCode::OK.into_response()).await;
    let port = listener.url.split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let (status, created) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": "https://crm.example.com/hook"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id: uuid::Uuid = created["action"]["id"].as_str().unwrap().parse().unwrap();
    for (url, why) in [
        (listener.url.clone(), "is 127.0.0.1, a loopback address"),
        (format!("http://localhost:{port}/hook"), "loopback"),
    ] {
        point_action_at(&app, id, &url).await;
        let (status, sent) =
            app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/test"), &json!({})).await;
        assert_eq!(status, 202, "{sent}");
        app.drain().await;
        let delivery = sent["delivery_id"].as_str().unwrap();
        let (_, detail) = app.api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{delivery}")).await;
        assert_eq!(detail["delivery"]["state"], "dead", "{detail}");
        assert_eq!(detail["attempts"].as_array().unwrap().len(), 1, "refused at once, never retried: {detail}");
        assert_eq!(detail["attempts"][0]["outcome"], "permanent");
        let error = detail["attempts"][0]["error"].as_str().unwrap();
        assert!(error.contains("refused by the outbound policy") && error.contains(why), "{error}");
        assert!(!detail.to_string().contains(&format!("{port}/hook")), "the log shows the host only: {detail}");
    }
    assert_eq!(listener.hits(), 0, "nothing reached the internal listener");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed_for_webhooks_or_push() {
    // Only 127.0.0.1 itself is allowed; the redirect targets 127.0.0.2, which is not, and
    // another allowed listener, which must not be reached either.
    let app =
        spawn_app(Db::Sqlite, "[outbound]\nallow_private = [\"127.0.0.1/32\"]\n[push]\nallow_http_endpoints = true\n")
            .await
            .unwrap();
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let target = Listener::start(|| StatusCode::OK.into_response()).await;
    for location in
        [target.url.clone(), "http://127.0.0.2:9/x".to_owned(), "http://169.254.169.254/latest/meta-data/".to_owned()]
    {
        let loc = location.clone();
        let redirector =
            Listener::start(move || (StatusCode::FOUND, [(header::LOCATION, loc.clone())]).into_response()).await;
        let (status, created) = app
            .api_send(
                Method::POST,
                &t.api_key,
                "/api/v1/agents/desk/actions",
                &json!({"kind": "webhook", "name": "CRM", "url": redirector.url}),
            )
            .await;
        assert_eq!(status, 201, "{created}");
        let id = created["action"]["id"].as_str().unwrap().to_owned();
        let (_, sent) = app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/test"), &json!({})).await;
        app.drain().await;
        let (_, detail) = app
            .api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{}", sent["delivery_id"].as_str().unwrap()))
            .await;
        assert_eq!(
            (detail["delivery"]["state"].as_str(), detail["attempts"][0]["status_code"].as_i64()),
            (Some("dead"), Some(302)),
            "{detail}"
        );
        assert_eq!(redirector.hits(), 1);
    }
    // A push service that redirects is not followed either.
    let loc = target.url.clone();
    let push =
        Listener::start(move || (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, loc.clone())]).into_response())
            .await;
    let owner = app.browser(&t).await;
    let (status, body) =
        app.server_fn(&owner, "subscribe_push", &[("subscription", &super::world::push_subscription(&push.url))]).await;
    assert_eq!(status, 200, "{body}");
    app.server_fn(&owner, "send_test_alert", &[]).await;
    app.drain().await;
    assert_eq!(push.hits(), 1, "the push service got the message");
    let failed = app.count("jobs WHERE kind = 'SendPush' AND state = 'dead'").await;
    assert_eq!(failed, 1, "a redirect is an answer, not a hop");
    assert_eq!(target.hits(), 0, "no redirect was followed");
}

fn endless() -> axum::response::Response {
    let chunk = Bytes::from(vec![b'x'; 64 * 1024]);
    let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endless_answers_are_cut_for_webhooks_and_the_llm() {
    let app = spawn_app(Db::Sqlite, "[outbound]\nallow_private = [\"127.0.0.0/8\"]\nmax_response_bytes = 65536\n")
        .await
        .unwrap();
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let stream = Listener::start(endless).await;
    let (_, created) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": stream.url}),
        )
        .await;
    let id = created["action"]["id"].as_str().unwrap().to_owned();
    let (_, sent) = app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/test"), &json!({})).await;
    let started = std::time::Instant::now();
    app.drain().await;
    let (_, detail) =
        app.api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{}", sent["delivery_id"].as_str().unwrap())).await;
    assert_eq!(detail["delivery"]["state"], "delivered", "{detail}");
    let response = detail["attempts"][0]["response"].as_str().unwrap();
    assert!(
        response.len() < 2200 && response.contains("cut after 2048 bytes"),
        "{}",
        &response[response.len().saturating_sub(80)..]
    );
    // The LLM endpoint streams forever too: the analysis fails with the cap, the call
    // still gets its always-send email.
    let owner = app.browser(&t).await;
    let base = stream.url.replace("/hook", "/v1");
    let (status, body) = app
        .server_fn(
            &owner,
            "save_analyzer",
            &[("provider", "openai"), ("base_url", &base), ("model", "m"), ("timeout_secs", "20")],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
    let created: Value = app.post_call(&t.api_key, &call("c-1", "desk")).await.json().await.unwrap();
    app.drain().await;
    let (_, conv) = app
        .api_get(&t.api_key, &format!("/api/v1/conversations/{}", created["conversation_id"].as_str().unwrap()))
        .await;
    assert_eq!(conv["analysis"]["status"], "failed", "{conv}");
    assert!(conv["analysis"]["error"].as_str().unwrap().contains("over 65536 bytes"), "{conv}");
    assert_eq!(conv["notification_runs"][0]["fired"], true);
    assert!(started.elapsed() < std::time::Duration::from_secs(30), "nothing waited for the endless bodies");
}

async fn save_analyzer(app: &TestApp, owner: &reqwest::Client, base_url: &str, model: &str, key: Option<&str>) -> bool {
    let mut form = vec![("provider", "openai"), ("base_url", base_url), ("model", model)];
    if let Some(k) = key {
        form.push(("api_key", k));
    }
    let (status, body) = app.server_fn(owner, "save_analyzer", &form).await;
    assert_eq!(status, 200, "{body}");
    app.server_fn(owner, "get_settings", &[]).await.1["analyzer"]["has_api_key"].as_bool().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_llm_key_is_only_sent_to_the_url_it_was_entered_with() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let owner = app.browser(&t).await;
    assert!(save_analyzer(&app, &owner, "https://llm.example.com/v1", "m1", Some("sk-first")).await);
    assert!(save_analyzer(&app, &owner, "https://llm.example.com/v1", "m2", None).await, "same URL: the key stays");
    assert!(
        !save_analyzer(&app, &owner, "https://evil.example/v1", "m2", None).await,
        "another URL without a key: the stored key is forgotten"
    );
    assert!(save_analyzer(&app, &owner, "https://evil.example/v1", "m2", Some("sk-second")).await);
    // Stored encrypted: the key's text is not in the database.
    let row = backend::entities::analyzer_setting::Entity::find().one(&app.services.db).await.unwrap().unwrap();
    let stored = row.api_key.unwrap();
    assert!(stored.starts_with(backend::secrets::PREFIX) && !stored.contains("sk-second"), "{stored}");
}
