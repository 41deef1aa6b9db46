//! Sessions, sign-in and the account flows (sign-up, password reset, address
//! confirmation, switching accounts). The session stores [`backend::auth::SessionClaims`]:
//! the user, the account they act in and when they signed in; every server function turns
//! it into a [`backend::Member`] through [`member`], which checks the session's absolute
//! lifetime, the user's last password change and that the membership still exists.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An account the signed-in user belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountItem {
    pub id: String,
    pub name: String,
    /// The account the session acts in.
    pub current: bool,
}

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
    /// Every account of the user, for the switcher (one entry: no switcher).
    pub accounts: Vec<AccountItem>,
}

#[cfg(feature = "ssr")]
mod server {
    use chrono::{DateTime, Utc};
    use tower_sessions::Session;
    use uuid::Uuid;

    use crate::error::AppError;

    const USER_KEY: &str = "user_id";
    const ACCOUNT_KEY: &str = "account_id";
    const SIGNED_IN_KEY: &str = "signed_in_at_ms";
    /// A just-created API key, shown once on the next settings page render.
    pub const NEW_KEY_FLASH: &str = "new_api_key";

    /// What the session says about who is signed in, if anything.
    pub async fn session_claims(session: &Session) -> Option<backend::auth::SessionClaims> {
        let user_id = session.get::<Uuid>(USER_KEY).await.ok().flatten()?;
        let account_id = session.get::<Uuid>(ACCOUNT_KEY).await.ok().flatten()?;
        let ms = session.get::<i64>(SIGNED_IN_KEY).await.ok().flatten()?;
        let signed_in_at = DateTime::<Utc>::from_timestamp_millis(ms)?;
        Some(backend::auth::SessionClaims { user_id, account_id, signed_in_at })
    }

    fn internal(e: tower_sessions::session::Error) -> AppError {
        tracing::error!(error = %backend::error::report(&e), "session store failed");
        AppError::Internal
    }

    /// Starts a signed-in session for `member`, signed in at `at` (a fresh session id
    /// against fixation).
    pub async fn start_session(session: &Session, member: &backend::Member, at: DateTime<Utc>) -> Result<(), AppError> {
        session.cycle_id().await.map_err(internal)?;
        session.insert(USER_KEY, member.user_id).await.map_err(internal)?;
        session.insert(ACCOUNT_KEY, member.tenant.account_id()).await.map_err(internal)?;
        session.insert(SIGNED_IN_KEY, at.timestamp_millis()).await.map_err(internal)?;
        Ok(())
    }

    /// Points the session at another account of the same user (its sign-in time stays).
    pub async fn set_account(session: &Session, member: &backend::Member) -> Result<(), AppError> {
        session.cycle_id().await.map_err(internal)?;
        session.insert(ACCOUNT_KEY, member.tenant.account_id()).await.map_err(internal)?;
        Ok(())
    }

    /// The request's session.
    pub async fn session() -> Result<Session, AppError> {
        leptos_axum::extract::<Session>().await.map_err(|e| {
            tracing::error!(error = %backend::error::report(&e), "no session layer");
            AppError::Internal
        })
    }

    /// The services provided to every server function.
    ///
    /// A page's data loaders can still be running after the browser has left the page: its
    /// response, with every context it provided, is gone then, and nothing reads their
    /// answer. That is logged at debug level; the services missing from a live request is a
    /// wiring error and logged as one.
    pub fn services() -> Result<backend::Services, AppError> {
        use leptos::prelude::use_context;
        use_context::<backend::Services>().ok_or_else(|| {
            if use_context::<leptos_axum::ResponseOptions>().is_none() {
                tracing::debug!("a page's data loader ran after its response ended");
            } else {
                tracing::error!("backend services missing from the context");
            }
            AppError::Internal
        })
    }

    /// The client's address, as the server's edge determined it (the throttles' key).
    pub async fn client_ip() -> Option<std::net::IpAddr> {
        leptos_axum::extract::<axum::Extension<backend::throttle::ClientIp>>().await.ok().and_then(|e| e.0.0)
    }

