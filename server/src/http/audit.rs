//! `GET /api/v1/audit-log?cursor=&limit=`: the account's audit log over REST, newest first
//! (API keys act account-wide, as an admin does).

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::Deserialize;
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;

/// Query of `GET /api/v1/audit-log`.
#[derive(Deserialize)]
pub struct AuditQuery {
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
}

/// `GET /api/v1/audit-log` → `{"entries": [{"id", "at", "actor", "actor_user_id",
/// "actor_api_key_id", "action", "target_type", "target_id", "detail"}], "next_cursor"}`.
pub async fn list(
    State(state): State<AppState>,
    api: ApiTenant,
    Query(q): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let entries = backend::audit::list(&state.services.db, &api.tenant, None, q.cursor, limit).await?;
    let next = (entries.len() as u64 == limit).then(|| entries.last().map(|e| e.id)).flatten();
    Ok(Json(serde_json::json!({ "entries": entries, "next_cursor": next })))
}
