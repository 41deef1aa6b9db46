//! Notifications: the list with firing figures and list actions (enable, duplicate, delete,
//! order), the starter gallery, the editor's data (form, variables, versions, conversations
//! to preview with), saving as draft or publishing, versions, live preview and test-send.

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

/// A choice in a select or checkbox list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One field condition row of the form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConditionForm {
    pub field: String,
    /// `==`, `!=`, `>`, `<`, `contains`, `is_empty`, `is_not_empty`.
    pub op: String,
    pub value: String,
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
    /// User id, or empty.
    pub task_assignee: String,
    /// Hours, or empty.
    pub task_due_hours: String,
    /// End reasons the call must have ended with (empty = any).
    pub end_reasons: Vec<String>,
    /// `inbound`, `outbound` or empty.
    pub direction: String,
    pub status: String,
    /// Seconds, or empty.
    pub duration_min: String,
    pub duration_max: String,
    pub field_conditions: Vec<FieldConditionForm>,
}

/// A published version in the editor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionItem {
    pub version: i32,
    pub when: String,
    pub by: Option<String>,
    /// Name and trigger of that version, for telling them apart.
    pub summary: String,
}

/// A group of template variables in the picker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariableGroup {
    pub title: String,
    /// (name, description).
    pub variables: Vec<Choice>,
}

/// The form with what it offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorData {
    pub form: NotificationFormData,
    pub agents: Vec<Choice>,
    pub members: Vec<Choice>,
    /// System variables, the agent's fields, and `dyn_*` names in use.
    pub variable_groups: Vec<VariableGroup>,
    /// Field names usable in conditions.
    pub field_names: Vec<String>,
    /// Documented end reasons.
    pub end_reasons: Vec<String>,
    /// Conversations to preview with: (id, label), newest first; the first choice is the
    /// built-in sample (`sample`).
    pub preview_sources: Vec<Choice>,
    pub versions: Vec<VersionItem>,
    /// Published version; 0 = never published.
    pub version: i32,
    pub has_draft: bool,
    pub can_configure: bool,
    /// The starter template this form came from, if any.
    pub starter: Option<String>,
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
    use backend::conditions::{Condition, DurationOp, FieldOp};
    use backend::notifications::{NotificationInput, TeamAlertInput};

    use super::{FieldConditionForm, NotificationFormData};

    fn number(v: f64) -> String {
        if v.fract() == 0.0 { format!("{}", v as i64) } else { v.to_string() }
    }

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
        for c in input.conditions {
            match c {
                Condition::EndReason { values } => {
                    // Several end-reason conditions must all hold: their intersection.
                    form.end_reasons = if form.end_reasons.is_empty() {
                        values
                    } else {
                        form.end_reasons.into_iter().filter(|r| values.contains(r)).collect()
                    };
                }
                Condition::Direction { value } => form.direction = value,
                Condition::Status { value } => form.status = value,
                Condition::Duration { op: DurationOp::AtLeast, seconds } => form.duration_min = number(seconds),
                Condition::Duration { op: DurationOp::AtMost, seconds } => form.duration_max = number(seconds),
                Condition::Field { field, op, value } => form.field_conditions.push(FieldConditionForm {
                    field,
                    op: op.as_str().to_owned(),
                    value: value.unwrap_or_default(),
                }),
            }
        }
        form
    }

    /// Parses a seconds box; names the field on error.
    fn seconds(value: &str, field: &str) -> Result<Option<f64>, crate::error::AppError> {
        let v = value.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<f64>().map(Some).map_err(|_| crate::error::AppError::Invalid {
            field: field.to_owned(),
            message: format!("`{v}` is not a number of seconds"),
        })
    }

    /// The structured conditions the form's condition boxes describe, in form order.
    pub fn conditions_of(
        end_reasons: Vec<String>,
        direction: &str,
        status: &str,
        duration_min: &str,
        duration_max: &str,
        fields: Vec<FieldConditionForm>,
    ) -> Result<Vec<Condition>, crate::error::AppError> {
        let mut out = Vec::new();
        if !end_reasons.is_empty() {
            out.push(Condition::EndReason { values: end_reasons });
        }
        if !direction.trim().is_empty() {
            out.push(Condition::Direction { value: direction.trim().to_owned() });
        }
        if !status.trim().is_empty() {
            out.push(Condition::Status { value: status.trim().to_owned() });
        }
        if let Some(s) = seconds(duration_min, "duration_min")? {
            out.push(Condition::Duration { op: DurationOp::AtLeast, seconds: s });
        }
        if let Some(s) = seconds(duration_max, "duration_max")? {
            out.push(Condition::Duration { op: DurationOp::AtMost, seconds: s });
        }
        for (i, f) in fields.into_iter().enumerate() {
            if f.field.trim().is_empty() {
                continue;
            }
            let op = FieldOp::parse(&f.op).ok_or_else(|| crate::error::AppError::Invalid {
                field: format!("field_op[{i}]"),
                message: format!("`{}` is not an operator", f.op),
            })?;
            let value = Some(f.value).filter(|v| !v.trim().is_empty());
            out.push(Condition::Field { field: f.field, op, value });
        }
        Ok(out)
    }
}

