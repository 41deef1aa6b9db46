//! Another account's ids answer 404 — over the API and through the dashboard's server
//! functions — for conversations, notifications, tasks and alerts.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call};

/// Builds one conversation with a fired always-send notification (email, alert, task) for
/// `t`, and returns (conversation id, notification id, task id).
async fn populate(app: &TestApp, t: &Tenant) -> (String, String, String) {
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    let (status, n) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["a@example.com"]},
                    "email": {"subject": "s", "body": "b"}, "team_alert": "all", "task": {"priority": "low"}}),
        )
        .await;
    assert_eq!(status, 201);
    let created: Value = app.post_call(&t.api_key, &call("c-1", "desk")).await.json().await.unwrap();
    app.drain().await;
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{conversation}")).await;
    let task = conv["notification_runs"][0]["task_ids"][0].as_str().unwrap().to_owned();
    (conversation, n["id"].as_str().unwrap().to_owned(), task)
}

db_test!(another_accounts_ids_answer_404_over_the_api, |app| {
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let (conversation, notification, task) = populate(&app, &a).await;
    // The owner sees them.
    assert_eq!(app.api_get(&a.api_key, &format!("/api/v1/conversations/{conversation}")).await.0, 200);
    assert_eq!(app.api_get(&a.api_key, &format!("/api/v1/notifications/{notification}")).await.0, 200);
    assert_eq!(app.api_get(&a.api_key, &format!("/api/v1/tasks/{task}")).await.0, 200);
    // Another account gets 404, never 403, and changes nothing.
    let (status, body) = app.api_get(&b.api_key, &format!("/api/v1/conversations/{conversation}")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(app.api_get(&b.api_key, &format!("/api/v1/notifications/{notification}")).await.0, 404);
    assert_eq!(app.api_get(&b.api_key, &format!("/api/v1/tasks/{task}")).await.0, 404);
    let (status, _) =
        app.api_send(Method::PATCH, &b.api_key, &format!("/api/v1/tasks/{task}"), &json!({"status": "done"})).await;
    assert_eq!(status, 404);
    let replace = json!({"name": "Hijacked", "trigger": {"always": true}, "email": {"subject": "s", "body": "b"}});
    let (status, _) =
        app.api_send(Method::PUT, &b.api_key, &format!("/api/v1/notifications/{notification}"), &replace).await;
    assert_eq!(status, 404);
    let (status, _) = app.api_send(Method::POST, &b.api_key, "/api/v1/agents/desk/notifications", &replace).await;
    assert_eq!(status, 404, "Alpha's agent is unknown to Beta");
    let (_, listed) = app.api_get(&b.api_key, "/api/v1/conversations").await;
    assert_eq!(listed["conversations"].as_array().unwrap().len(), 0);
    let (_, tasks) = app.api_get(&b.api_key, "/api/v1/tasks").await;
    assert_eq!(tasks["tasks"].as_array().unwrap().len(), 0);
    let (_, task_now) = app.api_get(&a.api_key, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(task_now["status"], "open");
    let (_, n_now) = app.api_get(&a.api_key, &format!("/api/v1/notifications/{notification}")).await;
    assert_eq!(n_now["name"], "All");
    // Same call id in another account is a different conversation.
    let other: Value = app.post_call(&b.api_key, &call("c-1", "desk")).await.json().await.unwrap();
    assert_eq!(other["duplicate"], false);
    assert_ne!(other["conversation_id"].as_str().unwrap(), conversation);
});

db_test!(another_accounts_ids_answer_not_found_in_the_dashboard, |app| {
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let (conversation, notification, task) = populate(&app, &a).await;
    let alice = app.browser(&a).await;
    let bob = app.browser(&b).await;
    let member_a = backend::auth::sign_in(&app.services, None, &a.email, &a.password).await.unwrap();
    let alerts = backend::alerts::list(&app.services.db, &member_a, None, 10).await.unwrap();
    assert_eq!(alerts.len(), 1);
    let alert = alerts[0].id.to_string();

    let (status, body) = app.server_fn(&bob, "get_conversation", &[("id", &conversation)]).await;
    assert_ne!(status, 200);
    assert_eq!(body, json!({"NotFound": "Conversation"}));
    let (_, body) = app.server_fn(&bob, "notification_editor", &[("id", &notification)]).await;
    assert_eq!(body, json!({"NotFound": "Notification"}));
    let (_, body) = app.server_fn(&bob, "set_task_status", &[("id", &task), ("status", "done")]).await;
    assert_eq!(body, json!({"NotFound": "Task"}));
    let (_, body) = app.server_fn(&bob, "mark_alert_read", &[("id", &alert)]).await;
    assert_eq!(body, json!({"NotFound": "Alert"}));
    // The owner can do all of it.
    let (status, body) = app.server_fn(&alice, "get_conversation", &[("id", &conversation)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["call_id"], "c-1");
    let (status, _) = app.server_fn(&alice, "mark_alert_read", &[("id", &alert)]).await;
    assert_eq!(status, 200);
    let (status, _) = app.server_fn(&alice, "set_task_status", &[("id", &task), ("status", "done")]).await;
    assert_eq!(status, 200);
    let (_, task_now) = app.api_get(&a.api_key, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(task_now["status"], "done");
    // The page itself answers 404 for a foreign conversation.
    let page = bob.get(format!("{}/conversations/{conversation}", app.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 404);
});
