//! The operational metrics Aftercall records, through the `metrics` facade (nothing is kept
//! when no recorder is installed; `aftercall serve` and `aftercall worker` install the
//! Prometheus one and serve it at `GET /metrics`).
//!
//! | name | type | labels |
//! |---|---|---|
//! | `aftercall_ingest_requests_total` | counter | `source` (`api` or the platform), `outcome` (`created`, `duplicate`, `ignored`: a platform event without an ended call, `rejected`: a 4xx, `failed`: a 5xx) |
//! | `aftercall_ingest_duration_seconds` | histogram | `source` |
//! | `aftercall_jobs` | gauge, read from the queue at each scrape | `kind`, `state` (`pending`, `running`, `dead`) |
//! | `aftercall_job_duration_seconds` | histogram | `kind`, `outcome` (`done`, `retry`, `dead`) |
//! | `aftercall_deliveries_total` | counter | `channel` (`email`, `webhook`, `push`), `outcome` (`delivered`, `transient`, `permanent`, `outbox`) |
//! | `aftercall_sse_clients` | gauge | — |

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// Ingest requests by source and outcome.
pub const INGEST_REQUESTS: &str = "aftercall_ingest_requests_total";
/// Ingest request latency, in seconds, by source.
pub const INGEST_DURATION: &str = "aftercall_ingest_duration_seconds";
/// Jobs in the queue by kind and state.
pub const JOBS: &str = "aftercall_jobs";
/// How long one job attempt ran, in seconds, by kind and outcome.
pub const JOB_DURATION: &str = "aftercall_job_duration_seconds";
/// Delivery attempts by channel and outcome.
pub const DELIVERIES: &str = "aftercall_deliveries_total";
/// Open live-alert streams (server-sent events) in this process.
pub const SSE_CLIENTS: &str = "aftercall_sse_clients";

/// The job kinds and the queue states [`refresh_queue_depth`] reports (a kind and state with
/// no job reads 0 rather than disappearing).
const KINDS: [&str; 6] = {
    use crate::queue::{AnalyzeCall, DeliverWebhook, Payload, ReanalyzeCall, RequestCallback, SendEmail, SendPush};
    [
        AnalyzeCall::KIND,
        SendEmail::KIND,
        ReanalyzeCall::KIND,
        SendPush::KIND,
        DeliverWebhook::KIND,
        RequestCallback::KIND,
    ]
};
const STATES: [&str; 3] = ["pending", "running", "dead"];

/// Describes every metric (help text and unit) to the installed recorder.
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(INGEST_REQUESTS, "Call-ended events received, by source and outcome.");
    describe_histogram!(INGEST_DURATION, Unit::Seconds, "Time to answer a call-ended event, by source.");
    describe_gauge!(JOBS, "Jobs in the queue, by kind and state.");
    describe_histogram!(JOB_DURATION, Unit::Seconds, "Time one job attempt ran, by kind and outcome.");
    describe_counter!(DELIVERIES, "Delivery attempts, by channel and outcome.");
    describe_gauge!(SSE_CLIENTS, "Open live-alert streams in this process.");
}

/// Records one answered call-ended event from `source` (`api`, `vapi`, `retell`,
/// `elevenlabs`) that ended with `outcome`, after `elapsed`.
pub fn ingest(source: &'static str, outcome: &'static str, elapsed: Duration) {
    metrics::counter!(INGEST_REQUESTS, "source" => source, "outcome" => outcome).increment(1);
    metrics::histogram!(INGEST_DURATION, "source" => source).record(elapsed.as_secs_f64());
}

/// Records one job attempt of `kind` that ended with `outcome` (`done`, `retry`, `dead`, or
/// `superseded`: its lease ran out and another runner's attempt took the job, so this one's
/// outcome was not written) after `elapsed`.
pub fn job(kind: &str, outcome: &'static str, elapsed: Duration) {
    metrics::histogram!(JOB_DURATION, "kind" => kind.to_owned(), "outcome" => outcome).record(elapsed.as_secs_f64());
}

/// Records one delivery attempt on `channel` with `outcome`.
pub fn delivery(channel: &'static str, outcome: &'static str) {
    metrics::counter!(DELIVERIES, "channel" => channel, "outcome" => outcome).increment(1);
}

/// One open live-alert stream: counted while it lives.
#[derive(Debug)]
pub struct SseClient(());

impl SseClient {
    /// Counts a stream that opened.
    pub fn open() -> Self {
        metrics::gauge!(SSE_CLIENTS).increment(1.0);
        Self(())
    }
}

impl Drop for SseClient {
    fn drop(&mut self) {
        metrics::gauge!(SSE_CLIENTS).decrement(1.0);
    }
}

/// Sets [`JOBS`] from the queue: one `COUNT` grouped by kind and state over the jobs that
/// are pending, running or dead (the `(state, run_at)` index holds them apart from the
/// finished ones).
///
/// Errors: the database's.
pub async fn refresh_queue_depth(db: &DatabaseConnection) -> Result<(), sea_orm::DbErr> {
    let sql = "SELECT kind, state, COUNT(*) AS n FROM jobs WHERE state IN ('pending', 'running', 'dead') GROUP BY kind, state";
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut counts = std::collections::HashMap::new();
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let state: String = row.try_get("", "state")?;
        counts.insert((kind, state), row.try_get::<i64>("", "n")?);
    }
    let known = KINDS.iter().flat_map(|k| STATES.iter().map(move |s| ((*k).to_owned(), (*s).to_owned())));
    let mut all: Vec<(String, String)> = known.collect();
    all.extend(counts.keys().filter(|k| !KINDS.contains(&k.0.as_str())).cloned());
    for (kind, state) in all {
        let n = counts.get(&(kind.clone(), state.clone())).copied().unwrap_or(0);
        metrics::gauge!(JOBS, "kind" => kind, "state" => state).set(n as f64);
    }
    Ok(())
}
