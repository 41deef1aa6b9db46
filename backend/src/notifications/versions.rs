//! Drafts and published versions: saving a draft, publishing it as the next version, discarding
//! it, restoring an old version.

pub use crate::columns::Draft;

#[allow(unused_imports)]
use super::*;

/// The unpublished draft of a notification, if there is one.
pub fn draft_of(n: &notification::Model) -> Option<Draft> {
    n.draft.clone()
}

crate::stored_json! { impl Draft in "notifications|notification_versions"."draft"; }

/// What the editor shows: the draft when there is one, else the published settings.
pub fn editable(n: &notification::Model) -> Draft {
    draft_of(n).unwrap_or_else(|| Draft { agent_id: n.agent_id, settings: to_input(n) })
}

/// Whether a save keeps the edits as a draft or makes them live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Save {
    /// Keep as a draft: validated and stored, not used by runs.
    Draft,
    /// Make live as the next version.
    Publish,
}

/// Publishes `valid` on `active` as the next version and records it; `active.version` must
/// hold the current version.
pub(crate) async fn publish_into<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    mut active: notification::ActiveModel,
    agent_id: Option<Uuid>,
    valid: Valid,
) -> Result<notification::Model> {
    let tenant = actor.tenant();
    let by = match actor {
        Actor::Member(m) => Some(m.user_id),
        Actor::ApiKey { .. } => None,
    };
    let next = active.version.clone().unwrap() + 1;
    active.agent_id = Set(agent_id);
    active.version = Set(next);
    active.draft = Set(None);
    apply(&mut active, valid);
    // A new row arrives with its id `Set`, a stored one with it `Unchanged`; `save` would
    // pick UPDATE for both.
    let saved = if active.id.is_set() { active.insert(db).await? } else { active.update(db).await? };
    notification_version::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        notification_id: Set(saved.id),
        version: Set(next),
        settings: Set(Draft { agent_id, settings: to_input(&saved) }),
        created_by: Set(by),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    let detail = format!("{}, version {next}{}", saved.name, if saved.enabled { "" } else { " (off)" });
    audit::record(db, actor, audit::action::NOTIFICATION_PUBLISHED, "notification", Some(saved.id.to_string()), detail)
        .await?;
    Ok(saved)
}

pub(crate) fn new_draft(agent_id: Option<Uuid>, input: &NotificationInput) -> Draft {
    Draft { agent_id, settings: input.clone() }
}

/// Publishes the stored draft of notification `id` as its next version; admins only.
///
/// Errors: [`Error::Invalid`] on `draft` when there is none; validation errors as
/// [`create`] (configuration may have changed since, e.g. a removed member).
pub async fn publish_draft(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let draft = draft_of(&found).ok_or_else(|| Error::invalid("draft", "there is no draft to publish"))?;
    update(db, &Actor::Member(*member), id, draft.agent_id, draft.settings, Save::Publish).await
}

/// Drops the unpublished draft of notification `id`; admins only. A never-published
/// notification has nothing to fall back to and is deleted.
pub async fn discard_draft(db: &DatabaseConnection, member: &Member, id: Uuid) -> Result<Option<notification::Model>> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    if found.version == 0 {
        delete(db, member, id).await?;
        return Ok(None);
    }
    let mut active: notification::ActiveModel = found.into();
    active.draft = Set(None);
    Ok(Some(active.update(db).await?))
}

/// Copies published version `version` of notification `id` into its draft, for review and
/// publishing; admins only.
///
/// Errors: [`Error::NotFound`] for an unknown version or another tenant's notification.
pub async fn restore_version(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    version: i32,
) -> Result<notification::Model> {
    member.require(Permission::Configure)?;
    let found = get(db, &member.tenant, id).await?;
    let row = scope::<notification_version::Entity>(&member.tenant)
        .filter(notification_version::Column::NotificationId.eq(id))
        .filter(notification_version::Column::Version.eq(version))
        .one(db)
        .await?
        .ok_or(Error::NotFound("notification version"))?;
    let mut active: notification::ActiveModel = found.into();
    active.draft = Set(Some(row.settings));
    active.updated_at = Set(Utc::now());
    Ok(active.update(db).await?)
}

/// Published versions of notification `id`, newest first.
pub async fn versions<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    id: Uuid,
) -> Result<Vec<notification_version::Model>> {
    get(db, tenant, id).await?;
    Ok(scope::<notification_version::Entity>(tenant)
        .filter(notification_version::Column::NotificationId.eq(id))
        .order_by_desc(notification_version::Column::Version)
        .all(db)
        .await?)
}

/// Notification `id` as its editor holds it, not stored: the draft's settings (validated
/// again, since members or fields may have changed) when there is one, else the published
/// settings. Returns the model and whether it is the draft. For *Try on recent calls*.
///
/// Errors: [`Error::NotFound`]; validation errors as [`create`].
pub async fn editable_model<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    id: Uuid,
) -> Result<(notification::Model, bool)> {
    use sea_orm::TryIntoModel;
    let n = get(db, tenant, id).await?;
    let Some(draft) = draft_of(&n) else { return Ok((n, false)) };
    let valid = validate(db, tenant, draft.settings).await?;
    let mut active: notification::ActiveModel = n.into();
    active.agent_id = Set(draft.agent_id);
    apply(&mut active, valid);
    Ok((active.try_into_model()?, true))
}
