use super::*;
use crate::analysis::{FieldValue, GoalResult, GoalVerdict};
use serde_json::json;

fn call() -> conversation::Model {
    conversation::Model {
        status: Some("completed".into()),
        direction: Some(crate::types::Direction::Inbound),
        duration_s: Some(90.0),
        end_reason: crate::types::EndReason::Voicemail,
        ..conversation::Model::for_tests(chrono::Utc::now())
    }
}

fn output(name: &str, value: Json) -> AnalysisOutput {
    AnalysisOutput {
        fields: vec![FieldValue { name: name.into(), value, evidence: None }],
        goal: Some(GoalVerdict { result: GoalResult::Success, reason: String::new() }),
        ..Default::default()
    }
}

fn parse(raw: Json) -> Condition {
    serde_json::from_value(raw).unwrap()
}

fn holds(raw: Json, o: &AnalysisOutput) -> bool {
    let c = validate_one(parse(raw.clone()), "condition").unwrap_or_else(|e| panic!("{raw}: {e:?}"));
    c.holds(&call(), o)
}

#[test]
fn every_operator_compares_typed_values() {
    let o = output("amount", json!(150));
    for (raw, expected) in [
        (json!({"field": "amount", "operator": "==", "value": 150}), true),
        (json!({"field": "amount", "operator": "==", "value": "150"}), true),
        (json!({"field": "amount", "operator": "!=", "value": 100}), true),
        (json!({"field": "amount", "operator": ">", "value": 100}), true),
        (json!({"field": "amount", "operator": "<", "value": "100"}), false),
        (json!({"field": "amount", "operator": ">=", "value": 150}), true),
        (json!({"field": "amount", "operator": "<=", "value": 149.5}), false),
        (json!({"field": "amount", "operator": "contains", "value": "5"}), true),
        (json!({"field": "amount", "operator": "is_not_empty"}), true),
        (json!({"field": "amount", "operator": "is_empty"}), false),
        (json!({"field": "amount", "operator": "in", "value": [1, 150]}), true),
        (json!({"field": "amount", "operator": "not_in", "value": [1, 150]}), false),
        (json!({"field": "amount", "operator": "==", "value": null}), false),
    ] {
        assert_eq!(holds(raw.clone(), &o), expected, "{raw}");
    }
    let missing = output("amount", Json::Null);
    assert!(holds(json!({"field": "amount", "operator": "is_empty"}), &missing));
    assert!(holds(json!({"field": "amount", "operator": "==", "value": null}), &missing));
    assert!(!holds(json!({"field": "amount", "operator": ">", "value": 1}), &missing));
    assert!(holds(json!({"field": "amount", "operator": "!=", "value": 1}), &missing));
    let words = output("plan", json!("Gold plan"));
    assert!(holds(json!({"field": "plan", "operator": "==", "value": "gold PLAN"}), &words));
    assert!(holds(json!({"field": "plan", "operator": "contains", "value": "gold"}), &words));
}

#[test]
fn booleans_and_null_compare_as_the_call2me_seed_writes_them() {
    let seed = json!({"field": "follow_up_required", "operator": "==", "value": true});
    assert!(holds(seed.clone(), &output("follow_up_required", json!(true))));
    assert!(holds(seed.clone(), &output("follow_up_required", json!("yes"))));
    assert!(!holds(seed.clone(), &output("follow_up_required", json!(false))));
    assert!(!holds(seed, &output("follow_up_required", Json::Null)));
    let not_null = json!({"field": "callback_number", "operator": "!=", "value": null});
    assert!(holds(not_null.clone(), &output("callback_number", json!("5551234"))));
    assert!(!holds(not_null, &output("callback_number", json!(""))));
}

#[test]
fn call_facts_and_groups() {
    let o = output("amount", json!(5));
    assert!(holds(json!({"field": "end_reason", "operator": "==", "value": "VOICEMAIL"}), &o));
    assert!(holds(json!({"field": "end_reason", "operator": "in", "value": ["busy", "voicemail"]}), &o));
    assert!(!holds(json!({"field": "direction", "operator": "==", "value": "outbound"}), &o));
    assert!(holds(json!({"field": "status", "operator": "==", "value": "COMPLETED"}), &o));
    assert!(holds(json!({"field": "duration", "operator": ">=", "value": 60}), &o));
    assert!(holds(json!({"field": "goal", "operator": "==", "value": "success"}), &o));
    let any = json!({"any": [
        {"field": "direction", "operator": "==", "value": "outbound"},
        {"all": [{"field": "duration", "operator": "<", "value": 100}, {"field": "amount", "operator": ">", "value": 1}]}
    ]});
    assert!(holds(any.clone(), &o));
    let c = validate_one(parse(any), "condition").unwrap();
    assert_eq!(c.describe(), "any of (direction == outbound; all of (duration < 100 s; amount > 1))");
    let all = vec![
        Condition::test("status", Operator::Eq, json!("completed")),
        Condition::test("direction", Operator::Eq, json!("outbound")),
    ];
    assert_eq!(first_failing(&all, &call(), &o).as_deref(), Some("direction == outbound"));
}

