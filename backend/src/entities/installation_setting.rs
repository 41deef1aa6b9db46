//! `installation_settings`: values that belong to this installation, not to an account
//! (the VAPID key pair of browser push).

use sea_orm::entity::prelude::*;

/// The key of the VAPID private key (URL-safe base64, 32 bytes), sealed with the
/// installation key.
pub const VAPID_KEY: &str = "vapid_private_key";

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "installation_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    pub value: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
