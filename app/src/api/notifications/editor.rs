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
    /// `each`, `daily` or `hourly`.
    pub digest_every: String,
    /// `08:00` (daily) or `:15` (hourly); empty = the default.
    pub digest_at: String,
    /// Empty = the agent's time zone.
    pub digest_time_zone: String,
    /// The structured conditions, in the condition editor's form.
    pub conditions: crate::api::conditions::ConditionForm,
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
    /// The stored subject and body rendered with the built-in sample call, as the form
    /// opens; the editor renders later previews with [`preview_notification`]. Loaded with
    /// the form rather than by a resource of the form's own: a resource created inside a
    /// `Suspend` is fetched twice during SSR and the browser may hydrate the other answer.
    pub preview: Result<PreviewView, AppError>,
    /// How the account's analyzer reads the stored trigger question (see
    /// [`read_trigger_question`]).
    pub trigger_reading: String,
}

/// How the account's analyzer reads `question` as it is typed in the editor: the built-in
/// analyzer's reading ("Built-in analyzer: checks whether the call was about: parking"), that
/// it does not understand it, or that the configured AI provider judges it; empty for an
/// empty question.
#[server(endpoint = "read_trigger_question", output = crate::api::Json)]
pub async fn read_trigger_question(question: String) -> Result<String, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::analyzers::reading_of(&services.db, &member.tenant, &question).await?)
}

/// The form for notification `id`, or a new one (for `agent_id`, empty = every agent),
/// pre-filled from starter `template` when given (`scratch` or empty = a blank form).
#[server(endpoint = "notification_editor", output = crate::api::Json)]
pub async fn notification_editor(
    id: Option<String>,
    agent_id: Option<String>,
    template: Option<String>,
) -> Result<EditorData, AppError> {
    use crate::api::fmt::time;
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let id = id.as_deref().filter(|i| !i.is_empty()).map(|i| parse_id(i, "Notification")).transpose()?;
    let agent_id = agent_id.as_deref().filter(|a| !a.is_empty()).map(|a| parse_id(a, "Agent")).transpose()?;
    let view =
        backend::editor::notification_editor(&services.db, &member.into(), id, agent_id, template.as_deref()).await?;
    let choice = |value: String, label: String| Choice { value, label };
    let mut variable_groups = vec![VariableGroup {
        title: "Call".to_owned(),
        variables: view.variables.system.iter().map(|(n, d)| choice((*n).to_owned(), (*d).to_owned())).collect(),
    }];
    if !view.variables.agent_fields.is_empty() {
        variable_groups.push(VariableGroup {
            title: "Agent fields".to_owned(),
            variables: view
                .variables
                .agent_fields
                .iter()
                .map(|f| choice(f.name.clone(), format!("{} ({})", f.description, f.field_type)))
                .collect(),
        });
    }
    if !view.variables.other.is_empty() {
        variable_groups.push(VariableGroup {
            title: "Other dyn_ variables in this template".to_owned(),
            variables: view
                .variables
                .other
                .iter()
                .map(|n| choice(n.clone(), "Extracted as text by its name".to_owned()))
                .collect(),
        });
    }
    let mut preview_sources = vec![choice("sample".to_owned(), "Built-in sample call".to_owned())];
    preview_sources.extend(
        view.recent_calls
            .iter()
            .map(|c| choice(c.id.to_string(), format!("{} · {} · {}", time(c.at), c.who, c.end_reason))),
    );
    let edited = view.notification.as_ref();
    let draft = &view.draft.settings;
    let agent = view.draft.agent_id.map(|a| a.to_string()).unwrap_or_default();
    let preview = render_preview(&services, &member, &agent, "sample", &draft.email.subject, &draft.email.body).await;
    let question = draft.trigger.condition.clone().unwrap_or_default();
    let trigger_reading = backend::analyzers::reading_of(&services.db, &member.tenant, &question).await?;
    Ok(EditorData {
        form: convert::form_of(edited.map(|n| n.id.to_string()), view.draft.agent_id, view.draft.settings),
        agents: view
            .agents
            .iter()
            .map(|a| choice(a.id.to_string(), format!("{} ({})", a.name, a.external_id)))
            .collect(),
        members: view
            .members
            .iter()
            .map(|m| choice(m.user_id.to_string(), format!("{} <{}>", m.name, m.email)))
            .collect(),
        variable_groups,
        field_names: view.field_names,
        end_reasons: view.end_reasons.iter().map(|r| r.as_str().to_owned()).collect(),
        preview_sources,
        versions: view
            .versions
            .into_iter()
            .map(|v| VersionItem {
                version: v.version,
                when: time(v.created_at),
                by: v.created_by,
                summary: format!("{} — {}", v.name, v.trigger),
            })
            .collect(),
        version: edited.map_or(0, |n| n.version),
        has_draft: edited.is_some_and(|n| n.has_draft),
        can_configure: view.can_configure,
        starter: view.starter.map(str::to_owned),
        preview,
        trigger_reading,
    })
}
