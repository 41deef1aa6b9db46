//! Reliable delivery: signed webhooks with retries and dead letters, secret rotation,
//! automatic disabling, Slack messages, scheduled follow-up calls, replay, SMTP outages,
//! and the job runner's lease and replay.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use reqwest::Method;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{Db, Tenant, TestApp, call, spawn_app};
use crate::smtp::SmtpServer;
use backend::actions::{ActionInput, Save};
use backend::conditions::{Condition, Operator};
use backend::delivery::{self, Channel};
use backend::entities::{job, post_call_action, scheduled_call, webhook_delivery};

/// Retries without waiting, so a test can drain a whole schedule.
pub const FAST_RETRIES: &str = "[webhooks]\nretry_schedule_secs = [0, 0, 0, 0, 0, 0, 0]\ntimeout_secs = 10\n";

/// One request a [`Receiver`] got.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub headers: HeaderMap,
    pub body: String,
    /// What it answered.
    pub status: u16,
}

#[derive(Clone, Default)]
struct ReceiverState {
    received: Arc<Mutex<Vec<Received>>>,
    /// Statuses to answer, in order; 200 once empty.
    script: Arc<Mutex<VecDeque<u16>>>,
    /// How long each answer takes (a slow endpoint).
    delay: Duration,
}

/// A real HTTP endpoint on 127.0.0.1 that records every request and answers with a
/// scripted sequence of statuses (the failure injection a healthy endpoint cannot give).
pub struct Receiver {
    pub url: String,
    state: ReceiverState,
    handle: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    method: axum::http::Method,
    headers: HeaderMap,
    body: String,
) -> StatusCode {
    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
    state.received.lock().unwrap().push(Received { method: method.to_string(), headers, body, status });
    tokio::time::sleep(state.delay).await;
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    /// Starts a receiver answering `script` first, then 200.
    pub async fn start(script: &[u16]) -> Self {
        Self::start_slow(script, Duration::ZERO).await
    }

    /// Starts a receiver that takes `delay` to answer each request.
    pub async fn start_slow(script: &[u16], delay: Duration) -> Self {
        let state = ReceiverState {
            received: Arc::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
            delay,
        };
        let app = axum::Router::new().route("/hook", axum::routing::any(receive)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let handle = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self { url, state, handle }
    }

    /// Everything received so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }
}

/// Verifies a Standard Webhooks request with the `standardwebhooks` crate (the reference
/// implementation's Rust port), as a receiver would.
pub fn verify(secret: &str, r: &Received) -> Result<(), String> {
    let mut headers = http::HeaderMap::new();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        if let Some(v) = r.headers.get(name) {
            headers.insert(name, v.to_str().unwrap().parse().unwrap());
        }
    }
    standardwebhooks::Webhook::new(secret).unwrap().verify(r.body.as_bytes(), &headers).map_err(|e| e.to_string())
}

/// An agent `desk` (no notifications), returning its id.
pub async fn desk(app: &TestApp, t: &Tenant) -> uuid::Uuid {
    let (status, _) = app
        .api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk", "name": "Front desk"}))
        .await;
    assert_eq!(status, 201);
    let owner = app.owner(t).await;
    backend::agents::find_by_external_id(&app.services.db, &owner.tenant, "desk").await.unwrap().unwrap().id
}

fn webhook(url: &str) -> ActionInput {
    ActionInput { kind: "webhook".into(), name: "CRM".into(), url: url.into(), enabled: true, ..Default::default() }
}

async fn ingest(app: &TestApp, t: &Tenant, call_id: &str) -> String {
    let created: Value = app.post_call(&t.api_key, &call(call_id, "desk")).await.json().await.unwrap();
    created["conversation_id"].as_str().unwrap().to_owned()
}

async fn deliveries_of(app: &TestApp) -> Vec<webhook_delivery::Model> {
    webhook_delivery::Entity::find().all(&app.services.db).await.unwrap()
}

