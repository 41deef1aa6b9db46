//! Creating, updating, enabling and deleting post-call actions (configure permission, audited).

#[allow(unused_imports)]
use super::*;

/// Creates an action on the member's agent `agent_id`. Needs the configure permission. Returns the action
/// and its signing secret (shown once).
///
/// The URL must pass the outbound policy ([`Outbound::check_url`]); it and the signing
/// secret are stored encrypted.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`] (agent), [`Error::Invalid`] naming the field.
pub async fn create(
    services: &Services,
    actor: &Actor,
    agent_id: Uuid,
    input: ActionInput,
) -> Result<(post_call_action::Model, String)> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let agent = secure_find::<agent::Entity, _>(db, tenant, agent_id).await?;
    let v = validate(&services.outbound, input, None).await?;
    if let Some(template) = &v.body_template {
        check_body_template(db, tenant, &services.settings.public_url, agent.id, template).await?;
    }
    let secret = generate_secret();
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = post_call_action::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        agent_id: Set(agent.id),
        kind: Set(v.kind),
        name: Set(v.name),
        enabled: Set(v.enabled),
        url: Set(services.secrets.seal(&aad(id, "url"), &v.url)),
        format: Set(v.format),
        message_template: Set(v.message_template),
        method: Set(v.method),
        request: Set(seal_options(&services.secrets, id, v.options.as_ref())),
        body_template: Set(v.body_template),
        sign: Set(v.sign),
        include_transcript: Set(v.include_transcript),
        secret: Set(services.secrets.seal(&aad(id, "secret"), &secret)),
        previous_secret: Set(None),
        previous_secret_expires_at: Set(None),
        condition: Set(v.condition),
        time_field: Set(v.time_field),
        fallback_delay_minutes: Set(v.fallback_delay_minutes),
        failing_since: Set(None),
        disabled_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let txn = crate::db::begin_write(db).await?;
    let model = model.insert(&txn).await?;
    audit::record(&txn, actor, audit::action::ACTION_CREATED, "action", Some(id.to_string()), describe(&model)).await?;
    txn.commit().await?;
    Ok((open(&services.secrets, model)?, secret))
}

/// `CRM (webhook, standard) on agent <id>` for the audit log (never the URL: it can be a
/// credential).
pub(crate) fn describe(a: &post_call_action::Model) -> String {
    format!("{} ({}, {}){}", a.name, a.kind, a.format, if a.enabled { "" } else { ", off" })
}

/// Replaces an action's settings (not its secret). Needs the configure permission. Enabling an action that
/// was disabled automatically clears its failure record.
///
/// Errors: as for [`create`].
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: Uuid,
    input: ActionInput,
) -> Result<post_call_action::Model> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let row = get(db, &services.secrets, tenant, id).await?;
    let stored = request_options(&row)?;
    let v = validate(&services.outbound, input, Some(&stored)).await?;
    if let Some(template) = &v.body_template {
        check_body_template(db, tenant, &services.settings.public_url, row.agent_id, template).await?;
    }
    let mut active: post_call_action::ActiveModel = row.clone().into();
    active.kind = Set(v.kind);
    active.name = Set(v.name);
    active.url = Set(services.secrets.seal(&aad(id, "url"), &v.url));
    active.format = Set(v.format);
    active.message_template = Set(v.message_template);
    active.method = Set(v.method);
    active.request = Set(seal_options(&services.secrets, id, v.options.as_ref()));
    active.body_template = Set(v.body_template);
    active.sign = Set(v.sign);
    active.include_transcript = Set(v.include_transcript);
    active.condition = Set(v.condition);
    active.time_field = Set(v.time_field);
    active.fallback_delay_minutes = Set(v.fallback_delay_minutes);
    if v.enabled && !row.enabled {
        active.failing_since = Set(None);
        active.disabled_reason = Set(None);
    }
    active.enabled = Set(v.enabled);
    active.updated_at = Set(Utc::now());
    let txn = crate::db::begin_write(db).await?;
    let saved = active.update(&txn).await?;
    audit::record(&txn, actor, audit::action::ACTION_UPDATED, "action", Some(id.to_string()), describe(&saved)).await?;
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
