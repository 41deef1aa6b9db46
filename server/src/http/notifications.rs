//! Notifications over REST: per agent (`/api/v1/agents/{external_id}/notifications`) or
//! on every agent (`/api/v1/notifications`). Creating and replacing over REST publishes at
//! once (the next version); drafts are a dashboard concept.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::agents::agent_by_external_id;
use super::auth::ApiTenant;
use super::calls::ApiJson;
use super::error::ApiError;
use backend::entities::notification;
use backend::notifications::{NotificationInput, Save};

/// A notification on the wire: the input shape plus ids.
#[derive(Serialize)]
pub struct NotificationView {
    pub id: Uuid,
    /// The agent's external id, or null for a notification on every agent.
    pub agent_id: Option<String>,
    #[serde(flatten)]
    pub settings: NotificationInput,
    /// The published version (1, 2, …); 0 = a dashboard draft never published.
    pub version: i32,
    /// Whether the dashboard holds unpublished edits.
    pub has_draft: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn notification_view(
    state: &AppState,
    api: &ApiTenant,
    n: notification::Model,
) -> Result<NotificationView, ApiError> {
    let agent_id = match n.agent_id {
        Some(id) => Some(backend::agents::get(&state.services.db, &api.tenant, id).await?.external_id),
        None => None,
    };
    Ok(NotificationView {
        id: n.id,
        agent_id,
        settings: backend::notifications::to_input(&n),
        version: n.version,
        has_draft: n.draft.is_some(),
        created_at: n.created_at,
        updated_at: n.updated_at,
    })
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
        backend::notifications::create(&state.services.db, &api.actor(), Some(agent.id), input, Save::Publish).await?;
    Ok((StatusCode::CREATED, Json(notification_view(&state, &api, created).await?)))
}

/// `POST /api/v1/notifications` → 201 notification that applies to every agent.
pub async fn create_account_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let created = backend::notifications::create(&state.services.db, &api.actor(), None, input, Save::Publish).await?;
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

/// `PUT /api/v1/notifications/{id}`: replaces the settings (the agent stays) and publishes
/// them as the next version; a dashboard draft is discarded.
pub async fn replace_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<impl IntoResponse, ApiError> {
    let existing = backend::notifications::get(&state.services.db, &api.tenant, id).await?;
    let updated =
        backend::notifications::update(&state.services.db, &api.actor(), id, existing.agent_id, input, Save::Publish)
            .await?;
    Ok(Json(notification_view(&state, &api, updated).await?))
}

/// `GET /api/v1/notifications/{id}/versions` → `{"versions": [{"version", "settings",
/// "created_at"}]}`, newest first.
pub async fn list_versions(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let rows = backend::notifications::versions(&state.services.db, &api.tenant, id).await?;
    let versions: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|v| {
            serde_json::json!({ "version": v.version, "settings": v.settings.settings, "created_at": v.created_at })
        })
        .collect();
    Ok(Json(serde_json::json!({ "versions": versions })))
}
