//! `GET /api/v1/conversations` (keyset pagination, newest first) and
//! `GET /api/v1/conversations/{id}` with transcript, analysis and notification runs.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;
use backend::entities::conversation;

/// The call fields of a conversation.
#[derive(Serialize)]
pub struct ConversationSummary {
    pub id: Uuid,
    pub call_id: String,
    /// The agent's external id.
    pub agent_id: String,
    pub agent_name: String,
    pub status: Option<String>,
    pub direction: Option<backend::types::Direction>,
    pub channel: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub duration_s: Option<f64>,
    pub end_reason: backend::types::EndReason,
    pub end_reason_raw: Option<String>,
    pub from_number: Option<String>,
    pub to_number: Option<String>,
    pub customer: serde_json::Value,
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
        customer: serde_json::json!({ "name": c.customer_name, "email": c.customer_email }),
        dynamic_variables: c.dynamic_variables.clone(),
        received_at: c.received_at,
    }
}

/// Query of the list: the cursor and the filters of [`backend::conversations::FilterParams`].
#[derive(Deserialize)]
pub struct ListQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
    #[serde(flatten)]
    pub filter: backend::conversations::FilterParams,
}

/// `GET /api/v1/conversations?cursor=&limit=&agent=&from=&to=&end_reason=&fired=&q=` →
/// `{"conversations", "next_cursor"}`.
pub async fn list(
    State(state): State<AppState>,
    api: ApiTenant,
    Query(q): Query<ListQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut filter = q.filter.resolve(&state.services.db, &api.tenant).await?;
    filter.before = q.cursor;
    let rows = backend::conversations::list(&state.services.db, &api.tenant, &filter, limit).await?;
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    let next_cursor = (rows.len() as u64 == limit).then(|| rows.last().map(|r| r.conversation.id)).flatten();
    let items: Vec<ConversationSummary> = rows
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
    Ok(Json(serde_json::json!({ "conversations": items, "next_cursor": next_cursor })))
}

/// `POST /api/v1/conversations/{id}/reanalyze` → 202: the analysis is re-run in the
/// background; it replaces the stored analysis and never delivers anything again.
pub async fn reanalyze(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    backend::conversations::request_reanalysis(&state.services, &api.tenant, id).await?;
    Ok((axum::http::StatusCode::ACCEPTED, Json(serde_json::json!({ "conversation_id": id, "queued": true }))))
}

/// One notification run on the wire.
#[derive(Serialize)]
pub struct RunView {
    pub notification_id: Option<Uuid>,
    pub notification_name: String,
    pub fired: bool,
    pub reason: String,
    /// The notification version the run used.
    pub notification_version: Option<i32>,
    /// The structured condition that stopped the run, when one did.
    pub stopped_by: Option<String>,
    /// The run's email delivery state (`pending`, `retrying`, `sent`, `outbox`, `dead`), or
    /// null when no email was due.
    pub email_state: Option<backend::outbox::EmailState>,
    pub alerts: usize,
    pub task_ids: Vec<Uuid>,
}

/// The conversation with everything the pipeline did.
#[derive(Serialize)]
pub struct ConversationView {
    #[serde(flatten)]
    pub conversation: ConversationSummary,
    pub transcript: backend::columns::Transcript,
    pub analysis: Option<serde_json::Value>,
    pub notification_runs: Vec<RunView>,
}

/// `GET /api/v1/conversations/{id}`.
pub async fn get(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let d = backend::conversations::get(&state.services.db, &api.tenant, id).await?;
    let analysis = d.analysis.as_ref().map(|a| {
        let output = &a.result;
        serde_json::json!({
            "status": a.status,
            "analyzer": a.analyzer,
            "summary": a.summary,
            "verdicts": output.verdicts,
            "fields": output.fields,
            "goal": output.goal,
            "routes": output.routes,
            "reanalysed_at": a.reanalysed_at,
            "error": a.error,
            "latency_ms": a.latency_ms,
            "prompt_tokens": a.prompt_tokens,
            "completion_tokens": a.completion_tokens,
            "created_at": a.created_at,
        })
    });
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
        analysis,
        notification_runs: runs,
    }))
}
