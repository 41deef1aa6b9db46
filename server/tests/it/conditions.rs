//! The one condition language over REST and the dashboard: typed `{field, operator, value}`
//! tests of call facts and extracted fields, all/any groups, for actions and
//! notifications; and actions' drafts and published versions, recorded on deliveries.

use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};

use crate::delivery::Receiver;
use crate::helpers::{Tenant, TestApp, call};
use backend::entities::webhook_delivery;

/// An agent `desk` with a number field `party_size`.
async fn agent(app: &TestApp, t: &Tenant) {
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    assert_eq!(status, 201);
    let field = json!({"name": "party_size", "type": "number", "description": "Number of people for the table"});
    let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", &field).await;
    assert_eq!(status, 201, "{body}");
}

/// A 90-second inbound call that ended with the customer hanging up, booking a table for 4.
fn table_for_four(call_id: &str) -> Value {
    let mut event = call(call_id, "desk");
    event["transcript"] = json!([
        {"role": "agent", "text": "How can I help?"},
        {"role": "user", "text": "I'd like a table for four people tomorrow evening."},
        {"role": "agent", "text": "Your table for 4 is booked for tomorrow at 7 pm."}
    ]);
    event
}

/// Ingests [`table_for_four`] and runs its jobs; returns the conversation id.
async fn ingest(app: &TestApp, t: &Tenant, call_id: &str) -> String {
    let resp = app.post_call(&t.api_key, &table_for_four(call_id)).await;
    assert_eq!(resp.status().as_u16(), 202);
    let body: Value = resp.json().await.unwrap();
    app.drain().await;
    body["conversation_id"].as_str().unwrap().to_owned()
}

async fn create_action(app: &TestApp, t: &Tenant, name: &str, url: &str, condition: Value) -> (u16, Value) {
    let body = json!({"kind": "webhook", "name": name, "url": url, "condition": condition});
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/actions", &body).await
}

/// (action name, recorded version) of every delivery, sorted.
async fn deliveries(app: &TestApp) -> Vec<(String, Option<i32>)> {
    let mut rows: Vec<_> = webhook_delivery::Entity::find()
        .all(&app.services.db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.action_name, d.action_version))
        .collect();
    rows.sort();
    rows
}

