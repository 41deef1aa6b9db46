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

use base64::Engine;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use rand::RngCore;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod view;
pub use view::ActionView;

use crate::Services;
use crate::analysis::AnalysisOutput;
use crate::audit;
use crate::conditions::{Condition, FieldOp};
use crate::entities::{agent, conversation, post_call_action, scheduled_call, webhook_delivery};
use crate::error::{Error, Result};
use crate::jobs::{DeliverWebhook, RequestCallback, queue};
use crate::outbound::Outbound;
use crate::secrets::SecretBox;
use crate::tenancy::Actor;
use crate::tenancy::Permission;
use crate::tenancy::{Tenant, scope, secure_find};

pub use crate::columns::ScheduledCallState;
pub use crate::columns::{ActionKind, WebhookEvent, WebhookFormat};

/// An action's condition: `{"field": "order_total", "op": ">", "value": "100"}`; the
/// operators of notification conditions (`==`, `!=`, `>`, `<`, `contains`, `is_empty`,
/// `is_not_empty`).
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldCondition {
    pub field: String,
    pub op: FieldOp,
    #[serde(default)]
    pub value: Option<String>,
}

impl FieldCondition {
    fn as_condition(&self) -> Condition {
        Condition::Field { field: self.field.clone(), op: self.op, value: self.value.clone() }
    }

    /// "order_total > 100".
    pub fn describe(&self) -> String {
        self.as_condition().describe()
    }
}

/// What creating or editing an action takes.
#[derive(Clone, Debug, Default)]
pub struct ActionInput {
    /// [`ActionKind::Webhook`] or [`ActionKind::ScheduleCall`].
    pub kind: String,
    /// 1-120 characters.
    pub name: String,
    /// `http://` or `https://` URL, at most 2000 characters, allowed by the outbound
    /// policy (no internal addresses).
    pub url: String,
    /// [`WebhookFormat::Standard`] (default), [`WebhookFormat::Slack`] or [`WebhookFormat::Teams`]; callback
    /// requests are always `standard`.
    pub format: Option<String>,
    /// Slack/Teams message (minijinja, the email variables); required for those formats.
    pub message_template: Option<String>,
    pub include_transcript: bool,
    /// `None` = always.
    pub condition: Option<FieldCondition>,
    /// `schedule_call`: the extracted field with the follow-up time.
    pub time_field: Option<String>,
    /// `schedule_call`: minutes after the call (0 to 525600) when the field gives no time.
    pub fallback_delay_minutes: Option<i32>,
    pub enabled: bool,
}

struct Valid {
    kind: ActionKind,
    name: String,
    url: String,
    format: WebhookFormat,
    message_template: Option<String>,
    include_transcript: bool,
    condition: Option<FieldCondition>,
    time_field: Option<String>,
    fallback_delay_minutes: Option<i32>,
    enabled: bool,
}

fn field_name(raw: &str) -> Option<String> {
    let name = raw.trim().trim_start_matches("dyn_").to_ascii_lowercase();
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then_some(name)
}

/// How an endpoint URL is shown where it is not a credential's place: the delivery log,
/// the Deliveries page and members' views. Slack and Teams incoming-webhook URLs *are*
/// the credential, and other endpoints often carry a token in the path or query, so only
/// the scheme and host are kept: `https://hooks.slack.com/…`.
pub fn display_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or_default();
            let port = u.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if u.path() == "/" && u.query().is_none() { "/" } else { "/…" };
            format!("{}://{host}{port}{rest}", u.scheme())
        }
        Err(_) => "(unreadable URL)".to_owned(),
    }
}

/// The associated data of an action's sealed columns.
fn aad(id: Uuid, column: &str) -> String {
    crate::secrets::aad("post_call_actions", column, id)
}

/// The action with its URL and signing secrets decrypted (as every function here returns
/// it; the database only holds them sealed).
///
/// Errors: [`Error::Internal`] when a sealed value does not open.
pub fn open(secrets: &SecretBox, mut row: post_call_action::Model) -> Result<post_call_action::Model> {
    row.url = secrets.open(&aad(row.id, "url"), &row.url)?;
    row.secret = secrets.open(&aad(row.id, "secret"), &row.secret)?;
    row.previous_secret = secrets.open_opt(&aad(row.id, "previous_secret"), row.previous_secret.as_deref())?;
    Ok(row)
}

