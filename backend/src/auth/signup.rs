//! Sign-up under the installation's policy (`auth.signup`):
//!
//! - `open`: the account and its owner are created and signed in at once;
//! - `verified`: the account is created, and its owner can sign in once they opened the
//!   confirmation link emailed to them ([`verify_email`]). The answer is the same whether
//!   or not the address already has a user (that user gets a notice instead), so sign-up
//!   cannot be used to find out who uses Aftercall;
//! - `closed`: nobody signs up; users come from invitations and `aftercall account create`.

use std::net::IpAddr;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value as Json;

use crate::Services;
use crate::auth::tokens::{self, Purpose};
use crate::entities::user;
use crate::error::{Error, Result};
use crate::identity::accounts::NewAccount;
use crate::settings::SignupPolicy;
use crate::templates::Variables;
use crate::tenancy::{Member, Tenant};

/// What a sign-up led to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignUp {
    /// Open sign-up: signed in as the new owner.
    SignedIn(Member),
    /// Verified sign-up: a confirmation link is on its way (or a notice, when the address
    /// already had a user).
    ConfirmationSent,
}

const VERIFY_SUBJECT: &str = "Confirm your email address for {{ account_name }} on Aftercall";
const VERIFY_BODY: &str = "Welcome to Aftercall. Confirm that this address is yours to start using **{{ account_name }}**:\n\n[Confirm my email address]({{ link }})\n\nThe link works once, for 24 hours. If you did not sign up, ignore this email.\n";
const TAKEN_SUBJECT: &str = "Someone tried to sign up with your address on Aftercall";
const TAKEN_BODY: &str = "Someone (perhaps you) tried to create a new Aftercall account with this address, which already has a user. Nothing was created.\n\nIf it was you, sign in instead, or reset your password from the sign-in page. If it was not you, you can ignore this email.\n";

/// Creates an account under the policy.
///
/// Errors: [`Error::Invalid`] on `signup` when sign-up is closed, and as
/// [`crate::identity::accounts::create_account`] (`account_name`, `email`, `password`; a taken
/// `email` only under `open`); [`Error::RateLimited`].
pub async fn sign_up(services: &Services, client_ip: Option<IpAddr>, mut new: NewAccount) -> Result<SignUp> {
    let policy = services.settings.auth.signup;
    if policy == SignupPolicy::Closed {
        return Err(Error::invalid(
            "signup",
            "sign-up is closed on this installation: ask an admin of your team for an invitation",
        ));
    }
    services.throttle.check(client_ip, Some(&new.owner_email))?;
    if policy == SignupPolicy::Open {
        new.email_verified = false;
        let created = crate::identity::accounts::create_account(&services.db, &services.passwords, new).await?;
        return Ok(SignUp::SignedIn(created.owner));
    }
    let account_name = new.account_name.trim().to_owned();
    new.email_verified = false;
    match crate::identity::accounts::create_account(&services.db, &services.passwords, new.clone()).await {
        Ok(created) => {
            send_verification(services, &created.owner, &account_name).await?;
            Ok(SignUp::ConfirmationSent)
        }
        Err(Error::Conflict { field, .. }) if field == "email" => {
            notify_taken(services, &new.owner_email).await?;
            Ok(SignUp::ConfirmationSent)
        }
        Err(e) => Err(e),
    }
}

async fn send_verification(services: &Services, member: &Member, account_name: &str) -> Result<()> {
    let db = &services.db;
    let owner = crate::identity::accounts::user(db, member).await?;
    let mut vars = Variables::default();
    vars.set("account_name", Json::from(account_name));
    let mut work = crate::db::Work::begin(services).await?;
    let email = tokens::LinkEmail {
        to: owner.email.clone(),
        subject_template: VERIFY_SUBJECT,
        body_template: VERIFY_BODY,
        vars,
    };
    tokens::email_link(work.db(), services, &member.tenant, owner.id, Purpose::EmailVerification, None, email).await?;
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

async fn notify_taken(services: &Services, email: &str) -> Result<()> {
    let db = &services.db;
    let Some(found) = user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(db).await?
    else {
        return Ok(());
    };
    let Some(tenant) = crate::auth::home_account(db, found.id).await? else { return Ok(()) };
    let email = crate::delivery::outbox::AccountEmail {
        to: found.email,
        subject_template: TAKEN_SUBJECT,
        body_template: TAKEN_BODY,
        vars: Variables::default(),
    };
    let mut work = crate::db::Work::begin(services).await?;
    crate::delivery::outbox::queue_account_email(
        work.db(),
        &tenant,
        &services.settings.public_url,
        &services.secrets,
        email,
    )
    .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// Confirms a new owner's address with the link's token and signs them in.
///
/// Errors: [`Error::Invalid`] on `token` (unknown, used or expired); [`Error::RateLimited`].
pub async fn verify_email(services: &Services, client_ip: Option<IpAddr>, token: &str) -> Result<Member> {
    services.throttle.check(client_ip, None)?;
    let db = &services.db;
    let txn = crate::db::begin_write(db).await?;
    let used = tokens::redeem(&txn, token, Purpose::EmailVerification).await?;
    let found = user::Entity::find_by_id(used.user_id).one(&txn).await?.ok_or(Error::NotFound("user"))?;
    crate::auth::mark_verified(&txn, &found).await?;
    let tenant: Option<Tenant> = crate::auth::home_account(&txn, found.id).await?;
    txn.commit().await?;
    let tenant = tenant.ok_or(Error::invalid("token", "this user belongs to no account any more"))?;
    crate::auth::switch_account(db, found.id, tenant.account_id()).await
}

/// Sends a new confirmation link to `email` when it belongs to an unconfirmed user; the
/// same answer (`Ok`) in every case.
///
/// Errors: [`Error::RateLimited`]; database errors.
pub async fn resend_verification(services: &Services, client_ip: Option<IpAddr>, email: &str) -> Result<()> {
    services.throttle.check(client_ip, Some(email))?;
    let db = &services.db;
    let Some(found) = user::Entity::find().filter(user::Column::Email.eq(email.trim().to_lowercase())).one(db).await?
    else {
        return Ok(());
    };
    if found.email_verified_at.is_some() {
        return Ok(());
    }
    let Some(tenant) = crate::auth::home_account(db, found.id).await? else { return Ok(()) };
    let account = crate::identity::accounts::get(db, &tenant).await?;
    let member = crate::identity::accounts::member(db, found.id, tenant.account_id()).await?;
    send_verification(services, &member, &account.name).await
}
