//! Email through lettre's SMTP transport to a real SMTP server process (aiosmtpd with its
//! Maildir handler), read back from the mailbox.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Db, call, spawn_app};

/// An aiosmtpd server delivering into a Maildir; killed on drop.
pub struct SmtpServer {
    child: Child,
    pub port: u16,
    pub maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python() -> String {
    std::env::var("AFTERCALL_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".to_owned())
}

impl SmtpServer {
    /// Starts `python3 -m aiosmtpd` on a free port (install: `scripts/setup --test`, which
    /// installs Debian's python3-aiosmtpd).
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        Self::start_on(port).await
    }

    /// Starts it on `port` (an SMTP server that comes back after an outage).
    pub async fn start_on(port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let mut child = Command::new(python())
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} -m aiosmtpd ({e}); run scripts/setup --test", python()));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { child, port, maildir, _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("aiosmtpd did not listen on {port}; is python3-aiosmtpd installed? (scripts/setup --test)");
    }

    /// The raw messages delivered so far.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        read_maildir(&self.maildir)
    }

    /// The messages delivered so far as `(To, Subject, decoded text part)`.
    pub fn texts(&self) -> Vec<(String, String, String)> {
        use mailparse::MailHeaderMap;
        self.messages()
            .iter()
            .filter_map(|raw| {
                let parsed = mailparse::parse_mail(raw).ok()?;
                let headers = parsed.get_headers();
                let to = headers.get_first_value("To").unwrap_or_default();
                let subject = headers.get_first_value("Subject").unwrap_or_default();
                let text = parsed
                    .subparts
                    .iter()
                    .find(|p| p.ctype.mimetype == "text/plain")
                    .and_then(|p| p.get_body().ok())
                    .or_else(|| parsed.get_body().ok())
                    .unwrap_or_default();
                Some((to, subject, text))
            })
            .collect()
    }
}

fn read_maildir(maildir: &Path) -> Vec<Vec<u8>> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return Vec::new() };
    entries.filter_map(|e| e.ok()).filter_map(|e| std::fs::read(e.path()).ok()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_reach_a_real_smtp_server_with_subject_recipients_and_rendered_variables() {
    let smtp = SmtpServer::start().await;
    let extra = format!(
        "[smtp]\nurl = \"smtp://127.0.0.1:{}\"\nfrom = \"Aftercall Alerts <alerts@aftercall.test>\"\n",
        smtp.port
    );
    let app = spawn_app(Db::Sqlite, &extra).await.unwrap();
    let t = app.tenant("Acme").await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents",
        &json!({"external_id": "desk", "name": "Front desk", "timezone": "America/New_York"}),
    )
    .await;
    let (status, _) = app
        .api_send(
            Method::POST,
            &t.api_key,
            "/api/v1/agents/desk/notifications",
            &json!({
                "name": "Callback requested",
                "trigger": {"condition": "Did the customer ask to be called back?"},
                "recipients": {"fixed": ["ops@example.com", "lead@example.com"]},
                "email": {
                    "subject": "Callback for {{ customer_number }} ({{ agent_name }})",
                    "body": "# Callback\n\nCaller: {{ customer_number }}, {{ customer_name }}\nWhen: {{ conversation_date }} ({{ conversation_duration }})\n\n{{ conversation_summary }}\n\n[Open the call]({{ conversation_url }})"
                },
                "team_alert": "off"
            }),
        )
        .await;
    assert_eq!(status, 201);
    let created: Value = app.post_call(&t.api_key, &call("smtp-1", "desk")).await.json().await.unwrap();
    let id = created["conversation_id"].as_str().unwrap().to_owned();
    app.drain().await;

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "one email for one recipient list");
    let parsed = mailparse::parse_mail(&messages[0]).unwrap();
    use mailparse::MailHeaderMap;
    let headers = parsed.get_headers();
    assert_eq!(headers.get_first_value("Subject").unwrap(), "Callback for +14155550141 (Front desk)");
    let to = headers.get_first_value("To").unwrap();
    assert!(to.contains("ops@example.com") && to.contains("lead@example.com"), "{to}");
    assert!(headers.get_first_value("From").unwrap().contains("alerts@aftercall.test"));
    let message_id = headers.get_first_value("Message-ID").unwrap();
    assert!(message_id.ends_with("@127.0.0.1>"), "{message_id}");
    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    let text = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/plain").unwrap().get_body().unwrap();
    let html = parsed.subparts.iter().find(|p| p.ctype.mimetype == "text/html").unwrap().get_body().unwrap();
    assert!(text.contains("Caller: +14155550141, (not available)"), "unknown name renders the fallback: {text}");
    assert!(text.contains("When: 2026-11-20 04:18 EST (01:30)"), "date in the agent's time zone: {text}");
    assert!(text.contains("call me back tomorrow"), "summary: {text}");
    assert!(html.contains("<h1>Callback</h1>"), "{html}");
    assert!(html.contains(&format!("<a href=\"{}/conversations/{id}\">Open the call</a>", app.base)), "{html}");
    let (_, conv) = app.api_get(&t.api_key, &format!("/api/v1/conversations/{id}")).await;
    assert_eq!(conv["notification_runs"][0]["email_state"], "sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_smtp_server_is_retried_and_the_email_is_not_lost() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let extra = format!("[smtp]\nurl = \"smtp://127.0.0.1:{port}\"\ntimeout_secs = 2\n");
    let app = spawn_app(Db::Sqlite, &extra).await.unwrap();
    let t = app.tenant("Acme").await;
    app.api_send(Method::POST, &t.api_key, "/api/v1/agents", &json!({"external_id": "desk"})).await;
    app.api_send(
        Method::POST,
        &t.api_key,
        "/api/v1/agents/desk/notifications",
        &json!({"name": "All", "trigger": {"always": true}, "recipients": {"fixed": ["ops@example.com"]}, "email": {"subject": "s", "body": "b"}}),
    )
    .await;
    let created: Value = app.post_call(&t.api_key, &call("c", "desk")).await.json().await.unwrap();
    app.drain().await;
    let (_, conv) = app
        .api_get(&t.api_key, &format!("/api/v1/conversations/{}", created["conversation_id"].as_str().unwrap()))
        .await;
    assert_eq!(conv["notification_runs"][0]["email_state"], "retrying", "a connection failure is transient");
    assert_eq!(app.count("jobs").await, 2);
}
