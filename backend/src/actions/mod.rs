//! Post-call actions (SPEC section 2): per agent, any number of
//!
//! - `webhook`: POST the conversation and its analysis to a URL, as Standard Webhooks
//!   signed JSON, or as a Slack or Microsoft Teams incoming-webhook message rendered from
//!   a template with the email variables;
//! - `schedule_call`: at a follow-up time taken from an extracted field (ISO 8601) or after
//!   a fallback delay, POST a signed callback request to the agent's callback URL;
//!
//! each with an optional condition `{field, op, value}` (the notification operators). They
//! run once per conversation, planned in the analysis transaction ([`plan`]); delivery is
//! the `DeliverWebhook` job's (retries, attempts, dead letters).

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

mod config;
mod plan;
mod scheduled_calls;
mod secrets;
mod view;
pub use config::*;
pub use plan::*;
pub use scheduled_calls::*;
pub use secrets::*;
pub use view::ActionView;

use crate::Services;
use crate::analysis::AnalysisOutput;
use crate::audit;
use crate::conditions::Condition;
use crate::entities::{agent, conversation, post_call_action, scheduled_call, webhook_delivery};
use crate::error::{Error, Result};
use crate::outbound::Outbound;
use crate::queue::{self, DeliverWebhook, RequestCallback};
use crate::secrets::SecretBox;
use crate::tenancy::Actor;
use crate::tenancy::Permission;
use crate::tenancy::{Tenant, scope, secure_find};

pub use crate::columns::ScheduledCallState;
pub use crate::columns::{ActionKind, WebhookEvent, WebhookFormat};

/// The agent's actions, oldest first, decrypted.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<post_call_action::Model>> {
    let rows = scope::<post_call_action::Entity>(tenant)
        .filter(post_call_action::Column::AgentId.eq(agent_id))
        .order_by_asc(post_call_action::Column::CreatedAt)
        .all(db)
        .await?;
    open_all(secrets, rows)
}

