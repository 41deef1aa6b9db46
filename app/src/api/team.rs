//! The team: members and their roles, invitations, and accepting an invitation.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A member of the account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberItem {
    pub user_id: String,
    pub name: String,
    pub email: String,
    /// `owner`, `admin` or `member`.
    pub role: String,
    /// The signed-in user.
    pub is_me: bool,
}

/// A pending invitation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationItem {
    pub id: String,
    pub email: String,
    pub role: String,
    pub expires: String,
}

/// The team page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub members: Vec<MemberItem>,
    pub invitations: Vec<InvitationItem>,
    pub can_configure: bool,
}

/// Members and pending invitations.
#[server(endpoint = "get_team", output = crate::api::Json)]
pub async fn get_team() -> Result<TeamView, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let members = backend::identity::accounts::members(&services.db, &member.tenant)
        .await?
        .into_iter()
        .map(|m| MemberItem {
            is_me: m.user_id == member.user_id,
            user_id: m.user_id.to_string(),
            name: m.name,
            email: m.email,
            role: m.role.as_str().to_owned(),
        })
        .collect();
    let invitations = if member.role.can_configure() {
        backend::identity::members::pending_invitations(&services.db, &member.tenant)
            .await?
            .into_iter()
            .map(|i| InvitationItem {
                id: i.id.to_string(),
                email: i.email,
                role: i.role.to_string(),
                expires: super::fmt::time(i.expires_at),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(TeamView { members, invitations, can_configure: member.role.can_configure() })
}

/// What inviting answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InviteResult {
    pub email: String,
    /// The link, only when no SMTP server is configured: nothing can deliver it then, and
    /// the inviting admin passes it on themselves. With SMTP only the invitee ever sees it.
    pub link: Option<String>,
}

/// Invites `email` as `role` (`admin` or `member`); the link goes by email.
#[server(endpoint = "invite_member", output = crate::api::Json)]
pub async fn invite_member(email: String, role: String) -> Result<InviteResult, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let created = backend::identity::members::invite(&services, &member, &email, &role).await?;
    let link = services.mailer.is_outbox().then_some(created.link);
    Ok(InviteResult { email: created.invitation.email, link })
}

/// Revokes pending invitation `id`.
#[server(endpoint = "revoke_invitation", output = crate::api::Json)]
pub async fn revoke_invitation(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::identity::members::revoke_invitation(&services.db, &member, parse_id(&id, "Invitation")?).await?;
    Ok(())
}

/// Changes member `user_id`'s role to `admin` or `member`.
#[server(endpoint = "set_member_role", output = crate::api::Json)]
pub async fn set_member_role(user_id: String, role: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::identity::members::set_role(&services.db, &member, parse_id(&user_id, "Member")?, &role).await?;
    Ok(())
}

/// Removes member `user_id` from the account.
#[server(endpoint = "remove_member", output = crate::api::Json)]
pub async fn remove_member(user_id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::identity::members::remove(&services.db, &member, parse_id(&user_id, "Member")?).await?;
    Ok(())
}

/// What the invitation page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationView {
    pub account_name: String,
    pub email: String,
    pub role: String,
    pub expires: String,
    /// The invitee already has a user: they confirm with their password.
    pub existing_user: bool,
}

/// The open invitation with link token `token` (no sign-in needed).
#[server(endpoint = "get_invitation", output = crate::api::Json)]
pub async fn get_invitation(token: String) -> Result<InvitationView, AppError> {
    let services = crate::auth::services()?;
    let info = backend::identity::members::lookup(&services.db, &token).await?;
    Ok(InvitationView {
        account_name: info.account_name,
        email: info.email,
        role: info.role,
        expires: super::fmt::time(info.expires_at),
        existing_user: info.existing_user,
    })
}

/// Accepts invitation `token`, signs the new member in and opens the dashboard; errors come
/// back to the invitation page in `error`. Over the throttle: 429 with `Retry-After`.
#[server(endpoint = "accept_invitation", output = crate::api::Json)]
pub async fn accept_invitation(token: String, name: Option<String>, password: String) -> Result<(), AppError> {
    use crate::auth::{back_with_error, client_ip, encode, services, session, start_session};
    let services = services()?;
    match backend::identity::members::accept(
        &services,
        client_ip().await,
        &token,
        name.as_deref().unwrap_or(""),
        &password,
    )
    .await
    {
        Ok(member) => {
            start_session(&session().await?, &member, chrono::Utc::now()).await?;
            leptos_axum::redirect("/");
        }
        Err(e) => return back_with_error(e, &format!("/invite/{}", encode(&token)), ""),
    }
    Ok(())
}
