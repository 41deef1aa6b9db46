//! Post-call actions, deliveries (dead letters and replay) and scheduled calls over REST.
//! An API key acts for the whole account (as an admin would).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::agents::agent_by_external_id;
use super::auth::ApiTenant;
use super::calls::ApiJson;
use super::error::ApiError;
use backend::actions::FieldCondition;
use backend::deliveries::Channel;
use backend::entities::{post_call_action, scheduled_call};

/// An action on the wire (never its secret).
#[derive(Serialize)]
pub struct ActionView {
    pub id: Uuid,
    pub agent_id: Uuid,
    pub kind: backend::actions::ActionKind,
    pub name: String,
    pub enabled: bool,
    pub url: String,
    pub format: backend::actions::WebhookFormat,
    pub message_template: Option<String>,
    pub include_transcript: bool,
    pub condition: Option<FieldCondition>,
    pub time_field: Option<String>,
    pub fallback_delay_minutes: Option<i32>,
    /// First failure since the last success.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why it was turned off automatically.
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<post_call_action::Model> for ActionView {
    fn from(a: post_call_action::Model) -> Self {
        Self {
            condition: backend::actions::condition_of(&a),
            id: a.id,
            agent_id: a.agent_id,
            kind: a.kind,
            name: a.name,
            enabled: a.enabled,
            url: a.url,
            format: a.format,
            message_template: a.message_template,
            include_transcript: a.include_transcript,
            time_field: a.time_field,
            fallback_delay_minutes: a.fallback_delay_minutes,
            failing_since: a.failing_since,
            disabled_reason: a.disabled_reason,
            created_at: a.created_at,
        }
    }
}

fn default_true() -> bool {
    true
}

/// Body of `POST /api/v1/agents/{external_id}/actions` and `PUT /api/v1/actions/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `webhook` or `schedule_call`.
    pub kind: String,
    pub name: String,
    pub url: String,
    /// `standard` (default), `slack` or `teams`.
    pub format: Option<String>,
    pub message_template: Option<String>,
    #[serde(default)]
    pub include_transcript: bool,
    /// `{"field", "op", "value"}`; absent = always.
    pub condition: Option<FieldCondition>,
    pub time_field: Option<String>,
    pub fallback_delay_minutes: Option<i32>,
    #[serde(default = "default_true")]
    pub enabled: bool,
}

impl From<ActionBody> for backend::actions::ActionInput {
    fn from(b: ActionBody) -> Self {
        Self {
            kind: b.kind,
            name: b.name,
            url: b.url,
            format: b.format,
            message_template: b.message_template,
            include_transcript: b.include_transcript,
            condition: b.condition,
            time_field: b.time_field,
            fallback_delay_minutes: b.fallback_delay_minutes,
            enabled: b.enabled,
        }
    }
}

/// `GET /api/v1/agents/{external_id}/actions` → `{"actions": [...]}`, oldest first.
pub async fn list_actions(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::actions::list(&state.services.db, &state.services.secrets, &api.tenant, agent.id).await?;
    Ok(Json(serde_json::json!({ "actions": rows.into_iter().map(ActionView::from).collect::<Vec<_>>() })))
}

/// `POST /api/v1/agents/{external_id}/actions` → 201 `{"action", "secret"}` (the signing
/// secret, shown once); 422 naming the bad field.
pub async fn create_action(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let (action, secret) = backend::actions::create(&state.services, &api.actor(), agent.id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "action": ActionView::from(action), "secret": secret }))))
}

/// `GET /api/v1/actions/{id}` → the action.
pub async fn get_action(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(ActionView::from(
        backend::actions::get(&state.services.db, &state.services.secrets, &api.tenant, id).await?,
    )))
}