db_test!(a_signed_webhook_that_fails_three_times_is_delivered_once_with_one_webhook_id, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[503, 429, 408]).await;
    let t = app.tenant("Acme").await;
    let agent = desk(&app, &t).await;
    let owner = app.owner(&t).await;
    let (_action, secret) =
        backend::actions::create(&app.services, &owner.into(), agent, webhook(&receiver.url), Save::Publish)
            .await
            .unwrap();
    assert!(secret.starts_with("whsec_"));
    let conversation = ingest(&app, &t, "wh-1").await;
    app.drain().await;

    let got = receiver.received();
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), vec![503, 429, 408, 200]);
    let ids: Vec<&str> = got.iter().map(|r| r.headers["webhook-id"].to_str().unwrap()).collect();
    assert!(ids.iter().all(|id| *id == ids[0] && id.starts_with("msg_")), "one webhook-id across retries: {ids:?}");
    for r in &got {
        verify(&secret, r).expect("every attempt is validly signed");
    }
    let mut tampered = got[3].clone();
    tampered.body = tampered.body.replace("wh-1", "wh-2");
    assert!(verify(&secret, &tampered).is_err(), "the signature covers the body");
    let body: Value = serde_json::from_str(&got[3].body).unwrap();
    assert_eq!(body["type"], "conversation.analyzed");
    assert_eq!(body["data"]["conversation"]["id"], conversation.as_str());
    assert_eq!(body["data"]["conversation"]["call_id"], "wh-1");
    assert_eq!(body["data"]["conversation"]["agent"]["external_id"], "desk");
    assert!(body["data"]["conversation"].get("transcript").is_none(), "transcript only when the action includes it");
    assert_eq!(body["data"]["analysis"]["status"], "completed");
    assert!(body["data"]["analysis"]["summary"].as_str().unwrap().contains("call me back"));
    assert_eq!(body["data"]["analysis"]["analyzer"], "builtin");
    assert_eq!(body["data"]["analysis"]["notifications"], json!([]), "the agent has no notifications");
    assert!(got.iter().all(|r| r.body == got[0].body), "retries send the same bytes");

    let rows = deliveries_of(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].state.as_str(), rows[0].attempts, rows[0].last_status), ("delivered", 4, Some(200)));
    let detail = delivery::detail(&app.services.db, &owner.into(), Channel::Webhook, rows[0].id).await.unwrap();
    let logged: Vec<(i32, &str, Option<i32>)> =
        detail.attempts.iter().map(|a| (a.attempt, a.outcome.as_str(), a.status_code)).collect();
    assert_eq!(
        logged,
        vec![
            (1, "transient", Some(503)),
            (2, "transient", Some(429)),
            (3, "transient", Some(408)),
            (4, "delivered", Some(200))
        ]
    );
    // The log shows the endpoint's host only: a URL can be a credential, and members read the log.
    assert!(
        detail.attempts[0].request.starts_with(&format!("POST {}\n", backend::actions::display_url(&receiver.url))),
        "{}",
        detail.attempts[0].request
    );
    assert!(!detail.attempts[0].request.contains(&receiver.url));
    assert!(detail.attempts[0].request.contains("webhook-id: msg_"));
    let job = job::Entity::find()
        .filter(job::Column::Kind.eq("DeliverWebhook"))
        .one(&app.services.db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (job.state.as_str(), job.attempts, job.conversation_id.map(|c| c.to_string())),
        ("done", 4, Some(conversation))
    );
});

db_test!(a_client_error_is_a_dead_letter_at_once_and_replay_delivers_it, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[400]).await;
    let t = app.tenant("Acme").await;
    let agent = desk(&app, &t).await;
    let owner = app.owner(&t).await;
    let mut input = webhook(&receiver.url);
    input.include_transcript = true;
    backend::actions::create(&app.services, &owner.into(), agent, input, Save::Publish).await.unwrap();
    let conversation = ingest(&app, &t, "wh-dead").await;
    app.drain().await;
    assert_eq!(receiver.received().len(), 1, "a 400 is not retried");
    let row = deliveries_of(&app).await.remove(0);
    assert_eq!((row.state.as_str(), row.last_status, row.last_error.as_deref()), ("dead", Some(400), Some("HTTP 400")));
    let dead = delivery::list(&app.services.db, &owner.into(), delivery::StateFilter::parse("dead"), None, None, 50)
        .await
        .unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        delivery::list(&app.services.db, &owner.into(), delivery::StateFilter::parse("delivered"), None, None, 50)
            .await
            .unwrap()
            .is_empty()
    );

    // Another account can neither see nor replay it.
    let other = app.tenant("Other").await;
    let other_owner = app.owner(&other).await;
    // Whether the dispatcher was woken since the last look (a stored wake-up is taken).
    let woken =
        || async { tokio::time::timeout(std::time::Duration::ZERO, app.services.jobs_wakeup.notified()).await.is_ok() };
    woken().await;
    assert!(matches!(
        delivery::replay(&app.services, &other_owner.into(), Channel::Webhook, row.id).await,
        Err(backend::Error::NotFound(_))
    ));
    assert!(!woken().await, "a refused replay wakes nobody");
    delivery::replay(&app.services, &owner.into(), Channel::Webhook, row.id).await.unwrap();
    assert!(woken().await, "the replay itself wakes the dispatcher at commit (no front door has to)");
    assert!(
        matches!(
            delivery::replay(&app.services, &owner.into(), Channel::Webhook, row.id).await,
            Err(backend::Error::Invalid { .. })
        ),
        "only dead letters replay"
    );
    app.drain().await;
    let got = receiver.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"], "a replay keeps the webhook-id");
    let body: Value = serde_json::from_str(&got[1].body).unwrap();
    assert_eq!(body["data"]["conversation"]["transcript"][1]["role"], "user", "the transcript is included when asked");
    let row = deliveries_of(&app).await.remove(0);
    assert_eq!((row.state.as_str(), row.attempts), ("delivered", 2), "attempts count across the replay");
    let detail = delivery::detail(&app.services.db, &owner.into(), Channel::Webhook, row.id).await.unwrap();
    assert_eq!(detail.attempts.len(), 2, "both attempts stay in the log");
    let convo: uuid::Uuid = conversation.parse().unwrap();
    assert_eq!(delivery::list(&app.services.db, &owner.into(), None, Some(convo), None, 50).await.unwrap().len(), 1);
});

