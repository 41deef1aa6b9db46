//! The dispatcher measurement: the calls the ingest measurements stored wait with their
//! `AnalyzeCall` jobs (the server's dispatcher was off); an `aftercall worker` child then
//! runs everything they cause — analysis, and for the benchmark's always-send notification
//! an email (kept in the outbox), a team alert and a task — and the time until no job is
//! pending or running gives calls per second.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

/// What the dispatcher did.
#[derive(Clone, Debug, PartialEq)]
pub struct Drain {
    pub calls: u64,
    pub seconds: f64,
}

impl Drain {
    /// Calls fully dispatched per second.
    pub fn per_s(&self) -> f64 {
        if self.seconds > 0.0 { self.calls as f64 / self.seconds } else { 0.0 }
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> Result<i64> {
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await?.context("no row")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Drops the raw measurements' copied rows (they are not calls the server took), then runs
/// a worker until every job is done. Gives up after `limit`.
///
/// Errors: the worker does not start, or the jobs are not done within `limit`.
pub async fn drain(exe: &Path, url: &str, dir: &Path, limit: Duration) -> Result<Drain> {
    let db = backend::db::connect(url, 2).await?;
    for sql in [
        "DELETE FROM jobs WHERE conversation_id IN (SELECT id FROM conversations WHERE call_id LIKE 'raw-%')",
        "DELETE FROM conversations WHERE call_id LIKE 'raw-%'",
    ] {
        db.execute_unprepared(sql).await?;
    }
    let calls = scalar(&db, "SELECT COUNT(*) AS n FROM conversations").await? as u64;
    let mut worker = super::spawn_child(exe, &["worker", "--database-url", url], &[], dir, "worker.log")?;
    let waiting = "SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending', 'running')";
    let initial = scalar(&db, waiting).await?;
    // Timed from the first finished job: the worker's own start is not dispatching.
    let spawned = Instant::now();
    let mut started: Option<Instant> = None;
    loop {
        let now = scalar(&db, waiting).await?;
        if now == 0 {
            break;
        }
        if started.is_none() && now < initial {
            started = Some(Instant::now());
        }
        if spawned.elapsed() > limit {
            let _ = worker.start_kill();
            bail!("jobs still waiting after {} s; see {}", limit.as_secs(), dir.join("worker.log").display());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.unwrap_or(spawned).elapsed().as_secs_f64();
    let _ = worker.start_kill();
    let _ = worker.wait().await;
    db.close().await.ok();
    Ok(Drain { calls, seconds })
}
