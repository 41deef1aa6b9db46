//! Hostile templates: refused when saved (422 naming the field, with the line and what is
//! not allowed), and a template within the language that would spin is stopped by its
//! fuel in well under a second; previews and test-sends need the configure role.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Db, call, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_templates_fail_fast_with_a_clear_error_and_previews_need_the_configure_role() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    let started = Instant::now();
    for (body, what) in [
        ("{{ 'x' * 100000000 }}", "the operator `*`"),
        ("{% set a = conversation_transcript %}{% for i in a %}{{ a ~ a }}{% endfor %}", "`{% set %}`"),
        ("{% for i in range(1000000000) %}x{% endfor %}", "`range()`"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "not available"),
        ("{{ conversation_summary | replace('a', 'aaaaaaaa') }}", "the filter `replace`"),
    ] {
        let notification =
            json!({"name": "Evil", "trigger": {"always": true}, "email": {"subject": "s", "body": body}});
        let (status, answer) =
            app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &notification).await;
        assert_eq!(status, 422, "{body}: {answer}");
        assert_eq!(answer["error"]["field"], "email.body");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("line 1, column") && message.contains(what), "{body}: {message}");
        let action = json!({"kind": "webhook", "name": "Chat", "url": "https://hooks.slack.com/services/T/B/X", "format": "slack", "message_template": body});
        let (status, answer) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/actions", &action).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("message_template")), "{body}: {answer}");
    }
    assert_eq!(app.count("notifications").await, 0);

    // Within the language, a nested loop over a long transcript runs out of fuel at once.
    let mut long = call("c-1", "desk");
    long["transcript"] = json!([{"role": "user", "text": "word ".repeat(20_000)}, {"role": "agent", "text": "ok"}]);
    let created: serde_json::Value = app.post_call(&t.api_key, &long).await.json().await.unwrap();
    app.drain().await;
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();
    let owner = app.browser(&t).await;
    let spin = "{% for a in conversation_transcript %}{% for b in conversation_transcript %}x{% endfor %}{% endfor %}";
    let began = Instant::now();
    let (status, preview) = app
        .server_fn(
            &owner,
            "preview_notification",
            &[("agent_id", ""), ("source", &conversation), ("subject", "s"), ("body", spin)],
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    let error = preview["error"].as_str().unwrap();
    assert!(error.contains("too much work"), "{error}");
    assert!(began.elapsed() < Duration::from_secs(1), "stopped in {:?}", began.elapsed());
    let wide = "{% for a in conversation_transcript %}{{ conversation_transcript }}{% endfor %}";
    let (_, preview) = app
        .server_fn(
            &owner,
            "preview_notification",
            &[("agent_id", ""), ("source", &conversation), ("subject", "s"), ("body", wide)],
        )
        .await;
    assert!(preview["error"].as_str().unwrap().contains("more than 256 KiB"), "{preview}");

    // Members may neither preview nor test-send.
    let mate = app.teammate(&t, "member").await;
    for function in ["preview_notification", "test_send_notification"] {
        let (_, body) = app
            .server_fn(
                &mate.client,
                function,
                &[("agent_id", ""), ("source", "sample"), ("subject", "s"), ("body", "b")],
            )
            .await;
        assert_eq!(body, json!("Forbidden"), "{function}");
    }
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}
