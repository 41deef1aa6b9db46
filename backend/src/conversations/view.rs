//! The conversation read model: one conversation with everything the pipeline did, with
//! names, routes and field types resolved once. The REST API serialises it as it is
//! (`GET /api/v1/conversations/{id}`); the dashboard only formats it (times in the agent's
//! time zone, durations, labels).

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::analysis::{FieldType, FieldValue, GoalVerdict, RouteChoice, Verdict};
use crate::columns::{AnalysisStatus, DynamicVariables, EmailState, TaskStatus, Transcript};
use crate::entities::{analysis, conversation};
use crate::error::Result;
use crate::tenancy::Actor;
use crate::types::{Direction, EndReason, Priority};
use sea_orm::ConnectionTrait;

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
    pub notification_runs: Vec<RunView>,
}

fn analysis_view(
    a: &analysis::Model,
    notifications: &[crate::entities::notification::Model],
    fields: &[crate::entities::extraction_field::Model],
) -> AnalysisView {
    let output = &a.result;
    let notification = |key: &str| notifications.iter().find(|n| n.id.to_string() == key);
    let verdicts = output
        .verdicts
        .iter()
        .map(|v| {
            let n = notification(&v.key);
            VerdictView {
                verdict: v.clone(),
                notification: n.map(|n| n.name.clone()),
                question: n.and_then(|n| n.trigger_condition.clone()),
            }
        })
        .collect();
    let fields = output
        .fields
        .iter()
        .map(|f| FieldValueView {
            value: f.clone(),
            kind: fields.iter().find(|s| s.name == f.name).map(|s| s.field_type),
        })
        .collect();
    let routes = output
        .routes
        .iter()
        .map(|r| {
            let n = notification(&r.key);
            let route = n.and_then(|n| r.route.and_then(|i| n.recipients.routes.get(i)));
            let to = match (n, route) {
                (_, Some(route)) => route.to.clone(),
                (Some(n), None) => n.recipients.otherwise.clone(),
                (None, None) => Vec::new(),
            };
            RouteView {
                choice: r.clone(),
                notification: n.map(|n| n.name.clone()),
                chosen: route.map(|route| route.when.clone()),
                to,
            }
        })
        .collect();
    AnalysisView {
        status: a.status,
        analyzer: a.analyzer.clone(),
        summary: a.summary.clone(),
        verdicts,
        fields,
        goal: output.goal.clone(),
        routes,
        reanalysed_at: a.reanalysed_at,
        error: a.error.clone(),
        latency_ms: a.latency_ms,
        prompt_tokens: a.prompt_tokens,
        completion_tokens: a.completion_tokens,
        created_at: a.created_at,
    }
}

/// The actor's conversation `id` as both front doors show it.
///
/// Errors: [`crate::Error::NotFound`] for an unknown or another account's id.
pub async fn view<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<ConversationView> {
    let tenant = actor.tenant();
    let d = super::get(db, tenant, id).await?;
    let members = crate::accounts::members(db, tenant).await?;
    let notifications = crate::notifications::list(db, tenant, None).await?;
    let fields = crate::analysis::fields::list(db, tenant, d.agent.id).await?;
    let runs = d
        .runs
        .iter()
        .map(|r| RunView {
            notification_id: r.run.notification_id,
            notification_name: r.run.notification_name.clone(),
            fired: r.run.fired,
            reason: r.run.reason.clone(),
            notification_version: r.run.notification_version,
            stopped_by: r.run.stopped_by.clone(),
            email_state: r.emails.first().map(|e| e.state),
            alerts: r.alerts.len(),
            task_ids: r.tasks.iter().map(|t| t.id).collect(),
            emails: r
                .emails
                .iter()
                .map(|e| RunEmail {
                    id: e.id,
                    state: e.state,
                    to: e.recipients.0.clone(),
                    subject: e.subject.clone(),
                    error: e.last_error.clone(),
                })
                .collect(),
            alerted: r
                .alerts
                .iter()
                .map(|a| {
                    members
                        .iter()
                        .find(|m| m.user_id == a.user_id)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| "(former member)".into())
                })
                .collect(),
            tasks: r
                .tasks
                .iter()
                .map(|t| RunTask { id: t.id, title: t.title.clone(), priority: t.priority, status: t.status })
                .collect(),
        })
        .collect();
    Ok(ConversationView {
        conversation: ConversationSummary::new(&d.conversation, &d.agent.external_id, &d.agent.name),
        agent_uuid: d.agent.id,
        agent_timezone: d.agent.timezone.clone(),
        transcript: d.conversation.transcript.clone(),
        analysis: d.analysis.as_ref().map(|a| analysis_view(a, &notifications, &fields)),
        notification_runs: runs,
    })
}
