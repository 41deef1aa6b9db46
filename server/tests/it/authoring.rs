//! Authoring notifications: structured conditions (every operator, and the run records
//! which one stopped it), drafts and published versions, the list's actions, starter
//! templates, the editor's preview and test-send.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call};

/// A notification that always sends when `condition` holds.
fn with_condition(name: &str, condition: Value) -> Value {
    json!({
        "name": name,
        "trigger": {"always": true},
        "conditions": [condition],
        "recipients": {"fixed": ["ops@example.com"]},
        "email": {"subject": name, "body": "{{ conversation_summary }}"},
        "team_alert": "off"
    })
}

/// The restaurant call whose analysis extracts `party_size` 4, `seating` "outdoors" and no
/// `budget`.
fn restaurant_call(call_id: &str) -> Value {
    let mut event = call(call_id, "desk");
    event["status"] = json!("completed");
    event["transcript"] = json!([
        {"role": "agent", "text": "How can I help?"},
        {"role": "user", "text": "I'd like a table for four people tomorrow evening, outdoors if possible."},
        {"role": "agent", "text": "Your table for 4 is booked for tomorrow at 7 pm on the terrace."}
    ]);
    event
}

async fn restaurant_agent(app: &TestApp, t: &Tenant) {
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    assert_eq!(status, 201);
    for field in [
        json!({"name": "party_size", "type": "number", "description": "Number of people for the table"}),
        json!({"name": "seating", "type": "enum", "description": "Where to sit", "options": ["indoors", "outdoors"]}),
        json!({"name": "budget", "type": "number", "description": "The customer's budget in US dollars"}),
    ] {
        let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/fields", &field).await;
        assert_eq!(status, 201, "{body}");
    }
}

async fn runs_of(app: &TestApp, t: &Tenant, conversation: &str) -> Vec<Value> {
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{conversation}")).await;
    conv["notification_runs"].as_array().unwrap().clone()
}

async fn ingest(app: &TestApp, t: &Tenant, event: &Value) -> String {
    let resp = app.post_call(&t.api_key, event).await;
    assert_eq!(resp.status().as_u16(), 202);
    let body: Value = resp.json().await.unwrap();
    body["conversation_id"].as_str().unwrap().to_owned()
}

