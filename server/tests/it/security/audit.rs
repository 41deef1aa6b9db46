//! The audit log: configuration changes made in the dashboard and over REST are recorded
//! with who made them, newest first, for owners and admins (Settings) and integrators
//! (`GET /api/v1/audit-log`).

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, spawn_app};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_changes_are_recorded_with_who_made_them() {
    let app = spawn_app(Db::Sqlite, "").await.unwrap();
    let t = app.tenant("Acme").await;
    let owner = app.browser(&t).await;
    let mate = app.teammate(&t, "member").await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    let (_, n) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({"name": "Callbacks", "trigger": {"always": true}, "email": {"subject": "s", "body": "b"}}),
        )
        .await;
    let n = n["id"].as_str().unwrap().to_owned();
    let (_, a) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": "https://crm.example.com/h"}),
        )
        .await;
    let a = a["action"]["id"].as_str().unwrap().to_owned();
    for (function, form) in [
        ("set_notification_enabled", vec![("id", n.as_str()), ("enabled", "false")]),
        ("rotate_action_secret", vec![("id", a.as_str())]),
        ("toggle_action", vec![("id", a.as_str()), ("enabled", "false")]),
        ("create_api_key", vec![("name", "CRM sync")]),
        ("set_member_role", vec![("user_id", &mate.user_id.to_string()), ("role", "admin")]),
        ("save_analyzer", vec![("provider", "builtin")]),
        ("delete_notification", vec![("id", n.as_str())]),
    ] {
        let (status, body) = app.server_fn(&owner, function, &form).await;
        assert_eq!(status, 200, "{function}: {body}");
    }
    let (status, log) = app.api_get(&t.api_key, "/api/v1/audit-log").await;
    assert_eq!(status, 200);
    let entries = log["entries"].as_array().unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "notification.deleted", "settings.changed", "member.role_changed", "api_key.created", "action.disabled",
            "action.secret_rotated", "notification.disabled", "action.created", "notification.published",
            "invitation.sent",
        ],
        "{log}"
    );
    let by = |action: &str| entries.iter().find(|e| e["action"] == action).unwrap().clone();
    assert_eq!(by("notification.published")["actor"], "API key \"test\"", "REST changes name the key");
    assert!(
        by("action.secret_rotated")["actor"].as_str().unwrap().contains(&t.email),
        "dashboard changes name the member"
    );
    assert_eq!(by("notification.published")["detail"], "Callbacks, version 1");
    assert!(by("member.role_changed")["detail"].as_str().unwrap().ends_with("member → admin"));
    assert!(!log.to_string().contains("crm.example.com/h"), "URLs (credentials) are not logged");
    // The dashboard shows the same to admins; paging by cursor.
    let (_, page) = app.server_fn(&owner, "list_audit", &[]).await;
    assert_eq!(page["items"].as_array().unwrap().len(), entries.len());
    let (_, older) = app
        .api_get(&t.api_key, &format!("/api/v1/audit-log?limit=3&cursor={}", entries[2]["id"].as_str().unwrap()))
        .await;
    let older: Vec<Value> = older["entries"].as_array().unwrap().clone();
    assert_eq!(older[0]["action"], "api_key.created");
}
