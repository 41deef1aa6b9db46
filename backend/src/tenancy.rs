//! Tenant contexts and tenant-scoped finders (after svix's `secure_find`).
//!
//! A [`Tenant`] can only be obtained from an authentication in this crate (an API key, a
//! session's membership, or account creation), so a service function that takes one
//! cannot be called for an account nobody proved access to. Every query on a
//! tenant-owned table starts from [`scope`] or [`secure_find`]; an id that belongs to
//! another account is answered with [`Error::NotFound`].

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};
use uuid::Uuid;

pub use crate::columns::Role;
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

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::parse(s).ok_or_else(|| format!("`{s}` is not a role (owner, admin or member)"))
    }
}

crate::stored_enum! { impl Role in "memberships|invitations"."role"; }

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
    /// `Ok` when the member's role grants `permission`, else [`Error::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<()> {
        Actor::Member(*self).require(permission)
    }
}

/// What an operation needs of whoever asks for it: the rows of the README's role matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Read conversations, analyses, alerts, tasks, deliveries, the outbox.
    Read,
    /// Work the queue: mark alerts read, update and assign tasks, re-run an analysis,
    /// replay dead deliveries, cancel scheduled calls.
    Work,
    /// Configure agents, fields, notifications, post-call actions, the analyzer and the
    /// ingest settings (with previews and test-sends).
    Configure,
    /// Create and revoke API keys; invite, re-role and remove members. Never an API key:
    /// a key cannot mint keys or people.
    ManageTeam,
    /// See the account's emails, the audit log and full endpoint URLs.
    SeeSensitive,
}

/// Who acts in a request, and in which account: the one request context both front doors
/// hand to the service layer (the dashboard's session, the REST API's key).
///
/// Built only from a [`Tenant`], which only this crate's authenticators make (a session's
/// membership, an API key, account creation); every service function that changes or reads
/// tenant data takes one and asks [`Actor::require`] for what it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A signed-in member of the account.
    Member(Member),
    /// An integrator's API key: acts account-wide (everything but [`Permission::ManageTeam`]).
    ApiKey {
        /// The key's account.
        tenant: Tenant,
        /// The key (who acted, for the audit log).
        key_id: Uuid,
    },
}

impl Actor {
    /// The account acted in.
    pub fn tenant(&self) -> &Tenant {
        match self {
            Actor::Member(m) => &m.tenant,
            Actor::ApiKey { tenant, .. } => tenant,
        }
    }

    /// The signed-in user, `None` for an API key.
    pub fn user_id(&self) -> Option<Uuid> {
        match self {
            Actor::Member(m) => Some(m.user_id),
            Actor::ApiKey { .. } => None,
        }
    }

    /// Whether the actor holds `permission` (the README's role matrix: members read and
    /// work; owners and admins also configure, manage the team and see sensitive data; an
    /// API key does everything but manage the team).
    pub fn can(&self, permission: Permission) -> bool {
        match (self, permission) {
            (_, Permission::Read | Permission::Work) => true,
            (Actor::Member(m), Permission::Configure | Permission::ManageTeam | Permission::SeeSensitive) => {
                m.role.can_configure()
            }
            (Actor::ApiKey { .. }, Permission::ManageTeam) => false,
            (Actor::ApiKey { .. }, Permission::Configure | Permission::SeeSensitive) => true,
        }
    }

    /// `Ok` when the actor holds `permission`.
    ///
    /// Errors: [`Error::Forbidden`].
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.can(permission) { Ok(()) } else { Err(Error::Forbidden) }
    }
}

impl From<Member> for Actor {
    fn from(m: Member) -> Self {
        Actor::Member(m)
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
    digest => "digest",
    delivery_attempt => "delivery attempt",
    email => "email",
    extraction_field => "field",
    integration => "integration",
    invitation => "invitation",
    notification_version => "notification version",
    push_subscription => "push subscription",
    job => "job",
    membership => "membership",
    notification => "notification",
    notification_run => "notification run",
    post_call_action => "action",
    post_call_action_version => "action version",
    scheduled_call => "scheduled call",
    task => "task",
    webhook_delivery => "webhook delivery",
}

/// `SELECT ... WHERE account_id = <tenant>`: the start of every tenant-owned query.
pub fn scope<E: Owned>(tenant: &Tenant) -> Select<E> {
    E::find().filter(E::account_column().eq(tenant.account_id))
}

/// The row with `id` in the tenant, or [`Error::NotFound`] (also for other tenants' ids).
///
/// On PostgreSQL the tenant test is written `(account_id = <tenant>) IS TRUE` (the same
/// rows) so that no index can answer it and the primary key is the only way in: cached
/// plans made while a table was new and small otherwise tied the primary key with an
/// `(account_id, ...)` index, and some walked the account's whole index (2 ms instead of
/// 0.02 ms a lookup).
pub async fn secure_find<E: Owned, C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<E::Model> {
    let by_id = E::find().filter(E::id_column().eq(id));
    let found = if db.get_database_backend() == sea_orm::DbBackend::Postgres {
        by_id.filter(Expr::cust_with_expr("($1) IS TRUE", E::account_column().eq(tenant.account_id)))
    } else {
        // SQLite always takes the primary key for `id = ?`.
        by_id.filter(E::account_column().eq(tenant.account_id))
    };
    found.one(db).await?.ok_or(Error::NotFound(E::NAME))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's role matrix, row by row: (permission, member, admin, owner, API key).
    #[test]
    fn permissions_follow_the_role_matrix() {
        let tenant = Tenant::new(Uuid::now_v7());
        let as_role = |role| Actor::Member(Member { tenant, user_id: Uuid::now_v7(), role });
        let key = Actor::ApiKey { tenant, key_id: Uuid::now_v7() };
        let matrix = [
            (Permission::Read, [true, true, true, true]),
            (Permission::Work, [true, true, true, true]),
            (Permission::Configure, [false, true, true, true]),
            (Permission::ManageTeam, [false, true, true, false]),
            (Permission::SeeSensitive, [false, true, true, true]),
        ];
        for (permission, expected) in matrix {
            let actors = [as_role(Role::Member), as_role(Role::Admin), as_role(Role::Owner), key];
            for (actor, allowed) in actors.iter().zip(expected) {
                assert_eq!(actor.can(permission), allowed, "{actor:?} {permission:?}");
                assert_eq!(actor.require(permission).is_ok(), allowed);
                if !allowed {
                    assert!(matches!(actor.require(permission), Err(Error::Forbidden)));
                }
            }
        }
        assert_eq!(key.user_id(), None);
        assert_eq!(key.tenant(), &tenant);
    }
}