db_test!(every_condition_operator_holds_or_stops_the_run, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    // (condition, whether it holds for the restaurant call, what a stopped run records)
    let cases: Vec<(Value, bool, &str)> = vec![
        (json!({"kind": "field", "field": "party_size", "op": "==", "value": "4"}), true, ""),
        (json!({"kind": "field", "field": "party_size", "op": "==", "value": "5"}), false, "party_size == 5"),
        (json!({"kind": "field", "field": "seating", "op": "!=", "value": "indoors"}), true, ""),
        (json!({"kind": "field", "field": "seating", "op": "!=", "value": "Outdoors"}), false, "seating != Outdoors"),
        (json!({"kind": "field", "field": "party_size", "op": ">", "value": "3"}), true, ""),
        (json!({"kind": "field", "field": "party_size", "op": ">", "value": "4"}), false, "party_size > 4"),
        (json!({"kind": "field", "field": "party_size", "op": "<", "value": "5"}), true, ""),
        (json!({"kind": "field", "field": "party_size", "op": "<", "value": "4"}), false, "party_size < 4"),
        (json!({"kind": "field", "field": "seating", "op": "contains", "value": "DOOR"}), true, ""),
        (
            json!({"kind": "field", "field": "seating", "op": "contains", "value": "terrace"}),
            false,
            "seating contains terrace",
        ),
        (json!({"kind": "field", "field": "budget", "op": "is_empty"}), true, ""),
        (json!({"kind": "field", "field": "party_size", "op": "is_empty"}), false, "party_size is empty"),
        (json!({"kind": "field", "field": "party_size", "op": "is_not_empty"}), true, ""),
        (json!({"kind": "field", "field": "budget", "op": "is_not_empty"}), false, "budget is not empty"),
        (json!({"kind": "end_reason", "values": ["voicemail", "CUSTOMER_HANGUP"]}), true, ""),
        (
            json!({"kind": "end_reason", "values": ["voicemail", "no_answer"]}),
            false,
            "end reason in voicemail, no_answer",
        ),
        (json!({"kind": "direction", "value": "inbound"}), true, ""),
        (json!({"kind": "direction", "value": "outbound"}), false, "direction == outbound"),
        (json!({"kind": "status", "value": "completed"}), true, ""),
        (json!({"kind": "status", "value": "failed"}), false, "status == failed"),
        (json!({"kind": "duration", "op": ">=", "seconds": 60}), true, ""),
        (json!({"kind": "duration", "op": ">=", "seconds": 120}), false, "duration >= 120 s"),
        (json!({"kind": "duration", "op": "<=", "seconds": 90}), true, ""),
        (json!({"kind": "duration", "op": "<=", "seconds": 89.5}), false, "duration <= 89.5 s"),
    ];
    let mut ids = Vec::new();
    for (i, (condition, _, _)) in cases.iter().enumerate() {
        let (status, body) = app
            .api_send(
                Method::POST,
                &t.api_key,
                "/api/v1/agents/desk/notifications",
                &with_condition(&format!("case {i}"), condition.clone()),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    let conversation = ingest(&app, &t, &restaurant_call("c-1")).await;
    app.drain().await;
    let runs = runs_of(&app, &t, &conversation).await;
    assert_eq!(runs.len(), cases.len());
    for (i, (condition, holds, stopped)) in cases.iter().enumerate() {
        let run = runs.iter().find(|r| r["notification_id"] == ids[i].as_str()).unwrap();
        assert_eq!(run["fired"], *holds, "{condition}: {run}");
        assert_eq!(run["notification_version"], 1);
        if *holds {
            assert_eq!(run["stopped_by"], Value::Null, "{condition}");
            assert_eq!(run["email_state"], "outbox");
        } else {
            assert_eq!(run["stopped_by"], *stopped, "{condition}");
            assert_eq!(run["reason"], format!("Condition not met: {stopped}."), "{condition}");
            assert_eq!(run["email_state"], Value::Null);
        }
    }
    assert_eq!(app.count("emails").await, cases.iter().filter(|c| c.1).count() as i64);
});

db_test!(several_conditions_must_all_hold_and_bad_ones_are_refused_by_position, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    let mut both = with_condition("both", json!({"kind": "direction", "value": "inbound"}));
    both["conditions"] = json!([
        {"kind": "direction", "value": "inbound"},
        {"kind": "field", "field": "party_size", "op": ">", "value": "10"},
        {"kind": "status", "value": "failed"}
    ]);
    let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &both).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["conditions"].as_array().unwrap().len(), 3);
    let conversation = ingest(&app, &t, &restaurant_call("c-1")).await;
    app.drain().await;
    let runs = runs_of(&app, &t, &conversation).await;
    assert_eq!(runs[0]["fired"], false);
    assert_eq!(runs[0]["stopped_by"], "party_size > 10", "the first that does not hold");
    for (condition, field) in [
        (json!({"kind": "end_reason", "values": ["hung_up_angrily"]}), "conditions[1].value[0]"),
        (json!({"kind": "direction", "value": "sideways"}), "conditions[1].value"),
        (json!({"kind": "duration", "op": ">=", "seconds": -1}), "conditions[1].value"),
        (json!({"kind": "field", "field": "Party Size!", "op": "==", "value": "1"}), "conditions[1].field"),
        (json!({"kind": "field", "field": "party_size", "op": ">", "value": "many"}), "conditions[1].value"),
        (json!({"kind": "field", "field": "party_size", "op": "contains"}), "conditions[1].value"),
    ] {
        let mut bad = with_condition("bad", json!({"kind": "direction", "value": "inbound"}));
        bad["conditions"] = json!([{"kind": "direction", "value": "inbound"}, condition]);
        let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &bad).await;
        assert_eq!((status, body["error"]["field"].as_str()), (422, Some(field)), "{body}");
    }
    let mut unknown = with_condition("bad", json!({"kind": "direction", "value": "inbound"}));
    unknown["conditions"] = json!([{"kind": "weather", "value": "sunny"}]);
    let (status, body) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &unknown).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["field"].as_str().unwrap().starts_with("conditions[0]"), "{body}");
    assert_eq!(app.count("notifications").await, 1, "nothing half-stored");
});

