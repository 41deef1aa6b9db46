//! `/api/v1/agents`: agents, their goal and their extraction fields.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::calls::ApiJson;
use super::error::ApiError;
use backend::entities::agent;

/// An agent on the wire.
#[derive(Serialize)]
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

/// `POST /api/v1/agents` body.
#[derive(Deserialize)]
pub struct NewAgent {
    pub external_id: String,
    pub name: Option<String>,
    pub timezone: Option<String>,
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

/// `POST /api/v1/agents` → 201 agent; 409 when the external id exists.
pub async fn create_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let created = backend::agents::create(&state.services.db, &api.actor(), new.into()).await?;
    Ok((StatusCode::CREATED, Json(AgentView::from(created))))
}

/// `GET /api/v1/agents` → `{"agents": [...]}` by name.
pub async fn list_agents(State(state): State<AppState>, api: ApiTenant) -> Result<impl IntoResponse, ApiError> {
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    Ok(Json(serde_json::json!({ "agents": agents.into_iter().map(AgentView::from).collect::<Vec<_>>() })))
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

/// `PUT /api/v1/agents/{external_id}`: replaces name, timezone, language and goal (the
/// external id in the body may rename it).
pub async fn replace_agent(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(new): ApiJson<NewAgent>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let updated = backend::agents::update(&state.services.db, &api.actor(), agent.id, new.into()).await?;
    Ok(Json(AgentView::from(updated)))
}

/// An extraction field on the wire.
#[derive(Serialize)]
pub struct FieldView {
    pub id: Uuid,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub description: String,
    pub options: Vec<String>,
}

impl From<backend::entities::extraction_field::Model> for FieldView {
    fn from(f: backend::entities::extraction_field::Model) -> Self {
        let spec = backend::analysis::fields::spec_of(&f);
        Self {
            id: f.id,
            name: spec.name,
            kind: spec.kind.as_str().to_owned(),
            description: spec.description,
            options: spec.options,
        }
    }
}

/// `GET /api/v1/agents/{external_id}/fields` → `{"fields": [...]}` in order.
pub async fn list_fields(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let rows = backend::analysis::fields::list(&state.services.db, &api.tenant, agent.id).await?;
    Ok(Json(serde_json::json!({ "fields": rows.into_iter().map(FieldView::from).collect::<Vec<_>>() })))
}

/// `POST /api/v1/agents/{external_id}/fields` with `{"name", "type", "description"?,
/// "options"?}` → 201 field; 409 when the agent has the name.
pub async fn create_field(
    State(state): State<AppState>,
    api: ApiTenant,
    Path(external_id): Path<String>,
    ApiJson(input): ApiJson<backend::analysis::fields::FieldInput>,
) -> Result<impl IntoResponse, ApiError> {
    let agent = agent_by_external_id(&state, &api, &external_id).await?;
    let created = backend::analysis::fields::create(&state.services.db, &api.actor(), agent.id, input).await?;
    Ok((StatusCode::CREATED, Json(FieldView::from(created))))
}
