//! The in-process job runner started by `aftercall serve` (and `aftercall worker`), and
//! [`run_pending_jobs`] for tests and tools that drain the queue deterministically.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use uuid::Uuid;

use super::{Failed, JobError, dispatch};
use crate::Services;
use crate::queue::{self, ClaimedJob, Intake};
use crate::tenancy::Tenant;

/// How long a saturated runner waits for more slots to free before claiming, so that
/// one claim statement fetches several jobs (a few milliseconds: short against any job
/// that waits on a network).
const CLAIM_COALESCE: Duration = Duration::from_millis(5);

/// How often a running job's lease is renewed: a third of the lease, so two heartbeats
/// can be late (a busy database) before another runner may claim the job.
pub fn heartbeat_interval(lease: Duration) -> Duration {
    (lease / 3).max(Duration::from_millis(100))
}

/// Claims up to `limit` due jobs ([`queue::claim`]) in this process's write turn.
async fn claim(services: &Services, limit: usize) -> Result<Vec<ClaimedJob>, sea_orm::DbErr> {
    let jobs = &services.settings.jobs;
    let _turn = services.writes.enter().await;
    queue::claim(&services.db, limit, jobs.lease, jobs.per_account_concurrency).await
}

/// Renews `job`'s lease ([`queue::renew`]) in this process's write turn.
async fn renew(services: &Services, job: &ClaimedJob, lease: Duration) -> Result<bool, sea_orm::DbErr> {
    let _turn = services.writes.enter().await;
    queue::renew(&services.db, job, lease).await
}

/// Runs `job`'s handler, renewing its lease every [`heartbeat_interval`] while it runs.
/// A renewal that finds the job no longer held does not stop the handler: its commit may
/// already be in flight (a job done in its handler's transaction is no longer held either),
/// and stopping it there would skip what follows the commit (waking runners, publishing
/// alerts). A late attempt is fenced where it writes instead ([`queue::complete`]).
async fn run_with_heartbeat(services: &Services, job: &ClaimedJob) -> Result<(), Failed> {
    let lease = services.settings.jobs.lease;
    let every = heartbeat_interval(lease);
    let handler = dispatch(services, job);
    tokio::pin!(handler);
    let mut beat = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            outcome = &mut handler => return outcome,
            _ = beat.tick() => match renew(services, job, lease).await {
                Ok(true) => {}
                Ok(false) => tracing::debug!(job = %job.id, kind = %job.kind, "the job is no longer held by this attempt"),
                Err(e) => tracing::warn!(job = %job.id, kind = %job.kind, error = %crate::error::report(&e), "could not renew the job's lease"),
            },
        }
    }
}

/// Runs one claimed job (with its heartbeat) and records its outcome. Returns the jobs
/// its handler queued claimed and handed over ([`ClaimedJob::hand_over`]), for the caller
/// to run next.
async fn run_one(services: Services, job: ClaimedJob) -> Vec<ClaimedJob> {
    let started = std::time::Instant::now();
    let outcome = run_with_heartbeat(&services, &job).await;
    let elapsed = started.elapsed();
    // What was written: `Some(dead)`, or `None` when this attempt no longer held the job
    // (its lease ran out and another runner claimed it: that attempt's outcome counts).
    let recorded: Result<Option<bool>, sea_orm::DbErr> = match &outcome {
        // Done in the handler's own transaction: nothing left to write.
        Ok(()) if job.completed_by_handler() => Ok(Some(false)),
        Ok(()) => {
            let _turn = services.writes.enter().await;
            queue::complete(&services.db, &job).await.map(|held| held.then_some(false))
        }
        Err(Failed { error, retry_after }) => {
            let permanent = matches!(error, JobError::Permanent(_));
            let _turn = services.writes.enter().await;
            queue::fail(&services.db, &job, &error.to_string(), permanent, *retry_after).await
        }
    };
    let measured = match (&outcome, &recorded) {
        (_, Ok(None)) => "superseded",
        (Ok(()), _) => "done",
        (Err(_), Ok(Some(true))) => "dead",
        (Err(_), _) => "retry",
    };
    crate::telemetry::job(&job.kind, measured, elapsed);
    match (outcome, recorded) {
        (_, Err(e)) => {
            tracing::error!(job = %job.id, kind = %job.kind, error = %crate::error::report(&e), "could not record job outcome; it will be reclaimed after its lease")
        }
        (_, Ok(None)) => {
            tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, "{}; this attempt's outcome is dropped", queue::LEASE_LOST)
        }
        (Ok(()), Ok(_)) => tracing::debug!(job = %job.id, kind = %job.kind, "job done"),
        (Err(Failed { error: e, .. }), Ok(Some(true))) => {
            tracing::error!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %crate::error::report(&e), "job dead")
        }
        (Err(Failed { error: e, .. }), Ok(Some(false))) => {
            tracing::warn!(job = %job.id, kind = %job.kind, attempts = job.attempts, error = %crate::error::report(&e), "job failed; will retry")
        }
    }
    job.take_follow_ons()
}

