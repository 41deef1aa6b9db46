//! Digest notifications: no email per call, one digest per period with the period's
//! figures and the calls that need attention, sent once even when several dispatchers
//! sweep at the same moment.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, call};

async fn emails(app: &TestApp, t: &crate::helpers::Tenant) -> Vec<backend::entities::email::Model> {
    let owner = app.owner(t).await;
    backend::delivery::outbox::list(&app.services.db, &owner.into(), None, 50).await.unwrap()
}

db_test!(a_digest_is_sent_once_per_period_with_the_calls_that_need_attention, |app| {
    let t = app.tenant("Acme").await;
    let (status, _) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Desk"})).await;
    assert_eq!(status, 201);
    let digest = json!({
        "name": "Hang-ups",
        "trigger": {"always": true},
        "conditions": [{"field": "end_reason", "operator": "==", "value": "customer_hangup"}],
        "recipients": {"fixed": ["ops@example.com"]},
        "email": {"subject": "s", "body": "b"},
        "digest": {"every": "Hourly", "at": "0"}
    });
    let (status, n) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &digest).await;
    assert_eq!(status, 201, "{n}");
    assert_eq!(n["digest"], json!({"every": "hourly", "at": ":00"}), "stored in its normal form");
    for (bad, field) in [
        (json!({"every": "weekly"}), "digest.every"),
        (json!({"every": "daily", "at": "8 am"}), "digest.at"),
        (json!({"every": "daily", "time_zone": "Atlantis/Capital"}), "digest.time_zone"),
    ] {
        let mut body = digest.clone();
        body["digest"] = bad;
        let (status, answer) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &body).await;
        assert_eq!((status, answer["error"]["field"].as_str()), (422, Some(field)), "{answer}");
    }
    let mut routed = digest.clone();
    routed["recipients"]["routes"] = json!([{"when": "billing", "to": ["billing@example.com"]}]);
    let (status, answer) = app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/notifications", &routed).await;
    assert_eq!((status, answer["error"]["field"].as_str()), (422, Some("recipients.routes")), "{answer}");

    // Two calls: the hang-up fires (its run is recorded), the voicemail does not; no email yet.
    let mut ids = Vec::new();
    for (id, end) in [("c-hangup", "customer_hangup"), ("c-voicemail", "voicemail")] {
        let mut event = call(id, "desk");
        event["end_reason"] = json!(end);
        let created: Value = app.post_call(&t.api_key, &event).await.json().await.unwrap();
        ids.push(created["conversation_id"].as_str().unwrap().to_owned());
    }
    app.drain().await;
    assert!(emails(&app, &t).await.is_empty(), "a digest notification sends no email per call");
    let conv = app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", ids[0])).await.1;
    assert_eq!(conv["notification_runs"][0]["fired"], true, "{conv}");

    // The period that ends at the current hour started before the notification: not sent.
    assert_eq!(backend::digests::send_due(&app.services, Utc::now()).await.unwrap(), 0);
    // An hour later: two dispatchers sweep at once; the period is sent once.
    let later = Utc::now() + Duration::hours(1);
    let (a, b) = tokio::join!(
        backend::digests::send_due(&app.services, later),
        backend::digests::send_due(&app.services, later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "one sweep claims the period");
    assert_eq!(backend::digests::send_due(&app.services, later).await.unwrap(), 0, "and a later sweep finds it sent");
    app.drain().await;
    let sent = emails(&app, &t).await;
    assert_eq!(sent.len(), 1);
    let email = &sent[0];
    assert_eq!(email.recipients.0, vec!["ops@example.com".to_owned()]);
    let subject = email.subject.clone().unwrap_or_default();
    assert!(subject.starts_with("Hang-ups: hourly digest "), "{subject}");
    let body = email.text_body.clone().unwrap_or_default();
    for expected in [
        "- Calls: 2",
        "- Notifications fired: 1 (Hang-ups 1)",
        "### Calls that need attention (1)",
        &format!("/conversations/{})", ids[0]),
        "+14155550141",
    ] {
        assert!(body.contains(expected), "`{expected}` in:\n{body}");
    }
    assert!(!body.contains(&ids[1]), "the voicemail does not need attention:\n{body}");
    assert_eq!(app.count("digests").await, 1);
});