/// The editor form of a simple always-send notification, as the browser posts it.
fn form<'a>(agent: &'a str, name: &'a str, subject: &'a str, action: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("agent_id", agent),
        ("name", name),
        ("enabled", "on"),
        ("trigger_mode", "always"),
        ("recipients", "ops@example.com"),
        ("subject", subject),
        ("body", "Summary: {{ conversation_summary }}"),
        ("team_alert", "off"),
        ("task", "off"),
        ("action", action),
    ]
}

db_test!(drafts_do_not_run_publishing_makes_a_version_and_runs_record_it, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    let owner = app.browser(&t).await;
    let agent = backend::agents::list(&app.services.db, &app.owner(&t).await.tenant).await.unwrap()[0].id.to_string();
    // A new notification saved as a draft never runs.
    let (status, id) =
        app.server_fn(&owner, "save_notification", &form(&agent, "Bookings", "v1 subject", "draft")).await;
    assert_eq!(status, 200, "{id}");
    let id = id.as_str().unwrap().to_owned();
    let (_, n) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}")).await;
    assert_eq!((n["version"].as_i64(), n["has_draft"].as_bool()), (Some(0), Some(true)));
    let c0 = ingest(&app, &t, &restaurant_call("c-0")).await;
    app.drain().await;
    assert!(runs_of(&app, &t, &c0).await.is_empty(), "an unpublished draft does not run");
    // Publishing the draft makes version 1.
    let (status, _) = app.server_fn(&owner, "publish_notification", &[("id", &id)]).await;
    assert_eq!(status, 200);
    let c1 = ingest(&app, &t, &restaurant_call("c-1")).await;
    app.drain().await;
    let runs = runs_of(&app, &t, &c1).await;
    assert_eq!((runs[0]["fired"].as_bool(), runs[0]["notification_version"].as_i64()), (Some(true), Some(1)));
    // Editing saves a draft: calls keep using version 1 until it is published.
    let mut edit = form(&agent, "Bookings", "v2 subject", "draft");
    edit.push(("id", &id));
    app.server_fn(&owner, "save_notification", &edit).await;
    let (_, n) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}")).await;
    assert_eq!(
        (n["version"].as_i64(), n["has_draft"].as_bool(), n["email"]["subject"].as_str()),
        (Some(1), Some(true), Some("v1 subject"))
    );
    let c2 = ingest(&app, &t, &restaurant_call("c-2")).await;
    app.drain().await;
    assert_eq!(runs_of(&app, &t, &c2).await[0]["notification_version"], 1);
    let mut publish = form(&agent, "Bookings", "v2 subject", "publish");
    publish.push(("id", &id));
    app.server_fn(&owner, "save_notification", &publish).await;
    let c3 = ingest(&app, &t, &restaurant_call("c-3")).await;
    app.drain().await;
    assert_eq!(runs_of(&app, &t, &c3).await[0]["notification_version"], 2);
    let member = app.owner(&t).await;
    let subjects: Vec<String> = backend::delivery::outbox::list(&app.services.db, &member.into(), None, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.subject.unwrap_or_default())
        .collect();
    assert_eq!(subjects, vec!["v2 subject", "v1 subject", "v1 subject"], "newest first");
    // Past versions are listed; restoring one puts it in the draft, publishing makes v3.
    let (_, versions) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}/versions")).await;
    let listed: Vec<(i64, String)> = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["settings"]["email"]["subject"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(listed, vec![(2, "v2 subject".to_owned()), (1, "v1 subject".to_owned())]);
    let (status, _) = app.server_fn(&owner, "restore_notification_version", &[("id", &id), ("version", "1")]).await;
    assert_eq!(status, 200);
    let (_, editor) = app.server_fn(&owner, "notification_editor", &[("id", &id)]).await;
    assert_eq!(editor["form"]["subject"], "v1 subject", "the editor shows the restored draft");
    assert_eq!(editor["version"], 2);
    assert_eq!(editor["has_draft"], true);
    assert_eq!(editor["versions"].as_array().unwrap().len(), 2);
    app.server_fn(&owner, "publish_notification", &[("id", &id)]).await;
    let (_, n) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}")).await;
    assert_eq!(
        (n["version"].as_i64(), n["has_draft"].as_bool(), n["email"]["subject"].as_str()),
        (Some(3), Some(false), Some("v1 subject"))
    );
    let (_, body) = app.server_fn(&owner, "restore_notification_version", &[("id", &id), ("version", "9")]).await;
    assert_eq!(body, json!({"NotFound": "Notification version"}));
    // Discarding a draft of a published notification keeps it live.
    let mut edit = form(&agent, "Bookings", "discard me", "draft");
    edit.push(("id", &id));
    app.server_fn(&owner, "save_notification", &edit).await;
    app.server_fn(&owner, "discard_notification_draft", &[("id", &id)]).await;
    let (_, n) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{id}")).await;
    assert_eq!(
        (n["version"].as_i64(), n["has_draft"].as_bool(), n["email"]["subject"].as_str()),
        (Some(3), Some(false), Some("v1 subject"))
    );
    // A REST PUT publishes at once.
    let mut put = with_condition("Bookings", json!({"kind": "direction", "value": "inbound"}));
    put["email"]["subject"] = json!("from the API");
    let (status, body) = app.api_send(Method::PUT, &t.api_key, &format!("/api/v1/notifications/{id}"), &put).await;
    assert_eq!((status, body["version"].as_i64()), (200, Some(4)), "{body}");
});

