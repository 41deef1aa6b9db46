//! Tenancy and roles, table-driven: another account's id answers 404 for every
//! tenant-owned resource type (agents, fields, notifications and their versions, actions,
//! conversations with their analyses and runs, emails, webhook deliveries, scheduled calls,
//! alerts, tasks, API keys, push subscriptions, invitations, audit entries) over REST and
//! over server functions; every mutating server function answers member, admin and owner
//! as the README's role matrix says.

use reqwest::Method;
use serde_json::{Value, json};

use super::world::{World, build, push_subscription};
use crate::helpers::{TestApp, call};

fn not_found(body: &Value) -> bool {
    body.get("NotFound").is_some() || body["error"]["code"] == "not_found"
}

db_test!(every_tenant_owned_resource_answers_404_to_another_account_over_rest, |app| {
    let a = build(&app, "Alpha").await;
    let b = app.tenant("Beta").await;
    // Beta has an agent of the same external id, so paths by external id reach Beta's own.
    app.api_send(Method::POST, &b.api_key, "/api/v1/agents", &json!({"external_id": "other"})).await;
    let n = &a.notification_id;
    let act = &a.webhook_action_id;
    let c = &a.conversation_id;
    let replace_n = json!({"name": "Hijacked", "trigger": {"always": true}, "email": {"subject": "s", "body": "b"}});
    let replace_a = json!({"kind": "webhook", "name": "Hijacked", "url": a.receiver.url});
    let table: Vec<(Method, String, Value)> = vec![
        (Method::PUT, "/api/v1/agents/desk".into(), json!({"external_id": "desk", "name": "x"})),
        (Method::GET, "/api/v1/agents/desk/fields".into(), json!({})),
        (Method::POST, "/api/v1/agents/desk/fields".into(), json!({"name": "x", "type": "string"})),
        (Method::GET, "/api/v1/agents/desk/notifications".into(), json!({})),
        (Method::POST, "/api/v1/agents/desk/notifications".into(), replace_n.clone()),
        (Method::GET, "/api/v1/agents/desk/actions".into(), json!({})),
        (Method::POST, "/api/v1/agents/desk/actions".into(), replace_a.clone()),
        (Method::GET, format!("/api/v1/notifications/{n}"), json!({})),
        (Method::PUT, format!("/api/v1/notifications/{n}"), replace_n),
        (Method::GET, format!("/api/v1/notifications/{n}/versions"), json!({})),
        (Method::GET, format!("/api/v1/actions/{act}"), json!({})),
        (Method::PUT, format!("/api/v1/actions/{act}"), replace_a),
        (Method::POST, format!("/api/v1/actions/{act}/rotate-secret"), json!({})),
        (Method::POST, format!("/api/v1/actions/{act}/test"), json!({})),
        (Method::DELETE, format!("/api/v1/actions/{act}"), json!({})),
        (Method::GET, format!("/api/v1/conversations/{c}"), json!({})),
        (Method::POST, format!("/api/v1/conversations/{c}/reanalyze"), json!({})),
        (Method::POST, format!("/api/v1/conversations/{c}/replay"), json!({})),
        (Method::GET, format!("/api/v1/conversations/{c}/scheduled-calls"), json!({})),
        (Method::GET, format!("/api/v1/deliveries?conversation_id={c}"), json!({})),
        (Method::GET, format!("/api/v1/deliveries/email/{}", a.email_id), json!({})),
        (Method::POST, format!("/api/v1/deliveries/email/{}/replay", a.email_id), json!({})),
        (Method::GET, format!("/api/v1/deliveries/webhook/{}", a.webhook_delivery_id), json!({})),
        (Method::POST, format!("/api/v1/deliveries/webhook/{}/replay", a.webhook_delivery_id), json!({})),
        (Method::POST, format!("/api/v1/scheduled-calls/{}/cancel", a.scheduled_call_id), json!({})),
        (Method::GET, format!("/api/v1/tasks/{}", a.task_id), json!({})),
        (Method::PATCH, format!("/api/v1/tasks/{}", a.task_id), json!({"status": "done"})),
    ];
    for (method, path, body) in &table {
        let (status, answer) = app.api_send(method.clone(), &b.api_key, path, body).await;
        assert_eq!(status, 404, "{method} {path}: {answer}");
        assert!(not_found(&answer), "{method} {path}: {answer}");
    }
    // The owner's key reaches every one of them (the ids are right), and nothing changed.
    for path in [
        format!("/api/v1/notifications/{n}"),
        format!("/api/v1/actions/{act}"),
        format!("/api/v1/conversations/{c}"),
        format!("/api/v1/tasks/{}", a.task_id),
    ] {
        assert_eq!(app.api_get(&a.tenant.api_key, &path).await.0, 200, "{path}");
    }
    let (_, n_now) = app.api_get(&a.tenant.api_key, &format!("/api/v1/notifications/{n}")).await;
    assert_eq!((n_now["name"].as_str(), n_now["version"].as_i64()), (Some("Every call"), Some(1)));
    let (_, task_now) = app.api_get(&a.tenant.api_key, &format!("/api/v1/tasks/{}", a.task_id)).await;
    assert_eq!(task_now["status"], "open");
    // Lists hold only Beta's own rows: no conversation, task, delivery or audit entry of Alpha.
    for (path, key) in [
        ("/api/v1/conversations", "conversations"),
        ("/api/v1/tasks", "tasks"),
        ("/api/v1/deliveries", "deliveries"),
        ("/api/v1/audit-log", "entries"),
    ] {
        let (status, listed) = app.api_get(&b.api_key, path).await;
        assert_eq!(status, 200, "{path}");
        let text = listed.to_string();
        for id in [
            &a.conversation_id, &a.task_id, &a.email_id, &a.webhook_delivery_id, &a.notification_id,
            &a.webhook_action_id,
        ] {
            assert!(!text.contains(id.as_str()), "{path} shows Alpha's {id}: {listed}");
        }
        assert!(listed[key].is_array(), "{path}: {listed}");
    }
    let (_, agents) = app.api_get(&b.api_key, "/api/v1/agents").await;
    assert!(!agents.to_string().contains(&a.agent_id));
});

