//! The one condition language of notifications and post-call actions (the shapes are in
//! [`crate::columns::Condition`]): validating ([`validate`]), evaluating
//! ([`Condition::holds`]) and describing ([`Condition::describe`]) a condition, and reading
//! a typed value typed into a form ([`parse_value`]).
//!
//! A notification's conditions must all hold besides its trigger; the first that does not is
//! recorded on the run as what stopped it. An action runs only when its condition holds.

use serde_json::Value as Json;

use crate::analysis::AnalysisOutput;
pub use crate::columns::{Condition, Operator, StoredConditions, Test};
use crate::entities::conversation;
use crate::error::{Error, Result};
use crate::types::{Direction, EndReason};

mod eval;
pub use eval::*;
mod validate;
pub use validate::*;

impl Operator {
    /// Every operator, in picker order.
    pub const ALL: [Operator; 11] = [
        Operator::Eq,
        Operator::Ne,
        Operator::Gt,
        Operator::Lt,
        Operator::Ge,
        Operator::Le,
        Operator::Contains,
        Operator::IsEmpty,
        Operator::IsNotEmpty,
        Operator::In,
        Operator::NotIn,
    ];

    /// `==`, `!=`, `>`, `<`, `>=`, `<=`, `contains`, `is_empty`, `is_not_empty`, `in`, `not_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "==",
            Operator::Ne => "!=",
            Operator::Gt => ">",
            Operator::Lt => "<",
            Operator::Ge => ">=",
            Operator::Le => "<=",
            Operator::Contains => "contains",
            Operator::IsEmpty => "is_empty",
            Operator::IsNotEmpty => "is_not_empty",
            Operator::In => "in",
            Operator::NotIn => "not_in",
        }
    }

    /// Parses [`Operator::as_str`] (also with spaces: `is empty`, `not in`).
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim().replace(' ', "_").to_lowercase();
        Self::ALL.into_iter().find(|op| op.as_str() == v)
    }

    /// Whether the operator compares with a value (all but `is_empty`, `is_not_empty`).
    pub fn needs_value(self) -> bool {
        !matches!(self, Operator::IsEmpty | Operator::IsNotEmpty)
    }

    fn is_list(self) -> bool {
        matches!(self, Operator::In | Operator::NotIn)
    }

    fn is_order(self) -> bool {
        matches!(self, Operator::Gt | Operator::Lt | Operator::Ge | Operator::Le)
    }
}

/// What a test's `field` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The call's end reason (ours, lower case).
    EndReason,
    /// `inbound` / `outbound`.
    Direction,
    /// The platform's call status text.
    Status,
    /// The call's duration in seconds.
    Duration,
    /// The goal verdict: `success`, `failure`, `unknown`.
    Goal,
    /// An extracted field, by name (no `dyn_` prefix).
    Field(String),
}

/// The call facts a condition can test, as `field` names them, in picker order.
pub const FACTS: [&str; 5] = ["end_reason", "direction", "status", "duration", "goal"];

impl Subject {
    /// Reads a test's `field`: a fact name, `fields.<name>` / `dyn_<name>` / `<name>` for
    /// an extracted field. `None` when the name is not a field name.
    pub fn parse(field: &str) -> Option<Self> {
        let f = field.trim().to_ascii_lowercase();
        let fact = match f.as_str() {
            "end_reason" => Some(Subject::EndReason),
            "direction" => Some(Subject::Direction),
            "status" => Some(Subject::Status),
            "duration" | "duration_s" => Some(Subject::Duration),
            "goal" | "goal_result" => Some(Subject::Goal),
            _ => None,
        };
        if let Some(s) = fact {
            return Some(s);
        }
        let name = f.strip_prefix("fields.").unwrap_or(&f);
        let name = name.strip_prefix("dyn_").unwrap_or(name);
        let valid = !name.is_empty()
            && name.len() <= 64
            && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        valid.then(|| Subject::Field(name.to_owned()))
    }

    /// The `field` as stored: the fact's name, or the extracted field's name
    /// (`fields.<name>` when it shares a fact's name).
    pub fn key(&self) -> String {
        match self {
            Subject::EndReason => "end_reason".into(),
            Subject::Direction => "direction".into(),
            Subject::Status => "status".into(),
            Subject::Duration => "duration".into(),
            Subject::Goal => "goal".into(),
            Subject::Field(name) if Subject::parse(name).is_some_and(|s| !matches!(s, Subject::Field(_))) => {
                format!("fields.{name}")
            }
            Subject::Field(name) => name.clone(),
        }
    }

    fn label(&self) -> String {
        match self {
            Subject::EndReason => "end reason".into(),
            Subject::Goal => "goal result".into(),
            Subject::Field(name) => name.clone(),
            other => other.key(),
        }
    }
}

/// Reads a value typed into a form box: `true` / `false`, `null`, a number, a list
/// `a, b` (for `in` / `not_in`), else the text; a value in double quotes stays text
/// (`"42"`). Empty text is null.
pub fn parse_value(text: &str, operator: Operator) -> Json {
    let t = text.trim();
    if operator.is_list() {
        return Json::Array(t.split(',').map(str::trim).filter(|v| !v.is_empty()).map(scalar).collect());
    }
    if t.is_empty() { Json::Null } else { scalar(t) }
}

fn scalar(t: &str) -> Json {
    if t.len() >= 2 && t.starts_with('"') && t.ends_with('"') {
        return Json::String(t[1..t.len() - 1].to_owned());
    }
    match t.to_ascii_lowercase().as_str() {
        "true" => return Json::Bool(true),
        "false" => return Json::Bool(false),
        "null" => return Json::Null,
        _ => {}
    }
    // `+1…` and `0042` read as codes (phone numbers, ids), not numbers.
    let code = t.starts_with('+') || (t.starts_with('0') && t.len() > 1 && !t.starts_with("0."));
    match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) if !code => Json::Number(t.parse::<i64>().map(Into::into).unwrap_or(n)),
        _ => Json::String(t.to_owned()),
    }
}

/// How a value is shown in a form box: the inverse of [`parse_value`].
pub fn value_text(value: &Json) -> String {
    match value {
        Json::Null => String::new(),
        Json::String(s) if scalar(s) != Json::String(s.clone()) => format!("\"{s}\""),
        Json::String(s) => s.clone(),
        Json::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests;
