//! Periodic digests: a notification with `digest` set sends one email per period (daily at
//! a local time, or hourly at a minute past the hour) to its recipients instead of one per
//! call — the period's calls, the notifications fired, the goal results, the open tasks by
//! priority, and the calls the notification fired on ("need attention"), with links.
//!
//! Once per period, across restarts and several workers: every dispatcher sweeps due
//! digests ([`send_due`]) and claims a period by inserting its `digests` row, unique per
//! (notification, period end), in the same transaction that queues the email; a second
//! sweep, in this process or another, finds the row and sends nothing. Only the latest
//! period that has ended is sent: after a long outage the missed older ones are skipped.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::Services;
use crate::columns::Digest;
use crate::entities::{agent, digest, notification};
use crate::error::{Error, Result};
use crate::tenancy::{Tenant, secure_find};

mod compose;
pub use compose::*;

/// How often a digest is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// Once a day at a local time.
    Daily { at: NaiveTime },
    /// Once an hour at a minute past the hour.
    Hourly { minute: u32 },
}

/// Validates a notification's `digest` and returns its normal form (`at` always given,
/// `time_zone` a known IANA name when given).
///
/// Errors: [`Error::Invalid`] on `digest.every`, `digest.at` or `digest.time_zone`.
pub fn validate(d: Digest) -> Result<Digest> {
    let every = d.every.trim().to_ascii_lowercase();
    let at = d.at.as_deref().map(str::trim).filter(|a| !a.is_empty());
    let at =
        match every.as_str() {
            "daily" => {
                let t = NaiveTime::parse_from_str(at.unwrap_or("08:00"), "%H:%M")
                    .map_err(|_| Error::invalid("digest.at", "a daily digest is sent at a local time such as 08:00"))?;
                t.format("%H:%M").to_string()
            }
            "hourly" => {
                let minute =
                    at.unwrap_or(":00").trim_start_matches(':').parse::<u32>().ok().filter(|m| *m < 60).ok_or_else(
                        || Error::invalid("digest.at", "an hourly digest is sent at a minute such as :15"),
                    )?;
                format!(":{minute:02}")
            }
            other => return Err(Error::invalid("digest.every", format!("`{other}` is not daily or hourly"))),
        };
    let time_zone = match d.time_zone.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
        None => None,
        Some(z) => Some(
            z.parse::<Tz>()
                .map_err(|_| Error::invalid("digest.time_zone", format!("`{z}` is not an IANA time zone")))?
                .name()
                .to_owned(),
        ),
    };
    Ok(Digest { every, at: Some(at), time_zone })
}

/// Reads a validated digest.
pub fn every(d: &Digest) -> Every {
    let at = d.at.as_deref().unwrap_or_default();
    match d.every.as_str() {
        "hourly" => Every::Hourly { minute: at.trim_start_matches(':').parse().unwrap_or(0) },
        _ => Every::Daily { at: NaiveTime::parse_from_str(at, "%H:%M").unwrap_or(NaiveTime::MIN) },
    }
}

/// The latest period that has ended by `now`: `(start, end)`, the end being the last send
/// time at or before `now` in `tz` (a local time skipped by a daylight-saving change is
/// sent at the first instant after the gap), the start the send time before it.
pub fn latest_period(every: Every, tz: Tz, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    match every {
        Every::Hourly { minute } => {
            let base = now - Duration::minutes(i64::from(minute));
            let hour = base.timestamp() - base.timestamp().rem_euclid(3600);
            let end = DateTime::from_timestamp(hour, 0).unwrap_or(now) + Duration::minutes(i64::from(minute));
            (end - Duration::hours(1), end)
        }
        Every::Daily { at } => {
            let local_day = now.with_timezone(&tz).date_naive();
            let send_on = |day: chrono::NaiveDate| -> DateTime<Utc> {
                let naive = day.and_time(at);
                tz.from_local_datetime(&naive)
                    .earliest()
                    .or_else(|| tz.from_local_datetime(&(naive + Duration::hours(1))).earliest())
                    .map(|t| t.with_timezone(&Utc))
                    .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
            };
            let today = send_on(local_day);
            let end = if today <= now { today } else { send_on(local_day - Duration::days(1)) };
            let day_before = end.with_timezone(&tz).date_naive() - Duration::days(1);
            (send_on(day_before), end)
        }
    }
}

