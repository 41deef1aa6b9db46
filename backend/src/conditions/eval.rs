//! Evaluating and describing conditions against a call and its analysis.

#[allow(unused_imports)]
use super::*;

pub(crate) fn number(text: &str) -> Option<f64> {
    text.trim().replace([',', '$'], "").parse().ok()
}

pub(crate) fn text(value: &Json) -> Option<String> {
    match value {
        Json::Null => None,
        Json::String(s) if s.trim().is_empty() => None,
        Json::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl Condition {
    /// A short human description: "end reason in voicemail, no_answer".
    pub fn describe(&self) -> String {
        match self {
            Condition::EndReason { values } => format!("end reason in {}", values.join(", ")),
            Condition::Direction { value } => format!("direction is {value}"),
            Condition::Status { value } => format!("status is {value}"),
            Condition::Duration { op: DurationOp::AtLeast, seconds } => format!("duration ≥ {seconds} s"),
            Condition::Duration { op: DurationOp::AtMost, seconds } => format!("duration ≤ {seconds} s"),
            Condition::Field { field, op, value } => match value {
                Some(v) => format!("{field} {} {v}", op.as_str()),
                None => format!("{field} {}", op.as_str().replace('_', " ")),
            },
        }
    }

    /// Whether the condition holds for the call and its analysis.
    pub fn holds(&self, call: &conversation::Model, analysis: &AnalysisOutput) -> bool {
        match self {
            Condition::EndReason { values } => values.iter().any(|v| v == call.end_reason.as_str()),
            Condition::Direction { value } => call.direction.map(|d| d.as_str()) == Some(value.as_str()),
            Condition::Status { value } => call.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case(value)),
            Condition::Duration { op, seconds } => match (call.duration_s, op) {
                (Some(d), DurationOp::AtLeast) => d >= *seconds,
                (Some(d), DurationOp::AtMost) => d <= *seconds,
                (None, _) => false,
            },
            Condition::Field { field, op, value } => {
                let actual = analysis.fields.iter().find(|f| f.name == *field).and_then(|f| text(&f.value));
                let expected = value.clone().unwrap_or_default();
                match op {
                    FieldOp::IsEmpty => actual.is_none(),
                    FieldOp::IsNotEmpty => actual.is_some(),
                    FieldOp::Eq | FieldOp::Ne => {
                        let equal = actual.as_deref().is_some_and(|a| match (number(a), number(&expected)) {
                            (Some(x), Some(y)) => (x - y).abs() < 1e-9,
                            _ => a.trim().eq_ignore_ascii_case(expected.trim()),
                        });
                        if *op == FieldOp::Eq { equal } else { !equal }
                    }
                    FieldOp::Gt | FieldOp::Lt => match (actual.as_deref().and_then(number), number(&expected)) {
                        (Some(a), Some(e)) => {
                            if *op == FieldOp::Gt {
                                a > e
                            } else {
                                a < e
                            }
                        }
                        _ => false,
                    },
                    FieldOp::Contains => actual.is_some_and(|a| a.to_lowercase().contains(&expected.to_lowercase())),
                }
            }
        }
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
