//! The webhook pipeline: calls POSTed by `wrk`, at full speed (8 connections by default)
//! or at a steady rate (`--webhook-rate`, 546 calls/s by default: what Svix OSS reached,
//! created and delivered, on the issue's 2-core machine), into a real `aftercall serve`
//! with its dispatcher on, an account whose agent has one signed webhook action (Standard
//! Webhooks) to a receiver the benchmark runs on 127.0.0.1, and nothing else configured. Each call is stored, analysed, and its
//! `conversation.analyzed` webhook delivered through the durable job queue; the receiver
//! notes when each delivery arrived and answers 200.
//!
//! The figures are the ones a webhook service is judged on: calls taken per second while
//! dispatching, webhooks delivered per second over the whole run (first call received to
//! last delivery, so a backlog that drains after the load lowers it), the time from a
//! call's receipt (`conversations.received_at`) to its delivery, and how long after the
//! load ended the last delivery arrived.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use sea_orm::{ConnectionTrait, Statement};

use super::target::Target;

/// How the webhook run loads the server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Load {
    /// As fast as `connections` can post: ingest outruns dispatch, and the figures say how
    /// fast the backlog drains.
    FullSpeed { connections: usize },
    /// Calls at a steady rate per second ([`super::wrk::steady`]): whether dispatch keeps
    /// up with calls arriving that fast (a webhook service's figure: created **and**
    /// delivered at the rate, with no backlog).
    Rate(f64),
}

/// What the webhook run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Pipeline {
    pub load: Load,
    /// Calls answered 202 per second during the load.
    pub calls_per_s: f64,
    /// Calls stored.
    pub calls: u64,
    /// Deliveries that reached the receiver (one per call when none is lost).
    pub delivered: u64,
    /// Deliveries per second from the first call's receipt to the last delivery.
    pub delivered_per_s: f64,
    /// Call received → webhook received, in milliseconds.
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Seconds after the load ended until the last delivery arrived.
    pub drained_after_s: f64,
}

impl Pipeline {
    /// The report line `aftercall bench` and `aftercall bench webhooks` print.
    pub fn line(&self) -> String {
        let load = match self.load {
            Load::FullSpeed { connections } => format!(
                "webhook pipeline ({connections} connections at full speed, call → analysis → signed webhook \
                 delivered to a local receiver): ingest {:.0} calls/s while dispatching",
                self.calls_per_s
            ),
            Load::Rate(rate) => format!(
                "webhook pipeline at {rate:.0} calls/s (achieved {:.0}, call → analysis → signed webhook delivered \
                 to a local receiver)",
                self.calls_per_s
            ),
        };
        format!(
            "{load}; {} of {} webhooks delivered, {:.0}/s from the first call to the last delivery; call received → \
             webhook received p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; last delivery {:.1} s after the load ended",
            self.delivered,
            self.calls,
            self.delivered_per_s,
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.drained_after_s
        )
    }
}

/// Runs only the webhook pipeline (`aftercall bench webhooks`) and prints its line.
///
/// Errors: as [`measure`], and when `wrk` is missing.
pub async fn run_alone(exe: &Path, database_url: Option<&str>, load: Load, seconds: u64) -> Result<()> {
    super::which("wrk").context("wrk is not installed: apt-get install wrk (scripts/setup --test installs it)")?;
    let dir = tempfile::tempdir().context("a temporary folder")?;
    let pipeline = measure(exe, database_url, load, seconds, dir.path()).await?;
    println!("{}", pipeline.line());
    Ok(())
}

/// Arrival time (Unix seconds) by conversation id, and deliveries that carried no
/// `webhook-signature`.
#[derive(Default)]
struct Received {
    arrivals: HashMap<String, f64>,
    unsigned: u64,
}

/// Starts the receiver on 127.0.0.1 and returns its URL. It runs until the runtime ends.
async fn receiver(received: Arc<Mutex<Received>>) -> Result<String> {
    async fn take(
        axum::extract::State(received): axum::extract::State<Arc<Mutex<Received>>>,
        headers: axum::http::HeaderMap,
        body: axum::body::Bytes,
    ) -> axum::http::StatusCode {
        let now = super::unix_s(chrono::Utc::now());
        let id = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["data"]["conversation"]["id"].as_str().map(str::to_owned));
        if let (Some(id), Ok(mut received)) = (id, received.lock()) {
            if !headers.contains_key("webhook-signature") {
                received.unsigned += 1;
            }
            received.arrivals.entry(id).or_insert(now);
        }
        axum::http::StatusCode::OK
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/hook", listener.local_addr()?);
    let app = axum::Router::new().route("/hook", axum::routing::post(take)).with_state(received);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}

