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
    /// `standard`, `slack`, `teams` or `request`.
    pub format: String,
    pub message_template: Option<String>,
    /// `request`: `POST`, `PUT` or `PATCH`.
    pub method: String,
    /// `request`: the headers that are not secret, one `Name: value` per line.
    pub headers: String,
    /// `request`: the names of the stored secret headers (their values are never shown).
    pub secret_headers: Vec<String>,
    /// `request`: `none`, `bearer` or `basic`.
    pub auth_kind: String,
    pub auth_username: String,
    pub body_template: Option<String>,
    /// Whether requests are signed (Standard Webhooks).
    pub sign: bool,
    pub include_transcript: bool,
    /// "order_total > 100"; `None` = always.
    pub condition: Option<String>,
    /// The condition in the condition editor's form.
    pub conditions: crate::api::conditions::ConditionForm,
    pub time_field: Option<String>,
    pub fallback_delay_minutes: Option<i32>,
    /// Why it was disabled automatically.
    pub disabled_reason: Option<String>,
    /// Failing since (formatted), while it fails.
    pub failing_since: Option<String>,
    /// Whether a rotated secret still signs too.
    pub rotating: bool,
    /// The published version (0 = never published: it does not run).
    pub version: i32,
    /// The unpublished draft, as the editor shows it.
    pub draft: Option<Box<ActionItem>>,
    /// Published versions, newest first (only on the live item).
    pub versions: Vec<ActionVersionItem>,
}

/// A published version of an action, for the editor's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionVersionItem {
    pub version: i32,
    pub when: String,
    /// The name and condition of that version, for telling them apart.
    pub summary: String,
}

#[cfg(feature = "ssr")]
fn item(a: backend::actions::ActionView) -> ActionItem {
    let conditions = crate::api::conditions::ConditionForm::of_one(a.condition.as_ref());
    ActionItem {
        id: a.id.to_string(),
        kind: a.kind.to_string(),
        name: a.name,
        enabled: a.enabled,
        url: a.url,
        format: a.format.to_string(),
        message_template: a.message_template,
        method: a.method.to_string(),
        headers: a
            .headers
            .iter()
            .filter_map(|h| h.value.as_ref().map(|v| format!("{}: {v}", h.name)))
            .collect::<Vec<_>>()
            .join("\n"),
        secret_headers: a.headers.iter().filter(|h| h.secret).map(|h| h.name.clone()).collect(),
        auth_kind: a.auth.as_ref().map(|x| x.kind.clone()).unwrap_or_else(|| "none".into()),
        auth_username: a.auth.and_then(|x| x.username).unwrap_or_default(),
        body_template: a.body_template,
        sign: a.sign,
        include_transcript: a.include_transcript,
        condition: a.condition_text,
        conditions,
        time_field: a.time_field,
        fallback_delay_minutes: a.fallback_delay_minutes,
        disabled_reason: a.disabled_reason,
        failing_since: a.failing_since.map(super::fmt::time),
        rotating: a.rotating,
        version: a.version,
        draft: None,
        versions: Vec::new(),
    }
}

/// The agent's actions and what the condition editor offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionsData {
    /// Oldest first.
    pub items: Vec<ActionItem>,
    /// The agent's extraction fields, for conditions.
    pub field_names: Vec<String>,
    /// The documented end reasons.
    pub end_reasons: Vec<String>,
}

/// The agent's actions, oldest first, with the condition editor's choices.
#[server(endpoint = "list_actions", output = crate::api::Json)]
pub async fn list_actions(agent_id: String) -> Result<ActionsData, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    // Another account's agent is not found (not an empty list).
    let agent = backend::agents::get(&services.db, &member.tenant, parse_id(&agent_id, "Agent")?).await?;
    let rows = backend::actions::list(&services.db, &services.secrets, &member.tenant, agent.id).await?;
    let actor: backend::tenancy::Actor = member.into();
    let mut items = Vec::new();
    for a in rows {
        let mut live = item(backend::actions::ActionView::new(a.clone(), &actor));
        if a.draft.is_some() {
            let draft = backend::actions::editable(a.clone())?;
            live.draft = Some(Box::new(item(backend::actions::ActionView::new(draft, &actor))));
        }
        if a.version > 0 && actor.can(backend::tenancy::Permission::Configure) {
            let versions = backend::actions::versions(&services.db, &services.secrets, &member.tenant, a.id).await?;
            live.versions = versions
                .into_iter()
                .map(|v| ActionVersionItem {
                    version: v.version,
                    when: super::fmt::time(v.created_at),
                    summary: match v.settings.condition {
                        Some(c) => format!("{}, only when {}", v.settings.name, c.describe()),
                        None => format!("{}, always", v.settings.name),
                    },
                })
                .collect();
        }
        items.push(live);
    }
    let field_names = backend::analysis::fields::list(&services.db, &member.tenant, agent.id)
        .await?
        .into_iter()
        .map(|f| f.name.trim_start_matches("dyn_").to_owned())
        .collect();
    let end_reasons = backend::types::EndReason::ALL.iter().map(|r| r.as_str().to_owned()).collect();
    Ok(ActionsData { items, field_names, end_reasons })
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
    /// The condition editor's fields ([`crate::api::conditions::ConditionPost`]).
    pub cond_mode: Option<String>,
    pub cond_field: Option<Vec<String>>,
    pub cond_op: Option<Vec<String>>,
    pub cond_value: Option<Vec<String>>,
    pub cond_json: Option<String>,
    pub time_field: String,
    pub fallback_delay_minutes: String,
    /// `request`: `POST`, `PUT` or `PATCH`.
    pub method: String,
    /// `request`: headers shown again, one `Name: value` per line.
    pub headers: String,
    /// `request`: secret headers, one `Name: value` per line; empty keeps the stored ones.
    pub secret_headers: String,
    /// `none`, `bearer` or `basic`.
    pub auth_kind: String,
    /// Bearer token; empty keeps the stored one.
    pub auth_token: String,
    pub auth_username: String,
    /// Basic password; empty keeps the stored one.
    pub auth_password: String,
    pub body_template: String,
    /// A checkbox: present when ticked.
    pub sign: Option<String>,
    /// `draft` (save a draft) or `publish` (make it live, the default).
    pub save: Option<String>,
}

