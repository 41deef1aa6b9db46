//! Post-call notifications: the wire shape admins and integrators send, its validation,
//! storage, drafts and published versions. A notification belongs to one agent, or to every
//! agent when `agent_id` is NULL ("All agents").
//!
//! Versions (SPEC section 2): the notification's columns hold the live, published settings
//! and their `version` (0 = never published, so it does not run); dashboard edits are kept
//! in `draft` until published; every publication is also kept in `notification_versions`,
//! and every notification run records the version it used. The REST API publishes at once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::accounts;
use crate::audit;
use crate::conditions::{self, Condition as RuleCondition};
use crate::entities::{notification, notification_run, notification_version};
use crate::error::{Error, Result};
use crate::templates::check_template;
use crate::tenancy::Actor;
use crate::tenancy::Permission;
use crate::tenancy::{Member, Tenant, scope, secure_find};
use crate::types::{EmailAddress, Priority, TeamAlert};

pub use crate::columns::{Recipients, Route};

mod input;
pub use input::*;
mod validate;
use validate::*;
mod versions;
pub use versions::*;
mod stats;
pub use stats::*;

/// Creates a notification for `agent_id` (or every agent when `None`): published as
/// version 1, or kept as an unpublished draft (version 0, which never runs).
///
/// Needs the configure permission (admins, owners, API keys).
///
/// Errors: [`Error::Forbidden`]; [`Error::Invalid`] naming the field (with line and column
/// for templates, the index for addresses and conditions); [`Error::NotFound`] when the
/// agent is not the tenant's.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    agent_id: Option<Uuid>,
    input: NotificationInput,
    save: Save,
) -> Result<notification::Model> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    if let Some(agent_id) = agent_id {
        crate::agents::get(db, tenant, agent_id).await?;
    }
    let draft = new_draft(agent_id, &input);
    let valid = validate(db, tenant, input).await?;
    let txn = crate::db::begin_write(db).await?;
    let last = scope::<notification::Entity>(tenant)
        .select_only()
        .column_as(notification::Column::Position.max(), "max_position")
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten()
        .unwrap_or(0);
    let now = Utc::now();
    let mut active = notification::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent_id),
        position: Set(last + 1),
        created_at: Set(now),
        version: Set(0),
        draft: Set(None),
        ..Default::default()
    };
    let saved = match save {
        Save::Publish => publish_into(&txn, actor, active, agent_id, valid).await?,
        Save::Draft => {
            apply(&mut active, valid);
            active.draft = Set(Some(draft));
            active.insert(&txn).await?
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// Saves new settings for notification `id` (applying to `agent_id`): as its draft, or
/// published as its next version. A never-published notification's columns follow its
/// draft so lists show its current name.
///
/// Errors: as [`create`]; [`Error::NotFound`] for another tenant's id.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    agent_id: Option<Uuid>,
    input: NotificationInput,
    save: Save,
) -> Result<notification::Model> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    secure_find::<notification::Entity, _>(db, tenant, id).await?;
    if let Some(agent_id) = agent_id {
        crate::agents::get(db, tenant, agent_id).await?;
    }
    let draft = new_draft(agent_id, &input);
    let valid = validate(db, tenant, input).await?;
    let txn = crate::db::begin_write(db).await?;
    let found = secure_find::<notification::Entity, _>(&txn, tenant, id).await?;
    let version = found.version;
    let mut active: notification::ActiveModel = found.into();
    let saved = match save {
        Save::Publish => publish_into(&txn, actor, active, agent_id, valid).await?,
        Save::Draft => {
            if version == 0 {
                active.agent_id = Set(agent_id);
                apply(&mut active, valid);
            }
            active.draft = Set(Some(draft));
            active.updated_at = Set(Utc::now());
            active.update(&txn).await?
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// Turns notification `id` on or off at once (not a versioned change; the draft follows);
/// admins only.
pub async fn set_enabled(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    enabled: bool,
) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let draft = draft_of(&found);
    let mut active: notification::ActiveModel = found.into();
    active.enabled = Set(enabled);
    if let Some(mut d) = draft {
        d.settings.enabled = enabled;
        active.draft = Set(Some(d));
    }
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(db).await?;
    let saved = active.update(&txn).await?;
    let what = if enabled { audit::action::NOTIFICATION_ENABLED } else { audit::action::NOTIFICATION_DISABLED };
    audit::record(&txn, &Actor::Member(*member), what, "notification", Some(saved.id.to_string()), saved.name.clone())
        .await?;
    txn.commit().await?;
    Ok(saved)
}

/// Copies notification `id` (its editable settings) as a new, disabled notification
/// named "… (copy)", published so that enabling it is all it takes; admins only.
pub async fn duplicate(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let Draft { agent_id, mut settings } = editable(&found);
    let mut name = format!("{} (copy)", settings.name);
    if name.chars().count() > 120 {
        name = name.chars().take(120).collect();
    }
    settings.name = name;
    settings.enabled = false;
    create(db, &Actor::Member(*member), agent_id, settings, Save::Publish).await
}

/// Deletes notification `id` and its versions; admins only. Past runs keep their name and
/// version (their `notification_id` becomes NULL).
pub async fn delete(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<()> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let txn = crate::db::begin_write(db).await?;
    audit::record(
        &txn,
        &Actor::Member(*member),
        audit::action::NOTIFICATION_DELETED,
        "notification",
        Some(id.to_string()),
        found.name.clone(),
    )
    .await?;
    notification_version::Entity::delete_many()
        .filter(notification_version::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification_version::Column::NotificationId.eq(id))
        .exec(&txn)
        .await?;
    notification_run::Entity::update_many()
        .col_expr(notification_run::Column::NotificationId, sea_orm::sea_query::Expr::value(Option::<Uuid>::None))
        .filter(notification_run::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification_run::Column::NotificationId.eq(id))
        .exec(&txn)
        .await?;
    notification::Entity::delete_many()
        .filter(notification::Column::AccountId.eq(member.tenant.account_id()))
        .filter(notification::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves notification `id` one place earlier (`up`) or later in the list that applies to
/// `agent_id` (`None` = the account's whole list), swapping with its neighbour; admins only.
/// Order decides the order of runs, emails and alerts of one call.
pub async fn reorder(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    agent_id: Option<Uuid>,
    up: bool,
) -> Result<()> {
    member.require(Permission::Configure)?;
    get(db, &member.tenant, id).await?;
    let txn = crate::db::begin_write(db).await?;
    let rows = list(&txn, &member.tenant, agent_id).await?;
    let Some(at) = rows.iter().position(|n| n.id == id) else {
        return Err(Error::NotFound("notification"));
    };
    let other = if up { at.checked_sub(1) } else { (at + 1 < rows.len()).then_some(at + 1) };
    if let Some(other) = other {
        // Distinct positions first (older rows could share one), then swap.
        let mut positions: Vec<i32> = rows.iter().map(|n| n.position).collect();
        for i in 1..positions.len() {
            if positions[i] <= positions[i - 1] {
                positions[i] = positions[i - 1] + 1;
            }
        }
        positions.swap(at, other);
        for (n, position) in rows.into_iter().zip(positions) {
            if n.position != position {
                let mut active: notification::ActiveModel = n.into();
                active.position = Set(position);
                active.update(&txn).await?;
            }
        }
    }
    txn.commit().await?;
    Ok(())
}

/// The tenant's notification `id`.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<notification::Model> {
    secure_find::<notification::Entity, _>(db, tenant, id).await
}

/// Notifications of the tenant: all of them (`None`), or those that apply to one agent
/// (its own and the account-wide ones), in their configured order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    agent_id: Option<Uuid>,
) -> Result<Vec<notification::Model>> {
    let mut q = scope::<notification::Entity>(tenant);
    if let Some(agent_id) = agent_id {
        q = q.filter(
            Condition::any()
                .add(notification::Column::AgentId.eq(agent_id))
                .add(notification::Column::AgentId.is_null()),
        );
    }
    Ok(q.order_by_asc(notification::Column::Position).order_by_asc(notification::Column::CreatedAt).all(db).await?)
}
