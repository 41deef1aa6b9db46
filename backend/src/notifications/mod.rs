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

use crate::audit;
use crate::conditions::{self, Condition as RuleCondition};
use crate::entities::{notification, notification_run, notification_version};
use crate::error::{Error, Result};
use crate::identity::accounts;
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

mod manage;
pub use manage::*;

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
