//! Conditions as stored: a notification's structured conditions
//! (`notifications.conditions`) and a post-call action's field condition
//! (`post_call_actions.condition`). Evaluating and describing them is in
//! [`crate::conditions`].

use serde::{Deserialize, Serialize};

/// Comparison of an extracted field.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldOp {
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "contains")]
    Contains,
    #[serde(rename = "is_empty")]
    IsEmpty,
    #[serde(rename = "is_not_empty")]
    IsNotEmpty,
}

/// One condition, as stored and as sent over REST:
/// `{"kind": "end_reason", "values": ["voicemail"]}`, `{"kind": "direction", "value":
/// "inbound"}`, `{"kind": "status", "value": "completed"}`, `{"kind": "duration", "op": ">=",
/// "seconds": 60}`, `{"kind": "field", "field": "amount", "op": ">", "value": "100"}`.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schema(as = RuleCondition)]
pub enum Condition {
    EndReason {
        values: Vec<String>,
    },
    Direction {
        value: String,
    },
    Status {
        value: String,
    },
    Duration {
        op: DurationOp,
        seconds: f64,
    },
    Field {
        field: String,
        op: FieldOp,
        #[serde(default)]
        value: Option<String>,
    },
}

/// An action's condition: `{"field": "order_total", "op": ">", "value": "100"}`; the
/// operators of notification conditions (`==`, `!=`, `>`, `<`, `contains`, `is_empty`,
/// `is_not_empty`).
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldCondition {
    pub field: String,
    pub op: FieldOp,
    #[serde(default)]
    pub value: Option<String>,
}

crate::stored_json! {
    /// A notification's stored conditions (`notifications.conditions`; NULL = none). An
    /// unreadable list fails the read: it never turns into "no conditions", which would
    /// make the notification fire after every call.
    pub struct StoredConditions(Vec<Condition>) in "notifications"."conditions";
}

/// Comparison of the call's duration.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DurationOp {
    #[serde(rename = ">=")]
    AtLeast,
    #[serde(rename = "<=")]
    AtMost,
}
