//! The audit log (SPEC section 9; OWASP ASVS 7.2): every change of an account's
//! configuration — publishing, enabling, disabling or deleting a notification or a
//! post-call action, rotating a signing secret, inviting, changing a role or removing a
//! member, creating or revoking an API key, connecting or disconnecting a voice platform,
//! changing settings — is recorded with who did it, in the same transaction as the change.
//! Owners and admins read it in Settings and over `GET /api/v1/audit-log`; members cannot.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::entities::{api_key, audit_entry, user};
use crate::error::Result;
use crate::tenancy::{Actor, Permission, scope};

/// The recorded actions.
pub mod action {
    pub const NOTIFICATION_PUBLISHED: &str = "notification.published";
    pub const NOTIFICATION_ENABLED: &str = "notification.enabled";
    pub const NOTIFICATION_DISABLED: &str = "notification.disabled";
    pub const NOTIFICATION_DELETED: &str = "notification.deleted";
    pub const ACTION_CREATED: &str = "action.created";
    pub const ACTION_UPDATED: &str = "action.updated";
    pub const ACTION_PUBLISHED: &str = "action.published";
    pub const ACTION_ENABLED: &str = "action.enabled";
    pub const ACTION_DISABLED: &str = "action.disabled";
    pub const ACTION_DELETED: &str = "action.deleted";
    pub const SECRET_ROTATED: &str = "action.secret_rotated";
    pub const INVITATION_SENT: &str = "invitation.sent";
    pub const INVITATION_REVOKED: &str = "invitation.revoked";
    pub const ROLE_CHANGED: &str = "member.role_changed";
    pub const MEMBER_REMOVED: &str = "member.removed";
    pub const API_KEY_CREATED: &str = "api_key.created";
    pub const API_KEY_REVOKED: &str = "api_key.revoked";
    pub const SETTINGS_CHANGED: &str = "settings.changed";
    pub const INTEGRATION_ENABLED: &str = "integration.enabled";
    pub const INTEGRATION_DISABLED: &str = "integration.disabled";
}

/// Records `action` on `target_type` / `target_id` by `actor`, with a one-line `detail`, in
/// `db` (pass the transaction of the change).
///
/// Errors: database errors.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    target_type: &str,
    target_id: Option<String>,
    detail: String,
) -> Result<()> {
    let (user, key) = match actor {
        Actor::Member(m) => (Some(m.user_id), None),
        Actor::ApiKey { key_id, .. } => (None, Some(*key_id)),
    };
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.tenant().account_id()),
        actor_user_id: Set(user),
        actor_api_key_id: Set(key),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        detail: Set(detail.chars().take(500).collect()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// An entry as Settings and the REST API show it.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[schema(as = AuditEntry)]
pub struct Entry {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// `Ann Lee <ann@example.com>`, `API key "CRM sync"`, or `(deleted user)`.
    pub actor: String,
    pub actor_user_id: Option<Uuid>,
    pub actor_api_key_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub detail: String,
}

/// One page of the account's audit log, newest first, older than `before`; at most
/// `limit` entries. Owners, admins and API keys only.
///
/// Errors: [`crate::Error::Forbidden`] for members.
pub async fn list<C: ConnectionTrait>(db: &C, actor: &Actor, before: Option<Uuid>, limit: u64) -> Result<Vec<Entry>> {
    actor.require(Permission::SeeSensitive)?;
    let tenant = actor.tenant();
    let mut q = scope::<audit_entry::Entity>(tenant);
    if let Some(b) = before {
        q = q.filter(audit_entry::Column::Id.lt(b));
    }
    let rows = q.order_by_desc(audit_entry::Column::Id).limit(limit).all(db).await?;
    let users: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_user_id).collect();
    let keys: Vec<Uuid> = rows.iter().filter_map(|r| r.actor_api_key_id).collect();
    let users = user::Entity::find().filter(user::Column::Id.is_in(users)).all(db).await?;
    let keys = scope::<api_key::Entity>(tenant).filter(api_key::Column::Id.is_in(keys)).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let actor = match (r.actor_user_id, r.actor_api_key_id) {
                (Some(u), _) => users
                    .iter()
                    .find(|x| x.id == u)
                    .map(|x| format!("{} <{}>", x.name, x.email))
                    .unwrap_or_else(|| "(deleted user)".to_owned()),
                (None, Some(k)) => keys
                    .iter()
                    .find(|x| x.id == k)
                    .map(|x| format!("API key \"{}\"", x.name))
                    .unwrap_or_else(|| "(deleted API key)".to_owned()),
                (None, None) => "(system)".to_owned(),
            };
            Entry {
                id: r.id,
                at: r.created_at,
                actor,
                actor_user_id: r.actor_user_id,
                actor_api_key_id: r.actor_api_key_id,
                action: r.action,
                target_type: r.target_type,
                target_id: r.target_id,
                detail: r.detail,
            }
        })
        .collect())
}
