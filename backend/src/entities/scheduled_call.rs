//! `scheduled_calls`: follow-up calls a `schedule_call` action scheduled for a conversation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "scheduled_calls")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub conversation_id: Uuid,
    pub action_id: Option<Uuid>,
    /// When the callback request is sent.
    pub due_at: DateTimeUtc,
    pub state: crate::columns::ScheduledCallState,
    /// Where the time came from: `field <name>` or `fallback <n> min`.
    pub source: String,
    /// The `RequestCallback` job.
    pub job_id: Option<Uuid>,
    /// The callback request's delivery, once queued.
    pub webhook_delivery_id: Option<Uuid>,
    pub cancelled_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
