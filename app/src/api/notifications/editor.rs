//! The notification editor's data: the form as saved, the choices, the variables, the versions
//! and the conversations to preview with.

#[allow(unused_imports)]
use super::*;

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
                    when: crate::api::fmt::time(v.created_at),
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
            label: format!("{} · {} · {}", crate::api::fmt::time(when), who, c.end_reason),
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
