//! `post_call_action_versions`: every published version of a post-call action's settings.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post_call_action_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub action_id: Uuid,
    /// 1, 2, … per action.
    pub version: i32,
    /// The `actions::ActionSettings` published, as JSON sealed with the installation key
    /// (they hold the URL and credentials).
    pub settings: String,
    /// Who published it (None over the API).
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
