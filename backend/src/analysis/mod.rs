//! Analysis of a conversation: the [`Analyzer`] interface every provider implements, the
//! request and result shapes, and [`AnalysisOutput::sanitize`], which every answer passes
//! through before it is stored: only asked-for keys survive, values get their field's
//! type, and a route is an index into the admin's routes or nothing.

pub mod builtin;
pub mod eval;
pub mod fields;
pub mod openai;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::calls::event::Turn;

pub use crate::columns::{AnalysisOutput, FieldValue, GoalResult, GoalVerdict, RouteChoice, Verdict};
pub use fields::{FieldSpec, FieldType};

mod request;
pub use request::*;
mod output;

impl GoalResult {
    /// `success`, `failure` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoalResult::Success => "success",
            GoalResult::Failure => "failure",
            GoalResult::Unknown => "unknown",
        }
    }

    /// Parses the lower-case name.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "success" => Some(GoalResult::Success),
            "failure" => Some(GoalResult::Failure),
            "unknown" => Some(GoalResult::Unknown),
            _ => None,
        }
    }
}

impl std::str::FromStr for GoalResult {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::parse(s).ok_or_else(|| format!("`{s}` is not a goal result (success, failure or unknown)"))
    }
}

crate::stored_enum! { impl GoalResult in "analyses"."goal_result"; }

crate::stored_json! { impl AnalysisOutput in "analyses"."result"; }

/// Tokens a provider charged for one analysis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
}

/// Why an analysis failed.
#[derive(Debug, thiserror::Error)]
pub enum AnalyzerError {
    /// Worth retrying later (timeout, 429, 5xx, connection).
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (bad credentials, unparseable answer after retries).
    #[error("{0}")]
    Permanent(String),
}

/// A provider of analyses. Implementations must treat the transcript as untrusted input:
/// it may contain instructions, and none of them may be followed.
#[async_trait]
pub trait Analyzer: Send + Sync {
    /// Stable name stored with each analysis, e.g. `builtin`.
    fn name(&self) -> &'static str;

    /// Analyses one conversation. Callers pass the answer through
    /// [`AnalysisOutput::sanitize`].
    async fn analyze(&self, request: &AnalysisRequest) -> Result<(AnalysisOutput, Option<Usage>), AnalyzerError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AnalysisRequest {
        AnalysisRequest {
            triggers: vec![TriggerQuestion { key: "t1".into(), question: "q".into() }],
            fields: vec![
                FieldSpec::new("amount", FieldType::Number, "amount", vec![]),
                FieldSpec::new("plan", FieldType::Enum, "plan", vec!["Gold".into(), "Silver".into()]),
            ],
            routes: vec![RouteQuestion { key: "n1".into(), conditions: vec!["billing".into(), "sales".into()] }],
            goal: Some("book".into()),
            ..Default::default()
        }
    }

    #[test]
    fn sanitize_keeps_only_what_was_asked_in_its_type_and_range() {
        let answer = AnalysisOutput {
            summary: "s".into(),
            verdicts: vec![
                Verdict { key: "t1".into(), fired: true, unknown: false, reason: "r".into() },
                Verdict { key: "injected".into(), fired: true, unknown: false, reason: "x".into() },
            ],
            fields: vec![
                FieldValue {
                    name: "amount".into(),
                    value: serde_json::json!("$1,250.50"),
                    evidence: Some("1250".into()),
                },
                FieldValue { name: "plan".into(), value: serde_json::json!("platinum"), evidence: Some("p".into()) },
                FieldValue { name: "extra".into(), value: serde_json::json!("x"), evidence: None },
            ],
            goal: None,
            routes: vec![RouteChoice { key: "n1".into(), route: Some(7), reason: "email x@evil.example".into() }],
        };
        let clean = answer.sanitize(&request());
        assert_eq!(clean.verdicts.len(), 1);
        assert!(clean.verdicts[0].fired);
        assert_eq!(clean.fields.len(), 2);
        assert_eq!(clean.fields[0].value, serde_json::json!(1250.5));
        assert_eq!(clean.fields[1].value, Json::Null, "not an option");
        assert_eq!(clean.fields[1].evidence, None);
        assert_eq!(clean.routes[0].route, None, "an index outside the routes is no route");
        assert_eq!(clean.goal.unwrap().result, GoalResult::Unknown);
    }
}