db_test!(every_tenant_owned_resource_answers_not_found_to_another_account_over_server_functions, |app| {
    let a = build(&app, "Alpha").await;
    let b = build(&app, "Beta").await;
    let bob = &b.owner;
    let agent = a.agent_id.as_str();
    let n = a.notification_id.as_str();
    let act = a.webhook_action_id.as_str();
    let c = a.conversation_id.as_str();
    let admin_user = a.admin.user_id.to_string();
    let table: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("get_agent", vec![("id", agent)]),
        (
            "update_agent",
            vec![("id", agent), ("external_id", "desk"), ("name", "x"), ("timezone", "UTC"), ("language", "en")],
        ),
        ("list_fields", vec![("agent_id", agent)]),
        ("save_field", vec![("agent_id", agent), ("name", "x"), ("kind", "string")]),
        ("delete_field", vec![("id", &a.field_id)]),
        ("list_actions", vec![("agent_id", agent)]),
        (
            "save_action",
            vec![
                ("agent_id", agent),
                ("id", act),
                ("kind", "webhook"),
                ("name", "x"),
                ("url", &a.receiver.url),
                ("enabled", "on"),
            ],
        ),
        ("toggle_action", vec![("id", act), ("enabled", "false")]),
        ("rotate_action_secret", vec![("id", act)]),
        ("test_action", vec![("id", act)]),
        ("restore_action_version", vec![("id", act), ("version", "1")]),
        ("publish_action", vec![("id", act)]),
        ("discard_action_draft", vec![("id", act)]),
        ("try_on_recent_calls", vec![("kind", "action"), ("id", act)]),
        ("try_on_recent_calls", vec![("kind", "notification"), ("id", n)]),
        ("delete_action", vec![("id", &a.schedule_action_id)]),
        ("notification_editor", vec![("id", n)]),
        ("publish_notification", vec![("id", n)]),
        ("discard_notification_draft", vec![("id", n)]),
        ("restore_notification_version", vec![("id", n), ("version", "1")]),
        ("set_notification_enabled", vec![("id", n), ("enabled", "false")]),
        ("duplicate_notification", vec![("id", n)]),
        ("move_notification", vec![("id", n), ("direction", "up")]),
        ("delete_notification", vec![("id", n)]),
        ("preview_notification", vec![("agent_id", ""), ("source", c), ("subject", "s"), ("body", "b")]),
        ("get_conversation", vec![("id", c)]),
        ("reanalyze_conversation", vec![("id", c)]),
        ("list_deliveries", vec![("conversation", c)]),
        ("get_delivery", vec![("channel", "email"), ("id", &a.email_id)]),
        ("get_delivery", vec![("channel", "webhook"), ("id", &a.webhook_delivery_id)]),
        ("replay_delivery", vec![("channel", "webhook"), ("id", &a.webhook_delivery_id)]),
        ("replay_conversation", vec![("id", c)]),
        ("list_scheduled_calls", vec![("conversation", c)]),
        ("cancel_scheduled_call", vec![("id", &a.scheduled_call_id)]),
        ("mark_alert_read", vec![("id", &a.alert_id)]),
        ("set_task_status", vec![("id", &a.task_id), ("status", "done")]),
        ("assign_task", vec![("id", &a.task_id), ("assignee", ""), ("due", "")]),
        ("revoke_api_key", vec![("id", &a.api_key_id)]),
        ("revoke_invitation", vec![("id", &a.invitation_id)]),
        ("set_member_role", vec![("user_id", &admin_user), ("role", "member")]),
        ("remove_member", vec![("user_id", &admin_user)]),
        ("switch_account", vec![("account_id", &a.account_id)]),
    ];
    for (function, form) in &table {
        let (status, body) = app.server_fn(bob, function, form).await;
        assert_ne!(status, 200, "{function}: {body}");
        assert!(not_found(&body), "{function} must answer NotFound to another account: {body}");
    }
    // Push subscriptions: Beta cannot remove Alpha's, and Alpha's audit entries are not
    // in Beta's log.
    let (_, removed) = app.server_fn(bob, "unsubscribe_push", &[("endpoint", &a.push_endpoint)]).await;
    assert_eq!(removed, json!(false));
    let (_, push) = app.server_fn(&a.member.client, "push_status", &[]).await;
    assert_eq!(push["endpoints"], json!([a.push_endpoint]));
    let (_, audit) = app.server_fn(bob, "list_audit", &[]).await;
    assert!(!audit.to_string().contains(n), "{audit}");
    // Nothing of Alpha's changed.
    let (_, n_now) = app.api_get(&a.tenant.api_key, &format!("/api/v1/notifications/{n}")).await;
    assert_eq!(
        (n_now["name"].as_str(), n_now["enabled"].as_bool(), n_now["version"].as_i64()),
        (Some("Every call"), Some(true), Some(1))
    );
    assert_eq!(app.api_get(&a.tenant.api_key, &format!("/api/v1/actions/{}", a.schedule_action_id)).await.0, 200);
    let (_, team) = app.server_fn(&a.owner, "get_team", &[]).await;
    assert_eq!(team["members"].as_array().unwrap().len(), 3);
    assert_eq!(team["invitations"].as_array().unwrap().len(), 1);
    let (_, calls) = app.api_get(&a.tenant.api_key, &format!("/api/v1/conversations/{c}/scheduled-calls")).await;
    assert_eq!(calls["scheduled_calls"][0]["state"], "scheduled");
});

