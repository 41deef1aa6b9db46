//! `integrations`: an account's native intake for one voice platform; unique on
//! `(account_id, platform)` and on `intake_token`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "integrations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub platform: crate::columns::Platform,
    /// The random path segment of the intake URL (32 bytes, URL-safe base64). It only
    /// routes a request to its account: the platform's own signature authenticates it.
    pub intake_token: String,
    /// The platform's signing secret (Retell API key, ElevenLabs webhook secret, Vapi
    /// credential), sealed with the installation key (`secrets::aad("integrations",
    /// "secret", id)`).
    pub secret: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