db_test!(actions_and_notifications_share_one_typed_condition_language_with_all_and_any, |app| {
    let receiver = Receiver::start(&[]).await;
    let t = app.tenant("Acme").await;
    agent(&app, &t).await;
    // (name, condition, whether it holds for the call)
    let cases = [
        ("hung up", json!({"field": "end_reason", "operator": "==", "value": "CUSTOMER_HANGUP"}), true),
        ("voicemail", json!({"field": "end_reason", "operator": "==", "value": "voicemail"}), false),
        ("not voicemail", json!({"field": "end_reason", "operator": "not_in", "value": ["voicemail", "busy"]}), true),
        (
            "outbound or four",
            json!({"any": [
                {"field": "direction", "operator": "==", "value": "outbound"},
                {"field": "party_size", "operator": ">=", "value": 4}
            ]}),
            true,
        ),
        (
            "short and four",
            json!({"all": [
                {"field": "duration", "operator": "<", "value": 30},
                {"field": "party_size", "operator": "==", "value": 4}
            ]}),
            false,
        ),
        ("long", json!({"field": "duration", "operator": ">", "value": 60}), true),
        ("answered", json!({"field": "status", "operator": "is_empty"}), true),
    ];
    for (name, condition, _) in &cases {
        let (status, body) = create_action(&app, &t, name, &receiver.url, condition.clone()).await;
        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["action"]["version"], 1, "REST publishes at once");
    }
    // The Call2Me seed's condition, as written there, is stored typed.
    let seed = json!({"field": "follow_up_required", "operator": "==", "value": true});
    let (status, body) = create_action(&app, &t, "seed", "https://example.com/hook", seed.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["action"]["condition"], seed);
    assert_eq!(body["action"]["condition_text"], "follow_up_required == true");
    let (status, body) = create_action(
        &app,
        &t,
        "has number",
        "https://example.com/hook",
        json!({"field": "callback_number", "operator": "!=", "value": null}),
    )
    .await;
    assert_eq!((status, &body["action"]["condition"]["value"]), (201, &Value::Null), "{body}");
    for (condition, field) in [
        (json!({"field": "end_reason", "operator": ">", "value": "busy"}), "condition.operator"),
        (json!({"field": "goal", "operator": "==", "value": "won"}), "condition.value"),
        (json!({"any": []}), "condition.any"),
        (json!({"all": [{"field": "party_size", "operator": "in", "value": []}]}), "condition.all[0].value"),
    ] {
        let (status, body) = create_action(&app, &t, "bad", "https://example.com/hook", condition).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some(field)), "{body}");
    }
    // A notification with the same language: all of its conditions must hold.
    let notification = |name: &str, conditions: Value| json!({"name": name, "trigger": {"always": true}, "conditions": conditions, "email": {"subject": "s", "body": "b"}});
    let fires = notification(
        "fires",
        json!([
            {"field": "end_reason", "operator": "in", "value": ["CUSTOMER_HANGUP", "agent_hangup"]},
            {"any": [{"field": "party_size", "operator": "==", "value": "4"}, {"field": "duration", "operator": "<", "value": 1}]}
        ]),
    );
    let stops = notification(
        "stops",
        json!([{"any": [{"field": "direction", "operator": "==", "value": "outbound"}, {"field": "party_size", "operator": ">", "value": 10}]}]),
    );
    for body in [fires, stops] {
        let (status, created) =
            app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &body).await;
        assert_eq!(status, 201, "{created}");
    }
    let id = ingest(&app, &t, "c-1").await;
    let mut expected: Vec<_> = cases.iter().filter(|c| c.2).map(|(name, ..)| (name.to_string(), Some(1))).collect();
    expected.sort();
    assert_eq!(deliveries(&app).await, expected);
    assert_eq!(receiver.received().len(), expected.len());
    let conv = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await.1;
    let runs = conv["notification_runs"].as_array().unwrap();
    let run = |name: &str| runs.iter().find(|r| r["notification_name"] == name).unwrap_or_else(|| panic!("{conv}"));
    assert_eq!(run("fires")["fired"], true, "{conv}");
    assert_eq!(run("stops")["fired"], false);
    assert_eq!(run("stops")["stopped_by"], "any of (direction == outbound; party_size > 10)");
});