/// Fresh resources for one role's turn, so a destructive call by one role does not decide
/// what the next one sees.
struct Turn {
    notification: String,
    draft: String,
    action: String,
    field: String,
    api_key: String,
    invitation: String,
    target_user: String,
    conversation: String,
    scheduled_call: String,
}

async fn turn(app: &TestApp, w: &World, n: usize) -> Turn {
    let key = &w.tenant.api_key;
    let notification =
        json!({"name": format!("Turn {n}"), "trigger": {"always": true}, "email": {"subject": "s", "body": "b"}});
    let (_, made) = app.api_send(Method::POST, key, "/api/v1/agents/desk/notifications", &notification).await;
    let (_, drafted) = app.api_send(Method::POST, key, "/api/v1/agents/desk/notifications", &notification).await;
    let draft = drafted["id"].as_str().unwrap().to_owned();
    let owner = app.owner(&w.tenant).await;
    let found = backend::notifications::get(&app.services.db, &owner.tenant, draft.parse().unwrap()).await.unwrap();
    let input = backend::notifications::to_input(&found);
    backend::notifications::update(
        &app.services.db,
        &owner.into(),
        found.id,
        found.agent_id,
        input,
        backend::notifications::Save::Draft,
    )
    .await
    .unwrap();
    let (_, action) = app
        .api_send(
            Method::POST,
            key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": format!("Turn {n}"), "url": w.receiver.url}),
        )
        .await;
    let (_, field) = app
        .api_send(
            Method::POST,
            key,
            "/api/v1/agents/desk/fields",
            &json!({"name": format!("turn_{n}"), "type": "string"}),
        )
        .await;
    let api_key = backend::identity::api_keys::create(&app.services.db, &owner.into(), &format!("turn {n}"))
        .await
        .unwrap()
        .key
        .id
        .to_string();
    let invited = backend::identity::members::invite(&app.services, &owner, &format!("turn{n}@example.com"), "member")
        .await
        .unwrap();
    let target = app.teammate(&w.tenant, "member").await;
    let created: Value = app.post_call(key, &call(&format!("turn-{n}"), "desk")).await.json().await.unwrap();
    app.drain().await;
    let conversation = created["conversation_id"].as_str().unwrap().to_owned();
    let (_, calls) = app.api_get(key, &format!("/api/v1/conversations/{conversation}/scheduled-calls")).await;
    Turn {
        notification: made["id"].as_str().unwrap().to_owned(),
        draft,
        action: action["action"]["id"].as_str().unwrap().to_owned(),
        field: field["id"].as_str().unwrap().to_owned(),
        api_key,
        invitation: invited.invitation.id.to_string(),
        target_user: target.user_id.to_string(),
        conversation,
        scheduled_call: calls["scheduled_calls"][0]["id"].as_str().unwrap().to_owned(),
    }
}

