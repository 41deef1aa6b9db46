//! The team: invitations (emailed, single-use, expiring), roles (members cannot change
//! configuration), removing members, assigning tasks.

use reqwest::Method;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call};

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

/// An agent `desk` with one always-send notification that alerts everyone and opens a task.
async fn desk(app: &TestApp, t: &Tenant) -> String {
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    assert_eq!(status, 201);
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({"name": "Every call", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]},
                    "email": {"subject": "Call", "body": "{{ conversation_summary }}"}, "team_alert": "all",
                    "task": {"priority": "medium"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

db_test!(an_invitation_is_emailed_accepted_once_and_expires, |app| {
    let t = app.tenant("Acme").await;
    let owner = app.browser(&t).await;
    let (status, invited) =
        app.server_fn(&owner, "invite_member", &[("email", "New.Person@Example.com"), ("role", "member")]).await;
    assert_eq!(status, 200, "{invited}");
    // No SMTP here: the inviting admin is shown the link once to pass it on.
    let link = invited["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/invite/", app.base)), "{link}");
    let token = token_of(&link);
    assert!(token.len() >= 43, "256 random bits: {token}");
    // The link is emailed to the invitee; only its hash is stored.
    let member = app.owner(&t).await;
    let emails = backend::delivery::outbox::list(&app.services.db, &member.into(), None, 10).await.unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].recipients.0.clone(), vec!["new.person@example.com"]);
    // The stored copy hides the link; only the email sent (from its encrypted copy) has it.
    assert!(!emails[0].text_body.as_deref().unwrap().contains(&token));
    assert!(!emails[0].html_body.as_deref().unwrap().contains(&token));
    assert!(emails[0].text_body.as_deref().unwrap().contains(backend::delivery::outbox::REDACTED_LINK));
    let stored = backend::entities::invitation::Entity::find().one(&app.services.db).await.unwrap().unwrap();
    assert_ne!(stored.token_hash, token);
    assert!(!stored.token_hash.contains(&token));
    // The page shows what the invitation is for, without signing in.
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Acme") && html.contains("new.person@example.com"), "{html}");
    // A too-short password is refused and nothing is created.
    let invitee =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = app.accept_invitation(&invitee, &token, "short").await;
    assert!(resp.headers()["location"].to_str().unwrap().starts_with(&format!("/invite/{token}?error=")));
    assert_eq!(app.count("users").await, 1);
    // Accepting creates the user, the membership and a session.
    let resp = app.accept_invitation(&invitee, &token, "a long enough password").await;
    assert_eq!(resp.headers()["location"], "/");
    let me = invitee.get(format!("{}/tasks", app.base)).send().await.unwrap();
    assert_eq!(me.status().as_u16(), 200, "signed in as the new member");
    let joined =
        backend::auth::sign_in(&app.services, None, "new.person@example.com", "a long enough password").await.unwrap();
    assert_eq!(joined.role, backend::Role::Member);
    assert_eq!(joined.tenant.account_id(), member.tenant.account_id());
    // The link works once.
    let again =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = app.accept_invitation(&again, &token, "another password 1").await;
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.contains("already%20used"), "{location}");
    // An expired link is refused.
    let (_, link2) = app.server_fn(&owner, "invite_member", &[("email", "late@example.com"), ("role", "admin")]).await;
    let token2 = token_of(link2["link"].as_str().unwrap());
    let pending = backend::entities::invitation::Entity::find()
        .filter(backend::entities::invitation::Column::Email.eq("late@example.com"))
        .one(&app.services.db)
        .await
        .unwrap()
        .unwrap();
    let mut expired: backend::entities::invitation::ActiveModel = pending.into();
    expired.expires_at = Set(chrono::Utc::now() - chrono::Duration::minutes(1));
    expired.update(&app.services.db).await.unwrap();
    let resp = app.accept_invitation(&again, &token2, "another password 1").await;
    assert!(resp.headers()["location"].to_str().unwrap().contains("expired"));
    assert!(backend::auth::sign_in(&app.services, None, "late@example.com", "another password 1").await.is_err());
    // An unknown token is not found.
    let (_, body) = app.server_fn(&again, "get_invitation", &[("token", "not-a-real-token")]).await;
    assert_eq!(body, json!({"NotFound": "Invitation"}));
});

