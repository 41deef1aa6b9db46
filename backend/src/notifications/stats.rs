//! How often each notification fired.

#[allow(unused_imports)]
use super::*;

/// How often a notification fired: the last time, and how many times in the last 7 days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FiringStats {
    pub last_fired: Option<DateTime<Utc>>,
    pub fired_7d: i64,
}

/// [`FiringStats`] of the tenant's notifications, by notification id (absent = never fired).
pub async fn firing_stats<C: ConnectionTrait>(db: &C, tenant: &Tenant) -> Result<HashMap<Uuid, FiringStats>> {
    let base = || {
        scope::<notification_run::Entity>(tenant)
            .filter(notification_run::Column::Fired.eq(true))
            .filter(notification_run::Column::NotificationId.is_not_null())
            .select_only()
            .column(notification_run::Column::NotificationId)
            .group_by(notification_run::Column::NotificationId)
    };
    let last: Vec<(Option<Uuid>, Option<DateTime<Utc>>)> =
        base().column_as(notification_run::Column::CreatedAt.max(), "last_fired").into_tuple().all(db).await?;
    let recent: Vec<(Option<Uuid>, i64)> = base()
        .filter(notification_run::Column::CreatedAt.gte(Utc::now() - Duration::days(7)))
        .column_as(notification_run::Column::Id.count(), "fired")
        .into_tuple()
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, FiringStats> = HashMap::new();
    for (id, at) in last {
        if let Some(id) = id {
            out.entry(id).or_default().last_fired = at;
        }
    }
    for (id, n) in recent {
        if let Some(id) = id {
            out.entry(id).or_default().fired_7d = n;
        }
    }
    Ok(out)
}