/// The tenant's action `id`, decrypted.
///
/// Errors: [`Error::NotFound`] (also for another account's id).
pub async fn get<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    id: Uuid,
) -> Result<post_call_action::Model> {
    open(secrets, secure_find::<post_call_action::Entity, _>(db, tenant, id).await?)
}

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
    let v = validate(&services.outbound, input).await?;
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
fn describe(a: &post_call_action::Model) -> String {
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
    let v = validate(&services.outbound, input).await?;
    let mut active: post_call_action::ActiveModel = row.clone().into();
    active.kind = Set(v.kind);
    active.name = Set(v.name);
    active.url = Set(services.secrets.seal(&aad(id, "url"), &v.url));
    active.format = Set(v.format);
    active.message_template = Set(v.message_template);
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

/// Inserts a delivery of `event_type` to `action` and its `DeliverWebhook` job (with the
/// configured attempts) in `db`. The payload is built at the first attempt; the delivery
/// keeps only the [`display_url`] (requests go to the action's URL). Returns the
/// delivery's id; the caller wakes the runner after committing.
pub(crate) async fn queue_delivery<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    settings: &crate::Settings,
    action: &post_call_action::Model,
    conversation_id: Option<Uuid>,
    event_type: WebhookEvent,
    test: bool,
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let attempts = i32::try_from(settings.webhooks.retry_schedule.len() + 1).unwrap_or(i32::MAX);
    let job_id =
        queue::enqueue_with(db, tenant, &DeliverWebhook { delivery_id: id, conversation_id }, now, attempts).await?;
    webhook_delivery::Entity::insert(webhook_delivery::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        action_id: Set(Some(action.id)),
        action_name: Set(action.name.clone()),
        url: Set(display_url(&action.url)),
        format: Set(action.format),
        conversation_id: Set(conversation_id),
        event_type: Set(event_type),
        webhook_id: Set(format!("msg_{}", id.simple())),
        payload: Set(None),
        state: Set(crate::deliveries::WebhookState::Pending),
        attempts: Set(0),
        last_status: Set(None),
        last_error: Set(None),
        job_id: Set(Some(job_id)),
        test: Set(test),
        delivered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Queues a test delivery to action `id` (about the agent's latest conversation, or a
/// sample when it has none). Needs the configure permission. Returns the delivery's id.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn test_send(services: &crate::Services, actor: &Actor, id: Uuid) -> Result<Uuid> {
    actor.require(Permission::Configure)?;
    let tenant = actor.tenant();
    let db = &services.db;
    let action = get(db, &services.secrets, tenant, id).await?;
    let latest = scope::<conversation::Entity>(tenant)
        .filter(conversation::Column::AgentId.eq(action.agent_id))
        .order_by_desc(conversation::Column::ReceivedAt)
        .one(db)
        .await?;
    let mut work = crate::db::Work::begin(services).await?;
    let conversation_id = latest.map(|c| c.id);
    let delivery =
        queue_delivery(work.db(), tenant, &services.settings, &action, conversation_id, WebhookEvent::Test, true)
            .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(delivery)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::FieldValue;

    fn action(time_field: Option<&str>, fallback: Option<i32>) -> post_call_action::Model {
        let now = Utc::now();
        post_call_action::Model {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            agent_id: Uuid::nil(),
            kind: ActionKind::ScheduleCall,
            name: "n".into(),
            enabled: true,
            url: "https://example.com".into(),
            format: WebhookFormat::Standard,
            message_template: None,
            include_transcript: false,
            secret: generate_secret(),
            previous_secret: None,
            previous_secret_expires_at: None,
            condition: None,
            time_field: time_field.map(Into::into),
            fallback_delay_minutes: fallback,
            failing_since: None,
            disabled_reason: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn conv(ended: DateTime<Utc>) -> conversation::Model {
        conversation::Model {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            agent_id: Uuid::nil(),
            call_id: "c".into(),
            status: None,
            direction: None,
            channel: None,
            started_at: None,
            ended_at: Some(ended),
            duration_s: None,
            end_reason: crate::types::EndReason::Unknown,
            end_reason_raw: None,
            from_number: None,
            to_number: None,
            customer_name: None,
            customer_email: None,
            dynamic_variables: Default::default(),
            transcript: Default::default(),
            turn_count: 0,
            received_at: ended,
        }
    }

    fn with_field(value: &str) -> AnalysisOutput {
        AnalysisOutput {
            fields: vec![FieldValue { name: "callback_time".into(), value: value.into(), evidence: None }],
            ..Default::default()
        }
    }

    #[test]
    fn follow_up_times_come_from_the_field_in_the_agents_zone_or_the_fallback() {
        let now = "2026-11-20T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let a = action(Some("callback_time"), Some(30));
        let c = conv(now);
        let at = |v: &str| follow_up_time(&a, &c, &with_field(v), "America/New_York", now).map(|(t, _)| t.to_rfc3339());
        assert_eq!(at("2026-11-21T15:00:00+01:00").as_deref(), Some("2026-11-21T14:00:00+00:00"));
        assert_eq!(
            at("2026-11-21T15:00").as_deref(),
            Some("2026-11-21T20:00:00+00:00"),
            "local time in the agent's zone"
        );
        assert_eq!(at("2026-11-21").as_deref(), Some("2026-11-21T14:00:00+00:00"), "a date means 09:00 local");
        assert_eq!(at("next week sometime").as_deref(), Some("2026-11-20T09:30:00+00:00"), "unreadable: the fallback");
        assert_eq!(at("2020-01-01T10:00:00Z").as_deref(), Some("2026-11-20T09:00:00+00:00"), "a past time means now");
        let (_, source) = follow_up_time(&a, &c, &with_field("2026-11-21T15:00"), "UTC", now).unwrap();
        assert_eq!(source, "field callback_time = 2026-11-21T15:00");
        assert!(
            follow_up_time(&action(Some("callback_time"), None), &c, &AnalysisOutput::default(), "UTC", now).is_none()
        );
    }

    #[test]
    fn rotated_secrets_sign_until_their_overlap_ends() {
        let now = Utc::now();
        let mut a = action(None, Some(1));
        assert_eq!(signing_secrets(&a, now).len(), 1);
        a.previous_secret = Some(generate_secret());
        a.previous_secret_expires_at = Some(now + chrono::Duration::hours(1));
        assert_eq!(signing_secrets(&a, now).len(), 2);
        assert_eq!(signing_secrets(&a, now + chrono::Duration::hours(2)).len(), 1);
        assert!(a.secret.starts_with("whsec_") && standardwebhooks::Webhook::new(&a.secret).is_ok());
    }
}
