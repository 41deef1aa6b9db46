//! The backend's one error type. Database errors are mapped here once; the HTTP edge
//! (`ApiError`) and server functions (`AppError`) log internals and hide them from clients.

use sea_orm::DbErr;

/// Everything a backend service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The resource does not exist *in this tenant* (another account's id is also NotFound).
    /// The payload names the kind of resource, e.g. `"conversation"`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Input is well-formed but semantically invalid; `field` is the path of the bad field
    /// (e.g. `transcript[2].role`, `recipients.fixed[0]`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Wrong email or password, or an unknown email: deliberately one answer for both.
    #[error("invalid email or password")]
    InvalidCredentials,
    /// Missing or invalid API key or session.
    #[error("authentication required")]
    Unauthenticated,
    /// Authenticated, but the member's role does not allow the change.
    #[error("your role does not allow this")]
    Forbidden,
    /// Too many attempts from this client or for this email (sign-in, sign-up, invitation,
    /// password reset); answered 429 with `Retry-After`.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A uniqueness rule was broken, e.g. an agent `external_id` that already exists.
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// A database failure; the text is logged, never shown to clients.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// Any other internal failure; the text is logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// An [`Error::Invalid`] for `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid { field: field.into(), message: message.into() }
    }

    /// An [`Error::Conflict`] for `field`.
    pub fn conflict(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict { field: field.into(), message: message.into() }
    }

    /// Whether the error is the client's (4xx) rather than ours (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Db(_) | Self::Internal(_))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
