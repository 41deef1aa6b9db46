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
use serde::{Deserialize, Serialize};
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

/// Most fixed recipients per notification.
pub const MAX_RECIPIENTS: usize = 50;

/// `{"always": true}` or `{"condition": "Did the customer ask to be called back?"}`.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

pub use crate::columns::{Recipients, Route};

/// Most routes per notification.
pub const MAX_ROUTES: usize = 20;

impl Recipients {
    /// Whether the analyzer has routes to choose among.
    pub fn is_dynamic(&self) -> bool {
        !self.routes.is_empty()
    }

    /// The dynamic addresses for a chosen route (`None` = otherwise), without those already
    /// in the fixed list. Only configured addresses can come out of here.
    pub fn routed(&self, route: Option<usize>) -> Vec<String> {
        let chosen = match route.and_then(|i| self.routes.get(i)) {
            Some(r) => &r.to,
            None => &self.otherwise,
        };
        chosen.iter().filter(|a| !self.fixed.iter().any(|f| f.eq_ignore_ascii_case(a))).cloned().collect()
    }
}

fn addresses(list: &[String], field: &str) -> Result<Vec<String>> {
    if list.len() > MAX_RECIPIENTS {
        return Err(Error::invalid(field, format!("at most {MAX_RECIPIENTS} addresses")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, raw) in list.iter().enumerate() {
        let address = EmailAddress::parse(raw).map_err(|m| Error::invalid(format!("{field}[{i}]"), m))?;
        if !out.iter().any(|r| r.eq_ignore_ascii_case(address.as_str())) {
            out.push(address.as_str().to_owned());
        }
    }
    Ok(out)
}

fn validate_recipients(input: &Recipients) -> Result<Recipients> {
    let fixed = addresses(&input.fixed, "recipients.fixed")?;
    if input.routes.len() > MAX_ROUTES {
        return Err(Error::invalid("recipients.routes", format!("at most {MAX_ROUTES} routes")));
    }
    let mut routes = Vec::new();
    for (i, r) in input.routes.iter().enumerate() {
        let when = r.when.trim();
        if when.is_empty() || when.chars().count() > 500 {
            return Err(Error::invalid(format!("recipients.routes[{i}].when"), "must be 1 to 500 characters"));
        }
        let to = addresses(&r.to, &format!("recipients.routes[{i}].to"))?;
        if to.is_empty() {
            return Err(Error::invalid(format!("recipients.routes[{i}].to"), "needs at least one address"));
        }
        routes.push(Route { when: when.to_owned(), to });
    }
    let otherwise = addresses(&input.otherwise, "recipients.otherwise")?;
    if routes.is_empty() && !otherwise.is_empty() {
        return Err(Error::invalid("recipients.otherwise", "only applies with at least one route"));
    }
    Ok(Recipients { fixed, routes, otherwise })
}

/// `{"subject": "...", "body": "..."}`: minijinja templates; the body is Markdown.
#[derive(utoipa::ToSchema, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplateInput {
    pub subject: String,
    pub body: String,
}

/// `"off"`, `"all"` or `{"selected": ["<user id>", ...]}`.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TeamAlertInput {
    Mode(String),
    Selected { selected: Vec<Uuid> },
}

impl Default for TeamAlertInput {
    fn default() -> Self {
        TeamAlertInput::Mode("off".to_owned())
    }
}

/// `{"priority": "low" | "medium" | "high" | "urgent", "assignee"?: "<user id>",
/// "due_in_hours"?: 24}`: the task created when the notification fires, assigned to a member
/// and due that many hours after the call was received.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub priority: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_in_hours: Option<i32>,
}

/// Longest task due delay: one year, in hours.
pub const MAX_DUE_HOURS: i32 = 8760;

fn default_true() -> bool {
    true
}

/// A notification as created or replaced over REST or from the dashboard form.
#[derive(utoipa::ToSchema, Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationInput {
    pub name: String,
    #[serde(default = "default_true")]
    pub enabled: bool,
    pub trigger: TriggerInput,
    /// Structured conditions that must all hold besides the trigger (SPEC section 2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<RuleCondition>,
    #[serde(default)]
    pub recipients: Recipients,
    pub email: EmailTemplateInput,
    #[serde(default)]
    pub team_alert: TeamAlertInput,
    #[serde(default)]
    pub task: Option<TaskInput>,
}