/// Notifications of the account, or those applying to one agent, with how often they fired.
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
#[server(endpoint = "list_starters")]
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

/// The form for notification `id`, or a new one (for `agent_id`, empty = every agent),
/// pre-filled from starter `template` when given (`scratch` or empty = a blank form).
#[server(endpoint = "notification_editor")]
pub async fn notification_editor(
    id: Option<String>,
    agent_id: Option<String>,
    template: Option<String>,
) -> Result<EditorData, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let db = &services.db;
    let tenant = &member.tenant;
    let mut versions = Vec::new();
    let mut version = 0;
    let mut has_draft = false;
    let mut starter = None;
    let form = match id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            let n = backend::notifications::get(db, tenant, parse_id(id, "Notification")?).await?;
            version = n.version;
            has_draft = n.draft.is_some();
            let members = backend::accounts::members(db, tenant).await?;
            for v in backend::notifications::versions(db, tenant, n.id).await? {
                let d = &v.settings;
                versions.push(VersionItem {
                    version: v.version,
                    when: super::fmt::time(v.created_at),
                    by: v.created_by.and_then(|u| members.iter().find(|m| m.user_id == u)).map(|m| m.name.clone()),
                    summary: {
                        let trigger = if d.settings.trigger.always == Some(true) {
                            "always send".to_owned()
                        } else {
                            d.settings.trigger.condition.clone().unwrap_or_default()
                        };
                        format!("{} — {}", d.settings.name, trigger)
                    },
                });
            }
            let draft = backend::notifications::editable(&n);
            convert::form_of(Some(n.id.to_string()), draft.agent_id, draft.settings)
        }
        None => {
            let agent = match agent_id.as_deref().filter(|a| !a.is_empty()) {
                Some(a) => Some(backend::agents::get(db, tenant, parse_id(a, "Agent")?).await?.id),
                None => None,
            };
            let input = match template.as_deref().filter(|t| !t.is_empty() && *t != "scratch") {
                Some(key) => {
                    let s =
                        backend::starters::find(key).ok_or_else(|| AppError::NotFound("Starter template".into()))?;
                    starter = Some(s.name.to_owned());
                    s.to_input()
                }
                None => backend::notifications::NotificationInput {
                    name: String::new(),
                    enabled: true,
                    trigger: backend::notifications::TriggerInput { always: Some(true), condition: None },
                    conditions: Vec::new(),
                    recipients: Default::default(),
                    email: backend::notifications::EmailTemplateInput {
                        subject: "{{ agent_name }}: call from {{ customer_number }}".to_owned(),
                        body: backend::starters::scratch_body(),
                    },
                    team_alert: backend::notifications::TeamAlertInput::Mode("all".to_owned()),
                    task: None,
                },
            };
            convert::form_of(None, agent, input)
        }
    };
    let agent_id = backend_uuid(&form.agent_id);
    let agents_list = backend::agents::list(db, tenant).await?;
    let agents = agents_list
        .iter()
        .map(|a| Choice { value: a.id.to_string(), label: format!("{} ({})", a.name, a.external_id) })
        .collect();
    let members = backend::accounts::members(db, tenant)
        .await?
        .into_iter()
        .map(|m| Choice { value: m.user_id.to_string(), label: format!("{} <{}>", m.name, m.email) })
        .collect();
    let system = VariableGroup {
        title: "Call".to_owned(),
        variables: backend::templates::SYSTEM_VARIABLES
            .iter()
            .map(|(name, description)| Choice { value: (*name).to_owned(), label: (*description).to_owned() })
            .collect(),
    };
    // The agent's fields (or every agent's, for an account-wide notification).
    let mut field_choices: Vec<Choice> = Vec::new();
    let field_agents: Vec<uuid::Uuid> = match agent_id {
        Some(a) => vec![a],
        None => agents_list.iter().map(|a| a.id).collect(),
    };
    for a in field_agents {
        for f in backend::analysis::fields::list(db, tenant, a).await? {
            let name = format!("dyn_{}", f.name);
            if !field_choices.iter().any(|c| c.value == name) {
                field_choices.push(Choice { value: name, label: format!("{} ({})", f.description, f.field_type) });
            }
        }
    }
    let mut used: Vec<Choice> = Vec::new();
    for template in [&form.subject, &form.body] {
        for name in backend::templates::dyn_variables(template) {
            if !field_choices.iter().chain(used.iter()).any(|c| c.value == name) {
                used.push(Choice { label: "Extracted as text by its name".to_owned(), value: name });
            }
        }
    }
    let field_names: Vec<String> =
        field_choices.iter().chain(used.iter()).map(|c| c.value.trim_start_matches("dyn_").to_owned()).collect();
    let mut variable_groups = vec![system];
    if !field_choices.is_empty() {
        variable_groups.push(VariableGroup { title: "Agent fields".to_owned(), variables: field_choices });
    }
    if !used.is_empty() {
        variable_groups
            .push(VariableGroup { title: "Other dyn_ variables in this template".to_owned(), variables: used });
    }
    let mut preview_sources = vec![Choice { value: "sample".to_owned(), label: "Built-in sample call".to_owned() }];
    for c in backend::preview::recent_conversations(db, tenant, agent_id, 20).await? {
        let who = c.from_number.clone().or(c.customer_name.clone()).unwrap_or_else(|| c.call_id.clone());
        let when = c.started_at.unwrap_or(c.received_at);
        preview_sources.push(Choice {
            value: c.id.to_string(),
            label: format!("{} · {} · {}", super::fmt::time(when), who, c.end_reason),
        });
    }
    Ok(EditorData {
        form,
        agents,
        members,
        variable_groups,
        field_names,
        end_reasons: backend::types::EndReason::ALL.iter().map(|r| r.as_str().to_owned()).collect(),
        preview_sources,
        versions,
        version,
        has_draft,
        can_configure: member.role.can_configure(),
        starter,
    })
}