db_test!(
    every_attempt_fails_until_the_schedule_runs_out_then_replaying_the_conversation_revives_it,
    extra = "[webhooks]\nretry_schedule_secs = [0, 0]\n",
    |app| {
        let receiver = Receiver::start(&[500, 502, 504]).await;
        let t = app.tenant("Acme").await;
        let agent = desk(&app, &t).await;
        let owner = app.owner(&t).await;
        backend::actions::create(&app.services, &owner.into(), agent, webhook(&receiver.url), Save::Publish)
            .await
            .unwrap();
        let conversation: uuid::Uuid = ingest(&app, &t, "wh-exhaust").await.parse().unwrap();
        app.drain().await;
        assert_eq!(receiver.received().len(), 3, "three attempts: the first and two retries");
        let row = deliveries_of(&app).await.remove(0);
        assert_eq!(row.state, backend::delivery::WebhookState::Dead);
        let job = job::Entity::find()
            .filter(job::Column::Kind.eq("DeliverWebhook"))
            .one(&app.services.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((job.state.as_str(), job.last_error.as_deref()), ("dead", Some("HTTP 504")));

        let revived = delivery::replay_conversation(&app.services, &owner.into(), conversation).await.unwrap();
        assert_eq!(revived, 1);
        app.drain().await;
        assert_eq!(receiver.received().len(), 4);
        assert_eq!(deliveries_of(&app).await.remove(0).state, backend::delivery::WebhookState::Delivered);
    }
);

db_test!(a_rotated_secret_signs_with_both_secrets_during_the_overlap, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[]).await;
    let t = app.tenant("Acme").await;
    let agent = desk(&app, &t).await;
    let owner = app.owner(&t).await;
    let (action, old) =
        backend::actions::create(&app.services, &owner.into(), agent, webhook(&receiver.url), Save::Publish)
            .await
            .unwrap();
    let new = backend::actions::rotate_secret(&app.services, &owner.into(), action.id).await.unwrap();
    assert_ne!(old, new);
    backend::actions::test_send(&app.services, &owner.into(), action.id).await.unwrap();
    app.drain().await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let signature = got[0].headers["webhook-signature"].to_str().unwrap();
    assert_eq!(signature.split(' ').count(), 2, "{signature}");
    verify(&old, &got[0]).expect("old secret still verifies");
    verify(&new, &got[0]).expect("new secret verifies");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["type"], "webhook.test");

    // After the overlap only the new secret signs.
    post_call_action::Entity::update_many()
        .col_expr(
            post_call_action::Column::PreviousSecretExpiresAt,
            sea_orm::sea_query::Expr::value(Some(chrono::Utc::now() - chrono::Duration::minutes(1))),
        )
        .exec(&app.services.db)
        .await
        .unwrap();
    backend::actions::test_send(&app.services, &owner.into(), action.id).await.unwrap();
    app.drain().await;
    let last = receiver.received().pop().unwrap();
    assert!(verify(&old, &last).is_err());
    verify(&new, &last).unwrap();
});

db_test!(
    an_endpoint_failing_for_five_days_is_disabled_and_the_admins_are_alerted,
    extra = "[webhooks]\nretry_schedule_secs = []\n",
    |app| {
        let receiver = Receiver::start(&[500, 500]).await;
        let t = app.tenant("Acme").await;
        let agent = desk(&app, &t).await;
        let owner = app.owner(&t).await;
        let member = app.teammate(&t, "member").await;
        let (action, _) =
            backend::actions::create(&app.services, &owner.into(), agent, webhook(&receiver.url), Save::Publish)
                .await
                .unwrap();
        ingest(&app, &t, "fail-1").await;
        app.drain().await;
        let row =
            backend::actions::get(&app.services.db, &app.services.secrets, &owner.tenant, action.id).await.unwrap();
        assert!(row.enabled && row.failing_since.is_some(), "one failure only starts the clock");

        post_call_action::Entity::update_many()
            .col_expr(
                post_call_action::Column::FailingSince,
                sea_orm::sea_query::Expr::value(Some(
                    chrono::Utc::now() - chrono::Duration::days(5) - chrono::Duration::minutes(5),
                )),
            )
            .exec(&app.services.db)
            .await
            .unwrap();
        ingest(&app, &t, "fail-2").await;
        app.drain().await;
        let row =
            backend::actions::get(&app.services.db, &app.services.secrets, &owner.tenant, action.id).await.unwrap();
        assert!(!row.enabled, "disabled after 5 days of failures");
        assert!(row.disabled_reason.as_deref().unwrap().contains("5.0 days"), "{:?}", row.disabled_reason);
        let alerts = backend::alerts::list(&app.services.db, &owner, None, 50).await.unwrap();
        assert!(alerts.iter().any(|a| a.title == "Webhook disabled: CRM"), "the owner is alerted");
        let member_alerts = backend::alerts::list(
            &app.services.db,
            &backend::auth::sign_in(&app.services, None, &member.email, &member.password).await.unwrap(),
            None,
            50,
        )
        .await
        .unwrap();
        assert!(member_alerts.iter().all(|a| !a.title.starts_with("Webhook disabled")), "members are not admins");

        // A disabled endpoint gets nothing more; turning it on again clears the record.
        ingest(&app, &t, "fail-3").await;
        app.drain().await;
        assert_eq!(receiver.received().len(), 2);
        let row = backend::actions::set_enabled(&app.services, &owner.into(), action.id, true).await.unwrap();
        assert!(row.failing_since.is_none() && row.disabled_reason.is_none());
    }
);