/// The time zone of notification `n`'s digest: its own, else its agent's, else UTC.
async fn zone_of<C: sea_orm::ConnectionTrait>(db: &C, tenant: &Tenant, n: &notification::Model, d: &Digest) -> Tz {
    let name = match (&d.time_zone, n.agent_id) {
        (Some(z), _) => Some(z.clone()),
        (None, Some(agent_id)) => secure_find::<agent::Entity, _>(db, tenant, agent_id).await.ok().map(|a| a.timezone),
        (None, None) => None,
    };
    name.and_then(|z| z.parse().ok()).unwrap_or(Tz::UTC)
}

/// Sends every digest whose latest period has ended by `now` and was not sent yet, across
/// all accounts (the dispatcher calls this every [`SWEEP_INTERVAL`]). Returns how many
/// were sent. A period that ended before the notification was created is not sent.
///
/// Errors: database errors (a digest that fails to compose is logged and skipped).
pub async fn send_due(services: &Services, now: DateTime<Utc>) -> Result<usize> {
    let db = &services.db;
    let due = notification::Entity::find()
        .filter(notification::Column::Digest.is_not_null())
        .filter(notification::Column::Enabled.eq(true))
        .filter(notification::Column::Version.gt(0))
        .all(db)
        .await?;
    let mut sent = 0;
    for n in due {
        let Some(d) = n.digest.clone() else { continue };
        let tenant = Tenant::new(n.account_id);
        let tz = zone_of(db, &tenant, &n, &d).await;
        let (start, end) = latest_period(every(&d), tz, now);
        if end <= n.created_at {
            continue;
        }
        let claimed = digest::Entity::find()
            .filter(digest::Column::NotificationId.eq(n.id))
            .filter(digest::Column::PeriodEnd.eq(end))
            .one(db)
            .await?;
        if claimed.is_some() {
            continue;
        }
        match send_one(services, &tenant, &n, &d, tz, start, end).await {
            Ok(true) => sent += 1,
            Ok(false) => {}
            Err(e) => tracing::error!(notification = %n.id, error = %crate::error::report(&e), "digest failed"),
        }
    }
    Ok(sent)
}

/// How often the dispatcher looks for due digests.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);

/// Composes and queues one digest, claiming its period in the same transaction. Returns
/// whether this call sent it (false: another sweep claimed the period first).
async fn send_one(
    services: &Services,
    tenant: &Tenant,
    n: &notification::Model,
    d: &Digest,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<bool> {
    let db = &services.db;
    let public_url = &services.settings.public_url;
    let email = compose(db, tenant, n, d, tz, start, end, public_url).await?;
    let to = n.recipients.fixed.clone();
    let mut work = crate::db::Work::begin(services).await?;
    let id = Uuid::now_v7();
    let inserted = digest::Entity::insert(digest::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        notification_id: Set(n.id),
        period_start: Set(start),
        period_end: Set(end),
        email_id: Set(None),
        created_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([digest::Column::NotificationId, digest::Column::PeriodEnd])
    .exec_without_returning(work.db())
    .await?;
    if !matches!(inserted, sea_orm::TryInsertResult::Inserted(k) if k > 0) {
        work.rollback().await?;
        return Ok(false);
    }
    if !to.is_empty() {
        let email_id = crate::delivery::outbox::queue_rendered(
            work.db(),
            tenant,
            public_url,
            crate::delivery::outbox::Prepared {
                to,
                conversation_id: None,
                subject_template: DIGEST_TEMPLATE,
                body_template: DIGEST_TEMPLATE,
                rendered: email,
            },
        )
        .await?;
        digest::Entity::update_many()
            .col_expr(digest::Column::EmailId, sea_orm::sea_query::Expr::value(Some(email_id)))
            .filter(digest::Column::Id.eq(id))
            .exec(work.db())
            .await?;
        work.wake_runner();
    }
    work.commit().await?;
    Ok(true)
}

#[cfg(test)]
mod tests;
