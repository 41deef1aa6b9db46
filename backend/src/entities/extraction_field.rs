//! `extraction_fields`: a typed value the analyzer extracts from every call of an agent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "extraction_fields")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub agent_id: Uuid,
    /// `[a-z][a-z0-9_]*`, unique per agent; used as `{{ dyn_<name> }}`.
    pub name: String,
    pub field_type: crate::columns::FieldType,
    pub description: String,
    pub options: crate::columns::FieldOptions,
    pub position: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