db_test!(
    slack_and_teams_messages_are_rendered_from_their_templates_and_conditions_filter_actions,
    extra = FAST_RETRIES,
    |app| {
        let receiver = Receiver::start(&[]).await;
        let t = app.tenant("Acme").await;
        let agent = desk(&app, &t).await;
        let owner = app.owner(&t).await;
        let mut slack = webhook(&receiver.url);
        slack.name = "Slack".into();
        slack.format = Some("slack".into());
        slack.message_template =
            Some("Call from {{ customer_number }} to {{ agent_name }}: {{ conversation_summary }}".into());
        backend::actions::create(&app.services, &owner.into(), agent, slack, Save::Publish).await.unwrap();
        let mut teams = webhook(&receiver.url);
        teams.name = "Teams".into();
        teams.format = Some("teams".into());
        teams.message_template = Some("Ended: {{ conversation_status }}".into());
        teams.condition = Some(Condition::test("order_total", Operator::Gt, serde_json::json!(100)));
        backend::actions::create(&app.services, &owner.into(), agent, teams, Save::Publish).await.unwrap();

        let mut missing = webhook(&receiver.url);
        missing.format = Some("slack".into());
        assert!(
            matches!(backend::actions::create(&app.services, &owner.into(), agent, missing, Save::Publish).await, Err(backend::Error::Invalid { field, .. }) if field == "message_template")
        );
        let mut bad_url = webhook("ftp://example.com/x");
        bad_url.name = "x".into();
        assert!(
            matches!(backend::actions::create(&app.services, &owner.into(), agent, bad_url, Save::Publish).await, Err(backend::Error::Invalid { field, .. }) if field == "url")
        );
        let mut bad_op = webhook(&receiver.url);
        bad_op.condition = Some(Condition::test("total", Operator::Gt, serde_json::json!("lots")));
        assert!(
            matches!(backend::actions::create(&app.services, &owner.into(), agent, bad_op, Save::Publish).await, Err(backend::Error::Invalid { field, .. }) if field == "condition.value")
        );

        ingest(&app, &t, "slack-1").await;
        app.drain().await;
        let got = receiver.received();
        assert_eq!(got.len(), 1, "the Teams action's condition does not hold (no order_total)");
        let body: Value = serde_json::from_str(&got[0].body).unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(text.starts_with("Call from +14155550141 to Front desk: "), "{text}");
        assert!(got[0].headers.get("webhook-signature").is_none(), "Slack requests are not signed");
    }
);

db_test!(
    schedule_call_actions_request_a_signed_callback_at_their_time_and_can_be_cancelled,
    extra = FAST_RETRIES,
    |app| {
        let receiver = Receiver::start(&[]).await;
        let t = app.tenant("Acme").await;
        let agent = desk(&app, &t).await;
        let owner = app.owner(&t).await;
        let now_action = ActionInput {
            kind: "schedule_call".into(),
            name: "Call back now".into(),
            url: receiver.url.clone(),
            time_field: Some("callback_time".into()),
            fallback_delay_minutes: Some(0),
            enabled: true,
            ..Default::default()
        };
        let (now_action, secret) =
            backend::actions::create(&app.services, &owner.into(), agent, now_action, Save::Publish).await.unwrap();
        let later = ActionInput {
            name: "Call back in an hour".into(),
            fallback_delay_minutes: Some(60),
            time_field: None,
            ..ActionInput {
                kind: "schedule_call".into(),
                url: receiver.url.clone(),
                enabled: true,
                ..Default::default()
            }
        };
        backend::actions::create(&app.services, &owner.into(), agent, later, Save::Publish).await.unwrap();
        let none = ActionInput {
            kind: "schedule_call".into(),
            name: "x".into(),
            url: receiver.url.clone(),
            enabled: true,
            ..Default::default()
        };
        assert!(
            matches!(backend::actions::create(&app.services, &owner.into(), agent, none, Save::Publish).await, Err(backend::Error::Invalid { field, .. }) if field == "time_field")
        );

        let conversation: uuid::Uuid = ingest(&app, &t, "sched-1").await.parse().unwrap();
        app.drain().await;
        let calls = backend::actions::scheduled_calls(&app.services.db, &owner.tenant, conversation).await.unwrap();
        assert_eq!(calls.len(), 2);
        let (due_now, due_later) = (&calls[0], &calls[1]);
        assert_eq!(due_now.state, backend::actions::ScheduledCallState::Requested);
        assert_eq!(due_later.state, backend::actions::ScheduledCallState::Scheduled);
        let minutes = (due_later.due_at - chrono::Utc::now()).num_minutes();
        assert!((58..=60).contains(&minutes), "due in an hour: {minutes}");
        assert!(due_later.source.contains("fallback 60 min"));

        let got = receiver.received();
        assert_eq!(got.len(), 1, "only the due call is requested");
        verify(&secret, &got[0]).unwrap();
        let body: Value = serde_json::from_str(&got[0].body).unwrap();
        assert_eq!(body["type"], "call.callback_requested");
        assert_eq!(body["data"]["callback"]["phone_number"], "+14155550141", "inbound: call the caller back");
        assert_eq!(body["data"]["callback"]["scheduled_call_id"], due_now.id.to_string());
        assert_eq!(now_action.kind, backend::actions::ActionKind::ScheduleCall);

        // Cancelled calls are never requested, even when their job comes due.
        let member = app.teammate(&t, "member").await;
        let member = backend::auth::sign_in(&app.services, None, &member.email, &member.password).await.unwrap();
        let cancelled =
            backend::actions::cancel_scheduled_call(&app.services.db, &member.into(), due_later.id).await.unwrap();
        assert_eq!((cancelled.state.as_str(), cancelled.cancelled_by), ("cancelled", Some(member.user_id)));
        assert!(backend::actions::cancel_scheduled_call(&app.services.db, &member.into(), due_later.id).await.is_err());
        job::Entity::update_many()
            .col_expr(job::Column::RunAt, sea_orm::sea_query::Expr::value(chrono::Utc::now()))
            .filter(job::Column::Kind.eq("RequestCallback"))
            .exec(&app.services.db)
            .await
            .unwrap();
        app.drain().await;
        assert_eq!(receiver.received().len(), 1);
        let rows = scheduled_call::Entity::find().all(&app.services.db).await.unwrap();
        assert_eq!(rows.iter().filter(|r| r.state == backend::actions::ScheduledCallState::Cancelled).count(), 1);
    }
);

