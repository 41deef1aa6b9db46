//! Native platform intake over REST: enabling Vapi, Retell or ElevenLabs for the account
//! (`/api/v1/integrations/{platform}`, API key auth), and the public intake URL each
//! platform posts its own end-of-call webhook to (`/api/v1/intake/{platform}/{token}`,
//! authenticated by the platform's signature instead of an API key).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::auth::ApiTenant;
use super::calls::IngestResponse;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath, read_limited};
use backend::integrations::{IntakeError, IntakeOutcome, IntegrationView, Platform};

/// Body of `PUT /api/v1/integrations/{platform}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnableBody {
    /// The platform's signing secret, stored encrypted and never shown again: Retell's API
    /// key (the one with the webhook badge), the ElevenLabs webhook's HMAC secret, or the
    /// secret of the Vapi credential attached to the server URL. 1-500 characters.
    pub secret: String,
}

/// The account's integrations.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IntegrationList {
    pub items: Vec<IntegrationView>,
}

const PLATFORM: &str = "`vapi`, `retell` or `elevenlabs`.";

/// Lists the account's enabled platforms with their intake URLs.
#[utoipa::path(
    get, path = "/integrations", tag = "integrations",
    responses((status = 200, description = "Enabled platforms.", body = IntegrationList))
)]
pub async fn list_integrations(
    State(state): State<AppState>,
    api: ApiTenant,
) -> Result<Json<IntegrationList>, ApiError> {
    let items = backend::integrations::list(&state.services, &api.actor()).await?;
    Ok(Json(IntegrationList { items }))
}

/// Enables a platform (or replaces its secret, keeping its intake URL) and answers the
/// intake URL to paste into the platform. Audited.
#[utoipa::path(
    put, path = "/integrations/{platform}", tag = "integrations",
    params(("platform" = Platform, Path, description = PLATFORM)),
    request_body = EnableBody,
    responses(
        (status = 200, description = "Enabled; paste `intake_url` into the platform.", body = IntegrationView),
        (status = 422, description = "An empty or too long secret (`invalid_field`, `field` = `secret`).", body = ErrorBody),
    )
)]
pub async fn enable_integration(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(platform): ApiPath<Platform>,
    ApiJson(body): ApiJson<EnableBody>,
) -> Result<Json<IntegrationView>, ApiError> {
    let view = backend::integrations::enable(&state.services, &api.actor(), platform, &body.secret).await?;
    Ok(Json(view))
}

/// Disables a platform: its intake URL answers 404 from now on and its secret is deleted.
#[utoipa::path(
    delete, path = "/integrations/{platform}", tag = "integrations",
    params(("platform" = Platform, Path, description = PLATFORM)),
    responses((status = 204, description = "Disabled."))
)]
pub async fn disable_integration(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(platform): ApiPath<Platform>,
) -> Result<StatusCode, ApiError> {
    backend::integrations::disable(&state.services, &api.actor(), platform).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer to an event type Aftercall does not take.
#[derive(Serialize, utoipa::ToSchema)]
pub struct IgnoredEvent {
    /// The platform's event type, e.g. `call_started`.
    pub ignored: String,
}

/// The 200 answer of an intake URL: a repeated call, or an ignored event type.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum IntakeAnswer {
    /// A repeated call: `duplicate` is true and nothing was stored again.
    Stored(IngestResponse),
    /// An event type Aftercall does not take.
    Ignored(IgnoredEvent),
}

/// Receives a platform's own webhook: Retell `call_ended`/`call_analyzed`, ElevenLabs
/// `post_call_transcription`, Vapi `end-of-call-report`. No API key: the URL's token names
/// the account and the platform's signature authenticates the request.
///
/// Checks run in this order, and a refused request stores nothing: 413 body over
/// `ingest.max_body_bytes`, 404 unknown intake URL, 401 signature (`X-Retell-Signature`
/// within 5 minutes; `ElevenLabs-Signature` within 30 minutes; Vapi `X-Vapi-Secret`,
/// bearer, or `X-Vapi-Signature`), 422 a payload field Aftercall cannot use (named by its
/// path in the platform's payload), 404 unknown agent (unless the account auto-creates
/// agents). Then 202 for a new call, 200 for a repeated one (first end wins) or an ignored
/// event type.
#[utoipa::path(
    post, path = "/intake/{platform}/{token}", tag = "integrations",
    operation_id = "platform_intake",
    security(()),
    params(
        ("platform" = Platform, Path, description = PLATFORM),
        ("token" = String, Path, description = "The intake URL's token."),
    ),
    request_body(content = Object, description = "The platform's own webhook body, as it sends it."),
    responses(
        (status = 202, description = "A new call: stored, analysis queued.", body = IngestResponse),
        (status = 200, description = "A repeated call (nothing stored again; the platform's analysis attached when new), or an ignored event type (`{\"ignored\": type}`).", body = IntakeAnswer),
        (status = 401, description = "Bad platform signature (`invalid_signature`, `field` = the header).", body = ErrorBody),
        (status = 422, description = "A payload field that cannot be used (`invalid_field`), named by its path.", body = ErrorBody),
    )
)]
pub async fn intake(
    State(state): State<AppState>,
    ApiPath((platform, token)): ApiPath<(Platform, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let started = std::time::Instant::now();
    let answer = receive(&state, platform, &token, headers, body).await;
    let outcome = match &answer {
        Ok((_, Some(label))) => label,
        Ok((response, None)) => super::calls::outcome_label(response.status()),
        Err(e) => super::calls::outcome_label(e.status),
    };
    backend::telemetry::ingest(platform.as_str(), outcome, started.elapsed());
    answer.map(|(response, _)| response)
}

/// The answer to one intake request, with its metric label when the status does not tell
/// it (`ignored`: an event type that carries no ended call).
async fn receive(
    state: &AppState,
    platform: Platform,
    token: &str,
    headers: HeaderMap,
    body: Body,
) -> Result<(Response, Option<&'static str>), ApiError> {
    let bytes = read_limited(&headers, body, state.max_body_bytes).await?;
    let outcome =
        backend::integrations::receive(&state.services, platform, token, &headers, &bytes, chrono::Utc::now()).await;
    match outcome {
        Ok(IntakeOutcome::Ingested(done)) => {
            let status = if done.duplicate { StatusCode::OK } else { StatusCode::ACCEPTED };
            let body = IngestResponse { conversation_id: done.conversation_id, duplicate: done.duplicate };
            Ok(((status, Json(body)).into_response(), None))
        }
        Ok(IntakeOutcome::Ignored(kind)) => Ok((
            (StatusCode::OK, Json(IntakeAnswer::Ignored(IgnoredEvent { ignored: kind }))).into_response(),
            Some("ignored"),
        )),
        Err(IntakeError::UnknownUrl) => {
            Err(ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such intake URL (or the platform was disabled)"))
        }
        Err(IntakeError::Signature(e)) => {
            Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_signature", format!("{}: {}", e.header, e.message))
                .with_field(e.header))
        }
        // An unknown agent is 404 with `field` = `agent_id`, as for `POST /api/v1/calls`.
        Err(IntakeError::Failed(e)) => Err(e.into()),
    }
}
