//! Connecting to SQLite (the embedded default) or PostgreSQL, migrating, and write
//! transactions that behave the same on both.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};

/// Opens a pool for `url` (`sqlite://path?mode=rwc` or `postgres://...`).
///
/// SQLite connections use WAL journaling, `synchronous=NORMAL` (safe against process
/// crashes; a power loss can lose the last commits, which for the dispatcher means running
/// its last jobs again: they are idempotent) and a 10 s busy timeout so concurrent writers
/// queue instead of failing. A PostgreSQL URL to the loopback address without an
/// `sslmode` connects without TLS ([`loopback_without_sslmode`]). Ingest writes through
/// its own connection with `synchronous=FULL` ([`durable_pool`]), because a call answered
/// 202 must survive a power loss.
///
/// Errors: the driver's error when the URL is invalid or the database cannot be reached.
pub async fn connect(url: &str, max_connections: u32) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    if loopback_without_sslmode(url) {
        options.map_sqlx_postgres_opts(|opts| opts.ssl_mode(sea_orm::sqlx::postgres::PgSslMode::Disable));
    }
    Database::connect(options).await
}

/// Whether `url` is a PostgreSQL URL to this machine's loopback address (`localhost`,
/// `127.0.0.0/8`, `::1`) that names no `sslmode` (nor does `PGSSLMODE`). Such a
/// connection is opened without TLS:
/// the bytes never leave the host, and TLS there only costs CPU on both ends (about 15 %
/// of the dispatcher's throughput on the 2-core benchmark machine; libpq's own default,
/// `prefer`, negotiates it whenever the server offers it). An explicit `sslmode` is kept.
fn loopback_without_sslmode(url: &str) -> bool {
    let Ok(parsed) = url::Url::parse(url) else { return false };
    if !matches!(parsed.scheme(), "postgres" | "postgresql")
        || parsed.query_pairs().any(|(k, _)| k == "sslmode")
        || std::env::var_os("PGSSLMODE").is_some()
    {
        return false;
    }
    // `postgres:` is not a special scheme to the URL standard: its host comes back as text.
    match parsed.host() {
        Some(url::Host::Domain(d)) => {
            d.eq_ignore_ascii_case("localhost")
                || d.trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// `connections` connections to the SQLite database of `db` with `synchronous=FULL`: each
/// commit is on disk (the WAL fsynced) before it returns. The ingest writer's one
/// connection ([`crate::calls::commit`]), which shares that fsync among every call of a
/// group commit, and the benchmark's raw limit of the same durable commits.
///
/// Errors: the driver's error when the connection cannot be opened; [`DbErr::Custom`] on
/// PostgreSQL (every commit there is durable already).
pub async fn durable_pool(db: &DatabaseConnection, connections: u32) -> Result<DatabaseConnection, DbErr> {
    use sea_orm::sqlx::sqlite::{SqlitePoolOptions, SqliteSynchronous};
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(DbErr::Custom("durable_pool is for SQLite".to_owned()));
    }
    let options = (*db.get_sqlite_connection_pool().connect_options()).clone().synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(connections.max(1))
        .min_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| DbErr::Custom(format!("opening the ingest writer's connection: {e}")))?;
    Ok(sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool))
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Begins a transaction that will write.
///
/// On SQLite it is `BEGIN IMMEDIATE`: the write lock is taken up front, so two writers wait
/// for each other (busy timeout) instead of one failing when it upgrades a read lock.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: (db.get_database_backend() == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// This process's turn to write, on SQLite: every unit of work ([`Work`]), the ingest
/// writer's group commits and the dispatcher's queue updates take it before they write, so
/// they queue here, in order and without sleeping, instead of inside SQLite. (SQLite has
/// one writer at a time; a connection that finds the database locked sleeps in its busy
/// handler, 1, 2, 5, 10 ms and longer, so writers that collide lose milliseconds each.)
/// Other processes on the same file still meet in SQLite's busy handler. On PostgreSQL the
/// gate is open: rows are locked, not the database.
///
/// Never take it while holding it (a unit of work must not begin another): it is not
/// reentrant.
#[derive(Clone, Debug, Default)]
pub struct WriteGate(Option<Arc<tokio::sync::Mutex<()>>>);

impl WriteGate {
    /// A closed gate for SQLite, an open one for PostgreSQL.
    pub fn for_backend(backend: DbBackend) -> Self {
        Self((backend == DbBackend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(()))))
    }

    /// Waits for this process's turn to write; the turn lasts until the guard is dropped
    /// (at once on PostgreSQL).
    pub async fn enter(&self) -> WriteTurn {
        match &self.0 {
            Some(gate) => WriteTurn(Some(gate.clone().lock_owned().await)),
            None => WriteTurn(None),
        }
    }
}