db_test!(members_cannot_configure_actions_and_other_accounts_get_404, |app| {
    let t = app.tenant("Acme").await;
    let agent = desk(&app, &t).await;
    let owner = app.owner(&t).await;
    let (action, _) = backend::actions::create(
        &app.services,
        &owner.into(),
        agent,
        webhook("https://example.com/hook"),
        Save::Publish,
    )
    .await
    .unwrap();
    let member = app.teammate(&t, "member").await;
    let member = backend::auth::sign_in(&app.services, None, &member.email, &member.password).await.unwrap();
    assert!(matches!(
        backend::actions::create(&app.services, &member.into(), agent, webhook("https://example.com/x"), Save::Publish)
            .await,
        Err(backend::Error::Forbidden)
    ));
    assert!(matches!(
        backend::actions::delete(&app.services.db, &member.into(), action.id).await,
        Err(backend::Error::Forbidden)
    ));
    let other = app.tenant("Other").await;
    let other = app.owner(&other).await;
    assert!(matches!(
        backend::actions::get(&app.services.db, &app.services.secrets, &other.tenant, action.id).await,
        Err(backend::Error::NotFound(_))
    ));
    assert!(matches!(
        backend::actions::delete(&app.services.db, &other.into(), action.id).await,
        Err(backend::Error::NotFound(_))
    ));
    assert!(matches!(
        backend::actions::create(&app.services, &other.into(), agent, webhook("https://example.com/x"), Save::Publish)
            .await,
        Err(backend::Error::NotFound(_))
    ));
});

db_test!(a_claimed_job_whose_worker_died_is_reclaimed_after_its_lease, |app| {
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    ingest(&app, &t, "lease-1").await;
    let db = &app.services.db;
    let first = backend::queue::claim(db, 10, Duration::from_secs(2), 10).await.unwrap();
    assert_eq!(first.len(), 1);
    assert!(backend::queue::claim(db, 10, Duration::from_secs(60), 10).await.unwrap().is_empty(), "leased");
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let again = backend::queue::claim(db, 10, Duration::from_secs(60), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!((again[0].id, again[0].attempts), (first[0].id, 2), "the same job, a second attempt");
    backend::queue::release(db, &[(again[0].id, again[0].attempts)]).await.unwrap();
    let row = job::Entity::find_by_id(first[0].id).one(db).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("pending", 1), "released without counting the interrupted attempt");
    assert_eq!(app.drain().await, 1);
    assert_eq!(app.count("analyses").await, 1);
});

