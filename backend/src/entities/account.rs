//! `accounts`: a tenant.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Whether ingest creates an unknown `agent_id` instead of answering 404.
    pub auto_create_agents: bool,
    pub created_at: DateTimeUtc,
    /// When set (`whsec_…`), `POST /api/v1/calls` must be signed with it (Standard Webhooks).
    pub inbound_signing_secret: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
