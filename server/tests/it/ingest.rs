//! `POST /api/v1/calls`: status codes, error bodies, first end wins, nothing half-stored.

use serde_json::{Value, json};

use crate::helpers::{TestApp, call, fixture};

/// Rows that a rejected request must not create.
async fn stored(app: &TestApp) -> (i64, i64, i64) {
    (app.count("conversations").await, app.count("agents").await, app.count("jobs").await)
}

fn error_of(body: &Value) -> (&str, Option<&str>) {
    (body["error"]["code"].as_str().unwrap_or(""), body["error"]["field"].as_str())
}

db_test!(a_new_call_is_accepted_with_202_and_analysed_once, |app| {
    let t = app.tenant("Acme").await;
    let resp = app.post_call(&t.api_key, &fixture("abcd-3592")).await;
    assert_eq!(resp.status().as_u16(), 202);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["duplicate"], false);
    let id = body["conversation_id"].as_str().unwrap().to_owned();
    assert_eq!(app.count("jobs").await, 1, "the AnalyzeCall job was enqueued with the conversation");
    app.drain().await;
    let (status, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(conv["call_id"], "abcd-3592");
    assert_eq!(conv["agent_id"], "abcd-retail-support");
    assert_eq!(conv["transcript"].as_array().unwrap().len(), 25);
    assert_eq!(conv["analysis"]["status"], "completed");
    assert_eq!(conv["analysis"]["analyzer"], "builtin");
    assert!(conv["analysis"]["summary"].as_str().unwrap().contains("return an item"), "{}", conv["analysis"]);
    assert_eq!(app.count("analyses").await, 1);
});

db_test!(a_duplicate_call_id_returns_the_first_conversation_and_changes_nothing, |app| {
    let t = app.tenant("Acme").await;
    let first: Value = app.post_call(&t.api_key, &call("c-1", "agent-a")).await.json().await.unwrap();
    app.drain().await;
    let mut second_event = call("c-1", "agent-b");
    second_event["transcript"] = json!([{"role": "user", "text": "a different ending"}]);
    second_event["end_reason"] = json!("agent_hangup");
    let resp = app.post_call(&t.api_key, &second_event).await;
    assert_eq!(resp.status().as_u16(), 200);
    let second: Value = resp.json().await.unwrap();
    assert_eq!(second["duplicate"], true);
    assert_eq!(second["conversation_id"], first["conversation_id"]);
    assert_eq!(app.count("conversations").await, 1);
    assert_eq!(app.count("agents").await, 1, "agent-b was not created");
    assert_eq!(app.drain().await, 0, "nothing was triggered");
    let (_, conv) =
        app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", first["conversation_id"].as_str().unwrap())).await;
    assert_eq!(conv["end_reason"], "customer_hangup");
    assert_eq!(conv["transcript"].as_array().unwrap().len(), 3);
});

db_test!(concurrent_events_for_one_call_create_one_conversation, |app| {
    let t = app.tenant("Acme").await;
    let event = call("race", "agent-a");
    let posts = (0..8).map(|_| app.post_call(&t.api_key, &event));
    let answers = futures::future::join_all(posts).await;
    let mut ids = Vec::new();
    let mut created = 0;
    for resp in answers {
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        if status == 202 {
            created += 1
        } else {
            assert_eq!(status, 200)
        }
        ids.push(body["conversation_id"].as_str().unwrap().to_owned());
    }
    assert_eq!(created, 1);
    ids.dedup();
    assert_eq!(ids.len(), 1, "every answer names the same conversation");
    assert_eq!(app.count("conversations").await, 1);
    assert_eq!(app.count("jobs").await, 1);
});

