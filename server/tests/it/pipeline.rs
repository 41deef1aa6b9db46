//! From a call to its follow-up work: analysis, notification runs, emails in the outbox,
//! alerts for members, tasks; idempotent under retries.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, Tenant, TestApp, call, fixture, spawn_app};

fn notification(name: &str, trigger: Value) -> Value {
    json!({
        "name": name,
        "enabled": true,
        "trigger": trigger,
        "recipients": {"fixed": ["ops@example.com", "lead@example.com"]},
        "email": {
            "subject": "{{ agent_name }}: call from {{ customer_number }}",
            "body": "**Summary:** {{ conversation_summary }}\n\n[Open]({{ conversation_url }}) · plan {{ dynamic_variables.plan }}"
        },
        "team_alert": "all",
        "task": {"priority": "high"}
    })
}

async fn agent_with(app: &TestApp, t: &Tenant, external_id: &str, rules: &[Value]) -> Vec<String> {
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents",
            &json!({"external_id": external_id, "name": "Front desk", "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, 201);
    let mut ids = Vec::new();
    for rule in rules {
        let (status, body) =
            app.api_send(Method::POST, &t.api_key, &format!("/api/v1/agents/{external_id}/notifications"), rule).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ids
}

async fn ingest(app: &TestApp, t: &Tenant, event: &Value) -> String {
    let resp = app.post_call(&t.api_key, event).await;
    assert_eq!(resp.status().as_u16(), 202);
    let body: Value = resp.json().await.unwrap();
    body["conversation_id"].as_str().unwrap().to_owned()
}

db_test!(an_always_send_notification_creates_an_email_alerts_and_a_task, |app| {
    let t = app.tenant("Acme").await;
    let ids = agent_with(&app, &t, "front-desk", &[notification("Every call", json!({"always": true}))]).await;
    let mut event = call("c-1", "front-desk");
    event["dynamic_variables"] = json!({"plan": "gold"});
    let id = ingest(&app, &t, &event).await;
    assert_eq!(app.drain().await, 2, "AnalyzeCall, then SendEmail");
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    let runs = conv["notification_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["notification_id"], ids[0].as_str());
    assert_eq!(runs[0]["fired"], true);
    assert_eq!(runs[0]["reason"], "Always send.");
    assert_eq!(runs[0]["email_state"], "outbox", "no SMTP configured");
    assert_eq!(runs[0]["alerts"], 1, "one member, one alert");
    assert_eq!(runs[0]["task_ids"].as_array().unwrap().len(), 1);
    let task_id = runs[0]["task_ids"][0].as_str().unwrap();
    let (status, task) = app.api_get(&t.api_key, &format!("/api/v1/tasks/{task_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(task["priority"], "high");
    assert_eq!(task["status"], "open");
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    let emails = backend::delivery::outbox::list(&app.services.db, &member.into(), None, 10).await.unwrap();
    assert_eq!(emails.len(), 1);
    let email = &emails[0];
    assert_eq!(email.subject.as_deref(), Some("Front desk: call from +14155550141"));
    let text = email.text_body.as_deref().unwrap();
    assert!(text.contains(&format!("{}/conversations/{id}", app.base)), "{text}");
    assert!(text.contains("plan gold"), "{text}");
    let html = email.html_body.as_deref().unwrap();
    assert!(html.contains(&format!("<a href=\"{}/conversations/{id}\">Open</a>", app.base)), "{html}");
    assert_eq!(email.recipients.0.clone(), vec!["ops@example.com", "lead@example.com"]);
});

db_test!(a_condition_fires_only_when_the_analyzer_judges_it_true, |app| {
    let t = app.tenant("Acme").await;
    let question = json!({"condition": "Did the customer report fraud or an unauthorized transaction?"});
    agent_with(&app, &t, "star-bank", &[notification("Fraud", question)]).await;
    // "Hello someone has transferred 500 from my account!" (star-1064's "Some criminal
    // withdrew…" is no longer caught: "criminal" was said in that call alone, see the
    // README's "Evaluation").
    let fraud = ingest(&app, &t, &fixture("star-1785")).await;
    let mut order = fixture("tm4-00aa7a6a-940c-4886-b588-a8c950fdb4c2");
    order["agent_id"] = json!("star-bank");
    let not_fraud = ingest(&app, &t, &order).await;
    app.drain().await;
    let (_, a) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{fraud}")).await;
    let (_, b) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{not_fraud}")).await;
    assert_eq!(a["notification_runs"][0]["fired"], true, "{}", a["notification_runs"]);
    assert!(
        a["notification_runs"][0]["reason"].as_str().unwrap().contains("transferred 500"),
        "{}",
        a["notification_runs"]
    );
    assert_eq!(b["notification_runs"][0]["fired"], false, "{}", b["notification_runs"]);
    assert!(b["notification_runs"][0]["email_state"].is_null());
    assert_eq!(a["analysis"]["verdicts"].as_array().unwrap().len(), 1);
    assert_eq!(app.count("emails").await, 1);
    assert_eq!(app.count("tasks").await, 1);
});

db_test!(calls_with_fewer_than_two_turns_are_skipped_but_always_send_still_fires, |app| {
    let t = app.tenant("Acme").await;
    agent_with(
        &app,
        &t,
        "desk",
        &[
            notification("Every call", json!({"always": true})),
            notification("Callbacks", json!({"condition": "Did the customer ask to be called back?"})),
        ],
    )
    .await;
    let mut short = call("short", "desk");
    short["transcript"] = json!([{"role": "user", "text": "Please call me back."}]);
    let id = ingest(&app, &t, &short).await;
    app.drain().await;
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(conv["analysis"]["status"], "skipped");
    let runs = conv["notification_runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0]["fired"], true);
    assert_eq!(runs[1]["fired"], false);
    assert!(runs[1]["reason"].as_str().unwrap().contains("fewer than 2 turns"));
});

db_test!(disabled_notifications_and_other_agents_notifications_do_not_run, |app| {
    let t = app.tenant("Acme").await;
    let mut off = notification("Off", json!({"always": true}));
    off["enabled"] = json!(false);
    agent_with(&app, &t, "one", &[off]).await;
    agent_with(&app, &t, "two", &[notification("Two only", json!({"always": true}))]).await;
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/notifications",
            &notification("All agents", json!({"always": true})),
        )
        .await;
    assert_eq!(status, 201);
    let id = ingest(&app, &t, &call("c", "one")).await;
    app.drain().await;
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    let names: Vec<&str> = conv["notification_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["notification_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["All agents"]);
});

db_test!(a_retried_analysis_never_runs_a_notification_twice, |app| {
    let t = app.tenant("Acme").await;
    agent_with(&app, &t, "desk", &[notification("Every call", json!({"always": true}))]).await;
    let id = ingest(&app, &t, &call("c", "desk")).await;
    app.drain().await;
    // A second AnalyzeCall for the same conversation, as after a crash between commit and ack.
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    let conversation_id = uuid::Uuid::parse_str(&id).unwrap();
    backend::queue::enqueue(&app.services.db, &member.tenant, &backend::queue::AnalyzeCall { conversation_id })
        .await
        .unwrap();
    assert_eq!(app.drain().await, 1);
    assert_eq!(app.count("analyses").await, 1);
    assert_eq!(app.count("notification_runs").await, 1);
    assert_eq!(app.count("emails").await, 1);
    assert_eq!(app.count("alerts").await, 1);
    assert_eq!(app.count("tasks").await, 1);
});

db_test!(notification_input_is_validated_naming_the_field, |app| {
    let t = app.tenant("Acme").await;
    agent_with(&app, &t, "desk", &[]).await;
    let mut bad_email = notification("x", json!({"always": true}));
    bad_email["recipients"]["fixed"] = json!(["ok@example.com", "nope"]);
    let mut unknown_var = notification("x", json!({"always": true}));
    unknown_var["email"]["body"] = json!("Hi\n{{ summary }}");
    let mut both = notification("x", json!({"always": true, "condition": "x?"}));
    both["name"] = json!("both");
    let mut bad_priority = notification("x", json!({"always": true}));
    bad_priority["task"] = json!({"priority": "asap"});
    let cases = [
        (bad_email, "recipients.fixed[1]"),
        (unknown_var, "email.body"),
        (both, "trigger"),
        (notification("x", json!({})), "trigger.condition"),
        (bad_priority, "task.priority"),
    ];
    for (body, field) in cases {
        let (status, answer) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &body).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["field"], field, "{answer}");
    }
    let (status, answer) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &json!({"name": 1})).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["field"], "name");
    assert_eq!(app.count("notifications").await, 0);
});

db_test!(conversations_are_listed_newest_first_with_keyset_pagination, |app| {
    let t = app.tenant("Acme").await;
    for i in 0..5 {
        ingest(&app, &t, &call(&format!("c-{i}"), "desk")).await;
    }
    let (_, first) = app.api_get(&t.api_key, "/api/v1/conversations?limit=2").await;
    let page: Vec<&str> =
        first["conversations"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap()).collect();
    assert_eq!(page, vec!["c-4", "c-3"]);
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app.api_get(&t.api_key, &format!("/api/v1/conversations?limit=2&cursor={cursor}")).await;
    let page: Vec<&str> =
        second["conversations"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap()).collect();
    assert_eq!(page, vec!["c-2", "c-1"]);
    let cursor = second["next_cursor"].as_str().unwrap();
    let (_, third) = app.api_get(&t.api_key, &format!("/api/v1/conversations?limit=2&cursor={cursor}")).await;
    assert_eq!(third["conversations"].as_array().unwrap().len(), 1);
    assert!(third["next_cursor"].is_null());
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispatcher_inside_serve_runs_jobs_by_itself() {
    let app = spawn_app(Db::Sqlite, "[jobs]\nrun_in_server = true\npoll_interval_ms = 100").await.unwrap();
    let t = app.tenant("Acme").await;
    agent_with(&app, &t, "desk", &[notification("Every call", json!({"always": true}))]).await;
    let id = ingest(&app, &t, &call("c", "desk")).await;
    let mut state = Value::Null;
    for _ in 0..100 {
        let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
        state = conv["notification_runs"][0]["email_state"].clone();
        if state == "outbox" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(state, "outbox");
    app.stop().await;
}

db_test!(team_alerts_go_to_the_selected_members_only, |app| {
    let t = app.tenant("Acme").await;
    let owner = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    let other = app.tenant("Other").await;
    let stranger = backend::auth::sign_in(&app.services, None, &other.email, &other.password).await.unwrap();
    agent_with(&app, &t, "desk", &[]).await;
    let mut foreign = notification("Foreign", json!({"always": true}));
    foreign["team_alert"] = json!({"selected": [stranger.user_id]});
    let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &foreign).await;
    assert_eq!(status, 422, "a user of another account cannot be alerted");
    assert_eq!(body["error"]["field"], "team_alert.selected[0]");
    let mut selected = notification("Selected", json!({"always": true}));
    selected["team_alert"] = json!({"selected": [owner.user_id]});
    let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &selected).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["team_alert"]["selected"][0], owner.user_id.to_string());
    ingest(&app, &t, &call("c", "desk")).await;
    app.drain().await;
    let alerts = backend::alerts::list(&app.services.db, &owner, None, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].title, "Selected");
    assert!(alerts[0].link.starts_with("/conversations/"));
    assert_eq!(backend::alerts::unread_count(&app.services.db, &owner).await.unwrap(), 1);
    assert_eq!(backend::alerts::list(&app.services.db, &stranger, None, 10).await.unwrap().len(), 0);
});