fn open_all(secrets: &SecretBox, rows: Vec<post_call_action::Model>) -> Result<Vec<post_call_action::Model>> {
    rows.into_iter().map(|r| open(secrets, r)).collect()
}

async fn validate(outbound: &Outbound, input: ActionInput) -> Result<Valid> {
    let kind = ActionKind::parse(input.kind.trim())
        .map_err(|_| Error::invalid("kind", format!("`{}` is not webhook or schedule_call", input.kind.trim())))?;
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be 1 to 120 characters"));
    }
    let url = outbound.check_url(&input.url, "url").await?.to_string();
    let format = match (kind, input.format.as_deref().map(str::trim).unwrap_or("")) {
        (ActionKind::ScheduleCall, _) | (_, "") => WebhookFormat::Standard,
        (_, other) => WebhookFormat::parse(other)
            .map_err(|_| Error::invalid("format", format!("`{other}` is not standard, slack or teams")))?,
    };
    let message_template = input.message_template.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let message_template = if format == WebhookFormat::Standard {
        None
    } else {
        let template = message_template
            .ok_or_else(|| Error::invalid("message_template", "a Slack or Teams message needs its text"))?;
        if template.chars().count() > 10_000 {
            return Err(Error::invalid("message_template", "must be at most 10000 characters"));
        }
        crate::templates::check_template(&template, "message_template")?;
        Some(template)
    };
    let condition = match input.condition {
        None => None,
        Some(c) => {
            let checked = crate::conditions::validate(vec![c.as_condition()]).map_err(|e| match e {
                Error::Invalid { field, message } => {
                    Error::invalid(field.replacen("conditions[0]", "condition", 1), message)
                }
                other => other,
            })?;
            match checked.into_iter().next() {
                Some(Condition::Field { field, op, value }) => Some(FieldCondition { field, op, value }),
                _ => None,
            }
        }
    };
    let (time_field, fallback_delay_minutes) = if kind == ActionKind::ScheduleCall {
        let time_field = match input.time_field.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(raw) => Some(
                field_name(raw)
                    .ok_or_else(|| Error::invalid("time_field", "must be a field name such as callback_time"))?,
            ),
        };
        let fallback = input.fallback_delay_minutes;
        if let Some(m) = fallback
            && !(0..=525_600).contains(&m)
        {
            return Err(Error::invalid("fallback_delay_minutes", "must be 0 to 525600 minutes"));
        }
        if time_field.is_none() && fallback.is_none() {
            return Err(Error::invalid("time_field", "choose a time field, a fallback delay, or both"));
        }
        (time_field, fallback)
    } else {
        (None, None)
    };
    Ok(Valid {
        kind,
        name,
        url,
        format,
        message_template,
        include_transcript: input.include_transcript,
        condition,
        time_field,
        fallback_delay_minutes,
        enabled: input.enabled,
    })
}

/// A new signing secret: `whsec_` + base64 of 24 random bytes (Standard Webhooks).
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// The secrets requests to `action` are signed with at `now`: the current one, and the
/// previous one while its rotation overlap lasts.
pub fn signing_secrets(action: &post_call_action::Model, now: DateTime<Utc>) -> Vec<String> {
    let mut secrets = vec![action.secret.clone()];
    if let (Some(previous), Some(until)) = (&action.previous_secret, action.previous_secret_expires_at)
        && until > now
    {
        secrets.push(previous.clone());
    }
    secrets
}

/// The condition of `action`, if any.
pub fn condition_of(action: &post_call_action::Model) -> Option<FieldCondition> {
    action.condition.clone()
}

crate::stored_json! { impl FieldCondition in "post_call_actions"."condition"; }

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