db_test!(a_missing_wrong_or_revoked_api_key_is_401_and_stores_nothing, |app| {
    let t = app.tenant("Acme").await;
    let resp = app.http.post(format!("{}/api/v1/calls", app.base)).json(&call("c", "a")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "unauthorized");
    let resp = app.post_call("ac_not-a-real-key", &call("c", "a")).await;
    assert_eq!(resp.status().as_u16(), 401);
    let resp = app.post_call(&t.api_key[..t.api_key.len() - 1], &call("c", "a")).await;
    assert_eq!(resp.status().as_u16(), 401);
    // Revoke the key through the admin path and try again.
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    let keys = backend::identity::api_keys::list(&app.services.db, &member.tenant).await.unwrap();
    backend::identity::api_keys::revoke(&app.services, &member.into(), keys[0].id).await.unwrap();
    let resp = app.post_call(&t.api_key, &call("c", "a")).await;
    assert_eq!(resp.status().as_u16(), 401);
    assert_eq!(stored(&app).await, (0, 0, 0));
});

db_test!(malformed_json_is_400_with_the_path_of_the_bad_field, |app| {
    let t = app.tenant("Acme").await;
    let resp = app.post_raw(&t.api_key, b"{\"call_id\": \"c\", \"agent_id\": ".to_vec()).await;
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "malformed_json");
    let mut bad_type = call("c", "a");
    bad_type["transcript"][1]["text"] = json!(42);
    let resp = app.post_call(&t.api_key, &bad_type).await;
    assert_eq!(resp.status().as_u16(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body), ("invalid_type", Some("transcript[1].text")));
    let resp = app.post_raw(&t.api_key, b"[1, 2]".to_vec()).await;
    assert_eq!(resp.status().as_u16(), 400);
    let resp = app
        .post_raw(&t.api_key, b"{\"call_id\": \"c\", \"agent_id\": \"a\", \"transcript\": []} trailing".to_vec())
        .await;
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(stored(&app).await, (0, 0, 0));
});

db_test!(a_body_over_one_mebibyte_is_413_and_stores_nothing, |app| {
    let t = app.tenant("Acme").await;
    let mut big = call("big", "a");
    big["transcript"][0]["text"] = json!("x".repeat(1024 * 1024));
    let resp = app.post_call(&t.api_key, &big).await;
    assert_eq!(resp.status().as_u16(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body).0, "payload_too_large");
    // Just under the limit is fine.
    let mut fits = call("fits", "a");
    fits["transcript"][0]["text"] = json!("y".repeat(1000 * 1000));
    assert_eq!(app.post_call(&t.api_key, &fits).await.status().as_u16(), 202);
    assert_eq!(app.count("conversations").await, 1);
});

db_test!(semantically_invalid_events_are_422_naming_the_field, |app| {
    let t = app.tenant("Acme").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({"agent_id": "a", "transcript": []}), "call_id"),
        (json!({"call_id": " ", "agent_id": "a", "transcript": []}), "call_id"),
        (json!({"call_id": "c", "transcript": []}), "agent_id"),
        (json!({"call_id": "c", "agent_id": "a"}), "transcript"),
        (
            json!({"call_id": "c", "agent_id": "a", "transcript": [{"role": "robot", "text": "x"}]}),
            "transcript[0].role",
        ),
        (json!({"call_id": "c", "agent_id": "a", "transcript": [], "direction": "sideways"}), "direction"),
        (json!({"call_id": "c", "agent_id": "a", "transcript": [], "from_number": "555-0100"}), "from_number"),
        (
            json!({"call_id": "c", "agent_id": "a", "transcript": [], "customer": {"email": "not-an-email"}}),
            "customer.email",
        ),
        (
            json!({"call_id": "c", "agent_id": "a", "transcript": [], "started_at": "2026-11-20T09:20:00Z", "ended_at": "2026-11-20T09:00:00Z"}),
            "ended_at",
        ),
    ];
    for (event, field) in cases {
        let resp = app.post_call(&t.api_key, &event).await;
        assert_eq!(resp.status().as_u16(), 422, "{event}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(error_of(&body), ("invalid_field", Some(field)), "{event}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(stored(&app).await, (0, 0, 0));
});

