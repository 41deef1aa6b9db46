//! End to end at a steady rate: calls POSTed to a real `aftercall serve` (its dispatcher
//! on, SMTP to a real server the benchmark starts: Debian's aiosmtpd with a handler that
//! notes when each message arrived) at `--rate` calls per second, and for each call the time
//! from its receipt (`conversations.received_at`) to its email's acceptance by the SMTP
//! server, matched by Message-ID.
//!
//! The rate comes from `wrk` with a Lua `delay()` per request: each of the connections
//! waits an exponentially distributed time (mean connections ÷ rate) before its next call,
//! so arrivals are random, not in lockstep; the achieved rate is printed beside the target.
//!
//! On PostgreSQL a second, web-only `aftercall serve` (`jobs.run_in_server = false`) runs
//! beside it with the account owner's dashboard open on its live-alert stream
//! (`GET /events/alerts`): every alert there was written by the other process and told by
//! `LISTEN`/`NOTIFY`, and each one's time from being stored (`alerts.created_at`, inside
//! the job's transaction, so before its commit) to its event being read is measured.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, Statement};
use tokio::process::{Child, Command};

use super::target::Target;

/// What the end-to-end run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct EndToEnd {
    pub target_rate: f64,
    /// Calls answered 202 per second.
    pub achieved_rate: f64,
    pub calls: u64,
    /// Emails the SMTP server accepted.
    pub emails: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Seconds after the load ended until the last email arrived.
    pub drained_after_s: f64,
    /// PostgreSQL: alerts streamed by the other web process.
    pub alerts_across: Option<AlertsAcross>,
}

/// Alerts written by one process and streamed by another (PostgreSQL).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertsAcross {
    /// Alerts stored.
    pub stored: u64,
    /// Of those, read from the other process's stream.
    pub streamed: u64,
    /// Alert stored → event read, in milliseconds.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// When fewer were streamed than stored: what the stream did instead (its other events,
    /// how it ended) and the web-only process's last warnings, so a shortfall says why.
    pub shortfall: Option<String>,
}

/// What the dashboard's live-alert stream delivered, as the bench read it.
#[derive(Default)]
struct Watched {
    /// `alert` events: alert id → Unix seconds when read.
    alerts: HashMap<String, f64>,
    /// `unread` events (the one at connect, and those sent instead of an alert).
    unread_events: u64,
    /// How the stream ended before the bench stopped reading, if it did.
    ended: Option<String>,
}

/// The bench account owner's dashboard on the server at `base`: signs in, opens the
/// live-alert stream, and notes what it reads ([`Watched`]) until the task is aborted.
async fn watch_alerts(base: &str) -> Result<(tokio::task::JoinHandle<()>, std::sync::Arc<std::sync::Mutex<Watched>>)> {
    let http = reqwest::Client::new();
    let cookies = super::target::sign_in(base).await.context("signing in on the web-only process")?;
    let mut stream = http
        .get(format!("{base}/events/alerts"))
        .header("cookie", cookies)
        .send()
        .await
        .context("opening the live-alert stream")?;
    if !stream.status().is_success() {
        bail!("the live-alert stream answered {}", stream.status());
    }
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Watched::default()));
    let task = {
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut buffer = String::new();
            let ended = loop {
                let chunk = match stream.chunk().await {
                    Ok(Some(chunk)) => chunk,
                    Ok(None) => break "the server ended it".to_owned(),
                    Err(e) => break format!("reading it failed: {e}"),
                };
                let now = super::unix_s(chrono::Utc::now());
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let Ok(mut seen) = seen.lock() else { continue };
                    if block.lines().any(|l| l == "event: alert")
                        && let Some(id) = block.lines().find_map(|l| l.strip_prefix("id: "))
                    {
                        seen.alerts.insert(id.to_owned(), now);
                    } else if block.lines().any(|l| l == "event: unread") {
                        seen.unread_events += 1;
                    }
                }
            };
            if let Ok(mut seen) = seen.lock() {
                seen.ended = Some(ended);
            }
        })
    };
    Ok((task, seen))
}

