//! `ApiError`: the integrator API's JSON errors, `{"error": {"code", "message", "field"?}}`.
//! Internal failures are logged with their detail and answered with a generic 500.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `malformed_json`, `invalid_field`.
    pub code: &'static str,
    pub message: String,
    /// Path of the offending field, e.g. `transcript[2].role`.
    pub field: Option<String>,
    /// Seconds for the `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

/// The body of every error answer: `{"error": {"code", "message", "field"?}}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `unauthorized`, `invalid_signature`, `malformed_json`,
    /// `invalid_type`, `invalid_field`, `not_found`, `conflict`, `forbidden`,
    /// `payload_too_large`, `unreadable_body`, `rate_limited` or `internal`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Path of the offending field or parameter, e.g. `transcript[2].role`, when one is to
    /// blame.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ApiError {
    /// An error with no field.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, retry_after: None }
    }

    /// Adds the field path.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// 401 for a missing, malformed, unknown or revoked API key.
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid API key: send `Authorization: Bearer <key>`",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            ErrorBody { error: ErrorDetail { code: self.code.to_owned(), message: self.message, field: self.field } };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after
            && let Ok(value) = secs.to_string().parse()
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        response
    }
}

impl From<backend::Error> for ApiError {
    fn from(err: backend::Error) -> Self {
        use backend::Error as E;
        match err {
            E::NotFound(what) => {
                let e = Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"));
                if what == "agent" { e.with_field("agent_id") } else { e }
            }
            E::Invalid { field, message } => {
                Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message).with_field(field)
            }
            E::Conflict { field, message } => Self::new(StatusCode::CONFLICT, "conflict", message).with_field(field),
            E::InvalidCredentials | E::Unauthenticated => Self::unauthorized(),
            E::Forbidden => Self::new(StatusCode::FORBIDDEN, "forbidden", "your role does not allow this"),
            E::RateLimited { retry_after_secs } => {
                let mut e = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    format!("too many attempts; retry after {retry_after_secs} s"),
                );
                e.retry_after = Some(retry_after_secs);
                e
            }
            E::Db(_) | E::Internal { .. } => {
                tracing::error!(error = %backend::error::report(&err), "internal error answering an API request");
                Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; it has been logged")
            }
        }
    }
}
