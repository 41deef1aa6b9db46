//! Invitations: sent by email with a one-time link (stored hashed), looked up, accepted, listed
//! and revoked.

#[allow(unused_imports)]
use super::*;

mod accept;
pub use accept::*;
mod legacy;
pub use legacy::*;

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
    let members = crate::identity::accounts::members(db, &by.tenant).await?;
    if members.iter().any(|m| m.email.eq_ignore_ascii_case(&normalized)) {
        return Err(Error::conflict("email", "is already a member of this account"));
    }
    let inviter = crate::identity::accounts::user(db, by).await?;
    let account = crate::identity::accounts::get(db, &by.tenant).await?;

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
    let email = crate::delivery::outbox::AccountEmail {
        to: normalized,
        subject_template: INVITE_SUBJECT,
        body_template: INVITE_BODY,
        vars,
    };
    let email_id = crate::delivery::outbox::queue_account_email(
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
                crate::delivery::outbox::REDACTED_LINK
            )
        );
        assert!(!hidden.contains("AbC"));
    }
}
