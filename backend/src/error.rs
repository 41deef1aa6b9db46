//! The backend's one error type. Database errors are mapped here once; the HTTP edge
//! (`ApiError`) and server functions (`AppError`) log internals with their whole cause
//! chain ([`report`]) and hide them from clients.

use std::borrow::Cow;

use sea_orm::{DbErr, SqlErr};

/// A boxed cause of an internal failure.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
    /// Authenticated, but the actor's role does not allow the operation.
    #[error("your role does not allow this")]
    Forbidden,
    /// Too many attempts from this client or for this email (sign-in, sign-up, invitation,
    /// password reset); answered 429 with `Retry-After`.
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A uniqueness rule was broken, e.g. an agent `external_id` that already exists. Raised
    /// from the database's unique-key violation ([`Error::unique`]), never from a pre-check,
    /// so two racing requests get one success and one 409.
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    /// A database failure (a stored value that does not decode names its table, column and
    /// row: see `types::stored`); logged, never shown to clients.
    #[error("database error")]
    Db(#[from] DbErr),
    /// Any other internal failure: what was being done, and why it failed when there is an
    /// underlying error. Logged, never shown to clients.
    #[error("{context}")]
    Internal {
        context: Cow<'static, str>,
        #[source]
        source: Option<BoxError>,
    },
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

    /// An [`Error::Internal`] while doing `context`, caused by `source`.
    pub fn internal(context: impl Into<Cow<'static, str>>, source: impl Into<BoxError>) -> Self {
        Self::Internal { context: context.into(), source: Some(source.into()) }
    }

    /// An [`Error::Internal`] with no underlying error: a broken invariant, e.g. a stored
    /// row that contradicts another.
    pub fn bug(context: impl Into<Cow<'static, str>>) -> Self {
        Self::Internal { context: context.into(), source: None }
    }

    /// Whether the error is the client's (4xx) rather than ours (5xx).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Db(_) | Self::Internal { .. })
    }

    /// Maps a unique-key violation of `err` to [`Error::Conflict`] on `field` with
    /// `message`; any other database error stays [`Error::Db`]. Use on the insert or update
    /// that can collide instead of checking first.
    pub fn unique(err: DbErr, field: &str, message: &str) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::conflict(field, message),
            _ => Self::Db(err),
        }
    }
}

/// `err` and its causes, outermost first, joined with `: ` — what the edges log.
pub fn report(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        cause = c.source();
    }
    out
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_keep_their_cause_and_reports_show_it() {
        let cause = std::io::Error::other("disk full");
        let err = Error::internal("writing the key file", cause);
        assert_eq!(err.to_string(), "writing the key file");
        assert!(std::error::Error::source(&err).is_some());
        assert_eq!(report(&err), "writing the key file: disk full");
        let db = Error::Db(DbErr::Custom("connection reset".into()));
        assert_eq!(report(&db), "database error: Custom Error: connection reset");
        assert!(!Error::bug("x").is_client_error());
    }
}
