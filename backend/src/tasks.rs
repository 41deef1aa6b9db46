//! Tasks: follow-up work created by notifications, filtered by status, priority and
//! assignee, assigned to members with a due date, and marked done by the team. Working
//! tasks is not configuration: every member may assign and complete them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::task;
use crate::error::{Error, Result};
use crate::tenancy::{Tenant, scope, secure_find};
use crate::types::Priority;

/// Task statuses as stored.
pub use crate::columns::TaskStatus;

/// Filters for [`list`].
#[derive(Clone, Debug, Default)]
pub struct TaskFilter {
    /// `open` or `done`; `None` for both.
    pub status: Option<String>,
    pub priority: Option<Priority>,
    /// Only tasks assigned to this user ("my tasks").
    pub assignee: Option<Uuid>,
    /// Keyset: the last id of the previous page.
    pub before: Option<Uuid>,
}

/// One page of the tenant's tasks matching `filter`, newest first.
///
/// Errors: [`Error::Invalid`] on `status` for a status other than open or done.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    filter: &TaskFilter,
    limit: u64,
) -> Result<Vec<task::Model>> {
    let mut q = scope::<task::Entity>(tenant);
    if let Some(s) = &filter.status {
        q = q.filter(task::Column::Status.eq(parse_status(s)?));
    }
    if let Some(p) = filter.priority {
        q = q.filter(task::Column::Priority.eq(p.as_str()));
    }
    if let Some(user) = filter.assignee {
        q = q.filter(task::Column::AssigneeUserId.eq(user));
    }
    if let Some(before) = filter.before {
        q = q.filter(task::Column::Id.lt(before));
    }
    Ok(q.order_by_desc(task::Column::Id).limit(limit).all(db).await?)
}

/// Parses a status from a request.
///
/// Errors: [`Error::Invalid`] on `status` for anything but `open` or `done`.
fn parse_status(value: &str) -> Result<TaskStatus> {
    TaskStatus::parse(value).map_err(|_| Error::invalid("status", format!("`{value}` is not open or done")))
}

/// The tenant's task `id`.
pub async fn get<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<task::Model> {
    secure_find::<task::Entity, _>(db, tenant, id).await
}

/// Sets a task's status to `open` or `done` (recording when it was completed).
///
/// Errors: [`Error::NotFound`] for another tenant's task; [`Error::Invalid`] on `status`.
pub async fn set_status<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    id: Uuid,
    new_status: &str,
) -> Result<task::Model> {
    let new_status = parse_status(new_status)?;
    let found = get(db, tenant, id).await?;
    if found.status == new_status {
        return Ok(found);
    }
    let mut active: task::ActiveModel = found.into();
    active.status = Set(new_status);
    active.completed_at = Set((new_status == TaskStatus::Done).then(Utc::now));
    Ok(active.update(db).await?)
}

/// Assigns task `id` to member `assignee` (`None` = unassigned) and sets its due time
/// (`None` = no due date).
///
/// Errors: [`Error::NotFound`] for another tenant's task; [`Error::Invalid`] on `assignee`
/// when the user is not a member of the account.
pub async fn assign<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    id: Uuid,
    assignee: Option<Uuid>,
    due_at: Option<DateTime<Utc>>,
) -> Result<task::Model> {
    let found = get(db, tenant, id).await?;
    if let Some(user) = assignee {
        match crate::identity::accounts::member(db, user, tenant.account_id()).await {
            Ok(_) => {}
            Err(Error::Unauthenticated) => return Err(Error::invalid("assignee", "is not a member of this account")),
            Err(other) => return Err(other),
        }
    }
    let mut active: task::ActiveModel = found.into();
    active.assignee_user_id = Set(assignee);
    active.due_at = Set(due_at);
    Ok(active.update(db).await?)
}

/// A task that a fired notification run creates.
pub(crate) struct NewTask {
    pub conversation_id: Uuid,
    pub notification_run_id: Uuid,
    pub title: String,
    pub description: String,
    pub priority: Priority,
    /// A member's user id (the caller checked they still are one).
    pub assignee_user_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
}

/// Inserts an open task for a notification run in `db` (the run's transaction). Returns
/// its id.
pub(crate) async fn create_for_run<C: ConnectionTrait>(db: &C, tenant: &Tenant, new: NewTask) -> Result<Uuid> {
    let id = Uuid::now_v7();
    task::Entity::insert(task::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        conversation_id: Set(Some(new.conversation_id)),
        notification_run_id: Set(Some(new.notification_run_id)),
        title: Set(new.title),
        description: Set(new.description),
        priority: Set(new.priority),
        status: Set(TaskStatus::Open),
        assignee_user_id: Set(new.assignee_user_id),
        due_at: Set(new.due_at),
        created_at: Set(Utc::now()),
        completed_at: Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}
