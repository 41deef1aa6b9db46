//! Opening an invitation link: looking the token up, and accepting it as a new or existing user.

#[allow(unused_imports)]
use super::*;

/// What the invitation page shows before accepting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationInfo {
    pub account_name: String,
    pub email: String,
    pub role: String,
    pub expires_at: DateTime<Utc>,
    /// Whether a user with this email exists (they confirm with their password instead of
    /// choosing one).
    pub existing_user: bool,
}

pub(crate) async fn find_open<C: ConnectionTrait>(db: &C, token: &str) -> Result<invitation::Model> {
    let found = invitation::Entity::find()
        .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
        .one(db)
        .await?
        .ok_or(Error::NotFound("invitation"))?;
    if found.accepted_at.is_some() {
        return Err(Error::invalid("token", "this invitation was already used"));
    }
    if found.expires_at < Utc::now() {
        return Err(Error::invalid("token", "this invitation has expired; ask for a new one"));
    }
    Ok(found)
}

/// The open invitation with link token `token`.
///
/// Errors: [`Error::NotFound`] for an unknown token; [`Error::Invalid`] on `token` when used
/// or expired.
pub async fn lookup(db: &DatabaseConnection, token: &str) -> Result<InvitationInfo> {
    let found = find_open(db, token).await?;
    let account = crate::identity::accounts::get(db, &Tenant::new(found.account_id)).await?;
    let existing_user =
        user::Entity::find().filter(user::Column::Email.eq(found.email.clone())).one(db).await?.is_some();
    Ok(InvitationInfo {
        account_name: account.name,
        email: found.email,
        role: found.role.to_string(),
        expires_at: found.expires_at,
        existing_user,
    })
}

/// Accepts invitation `token`: creates the user with `name` and `password` (or, when the
/// email already has a user, checks `password` against it) and adds the membership, in one
/// transaction. The invitation proves the address, so the user counts as confirmed.
/// Returns the new [`Member`] to sign in as. Throttled per client address and per the
/// invitation's email; the password is hashed before the transaction opens (hashing is
/// slow, and a write transaction blocks SQLite's other writers).
///
/// Errors: as [`lookup`]; [`Error::Invalid`] on `password` (too short, or wrong for an
/// existing user); [`Error::RateLimited`].
pub async fn accept(
    services: &Services,
    client_ip: Option<std::net::IpAddr>,
    token: &str,
    name: &str,
    password: &str,
) -> Result<Member> {
    let db = &services.db;
    services.throttle.check(client_ip, None)?;
    let found = find_open(db, token).await?;
    services.throttle.check(None, Some(&found.email))?;
    let existing = user::Entity::find().filter(user::Column::Email.eq(found.email.clone())).one(db).await?;
    let new_user = match &existing {
        Some(u) => {
            if !services.passwords.verify(password, Some(&u.password_hash)).await? {
                return Err(Error::invalid("password", "is not the password of your existing Aftercall user"));
            }
            None
        }
        None => {
            let display = name.trim();
            let display = if display.is_empty() { found.email.split('@').next().unwrap_or_default() } else { display };
            if display.chars().count() > 120 {
                return Err(Error::invalid("name", "must be at most 120 characters"));
            }
            Some((display.to_owned(), services.passwords.hash(password).await?))
        }
    };
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    // Still open now that the transaction holds the write lock (used once, even when two
    // accept at the same moment).
    let found = find_open(&txn, token).await?;
    let user_id = match (existing, new_user) {
        (Some(u), _) => {
            if u.email_verified_at.is_none() {
                let mut active: user::ActiveModel = u.clone().into();
                active.email_verified_at = Set(Some(now));
                active.update(&txn).await?;
            }
            u.id
        }
        (None, Some((display, hash))) => {
            let id = Uuid::now_v7();
            let inserted = user::ActiveModel {
                id: Set(id),
                email: Set(found.email.clone()),
                name: Set(display),
                password_hash: Set(hash),
                created_at: Set(now),
                email_verified_at: Set(Some(now)),
                sessions_valid_after: Set(None),
            }
            .insert(&txn)
            .await;
            match inserted {
                Err(e) if crate::db::is_unique_violation(&e) => {
                    return Err(Error::invalid(
                        "token",
                        "a user with this email was created meanwhile; open the link again",
                    ));
                }
                other => other?,
            };
            id
        }
        (None, None) => return Err(Error::bug("invitation without a user")),
    };
    let already = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(found.account_id))
        .filter(membership::Column::UserId.eq(user_id))
        .one(&txn)
        .await?;
    if already.is_none() {
        membership::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(found.account_id),
            user_id: Set(user_id),
            role: Set(found.role),
            created_at: Set(now),
            last_used_at: Set(Some(now)),
        }
        .insert(&txn)
        .await?;
    }
    let account_id = found.account_id;
    let mut active: invitation::ActiveModel = found.into();
    active.accepted_at = Set(Some(now));
    active.update(&txn).await?;
    txn.commit().await?;
    crate::identity::accounts::member(db, user_id, account_id).await
}
