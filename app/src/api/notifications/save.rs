//! Saving the editor's form as a draft or publishing it: the form as posted and its translation
//! to the backend's input.

#[allow(unused_imports)]
use super::*;

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
    /// `each` (an email per call, the default), `daily` or `hourly` (a digest).
    #[serde(default)]
    pub digest_every: Option<String>,
    /// The digest's local time (`08:00`) or minute past the hour (`:15`).
    #[serde(default)]
    pub digest_at: Option<String>,
    /// The digest's IANA time zone; empty = the agent's (UTC for every agent).
    #[serde(default)]
    pub digest_time_zone: Option<String>,
    /// The condition editor's fields ([`crate::api::conditions::ConditionPost`]).
    #[serde(default)]
    pub cond_mode: Option<String>,
    #[serde(default)]
    pub cond_field: Option<Vec<String>>,
    #[serde(default)]
    pub cond_op: Option<Vec<String>>,
    #[serde(default)]
    pub cond_value: Option<Vec<String>>,
    #[serde(default)]
    pub cond_json: Option<String>,
    /// `draft` (save a draft) or `publish` (make it live).
    #[serde(default)]
    pub action: Option<String>,
}

#[cfg(feature = "ssr")]
pub(crate) fn to_input(
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
    let conditions = crate::api::conditions::ConditionPost {
        cond_mode: form.cond_mode,
        cond_field: form.cond_field,
        cond_op: form.cond_op,
        cond_value: form.cond_value,
        cond_json: form.cond_json,
    }
    .to_list()?;
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
        digest: match form.digest_every.as_deref().map(str::trim) {
            None | Some("") | Some("each") => None,
            Some(every) => Some(backend::columns::Digest {
                every: every.to_owned(),
                at: form.digest_at.filter(|a| !a.trim().is_empty()),
                time_zone: form.digest_time_zone.filter(|z| !z.trim().is_empty()),
            }),
        },
    };
    Ok((agent, input))
}

/// Saves the form (admins): `action=draft` keeps the edits as a draft, `publish` makes them
/// live as the next version. Returns the notification's id and goes to its editor.
#[server(endpoint = "save_notification", output = crate::api::Json)]
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
