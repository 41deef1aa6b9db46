//! Creating, updating, enabling and deleting post-call actions (configure permission, audited).

#[allow(unused_imports)]
use super::*;

/// Creates an action on the agent `agent_id`: published at once as version 1, or kept as a
/// draft (version 0, which never runs) until published. Needs the configure permission.
/// Returns the action and its signing secret (shown once).
///
/// The URL must pass the outbound policy ([`Outbound::check_url`]); it, the headers, the
/// draft and the signing secret are stored encrypted.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`] (agent), [`Error::Invalid`] naming the field.
pub async fn create(
    services: &Services,
    actor: &Actor,
    agent_id: Uuid,
    input: ActionInput,
    save: Save,
) -> Result<(post_call_action::Model, String)> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let agent = secure_find::<agent::Entity, _>(db, tenant, agent_id).await?;
    let settings = validate(&services.outbound, input, None).await?;
    if let Some(template) = &settings.body_template {
        check_body_template(db, tenant, &services.settings.public_url, agent.id, template).await?;
    }
    let secret = generate_secret();
    let now = Utc::now();
    let id = Uuid::now_v7();
    let mut model = post_call_action::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent.id),
        secret: Set(services.secrets.seal(&aad(id, "secret"), &secret)),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        failing_since: Set(None),
        disabled_reason: Set(None),
        version: Set(0),
        draft: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    settings.apply(&services.secrets, id, &mut model);
    let txn = crate::db::begin_write(db).await?;
    let model = match save {
        Save::Publish => publish_into(&txn, &services.secrets, actor, id, model, 0, &settings).await?,
        Save::Draft => {
            model.draft = Set(Some(settings.seal(&services.secrets, &draft_aad(id))));
            model.insert(&txn).await?
        }
    };
    let detail = match save {
        Save::Publish => format!("{}, version 1", describe(&model)),
        Save::Draft => format!("{} (draft)", describe(&model)),
    };
    audit::record(&txn, actor, audit::action::ACTION_CREATED, "action", Some(id.to_string()), detail).await?;
    txn.commit().await?;
    Ok((open(&services.secrets, model)?, secret))
}

/// `CRM (webhook, standard) on agent <id>` for the audit log (never the URL: it can be a
/// credential).
pub(crate) fn describe(a: &post_call_action::Model) -> String {
    format!("{} ({}, {}){}", a.name, a.kind, a.format, if a.enabled { "" } else { ", off" })
}

/// Replaces an action's settings (not its secret): publishes them as the next version
/// (dropping a draft), or keeps them as its draft. Needs the configure permission. Publishing
/// an action that was disabled automatically, enabled, clears its failure record.
///
/// Errors: as for [`create`].
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: Uuid,
    input: ActionInput,
    save: Save,
) -> Result<post_call_action::Model> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let row = get(db, &services.secrets, tenant, id).await?;
    // Secret headers left out keep those of what is being edited: the draft, else the live ones.
    let stored = request_options(&editable(row.clone())?)?;
    let settings = validate(&services.outbound, input, Some(&stored)).await?;
    if let Some(template) = &settings.body_template {
        check_body_template(db, tenant, &services.settings.public_url, row.agent_id, template).await?;
    }
    let txn = crate::db::begin_write(db).await?;
    let saved = match save {
        Save::Publish => {
            let mut active: post_call_action::ActiveModel = row.clone().into();
            if settings.enabled && !row.enabled {
                active.failing_since = Set(None);
                active.disabled_reason = Set(None);
            }
            let saved = publish_into(&txn, &services.secrets, actor, id, active, row.version, &settings).await?;
            audit_published(&txn, actor, &saved).await?;
            saved
        }
        Save::Draft => {
            let mut active: post_call_action::ActiveModel = row.clone().into();
            active.draft = Set(Some(settings.seal(&services.secrets, &draft_aad(id))));
            active.updated_at = Set(Utc::now());
            let saved = active.update(&txn).await?;
            let detail = format!("{} (draft)", describe(&saved));
            audit::record(&txn, actor, audit::action::ACTION_UPDATED, "action", Some(id.to_string()), detail).await?;
            saved
        }
    };
    txn.commit().await?;
    open(&services.secrets, saved)
}

/// Turns an action on or off. Admins only. Turning it on clears an automatic disable.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn set_enabled(
    services: &Services,
    actor: &Actor,
    id: Uuid,
    enabled: bool,
) -> Result<post_call_action::Model> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let row = secure_find::<post_call_action::Entity, _>(db, actor.tenant(), id).await?;
    let mut active: post_call_action::ActiveModel = row.into();
    active.enabled = Set(enabled);
    if enabled {
        active.failing_since = Set(None);
        active.disabled_reason = Set(None);
    }
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(db).await?;
    let saved = active.update(&txn).await?;
    let what = if enabled { audit::action::ACTION_ENABLED } else { audit::action::ACTION_DISABLED };
    audit::record(&txn, actor, what, "action", Some(id.to_string()), describe(&saved)).await?;
    txn.commit().await?;
    open(&services.secrets, saved)
}

/// Deletes an action; its past deliveries stay (without the link). Needs the configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn delete(db: &sea_orm::DatabaseConnection, actor: &Actor, id: Uuid) -> Result<()> {
    actor.require(Permission::Configure)?;
    let row = secure_find::<post_call_action::Entity, _>(db, actor.tenant(), id).await?;
    let txn = crate::db::begin_write(db).await?;
    post_call_action::Entity::delete_by_id(row.id).exec(&txn).await?;
    audit::record(&txn, actor, audit::action::ACTION_DELETED, "action", Some(id.to_string()), describe(&row)).await?;
    txn.commit().await?;
    Ok(())
}
