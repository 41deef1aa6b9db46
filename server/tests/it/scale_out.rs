//! Scale-out on one PostgreSQL: two real `aftercall serve` processes (the second with
//! `jobs.run_in_server = false`, a web process only) and two `aftercall worker` processes.
//! 2,000 calls are POSTed across both web processes; afterwards each call was analysed once
//! (one `AnalyzeCall` attempt in all of the processes' `/metrics`, spread over more than one
//! of them), each email reached the SMTP server once with its own Message-ID, and a
//! dashboard's live-alert stream on the web-only process received every alert, all of them
//! made by other processes and told to it by `LISTEN`/`NOTIFY`.
//!
//! The web-only process has no poll for alerts on PostgreSQL: an alert it did not hear of
//! by `NOTIFY` never reaches its stream. The stream's latency (alert stored → event read) is
//! printed, not asserted: here it is a debug build sharing two cores with three other
//! processes and PostgreSQL mid-burst; the goal (p99 ≤ 100 ms) is measured by
//! `aftercall bench --database-url …` on a release build.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{fresh_postgres_url, repo_root};
use crate::smtp::SmtpServer;

/// Calls POSTed, alternately to each web process.
const CALLS: usize = 2_000;
/// Requests in flight at once against each web process.
const POSTERS_PER_PROCESS: usize = 4;

/// A running `aftercall` process, SIGKILLed on drop.
struct Process(Child);

impl Process {
    fn spawn(config: &Path, command: &str) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_aftercall"))
            .arg("--config")
            .arg(config)
            .arg(command)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start aftercall");
        Self(child)
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_listening(port: u16) {
    for _ in 0..400 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("nothing listened on {port}");
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// One process's configuration: its own listen and metrics addresses, everything else
/// shared (database, SMTP server, installation key).
fn write_config(dir: &Path, name: &str, shared: &str, port: u16, metrics_port: u16, run_jobs: bool) -> PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(
        &path,
        format!(
            "[server]\naddr = \"127.0.0.1:{port}\"\n[metrics]\naddr = \"127.0.0.1:{metrics_port}\"\n\
             [jobs]\nrun_in_server = {run_jobs}\n{shared}"
        ),
    )
    .unwrap();
    path
}

/// `CALLS` call-ended events: the fixture calls, each under many call ids.
fn events() -> Vec<Value> {
    let dir = repo_root().join("fixtures/calls/events");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let bases: Vec<Value> =
        paths.iter().map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()).collect();
    (0..CALLS)
        .map(|i| {
            let mut event = bases[i % bases.len()].clone();
            event["call_id"] = json!(format!("scale-{i}"));
            event["agent_id"] = json!("desk");
            event
        })
        .collect()
}

