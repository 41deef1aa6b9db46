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

/// One natural-language trigger to judge, keyed by the caller (a notification id).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerQuestion {
    /// Opaque key echoed in the [`Verdict`].
    pub key: String,
    /// E.g. "Did the customer ask to be called back?"
    pub question: String,
}

/// The dynamic recipient routes of one notification: the analyzer picks the first route
/// whose condition holds, by index, or none (the *otherwise* list applies).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteQuestion {
    /// Opaque key echoed in the [`RouteChoice`].
    pub key: String,
    /// The routes' conditions, in order ("The caller asks about billing").
    pub conditions: Vec<String>,
}

/// How the call ended, as the platform reported it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallFacts {
    /// One of the documented end reasons.
    pub end_reason: String,
    /// The end reason as sent, when it was not one of the documented ones.
    pub end_reason_raw: Option<String>,
    /// Seconds.
    pub duration_s: Option<f64>,
    /// Calling code for national phone numbers said in the call (e.g. "1"), taken from the
    /// call's own numbers.
    pub phone_country: Option<String>,
}

impl CallFacts {
    /// The North American calling code when the call's numbers are +1 numbers (the only
    /// calling code a number's first digits give without a numbering-plan table).
    pub fn phone_country_of(numbers: &[Option<&str>]) -> Option<String> {
        numbers.iter().flatten().any(|n| n.starts_with("+1")).then(|| "1".to_owned())
    }
}

/// What an analyzer is asked about one conversation.
#[derive(Clone, Debug, Default)]
pub struct AnalysisRequest {
    /// The transcript, in order. Untrusted: it can say anything.
    pub transcript: Vec<Turn>,
    /// When the call started (relative dates such as "tomorrow" resolve against it).
    pub started_at: Option<DateTime<Utc>>,
    /// The agent's IANA time zone.
    pub timezone: String,
    /// The agent's name.
    pub agent_name: String,
    /// The triggers to judge.
    pub triggers: Vec<TriggerQuestion>,
    /// The fields to extract.
    pub fields: Vec<FieldSpec>,
    /// The agent's goal, judged success / failure / unknown.
    pub goal: Option<String>,
    /// Dynamic recipient routes to choose among.
    pub routes: Vec<RouteQuestion>,
    /// How the call ended.
    pub call: CallFacts,
}

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

/// Longest stored summary, reason, evidence or string value, in characters.
const MAX_TEXT: usize = 600;

fn clip(text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() <= max {
        t.to_owned()
    } else {
        let mut s: String = t.chars().take(max).collect();
        s.push('…');
        s
    }
}

impl AnalysisOutput {
    /// The verdict for `key`, if the analyzer gave one.
    pub fn verdict(&self, key: &str) -> Option<&Verdict> {
        self.verdicts.iter().find(|v| v.key == key)
    }

    /// The value of field `name`, if extracted (non-null).
    pub fn field(&self, name: &str) -> Option<&FieldValue> {
        self.fields.iter().find(|f| f.name == name && !f.value.is_null())
    }

    /// The route chosen for `key`.
    pub fn route(&self, key: &str) -> Option<&RouteChoice> {
        self.routes.iter().find(|r| r.key == key)
    }

    /// Makes any analyzer's answer safe to store and act on: exactly one entry per asked
    /// trigger, field and route question, in request order (unknown keys dropped, missing
    /// ones filled as "no answer"); values coerced to their field's type (null when they do
    /// not fit); route indexes outside the admin's routes become `None`; texts clipped.
    pub fn sanitize(self, request: &AnalysisRequest) -> Self {
        let verdicts = request
            .triggers
            .iter()
            .map(|t| match self.verdicts.iter().find(|v| v.key == t.key) {
                Some(v) => Verdict { key: t.key.clone(), fired: v.fired, reason: clip(&v.reason, MAX_TEXT) },
                None => Verdict {
                    key: t.key.clone(),
                    fired: false,
                    reason: "The analyzer gave no verdict for this trigger.".to_owned(),
                },
            })
            .collect();
        let fields = request
            .fields
            .iter()
            .map(|spec| {
                let found = self.fields.iter().find(|f| f.name == spec.name);
                let value = found.map(|f| spec.coerce(&f.value)).unwrap_or(Json::Null);
                let evidence = found
                    .and_then(|f| f.evidence.as_deref())
                    .filter(|e| !e.trim().is_empty() && !value.is_null())
                    .map(|e| clip(e, 200));
                FieldValue { name: spec.name.clone(), value, evidence }
            })
            .collect();
        let routes = request
            .routes
            .iter()
            .map(|q| match self.routes.iter().find(|r| r.key == q.key) {
                Some(r) => RouteChoice {
                    key: q.key.clone(),
                    route: r.route.filter(|i| *i < q.conditions.len()),
                    reason: clip(&r.reason, MAX_TEXT),
                },
                None => {
                    RouteChoice { key: q.key.clone(), route: None, reason: "The analyzer chose no route.".to_owned() }
                }
            })
            .collect();
        let goal = request.goal.as_ref().map(|_| match self.goal {
            Some(g) => GoalVerdict { result: g.result, reason: clip(&g.reason, MAX_TEXT) },
            None => {
                GoalVerdict { result: GoalResult::Unknown, reason: "The analyzer gave no goal verdict.".to_owned() }
            }
        });
        AnalysisOutput { summary: clip(&self.summary, 1200), verdicts, fields, goal, routes }
    }
}

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
                Verdict { key: "t1".into(), fired: true, reason: "r".into() },
                Verdict { key: "injected".into(), fired: true, reason: "x".into() },
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
