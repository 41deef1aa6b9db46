//! Structured notification conditions: besides its trigger, a notification can require
//! that the call ended for one of some reasons, had a direction or status, lasted at least
//! or at most so long, or that an extracted field compares to a value. All must hold; the
//! first that does not is recorded on the run as what stopped it.

use serde_json::Value as Json;

use crate::analysis::AnalysisOutput;
pub use crate::columns::{Condition, DurationOp, FieldOp, StoredConditions};
use crate::entities::conversation;
use crate::error::{Error, Result};
use crate::types::{Direction, EndReason};

mod eval;
pub use eval::*;

impl FieldOp {
    /// Every operator, in picker order.
    pub const ALL: [FieldOp; 7] =
        [FieldOp::Eq, FieldOp::Ne, FieldOp::Gt, FieldOp::Lt, FieldOp::Contains, FieldOp::IsEmpty, FieldOp::IsNotEmpty];

    /// `==`, `!=`, `>`, `<`, `contains`, `is_empty`, `is_not_empty`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldOp::Eq => "==",
            FieldOp::Ne => "!=",
            FieldOp::Gt => ">",
            FieldOp::Lt => "<",
            FieldOp::Contains => "contains",
            FieldOp::IsEmpty => "is_empty",
            FieldOp::IsNotEmpty => "is_not_empty",
        }
    }

    /// Parses [`FieldOp::as_str`] (also `is empty` / `is not empty` with spaces).
    pub fn parse(value: &str) -> Option<Self> {
        let v = value.trim().replace(' ', "_").to_lowercase();
        Self::ALL.into_iter().find(|op| op.as_str() == v)
    }

    fn needs_value(self) -> bool {
        !matches!(self, FieldOp::IsEmpty | FieldOp::IsNotEmpty)
    }
}

/// Most conditions per notification.
pub const MAX_CONDITIONS: usize = 20;

