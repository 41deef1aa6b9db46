//! The API-key extractor: the only way an integrator request gets a tenant.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::header::AUTHORIZATION;

use super::error::ApiError;
use backend::entities::account;
use backend::{Services, Tenant};

/// The tenant (and its account row) of a request authenticated with
/// `Authorization: Bearer <api key>`. Rejects with 401.
pub struct ApiTenant {
    pub tenant: Tenant,
    pub account: account::Model,
}

impl<S> FromRequestParts<S> for ApiTenant
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let services = Services::from_ref(state);
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(ApiError::unauthorized)?;
        let key = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        let (tenant, account) = backend::api_keys::authenticate(&services.db, key).await?;
        Ok(Self { tenant, account })
    }
}