/// Claims and runs due jobs until none is due. Returns how many attempts ran.
///
/// Jobs a run enqueues (an `AnalyzeCall` enqueuing `SendEmail`) are run too; retries that
/// are scheduled for later are not waited for.
pub async fn run_pending_jobs(services: &Services) -> Result<usize, sea_orm::DbErr> {
    let mut total = 0;
    loop {
        let batch = claim(services, services.settings.jobs.concurrency.max(1)).await?;
        if batch.is_empty() {
            return Ok(total);
        }
        let mut set = JoinSet::new();
        for job in batch {
            set.spawn(run_one(services.clone(), job));
        }
        while let Some(done) = set.join_next().await {
            total += 1;
            for next in done.unwrap_or_default() {
                set.spawn(run_one(services.clone(), next));
            }
        }
    }
}

/// A running dispatcher; stop it with [`Dispatcher::shutdown`].
pub struct Dispatcher {
    stop: watch::Sender<Option<Duration>>,
    handle: JoinHandle<()>,
}

impl Dispatcher {
    /// Starts the runner loop on the current tokio runtime.
    pub fn start(services: Services) -> Self {
        let (stop, stopped) = watch::channel(None);
        let jobs = &services.settings.jobs;
        let (intake, handed) = Intake::new(jobs.concurrency, jobs.per_account_concurrency);
        // The first dispatcher of these services takes ingest's hand-overs.
        let _ = services.intake.set(intake.clone());
        let handle = tokio::spawn(run_loop(services, intake, handed, stopped));
        Self { stop, handle }
    }

    /// Stops claiming, lets running jobs finish for up to `grace`, then puts the
    /// unfinished ones back to pending so another process (or the next start) runs them.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(Some(grace));
        let _ = tokio::time::timeout(grace + Duration::from_secs(5), self.handle).await;
    }
}

/// The jobs one process is running: each task's job id, attempt and account (to release
/// on shutdown, and to free its slot in the intake). A finished task's follow-on jobs are
/// run next in this set.
struct Running {
    set: JoinSet<Vec<ClaimedJob>>,
    claimed: HashMap<tokio::task::Id, (Uuid, i32, Tenant)>,
    intake: Arc<Intake>,
}

impl Running {
    /// Starts `job`; `reserved` when it comes with its slot (handed over through the
    /// intake), otherwise it takes one now.
    fn spawn(&mut self, services: &Services, job: ClaimedJob, reserved: bool) {
        let (id, attempts, tenant) = (job.id, job.attempts, job.tenant);
        if !reserved {
            self.intake.started(&tenant);
        }
        let task = self.set.spawn(run_one(services.clone(), job));
        self.claimed.insert(task.id(), (id, attempts, tenant));
    }

    /// Notes a finished task and returns the jobs it handed over.
    fn finished(
        &mut self,
        done: Result<(tokio::task::Id, Vec<ClaimedJob>), tokio::task::JoinError>,
    ) -> Vec<ClaimedJob> {
        let (task, follow_ons) = match done {
            Ok((task, follow_ons)) => (task, follow_ons),
            Err(e) => (e.id(), Vec::new()),
        };
        if let Some((_, _, tenant)) = self.claimed.remove(&task) {
            self.intake.finished(&tenant);
        }
        follow_ons
    }

    /// Notes a finished task and starts the jobs it handed over. Follow-ons are already
    /// claimed: they run even when that briefly takes the process past `jobs.concurrency`
    /// (by one call's fan-out); nothing new is claimed until it is back under.
    fn reap(&mut self, services: &Services, done: Result<(tokio::task::Id, Vec<ClaimedJob>), tokio::task::JoinError>) {
        for next in self.finished(done) {
            self.spawn(services, next, false);
        }
    }

