//! The bottom layer of the dispatcher: the `jobs` table as a queue, and the payloads it
//! carries ([`payloads`]). Enqueue inside the caller's transaction (the unit of work,
//! [`crate::db::Work`], wakes the runner at commit), claim with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite serialises writers, so its one `UPDATE ... RETURNING` is
//! atomic), complete, and fail into a later retry or the dead state.
//!
//! Domain modules depend on this module only: they enqueue a [`Payload`] and know nothing
//! of the handlers. What a payload does when it runs, and its retry policy, live above in
//! [`crate::jobs`] (the handlers and the one registry of kinds).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement, TransactionSession, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::entities::job;
use crate::error::Error;
use crate::tenancy::Tenant;

pub use crate::columns::JobState;

pub mod intake;
pub mod payloads;
pub use intake::{Intake, Reservation};
pub use payloads::*;

/// A kind of durable job as the queue stores it: a `VerbNoun` type whose JSON is the
/// payload. The handler and the retry delay are on [`crate::jobs::Job`]; the attempt budget
/// is here because it is stored on the row when the job is queued.
pub trait Payload: Serialize + DeserializeOwned + Send + Sync + Sized {
    /// The stored kind, the type's name.
    const KIND: &'static str;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i32;

    /// The conversation this job works for (stored on the job so a conversation's dead
    /// jobs can be replayed together).
    fn conversation_id(&self) -> Option<Uuid> {
        None
    }
}

/// A job claimed by a runner.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: Uuid,
    pub tenant: Tenant,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one.
    pub attempts: i32,
    pub max_attempts: i32,
    /// Set by [`ClaimedJob::complete_in`]: the handler marked the job done in its own
    /// transaction, so the runner need not write it again when the handler succeeds.
    completed: Arc<AtomicBool>,
    /// Jobs the handler enqueued already claimed ([`enqueue_claimed`]) and handed over
    /// after its commit ([`ClaimedJob::hand_over`]), for the runner to run next.
    follow_ons: Arc<Mutex<Vec<ClaimedJob>>>,
    /// What the handler that queued this job claimed already knows of it (the rows it just
    /// wrote), for the job's first attempt to start from instead of reading them back
    /// ([`ClaimedJob::with_warm`]). In memory only: a claim from the table has none.
    warm: Option<Arc<dyn std::any::Any + Send + Sync>>,
}

impl ClaimedJob {
    /// Whether a failure of this attempt is final.
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= self.max_attempts
    }

    /// Marks the job done in `db`, the transaction of the handler's effects (so the
    /// effects and the job's end commit together), and notes it: when the handler then
    /// returns `Ok`, the runner does not mark the job again. (A handler that returns an
    /// error is recorded as failed whatever it noted: its transaction did not commit.)
    ///
    /// Only while this attempt still holds the job ([`complete`]): when its lease ran out
    /// and another runner claimed the job, this errs, the handler's transaction rolls back
    /// with it, and the effects are the other attempt's to commit (exactly once).
    ///
    /// Errors: the database's; [`LEASE_LOST`] when this attempt no longer holds the job.
    pub async fn complete_in<C: ConnectionTrait>(&self, db: &C) -> Result<(), sea_orm::DbErr> {
        if !complete(db, self).await? {
            return Err(sea_orm::DbErr::Custom(LEASE_LOST.to_owned()));
        }
        self.completed.store(true, Ordering::Release);
        Ok(())
    }

    /// Whether the handler marked the job done in its transaction ([`ClaimedJob::complete_in`]).
    pub fn completed_by_handler(&self) -> bool {
        self.completed.load(Ordering::Acquire)
    }

    /// Hands the runner jobs this handler enqueued already claimed ([`enqueue_claimed`]),
    /// once the transaction that inserted them has **committed**: the runner runs them
    /// right after this job, with no claim statement and no wait for a wake-up. Jobs
    /// handed over by an attempt that then fails are run all the same (they are
    /// committed rows); ones never run (the process died) are claimed again after their
    /// lease like any other.
    pub fn hand_over(&self, jobs: Vec<ClaimedJob>) {
        if let Ok(mut held) = self.follow_ons.lock() {
            held.extend(jobs);
        }
    }

    /// Attaches what the queuing handler knows of the job (see the `warm` field): a job
    /// handed over right after its cause committed can skip re-reading the rows its cause
    /// just wrote. The handler must still work without it (a claim from the table, a
    /// retry).
    pub fn with_warm<T: std::any::Any + Send + Sync>(mut self, warm: T) -> Self {
        self.warm = Some(Arc::new(warm));
        self
    }

    /// The value attached with [`ClaimedJob::with_warm`], if it is a `T`.
    pub fn warm<T: std::any::Any>(&self) -> Option<&T> {
        self.warm.as_deref().and_then(|w| w.downcast_ref::<T>())
    }

    /// A claimed job of `tenant` with nothing in it, for tests of what carries jobs.
    #[cfg(test)]
    pub(crate) fn for_test(tenant: Tenant) -> Self {
        ClaimedJob {
            id: Uuid::now_v7(),
            tenant,
            kind: "Test".to_owned(),
            payload: serde_json::Value::Null,
            attempts: 1,
            max_attempts: 1,
            completed: Arc::default(),
            follow_ons: Arc::default(),
            warm: None,
        }
    }

    /// The jobs handed over ([`ClaimedJob::hand_over`]), taken once.
    pub fn take_follow_ons(&self) -> Vec<ClaimedJob> {
        self.follow_ons.lock().map(|mut held| std::mem::take(&mut *held)).unwrap_or_default()
    }
}

