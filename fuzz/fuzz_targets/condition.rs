//! The structured-condition parser and evaluator: any JSON either fails to parse or
//! validate, or validates into conditions that evaluate without panicking against any
//! extracted value.
#![no_main]

use backend::analysis::{AnalysisOutput, FieldValue};
use backend::conditions::{self, Condition};
use backend::entities::conversation;
use libfuzzer_sys::fuzz_target;

fn call() -> conversation::Model {
    let now = chrono::Utc::now();
    conversation::Model {
        id: uuid::Uuid::nil(),
        account_id: uuid::Uuid::nil(),
        agent_id: uuid::Uuid::nil(),
        call_id: "c".into(),
        status: Some("completed".into()),
        direction: Some("inbound".into()),
        channel: None,
        started_at: Some(now),
        ended_at: Some(now),
        duration_s: Some(61.0),
        end_reason: "customer_hangup".into(),
        end_reason_raw: None,
        from_number: None,
        to_number: None,
        customer_name: None,
        customer_email: None,
        dynamic_variables: serde_json::json!({}),
        transcript: serde_json::json!([]),
        turn_count: 2,
        received_at: now,
    }
}

fuzz_target!(|data: &[u8]| {
    // The input is the conditions' JSON, then (after a NUL) a field value.
    let (json, value) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let Ok(parsed) = serde_json::from_slice::<Vec<Condition>>(json) else { return };
    let Ok(valid) = conditions::validate(parsed) else { return };
    assert!(valid.len() <= conditions::MAX_CONDITIONS);
    let value = serde_json::from_slice(value)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(value).into_owned()));
    let names: Vec<String> = valid
        .iter()
        .filter_map(|c| match c {
            Condition::Field { field, .. } => Some(field.clone()),
            _ => None,
        })
        .collect();
    let analysis = AnalysisOutput {
        fields: names.into_iter().map(|name| FieldValue { name, value: value.clone(), evidence: None }).collect(),
        ..Default::default()
    };
    let call = call();
    for c in &valid {
        let _ = c.holds(&call, &analysis);
        assert!(!c.describe().is_empty());
    }
    let _ = conditions::first_failing(&valid, &call, &analysis);
});
