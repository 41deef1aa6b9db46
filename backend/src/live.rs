//! Live alerts: a per-process bus that server-sent-event streams subscribe to.
//!
//! Alerts created in this process are published right after their transaction commits.
//! Alerts created by another process reach it by `NOTIFY` on PostgreSQL
//! ([`crate::signals`]); on SQLite (an `aftercall worker` beside `serve`) they are found by
//! [`AlertBus::run_poller`], which — while any browser listens — looks for recent alerts
//! once per [`POLL_INTERVAL`] and publishes the ones not yet seen. Each alert is published
//! once per process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::entities::alert;

/// How often the poller looks for alerts written by other processes.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How far back the poller looks (longer than any alert-writing transaction).
const LOOKBACK: Duration = Duration::from_secs(30);

/// A new alert for one member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlertEvent {
    pub account_id: Uuid,
    pub user_id: Uuid,
    pub alert_id: Uuid,
}

/// The bus; cheap to clone.
#[derive(Clone)]
pub struct AlertBus {
    sender: broadcast::Sender<AlertEvent>,
    /// Alert ids published recently, with when, so each is published once.
    seen: Arc<Mutex<Seen>>,
}

/// The recently published alert ids, forgotten after twice the poller's lookback; swept at
/// most once a second (a sweep reads every entry, and hundreds of alerts a second may be
/// published).
#[derive(Default)]
struct Seen {
    at: HashMap<Uuid, Instant>,
    swept: Option<Instant>,
}

impl Default for AlertBus {
    fn default() -> Self {
        Self::new()
    }
}

impl AlertBus {
    /// A bus buffering up to 1024 events per slow subscriber.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self { sender, seen: Arc::new(Mutex::new(Seen::default())) }
    }

    /// Receives every alert published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<AlertEvent> {
        self.sender.subscribe()
    }

    /// Publishes `event` unless it was published before; returns whether it was new.
    pub fn publish(&self, event: AlertEvent) -> bool {
        let fresh = {
            let Ok(mut seen) = self.seen.lock() else { return false };
            let now = Instant::now();
            if seen.swept.is_none_or(|t| now.duration_since(t) >= Duration::from_secs(1)) {
                seen.at.retain(|_, at| now.duration_since(*at) < LOOKBACK * 2);
                seen.swept = Some(now);
            }
            seen.at.insert(event.alert_id, now).is_none()
        };
        if fresh {
            // No receivers is fine: nobody is watching.
            let _ = self.sender.send(event);
        }
        fresh
    }

    /// Polls `db` for alerts written by other processes, forever, while anyone listens; run
    /// it as a task in `aftercall serve` on SQLite (PostgreSQL tells it instead:
    /// [`crate::signals`]).
    pub async fn run_poller(self, db: DatabaseConnection) {
        let mut ticker = tokio::time::interval(POLL_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            ticker.tick().await;
            if self.sender.receiver_count() > 0 {
                self.publish_recent(&db).await;
            }
        }
    }

    /// Publishes the alerts of the last 30 s that this process has not published yet
    /// (at most 1000). Alert ids are UUIDv7, ordered by their creation time, so the
    /// lookback is a range of the primary key ([`first_v7_of`]): the poll reads only the
    /// recent alerts, however many older ones the table holds.
    pub async fn publish_recent(&self, db: &DatabaseConnection) {
        let since = Utc::now() - chrono::Duration::from_std(LOOKBACK).unwrap_or_default();
        let recent: Result<Vec<(Uuid, Uuid, Uuid)>, _> = alert::Entity::find()
            .select_only()
            .column(alert::Column::Id)
            .column(alert::Column::AccountId)
            .column(alert::Column::UserId)
            .filter(alert::Column::Id.gte(first_v7_of(since)))
            .order_by_asc(alert::Column::Id)
            .limit(1000)
            .into_tuple()
            .all(db)
            .await;
        match recent {
            Ok(rows) => {
                for (alert_id, account_id, user_id) in rows {
                    self.publish(AlertEvent { account_id, user_id, alert_id });
                }
            }
            Err(e) => tracing::warn!(error = %crate::error::report(&e), "looking for recent alerts failed"),
        }
    }
}

/// The smallest UUIDv7 of the millisecond `at` (RFC 9562 section 5.7: the Unix time in
/// milliseconds in the first 48 bits, then the version and variant, the rest zero): every
/// id made at or after `at` sorts at or after it, as bytes (SQLite) and as `uuid`
/// (PostgreSQL).
pub fn first_v7_of(at: chrono::DateTime<Utc>) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &[0; 10]).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_v7_of_a_moment_sorts_between_earlier_and_later_ids() {
        let before = Uuid::now_v7();
        std::thread::sleep(Duration::from_millis(3));
        let at = Utc::now();
        let bound = first_v7_of(at);
        std::thread::sleep(Duration::from_millis(2));
        let after = Uuid::now_v7();
        assert!(before < bound && bound < after, "{before} < {bound} < {after}");
        assert_eq!(bound.get_version_num(), 7);
        let (secs, nanos) = bound.get_timestamp().map(|t| t.to_unix()).unwrap_or_default();
        assert_eq!(i64::try_from(secs).unwrap() * 1000 + i64::from(nanos / 1_000_000), at.timestamp_millis());
    }

    #[tokio::test]
    async fn each_alert_is_published_once() {
        let bus = AlertBus::new();
        let mut rx = bus.subscribe();
        let event = AlertEvent { account_id: Uuid::nil(), user_id: Uuid::nil(), alert_id: Uuid::now_v7() };
        assert!(bus.publish(event));
        assert!(!bus.publish(event));
        assert_eq!(rx.recv().await.ok(), Some(event));
        assert!(rx.try_recv().is_err());
    }
}
