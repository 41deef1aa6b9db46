//! One account with one of every tenant-owned resource, built as users build them (REST,
//! the dashboard's server functions, a real call), for the tenancy and role tests.

use reqwest::Method;
use serde_json::{Value, json};

use crate::delivery::Receiver;
use crate::helpers::{Teammate, Tenant, TestApp, call};

/// Everything one account owns, by id.
pub struct World {
    pub tenant: Tenant,
    pub owner: reqwest::Client,
    pub admin: Teammate,
    pub member: Teammate,
    pub account_id: String,
    pub agent_id: String,
    pub field_id: String,
    pub notification_id: String,
    pub webhook_action_id: String,
    pub schedule_action_id: String,
    pub conversation_id: String,
    pub email_id: String,
    pub webhook_delivery_id: String,
    pub scheduled_call_id: String,
    pub alert_id: String,
    pub task_id: String,
    pub api_key_id: String,
    pub invitation_id: String,
    pub push_endpoint: String,
    pub receiver: Receiver,
}

/// A valid browser push subscription to `endpoint` (the key pair is thrown away).
pub fn push_subscription(endpoint: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use web_push_native::p256;
    let secret = p256::SecretKey::random(&mut p256::elliptic_curve::rand_core::OsRng);
    let p256dh = URL_SAFE_NO_PAD.encode(p256::EncodedPoint::from(secret.public_key()).as_bytes());
    json!({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": URL_SAFE_NO_PAD.encode([5u8; 16])}}).to_string()
}

async fn ok(app: &TestApp, t: &Tenant, method: Method, path: &str, body: Value) -> Value {
    let (status, answer) = app.api_send(method, &t.api_key, path, &body).await;
    assert!((200..300).contains(&status), "{path}: {status} {answer}");
    answer
}

/// Builds the world of account `name`.
pub async fn build(app: &TestApp, name: &str) -> World {
    let tenant = app.tenant(name).await;
    let receiver = Receiver::start(&[]).await;
    ok(app, &tenant, Method::POST, "/api/v1/agents", json!({"external_id": "desk", "name": "Desk"})).await;
    let field =
        ok(app, &tenant, Method::POST, "/api/v1/agents/desk/fields", json!({"name": "order_total", "type": "number"}))
            .await;
    let notification = ok(
        app,
        &tenant,
        Method::POST,
        "/api/v1/agents/desk/notifications",
        json!({"name": "Every call", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]},
               "email": {"subject": "Call", "body": "{{ conversation_summary }}"}, "team_alert": "all", "task": {"priority": "low"}}),
    )
    .await;
    let webhook = ok(
        app,
        &tenant,
        Method::POST,
        "/api/v1/agents/desk/actions",
        json!({"kind": "webhook", "name": "CRM", "url": receiver.url}),
    )
    .await;
    let schedule = ok(
        app,
        &tenant,
        Method::POST,
        "/api/v1/agents/desk/actions",
        json!({"kind": "schedule_call", "name": "Call back", "url": receiver.url, "fallback_delay_minutes": 600}),
    )
    .await;
    let created: Value = app.post_call(&tenant.api_key, &call("c-1", "desk")).await.json().await.expect("json");
    app.drain().await;
    let conversation_id = created["conversation_id"].as_str().expect("conversation").to_owned();
    let (_, conv) = app.api_get(&tenant.api_key, &format!("/api/v1/conversations/{conversation_id}")).await;
    let task_id = conv["notification_runs"][0]["task_ids"][0].as_str().expect("task").to_owned();
    let (_, deliveries) =
        app.api_get(&tenant.api_key, &format!("/api/v1/deliveries?conversation_id={conversation_id}")).await;
    let of = |channel: &str| {
        deliveries["deliveries"]
            .as_array()
            .expect("deliveries")
            .iter()
            .find(|d| d["channel"] == channel)
            .expect(channel)["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    let (email_id, webhook_delivery_id) = (of("email"), of("webhook"));
    let (_, calls) =
        app.api_get(&tenant.api_key, &format!("/api/v1/conversations/{conversation_id}/scheduled-calls")).await;
    let scheduled_call_id = calls["scheduled_calls"][0]["id"].as_str().expect("scheduled call").to_owned();

    let owner = app.browser(&tenant).await;
    let admin = app.teammate(&tenant, "admin").await;
    let member = app.teammate(&tenant, "member").await;
    let owner_member = app.owner(&tenant).await;
    let alerts = backend::alerts::list(&app.services.db, &owner_member, None, 10).await.expect("alerts");
    let alert_id = alerts[0].id.to_string();
    let api_key_id = backend::identity::api_keys::list(&app.services.db, &owner_member.tenant).await.expect("keys")[0]
        .id
        .to_string();
    let (status, _) = app
        .server_fn(
            &owner,
            "invite_member",
            &[("email", &format!("pending@{}.example", name.to_lowercase())), ("role", "admin")],
        )
        .await;
    assert_eq!(status, 200);
    let (_, team) = app.server_fn(&owner, "get_team", &[]).await;
    let invitation_id = team["invitations"][0]["id"].as_str().expect("invitation").to_owned();
    let push_endpoint = format!("https://127.0.0.1:9/push/{}", name.to_lowercase());
    let (status, body) =
        app.server_fn(&member.client, "subscribe_push", &[("subscription", &push_subscription(&push_endpoint))]).await;
    assert_eq!(status, 200, "{body}");
    World {
        account_id: owner_member.tenant.account_id().to_string(),
        agent_id: backend::agents::find_by_external_id(&app.services.db, &owner_member.tenant, "desk")
            .await
            .expect("agent")
            .expect("desk")
            .id
            .to_string(),
        field_id: field["id"].as_str().expect("field").to_owned(),
        notification_id: notification["id"].as_str().expect("notification").to_owned(),
        webhook_action_id: webhook["action"]["id"].as_str().expect("action").to_owned(),
        schedule_action_id: schedule["action"]["id"].as_str().expect("action").to_owned(),
        conversation_id,
        email_id,
        webhook_delivery_id,
        scheduled_call_id,
        alert_id,
        task_id,
        api_key_id,
        invitation_id,
        push_endpoint,
        tenant,
        owner,
        admin,
        member,
        receiver,
    }
}
