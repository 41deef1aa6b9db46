//! `users`: a person who signs in; belongs to accounts through memberships.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased, unique.
    pub email: String,
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: DateTimeUtc,
    /// When the address was confirmed (a confirmation link, an accepted invitation, the
    /// CLI); NULL = unconfirmed (`auth.signup = "verified"` refuses sign-in then).
    pub email_verified_at: Option<DateTimeUtc>,
    /// Sessions signed in before this instant no longer work (set by a password change or
    /// reset).
    pub sessions_valid_after: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
