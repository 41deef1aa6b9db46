//! Post-call actions of an agent: signed webhooks, Slack/Teams messages and scheduled
//! follow-up calls.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An action as the agent page shows it (never its secret; members see the URL shortened
/// to its host, since Slack/Teams URLs and many webhook URLs are credentials).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionItem {
    pub id: String,
    /// `webhook` or `schedule_call`.
    pub kind: String,
    pub name: String,
    pub enabled: bool,
    pub url: String,
    /// `standard`, `slack` or `teams`.
    pub format: String,
    pub message_template: Option<String>,
    pub include_transcript: bool,
    /// "order_total > 100"; `None` = always.
    pub condition: Option<String>,
    pub condition_field: String,
    pub condition_op: String,
    pub condition_value: String,
    pub time_field: Option<String>,
    pub fallback_delay_minutes: Option<i32>,
    /// Why it was disabled automatically.
    pub disabled_reason: Option<String>,
    /// Failing since (formatted), while it fails.
    pub failing_since: Option<String>,
    /// Whether a rotated secret still signs too.
    pub rotating: bool,
}

#[cfg(feature = "ssr")]
fn item(a: backend::actions::ActionView) -> ActionItem {
    let condition = a.condition;
    ActionItem {
        id: a.id.to_string(),
        kind: a.kind.to_string(),
        name: a.name,
        enabled: a.enabled,
        url: a.url,
        format: a.format.to_string(),
        message_template: a.message_template,
        include_transcript: a.include_transcript,
        condition: a.condition_text,
        condition_field: condition.as_ref().map(|c| c.field.clone()).unwrap_or_default(),
        condition_op: condition.as_ref().map(|c| c.op.as_str().to_owned()).unwrap_or_default(),
        condition_value: condition.and_then(|c| c.value).unwrap_or_default(),
        time_field: a.time_field,
        fallback_delay_minutes: a.fallback_delay_minutes,
        disabled_reason: a.disabled_reason,
        failing_since: a.failing_since.map(super::fmt::time),
        rotating: a.rotating,
    }
}

/// The agent's actions, oldest first.
#[server(endpoint = "list_actions")]
pub async fn list_actions(agent_id: String) -> Result<Vec<ActionItem>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    // Another account's agent is not found (not an empty list).
    let agent = backend::agents::get(&services.db, &member.tenant, parse_id(&agent_id, "Agent")?).await?;
    let rows = backend::actions::list(&services.db, &services.secrets, &member.tenant, agent.id).await?;
    let actor = member.into();
    Ok(rows.into_iter().map(|a| item(backend::actions::ActionView::new(a, &actor))).collect())
}

/// The form of an action (create when `id` is empty, else replace).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub agent_id: String,
    pub id: String,
    pub kind: String,
    pub name: String,
    pub url: String,
    pub format: String,
    pub message_template: String,
    /// A checkbox: present when ticked.
    pub include_transcript: Option<String>,
    pub enabled: Option<String>,
    pub condition_field: String,
    pub condition_op: String,
    pub condition_value: String,
    pub time_field: String,
    pub fallback_delay_minutes: String,
}

/// Creates or replaces an action (admins). Returns the signing secret of a new action
/// (shown once), `None` after an edit.
#[server(endpoint = "save_action")]
pub async fn save_action(#[server(flatten)] form: ActionForm) -> Result<Option<String>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let condition = if form.condition_field.trim().is_empty() {
        None
    } else {
        let op = backend::conditions::FieldOp::parse(&form.condition_op).ok_or_else(|| {
            backend::Error::invalid("condition.op", format!("`{}` is not an operator", form.condition_op))
        })?;
        Some(backend::actions::FieldCondition {
            field: form.condition_field.clone(),
            op,
            value: Some(form.condition_value.clone()),
        })
    };
    let fallback = match form.fallback_delay_minutes.trim() {
        "" => None,
        m => Some(
            m.parse::<i32>()
                .map_err(|_| backend::Error::invalid("fallback_delay_minutes", "must be a whole number of minutes"))?,
        ),
    };
    let input = backend::actions::ActionInput {
        kind: form.kind,
        name: form.name,
        url: form.url,
        format: Some(form.format),
        message_template: Some(form.message_template),
        include_transcript: form.include_transcript.is_some(),
        condition,
        time_field: Some(form.time_field),
        fallback_delay_minutes: fallback,
        enabled: form.enabled.is_some(),
    };
    if form.id.trim().is_empty() {
        let (_, secret) =
            backend::actions::create(&services, &member.into(), parse_id(&form.agent_id, "Agent")?, input).await?;
        Ok(Some(secret))
    } else {
        backend::actions::update(&services, &member.into(), parse_id(&form.id, "Action")?, input).await?;
        Ok(None)
    }
}

/// Turns an action on or off (admins).
#[server(endpoint = "toggle_action")]
pub async fn toggle_action(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::set_enabled(&services, &member.into(), parse_id(&id, "Action")?, enabled).await?;
    Ok(())
}

/// Deletes an action (admins); its deliveries stay.
#[server(endpoint = "delete_action")]
pub async fn delete_action(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::delete(&services.db, &member.into(), parse_id(&id, "Action")?).await?;
    Ok(())
}

/// Rotates an action's signing secret (admins); returns the new secret (shown once).
#[server(endpoint = "rotate_action_secret")]
pub async fn rotate_action_secret(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::actions::rotate_secret(&services, &member.into(), parse_id(&id, "Action")?).await?)
}

/// Sends a test request to an action (admins); returns the delivery's id.
#[server(endpoint = "test_action")]
pub async fn test_action(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::actions::test_send(&services, &member.into(), parse_id(&id, "Action")?).await?.to_string())
}
