//! Accounts, users and memberships: creating an account and its owner, the membership
//! check that turns a session into a [`Member`], the account's members, and the account's
//! ingest settings. Signing in and the account flows are in [`crate::auth`].

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::entities::{account, membership, user};
use crate::error::{Error, Result};
use crate::passwords;
use crate::tenancy::Permission;
use crate::tenancy::{Member, Role, Tenant};
use crate::types::EmailAddress;

/// What sign-up needs.
#[derive(Clone, Debug)]
pub struct NewAccount {
    /// Account (company) name, 1-120 characters.
    pub account_name: String,
    /// The owner's display name; defaults to the part of the email before `@`.
    pub owner_name: Option<String>,
    /// The owner's email (unique across users).
    pub owner_email: String,
    /// The owner's password (at least [`passwords::MIN_PASSWORD_LEN`] characters).
    pub owner_password: String,
    /// Whether ingest auto-creates unknown agents for this account.
    pub auto_create_agents: bool,
    /// Whether the owner's address counts as confirmed (`aftercall account create`: the
    /// operator vouches for it; sign-up: not yet).
    pub email_verified: bool,
    /// The name of an API key to create with the account (`aftercall account create`:
    /// the integrator's first key; sign-up: none, an admin creates keys in Settings).
    pub first_api_key: Option<String>,
}

/// An account just created: its owner, and its first API key when one was asked for (the
/// only time its secret is available).
pub struct CreatedAccount {
    pub owner: Member,
    pub api_key: Option<crate::api_keys::CreatedKey>,
}

/// Creates an account, its owner and (when asked) its first API key in one transaction
/// (the password is hashed before it opens).
///
/// Errors: [`Error::Invalid`] naming `account_name`, `email`, `password` or `name` (the
/// key's); [`Error::Conflict`] on `email` when a user with that email exists.
pub async fn create_account(
    db: &DatabaseConnection,
    hasher: &passwords::Hasher,
    new: NewAccount,
) -> Result<CreatedAccount> {
    let name = new.account_name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("account_name", "must be 1 to 120 characters"));
    }
    let email = EmailAddress::parse(&new.owner_email).map_err(|m| Error::invalid("email", m))?;
    let password_hash = hasher.hash(&new.owner_password).await?;
    let owner_name = new
        .owner_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| email.as_str().split('@').next().unwrap_or_default().to_owned());

    let txn = crate::db::begin_write(db).await?;
    if user::Entity::find().filter(user::Column::Email.eq(email.normalized())).one(&txn).await?.is_some() {
        return Err(Error::conflict("email", "an account with this email already exists"));
    }
    let now = Utc::now();
    let account_id = Uuid::now_v7();
    let user_id = Uuid::now_v7();
    account::ActiveModel {
        id: Set(account_id),
        name: Set(name.to_owned()),
        auto_create_agents: Set(new.auto_create_agents),
        created_at: Set(now),
        inbound_signing_secret: Set(None),
    }
    .insert(&txn)
    .await?;
    let inserted = user::ActiveModel {
        id: Set(user_id),
        email: Set(email.normalized()),
        name: Set(owner_name),
        password_hash: Set(password_hash),
        created_at: Set(now),
        email_verified_at: Set(new.email_verified.then_some(now)),
        sessions_valid_after: Set(None),
    }
    .insert(&txn)
    .await;
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => {
            return Err(Error::conflict("email", "an account with this email already exists"));
        }
        other => other?,
    };
    membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account_id),
        user_id: Set(user_id),
        role: Set(Role::Owner),
        created_at: Set(now),
        last_used_at: Set(Some(now)),
    }
    .insert(&txn)
    .await?;
    let owner = Member { tenant: Tenant::new(account_id), user_id, role: Role::Owner };
    let api_key = match new.first_api_key.as_deref() {
        Some(name) => {
            let (row, secret) = crate::api_keys::new_key(&owner.tenant, name)?;
            Some(crate::api_keys::CreatedKey { key: row.insert(&txn).await?, secret })
        }
        None => None,
    };
    txn.commit().await?;
    Ok(CreatedAccount { owner, api_key })
}

/// The user's membership in the account, as a [`Member`].
///
/// Errors: [`Error::Unauthenticated`] when the user is not (or no longer) a member.
pub async fn member<C: ConnectionTrait>(db: &C, user_id: Uuid, account_id: Uuid) -> Result<Member> {
    let found = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let role = found.role;
    Ok(Member { tenant: Tenant::new(account_id), user_id, role })
}

/// The account row of a tenant.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<account::Model> {
    account::Entity::find_by_id(tenant.account_id()).one(db).await?.ok_or(Error::NotFound("account"))
}

