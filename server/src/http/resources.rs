//! The integrator REST API beside ingest: agents, their notifications, conversations and
//! tasks. JSON in and out; errors as [`ApiError`]; everything scoped to the API key's
//! account (another account's id answers 404).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::calls::ApiJson;
use super::error::ApiError;
use backend::entities::{agent, notification, task};
use backend::notifications::NotificationInput;

/// An agent on the wire.
#[derive(Serialize)]
pub struct AgentView {
    pub id: Uuid,
    pub external_id: String,
    pub name: String,
    pub timezone: String,
    pub language: String,
    /// The natural-language goal judged for every call, or null.
    pub goal: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<agent::Model> for AgentView {
    fn from(a: agent::Model) -> Self {
        Self {
            id: a.id,
            external_id: a.external_id,
            name: a.name,
            timezone: a.timezone,
            language: a.language,
            goal: a.goal,
            created_at: a.created_at,
        }
    }
}

/// `POST /api/v1/agents` body.
#[derive(Deserialize)]
pub struct NewAgent {
    pub external_id: String,
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub language: Option<String>,
    /// A natural-language outcome judged for every call.
    pub goal: Option<String>,
}

/// `POST /api/v1/agents` → 201 agent; 409 when the external id exists.
pub async fn create_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let created = backend::agents::create_for_tenant(
        &state.services.db,
        &api.tenant,
        backend::agents::AgentInput {
            external_id: new.external_id,
            name: new.name,
            timezone: new.timezone,
            language: new.language,
            goal: new.goal,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(AgentView::from(created))))
}

/// `GET /api/v1/agents` → `{"agents": [...]}` by name.
pub async fn list_agents(State(state): State<AppState>, api: ApiTenant) -> Result<impl IntoResponse, ApiError> {
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    Ok(Json(serde_json::json!({ "agents": agents.into_iter().map(AgentView::from).collect::<Vec<_>>() })))
}

/// A notification on the wire: the input shape plus ids.
#[derive(Serialize)]
pub struct NotificationView {
    pub id: Uuid,
    /// The agent's external id, or null for a notification on every agent.
    pub agent_id: Option<String>,
    #[serde(flatten)]
    pub settings: NotificationInput,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn notification_view(state: &AppState, api: &ApiTenant, n: notification::Model) -> Result<NotificationView, ApiError> {
    let agent_id = match n.agent_id {
        Some(id) => Some(backend::agents::get(&state.services.db, &api.tenant, id).await?.external_id),
        None => None,
    };
    Ok(NotificationView {
        id: n.id,
        agent_id,
        settings: backend::notifications::to_input(&n),
        created_at: n.created_at,
        updated_at: n.updated_at,
    })
}

async fn agent_by_external_id(state: &AppState, api: &ApiTenant, external_id: &str) -> Result<agent::Model, ApiError> {
    backend::agents::find_by_external_id(&state.services.db, &api.tenant, external_id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "agent not found").with_field("external_id"))
}

/// `PUT /api/v1/agents/{external_id}`: replaces name, timezone, language and goal (the
/// external id in the body may rename it).
pub async fn replace_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let updated = backend::agents::update_for_tenant(
        &state.services.db,
        &api.tenant,
        agent.id,
        backend::agents::AgentInput {
            external_id: new.external_id,
            name: new.name,
            timezone: new.timezone,
            language: new.language,
            goal: new.goal,
        },
    )
    .await?;
    Ok(Json(AgentView::from(updated)))
}

/// An extraction field on the wire.
#[derive(Serialize)]
pub struct FieldView {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub options: Vec<String>,
}

impl From<backend::entities::extraction_field::Model> for FieldView {
    fn from(f: backend::entities::extraction_field::Model) -> Self {
        let spec = backend::analysis::fields::spec_of(&f);
        Self { id: f.id, name: spec.name, kind: spec.kind.as_str().to_owned(), description: spec.description, options: spec.options }
    }
}

/// `GET /api/v1/agents/{external_id}/fields` → `{"fields": [...]}` in order.
pub async fn list_fields(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::analysis::fields::list(&state.services.db, &api.tenant, agent.id).await?;
    Ok(Json(serde_json::json!({ "fields": rows.into_iter().map(FieldView::from).collect::<Vec<_>>() })))
}

