//! Accounts, users and memberships: creating an account and its owner, the membership
//! check that turns a session into a [`Member`], the account's members, and the account's
//! ingest settings. Signing in and the account flows are in [`crate::auth`].

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use crate::entities::{account, membership, user};
use crate::error::{Error, Result};
use crate::identity::passwords;
use crate::tenancy::Permission;
use crate::tenancy::{Member, Role, Tenant};
use crate::types::EmailAddress;

mod signup;
pub use signup::*;
mod ingest;
pub use ingest::*;

/// The user's membership in the account, as a [`Member`].
///
/// Errors: [`Error::Unauthenticated`] when the user is not (or no longer) a member.
pub async fn member<C: ConnectionTrait>(db: &C, user_id: Uuid, account_id: Uuid) -> Result<Member> {
    let found = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::AccountId.eq(account_id))
        .one(db)
        .await?
        .ok_or(Error::Unauthenticated)?;
    let role = found.role;
    Ok(Member { tenant: Tenant::new(account_id), user_id, role })
}

/// The account row of a tenant.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<account::Model> {
    account::Entity::find_by_id(tenant.account_id()).one(db).await?.ok_or(Error::NotFound("account"))
}

/// The user row of a member.
pub async fn user<C: ConnectionTrait>(db: &C, member: &Member) -> Result<user::Model> {
    user::Entity::find_by_id(member.user_id).one(db).await?.ok_or(Error::NotFound("user"))
}

/// A member of the account, for pickers and alert fan-out.
#[derive(Clone, Debug)]
pub struct MemberInfo {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: Role,
}

/// Every member of the tenant, oldest first.
pub async fn members<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<Vec<MemberInfo>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(tenant.account_id()))
        .order_by_asc(membership::Column::CreatedAt)
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| {
            let u = u?;
            Some(MemberInfo { user_id: u.id, name: u.name, email: u.email, role: m.role })
        })
        .collect())
}
