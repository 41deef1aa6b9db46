//! The signed-in user's profile: name, email address (confirmed by a link to the new
//! address) and password (needs the current one; the other sessions end).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The profile page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    /// A new address waiting for its confirmation link.
    pub pending_email: Option<String>,
}

/// The signed-in user's profile.
#[server(endpoint = "get_profile", output = crate::api::Json)]
pub async fn get_profile() -> Result<ProfileView, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let p = backend::auth::profile::get(&services, member.user_id).await?;
    Ok(ProfileView { name: p.name, email: p.email, email_verified: p.email_verified, pending_email: p.pending_email })
}

/// Sets the display name.
#[server(endpoint = "update_name", output = crate::api::Json)]
pub async fn update_name(name: String) -> Result<(), AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::auth::profile::rename(&services, member.user_id, &name).await?)
}

/// Changes the password after checking `current_password`; this session stays signed in,
/// every other one ends.
#[server(endpoint = "change_password", output = crate::api::Json)]
pub async fn change_password(current_password: String, password: String) -> Result<(), AppError> {
    use crate::auth::{client_ip, member, services, session, start_session};
    let member = member().await?;
    let services = services()?;
    let cut =
        backend::auth::profile::change_password(&services, &member, client_ip().await, &current_password, &password)
            .await?;
    start_session(&session().await?, &member, cut).await
}

/// Starts an email change: a confirmation link goes to `email`, a notice to the current
/// address; nothing changes until the link is opened.
#[server(endpoint = "change_email", output = crate::api::Json)]
pub async fn change_email(current_password: String, email: String) -> Result<(), AppError> {
    use crate::auth::{client_ip, member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::auth::profile::request_email_change(&services, &member, client_ip().await, &current_password, &email)
        .await?)
}
