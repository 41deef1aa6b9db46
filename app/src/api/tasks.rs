//! Tasks: filtered list ("my tasks" included), status changes, assignment and due dates.

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
    /// The assignee's user id and name.
    pub assignee: Option<(String, String)>,
    /// `YYYY-MM-DD` (UTC), for the date input.
    pub due_date: Option<String>,
    /// Open and past its due date.
    pub overdue: bool,
}

/// A page of tasks and the members they can be assigned to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskPage {
    pub page: Page<TaskItem>,
    /// `(user id, name)`.
    pub members: Vec<(String, String)>,
}

/// One page of tasks; `status` (`open`/`done`), `priority` and `mine` (`yes` = assigned to
/// the signed-in member) filter when non-empty.
#[server(endpoint = "list_tasks", output = crate::api::Json)]
pub async fn list_tasks(
    status: Option<String>,
    priority: Option<String>,
    mine: Option<String>,
    before: Option<String>,
) -> Result<TaskPage, AppError> {
    use crate::auth::{member, parse_cursor, services};
    let member = member().await?;
    let services = services()?;
    let priority = match priority.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            backend::types::Priority::parse(p)
                .map_err(|message| AppError::Invalid { field: "priority".into(), message })?,
        ),
        None => None,
    };
    let before = parse_cursor(before.as_deref())?;
    let assignee = (mine.as_deref() == Some("yes")).then_some(member.user_id);
    let filter = backend::tasks::TaskFilter { status: status.filter(|s| !s.is_empty()), priority, assignee, before };
    let rows = backend::tasks::list(&services.db, &member.tenant, &filter, super::PAGE_SIZE).await?;
    let members = backend::identity::accounts::members(&services.db, &member.tenant).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|t| t.id));
    let now = chrono::Utc::now();
    let items = rows
        .into_iter()
        .map(|t| TaskItem {
            id: t.id.to_string(),
            title: t.title,
            description: t.description,
            priority: t.priority.to_string(),
            overdue: t.status == backend::tasks::TaskStatus::Open && t.due_at.is_some_and(|d| d < now),
            status: t.status.to_string(),
            conversation_id: t.conversation_id.map(|c| c.to_string()),
            created: super::fmt::time(t.created_at),
            completed: t.completed_at.map(super::fmt::time),
            assignee: t
                .assignee_user_id
                .and_then(|u| members.iter().find(|m| m.user_id == u))
                .map(|m| (m.user_id.to_string(), m.name.clone())),
            due_date: t.due_at.map(|d| d.format("%Y-%m-%d").to_string()),
        })
        .collect();
    let members = members.into_iter().map(|m| (m.user_id.to_string(), m.name)).collect();
    Ok(TaskPage { page: Page { items, next }, members })
}

/// Sets a task's status (`open` or `done`).
#[server(endpoint = "set_task_status", output = crate::api::Json)]
pub async fn set_task_status(id: String, status: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::tasks::set_status(&services.db, &member.tenant, parse_id(&id, "Task")?, &status).await?;
    Ok(())
}

/// Assigns a task (`assignee` = user id, empty = nobody) and sets its due date
/// (`due` = `YYYY-MM-DD`, due at the end of that day UTC; empty = none).
#[server(endpoint = "assign_task", output = crate::api::Json)]
pub async fn assign_task(id: String, assignee: String, due: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let assignee = match assignee.trim() {
        "" => None,
        a => Some(parse_id(a, "Member")?),
    };
    let due_at = match due.trim() {
        "" => None,
        d => {
            let date = chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| AppError::Invalid {
                field: "due".into(),
                message: format!("`{d}` is not a date (YYYY-MM-DD)"),
            })?;
            date.and_hms_opt(23, 59, 59).map(|t| t.and_utc())
        }
    };
    backend::tasks::assign(&services.db, &member.tenant, parse_id(&id, "Task")?, assignee, due_at).await?;
    Ok(())
}
