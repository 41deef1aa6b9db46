//! The dispatcher: durable jobs, the queue they live in, and the runner that executes them.
//!
//! Guarantee: every job is run *at least once*. Database effects of a job are written in
//! one transaction together with marking the job done, so they happen exactly once; an
//! external effect (an SMTP send) can repeat only if the process dies between the server
//! accepting it and the job being marked done (the message keeps its Message-ID).
//!
//! Job types are registered in one place, [`dispatch`].

mod analyze_call;
pub mod queue;
mod reanalyze_call;
mod runner;
mod send_email;

pub use analyze_call::{AnalyzeCall, MIN_TURNS};
pub use reanalyze_call::ReanalyzeCall;
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
            Error::Db(_) | Error::Internal(_) => JobError::Retry(err.to_string()),
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
        other => Err(JobError::Permanent(format!("unknown job kind `{other}`"))),
    }
}
