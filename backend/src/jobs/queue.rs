//! The `jobs` table as a queue: enqueue inside the caller's transaction, claim with a lease
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite serialises writers, so its one
//! `UPDATE ... RETURNING` is atomic), complete, and fail with backoff or into the dead state.

use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{ClaimedJob, Job};
use crate::entities::job;
use crate::error::Error;
use crate::settings::JobSettings;
use crate::tenancy::Tenant;

pub use crate::columns::JobState;

/// Inserts `job` for the tenant, due now, with the kind's `MAX_ATTEMPTS`, on `db` (pass
/// the transaction that creates the job's cause). Returns the job id.
pub async fn enqueue<C: ConnectionTrait, J: Job>(db: &C, tenant: &Tenant, job: &J) -> Result<Uuid, sea_orm::DbErr> {
    enqueue_with(db, tenant, job, Utc::now(), J::MAX_ATTEMPTS).await
}

/// Inserts `job` due at `run_at` with `max_attempts` (at least 1). Returns the job id.
pub async fn enqueue_with<C: ConnectionTrait, J: Job>(
    db: &C,
    tenant: &Tenant,
    job: &J,
    run_at: chrono::DateTime<Utc>,
    max_attempts: i32,
) -> Result<Uuid, sea_orm::DbErr> {
    let payload =
        serde_json::to_value(job).map_err(|e| sea_orm::DbErr::Custom(format!("serialising {}: {e}", J::KIND)))?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    job::Entity::insert(job::ActiveModel {
        id: Set(id),
        account_id: Set(tenant.account_id()),
        kind: Set(J::KIND.to_owned()),
        payload: Set(payload),
        state: Set(JobState::Pending),
        attempts: Set(0),
        max_attempts: Set(std::cmp::max(max_attempts, 1)),
        run_at: Set(run_at),
        locked_until: Set(None),
        last_error: Set(None),
        conversation_id: Set(job.conversation_id()),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(id)
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
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    limit: usize,
    lease: Duration,
    per_account: usize,
) -> Result<Vec<ClaimedJob>, sea_orm::DbErr> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let lock = if backend == DbBackend::Postgres { "FOR UPDATE SKIP LOCKED" } else { "" };
    // Due: pending and its time has come, or claimed by a worker whose lease ran out.
    let due = "(state = 'pending' AND run_at <= $2) OR (state = 'running' AND locked_until < $2)";
    let due_j = "(j.state = 'pending' AND j.run_at <= $2) OR (j.state = 'running' AND j.locked_until < $2)";
    let sql = format!(
        "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1, updated_at = $2 \
         WHERE id IN (SELECT id FROM jobs WHERE id IN ( \
             SELECT d.id FROM ( \
               SELECT j.id, j.run_at, \
                 ROW_NUMBER() OVER (PARTITION BY j.account_id ORDER BY j.run_at, j.id) + COALESCE(r.n, 0) AS share \
               FROM jobs j \
               LEFT JOIN (SELECT account_id, COUNT(*) AS n FROM jobs \
                          WHERE state = 'running' AND locked_until >= $2 GROUP BY account_id) r \
                 ON r.account_id = j.account_id \
               WHERE {due_j} \
             ) d WHERE d.share <= $4 ORDER BY d.share, d.run_at LIMIT $3) \
           AND ({due}) {lock}) \
         RETURNING *"
    );
    let now = Utc::now();
    let until = now + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::minutes(5));
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [until.into(), now.into(), (limit as i64).into(), (per_account.max(1) as i64).into()],
    );
    let rows = job::Entity::find().from_raw_sql(stmt).all(db).await?;
    Ok(rows
        .into_iter()
        .map(|row| ClaimedJob {
            id: row.id,
            tenant: Tenant::new(row.account_id),
            kind: row.kind,
            payload: row.payload,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
        })
        .collect())
}