db_test!(a_claim_takes_each_accounts_first_jobs_up_to_its_share_behind_a_long_backlog, |app| {
    // Alpha has 40 calls waiting before Beta's one; one job of Alpha's is due only tomorrow.
    let (a, b) = (app.tenant("Alpha").await, app.tenant("Beta").await);
    for t in [&a, &b] {
        desk(&app, t).await;
    }
    let mut alpha_calls = Vec::new();
    for i in 0..40 {
        alpha_calls.push(ingest(&app, &a, &format!("a-{i}")).await);
    }
    let beta_call = ingest(&app, &b, "b-0").await;
    let db = &app.services.db;
    let (alpha, beta) = (app.owner(&a).await.tenant.account_id(), app.owner(&b).await.tenant.account_id());
    let tomorrow = chrono::Utc::now() + chrono::Duration::days(1);
    let later = job::Entity::find().filter(job::Column::AccountId.eq(alpha)).one(db).await.unwrap().unwrap();
    job::Entity::update_many()
        .col_expr(job::Column::RunAt, sea_orm::sea_query::Expr::value(tomorrow))
        .filter(job::Column::Id.eq(later.id))
        .exec(db)
        .await
        .unwrap();

    let lease = Duration::from_secs(60);
    let first = backend::queue::claim(db, 4, lease, 3).await.unwrap();
    let of =
        |jobs: &[backend::queue::ClaimedJob], account| jobs.iter().filter(|j| j.tenant.account_id() == account).count();
    assert_eq!((of(&first, alpha), of(&first, beta)), (3, 1), "Alpha's share, then Beta's first job");
    assert!(first.iter().all(|j| j.id != later.id), "a job due tomorrow is not claimed");
    let beta_job = first.iter().find(|j| j.tenant.account_id() == beta).unwrap();
    assert_eq!(beta_job.payload["conversation_id"], beta_call.as_str());
    // In due order: Alpha's earliest calls, skipping the one moved to tomorrow.
    let claimed: std::collections::BTreeSet<&str> = first
        .iter()
        .filter(|j| j.tenant.account_id() == alpha)
        .map(|j| j.payload["conversation_id"].as_str().unwrap())
        .collect();
    let expected: std::collections::BTreeSet<&str> =
        alpha_calls.iter().map(String::as_str).filter(|c| *c != later.payload["conversation_id"]).take(3).collect();
    assert_eq!(claimed, expected);

    assert!(backend::queue::claim(db, 4, lease, 3).await.unwrap().is_empty(), "Alpha is at its share");
    let finished = first.iter().find(|j| j.tenant.account_id() == alpha).unwrap();
    assert!(backend::queue::complete(db, finished).await.unwrap());
    let next = backend::queue::claim(db, 4, lease, 3).await.unwrap();
    assert_eq!((next.len(), of(&next, alpha)), (1, 1), "one finished, one more of Alpha's runs");
});

/// A one-second lease, and webhooks retried at once.
const SHORT_LEASE: &str =
    "[jobs]\nlease_secs = 1\n[webhooks]\nretry_schedule_secs = [0, 0, 0, 0, 0, 0, 0]\ntimeout_secs = 10\n";

db_test!(a_job_that_runs_longer_than_its_lease_keeps_it_by_heartbeat_and_is_sent_once, extra = SHORT_LEASE, |app| {
    // The endpoint takes 3 s, three leases; a second runner looks for due jobs after 1.6 s,
    // when the first claim would have expired without the heartbeat.
    let receiver = Receiver::start_slow(&[], Duration::from_secs(3)).await;
    let t = app.tenant("Acme").await;
    let agent = desk(&app, &t).await;
    let owner = app.owner(&t).await;
    backend::actions::create(&app.services, &owner.into(), agent, webhook(&receiver.url), Save::Publish).await.unwrap();
    ingest(&app, &t, "slow-1").await;
    // Bounded: a runner that never returns (a write lock left behind by a rolled-back
    // attempt) fails the test instead of stalling the suite.
    let runners = async {
        tokio::join!(app.drain(), async {
            tokio::time::sleep(Duration::from_millis(1600)).await;
            app.drain().await
        })
    };
    let (first, second) = tokio::time::timeout(Duration::from_secs(60), runners).await.expect("both runners return");
    assert_eq!((first, second), (2, 0), "analysis and delivery ran once, in the first runner");
    assert_eq!(receiver.received().len(), 1, "the webhook was posted once");
    let delivery = deliveries_of(&app).await.pop().unwrap();
    assert_eq!((delivery.state.as_str(), delivery.attempts), ("delivered", 1));
});

/// Ends `first`'s lease at once (as when its holder died or stalled) and claims the job
/// again, as another runner would: the same job, its second attempt.
async fn take_over(db: &sea_orm::DatabaseConnection, first: &backend::queue::ClaimedJob) -> backend::queue::ClaimedJob {
    assert!(backend::queue::renew(db, first, Duration::ZERO).await.unwrap());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let second = backend::queue::claim(db, 10, Duration::from_secs(60), 10).await.unwrap().pop().unwrap();
    assert_eq!((second.id, second.attempts), (first.id, 2));
    second
}

db_test!(a_lease_is_renewed_only_by_the_attempt_that_holds_it, |app| {
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    ingest(&app, &t, "renew-1").await;
    let db = &app.services.db;
    let first = backend::queue::claim(db, 10, Duration::from_secs(1), 10).await.unwrap().pop().unwrap();
    assert!(backend::queue::renew(db, &first, Duration::from_secs(60)).await.unwrap(), "the holder renews");
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert!(backend::queue::claim(db, 10, Duration::from_secs(60), 10).await.unwrap().is_empty(), "still leased");
    // Let the lease run out, as when the holder died: another runner claims the job and
    // the first attempt's late heartbeat changes nothing.
    let second = take_over(db, &first).await;
    assert!(!backend::queue::renew(db, &first, Duration::from_secs(60)).await.unwrap(), "not the holder any more");
    assert!(backend::queue::renew(db, &second, Duration::from_secs(60)).await.unwrap());
});

