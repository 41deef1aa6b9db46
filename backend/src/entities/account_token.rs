//! `account_tokens`: single-use links of the account flows — a password reset, the
//! confirmation of a new owner's address, the confirmation of an email change — stored as
//! the SHA-256 of the token (the link is only ever in the email), with an expiry.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "account_tokens")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub purpose: crate::columns::Purpose,
    /// Hex SHA-256 of the token in the link.
    pub token_hash: String,
    /// `email_change`: the address that becomes the user's once confirmed (lower-cased).
    pub new_email: Option<String>,
    pub expires_at: DateTimeUtc,
    /// Set when the link was used; a used link never works again.
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
