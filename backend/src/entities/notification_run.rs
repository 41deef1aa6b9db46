//! `notification_runs`: one per (conversation, enabled notification): fired or not, and why.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub conversation_id: Uuid,
    /// NULL once the notification is deleted; `notification_name` keeps the history legible.
    pub notification_id: Option<Uuid>,
    pub notification_name: String,
    pub fired: bool,
    /// One line: the analyzer's reason, or why the run did not fire.
    pub reason: String,
    pub created_at: DateTimeUtc,
    /// The notification version the run used.
    pub notification_version: Option<i32>,
    /// The structured condition that stopped the run, when one did.
    pub stopped_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
