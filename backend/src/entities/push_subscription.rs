//! `push_subscriptions`: a member's browser push subscription (Web Push, RFC 8030).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "push_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub user_id: Uuid,
    /// The push service URL the browser gave.
    pub endpoint: String,
    /// The browser's P-256 public key, URL-safe base64.
    pub p256dh: String,
    /// The browser's auth secret, URL-safe base64.
    pub auth: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