db_test!(invitations_are_revocable_and_tenant_scoped, |app| {
    let a = app.tenant("Alpha").await;
    let b = app.tenant("Beta").await;
    let alice = app.browser(&a).await;
    let bob = app.browser(&b).await;
    let (_, link) = app.server_fn(&alice, "invite_member", &[("email", "x@example.com"), ("role", "member")]).await;
    let (_, team) = app.server_fn(&alice, "get_team", &[]).await;
    let invitation = team["invitations"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(team["invitations"][0]["email"], "x@example.com");
    // Another account's admin cannot see or revoke it.
    let (_, other_team) = app.server_fn(&bob, "get_team", &[]).await;
    assert_eq!(other_team["invitations"], json!([]));
    let (_, body) = app.server_fn(&bob, "revoke_invitation", &[("id", &invitation)]).await;
    assert_eq!(body, json!({"NotFound": "Invitation"}));
    // Inviting an existing member is a conflict naming the field.
    let (_, body) = app.server_fn(&alice, "invite_member", &[("email", &a.email), ("role", "member")]).await;
    assert_eq!(body["Invalid"]["field"], "email", "{body}");
    let (_, body) = app.server_fn(&alice, "invite_member", &[("email", "y@example.com"), ("role", "owner")]).await;
    assert_eq!(body["Invalid"]["field"], "role", "{body}");
    let (_, body) = app.server_fn(&alice, "invite_member", &[("email", "not an address"), ("role", "member")]).await;
    assert_eq!(body["Invalid"]["field"], "email", "{body}");
    // Revoked links stop working.
    let (status, _) = app.server_fn(&alice, "revoke_invitation", &[("id", &invitation)]).await;
    assert_eq!(status, 200);
    let (_, body) =
        app.server_fn(&bob, "get_invitation", &[("token", &token_of(link["link"].as_str().unwrap()))]).await;
    assert_eq!(body, json!({"NotFound": "Invitation"}));
});

db_test!(members_cannot_change_configuration, |app| {
    let t = app.tenant("Acme").await;
    let notification = desk(&app, &t).await;
    let mate = app.teammate(&t, "member").await;
    let m = &mate.client;
    let owner = app.owner(&t).await;
    let agents = backend::agents::list(&app.services.db, &owner.tenant).await.unwrap();
    let agent = agents[0].id.to_string();
    let user = mate.user_id.to_string();
    let owner_id = owner.user_id.to_string();
    let notification_form = [
        ("agent_id", agent.as_str()),
        ("name", "Sneaky"),
        ("enabled", "on"),
        ("trigger_mode", "always"),
        ("recipients", "me@evil.example"),
        ("subject", "s"),
        ("body", "b"),
        ("team_alert", "off"),
        ("task", "off"),
        ("action", "publish"),
    ];
    let refused: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("save_notification", notification_form.to_vec()),
        ("set_notification_enabled", vec![("id", &notification), ("enabled", "false")]),
        ("duplicate_notification", vec![("id", &notification)]),
        ("delete_notification", vec![("id", &notification)]),
        ("move_notification", vec![("id", &notification), ("direction", "up")]),
        ("publish_notification", vec![("id", &notification)]),
        ("restore_notification_version", vec![("id", &notification), ("version", "1")]),
        ("test_send_notification", vec![("agent_id", &agent), ("source", "sample"), ("subject", "s"), ("body", "b")]),
        ("create_agent", vec![("name", "Other"), ("external_id", "other"), ("timezone", "UTC"), ("language", "en")]),
        (
            "update_agent",
            vec![("id", &agent), ("name", "Renamed"), ("external_id", "desk"), ("timezone", "UTC"), ("language", "en")],
        ),
        ("save_field", vec![("agent_id", &agent), ("name", "amount"), ("kind", "number")]),
        ("invite_member", vec![("email", "friend@example.com"), ("role", "admin")]),
        ("set_member_role", vec![("user_id", &user), ("role", "admin")]),
        ("remove_member", vec![("user_id", &owner_id)]),
        ("create_api_key", vec![("name", "mine")]),
        ("set_auto_create_agents", vec![]),
        ("save_analyzer", vec![("provider", "builtin")]),
    ];
    for (function, form) in &refused {
        let (status, body) = app.server_fn(m, function, form).await;
        assert_ne!(status, 200, "{function}");
        assert_eq!(body, json!("Forbidden"), "{function} must be refused for a member");
    }
    // Nothing changed.
    let (_, n) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{notification}")).await;
    assert_eq!(
        (n["enabled"].as_bool(), n["version"].as_i64(), n["has_draft"].as_bool()),
        (Some(true), Some(1), Some(false))
    );
    assert_eq!(app.count("notifications").await, 1);
    assert_eq!(app.count("agents").await, 1);
    assert_eq!(app.count("api_keys").await, 1);
    assert!(backend::identity::members::pending_invitations(&app.services.db, &owner.tenant).await.unwrap().is_empty());
    assert_eq!(backend::identity::accounts::members(&app.services.db, &owner.tenant).await.unwrap().len(), 2);
    // What a member's daily work needs is allowed.
    app.post_call(&t.api_key, &call("c-1", "desk")).await;
    app.drain().await;
    let (status, page) = app.server_fn(m, "list_alerts", &[]).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (status, _) = app.server_fn(m, "mark_all_alerts_read", &[]).await;
    assert_eq!(status, 200);
    let (_, tasks) = app.server_fn(m, "list_tasks", &[]).await;
    let task = tasks["page"]["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) =
        app.server_fn(m, "assign_task", &[("id", &task), ("assignee", &user), ("due", "2026-12-01")]).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = app.server_fn(m, "set_task_status", &[("id", &task), ("status", "done")]).await;
    assert_eq!(status, 200);
    let (status, list) = app.server_fn(m, "list_notifications", &[]).await;
    assert_eq!(status, 200, "members may read the configuration");
    assert_eq!(list.as_array().unwrap().len(), 1);
    // The configuration pages say so rather than offering forms that fail.
    let html = m.get(format!("{}/notifications/{notification}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(">Publish<"), "no publish button for members");
    // An admin may configure, but not touch the owner.
    let admin = app.teammate(&t, "admin").await;
    let (status, body) =
        app.server_fn(&admin.client, "set_notification_enabled", &[("id", &notification), ("enabled", "false")]).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) =
        app.server_fn(&admin.client, "set_member_role", &[("user_id", &owner_id), ("role", "member")]).await;
    assert_eq!(body["Invalid"]["message"], "the owner's role cannot be changed", "{body}");
    let (_, body) = app.server_fn(&admin.client, "remove_member", &[("user_id", &owner_id)]).await;
    assert_eq!(body["Invalid"]["field"], "user_id", "{body}");
    let (status, _) = app.server_fn(&admin.client, "set_member_role", &[("user_id", &user), ("role", "admin")]).await;
    assert_eq!(status, 200);
    let promoted = backend::auth::sign_in(&app.services, None, &mate.email, &mate.password).await.unwrap();
    assert_eq!(promoted.role, backend::Role::Admin);
});

db_test!(a_removed_member_loses_access_alerts_and_assignments, |app| {
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let mate = app.teammate(&t, "member").await;
    let owner = app.browser(&t).await;
    app.post_call(&t.api_key, &call("c-1", "desk")).await;
    app.drain().await;
    assert_eq!(app.count("alerts").await, 2, "one per member");
    let (_, tasks) = app.api_get(&t.api_key, "/api/v1/tasks").await;
    let task = tasks["tasks"][0]["id"].as_str().unwrap().to_owned();
    let user = mate.user_id.to_string();
    let (status, body) = app
        .api_send(
            Method::PATCH,
            &t.api_key,
            &format!("/api/v1/tasks/{task}"),
            &json!({"assignee_user_id": user, "due_at": "2026-12-01T17:00:00Z"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["assignee_user_id"], user.as_str());
    assert_eq!(body["due_at"], "2026-12-01T17:00:00Z");
    let (_, mine) = app.api_get(&t.api_key, &format!("/api/v1/tasks?assignee={user}")).await;
    assert_eq!(mine["tasks"].as_array().unwrap().len(), 1);
    let (status, _) = app.server_fn(&owner, "remove_member", &[("user_id", &user)]).await;
    assert_eq!(status, 200);
    // Their session no longer opens the dashboard: pages send them to sign in, server
    // functions answer Unauthenticated.
    let resp = mate.client.get(format!("{}/tasks", app.base)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 303, "their session no longer counts");
    assert_eq!(resp.headers()["location"], "/signin?next=/tasks");
    let (_, body) = app.server_fn(&mate.client, "list_tasks", &[]).await;
    assert_eq!(body, json!("Unauthenticated"));
    assert!(backend::auth::sign_in(&app.services, None, &mate.email, &mate.password).await.is_err());
    assert_eq!(app.count("alerts").await, 1, "their alerts are gone");
    let (_, task_now) = app.api_get(&t.api_key, &format!("/api/v1/tasks/{task}")).await;
    assert_eq!(task_now["assignee_user_id"], Value::Null, "their tasks are unassigned");
    assert_eq!(task_now["due_at"], "2026-12-01T17:00:00Z");
    // Assigning to someone who is not a member is refused, naming the field.
    let (status, body) = app
        .api_send(Method::PATCH, &t.api_key, &format!("/api/v1/tasks/{task}"), &json!({"assignee_user_id": user}))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("assignee_user_id")), "{body}");
});

db_test!(my_tasks_lists_only_the_tasks_assigned_to_me, |app| {
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let mate = app.teammate(&t, "member").await;
    for id in ["c-1", "c-2", "c-3"] {
        app.post_call(&t.api_key, &call(id, "desk")).await;
    }
    app.drain().await;
    let (_, tasks) = app.server_fn(&mate.client, "list_tasks", &[]).await;
    let items = tasks["page"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 3);
    let first = items[0]["id"].as_str().unwrap();
    let user = mate.user_id.to_string();
    app.server_fn(&mate.client, "assign_task", &[("id", first), ("assignee", &user), ("due", "2020-01-01")]).await;
    let (_, mine) = app.server_fn(&mate.client, "list_tasks", &[("mine", "yes")]).await;
    let mine = mine["page"]["items"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["id"], first);
    assert_eq!(mine[0]["overdue"], true, "due in the past and still open");
    assert_eq!(mine[0]["due_date"], "2020-01-01");
    let (_, body) =
        app.server_fn(&mate.client, "assign_task", &[("id", first), ("assignee", &user), ("due", "tomorrow")]).await;
    assert_eq!(body["Invalid"]["field"], "due", "{body}");
});
