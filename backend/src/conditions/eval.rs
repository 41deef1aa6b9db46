//! Evaluating and describing conditions against a call and its analysis.
//!
//! Comparisons are typed by the condition's value: a boolean matches `true`/`false` and
//! `yes`/`no` text, a number matches numbers and numeric text (`1,200`, `$40`), text is
//! compared without case or surrounding spaces, null means empty. A missing field or fact
//! is empty, so `!=` and `not_in` hold for it and ordering never does.

#[allow(unused_imports)]
use super::*;

pub(crate) fn number(text: &str) -> Option<f64> {
    text.trim().replace([',', '$'], "").parse().ok()
}

fn is_empty(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn as_bool(v: &Json) -> Option<bool> {
    match v {
        Json::Bool(b) => Some(*b),
        Json::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        },
        Json::Number(n) => n.as_f64().map(|n| n != 0.0),
        _ => None,
    }
}

fn as_text(v: &Json) -> String {
    match v {
        Json::String(s) => s.trim().to_lowercase(),
        Json::Null => String::new(),
        other => other.to_string().to_lowercase(),
    }
}

/// Whether `actual` equals `expected`, typed by `expected`.
fn equals(actual: &Json, expected: &Json) -> bool {
    if let Json::Array(items) = actual {
        return items.iter().any(|a| equals(a, expected));
    }
    match expected {
        Json::Null => is_empty(actual),
        Json::Bool(b) => as_bool(actual) == Some(*b),
        Json::Number(_) => match (number_of(actual), number_of(expected)) {
            (Some(a), Some(e)) => (a - e).abs() < 1e-9,
            _ => false,
        },
        Json::String(e) => match (number_of(actual), number(e)) {
            (Some(a), Some(e)) => (a - e).abs() < 1e-9,
            _ => !is_empty(actual) && as_text(actual) == e.trim().to_lowercase(),
        },
        _ => false,
    }
}

impl Test {
    /// What the test compares: the call fact or the extracted value (null when missing).
    pub fn actual(&self, call: &conversation::Model, analysis: &AnalysisOutput) -> Json {
        let text = |s: Option<&str>| s.map(|s| Json::String(s.to_owned())).unwrap_or(Json::Null);
        match Subject::parse(&self.field) {
            Some(Subject::EndReason) => Json::String(call.end_reason.as_str().to_owned()),
            Some(Subject::Direction) => text(call.direction.map(|d| d.as_str())),
            Some(Subject::Status) => text(call.status.as_deref()),
            Some(Subject::Duration) => call.duration_s.map(num).unwrap_or(Json::Null),
            Some(Subject::Goal) => text(analysis.goal.as_ref().map(|g| match g.result {
                crate::analysis::GoalResult::Success => "success",
                crate::analysis::GoalResult::Failure => "failure",
                crate::analysis::GoalResult::Unknown => "unknown",
            })),
            Some(Subject::Field(name)) => {
                analysis.fields.iter().find(|f| f.name == name).map(|f| f.value.clone()).unwrap_or(Json::Null)
            }
            None => Json::Null,
        }
    }

    /// Whether the test holds for the call and its analysis.
    pub fn holds(&self, call: &conversation::Model, analysis: &AnalysisOutput) -> bool {
        let actual = self.actual(call, analysis);
        let expected = &self.value;
        let list = || expected.as_array().map(Vec::as_slice).unwrap_or(std::slice::from_ref(expected));
        let order = |f: fn(f64, f64) -> bool| match (number_of(&actual), number_of(expected)) {
            (Some(a), Some(e)) => f(a, e),
            _ => false,
        };
        match self.operator {
            Operator::IsEmpty => is_empty(&actual),
            Operator::IsNotEmpty => !is_empty(&actual),
            Operator::Eq => equals(&actual, expected),
            Operator::Ne => !equals(&actual, expected),
            Operator::In => list().iter().any(|e| equals(&actual, e)),
            Operator::NotIn => !list().iter().any(|e| equals(&actual, e)),
            Operator::Gt => order(|a, e| a > e),
            Operator::Lt => order(|a, e| a < e),
            Operator::Ge => order(|a, e| a >= e),
            Operator::Le => order(|a, e| a <= e),
            Operator::Contains => {
                let needle = as_text(expected);
                match &actual {
                    Json::Array(items) => items.iter().any(|a| as_text(a).contains(&needle)),
                    other => !is_empty(other) && as_text(other).contains(&needle),
                }
            }
        }
    }

    /// "party_size > 4", "end reason in voicemail, no_answer", "duration >= 60 s",
    /// "budget is empty".
    pub fn describe(&self) -> String {
        let subject = Subject::parse(&self.field).unwrap_or(Subject::Field(self.field.clone()));
        let label = subject.label();
        if !self.operator.needs_value() {
            return format!("{label} {}", self.operator.as_str().replace('_', " "));
        }
        let show = |v: &Json| match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        };
        let value = match &self.value {
            Json::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
            other => show(other),
        };
        let unit = if subject == Subject::Duration { " s" } else { "" };
        format!("{label} {} {value}{unit}", self.operator.as_str().replace('_', " "))
    }
}

impl Condition {
    /// A short human description: "end reason in voicemail, no_answer", "any of (a; b)".
    pub fn describe(&self) -> String {
        let join = |items: &[Condition]| items.iter().map(Condition::describe).collect::<Vec<_>>().join("; ");
        match self {
            Condition::All { all } => format!("all of ({})", join(all)),
            Condition::Any { any } => format!("any of ({})", join(any)),
            Condition::Test(t) => t.describe(),
        }
    }

    /// Whether the condition holds for the call and its analysis.
    pub fn holds(&self, call: &conversation::Model, analysis: &AnalysisOutput) -> bool {
        match self {
            Condition::All { all } => all.iter().all(|c| c.holds(call, analysis)),
            Condition::Any { any } => any.iter().any(|c| c.holds(call, analysis)),
            Condition::Test(t) => t.holds(call, analysis),
        }
    }

    /// Every test in the condition, depth first.
    pub fn tests(&self) -> Vec<&Test> {
        match self {
            Condition::All { all: items } | Condition::Any { any: items } => {
                items.iter().flat_map(Condition::tests).collect()
            }
            Condition::Test(t) => vec![t],
        }
    }

    /// The extracted fields the condition reads, by name, so the analyzer extracts them.
    pub fn field_names(&self) -> Vec<String> {
        self.tests()
            .into_iter()
            .filter_map(|t| match Subject::parse(&t.field) {
                Some(Subject::Field(name)) => Some(name),
                _ => None,
            })
            .collect()
    }
}

/// The first condition that does not hold, described; `None` when all hold.
pub fn first_failing(
    conditions: &[Condition],
    call: &conversation::Model,
    analysis: &AnalysisOutput,
) -> Option<String> {
    conditions.iter().find(|c| !c.holds(call, analysis)).map(Condition::describe)
}