db_test!(every_mutating_server_function_answers_as_the_role_matrix_says, |app| {
    let w = build(&app, "Acme").await;
    let agent = w.agent_id.clone();
    let roles: [(&str, &reqwest::Client, bool); 3] =
        [("member", &w.member.client, false), ("admin", &w.admin.client, true), ("owner", &w.owner, true)];
    for (n, (role, client, configures)) in roles.into_iter().enumerate() {
        let t = turn(&app, &w, n).await;
        let url = w.receiver.url.clone();
        let ext = format!("agent-{role}");
        let invitee = format!("{role}-invitee@example.com");
        let field_name = ext.replace('-', "_");
        let endpoint = format!("https://127.0.0.1:9/push/{role}");
        let subscription = push_subscription(&endpoint);
        let mine = match role {
            "member" => w.member.user_id.to_string(),
            "admin" => w.admin.user_id.to_string(),
            _ => String::new(),
        };
        // Configuration: owners and admins only.
        let configure: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("create_agent", vec![("external_id", &ext), ("name", "x"), ("timezone", "UTC"), ("language", "en")]),
            (
                "update_agent",
                vec![
                    ("id", &agent),
                    ("external_id", "desk"),
                    ("name", "Desk"),
                    ("timezone", "UTC"),
                    ("language", "en"),
                ],
            ),
            ("save_field", vec![("agent_id", &agent), ("name", &field_name), ("kind", "string")]),
            ("delete_field", vec![("id", &t.field)]),
            (
                "save_notification",
                vec![
                    ("agent_id", &agent),
                    ("name", "Made"),
                    ("enabled", "on"),
                    ("trigger_mode", "always"),
                    ("subject", "s"),
                    ("body", "b"),
                    ("team_alert", "off"),
                    ("task", "off"),
                    ("action", "publish"),
                ],
            ),
            ("publish_notification", vec![("id", &t.draft)]),
            ("restore_notification_version", vec![("id", &t.notification), ("version", "1")]),
            ("discard_notification_draft", vec![("id", &t.notification)]),
            ("set_notification_enabled", vec![("id", &t.notification), ("enabled", "false")]),
            ("duplicate_notification", vec![("id", &t.notification)]),
            ("move_notification", vec![("id", &t.notification), ("direction", "up")]),
            ("try_on_recent_calls", vec![("kind", "notification"), ("id", &t.notification)]),
            ("preview_notification", vec![("agent_id", &agent), ("source", "sample"), ("subject", "s"), ("body", "b")]),
            (
                "test_send_notification",
                vec![("agent_id", &agent), ("source", "sample"), ("subject", "s"), ("body", "b")],
            ),
            ("delete_notification", vec![("id", &t.notification)]),
            (
                "save_action",
                vec![
                    ("agent_id", &agent),
                    ("kind", "webhook"),
                    ("name", "Made"),
                    ("url", &url),
                    ("format", "standard"),
                    ("enabled", "on"),
                ],
            ),
            ("toggle_action", vec![("id", &t.action), ("enabled", "false")]),
            ("rotate_action_secret", vec![("id", &t.action)]),
            ("test_action", vec![("id", &t.action)]),
            ("restore_action_version", vec![("id", &t.action), ("version", "1")]),
            ("publish_action", vec![("id", &t.action)]),
            ("discard_action_draft", vec![("id", &t.action)]),
            ("try_on_recent_calls", vec![("kind", "action"), ("id", &t.action)]),
            ("delete_action", vec![("id", &t.action)]),
            ("save_analyzer", vec![("provider", "builtin")]),
            ("set_auto_create_agents", vec![("enabled", "on")]),
            ("set_inbound_signing", vec![("enable", "false")]),
            ("enable_integration", vec![("platform", "retell"), ("secret", "a Retell key")]),
            ("disable_integration", vec![("platform", "retell")]),
            ("create_api_key", vec![("name", "made")]),
            ("revoke_api_key", vec![("id", &t.api_key)]),
            ("invite_member", vec![("email", &invitee), ("role", "member")]),
            ("revoke_invitation", vec![("id", &t.invitation)]),
            ("set_member_role", vec![("user_id", &t.target_user), ("role", "admin")]),
            ("remove_member", vec![("user_id", &t.target_user)]),
        ];
        for (function, form) in &configure {
            let (status, body) = app.server_fn(client, function, form).await;
            if configures {
                assert!(status < 400, "{role} may {function}: {status} {body}");
            } else {
                assert_eq!(body, json!("Forbidden"), "a member may not {function}");
            }
        }
        // The audit log and account emails: owners and admins only.
        let (_, audit) = app.server_fn(client, "list_audit", &[]).await;
        if configures {
            assert!(audit["items"].as_array().is_some_and(|i| !i.is_empty()), "{role}: {audit}");
        } else {
            assert_eq!(audit, json!("Forbidden"));
        }
        // The platform integrations and their intake URLs: owners and admins only.
        let (_, platforms) = app.server_fn(client, "list_integrations", &[]).await;
        if configures {
            assert_eq!(platforms.as_array().map(Vec::len), Some(3), "{role}: {platforms}");
        } else {
            assert_eq!(platforms, json!("Forbidden"));
        }
        // Work: everyone in the account.
        let own_alerts = app.server_fn(client, "list_alerts", &[]).await.1;
        let alert = own_alerts["items"][0]["id"].as_str().map(str::to_owned).unwrap_or_default();
        let work: Vec<(&str, Vec<(&str, &str)>)> = vec![
            ("mark_all_alerts_read", vec![]),
            ("set_task_status", vec![("id", &w.task_id), ("status", if n % 2 == 0 { "done" } else { "open" })]),
            ("assign_task", vec![("id", &w.task_id), ("assignee", &mine), ("due", "")]),
            ("reanalyze_conversation", vec![("id", &t.conversation)]),
            ("replay_conversation", vec![("id", &t.conversation)]),
            ("cancel_scheduled_call", vec![("id", &t.scheduled_call)]),
            ("subscribe_push", vec![("subscription", &subscription)]),
            ("unsubscribe_push", vec![("endpoint", &endpoint)]),
            ("send_test_alert", vec![]),
            ("update_name", vec![("name", role)]),
        ];
        for (function, form) in &work {
            let (status, body) = app.server_fn(client, function, form).await;
            assert_eq!(status, 200, "{role} may {function}: {body}");
        }
        if !alert.is_empty() {
            assert_eq!(app.server_fn(client, "mark_alert_read", &[("id", &alert)]).await.0, 200, "{role}");
        }
    }
    // Nobody becomes owner, and the owner cannot be demoted or removed.
    let owner_id = app.owner(&w.tenant).await.user_id.to_string();
    for client in [&w.admin.client, &w.owner] {
        let (_, body) = app
            .server_fn(client, "set_member_role", &[("user_id", &w.member.user_id.to_string()), ("role", "owner")])
            .await;
        assert_eq!(body["Invalid"]["field"], "role", "{body}");
        let (_, body) = app.server_fn(client, "set_member_role", &[("user_id", &owner_id), ("role", "member")]).await;
        assert_eq!(body["Invalid"]["field"], "role", "{body}");
        let (_, body) = app.server_fn(client, "remove_member", &[("user_id", &owner_id)]).await;
        assert_eq!(body["Invalid"]["field"], "user_id", "{body}");
    }
});
