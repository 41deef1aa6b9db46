//! The analysis as stored (`analyses.result`, `analyses.goal_result`) and as the analyzers
//! return it: verdicts, extracted field values, the goal verdict and route choices; and the
//! extraction field types (`extraction_fields.field_type`). What they mean, and their
//! methods, are in [`crate::analysis`].

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// A yes/no verdict on one trigger, with a one-line reason.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The [`TriggerQuestion::key`].
    pub key: String,
    /// Whether the condition holds.
    pub fired: bool,
    /// The analyzer abstained: the built-in analyzer does not understand the question, or an
    /// analyzer gave no verdict. Never fires; shown as "unknown", not as "no". Absent (false)
    /// in analyses stored before it existed and from analyzers that always decide.
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
    /// One line, quoting the transcript where it can.
    pub reason: String,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// An extracted value: JSON of the field's type (string, number, boolean, or one of the
/// enum's options), or null when the call does not say.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldValue {
    pub name: String,
    pub value: Json,
    /// A short quote from the transcript the value was taken from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// The goal verdict.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoalResult {
    Success,
    Failure,
    Unknown,
}

/// The agent's goal, judged.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalVerdict {
    pub result: GoalResult,
    pub reason: String,
}

/// The route chosen for one notification's dynamic recipients.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteChoice {
    /// The [`RouteQuestion::key`].
    pub key: String,
    /// Index into [`RouteQuestion::conditions`]; `None` = no route holds (otherwise).
    pub route: Option<usize>,
    pub reason: String,
}

/// An analyzer's answer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOutput {
    /// A 2-3 sentence summary.
    pub summary: String,
    /// One verdict per trigger, in request order.
    #[serde(default)]
    pub verdicts: Vec<Verdict>,
    /// One value per requested field, in request order.
    #[serde(default)]
    pub fields: Vec<FieldValue>,
    /// The goal verdict, when the agent has a goal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<GoalVerdict>,
    /// One choice per route question, in request order.
    #[serde(default)]
    pub routes: Vec<RouteChoice>,
}

/// A field's type.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
    Boolean,
    Enum,
}
