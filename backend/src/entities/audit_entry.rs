//! `audit_entries`: who changed the account's configuration, and what — publishing,
//! enabling or deleting a notification or action, role changes, API keys, secret rotation,
//! settings — newest last (UUIDv7 ids).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// The member who did it (NULL: an API key, or the user was deleted since).
    pub actor_user_id: Option<Uuid>,
    /// The API key that did it.
    pub actor_api_key_id: Option<Uuid>,
    /// What happened, e.g. `notification.published` (see `crate::audit::action`).
    pub action: String,
    /// What it happened to: `notification`, `action`, `member`, `api_key`, `invitation`, `settings`.
    pub target_type: String,
    pub target_id: Option<String>,
    /// One line for people, e.g. `Callback requested, version 3`.
    pub detail: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