/// Runs the pipeline for `seconds` under `load` on a fresh database of
/// `database_url` (SQLite in `dir` when `None`). Waits at most 120 s after the load for
/// the last delivery.
///
/// Errors: the server does not start, the action cannot be created, wrk fails, or a
/// delivery never arrives.
pub async fn measure(exe: &Path, database_url: Option<&str>, load: Load, seconds: u64, dir: &Path) -> Result<Pipeline> {
    let name = match load {
        Load::FullSpeed { .. } => "webhooks",
        Load::Rate(_) => "webhooks-rate",
    };
    let target = Target::prepare(database_url, dir, name).await?;
    let result = run(exe, &target, load, seconds, dir).await;
    target.cleanup().await;
    result
}

async fn run(exe: &Path, target: &Target, load: Load, seconds: u64, dir: &Path) -> Result<Pipeline> {
    let key = target.create_bare_account().await?;
    let received = Arc::new(Mutex::new(Received::default()));
    let hook = receiver(received.clone()).await?;
    let server = super::ingest::Server::start_with(
        exe,
        target.url(),
        dir,
        &[("AFTERCALL_JOBS__RUN_IN_SERVER", "true"), ("AFTERCALL_OUTBOUND__ALLOW_PRIVATE", r#"["127.0.0.1/32"]"#)],
        "webhooks-serve.log",
    )
    .await?;
    let http = reqwest::Client::new();
    for (path, body) in [
        ("/api/v1/agents", serde_json::json!({"external_id": "bench-desk", "name": "Bench desk"})),
        (
            "/api/v1/agents/bench-desk/actions",
            serde_json::json!({"kind": "webhook", "name": "Bench receiver", "url": hook, "enabled": true}),
        ),
    ] {
        let resp = http.post(format!("{}{path}", server.base)).bearer_auth(&key).json(&body).send().await?;
        if resp.status().as_u16() != 201 {
            let status = resp.status();
            bail!("POST {path} answered {status}: {}", resp.text().await.unwrap_or_default());
        }
    }
    let (connections, pacing) = match load {
        Load::FullSpeed { connections } => (connections, String::new()),
        Load::Rate(rate) => super::wrk::steady(rate),
    };
    let script = format!("KEY = \"{key}\"\n{}{}{pacing}", super::wrk::THREADS_LUA, super::wrk::CALLS_LUA);
    let url = format!("{}/api/v1/calls", server.base);
    let wrk = super::wrk::run(dir, "webhooks", &script, &url, connections, seconds, &["hook"]).await?;
    let loaded = Instant::now();

    let db = backend::db::connect(target.url(), 2).await?;
    let backend = db.get_database_backend();
    // Counted again each time: a request wrk gave up on at the end may still be stored.
    let stored = || async {
        let row = db
            .query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM conversations"))
            .await?
            .context("no count")?;
        Ok::<_, anyhow::Error>(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
    };
    let delivered = || received.lock().map(|r| r.arrivals.len() as u64).unwrap_or(0);
    let mut calls = stored().await?;
    while delivered() < calls {
        if loaded.elapsed() > Duration::from_secs(120) {
            server.stop().await;
            bail!("{} of {calls} webhooks arrived within 120 s of the load's end", delivered());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        calls = stored().await?;
    }
    server.stop().await;
    let (arrivals, unsigned) = {
        let r = received.lock().map_err(|_| anyhow::anyhow!("the receiver panicked"))?;
        (r.arrivals.clone(), r.unsigned)
    };
    if unsigned > 0 {
        bail!("{unsigned} deliveries carried no webhook-signature");
    }
    let rows = db.query_all_raw(Statement::from_string(backend, "SELECT id, received_at FROM conversations")).await?;
    db.close().await.ok();
    let (mut latencies, mut first, mut last) = (Vec::with_capacity(rows.len()), f64::MAX, 0.0f64);
    for row in rows {
        let id: uuid::Uuid = row.try_get("", "id")?;
        let at_server = super::unix_s(row.try_get("", "received_at")?);
        first = first.min(at_server);
        if let Some(at) = arrivals.get(&id.to_string()) {
            latencies.push((at - at_server) * 1000.0);
            last = last.max(*at);
        }
    }
    if latencies.is_empty() {
        bail!("no webhook matched a stored call");
    }
    let latencies = super::Latencies::new(latencies);
    let at = |q: f64| latencies.at(q);
    let loaded_at = super::unix_s(chrono::Utc::now()) - loaded.elapsed().as_secs_f64();
    Ok(Pipeline {
        load,
        calls_per_s: wrk.per_s,
        calls,
        delivered: latencies.len() as u64,
        delivered_per_s: latencies.len() as f64 / (last - first).max(1e-3),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        drained_after_s: (last - loaded_at).max(0.0),
    })
}