#[test]
fn the_first_shape_is_still_read_and_written_in_the_new_one() {
    let old = json!([
        {"kind": "end_reason", "values": ["VOICEMAIL", "busy"]},
        {"kind": "duration", "op": ">=", "seconds": 60},
        {"kind": "field", "field": "dyn_amount", "op": ">", "value": "100"},
        {"field": "amount", "op": "==", "value": "7"}
    ]);
    let read: Vec<Condition> = serde_json::from_value(old).unwrap();
    let valid = validate(read).unwrap();
    assert_eq!(
        serde_json::to_value(&valid).unwrap(),
        json!([
            {"field": "end_reason", "operator": "in", "value": ["voicemail", "busy"]},
            {"field": "duration", "operator": ">=", "value": 60},
            {"field": "amount", "operator": ">", "value": 100},
            {"field": "amount", "operator": "==", "value": "7"}
        ])
    );
    assert!(serde_json::from_value::<Condition>(json!({"kind": "weather", "value": "sunny"})).is_err());
}

#[test]
fn bad_conditions_name_their_part() {
    let field_of =
        |raw: Json| match validate(vec![parse(json!({"field": "status", "operator": "==", "value": "x"})), parse(raw)])
        {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
    assert_eq!(
        field_of(json!({"field": "end_reason", "operator": "in", "value": ["busy", "hung up"]})),
        "conditions[1].value[1]"
    );
    assert_eq!(field_of(json!({"field": "amount", "operator": ">", "value": "many"})), "conditions[1].value");
    assert_eq!(field_of(json!({"field": "direction", "operator": "==", "value": "up"})), "conditions[1].value");
    assert_eq!(field_of(json!({"field": "direction", "operator": ">", "value": "inbound"})), "conditions[1].operator");
    assert_eq!(field_of(json!({"field": "Order Total!", "operator": "==", "value": 1})), "conditions[1].field");
    assert_eq!(field_of(json!({"field": "amount", "operator": "contains"})), "conditions[1].value");
    assert_eq!(field_of(json!({"any": []})), "conditions[1].any");
    assert_eq!(
        field_of(json!({"any": [{"field": "goal", "operator": "==", "value": "won"}]})),
        "conditions[1].any[0].value"
    );
    let deep = json!({"all": [{"all": [{"all": [{"all": [{"field": "a", "operator": "is_empty"}]}]}]}]});
    assert_eq!(field_of(deep), "conditions[1].all[0].all[0].all[0]");
    let ok = validate(vec![parse(json!({"field": "amount", "operator": "is_empty", "value": "x"}))]).unwrap();
    assert_eq!(ok[0], Condition::test("amount", Operator::IsEmpty, Json::Null));
    let shared = validate(vec![parse(json!({"field": "fields.status", "operator": "==", "value": "paid"}))]).unwrap();
    assert_eq!(shared[0], Condition::test("fields.status", Operator::Eq, json!("paid")), "a field named like a fact");
}

#[test]
fn typed_values_read_from_a_form_box() {
    assert_eq!(parse_value("true", Operator::Eq), json!(true));
    assert_eq!(parse_value(" 42 ", Operator::Eq), json!(42));
    assert_eq!(parse_value("4.5", Operator::Gt), json!(4.5));
    assert_eq!(parse_value("null", Operator::Eq), Json::Null);
    assert_eq!(parse_value("\"42\"", Operator::Eq), json!("42"));
    assert_eq!(parse_value("0042", Operator::Eq), json!("0042"), "a code with leading zeros stays text");
    assert_eq!(parse_value("busy, voicemail", Operator::In), json!(["busy", "voicemail"]));
    assert_eq!(parse_value("Gold plan", Operator::Eq), json!("Gold plan"));
    for v in [json!(true), json!(42), json!("42"), json!("Gold"), json!(["a", 1])] {
        let op = if v.is_array() { Operator::In } else { Operator::Eq };
        assert_eq!(parse_value(&value_text(&v), op), v, "round trip of {v}");
    }
}