/// Rotates the signing secret: returns the new one (shown once); requests carry both
/// signatures for `overlap` (`webhooks.rotation_overlap_hours`). Needs the configure permission.
///
/// Errors: [`Error::Forbidden`], [`Error::NotFound`].
pub async fn rotate_secret(services: &Services, actor: &Actor, id: Uuid) -> Result<String> {
    actor.require(Permission::Configure)?;
    let db = &services.db;
    let tenant = actor.tenant();
    let overlap = services.settings.webhooks.rotation_overlap;
    let row = secure_find::<post_call_action::Entity, _>(db, tenant, id).await?;
    let current = services.secrets.open(&aad(id, "secret"), &row.secret)?;
    let secret = generate_secret();
    let now = Utc::now();
    let mut active: post_call_action::ActiveModel = row.clone().into();
    active.previous_secret = Set(Some(services.secrets.seal(&aad(id, "previous_secret"), &current)));
    active.previous_secret_expires_at =
        Set(Some(now + chrono::Duration::from_std(overlap).unwrap_or(chrono::Duration::hours(24))));
    active.secret = Set(services.secrets.seal(&aad(id, "secret"), &secret));
    active.updated_at = Set(now);
    let txn = crate::db::begin_write(db).await?;
    active.update(&txn).await?;
    audit::record(&txn, actor, audit::action::SECRET_ROTATED, "action", Some(id.to_string()), describe(&row)).await?;
    txn.commit().await?;
    Ok(secret)
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

/// What the description of an implied follow-up time field tells the analyzer.
pub const TIME_FIELD_DESCRIPTION: &str =
    "When to call the customer back: date and time (ISO 8601), as agreed in the call";

/// The extracted fields the agent's enabled actions need, so the analyzer extracts them
/// even without a defined field: condition fields and `dyn_*` variables of Slack/Teams
/// messages as text, follow-up time fields as a date and time ([`TIME_FIELD_DESCRIPTION`]).
pub fn needed_fields(actions: &[post_call_action::Model]) -> Vec<crate::analysis::FieldSpec> {
    use crate::analysis::{FieldSpec, FieldType};
    let mut specs: Vec<FieldSpec> = Vec::new();
    let mut add = |spec: FieldSpec| {
        if !specs.iter().any(|s| s.name == spec.name) {
            specs.push(spec);
        }
    };
    for a in actions.iter().filter(|a| a.enabled) {
        if let Some(t) = &a.time_field {
            add(FieldSpec::new(t, FieldType::String, TIME_FIELD_DESCRIPTION, vec![]));
        }
        if let Some(c) = condition_of(a) {
            add(FieldSpec::implied(&c.field));
        }
        if let Some(t) = &a.message_template {
            for v in crate::templates::dyn_variables(t) {
                add(FieldSpec::implied(v.trim_start_matches("dyn_")));
            }
        }
    }
    specs
}

/// The enabled actions of the agent, oldest first, decrypted.
pub async fn enabled_for_agent<C: ConnectionTrait>(
    db: &C,
    secrets: &SecretBox,
    tenant: &Tenant,
    agent_id: Uuid,
) -> Result<Vec<post_call_action::Model>> {
    let rows = scope::<post_call_action::Entity>(tenant)
        .filter(post_call_action::Column::AgentId.eq(agent_id))
        .filter(post_call_action::Column::Enabled.eq(true))
        .order_by_asc(post_call_action::Column::CreatedAt)
        .all(db)
        .await?;
    open_all(secrets, rows)
}

/// When a `schedule_call` action calls back: the time in its field — RFC 3339, a local
/// date-time (`2026-11-24T15:00`) or a date (09:00) in the agent's time zone — or the
/// fallback delay after the call ended; a time already past means now. `None` when
/// neither gives a time. Returns the time and where it came from.
pub fn follow_up_time(
    action: &post_call_action::Model,
    conv: &conversation::Model,
    output: &AnalysisOutput,
    timezone: &str,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let tz: Tz = timezone.parse().unwrap_or(Tz::UTC);
    let from_field = action.time_field.as_ref().and_then(|name| {
        let value = output.fields.iter().find(|f| f.name == *name)?.value.as_str()?.trim().to_owned();
        let at = DateTime::parse_from_rfc3339(&value).map(|t| t.with_timezone(&Utc)).ok().or_else(|| {
            ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(&value, f).ok())
                .or_else(|| NaiveDate::parse_from_str(&value, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(9, 0, 0)))
                .and_then(|naive| tz.from_local_datetime(&naive).earliest())
                .map(|t| t.with_timezone(&Utc))
        })?;
        Some((at, format!("field {name} = {value}")))
    });
    let found = from_field.or_else(|| {
        action.fallback_delay_minutes.map(|m| {
            let base = conv.ended_at.unwrap_or(conv.received_at).max(conv.received_at);
            (base + chrono::Duration::minutes(m.into()), format!("fallback {m} min after the call"))
        })
    })?;
    Some((found.0.max(now), found.1))
}

