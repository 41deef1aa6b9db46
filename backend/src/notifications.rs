//! Post-call notifications: the wire shape admins and integrators send, its validation,
//! and storage. A notification belongs to one agent, or to every agent when `agent_id`
//! is NULL ("All agents").

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::accounts;
use crate::entities::notification;
use crate::error::{Error, Result};
use crate::templates::check_template;
use crate::tenancy::{Member, Tenant, scope, secure_find};
use crate::types::{EmailAddress, Priority, TeamAlert};

/// Most fixed recipients per notification.
pub const MAX_RECIPIENTS: usize = 50;

/// `{"always": true}` or `{"condition": "Did the customer ask to be called back?"}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriggerInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub always: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
}

/// A dynamic recipient route: when the condition holds, email `to`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    /// Natural language, e.g. "The caller asks about an invoice".
    pub when: String,
    pub to: Vec<String>,
}

/// `{"fixed": [...], "routes": [{"when", "to": [...]}], "otherwise": [...]}`: fixed
/// addresses always get the email; of the routes, the analyzer picks the first whose
/// condition holds (by index: it never names an address), else `otherwise` applies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipients {
    #[serde(default)]
    pub fixed: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub otherwise: Vec<String>,
}

/// Most routes per notification.
pub const MAX_ROUTES: usize = 20;

impl Recipients {
    /// Reads the stored JSON (tolerating an empty or foreign shape as no recipients).
    pub fn from_json(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

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
        chosen
            .iter()
            .filter(|a| !self.fixed.iter().any(|f| f.eq_ignore_ascii_case(a)))
            .cloned()
            .collect()
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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailTemplateInput {
    pub subject: String,
    pub body: String,
}

/// `"off"`, `"all"` or `{"selected": ["<user id>", ...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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

/// `{"priority": "low" | "medium" | "high" | "urgent"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskInput {
    pub priority: String,
}

fn default_true() -> bool {
    true
}

/// A notification as created or replaced over REST or from the dashboard form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationInput {
    pub name: String,
    #[serde(default = "default_true")]
    pub enabled: bool,
    pub trigger: TriggerInput,
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
    recipients: Recipients,
    subject: String,
    body: String,
    team_alert: TeamAlert,
    task: Option<Priority>,
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
            return Err(Error::invalid(
                "trigger.condition",
                "is required unless trigger.always is true",
            ));
        }
        (false, Some(c)) if c.chars().count() > 1000 => {
            return Err(Error::invalid("trigger.condition", "must be at most 1000 characters"));
        }
        _ => {}
    }
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
            let members = accounts::members(db, tenant).await?;
            for (i, id) in selected.iter().enumerate() {
                if !members.iter().any(|m| m.user_id == *id) {
                    return Err(Error::invalid(
                        format!("team_alert.selected[{i}]"),
                        "is not a member of this account",
                    ));
                }
            }
            if selected.is_empty() { TeamAlert::Off } else { TeamAlert::Selected(selected) }
        }
    };
    let task = match input.task {
        None => None,
        Some(t) => Some(Priority::parse(&t.priority).map_err(|m| Error::invalid("task.priority", m))?),
    };
    Ok(Valid {
        name,
        enabled: input.enabled,
        always,
        condition: if always { None } else { condition },
        recipients,
        subject,
        body,
        team_alert,
        task,
    })
}

fn apply(active: &mut notification::ActiveModel, valid: Valid) {
    let selected: Vec<String> = match &valid.team_alert {
        TeamAlert::Selected(ids) => ids.iter().map(Uuid::to_string).collect(),
        _ => Vec::new(),
    };
    active.name = Set(valid.name);
    active.enabled = Set(valid.enabled);
    active.trigger_always = Set(valid.always);
    active.trigger_condition = Set(valid.condition);
    active.recipients = Set(serde_json::to_value(&valid.recipients).unwrap_or_default());
    active.email_subject = Set(valid.subject);
    active.email_body = Set(valid.body);
    active.team_alert = Set(valid.team_alert.mode().to_owned());
    active.alert_user_ids = Set(serde_json::json!(selected));
    active.task_priority = Set(valid.task.map(|p| p.as_str().to_owned()));
    active.updated_at = Set(Utc::now());
}

