//! *Try on recent calls* over REST and the dashboard: the current draft of a notification
//! or an action, run on the agent's latest conversations through the account's analyzer —
//! would it fire, why, the route, the rendered output — with nothing sent or stored.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call};

const TABLES: [&str; 9] = [
    "analyses", "notification_runs", "emails", "alerts", "tasks", "webhook_deliveries", "scheduled_calls",
    "audit_entries", "jobs",
];

async fn counts(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in TABLES {
        out.push(app.count(table).await);
    }
    out
}

/// An agent `desk` and three analysed calls: two that ended with the customer hanging up
/// (a table for 4, then one for 2), then a voicemail.
async fn three_calls(app: &TestApp, t: &Tenant) {
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    assert_eq!(status, 201);
    let field = json!({"name": "party_size", "type": "number", "description": "Number of people for the table"});
    assert_eq!(app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", &field).await.0, 201);
    for (id, people, end) in
        [("c-1", "four", "customer_hangup"), ("c-2", "two", "customer_hangup"), ("c-3", "", "voicemail")]
    {
        let mut event = call(id, "desk");
        event["end_reason"] = json!(end);
        event["transcript"] = json!([
            {"role": "agent", "text": "How can I help?"},
            {"role": "user", "text": format!("I'd like a table for {people} people tomorrow evening.")},
            {"role": "agent", "text": "Your table is booked for tomorrow at 7 pm."}
        ]);
        assert_eq!(app.post_call(&t.api_key, &event).await.status().as_u16(), 202);
    }
    app.drain().await;
}

fn tried<'a>(report: &'a Value, call_id: &str) -> &'a Value {
    report["calls"].as_array().unwrap().iter().find(|c| c["call_id"] == call_id).unwrap_or_else(|| panic!("{report}"))
}

