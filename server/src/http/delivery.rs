//! Deliveries over REST: emails and webhook deliveries, one with its attempts, and
//! replaying dead letters (one, or all of a conversation's). An API key acts for the whole
//! account (as an admin would).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiPath, ApiQuery};
use backend::delivery::Channel;

/// Query of `GET /api/v1/deliveries`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// `pending`, `retrying`, `delivered` or `dead`.
    pub state: Option<String>,
    /// Only this conversation's deliveries.
    pub conversation_id: Option<Uuid>,
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
}

/// One page of deliveries, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DeliveryPage {
    pub deliveries: Vec<backend::delivery::Delivery>,
    /// The `cursor` of the next page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

/// Lists emails and webhook deliveries, newest first.
#[utoipa::path(
    get, path = "/deliveries", tag = "deliveries", params(DeliveryQuery),
    responses(
        (status = 200, description = "One page.", body = DeliveryPage),
        (status = 422, description = "An unknown `state`.", body = ErrorBody),
    )
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiQuery(q): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryPage>, ApiError> {
    let filter = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(backend::delivery::StateFilter::parse(s).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "must be pending, retrying, delivered or dead",
            )
            .with_field("state")
        })?),
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let rows =
        backend::delivery::list(&state.services.db, &api.actor(), filter, q.conversation_id, q.cursor, limit).await?;
    let next = (rows.len() as u64 == limit).then(|| rows.last().map(|d| d.id)).flatten();
    Ok(Json(DeliveryPage { deliveries: rows, next_cursor: next }))
}

fn channel(value: &str) -> Result<Channel, ApiError> {
    Channel::parse(value).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such delivery channel (email or webhook)")
            .with_field("channel")
    })
}

/// The channel and id of a delivery.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
pub struct DeliveryPath {
    /// `email` or `webhook`.
    pub channel: String,
    /// The delivery id.
    pub id: Uuid,
}

/// Reads a delivery with its message id, body and every attempt.
#[utoipa::path(
    get, path = "/deliveries/{channel}/{id}", tag = "deliveries", params(DeliveryPath),
    responses((status = 200, description = "The delivery.", body = backend::delivery::Detail))
)]
pub async fn get_delivery(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(p): ApiPath<DeliveryPath>,
) -> Result<Json<backend::delivery::Detail>, ApiError> {
    Ok(Json(backend::delivery::detail(&state.services.db, &api.actor(), channel(&p.channel)?, p.id).await?))
}

/// Replays a dead letter: the delivery is attempted again.
#[utoipa::path(
    post, path = "/deliveries/{channel}/{id}/replay", tag = "deliveries", params(DeliveryPath),
    responses(
        (status = 202, description = "Queued."),
        (status = 422, description = "Not a dead letter (`field` = `state`).", body = ErrorBody),
    )
)]
pub async fn replay_delivery(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(p): ApiPath<DeliveryPath>,
) -> Result<StatusCode, ApiError> {
    backend::delivery::replay(&state.services, &api.actor(), channel(&p.channel)?, p.id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// How many dead jobs a conversation replay revived.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Replayed {
    pub replayed: usize,
}

/// Runs every dead job of a conversation again (emails, webhooks, callbacks).
#[utoipa::path(
    post, path = "/conversations/{id}/replay", tag = "deliveries",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 202, description = "Queued.", body = Replayed))
)]
pub async fn replay_conversation(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<Replayed>), ApiError> {
    let replayed = backend::delivery::replay_conversation(&state.services, &api.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(Replayed { replayed })))
}
