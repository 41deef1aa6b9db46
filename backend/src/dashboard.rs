//! The home dashboard's figures: per day (UTC) over a window, calls received, notification
//! runs that fired, and goal verdicts; plus open tasks by priority.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QuerySelect};

use crate::entities::{analysis, conversation, notification_run, task};
use crate::error::Result;
use crate::tenancy::{Tenant, scope};
use crate::types::Priority;

/// One day's figures.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Day {
    pub date: Option<NaiveDate>,
    /// Conversations received.
    pub calls: u32,
    /// Notification runs that fired.
    pub fired: u32,
    pub goal_success: u32,
    pub goal_failure: u32,
    pub goal_unknown: u32,
}

/// The dashboard's figures.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Overview {
    /// Oldest first, one per day of the window, today last.
    pub days: Vec<Day>,
    /// Open tasks per priority, urgent first.
    pub open_tasks: Vec<(Priority, u64)>,
    /// Goal success rate over the window: success / (success + failure); `None` without verdicts.
    pub goal_success_rate: Option<f64>,
}

/// Figures of the last `days` days (UTC, today included) as of `now`.
pub async fn overview<C: ConnectionTrait>(db: &C, tenant: &Tenant, days: u32, now: DateTime<Utc>) -> Result<Overview> {
    let days = days.clamp(1, 90);
    let today = now.date_naive();
    let first = today - Duration::days(i64::from(days) - 1);
    let start = first.and_hms_opt(0, 0, 0).map(|t| t.and_utc()).unwrap_or(now);
    let mut out: Vec<Day> =
        (0..days).map(|i| Day { date: Some(first + Duration::days(i64::from(i))), ..Day::default() }).collect();
    let index = |t: DateTime<Utc>| -> Option<usize> {
        let d = (t.date_naive() - first).num_days();
        (0..i64::from(days)).contains(&d).then_some(d as usize)
    };

    let calls: Vec<DateTime<Utc>> = scope::<conversation::Entity>(tenant)
        .select_only()
        .column(conversation::Column::ReceivedAt)
        .filter(conversation::Column::ReceivedAt.gte(start))
        .into_tuple()
        .all(db)
        .await?;
    for t in calls {
        if let Some(i) = index(t) {
            out[i].calls += 1;
        }
    }
    let fired: Vec<DateTime<Utc>> = scope::<notification_run::Entity>(tenant)
        .select_only()
        .column(notification_run::Column::CreatedAt)
        .filter(notification_run::Column::Fired.eq(true))
        .filter(notification_run::Column::CreatedAt.gte(start))
        .into_tuple()
        .all(db)
        .await?;
    for t in fired {
        if let Some(i) = index(t) {
            out[i].fired += 1;
        }
    }
    let goals: Vec<(DateTime<Utc>, Option<String>)> = scope::<analysis::Entity>(tenant)
        .select_only()
        .column(analysis::Column::CreatedAt)
        .column(analysis::Column::GoalResult)
        .filter(analysis::Column::CreatedAt.gte(start))
        .filter(analysis::Column::GoalResult.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let (mut success, mut failure) = (0u32, 0u32);
    for (t, result) in goals {
        let Some(i) = index(t) else { continue };
        match result.as_deref() {
            Some("success") => {
                out[i].goal_success += 1;
                success += 1;
            }
            Some("failure") => {
                out[i].goal_failure += 1;
                failure += 1;
            }
            _ => out[i].goal_unknown += 1,
        }
    }
    let open: Vec<(String, i64)> = scope::<task::Entity>(tenant)
        .select_only()
        .column(task::Column::Priority)
        .column_as(task::Column::Id.count(), "open")
        .filter(task::Column::Status.eq(crate::tasks::TaskStatus::Open))
        .group_by(task::Column::Priority)
        .into_tuple()
        .all(db)
        .await?;
    let open_tasks = [Priority::Urgent, Priority::High, Priority::Medium, Priority::Low]
        .into_iter()
        .map(|p| {
            (p, open.iter().find(|(o, _)| o.as_str() == p.as_str()).map_or(0, |(_, n)| u64::try_from(*n).unwrap_or(0)))
        })
        .collect();
    let judged = success + failure;
    Ok(Overview {
        days: out,
        open_tasks,
        goal_success_rate: (judged > 0).then(|| f64::from(success) / f64::from(judged)),
    })
}