/// A turn to write ([`WriteGate::enter`]); dropping it lets the next writer in.
#[derive(Debug)]
pub struct WriteTurn(#[expect(dead_code, reason = "held for its Drop")] Option<tokio::sync::OwnedMutexGuard<()>>);

/// A unit of work: one write transaction ([`begin_write`]) and what has to happen once it
/// commits. Jobs enqueued or revived in it wake the dispatcher at commit (so a new job runs
/// now instead of at the next poll), and the live alert events it collected are published
/// at commit (so an open dashboard never hears of an alert that was rolled back). No front
/// door and no domain function wakes the runner or publishes an event itself. Dropped
/// without [`Work::commit`], it rolls back, wakes nobody and publishes nothing.
pub struct Work {
    txn: DatabaseTransaction,
    /// Held until the transaction ends (declared after it: dropped after the rollback of
    /// a dropped unit of work is queued).
    _turn: WriteTurn,
    wakeup: Arc<tokio::sync::Notify>,
    live: crate::live::AlertBus,
    signals: crate::signals::Signals,
    wake: bool,
    events: Vec<crate::live::AlertEvent>,
}

impl Work {
    /// Begins a unit of work on the services' database.
    ///
    /// Errors: the database's error when no transaction can be opened.
    pub async fn begin(services: &crate::Services) -> Result<Self, DbErr> {
        let turn = services.writes.enter().await;
        Self::begin_on(
            &services.db,
            turn,
            services.jobs_wakeup.clone(),
            services.live.clone(),
            services.signals.clone(),
        )
        .await
    }

    /// A unit of work on `db`, in the write `turn` the caller took, that wakes `wakeup`,
    /// publishes to `live` and tells other processes through `signals` at commit (for the
    /// ingest writer, which must not hold a [`crate::Services`] and so holds only these
    /// parts).
    ///
    /// Errors: the database's error when no transaction can be opened.
    pub(crate) async fn begin_on(
        db: &DatabaseConnection,
        turn: WriteTurn,
        wakeup: Arc<tokio::sync::Notify>,
        live: crate::live::AlertBus,
        signals: crate::signals::Signals,
    ) -> Result<Self, DbErr> {
        Ok(Self { txn: begin_write(db).await?, _turn: turn, wakeup, live, signals, wake: false, events: Vec::new() })
    }

    /// The transaction, to run statements on.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Notes that the work enqueued or revived jobs: the runner is woken at commit.
    pub fn wake_runner(&mut self) {
        self.wake = true;
    }

    /// Publishes `event` to open dashboards once the work commits.
    pub fn publish(&mut self, event: crate::live::AlertEvent) {
        self.events.push(event);
    }

    /// Commits, then wakes the runner when jobs were enqueued and publishes the events, in
    /// this process and (on PostgreSQL) in the others ([`crate::signals`]).
    ///
    /// Errors: the database's error when the commit fails (nothing is woken or published).
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await?;
        if self.wake {
            self.wakeup.notify_one();
        }
        self.signals.after_commit(self.wake, &self.events);
        for event in self.events {
            self.live.publish(event);
        }
        Ok(())
    }

    /// Rolls back: nothing is stored, woken or published.
    ///
    /// Errors: the database's error.
    pub async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

/// What [`Work::commit`] does after its commit, for the one write that is a single
/// statement in its own transaction instead of a unit of work: ingest's statement on
/// PostgreSQL (`calls::single`), committed when it returns. Cheap to clone.
#[derive(Clone)]
pub(crate) struct StatementCommit {
    wakeup: Arc<tokio::sync::Notify>,
    signals: crate::signals::Signals,
}

impl StatementCommit {
    pub(crate) fn of(services: &crate::Services) -> Self {
        Self { wakeup: services.jobs_wakeup.clone(), signals: services.signals.clone() }
    }

    /// Call once the statement returned having stored jobs nobody was handed: wakes this
    /// process's runner and, through [`crate::signals`], the other processes'.
    pub(crate) fn jobs_stored(&self) {
        self.wakeup.notify_one();
        self.signals.after_commit(true, &[]);
    }
}

/// Whether `err` is a unique-constraint violation (both backends).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

#[cfg(test)]
mod tests {
    use super::loopback_without_sslmode;

    #[test]
    fn only_loopback_postgres_urls_without_an_sslmode_go_without_tls() {
        for url in [
            "postgres://a:b@127.0.0.1:5432/test",
            "postgresql://a:b@localhost/test",
            "postgres://a:b@[::1]:5432/test?application_name=x",
        ] {
            assert!(loopback_without_sslmode(url), "{url}");
        }
        for url in [
            "postgres://a:b@127.0.0.1:5432/test?sslmode=require",
            "postgres://a:b@db.example.com/test",
            "postgres://a:b@10.0.0.5/test",
            "sqlite://aftercall.db?mode=rwc",
        ] {
            assert!(!loopback_without_sslmode(url), "{url}");
        }
    }
}
