//! Analysis features over HTTP: extraction fields and `dyn_*` variables, the agent's goal,
//! dynamic recipient routes (never an address from a transcript), re-running an analysis
//! (never sending again), with the built-in analyzer.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call, repo_root};

/// The addresses the routing notification may email.
pub const CONFIGURED: &[&str] =
    &["ops@example.com", "billing@example.com", "sales@example.com", "front-desk@example.com"];

/// An adversarial fixture from `fixtures/adversarial/`.
pub fn adversarial(name: &str) -> Value {
    let path = repo_root().join("fixtures/adversarial").join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Agent `support-line` with a routed notification: fixed ops@, routes billing / sales,
/// otherwise front-desk; an email template using `dyn_*` values and the customer's name.
pub async fn routed_agent(app: &TestApp, t: &Tenant) {
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents",
            &json!({"external_id": "support-line", "name": "Support"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/support-line/notifications",
            &json!({
                "name": "Route every call",
                "trigger": {"always": true},
                "recipients": {
                    "fixed": ["ops@example.com"],
                    "routes": [
                        {"when": "The caller has a billing question or wants a refund", "to": ["billing@example.com"]},
                        {"when": "The caller asks for a demo", "to": ["sales@example.com"]}
                    ],
                    "otherwise": ["front-desk@example.com"]
                },
                "email": {
                    "subject": "Call from {{ customer_name }}",
                    "body": "Order: {{ dyn_order_number }}\n\nPlan: {{ dynamic_variables.plan }}\n\n{{ conversation_summary }}"
                },
                "team_alert": "off"
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

/// Every email's recipients, subject and HTML.
pub async fn emails(app: &TestApp, t: &Tenant) -> Vec<(Vec<String>, String, String)> {
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    backend::delivery::outbox::list(&app.services.db, &member.into(), None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.recipients.0.clone(), e.subject.unwrap_or_default(), e.html_body.unwrap_or_default()))
        .collect()
}

/// Asserts that every email went only to configured addresses and that nothing from the
/// transcripts was rendered as markup.
pub fn assert_safe(emails: &[(Vec<String>, String, String)]) {
    assert!(!emails.is_empty());
    for (to, subject, html) in emails {
        for address in to {
            assert!(CONFIGURED.contains(&address.as_str()), "{address} is not a configured recipient");
            assert!(!address.contains("evil"), "{address}");
        }
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("href=\"http://evil"), "{html}");
        assert!(!subject.contains('\n'));
    }
}

db_test!(routes_choose_among_the_admins_addresses_and_transcripts_cannot_add_any, |app| {
    let t = app.tenant("Acme").await;
    routed_agent(&app, &t).await;
    for name in ["prompt-injection", "fake-answer", "markup-injection"] {
        let resp = app.post_call(&t.api_key, &adversarial(name)).await;
        assert_eq!(resp.status().as_u16(), 202);
    }
    app.drain().await;
    let sent = emails(&app, &t).await;
    assert_safe(&sent);
    // The fixed list and one routed list per call.
    assert_eq!(sent.iter().filter(|(to, _, _)| to == &vec!["ops@example.com".to_owned()]).count(), 3);
    let routed: Vec<&Vec<String>> = sent.iter().map(|(to, _, _)| to).filter(|to| to[0] != "ops@example.com").collect();
    assert_eq!(routed.len(), 3);
    assert!(routed.contains(&&vec!["billing@example.com".to_owned()]), "the refund call routes to billing: {routed:?}");
    assert!(routed.contains(&&vec!["sales@example.com".to_owned()]), "the demo call routes to sales: {routed:?}");
    assert!(routed.contains(&&vec!["front-desk@example.com".to_owned()]), "the other call falls through: {routed:?}");
    // Markup from the call is shown as text.
    let markup = sent.iter().find(|(_, subject, _)| subject.contains("img")).map(|(_, _, html)| html.clone()).unwrap();
    assert!(markup.contains("&lt;script&gt;alert('plan')"), "{markup}");
});

db_test!(fields_are_extracted_typed_and_feed_dyn_variables, |app| {
    let t = app.tenant("Acme").await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "timezone": "UTC"})).await;
    let fields = [
        json!({"name": "party_size", "type": "number", "description": "Number of people for the table"}),
        json!({"name": "reservation_date", "type": "string", "description": "Date of the reservation (YYYY-MM-DD)"}),
        json!({"name": "seating", "type": "enum", "description": "Where to sit", "options": ["indoors", "outdoors"]}),
    ];
    for f in &fields {
        let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", f).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/fields",
            &json!({"name": "Party Size", "type": "number"}),
        )
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("name")));
    let (status, _) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", &fields[0]).await;
    assert_eq!(status, 409);
    let (_, listed) = app.api_get(&t.api_key, "/api/v1/agents/desk/fields").await;
    assert_eq!(listed["fields"].as_array().unwrap().len(), 3);
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]},
                "email": {"subject": "Table for {{ dyn_party_size }} on {{ dyn_reservation_date }}", "body": "Seating {{ dyn_seating }}, occasion {{ dyn_occasion }}."}}),
    )
    .await;
    let mut event = call("c-fields", "desk");
    event["started_at"] = json!("2019-03-01T15:00:00Z");
    event["transcript"] = json!([
        {"role": "agent", "text": "How can I help?"},
        {"role": "user", "text": "I'd like a table for four people tomorrow evening, outdoors if possible. It's for a birthday."},
        {"role": "agent", "text": "Your table for 4 is booked for tomorrow at 7 pm on the terrace."}
    ]);
    let created: Value = app.post_call(&t.api_key, &event).await.json().await.unwrap();
    app.drain().await;
    let (_, conv) = app
        .api_get(&t.api_key, &format!("/api/v1/conversations/{}", created["conversation_id"].as_str().unwrap()))
        .await;
    let values: Vec<(String, Value)> = conv["analysis"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap().to_owned(), f["value"].clone()))
        .collect();
    assert_eq!(values[0], ("party_size".to_owned(), json!(4)));
    assert_eq!(values[1], ("reservation_date".to_owned(), json!("2019-03-02")));
    assert_eq!(values[2], ("seating".to_owned(), json!("outdoors")));
    assert_eq!(values[3].0, "occasion", "a dyn_ variable without a field is extracted as text");
    assert!(conv["analysis"]["fields"][0]["evidence"].as_str().unwrap().contains("four people"));
    let sent = emails(&app, &t).await;
    assert_eq!(sent[0].1, "Table for 4 on 2019-03-02");
});