db_test!(trying_a_notification_shows_per_call_what_it_would_do_and_stores_nothing, |app| {
    let t = app.tenant("Acme").await;
    three_calls(&app, &t).await;
    let notification = json!({
        "name": "Hang-ups",
        "trigger": {"always": true},
        "conditions": [{"field": "end_reason", "operator": "==", "value": "CUSTOMER_HANGUP"}],
        "recipients": {"fixed": ["ops@example.com"]},
        "email": {"subject": "Table for {{ dyn_party_size }} from {{ customer_number }}", "body": "{{ conversation_summary }}"},
        "team_alert": "all",
        "task": {"priority": "high"}
    });
    let (status, n) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &notification).await;
    assert_eq!(status, 201, "{n}");
    let id = n["id"].as_str().unwrap().to_owned();
    let member = app.teammate(&t, "member").await;
    let before = counts(&app).await;

    let (status, report) =
        app.api_send(Method::POST, &t.api_key, &format!("/api/v1/notifications/{id}/try"), &json!({})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!((report["draft"].as_bool(), report["version"].as_i64()), (Some(false), Some(1)));
    assert_eq!(report["analyzer"], "builtin");
    assert_eq!(report["calls"].as_array().unwrap().len(), 3);
    assert_eq!(report["fired"], 2);
    assert_eq!(report["calls"][0]["call_id"], "c-3", "newest first");
    let four = tried(&report, "c-1");
    assert_eq!(four["fired"], true, "{four}");
    assert_eq!(four["recipients"], json!(["ops@example.com"]));
    assert_eq!(four["output"]["kind"], "email");
    assert_eq!(four["output"]["title"], "Table for 4 from +14155550141", "{four}");
    let also = four["also"].to_string();
    assert!(also.contains("team alert") && also.contains("priority high"), "{also}");
    let voicemail = tried(&report, "c-3");
    assert_eq!(
        (voicemail["fired"].as_bool(), voicemail["stopped_by"].as_str()),
        (Some(false), Some("end reason == customer_hangup"))
    );
    assert_eq!(voicemail["output"], Value::Null);
    assert_eq!(counts(&app).await, before, "nothing sent or stored: {TABLES:?}");

    // The limit: at most 100, and fewer calls when asked.
    let path = format!("/api/v1/notifications/{id}/try");
    let (status, body) = app.api_send(Method::POST, &t.api_key, &path, &json!({"limit": 101})).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("limit")), "{body}");
    let (_, two) = app.api_send(Method::POST, &t.api_key, &path, &json!({"limit": 2})).await;
    assert_eq!(two["calls"].as_array().unwrap().len(), 2);

    // A dashboard draft is what is tried, before it is published.
    let owner = app.browser(&t).await;
    let agent = backend::agents::list(&app.services.db, &app.owner(&t).await.tenant).await.unwrap()[0].id.to_string();
    let draft = [
        ("id", id.as_str()),
        ("agent_id", agent.as_str()),
        ("name", "Hang-ups"),
        ("enabled", "on"),
        ("trigger_mode", "always"),
        ("recipients", "ops@example.com"),
        ("subject", "Draft: {{ customer_number }}"),
        ("body", "b"),
        ("team_alert", "off"),
        ("task", "off"),
        ("cond_field[0]", "end_reason"),
        ("cond_op[0]", "in"),
        ("cond_value[0]", "voicemail, customer_hangup"),
        ("action", "draft"),
    ];
    let (status, saved) = app.server_fn(&owner, "save_notification", &draft).await;
    assert_eq!(status, 200, "{saved}");
    let (status, view) =
        app.server_fn(&owner, "try_on_recent_calls", &[("kind", "notification"), ("id", &id), ("limit", "")]).await;
    assert_eq!(status, 200, "{view}");
    let summary = view["summary"].as_str().unwrap();
    assert!(
        summary.starts_with("The draft, tried with the builtin analyzer on 3 recent call(s): it would fire on 3"),
        "{summary}"
    );
    assert_eq!(view["calls"][0]["title"], "Draft: +14155550141");
    assert_eq!(app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}")).await.1["version"], 1, "not published");

    // Another account's id is not found; members may not try.
    let other = app.tenant("Other").await;
    let (status, _) = app.api_send(Method::POST, &other.api_key, &path, &json!({})).await;
    assert_eq!(status, 404);
    let (_, body) =
        app.server_fn(&member.client, "try_on_recent_calls", &[("kind", "notification"), ("id", &id)]).await;
    assert_eq!(body, json!("Forbidden"));
    assert_eq!(counts(&app).await[..7], before[..7], "nothing sent or stored by any try");
});

db_test!(trying_an_action_shows_its_condition_and_the_request_body_it_would_send, |app| {
    let t = app.tenant("Acme").await;
    three_calls(&app, &t).await;
    let action = json!({
        "kind": "webhook", "name": "CRM", "url": "https://crm.example.com/api/calls/secret-token", "format": "request",
        "method": "PUT", "body_template": "{\"phone\": {{ customer_number }}, \"people\": {{ analysis.fields.party_size }}}",
        "condition": {"field": "end_reason", "operator": "==", "value": "customer_hangup"}
    });
    let (status, created) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/actions", &action).await;
    assert_eq!(status, 201, "{created}");
    let id = created["action"]["id"].as_str().unwrap().to_owned();
    let before = counts(&app).await;
    let (status, report) =
        app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/try"), &json!({})).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["fired"], 2, "{report}");
    let four = tried(&report, "c-1");
    assert_eq!(four["output"]["kind"], "json");
    assert_eq!(four["output"]["title"], "PUT https://crm.example.com/…", "the URL's path can hold a token");
    let body: Value = serde_json::from_str(four["output"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"phone": "+14155550141", "people": 4}));
    assert_eq!(tried(&report, "c-3")["reason"], "Condition not met: end reason == customer_hangup.");
    assert_eq!(counts(&app).await, before, "nothing sent or stored");
    let (status, body) =
        app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/try"), &json!({"limit": 0})).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("limit")));
    let other = app.tenant("Other").await;
    assert_eq!(
        app.api_send(Method::POST, &other.api_key, &format!("/api/v1/actions/{id}/try"), &json!({})).await.0,
        404
    );
});
