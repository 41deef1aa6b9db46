//! `POST /api/v1/calls`: the call-ended webhook (SPEC section 3).
//!
//! Checks run in this order, and a rejected request stores nothing: 401 API key, 413 body
//! over `ingest.max_body_bytes`, 401 signature (when the account signs ingest: Standard
//! Webhooks headers, 5-minute tolerance), 400 malformed JSON or a mistyped field (with its path),
//! 422 a semantically invalid field (with its path), 404 unknown agent (unless the
//! account auto-creates agents). Then 202 `{"conversation_id", "duplicate": false}` for a
//! new call, 200 `{"conversation_id", "duplicate": true}` for any later event.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::{parse_json, read_limited};
use backend::calls::event::RawCallEvent;

/// The ingest answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IngestResponse {
    /// The stored conversation (the first event's, for a duplicate).
    pub conversation_id: Uuid,
    /// Whether the call id was already stored (nothing was stored or sent again).
    pub duplicate: bool,
}

/// Stores a call-ended event exactly once and queues its analysis.
///
/// Checks run in this order, and a rejected request stores nothing: 401 API key, 413 body
/// over `ingest.max_body_bytes`, 401 signature (when the account signs ingest), 400
/// malformed JSON or a mistyped field, 422 an invalid field, 404 unknown agent (unless the
/// account auto-creates agents).
#[utoipa::path(
    post,
    path = "/calls",
    tag = "calls",
    operation_id = "ingest_call",
    request_body = RawCallEvent,
    params(
        ("webhook-id" = Option<String>, Header, description = "Standard Webhooks message id (when the account signs ingest)."),
        ("webhook-timestamp" = Option<i64>, Header, description = "Unix seconds, within 5 minutes (when signed)."),
        ("webhook-signature" = Option<String>, Header, description = "`v1,<base64 HMAC-SHA256>` (when signed)."),
    ),
    responses(
        (status = 202, description = "A new call: stored, analysis queued.", body = IngestResponse),
        (status = 200, description = "A repeated call id: nothing stored or sent again.", body = IngestResponse),
        (status = 401, description = "Bad API key (`unauthorized`) or bad signature (`invalid_signature`, `field` = the header).", body = ErrorBody),
        (status = 404, description = "Unknown agent (`not_found`, `field` = `agent_id`).", body = ErrorBody),
        (status = 422, description = "An invalid field (`invalid_field`), named by `field`.", body = ErrorBody),
    )
)]
pub async fn ingest(
    State(state): State<AppState>,
    api: ApiTenant,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let started = std::time::Instant::now();
    let answer = store_event(&state, api, headers, body).await;
    let status = match &answer {
        Ok((status, _)) => *status,
        Err(e) => e.status,
    };
    backend::telemetry::ingest("api", outcome_label(status), started.elapsed());
    answer
}

/// The `outcome` label of an answered call-ended event ([`backend::telemetry::ingest`]).
pub fn outcome_label(status: StatusCode) -> &'static str {
    match status.as_u16() {
        202 => "created",
        200..=299 => "duplicate",
        400..=499 => "rejected",
        _ => "failed",
    }
}

async fn store_event(
    state: &AppState,
    ApiTenant { tenant, account, .. }: ApiTenant,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<IngestResponse>), ApiError> {
    let bytes = read_limited(&headers, body, state.max_body_bytes).await?;
    backend::identity::accounts::verify_inbound(&state.services.secrets, &account, &headers, &bytes).map_err(
        |(header, m)| {
            ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", format!("{header}: {m}")).with_field(header)
        },
    )?;
    let raw: RawCallEvent = parse_json(&bytes)?;
    let call = raw.validate()?;
    let outcome = backend::calls::ingest(&state.services, &tenant, &account, call).await?;
    let status = if outcome.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(IngestResponse { conversation_id: outcome.conversation_id, duplicate: outcome.duplicate })))
}