#[cfg(feature = "ssr")]
fn backend_uuid(value: &str) -> Option<uuid::Uuid> {
    uuid::Uuid::parse_str(value.trim()).ok()
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
    #[serde(default)]
    pub task_assignee: Option<String>,
    #[serde(default)]
    pub task_due_hours: Option<String>,
    /// `end_reasons[j]` = an end reason (ticked boxes).
    #[serde(default)]
    pub end_reasons: Option<Vec<String>>,
    #[serde(default)]
    pub direction: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub duration_min: Option<String>,
    #[serde(default)]
    pub duration_max: Option<String>,
    #[serde(default)]
    pub field_name: Option<Vec<String>>,
    #[serde(default)]
    pub field_op: Option<Vec<String>>,
    #[serde(default)]
    pub field_value: Option<Vec<String>>,
    /// `draft` (save a draft) or `publish` (make it live).
    #[serde(default)]
    pub action: Option<String>,
}

#[cfg(feature = "ssr")]
fn to_input(
    form: NotificationFormInput,
) -> Result<(Option<uuid::Uuid>, backend::notifications::NotificationInput), AppError> {
    use backend::notifications::{
        EmailTemplateInput, NotificationInput, Recipients, TaskInput, TeamAlertInput, TriggerInput,
    };

    use crate::auth::parse_id;
    let split = |text: &str| -> Vec<String> {
        text.split(['\n', ',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let to_list = form.route_to.unwrap_or_default();
    let routes: Vec<backend::notifications::Route> = form
        .route_when
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .filter(|(i, when)| !when.trim().is_empty() || to_list.get(*i).is_some_and(|t| !t.trim().is_empty()))
        .map(|(i, when)| backend::notifications::Route {
            when,
            to: split(to_list.get(i).map(String::as_str).unwrap_or("")),
        })
        .collect();
    let agent = match form.agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Agent")?),
        None => None,
    };
    let always = form.trigger_mode == "always";
    let team_alert = if form.team_alert == "selected" {
        let mut selected = Vec::new();
        for m in form.alert_members.unwrap_or_default() {
            selected.push(parse_id(&m, "Member")?);
        }
        TeamAlertInput::Selected { selected }
    } else {
        TeamAlertInput::Mode(form.team_alert)
    };
    let names = form.field_name.unwrap_or_default();
    let ops = form.field_op.unwrap_or_default();
    let values = form.field_value.unwrap_or_default();
    let fields = names
        .into_iter()
        .enumerate()
        .map(|(i, field)| FieldConditionForm {
            field,
            op: ops.get(i).cloned().unwrap_or_else(|| "==".to_owned()),
            value: values.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let conditions = convert::conditions_of(
        form.end_reasons.unwrap_or_default(),
        form.direction.as_deref().unwrap_or(""),
        form.status.as_deref().unwrap_or(""),
        form.duration_min.as_deref().unwrap_or(""),
        form.duration_max.as_deref().unwrap_or(""),
        fields,
    )?;
    let assignee = match form.task_assignee.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Member")?),
        None => None,
    };
    let due_in_hours = match form.task_due_hours.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        Some(h) => Some(h.parse::<i32>().map_err(|_| AppError::Invalid {
            field: "task.due_in_hours".into(),
            message: format!("`{h}` is not a whole number of hours"),
        })?),
        None => None,
    };
    let task = form.task;
    let input = NotificationInput {
        name: form.name,
        enabled: form.enabled.is_some(),
        trigger: if always {
            TriggerInput { always: Some(true), condition: None }
        } else {
            TriggerInput { always: None, condition: form.condition }
        },
        conditions,
        recipients: Recipients {
            fixed: split(&form.recipients.unwrap_or_default()),
            routes,
            otherwise: split(&form.otherwise.unwrap_or_default()),
        },
        email: EmailTemplateInput { subject: form.subject, body: form.body },
        team_alert,
        task: (task != "off" && !task.is_empty()).then_some(TaskInput { priority: task, assignee, due_in_hours }),
    };
    Ok((agent, input))
}

/// Saves the form (admins): `action=draft` keeps the edits as a draft, `publish` makes them
/// live as the next version. Returns the notification's id and goes to its editor.
#[server(endpoint = "save_notification")]
pub async fn save_notification(#[server(flatten)] form: NotificationFormInput) -> Result<String, AppError> {
    use backend::notifications::Save;

    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let save = if form.action.as_deref() == Some("draft") { Save::Draft } else { Save::Publish };
    let id = form.id.clone().filter(|i| !i.is_empty());
    let (agent, input) = to_input(form)?;
    let saved = match id {
        Some(id) => {
            backend::notifications::update(
                &services.db,
                &member.into(),
                parse_id(&id, "Notification")?,
                agent,
                input,
                save,
            )
            .await?
        }
        None => backend::notifications::create(&services.db, &member.into(), agent, input, save).await?,
    };
    let state = if save == Save::Draft { "draft" } else { "published" };
    leptos_axum::redirect(&format!("/notifications/{}?saved={state}", saved.id));
    Ok(saved.id.to_string())
}

/// A rendered preview; `error` carries a template error (with its position) instead.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub subject: String,
    /// Sanitised HTML: values escaped, raw HTML in the template shown as text.
    pub html: String,
    pub error: Option<String>,
}

#[cfg(feature = "ssr")]
fn preview_source(source: &str) -> Result<backend::preview::PreviewSource, AppError> {
    use backend::preview::PreviewSource;
    match source.trim() {
        "" | "sample" => Ok(PreviewSource::Sample),
        id => Ok(PreviewSource::Conversation(crate::auth::parse_id(id, "Conversation")?)),
    }
}

/// Renders `subject` and `body` against conversation `source` (or `sample`) for the editor.
#[server(endpoint = "preview_notification")]
pub async fn preview_notification(
    agent_id: String,
    source: String,
    subject: String,
    body: String,
) -> Result<PreviewView, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let agent = backend_uuid(&agent_id);
    let rendered =
        backend::preview::preview(&services, &member, agent, preview_source(&source)?, &subject, &body).await;
    match rendered {
        Ok(r) => Ok(PreviewView { subject: r.subject, html: r.html, error: None }),
        Err(backend::Error::Invalid { field, message }) => {
            Ok(PreviewView { error: Some(format!("{field}: {message}")), ..Default::default() })
        }
        Err(e) => Err(e.into()),
    }
}

