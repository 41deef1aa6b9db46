//! Running `wrk` (the load generator every HTTP measurement uses) and reading its summary,
//! and the Lua its scripts share: thread numbers, a unique call per request, and `done()`
//! printing the summary as one `BENCH {json}` line.

use std::path::Path;

use anyhow::{Context, Result, bail};
use tokio::process::Command;

/// Numbers each `wrk` thread (`tid`, from 0).
pub const THREADS_LUA: &str = r#"
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
"#;

/// The most threads [`run`] gives `wrk` (this is a 2-core machine's benchmark).
const MAX_THREADS: usize = 2;

/// The connections and the Lua `delay()` (to append after [`CALLS_LUA`]) for calls at a
/// steady `rate` per second, arriving at random (Poisson) times: each `wrk` thread keeps
/// a schedule of arrivals (exponentially distributed gaps, mean threads ÷ rate), and each
/// connection that is free takes the next arrival and waits until its time on the
/// monotonic clock (LuaJIT's FFI `clock_gettime`). So a response's time does not delay
/// the schedule (the load is open, not paced by the server's answers) as long as a
/// connection is free; arrivals that find every connection busy are sent when one frees,
/// and the reports print the achieved rate. One connection per 5 calls/s, 4 to 256.
pub fn steady(rate: f64) -> (usize, String) {
    let connections = ((rate / 5.0).ceil() as usize).clamp(4, 256);
    let threads = connections.clamp(1, MAX_THREADS);
    let mean_ms = threads as f64 * 1000.0 / rate.max(0.1);
    let pacing = format!(
        r#"MEAN_MS = {mean_ms:.3}
local ffi = require("ffi")
ffi.cdef[[
typedef struct {{ long tv_sec; long tv_nsec; }} bench_timespec;
int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1000000
end
local next_at = nil
function delay()
  local now = now_ms()
  if next_at == nil or next_at < now then next_at = now end
  next_at = next_at - math.log(1 - math.random()) * MEAN_MS
  return math.floor(next_at - now)
end
"#
    );
    (connections, pacing)
}

/// A new call-ended event per request to `POST /api/v1/calls` with the API key `KEY`,
/// its call id `<first script argument>-<thread>-<counter>`; needs [`THREADS_LUA`].
pub const CALLS_LUA: &str = r#"
function init(args)
  counter = 0
  prefix = args[1] .. "-" .. tostring(tid) .. "-"
  math.randomseed(os.time() + tid * 7919)
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
"#;

/// Prints the summary [`run`] reads: requests, duration, latency percentiles, errors.
const DONE_LUA: &str = r#"
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"#;

/// What one `wrk` run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Requests answered without an error, per second of the run.
    pub per_s: f64,
    /// Latency percentiles, in milliseconds (of every request, paced ones included).
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    /// Connect, read, write, timeout errors and non-2xx/3xx answers.
    pub errors: u64,
}

/// Runs `wrk` against `url` with `connections` connections (on up to two threads) for
/// `seconds`, with `script` (written to `dir/<name>.lua`, followed by the shared `done()`)
/// and `args` after `--`.
///
/// Errors: `wrk` cannot start, or prints no summary (its output is in the error).
pub async fn run(
    dir: &Path,
    name: &str,
    script: &str,
    url: &str,
    connections: usize,
    seconds: u64,
    args: &[&str],
) -> Result<Summary> {
    let path = dir.join(format!("{name}.lua"));
    std::fs::write(&path, format!("{script}\n{DONE_LUA}"))?;
    let (threads, connections, duration) =
        (connections.clamp(1, MAX_THREADS).to_string(), connections.to_string(), format!("{seconds}s"));
    let path = path.display().to_string();
    let mut command = vec!["-t", &threads, "-c", &connections, "-d", &duration, "--timeout", "10s", "-s", &path, url];
    if !args.is_empty() {
        command.push("--");
        command.extend_from_slice(args);
    }
    let out = Command::new("wrk").args(&command).output().await.context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(line) = text.lines().find_map(|l| l.strip_prefix("BENCH ")) else {
        bail!("wrk printed no summary: {}{}", text, String::from_utf8_lossy(&out.stderr));
    };
    let v: serde_json::Value = serde_json::from_str(line).context("reading wrk's summary")?;
    let num = |k: &str| v[k].as_f64().unwrap_or_default();
    let errors = v["errors"].as_u64().unwrap_or_default();
    let secs = num("duration_us") / 1e6;
    Ok(Summary {
        per_s: if secs > 0.0 { (num("requests") - errors as f64).max(0.0) / secs } else { 0.0 },
        p50_ms: num("p50_us") / 1000.0,
        p95_ms: num("p95_us") / 1000.0,
        p99_ms: num("p99_us") / 1000.0,
        errors,
    })
}
