//! HTTP request actions: an integrator's own method, headers (secret ones sealed and never
//! shown), auth and JSON body template, delivered with the webhooks' retries and log.

use reqwest::Method;
use serde_json::{Value, json};

use crate::delivery::{FAST_RETRIES, Receiver, desk, verify};
use crate::helpers::call;

const BODY: &str = r#"{
  "call": {{ conversation_uuid }},
  "summary": {{ conversation_summary }},
  "caller": {{ customer_number }},
  "fields": {{ analysis.fields }},
  "source": "aftercall"
}"#;

fn request_action(url: &str) -> Value {
    json!({
        "kind": "webhook", "name": "CRM update", "url": url, "format": "request", "method": "PUT",
        "headers": [{"name": "X-Api-Key", "value": "key-123-secret", "secret": true}, {"name": "X-Source", "value": "aftercall"}],
        "auth": {"kind": "bearer", "token": "tok-456-secret"},
        "body_template": BODY,
    })
}

db_test!(an_http_request_action_sends_its_method_headers_auth_and_rendered_json_body, extra = FAST_RETRIES, |app| {
    let receiver = Receiver::start(&[503]).await;
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let (status, created) =
        app.api_send(Method::POST, &t.api_key, "/api/v1/agents/desk/actions", &request_action(&receiver.url)).await;
    assert_eq!(status, 201, "{created}");
    let view = &created["action"];
    assert_eq!(
        (view["format"].as_str(), view["method"].as_str(), view["sign"].as_bool()),
        (Some("request"), Some("PUT"), Some(true))
    );
    assert_eq!(
        view["headers"],
        json!([{"name": "X-Api-Key", "value": null, "secret": true}, {"name": "X-Source", "value": "aftercall", "secret": false}])
    );
    assert_eq!(view["auth"], json!({"kind": "bearer"}));
    assert!(!created.to_string().contains("key-123-secret") && !created.to_string().contains("tok-456-secret"));
    let secret = created["secret"].as_str().unwrap().to_owned();

    let posted: Value = app.post_call(&t.api_key, &call("crm-1", "desk")).await.json().await.unwrap();
    for _ in 0..4 {
        app.drain().await;
    }
    let got = receiver.received();
    assert_eq!(got.len(), 2, "a 503 is retried like any webhook");
    let r = &got[1];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.headers["x-api-key"], "key-123-secret");
    assert_eq!(r.headers["x-source"], "aftercall");
    assert_eq!(r.headers["authorization"], "Bearer tok-456-secret");
    assert_eq!(r.headers["content-type"], "application/json");
    verify(&secret, r).expect("signed with Standard Webhooks");
    assert_eq!(got[0].body, got[1].body, "a retry sends the same bytes");
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(body["call"], posted["conversation_id"]);
    assert_eq!(body["caller"], "+14155550141");
    assert_eq!(body["source"], "aftercall");
    assert!(body["summary"].is_string(), "{body}");
    assert!(body["fields"].is_object(), "{body}");

    // The attempt log keeps the method and never a secret value.
    let (_, list) = app.api_get(&t.api_key, "/api/v1/deliveries").await;
    let id = list["deliveries"].as_array().unwrap().iter().find(|d| d["channel"] == "webhook").unwrap()["id"].clone();
    let (_, detail) = app.api_get(&t.api_key, &format!("/api/v1/deliveries/webhook/{}", id.as_str().unwrap())).await;
    let log = detail.to_string();
    assert!(log.contains("PUT http://127.0.0.1"), "{log}");
    assert!(!log.contains("key-123-secret") && !log.contains("tok-456-secret"), "{log}");
});

db_test!(a_request_action_is_checked_at_save_and_an_update_keeps_its_stored_secrets, |app| {
    let receiver = Receiver::start(&[]).await;
    let t = app.tenant("Acme").await;
    desk(&app, &t).await;
    let path = "/api/v1/agents/desk/actions";
    let mut broken = request_action(&receiver.url);
    broken["body_template"] = json!("{\n  \"a\": {{ conversation_summary }},\n}");
    let (status, err) = app.api_send(Method::POST, &t.api_key, path, &broken).await;
    assert_eq!((status, err["error"]["field"].as_str()), (422, Some("body_template")), "{err}");
    assert!(err["error"]["message"].as_str().unwrap().starts_with("line 3"), "{err}");
    for (patch, field) in [
        (json!({"method": "DELETE"}), "method"),
        (json!({"headers": [{"name": "Content-Type", "value": "text/plain"}]}), "headers[0].name"),
        (json!({"auth": {"kind": "basic", "username": "a:b", "password": "p"}}), "auth.username"),
        (json!({"body_template": "{{ unknown_thing }}"}), "body_template"),
        (json!({"body_template": null}), "body_template"),
    ] {
        let mut body = request_action(&receiver.url);
        body.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let (status, err) = app.api_send(Method::POST, &t.api_key, path, &body).await;
        assert_eq!((status, err["error"]["field"].as_str()), (422, Some(field)), "{err}");
    }
    assert_eq!(app.count("post_call_actions").await, 0, "nothing half-stored");

    let (_, created) = app.api_send(Method::POST, &t.api_key, path, &request_action(&receiver.url)).await;
    let id = created["action"]["id"].as_str().unwrap().to_owned();
    // A PUT that leaves the secret values out keeps them.
    let mut edit = request_action(&receiver.url);
    edit["name"] = json!("CRM (edited)");
    edit["headers"][0] = json!({"name": "X-Api-Key", "secret": true});
    edit["auth"] = json!({"kind": "bearer"});
    edit["sign"] = json!(false);
    let (status, updated) = app.api_send(Method::PUT, &t.api_key, &format!("/api/v1/actions/{id}"), &edit).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["sign"], false);
    let (status, _) = app.api_send(Method::POST, &t.api_key, &format!("/api/v1/actions/{id}/test"), &json!({})).await;
    assert_eq!(status, 202);
    app.drain().await;
    let got = receiver.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].headers["x-api-key"], "key-123-secret");
    assert_eq!(got[0].headers["authorization"], "Bearer tok-456-secret");
    assert!(got[0].headers.get("webhook-signature").is_none(), "signing was turned off");
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["source"], "aftercall", "a test-send renders the sample call: {body}");
    // The sealed column holds no secret in clear.
    let stored = app.count("post_call_actions WHERE request LIKE '%key-123-secret%'").await;
    assert_eq!(stored, 0);
});
