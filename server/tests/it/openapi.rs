//! The integrator API's contract: the OpenAPI document at `GET /api/v1/openapi.json` lists
//! every route with its answers, and real answers match the documented schemas exactly
//! (no undocumented field, no undocumented status). The document's validity against the
//! OpenAPI 3.1 schema is checked with a registry validator in the browser suite
//! (`end2end/tests/api-reference.spec.ts`).

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, TestApp, spawn_app};
use crate::security::world::{self, World};

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every `(method, path, operation)` of the document.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_owned(), path.clone(), op.clone()));
            }
        }
    }
    out
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("a local reference");
            doc.pointer(pointer).unwrap_or_else(|| panic!("dangling reference {r}"))
        }
        None => value,
    }
}

/// Every `$ref` string anywhere in `value`.
fn refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    out.push(v.as_str().expect("a $ref is a string").to_owned());
                } else {
                    refs(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// The components with every object schema closed (`unevaluatedProperties: false`), so
/// an answer with a field the document does not name fails. Schemas used as parts of an
/// `allOf` (serde's `flatten`) stay open; the composite is closed instead.
fn strict_components(doc: &Value) -> Value {
    let mut components = doc["components"].clone();
    let schemas = components["schemas"].as_object_mut().expect("schemas");
    let mut parts = BTreeSet::new();
    for schema in schemas.values() {
        for part in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            let mut found = Vec::new();
            refs(part, &mut found);
            parts.extend(found);
        }
    }
    for (name, schema) in schemas.iter_mut() {
        let part = parts.contains(&format!("#/components/schemas/{name}"));
        let closable = schema.get("properties").is_some() || schema.get("allOf").is_some();
        if closable && !part {
            schema["unevaluatedProperties"] = json!(false);
        }
    }
    components
}

/// Asserts that `body`, answered with `status` by `method path`, is what the document says.
fn check(doc: &Value, method: &str, path: &str, status: u16, body: &Value) {
    let op = &doc["paths"][path][method];
    let response = &op["responses"][status.to_string()];
    assert!(!response.is_null(), "{method} {path} answered {status}, which the document does not list: {body}");
    let response = resolve(doc, response);
    let Some(schema) = response.pointer("/content/application~1json/schema") else {
        assert!(body.is_null(), "{method} {path} {status}: documented without a body, answered {body}");
        return;
    };
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "allOf": [schema],
        "components": strict_components(doc),
    });
    let validator = jsonschema::validator_for(&root).expect("the documented schema compiles");
    let errors: Vec<String> = validator.iter_errors(body).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{method} {path} {status} does not match the document: {errors:#?}\n{body:#}");
}

async fn document(app: &TestApp) -> Value {
    let resp = app.http.get(format!("{}/api/v1/openapi.json", app.base)).send().await.expect("request");
    assert_eq!(resp.status(), 200, "the document needs no API key");
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    resp.json().await.expect("JSON")
}

