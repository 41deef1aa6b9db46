//! The parts of a conversation view: the call, its analysis with names resolved, and each notification run with what it made.

#[allow(unused_imports)]
use super::*;

/// The caller as the platform named them.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The call fields of a conversation (a row of the list).
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    /// The platform's call id.
    pub call_id: String,
    /// The agent's external id.
    pub agent_id: String,
    pub agent_name: String,
    pub status: Option<String>,
    pub direction: Option<Direction>,
    pub channel: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds.
    pub duration_s: Option<f64>,
    pub end_reason: EndReason,
    /// The end reason exactly as the platform sent it.
    pub end_reason_raw: Option<String>,
    /// E.164.
    pub from_number: Option<String>,
    /// E.164.
    pub to_number: Option<String>,
    pub customer: Customer,
    pub dynamic_variables: DynamicVariables,
    pub received_at: DateTime<Utc>,
}

impl ConversationSummary {
    /// The summary of `c`, whose agent has `agent_external_id` and `agent_name`.
    pub fn new(c: &conversation::Model, agent_external_id: &str, agent_name: &str) -> Self {
        Self {
            id: c.id,
            call_id: c.call_id.clone(),
            agent_id: agent_external_id.to_owned(),
            agent_name: agent_name.to_owned(),
            status: c.status.clone(),
            direction: c.direction,
            channel: c.channel.clone(),
            started_at: c.started_at,
            ended_at: c.ended_at,
            duration_s: c.duration_s,
            end_reason: c.end_reason,
            end_reason_raw: c.end_reason_raw.clone(),
            from_number: c.from_number.clone(),
            to_number: c.to_number.clone(),
            customer: Customer { name: c.customer_name.clone(), email: c.customer_email.clone() },
            dynamic_variables: c.dynamic_variables.clone(),
            received_at: c.received_at,
        }
    }
}

/// A trigger verdict with the notification it answered.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct VerdictView {
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The notification's name; null once it is deleted.
    pub notification: Option<String>,
    /// The trigger question as it reads now; null once deleted or for an always-send.
    pub question: Option<String>,
}

/// An extracted value with its field's type.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldValueView {
    #[serde(flatten)]
    pub value: FieldValue,
    /// The field's type; null once the field is deleted.
    #[serde(rename = "type")]
    pub kind: Option<FieldType>,
}

/// The recipient route chosen for one notification.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RouteView {
    #[serde(flatten)]
    pub choice: RouteChoice,
    /// The notification's name; null once it is deleted.
    pub notification: Option<String>,
    /// The chosen route's condition; null for "otherwise" (no route held).
    pub chosen: Option<String>,
    /// Who that route emails (as the notification reads now).
    pub to: Vec<String>,
}

/// The stored analysis of a conversation.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AnalysisView {
    pub status: AnalysisStatus,
    /// The analyzer's name, e.g. `builtin` or the LLM model.
    pub analyzer: String,
    pub summary: Option<String>,
    /// One verdict per trigger question.
    pub verdicts: Vec<VerdictView>,
    /// One value per extraction field, in order.
    pub fields: Vec<FieldValueView>,
    /// The agent's goal verdict, when it has a goal.
    pub goal: Option<GoalVerdict>,
    /// One choice per notification with recipient routes.
    pub routes: Vec<RouteView>,
    pub reanalysed_at: Option<DateTime<Utc>>,
    /// Why the analysis failed, when it did.
    pub error: Option<String>,
    /// Wall-clock milliseconds the analyzer took.
    pub latency_ms: i64,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// An email a run made.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunEmail {
    pub id: Uuid,
    pub state: EmailState,
    pub to: Vec<String>,
    pub subject: Option<String>,
    /// The last attempt's error, when it failed.
    pub error: Option<String>,
}

/// A task a run made.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunTask {
    pub id: Uuid,
    pub title: String,
    pub priority: Priority,
    pub status: TaskStatus,
}

/// One notification run and what it made.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RunView {
    pub notification_id: Option<Uuid>,
    pub notification_name: String,
    pub fired: bool,
    pub reason: String,
    /// The notification version the run used.
    pub notification_version: Option<i32>,
    /// The structured condition that stopped the run, when one did.
    pub stopped_by: Option<String>,
    /// The run's email delivery state, or null when no email was due.
    pub email_state: Option<EmailState>,
    /// Team alerts created.
    pub alerts: usize,
    pub task_ids: Vec<Uuid>,
    pub emails: Vec<RunEmail>,
    /// The names of the members alerted (`(former member)` once removed).
    pub alerted: Vec<String>,
    pub tasks: Vec<RunTask>,
}

/// One conversation with everything the pipeline did.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: ConversationSummary,
    /// The agent's id (the summary's `agent_id` is its external id).
    pub agent_uuid: Uuid,
    /// The agent's IANA time zone, in which the dashboard shows times.
    pub agent_timezone: String,
    pub transcript: Transcript,
    /// Null until the analysis has run.
    pub analysis: Option<AnalysisView>,
    /// The voice platform's own analysis (summary, success, sentiment, data), kept beside
    /// ours for calls from a native intake that carried one; null otherwise.
    pub platform_analysis: Option<crate::columns::PlatformAnalysis>,
    pub notification_runs: Vec<RunView>,
}
