//! `notification_versions`: every published version of a notification's settings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub notification_id: Uuid,
    /// 1, 2, … per notification.
    pub version: i32,
    /// The [`crate::notifications::NotificationInput`] published.
    pub settings: crate::columns::Draft,
    /// Who published it (None over the API).
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
