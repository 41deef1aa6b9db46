//! Creating an account with its owner, first API key and starter settings.

#[allow(unused_imports)]
use super::*;

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
    pub api_key: Option<crate::identity::api_keys::CreatedKey>,
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
            let (row, secret) = crate::identity::api_keys::new_key(&owner.tenant, name)?;
            Some(crate::identity::api_keys::CreatedKey { key: row.insert(&txn).await?, secret })
        }
        None => None,
    };
    txn.commit().await?;
    Ok(CreatedAccount { owner, api_key })
}