db_test!(an_attempt_that_lost_its_lease_writes_no_outcome_and_its_transaction_rolls_back, |app| {
    use sea_orm::TransactionTrait;
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    ingest(&app, &t, "fence-1").await;
    let db = &app.services.db;
    let first = backend::queue::claim(db, 10, Duration::from_secs(60), 10).await.unwrap().pop().unwrap();
    // The first attempt stalls past its lease and a second runner claims the job.
    let second = take_over(db, &first).await;
    // The stale attempt can neither finish nor fail the job, nor commit a handler's work.
    assert!(!backend::queue::complete(db, &first).await.unwrap(), "not the holder");
    assert_eq!(backend::queue::fail(db, &first, "late", false, Duration::ZERO).await.unwrap(), None);
    let txn = db.begin().await.unwrap();
    let err = first.complete_in(&txn).await.unwrap_err();
    assert!(err.to_string().contains(backend::queue::LEASE_LOST), "{err}");
    drop(txn);
    backend::queue::release(db, &[(first.id, first.attempts)]).await.unwrap();
    let row = job::Entity::find_by_id(first.id).one(db).await.unwrap().unwrap();
    assert_eq!((row.state.as_str(), row.attempts), ("running", 2), "still the second attempt's");
    // The holder finishes it.
    assert!(backend::queue::complete(db, &second).await.unwrap());
    let row = job::Entity::find_by_id(first.id).one(db).await.unwrap().unwrap();
    assert_eq!(row.state.as_str(), "done");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_queued_during_an_smtp_outage_all_arrive_once_it_is_back() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let extra = format!("[smtp]\nurl = \"smtp://127.0.0.1:{port}\"\ntimeout_secs = 2\n");
    let app = spawn_app(Db::Sqlite, &extra).await.unwrap();
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "Call {{ conversation_uuid }}", "body": "b"}}),
    )
    .await;
    for i in 0..5 {
        ingest(&app, &t, &format!("outage-{i}")).await;
    }
    app.drain().await;
    let owner = app.owner(&t).await;
    let retrying =
        delivery::list(&app.services.db, &owner.into(), delivery::StateFilter::parse("retrying"), None, None, 50)
            .await
            .unwrap();
    assert_eq!(retrying.len(), 5, "all five wait for the server");
    let detail = delivery::detail(&app.services.db, &owner.into(), Channel::Email, retrying[0].id).await.unwrap();
    assert_eq!(detail.attempts[0].outcome, backend::delivery::AttemptOutcome::Transient);
    assert!(
        detail.attempts[0].error.as_deref().unwrap_or_default().to_lowercase().contains("connect"),
        "{:?}",
        detail.attempts[0].error
    );

    let smtp = SmtpServer::start_on(port).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        app.drain().await;
        let sent =
            delivery::list(&app.services.db, &owner.into(), delivery::StateFilter::parse("delivered"), None, None, 50)
                .await
                .unwrap();
        if sent.len() == 5 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "emails not delivered after the outage: {} of 5", sent.len());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let messages = smtp.messages();
    assert_eq!(messages.len(), 5, "every email once");
    let detail = delivery::detail(&app.services.db, &owner.into(), Channel::Email, retrying[0].id).await.unwrap();
    let last = detail.attempts.last().unwrap();
    assert_eq!((last.outcome.as_str(), last.status_code), ("delivered", Some(250)));
    assert!(last.response.as_deref().unwrap().starts_with("250"), "the server's reply is logged: {:?}", last.response);
    assert!(detail.attempts.len() >= 2);
    let backend = app.services.db.get_database_backend();
    let dead = app
        .services
        .db
        .query_one_raw(sea_orm::Statement::from_string(backend, "SELECT COUNT(*) AS n FROM jobs WHERE state <> 'done'"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dead.try_get::<i64>("", "n").unwrap(), 0);
}

