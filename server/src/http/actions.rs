//! Post-call actions over REST: per agent (`/api/v1/agents/{external_id}/actions`) and by
//! id (`/api/v1/actions/{id}`), their signing secret and test sends. An API key acts for
//! the whole account (as an admin would).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::agents::agent_by_external_id;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::{ApiJson, ApiPath};
use backend::actions::{ActionView, Save};
use backend::conditions::Condition;

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
    /// `standard` (default), `slack`, `teams` or `request` (an HTTP request of your own).
    #[schema(value_type = Option<backend::actions::WebhookFormat>)]
    pub format: Option<String>,
    /// The Slack or Teams message (minijinja, the email variables).
    pub message_template: Option<String>,
    /// `request`: `POST` (default), `PUT` or `PATCH`.
    #[schema(value_type = Option<backend::actions::HttpMethod>)]
    pub method: Option<String>,
    /// `request`: headers `[{"name", "value", "secret"?}]`; a secret value is stored
    /// encrypted and never shown again (leave it out on `PUT` to keep it). At most 20.
    #[serde(default)]
    pub headers: Vec<backend::actions::HeaderInput>,
    /// `request`: `{"kind": "none"}` (default), `{"kind": "bearer", "token"}` or `{"kind":
    /// "basic", "username", "password"}` (leave the token or password out on `PUT` to keep it).
    #[serde(default)]
    pub auth: backend::actions::AuthInput,
    /// `request`: the JSON body (minijinja with the email variables and `analysis`; every
    /// `{{ value }}` is written as JSON). Checked at save by rendering the agent's sample
    /// call: an error names the line.
    pub body_template: Option<String>,
    /// `request`: add Standard Webhooks signature headers (default true).
    pub sign: Option<bool>,
    #[serde(default)]
    pub include_transcript: bool,
    /// When the action runs: `{"field", "operator", "value"}` (a call fact — `end_reason`,
    /// `direction`, `status`, `duration`, `goal` — or an extracted field; the value typed:
    /// string, number, boolean, null, or a list for `in` / `not_in`), or `{"all": [...]}` /
    /// `{"any": [...]}` of those; absent = always.
    pub condition: Option<Condition>,
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
            method: b.method,
            headers: b.headers,
            auth: b.auth,
            body_template: b.body_template,
            sign: b.sign,
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

/// Creates a post-call action on an agent, published at once as version 1; answers its
/// signing secret, shown once.
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
    let (action, secret) =
        backend::actions::create(&state.services, &api.actor(), agent.id, body.into(), Save::Publish).await?;
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

/// Replaces an action (the secret stays) and publishes it as the next version; a dashboard
/// draft is discarded.
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
    let updated = backend::actions::update(&state.services, &api.actor(), id, body.into(), Save::Publish).await?;
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

/// One published version of an action (never its URL's path or credentials).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionVersionView {
    pub version: i32,
    pub name: String,
    /// Scheme and host only (`https://hooks.example.com/…`).
    pub url: String,
    pub format: backend::actions::WebhookFormat,
    pub condition: Option<Condition>,
    /// The condition in words.
    pub condition_text: Option<String>,
    /// Who published it (null over the API).
    pub created_by: Option<Uuid>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// `{"versions": [...]}`, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ActionVersionList {
    pub versions: Vec<ActionVersionView>,
}

/// Lists an action's published versions, newest first; each delivery records the version
/// it used (`action_version`).
#[utoipa::path(
    get, path = "/actions/{id}/versions", tag = "actions", params(("id" = Uuid, Path, description = ACTION_ID)),
    responses((status = 200, description = "The versions.", body = ActionVersionList))
)]
pub async fn action_versions(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ActionVersionList>, ApiError> {
    let found = backend::actions::versions(&state.services.db, &state.services.secrets, &api.tenant, id).await?;
    let versions = found
        .into_iter()
        .map(|v| ActionVersionView {
            version: v.version,
            name: v.settings.name.clone(),
            url: backend::actions::display_url(&v.settings.url),
            format: v.settings.format,
            condition_text: v.settings.condition.as_ref().map(Condition::describe),
            condition: v.settings.condition,
            created_by: v.created_by,
            created_at: v.created_at,
        })
        .collect();
    Ok(Json(ActionVersionList { versions }))
}
