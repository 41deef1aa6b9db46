//! The `openai` analyzer against a real OpenAI-compatible server (llama.cpp with
//! SmolLM2-135M, `scripts/llm-server`), when `AFTERCALL_TEST_LLM_URL` is set: the schema,
//! parsing, usage and latency, routing under adversarial transcripts, timeouts, retries on
//! 5xx (a proxy in front of the real server injects the failures), and the failed
//! analysis shown while always-send still fires.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use reqwest::Method;
use serde_json::{Value, json};

use crate::analysis::{adversarial, assert_safe, emails, routed_agent};
use crate::helpers::{Db, Tenant, TestApp, call, spawn_app};

/// The real server's URL. Tests that call this are ignored when the build saw no
/// `AFTERCALL_TEST_LLM_URL` (`server/build.rs`) and fail when it is unset under `CI`.
fn llm_url() -> String {
    std::env::var("AFTERCALL_TEST_LLM_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("AFTERCALL_TEST_LLM_URL must be set to run the openai analyzer tests (scripts/llm-server starts one)")
}

async fn use_llm(app: &TestApp, t: &Tenant, base_url: &str, timeout_secs: i32) {
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    backend::analyzers::save(
        &app.services,
        &member.into(),
        backend::analyzers::AnalyzerInput {
            provider: "openai".into(),
            base_url: base_url.into(),
            model: "smollm2".into(),
            api_key: Some("test-key-never-shown".into()),
            clear_api_key: false,
            timeout_secs,
        },
    )
    .await
    .unwrap();
}

async fn conversation(app: &TestApp, t: &Tenant, id: &str) -> Value {
    app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await.1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llm_tests),
    ignore = "needs an OpenAI-compatible server: set AFTERCALL_TEST_LLM_URL (scripts/llm-server)"
)]
async fn the_openai_analyzer_answers_through_a_real_llama_cpp_server() {
    let url = llm_url();
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    use_llm(&app, &t, &url, 120).await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents",
        &json!({"external_id": "desk", "goal": "Did the caller get a callback scheduled?"}),
    )
    .await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/fields",
        &json!({"name": "urgency", "type": "enum", "description": "How urgent the request is", "options": ["low", "high"]}),
    )
    .await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "Callbacks", "trigger": {"condition": "Did the customer ask to be called back?"},
                "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "Callback {{ dyn_urgency }}", "body": "{{ conversation_summary }}"}}),
    )
    .await;
    let created: Value = app.post_call(&t.api_key, &call("llm-1", "desk")).await.json().await.unwrap();
    app.drain().await;
    let conv = conversation(&app, &t, created["conversation_id"].as_str().unwrap()).await;
    let a = &conv["analysis"];
    assert_eq!(a["analyzer"], "openai");
    assert_eq!(a["status"], "completed", "{a}");
    assert!(a["prompt_tokens"].as_i64().unwrap() > 50, "{a}");
    assert!(a["completion_tokens"].as_i64().unwrap() > 0, "{a}");
    assert!(a["latency_ms"].as_i64().unwrap() > 0);
    assert!(a["summary"].is_string());
    // Whatever the small model says, the stored answer has the requested shape and types.
    assert_eq!(a["verdicts"].as_array().unwrap().len(), 1);
    assert!(a["verdicts"][0]["fired"].is_boolean());
    let urgency = &a["fields"][0];
    assert_eq!(urgency["name"], "urgency");
    assert!(urgency["value"].is_null() || urgency["value"] == "low" || urgency["value"] == "high", "{urgency}");
    assert!(["success", "failure", "unknown"].contains(&a["goal"]["result"].as_str().unwrap()));
    // The key never comes back.
    let (_, settings_page) = {
        let browser = app.browser(&t).await;
        app.server_fn(&browser, "get_settings", &[]).await
    };
    assert_eq!(settings_page["analyzer"]["has_api_key"], true);
    assert!(!settings_page.to_string().contains("test-key-never-shown"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llm_tests),
    ignore = "needs an OpenAI-compatible server: set AFTERCALL_TEST_LLM_URL (scripts/llm-server)"
)]
async fn routing_by_a_real_llm_only_reaches_configured_addresses() {
    let url = llm_url();
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    use_llm(&app, &t, &url, 180).await;
    routed_agent(&app, &t).await;
    for name in ["prompt-injection", "fake-answer"] {
        assert_eq!(app.post_call(&t.api_key, &adversarial(name)).await.status().as_u16(), 202);
    }
    app.drain().await;
    let sent = emails(&app, &t).await;
    assert_safe(&sent);
    for c in ["adversarial-prompt-injection", "adversarial-fake-answer"] {
        let (_, list) = app.api_get(&t.api_key, "/api/v1/conversations").await;
        let id = list["conversations"].as_array().unwrap().iter().find(|x| x["call_id"] == c).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let conv = conversation(&app, &t, &id).await;
        let route = &conv["analysis"]["routes"][0]["route"];
        assert!(route.is_null() || route.as_u64().unwrap() < 2, "route {route} is one of the two routes or none");
    }
}

