//! Sessions and sign-in. The session stores the user and the account they act in; every
//! server function turns it into a [`backend::Member`] through [`member`], which checks
//! the membership still exists.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The signed-in user as the header shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    pub email: String,
    pub account_name: String,
    /// `owner`, `admin` or `member`.
    pub role: String,
    pub can_configure: bool,
    pub unread_alerts: i64,
}

#[cfg(feature = "ssr")]
mod server {
    use tower_sessions::Session;
    use uuid::Uuid;

    use crate::error::AppError;

    const USER_KEY: &str = "user_id";
    const ACCOUNT_KEY: &str = "account_id";
    /// A just-created API key, shown once on the next settings page render.
    pub const NEW_KEY_FLASH: &str = "new_api_key";

    /// The `(user, account)` a session is signed in as, if any.
    pub async fn session_user(session: &Session) -> Option<(Uuid, Uuid)> {
        let user = session.get::<Uuid>(USER_KEY).await.ok().flatten()?;
        let account = session.get::<Uuid>(ACCOUNT_KEY).await.ok().flatten()?;
        Some((user, account))
    }

    /// Starts a signed-in session for `member` (a fresh session id against fixation).
    pub async fn start_session(session: &Session, member: &backend::Member) -> Result<(), AppError> {
        let internal = |e: tower_sessions::session::Error| {
            tracing::error!(error = %e, "session store failed");
            AppError::Internal
        };
        session.cycle_id().await.map_err(internal)?;
        session.insert(USER_KEY, member.user_id).await.map_err(internal)?;
        session.insert(ACCOUNT_KEY, member.tenant.account_id()).await.map_err(internal)?;
        Ok(())
    }

    /// The request's session.
    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(|e| {
            tracing::error!(error = %e, "no session layer");
            AppError::Internal
        })
    }

    /// The services provided to every server function.
    pub fn services() -> Result<backend::Services, AppError> {
        leptos::prelude::use_context::<backend::Services>().ok_or_else(|| {
            tracing::error!("backend services missing from the context");
            AppError::Internal
        })
    }

    /// The signed-in member, or [`AppError::Unauthenticated`].
    pub async fn member() -> Result<backend::Member, AppError> {
        let session = session().await?;
        let (user, account) = session_user(&session).await.ok_or(AppError::Unauthenticated)?;
        let services = services()?;
        Ok(backend::accounts::member(&services.db, user, account).await?)
    }

    /// Parses an optional keyset cursor (`before`) from the browser; empty means the first page.
    pub fn parse_cursor(before: Option<&str>) -> Result<Option<Uuid>, AppError> {
        before.filter(|b| !b.is_empty()).map(|b| parse_id(b, "Page")).transpose()
    }

    /// Parses an id from the browser; anything malformed is simply not found.
    pub fn parse_id(value: &str, what: &str) -> Result<Uuid, AppError> {
        Uuid::parse_str(value.trim()).map_err(|_| AppError::NotFound(what.to_owned()))
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

/// Only same-site relative paths are followed after sign-in.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(feature = "ssr")]
fn with_error(path: &str, message: &str, next: Option<&str>) -> String {
    let mut url = format!("{path}?error={}", encode(message));
    if let Some(n) = next {
        url.push_str("&next=");
        url.push_str(&encode(n));
    }
    url
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Signs in and redirects to `next`; on failure redirects back to `/signin?error=...`.
#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let services = services()?;
    match backend::accounts::sign_in(&services.db, &email, &password).await {
        Ok(member) => {
            start_session(&session().await?, &member).await?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
        }
        Err(e) => {
            let message = AppError::from(e).to_string();
            let back = with_error("/signin", &message, next.as_deref());
            leptos_axum::redirect(&format!("{back}&email={}", encode(&email)));
        }
    }
    Ok(())
}

/// Creates an account and its owner, signs in, and redirects to the dashboard; on
/// failure redirects back to `/signup?error=...`.
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    account_name: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    let services = services()?;
    // Entered values (never the password) come back with an error.
    let keep = format!("&account_name={}&name={}&email={}", encode(&account_name), encode(&name), encode(&email));
    let created = backend::accounts::create_account(
        &services.db,
        backend::accounts::NewAccount {
            account_name,
            owner_name: Some(name),
            owner_email: email,
            owner_password: password,
            auto_create_agents: services.settings.auto_create_agents_default,
        },
    )
    .await;
    match created {
        Ok(member) => {
            start_session(&session().await?, &member).await?;
            leptos_axum::redirect("/");
        }
        Err(e) => {
            let message = AppError::from(e).to_string();
            leptos_axum::redirect(&format!("{}{keep}", with_error("/signup", &message, None)));
        }
    }
    Ok(())
}

/// Ends the session and redirects to `/signin`.
#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let session = session().await?;
    session.flush().await.map_err(|e| {
        tracing::error!(error = %e, "could not end the session");
        AppError::Internal
    })?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// The signed-in user with the unread alert count, or `None` when signed out.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<Viewer>, AppError> {
    let member = match member().await {
        Ok(m) => m,
        Err(AppError::Unauthenticated) => return Ok(None),
        Err(e) => return Err(e),
    };
    let services = services()?;
    let user = backend::accounts::user(&services.db, &member).await?;
    let account = backend::accounts::get(&services.db, &member.tenant).await?;
    let unread = backend::alerts::unread_count(&services.db, &member).await?;
    Ok(Some(Viewer {
        name: user.name,
        email: user.email,
        account_name: account.name,
        role: member.role.as_str().to_owned(),
        can_configure: member.role.can_configure(),
        unread_alerts: unread as i64,
    }))
}