/// Why a stream gave fewer alerts than were stored, in one line: its `unread` events, how
/// it ended, and the web-only process's last three warnings or errors (from `log`).
fn shortfall(seen: &Watched, log: &Path) -> String {
    let said = std::fs::read_to_string(log).unwrap_or_default();
    let mut warnings: Vec<&str> = said.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
    let last = warnings.split_off(warnings.len().saturating_sub(3));
    format!(
        "{} unread events; stream {}; the web-only process logged {}",
        seen.unread_events,
        seen.ended.as_deref().unwrap_or("still open"),
        if last.is_empty() { "no warning".to_owned() } else { last.join(" | ") }
    )
}

/// The SMTP sink: aiosmtpd's handler that appends `<unix time> <message id>` per message.
const SINK: &str = r#"
import os, time

class Sink:
    def __init__(self):
        self.out = open(os.environ["BENCH_SMTP_LOG"], "a", buffering=1)

    async def handle_DATA(self, server, session, envelope):
        arrived = time.time()
        message_id = ""
        for line in envelope.content.decode("utf-8", "replace").splitlines():
            if not line:
                break
            if line.lower().startswith("message-id:"):
                message_id = line.split(":", 1)[1].strip().strip("<>")
        self.out.write(f"{arrived:.6f} {message_id}\n")
        return "250 OK"
"#;

/// A running SMTP sink on 127.0.0.1; killed when dropped.
struct SmtpSink {
    _child: Child,
    port: u16,
    log: std::path::PathBuf,
}

impl SmtpSink {
    /// Starts `python3 -m aiosmtpd` (Debian's, `/usr/bin/python3`, or
    /// `AFTERCALL_TEST_PYTHON`) with the sink handler, and waits until it listens.
    async fn start(dir: &Path) -> Result<Self> {
        std::fs::write(dir.join("bench_smtp.py"), SINK)?;
        let log = dir.join("smtp-arrivals.log");
        std::fs::write(&log, "")?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let python = std::env::var("AFTERCALL_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned());
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "bench_smtp.Sink"])
            .env("PYTHONPATH", dir)
            .env("BENCH_SMTP_LOG", &log)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(dir.join("smtp.log"))?)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {python} -m aiosmtpd (apt-get install python3-aiosmtpd)"))?;
        super::wait_for(Duration::from_secs(20), || async move {
            tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok()
        })
        .await
        .context("aiosmtpd did not listen (apt-get install python3-aiosmtpd)")?;
        Ok(Self { _child: child, port, log })
    }

    /// Arrival time (Unix seconds) by Message-ID.
    fn arrivals(&self) -> Result<HashMap<String, f64>> {
        let text = std::fs::read_to_string(&self.log)?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let (t, id) = l.split_once(' ')?;
                Some((id.to_owned(), t.parse().ok()?))
            })
            .collect())
    }
}

/// Runs calls at `rate` per second for `seconds` into a fresh database of `database_url`
/// (SQLite in `dir` when `None`), and gives each call's time to its email at the SMTP
/// server. Waits at most 120 s after the load for the last email.
///
/// Errors: aiosmtpd or the server does not start, wrk fails, or an email never arrives.
pub async fn measure(exe: &Path, database_url: Option<&str>, rate: f64, seconds: u64, dir: &Path) -> Result<EndToEnd> {
    let target = Target::prepare(database_url, dir, "e2e").await?;
    let result = run(exe, &target, rate, seconds, dir).await;
    target.cleanup().await;
    result
}

