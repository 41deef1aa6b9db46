//! Crash recovery: an `aftercall worker` is killed with SIGKILL while it runs jobs, and the
//! time until another worker has finished every job the dead one held (their leases must
//! run out first: `jobs.lease_secs`, renewed by a running job's heartbeat, so a crashed
//! worker's jobs wait at most one lease).

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use uuid::Uuid;

use super::target::Target;

/// What the crash-recovery run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Recovery {
    /// Jobs the killed worker held.
    pub held: usize,
    /// Seconds from the kill until all of them were done by the other worker.
    pub seconds: f64,
}

async fn running_jobs(db: &DatabaseConnection) -> Result<Vec<Uuid>> {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT id FROM jobs WHERE state = 'running'"))
        .await?;
    rows.iter().map(|r| r.try_get::<Uuid>("", "id").map_err(Into::into)).collect()
}

async fn done_jobs(db: &DatabaseConnection) -> Result<i64> {
    let sql = "SELECT COUNT(*) AS n FROM jobs WHERE state = 'done'";
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?.context("no count")?;
    Ok(row.try_get::<i64>("", "n")?)
}

/// Ingests calls into a fresh database of `database_url` (SQLite in `dir` when `None`),
/// starts a worker, kills it with SIGKILL once it is busy, starts another, and measures
/// how long the dead worker's jobs take to be done. Gives up after 120 s.
///
/// Errors: a process does not start, the first worker never holds a job, or the jobs are
/// not done in time.
pub async fn measure(exe: &Path, database_url: Option<&str>, dir: &Path) -> Result<Recovery> {
    let target = Target::prepare(database_url, dir, "recovery").await?;
    let result = run(exe, &target, dir).await;
    target.cleanup().await;
    result
}

async fn run(exe: &Path, target: &Target, dir: &Path) -> Result<Recovery> {
    let key = target.create_account().await?;
    let server = super::ingest::Server::start_with(
        exe,
        target.url(),
        dir,
        &[("AFTERCALL_JOBS__RUN_IN_SERVER", "false")],
        "recovery-serve.log",
    )
    .await?;
    let loaded = super::ingest::load(&server, &key, 8, 3, dir).await;
    server.stop().await;
    loaded?;
    let db = backend::db::connect(target.url(), 2).await?;
    let args = ["worker", "--database-url", target.url()];
    let mut first = super::spawn_child(exe, &args, &[], dir, "recovery-worker-1.log")?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while done_jobs(&db).await? < 200 {
        if Instant::now() > deadline {
            bail!("the first worker finished no 200 jobs in 60 s; see {}", dir.join("recovery-worker-1.log").display());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.start_kill().context("SIGKILL of the first worker")?;
    first.wait().await.ok();
    let killed = Instant::now();
    let held: HashSet<Uuid> = running_jobs(&db).await?.into_iter().collect();
    if held.is_empty() {
        bail!("the worker held no job when it was killed");
    }
    let mut second = super::spawn_child(exe, &args, &[], dir, "recovery-worker-2.log")?;
    let sql = match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => format!(
            "SELECT COUNT(*) AS n FROM jobs WHERE state = 'done' AND id IN ({})",
            held.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(", ")
        ),
        // SQLite stores UUIDs as 16-byte blobs.
        _ => format!(
            "SELECT COUNT(*) AS n FROM jobs WHERE state = 'done' AND id IN ({})",
            held.iter().map(|id| format!("X'{}'", id.simple())).collect::<Vec<_>>().join(", ")
        ),
    };
    loop {
        let row = db
            .query_one_raw(Statement::from_string(db.get_database_backend(), sql.clone()))
            .await?
            .context("no count")?;
        if row.try_get::<i64>("", "n")? as usize == held.len() {
            break;
        }
        if killed.elapsed() > Duration::from_secs(120) {
            let _ = second.start_kill();
            bail!("the killed worker's jobs were not done within 120 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = killed.elapsed().as_secs_f64();
    let _ = second.start_kill();
    let _ = second.wait().await;
    db.close().await.ok();
    Ok(Recovery { held: held.len(), seconds })
}