struct Valid {
    name: String,
    enabled: bool,
    always: bool,
    condition: Option<String>,
    conditions: Vec<RuleCondition>,
    recipients: Recipients,
    subject: String,
    body: String,
    team_alert: TeamAlert,
    task: Option<(Priority, Option<Uuid>, Option<i32>)>,
}

async fn validate<C: ConnectionTrait>(db: &C, tenant: &Tenant, input: NotificationInput) -> Result<Valid> {
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(Error::invalid("name", "must be 1 to 120 characters"));
    }
    let condition = input.trigger.condition.map(|c| c.trim().to_owned()).filter(|c| !c.is_empty());
    let always = input.trigger.always.unwrap_or(false);
    match (always, &condition) {
        (true, Some(_)) => {
            return Err(Error::invalid("trigger", "give either always or condition, not both"));
        }
        (false, None) => {
            return Err(Error::invalid("trigger.condition", "is required unless trigger.always is true"));
        }
        (false, Some(c)) if c.chars().count() > 1000 => {
            return Err(Error::invalid("trigger.condition", "must be at most 1000 characters"));
        }
        _ => {}
    }
    let conditions = conditions::validate(input.conditions)?;
    let recipients = validate_recipients(&input.recipients)?;
    let subject = input.email.subject.trim().to_owned();
    if subject.is_empty() || subject.chars().count() > 500 {
        return Err(Error::invalid("email.subject", "must be 1 to 500 characters"));
    }
    check_template(&subject, "email.subject")?;
    let body = input.email.body;
    if body.trim().is_empty() || body.chars().count() > 20_000 {
        return Err(Error::invalid("email.body", "must be 1 to 20000 characters"));
    }
    check_template(&body, "email.body")?;
    let needs_members = matches!(input.team_alert, TeamAlertInput::Selected { .. })
        || input.task.as_ref().is_some_and(|t| t.assignee.is_some());
    let members = if needs_members { accounts::members(db, tenant).await? } else { Vec::new() };
    let is_member = |id: &Uuid| members.iter().any(|m| m.user_id == *id);
    let team_alert = match input.team_alert {
        TeamAlertInput::Mode(mode) => match mode.trim().to_ascii_lowercase().as_str() {
            "off" | "" => TeamAlert::Off,
            "all" => TeamAlert::All,
            other => {
                return Err(Error::invalid(
                    "team_alert",
                    format!("`{other}` is not off, all or {{\"selected\": [...]}}"),
                ));
            }
        },
        TeamAlertInput::Selected { selected } => {
            for (i, id) in selected.iter().enumerate() {
                if !is_member(id) {
                    return Err(Error::invalid(format!("team_alert.selected[{i}]"), "is not a member of this account"));
                }
            }
            if selected.is_empty() { TeamAlert::Off } else { TeamAlert::Selected(selected) }
        }
    };
    let task = match input.task {
        None => None,
        Some(t) => {
            let priority = Priority::parse(&t.priority).map_err(|m| Error::invalid("task.priority", m))?;
            if let Some(a) = &t.assignee
                && !is_member(a)
            {
                return Err(Error::invalid("task.assignee", "is not a member of this account"));
            }
            if let Some(h) = t.due_in_hours
                && !(1..=MAX_DUE_HOURS).contains(&h)
            {
                return Err(Error::invalid("task.due_in_hours", format!("must be 1 to {MAX_DUE_HOURS} hours")));
            }
            Some((priority, t.assignee, t.due_in_hours))
        }
    };
    Ok(Valid {
        name,
        enabled: input.enabled,
        always,
        condition: if always { None } else { condition },
        conditions,
        recipients,
        subject,
        body,
        team_alert,
        task,
    })
}

