//! The API-key extractor: the only way an integrator request gets a tenant.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::error::ApiError;
use backend::entities::account;
use backend::{Services, Tenant};

/// The tenant (and its account row) of a request authenticated with
/// `Authorization: Bearer <api key>`. Rejects with 401.
pub struct ApiTenant {
    pub tenant: Tenant,
    pub account: account::Model,
    /// The key that authenticated (who acted, for the audit log).
    pub key_id: uuid::Uuid,
}

impl ApiTenant {
    /// The key as the actor of a change.
    pub fn actor(&self) -> backend::Actor {
        backend::Actor::ApiKey { tenant: self.tenant, key_id: self.key_id }
    }
}

/// The key presented in an `Authorization` header: `Bearer` (any case) and the key, with
/// surrounding whitespace ignored. The rate limit keys on the same value, so spelling the
/// header differently does not buy a fresh budget.
pub fn bearer_key(header: &str) -> Option<&str> {
    let header = header.trim();
    let (scheme, rest) = header.split_once(char::is_whitespace)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let key = rest.trim();
    (!key.is_empty() && !key.contains(char::is_whitespace)).then_some(key)
}

impl<S> FromRequestParts<S> for ApiTenant
where
    S: Send + Sync,
    Services: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let services = Services::from_ref(state);
        let header =
            parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(ApiError::unauthorized)?;
        let key = bearer_key(header).ok_or_else(ApiError::unauthorized)?;
        let found = backend::identity::api_keys::authenticate(&services, key).await?;
        Ok(Self { tenant: found.tenant, account: found.account, key_id: found.key_id })
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_key;

    #[test]
    fn bearer_keys_are_read_however_the_header_is_spaced() {
        for h in ["Bearer ac_x", "bearer ac_x", "BEARER   ac_x", "  Bearer\tac_x  "] {
            assert_eq!(bearer_key(h), Some("ac_x"), "{h:?}");
        }
        for h in ["Basic ac_x", "Bearer", "Bearer ", "ac_x", "Bearer ac_x extra"] {
            assert_eq!(bearer_key(h), None, "{h:?}");
        }
    }
}