/// Inserts `job` for the tenant, due now, with the kind's `MAX_ATTEMPTS`, on `db` (pass
/// the transaction that creates the job's cause). Returns the job id.
pub async fn enqueue<C: ConnectionTrait, J: Payload>(db: &C, tenant: &Tenant, job: &J) -> Result<Uuid, sea_orm::DbErr> {
    enqueue_with(db, tenant, job, Utc::now(), J::MAX_ATTEMPTS).await
}

/// Inserts `job` due at `run_at` with `max_attempts` (at least 1). Returns the job id.
pub async fn enqueue_with<C: ConnectionTrait, J: Payload>(
    db: &C,
    tenant: &Tenant,
    job: &J,
    run_at: chrono::DateTime<Utc>,
    max_attempts: i32,
) -> Result<Uuid, sea_orm::DbErr> {
    insert(db, tenant, job, run_at, max_attempts, None).await.map(|claimed| claimed.id)
}

/// Inserts `job`, due now with `max_attempts`, **already claimed** by the caller's runner:
/// running, its first attempt counted, leased for `lease`. For a job that enqueues work to
/// run at once (an analysis queueing its webhooks): after its transaction commits it hands
/// the returned claim to the runner ([`ClaimedJob::hand_over`]), which skips the claim
/// statement and the wake-up. The row counts toward the account's running jobs (the fair
/// share of [`claim`]) like any claim, and if the process dies first the job is claimed
/// again when the lease runs out.
///
/// Errors: the database's.
pub async fn enqueue_claimed<C: ConnectionTrait, J: Payload>(
    db: &C,
    tenant: &Tenant,
    job: &J,
    max_attempts: i32,
    lease: Duration,
) -> Result<ClaimedJob, sea_orm::DbErr> {
    insert(db, tenant, job, Utc::now(), max_attempts, Some(lease)).await
}

/// The insert behind [`enqueue_with`] and [`enqueue_claimed`] (`lease` = claimed).
async fn insert<C: ConnectionTrait, J: Payload>(
    db: &C,
    tenant: &Tenant,
    job: &J,
    run_at: chrono::DateTime<Utc>,
    max_attempts: i32,
    lease: Option<Duration>,
) -> Result<ClaimedJob, sea_orm::DbErr> {
    let (row, claimed) = row(tenant, job, run_at, max_attempts, lease)?;
    job::Entity::insert(row).exec_without_returning(db).await?;
    Ok(claimed)
}

