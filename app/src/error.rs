//! `AppError`: what server functions answer the browser. Internal failures are logged on
//! the server and shown as a generic message; validation errors name their field.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A server-function error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session.
    #[error("Please sign in again.")]
    Unauthenticated,
    /// Wrong email or password (the same answer for an unknown email).
    #[error("Invalid email or password.")]
    InvalidCredentials,
    /// The member's role may not change configuration.
    #[error("Your role does not allow this; ask an admin.")]
    Forbidden,
    /// Not found in this account.
    #[error("{0} not found.")]
    NotFound(String),
    /// A field is invalid; `field` is its path, e.g. `email.body`.
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// Too many attempts from this client or for this email; answered 429 with
    /// `Retry-After`.
    #[error("Too many attempts; try again in {retry_after_secs} s.")]
    RateLimited { retry_after_secs: u64 },
    /// Our failure; details are in the server log.
    #[error("Something went wrong on our side; it has been logged.")]
    Internal,
    /// The request did not reach the server function (network, encoding).
    #[error("Request failed: {0}")]
    Transport(String),
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

impl AppError {
    /// The invalid field's path, when this is a validation error.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<backend::Error> for AppError {
    fn from(err: backend::Error) -> Self {
        use backend::Error as E;
        match err {
            E::NotFound(what) => {
                let mut name = what.to_owned();
                if let Some(first) = name.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                AppError::NotFound(name)
            }
            E::Invalid { field, message } | E::Conflict { field, message } => AppError::Invalid { field, message },
            E::InvalidCredentials => AppError::InvalidCredentials,
            E::RateLimited { retry_after_secs } => {
                // The HTTP answer is 429 with Retry-After whichever server function
                // propagated it.
                if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                    response.set_status(http::StatusCode::TOO_MANY_REQUESTS);
                    if let Ok(value) = http::HeaderValue::from_str(&retry_after_secs.to_string()) {
                        response.insert_header(http::header::RETRY_AFTER, value);
                    }
                }
                AppError::RateLimited { retry_after_secs }
            }
            E::Unauthenticated => AppError::Unauthenticated,
            E::Forbidden => AppError::Forbidden,
            E::Db(_) | E::Internal { .. } => {
                tracing::error!(error = %backend::error::report(&err), "server function failed");
                AppError::Internal
            }
        }
    }
}