/// `PUT /api/v1/actions/{id}` → the replaced action (the secret stays).
pub async fn replace_action(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<impl IntoResponse, ApiError> {
    let updated = backend::actions::update(&state.services, &api.actor(), id, body.into()).await?;
    Ok(Json(ActionView::from(updated)))
}

/// `DELETE /api/v1/actions/{id}` → 204 (its deliveries stay).
pub async fn delete_action(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    backend::actions::delete(&state.services.db, &api.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/actions/{id}/rotate-secret` → `{"secret"}`; the old secret keeps signing
/// for `webhooks.rotation_overlap_hours`.
pub async fn rotate_secret(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let secret = backend::actions::rotate_secret(&state.services, &api.actor(), id).await?;
    Ok(Json(serde_json::json!({ "secret": secret })))
}

/// `POST /api/v1/actions/{id}/test` → 202 `{"delivery_id"}`.
pub async fn test_action(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let delivery = backend::actions::test_send(&state.services, &api.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "delivery_id": delivery }))))
}

/// Query of `GET /api/v1/deliveries`.
#[derive(Deserialize)]
pub struct DeliveryQuery {
    /// `pending`, `retrying`, `delivered` or `dead`.
    pub state: Option<String>,
    pub conversation_id: Option<Uuid>,
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    pub limit: Option<u64>,
}

/// `GET /api/v1/deliveries?state=&conversation_id=&cursor=&limit=` → `{"deliveries",
/// "next_cursor"}`, newest first.
pub async fn list_deliveries(
    State(state): State<AppState>,
    api: ApiTenant,
    Query(q): Query<DeliveryQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let filter = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(backend::deliveries::StateFilter::parse(s).ok_or_else(|| {
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
        backend::deliveries::list(&state.services.db, &api.tenant, None, filter, q.conversation_id, q.cursor, limit)
            .await?;
    let next = (rows.len() as u64 == limit).then(|| rows.last().map(|d| d.id)).flatten();
    Ok(Json(serde_json::json!({ "deliveries": rows, "next_cursor": next })))
}

fn channel(value: &str) -> Result<Channel, ApiError> {
    Channel::parse(value).ok_or_else(|| {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such delivery channel (email or webhook)")
            .with_field("channel")
    })
}

/// `GET /api/v1/deliveries/{channel}/{id}` → the delivery, its `message_id`, body and
/// `attempts`.
pub async fn get_delivery(
    State(state): State<AppState>,
    api: ApiTenant,
    Path((ch, id)): Path<(String, Uuid)>,
) -> Result<impl IntoResponse, ApiError> {
    let d = backend::deliveries::detail(&state.services.db, &api.tenant, None, channel(&ch)?, id).await?;
    let attempts: Vec<serde_json::Value> = d
        .attempts
        .into_iter()
        .map(|a| {
            serde_json::json!({
                "attempt": a.attempt, "outcome": a.outcome, "status_code": a.status_code, "request": a.request,
                "response": a.response, "error": a.error, "duration_ms": a.duration_ms, "at": a.created_at,
            })
        })
        .collect();
    Ok(Json(
        serde_json::json!({ "delivery": d.delivery, "message_id": d.message_id, "body": d.body, "attempts": attempts }),
    ))
}

/// `POST /api/v1/deliveries/{channel}/{id}/replay` → 202; 422 (`state`) unless dead.
pub async fn replay_delivery(
    State(state): State<AppState>,
    api: ApiTenant,
    Path((ch, id)): Path<(String, Uuid)>,
) -> Result<impl IntoResponse, ApiError> {
    backend::deliveries::replay(&state.services, &api.actor(), channel(&ch)?, id).await?;
    Ok(StatusCode::ACCEPTED)
}

/// `POST /api/v1/conversations/{id}/replay` → 202 `{"replayed": n}` (dead jobs revived).
pub async fn replay_conversation(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let n = backend::deliveries::replay_conversation(&state.services, &api.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "replayed": n }))))
}

/// A scheduled call on the wire.
#[derive(Serialize)]
pub struct ScheduledCallView {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    /// `scheduled`, `cancelled` or `requested`.
    pub state: backend::actions::ScheduledCallState,
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

/// `GET /api/v1/conversations/{id}/scheduled-calls` → `{"scheduled_calls": [...]}`.
pub async fn list_scheduled_calls(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    backend::tenancy::secure_find::<backend::entities::conversation::Entity, _>(&state.services.db, &api.tenant, id)
        .await?;
    let rows = backend::actions::scheduled_calls(&state.services.db, &api.tenant, id).await?;
    Ok(Json(
        serde_json::json!({ "scheduled_calls": rows.into_iter().map(ScheduledCallView::from).collect::<Vec<_>>() }),
    ))
}

/// `POST /api/v1/scheduled-calls/{id}/cancel` → the cancelled call; 422 (`state`) once
/// requested or cancelled.
pub async fn cancel_scheduled_call(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, ApiError> {
    let call = backend::actions::cancel_scheduled_call(&state.services.db, &api.actor(), id).await?;
    Ok(Json(ScheduledCallView::from(call)))
}
