//! Tasks over REST: filtered list, one task, status changes.

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
use backend::entities::task;

/// A task on the wire.
#[derive(Serialize)]
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
#[derive(Deserialize)]
pub struct TaskQuery {
    pub status: Option<String>,
    pub priority: Option<String>,
    /// Only tasks assigned to this user id.
    pub assignee: Option<Uuid>,
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/tasks?status=&priority=&assignee=&cursor=&limit=` → `{"tasks", "next_cursor"}`.
pub async fn list_tasks(
    State(state): State<AppState>,
    api: ApiTenant,
    Query(q): Query<TaskQuery>,
) -> Result<impl IntoResponse, ApiError> {
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
    Ok(Json(serde_json::json!({
        "tasks": rows.into_iter().map(TaskView::from).collect::<Vec<_>>(),
        "next_cursor": next_cursor,
    })))
}

/// `GET /api/v1/tasks/{id}`.
pub async fn get_task(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(TaskView::from(backend::tasks::get(&state.services.db, &api.tenant, id).await?)))
}

/// A present-or-absent field whose value may be null: absent = `None`, null = `Some(None)`.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `PATCH /api/v1/tasks/{id}` body: any of the fields; absent ones stay as they are.
#[derive(Deserialize)]
pub struct TaskPatch {
    /// `open` or `done`.
    #[serde(default)]
    pub status: Option<String>,
    /// A member's user id, or null to unassign.
    #[serde(default, deserialize_with = "present")]
    pub assignee_user_id: Option<Option<Uuid>>,
    /// RFC 3339, or null for no due date.
    #[serde(default, deserialize_with = "present")]
    pub due_at: Option<Option<DateTime<Utc>>>,
}

/// `PATCH /api/v1/tasks/{id}` with `{"status"?: "open" | "done", "assignee_user_id"?: id |
/// null, "due_at"?: time | null}`.
pub async fn patch_task(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
    ApiJson(patch): ApiJson<TaskPatch>,
) -> Result<impl IntoResponse, ApiError> {
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
