//! `tasks`: follow-up work with a priority, linked to a conversation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub notification_run_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub priority: crate::types::Priority,
    pub status: crate::columns::TaskStatus,
    pub assignee_user_id: Option<Uuid>,
    pub due_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub completed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