/// Marks a job done (idempotent; handlers may already have done it in their transaction).
pub async fn complete<C: ConnectionTrait>(db: &C, id: Uuid) -> Result<(), sea_orm::DbErr> {
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Done))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(job::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(job::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// The delay before retry number `attempt` (1-based): `base * 2^(attempt-1)`, capped at
/// `max`, then ±25 % jitter so failed jobs do not retry in lockstep.
pub fn backoff(settings: &JobSettings, attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 30) as u32 - 1;
    let raw = settings.backoff_base.saturating_mul(2u32.saturating_pow(exp));
    let capped = raw.min(settings.backoff_max);
    let jitter = rand::thread_rng().gen_range(0.75..=1.25);
    capped.mul_f64(jitter)
}

/// Records a failed attempt: back to pending after `delay` (see [`super::retry_delay`]),
/// or dead when `permanent` or out of attempts. Returns whether the job is now dead.
pub async fn fail<C: ConnectionTrait>(
    db: &C,
    job: &ClaimedJob,
    error: &str,
    permanent: bool,
    delay: Duration,
) -> Result<bool, sea_orm::DbErr> {
    let dead = permanent || job.is_last_attempt();
    let now = Utc::now();
    let run_at = now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::seconds(60));
    let error: String = error.chars().take(2000).collect();
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(if dead { JobState::Dead } else { JobState::Pending }))
        .col_expr(job::Column::RunAt, Expr::value(if dead { now } else { run_at }))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .col_expr(job::Column::LastError, Expr::value(Some(error)))
        .col_expr(job::Column::UpdatedAt, Expr::value(now))
        .filter(job::Column::Id.eq(job.id))
        .exec(db)
        .await?;
    Ok(dead)
}

/// Puts claimed-but-unfinished jobs back to pending (graceful shutdown), without counting
/// the interrupted attempt.
pub async fn release<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<(), sea_orm::DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Pending))
        .col_expr(job::Column::Attempts, Expr::col(job::Column::Attempts).sub(1))
        .col_expr(job::Column::LockedUntil, Expr::value(Option::<chrono::DateTime<Utc>>::None))
        .filter(job::Column::Id.is_in(ids.iter().copied()))
        .filter(job::Column::State.eq(JobState::Running))
        .exec(db)
        .await?;
    Ok(())
}

/// The delay before retry `attempt` (1-based) on a fixed `schedule` (the webhook schedule):
/// the `attempt`-th entry (the last one once past the end), ±10 % jitter.
pub fn scheduled_delay(schedule: &[Duration], attempt: i32) -> Duration {
    let Some(last) = schedule.last() else { return Duration::ZERO };
    let index = usize::try_from(std::cmp::max(attempt, 1) - 1).unwrap_or(0);
    let base = schedule.get(index).unwrap_or(last);
    base.mul_f64(rand::thread_rng().gen_range(0.9..=1.1))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_is_capped() {
        let s = crate::settings::Settings::for_tests("http://x").jobs;
        for attempt in 1..=4 {
            let expected = s.backoff_base.as_secs_f64() * 2f64.powi(attempt - 1);
            let got = backoff(&s, attempt).as_secs_f64();
            assert!(got >= expected * 0.75 - 1e-9 && got <= expected * 1.25 + 1e-9, "attempt {attempt}: {got}");
        }
        assert!(backoff(&s, 30).as_secs_f64() <= s.backoff_max.as_secs_f64() * 1.25);
    }

    #[test]
    fn the_webhook_schedule_is_followed_within_ten_percent() {
        let schedule = crate::settings::WebhookSettings::standard().retry_schedule;
        let expected = [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0, 36000.0];
        for (i, want) in expected.iter().enumerate() {
            let got = scheduled_delay(&schedule, i as i32 + 1).as_secs_f64();
            assert!(got >= want * 0.9 - 1e-9 && got <= want * 1.1 + 1e-9, "retry {}: {got}", i + 1);
        }
        assert_eq!(scheduled_delay(&[], 1), Duration::ZERO);
    }
}
