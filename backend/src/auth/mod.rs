//! Signing in, what a browser session holds, and the account flows around it (OWASP ASVS
//! level 2, chapters 2 and 3):
//!
//! - [`sign_in`]: throttled per client address and email ([`crate::throttle`]); one answer
//!   for an unknown email and a wrong password, both costing one argon2 verification on
//!   the blocking pool; opens the account the user last worked in.
//! - Sessions ([`SessionClaims`], [`session_member`]): a session ends after
//!   `auth.session_idle_minutes` without a request (the session layer's expiry) and
//!   `auth.session_absolute_hours` after sign-in however active; a password change or
//!   reset ends every session that began before it (`users.sessions_valid_after`).
//! - [`signup`]: the installation's `auth.signup` policy; [`reset`]: password reset by
//!   email; [`profile`]: name, email (confirmed by a link) and password; [`tokens`]: the
//!   single-use links those flows send.
//! - A user in several accounts switches between them ([`switch_account`]).

pub mod profile;
pub mod reset;
pub mod signup;
pub mod tokens;

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use uuid::Uuid;

use crate::Services;
use crate::entities::{account, membership, user};
use crate::error::{Error, Result};
use crate::settings::{AuthSettings, SignupPolicy};
use crate::tenancy::{Member, Tenant};

/// What a signed-in browser session holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionClaims {
    pub user_id: Uuid,
    /// The account the user acts in.
    pub account_id: Uuid,
    /// When the user signed in (proved their password): the absolute lifetime counts from
    /// here, and a password change after it ends the session.
    pub signed_in_at: DateTime<Utc>,
}

/// The member a session acts as, if the session is still valid: within
/// `auth.session_absolute_hours` of its sign-in, not older than the user's last password
/// change or reset, and the membership still exists.
///
/// Errors: [`Error::Unauthenticated`] when the session has ended or the user is no longer
/// a member.
pub async fn session_member<C: ConnectionTrait>(
    db: &C,
    auth: &AuthSettings,
    claims: &SessionClaims,
    now: DateTime<Utc>,
) -> Result<Member> {
    let absolute = chrono::Duration::from_std(auth.session_absolute).unwrap_or(chrono::Duration::hours(12));
    if claims.signed_in_at + absolute <= now || claims.signed_in_at > now + chrono::Duration::minutes(5) {
        return Err(Error::Unauthenticated);
    }
    let found = user::Entity::find_by_id(claims.user_id).one(db).await?.ok_or(Error::Unauthenticated)?;
    if found.sessions_valid_after.is_some_and(|cut| claims.signed_in_at < cut) {
        return Err(Error::Unauthenticated);
    }
    crate::identity::accounts::member(db, claims.user_id, claims.account_id).await
}

/// Checks an email and password and returns the membership the user last worked in (the
/// oldest one if none was used yet). Throttled per `client_ip` and per email.
///
/// Errors: [`Error::RateLimited`] over the budget; [`Error::InvalidCredentials`] for an
/// unknown email and for a wrong password alike; [`Error::Invalid`] on `email` when the
/// installation requires confirmed addresses and this one is not confirmed yet (only said
/// after the password matched).
pub async fn sign_in(services: &Services, client_ip: Option<IpAddr>, email: &str, password: &str) -> Result<Member> {
    services.throttle.check(client_ip, Some(email))?;
    let db = &services.db;
    let normalized = email.trim().to_lowercase();
    let found = user::Entity::find().filter(user::Column::Email.eq(normalized)).one(db).await?;
    let Some(found) = found else {
        services.passwords.verify(password, None).await?;
        return Err(Error::InvalidCredentials);
    };
    if !services.passwords.verify(password, Some(&found.password_hash)).await? {
        return Err(Error::InvalidCredentials);
    }
    if found.email_verified_at.is_none() && services.settings.auth.signup == SignupPolicy::Verified {
        return Err(Error::invalid(
            "email",
            "confirm your email address first: open the link we emailed you when you signed up (or ask for a new one below)",
        ));
    }
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(found.id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    let chosen = memberships
        .iter()
        .filter(|m| m.last_used_at.is_some())
        .max_by_key(|m| m.last_used_at)
        .or_else(|| memberships.first())
        .ok_or(Error::InvalidCredentials)?;
    let member = crate::identity::accounts::member(db, found.id, chosen.account_id).await?;
    touch(db, &member).await?;
    Ok(member)
}

/// Records that the member's account was just opened (sign-in opens it next time).
async fn touch<C: ConnectionTrait>(db: &C, member: &Member) -> Result<()> {
    membership::Entity::update_many()
        .col_expr(membership::Column::LastUsedAt, Expr::value(Some(Utc::now())))
        .filter(membership::Column::UserId.eq(member.user_id))
        .filter(membership::Column::AccountId.eq(member.tenant.account_id()))
        .exec(db)
        .await?;
    Ok(())
}

/// An account a user belongs to, for the account switcher.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountChoice {
    pub account_id: Uuid,
    pub name: String,
    pub role: crate::Role,
}

/// Every account `user_id` belongs to, by name.
///
/// Errors: database errors.
pub async fn accounts_of<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Vec<AccountChoice>> {
    let rows = membership::Entity::find().filter(membership::Column::UserId.eq(user_id)).all(db).await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.account_id).collect();
    let accounts = account::Entity::find().filter(account::Column::Id.is_in(ids)).all(db).await?;
    let mut out: Vec<AccountChoice> = rows
        .into_iter()
        .filter_map(|m| {
            let a = accounts.iter().find(|a| a.id == m.account_id)?;
            Some(AccountChoice { account_id: a.id, name: a.name.clone(), role: m.role })
        })
        .collect();
    out.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.account_id.cmp(&b.account_id)));
    Ok(out)
}

/// Switches the signed-in user to another of their accounts.
///
/// Errors: [`Error::NotFound`] (`account`) when the user is not a member there (another
/// account's id looks like an unknown one).
pub async fn switch_account<C: ConnectionTrait>(db: &C, user_id: Uuid, account_id: Uuid) -> Result<Member> {
    let member = crate::identity::accounts::member(db, user_id, account_id).await.map_err(|e| match e {
        Error::Unauthenticated => Error::NotFound("account"),
        other => other,
    })?;
    touch(db, &member).await?;
    Ok(member)
}

/// The account an account email to `user_id` is filed under (its Outbox and delivery log):
/// the one they last worked in, else their oldest; `None` for a user in no account.
pub(crate) async fn home_account<C: ConnectionTrait>(db: &C, user_id: Uuid) -> Result<Option<Tenant>> {
    let memberships = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    let chosen = memberships
        .iter()
        .filter(|m| m.last_used_at.is_some())
        .max_by_key(|m| m.last_used_at)
        .or_else(|| memberships.first());
    Ok(chosen.map(|m| Tenant::new(m.account_id)))
}

/// Marks the user's address confirmed (an opened link proves it), in `db`.
pub(crate) async fn mark_verified<C: ConnectionTrait>(db: &C, found: &user::Model) -> Result<()> {
    if found.email_verified_at.is_none() {
        let mut active: user::ActiveModel = found.clone().into();
        active.email_verified_at = Set(Some(Utc::now()));
        sea_orm::ActiveModelTrait::update(active, db).await?;
    }
    Ok(())
}
