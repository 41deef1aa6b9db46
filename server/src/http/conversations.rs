//! `GET /api/v1/conversations` (keyset pagination, newest first),
//! `GET /api/v1/conversations/{id}` with transcript, analysis and notification runs, and
//! `POST /api/v1/conversations/{id}/reanalyze`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery};
use backend::analysis::{FieldValue, GoalVerdict, RouteChoice, Verdict};
use backend::entities::{analysis, conversation};

/// The caller as the platform named them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Customer {
    pub name: Option<String>,
    pub email: Option<String>,
}

/// The call fields of a conversation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationSummary {
    pub id: Uuid,
    /// The platform's call id.
    pub call_id: String,
    /// The agent's external id.
    pub agent_id: String,
    pub agent_name: String,
    pub status: Option<String>,
    pub direction: Option<backend::types::Direction>,
    pub channel: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds.
    pub duration_s: Option<f64>,
    pub end_reason: backend::types::EndReason,
    /// The end reason exactly as the platform sent it.
    pub end_reason_raw: Option<String>,
    /// E.164.
    pub from_number: Option<String>,
    /// E.164.
    pub to_number: Option<String>,
    pub customer: Customer,
    pub dynamic_variables: backend::columns::DynamicVariables,
    pub received_at: DateTime<Utc>,
}

fn summary(c: &conversation::Model, agent_external_id: &str, agent_name: &str) -> ConversationSummary {
    ConversationSummary {
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

/// Query of the list: the cursor and the filters of [`backend::conversations::FilterParams`].
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: backend::conversations::FilterParams,
}

/// One page of conversations, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    /// The `cursor` of the next page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

/// Lists conversations, newest first, filtered.
#[utoipa::path(
    get, path = "/conversations", tag = "conversations", operation_id = "list_conversations",
    params(ListQuery, backend::conversations::FilterParams),
    responses(
        (status = 200, description = "One page.", body = ConversationPage),
        (status = 422, description = "A filter that does not parse (`invalid_field`, naming it).", body = super::error::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut filter = q.filter.resolve(&state.services.db, &api.tenant).await?;
    filter.before = q.cursor;
    let rows = backend::conversations::list(&state.services.db, &api.tenant, &filter, limit).await?;
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    let next_cursor = (rows.len() as u64 == limit).then(|| rows.last().map(|r| r.conversation.id)).flatten();
    let conversations = rows
        .iter()
        .map(|r| {
            let external = agents
                .iter()
                .find(|a| a.id == r.conversation.agent_id)
                .map(|a| a.external_id.as_str())
                .unwrap_or_default();
            summary(&r.conversation, external, &r.agent_name)
        })
        .collect();
    Ok(Json(ConversationPage { conversations, next_cursor }))
}

/// The answer of a re-analysis request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reanalysis {
    pub conversation_id: Uuid,
    /// Always true: the analysis runs in the background.
    pub queued: bool,
}

/// Re-runs a conversation's analysis in the background; it replaces the stored analysis
/// and never delivers anything again.
#[utoipa::path(
    post, path = "/conversations/{id}/reanalyze", tag = "conversations", operation_id = "reanalyze_conversation",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 202, description = "Queued.", body = Reanalysis))
)]
pub async fn reanalyze(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<Reanalysis>), ApiError> {
    backend::conversations::request_reanalysis(&state.services, &api.tenant, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Reanalysis { conversation_id: id, queued: true })))
}

/// The stored analysis of a conversation.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AnalysisView {
    pub status: backend::columns::AnalysisStatus,
    /// The analyzer's name, e.g. `builtin` or the LLM model.
    pub analyzer: String,
    pub summary: Option<String>,
    /// One verdict per trigger question, in notification order.
    pub verdicts: Vec<Verdict>,
    /// One value per extraction field, in order.
    pub fields: Vec<FieldValue>,
    /// The agent's goal verdict, when it has a goal.
    pub goal: Option<GoalVerdict>,
    /// One choice per recipient route question.
    pub routes: Vec<RouteChoice>,
    pub reanalysed_at: Option<DateTime<Utc>>,
    /// Why the analysis failed, when it did.
    pub error: Option<String>,
    /// Wall-clock milliseconds the analyzer took.
    pub latency_ms: i64,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<&analysis::Model> for AnalysisView {
    fn from(a: &analysis::Model) -> Self {
        let output = &a.result;
        Self {
            status: a.status,
            analyzer: a.analyzer.clone(),
            summary: a.summary.clone(),
            verdicts: output.verdicts.clone(),
            fields: output.fields.clone(),
            goal: output.goal.clone(),
            routes: output.routes.clone(),
            reanalysed_at: a.reanalysed_at,
            error: a.error.clone(),
            latency_ms: a.latency_ms,
            prompt_tokens: a.prompt_tokens,
            completion_tokens: a.completion_tokens,
            created_at: a.created_at,
        }
    }
}

/// One notification run on the wire.
#[derive(Serialize, utoipa::ToSchema)]
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
    pub email_state: Option<backend::outbox::EmailState>,
    /// Team alerts created.
    pub alerts: usize,
    pub task_ids: Vec<Uuid>,
}

/// The conversation with everything the pipeline did.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: ConversationSummary,
    pub transcript: backend::columns::Transcript,
    /// Null until the analysis has run.
    pub analysis: Option<AnalysisView>,
    pub notification_runs: Vec<RunView>,
}

/// Reads a conversation with its transcript, analysis and notification runs.
#[utoipa::path(
    get, path = "/conversations/{id}", tag = "conversations", operation_id = "get_conversation",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 200, description = "The conversation.", body = ConversationView))
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConversationView>, ApiError> {
    let d = backend::conversations::get(&state.services.db, &api.tenant, id).await?;
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
        })
        .collect();
    Ok(Json(ConversationView {
        conversation: summary(&d.conversation, &d.agent.external_id, &d.agent.name),
        transcript: d.conversation.transcript.clone(),
        analysis: d.analysis.as_ref().map(AnalysisView::from),
        notification_runs: runs,
    }))
}
