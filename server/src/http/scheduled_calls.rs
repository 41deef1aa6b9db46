//! A conversation's scheduled follow-up calls over REST, and cancelling one.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiPath;
use backend::entities::scheduled_call;

/// A scheduled call on the wire.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduledCallView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    /// `scheduled`, `cancelled` or `requested`.
    pub state: backend::actions::ScheduledCallState,
    /// Where the due time came from: the action's time field, or its fallback delay.
    pub source: String,
    pub webhook_delivery_id: Option<Uuid>,
}

impl From<scheduled_call::Model> for ScheduledCallView {
    fn from(c: scheduled_call::Model) -> Self {
        Self {
            id: c.id,
            conversation_id: c.conversation_id,
            action_id: c.action_id,
            due_at: c.due_at,
            state: c.state,
            source: c.source,
            webhook_delivery_id: c.webhook_delivery_id,
        }
    }
}

/// `{"scheduled_calls": [...]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ScheduledCallList {
    pub scheduled_calls: Vec<ScheduledCallView>,
}

/// Lists a conversation's scheduled follow-up calls.
#[utoipa::path(
    get, path = "/conversations/{id}/scheduled-calls", tag = "actions",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 200, description = "The scheduled calls.", body = ScheduledCallList))
)]
pub async fn list_scheduled_calls(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ScheduledCallList>, ApiError> {
    backend::tenancy::secure_find::<backend::entities::conversation::Entity, _>(&state.services.db, &api.tenant, id)
        .await?;
    let rows = backend::actions::scheduled_calls(&state.services.db, &api.tenant, id).await?;
    Ok(Json(ScheduledCallList { scheduled_calls: rows.into_iter().map(ScheduledCallView::from).collect() }))
}

/// Cancels a scheduled call that is still `scheduled`.
#[utoipa::path(
    post, path = "/scheduled-calls/{id}/cancel", tag = "actions",
    params(("id" = Uuid, Path, description = "The scheduled call id.")),
    responses(
        (status = 200, description = "The cancelled call.", body = ScheduledCallView),
        (status = 422, description = "Already requested or cancelled (`field` = `state`).", body = ErrorBody),
    )
)]
pub async fn cancel_scheduled_call(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ScheduledCallView>, ApiError> {
    let call = backend::actions::cancel_scheduled_call(&state.services.db, &api.actor(), id).await?;
    Ok(Json(ScheduledCallView::from(call)))
}
