//! `/api/v1/agents`: agents, their goal and their extraction fields.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::{ApiError, ErrorBody};
use super::extract::ApiJson;
use super::extract::ApiPath;
use backend::entities::agent;

/// An agent on the wire.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AgentView {
    pub id: Uuid,
    pub external_id: String,
    pub name: String,
    pub timezone: String,
    pub language: String,
    /// The natural-language goal judged for every call, or null.
    pub goal: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<agent::Model> for AgentView {
    fn from(a: agent::Model) -> Self {
        Self {
            id: a.id,
            external_id: a.external_id,
            name: a.name,
            timezone: a.timezone,
            language: a.language,
            goal: a.goal,
            created_at: a.created_at,
        }
    }
}

/// `POST /api/v1/agents` and `PUT /api/v1/agents/{external_id}` body.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAgent {
    /// The voice platform's id of the agent (1-200 characters), unique in the account.
    pub external_id: String,
    /// Display name; defaults to the external id.
    pub name: Option<String>,
    /// IANA time zone, e.g. `Europe/Paris` (default `UTC`): times in its emails.
    pub timezone: Option<String>,
    /// BCP 47 language of its calls, e.g. `en` (default).
    pub language: Option<String>,
    /// A natural-language outcome judged for every call.
    pub goal: Option<String>,
}

impl From<NewAgent> for backend::agents::AgentInput {
    fn from(new: NewAgent) -> Self {
        Self {
            external_id: new.external_id,
            name: new.name,
            timezone: new.timezone,
            language: new.language,
            goal: new.goal,
        }
    }
}

/// `{"agents": [...]}`, by name.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AgentList {
    pub agents: Vec<AgentView>,
}

/// Creates an agent.
#[utoipa::path(
    post, path = "/agents", tag = "agents", request_body = NewAgent,
    responses(
        (status = 201, description = "The agent.", body = AgentView),
        (status = 409, description = "The external id exists (`conflict`, `field` = `external_id`).", body = ErrorBody),
        (status = 422, description = "An invalid field, named by `field`.", body = ErrorBody),
    )
)]
pub async fn create_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let created = backend::agents::create(&state.services.db, &api.actor(), new.into()).await?;
    Ok((StatusCode::CREATED, Json(AgentView::from(created))))
}

/// Lists the account's agents by name.
#[utoipa::path(get, path = "/agents", tag = "agents", responses((status = 200, description = "The agents.", body = AgentList)))]
pub async fn list_agents(State(state): State<AppState>, api: ApiTenant) -> Result<Json<AgentList>, ApiError> {
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    Ok(Json(AgentList { agents: agents.into_iter().map(AgentView::from).collect() }))
}

/// The tenant's agent with `external_id`, or 404 naming `external_id`.
pub(super) async fn agent_by_external_id(
    state: &AppState,
    api: &ApiTenant,
    external_id: &str,
) -> Result<agent::Model, ApiError> {
    backend::agents::find_by_external_id(&state.services.db, &api.tenant, external_id)
        .await?
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "agent not found").with_field("external_id"))
}

/// Replaces an agent's name, time zone, language and goal (the external id in the body
/// may rename it).
#[utoipa::path(
    put, path = "/agents/{external_id}", tag = "agents", request_body = NewAgent,
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses(
        (status = 200, description = "The replaced agent.", body = AgentView),
        (status = 409, description = "The new external id is taken (`conflict`).", body = ErrorBody),
        (status = 422, description = "An invalid field, named by `field`.", body = ErrorBody),
    )
)]
pub async fn replace_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let updated = backend::agents::update(&state.services.db, &api.actor(), agent.id, new.into()).await?;
    Ok(Json(AgentView::from(updated)))
}

/// An extraction field on the wire.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldView {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: backend::analysis::fields::FieldType,
    pub description: String,
    pub options: Vec<String>,
}

impl From<backend::entities::extraction_field::Model> for FieldView {
    fn from(f: backend::entities::extraction_field::Model) -> Self {
        let spec = backend::analysis::fields::spec_of(&f);
        Self { id: f.id, name: spec.name, kind: spec.kind, description: spec.description, options: spec.options }
    }
}

/// `{"fields": [...]}`, in extraction order.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldList {
    pub fields: Vec<FieldView>,
}

/// Lists an agent's extraction fields in order.
#[utoipa::path(
    get, path = "/agents/{external_id}/fields", tag = "agents",
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses((status = 200, description = "The fields.", body = FieldList))
)]
pub async fn list_fields(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
) -> Result<Json<FieldList>, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::analysis::fields::list(&state.services.db, &api.tenant, agent.id).await?;
    Ok(Json(FieldList { fields: rows.into_iter().map(FieldView::from).collect() }))
}

/// Adds an extraction field to an agent.
#[utoipa::path(
    post, path = "/agents/{external_id}/fields", tag = "agents",
    request_body = backend::analysis::fields::FieldInput,
    params(("external_id" = String, Path, description = "The agent's external id.")),
    responses(
        (status = 201, description = "The field.", body = FieldView),
        (status = 409, description = "The agent has a field of that name (`conflict`, `field` = `name`).", body = ErrorBody),
        (status = 422, description = "An invalid field, named by `field`.", body = ErrorBody),
    )
)]
pub async fn create_field(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(external_id): ApiPath<String>,
    ApiJson(input): ApiJson<backend::analysis::fields::FieldInput>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let created = backend::analysis::fields::create(&state.services.db, &api.actor(), agent.id, input).await?;
    Ok((StatusCode::CREATED, Json(FieldView::from(created))))
}