/// Renders like the preview and sends it to the signed-in admin (SMTP or the outbox); no
/// notification run is created. Returns what happened, for display.
#[server(endpoint = "test_send_notification")]
pub async fn test_send_notification(
    agent_id: String,
    source: String,
    subject: String,
    body: String,
) -> Result<String, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let (_, to) = backend::preview::test_send(
        &services,
        &member,
        backend_uuid(&agent_id),
        preview_source(&source)?,
        &subject,
        &body,
    )
    .await?;
    Ok(if services.mailer.is_outbox() {
        format!("Test email for {to} stored in the outbox (no SMTP server is configured).")
    } else {
        format!("Test email sent to {to}.")
    })
}

/// Publishes the stored draft of notification `id`.
#[server(endpoint = "publish_notification")]
pub async fn publish_notification(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let n = backend::notifications::publish_draft(&services.db, &member, parse_id(&id, "Notification")?).await?;
    leptos_axum::redirect(&format!("/notifications/{}?saved=published", n.id));
    Ok(())
}

/// Discards the draft of notification `id` (deleting a never-published one).
#[server(endpoint = "discard_notification_draft")]
pub async fn discard_notification_draft(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    match backend::notifications::discard_draft(&services.db, &member, parse_id(&id, "Notification")?).await? {
        Some(n) => leptos_axum::redirect(&format!("/notifications/{}", n.id)),
        None => leptos_axum::redirect("/notifications"),
    }
    Ok(())
}

