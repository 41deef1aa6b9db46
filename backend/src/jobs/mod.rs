//! The dispatcher's top layer: the handler of every job kind, the one registry of kinds
//! ([`dispatch`]), their retry policy, and the runner that executes them. The queue they
//! live in, and the payloads domain modules enqueue, are the layer below ([`crate::queue`]).
//!
//! # Guarantee
//!
//! Every job is run **at least once**; a job's database effects happen **exactly once**.
//!
//! - A job is inserted in the same transaction as its cause (a conversation, a fired
//!   notification run), so nothing accepted is lost by a crash.
//! - A runner claims a job with a short lease (`jobs.lease_secs`, 20 s by default) and
//!   renews it every third of the lease while the job runs (a heartbeat,
//!   [`crate::queue::renew`]), so a live job is never claimed twice however long its
//!   attempt takes (SMTP sends time out after 120 s), and a job whose process died is
//!   claimed again within one lease; a graceful shutdown releases unfinished jobs at once
//!   (without counting the interrupted attempt).
//! - Database effects (analysis, notification runs, alerts, tasks, emails and webhook
//!   deliveries to send) are written in one transaction together with marking the job
//!   done, and each job checks first whether a previous attempt committed: they happen
//!   once however often the job runs.
//! - External effects carry idempotency keys: an email has a Message-ID stable across
//!   retries (`<email id>@<host>`), a webhook a `webhook-id` stable across retries. They
//!   can be **duplicated** only when the process dies (or the database is unreachable)
//!   *after* the SMTP server accepted the message or the endpoint answered 2xx and
//!   *before* the job was marked done; the repeat carries the same Message-ID /
//!   `webhook-id`, so receivers can drop it. An SMTP reply lost to a timeout after the
//!   server accepted the message is the same case. Nothing else is sent twice.
//! - Failures retry with backoff and jitter (exponential for most kinds, the fixed SPEC
//!   schedule for webhooks) up to the kind's attempts, then the job is **dead** with its
//!   last error; [`crate::queue::replay`] (and the Deliveries page) runs a dead job again.
//!
//! Job types are registered in one place, [`dispatch`].

mod analyze_call;
mod deliver_webhook;
pub mod dry_run;
mod reanalyze_call;
mod request_callback;
pub mod retry;
mod runner;
mod send_email;
mod send_push;

pub use analyze_call::MIN_TURNS;
pub use runner::{Dispatcher, run_pending_jobs};

use async_trait::async_trait;

use crate::Services;
use crate::error::Error;
use crate::queue::{
    AnalyzeCall, ClaimedJob, DeliverWebhook, Payload, ReanalyzeCall, RequestCallback, SendEmail, SendPush,
};

/// Why a job attempt failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again after a backoff (until the attempts run out).
    #[error("{0}")]
    Retry(String),
    /// Do not try again: the job is dead.
    #[error("{0}")]
    Permanent(String),
}

impl From<Error> for JobError {
    fn from(err: Error) -> Self {
        match err {
            Error::Db(_) | Error::Internal { .. } => JobError::Retry(crate::error::report(&err)),
            other => JobError::Permanent(other.to_string()),
        }
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(err: sea_orm::DbErr) -> Self {
        JobError::Retry(format!("database error: {err}"))
    }
}

/// A kind of durable job with its handler: the top layer over a queue [`Payload`]. `run`
/// does one attempt; `retry_delay` is its retry policy (the attempt budget is the
/// payload's `MAX_ATTEMPTS`, stored when it is queued).
#[async_trait]
pub trait Job: Payload {
    /// Runs one attempt.
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError>;

    /// The delay before the next attempt after a failure: by default exponential from
    /// `jobs.backoff_base_secs` with ±25 % jitter ([`retry::backoff`]).
    fn retry_delay(services: &Services, job: &ClaimedJob) -> std::time::Duration {
        retry::backoff(&services.settings.jobs, job.attempts)
    }
}

/// A failed attempt with the delay its kind's retry policy gives before the next one.
#[derive(Debug)]
pub struct Failed {
    pub error: JobError,
    /// From [`Job::retry_delay`]; unused when the job is dead.
    pub retry_after: std::time::Duration,
}

async fn run_typed<J: Job>(services: &Services, job: &ClaimedJob) -> Result<(), Failed> {
    let result = match serde_json::from_value::<J>(job.payload.clone()) {
        Ok(typed) => typed.run(services, job).await,
        Err(e) => Err(JobError::Permanent(format!("bad {} payload: {e}", J::KIND))),
    };
    result.map_err(|error| Failed { error, retry_after: J::retry_delay(services, job) })
}

/// Runs a claimed job by its kind: the one registry of job types. A failure carries its
/// kind's retry delay.
pub async fn dispatch(services: &Services, job: &ClaimedJob) -> Result<(), Failed> {
    match job.kind.as_str() {
        AnalyzeCall::KIND => run_typed::<AnalyzeCall>(services, job).await,
        SendEmail::KIND => run_typed::<SendEmail>(services, job).await,
        ReanalyzeCall::KIND => run_typed::<ReanalyzeCall>(services, job).await,
        SendPush::KIND => run_typed::<SendPush>(services, job).await,
        DeliverWebhook::KIND => run_typed::<DeliverWebhook>(services, job).await,
        RequestCallback::KIND => run_typed::<RequestCallback>(services, job).await,
        other => Err(Failed {
            error: JobError::Permanent(format!("unknown job kind `{other}`")),
            retry_after: retry::backoff(&services.settings.jobs, job.attempts),
        }),
    }
}
