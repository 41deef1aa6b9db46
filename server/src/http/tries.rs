//! *Try on recent calls* over REST: a notification's or an action's current draft (else its
//! published settings) run on the agent's latest conversations through the account's
//! analyzer. Nothing is sent or stored.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use backend::jobs::dry_run::{self, TryReport};

/// Body of the `…/try` operations.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TryBody {
    /// How many of the latest conversations: 1 to 100, default 20.
    pub limit: Option<u64>,
}

/// Tries a notification on recent calls: per conversation, whether it would fire and why
/// (trigger verdict or the structured condition that stops it), the chosen route, the
/// recipients and the rendered email. Its draft is tried when there is one.
#[utoipa::path(
    post, path = "/notifications/{id}/try", tag = "notifications", request_body = TryBody,
    params(("id" = Uuid, Path, description = "The notification id.")),
    responses(
        (status = 200, description = "What it would have done; nothing was sent or stored.", body = TryReport),
        (status = 422, description = "`limit` out of range, or a draft that no longer validates.", body = ErrorBody),
    )
)]
pub async fn try_notification(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TryBody>,
) -> Result<Json<TryReport>, ApiError> {
    Ok(Json(dry_run::notification(&state.services, &api.actor(), id, body.limit).await?))
}

/// Tries a post-call action on recent calls: per conversation, whether its condition holds
/// and the request body (or Slack / Teams message, or callback time) it would send. Its
/// draft is tried when there is one.
#[utoipa::path(
    post, path = "/actions/{id}/try", tag = "actions", request_body = TryBody,
    params(("id" = Uuid, Path, description = "The action id.")),
    responses(
        (status = 200, description = "What it would have done; nothing was sent or stored.", body = TryReport),
        (status = 422, description = "`limit` out of range.", body = ErrorBody),
    )
)]
pub async fn try_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TryBody>,
) -> Result<Json<TryReport>, ApiError> {
    Ok(Json(dry_run::action(&state.services, &api.actor(), id, body.limit).await?))
}
