//! Tasks over REST: filtered list, one task, status changes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::extract::{ApiPath, ApiQuery};
use backend::entities::task;

/// A task on the wire.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub priority: backend::types::Priority,
    pub status: backend::tasks::TaskStatus,
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
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskQuery {
    /// `open` or `done`.
    pub status: Option<String>,
    /// `low`, `medium`, `high` or `urgent`.
    pub priority: Option<String>,
    /// Only tasks assigned to this user id.
    pub assignee: Option<Uuid>,
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
}

/// One page of tasks, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TaskPage {
    pub tasks: Vec<TaskView>,
    /// The `cursor` of the next page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

/// Lists tasks, newest first, filtered.
#[utoipa::path(
    get, path = "/tasks", tag = "tasks", params(TaskQuery),
    responses(
        (status = 200, description = "One page.", body = TaskPage),
        (status = 422, description = "A filter that does not parse (`invalid_field`, naming it).", body = ErrorBody),
    )
)]
pub async fn list_tasks(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let priority =
        match q.priority.as_deref() {
            None | Some("") => None,
            Some(p) => Some(backend::types::Priority::parse(p).map_err(|m| {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", m).with_field("priority")
            })?),
        };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let filter = backend::tasks::TaskFilter {
        status: q.status.filter(|s| !s.is_empty()),
        priority,
        assignee: q.assignee,
        before: q.cursor,
    };
    let rows = backend::tasks::list(&state.services.db, &api.tenant, &filter, limit).await?;
    let next_cursor = (rows.len() as u64 == limit).then(|| rows.last().map(|t| t.id)).flatten();
    Ok(Json(TaskPage { tasks: rows.into_iter().map(TaskView::from).collect(), next_cursor }))
}

/// Reads a task.
#[utoipa::path(
    get, path = "/tasks/{id}", tag = "tasks",
    params(("id" = Uuid, Path, description = "The task id.")),
    responses((status = 200, description = "The task.", body = TaskView))
)]
pub async fn get_task(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<TaskView>, ApiError> {
    Ok(Json(TaskView::from(backend::tasks::get(&state.services.db, &api.tenant, id).await?)))
}

/// A present-or-absent field whose value may be null: absent = `None`, null = `Some(None)`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/tasks/{id}` body: any of the fields; absent ones stay as they are.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct TaskPatch {
    /// `open` or `done` (anything else answers 422 naming `status`).
    #[serde(default)]
    #[schema(value_type = Option<backend::tasks::TaskStatus>)]
    pub status: Option<String>,
    /// A member's user id, or null to unassign.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub assignee_user_id: Option<Option<Uuid>>,
    /// RFC 3339, or null for no due date.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub due_at: Option<Option<DateTime<Utc>>>,
}

/// Changes a task's status, assignee or due time.
#[utoipa::path(
    patch, path = "/tasks/{id}", tag = "tasks", request_body = TaskPatch,
    params(("id" = Uuid, Path, description = "The task id.")),
    responses(
        (status = 200, description = "The task.", body = TaskView),
        (status = 422, description = "An assignee who is not a member (`field` = `assignee_user_id`) or another invalid field.", body = ErrorBody),
    )
)]
pub async fn patch_task(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> Result<Json<TaskView>, ApiError> {
    let db = &state.services.db;
    let mut task = backend::tasks::get(db, &api.tenant, id).await?;
    if patch.assignee_user_id.is_some() || patch.due_at.is_some() {
        let assignee = patch.assignee_user_id.unwrap_or(task.assignee_user_id);
        let due_at = patch.due_at.unwrap_or(task.due_at);
        task = backend::tasks::assign(db, &api.tenant, id, assignee, due_at).await.map_err(|e| match e {
            // The REST body's name for the dashboard's `assignee`.
            backend::Error::Invalid { field, message } if field == "assignee" => {
                backend::Error::Invalid { field: "assignee_user_id".into(), message }
            }
            other => other,
        })?;
    }
    if let Some(status) = &patch.status {
        task = backend::tasks::set_status(db, &api.tenant, id, status).await?;
    }
    Ok(Json(TaskView::from(task)))
}