db_test!(the_agents_goal_is_judged_for_every_call, |app| {
    let t = app.tenant("Acme").await;
    let (status, agent) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents",
            &json!({"external_id": "dentist", "goal": "Did the caller book an appointment?"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(agent["goal"], "Did the caller book an appointment?");
    let mut booked = call("booked", "dentist");
    booked["transcript"] = json!([
        {"role": "user", "text": "I need a check-up appointment."},
        {"role": "agent", "text": "I have scheduled your appointment for Monday at 10 am."}
    ]);
    let mut refused = call("refused", "dentist");
    refused["transcript"] = json!([
        {"role": "user", "text": "I need a check-up appointment."},
        {"role": "agent", "text": "Unfortunately we have no availability this month."}
    ]);
    let a: Value = app.post_call(&t.api_key, &booked).await.json().await.unwrap();
    let b: Value = app.post_call(&t.api_key, &refused).await.json().await.unwrap();
    app.drain().await;
    let (_, a) =
        app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", a["conversation_id"].as_str().unwrap())).await;
    let (_, b) =
        app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", b["conversation_id"].as_str().unwrap())).await;
    assert_eq!(a["analysis"]["goal"]["result"], "success", "{}", a["analysis"]);
    assert_eq!(b["analysis"]["goal"]["result"], "failure", "{}", b["analysis"]);
    assert!(!b["analysis"]["goal"]["reason"].as_str().unwrap().is_empty());
});

db_test!(re_running_an_analysis_replaces_it_and_never_sends_again, |app| {
    let t = app.tenant("Acme").await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "Callbacks", "trigger": {"condition": "Did the customer ask to be called back?"},
                "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "s", "body": "b"},
                "team_alert": "all", "task": {"priority": "high"}}),
    )
    .await;
    let created: Value = app.post_call(&t.api_key, &call("c", "desk")).await.json().await.unwrap();
    let id = created["conversation_id"].as_str().unwrap().to_owned();
    app.drain().await;
    let before = (
        app.count("emails").await,
        app.count("alerts").await,
        app.count("tasks").await,
        app.count("notification_runs").await,
    );
    assert_eq!(before, (1, 1, 1, 1));
    // Add a field, then re-run: the analysis changes, deliveries do not.
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", &json!({"name": "callback_day", "type": "string", "description": "Date the customer wants a call back (YYYY-MM-DD)"})).await;
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, &format!("/api/v1/conversations/{id}/reanalyze"), &json!({})).await;
    assert_eq!(status, 202);
    app.drain().await;
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    assert!(conv["analysis"]["reanalysed_at"].is_string());
    assert_eq!(conv["analysis"]["fields"][0]["name"], "callback_day");
    assert_eq!(conv["analysis"]["verdicts"][0]["fired"], true);
    let after = (
        app.count("emails").await,
        app.count("alerts").await,
        app.count("tasks").await,
        app.count("notification_runs").await,
    );
    assert_eq!(after, before, "a re-run delivers nothing");
    assert_eq!(app.count("analyses").await, 1);
    // Another account cannot re-run it.
    let other = app.tenant("Other").await;
    let (status, _) =
        app.api_send(Method::POST, &other.api_key, &format!("/api/v1/conversations/{id}/reanalyze"), &json!({})).await;
    assert_eq!(status, 404);
});
