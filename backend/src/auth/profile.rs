//! The signed-in user's profile: display name, email address (a change takes effect once
//! the link sent to the new address is opened; the old address is told) and password
//! (needs the current one; every other session ends).

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Services;
use crate::auth::tokens::{self, Purpose};
use crate::entities::{account_token, user};
use crate::error::{Error, Result};
use crate::templates::Variables;
use crate::tenancy::Member;
use crate::types::EmailAddress;

/// The profile page's data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    pub email: String,
    pub email_verified: bool,
    /// An address waiting for its confirmation link to be opened.
    pub pending_email: Option<String>,
}

/// The user's profile.
///
/// Errors: [`Error::NotFound`] for a deleted user.
pub async fn get(services: &Services, user_id: Uuid) -> Result<Profile> {
    let db = &services.db;
    let found = user::Entity::find_by_id(user_id).one(db).await?.ok_or(Error::NotFound("user"))?;
    let pending = account_token::Entity::find()
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.eq(Purpose::EmailChange.as_str()))
        .filter(account_token::Column::UsedAt.is_null())
        .filter(account_token::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(account_token::Column::Id)
        .one(db)
        .await?
        .and_then(|t| t.new_email);
    Ok(Profile {
        name: found.name,
        email: found.email,
        email_verified: found.email_verified_at.is_some(),
        pending_email: pending,
    })
}

/// Sets the user's display name (1-120 characters).
///
/// Errors: [`Error::Invalid`] on `name`.
pub async fn rename(services: &Services, user_id: Uuid, name: &str) -> Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be 1 to 120 characters"));
    }
    user::Entity::update_many()
        .col_expr(user::Column::Name, sea_orm::sea_query::Expr::value(name))
        .filter(user::Column::Id.eq(user_id))
        .exec(&services.db)
        .await?;
    Ok(())
}

async fn check_current(
    services: &Services,
    client_ip: Option<IpAddr>,
    found: &user::Model,
    current: &str,
) -> Result<()> {
    services.throttle.check(client_ip, Some(&found.email))?;
    if services.passwords.verify(current, Some(&found.password_hash)).await? {
        Ok(())
    } else {
        Err(Error::invalid("current_password", "is not your current password"))
    }
}

/// Changes the password after checking the current one, and ends every session of the
/// user that began before now. Returns the cut-off: the caller re-issues its own session
/// as signed in at that instant, so only the *other* sessions end.
///
/// Errors: [`Error::Invalid`] on `current_password` or `password`; [`Error::RateLimited`].
pub async fn change_password(
    services: &Services,
    member: &Member,
    client_ip: Option<IpAddr>,
    current: &str,
    new: &str,
) -> Result<DateTime<Utc>> {
    let db = &services.db;
    let found = crate::identity::accounts::user(db, member).await?;
    check_current(services, client_ip, &found, current).await?;
    let hash = services.passwords.hash(new).await?;
    // Whole milliseconds: the session stores its sign-in time in milliseconds, and the
    // re-issued session must not look older than the cut-off.
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap_or_else(Utc::now);
    let mut active: user::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.sessions_valid_after = Set(Some(now));
    active.update(db).await?;
    Ok(now)
}

const CHANGE_SUBJECT: &str = "Confirm your new email address on Aftercall";
const CHANGE_BODY: &str = "You asked to use this address for your Aftercall user (instead of {{ old_email }}).\n\n[Confirm this address]({{ link }})\n\nThe link works once, for 24 hours. Until it is opened, the old address stays in use. If you did not ask for this, ignore this email.\n";
const NOTICE_SUBJECT: &str = "Your Aftercall email address is being changed";
const NOTICE_BODY: &str = "Someone signed in as your Aftercall user asked to change its email address from {{ old_email }} to {{ new_email }}. The change takes effect when the link sent to the new address is opened.\n\nIf this was not you, change your password now (Profile → Password), which also signs out every other session.\n";

/// Starts an email change: checks the password, emails a confirmation link to the new
/// address and a notice to the current one. Nothing changes until the link is opened.
///
/// Errors: [`Error::Invalid`] on `email` (malformed, the current one, or taken) or
/// `current_password`; [`Error::RateLimited`].
pub async fn request_email_change(
    services: &Services,
    member: &Member,
    client_ip: Option<IpAddr>,
    current: &str,
    new_email: &str,
) -> Result<()> {
    let db = &services.db;
    let found = crate::identity::accounts::user(db, member).await?;
    check_current(services, client_ip, &found, current).await?;
    let new = EmailAddress::parse(new_email).map_err(|m| Error::invalid("email", m))?.normalized();
    if new == found.email {
        return Err(Error::invalid("email", "is already your address"));
    }
    if user::Entity::find().filter(user::Column::Email.eq(new.clone())).one(db).await?.is_some() {
        return Err(Error::invalid("email", "belongs to another user"));
    }
    let mut vars = Variables::default();
    vars.set("old_email", Json::from(found.email.clone()));
    vars.set("new_email", Json::from(new.clone()));
    let mut work = crate::db::Work::begin(services).await?;
    let confirm = tokens::LinkEmail {
        to: new.clone(),
        subject_template: CHANGE_SUBJECT,
        body_template: CHANGE_BODY,
        vars: vars.clone(),
    };
    tokens::email_link(work.db(), services, &member.tenant, found.id, Purpose::EmailChange, Some(new), confirm).await?;
    let notice = crate::delivery::outbox::AccountEmail {
        to: found.email,
        subject_template: NOTICE_SUBJECT,
        body_template: NOTICE_BODY,
        vars,
    };
    crate::delivery::outbox::queue_account_email(
        work.db(),
        &member.tenant,
        &services.settings.public_url,
        &services.secrets,
        notice,
    )
    .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// Confirms an email change with the link's token: the new address becomes the user's.
/// Returns it.
///
/// Errors: [`Error::Invalid`] on `token` (unknown, used or expired) or `email` (taken
/// meanwhile); [`Error::RateLimited`].
pub async fn confirm_email_change(services: &Services, client_ip: Option<IpAddr>, token: &str) -> Result<String> {
    services.throttle.check(client_ip, None)?;
    let db = &services.db;
    let txn = crate::db::begin_write(db).await?;
    let used = tokens::redeem(&txn, token, Purpose::EmailChange).await?;
    let new = used.new_email.clone().ok_or_else(|| Error::bug("email change token without an address"))?;
    let found = user::Entity::find_by_id(used.user_id).one(&txn).await?.ok_or(Error::NotFound("user"))?;
    let mut active: user::ActiveModel = found.into();
    active.email = Set(new.clone());
    active.email_verified_at = Set(Some(Utc::now()));
    match active.update(&txn).await {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::invalid("email", "belongs to another user now"));
        }
        other => other?,
    };
    txn.commit().await?;
    Ok(new)
}