db_test!(an_unknown_agent_is_404_unless_the_account_auto_creates_agents, |app| {
    let t = app.tenant("Acme").await;
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    backend::identity::accounts::set_auto_create_agents(&app.services, &member, false).await.unwrap();
    let resp = app.post_call(&t.api_key, &call("c-1", "nobody")).await;
    assert_eq!(resp.status().as_u16(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_of(&body), ("not_found", Some("agent_id")));
    assert_eq!(stored(&app).await, (0, 0, 0));
    // A known agent is accepted; turning auto-create on accepts new ones.
    let (status, _) =
        app.api_send(reqwest::Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "known"})).await;
    assert_eq!(status, 201);
    assert_eq!(app.post_call(&t.api_key, &call("c-2", "known")).await.status().as_u16(), 202);
    backend::identity::accounts::set_auto_create_agents(&app.services, &member, true).await.unwrap();
    assert_eq!(app.post_call(&t.api_key, &call("c-1", "nobody")).await.status().as_u16(), 202);
    assert_eq!(app.count("agents").await, 2);
});

db_test!(end_reasons_are_case_insensitive_and_unknown_values_kept_verbatim, |app| {
    let t = app.tenant("Acme").await;
    let mut a = call("c-upper", "a");
    a["end_reason"] = json!("CCAAS_TRANSFER");
    let mut b = call("c-odd", "a");
    b["end_reason"] = json!("disconnected");
    let a: Value = app.post_call(&t.api_key, &a).await.json().await.unwrap();
    let b: Value = app.post_call(&t.api_key, &b).await.json().await.unwrap();
    let (_, a) =
        app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", a["conversation_id"].as_str().unwrap())).await;
    let (_, b) =
        app.api_get(&t.api_key, &format!("/api/v1/conversations/{}", b["conversation_id"].as_str().unwrap())).await;
    assert_eq!(a["end_reason"], "ccaas_transfer");
    assert_eq!(b["end_reason"], "unknown");
    assert_eq!(b["end_reason_raw"], "disconnected");
});

db_test!(every_fixture_call_is_accepted, |app| {
    let t = app.tenant("Acme").await;
    let dir = crate::helpers::repo_root().join("fixtures/calls/events");
    let files = server::replay::event_files(&dir).unwrap();
    assert_eq!(files.len(), 10);
    let report = server::replay::replay(&files, &app.base, &t.api_key, 4, false).await.unwrap();
    assert_eq!((report.created, report.duplicate, report.rejected), (10, 0, 0), "{:?}", report.rejections);
    let again = server::replay::replay(&files, &app.base, &t.api_key, 4, false).await.unwrap();
    assert_eq!((again.created, again.duplicate, again.rejected), (0, 10, 0));
    assert_eq!(app.count("conversations").await, 10);
});