/// The user row of a member.
pub async fn user<C: ConnectionTrait>(db: &C, member: &Member) -> Result<user::Model> {
    user::Entity::find_by_id(member.user_id).one(db).await?.ok_or(Error::NotFound("user"))
}

/// A member of the account, for pickers and alert fan-out.
#[derive(Clone, Debug)]
pub struct MemberInfo {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// Every member of the tenant, oldest first.
pub async fn members<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Vec<MemberInfo>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(tenant.account_id()))
        .order_by_asc(membership::Column::CreatedAt)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| {
            let u = u?;
            Some(MemberInfo { user_id: u.id, name: u.name, email: u.email, role: m.role })
        })
        .collect())
}

/// Turns signed ingest on with a new secret (returned, shown once; it replaces any earlier
/// one at once) or off (`enable` false; returns `None`). Admins only. While on, `POST
/// /api/v1/calls` must carry valid Standard Webhooks headers (see [`verify_inbound`]).
///
/// Errors: [`Error::Forbidden`] for members.
pub async fn set_inbound_signing(services: &crate::Services, member: &Member, enable: bool) -> Result<Option<String>> {
    member.require(Permission::Configure)?;
    let db = &services.db;
    let found = get(db, &member.tenant).await?;
    let secret = enable.then(crate::secrets::generate_secret);
    let aad = crate::secrets::aad("accounts", "inbound_signing_secret", found.id);
    let txn = crate::db::begin_write(db).await?;
    let mut active: account::ActiveModel = found.into();
    active.inbound_signing_secret = Set(secret.as_deref().map(|s| services.secrets.seal(&aad, s)));
    active.update(&txn).await?;
    let detail = if enable { "signed calls required (new secret)" } else { "signed calls off" };
    crate::audit::record(
        &txn,
        &crate::tenancy::Actor::Member(*member),
        crate::audit::action::SETTINGS_CHANGED,
        "settings",
        None,
        detail.to_owned(),
    )
    .await?;
    txn.commit().await?;
    Ok(secret)
}

/// Checks a signed ingest request against the account's inbound secret (SPEC section 3):
/// `webhook-id`, `webhook-timestamp` (within 5 minutes of now) and a `webhook-signature`
/// that matches `body`, compared in constant time by the `standardwebhooks` crate. An
/// account without a secret accepts every request.
///
/// Errors: the header at fault (`webhook-id`, `webhook-timestamp` or `webhook-signature`)
/// and what is wrong with it.
pub fn verify_inbound(
    secrets: &crate::secrets::SecretBox,
    account: &account::Model,
    headers: &http::HeaderMap,
    body: &[u8],
) -> std::result::Result<(), (&'static str, String)> {
    use standardwebhooks::WebhookError as E;
    let Some(sealed) = &account.inbound_signing_secret else { return Ok(()) };
    let aad = crate::secrets::aad("accounts", "inbound_signing_secret", account.id);
    let secret = secrets.open(&aad, sealed).map_err(|e| {
        tracing::error!(error = %crate::error::report(&e), "inbound signing secret unreadable");
        ("webhook-signature", "the account's signing secret is unusable".to_owned())
    })?;
    let hook = standardwebhooks::Webhook::new(&secret)
        .map_err(|e| ("webhook-signature", format!("the account's signing secret is unusable: {e}")))?;
    hook.verify(body, headers).map_err(|e| {
        let header = |h: &str| match h {
            "id" => "webhook-id",
            "timestamp" => "webhook-timestamp",
            _ => "webhook-signature",
        };
        match e {
            E::MissingHeader(h) => {
                (header(h), format!("missing header {}: this account requires signed requests", header(h)))
            }
            E::InvalidHeader(h) => (header(h), format!("unreadable header {}", header(h))),
            E::InvalidTimestamp => ("webhook-timestamp", "must be Unix seconds".to_owned()),
            E::TimestampTooOldError | E::FutureTimestampError => {
                ("webhook-timestamp", "is more than 5 minutes from now".to_owned())
            }
            _ => ("webhook-signature", "does not match the body and the account's signing secret".to_owned()),
        }
    })
}

/// Turns auto-creating unknown agents on ingest on or off. Admins only; audited.
///
/// Errors: [`Error::Forbidden`] for members.
pub async fn set_auto_create_agents(db: &DatabaseConnection, member: &Member, enabled: bool) -> Result<()> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut active: account::ActiveModel = found.into();
    active.auto_create_agents = Set(enabled);
    active.update(&txn).await?;
    let detail = format!("automatic agents {}", if enabled { "on" } else { "off" });
    crate::audit::record(
        &txn,
        &crate::tenancy::Actor::Member(*member),
        crate::audit::action::SETTINGS_CHANGED,
        "settings",
        None,
        detail,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