db_test!(the_editor_rejects_unknown_variables_and_bad_addresses_with_their_position, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    let owner = app.browser(&t).await;
    let agent = backend::agents::list(&app.services.db, &app.owner(&t).await.tenant).await.unwrap()[0].id.to_string();
    let mut bad = form(&agent, "Bad", "Hello {{ customer_nmae }}", "publish");
    let (_, body) = app.server_fn(&owner, "save_notification", &bad).await;
    assert_eq!(body["Invalid"]["field"], "email.subject", "{body}");
    let message = body["Invalid"]["message"].as_str().unwrap();
    assert!(message.contains("customer_nmae") && message.contains("line 1"), "{message}");
    bad[6] = ("body", "Fine line\n{{ conversation_summary }} and {{ dyn_party_size }} but {{ nope }}");
    bad[1] = ("name", "Bad body");
    bad[5] = ("subject", "ok");
    let (_, body) = app.server_fn(&owner, "save_notification", &bad).await;
    assert_eq!(body["Invalid"]["field"], "email.body", "{body}");
    assert!(body["Invalid"]["message"].as_str().unwrap().contains("line 2"), "{body}");
    let mut bad_address = form(&agent, "Bad", "ok", "publish");
    bad_address[4] = ("recipients", "ops@example.com\nnot-an-address");
    let (_, body) = app.server_fn(&owner, "save_notification", &bad_address).await;
    assert_eq!(body["Invalid"]["field"], "recipients.fixed[1]", "{body}");
    assert_eq!(app.count("notifications").await, 0);
});

