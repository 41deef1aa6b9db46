//! Notifications: the list with firing figures and list actions (enable, duplicate, delete,
//! order), the starter gallery, the editor's data (form, variables, versions, conversations
//! to preview with), saving as draft or publishing, versions, live preview and test-send.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod editor;
pub use editor::*;
mod save;
pub use save::*;
mod preview;
pub use preview::*;
mod manage;
pub use manage::*;

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
    /// Structured conditions, described.
    pub conditions: Vec<String>,
    pub recipients: Vec<String>,
    /// `off`, `all` or `selected`.
    pub team_alert: String,
    /// Task priority, when a task is created.
    pub task: Option<String>,
    /// Published version; 0 = never published.
    pub version: i32,
    /// Unpublished edits exist.
    pub has_draft: bool,
    /// When it last fired, formatted; `None` = never.
    pub last_fired: Option<String>,
    /// How often it fired in the last 7 days.
    pub fired_7d: i64,
}

/// A starter template card.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StarterItem {
    pub key: String,
    pub name: String,
    pub description: String,
    pub trigger: String,
    pub subject: String,
    /// `off` or `all`.
    pub team_alert: String,
    pub task: Option<String>,
}

#[cfg(feature = "ssr")]
mod convert {
    use backend::notifications::{NotificationInput, TeamAlertInput};

    use super::NotificationFormData;

    /// The form's values for a notification's settings.
    pub fn form_of(id: Option<String>, agent_id: Option<uuid::Uuid>, input: NotificationInput) -> NotificationFormData {
        let (team_alert, alert_members) = match input.team_alert {
            TeamAlertInput::Mode(m) => (m, Vec::new()),
            TeamAlertInput::Selected { selected } => {
                ("selected".to_owned(), selected.iter().map(|u| u.to_string()).collect())
            }
        };
        let mut form = NotificationFormData {
            id,
            agent_id: agent_id.map(|a| a.to_string()).unwrap_or_default(),
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
            task: input.task.as_ref().map(|t| t.priority.clone()).unwrap_or_else(|| "off".to_owned()),
            task_assignee: input.task.as_ref().and_then(|t| t.assignee).map(|a| a.to_string()).unwrap_or_default(),
            task_due_hours: input.task.as_ref().and_then(|t| t.due_in_hours).map(|h| h.to_string()).unwrap_or_default(),
            ..Default::default()
        };
        form.conditions = crate::api::conditions::ConditionForm::of_list(&input.conditions);
        form.digest_every = input.digest.as_ref().map(|d| d.every.clone()).unwrap_or_else(|| "each".to_owned());
        form.digest_at = input.digest.as_ref().and_then(|d| d.at.clone()).unwrap_or_default();
        form.digest_time_zone = input.digest.and_then(|d| d.time_zone).unwrap_or_default();
        form
    }
}

/// Notifications of the account, or those applying to one agent, with how often they fired.
#[server(endpoint = "list_notifications", output = crate::api::Json)]
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
    let stats = backend::notifications::firing_stats(&services.db, &member.tenant).await?;
    Ok(rows
        .into_iter()
        .map(|n| {
            let input = backend::notifications::to_input(&n);
            let stat = stats.get(&n.id).copied().unwrap_or_default();
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
                conditions: input.conditions.iter().map(|c| c.describe()).collect(),
                recipients: input.recipients.fixed,
                team_alert: n.team_alert.to_string(),
                task: n.task_priority.map(|p| p.to_string()),
                version: n.version,
                has_draft: n.draft.is_some(),
                last_fired: stat.last_fired.map(super::fmt::time),
                fired_7d: stat.fired_7d,
            }
        })
        .collect())
}

/// The ten starter templates.
#[server(endpoint = "list_starters", output = crate::api::Json)]
pub async fn list_starters() -> Result<Vec<StarterItem>, AppError> {
    crate::auth::member().await?;
    Ok(backend::starters::STARTERS
        .iter()
        .map(|s| StarterItem {
            key: s.key.to_owned(),
            name: s.name.to_owned(),
            description: s.description.to_owned(),
            trigger: s.trigger.to_owned(),
            subject: s.subject.to_owned(),
            team_alert: s.team_alert.to_owned(),
            task: s.task.map(str::to_owned),
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn backend_uuid(value: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(value.trim()).ok()
}
