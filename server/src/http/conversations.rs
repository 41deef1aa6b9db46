//! `GET /api/v1/conversations` (keyset pagination, newest first),
//! `GET /api/v1/conversations/{id}` with transcript, analysis and notification runs, and
//! `POST /api/v1/conversations/{id}/reanalyze`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;
use super::extract::{ApiPath, ApiQuery};
use backend::conversations::{ConversationSummary, ConversationView};

/// Query of the list: the cursor and the filters of [`backend::conversations::FilterParams`].
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
    #[serde(flatten)]
    #[param(ignore)]
    pub filter: backend::conversations::FilterParams,
}

/// One page of conversations, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ConversationPage {
    pub conversations: Vec<ConversationSummary>,
    /// The `cursor` of the next page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

/// Lists conversations, newest first, filtered.
#[utoipa::path(
    get, path = "/conversations", tag = "conversations", operation_id = "list_conversations",
    params(ListQuery, backend::conversations::FilterParams),
    responses(
        (status = 200, description = "One page.", body = ConversationPage),
        (status = 422, description = "A filter that does not parse (`invalid_field`, naming it).", body = super::error::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut filter = q.filter.resolve(&state.services.db, &api.tenant).await?;
    filter.before = q.cursor;
    let rows = backend::conversations::list(&state.services.db, &api.tenant, &filter, limit).await?;
    let agents = backend::agents::list(&state.services.db, &api.tenant).await?;
    let next_cursor = (rows.len() as u64 == limit).then(|| rows.last().map(|r| r.conversation.id)).flatten();
    let conversations = rows
        .iter()
        .map(|r| {
            let external = agents
                .iter()
                .find(|a| a.id == r.conversation.agent_id)
                .map(|a| a.external_id.as_str())
                .unwrap_or_default();
            ConversationSummary::new(&r.conversation, external, &r.agent_name)
        })
        .collect();
    Ok(Json(ConversationPage { conversations, next_cursor }))
}

/// The answer of a re-analysis request.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Reanalysis {
    pub conversation_id: Uuid,
    /// Always true: the analysis runs in the background.
    pub queued: bool,
}

/// Re-runs a conversation's analysis in the background; it replaces the stored analysis
/// and never delivers anything again.
#[utoipa::path(
    post, path = "/conversations/{id}/reanalyze", tag = "conversations", operation_id = "reanalyze_conversation",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 202, description = "Queued.", body = Reanalysis))
)]
pub async fn reanalyze(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<(StatusCode, Json<Reanalysis>), ApiError> {
    backend::conversations::request_reanalysis(&state.services, &api.tenant, id).await?;
    Ok((StatusCode::ACCEPTED, Json(Reanalysis { conversation_id: id, queued: true })))
}

/// Reads a conversation with its transcript, analysis and notification runs.
#[utoipa::path(
    get, path = "/conversations/{id}", tag = "conversations", operation_id = "get_conversation",
    params(("id" = Uuid, Path, description = "The conversation id.")),
    responses((status = 200, description = "The conversation.", body = ConversationView))
)]
pub async fn get(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(backend::conversations::view(&state.services.db, &api.actor(), id).await?))
}
