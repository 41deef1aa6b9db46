//! Crash safety: the real `aftercall serve` process is killed with SIGKILL again and again
//! while real fixture calls are POSTed to it, and restarted each time. Afterwards every
//! accepted call has exactly one notification run per enabled notification, every email
//! reached the SMTP server (duplicates only where the guarantee allows: a kill between the
//! server's acceptance and the job's completion, same Message-ID), and every webhook got
//! exactly one success per event except for such kills, with one `webhook-id`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::delivery::Receiver;
use crate::helpers::{fresh_postgres_url, repo_root};
use crate::smtp::SmtpServer;

/// Copies of each fixture call (with distinct call ids) to replay.
const COPIES: usize = 4;
/// SIGKILLs at least.
const KILLS: usize = 6;
/// Jobs one server process runs at once (bounds what one kill can duplicate).
const CONCURRENCY: usize = 4;

struct Server {
    child: Child,
}

impl Server {
    fn spawn(config: &Path) -> Self {
        let child = Command::new(env!("CARGO_BIN_EXE_aftercall"))
            .arg("--config")
            .arg(config)
            .arg("serve")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aftercall serve");
        Self { child }
    }

    /// SIGKILL (std's `Child::kill` on Unix), then reap.
    fn kill(self) {
        drop(self);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row =
        db.query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned())).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn wait_listening(port: u16) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("aftercall serve did not listen on {port}");
}

fn fixture_events() -> Vec<Value> {
    let dir = repo_root().join("fixtures/calls/events");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    let mut events = Vec::new();
    for path in names {
        let base: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for copy in 0..COPIES {
            let mut event = base.clone();
            event["call_id"] = json!(format!("{}-{copy}", base["call_id"].as_str().unwrap()));
            event["agent_id"] = json!("desk");
            events.push(event);
        }
    }
    events
}

