//! `GET /api/v1/audit-log?cursor=&limit=`: the account's audit log over REST, newest first
//! (API keys act account-wide, as an admin does).

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AppState;
use super::auth::ApiTenant;
use super::error::ApiError;
use super::extract::ApiQuery;

/// Query of `GET /api/v1/audit-log`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Keyset cursor: `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// 1-200, default 50.
    pub limit: Option<u64>,
}

/// One page of the audit log, newest first.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<backend::audit::Entry>,
    /// The `cursor` of the next page; null on the last one.
    pub next_cursor: Option<Uuid>,
}

/// Lists the account's configuration changes, newest first.
#[utoipa::path(
    get, path = "/audit-log", tag = "audit", operation_id = "list_audit_log", params(AuditQuery),
    responses((status = 200, description = "One page.", body = AuditPage))
)]
pub async fn list(
    State(state): State<AppState>,
    api: ApiTenant,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let entries = backend::audit::list(&state.services.db, &api.actor(), q.cursor, limit).await?;
    let next_cursor = (entries.len() as u64 == limit).then(|| entries.last().map(|e| e.id)).flatten();
    Ok(Json(AuditPage { entries, next_cursor }))
}
