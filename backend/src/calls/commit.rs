//! Group commit of ingest on SQLite: one writer task, many calls per transaction.
//!
//! SQLite has one writer at a time and every durable commit costs an fsync, so a commit per
//! call caps ingest at the disk's fsync rate however many requests wait. Here every ingest
//! request hands its call to the [`IngestWriter`] and waits; the writer takes every call
//! waiting at that moment (at most [`MAX_BATCH`]), stores them together in a few
//! multi-row statements ([`super::bulk`]; a call that cannot go that way, an unknown agent
//! say, is stored alone in its own savepoint and rolled back alone if it fails), commits
//! once, and only then answers each request. While one batch commits the next one
//! gathers, so under load many calls share one fsync, and an idle server commits a lone
//! call at once (no added delay).
//! A request is answered 202 only after the commit that holds its call returned, on the
//! writer's own `synchronous=FULL` connection ([`crate::db::durable_pool`]): that
//! commit is on disk.

use std::sync::Arc;

use sea_orm::{DatabaseConnection, TransactionTrait};
use tokio::sync::{Notify, mpsc, oneshot};

use super::bulk::{self, Stored};
use super::{CallEnded, Ingested, Prepared, store_claimed};
use crate::error::{Error, Result};
use crate::tenancy::Tenant;

/// The most calls one commit holds. Bounds the transaction (and the time the first call
/// of a batch waits for the last) when thousands of requests wait at once.
pub const MAX_BATCH: usize = 512;

/// Calls that may wait for the writer; a request beyond that waits for room (backpressure
/// onto the HTTP connections, not unbounded memory).
const QUEUE_DEPTH: usize = 4096;

struct Submission {
    tenant: Tenant,
    auto_create_agents: bool,
    call: CallEnded,
    reply: oneshot::Sender<Result<Ingested>>,
}

/// The handle of the single ingest writer. Cheap to clone; the writer task ends when the
/// last handle is dropped.
#[derive(Clone)]
pub struct IngestWriter {
    submissions: mpsc::Sender<Submission>,
}

