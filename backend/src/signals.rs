//! Signals between processes on one PostgreSQL: new jobs and new alerts, by
//! `LISTEN`/`NOTIFY`, so a worker process starts a job enqueued by a web process at once
//! and an open dashboard on one web process hears of an alert written by another, instead
//! of each polling the database.
//!
//! The sending side is [`Signals`]: a unit of work ([`crate::db::Work`]) hands it what it
//! woke and published right after its commit, and a forwarder task sends that as
//! `pg_notify` calls on a connection of its own (never waiting for a pooled one), outside
//! the request's transaction (no round trip added to ingest, and no `NOTIFY` lock held by
//! every committing transaction), coalescing whatever commits meanwhile into one
//! notification per channel, at most one round every 5 ms (alerts in chunks that stay
//! under PostgreSQL's 8000-byte payload limit). The receiving side, [`run_listener`],
//! wakes this process's dispatcher and publishes the alerts on its
//! [`crate::live::AlertBus`], skipping what this process's own forwarder sent (it woke its
//! dispatcher and published its alerts at commit). Notifications are transient: after the
//! listening connection was lost and restored, the listener wakes the dispatcher and looks
//! for recent alerts once ([`crate::live::AlertBus::publish_recent`]), and the dispatcher's
//! own poll (`jobs.poll_interval_ms`) stays as the backstop.
//!
//! On SQLite there is one machine and usually one process: [`Signals`] stays disabled and
//! the live bus polls for alerts written by an `aftercall worker` instead.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Notify;

use crate::live::{AlertBus, AlertEvent};

/// The channel of "jobs were enqueued".
pub const JOBS_CHANNEL: &str = "aftercall_jobs";
/// The channel of new alerts: a JSON array of `[account_id, user_id, alert_id]`.
pub const ALERTS_CHANNEL: &str = "aftercall_alerts";
/// Alerts per notification (about 120 bytes each, under the 8000-byte payload limit).
const ALERTS_PER_NOTIFY: usize = 50;
/// The least time between two rounds of notifications: what commits meanwhile waits and
/// goes in the next round. Under load a round trip is a fraction of a millisecond, and a
/// forwarder sending back to back cost PostgreSQL a `NOTIFY` transaction (and every
/// listening process a wake-up and a claim) for every two or three calls ingested; at
/// 5 ms it is at most 200 a second, for at most 5 ms more before another process hears.
const MIN_GAP: Duration = Duration::from_millis(5);

#[derive(Default)]
struct Pending {
    wake: bool,
    alerts: Vec<AlertEvent>,
}

#[derive(Default)]
struct Inner {
    enabled: AtomicBool,
    pending: Mutex<Pending>,
    ready: Notify,
    /// The backend process id of this process's forwarder connection (0 before it
    /// connects): the listener skips what it sent, which this process acted on at commit.
    sender_pid: AtomicU32,
}

/// What committed units of work tell other processes; cheap to clone. Disabled (every
/// call a no-op) until [`start`] runs on PostgreSQL.
#[derive(Clone, Default)]
pub struct Signals {
    inner: Arc<Inner>,
}

impl Signals {
    /// After a commit: `wake` when it enqueued jobs, and the alerts it published.
    pub fn after_commit(&self, wake: bool, alerts: &[AlertEvent]) {
        if !self.inner.enabled.load(Ordering::Relaxed) || (!wake && alerts.is_empty()) {
            return;
        }
        if let Ok(mut pending) = self.inner.pending.lock() {
            pending.wake |= wake;
            pending.alerts.extend_from_slice(alerts);
        }
        self.inner.ready.notify_one();
    }
}

/// The alerts' payloads: JSON arrays of `[account_id, user_id, alert_id]`, at most
/// [`ALERTS_PER_NOTIFY`] each.
fn alert_payloads(alerts: &[AlertEvent]) -> Vec<String> {
    alerts
        .chunks(ALERTS_PER_NOTIFY)
        .map(|chunk| {
            let rows: Vec<[uuid::Uuid; 3]> = chunk.iter().map(|a| [a.account_id, a.user_id, a.alert_id]).collect();
            serde_json::to_string(&rows).unwrap_or_default()
        })
        .collect()
}

/// Reads an [`ALERTS_CHANNEL`] payload; `None` when it is not one.
fn parse_alerts(payload: &str) -> Option<Vec<AlertEvent>> {
    let rows: Vec<[uuid::Uuid; 3]> = serde_json::from_str(payload).ok()?;
    Some(rows.into_iter().map(|[account_id, user_id, alert_id]| AlertEvent { account_id, user_id, alert_id }).collect())
}

/// Starts the forwarder and the listener of this process on PostgreSQL (enabling
/// [`Signals`]); does nothing on SQLite. Run it once per process that serves or works.
pub fn start(services: &crate::Services) {
    if services.db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    if services.signals.inner.enabled.swap(true, Ordering::SeqCst) {
        return;
    }
    tokio::spawn(forward(services.signals.clone(), services.db.clone()));
    tokio::spawn(run_listener(
        services.db.clone(),
        services.jobs_wakeup.clone(),
        services.live.clone(),
        services.signals.clone(),
    ));
}

/// The forwarder's own connection, outside the pool: a notification never waits behind
/// the jobs and requests that hold every pooled connection (which put up to a pool wait
/// between a commit and the other processes hearing of it).
struct Notifier {
    options: sea_orm::sqlx::postgres::PgConnectOptions,
    connection: Option<sea_orm::sqlx::PgConnection>,
}

impl Notifier {
    fn new(db: &DatabaseConnection) -> Self {
        let options = (*db.get_postgres_connection_pool().connect_options()).clone();
        Self { options, connection: None }
    }