async fn crash_and_recover(database_url: String) {
    backend::install_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let smtp = SmtpServer::start().await;
    let receiver = Receiver::start(&[503, 500, 429]).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = dir.path().join("aftercall.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\naddr = \"127.0.0.1:{port}\"\n[database]\nurl = \"{database_url}\"\n[smtp]\nurl = \"smtp://127.0.0.1:{}\"\n\
             [jobs]\nconcurrency = {CONCURRENCY}\nlease_secs = 2\npoll_interval_ms = 100\nbackoff_base_secs = 1\nbackoff_max_secs = 2\n\
             [webhooks]\nretry_schedule_secs = [0.2, 0.2, 0.5, 1, 1, 1, 1]\n[log]\nfilter = \"error\"\n\
             [outbound]\nallow_private = [\"127.0.0.0/8\"]\n[secrets]\nkey_file = \"{}\"\n",
            smtp.port,
            dir.path().join("aftercall.key").display()
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aftercall"))
        .arg("--config")
        .arg(&config)
        .args([
            "account", "create", "--name", "Crash Co", "--owner-email", "owner@crash.example", "--owner-password",
            "a long password 1",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    let api_key = created["api_key"].as_str().unwrap().to_owned();

    let mut server = Server::spawn(&config);
    wait_listening(port).await;
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
    let resp = http
        .post(format!("{base}/api/v1/agents"))
        .bearer_auth(&api_key)
        .json(&json!({"external_id": "desk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    for (name, to) in [("Ops", "ops@crash.example"), ("Sales", "sales@crash.example")] {
        let body = json!({"name": name, "trigger": {"always": true}, "recipients": {"fixed": [to]}, "email": {"subject": "{{ agent_name }}: {{ conversation_uuid }}", "body": "{{ conversation_summary }}"}});
        let resp = http
            .post(format!("{base}/api/v1/agents/desk/notifications"))
            .bearer_auth(&api_key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
    }
    let resp = http
        .post(format!("{base}/api/v1/agents/desk/actions"))
        .bearer_auth(&api_key)
        .json(&json!({"kind": "webhook", "name": "CRM", "url": receiver.url}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let db = Database::connect(&database_url).await.unwrap();

    // POST every event, retrying each until the server answers (it may be dead or restarting).
    let events = fixture_events();
    let total = events.len();
    let done = Arc::new(AtomicBool::new(false));
    let poster = {
        let (http, base, key, done) = (http.clone(), base.clone(), api_key.clone(), done.clone());
        tokio::spawn(async move {
            let mut answers: HashMap<String, u16> = HashMap::new();
            for event in events {
                let call_id = event["call_id"].as_str().unwrap().to_owned();
                loop {
                    match http.post(format!("{base}/api/v1/calls")).bearer_auth(&key).json(&event).send().await {
                        Ok(r) if matches!(r.status().as_u16(), 200 | 202) => {
                            answers.insert(call_id, r.status().as_u16());
                            break;
                        }
                        Ok(r) => panic!("unexpected {} for {call_id}", r.status()),
                        Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                    }
                }
            }
            done.store(true, Ordering::SeqCst);
            answers
        })
    };
    let mut kills = 0;
    let mut pause = 250u64;
    while kills < KILLS || !done.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(pause)).await;
        pause = 150 + (pause * 7 + 113) % 500;
        server.kill();
        kills += 1;
        server = Server::spawn(&config);
        wait_listening(port).await;
    }
    let answers = poster.await.unwrap();
    assert_eq!(answers.len(), total, "every event was eventually answered");
    let retried_as_duplicate = answers.values().filter(|s| **s == 200).count();

    // Let the last process finish the work.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let open = scalar(&db, "SELECT COUNT(*) AS n FROM jobs WHERE state <> 'done'").await;
        let dead = scalar(&db, "SELECT COUNT(*) AS n FROM jobs WHERE state = 'dead'").await;
        if dead > 0 {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            let dead: Vec<_> = backend::entities::job::Entity::find()
                .filter(backend::entities::job::Column::State.eq("dead"))
                .all(&db)
                .await
                .unwrap()
                .into_iter()
                .map(|j| (j.kind, j.attempts, j.last_error))
                .collect();
            panic!("no job may die: {dead:?}");
        }
        if open == 0 && scalar(&db, "SELECT COUNT(*) AS n FROM analyses").await == total as i64 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs still open after 120 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    server.kill();

    let n = total as i64;
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM conversations").await, n, "one conversation per call");
    assert_eq!(scalar(&db, "SELECT COUNT(DISTINCT call_id) AS n FROM conversations").await, n);
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) AS n FROM notification_runs").await,
        2 * n,
        "one run per enabled notification"
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT conversation_id, notification_id FROM notification_runs) AS d"
        )
        .await,
        2 * n
    );
    assert_eq!(scalar(&db, "SELECT COUNT(*) AS n FROM emails WHERE state = 'sent'").await, 2 * n, "every email sent");
    assert_eq!(
        scalar(&db, "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE state = 'delivered'").await,
        n,
        "every webhook delivered"
    );

    // At the SMTP server: every email, each Message-ID at least once.
    let messages = smtp.messages();
    let mut ids: HashMap<String, usize> = HashMap::new();
    for m in &messages {
        use mailparse::MailHeaderMap;
        let parsed = mailparse::parse_mail(m).unwrap();
        *ids.entry(parsed.get_headers().get_first_value("Message-ID").unwrap()).or_default() += 1;
    }
    assert_eq!(ids.len(), 2 * total, "every email arrived");
    let email_duplicates = messages.len() - ids.len();

    // At the webhook receiver: one success per event, one webhook-id per event.
    let mut successes: HashMap<String, usize> = HashMap::new();
    for r in receiver.received().iter().filter(|r| r.status == 200) {
        *successes.entry(r.headers["webhook-id"].to_str().unwrap().to_owned()).or_default() += 1;
    }
    assert_eq!(successes.len(), total, "every event reached the receiver");
    let stored: HashSet<String> = {
        use sea_orm::EntityTrait;
        backend::entities::webhook_delivery::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.webhook_id)
            .collect()
    };
    assert_eq!(successes.keys().cloned().collect::<HashSet<_>>(), stored);
    let webhook_duplicates: usize = successes.values().map(|c| c - 1).sum();

    // Duplicates only where the guarantee allows them: a send in flight when a process
    // was killed (at most CONCURRENCY per kill).
    eprintln!(
        "crash test: {total} calls, {kills} SIGKILLs, {retried_as_duplicate} re-POSTs answered as duplicates, {} emails ({email_duplicates} duplicate deliveries), {} webhook successes ({webhook_duplicates} duplicates)",
        ids.len(),
        successes.len()
    );
    assert!(email_duplicates + webhook_duplicates <= kills * CONCURRENCY, "more duplicates than kills could cause");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_replay_loses_nothing_and_duplicates_only_in_flight_sends_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    crash_and_recover(format!("sqlite://{}?mode=rwc", dir.path().join("crash.db").display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres)")]
async fn sigkill_during_replay_loses_nothing_and_duplicates_only_in_flight_sends_on_postgres() {
    let url = fresh_postgres_url().await.expect("TEST_DATABASE_URL must be set to run the PostgreSQL variant");
    crash_and_recover(url).await;
}