db_test!(preview_renders_a_past_conversation_and_test_send_creates_no_run, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    let owner = app.browser(&t).await;
    let agent = backend::agents::list(&app.services.db, &app.owner(&t).await.tenant).await.unwrap()[0].id.to_string();
    let subject = "Table for {{ dyn_party_size }} from {{ customer_number }}";
    let body = "**Seating:** {{ dyn_seating }}\n\n<b>raw</b>";
    // Without calls the built-in sample is used.
    let (status, preview) = app
        .server_fn(
            &owner,
            "preview_notification",
            &[("agent_id", &agent), ("source", "sample"), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["error"], Value::Null);
    assert!(preview["subject"].as_str().unwrap().starts_with("Table for "), "{preview}");
    let conversation = ingest(&app, &t, &restaurant_call("c-1")).await;
    app.drain().await;
    let (_, editor) = app.server_fn(&owner, "notification_editor", &[("agent_id", &agent)]).await;
    let sources: Vec<&str> =
        editor["preview_sources"].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect();
    assert_eq!(sources, vec!["sample", conversation.as_str()]);
    let (_, preview) = app
        .server_fn(
            &owner,
            "preview_notification",
            &[("agent_id", &agent), ("source", &conversation), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(preview["subject"], "Table for 4 from +14155550141");
    let html = preview["html"].as_str().unwrap();
    assert!(html.contains("<strong>Seating:</strong> outdoors"), "{html}");
    assert!(html.contains("&lt;b&gt;raw&lt;/b&gt;"), "raw HTML is shown as text: {html}");
    // A template error comes back as the preview's error, with its position.
    let (_, preview) = app
        .server_fn(
            &owner,
            "preview_notification",
            &[("agent_id", &agent), ("source", &conversation), ("subject", "{{ oops }}"), ("body", body)],
        )
        .await;
    assert!(preview["error"].as_str().unwrap().starts_with("email.subject: "), "{preview}");
    // Another account's conversation cannot be previewed.
    let b = app.tenant("Beta").await;
    let bob = app.browser(&b).await;
    let (_, body_b) = app
        .server_fn(
            &bob,
            "preview_notification",
            &[("agent_id", ""), ("source", &conversation), ("subject", "x"), ("body", "y")],
        )
        .await;
    assert_eq!(body_b, json!({"NotFound": "Conversation"}));
    // Test-send goes to the admin's own address and creates no run.
    let runs_before = app.count("notification_runs").await;
    let (status, said) = app
        .server_fn(
            &owner,
            "test_send_notification",
            &[("agent_id", &agent), ("source", &conversation), ("subject", subject), ("body", body)],
        )
        .await;
    assert_eq!(status, 200, "{said}");
    assert!(said.as_str().unwrap().contains(&t.email), "{said}");
    assert_eq!(app.drain().await, 1, "one SendEmail job");
    assert_eq!(app.count("notification_runs").await, runs_before);
    let member = app.owner(&t).await;
    let emails = backend::delivery::outbox::list(&app.services.db, &member.into(), None, 10).await.unwrap();
    let test = emails
        .iter()
        .find(|e| e.subject.as_deref() == Some("[Test] Table for 4 from +14155550141"))
        .expect("the test email");
    assert_eq!(test.recipients.0.clone(), vec![t.email.clone()]);
    assert_eq!(test.state, backend::delivery::outbox::EmailState::Outbox);
    assert!(test.text_body.as_deref().unwrap().contains("outdoors"));
});

db_test!(the_list_toggles_duplicates_orders_deletes_and_counts_firings, |app| {
    let t = app.tenant("Acme").await;
    restaurant_agent(&app, &t).await;
    let owner = app.browser(&t).await;
    let mut ids = Vec::new();
    for name in ["First", "Second"] {
        let (_, body) = app
            .api_send(
                Method::POST,
                &t.api_key,
                "/api/v1/agents/desk/notifications",
                &with_condition(name, json!({"kind": "direction", "value": "inbound"})),
            )
            .await;
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ingest(&app, &t, &restaurant_call("c-1")).await;
    ingest(&app, &t, &restaurant_call("c-2")).await;
    app.drain().await;
    let names = |list: &Value| -> Vec<String> {
        list.as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap().to_owned()).collect()
    };
    let (_, list) = app.server_fn(&owner, "list_notifications", &[]).await;
    assert_eq!(names(&list), vec!["First", "Second"]);
    assert_eq!(list[0]["fired_7d"], 2);
    assert!(list[0]["last_fired"].is_string());
    assert_eq!(list[0]["conditions"], json!(["direction == inbound"]));
    // Order.
    app.server_fn(&owner, "move_notification", &[("id", &ids[1]), ("direction", "up")]).await;
    let (_, list) = app.server_fn(&owner, "list_notifications", &[]).await;
    assert_eq!(names(&list), vec!["Second", "First"]);
    // Duplicate: a disabled copy that has not fired.
    let (status, copy) = app.server_fn(&owner, "duplicate_notification", &[("id", &ids[0])]).await;
    assert_eq!(status, 200, "{copy}");
    let (_, list) = app.server_fn(&owner, "list_notifications", &[]).await;
    let dup = list.as_array().unwrap().iter().find(|n| n["id"] == copy).unwrap().clone();
    assert_eq!(
        (dup["name"].as_str(), dup["enabled"].as_bool(), dup["fired_7d"].as_i64()),
        (Some("First (copy)"), Some(false), Some(0))
    );
    assert!(dup["last_fired"].is_null());
    // Toggle off: the next call does not run it.
    app.server_fn(&owner, "set_notification_enabled", &[("id", &ids[0]), ("enabled", "false")]).await;
    let c3 = ingest(&app, &t, &restaurant_call("c-3")).await;
    app.drain().await;
    let ran: Vec<String> =
        runs_of(&app, &t, &c3).await.iter().map(|r| r["notification_id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ran, vec![ids[1].clone()]);
    // Delete.
    let (status, _) = app.server_fn(&owner, "delete_notification", &[("id", &ids[1])]).await;
    assert_eq!(status, 200);
    let (status, _) = app.api_get(&t.api_key, &format!("/api/v1/notifications/{}", ids[1])).await;
    assert_eq!(status, 404);
    let (_, list) = app.server_fn(&owner, "list_notifications", &[]).await;
    assert_eq!(names(&list), vec!["First", "First (copy)"]);
});

db_test!(starter_templates_prefill_the_editor, |app| {
    let t = app.tenant("Acme").await;
    let owner = app.browser(&t).await;
    let (_, starters) = app.server_fn(&owner, "list_starters", &[]).await;
    let keys: Vec<&str> = starters.as_array().unwrap().iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(keys.len(), 10);
    assert!(keys.contains(&"callback-requested") && keys.contains(&"customer-complaint"));
    for key in &keys {
        let (status, editor) = app.server_fn(&owner, "notification_editor", &[("template", key)]).await;
        assert_eq!(status, 200, "{key}: {editor}");
        let form = &editor["form"];
        assert!(form["id"].is_null(), "{key}: a new notification");
        assert!(!form["name"].as_str().unwrap().is_empty(), "{key}");
        assert!(form["subject"].as_str().unwrap().contains("{{"), "{key}: the subject uses variables");
        assert!(form["body"].as_str().unwrap().contains("{{ conversation_url }}"), "{key}: the body links the call");
        assert_eq!(form["always"], false, "{key}: a specific trigger question");
        assert!(form["condition"].as_str().unwrap().ends_with('?'), "{key}: {}", form["condition"]);
        assert_eq!(editor["starter"], starters.as_array().unwrap().iter().find(|s| s["key"] == *key).unwrap()["name"]);
    }
    let (_, body) = app.server_fn(&owner, "notification_editor", &[("template", "no-such-template")]).await;
    assert_eq!(body, json!({"NotFound": "Starter template"}));
    let (_, scratch) = app.server_fn(&owner, "notification_editor", &[("template", "scratch")]).await;
    assert_eq!(scratch["form"]["name"], "");
});
