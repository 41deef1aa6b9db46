//! The dispatcher: durable jobs, the queue they live in, and the runner that executes them.
//!
//! # Guarantee
//!
//! Every job is run **at least once**; a job's database effects happen **exactly once**.
//!
//! - A job is inserted in the same transaction as its cause (a conversation, a fired
//!   notification run), so nothing accepted is lost by a crash.
//! - A runner claims a job with a lease (`jobs.lease_secs`); a job whose process died is
//!   claimed again when the lease runs out; a graceful shutdown releases unfinished jobs
//!   at once (without counting the interrupted attempt). The lease (300 s by default) is
//!   longer than any attempt can take (SMTP sends time out after 120 s, webhooks after
//!   15 s), so a live job is never claimed twice.
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
//!   last error; [`queue::replay`] (and the Deliveries page) runs a dead job again.
//!
//! Job types are registered in one place, [`dispatch`].

mod analyze_call;
mod deliver_webhook;
pub mod queue;
mod reanalyze_call;
mod request_callback;
mod runner;
mod send_email;

pub use analyze_call::{AnalyzeCall, MIN_TURNS};
pub use deliver_webhook::DeliverWebhook;
pub use reanalyze_call::ReanalyzeCall;
pub use request_callback::RequestCallback;
pub use runner::{Dispatcher, run_pending_jobs};
pub use send_email::SendEmail;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Services;
use crate::error::Error;
use crate::tenancy::Tenant;

/// A job claimed by a runner.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub id: uuid::Uuid,
    pub tenant: Tenant,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one.
    pub attempts: i32,
    pub max_attempts: i32,
}

impl ClaimedJob {
    /// Whether a failure of this attempt is final.
    pub fn is_last_attempt(&self) -> bool {
        self.attempts >= self.max_attempts
    }
}

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

/// A kind of durable job: a `VerbNoun` type whose JSON is the payload.
#[async_trait]
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Sized {
    /// The stored kind, the type's name.
    const KIND: &'static str;
    /// Attempts before the job is dead.
    const MAX_ATTEMPTS: i32;

    /// Runs one attempt.
    async fn run(self, services: &Services, job: &ClaimedJob) -> Result<(), JobError>;

    /// The conversation this job works for (stored on the job so a conversation's dead
    /// jobs can be replayed together).
    fn conversation_id(&self) -> Option<uuid::Uuid> {
        None
    }
}

async fn run_typed<J: Job>(services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
    let typed: J = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Permanent(format!("bad {} payload: {e}", J::KIND)))?;
    typed.run(services, job).await
}

/// Runs a claimed job by its kind: the one registry of job types.
pub async fn dispatch(services: &Services, job: &ClaimedJob) -> Result<(), JobError> {
    match job.kind.as_str() {
        AnalyzeCall::KIND => run_typed::<AnalyzeCall>(services, job).await,
        SendEmail::KIND => run_typed::<SendEmail>(services, job).await,
        ReanalyzeCall::KIND => run_typed::<ReanalyzeCall>(services, job).await,
        crate::push::SendPush::KIND => run_typed::<crate::push::SendPush>(services, job).await,
        DeliverWebhook::KIND => run_typed::<DeliverWebhook>(services, job).await,
        RequestCallback::KIND => run_typed::<RequestCallback>(services, job).await,
        other => Err(JobError::Permanent(format!("unknown job kind `{other}`"))),
    }
}

/// The delay before the next attempt of `job` after a failure: webhooks follow the fixed
/// schedule of `webhooks.retry_schedule_secs` (SPEC section 7); every other kind backs off
/// exponentially from `jobs.backoff_base_secs` with ±25 % jitter.
pub fn retry_delay(services: &Services, job: &ClaimedJob) -> std::time::Duration {
    match job.kind.as_str() {
        DeliverWebhook::KIND => queue::scheduled_delay(&services.settings.webhooks.retry_schedule, job.attempts),
        _ => queue::backoff(&services.settings.jobs, job.attempts),
    }
}
