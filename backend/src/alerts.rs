//! In-app alerts: each belongs to one member; the bell shows the unread count.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::entities::alert;
use crate::error::{Error, Result};
use crate::tenancy::{Member, scope};

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
    let found = mine(member)
        .filter(alert::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(Error::NotFound("alert"))?;
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

/// Creates a test alert for the member ("Test alert"), delivered like any alert: live to
/// open dashboards and by push to their subscribed browsers. Returns the alert.
pub async fn create_test(services: &crate::Services, member: &Member) -> Result<alert::Model> {
    let db = &services.db;
    let subscriptions = crate::push::subscriptions_of(db, &member.tenant, member.user_id).await?;
    let txn = crate::db::begin_write(db).await?;
    let row = alert::ActiveModel {
        id: sea_orm::ActiveValue::Set(Uuid::now_v7()),
        account_id: Set(member.tenant.account_id()),
        user_id: Set(member.user_id),
        conversation_id: Set(None),
        notification_run_id: Set(None),
        title: Set("Test alert".to_owned()),
        body: Set("Alerts reach you here, live in open dashboards and by browser push.".to_owned()),
        link: Set("/alerts".to_owned()),
        read_at: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    for sub in &subscriptions {
        crate::jobs::queue::enqueue(&txn, &member.tenant, &crate::push::SendPush { alert_id: row.id, subscription_id: sub.id })
            .await?;
    }
    txn.commit().await?;
    services.live.publish(crate::live::AlertEvent {
        account_id: member.tenant.account_id(),
        user_id: member.user_id,
        alert_id: row.id,
    });
    if !subscriptions.is_empty() {
        services.jobs_wakeup.notify_one();
    }
    Ok(row)
}