async fn run(exe: &Path, target: &Target, rate: f64, seconds: u64, dir: &Path) -> Result<EndToEnd> {
    let key = target.create_account().await?;
    let sink = SmtpSink::start(dir).await?;
    let smtp = format!("smtp://127.0.0.1:{}", sink.port);
    let server = super::ingest::Server::start_with(
        exe,
        target.url(),
        dir,
        &[("AFTERCALL_JOBS__RUN_IN_SERVER", "true"), ("AFTERCALL_SMTP__URL", &smtp)],
        "e2e-serve.log",
    )
    .await?;
    let across = if target.is_postgres() {
        let web = super::ingest::Server::start_with(
            exe,
            target.url(),
            dir,
            &[("AFTERCALL_JOBS__RUN_IN_SERVER", "false")],
            "e2e-web.log",
        )
        .await?;
        let watched = watch_alerts(&web.base).await?;
        Some((web, watched))
    } else {
        None
    };
    let (connections, pacing) = super::wrk::steady(rate);
    let script = format!("KEY = \"{key}\"\n{}{}{pacing}", super::wrk::THREADS_LUA, super::wrk::CALLS_LUA);
    let url = format!("{}/api/v1/calls", server.base);
    let wrk = super::wrk::run(dir, "e2e", &script, &url, connections, seconds, &["e2e"]).await?;
    let loaded = Instant::now();

    let db = backend::db::connect(target.url(), 2).await?;
    let backend = db.get_database_backend();
    let calls = {
        let row = db
            .query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM conversations"))
            .await?
            .context("no count")?;
        u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0)
    };
    // Every call's email at the SMTP server, or give up.
    let mut arrivals = sink.arrivals()?;
    while (arrivals.len() as u64) < calls {
        if loaded.elapsed() > Duration::from_secs(120) {
            server.stop().await;
            bail!("{} of {calls} emails arrived within 120 s of the load's end", arrivals.len());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        arrivals = sink.arrivals()?;
    }
    server.stop().await;
    let alerts_across = match across {
        Some((web, (task, seen))) => {
            // The last alerts' events (told after their commit), for at most 10 s.
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                let row = db
                    .query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM alerts"))
                    .await?
                    .context("no count")?;
                let stored = usize::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0);
                let streamed = seen.lock().map(|s| s.alerts.len()).unwrap_or(0);
                if streamed >= stored || Instant::now() > deadline {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            task.abort();
            web.stop().await;
            let seen = seen.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default();
            let rows = db.query_all_raw(Statement::from_string(backend, "SELECT id, created_at FROM alerts")).await?;
            let mut latencies = Vec::new();
            for row in &rows {
                let id: uuid::Uuid = row.try_get("", "id")?;
                let created: chrono::DateTime<chrono::Utc> = row.try_get("", "created_at")?;
                if let Some(at) = seen.alerts.get(&id.to_string()) {
                    latencies.push((at - super::unix_s(created)) * 1000.0);
                }
            }
            let latencies = super::Latencies::new(latencies);
            let shortfall = (latencies.len() < rows.len()).then(|| shortfall(&seen, &dir.join("e2e-web.log")));
            Some(AlertsAcross {
                stored: rows.len() as u64,
                streamed: latencies.len() as u64,
                p50_ms: latencies.at(0.5),
                p99_ms: latencies.at(0.99),
                max_ms: latencies.at(1.0),
                shortfall,
            })
        }
        None => None,
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT e.message_id, c.received_at FROM emails e JOIN conversations c ON c.id = e.conversation_id",
        ))
        .await?;
    db.close().await.ok();
    let mut latencies = Vec::with_capacity(rows.len());
    let mut last = 0.0f64;
    for row in rows {
        let id: String = row.try_get("", "message_id")?;
        let received: chrono::DateTime<chrono::Utc> = row.try_get("", "received_at")?;
        if let Some(at) = arrivals.get(&id) {
            latencies.push((at - super::unix_s(received)) * 1000.0);
            last = last.max(*at);
        }
    }
    if latencies.is_empty() {
        bail!("no email matched a call by Message-ID");
    }
    let latencies = super::Latencies::new(latencies);
    let at = |q: f64| latencies.at(q);
    let loaded_at = super::unix_s(chrono::Utc::now()) - loaded.elapsed().as_secs_f64();
    Ok(EndToEnd {
        target_rate: rate,
        achieved_rate: wrk.per_s,
        calls,
        emails: latencies.len() as u64,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        drained_after_s: (last - loaded_at).max(0.0),
        alerts_across,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortfall_names_the_streams_end_and_the_last_warnings() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let log = dir.path().join("web.log");
        let lines: Vec<String> = (1..=5).map(|i| format!("2026-12-08T00:00:0{i}Z  WARN warning {i}")).collect();
        std::fs::write(&log, format!("{}\n2026-12-08T00:00:06Z  INFO fine\n", lines.join("\n"))).expect("write");
        let seen = Watched { alerts: HashMap::new(), unread_events: 2, ended: Some("the server ended it".into()) };
        let said = shortfall(&seen, &log);
        assert!(said.starts_with("2 unread events; stream the server ended it; "), "{said}");
        assert!(said.contains("warning 3 | ") && said.ends_with("warning 5"), "the last three warnings: {said}");
        assert!(!said.contains("warning 2") && !said.contains("fine"), "{said}");

        let quiet = shortfall(&Watched::default(), &dir.path().join("absent.log"));
        assert_eq!(quiet, "0 unread events; stream still open; the web-only process logged no warning");
    }
}
