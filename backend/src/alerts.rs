//! In-app alerts: each belongs to one member; the bell shows the unread count.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::entities::{alert, push_subscription};
use crate::error::{Error, Result};
use crate::tenancy::{Member, Tenant, scope};

fn mine(member: &Member) -> sea_orm::Select<alert::Entity> {
    scope::<alert::Entity>(&member.tenant).filter(alert::Column::UserId.eq(member.user_id))
}

/// One page of the member's alerts, newest first; `before` is the last id of the previous
/// page.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    member: &Member,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<alert::Model>> {
    let mut q = mine(member);
    if let Some(before) = before {
        q = q.filter(alert::Column::Id.lt(before));
    }
    Ok(q.order_by_desc(alert::Column::Id).limit(limit).all(db).await?)
}

/// The member's unread alerts.
pub async fn unread_count<C: ConnectionTrait>(db: &C, member: &Member) -> Result<u64> {
    Ok(mine(member).filter(alert::Column::ReadAt.is_null()).count(db).await?)
}

/// Marks one of the member's alerts read (idempotent).
///
/// Errors: [`Error::NotFound`] for another member's or another account's alert.
pub async fn mark_read<C: ConnectionTrait>(db: &C, member: &Member, id: Uuid) -> Result<()> {
    let found = mine(member).filter(alert::Column::Id.eq(id)).one(db).await?.ok_or(Error::NotFound("alert"))?;
    if found.read_at.is_none() {
        let mut active: alert::ActiveModel = found.into();
        active.read_at = Set(Some(Utc::now()));
        active.update(db).await?;
    }
    Ok(())
}

/// Marks all the member's alerts read; returns how many changed.
pub async fn mark_all_read<C: ConnectionTrait>(db: &C, member: &Member) -> Result<u64> {
    let result = alert::Entity::update_many()
        .col_expr(alert::Column::ReadAt, Expr::value(Some(Utc::now())))
        .filter(alert::Column::AccountId.eq(member.tenant.account_id()))
        .filter(alert::Column::UserId.eq(member.user_id))
        .filter(alert::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// One of the member's alerts.
///
/// Errors: [`Error::NotFound`] for another member's or another account's alert.
pub async fn get<C: ConnectionTrait>(db: &C, member: &Member, id: Uuid) -> Result<alert::Model> {
    mine(member).filter(alert::Column::Id.eq(id)).one(db).await?.ok_or(Error::NotFound("alert"))
}

/// A new alert for one member.
pub(crate) struct NewAlert {
    pub user_id: Uuid,
    pub conversation_id: Option<Uuid>,
    pub notification_run_id: Option<Uuid>,
    pub title: String,
    pub body: String,
    /// Dashboard path, e.g. `/conversations/<id>`.
    pub link: String,
}

/// Inserts `new` in `db` (a transaction in practice) and queues one `SendPush` job per
/// browser of that member in `subscriptions` (others are skipped), so an alert and its
/// push deliveries commit together. Returns the alert's id; [`create`] publishes it.
async fn insert_with_push<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    new: NewAlert,
    subscriptions: &[push_subscription::Model],
) -> Result<Uuid> {
    let id = Uuid::now_v7();
    for sub in subscriptions.iter().filter(|s| s.user_id == new.user_id) {
        crate::queue::enqueue(db, tenant, &crate::queue::SendPush { alert_id: id, subscription_id: sub.id }).await?;
    }
    alert::Entity::insert(alert::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        user_id: Set(new.user_id),
        conversation_id: Set(new.conversation_id),
        notification_run_id: Set(new.notification_run_id),
        title: Set(new.title),
        body: Set(new.body),
        link: Set(new.link),
        read_at: Set(None),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
}

/// Creates alert `new` in the unit of work: its push deliveries are queued with it, and
/// when `work` commits the live event is published and the dispatcher woken for the pushes.
/// Returns the alert's id.
pub(crate) async fn create(
    work: &mut crate::db::Work,
    tenant: &Tenant,
    new: NewAlert,
    subscriptions: &[push_subscription::Model],
) -> Result<Uuid> {
    let user_id = new.user_id;
    let pushes = subscriptions.iter().any(|s| s.user_id == user_id);
    let alert_id = insert_with_push(work.db(), tenant, new, subscriptions).await?;
    work.publish(crate::live::AlertEvent { account_id: tenant.account_id(), user_id, alert_id });
    if pushes {
        work.wake_runner();
    }
    Ok(alert_id)
}

/// Creates a test alert for the member ("Test alert"), delivered like any alert: live to
/// open dashboards and by push to their subscribed browsers. Returns the alert's id.
pub async fn create_test(services: &crate::Services, member: &Member) -> Result<Uuid> {
    let db = &services.db;
    let subscriptions = crate::delivery::push::subscriptions_of(db, &member.tenant, member.user_id).await?;
    let mut work = crate::db::Work::begin(services).await?;
    let new = NewAlert {
        user_id: member.user_id,
        conversation_id: None,
        notification_run_id: None,
        title: "Test alert".to_owned(),
        body: "Alerts reach you here, live in open dashboards and by browser push.".to_owned(),
        link: "/alerts".to_owned(),
    };
    let alert_id = create(&mut work, &member.tenant, new, &subscriptions).await?;
    work.commit().await?;
    Ok(alert_id)
}
