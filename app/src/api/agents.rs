//! Agents: list, one agent, create.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// An agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentItem {
    pub id: String,
    pub external_id: String,
    pub name: String,
    pub timezone: String,
    pub language: String,
    pub goal: Option<String>,
    pub created: String,
}

/// An extraction field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldItem {
    pub id: String,
    pub name: String,
    /// `string`, `number`, `boolean` or `enum`.
    pub kind: String,
    pub description: String,
    pub options: Vec<String>,
}

#[cfg(feature = "ssr")]
fn item(a: backend::entities::agent::Model) -> AgentItem {
    AgentItem {
        id: a.id.to_string(),
        external_id: a.external_id,
        name: a.name,
        timezone: a.timezone,
        language: a.language,
        goal: a.goal,
        created: super::fmt::time(a.created_at),
    }
}

/// Every agent of the account, by name.
#[server(endpoint = "list_agents", output = crate::api::Json)]
pub async fn list_agents() -> Result<Vec<AgentItem>, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::agents::list(&services.db, &member.tenant).await?.into_iter().map(item).collect())
}

/// One agent.
#[server(endpoint = "get_agent", output = crate::api::Json)]
pub async fn get_agent(id: String) -> Result<AgentItem, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let id = parse_id(&id, "Agent")?;
    Ok(item(backend::agents::get(&services.db, &member.tenant, id).await?))
}

/// Creates an agent (admins); returns its id.
#[server(endpoint = "create_agent", output = crate::api::Json)]
pub async fn create_agent(
    external_id: String,
    name: String,
    timezone: String,
    language: String,
) -> Result<String, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    let created = backend::agents::create(
        &services.db,
        &member.into(),
        backend::agents::AgentInput {
            external_id,
            name: Some(name),
            timezone: Some(timezone),
            language: Some(language),
            goal: None,
        },
    )
    .await?;
    Ok(created.id.to_string())
}

/// Edits an agent's name, external id, time zone, language and goal (admins).
#[server(endpoint = "update_agent", output = crate::api::Json)]
pub async fn update_agent(
    id: String,
    external_id: String,
    name: String,
    timezone: String,
    language: String,
    goal: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::agents::update(
        &services.db,
        &member.into(),
        parse_id(&id, "Agent")?,
        backend::agents::AgentInput {
            external_id,
            name: Some(name),
            timezone: Some(timezone),
            language: Some(language),
            goal,
        },
    )
    .await?;
    Ok(())
}

/// The agent's extraction fields, in order.
#[server(endpoint = "list_fields", output = crate::api::Json)]
pub async fn list_fields(agent_id: String) -> Result<Vec<FieldItem>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    // Another account's agent is not found (not an empty list).
    let agent = backend::agents::get(&services.db, &member.tenant, parse_id(&agent_id, "Agent")?).await?;
    let rows = backend::analysis::fields::list(&services.db, &member.tenant, agent.id).await?;
    Ok(rows
        .into_iter()
        .map(|f| {
            let spec = backend::analysis::fields::spec_of(&f);
            FieldItem {
                id: f.id.to_string(),
                name: spec.name,
                kind: spec.kind.as_str().to_owned(),
                description: spec.description,
                options: spec.options,
            }
        })
        .collect())
}

/// Adds a field to an agent (no `id`) or replaces field `id` (admins). `options` is a
/// comma-separated list for enums.
#[server(endpoint = "save_field", output = crate::api::Json)]
pub async fn save_field(
    agent_id: String,
    id: Option<String>,
    name: String,
    kind: String,
    description: Option<String>,
    options: Option<String>,
) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let input = backend::analysis::fields::FieldInput {
        name,
        kind,
        description: description.unwrap_or_default(),
        options: options
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match id.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            backend::analysis::fields::update(&services.db, &member.into(), parse_id(id, "Field")?, input).await?
        }
        None => {
            backend::analysis::fields::create(&services.db, &member.into(), parse_id(&agent_id, "Agent")?, input)
                .await?
        }
    };
    Ok(())
}

/// Deletes a field (admins).
#[server(endpoint = "delete_field", output = crate::api::Json)]
pub async fn delete_field(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::analysis::fields::delete(&services.db, &member.into(), parse_id(&id, "Field")?).await?;
    Ok(())
}
