//! The ingest measurement: a real `aftercall serve` child, loaded by `wrk` with unique call
//! events (a new `call_id` per request, so every one is a new call, answered 202).

use std::path::Path;
use std::time::Duration;

use anyhow::{Result, bail};
use tokio::process::Child;

/// A running `aftercall serve` on 127.0.0.1, without its dispatcher (ingest alone).
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `exe serve` on `url` with its key and log in `dir`, without its dispatcher,
    /// and waits for `/healthz`.
    ///
    /// Errors: it does not answer within 60 s.
    pub async fn start(exe: &Path, url: &str, dir: &Path) -> Result<Self> {
        Self::start_with(exe, url, dir, &[("AFTERCALL_JOBS__RUN_IN_SERVER", "false")], "serve.log").await
    }

    /// [`Server::start`] with the settings `env` (no API rate limit unless it sets one),
    /// logging to `dir/<log>`.
    ///
    /// Errors: it does not answer within 60 s.
    pub async fn start_with(exe: &Path, url: &str, dir: &Path, env: &[(&str, &str)], log: &str) -> Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let addr = format!("127.0.0.1:{port}");
        let mut settings = vec![("AFTERCALL_API__RATE_LIMIT_PER_SECOND", "0")];
        settings.extend_from_slice(env);
        let mut child =
            super::spawn_child(exe, &["serve", "--addr", &addr, "--database-url", url], &settings, dir, log)?;
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let health = format!("{base}/healthz");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
        loop {
            if client.get(&health).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(Self { child, base });
            }
            if child.try_wait()?.is_some() || tokio::time::Instant::now() > deadline {
                let said = std::fs::read_to_string(dir.join(log)).unwrap_or_default();
                let last: Vec<&str> = said.lines().rev().take(5).collect();
                bail!("aftercall serve did not start: {}", last.into_iter().rev().collect::<Vec<_>>().join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server process's peak resident memory so far, in KiB (Linux `VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let pid = self.child.id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

/// What `wrk` measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Load {
    pub calls_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
}

/// Loads `server` with `connections` connections for `seconds` and returns what wrk saw.
///
/// Errors: wrk fails or prints no summary.
pub async fn load(server: &Server, key: &str, connections: usize, seconds: u64, dir: &Path) -> Result<Load> {
    let script = format!("KEY = \"{key}\"\n{}{}", super::wrk::THREADS_LUA, super::wrk::CALLS_LUA);
    let prefix = format!("bench-{connections}-{}", uuid::Uuid::new_v4().simple());
    let url = format!("{}/api/v1/calls", server.base);
    let wrk = super::wrk::run(dir, "ingest", &script, &url, connections, seconds, &[&prefix]).await?;
    Ok(Load { calls_per_s: wrk.per_s, p50_ms: wrk.p50_ms, p99_ms: wrk.p99_ms, errors: wrk.errors })
}
