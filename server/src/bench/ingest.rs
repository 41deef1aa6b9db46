//! The ingest measurement: a real `aftercall serve` child, loaded by `wrk` with unique call
//! events (a new `call_id` per request, so every one is a new call, answered 202).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use tokio::process::{Child, Command};

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

/// The `wrk` script: a unique call per request (thread number and counter in the call id),
/// and the summary printed as one `BENCH {json}` line.
const SCRIPT: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  counter = 0
  prefix = args[1] .. "-" .. tostring(tid) .. "-"
end
local body = [[{"call_id": "%s", "agent_id": "bench-desk", "started_at": "2026-11-20T09:18:51Z",
 "ended_at": "2026-11-20T09:20:21Z", "end_reason": "customer_hangup", "direction": "inbound",
 "from_number": "+14155550141", "to_number": "+14155550119", "transcript": [
 {"role": "agent", "text": "Hi! How can I help you?"},
 {"role": "user", "text": "Could you call me back tomorrow? I'm driving right now."},
 {"role": "agent", "text": "Of course, we will call you back tomorrow morning. Bye!"}]}]]
function request()
  counter = counter + 1
  return wrk.format("POST", "/api/v1/calls", {["Authorization"] = "Bearer " .. KEY,
    ["Content-Type"] = "application/json"}, string.format(body, prefix .. tostring(counter)))
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"#;

/// Loads `server` with `connections` connections for `seconds` and returns what wrk saw.
///
/// Errors: wrk fails or prints no summary.
pub async fn load(server: &Server, key: &str, connections: usize, seconds: u64, dir: &Path) -> Result<Load> {
    let script = dir.join("ingest.lua");
    std::fs::write(&script, format!("KEY = \"{key}\"\n{SCRIPT}"))?;
    let threads = connections.clamp(1, 2);
    let run = uuid::Uuid::new_v4().simple().to_string();
    let out = Command::new("wrk")
        .args([
            "-t",
            &threads.to_string(),
            "-c",
            &connections.to_string(),
            "-d",
            &format!("{seconds}s"),
            "--timeout",
            "10s",
            "-s",
            &script.display().to_string(),
            &format!("{}/api/v1/calls", server.base),
            "--",
            &format!("bench-{connections}-{run}"),
        ])
        .output()
        .await
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("BENCH ")) else {
        bail!("wrk printed no summary: {}{}", text, String::from_utf8_lossy(&out.stderr));
    };
    let v: serde_json::Value = serde_json::from_str(line).context("reading wrk's summary")?;
    let num = |k: &str| v[k].as_f64().unwrap_or_default();
    let errors = v["errors"].as_u64().unwrap_or_default();
    let seconds = num("duration_us") / 1e6;
    let ok = (num("requests") - errors as f64).max(0.0);
    Ok(Load {
        calls_per_s: if seconds > 0.0 { ok / seconds } else { 0.0 },
        p50_ms: num("p50_us") / 1000.0,
        p99_ms: num("p99_us") / 1000.0,
        errors,
    })
}
