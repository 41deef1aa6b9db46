//! Single-use account tokens (password reset, address confirmation, email change): 256
//! random bits in the link, only their SHA-256 stored (a high-entropy token needs no slow
//! hash), an expiry, and a `used_at` that is set once — redeeming twice, or after a newer
//! token of the same purpose was issued, fails.

use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use crate::columns::Purpose;
use crate::entities::account_token;
use crate::error::{Error, Result};

impl std::str::FromStr for Purpose {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        [Purpose::PasswordReset, Purpose::EmailVerification, Purpose::EmailChange]
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("`{s}` is not a token purpose"))
    }
}

crate::stored_enum! { impl Purpose in "account_tokens"."purpose"; }

/// How long a password reset link works (OWASP: short).
pub const RESET_HOURS: i64 = 1;
/// How long a confirmation link works.
pub const CONFIRM_HOURS: i64 = 24;

impl Purpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
            Purpose::EmailChange => "email_change",
        }
    }

    /// The dashboard page the link opens.
    pub fn page(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "reset-password",
            Purpose::EmailVerification => "verify-email",
            Purpose::EmailChange => "confirm-email",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            Purpose::PasswordReset => Duration::hours(RESET_HOURS),
            Purpose::EmailVerification | Purpose::EmailChange => Duration::hours(CONFIRM_HOURS),
        }
    }
}

/// Hex SHA-256 of a token.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// A fresh token: 32 random bytes, URL-safe base64 (43 characters).
pub fn generate() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Issues a token for `user_id` (the user's earlier unused tokens of the same purpose stop
/// working) and returns it, in `db`.
///
/// Errors: database errors.
pub async fn issue<C: ConnectionTrait>(
    db: &C,
    user_id: Uuid,
    purpose: Purpose,
    new_email: Option<String>,
) -> Result<String> {
    let now = Utc::now();
    account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(now)))
        .filter(account_token::Column::UserId.eq(user_id))
        .filter(account_token::Column::Purpose.eq(purpose))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let token = generate();
    account_token::Entity::insert(account_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        purpose: Set(purpose),
        token_hash: Set(hash(&token)),
        new_email: Set(new_email),
        expires_at: Set(now + purpose.lifetime()),
        used_at: Set(None),
        created_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(token)
}

/// An account email carrying a new token's link: templates (whose `link` variable the
/// link fills) and the other variables.
pub struct LinkEmail<'a> {
    pub to: String,
    pub subject_template: &'a str,
    pub body_template: &'a str,
    pub vars: crate::templates::Variables,
}

/// Issues a token of `purpose` for `user_id` (see [`issue`]) and queues, in `txn`, the
/// account email that carries its link `<public_url>/<page>/<token>`, filed under
/// `tenant`. The caller commits and wakes the runner.
///
/// Errors: database errors.
pub async fn email_link<C: ConnectionTrait>(
    txn: &C,
    services: &crate::Services,
    tenant: &crate::Tenant,
    user_id: Uuid,
    purpose: Purpose,
    new_email: Option<String>,
    mut email: LinkEmail<'_>,
) -> Result<()> {
    let token = issue(txn, user_id, purpose, new_email).await?;
    let url = &services.settings.public_url;
    email.vars.set("link", serde_json::Value::from(format!("{url}/{}/{token}", purpose.page())));
    let queued = crate::delivery::outbox::AccountEmail {
        to: email.to,
        subject_template: email.subject_template,
        body_template: email.body_template,
        vars: email.vars,
    };
    crate::delivery::outbox::queue_account_email(txn, tenant, url, &services.secrets, queued).await?;
    Ok(())
}

/// The open token `token` of `purpose` (not used, not expired), without using it.
///
/// Errors: [`Error::Invalid`] on `token` for an unknown, used or expired token (one answer
/// for all three).
pub async fn find<C: ConnectionTrait>(db: &C, token: &str, purpose: Purpose) -> Result<account_token::Model> {
    let found = account_token::Entity::find()
        .filter(account_token::Column::TokenHash.eq(hash(token)))
        .filter(account_token::Column::Purpose.eq(purpose))
        .one(db)
        .await?;
    match found {
        Some(t) if t.used_at.is_none() && t.expires_at > Utc::now() => Ok(t),
        _ => Err(Error::invalid("token", "this link is invalid, already used or expired; ask for a new one")),
    }
}

/// Uses token `token` of `purpose` once, in `db` (pass the transaction of what it allows):
/// of two concurrent redemptions exactly one succeeds.
///
/// Errors: as [`find`].
pub async fn redeem<C: ConnectionTrait>(db: &C, token: &str, purpose: Purpose) -> Result<account_token::Model> {
    let found = find(db, token, purpose).await?;
    let used = account_token::Entity::update_many()
        .col_expr(account_token::Column::UsedAt, Expr::value(Some(Utc::now())))
        .filter(account_token::Column::Id.eq(found.id))
        .filter(account_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Err(Error::invalid("token", "this link is invalid, already used or expired; ask for a new one"));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = generate();
        assert_eq!(a.len(), 43);
        assert_ne!(a, generate());
        assert_eq!(hash(&a), hash(&format!(" {a} ")));
        assert_eq!(hash(&a).len(), 64);
        assert_eq!(Purpose::PasswordReset.lifetime(), Duration::hours(1));
    }
}
