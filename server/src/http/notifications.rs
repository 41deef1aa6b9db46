//! Notifications over REST: per agent (`/api/v1/agents/{external_id}/notifications`) or
//! on every agent (`/api/v1/notifications`). Creating and replacing over REST publishes at
//! once (the next version); drafts are a dashboard concept.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::agents::agent_by_external_id;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::extract::ApiPath;
use backend::entities::notification;
use backend::notifications::{NotificationInput, Save};

/// A notification on the wire: the input shape plus ids.
#[derive(Serialize, utoipa::ToSchema)]
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

/// `{"notifications": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NotificationList {
    pub notifications: Vec<NotificationView>,
}

/// One published version of a notification.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionView {
    pub version: i32,
    /// The settings as published.
    pub settings: NotificationInput,
    pub created_at: DateTime<Utc>,
}

/// `{"versions": [...]}`, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct VersionList {
    pub versions: Vec<VersionView>,
}

/// Creates a notification for one agent, published at once as version 1.
#[utoipa::path(
    post, path = "/agents/{external_id}/notifications", tag = "notifications", request_body = NotificationInput,
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses(
        (status = 201, description = "The notification.", body = NotificationView),
        (status = 422, description = "An invalid setting, named by `field` (e.g. `trigger.condition`, `recipients.fixed[0]`, `email.body`).", body = ErrorBody),
    )
)]
pub async fn create_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<(StatusCode, Json<NotificationView>), ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let created =
        backend::notifications::create(&state.services.db, &api.actor(), Some(agent.id), input, Save::Publish).await?;
    Ok((StatusCode::CREATED, Json(notification_view(&state, &api, created).await?)))
}

/// Creates a notification that applies to every agent of the account.
#[utoipa::path(
    post, path = "/notifications", tag = "notifications", request_body = NotificationInput,
    responses(
        (status = 201, description = "The notification (`agent_id` null).", body = NotificationView),
        (status = 422, description = "An invalid setting, named by `field`.", body = ErrorBody),
    )
)]
pub async fn create_account_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<(StatusCode, Json<NotificationView>), ApiError> {
    let created = backend::notifications::create(&state.services.db, &api.actor(), None, input, Save::Publish).await?;
    Ok((StatusCode::CREATED, Json(notification_view(&state, &api, created).await?)))
}

/// Lists the notifications that apply to an agent: its own and the account-wide ones.
#[utoipa::path(
    get, path = "/agents/{external_id}/notifications", tag = "notifications",
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses((status = 200, description = "The notifications.", body = NotificationList))
)]
pub async fn list_notifications(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
) -> Result<Json<NotificationList>, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::notifications::list(&state.services.db, &api.tenant, Some(agent.id)).await?;
    let mut views = Vec::with_capacity(rows.len());
    for n in rows {
        views.push(notification_view(&state, &api, n).await?);
    }
    Ok(Json(NotificationList { notifications: views }))
}

/// Reads a notification with its published `version` and whether a draft exists.
#[utoipa::path(
    get, path = "/notifications/{id}", tag = "notifications",
    params(("id" = Uuid, Path, description = "The notification id.")),
    responses((status = 200, description = "The notification.", body = NotificationView))
)]
pub async fn get_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<NotificationView>, ApiError> {
    let n = backend::notifications::get(&state.services.db, &api.tenant, id).await?;
    Ok(Json(notification_view(&state, &api, n).await?))
}

/// Replaces a notification's settings (the agent stays) and publishes them as the next
/// version; a dashboard draft is discarded.
#[utoipa::path(
    put, path = "/notifications/{id}", tag = "notifications", request_body = NotificationInput,
    params(("id" = Uuid, Path, description = "The notification id.")),
    responses(
        (status = 200, description = "The notification.", body = NotificationView),
        (status = 422, description = "An invalid setting, named by `field`.", body = ErrorBody),
    )
)]
pub async fn replace_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NotificationInput>,
) -> Result<Json<NotificationView>, ApiError> {
    let existing = backend::notifications::get(&state.services.db, &api.tenant, id).await?;
    let updated =
        backend::notifications::update(&state.services.db, &api.actor(), id, existing.agent_id, input, Save::Publish)
            .await?;
    Ok(Json(notification_view(&state, &api, updated).await?))
}

/// Lists a notification's published versions, newest first.
#[utoipa::path(
    get, path = "/notifications/{id}/versions", tag = "notifications",
    params(("id" = Uuid, Path, description = "The notification id.")),
    responses((status = 200, description = "The versions.", body = VersionList))
)]
pub async fn list_versions(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<VersionList>, ApiError> {
    let rows = backend::notifications::versions(&state.services.db, &api.tenant, id).await?;
    let versions = rows
        .into_iter()
        .map(|v| VersionView { version: v.version, settings: v.settings.settings, created_at: v.created_at })
        .collect();
    Ok(Json(VersionList { versions }))
}
