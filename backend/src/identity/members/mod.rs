//! The team: inviting members by email, accepting an invitation, changing roles and
//! removing members.
//!
//! An invitation is a link `<public_url>/invite/<token>` carrying 256 random bits; only the
//! token's SHA-256 is stored, so the link cannot be forged or recovered from the database.
//! The email that carries it is an account email ([`crate::delivery::outbox::queue_account_email`]):
//! stored with the link hidden, sent from an encrypted copy, listed to admins only — a
//! member who could read the link of an admin invitation could accept it and become admin.
//! It expires after [`INVITATION_DAYS`] days and works once. Owners and admins invite, as
//! `admin` or `member`; nobody can be made owner, and the owner cannot be removed or demoted.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::Services;
use crate::audit;
use crate::entities::{alert, invitation, membership, push_subscription, task, user};
use crate::error::{Error, Result};
use crate::templates::Variables;
use crate::tenancy::Actor;
use crate::tenancy::Permission;
use crate::tenancy::{Member, Role, Tenant, scope};
use crate::types::EmailAddress;

mod invitations;
pub use invitations::*;

async fn membership_of<C: ConnectionTrait>(db: &C, tenant: &Tenant, user_id: Uuid) -> Result<membership::Model> {
    membership::Entity::find()
        .filter(membership::Column::AccountId.eq(tenant.account_id()))
        .filter(membership::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("member"))
}

/// Changes member `user_id`'s role to `admin` or `member`; admins only.
///
/// Errors: [`Error::NotFound`] for a user who is not a member here; [`Error::Invalid`] on
/// `role` for the owner or an unknown role.
pub async fn set_role(db: &DatabaseConnection, by: &Member, user_id: Uuid, role: &str) -> Result<()> {
    by.require(Permission::ManageTeam)?;
    let role = invitable_role(role)?;
    let found = membership_of(db, &by.tenant, user_id).await?;
    if found.role == Role::Owner {
        return Err(Error::invalid("role", "the owner's role cannot be changed"));
    }
    let from = found.role;
    let txn = crate::db::begin_write(db).await?;
    let mut active: membership::ActiveModel = found.into();
    active.role = Set(role);
    active.update(&txn).await?;
    let who = user::Entity::find_by_id(user_id).one(&txn).await?.map(|u| u.email).unwrap_or_default();
    audit::record(
        &txn,
        &Actor::Member(*by),
        audit::action::ROLE_CHANGED,
        "member",
        Some(user_id.to_string()),
        format!("{who}: {from} → {}", role.as_str()),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Removes member `user_id` from the account; admins only. Their alerts and push
/// subscriptions here are deleted and their tasks become unassigned; their sessions stop
/// working at the next request (every request checks the membership).
///
/// Errors: [`Error::NotFound`] for a non-member; [`Error::Invalid`] on `user_id` for the owner.
pub async fn remove(db: &DatabaseConnection, by: &Member, user_id: Uuid) -> Result<()> {
    by.require(Permission::ManageTeam)?;
    let found = membership_of(db, &by.tenant, user_id).await?;
    if found.role == Role::Owner {
        return Err(Error::invalid("user_id", "the owner cannot be removed"));
    }
    let account_id = by.tenant.account_id();
    let txn = crate::db::begin_write(db).await?;
    alert::Entity::delete_many()
        .filter(alert::Column::AccountId.eq(account_id))
        .filter(alert::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::AccountId.eq(account_id))
        .filter(push_subscription::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    task::Entity::update_many()
        .col_expr(task::Column::AssigneeUserId, Expr::value(Option::<Uuid>::None))
        .filter(task::Column::AccountId.eq(account_id))
        .filter(task::Column::AssigneeUserId.eq(user_id))
        .exec(&txn)
        .await?;
    membership::Entity::delete_by_id(found.id).exec(&txn).await?;
    let who = user::Entity::find_by_id(user_id).one(&txn).await?.map(|u| u.email).unwrap_or_default();
    audit::record(
        &txn,
        &Actor::Member(*by),
        audit::action::MEMBER_REMOVED,
        "member",
        Some(user_id.to_string()),
        format!("{who} ({})", found.role),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