impl IngestWriter {
    /// Starts the writer on the current tokio runtime, writing to the services' database
    /// and waking their job runner after each commit that stored a new call.
    pub fn spawn(services: &crate::Services) -> Self {
        let (submissions, received) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run(
            services.db.clone(),
            services.writes.clone(),
            services.jobs_wakeup.clone(),
            services.live.clone(),
            services.signals.clone(),
            Handover { intake: services.intake.clone(), lease: services.settings.jobs.lease },
            received,
        ));
        Self { submissions }
    }

    /// Stores `call` in the next group commit and waits for that commit.
    ///
    /// Errors: those of [`super::ingest`]; [`Error::Internal`] when the writer has stopped
    /// (the runtime that started it shut down).
    pub async fn submit(&self, tenant: Tenant, auto_create_agents: bool, call: CallEnded) -> Result<Ingested> {
        let (reply, answer) = oneshot::channel();
        let stopped = || Error::bug("the ingest writer has stopped");
        self.submissions.send(Submission { tenant, auto_create_agents, call, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(
    db: DatabaseConnection,
    writes: crate::db::WriteGate,
    wakeup: Arc<Notify>,
    live: crate::live::AlertBus,
    signals: crate::signals::Signals,
    handover: Handover,
    mut received: mpsc::Receiver<Submission>,
) {
    let mut parts: Option<Parts> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while received.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let batch = std::mem::take(&mut batch);
        if parts.is_none() {
            match crate::db::durable_pool(&db, 1).await {
                Ok(durable) => {
                    parts = Some(Parts {
                        db: durable,
                        writes: writes.clone(),
                        wakeup: wakeup.clone(),
                        live: live.clone(),
                        signals: signals.clone(),
                        handover: handover.clone(),
                    })
                }
                Err(e) => {
                    tracing::error!(error = %crate::error::report(&e), "the ingest writer cannot open its connection");
                    for s in batch {
                        let _ = s.reply.send(Err(Error::Db(sea_orm::DbErr::Custom(e.to_string()))));
                    }
                    continue;
                }
            }
        }
        if let Some(parts) = &parts {
            commit_batch(parts, batch).await;
        }
    }
}

/// What the writer needs of the services (not the services themselves: they hold the
/// writer's handle, and the writer must end when they are dropped).
struct Parts {
    db: DatabaseConnection,
    writes: crate::db::WriteGate,
    wakeup: Arc<Notify>,
    live: crate::live::AlertBus,
    signals: crate::signals::Signals,
    handover: Handover,
}

/// Where a call's analysis is handed straight to this process's runner
/// ([`crate::queue::Intake`], set once the runner starts) and the lease it is queued under.
#[derive(Clone)]
struct Handover {
    intake: Arc<std::sync::OnceLock<Arc<crate::queue::Intake>>>,
    lease: std::time::Duration,
}

/// Stores every call of `batch` in one transaction, then answers each: first all together
/// ([`super::bulk`]), and the calls that cannot go that way (an unknown agent), or all of
/// them when that attempt failed, one by one in a savepoint each. When the transaction
/// itself fails (its commit, say), every call of the batch gets that error and none is
/// stored.
async fn commit_batch(parts: &Parts, batch: Vec<Submission>) {
    // The calls move into the transaction; the replies wait for its outcome.
    let (calls, replies): (Vec<_>, Vec<_>) =
        batch.into_iter().map(|s| ((s.tenant, s.auto_create_agents, s.call), s.reply)).unzip();
    let count = replies.len();
    let outcomes = async {
        let turn = parts.writes.enter().await;
        let mut work =
            crate::db::Work::begin_on(&parts.db, turn, parts.wakeup.clone(), parts.live.clone(), parts.signals.clone())
                .await?;
        // A free slot of this process's runner per call, while there is one: its analysis
        // is queued claimed and handed over after the commit (a failed commit drops the
        // claims with their reservations).
        let mut reservations = Vec::with_capacity(calls.len());
        let calls: Vec<bulk::Call> = calls
            .into_iter()
            .map(|(tenant, auto_create_agents, call)| {
                let reservation = parts.handover.intake.get().and_then(|intake| intake.try_reserve(&tenant));
                let lease = reservation.as_ref().map(|_| parts.handover.lease);
                reservations.push(reservation);
                bulk::Call { tenant, auto_create_agents, prepared: Prepared::new(&tenant, call), lease }
            })
            .collect();
        let savepoint = work.db().begin().await?;
        let stored = match bulk::store(&savepoint, calls).await {
            Ok(stored) => {
                savepoint.commit().await?;
                stored
            }
            Err((e, calls)) => {
                savepoint.rollback().await?;
                tracing::debug!(error = %e, "a batch of calls failed together; storing them one by one");
                calls.into_iter().map(|call| Stored::Alone(Box::new(call))).collect()
            }
        };
        let mut outcomes = Vec::with_capacity(stored.len());
        let mut handed = Vec::new();
        for (stored, reservation) in stored.into_iter().zip(reservations) {
            let (ingested, claimed) = match stored {
                Stored::Done(ingested, claimed) => (Ok(ingested), claimed),
                Stored::Alone(call) => {
                    let savepoint = work.db().begin().await?;
                    let bulk::Call { tenant, auto_create_agents, prepared, lease } = *call;
                    match store_claimed(&savepoint, &tenant, auto_create_agents, prepared, lease).await {
                        Ok((stored, claimed)) if !stored.duplicate => {
                            savepoint.commit().await?;
                            (Ok(stored), claimed)
                        }
                        other => {
                            savepoint.rollback().await?;
                            (other.map(|(stored, _)| stored), None)
                        }
                    }
                }
            };
            if ingested.as_ref().is_ok_and(|i| !i.duplicate) {
                match (reservation, claimed) {
                    (Some(reservation), Some(job)) => handed.push((reservation, job)),
                    _ => work.wake_runner(),
                }
            }
            outcomes.push(ingested);
        }
        work.commit().await?;
        for (reservation, job) in handed {
            reservation.hand_over(job);
        }
        Ok::<_, sea_orm::DbErr>(outcomes)
    }
    .await;
    match outcomes {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(calls = count, error = %crate::error::report(&e), "an ingest group commit failed; none of its calls was stored");
            let message = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(Error::Db(sea_orm::DbErr::Custom(message.clone()))));
            }
        }
    }
}
