//! Password reset by email (`/forgot-password`, OWASP ASVS 2.5):
//!
//! - [`request`] answers the same whether or not the address has a user, and is throttled
//!   per client and per address (it cannot be used to flood an inbox);
//! - the link carries a single-use token valid for one hour, stored only as its SHA-256;
//!   the email is an account email (its link hidden from every view);
//! - [`reset`] sets the new password and ends every session of the user; they then sign in
//!   with it. Opening the link also proves the address, so it counts as confirmed.

use std::net::IpAddr;

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;

use crate::Services;
use crate::auth::tokens::{self, Purpose, RESET_HOURS};
use crate::entities::user;
use crate::error::{Error, Result};
use crate::templates::Variables;

const SUBJECT: &str = "Reset your Aftercall password";
const BODY: &str = "Someone (hopefully you) asked to reset the password of your Aftercall user {{ email }}.\n\n[Choose a new password]({{ link }})\n\nThe link works once, for {{ hours }} hour. If you did not ask for it, ignore this email: your password stays as it is.\n";

/// Emails a reset link to `email` if it belongs to a user in some account; `Ok` either way.
///
/// Errors: [`Error::RateLimited`]; database errors.
pub async fn request(services: &Services, client_ip: Option<IpAddr>, email: &str) -> Result<()> {
    services.throttle.check(client_ip, Some(email))?;
    let db = &services.db;
    let normalized = email.trim().to_lowercase();
    let Some(found) = user::Entity::find().filter(user::Column::Email.eq(normalized)).one(db).await? else {
        return Ok(());
    };
    let Some(tenant) = crate::auth::home_account(db, found.id).await? else { return Ok(()) };
    let mut vars = Variables::default();
    vars.set("email", Json::from(found.email.clone()));
    vars.set("hours", Json::from(RESET_HOURS));
    let mut work = crate::db::Work::begin(services).await?;
    let email = tokens::LinkEmail { to: found.email, subject_template: SUBJECT, body_template: BODY, vars };
    tokens::email_link(work.db(), services, &tenant, found.id, Purpose::PasswordReset, None, email).await?;
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// Whether `token` is an open reset link (for the page, before a password is typed).
///
/// Errors: [`Error::Invalid`] on `token` when unknown, used or expired.
pub async fn check(services: &Services, token: &str) -> Result<()> {
    tokens::find(&services.db, token, Purpose::PasswordReset).await.map(|_| ())
}

/// Sets `password` for the user of reset link `token` and ends all their sessions. The
/// password is hashed before the transaction.
///
/// Errors: [`Error::Invalid`] on `token` (unknown, used or expired) or `password`;
/// [`Error::RateLimited`].
pub async fn reset(services: &Services, client_ip: Option<IpAddr>, token: &str, password: &str) -> Result<()> {
    services.throttle.check(client_ip, None)?;
    let db = &services.db;
    tokens::find(db, token, Purpose::PasswordReset).await?;
    let hash = services.passwords.hash(password).await?;
    let txn = crate::db::begin_write(db).await?;
    let used = tokens::redeem(&txn, token, Purpose::PasswordReset).await?;
    let found = user::Entity::find_by_id(used.user_id).one(&txn).await?.ok_or(Error::NotFound("user"))?;
    let verified = found.email_verified_at.is_some();
    let mut active: user::ActiveModel = found.into();
    active.password_hash = Set(hash);
    active.sessions_valid_after = Set(Some(Utc::now()));
    if !verified {
        active.email_verified_at = Set(Some(Utc::now()));
    }
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}
