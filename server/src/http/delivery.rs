//! Post-call actions, deliveries (dead letters and replay) and scheduled calls over REST.
//! An API key acts for the whole account (as an admin would).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::agents::agent_by_external_id;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::extract::{ApiPath, ApiQuery};
use backend::actions::ActionView;
use backend::actions::FieldCondition;
use backend::deliveries::Channel;
use backend::entities::scheduled_call;

fn default_true() -> bool {
    true
}

/// Body of `POST /api/v1/agents/{external_id}/actions` and `PUT /api/v1/actions/{id}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionBody {
    /// `webhook` or `schedule_call`.
    #[schema(value_type = backend::actions::ActionKind)]
    pub kind: String,
    /// 1-120 characters.
    pub name: String,
    /// An `https://` URL on the public internet (internal addresses are refused).
    pub url: String,
    /// `standard` (default), `slack` or `teams`.
    #[schema(value_type = Option<backend::actions::WebhookFormat>)]
    pub format: Option<String>,
    /// The Slack or Teams message (minijinja, the email variables).
    pub message_template: Option<String>,
    #[serde(default)]
    pub include_transcript: bool,
    /// `{"field", "op", "value"}`; absent = always.
    pub condition: Option<FieldCondition>,
    /// `schedule_call`: the extraction field holding the callback time.
    pub time_field: Option<String>,
    /// `schedule_call`: minutes after the call when the time field is empty.
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

/// `{"actions": [...]}`, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionList {
    pub actions: Vec<ActionView>,
}

/// A created action and its signing secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CreatedAction {
    pub action: ActionView,
    /// The Standard Webhooks signing secret (`whsec_…`), shown only here.
    pub secret: String,
}

/// A new signing secret.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    /// The new `whsec_…` secret; the old one keeps signing during the overlap.
    pub secret: String,
}

/// A queued test delivery.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TestDelivery {
    /// The webhook delivery (see `GET /api/v1/deliveries/webhook/{id}`).
    pub delivery_id: Uuid,
}

const ACTION_ID: &str = "The action id.";

/// Lists an agent's post-call actions, oldest first (never their secrets).
#[utoipa::path(
    get, path = "/agents/{external_id}/actions", tag = "actions",
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses((status = 200, description = "The actions.", body = ActionList))
)]
pub async fn list_actions(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
) -> Result<Json<ActionList>, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::actions::list(&state.services.db, &state.services.secrets, &api.tenant, agent.id).await?;
    Ok(Json(ActionList { actions: rows.into_iter().map(|a| ActionView::new(a, &api.actor())).collect() }))
}

/// Creates a post-call action on an agent; answers its signing secret, shown once.
#[utoipa::path(
    post, path = "/agents/{external_id}/actions", tag = "actions", request_body = ActionBody,
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses(
        (status = 201, description = "The action and its secret.", body = CreatedAction),
        (status = 422, description = "An invalid field, named by `field` (e.g. an internal `url`).", body = ErrorBody),
    )
)]
pub async fn create_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<(StatusCode, Json<CreatedAction>), ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let (action, secret) = backend::actions::create(&state.services, &api.actor(), agent.id, body.into()).await?;
    Ok((StatusCode::CREATED, Json(CreatedAction { action: ActionView::new(action, &api.actor()), secret })))
}

/// Reads an action.
#[utoipa::path(
    get, path = "/actions/{id}", tag = "actions", params(("id" = Uuid, Path, description = ACTION_ID)),
    responses((status = 200, description = "The action.", body = ActionView))
)]
pub async fn get_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ActionView>, ApiError> {
    let action = backend::actions::get(&state.services.db, &state.services.secrets, &api.tenant, id).await?;
    Ok(Json(ActionView::new(action, &api.actor())))
}

/// Replaces an action (the secret stays).
#[utoipa::path(
    put, path = "/actions/{id}", tag = "actions", request_body = ActionBody,
    params(("id" = Uuid, Path, description = ACTION_ID)),
    responses(
        (status = 200, description = "The replaced action.", body = ActionView),
        (status = 422, description = "An invalid field, named by `field`.", body = ErrorBody),
    )
)]
pub async fn replace_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ActionBody>,
) -> Result<Json<ActionView>, ApiError> {
    let updated = backend::actions::update(&state.services, &api.actor(), id, body.into()).await?;
    Ok(Json(ActionView::new(updated, &api.actor())))
}

/// Deletes an action; its deliveries stay.
#[utoipa::path(
    delete, path = "/actions/{id}", tag = "actions", params(("id" = Uuid, Path, description = ACTION_ID)),
    responses((status = 204, description = "Deleted."))
)]
pub async fn delete_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    backend::actions::delete(&state.services.db, &api.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotates an action's signing secret; the old one keeps signing for
/// `webhooks.rotation_overlap_hours`.
#[utoipa::path(
    post, path = "/actions/{id}/rotate-secret", tag = "actions", params(("id" = Uuid, Path, description = ACTION_ID)),
    responses((status = 200, description = "The new secret.", body = RotatedSecret))
)]
pub async fn rotate_secret(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RotatedSecret>, ApiError> {
    let secret = backend::actions::rotate_secret(&state.services, &api.actor(), id).await?;
    Ok(Json(RotatedSecret { secret }))
}

/// Sends a test event to an action's URL.
#[utoipa::path(
    post, path = "/actions/{id}/test", tag = "actions", params(("id" = Uuid, Path, description = ACTION_ID)),
    responses((status = 202, description = "Queued.", body = TestDelivery))
)]
pub async fn test_action(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<TestDelivery>), ApiError> {
    let delivery_id = backend::actions::test_send(&state.services, &api.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(TestDelivery { delivery_id })))
}

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
    pub deliveries: Vec<backend::deliveries::Delivery>,
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
        backend::deliveries::list(&state.services.db, &api.actor(), filter, q.conversation_id, q.cursor, limit).await?;
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
    responses((status = 200, description = "The delivery.", body = backend::deliveries::Detail))
)]
pub async fn get_delivery(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(p): ApiPath<DeliveryPath>,
) -> Result<Json<backend::deliveries::Detail>, ApiError> {
    Ok(Json(backend::deliveries::detail(&state.services.db, &api.actor(), channel(&p.channel)?, p.id).await?))
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
    backend::deliveries::replay(&state.services, &api.actor(), channel(&p.channel)?, p.id).await?;
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
    let replayed = backend::deliveries::replay_conversation(&state.services, &api.actor(), id).await?;
    Ok((StatusCode::ACCEPTED, Json(Replayed { replayed })))
}

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
