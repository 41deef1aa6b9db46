//! `digests`: one sent period of a digest notification, unique per (notification, period
//! end): the row claims the period, so it is sent once across restarts and workers.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "digests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub notification_id: Uuid,
    pub period_start: DateTimeUtc,
    pub period_end: DateTimeUtc,
    /// The email sent (NULL when the notification had no fixed recipients).
    pub email_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
