//! Tenant contexts and tenant-scoped finders (after svix's `secure_find`).
//!
//! A [`Tenant`] can only be obtained from an authentication in this crate (an API key, a
//! session's membership, or account creation), so a service function that takes one
//! cannot be called for an account nobody proved access to. Every query on a
//! tenant-owned table starts from [`scope`] or [`secure_find`]; an id that belongs to
//! another account is answered with [`Error::NotFound`].

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities;
use crate::error::{Error, Result};

/// The account a request acts for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tenant {
    account_id: Uuid,
}

impl Tenant {
    /// Only this crate's authenticators construct tenants.
    pub(crate) fn new(account_id: Uuid) -> Self {
        Self { account_id }
    }

    /// The account's id.
    pub fn account_id(&self) -> Uuid {
        self.account_id
    }
}

/// A member's role in an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Created the account; everything an admin can do.
    Owner,
    /// Configures agents, notifications, members, keys.
    Admin,
    /// Works alerts and tasks, reads conversations; cannot change configuration.
    Member,
}

impl Role {
    /// The stored name: `owner`, `admin` or `member`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    /// Parses a stored role name.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "owner" => Some(Role::Owner),
            "admin" => Some(Role::Admin),
            "member" => Some(Role::Member),
            _ => None,
        }
    }

    /// Owners and admins may change configuration.
    pub fn can_configure(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// A signed-in user acting in one of their accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    /// The account.
    pub tenant: Tenant,
    /// The user.
    pub user_id: Uuid,
    /// Their role in the account.
    pub role: Role,
}

impl Member {
    /// `Ok` when the role may change configuration, else [`Error::Forbidden`].
    pub fn require_admin(&self) -> Result<()> {
        if self.role.can_configure() { Ok(()) } else { Err(Error::Forbidden) }
    }
}

/// A tenant-owned entity: has an `account_id` column and a UUID `id`.
pub trait Owned: EntityTrait {
    /// The resource's name in errors, e.g. `"conversation"`.
    const NAME: &'static str;
    /// The `account_id` column.
    fn account_column() -> Self::Column;
    /// The `id` column.
    fn id_column() -> Self::Column;
}

macro_rules! owned {
    ($($module:ident => $name:literal),* $(,)?) => {$(
        impl Owned for entities::$module::Entity {
            const NAME: &'static str = $name;
            fn account_column() -> Self::Column {
                entities::$module::Column::AccountId
            }
            fn id_column() -> Self::Column {
                entities::$module::Column::Id
            }
        }
    )*};
}

owned! {
    agent => "agent",
    alert => "alert",
    analysis => "analysis",
    api_key => "API key",
    audit_entry => "audit entry",
    conversation => "conversation",
    delivery_attempt => "delivery attempt",
    email => "email",
    extraction_field => "field",
    invitation => "invitation",
    notification_version => "notification version",
    push_subscription => "push subscription",
    job => "job",
    membership => "membership",
    notification => "notification",
    notification_run => "notification run",
    post_call_action => "action",
    scheduled_call => "scheduled call",
    task => "task",
    webhook_delivery => "webhook delivery",
}

/// `SELECT ... WHERE account_id = <tenant>`: the start of every tenant-owned query.
pub fn scope<E: Owned>(tenant: &Tenant) -> Select<E> {
    E::find().filter(E::account_column().eq(tenant.account_id))
}

/// The row with `id` in the tenant, or [`Error::NotFound`] (also for other tenants' ids).
pub async fn secure_find<E: Owned, C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<E::Model> {
    scope::<E>(tenant).filter(E::id_column().eq(id)).one(db).await?.ok_or(Error::NotFound(E::NAME))
}