/// `path` with its parameters filled from `world` (or with ids of nothing when `missing`).
fn concrete(path: &str, world: Option<&World>) -> String {
    let nil = "00000000-0000-7000-8000-000000000000";
    let path = path.replace("{platform}", "retell").replace("{token}", "no-such-token");
    let path = path.as_str();
    if !path.contains("{id}") {
        let agent = if world.is_some() { "desk" } else { "no-such-agent" };
        return path.replace("{external_id}", agent);
    }
    let id = match (world, path.split('/').nth(3).unwrap_or_default()) {
        (None, _) => nil.to_owned(),
        (Some(w), "actions") => w.webhook_action_id.clone(),
        (Some(w), "conversations") => w.conversation_id.clone(),
        (Some(w), "notifications") => w.notification_id.clone(),
        (Some(w), "tasks") => w.task_id.clone(),
        (Some(w), "scheduled-calls") => w.scheduled_call_id.clone(),
        (Some(w), "deliveries") => w.webhook_delivery_id.clone(),
        (Some(_), other) => panic!("no id known for /{other}: extend this test"),
    };
    let agent = if world.is_some() { "desk" } else { "no-such-agent" };
    path.replace("{external_id}", agent).replace("{channel}", "webhook").replace("{id}", &id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_served_complete_and_every_operation_in_it_is_routed() {
    let app = spawn_app(Db::Sqlite, "").await.expect("app");
    let doc = document(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc, serde_json::to_value(server::http::openapi::document()).unwrap(), "served = `aftercall openapi`");
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for r in &found {
        resolve(&doc, &json!({ "$ref": r }));
    }
    assert!(doc["components"]["securitySchemes"]["api_key"]["scheme"] == "bearer");

    let ops = operations(&doc);
    assert!(ops.len() >= 30, "{} operations", ops.len());
    for (method, path, op) in &ops {
        let what = format!("{method} {path}");
        assert!(op["operationId"].is_string() && op["tags"][0].is_string(), "{what}: operationId and tag");
        assert!(op["summary"].is_string() || op["description"].is_string(), "{what}: described");
        let responses = op["responses"].as_object().unwrap();
        assert!(responses.keys().any(|s| s.starts_with('2')), "{what}: a success answer");
        for shared in ["401", "429", "500"] {
            assert!(responses.contains_key(shared), "{what}: {shared}");
        }
        if op.get("requestBody").is_some() {
            assert!(responses.contains_key("400") && responses.contains_key("413"), "{what}: body errors");
        }
        if path.contains('{') {
            assert!(responses.contains_key("404"), "{what}: 404 for an unknown id");
        }

        // Routed: without a key the route itself answers 401 (an unknown route is 404, an
        // unrouted method 405), in the documented error shape. A public operation (the
        // platform intake, `security: [{}]`) answers 404 for an intake URL of nothing.
        let public = op["security"] == json!([{}]);
        let url = format!("{}{}", app.base, concrete(path, None));
        let resp = app.http.request(method.to_uppercase().parse().unwrap(), url).send().await.unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        let (expected, code) = if public { (404, "not_found") } else { (401, "unauthorized") };
        assert_eq!(status, expected, "{what} is not routed: {body}");
        assert_eq!(body["error"]["code"], code, "{what}");
        check(&doc, method, path, status, &body);
    }
    app.stop().await;
}

/// Every handler of the integrator API (a `pub async fn` taking the API key extractor, or
/// documented as a public operation) is
/// an operation of the document: a route added without its `#[utoipa::path]` and its line
/// in `api_routes` fails here.
#[test]
fn every_api_handler_is_an_operation_of_the_document() {
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let ids: BTreeSet<String> =
        operations(&doc).into_iter().map(|(_, _, op)| op["operationId"].as_str().unwrap().to_owned()).collect();
    let dir = crate::helpers::repo_root().join("server/src/http");
    let mut handlers = 0;
    // Every source file under the folder, its subfolders included.
    let mut files = Vec::new();
    let mut folders = vec![dir];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for path in files {
        let source = std::fs::read_to_string(&path).unwrap();
        for (i, chunk) in source.split("pub async fn ").enumerate().skip(1) {
            let name: String = chunk.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let signature = chunk.split('{').next().unwrap_or_default();
            let before = source.split("pub async fn ").nth(i - 1).unwrap();
            let attribute = before.rsplit("\n}\n").next().unwrap_or(before);
            // A public operation (the platform intake) has its attribute but no API key.
            if !signature.contains("ApiTenant") && !attribute.contains("#[utoipa::path(") {
                continue;
            }
            handlers += 1;
            let Some(path_attr) =
                attribute.rsplit("#[utoipa::path(").next().filter(|_| attribute.contains("#[utoipa::path("))
            else {
                panic!("{}: handler `{name}` has no #[utoipa::path]", path.display());
            };
            let id = path_attr
                .split("operation_id = \"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or(&name)
                .to_owned();
            assert!(ids.contains(&id), "{}: `{name}` (operation {id}) is not in api_routes()", path.display());
        }
    }
    assert_eq!(handlers, ids.len(), "one operation per handler: {ids:?}");
}

db_test!(real_answers_match_the_documented_schemas_exactly, |app| {
    let w = world::build(&app, "Contract").await;
    app.drain().await;
    let doc = document(&app).await;
    let key = w.tenant.api_key.clone();
    let mut checked = 0;
    for (method, path, _) in operations(&doc) {
        if method != "get" {
            continue;
        }
        // The resource, then an id of nothing (404, the documented error).
        for world in [Some(&w), None] {
            let (status, body) = app.api_get(&key, &concrete(&path, world)).await;
            if world.is_some() {
                assert_eq!(status, 200, "GET {path}: {body}");
            }
            check(&doc, "get", &path, status, &body);
            checked += 1;
        }
    }
    assert!(checked >= 30, "{checked} answers checked");

    // Answers of the writes, and their errors.
    let call = crate::helpers::call("contract-1", "desk");
    for expected in [202, 200] {
        let resp = app.post_call(&key, &call).await;
        let status = resp.status().as_u16();
        assert_eq!(status, expected);
        check(&doc, "post", "/api/v1/calls", status, &resp.json().await.unwrap());
    }
    // (method, documented path, the id for its `{id}`, body, expected status)
    let (task, action, convo) = (w.task_id.as_str(), w.webhook_action_id.as_str(), w.conversation_id.as_str());
    let writes = [
        (Method::POST, "/api/v1/agents", "", json!({"external_id": "second", "goal": "Book a visit"}), 201),
        (Method::POST, "/api/v1/agents", "", json!({"external_id": "second"}), 409),
        (Method::POST, "/api/v1/agents", "", json!({"external_id": 7}), 400),
        (Method::PATCH, "/api/v1/tasks/{id}", task, json!({"status": "done"}), 200),
        (Method::PATCH, "/api/v1/tasks/{id}", task, json!({"status": "later"}), 422),
        (Method::PATCH, "/api/v1/tasks/{id}", "not-a-uuid", json!({}), 400),
        (Method::POST, "/api/v1/actions/{id}/rotate-secret", action, json!({}), 200),
        (Method::POST, "/api/v1/actions/{id}/test", action, json!({}), 202),
        (Method::POST, "/api/v1/actions/{id}/try", action, json!({"limit": 5}), 200),
        (Method::POST, "/api/v1/actions/{id}/try", action, json!({"limit": 500}), 422),
        (Method::POST, "/api/v1/notifications/{id}/try", w.notification_id.as_str(), json!({}), 200),
        (Method::POST, "/api/v1/conversations/{id}/reanalyze", convo, json!({}), 202),
        (Method::POST, "/api/v1/conversations/{id}/replay", convo, json!({}), 202),
    ];
    for (method, template, id, body, expected) in writes {
        let path = template.replace("{id}", id);
        let (status, answer) = app.api_send(method.clone(), &key, &path, &body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
        check(&doc, &method.as_str().to_lowercase(), template, status, &answer);
    }
    // An HTTP request action: its headers (a secret one), auth and body as documented.
    let request_action = json!({"kind": "webhook", "name": "Request", "url": w.receiver.url, "format": "request",
        "method": "PATCH", "headers": [{"name": "X-Key", "value": "v", "secret": true}, {"name": "X-Plain", "value": "p"}],
        "auth": {"kind": "basic", "username": "u", "password": "pw"}, "body_template": "{\"id\": {{ conversation_uuid }}}",
        "condition": {"any": [{"field": "end_reason", "operator": "in", "value": ["CUSTOMER_HANGUP"]},
            {"all": [{"field": "duration", "operator": ">", "value": 5}, {"field": "paid", "operator": "==", "value": true}]}]}});
    let (status, answer) = app.api_send(Method::POST, &key, "/api/v1/agents/desk/actions", &request_action).await;
    assert_eq!(status, 201, "{answer}");
    check(&doc, "post", "/api/v1/agents/{external_id}/actions", status, &answer);
    // Platform intake: enabling, and the intake URL's answers (new, repeated, ignored, refused).
    let integration = "/api/v1/integrations/{platform}";
    let (status, answer) = app.api_send(Method::PUT, &key, "/api/v1/integrations/vapi", &json!({"secret": ""})).await;
    assert_eq!(status, 422, "{answer}");
    check(&doc, "put", integration, status, &answer);
    let (status, enabled) =
        app.api_send(Method::PUT, &key, "/api/v1/integrations/vapi", &json!({"secret": "s3"})).await;
    assert_eq!(status, 200, "{enabled}");
    check(&doc, "put", integration, status, &enabled);
    let intake = "/api/v1/intake/{platform}/{token}";
    let url = enabled["intake_url"].as_str().unwrap();
    let report = json!({"message": {"type": "end-of-call-report", "endedReason": "customer-ended-call",
        "call": {"id": "contract-vapi"}, "assistant": {"id": "desk"}, "artifact": {"messages": []}}});
    for (secret, event, expected) in [
        ("s3", &report, 202),
        ("s3", &report, 200),
        ("s3", &json!({"message": {"type": "hang"}}), 200),
        ("no", &report, 401),
    ] {
        let resp = app.http.post(url).header("x-vapi-secret", secret).json(event).send().await.unwrap();
        let status = resp.status().as_u16();
        assert_eq!(status, expected);
        check(&doc, "post", intake, status, &resp.json().await.unwrap());
    }
    let (status, answer) = app.api_send(Method::DELETE, &key, "/api/v1/integrations/vapi", &json!({})).await;
    assert_eq!(status, 204, "{answer}");
    check(&doc, "delete", integration, status, &answer);
    let (status, answer) = app.api_get(&key, "/api/v1/tasks?limit=many").await;
    assert_eq!(status, 400, "{answer}");
    check(&doc, "get", "/api/v1/tasks", status, &answer);
    let (status, answer) = app.api_get(&key, "/api/v1/deliveries?state=lost").await;
    assert_eq!(status, 422, "{answer}");
    check(&doc, "get", "/api/v1/deliveries", status, &answer);
    app.stop().await;
});

/// The conformance check itself fails on an undocumented field (at the top or nested, also
/// in a `flatten`ed part), a wrong type and an undocumented status.
#[test]
fn the_conformance_check_refuses_what_the_document_does_not_say() {
    let doc = serde_json::to_value(server::http::openapi::document()).unwrap();
    let error = json!({"error": {"code": "not_found", "message": "task not found"}});
    check(&doc, "get", "/api/v1/tasks/{id}", 404, &error);
    let agents = json!({"agents": [{"id": "0192f3c4-0000-7000-8000-000000000000", "external_id": "desk", "name": "Desk",
        "timezone": "UTC", "language": "en", "goal": null, "created_at": "2026-01-01T00:00:00Z"}]});
    check(&doc, "get", "/api/v1/agents", 200, &agents);
    let mut top = agents.clone();
    top["total"] = json!(1);
    let mut nested = agents.clone();
    nested["agents"][0]["secret"] = json!("x");
    let mut mistyped = agents.clone();
    mistyped["agents"][0]["name"] = json!(7);
    let summary = json!({"id": "0192f3c4-0000-7000-8000-000000000000", "call_id": "c", "agent_id": "desk",
        "agent_name": "Desk", "status": null, "direction": null, "channel": null, "started_at": null,
        "ended_at": null, "duration_s": null, "end_reason": "unknown", "end_reason_raw": null,
        "from_number": null, "to_number": null, "customer": {"name": null, "email": null},
        "dynamic_variables": {}, "received_at": "2026-01-01T00:00:00Z"});
    let mut detail = summary.clone();
    detail["agent_uuid"] = json!("0192f3c4-0000-7000-8000-000000000001");
    detail["agent_timezone"] = json!("UTC");
    detail["transcript"] = json!([]);
    detail["analysis"] = Value::Null;
    detail["notification_runs"] = json!([]);
    check(&doc, "get", "/api/v1/conversations/{id}", 200, &detail);
    let mut flattened = detail.clone();
    flattened["undocumented"] = json!(true);
    let bad = [
        ("get", "/api/v1/agents", 200, top),
        ("get", "/api/v1/agents", 200, nested),
        ("get", "/api/v1/agents", 200, mistyped),
        ("get", "/api/v1/conversations/{id}", 200, flattened),
        ("get", "/api/v1/agents", 418, agents),
    ];
    for (method, path, status, body) in bad {
        let refused = std::panic::catch_unwind(|| check(&doc, method, path, status, &body)).is_err();
        assert!(refused, "{method} {path} {status} passed the check: {body}");
    }
}
