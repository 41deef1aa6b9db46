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
use axum::http::{HeaderMap, StatusCode, header::CONTENT_LENGTH};
use axum::response::IntoResponse;
use serde::Serialize;
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;
use backend::calls::event::RawCallEvent;

/// The ingest answer.
#[derive(Serialize)]
pub struct IngestResponse {
    pub conversation_id: Uuid,
    pub duplicate: bool,
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the body is over the limit of {limit} bytes"),
    )
}

/// Reads at most `limit` bytes of `body`.
pub async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let over = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
        if over {
            too_large(limit)
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "unreadable_body", format!("could not read the body: {e}"))
        }
    })
}

/// Parses JSON into `T`, answering 400 with the path of the bad field.
pub fn parse_json<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = parsed.map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let code = match inner.classify() {
            serde_json::error::Category::Data => "invalid_type",
            _ => "malformed_json",
        };
        let err = ApiError::new(StatusCode::BAD_REQUEST, code, inner.to_string());
        if path.is_empty() || path == "." { err } else { err.with_field(path) }
    })?;
    de.end().map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string()))?;
    Ok(value)
}

/// A JSON request body of at most 256 KiB, parsed with the path of a bad field in its
/// error (400), or 413 when larger: the configuration endpoints' body extractor.
pub struct ApiJson<T>(pub T);

/// Largest accepted JSON body of the configuration endpoints (256 KiB).
pub const CONFIG_BODY_LIMIT: usize = 256 * 1024;

impl<T: serde::de::DeserializeOwned, S: Send + Sync> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = read_limited(&parts.headers, body, CONFIG_BODY_LIMIT).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The handler.
pub async fn ingest(
    State(state): State<AppState>,
    ApiTenant { tenant, account, .. }: ApiTenant,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let bytes = read_limited(&headers, body, state.max_body_bytes).await?;
    backend::accounts::verify_inbound(&state.services.secrets, &account, &headers, &bytes).map_err(|(header, m)| {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", format!("{header}: {m}")).with_field(header)
    })?;
    let raw: RawCallEvent = parse_json(&bytes)?;
    let call = raw.validate()?;
    let outcome = backend::calls::ingest(&state.services, &tenant, &account, call).await?;
    let status = if outcome.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
    Ok((status, Json(IngestResponse { conversation_id: outcome.conversation_id, duplicate: outcome.duplicate })))
}
