//! Conditions as stored and as sent over REST: one language for a notification's structured
//! conditions (`notifications.conditions`, all must hold) and a post-call action's condition
//! (`post_call_actions.condition`). Validating, evaluating and describing them is in
//! [`crate::conditions`].
//!
//! A condition is a test or a group:
//!
//! - `{"field": "end_reason", "operator": "==", "value": "CUSTOMER_HANGUP"}`: a test of a
//!   call fact (`end_reason`, `direction`, `status`, `duration` in seconds, `goal`) or of an
//!   extracted field by name (`follow_up_required`, or `fields.status` where a field shares a
//!   fact's name); `value` is a string, number, boolean or null (a list of those for `in` and
//!   `not_in`). The Call2Me seed's shape (SPEC section 2) is accepted as written; `op` is
//!   read as `operator`.
//! - `{"all": [...]}` / `{"any": [...]}`: every / at least one of the conditions inside.
//!
//! The first shape of notification conditions (`{"kind": "end_reason", "values": [...]}`,
//! `{"kind": "duration", "op": ">=", "seconds": 60}`, `{"kind": "field", ...}`, ...) is still
//! read, from requests and from rows stored before, and is written back in the shape above.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value as Json};

/// A test's operator.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Operator {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "contains")]
    Contains,
    #[serde(rename = "is_empty")]
    IsEmpty,
    #[serde(rename = "is_not_empty")]
    IsNotEmpty,
    #[serde(rename = "in")]
    In,
    #[serde(rename = "not_in")]
    NotIn,
}

/// One test: `{"field", "operator", "value"}`.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize)]
#[schema(as = ConditionTest)]
pub struct Test {
    /// `end_reason`, `direction`, `status`, `duration`, `goal`, or an extracted field's name
    /// (`fields.<name>` when it shares a fact's name).
    pub field: String,
    pub operator: Operator,
    /// A string, number, boolean or null; a list of those for `in` / `not_in`; null for
    /// `is_empty` / `is_not_empty`.
    #[schema(value_type = Value)]
    pub value: Json,
}

/// A condition: a [`Test`], or a group that needs all or any of its conditions.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[schema(as = RuleCondition)]
pub enum Condition {
    All {
        #[schema(no_recursion)]
        all: Vec<Condition>,
    },
    Any {
        #[schema(no_recursion)]
        any: Vec<Condition>,
    },
    Test(Test),
}

impl Condition {
    /// A test of `field` (shorthand for code and tests).
    pub fn test(field: &str, operator: Operator, value: Json) -> Self {
        Condition::Test(Test { field: field.to_owned(), operator, value })
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Json::deserialize(d)?;
        from_json(raw).map_err(serde::de::Error::custom)
    }
}

fn take_list(map: &mut Map<String, Json>, key: &str) -> Result<Vec<Condition>, String> {
    match map.remove(key) {
        Some(Json::Array(items)) => items.into_iter().map(from_json).collect(),
        _ => Err(format!("`{key}` must be a list of conditions")),
    }
}

fn operator_of(raw: Option<Json>) -> Result<Operator, String> {
    let raw = raw.ok_or("`operator` is missing")?;
    let text = raw.as_str().ok_or("`operator` must be text such as `==`")?.trim().replace(' ', "_").to_lowercase();
    serde_json::from_value(Json::String(text.clone())).map_err(|_| {
        format!("`{text}` is not an operator (==, !=, >, <, >=, <=, contains, is_empty, is_not_empty, in, not_in)")
    })
}

fn from_json(raw: Json) -> Result<Condition, String> {
    let Json::Object(mut map) = raw else {
        return Err("a condition is an object such as {\"field\", \"operator\", \"value\"}".into());
    };
    if map.contains_key("all") {
        return Ok(Condition::All { all: take_list(&mut map, "all")? });
    }
    if map.contains_key("any") {
        return Ok(Condition::Any { any: take_list(&mut map, "any")? });
    }
    if let Some(kind) = map.remove("kind") {
        return legacy(kind.as_str().unwrap_or_default(), map);
    }
    let field = match map.remove("field") {
        Some(Json::String(f)) => f,
        Some(_) => return Err("`field` must be text".into()),
        None => return Err("`field` is missing (or use `all` / `any`)".into()),
    };
    let operator = operator_of(map.remove("operator").or_else(|| map.remove("op")))?;
    Ok(Condition::Test(Test { field, operator, value: map.remove("value").unwrap_or(Json::Null) }))
}

/// The first shape: `{"kind": ..., ...}`.
fn legacy(kind: &str, mut map: Map<String, Json>) -> Result<Condition, String> {
    let value = map.remove("value").unwrap_or(Json::Null);
    let test = |field: &str, operator, value| Ok(Condition::Test(Test { field: field.into(), operator, value }));
    match kind {
        "end_reason" => test("end_reason", Operator::In, map.remove("values").unwrap_or(Json::Null)),
        "direction" => test("direction", Operator::Eq, value),
        "status" => test("status", Operator::Eq, value),
        "duration" => {
            let operator = operator_of(map.remove("op"))?;
            test("duration", operator, map.remove("seconds").unwrap_or(Json::Null))
        }
        "field" => {
            let field = map.remove("field").and_then(|f| f.as_str().map(str::to_owned)).unwrap_or_default();
            let operator = operator_of(map.remove("op").or_else(|| map.remove("operator")))?;
            Ok(Condition::Test(Test { field, operator, value }))
        }
        other => Err(format!("`{other}` is not a condition kind; write {{\"field\", \"operator\", \"value\"}}")),
    }
}

crate::stored_json! {
    /// A notification's stored conditions (`notifications.conditions`; NULL = none), all of
    /// which must hold. An unreadable list fails the read: it never turns into "no
    /// conditions", which would make the notification fire after every call.
    pub struct StoredConditions(Vec<Condition>) in "notifications"."conditions";
}

crate::stored_json! { impl Condition in "post_call_actions"."condition"; }