/// The row [`insert`] writes for `job` (claimed under `lease` when one is given), and the
/// claim it returns; for a caller that writes the row in a statement of its own (ingest's
/// single statement on PostgreSQL).
///
/// Errors: the payload does not serialise ([`sea_orm::DbErr::Custom`]).
pub(crate) fn row<J: Payload>(
    tenant: &Tenant,
    job: &J,
    run_at: chrono::DateTime<Utc>,
    max_attempts: i32,
    lease: Option<Duration>,
) -> Result<(job::ActiveModel, ClaimedJob), sea_orm::DbErr> {
    let payload =
        serde_json::to_value(job).map_err(|e| sea_orm::DbErr::Custom(format!("serialising {}: {e}", J::KIND)))?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let max_attempts = std::cmp::max(max_attempts, 1);
    let (state, attempts, locked_until) = match lease {
        Some(lease) => {
            let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
            (JobState::Running, 1, Some(until))
        }
        None => (JobState::Pending, 0, None),
    };
    let row = job::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        kind: Set(J::KIND.to_owned()),
        payload: Set(payload.clone()),
        state: Set(state),
        attempts: Set(attempts),
        max_attempts: Set(max_attempts),
        run_at: Set(run_at),
        locked_until: Set(locked_until),
        last_error: Set(None),
        conversation_id: Set(job.conversation_id()),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let claimed = ClaimedJob {
        id,
        tenant: *tenant,
        kind: J::KIND.to_owned(),
        payload,
        attempts,
        max_attempts,
        completed: Arc::default(),
        follow_ons: Arc::default(),
        warm: None,
    };
    Ok((row, claimed))
}

/// Claims up to `limit` due jobs: pending ones whose `run_at` has come, and running ones
/// whose lease expired (their worker died). Each claim counts as an attempt.
///
/// **Fair share.** No account gets more than `per_account` jobs running at once (counted
/// over every process: running jobs with a live lease), and among due jobs each account's
/// first ones come before anyone's later ones (ordered by how many that account would then
/// run, then by due time). So one account's hanging webhooks or slow LLM hold at most
/// `per_account` slots, and another account's email takes the next free one. Two workers
/// claiming at the very same moment can each fill an account up to the cap, so it may be
/// exceeded by the number of workers briefly.
///
/// **Cost.** The claim never reads the backlog: it walks the accounts that have pending
/// jobs (a loose index scan, one seek per account, `WITH RECURSIVE`), takes each one's
/// first `per_account` due jobs from the partial index `jobs_pending_by_account`, adds the
/// expired leases, and ranks only those. So it costs the same with ten jobs waiting or a
/// million; what grows it is the number of accounts with pending jobs.
pub async fn claim<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    limit: usize,
    lease: Duration,
    per_account: usize,
) -> Result<Vec<ClaimedJob>, sea_orm::DbErr> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let stmt = Statement::from_sql_and_values(
        backend,
        claim_sql(backend),
        [until.into(), now.into(), (limit as i64).into(), (per_account.max(1) as i64).into()],
    );
    let rows = if backend == DbBackend::Postgres {
        // Index paths only: the claim touches a handful of rows by key, but while the
        // queue is young its statistics say "a few hundred rows" (autovacuum analyses a
        // table a minute at the soonest) and a cached plan then scans the whole table
        // twice to lock them (5-7 ms a claim under load instead of under 1 ms).
        let txn = db.begin().await?;
        txn.execute_unprepared("SET LOCAL enable_seqscan = off").await?;
        let rows = job::Entity::find().from_raw_sql(stmt).all(&txn).await?;
        txn.commit().await?;
        rows
    } else {
        job::Entity::find().from_raw_sql(stmt).all(db).await?
    };
    Ok(rows
        .into_iter()
        .map(|row| ClaimedJob {
            id: row.id,
            tenant: Tenant::new(row.account_id),
            kind: row.kind,
            payload: row.payload,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            completed: Arc::default(),
            follow_ons: Arc::default(),
            warm: None,
        })
        .collect())
}

