//! Emails as the dashboard sees them: the outbox and every email's delivery state.
//!
//! **Account emails** (invitations, password resets, address confirmations) carry a
//! single-use link that only their recipient may read (a member who read an admin
//! invitation's link could accept it and become admin). They are rendered twice: the real
//! message is stored only encrypted ([`crate::secrets`]) in `sealed_body` and sent from
//! there, and every view — Outbox, Deliveries, the REST API — shows a copy with the link
//! replaced by [`REDACTED_LINK`]. They are listed to owners and admins only.

use chrono::Utc;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::entities::email;
use crate::error::{Error, Result};
use crate::queue::{self, SendEmail};
use crate::secrets::SecretBox;
use crate::templates::{RenderedEmail, Variables};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

pub use crate::columns::{EmailKind, EmailRecipients, EmailState};

mod compose;
pub use compose::*;

/// What the stored copy of an account email shows instead of its link.
pub const REDACTED_LINK: &str = "(link hidden: only the recipient gets it)";

/// One page of the emails `actor` may see, newest first; `before` is the last id of the
/// previous page (keyset pagination). Returns at most `limit` rows. Account emails are
/// listed only to those who may see sensitive data (owners, admins, API keys).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<email::Model>> {
    let mut q = visible(scope::<email::Entity>(actor.tenant()), actor);
    if let Some(before) = before {
        q = q.filter(email::Column::Id.lt(before));
    }
    Ok(q.order_by_desc(email::Column::Id).limit(limit).all(db).await?)
}

/// Narrows an email query to what `actor` may see (see [`list`]).
pub fn visible(q: sea_orm::Select<email::Entity>, actor: &Actor) -> sea_orm::Select<email::Entity> {
    if actor.can(Permission::SeeSensitive) { q } else { q.filter(email::Column::Kind.ne(EmailKind::Account)) }
}

/// The actor's account's email `id`, if `actor` may see it.
///
/// Errors: [`Error::NotFound`] for another account's email, and for a member asking for an
/// account email.
pub async fn get<C: ConnectionTrait>(db: &C, actor: &Actor, id: Uuid) -> Result<email::Model> {
    let row = secure_find::<email::Entity, _>(db, actor.tenant(), id).await?;
    if visible_to(&row, actor) { Ok(row) } else { Err(Error::NotFound("email")) }
}

/// Whether `actor` may see `row` (see [`list`]).
pub fn visible_to(row: &email::Model, actor: &Actor) -> bool {
    row.kind != EmailKind::Account || actor.can(Permission::SeeSensitive)
}

/// The emails of the given notification runs.
pub async fn for_runs<C: ConnectionTrait>(db: &C, tenant: &Tenant, run_ids: &[Uuid]) -> Result<Vec<email::Model>> {
    Ok(scope::<email::Entity>(tenant)
        .filter(email::Column::NotificationRunId.is_in(run_ids.iter().copied()))
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn message_ids_use_the_public_host() {
        let id = uuid::Uuid::nil();
        assert_eq!(super::message_id(id, "https://calls.example.com/x"), format!("{id}@calls.example.com"));
        assert_eq!(super::message_id(id, "http://127.0.0.1:3000"), format!("{id}@127.0.0.1"));
    }
}