/// A proxy that answers 503 to the first `failures` requests, then forwards to the real
/// server: failure injection a real server cannot be asked for.
async fn flaky_proxy(upstream: String, failures: usize) -> (String, Arc<AtomicUsize>) {
    #[derive(Clone)]
    struct Proxy {
        upstream: String,
        seen: Arc<AtomicUsize>,
        failures: usize,
        client: reqwest::Client,
    }
    async fn forward(State(p): State<Proxy>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
        let n = p.seen.fetch_add(1, Ordering::SeqCst);
        if n < p.failures {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}".to_owned(),
            )
                .into_response();
        }
        let mut req = p.client.post(format!("{}/chat/completions", p.upstream)).body(body);
        if let Some(ct) = headers.get("content-type") {
            req = req.header("content-type", ct.clone());
        }
        match req.send().await {
            Ok(resp) => {
                let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
                (status, [("content-type", "application/json")], resp.bytes().await.unwrap_or_default()).into_response()
            }
            Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
        }
    }
    let seen = Arc::new(AtomicUsize::new(0));
    let proxy = Proxy { upstream, seen: seen.clone(), failures, client: reqwest::Client::new() };
    let router = axum::Router::new().route("/v1/chat/completions", axum::routing::post(forward)).with_state(proxy);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/v1"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(llm_tests),
    ignore = "needs an OpenAI-compatible server: set AFTERCALL_TEST_LLM_URL (scripts/llm-server)"
)]
async fn server_errors_are_retried_with_backoff() {
    let url = llm_url();
    let (proxy, seen) = flaky_proxy(url, 2).await;
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    use_llm(&app, &t, &proxy, 120).await;
    let mut short = call("flaky", "desk");
    short["transcript"] =
        json!([{"role": "user", "text": "Hi, I need my invoice."}, {"role": "agent", "text": "Sent to your email."}]);
    let created: Value = app.post_call(&t.api_key, &short).await.json().await.unwrap();
    app.drain().await;
    let conv = conversation(&app, &t, created["conversation_id"].as_str().unwrap()).await;
    assert_eq!(conv["analysis"]["status"], "completed", "{}", conv["analysis"]);
    assert_eq!(seen.load(Ordering::SeqCst), 3, "two 503s, then the answer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_provider_marks_the_analysis_failed_and_always_send_still_fires() {
    // Unlike the others this needs no LLM: the provider is down or hangs.
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    // A port that accepts connections and never answers: the request timeout must fire.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}/v1", silent.local_addr().unwrap());
    let _hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            open.push(socket);
        }
    });
    use_llm(&app, &t, &silent_url, 5).await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "Every call", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "Callbacks", "trigger": {"condition": "Did the customer ask to be called back?"}, "recipients": {"fixed": ["cb@example.com"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
    let created: Value = app.post_call(&t.api_key, &call("timeout", "desk")).await.json().await.unwrap();
    let started = std::time::Instant::now();
    app.drain().await;
    let elapsed = started.elapsed();
    let conv = conversation(&app, &t, created["conversation_id"].as_str().unwrap()).await;
    let a = &conv["analysis"];
    assert_eq!(a["status"], "failed");
    assert!(a["error"].as_str().unwrap().contains("timed out"), "{a}");
    assert!(elapsed.as_secs() >= 15 && elapsed.as_secs() < 60, "three attempts of 5 s plus backoff: {elapsed:?}");
    let runs = conv["notification_runs"].as_array().unwrap();
    assert_eq!(runs[0]["fired"], true, "always send still fires");
    assert_eq!(runs[0]["email_state"], "outbox");
    assert_eq!(runs[1]["fired"], false);
    assert!(runs[1]["reason"].as_str().unwrap().contains("analysis failed"));
    // The dashboard shows the error on the AI Analysis tab.
    let browser = app.browser(&t).await;
    let page = browser
        .get(format!("{}/conversations/{}?tab=analysis", app.base, created["conversation_id"].as_str().unwrap()))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Analysis failed"), "the error is shown");
}