/// Loads published `version` of notification `id` into its draft.
#[server(endpoint = "restore_notification_version")]
pub async fn restore_notification_version(id: String, version: i32) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let n =
        backend::notifications::restore_version(&services.db, &member, parse_id(&id, "Notification")?, version).await?;
    leptos_axum::redirect(&format!("/notifications/{}?saved=restored", n.id));
    Ok(())
}

/// Turns notification `id` on (`enabled` = `true`) or off.
#[server(endpoint = "set_notification_enabled")]
pub async fn set_notification_enabled(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::notifications::set_enabled(&services.db, &member, parse_id(&id, "Notification")?, enabled).await?;
    Ok(())
}

/// Copies notification `id` as a disabled notification and opens the copy.
#[server(endpoint = "duplicate_notification")]
pub async fn duplicate_notification(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let copy = backend::notifications::duplicate(&services.db, &member, parse_id(&id, "Notification")?).await?;
    leptos_axum::redirect(&format!("/notifications/{}", copy.id));
    Ok(copy.id.to_string())
}

/// Deletes notification `id`.
#[server(endpoint = "delete_notification")]
pub async fn delete_notification(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::notifications::delete(&services.db, &member, parse_id(&id, "Notification")?).await?;
    Ok(())
}

/// Moves notification `id` up or down (`direction` = `up` | `down`) in the list of `agent_id`
/// (empty = the account's whole list).
#[server(endpoint = "move_notification")]
pub async fn move_notification(id: String, agent_id: Option<String>, direction: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let agent = match agent_id.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(parse_id(a, "Agent")?),
        None => None,
    };
    backend::notifications::reorder(&services.db, &member, parse_id(&id, "Notification")?, agent, direction == "up")
        .await?;
    Ok(())
}