/// How a stored notification alerts the team.
pub fn team_alert_of(n: &notification::Model) -> TeamAlert {
    match n.team_alert.as_str() {
        "all" => TeamAlert::All,
        "selected" => TeamAlert::Selected(
            serde_json::from_value::<Vec<Uuid>>(n.alert_user_ids.clone()).unwrap_or_default(),
        ),
        _ => TeamAlert::Off,
    }
}

/// The wire shape of a stored notification (the input shape plus ids).
pub fn to_input(n: &notification::Model) -> NotificationInput {
    NotificationInput {
        name: n.name.clone(),
        enabled: n.enabled,
        trigger: if n.trigger_always {
            TriggerInput { always: Some(true), condition: None }
        } else {
            TriggerInput { always: None, condition: n.trigger_condition.clone() }
        },
        recipients: Recipients::from_json(&n.recipients),
        email: EmailTemplateInput { subject: n.email_subject.clone(), body: n.email_body.clone() },
        team_alert: match team_alert_of(n) {
            TeamAlert::Off => TeamAlertInput::Mode("off".into()),
            TeamAlert::All => TeamAlertInput::Mode("all".into()),
            TeamAlert::Selected(selected) => TeamAlertInput::Selected { selected },
        },
        task: n.task_priority.clone().map(|priority| TaskInput { priority }),
    }
}

/// Creates a notification for `agent_id` (or every agent when `None`).
///
/// Errors: [`Error::Invalid`] naming the field (with line and column for templates);
/// [`Error::NotFound`] when the agent is not the tenant's.
pub async fn create_for_tenant(
    db: &DatabaseConnection,
    tenant: &Tenant,
    agent_id: Option<Uuid>,
    input: NotificationInput,
) -> Result<notification::Model> {
    if let Some(agent_id) = agent_id {
        crate::agents::get(db, tenant, agent_id).await?;
    }
    let valid = validate(db, tenant, input).await?;
    let last = scope::<notification::Entity>(tenant)
        .select_only()
        .column_as(notification::Column::Position.max(), "max_position")
        .into_tuple::<Option<i32>>()
        .one(db)
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
        ..Default::default()
    };
    apply(&mut active, valid);
    Ok(active.insert(db).await?)
}

/// Creates a notification from the dashboard; admins only.
pub async fn create(
    db: &DatabaseConnection,
    member: &Member,
    agent_id: Option<Uuid>,
    input: NotificationInput,
) -> Result<notification::Model> {
    member.require_admin()?;
    create_for_tenant(db, &member.tenant, agent_id, input).await
}

/// Replaces notification `id`'s settings (and moves it to `agent_id`).
///
/// Errors: as [`create_for_tenant`]; [`Error::NotFound`] for another tenant's id.
pub async fn update_for_tenant(
    db: &DatabaseConnection,
    tenant: &Tenant,
    id: Uuid,
    agent_id: Option<Uuid>,
    input: NotificationInput,
) -> Result<notification::Model> {
    let found = secure_find::<notification::Entity, _>(db, tenant, id).await?;
    if let Some(agent_id) = agent_id {
        crate::agents::get(db, tenant, agent_id).await?;
    }
    let valid = validate(db, tenant, input).await?;
    let mut active: notification::ActiveModel = found.into();
    active.agent_id = Set(agent_id);
    apply(&mut active, valid);
    Ok(active.update(db).await?)
}

/// Replaces a notification from the dashboard; admins only.
pub async fn update(
    db: &DatabaseConnection,
    member: &Member,
    id: Uuid,
    agent_id: Option<Uuid>,
    input: NotificationInput,
) -> Result<notification::Model> {
    member.require_admin()?;
    update_for_tenant(db, &member.tenant, id, agent_id, input).await
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
    Ok(q.order_by_asc(notification::Column::Position)
        .order_by_asc(notification::Column::CreatedAt)
        .all(db)
        .await?)
}
