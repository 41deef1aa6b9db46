//! Invitations: sent by email with a one-time link (stored hashed), looked up, accepted, listed
//! and revoked.

#[allow(unused_imports)]
use super::*;

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(crate) fn invitable_role(role: &str) -> Result<Role> {
    match Role::parse(role.trim()) {
        Some(r @ (Role::Admin | Role::Member)) => Ok(r),
        _ => Err(Error::invalid("role", format!("`{role}` is not admin or member"))),
    }
}

/// An invitation just created: the only time its link is available.
#[derive(Clone, Debug)]
pub struct CreatedInvitation {
    pub invitation: invitation::Model,
    /// `<public_url>/invite/<token>`.
    pub link: String,
    /// The email that carries the link.
    pub email_id: Uuid,
}

pub(crate) const INVITE_SUBJECT: &str = "{{ inviter }} invited you to {{ account_name }} on Aftercall";

pub(crate) const INVITE_BODY: &str = "{{ inviter }} invited you to join **{{ account_name }}** on Aftercall as {{ role }}.\n\n[Accept the invitation]({{ link }})\n\nThe link works once and expires on {{ expires }}. If you did not expect this email, ignore it.\n";

/// The subject template of invitation emails (older rows are recognised by it).
pub const INVITE_SUBJECT_TEMPLATE: &str = INVITE_SUBJECT;

/// Invites `email` as `role` (`admin` or `member`) and emails the link; admins only. A
/// pending invitation for the same address is replaced.
///
/// Errors: [`Error::Invalid`] on `email` or `role`; [`Error::Conflict`] on `email` when the
/// address already belongs to a member.
pub async fn invite(services: &Services, by: &Member, email: &str, role: &str) -> Result<CreatedInvitation> {
    by.require(Permission::ManageTeam)?;
    let db = &services.db;
    let address = EmailAddress::parse(email).map_err(|m| Error::invalid("email", m))?;
    let role = invitable_role(role)?;
    let normalized = address.normalized();
    let members = crate::accounts::members(db, &by.tenant).await?;
    if members.iter().any(|m| m.email.eq_ignore_ascii_case(&normalized)) {
        return Err(Error::conflict("email", "is already a member of this account"));
    }
    let inviter = crate::accounts::user(db, by).await?;
    let account = crate::accounts::get(db, &by.tenant).await?;

    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let link = format!("{}/invite/{token}", services.settings.public_url);
    let now = Utc::now();
    let expires_at = now + Duration::days(INVITATION_DAYS);

    let mut vars = Variables::default();
    vars.set("inviter", Json::from(inviter.name.clone()));
    vars.set("account_name", Json::from(account.name.clone()));
    vars.set("role", Json::from(role.as_str()));
    vars.set("link", Json::from(link.clone()));
    vars.set("expires", Json::from(expires_at.format("%Y-%m-%d %H:%M UTC").to_string()));

    let mut work = crate::db::Work::begin(services).await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::AccountId.eq(by.tenant.account_id()))
        .filter(invitation::Column::Email.eq(normalized.clone()))
        .filter(invitation::Column::AcceptedAt.is_null())
        .exec(work.db())
        .await?;
    let row = invitation::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(by.tenant.account_id()),
        email: Set(normalized.clone()),
        role: Set(role),
        token_hash: Set(hash_token(&token)),
        invited_by: Set(Some(by.user_id)),
        expires_at: Set(expires_at),
        accepted_at: Set(None),
        created_at: Set(now),
    }
    .insert(work.db())
    .await?;
    let email = crate::outbox::AccountEmail {
        to: normalized,
        subject_template: INVITE_SUBJECT,
        body_template: INVITE_BODY,
        vars,
    };
    let email_id = crate::outbox::queue_account_email(
        work.db(),
        &by.tenant,
        &services.settings.public_url,
        &services.secrets,
        email,
    )
    .await?;
    audit::record(
        work.db(),
        &Actor::Member(*by),
        audit::action::INVITATION_SENT,
        "invitation",
        Some(row.id.to_string()),
        format!("{} as {}", row.email, row.role),
    )
    .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(CreatedInvitation { invitation: row, link, email_id })
}

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
    let account = crate::accounts::get(db, &Tenant::new(found.account_id)).await?;
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
    crate::accounts::member(db, user_id, account_id).await
}

/// Pending (not accepted, not expired) invitations of the tenant, newest first.
pub async fn pending_invitations<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Vec<invitation::Model>> {
    Ok(scope::<invitation::Entity>(tenant)
        .filter(invitation::Column::AcceptedAt.is_null())
        .filter(invitation::Column::ExpiresAt.gt(Utc::now()))
        .order_by_desc(invitation::Column::Id)
        .all(db)
        .await?)
}

/// Revokes pending invitation `id`; admins only.
pub async fn revoke_invitation(db: &DatabaseConnection, by: &Member, id: Uuid) -> Result<()> {
    by.require(Permission::ManageTeam)?;
    let found = crate::tenancy::secure_find::<invitation::Entity, _>(db, &by.tenant, id).await?;
    let txn = crate::db::begin_write(db).await?;
    invitation::Entity::delete_many()
        .filter(invitation::Column::AccountId.eq(by.tenant.account_id()))
        .filter(invitation::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    crate::audit::record(
        &txn,
        &Actor::Member(*by),
        audit::action::INVITATION_REVOKED,
        "invitation",
        Some(id.to_string()),
        found.email,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the token of every `/invite/<token>` link in `text` with [`crate::outbox::REDACTED_LINK`].
fn hide_invite_links(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("/invite/") {
        let (before, after) = rest.split_at(at + "/invite/".len());
        out.push_str(before);
        let token_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).unwrap_or(after.len());
        if token_len > 0 {
            out.push_str(crate::outbox::REDACTED_LINK);
        }
        rest = &after[token_len..];
    }
    out.push_str(rest);
    out
}

/// Files invitation emails stored before account emails existed (their links in clear) as
/// account emails with the links hidden. Returns how many changed. Idempotent.
///
/// Errors: database errors.
pub async fn hide_legacy_invitation_links(db: &sea_orm::DatabaseConnection) -> Result<usize> {
    use sea_orm::ActiveModelTrait;
    let rows = crate::entities::email::Entity::find()
        .filter(crate::entities::email::Column::Kind.ne(crate::columns::EmailKind::Account))
        .filter(crate::entities::email::Column::SubjectTemplate.eq(INVITE_SUBJECT_TEMPLATE))
        .all(db)
        .await?;
    let n = rows.len();
    for row in rows {
        let (text, html) = (row.text_body.clone(), row.html_body.clone());
        let mut active: crate::entities::email::ActiveModel = row.into();
        active.kind = Set(crate::columns::EmailKind::Account);
        active.text_body = Set(text.as_deref().map(hide_invite_links));
        active.html_body = Set(html.as_deref().map(hide_invite_links));
        active.update(db).await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn old_invitation_links_are_hidden() {
        let text = "[Accept](http://x.example/invite/AbC-_9xyz) and http://x.example/invite/ again";
        let hidden = super::hide_invite_links(text);
        assert_eq!(
            hidden,
            format!(
                "[Accept](http://x.example/invite/{0}) and http://x.example/invite/ again",
                crate::outbox::REDACTED_LINK
            )
        );
        assert!(!hidden.contains("AbC"));
    }
}