/// The claim statement ([`claim`]); `$1` the new lease's end, `$2` now, `$3` the most jobs,
/// `$4` the per-account cap. The predicates repeat `state = 'pending'` / `'running'` as
/// literals so both databases use the partial indexes.
fn claim_sql(backend: DbBackend) -> String {
    // PostgreSQL: rows another worker is claiming right now are skipped, not waited for.
    // SQLite serialises writers, so its one statement is atomic as it is.
    let lock_mode = "SKIP LOCKED";
    // SQLite's planner, without statistics, prefers `jobs_state_run_at` for `state =
    // 'pending'` and then sorts every pending job to find the next account; name the index
    // that walks accounts in order. PostgreSQL has no such hint: the walk orders by the
    // whole key of `jobs_pending_by_account`, which the plain `jobs_account` index cannot
    // give without a sort (walking `jobs_account` instead reads every done job of an
    // account before its first pending one: 7 ms a claim under load).
    let pending = if backend == DbBackend::Sqlite { "INDEXED BY jobs_pending_by_account" } else { "" };
    let ranked = "SELECT id FROM ranked WHERE share <= $4 ORDER BY share, run_at LIMIT $3";
    // Each waiting account's first `$4` due jobs: a lateral join on PostgreSQL (a
    // correlated `IN` there is planned as a filter over every job); SQLite has no LATERAL
    // and runs the correlated `IN` as an index lookup per account.
    let first_due = "FROM jobs p {pending} WHERE p.state = 'pending' AND p.account_id = w.account_id AND p.run_at <= $2 \
                     ORDER BY p.run_at, p.id LIMIT $4";
    let firsts = if backend == DbBackend::Postgres {
        format!("SELECT c.id, c.account_id, c.run_at FROM waiting w CROSS JOIN LATERAL (SELECT p.id, p.account_id, p.run_at {first_due}) c WHERE w.account_id IS NOT NULL")
    } else {
        format!("SELECT j.id, j.account_id, j.run_at FROM waiting w JOIN jobs j ON j.id IN (SELECT p.id {first_due})")
    }
    .replace("{pending}", pending);
    // The chosen rows, still due when they are locked (PostgreSQL: another worker may have
    // claimed one between the ranking and the lock), looked up by id: an indexed test of
    // the outer statement's `state` would make SQLite read every pending job.
    //
    // On PostgreSQL the lock is driven by the few chosen ids through the primary key. The
    // still-due test is a CASE so it cannot be answered from an index: with `id IN (...)
    // AND (due)` the planner, whose statistics lag a fast-churning queue, scanned every
    // due job and matched each against the chosen ids (3-9 ms a claim under load).
    let chosen = if backend == DbBackend::Postgres {
        let still_due = "CASE j.state WHEN 'pending' THEN j.run_at <= $2 WHEN 'running' THEN j.locked_until < $2 \
                         ELSE false END";
        format!(
            "id IN (SELECT j.id FROM ({ranked}) r JOIN jobs j ON j.id = r.id WHERE {still_due} FOR UPDATE OF j {lock_mode})"
        )
    } else {
        // Unary `+` keeps SQLite from answering the state test from an index.
        format!(
            "id IN ({ranked}) AND ((+state = 'pending' AND +run_at <= $2) OR (+state = 'running' AND +locked_until < $2))"
        )
    };
    format!(
        "WITH RECURSIVE waiting (account_id) AS ( \
             SELECT (SELECT account_id FROM jobs {pending} WHERE state = 'pending' ORDER BY account_id, run_at, id LIMIT 1) \
             UNION ALL \
             SELECT (SELECT j.account_id FROM jobs j {pending} WHERE j.state = 'pending' AND j.account_id > w.account_id \
                     ORDER BY j.account_id, j.run_at, j.id LIMIT 1) \
             FROM waiting w WHERE w.account_id IS NOT NULL \
         ), candidates (id, account_id, run_at) AS ( \
             {firsts} \
             UNION ALL \
             SELECT id, account_id, run_at FROM jobs WHERE state = 'running' AND locked_until < $2 \
         ), busy (account_id, n) AS ( \
             SELECT account_id, COUNT(*) FROM jobs WHERE state = 'running' AND locked_until >= $2 GROUP BY account_id \
         ), ranked (id, run_at, share) AS ( \
             SELECT c.id, c.run_at, \
               ROW_NUMBER() OVER (PARTITION BY c.account_id ORDER BY c.run_at, c.id) + COALESCE(b.n, 0) \
             FROM candidates c LEFT JOIN busy b ON b.account_id = c.account_id \
         ) \
         UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
         WHERE {chosen} \
         RETURNING *"
    )
}

