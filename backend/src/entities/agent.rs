//! `agents`: a voice agent known to the integrator by `external_id`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// The integrator's id for the agent, the `agent_id` of call events.
    pub external_id: String,
    pub name: String,
    /// IANA time zone name, e.g. `Europe/Berlin`; dates in emails are shown in it.
    pub timezone: String,
    /// BCP 47 language tag, e.g. `en`.
    pub language: String,
    /// A natural-language outcome judged for every call (success / failure / unknown).
    pub goal: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
