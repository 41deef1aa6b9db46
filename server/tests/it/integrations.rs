//! Native platform intake: enabling Vapi, Retell and ElevenLabs over REST, and each
//! platform's own signed end-of-call webhook at its intake URL — the happy path, a bad
//! signature (401, nothing stored), a repeated event (duplicate), an unknown end reason,
//! and events that are not ends of calls.

use backend::integrations::signature::hmac_sha256_hex;
use serde_json::{Value, json};

use crate::helpers::{TestApp, repo_root};

const RETELL_KEY: &str = "key_2f8a61c0e4b7d9a35c1e";
const ELEVENLABS_SECRET: &str = "wsec_5d7c9e1a3b5f7d9e1c3a5b7d";
const VAPI_SECRET: &str = "vapi-credential-7b3e9d";

/// A fixture from `fixtures/platforms/` (see its README for the sources).
fn platform_fixture(name: &str) -> Value {
    let path = repo_root().join("fixtures/platforms").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Enables `platform` with `secret` over REST; returns the intake URL.
async fn enable(app: &TestApp, key: &str, platform: &str, secret: &str) -> String {
    let (status, body) = app
        .api_send(reqwest::Method::PUT, key, &format!("/api/v1/integrations/{platform}"), &json!({"secret": secret}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["platform"], platform);
    body["intake_url"].as_str().unwrap().to_owned()
}

/// POSTs `body` to `url` with `headers`; returns status and JSON.
async fn post(app: &TestApp, url: &str, body: &[u8], headers: &[(&str, String)]) -> (u16, Value) {
    let mut request = app.http.post(url).header("content-type", "application/json").body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let resp = request.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn retell_signature(body: &[u8], key: &str, at_ms: i64) -> (&'static str, String) {
    let ts = at_ms.to_string();
    ("x-retell-signature", format!("v={ts},d={}", hmac_sha256_hex(key.as_bytes(), &[body, ts.as_bytes()])))
}

fn elevenlabs_signature(body: &[u8], secret: &str, at_s: i64) -> (&'static str, String) {
    let ts = at_s.to_string();
    ("elevenlabs-signature", format!("t={ts},v0={}", hmac_sha256_hex(secret.as_bytes(), &[ts.as_bytes(), b".", body])))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

async fn conversation(app: &TestApp, key: &str, id: &Value) -> Value {
    let (status, conv) = app.api_get(key, &format!("/api/v1/conversations/{}", id.as_str().unwrap())).await;
    assert_eq!(status, 200, "{conv}");
    conv
}

db_test!(a_signed_retell_call_is_stored_with_its_mapped_fields_and_later_its_analysis, |app| {
    let t = app.tenant("Acme").await;
    let url = enable(&app, &t.api_key, "retell", RETELL_KEY).await;
    assert!(url.starts_with(&format!("{}/api/v1/intake/retell/", app.base)), "{url}");
    let ended = serde_json::to_vec(&platform_fixture("retell-call-ended")).unwrap();
    let (status, first) = post(&app, &url, &ended, &[retell_signature(&ended, RETELL_KEY, now_ms())]).await;
    assert_eq!(status, 202, "{first}");
    assert_eq!(first["duplicate"], false);
    let conv = conversation(&app, &t.api_key, &first["conversation_id"]).await;
    assert_eq!(conv["call_id"], "Jabr9TXYYJHfvl6Syypi88rdAHYHmcq6");
    assert_eq!(conv["agent_id"], "oBeDLoLOeuAbiuaMFXRtDOLriTJ5tSxD");
    assert_eq!(conv["end_reason"], "customer_hangup");
    assert_eq!(conv["end_reason_raw"], "user_hangup");
    assert_eq!(conv["direction"], "inbound");
    assert_eq!(conv["channel"], "phone");
    assert_eq!(conv["from_number"], "+14155550142");
    assert_eq!(conv["duration_s"], 71.5);
    assert_eq!(conv["started_at"], "2025-12-01T09:50:00Z");
    assert_eq!(conv["dynamic_variables"]["customer_name"], "Dana Whitfield");
    assert_eq!(conv["dynamic_variables"]["metadata"]["crm_contact_id"], "c-1042");
    let turns = conv["transcript"].as_array().unwrap();
    assert_eq!(turns.len(), 6);
    assert_eq!(
        (turns[1]["role"].as_str(), turns[1]["start_s"].as_f64(), turns[1]["end_s"].as_f64()),
        (Some("user"), Some(5.2), Some(10.3))
    );
    assert!(conv["platform_analysis"].is_null(), "call_ended carries no analysis");

    // call_analyzed for the same call: first end wins, Retell's analysis is attached.
    let analyzed = serde_json::to_vec(&platform_fixture("retell-call-analyzed")).unwrap();
    let (status, second) = post(&app, &url, &analyzed, &[retell_signature(&analyzed, RETELL_KEY, now_ms())]).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["conversation_id"], first["conversation_id"]);
    assert_eq!(app.count("conversations").await, 1);
    let conv = conversation(&app, &t.api_key, &first["conversation_id"]).await;
    let theirs = &conv["platform_analysis"];
    assert_eq!(theirs["platform"], "retell");
    assert!(theirs["summary"].as_str().unwrap().contains("urgent-care visit"), "{theirs}");
    assert_eq!(theirs["successful"], true);
    assert_eq!(theirs["sentiment"], "Positive");
    assert_eq!(theirs["data"]["appointment_time"], "tomorrow 9:30");
    assert_eq!(app.drain().await, 1, "one analysis job: the repeated event triggered nothing");
    let conv = conversation(&app, &t.api_key, &first["conversation_id"]).await;
    assert_eq!(conv["analysis"]["status"], "completed", "ours runs beside theirs");
});

db_test!(a_bad_or_stale_retell_signature_is_refused_and_stores_nothing, |app| {
    let t = app.tenant("Acme").await;
    let url = enable(&app, &t.api_key, "retell", RETELL_KEY).await;
    let body = serde_json::to_vec(&platform_fixture("retell-call-ended")).unwrap();
    let cases = [
        vec![],
        vec![retell_signature(&body, "key_of_someone_else", now_ms())],
        vec![retell_signature(&body, RETELL_KEY, now_ms() - 10 * 60 * 1000)],
        vec![("x-retell-signature", "v=1,d=zz".to_owned())],
    ];
    for headers in cases {
        let (status, err) = post(&app, &url, &body, &headers).await;
        assert_eq!(status, 401, "{headers:?}: {err}");
        assert_eq!(err["error"]["code"], "invalid_signature");
        assert_eq!(err["error"]["field"], "x-retell-signature");
    }
    // A body changed after signing.
    let (_, signature) = retell_signature(&body, RETELL_KEY, now_ms());
    let mut tampered = body.clone();
    tampered.extend_from_slice(b" ");
    let (status, _) = post(&app, &url, &tampered, &[("x-retell-signature", signature)]).await;
    assert_eq!(status, 401);
    assert_eq!((app.count("conversations").await, app.count("agents").await, app.count("jobs").await), (0, 0, 0));
});

db_test!(retell_events_that_are_not_call_ends_are_acknowledged_and_unknown_end_reasons_kept, |app| {
    let t = app.tenant("Acme").await;
    let url = enable(&app, &t.api_key, "retell", RETELL_KEY).await;
    let mut started = platform_fixture("retell-call-ended");
    started["event"] = json!("call_started");
    let body = serde_json::to_vec(&started).unwrap();
    let (status, answer) = post(&app, &url, &body, &[retell_signature(&body, RETELL_KEY, now_ms())]).await;
    assert_eq!((status, answer), (200, json!({"ignored": "call_started"})));
    assert_eq!(app.count("conversations").await, 0);

    let mut odd = platform_fixture("retell-call-ended");
    odd["call"]["disconnection_reason"] = json!("a_reason_retell_adds_later");
    let body = serde_json::to_vec(&odd).unwrap();
    let (status, done) = post(&app, &url, &body, &[retell_signature(&body, RETELL_KEY, now_ms())]).await;
    assert_eq!(status, 202, "{done}");
    let conv = conversation(&app, &t.api_key, &done["conversation_id"]).await;
    assert_eq!(conv["end_reason"], "unknown");
    assert_eq!(conv["end_reason_raw"], "a_reason_retell_adds_later");

    // A call without its id is refused naming Retell's field, and stores nothing.
    let mut broken = platform_fixture("retell-call-ended");
    broken["call"]["call_id"] = Value::Null;
    let body = serde_json::to_vec(&broken).unwrap();
    let (status, err) = post(&app, &url, &body, &[retell_signature(&body, RETELL_KEY, now_ms())]).await;
    assert_eq!(status, 422, "{err}");
    assert_eq!(err["error"]["field"], "call.call_id");
    assert_eq!(app.count("conversations").await, 1);
});

db_test!(an_elevenlabs_post_call_transcription_is_verified_mapped_and_stored_once, |app| {
    let t = app.tenant("Acme").await;
    let url = enable(&app, &t.api_key, "elevenlabs", ELEVENLABS_SECRET).await;
    let body = serde_json::to_vec(&platform_fixture("elevenlabs-post-call-transcription")).unwrap();
    let now_s = chrono::Utc::now().timestamp();

    let (status, err) = post(&app, &url, &body, &[elevenlabs_signature(&body, "wrong", now_s)]).await;
    assert_eq!(status, 401, "{err}");
    assert_eq!(err["error"]["field"], "elevenlabs-signature");
    let (status, _) = post(&app, &url, &body, &[elevenlabs_signature(&body, ELEVENLABS_SECRET, now_s - 3600)]).await;
    assert_eq!(status, 401, "an hour-old signature is a replay");
    assert_eq!(app.count("conversations").await, 0);

    let (status, first) = post(&app, &url, &body, &[elevenlabs_signature(&body, ELEVENLABS_SECRET, now_s)]).await;
    assert_eq!(status, 202, "{first}");
    let conv = conversation(&app, &t.api_key, &first["conversation_id"]).await;
    assert_eq!(conv["call_id"], "conv_0501k3abcdefg9h8j7k6m5n4p3");
    assert_eq!(conv["agent_id"], "agent_8801k3xyzq7pfw2ab9c0d1e2f3");
    assert_eq!(conv["end_reason"], "customer_hangup");
    assert_eq!(conv["end_reason_raw"], "Call ended by remote party");
    assert_eq!(conv["from_number"], "+14155550177", "inbound: the caller is the external number");
    assert_eq!(conv["to_number"], "+14155550111");
    assert_eq!(conv["duration_s"], 38.0);
    assert_eq!(conv["ended_at"], "2025-12-01T09:50:38Z");
    assert_eq!(conv["dynamic_variables"]["customer_tier"], "gold");
    let turns = conv["transcript"].as_array().unwrap();
    assert_eq!(turns.len(), 5, "the tool call without a message is not a turn");
    assert_eq!(turns[4]["start_s"], 26.0);
    assert_eq!(conv["platform_analysis"]["platform"], "elevenlabs");
    assert_eq!(conv["platform_analysis"]["successful"], true);
    assert_eq!(conv["platform_analysis"]["data"]["address"], "14 Elm Street");

    let (status, again) = post(&app, &url, &body, &[elevenlabs_signature(&body, ELEVENLABS_SECRET, now_s)]).await;
    assert_eq!((status, &again["duplicate"]), (200, &json!(true)));

    let mut odd = platform_fixture("elevenlabs-post-call-transcription");
    odd["data"]["conversation_id"] = json!("conv_other");
    odd["data"]["metadata"]["termination_reason"] = json!("Something ElevenLabs says later");
    let body = serde_json::to_vec(&odd).unwrap();
    let (_, done) = post(&app, &url, &body, &[elevenlabs_signature(&body, ELEVENLABS_SECRET, now_s)]).await;
    let conv = conversation(&app, &t.api_key, &done["conversation_id"]).await;
    assert_eq!(
        (conv["end_reason"].as_str(), conv["end_reason_raw"].as_str()),
        (Some("unknown"), Some("Something ElevenLabs says later"))
    );
    assert_eq!(app.count("conversations").await, 2);
});

db_test!(a_vapi_end_of_call_report_is_accepted_with_its_secret_bearer_or_hmac, |app| {
    let t = app.tenant("Acme").await;
    let url = enable(&app, &t.api_key, "vapi", VAPI_SECRET).await;
    let report = platform_fixture("vapi-end-of-call-report");
    let body = serde_json::to_vec(&report).unwrap();

    for (headers, field) in [
        (vec![], "x-vapi-secret"),
        (vec![("x-vapi-secret", "not-it".to_owned())], "x-vapi-secret"),
        (vec![("authorization", "Bearer not-it".to_owned())], "authorization"),
        (vec![("x-vapi-signature", hmac_sha256_hex(b"not-it", &[&body]))], "x-vapi-signature"),
    ] {
        let (status, err) = post(&app, &url, &body, &headers).await;
        assert_eq!(status, 401, "{headers:?}: {err}");
        assert_eq!(err["error"]["field"], field);
    }
    assert_eq!(app.count("conversations").await, 0);

    let (status, first) = post(&app, &url, &body, &[("x-vapi-secret", VAPI_SECRET.to_owned())]).await;
    assert_eq!(status, 202, "{first}");
    let conv = conversation(&app, &t.api_key, &first["conversation_id"]).await;
    assert_eq!(conv["call_id"], "9f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b");
    assert_eq!(conv["agent_id"], "5e6f7a8b-1111-4222-8333-944455556666");
    assert_eq!(conv["end_reason"], "customer_hangup");
    assert_eq!(conv["end_reason_raw"], "customer-ended-call");
    assert_eq!(conv["direction"], "inbound");
    assert_eq!(
        (conv["from_number"].as_str(), conv["to_number"].as_str()),
        (Some("+14155550188"), Some("+14155550122"))
    );
    assert_eq!(conv["customer"]["name"], "Sam Ortiz");
    assert_eq!(conv["duration_s"], 62.4);
    assert_eq!(conv["dynamic_variables"]["vehicle"], "2019 Civic");
    let turns = conv["transcript"].as_array().unwrap();
    assert_eq!(turns.len(), 5, "system and tool-call messages are not turns");
    assert_eq!((turns[0]["role"].as_str(), turns[0]["end_s"].as_f64()), (Some("agent"), Some(3.1)));
    assert_eq!(conv["platform_analysis"]["successful"], true);
    assert_eq!(conv["platform_analysis"]["data"]["new_slot"], "Friday 08:00");

    // The same report again, by bearer and by HMAC: duplicates.
    for headers in [
        vec![("authorization", format!("Bearer {VAPI_SECRET}"))],
        vec![("x-vapi-signature", hmac_sha256_hex(VAPI_SECRET.as_bytes(), &[&body]))],
    ] {
        let (status, again) = post(&app, &url, &body, &headers).await;
        assert_eq!((status, &again["duplicate"]), (200, &json!(true)), "{headers:?}");
    }
    // An HMAC with a timestamp header signs "<timestamp>.<body>" and must be recent.
    let mut odd = report.clone();
    odd["message"]["call"]["id"] = json!("call-odd");
    odd["message"]["endedReason"] = json!("some-new-vapi-reason");
    let body = serde_json::to_vec(&odd).unwrap();
    let stale = (chrono::Utc::now().timestamp() - 900).to_string();
    let signed = |ts: &str| hmac_sha256_hex(VAPI_SECRET.as_bytes(), &[ts.as_bytes(), b".", &body]);
    let (status, _) =
        post(&app, &url, &body, &[("x-vapi-timestamp", stale.clone()), ("x-vapi-signature", signed(&stale))]).await;
    assert_eq!(status, 401, "a 15-minute-old timestamp is a replay");
    let fresh = chrono::Utc::now().timestamp().to_string();
    let (status, done) =
        post(&app, &url, &body, &[("x-vapi-timestamp", fresh.clone()), ("x-vapi-signature", signed(&fresh))]).await;
    assert_eq!(status, 202, "{done}");
    let conv = conversation(&app, &t.api_key, &done["conversation_id"]).await;
    assert_eq!(
        (conv["end_reason"].as_str(), conv["end_reason_raw"].as_str()),
        (Some("unknown"), Some("some-new-vapi-reason"))
    );

    // Other server messages are acknowledged and ignored.
    let body = serde_json::to_vec(&json!({"message": {"type": "status-update", "status": "in-progress"}})).unwrap();
    let (status, answer) = post(&app, &url, &body, &[("x-vapi-secret", VAPI_SECRET.to_owned())]).await;
    assert_eq!((status, answer), (200, json!({"ignored": "status-update"})));
    assert_eq!(app.count("conversations").await, 2);
});

db_test!(integrations_are_managed_per_account_by_api_key_and_audited, |app| {
    let a = app.tenant("Acme").await;
    let b = app.tenant("Other").await;
    let put = |key: &str, platform: &str, secret: &str| {
        let (key, platform, secret) = (key.to_owned(), platform.to_owned(), secret.to_owned());
        let app = &app;
        async move {
            app.api_send(
                reqwest::Method::PUT,
                &key,
                &format!("/api/v1/integrations/{platform}"),
                &json!({"secret": secret}),
            )
            .await
        }
    };
    let (status, err) = put(&a.api_key, "retell", "  ").await;
    assert_eq!((status, err["error"]["field"].as_str()), (422, Some("secret")));
    let (status, err) = put(&a.api_key, "twilio", "x").await;
    assert_eq!((status, err["error"]["code"].as_str()), (400, Some("invalid_path")), "{err}");
    let resp = app
        .http
        .put(format!("{}/api/v1/integrations/retell", app.base))
        .json(&json!({"secret": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401, "an API key is required");

    let url = enable(&app, &a.api_key, "retell", "first-key").await;
    let again = enable(&app, &a.api_key, "retell", RETELL_KEY).await;
    assert_eq!(url, again, "a new secret keeps the intake URL");
    let (_, list) = app.api_get(&a.api_key, "/api/v1/integrations").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert!(!list.to_string().contains(RETELL_KEY), "the secret is never shown: {list}");
    let (_, other) = app.api_get(&b.api_key, "/api/v1/integrations").await;
    assert_eq!(other["items"], json!([]), "another account sees none of them");

    // The replaced secret no longer verifies; the new one does.
    let body = serde_json::to_vec(&platform_fixture("retell-call-ended")).unwrap();
    let (status, _) = post(&app, &url, &body, &[retell_signature(&body, "first-key", now_ms())]).await;
    assert_eq!(status, 401);
    // The same token under another platform's path is no intake URL.
    let (status, _) = post(&app, &url.replace("/retell/", "/vapi/"), &body, &[("x-vapi-secret", "x".into())]).await;
    assert_eq!(status, 404);

    let (status, _) =
        app.api_send(reqwest::Method::DELETE, &b.api_key, "/api/v1/integrations/retell", &json!({})).await;
    assert_eq!(status, 404, "another account cannot disable it");
    let (status, _) =
        app.api_send(reqwest::Method::DELETE, &a.api_key, "/api/v1/integrations/retell", &json!({})).await;
    assert_eq!(status, 204);
    let (status, err) = post(&app, &url, &body, &[retell_signature(&body, RETELL_KEY, now_ms())]).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("not_found")),
        "a disabled intake URL stops working"
    );
    assert_eq!(app.count("conversations").await, 0);

    let (_, log) = app.api_get(&a.api_key, "/api/v1/audit-log").await;
    let actions: Vec<&str> = log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["integration.disabled", "integration.enabled", "integration.enabled"], "{log}");
});
