//! Notifications: the list, the form's data, and saving a notification.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A notification in lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationItem {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// `None` = every agent.
    pub agent_id: Option<String>,
    pub agent_name: Option<String>,
    /// "Always send" or the trigger question.
    pub trigger: String,
    pub recipients: Vec<String>,
    /// `off`, `all` or `selected`.
    pub team_alert: String,
    /// Task priority, when a task is created.
    pub task: Option<String>,
}

/// The values of the notification form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationFormData {
    /// `None` when creating.
    pub id: Option<String>,
    /// Empty = every agent.
    pub agent_id: String,
    pub name: String,
    pub enabled: bool,
    pub always: bool,
    pub condition: String,
    /// One address per line.
    pub recipients: String,
    /// Dynamic routes: (condition, addresses separated by commas).
    pub routes: Vec<(String, String)>,
    /// Addresses when no route applies.
    pub otherwise: String,
    pub subject: String,
    pub body: String,
    /// `off`, `all` or `selected`.
    pub team_alert: String,
    pub alert_members: Vec<String>,
    /// `off` or a priority.
    pub task: String,
}

/// A choice in a select or checkbox list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The form with what it offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorData {
    pub form: NotificationFormData,
    pub agents: Vec<Choice>,
    pub members: Vec<Choice>,
    /// System variables and what they hold.
    pub variables: Vec<Choice>,
    pub can_configure: bool,
}

/// Notifications of the account, or those applying to one agent.
#[server(endpoint = "list_notifications")]
pub async fn list_notifications(agent_id: Option<String>) -> Result<Vec<NotificationItem>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let agent = match agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Agent")?),
        None => None,
    };
    let rows = backend::notifications::list(&services.db, &member.tenant, agent).await?;
    let agents = backend::agents::list(&services.db, &member.tenant).await?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let input = backend::notifications::to_input(&n);
            NotificationItem {
                id: n.id.to_string(),
                name: n.name.clone(),
                enabled: n.enabled,
                agent_id: n.agent_id.map(|a| a.to_string()),
                agent_name: n.agent_id.and_then(|a| agents.iter().find(|x| x.id == a)).map(|a| a.name.clone()),
                trigger: if n.trigger_always {
                    "Always send".to_owned()
                } else {
                    n.trigger_condition.clone().unwrap_or_default()
                },
                recipients: input.recipients.fixed,
                team_alert: n.team_alert.clone(),
                task: n.task_priority.clone(),
            }
        })
        .collect())
}

/// The form for notification `id`, or a new one (for `agent_id`, empty = every agent).
#[server(endpoint = "notification_editor")]
pub async fn notification_editor(id: Option<String>, agent_id: Option<String>) -> Result<EditorData, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let form = match id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            let n = backend::notifications::get(&services.db, &member.tenant, parse_id(id, "Notification")?).await?;
            let input = backend::notifications::to_input(&n);
            let (team_alert, alert_members) = match input.team_alert {
                backend::notifications::TeamAlertInput::Mode(m) => (m, Vec::new()),
                backend::notifications::TeamAlertInput::Selected { selected } => {
                    ("selected".to_owned(), selected.iter().map(|u| u.to_string()).collect())
                }
            };
            NotificationFormData {
                id: Some(n.id.to_string()),
                agent_id: n.agent_id.map(|a| a.to_string()).unwrap_or_default(),
                name: input.name,
                enabled: input.enabled,
                always: input.trigger.always.unwrap_or(false),
                condition: input.trigger.condition.unwrap_or_default(),
                recipients: input.recipients.fixed.join("\n"),
                routes: input.recipients.routes.iter().map(|r| (r.when.clone(), r.to.join(", "))).collect(),
                otherwise: input.recipients.otherwise.join(", "),
                subject: input.email.subject,
                body: input.email.body,
                team_alert,
                alert_members,
                task: input.task.map(|t| t.priority).unwrap_or_else(|| "off".to_owned()),
            }
        }
        None => {
            let agent = agent_id.unwrap_or_default();
            if !agent.is_empty() {
                backend::agents::get(&services.db, &member.tenant, parse_id(&agent, "Agent")?).await?;
            }
            NotificationFormData {
                id: None,
                agent_id: agent,
                name: String::new(),
                enabled: true,
                always: false,
                condition: String::new(),
                recipients: String::new(),
                routes: Vec::new(),
                otherwise: String::new(),
                subject: "{{ agent_name }}: call from {{ customer_number }}".to_owned(),
                body: "**Summary:** {{ conversation_summary }}\n\n- Date: {{ conversation_date }}\n- Duration: {{ conversation_duration }}\n- Customer: {{ customer_number }}\n\n[Open the conversation]({{ conversation_url }})\n".to_owned(),
                team_alert: "all".to_owned(),
                alert_members: Vec::new(),
                task: "off".to_owned(),
            }
        }
    };
    let agents = backend::agents::list(&services.db, &member.tenant)
        .await?
        .into_iter()
        .map(|a| Choice { value: a.id.to_string(), label: format!("{} ({})", a.name, a.external_id) })
        .collect();
    let members = backend::accounts::members(&services.db, &member.tenant)
        .await?
        .into_iter()
        .map(|m| Choice { value: m.user_id.to_string(), label: format!("{} <{}>", m.name, m.email) })
        .collect();
    let variables = backend::templates::SYSTEM_VARIABLES
        .iter()
        .map(|(name, description)| Choice { value: (*name).to_owned(), label: (*description).to_owned() })
        .collect();
    Ok(EditorData { form, agents, members, variables, can_configure: member.role.can_configure() })
}