/// The rows of job `id` still held by the claim counted as attempt `attempts`: `running`
/// with that count (the fencing token of a claim: a claim after the lease ran out counts
/// another attempt). Every write of an attempt's outcome or lease is filtered by it.
fn held(id: Uuid, attempts: i32) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::Id.eq(id))
        .add(job::Column::State.eq(JobState::Running))
        .add(job::Column::Attempts.eq(attempts))
}

/// Extends the lease of a job this runner still holds to `lease` from now: the heartbeat
/// of a running job, so a short lease ([`crate::settings::JobSettings::lease`]) is enough
/// for a long attempt and a crashed worker's jobs are retried soon. Only this attempt's
/// claim is extended (`attempts` must still match): when the lease already ran out and
/// another runner claimed the job, nothing changes.
///
/// Returns whether this attempt still holds the job.
pub async fn renew<C: ConnectionTrait>(db: &C, job: &ClaimedJob, lease: Duration) -> Result<bool, sea_orm::DbErr> {
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
    let renewed = job::Entity::update_many()
        .col_expr(job::Column::LockedUntil, Expr::value(Some(until)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(held(job.id, job.attempts))
        .exec(db)
        .await?;
    Ok(renewed.rows_affected > 0)
}

/// The error of [`ClaimedJob::complete_in`] when the attempt's lease ran out and another
/// runner claimed the job.
pub const LEASE_LOST: &str = "the job's lease ran out and another runner claimed it";

/// Marks `job` done, when this attempt still holds it ([`held`]). Returns whether it did;
/// `false` means another runner's attempt holds the job (or finished it), and this one's
/// outcome must not be written.
pub async fn complete<C: ConnectionTrait>(db: &C, job: &ClaimedJob) -> Result<bool, sea_orm::DbErr> {
    let done = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Done))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(held(job.id, job.attempts))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Records a failed attempt: back to pending after `delay` (see [`crate::jobs::Job::retry_delay`]),
/// or dead when `permanent` or out of attempts. Returns whether the job is now dead, or
/// `None` when this attempt no longer holds the job (its lease ran out and another runner
/// claimed it, as in [`complete`]): then nothing is written.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: &str,
    permanent: bool,
    delay: Duration,
) -> Result<Option<bool>, sea_orm::DbErr> {
    let dead = permanent || job.is_last_attempt();
    let now = Utc::now();
    let run_at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(60));
    let error: String = error.chars().take(2000).collect();
    let failed = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(if dead { JobState::Dead } else { JobState::Pending }))
        .col_expr(job::Column::RunAt, Expr::value(if dead { now } else { run_at }))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(job::Column::LastError, Expr::value(Some(error)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(held(job.id, job.attempts))
        .exec(db)
        .await?;
    Ok((failed.rows_affected > 0).then_some(dead))
}

/// Puts claimed-but-unfinished jobs back to pending (graceful shutdown), without counting
/// the interrupted attempt. `jobs` are `(id, attempts)` of the claims this runner holds;
/// one whose lease ran out and that another runner claimed since is left to that runner.
pub async fn release<C: ConnectionTrait>(db: &C, jobs: &[(Uuid, i32)]) -> Result<(), sea_orm::DbErr> {
    if jobs.is_empty() {
        return Ok(());
    }
    let any_held = jobs.iter().fold(sea_orm::Condition::any(), |any, (id, attempts)| any.add(held(*id, *attempts)));
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Pending))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).sub(1))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .filter(any_held)
        .exec(db)
        .await?;
    Ok(())
}

/// Puts the tenant's dead job `id` back to pending, due now, with its attempts reset (the
/// last error stays until the next attempt). Returns the job.
///
/// Errors: [`Error::NotFound`] for another account's or an unknown id; [`Error::Invalid`]
/// (`job`) when the job is not dead.
pub async fn replay<C: ConnectionTrait>(db: &C, tenant: &Tenant, id: Uuid) -> Result<job::Model, Error> {
    let row = crate::tenancy::secure_find::<job::Entity, _>(db, tenant, id).await?;
    if row.state != JobState::Dead {
        return Err(Error::invalid("job", format!("only dead jobs can be replayed; this one is {}", row.state)));
    }
    let now = Utc::now();
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Pending))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::AccountId.eq(tenant.account_id()))
        .filter(job::Column::State.eq(JobState::Dead))
        .exec(db)
        .await?;
    Ok(row)
}
