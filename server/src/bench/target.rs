//! The database a benchmark runs on: a fresh SQLite file, or a fresh database on a
//! PostgreSQL server (dropped afterwards), migrated, with one account.

use std::path::Path;

use anyhow::{Context, Result};
use sea_orm::ConnectionTrait;

/// The benchmark account owner's sign-in email.
pub const OWNER_EMAIL: &str = "bench@example.com";
/// The benchmark account owner's password.
pub const OWNER_PASSWORD: &str = "a bench password";

/// A fresh, migrated database.
pub struct Target {
    url: String,
    /// PostgreSQL: the server's URL and the database to drop afterwards.
    postgres: Option<(String, String)>,
}

impl Target {
    /// A new SQLite file `<name>.db` in `dir`, or a new database on the PostgreSQL server
    /// `url`.
    ///
    /// Errors: the server cannot be reached, or the role may not create databases.
    pub async fn prepare(url: Option<&str>, dir: &Path, name: &str) -> Result<Self> {
        let target = match url {
            None => Self { url: format!("sqlite://{}/{name}.db?mode=rwc", dir.display()), postgres: None },
            Some(server) => {
                let admin = sea_orm::Database::connect(server).await.context("connecting to --database-url")?;
                let name = format!("aftercall_bench_{}", uuid::Uuid::new_v4().simple());
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .context("CREATE DATABASE (the role needs CREATEDB)")?;
                admin.close().await.ok();
                let (base, rest) = server.rsplit_once('/').context("--database-url has no database path")?;
                let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                Self { url: format!("{base}/{name}{query}"), postgres: Some((server.to_owned(), name)) }
            }
        };
        let db = backend::db::connect(&target.url, 2).await.context("connecting to the benchmark database")?;
        backend::db::migrate(&db).await.context("migrating the benchmark database")?;
        db.close().await.ok();
        Ok(target)
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the database is on PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
    }

    /// `SQLite` or `PostgreSQL`.
    pub fn label(&self) -> String {
        if self.postgres.is_some() { "PostgreSQL".into() } else { "SQLite".into() }
    }

    /// Creates the benchmark's account (agents are created by ingest) with its always-send
    /// notification (an email, a team alert and a task per call) and returns its API key.
    ///
    /// Errors: database errors.
    pub async fn create_account(&self) -> Result<String> {
        self.account(true).await
    }

    /// Creates the benchmark's account with nothing configured (what a call causes is then
    /// up to the caller, e.g. one webhook action) and returns its API key.
    ///
    /// Errors: database errors.
    pub async fn create_bare_account(&self) -> Result<String> {
        self.account(false).await
    }

    async fn account(&self, every_call: bool) -> Result<String> {
        let db = backend::db::connect(&self.url, 2).await?;
        let created = backend::identity::accounts::create_account(
            &db,
            &backend::identity::passwords::Hasher::new(1),
            backend::identity::accounts::NewAccount {
                account_name: "Bench".into(),
                owner_name: None,
                owner_email: OWNER_EMAIL.into(),
                owner_password: OWNER_PASSWORD.into(),
                auto_create_agents: true,
                email_verified: true,
                first_api_key: Some("bench".into()),
            },
        )
        .await
        .context("creating the benchmark account")?;
        let key = created.api_key.context("the account has no API key")?.secret;
        if !every_call {
            db.close().await.ok();
            return Ok(key);
        }
        // Each call: an email (kept in the outbox: no SMTP), an alert for the team, a task.
        use backend::notifications::{EmailTemplateInput, NotificationInput, Recipients, TaskInput, TeamAlertInput};
        let every_call = NotificationInput {
            name: "Every call".into(),
            enabled: true,
            trigger: backend::notifications::TriggerInput { always: Some(true), condition: None },
            conditions: Vec::new(),
            recipients: Recipients { fixed: vec!["ops@example.com".into()], ..Default::default() },
            email: EmailTemplateInput {
                subject: "Call from {{ customer_number }}".into(),
                body: "{{ conversation_summary }}\n\n{{ conversation_url }}".into(),
            },
            team_alert: TeamAlertInput::Mode("all".into()),
            task: Some(TaskInput { priority: "high".into(), assignee: None, due_in_hours: None }),
            digest: None,
        };
        let owner = backend::tenancy::Actor::Member(created.owner);
        backend::notifications::create(&db, &owner, None, every_call, backend::notifications::Save::Publish)
            .await
            .context("creating the benchmark notification")?;
        db.close().await.ok();
        Ok(key)
    }

    /// Drops a PostgreSQL benchmark database (a SQLite file goes with its folder).
    pub async fn cleanup(&self) {
        if let Some((server, name)) = &self.postgres
            && let Ok(admin) = sea_orm::Database::connect(server.as_str()).await
        {
            let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
            admin.close().await.ok();
        }
    }
}

/// Signs in as the bench account's owner on the server at `base`, as the sign-in form
/// does, and gives the session's `Cookie` header value.
///
/// Errors: the request fails, or the server does not answer the redirect of a sign-in.
pub async fn sign_in(base: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let resp = http
        .post(format!("{base}/api/sign_in"))
        .header("accept", "text/html")
        .header("origin", base)
        .header("referer", format!("{base}/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={}&password={}", OWNER_EMAIL.replace('@', "%40"), OWNER_PASSWORD.replace(' ', "+")))
        .send()
        .await?;
    anyhow::ensure!(resp.status().as_u16() == 302, "signing in answered {}", resp.status());
    let cookies: Vec<String> = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect();
    Ok(cookies.join("; "))
}