/// The notification form's fields as posted (names match the form's inputs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NotificationFormInput {
    /// Empty when creating.
    #[serde(default)]
    pub id: Option<String>,
    /// Empty = every agent.
    #[serde(default)]
    pub agent_id: Option<String>,
    pub name: String,
    /// Present (`on`) when the checkbox is ticked.
    #[serde(default)]
    pub enabled: Option<String>,
    /// `always` or `condition`.
    pub trigger_mode: String,
    #[serde(default)]
    pub condition: Option<String>,
    /// Addresses separated by newlines, commas or semicolons.
    #[serde(default)]
    pub recipients: Option<String>,
    /// `route_when[i]`: the condition of route i (empty rows are ignored).
    #[serde(default)]
    pub route_when: Option<Vec<String>>,
    /// `route_to[i]`: the addresses of route i.
    #[serde(default)]
    pub route_to: Option<Vec<String>>,
    /// Addresses when no route applies.
    #[serde(default)]
    pub otherwise: Option<String>,
    pub subject: String,
    pub body: String,
    /// `off`, `all` or `selected`.
    pub team_alert: String,
    /// `alert_members[i]` = user id, for `selected`.
    #[serde(default)]
    pub alert_members: Option<Vec<String>>,
    /// `off` or a priority.
    pub task: String,
}

/// Creates (no `id`) or replaces a notification (admins), then goes to the list it
/// belongs to.
#[server(endpoint = "save_notification")]
pub async fn save_notification(#[server(flatten)] form: NotificationFormInput) -> Result<String, AppError> {
    use backend::notifications::{EmailTemplateInput, NotificationInput, Recipients, TaskInput, TeamAlertInput, TriggerInput};

    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let NotificationFormInput {
        id,
        agent_id,
        name,
        enabled,
        trigger_mode,
        condition,
        recipients,
        route_when,
        route_to,
        otherwise,
        subject,
        body,
        team_alert,
        alert_members,
        task,
    } = form;
    let split = |text: &str| -> Vec<String> {
        text.split(['\n', ',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let to_list = route_to.unwrap_or_default();
    let routes: Vec<backend::notifications::Route> = route_when
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter(|(i, when)| !when.trim().is_empty() || to_list.get(*i).is_some_and(|t| !t.trim().is_empty()))
        .map(|(i, when)| backend::notifications::Route { when, to: split(to_list.get(i).map(String::as_str).unwrap_or("")) })
        .collect();
    let agent = match agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Agent")?),
        None => None,
    };
    let always = trigger_mode == "always";
    let fixed = split(&recipients.unwrap_or_default());
    let team_alert = if team_alert == "selected" {
        let mut selected = Vec::new();
        for m in alert_members.unwrap_or_default() {
            selected.push(parse_id(&m, "Member")?);
        }
        TeamAlertInput::Selected { selected }
    } else {
        TeamAlertInput::Mode(team_alert)
    };
    let input = NotificationInput {
        name,
        enabled: enabled.is_some(),
        trigger: if always {
            TriggerInput { always: Some(true), condition: None }
        } else {
            TriggerInput { always: None, condition }
        },
        recipients: Recipients { fixed, routes, otherwise: split(&otherwise.unwrap_or_default()) },
        email: EmailTemplateInput { subject, body },
        team_alert,
        task: (task != "off" && !task.is_empty()).then_some(TaskInput { priority: task }),
    };
    let saved = match id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            backend::notifications::update(&services.db, &member, parse_id(id, "Notification")?, agent, input).await?
        }
        None => backend::notifications::create(&services.db, &member, agent, input).await?,
    };
    let back = match saved.agent_id {
        Some(a) => format!("/agents/{a}"),
        None => "/notifications".to_owned(),
    };
    leptos_axum::redirect(&back);
    Ok(saved.id.to_string())
}