/// `POST /api/v1/agents/{external_id}/fields` with `{"name", "type", "description"?,
/// "options"?}` → 201 field; 409 when the agent has the name.
pub async fn create_field(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(input): ApiJson<backend::analysis::fields::FieldInput>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let created = backend::analysis::fields::create_for_tenant(&state.services.db, &api.tenant, agent.id, input).await?;
    Ok((StatusCode::CREATED, Json(FieldView::from(created))))
}

/// `POST /api/v1/agents/{external_id}/notifications` → 201 notification.
pub async fn create_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let created =
        backend::notifications::create_for_tenant(&state.services.db, &api.tenant, Some(agent.id), input).await?;
    Ok((StatusCode::CREATED, Json(notification_view(&state, &api, created).await?)))
}

/// `POST /api/v1/notifications` → 201 notification that applies to every agent.
pub async fn create_account_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let created = backend::notifications::create_for_tenant(&state.services.db, &api.tenant, None, input).await?;
    Ok((StatusCode::CREATED, Json(notification_view(&state, &api, created).await?)))
}

/// `GET /api/v1/agents/{external_id}/notifications` → the notifications that apply to the
/// agent (its own and the account-wide ones).
pub async fn list_notifications(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::notifications::list(&state.services.db, &api.tenant, Some(agent.id)).await?;
    let mut views = Vec::with_capacity(rows.len());
    for n in rows {
        views.push(notification_view(&state, &api, n).await?);
    }
    Ok(Json(serde_json::json!({ "notifications": views })))
}

/// `GET /api/v1/notifications/{id}`.
pub async fn get_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let n = backend::notifications::get(&state.services.db, &api.tenant, id).await?;
    Ok(Json(notification_view(&state, &api, n).await?))
}

/// `PUT /api/v1/notifications/{id}`: replaces the settings (the agent stays).
pub async fn replace_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let existing = backend::notifications::get(&state.services.db, &api.tenant, id).await?;
    let updated = backend::notifications::update_for_tenant(&state.services.db, &api.tenant, id, existing.agent_id, input).await?;
    Ok(Json(notification_view(&state, &api, updated).await?))
}

/// A task on the wire.
#[derive(Serialize)]
pub struct TaskView {
    pub id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub priority: String,
    pub status: String,
    pub assignee_user_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

impl From<task::Model> for TaskView {
    fn from(t: task::Model) -> Self {
        Self {
            id: t.id,
            conversation_id: t.conversation_id,
            title: t.title,
            description: t.description,
            priority: t.priority,
            status: t.status,
            assignee_user_id: t.assignee_user_id,
            due_at: t.due_at,
            created_at: t.created_at,
            completed_at: t.completed_at,
        }
    }
}

/// Query of `GET /api/v1/tasks`.
#[derive(Deserialize)]
pub struct TaskQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/tasks?status=&priority=&cursor=&limit=` → `{"tasks", "next_cursor"}`.
pub async fn list_tasks(
    State(state): State<AppState>,
    api: ApiTenant,
    Query(q): Query<TaskQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let priority = match q.priority.as_deref() {
        None | Some("") => None,
        Some(p) => Some(backend::types::Priority::parse(p).map_err(|m| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", m).with_field("priority")
        })?),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let filter = backend::tasks::TaskFilter { status: q.status.filter(|s| !s.is_empty()), priority, before: q.cursor };
    let rows = backend::tasks::list(&state.services.db, &api.tenant, &filter, limit).await?;
    let next_cursor = (rows.len() as u64 == limit).then(|| rows.last().map(|t| t.id)).flatten();
    Ok(Json(serde_json::json!({
        "tasks": rows.into_iter().map(TaskView::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

/// `GET /api/v1/tasks/{id}`.
pub async fn get_task(State(state): State<AppState>, api: ApiTenant, Path(id): Path<Uuid>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(TaskView::from(backend::tasks::get(&state.services.db, &api.tenant, id).await?)))
}

/// `PATCH /api/v1/tasks/{id}` body.
#[derive(Deserialize)]
pub struct TaskPatch {
    pub status: String,
}

/// `PATCH /api/v1/tasks/{id}` with `{"status": "open" | "done"}`.
pub async fn patch_task(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> Result<impl IntoResponse, ApiError> {
    let updated = backend::tasks::set_status(&state.services.db, &api.tenant, id, &patch.status).await?;
    Ok(Json(TaskView::from(updated)))
}