    /// `pg_notify(channel, payload)` on the own connection, (re)connecting first when
    /// there is none (and recording its backend process id in `pid`); a failed call drops
    /// it so the next one reconnects.
    async fn notify(&mut self, channel: &str, payload: &str, pid: &AtomicU32) -> Result<(), sea_orm::sqlx::Error> {
        use sea_orm::sqlx::Connection;
        let connection = match &mut self.connection {
            Some(connection) => connection,
            None => {
                let mut connection = sea_orm::sqlx::PgConnection::connect_with(&self.options).await?;
                let (backend,): (i32,) =
                    sea_orm::sqlx::query_as("SELECT pg_backend_pid()").fetch_one(&mut connection).await?;
                pid.store(u32::try_from(backend).unwrap_or(0), Ordering::Relaxed);
                self.connection.insert(connection)
            }
        };
        let sent =
            sea_orm::sqlx::query("SELECT pg_notify($1, $2)").bind(channel).bind(payload).execute(connection).await;
        if sent.is_err() {
            self.connection = None;
        }
        sent.map(|_| ())
    }
}

/// How long the forwarder waits before sending again what a failed `pg_notify` left unsent.
const RETRY_GAP: Duration = Duration::from_millis(200);
/// The most notifications kept for a retry while PostgreSQL cannot be reached (each up to
/// [`ALERTS_PER_NOTIFY`] alerts); older ones are dropped, and the listeners' catch-up after
/// their own reconnection ([`crate::live::AlertBus::publish_recent`]) is what remains.
const MAX_UNSENT: usize = 1000;

/// Sends what committed units of work handed over, coalesced, forever. A notification that
/// could not be sent (the connection dropped) is sent again after [`RETRY_GAP`] on a new
/// connection, before anything newer: other processes have no poll for alerts on
/// PostgreSQL, so an unsent alert would never reach their dashboards.
async fn forward(signals: Signals, db: DatabaseConnection) {
    let mut notifier = Notifier::new(&db);
    drop(db);
    let mut unsent: Vec<(&'static str, String)> = Vec::new();
    loop {
        if unsent.is_empty() {
            signals.inner.ready.notified().await;
        }
        let round = tokio::time::Instant::now();
        let Pending { wake, alerts } = match signals.inner.pending.lock() {
            Ok(mut pending) => std::mem::take(&mut *pending),
            Err(_) => return,
        };
        let mut sends = std::mem::take(&mut unsent);
        if wake && !sends.iter().any(|(channel, _)| *channel == JOBS_CHANNEL) {
            sends.push((JOBS_CHANNEL, String::new()));
        }
        sends.extend(alert_payloads(&alerts).into_iter().map(|p| (ALERTS_CHANNEL, p)));
        for (channel, payload) in sends {
            // After a failure, keep the rest in order for the next round.
            if !unsent.is_empty() {
                unsent.push((channel, payload));
                continue;
            }
            if let Err(e) = notifier.notify(channel, &payload, &signals.inner.sender_pid).await {
                tracing::warn!(channel, error = %e, "could not notify other processes; retrying");
                unsent.push((channel, payload));
            }
        }
        if unsent.len() > MAX_UNSENT {
            let dropped = unsent.len() - MAX_UNSENT;
            unsent.drain(..dropped);
            tracing::error!(dropped, "PostgreSQL stayed unreachable: dropped the oldest notifications");
        }
        let gap = if unsent.is_empty() { MIN_GAP } else { RETRY_GAP };
        tokio::time::sleep_until(round + gap).await;
    }
}

/// Listens on both channels, forever: wakes `wakeup` on new jobs and publishes new alerts
/// on `live`, except what `own`'s forwarder sent (this process acted on it at commit).
/// Reconnects after a lost connection (then catches up once, see the module).
pub async fn run_listener(db: DatabaseConnection, wakeup: Arc<Notify>, live: AlertBus, own: Signals) {
    use sea_orm::sqlx::postgres::PgListener;
    let pool = db.get_postgres_connection_pool().clone();
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other processes' jobs and alerts; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([JOBS_CHANNEL, ALERTS_CHANNEL]).await {
            tracing::warn!(error = %e, "LISTEN failed; retrying in 1 s");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        // Whatever was signalled while nobody listened.
        wakeup.notify_one();
        live.publish_recent(&db).await;
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) if n.process_id() == own.inner.sender_pid.load(Ordering::Relaxed) => {}
                Ok(Some(n)) if n.channel() == JOBS_CHANNEL => wakeup.notify_one(),
                Ok(Some(n)) => match parse_alerts(n.payload()) {
                    Some(alerts) => alerts.into_iter().for_each(|a| {
                        live.publish(a);
                    }),
                    None => tracing::warn!(channel = n.channel(), "an unreadable alert notification"),
                },
                // The connection was lost: listen again on a new one.
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "listening for other processes failed; reconnecting");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_payloads_stay_under_the_payload_limit_and_read_back() {
        let alerts: Vec<AlertEvent> = (0..120)
            .map(|_| AlertEvent {
                account_id: uuid::Uuid::now_v7(),
                user_id: uuid::Uuid::now_v7(),
                alert_id: uuid::Uuid::now_v7(),
            })
            .collect();
        let payloads = alert_payloads(&alerts);
        assert_eq!(payloads.len(), 3);
        assert!(payloads.iter().all(|p| p.len() < 8000), "{:?}", payloads.iter().map(String::len).collect::<Vec<_>>());
        let back: Vec<AlertEvent> = payloads.iter().flat_map(|p| parse_alerts(p).unwrap()).collect();
        assert_eq!(back, alerts);
        assert_eq!(parse_alerts("not json"), None);
    }
}
