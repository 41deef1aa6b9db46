//! `GET /metrics`: Prometheus text behind the bearer token on the main address, and open on
//! `metrics.addr`; ingest outcomes, queue depth, job durations and delivery outcomes.
//!
//! The recorder is global to the test process, so counters also count other tests' calls:
//! the assertions read values at least as large as this test made them, and the tests
//! that read gauges take turns ([`TURN`]).

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, call};

const TOKEN: &str = "metrics-token-0123456789abcdef";

/// The queue gauges are set at each scrape from the scraping app's database: one scraper
/// at a time.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The value of the first sample of `metric` whose labels include each of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (name, rest) = line.split_once('{').unwrap_or((line.split_whitespace().next()?, ""));
        if name != metric || !labels.iter().all(|l| rest.contains(l)) {
            return None;
        }
        line.rsplit(' ').next()?.parse().ok()
    })
}

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut request = app.http.get(format!("{}/metrics", app.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

db_test!(
    metrics_need_the_token_and_show_ingest_the_queue_jobs_and_deliveries,
    extra = "[metrics]\ntoken = \"metrics-token-0123456789abcdef\"\n",
    |app| {
        let _turn = TURN.lock().await;
        let t = app.tenant("Acme").await;
        app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@acme.example"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
        assert_eq!(app.post_call(&t.api_key, &call("m-1", "desk")).await.status(), 202);
        assert_eq!(app.post_call(&t.api_key, &call("m-1", "desk")).await.status(), 200);
        assert_eq!(app.post_call(&t.api_key, &json!({"call_id": "m-2"})).await.status(), 422);

        assert_eq!(scrape(&app, None).await.0, 401, "no token");
        assert_eq!(scrape(&app, Some("metrics-token-0123456789abcdeX")).await.0, 401, "a wrong token");
        let (status, text) = scrape(&app, Some(TOKEN)).await;
        assert_eq!(status, 200, "{text}");
        for outcome in ["created", "duplicate", "rejected"] {
            let label = format!("outcome=\"{outcome}\"");
            let n = sample(&text, "aftercall_ingest_requests_total", &["source=\"api\"", &label]);
            assert!(n.is_some_and(|n| n >= 1.0), "{outcome}: {n:?}\n{text}");
        }
        assert!(
            sample(&text, "aftercall_ingest_duration_seconds_count", &["source=\"api\""]).is_some_and(|n| n >= 3.0)
        );
        let depth = |text: &str, kind: &str, state: &str| {
            sample(text, "aftercall_jobs", &[&format!("kind=\"{kind}\""), &format!("state=\"{state}\"")])
        };
        assert_eq!(depth(&text, "AnalyzeCall", "pending"), Some(1.0), "the one call waits for its analysis\n{text}");
        assert_eq!(depth(&text, "SendEmail", "pending"), Some(0.0));

        assert_eq!(app.drain().await, 2, "the analysis and the email");
        let (_, text) = scrape(&app, Some(TOKEN)).await;
        assert_eq!(depth(&text, "AnalyzeCall", "pending"), Some(0.0), "{text}");
        let done = |kind: &str| {
            sample(&text, "aftercall_job_duration_seconds_count", &[&format!("kind=\"{kind}\""), "outcome=\"done\""])
        };
        assert!(done("AnalyzeCall").is_some_and(|n| n >= 1.0) && done("SendEmail").is_some_and(|n| n >= 1.0), "{text}");
        let outbox = sample(&text, "aftercall_deliveries_total", &["channel=\"email\"", "outcome=\"outbox\""]);
        assert!(outbox.is_some_and(|n| n >= 1.0), "{text}");
        assert!(text.contains("# TYPE aftercall_job_duration_seconds histogram"), "{text}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_address_and_not_on_the_main_one_without_a_token() {
    let _turn = TURN.lock().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app =
        crate::helpers::spawn_app(crate::helpers::Db::Sqlite, &format!("[metrics]\naddr = \"127.0.0.1:{port}\"\n"))
            .await
            .unwrap();
    let response = app.http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(text.contains("aftercall_jobs{kind=\"AnalyzeCall\",state=\"pending\"} 0"), "{text}");
    // The main address does not serve them: a page path for signed-in members.
    let (status, _) = scrape(&app, Some(TOKEN)).await;
    assert_ne!(status, 200);
    let t = app.tenant("Acme").await;
    let (status, _) = app.api_send(Method::GET, &t.api_key, "/metrics", &json!({})).await;
    assert_ne!(status, 200);
}
