//! `aftercall bench`: measures this build on this machine and prints the figures beside the
//! raw limit of the same database work measured in the same run (the ratio is the figure
//! that counts: absolute times drift between machines and runs).
//!
//! Ingest: a real `aftercall serve` child on a fresh database (SQLite in a temporary
//! folder, or a new database on the PostgreSQL server of `--database-url`), loaded by `wrk`
//! (an installed load generator: `apt-get install wrk`; `scripts/setup --test` installs it) at each connection
//! count with unique call events; then the raw limit: the same conversation and job rows
//! inserted directly, one transaction each, by as many connections, for as long.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};

mod dispatch;
mod e2e;
mod ingest;
mod page;
mod raw;
pub mod reads;
mod recovery;
pub mod seed;
mod target;
pub mod webhooks;
mod wrk;

pub use target::Target;

/// What to measure.
#[derive(Clone, Debug)]
pub struct Options {
    /// A PostgreSQL server URL (a fresh database is created on it and dropped after);
    /// `None` = SQLite in a temporary folder.
    pub database_url: Option<String>,
    /// Seconds per measurement.
    pub seconds: u64,
    /// Connection counts for the ingest measurements.
    pub connections: Vec<usize>,
    /// Calls per second of the end-to-end measurement (call → email at the SMTP server).
    pub rate: f64,
    /// Connections of the webhook pipeline measurement at full speed (call → signed
    /// webhook delivered).
    pub webhook_connections: usize,
    /// Calls per second of the webhook pipeline measurement at a steady rate.
    pub webhook_rate: f64,
}

/// One ingest measurement beside its raw limit.
#[derive(Clone, Debug, PartialEq)]
pub struct IngestFigure {
    pub connections: usize,
    /// Calls answered 202 per second.
    pub calls_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx answers and socket errors.
    pub errors: u64,
    /// Conversation + job inserts per second, one commit each, by as many connections.
    pub raw_per_s: f64,
}

impl IngestFigure {
    /// Calls per second as a share of the raw limit.
    pub fn ratio(&self) -> f64 {
        if self.raw_per_s > 0.0 { self.calls_per_s / self.raw_per_s } else { 0.0 }
    }
}

/// Runs the benchmark with the `aftercall` binary at `exe` and prints its figures.
///
/// Errors: when `wrk` is missing, the database cannot be prepared, or the server does not
/// start.
pub async fn run(exe: &Path, options: Options) -> Result<()> {
    which("wrk").context("wrk is not installed: apt-get install wrk (scripts/setup --test installs it)")?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let target = Target::prepare(options.database_url.as_deref(), dir.path(), "bench").await?;
    let result = measure(exe, &options, &target, dir.path()).await;
    target.cleanup().await;
    let (figures, rss, drain, page) = result?;
    // Each on a fresh database of its own, after the ingest server has stopped.
    let e2e = e2e::measure(exe, options.database_url.as_deref(), options.rate, options.seconds, dir.path()).await;
    let mut hooks = Vec::new();
    for load in [
        webhooks::Load::FullSpeed { connections: options.webhook_connections },
        webhooks::Load::Rate(options.webhook_rate),
    ] {
        hooks.push(webhooks::measure(exe, options.database_url.as_deref(), load, options.seconds, dir.path()).await);
    }
    let recovered = recovery::measure(exe, options.database_url.as_deref(), dir.path()).await;
    println!("{}", report(&target.label(), options.seconds, &figures));
    println!(
        "dispatch (aftercall worker; per call: analysis, an email, a team alert, a task): {} calls in {:.1} s = {:.0} calls/s",
        drain.calls,
        drain.seconds,
        drain.per_s()
    );
    match &e2e {
        Ok(e) => println!(
            "end to end at {:.0} calls/s (achieved {:.0}), call received → email accepted by SMTP (aiosmtpd): \
             {} emails, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; last email {:.1} s after the load ended",
            e.target_rate, e.achieved_rate, e.emails, e.p50_ms, e.p99_ms, e.max_ms, e.drained_after_s
        ),
        Err(e) => println!("end to end: not measured: {e:#}"),
    }
    if let Ok(Some(a)) = e2e.as_ref().map(|e| e.alerts_across.as_ref()) {
        println!(
            "live alerts across processes (PostgreSQL LISTEN/NOTIFY, dashboard on a web-only process): {} of {} \
             alerts streamed, alert stored → event read p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms{}",
            a.streamed,
            a.stored,
            a.p50_ms,
            a.p99_ms,
            a.max_ms,
            a.shortfall.as_ref().map(|s| format!(" (short: {s})")).unwrap_or_default()
        );
    }
    for hook in &hooks {
        match hook {
            Ok(w) => println!("{}", w.line()),
            Err(e) => println!("webhook pipeline: not measured: {e:#}"),
        }
    }
    match recovered {
        Ok(r) => println!(
            "crash recovery: a worker killed (SIGKILL) holding {} jobs; all done by another worker {:.1} s later \
             (jobs.lease_secs = 20)",
            r.held, r.seconds
        ),
        Err(e) => println!("crash recovery: not measured: {e:#}"),
    }
    if let Some(kib) = rss {
        println!("server peak RSS (VmHWM) during ingest: {:.0} MiB", kib as f64 / 1024.0);
    }
    match page {
        Ok(pages) => print!("{}", page::report(&pages)),
        Err(e) => println!("first page: not measured: {e:#}"),
    }
    Ok(())
}