    /// Slots free under `jobs.concurrency` (the intake's reservations count as taken).
    fn free(&self) -> usize {
        self.intake.free()
    }
}

async fn run_loop(
    services: Services,
    intake: Arc<Intake>,
    mut handed: tokio::sync::mpsc::UnboundedReceiver<ClaimedJob>,
    mut stopped: watch::Receiver<Option<Duration>>,
) {
    let settings = services.settings.jobs.clone();
    let mut running = Running { set: JoinSet::new(), claimed: HashMap::new(), intake: intake.clone() };
    let mut last_sweep: Option<std::time::Instant> = None;
    loop {
        if stopped.borrow().is_some() {
            break;
        }
        // Due digests, every sweep interval (each period is claimed once across workers).
        if last_sweep.is_none_or(|t| t.elapsed() >= crate::digests::SWEEP_INTERVAL) {
            last_sweep = Some(std::time::Instant::now());
            let services = services.clone();
            tokio::spawn(async move {
                if let Err(e) = crate::digests::send_due(&services, chrono::Utc::now()).await {
                    tracing::error!(error = %crate::error::report(&e), "sending due digests failed");
                }
            });
        }
        while let Some(done) = running.set.try_join_next_with_id() {
            running.reap(&services, done);
        }
        while let Ok(job) = handed.try_recv() {
            running.spawn(&services, job, true);
        }
        let mut free = running.free();
        // At saturation a slot frees at a time, and claiming for each alone costs a claim
        // statement per job: wait up to `CLAIM_COALESCE` for a quarter of the slots.
        let min_batch = (settings.concurrency / 4).max(1);
        if free > 0 && free < min_batch && !running.set.is_empty() {
            let until = tokio::time::Instant::now() + CLAIM_COALESCE;
            while free < min_batch {
                match tokio::time::timeout_at(until, running.set.join_next_with_id()).await {
                    Ok(Some(done)) => {
                        running.reap(&services, done);
                        free = running.free();
                    }
                    _ => break,
                }
            }
        }
        let batch = if free > 0 {
            match claim(&services, free).await {
                Ok(batch) => {
                    // A claim that found fewer jobs than it asked for drained the queue:
                    // until the next wake-up, new work may be handed over directly.
                    intake.set_backlog(batch.len() >= free);
                    batch
                }
                Err(e) => {
                    tracing::error!(error = %crate::error::report(&e), "claiming jobs failed");
                    intake.set_backlog(true);
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let idle = batch.is_empty();
        for job in batch {
            running.spawn(&services, job, false);
        }
        if idle || free == 0 {
            tokio::select! {
                // Something was queued pending (here or, on PostgreSQL, by another process).
                _ = services.jobs_wakeup.notified() => intake.set_backlog(true),
                Some(job) = handed.recv() => running.spawn(&services, job, true),
                _ = tokio::time::sleep(settings.poll_interval) => {}
                Some(done) = running.set.join_next_with_id(), if !running.set.is_empty() => {
                    running.reap(&services, done);
                }
                _ = stopped.changed() => {}
            }
        }
    }
    // Graceful shutdown: let in-flight jobs finish, then release what is left (follow-ons
    // and ingest's hand-overs that arrive now are released too, not started).
    intake.close();
    let mut left: Vec<(Uuid, i32)> = Vec::new();
    let grace = tokio::time::sleep(stopped.borrow().unwrap_or(Duration::from_secs(10)));
    tokio::pin!(grace);
    loop {
        tokio::select! {
            done = running.set.join_next_with_id() => match done {
                None => break,
                Some(done) => left.extend(running.finished(done).into_iter().map(|job| (job.id, job.attempts))),
            },
            _ = &mut grace => break,
        }
    }
    running.set.abort_all();
    left.extend(running.claimed.into_values().map(|(id, attempts, _)| (id, attempts)));
    handed.close();
    while let Ok(job) = handed.try_recv() {
        left.push((job.id, job.attempts));
    }
    let released = {
        let _turn = services.writes.enter().await;
        queue::release(&services.db, &left).await
    };
    if let Err(e) = released {
        tracing::error!(error = %crate::error::report(&e), "could not release unfinished jobs; they will be reclaimed after their lease");
    } else if !left.is_empty() {
        tracing::info!(jobs = left.len(), "released unfinished jobs for the next run");
    }
}