/// Plans the agent's enabled actions for a just-analysed conversation in `txn` (the
/// analysis transaction, so they happen exactly once): each whose condition holds
/// queues a webhook delivery, or a scheduled call with its `RequestCallback` job due at
/// its time. Returns how many were planned.
pub(crate) async fn plan<C: ConnectionTrait>(
    txn: &C,
    tenant: &Tenant,
    settings: &crate::Settings,
    actions: &[post_call_action::Model],
    conv: &conversation::Model,
    timezone: &str,
    output: &AnalysisOutput,
) -> Result<usize> {
    let now = Utc::now();
    let mut planned = 0;
    for action in actions.iter().filter(|a| a.enabled) {
        if let Some(c) = condition_of(action)
            && !c.as_condition().holds(conv, output)
        {
            continue;
        }
        match action.kind {
            ActionKind::Webhook => {
                queue_delivery(txn, tenant, settings, action, Some(conv.id), WebhookEvent::ConversationAnalyzed, false)
                    .await?;
                planned += 1;
            }
            ActionKind::ScheduleCall => {
                let Some((due, source)) = follow_up_time(action, conv, output, timezone, now) else {
                    tracing::info!(action = %action.id, conversation = %conv.id, "no follow-up time: the field is empty and there is no fallback");
                    continue;
                };
                let id = Uuid::now_v7();
                let job_id = queue::enqueue_with(
                    txn,
                    tenant,
                    &RequestCallback { scheduled_call_id: id, conversation_id: conv.id },
                    due,
                    5,
                )
                .await?;
                scheduled_call::Entity::insert(scheduled_call::ActiveModel {
                    id: Set(id),
                    account_id: Set(tenant.account_id()),
                    conversation_id: Set(conv.id),
                    action_id: Set(Some(action.id)),
                    due_at: Set(due),
                    state: Set(ScheduledCallState::Scheduled),
                    source: Set(source),
                    job_id: Set(Some(job_id)),
                    webhook_delivery_id: Set(None),
                    cancelled_by: Set(None),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(txn)
                .await?;
                planned += 1;
            }
        }
    }
    Ok(planned)
}

/// The conversation's scheduled calls, soonest first.
///
/// Errors: [`Error::NotFound`] for another account's conversation.
pub async fn scheduled_calls<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    conversation_id: Uuid,
) -> Result<Vec<scheduled_call::Model>> {
    secure_find::<conversation::Entity, _>(db, tenant, conversation_id).await?;
    Ok(scope::<scheduled_call::Entity>(tenant)
        .filter(scheduled_call::Column::ConversationId.eq(conversation_id))
        .order_by_asc(scheduled_call::Column::DueAt)
        .all(db)
        .await?)
}

/// Cancels a scheduled call that has not been requested yet (work, not configuration: any
/// member or API key may). Its job then does nothing.
///
/// Errors: [`Error::NotFound`]; [`Error::Invalid`] (`state`) when it was already requested
/// or cancelled.
pub async fn cancel_scheduled_call<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    id: Uuid,
) -> Result<scheduled_call::Model> {
    actor.require(Permission::Work)?;
    let user = actor.user_id();
    let row = secure_find::<scheduled_call::Entity, _>(db, actor.tenant(), id).await?;
    if row.state != ScheduledCallState::Scheduled {
        return Err(Error::invalid("state", format!("the call is already {}", row.state)));
    }
    let updated = scheduled_call::Entity::update_many()
        .col_expr(scheduled_call::Column::State, sea_orm::sea_query::Expr::value(ScheduledCallState::Cancelled))
        .col_expr(scheduled_call::Column::CancelledBy, sea_orm::sea_query::Expr::value(user))
        .col_expr(scheduled_call::Column::UpdatedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(scheduled_call::Column::Id.eq(row.id))
        .filter(scheduled_call::Column::State.eq(ScheduledCallState::Scheduled))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::invalid("state", "the call was requested meanwhile"));
    }
    secure_find::<scheduled_call::Entity, _>(db, actor.tenant(), id).await
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