async fn measure(
    exe: &Path,
    options: &Options,
    target: &Target,
    dir: &Path,
) -> Result<(Vec<IngestFigure>, Option<u64>, dispatch::Drain, Result<Vec<(String, Vec<page::Part>)>>)> {
    let key = target.create_account().await?;
    let server = ingest::Server::start(exe, target.url(), dir).await?;
    let page = page::first_pages(&server.base).await;
    let mut figures = Vec::new();
    for &connections in &options.connections {
        let http = ingest::load(&server, &key, connections, options.seconds, dir).await?;
        let raw = raw::insert_rate(target.url(), connections, options.seconds).await?;
        figures.push(IngestFigure {
            connections,
            calls_per_s: http.calls_per_s,
            p50_ms: http.p50_ms,
            p99_ms: http.p99_ms,
            errors: http.errors,
            raw_per_s: raw,
        });
    }
    let rss = server.peak_rss_kib();
    server.stop().await;
    let drain = dispatch::drain(exe, target.url(), dir, Duration::from_secs(900)).await?;
    Ok((figures, rss, drain, page))
}

/// The figures as a table.
pub fn report(database: &str, seconds: u64, figures: &[IngestFigure]) -> String {
    let mut out = format!(
        "aftercall bench — {database}, {seconds} s per measurement\n\n\
         ingest (POST /api/v1/calls, wrk)  calls/s   p50 ms   p99 ms  errors   raw/s   ratio\n"
    );
    for f in figures {
        out.push_str(&format!(
            "  {:>3} connection(s)               {:>8.0} {:>8.1} {:>8.1} {:>7} {:>7.0} {:>6.2}×\n",
            f.connections,
            f.calls_per_s,
            f.p50_ms,
            f.p99_ms,
            f.errors,
            f.raw_per_s,
            f.ratio()
        ));
    }
    out.push_str(
        "\nraw/s: the same conversation and job rows inserted directly, one commit each, by as many connections.\n",
    );
    out
}

/// Starts `exe` with `args` as the benchmark's child: no SMTP (email stays in the outbox)
/// unless `env` names one, the benchmark's installation key in `dir`, and warnings logged
/// to `dir/<log>`; `env` adds (or overrides) settings. The child is killed when dropped.
///
/// Errors: the log cannot be created or the program does not start.
fn spawn_child(
    exe: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    dir: &Path,
    log: &str,
) -> Result<tokio::process::Child> {
    // Both streams into the log: the server logs to stdout (tracing-subscriber's default).
    let file = std::fs::File::create(dir.join(log))?;
    let out = file.try_clone()?;
    tokio::process::Command::new(exe)
        .args(args)
        .env("AFTERCALL_SMTP__URL", "")
        .env("AFTERCALL_SECRETS__KEY_FILE", dir.join("aftercall.key"))
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(out)
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting aftercall {}", args.first().copied().unwrap_or_default()))
}

/// The path of an installed program.
fn which(program: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .ok_or_else(|| anyhow::anyhow!("`{program}` not found on PATH"))
}

/// Latencies in milliseconds, sorted, read at quantiles (the end-to-end, alert and webhook
/// measurements).
struct Latencies(Vec<f64>);

impl Latencies {
    fn new(mut ms: Vec<f64>) -> Self {
        ms.sort_by(f64::total_cmp);
        Self(ms)
    }

    /// The latency at quantile `q` (0 to 1, nearest rank); NaN when there is none.
    fn at(&self, q: f64) -> f64 {
        self.0.get(((self.0.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(f64::NAN)
    }

    fn len(&self) -> usize {
        self.0.len()
    }
}

/// `t` in Unix seconds, to the microsecond.
fn unix_s(t: chrono::DateTime<chrono::Utc>) -> f64 {
    t.timestamp_micros() as f64 / 1e6
}

/// Waits until `check` answers true, for at most `limit`.
async fn wait_for<F, Fut>(limit: Duration, mut check: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("gave up after {} s", limit.as_secs())
}