db_test!(an_account_that_signs_ingest_accepts_only_correctly_signed_fresh_requests, |app| {
    let t = app.tenant("Acme").await;
    let owner = app.owner(&t).await;
    let secret = backend::identity::accounts::set_inbound_signing(&app.services, &owner, true).await.unwrap().unwrap();
    let member = app.teammate(&t, "member").await;
    let member = backend::auth::sign_in(&app.services, None, &member.email, &member.password).await.unwrap();
    assert!(matches!(
        backend::identity::accounts::set_inbound_signing(&app.services, &member, false).await,
        Err(backend::Error::Forbidden)
    ));

    let body = serde_json::to_vec(&call("signed-1", "desk")).unwrap();
    let post = |headers: Vec<(&'static str, String)>, body: Vec<u8>| {
        let mut req = app
            .http
            .post(format!("{}/api/v1/calls", app.base))
            .bearer_auth(&t.api_key)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let sign =
        |id: &str, ts: i64, body: &[u8]| standardwebhooks::Webhook::new(&secret).unwrap().sign(id, ts, body).unwrap();
    let now = chrono::Utc::now().timestamp();

    let unsigned = post(vec![], body.clone()).await.unwrap();
    assert_eq!(unsigned.status().as_u16(), 401);
    let err: serde_json::Value = unsigned.json().await.unwrap();
    assert_eq!(
        (err["error"]["code"].as_str(), err["error"]["field"].as_str()),
        (Some("invalid_signature"), Some("webhook-id")),
        "{err}"
    );

    let stale = post(
        vec![
            ("webhook-id", "msg_1".into()),
            ("webhook-timestamp", (now - 600).to_string()),
            ("webhook-signature", sign("msg_1", now - 600, &body)),
        ],
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(stale.status().as_u16(), 401);
    assert_eq!(stale.json::<serde_json::Value>().await.unwrap()["error"]["field"], "webhook-timestamp");

    let other_body = serde_json::to_vec(&call("signed-2", "desk")).unwrap();
    let altered = post(
        vec![
            ("webhook-id", "msg_2".into()),
            ("webhook-timestamp", now.to_string()),
            ("webhook-signature", sign("msg_2", now, &body)),
        ],
        other_body,
    )
    .await
    .unwrap();
    assert_eq!(altered.status().as_u16(), 401, "a signature for another body");
    assert_eq!(app.count("conversations").await, 0, "rejected requests store nothing");

    let good = post(
        vec![
            ("webhook-id", "msg_3".into()),
            ("webhook-timestamp", now.to_string()),
            ("webhook-signature", format!("v1,bm90IGl0 {}", sign("msg_3", now, &body))),
        ],
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(good.status().as_u16(), 202, "one valid signature among several is enough");
    assert_eq!(app.count("conversations").await, 1);

    backend::identity::accounts::set_inbound_signing(&app.services, &owner, false).await.unwrap();
    let plain = app.post_call(&t.api_key, &call("signed-4", "desk")).await;
    assert_eq!(plain.status().as_u16(), 202, "signing off: the key alone is enough");
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_api_key_is_rate_limited_with_429_and_retry_after() {
    // 3 at once, then 1 per second: a slow machine may earn a token or two while the test
    // runs, so the test counts instead of assuming exact timing.
    let app = crate::helpers::spawn_app(
        crate::helpers::Db::Sqlite,
        "[api]\nrate_limit_per_second = 1\nrate_limit_burst = 3\n",
    )
    .await
    .unwrap();
    let t = app.tenant("Acme").await;
    let other = app.tenant("Other").await;
    let mut accepted = 0;
    let mut limited = None;
    for i in 0..10 {
        let resp = app.post_call(&t.api_key, &call(&format!("rl-{i}"), "desk")).await;
        match resp.status().as_u16() {
            202 => accepted += 1,
            429 => {
                limited = Some(resp);
                break;
            }
            other => panic!("unexpected {other}"),
        }
    }
    let limited = limited.expect("the burst runs out");
    assert!((3..=5).contains(&accepted), "the burst of 3 (plus what refilled meanwhile) passes: {accepted}");
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(error_of(&body), ("rate_limited", None));
    assert_eq!(app.count("conversations").await, accepted, "a limited request stores nothing");
    let mut reads = Vec::new();
    for _ in 0..2 {
        reads.push(app.api_get(&t.api_key, "/api/v1/agents").await.0);
    }
    assert!(reads.contains(&429), "reads share the key's budget: {reads:?}");
    // Spelling the header differently does not buy a fresh budget.
    for header in [format!("bearer   {}  ", t.api_key), format!("BEARER {}", t.api_key)] {
        let resp = app
            .http
            .get(format!("{}/api/v1/agents", app.base))
            .header("authorization", header.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 429, "{header:?} is the same key");
    }
    assert_eq!(
        app.post_call(&other.api_key, &call("rl-other", "desk")).await.status().as_u16(),
        202,
        "another key has its own budget"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.post_call(&t.api_key, &call("rl-last", "desk")).await.status().as_u16(), 202, "the budget refills");
}

db_test!(concurrent_calls_committed_together_are_each_stored_or_refused_alone, |app| {
    // On SQLite these share group commits (one transaction; the calls of known agents in
    // multi-row inserts, the others alone in a savepoint each): an unknown agent's call is
    // refused without taking the calls committed with it along.
    let t = app.tenant("Acme").await;
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    backend::identity::accounts::set_auto_create_agents(&app.services, &member, false).await.unwrap();
    let (status, _) =
        app.api_send(reqwest::Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "known"})).await;
    assert_eq!(status, 201);
    let events: Vec<Value> = (0..60)
        .map(|i| match i % 3 {
            0 => call(&format!("good-{i}"), "known"),
            1 => call(&format!("bad-{i}"), "nobody"),
            _ => call("repeated", "known"),
        })
        .collect();
    let answers = futures::future::join_all(events.iter().map(|e| app.post_call(&t.api_key, e))).await;
    let mut statuses = std::collections::BTreeMap::<(String, u16), usize>::new();
    let mut repeated_ids = std::collections::BTreeSet::new();
    for (event, resp) in events.iter().zip(answers) {
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap();
        let call_id = event["call_id"].as_str().unwrap();
        let kind = call_id.split('-').next().unwrap().to_owned();
        if kind == "repeated" {
            repeated_ids.insert(body["conversation_id"].as_str().unwrap().to_owned());
        }
        *statuses.entry((kind, status)).or_default() += 1;
    }
    let expected: std::collections::BTreeMap<(String, u16), usize> = [
        (("bad".to_owned(), 404), 20),
        (("good".to_owned(), 202), 20),
        (("repeated".to_owned(), 200), 19),
        (("repeated".to_owned(), 202), 1),
    ]
    .into();
    assert_eq!(statuses, expected);
    assert_eq!(repeated_ids.len(), 1, "every repeat names the first conversation");
    assert_eq!(stored(&app).await, (21, 1, 21), "21 conversations, each with its job; no agent was created");
    assert_eq!(app.count("conversation_search").await, 21, "each stored call is searchable, once");

    // With auto-create on, calls of new agents committed together create each agent once.
    backend::identity::accounts::set_auto_create_agents(&app.services, &member, true).await.unwrap();
    let events: Vec<Value> = (0..30)
        .map(|i| call(&format!("new-{i}"), ["known", "fresh-a", "fresh-b"][i % 3]))
        .chain([call("good-0", "known")])
        .collect();
    let answers = futures::future::join_all(events.iter().map(|e| app.post_call(&t.api_key, e))).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|&&s| s == 202).count(), 30, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&200), "good-0 was stored before");
    assert_eq!(stored(&app).await, (51, 3, 51));
    assert_eq!(app.count("conversation_search").await, 51);
    app.drain().await;
    assert_eq!(app.count("analyses").await, 51, "every stored call is analysed once");
});

db_test!(a_revoked_key_is_refused_at_once_even_right_after_it_was_used, |app| {
    // The key was just used, so it is in the cache of authenticated keys: revoking forgets it.
    let t = app.tenant("Acme").await;
    assert_eq!(app.post_call(&t.api_key, &call("c-1", "a")).await.status().as_u16(), 202);
    let member = backend::auth::sign_in(&app.services, None, &t.email, &t.password).await.unwrap();
    let keys = backend::identity::api_keys::list(&app.services.db, &member.tenant).await.unwrap();
    backend::identity::api_keys::revoke(&app.services, &member.into(), keys[0].id).await.unwrap();
    assert_eq!(app.post_call(&t.api_key, &call("c-2", "a")).await.status().as_u16(), 401);
    assert_eq!(app.count("conversations").await, 1);
});