/// Validates conditions; end reasons and directions are normalised.
///
/// Errors: [`Error::Invalid`] naming `conditions[i]` and the bad part.
pub fn validate(conditions: Vec<Condition>) -> Result<Vec<Condition>> {
    if conditions.len() > MAX_CONDITIONS {
        return Err(Error::invalid("conditions", format!("at most {MAX_CONDITIONS} conditions")));
    }
    let mut out = Vec::new();
    for (i, c) in conditions.into_iter().enumerate() {
        let at = |part: &str| format!("conditions[{i}]{part}");
        out.push(match c {
            Condition::EndReason { values } => {
                if values.is_empty() {
                    return Err(Error::invalid(at(".values"), "choose at least one end reason"));
                }
                let mut normalised = Vec::new();
                for (j, v) in values.iter().enumerate() {
                    let lower = v.trim().to_ascii_lowercase();
                    if !EndReason::ALL.iter().any(|r| r.as_str() == lower) {
                        return Err(Error::invalid(
                            format!("conditions[{i}].values[{j}]"),
                            format!("`{v}` is not a documented end reason"),
                        ));
                    }
                    if !normalised.contains(&lower) {
                        normalised.push(lower);
                    }
                }
                Condition::EndReason { values: normalised }
            }
            Condition::Direction { value } => {
                let d = Direction::parse(&value).map_err(|m| Error::invalid(at(".value"), m))?;
                Condition::Direction { value: d.as_str().to_owned() }
            }
            Condition::Status { value } => {
                let v = value.trim().to_owned();
                if v.is_empty() || v.chars().count() > 64 {
                    return Err(Error::invalid(at(".value"), "must be 1 to 64 characters"));
                }
                Condition::Status { value: v }
            }
            Condition::Duration { op, seconds } => {
                if !seconds.is_finite() || seconds < 0.0 {
                    return Err(Error::invalid(at(".seconds"), "must be a non-negative number of seconds"));
                }
                Condition::Duration { op, seconds }
            }
            Condition::Field { field, op, value } => {
                let name = field.trim().trim_start_matches("dyn_").to_ascii_lowercase();
                let valid =
                    !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !valid {
                    return Err(Error::invalid(at(".field"), "must be a field name such as order_total"));
                }
                let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
                if op.needs_value() && value.is_none() {
                    return Err(Error::invalid(
                        at(".value"),
                        format!("`{}` needs a value to compare with", op.as_str()),
                    ));
                }
                if matches!(op, FieldOp::Gt | FieldOp::Lt) && value.as_deref().and_then(number).is_none() {
                    return Err(Error::invalid(at(".value"), format!("`{}` compares numbers", op.as_str())));
                }
                Condition::Field { field: name, op, value: if op.needs_value() { value } else { None } }
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::FieldValue;
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

    fn output(value: Json) -> AnalysisOutput {
        AnalysisOutput {
            fields: vec![FieldValue { name: "amount".into(), value, evidence: None }],
            ..Default::default()
        }
    }

    fn field(op: FieldOp, value: Option<&str>) -> Condition {
        Condition::Field { field: "amount".into(), op, value: value.map(str::to_owned) }
    }

    #[test]
    fn every_field_operator_compares_as_documented() {
        let o = output(json!(150));
        assert!(field(FieldOp::Eq, Some("150")).holds(&call(), &o));
        assert!(field(FieldOp::Ne, Some("100")).holds(&call(), &o));
        assert!(field(FieldOp::Gt, Some("100")).holds(&call(), &o));
        assert!(!field(FieldOp::Lt, Some("100")).holds(&call(), &o));
        assert!(field(FieldOp::Contains, Some("5")).holds(&call(), &o));
        assert!(field(FieldOp::IsNotEmpty, None).holds(&call(), &o));
        assert!(!field(FieldOp::IsEmpty, None).holds(&call(), &o));
        let missing = output(Json::Null);
        assert!(field(FieldOp::IsEmpty, None).holds(&call(), &missing));
        assert!(!field(FieldOp::Gt, Some("1")).holds(&call(), &missing));
        assert!(field(FieldOp::Ne, Some("1")).holds(&call(), &missing));
        let words = output(json!("Gold plan"));
        assert!(field(FieldOp::Eq, Some("gold PLAN")).holds(&call(), &words));
        assert!(field(FieldOp::Contains, Some("gold")).holds(&call(), &words));
    }

    #[test]
    fn call_conditions_use_the_call() {
        let o = AnalysisOutput::default();
        assert!(Condition::EndReason { values: vec!["voicemail".into(), "busy".into()] }.holds(&call(), &o));
        assert!(!Condition::Direction { value: "outbound".into() }.holds(&call(), &o));
        assert!(Condition::Status { value: "COMPLETED".into() }.holds(&call(), &o));
        assert!(Condition::Duration { op: DurationOp::AtLeast, seconds: 60.0 }.holds(&call(), &o));
        assert!(!Condition::Duration { op: DurationOp::AtMost, seconds: 60.0 }.holds(&call(), &o));
        let all =
            vec![Condition::Status { value: "completed".into() }, Condition::Direction { value: "outbound".into() }];
        assert_eq!(first_failing(&all, &call(), &o).as_deref(), Some("direction is outbound"));
    }

    #[test]
    fn bad_conditions_name_their_part() {
        let err = validate(vec![Condition::EndReason { values: vec!["hung up".into()] }]).unwrap_err();
        assert!(matches!(err, Error::Invalid { field, .. } if field == "conditions[0].values[0]"));
        let err = validate(vec![field(FieldOp::Gt, Some("many"))]).unwrap_err();
        assert!(matches!(err, Error::Invalid { field, .. } if field == "conditions[0].value"));
        let err = validate(vec![Condition::Direction { value: "up".into() }]).unwrap_err();
        assert!(matches!(err, Error::Invalid { field, .. } if field == "conditions[0].value"));
        let ok = validate(vec![
            Condition::EndReason { values: vec!["VOICEMAIL".into()] },
            field(FieldOp::IsEmpty, Some("x")),
        ])
        .unwrap();
        assert_eq!(ok[0], Condition::EndReason { values: vec!["voicemail".into()] });
        assert_eq!(ok[1], field(FieldOp::IsEmpty, None));
    }
}