    /// The member a session acts as, checked against the user and membership now; an
    /// ended session is flushed.
    ///
    /// Errors: [`AppError::Unauthenticated`] when signed out or the session ended.
    pub async fn session_member(services: &backend::Services, session: &Session) -> Result<backend::Member, AppError> {
        let claims = session_claims(session).await.ok_or(AppError::Unauthenticated)?;
        match backend::auth::session_member(&services.db, &services.settings.auth, &claims, Utc::now()).await {
            Ok(m) => Ok(m),
            Err(backend::Error::Unauthenticated) => {
                let _ = session.flush().await;
                Err(AppError::Unauthenticated)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The signed-in member, or [`AppError::Unauthenticated`].
    pub async fn member() -> Result<backend::Member, AppError> {
        let session = session().await?;
        session_member(&services()?, &session).await
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

/// Only same-site relative paths are followed after sign-in: a single leading `/`, then
/// printable ASCII without backslashes (browsers drop tabs and newlines and read `\` as
/// `/`, so `/\t/evil.example` or `/\evil.example` would leave the site).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && n.len() <= 2000
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Ends a plain-form account flow that failed: a throttle answer stays an error (429 with
/// `Retry-After`); anything else goes back to `path?error=<message><rest>` (`rest`: more
/// query, starting with `&`, e.g. the values typed so far).
#[cfg(feature = "ssr")]
pub fn back_with_error(e: backend::Error, path: &str, rest: &str) -> Result<(), AppError> {
    if matches!(e, backend::Error::RateLimited { .. }) {
        return Err(e.into());
    }
    let message = AppError::from(e).to_string();
    leptos_axum::redirect(&format!("{path}?error={}{rest}", encode(&message)));
    Ok(())
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
/// Over the throttle: 429 with `Retry-After`.
#[server(endpoint = "sign_in", output = crate::api::Json)]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    let services = services()?;
    match backend::auth::sign_in(&services, client_ip().await, &email, &password).await {
        Ok(member) => {
            start_session(&session().await?, &member, chrono::Utc::now()).await?;
            leptos_axum::redirect(&safe_next(next.as_deref()));
        }
        Err(e) => {
            let next = next.as_deref().map(|n| format!("&next={}", encode(n))).unwrap_or_default();
            return back_with_error(e, "/signin", &format!("{next}&email={}", encode(&email)));
        }
    }
    Ok(())
}

/// The installation's sign-up policy, for the sign-up page: `open`, `verified` or `closed`.
#[server(endpoint = "signup_policy", output = crate::api::Json)]
pub async fn signup_policy() -> Result<String, AppError> {
    let services = services()?;
    Ok(match services.settings.auth.signup {
        backend::settings::SignupPolicy::Open => "open",
        backend::settings::SignupPolicy::Verified => "verified",
        backend::settings::SignupPolicy::Closed => "closed",
    }
    .to_owned())
}

/// Creates an account and its owner under the sign-up policy: signed in at once (`open`),
/// or sent to `/signup?sent=1` to wait for the confirmation email (`verified`); on failure
/// redirects back to `/signup?error=...`.
#[server(endpoint = "sign_up", output = crate::api::Json)]
pub async fn sign_up(account_name: String, name: String, email: String, password: String) -> Result<(), AppError> {
    let services = services()?;
    // Entered values (never the password) come back with an error.
    let keep = format!("&account_name={}&name={}&email={}", encode(&account_name), encode(&name), encode(&email));
    let created = backend::auth::signup::sign_up(
        &services,
        client_ip().await,
        backend::identity::accounts::NewAccount {
            account_name,
            owner_name: Some(name),
            owner_email: email,
            owner_password: password,
            auto_create_agents: services.settings.auto_create_agents_default,
            email_verified: false,
            first_api_key: None,
        },
    )
    .await;
    match created {
        Ok(backend::auth::signup::SignUp::SignedIn(member)) => {
            start_session(&session().await?, &member, chrono::Utc::now()).await?;
            leptos_axum::redirect("/");
        }
        Ok(backend::auth::signup::SignUp::ConfirmationSent) => leptos_axum::redirect("/signup?sent=1"),
        Err(e) => return back_with_error(e, "/signup", &keep),
    }
    Ok(())
}

/// Confirms a new owner's address (the link in the confirmation email), signs them in and
/// opens the dashboard; errors come back to `/verify-email/<token>?error=…`.
#[server(endpoint = "verify_email", output = crate::api::Json)]
pub async fn verify_email(token: String) -> Result<(), AppError> {
    let services = services()?;
    match backend::auth::signup::verify_email(&services, client_ip().await, &token).await {
        Ok(member) => {
            start_session(&session().await?, &member, chrono::Utc::now()).await?;
            leptos_axum::redirect("/");
        }
        Err(e) => return back_with_error(e, &format!("/verify-email/{}", encode(&token)), ""),
    }
    Ok(())
}

/// Sends a new confirmation link when `email` is an unconfirmed user's; always redirects
/// to `/signin?sent=verification` (the same answer for every address).
#[server(endpoint = "resend_verification", output = crate::api::Json)]
pub async fn resend_verification(email: String) -> Result<(), AppError> {
    let services = services()?;
    backend::auth::signup::resend_verification(&services, client_ip().await, &email).await?;
    leptos_axum::redirect("/signin?sent=verification");
    Ok(())
}

/// Emails a password reset link when `email` has a user; always redirects to
/// `/forgot-password?sent=1` (the same answer for every address).
#[server(endpoint = "request_password_reset", output = crate::api::Json)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let services = services()?;
    backend::auth::reset::request(&services, client_ip().await, &email).await?;
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Whether reset link `token` still works (the reset page shows the form or says why not).
#[server(endpoint = "check_reset_token", output = crate::api::Json)]
pub async fn check_reset_token(token: String) -> Result<(), AppError> {
    let services = services()?;
    Ok(backend::auth::reset::check(&services, &token).await?)
}

/// Sets a new password with reset link `token`: every session of the user ends, and the
/// browser goes to `/signin?reset=1`; errors come back to the reset page.
#[server(endpoint = "reset_password", output = crate::api::Json)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    let services = services()?;
    match backend::auth::reset::reset(&services, client_ip().await, &token, &password).await {
        Ok(()) => {
            let _ = session().await?.flush().await;
            leptos_axum::redirect("/signin?reset=1");
        }
        Err(e) => return back_with_error(e, &format!("/reset-password/{}", encode(&token)), ""),
    }
    Ok(())
}

/// Confirms an email change (the link sent to the new address) and goes to the profile.
#[server(endpoint = "confirm_email_change", output = crate::api::Json)]
pub async fn confirm_email_change(token: String) -> Result<(), AppError> {
    let services = services()?;
    match backend::auth::profile::confirm_email_change(&services, client_ip().await, &token).await {
        Ok(_) => leptos_axum::redirect("/profile?email=confirmed"),
        Err(e) => return back_with_error(e, &format!("/confirm-email/{}", encode(&token)), ""),
    }
    Ok(())
}

/// Ends the session and redirects to `/signin`.
#[server(endpoint = "sign_out", output = crate::api::Json)]
pub async fn sign_out() -> Result<(), AppError> {
    let session = session().await?;
    session.flush().await.map_err(|e| {
        tracing::error!(error = %backend::error::report(&e), "could not end the session");
        AppError::Internal
    })?;
    leptos_axum::redirect("/signin");
    Ok(())
}

/// Switches the session to another of the user's accounts and opens its dashboard.
#[server(endpoint = "switch_account", output = crate::api::Json)]
pub async fn switch_account(account_id: String) -> Result<(), AppError> {
    let services = services()?;
    let me = member().await?;
    let target = parse_id(&account_id, "Account")?;
    let member = backend::auth::switch_account(&services.db, me.user_id, target).await?;
    set_account(&session().await?, &member).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// The signed-in user with the unread alert count, or `None` when signed out.
#[server(endpoint = "me", output = crate::api::Json)]
pub async fn me() -> Result<Option<Viewer>, AppError> {
    let member = match member().await {
        Ok(m) => m,
        Err(AppError::Unauthenticated) => return Ok(None),
        Err(e) => return Err(e),
    };
    let services = services()?;
    let user = backend::identity::accounts::user(&services.db, &member).await?;
    let account = backend::identity::accounts::get(&services.db, &member.tenant).await?;
    let unread = backend::alerts::unread_count(&services.db, &member).await?;
    let accounts = backend::auth::accounts_of(&services.db, member.user_id)
        .await?
        .into_iter()
        .map(|a| AccountItem {
            current: a.account_id == member.tenant.account_id(),
            id: a.account_id.to_string(),
            name: a.name,
        })
        .collect();
    Ok(Some(Viewer {
        name: user.name,
        email: user.email,
        account_name: account.name,
        role: member.role.as_str().to_owned(),
        can_configure: member.role.can_configure(),
        unread_alerts: unread as i64,
        accounts,
    }))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_plain_same_site_paths_are_followed() {
        assert_eq!(safe_next(Some("/tasks?status=open")), "/tasks?status=open");
        for evil in [
            "//evil.example", "/\t/evil.example", "/\\evil.example", "/%09/x\n", "https://evil.example",
            "/\u{3000}/evil", "/\r\n/evil", "",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