db_test!(integrators_manage_actions_deliveries_and_scheduled_calls_over_rest, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[404]).await;
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": "mailto:x"}),
        )
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("url")), "{body}");
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": receiver.url, "colour": "red"}),
        )
        .await;
    assert_eq!(status, 400, "unknown fields are refused: {body}");
    let (status, created) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "webhook", "name": "CRM", "url": receiver.url, "condition": {"field": "callback_time", "op": "is_not_empty"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_owned();
    let action_id = created["action"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["action"]["condition"]["operator"], "is_not_empty");
    let (_, listed) = app.api_get(&t.api_key, "/api/v1/agents/desk/actions").await;
    assert_eq!(listed["actions"].as_array().unwrap().len(), 1);
    assert!(!listed.to_string().contains(&secret), "the secret is shown once");
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "schedule_call", "name": "Later", "url": receiver.url, "fallback_delay_minutes": 30}),
        )
        .await;
    assert_eq!(status, 201);

    // A test-send that the endpoint refuses (404) is dead at once; replay delivers it.
    let (status, test) =
        app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{action_id}/test"), &json!({})).await;
    assert_eq!(status, 202);
    app.drain().await;
    let delivery = test["delivery_id"].as_str().unwrap();
    let (_, dead) = app.api_get(&t.api_key, "/api/v1/deliveries?state=dead").await;
    assert_eq!(dead["deliveries"][0]["id"], delivery);
    let (_, detail) = app.api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{delivery}")).await;
    assert_eq!(detail["attempts"][0]["status_code"], 404);
    assert!(detail["message_id"].as_str().unwrap().starts_with("msg_"));
    let (status, _) = app
        .api_send(Method::POST, &t.api_key, &format!("/api/v1/deliveries/webhook/{delivery}/replay"), &json!({}))
        .await;
    assert_eq!(status, 202);
    app.drain().await;
    verify(&secret, &receiver.received()[1]).unwrap();
    let (_, detail) = app.api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{delivery}")).await;
    assert_eq!(detail["delivery"]["state"], "delivered");
    let (status, body) = app
        .api_send(Method::POST, &t.api_key, &format!("/api/v1/deliveries/webhook/{delivery}/replay"), &json!({}))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("state")));

    // A call: the webhook's condition does not hold (no callback time), the call is scheduled.
    let conversation = ingest(&app, &t, "rest-1").await;
    app.drain().await;
    assert_eq!(receiver.received().len(), 2, "condition not met: nothing sent");
    let (_, calls) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{conversation}/scheduled-calls")).await;
    let call = &calls["scheduled_calls"][0];
    assert_eq!(call["state"], "scheduled");
    let (status, cancelled) = app
        .api_send(
            Method::POST,
            &t.api_key,
            &format!("/api/v1/scheduled-calls/{}/cancel", call["id"].as_str().unwrap()),
            &json!({}),
        )
        .await;
    assert_eq!((status, cancelled["state"].as_str()), (200, Some("cancelled")));
    let (status, replayed) = app
        .api_send(Method::POST, &t.api_key, &format!("/api/v1/conversations/{conversation}/replay"), &json!({}))
        .await;
    assert_eq!((status, replayed["replayed"].as_u64()), (202, Some(0)), "nothing dead to replay");

    // Another account sees none of it.
    let other = app.tenant("Other").await;
    let (status, _) = app.api_get(&other.api_key, &format!("/api/v1/actions/{action_id}")).await;
    assert_eq!(status, 404);
    let (status, _) = app.api_get(&other.api_key, &format!("/api/v1/deliveries/webhook/{delivery}")).await;
    assert_eq!(status, 404);
    let (status, _) =
        app.api_get(&other.api_key, &format!("/api/v1/conversations/{conversation}/scheduled-calls")).await;
    assert_eq!(status, 404);
    let (_, none) = app.api_get(&other.api_key, "/api/v1/deliveries").await;
    assert_eq!(none["deliveries"].as_array().unwrap().len(), 0);
    let (status, _) =
        app.api_send(Method::DELETE, &other.api_key, &format!("/api/v1/actions/{action_id}"), &json!({})).await;
    assert_eq!(status, 404);
    let (status, _) =
        app.api_send(Method::DELETE, &t.api_key, &format!("/api/v1/actions/{action_id}"), &json!({})).await;
    assert_eq!(status, 204);
    let (status, _) = app.api_get(&t.api_key, "/api/v1/deliveries").await;
    assert_eq!(status, 200);
    let (status, _) = app.api_get("wrong", "/api/v1/deliveries").await;
    assert_eq!(status, 401);
});

db_test!(a_follow_up_time_said_in_the_call_schedules_the_callback_for_that_moment, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[]).await;
    let t = app.tenant("Acme").await;
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents",
            &json!({"external_id": "desk", "timezone": "America/New_York"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/actions",
            &json!({"kind": "schedule_call", "name": "Call back", "url": receiver.url, "time_field": "callback_time", "fallback_delay_minutes": 1440}),
        )
        .await;
    assert_eq!(status, 201);
    let started = chrono::Utc::now();
    let mut event = call("when-1", "desk");
    event["started_at"] = json!(started.to_rfc3339());
    event["ended_at"] = json!((started + chrono::Duration::minutes(2)).to_rfc3339());
    event["transcript"] = json!([
        {"role": "agent", "text": "Thanks for calling, how can I help?"},
        {"role": "user", "text": "I'm driving right now. Could you call me back tomorrow at 3 pm?"},
        {"role": "agent", "text": "Of course, we will call you back tomorrow at 3 pm."}
    ]);
    let created: Value = app.post_call(&t.api_key, &event).await.json().await.unwrap();
    let conversation: uuid::Uuid = created["conversation_id"].as_str().unwrap().parse().unwrap();
    app.drain().await;
    let owner = app.owner(&t).await;
    let calls = backend::actions::scheduled_calls(&app.services.db, &owner.tenant, conversation).await.unwrap();
    assert_eq!(calls.len(), 1);
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap();
    let tomorrow = started.with_timezone(&tz).date_naive() + chrono::Duration::days(1);
    let expected =
        tomorrow.and_hms_opt(15, 0, 0).unwrap().and_local_timezone(tz).earliest().unwrap().with_timezone(&chrono::Utc);
    assert_eq!(calls[0].due_at, expected, "3 pm tomorrow in the agent's time zone ({})", calls[0].source);
    assert!(calls[0].source.starts_with("field callback_time = "), "{}", calls[0].source);
    assert_eq!(calls[0].state, backend::actions::ScheduledCallState::Scheduled);
    assert!(receiver.received().is_empty());
});
