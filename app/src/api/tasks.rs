//! Tasks: filtered list and status changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::error::AppError;

/// A task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskItem {
    pub id: String,
    pub title: String,
    pub description: String,
    pub priority: String,
    pub status: String,
    pub conversation_id: Option<String>,
    pub created: String,
    pub completed: Option<String>,
}

/// One page of tasks; `status` (`open`/`done`) and `priority` filter when non-empty.
#[server(endpoint = "list_tasks")]
pub async fn list_tasks(
    status: Option<String>,
    priority: Option<String>,
    before: Option<String>,
) -> Result<Page<TaskItem>, AppError> {
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let priority = match priority.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(backend::types::Priority::parse(p).map_err(|message| AppError::Invalid { field: "priority".into(), message })?),
        None => None,
    };
    let before = parse_cursor(before.as_deref())?;
    let filter = backend::tasks::TaskFilter { status: status.filter(|s| !s.is_empty()), priority, before };
    let rows = backend::tasks::list(&services.db, &member.tenant, &filter, super::PAGE_SIZE).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|t| t.id));
    let items = rows
        .into_iter()
        .map(|t| TaskItem {
            id: t.id.to_string(),
            title: t.title,
            description: t.description,
            priority: t.priority,
            status: t.status,
            conversation_id: t.conversation_id.map(|c| c.to_string()),
            created: super::fmt::time(t.created_at),
            completed: t.completed_at.map(super::fmt::time),
        })
        .collect();
    Ok(Page { items, next })
}

/// Sets a task's status (`open` or `done`).
#[server(endpoint = "set_task_status")]
pub async fn set_task_status(id: String, status: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::tasks::set_status(&services.db, &member.tenant, parse_id(&id, "Task")?, &status).await?;
    Ok(())
}