/// `Name: value` lines as headers (`secret` for the secret ones).
///
/// Errors: [`backend::Error::Invalid`] on `field` naming the line without a `:`.
#[cfg(feature = "ssr")]
fn header_lines(text: &str, secret: bool, field: &str) -> Result<Vec<backend::actions::HeaderInput>, backend::Error> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| backend::Error::invalid(field, format!("line {}: write `Name: value`", i + 1)))?;
            Ok(backend::actions::HeaderInput {
                name: name.trim().to_owned(),
                value: Some(value.trim().to_owned()),
                secret,
            })
        })
        .collect()
}

/// Creates or replaces an action (admins), publishing it or keeping it as a draft. Returns the signing secret of a new action
/// (shown once), `None` after an edit.
#[server(endpoint = "save_action", output = crate::api::Json)]
pub async fn save_action(#[server(flatten)] form: ActionForm) -> Result<Option<String>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let condition = crate::api::conditions::ConditionPost {
        cond_mode: form.cond_mode.clone(),
        cond_field: form.cond_field.clone(),
        cond_op: form.cond_op.clone(),
        cond_value: form.cond_value.clone(),
        cond_json: form.cond_json.clone(),
    }
    .to_one()?;
    let save = match form.save.as_deref() {
        Some("draft") => backend::actions::Save::Draft,
        _ => backend::actions::Save::Publish,
    };
    let fallback = match form.fallback_delay_minutes.trim() {
        "" => None,
        m => Some(
            m.parse::<i32>()
                .map_err(|_| backend::Error::invalid("fallback_delay_minutes", "must be a whole number of minutes"))?,
        ),
    };
    let mut headers = header_lines(&form.headers, false, "headers")?;
    if form.secret_headers.trim().is_empty() {
        // Left empty: keep the stored secret headers.
        if !form.id.trim().is_empty() {
            let stored =
                backend::actions::get(&services.db, &services.secrets, &member.tenant, parse_id(&form.id, "Action")?)
                    .await?;
            let options = backend::actions::request_options(&backend::actions::editable(stored)?)?;
            headers.extend(options.headers.into_iter().filter(|h| h.secret).map(|h| backend::actions::HeaderInput {
                name: h.name,
                value: None,
                secret: true,
            }));
        }
    } else {
        headers.extend(header_lines(&form.secret_headers, true, "secret_headers")?);
    }
    let blank = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
    let auth = match form.auth_kind.as_str() {
        "bearer" => backend::actions::AuthInput::Bearer { token: blank(&form.auth_token) },
        "basic" => backend::actions::AuthInput::Basic {
            username: form.auth_username.clone(),
            password: (!form.auth_password.is_empty()).then(|| form.auth_password.clone()),
        },
        _ => backend::actions::AuthInput::None,
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
        method: Some(form.method),
        headers,
        auth,
        body_template: Some(form.body_template),
        sign: Some(form.sign.is_some()),
    };
    if form.id.trim().is_empty() {
        let (_, secret) =
            backend::actions::create(&services, &member.into(), parse_id(&form.agent_id, "Agent")?, input, save)
                .await?;
        Ok(Some(secret))
    } else {
        backend::actions::update(&services, &member.into(), parse_id(&form.id, "Action")?, input, save).await?;
        Ok(None)
    }
}

/// Turns an action on or off (admins).
#[server(endpoint = "toggle_action", output = crate::api::Json)]
pub async fn toggle_action(id: String, enabled: bool) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::set_enabled(&services, &member.into(), parse_id(&id, "Action")?, enabled).await?;
    Ok(())
}

/// Deletes an action (admins); its deliveries stay.
#[server(endpoint = "delete_action", output = crate::api::Json)]
pub async fn delete_action(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::delete(&services.db, &member.into(), parse_id(&id, "Action")?).await?;
    Ok(())
}

/// Rotates an action's signing secret (admins); returns the new secret (shown once).
#[server(endpoint = "rotate_action_secret", output = crate::api::Json)]
pub async fn rotate_action_secret(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::actions::rotate_secret(&services, &member.into(), parse_id(&id, "Action")?).await?)
}

/// Sends a test request to an action (admins); returns the delivery's id.
#[server(endpoint = "test_action", output = crate::api::Json)]
pub async fn test_action(id: String) -> Result<String, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::actions::test_send(&services, &member.into(), parse_id(&id, "Action")?).await?.to_string())
}

/// Publishes an action's saved draft as its next version (admins).
#[server(endpoint = "publish_action", output = crate::api::Json)]
pub async fn publish_action(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::publish_draft(&services, &member.into(), parse_id(&id, "Action")?).await?;
    Ok(())
}

/// Drops an action's draft (admins); a never-published action is deleted.
#[server(endpoint = "discard_action_draft", output = crate::api::Json)]
pub async fn discard_action_draft(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::discard_draft(&services, &member.into(), parse_id(&id, "Action")?).await?;
    Ok(())
}

/// Copies a published version of an action into its draft (admins).
#[server(endpoint = "restore_action_version", output = crate::api::Json)]
pub async fn restore_action_version(id: String, version: i32) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::restore_version(&services, &member.into(), parse_id(&id, "Action")?, version).await?;
    Ok(())
}