fn apply(active: &mut notification::ActiveModel, valid: Valid) {
    let selected: Vec<Uuid> = match &valid.team_alert {
        TeamAlert::Selected(ids) => ids.clone(),
        _ => Vec::new(),
    };
    active.name = Set(valid.name);
    active.enabled = Set(valid.enabled);
    active.trigger_always = Set(valid.always);
    active.trigger_condition = Set(valid.condition);
    active.conditions =
        Set((!valid.conditions.is_empty()).then(|| conditions::StoredConditions(valid.conditions.clone())));
    active.recipients = Set(valid.recipients.clone());
    active.email_subject = Set(valid.subject);
    active.email_body = Set(valid.body);
    active.team_alert = Set(valid.team_alert.mode());
    active.alert_user_ids = Set(crate::columns::AlertUserIds(selected));
    active.task_priority = Set(valid.task.map(|(p, _, _)| p));
    active.task_assignee_user_id = Set(valid.task.and_then(|(_, a, _)| a));
    active.task_due_hours = Set(valid.task.and_then(|(_, _, h)| h));
    active.updated_at = Set(Utc::now());
}

/// How a stored notification alerts the team.
pub fn team_alert_of(n: &notification::Model) -> TeamAlert {
    match n.team_alert {
        crate::columns::TeamAlertMode::All => TeamAlert::All,
        crate::columns::TeamAlertMode::Selected => TeamAlert::Selected(n.alert_user_ids.0.clone()),
        crate::columns::TeamAlertMode::Off => TeamAlert::Off,
    }
}

/// The structured conditions of a stored notification.
pub fn conditions_of(n: &notification::Model) -> Vec<RuleCondition> {
    n.conditions.as_ref().map(|c| c.0.clone()).unwrap_or_default()
}

/// The wire shape of a stored notification's published columns (the input shape).
pub fn to_input(n: &notification::Model) -> NotificationInput {
    NotificationInput {
        name: n.name.clone(),
        enabled: n.enabled,
        trigger: if n.trigger_always {
            TriggerInput { always: Some(true), condition: None }
        } else {
            TriggerInput { always: None, condition: n.trigger_condition.clone() }
        },
        conditions: conditions_of(n),
        recipients: n.recipients.clone(),
        email: EmailTemplateInput { subject: n.email_subject.clone(), body: n.email_body.clone() },
        team_alert: match team_alert_of(n) {
            TeamAlert::Off => TeamAlertInput::Mode("off".into()),
            TeamAlert::All => TeamAlertInput::Mode("all".into()),
            TeamAlert::Selected(selected) => TeamAlertInput::Selected { selected },
        },
        task: n.task_priority.map(|priority| TaskInput {
            priority: priority.to_string(),
            assignee: n.task_assignee_user_id,
            due_in_hours: n.task_due_hours,
        }),
    }
}

/// Unpublished edits as stored in `notifications.draft`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The agent it would apply to; `None` = every agent.
    pub agent_id: Option<Uuid>,
    pub settings: NotificationInput,
}

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
async fn publish_into<C: ConnectionTrait>(
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

fn new_draft(agent_id: Option<Uuid>, input: &NotificationInput) -> Draft {
    Draft { agent_id, settings: input.clone() }
}

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

/// How often a notification fired: the last time, and how many times in the last 7 days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FiringStats {
    pub last_fired: Option<DateTime<Utc>>,
    pub fired_7d: i64,
}

/// [`FiringStats`] of the tenant's notifications, by notification id (absent = never fired).
pub async fn firing_stats<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<HashMap<Uuid, FiringStats>> {
    let base = || {
        scope::<notification_run::Entity>(tenant)
            .filter(notification_run::Column::Fired.eq(true))
            .filter(notification_run::Column::NotificationId.is_not_null())
            .select_only()
            .column(notification_run::Column::NotificationId)
            .group_by(notification_run::Column::NotificationId)
    };
    let last: Vec<(Option<Uuid>, Option<DateTime<Utc>>)> =
        base().column_as(notification_run::Column::CreatedAt.max(), "last_fired").into_tuple().all(db).await?;
    let recent: Vec<(Option<Uuid>, i64)> = base()
        .filter(notification_run::Column::CreatedAt.gte(Utc::now() - Duration::days(7)))
        .column_as(notification_run::Column::Id.count(), "fired")
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, FiringStats> = HashMap::new();
    for (id, at) in last {
        if let Some(id) = id {
            out.entry(id).or_default().last_fired = at;
        }
    }
    for (id, n) in recent {
        if let Some(id) = id {
            out.entry(id).or_default().fired_7d = n;
        }
    }
    Ok(out)
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
