//! The conversations list's filters, the CSV export of the filtered rows with their
//! extracted fields, and the home dashboard's figures.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Tenant, TestApp, call};

/// Three calls: two for `desk` (one hung up on 2026-11-18 with a booking, one voicemail on
/// 2026-11-19 asking about an invoice) and one for `sales` on 2026-11-20. The `desk`
/// notification fires on hang-ups only.
async fn populate(app: &TestApp, t: &Tenant) -> Vec<String> {
    for (id, name) in [("desk", "Front desk"), ("sales", "Sales")] {
        let (status, _) =
            app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": id, "name": name})).await;
        assert_eq!(status, 201);
    }
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/fields",
            &json!({"name": "party_size", "type": "number", "description": "Number of people for the table"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({"name": "Hang-ups", "trigger": {"always": true}, "conditions": [{"kind": "end_reason", "values": ["customer_hangup"]}],
                    "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "s", "body": "b"}, "team_alert": "all",
                    "task": {"priority": "urgent"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut booking = call("c-booking", "desk");
    booking["started_at"] = json!("2026-11-18T10:00:00Z");
    booking["ended_at"] = json!("2026-11-18T10:01:30Z");
    booking["transcript"] = json!([
        {"role": "agent", "text": "How can I help?"},
        {"role": "user", "text": "A table for four people tonight, please."},
        {"role": "agent", "text": "Booked: a table for 4 at 8 pm."}
    ]);
    let mut voicemail = call("c-voicemail", "desk");
    voicemail["started_at"] = json!("2026-11-19T10:00:00Z");
    voicemail["ended_at"] = json!("2026-11-19T10:00:40Z");
    voicemail["end_reason"] = json!("voicemail");
    voicemail["customer"] = json!({"name": "=HYPERLINK(\"http://evil.example\")"});
    voicemail["transcript"] = json!([
        {"role": "agent", "text": "Hello, this is the front desk."},
        {"role": "user", "text": "Hi, I have a question about my INVOICE number 42, please call back."}
    ]);
    let mut sales = call("c-sales", "sales");
    sales["started_at"] = json!("2026-11-20T10:00:00Z");
    sales["ended_at"] = json!("2026-11-20T10:05:00Z");
    let mut ids = Vec::new();
    for event in [booking, voicemail, sales] {
        let resp = app.post_call(&t.api_key, &event).await;
        assert_eq!(resp.status().as_u16(), 202);
        let body: Value = resp.json().await.unwrap();
        ids.push(body["conversation_id"].as_str().unwrap().to_owned());
    }
    app.drain().await;
    ids
}

async fn call_ids(app: &TestApp, t: &Tenant, query: &str) -> Vec<String> {
    let (status, body) = app.api_get(&t.api_key, &format!("/api/v1/conversations?{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body["conversations"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap().to_owned()).collect()
}

db_test!(conversations_filter_by_agent_dates_end_reason_fired_and_text, |app| {
    let t = app.tenant("Acme").await;
    populate(&app, &t).await;
    assert_eq!(call_ids(&app, &t, "").await, vec!["c-sales", "c-voicemail", "c-booking"]);
    assert_eq!(call_ids(&app, &t, "agent=desk").await, vec!["c-voicemail", "c-booking"]);
    assert_eq!(call_ids(&app, &t, "from=2026-11-19").await, vec!["c-sales", "c-voicemail"]);
    assert_eq!(
        call_ids(&app, &t, "from=2026-11-19&to=2026-11-19").await,
        vec!["c-voicemail"],
        "`to` includes its whole day"
    );
    assert_eq!(call_ids(&app, &t, "to=2026-11-18T23:00:00Z").await, vec!["c-booking"]);
    assert_eq!(call_ids(&app, &t, "end_reason=VOICEMAIL").await, vec!["c-voicemail"]);
    assert_eq!(call_ids(&app, &t, "fired=yes").await, vec!["c-booking"]);
    assert_eq!(call_ids(&app, &t, "fired=no").await, vec!["c-sales", "c-voicemail"]);
    assert_eq!(call_ids(&app, &t, "q=invoice").await, vec!["c-voicemail"], "case-insensitive, in the transcript");
    assert_eq!(call_ids(&app, &t, "q=100%25").await, Vec::<String>::new(), "LIKE wildcards are literal");
    assert_eq!(call_ids(&app, &t, "agent=desk&fired=no&q=call").await, vec!["c-voicemail"]);
    assert_eq!(call_ids(&app, &t, "q=c-sales").await, vec!["c-sales"], "call ids too");
    assert_eq!(call_ids(&app, &t, "q=invo").await, vec!["c-voicemail"], "a word's start matches");
    assert_eq!(call_ids(&app, &t, "q=invoice+tonight").await, Vec::<String>::new(), "every word must occur");
    assert_eq!(call_ids(&app, &t, "q=table+tonight").await, vec!["c-booking"]);
    assert_eq!(call_ids(&app, &t, "q=table+toni").await, vec!["c-booking"], "the last word may be a start");
    assert_eq!(call_ids(&app, &t, "q=tab+tonight").await, Vec::<String>::new(), "earlier words are whole words");
    // Bad filters name the parameter; another account's agent is not found.
    let (status, body) = app.api_get(&t.api_key, "/api/v1/conversations?from=yesterday").await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("from")), "{body}");
    let (status, body) = app.api_get(&t.api_key, "/api/v1/conversations?end_reason=bored").await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("end_reason")), "{body}");
    let (status, body) = app.api_get(&t.api_key, "/api/v1/conversations?fired=maybe").await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("fired")), "{body}");
    let other = app.tenant("Other").await;
    let (status, _) = app.api_get(&other.api_key, "/api/v1/conversations?agent=desk").await;
    assert_eq!(status, 404);
    // Filters keep keyset pagination.
    let (_, page) = app.api_get(&t.api_key, "/api/v1/conversations?agent=desk&limit=1").await;
    let cursor = page["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(call_ids(&app, &t, &format!("agent=desk&limit=1&cursor={cursor}")).await, vec!["c-booking"]);
});

db_test!(the_csv_export_has_the_filtered_rows_with_their_fields_and_no_formulas, |app| {
    let t = app.tenant("Acme").await;
    let ids = populate(&app, &t).await;
    let owner = app.browser(&t).await;
    let resp = owner.get(format!("{}/conversations/export.csv?agent=desk", app.base)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        resp.headers()["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"conversations-")
    );
    let text = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&headers[..3], ["conversation_id", "call_id", "agent"]);
    assert!(headers.contains(&"field:party_size".to_owned()), "{headers:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "only the desk's calls");
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][column("conversation_id")], ids[1].as_str());
    assert_eq!(&rows[0][column("end_reason")], "voicemail");
    assert_eq!(&rows[0][column("customer_name")], "'=HYPERLINK(\"http://evil.example\")", "formulas are defused");
    assert_eq!(&rows[1][column("call_id")], "c-booking");
    assert_eq!(&rows[1][column("field:party_size")], "4");
    assert_eq!(&rows[1][column("notifications_fired")], "1");
    assert_eq!(&rows[1][column("duration_s")], "90");
    assert!(!rows[1][column("summary")].is_empty());
    // The same filters as the list.
    let text = owner
        .get(format!("{}/conversations/export.csv?fired=yes", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(csv::Reader::from_reader(text.as_bytes()).records().count(), 1);
    let resp = owner.get(format!("{}/conversations/export.csv?from=nope", app.base)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    // Signed-out visitors and other accounts get nothing of it.
    let resp = reqwest::get(format!("{}/conversations/export.csv", app.base)).await.unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let other = app.tenant("Other").await;
    let stranger = app.browser(&other).await;
    let text =
        stranger.get(format!("{}/conversations/export.csv", app.base)).send().await.unwrap().text().await.unwrap();
    assert_eq!(csv::Reader::from_reader(text.as_bytes()).records().count(), 0);
    let resp = stranger.get(format!("{}/conversations/export.csv?agent=desk", app.base)).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 404);
});

db_test!(the_home_dashboard_counts_calls_firings_goals_and_open_tasks, |app| {
    let t = app.tenant("Acme").await;
    populate(&app, &t).await;
    let owner = app.browser(&t).await;
    let (status, home) = app.server_fn(&owner, "home_overview", &[]).await;
    assert_eq!(status, 200, "{home}");
    let days = home["days"].as_array().unwrap();
    assert_eq!(days.len(), 14);
    // Calls count on the day they were received (all today here).
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let last = days.last().unwrap();
    assert_eq!(last["date"], today.as_str());
    assert_eq!((last["calls"].as_u64(), last["fired"].as_u64()), (Some(3), Some(1)));
    assert_eq!(days.iter().map(|d| d["calls"].as_u64().unwrap()).sum::<u64>(), 3);
    assert_eq!(home["open_tasks"], json!([["urgent", 1], ["high", 0], ["medium", 0], ["low", 0]]));
    assert_eq!(home["conversations"].as_array().unwrap().len(), 3);
    assert_eq!(home["alerts"].as_array().unwrap().len(), 1);
    // The page draws them as server-rendered SVG.
    let html = owner.get(format!("{}/", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<svg"), "charts are inline SVG");
    assert!(html.contains("Calls per day") && html.contains("Open tasks by priority"));
});

/// Every page of `GET /api/v1/conversations` for `query` (50 at a time), as call ids.
async fn every_page(app: &TestApp, t: &Tenant, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/conversations?limit=50&{query}&cursor={c}"),
            None => format!("/api/v1/conversations?limit=50&{query}"),
        };
        let (status, page) = app.api_send(Method::GET, &t.api_key, &path, &json!({})).await;
        assert_eq!(status, 200, "{page}");
        ids.extend(page["conversations"].as_array().unwrap().iter().map(|c| c["call_id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return ids,
        }
    }
}

db_test!(a_search_pages_through_every_match_newest_first_with_or_without_other_filters, |app| {
    // 260 calls say "parcel" (more than the 200 newest matches a page first looks at);
    // the 12 oldest also went to voicemail, so that filter finds them only past that window.
    let t = app.tenant("Acme").await;
    for i in 0..300 {
        let mut event = call(&format!("c-{i:03}"), "desk");
        if i < 260 {
            event["transcript"][1]["text"] = json!(format!("Where is my parcel number {i}?"));
        }
        if i < 12 {
            event["end_reason"] = json!("voicemail");
        }
        assert_eq!(app.post_call(&t.api_key, &event).await.status(), 202);
    }
    let expected: Vec<String> = (0..260).rev().map(|i| format!("c-{i:03}")).collect();
    assert_eq!(every_page(&app, &t, "q=parcel").await, expected, "every match once, newest first");
    assert_eq!(every_page(&app, &t, "q=parc").await, expected, "a word's start");
    let voicemail: Vec<String> = (0..12).rev().map(|i| format!("c-{i:03}")).collect();
    assert_eq!(every_page(&app, &t, "q=parcel&end_reason=voicemail").await, voicemail);
    assert_eq!(every_page(&app, &t, "q=parcel%20c%20259").await, vec!["c-259".to_owned()], "every word must match");
    // Another account's calls never show.
    let other = app.tenant("Other").await;
    assert!(every_page(&app, &other, "q=parcel").await.is_empty());
});