/// The sum of `aftercall_job_duration_seconds_count` for `AnalyzeCall` attempts that ended
/// `done` on the metrics listener at `port`.
async fn analyses_run(http: &reqwest::Client, port: u16) -> u64 {
    let text = http.get(format!("http://127.0.0.1:{port}/metrics")).send().await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("aftercall_job_duration_seconds_count{"))
        .filter(|l| l.contains("kind=\"AnalyzeCall\"") && l.contains("outcome=\"done\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Reads `alert` events from the stream into `seen` (alert id → when read).
async fn read_alerts(mut resp: reqwest::Response, seen: Arc<Mutex<HashMap<String, chrono::DateTime<chrono::Utc>>>>) {
    let mut buffer = String::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let now = chrono::Utc::now();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().any(|l| l == "event: alert") {
                let data: String = block.lines().filter_map(|l| l.strip_prefix("data: ")).collect();
                let alert: Value = serde_json::from_str(&data).unwrap();
                let id = alert["id"].as_str().unwrap().to_owned();
                assert!(seen.lock().unwrap().insert(id, now).is_none(), "an alert was streamed twice");
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres)")]
async fn two_web_and_two_worker_processes_share_the_work_once_and_stream_each_others_alerts() {
    backend::install_crypto_provider();
    let database_url = fresh_postgres_url().await.expect("TEST_DATABASE_URL must be set");
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start().await;
    let shared = format!(
        "[database]\nurl = \"{database_url}\"\n[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n[log]\nfilter = \"error\"\n\
         [secrets]\nkey_file = \"{}\"\n",
        smtp.port,
        dir.path().join("aftercall.key").display()
    );
    let (web_a, web_b) = (free_port(), free_port());
    let metrics: Vec<u16> = (0..4).map(|_| free_port()).collect();
    let config_a = write_config(dir.path(), "web-a", &shared, web_a, metrics[0], true);
    let config_b = write_config(dir.path(), "web-b", &shared, web_b, metrics[1], false);
    let config_w1 = write_config(dir.path(), "worker-1", &shared, free_port(), metrics[2], true);
    let config_w2 = write_config(dir.path(), "worker-2", &shared, free_port(), metrics[3], true);

    let out = Command::new(env!("CARGO_BIN_EXE_aftercall"))
        .arg("--config")
        .arg(&config_a)
        .args([
            "account", "create", "--name", "Scale Co", "--owner-email", "owner@scale.example", "--owner-password",
            "a long password 1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let api_key = serde_json::from_slice::<Value>(&out.stdout).unwrap()["api_key"].as_str().unwrap().to_owned();

    let _processes = [
        Process::spawn(&config_a, "serve"),
        Process::spawn(&config_b, "serve"),
        Process::spawn(&config_w1, "worker"),
        Process::spawn(&config_w2, "worker"),
    ];
    for port in [web_a, web_b].iter().chain(&metrics) {
        wait_listening(*port).await;
    }
    let bases = [format!("http://127.0.0.1:{web_a}"), format!("http://127.0.0.1:{web_b}")];
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let resp = http
        .post(format!("{}/api/v1/agents", bases[0]))
        .bearer_auth(&api_key)
        .json(&json!({"external_id": "desk", "name": "Desk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let notification = json!({"name": "Follow up", "trigger": {"always": true},
        "recipients": {"fixed": ["ops@scale.example"]},
        "email": {"subject": "{{ agent_name }}: {{ conversation_uuid }}", "body": "{{ conversation_summary }}"},
        "team_alert": "all"});
    let resp = http
        .post(format!("{}/api/v1/agents/desk/notifications", bases[1]))
        .bearer_auth(&api_key)
        .json(&notification)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);

    // The owner's dashboard, signed in on the web-only process, streams its alerts.
    let browser =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = browser
        .post(format!("{}/api/sign_in", bases[1]))
        .header("accept", "text/html")
        .header("origin", &bases[1])
        .header("referer", format!("{}/signin", bases[1]))
        .form(&[("email", "owner@scale.example"), ("password", "a long password 1")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302, "signed in");
    let stream = browser.get(format!("{}/events/alerts", bases[1])).send().await.unwrap();
    assert_eq!(stream.status().as_u16(), 200);
    let streamed = Arc::new(Mutex::new(HashMap::new()));
    let reader = tokio::spawn(read_alerts(stream, streamed.clone()));

    // POST every call, alternating between the web processes, a few in flight at each.
    let started = Instant::now();
    let queue = Arc::new(Mutex::new(events().into_iter().enumerate().collect::<Vec<_>>()));
    let mut posters = Vec::new();
    for poster in 0..2 * POSTERS_PER_PROCESS {
        let (http, base, key, queue) = (http.clone(), bases[poster % 2].clone(), api_key.clone(), queue.clone());
        posters.push(tokio::spawn(async move {
            loop {
                let Some((_, event)) = queue.lock().unwrap().pop() else { return };
                let resp =
                    http.post(format!("{base}/api/v1/calls")).bearer_auth(&key).json(&event).send().await.unwrap();
                assert_eq!(resp.status().as_u16(), 202, "{}", resp.text().await.unwrap_or_default());
            }
        }));
    }
    for poster in posters {
        poster.await.unwrap();
    }
    let ingested = started.elapsed();

    let db = Database::connect(&database_url).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let open = scalar(&db, "SELECT COUNT(*) AS n FROM jobs WHERE state <> 'done'").await;
        let dead = scalar(&db, "SELECT COUNT(*) AS n FROM jobs WHERE state = 'dead'").await;
        assert_eq!(dead, 0, "no job may die");
        if open == 0 && streamed.lock().unwrap().len() >= CALLS {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{open} jobs open, {} alerts streamed after 300 s",
            streamed.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let finished = started.elapsed();
    let n = CALLS as i64;
    assert_eq!(scalar(&db, "SELECT COUNT(DISTINCT call_id) AS n FROM conversations").await, n, "each call stored once");
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM analyses").await, n, "one analysis per call");
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM notification_runs").await, n, "one run per call");

    // Analysed once: one successful AnalyzeCall attempt per call across every process,
    // and the work was shared (the web-only process ran none).
    let mut runs = Vec::new();
    for port in &metrics {
        runs.push(analyses_run(&http, *port).await);
    }
    assert_eq!(runs[1], 0, "the web-only process runs no jobs");
    assert_eq!(runs.iter().sum::<u64>(), CALLS as u64, "each call analysed once: {runs:?}");
    assert!(runs.iter().filter(|r| **r > 0).count() >= 2, "the work was shared: {runs:?}");

    // Sent once: every email at the SMTP server, each Message-ID exactly once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let messages = loop {
        let messages = smtp.messages();
        if messages.len() >= CALLS || Instant::now() > deadline {
            break messages;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let ids: HashSet<String> = messages
        .iter()
        .map(|m| {
            use mailparse::MailHeaderMap;
            mailparse::parse_mail(m).unwrap().get_headers().get_first_value("Message-ID").unwrap()
        })
        .collect();
    assert_eq!(messages.len(), CALLS, "one email per call");
    assert_eq!(ids.len(), CALLS, "each email sent once, under its own Message-ID");

    // Streamed across processes: every alert, once, on the web-only process.
    let stored: HashMap<String, chrono::DateTime<chrono::Utc>> = backend::entities::alert::Entity::find()
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id.to_string(), a.created_at))
        .collect();
    assert_eq!(stored.len(), CALLS, "one alert per call");
    let streamed = streamed.lock().unwrap().clone();
    reader.abort();
    assert_eq!(streamed.keys().collect::<HashSet<_>>(), stored.keys().collect::<HashSet<_>>(), "every alert streamed");
    let mut latencies: Vec<i64> = streamed.iter().map(|(id, at)| (*at - stored[id]).num_milliseconds()).collect();
    latencies.sort_unstable();
    let (p50, p99) = (latencies[latencies.len() / 2], latencies[latencies.len() * 99 / 100]);
    eprintln!(
        "scale-out: {CALLS} calls POSTed in {:.1} s, all work done in {:.1} s; AnalyzeCall runs per process (web A, web B, worker 1, worker 2) {runs:?}; alert stored → SSE event on the other process p50 {p50} ms, p99 {p99} ms",
        ingested.as_secs_f64(),
        finished.as_secs_f64()
    );
}
