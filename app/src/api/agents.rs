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
    pub created: String,
}

#[cfg(feature = "ssr")]
fn item(a: backend::entities::agent::Model) -> AgentItem {
    AgentItem {
        id: a.id.to_string(),
        external_id: a.external_id,
        name: a.name,
        timezone: a.timezone,
        language: a.language,
        created: super::fmt::time(a.created_at),
    }
}

/// Every agent of the account, by name.
#[server(endpoint = "list_agents")]
pub async fn list_agents() -> Result<Vec<AgentItem>, AppError> {
    use crate::auth::{member, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::agents::list(&services.db, &member.tenant).await?.into_iter().map(item).collect())
}

/// One agent.
#[server(endpoint = "get_agent")]
pub async fn get_agent(id: String) -> Result<AgentItem, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let id = parse_id(&id, "Agent")?;
    Ok(item(backend::agents::get(&services.db, &member.tenant, id).await?))
}

/// Creates an agent (admins); returns its id.
#[server(endpoint = "create_agent")]
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
        &member,
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