db_test!(action_edits_are_drafts_until_published_and_each_delivery_records_its_version, |app| {
    let receiver = Receiver::start(&[]).await;
    let t = app.tenant("Acme").await;
    agent(&app, &t).await;
    let owner = app.browser(&t).await;
    let agent_id = backend::agents::find_by_external_id(&app.services.db, &app.owner(&t).await.tenant, "desk")
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let form = |id: &str, name: &str, save: &str| -> Vec<(String, String)> {
        [
            ("agent_id", agent_id.as_str()),
            ("id", id),
            ("kind", "webhook"),
            ("name", name),
            ("url", receiver.url.as_str()),
            ("format", "standard"),
            ("enabled", "on"),
            ("cond_mode", "any"),
            ("cond_field[0]", "end_reason"),
            ("cond_op[0]", "=="),
            ("cond_value[0]", "CUSTOMER_HANGUP"),
            ("cond_field[1]", "party_size"),
            ("cond_op[1]", ">"),
            ("cond_value[1]", "10"),
            ("save", save),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    };
    let send = |name: &'static str, fields: Vec<(String, String)>| {
        let app = &app;
        let owner = owner.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, body) = app.server_fn(&owner, name, &pairs).await;
            assert_eq!(status, 200, "{name}: {body}");
            body
        }
    };
    let list = || async { send("list_actions", vec![("agent_id".into(), agent_id.clone())]).await["items"].clone() };

    // A new action saved as a draft is version 0 and does not run.
    send("save_action", form("", "CRM v1", "draft")).await;
    let items = list().await;
    let id = items[0]["id"].as_str().unwrap().to_owned();
    assert_eq!((items[0]["version"].as_i64(), items[0]["draft"]["name"].as_str()), (Some(0), Some("CRM v1")));
    assert_eq!(items[0]["draft"]["conditions"]["mode"], "any", "the editor shows the rows again");
    ingest(&app, &t, "c-0").await;
    assert!(deliveries(&app).await.is_empty(), "a draft does not run");

    // Publishing makes version 1; a later edit is a draft while version 1 keeps running.
    send("publish_action", vec![("id".into(), id.clone())]).await;
    send("save_action", form(&id, "CRM v2", "draft")).await;
    let items = list().await;
    assert_eq!((items[0]["version"].as_i64(), items[0]["name"].as_str()), (Some(1), Some("CRM v1")));
    assert_eq!(items[0]["draft"]["name"], "CRM v2");
    ingest(&app, &t, "c-1").await;
    assert_eq!(deliveries(&app).await, vec![("CRM v1".to_owned(), Some(1))]);

    // Publishing the draft makes version 2, which the next call's delivery records.
    send("save_action", form(&id, "CRM v2", "publish")).await;
    ingest(&app, &t, "c-2").await;
    assert_eq!(deliveries(&app).await, vec![("CRM v1".to_owned(), Some(1)), ("CRM v2".to_owned(), Some(2))]);
    let (status, versions) = app.api_get(&t.api_key, &format!("/api/v1/actions/{id}/versions")).await;
    assert_eq!(status, 200, "{versions}");
    let numbers: Vec<_> = versions["versions"].as_array().unwrap().iter().map(|v| v["version"].clone()).collect();
    assert_eq!(numbers, vec![json!(2), json!(1)]);
    assert_eq!(versions["versions"][1]["name"], "CRM v1");
    assert!(!versions.to_string().contains("/hook"), "versions never show the URL's path: {versions}");

    // An old version restores into the draft; discarding it leaves version 2 live.
    send("restore_action_version", vec![("id".into(), id.clone()), ("version".into(), "1".into())]).await;
    assert_eq!(list().await[0]["draft"]["name"], "CRM v1");
    send("discard_action_draft", vec![("id".into(), id.clone())]).await;
    let items = list().await;
    assert_eq!((items[0]["version"].as_i64(), &items[0]["draft"]), (Some(2), &Value::Null));

    // Nested groups are edited as JSON in the same editor, and shown as JSON again.
    let nested = r#"{"any": [{"field": "end_reason", "operator": "==", "value": "voicemail"},
        {"all": [{"field": "party_size", "operator": ">", "value": 2}, {"field": "duration", "operator": "<", "value": 600}]}]}"#;
    let mut fields = form(&id, "CRM v3", "publish");
    fields.push(("cond_json".into(), nested.into()));
    send("save_action", fields).await;
    let items = list().await;
    assert_eq!(items[0]["condition"], "any of (end reason == voicemail; all of (party_size > 2; duration < 600 s))");
    assert!(items[0]["conditions"]["json"].as_str().unwrap().contains("\"all\""), "{}", items[0]["conditions"]);
    let mut broken = form(&id, "CRM v4", "publish");
    broken.push(("cond_json".into(), "{\"any\": [".into()));
    let pairs: Vec<(&str, &str)> = broken.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (_, body) = app.server_fn(&owner, "save_action", &pairs).await;
    assert_eq!(body["Invalid"]["field"], "cond_json", "{body}");
    let (_, other) = app.api_get(&app.tenant("Other").await.api_key, &format!("/api/v1/actions/{id}/versions")).await;
    assert_eq!(other["error"]["code"], "not_found", "{other}");
});
