//! The test harness: `spawn_app` starts the real application on port 0 with its own fresh
//! database (a SQLite file, or a new PostgreSQL database when `TEST_DATABASE_URL` is set)
//! and no background dispatcher, so tests drain jobs deterministically.

use std::path::{Path, PathBuf};
use std::time::Duration;

use backend::Services;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use server::config::Config;

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A running application for one test.
pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub http: reqwest::Client,
    running: Option<server::Running>,
    _dir: tempfile::TempDir,
}

/// An account created through the CLI's code path, with its owner and API key.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub api_key: String,
    pub email: String,
    pub password: String,
}

/// Runs a test body on SQLite and on PostgreSQL:
/// `db_test!(name_as_a_sentence, |app| { ... });` makes `name::sqlite` and `name::postgres`.
/// The PostgreSQL variant is reported as ignored when the build saw no `TEST_DATABASE_URL`
/// (`server/build.rs`), and fails when it is unset under `CI`.
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        db_test!($name, extra = "", |$app| $body);
    };
    ($name:ident, extra = $extra:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Db::Sqlite, $extra).await.expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(postgres_tests), ignore = "needs PostgreSQL: set TEST_DATABASE_URL (scripts/postgres)")]
            async fn postgres() {
                let $app = $crate::helpers::spawn_app($crate::helpers::Db::Postgres, $extra)
                    .await
                    .expect("TEST_DATABASE_URL must be set to run the PostgreSQL variant");
                $body
            }
        }
    };
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root").to_path_buf()
}

/// A fixture call event from `fixtures/calls/events/`.
pub fn fixture(name: &str) -> Value {
    let path = repo_root().join("fixtures/calls/events").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture JSON")
}

/// A minimal valid event.
pub fn call(call_id: &str, agent_id: &str) -> Value {
    json!({
        "call_id": call_id,
        "agent_id": agent_id,
        "started_at": "2026-11-20T09:18:51Z",
        "ended_at": "2026-11-20T09:20:21Z",
        "end_reason": "customer_hangup",
        "direction": "inbound",
        "from_number": "+14155550141",
        "to_number": "+14155550119",
        "transcript": [
            {"role": "agent", "text": "Hi! How can I help you?"},
            {"role": "user", "text": "Could you call me back tomorrow? I'm driving right now."},
            {"role": "agent", "text": "Of course, we will call you back tomorrow morning. Bye!"}
        ]
    })
}

/// A new empty PostgreSQL database on `TEST_DATABASE_URL`'s server; `None` when unset.
pub async fn fresh_postgres_url() -> Option<String> {
    let admin_url = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty())?;
    let admin = Database::connect(&admin_url).await.expect("connect to TEST_DATABASE_URL");
    let name = format!("aftercall_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("CREATE DATABASE (the role needs CREATEDB)");
    admin.close().await.ok();
    let (base, _) = admin_url.rsplit_once('/').expect("TEST_DATABASE_URL has a database path");
    let query = admin_url.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    Some(format!("{base}/{name}{query}"))
}

/// Starts the app on `db` with `extra_toml` merged over the test defaults. `None` when
/// PostgreSQL is asked for and `TEST_DATABASE_URL` is unset.
pub async fn spawn_app(db: Db, extra_toml: &str) -> Option<TestApp> {
    // Logs go to the test's captured output (shown for failing tests; `RUST_LOG` filters).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = match db {
        Db::Sqlite => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
        Db::Postgres => fresh_postgres_url().await?,
    };
    let site_root = repo_root().join("target/site");
    // Receivers, push services and the LLM server of the tests listen on loopback: the
    // outbound policy allows it here (tests of the policy itself turn it off again).
    let toml = format!(
        "[server]\naddr = \"127.0.0.1:0\"\nsite_root = \"{}\"\n[database]\nurl = \"{url}\"\nmax_connections = 5\n[jobs]\nrun_in_server = false\nbackoff_base_secs = 1\n\
         [outbound]\nallow_private = [\"127.0.0.0/8\", \"::1\"]\n[secrets]\nkey_file = \"{}\"\n",
        site_root.display(),
        dir.path().join("aftercall.key").display()
    );
    let mut config = Config::from_toml(&[&toml, extra_toml]).expect("test config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    if config.server.public_url.trim().is_empty() {
        config.server.public_url = format!("http://{addr}");
    }
    let services = server::services(&config).await.expect("services");
    let running = server::start(&config, services.clone(), listener).await.expect("start");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    Some(TestApp { base: format!("http://{addr}"), services, http, running: Some(running), _dir: dir })
}

impl TestApp {
    /// Creates an account with an owner and an API key (the `account create` code path).
    pub async fn tenant(&self, name: &str) -> Tenant {
        let email = format!("owner-{}@{}.example", uuid::Uuid::new_v4().simple(), name.to_lowercase());
        let password = "correct horse battery".to_owned();
        let created = backend::identity::accounts::create_account(
            &self.services.db,
            &self.services.passwords,
            backend::identity::accounts::NewAccount {
                account_name: name.to_owned(),
                owner_name: Some(format!("{name} Owner")),
                owner_email: email.clone(),
                owner_password: password.clone(),
                auto_create_agents: true,
                email_verified: true,
                first_api_key: Some("test".to_owned()),
            },
        )
        .await
        .expect("create account");
        let key = created.api_key.expect("the first key");
        Tenant { api_key: key.secret, email, password }
    }

    /// `POST /api/v1/calls` with `key` and a JSON body.
    pub async fn post_call(&self, key: &str, body: &Value) -> reqwest::Response {
        self.post_raw(key, serde_json::to_vec(body).expect("json")).await
    }

    /// `POST /api/v1/calls` with raw bytes.
    pub async fn post_raw(&self, key: &str, body: Vec<u8>) -> reqwest::Response {
        self.http
            .post(format!("{}/api/v1/calls", self.base))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request")
    }

    /// GET an API path with `key`; returns status and JSON body (Null when not JSON).
    pub async fn api_get(&self, key: &str, path: &str) -> (u16, Value) {
        let resp = self.http.get(format!("{}{path}", self.base)).bearer_auth(key).send().await.expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Sends `method` to an API path with `key` and a JSON body.
    pub async fn api_send(&self, method: reqwest::Method, key: &str, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Runs every due job to completion.
    pub async fn drain(&self) -> usize {
        backend::jobs::run_pending_jobs(&self.services).await.expect("run jobs")
    }

    /// Counts rows of `table`.
    pub async fn count(&self, table: &str) -> i64 {
        let backend = self.services.db.get_database_backend();
        let row = self
            .services
            .db
            .query_one_raw(sea_orm::Statement::from_string(backend, format!("SELECT COUNT(*) AS n FROM {table}")))
            .await
            .expect("count")
            .expect("row");
        row.try_get::<i64>("", "n").expect("n")
    }

    /// A cookie-keeping browser-like client signed in as `tenant`'s owner.
    pub async fn browser(&self, tenant: &Tenant) -> reqwest::Client {
        // Bounded like `http`: a page that never answers fails its test instead of stalling the suite.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let resp = client
            .post(format!("{}/api/sign_in", self.base))
            .header("accept", "text/html")
            .header("origin", &self.base)
            .header("referer", format!("{}/signin", self.base))
            .form(&[("email", tenant.email.as_str()), ("password", tenant.password.as_str())])
            .send()
            .await
            .expect("sign in");
        assert_eq!(resp.status().as_u16(), 302);
        assert_eq!(resp.headers()["location"], "/", "signed in");
        client
    }

    /// Calls server function `name` as the page's JavaScript does (form body, JSON answer).
    pub async fn server_fn(&self, client: &reqwest::Client, name: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let resp = client
            .post(format!("{}/api/{name}", self.base))
            .header("accept", "application/json")
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .expect("server fn");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Stops the server.
    pub async fn stop(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().await;
        }
    }
}

/// A signed-in team member (not the owner) and their login.
pub struct Teammate {
    pub client: reqwest::Client,
    pub email: String,
    pub password: String,
    pub user_id: uuid::Uuid,
}

impl TestApp {
    /// The owner of `tenant` as a [`backend::Member`] (looked up, not signed in: tests of
    /// the sign-in throttle count only the attempts they make themselves).
    pub async fn owner(&self, tenant: &Tenant) -> backend::Member {
        self.member_by_email(&tenant.email).await
    }

    /// The [`backend::Member`] of the user with `email` in the account they last used.
    pub async fn member_by_email(&self, email: &str) -> backend::Member {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        let user = backend::entities::user::Entity::find()
            .filter(backend::entities::user::Column::Email.eq(email.to_lowercase()))
            .one(&self.services.db)
            .await
            .expect("user query")
            .expect("user");
        let account = backend::auth::accounts_of(&self.services.db, user.id).await.expect("accounts")[0].account_id;
        backend::identity::accounts::member(&self.services.db, user.id, account).await.expect("member")
    }

    /// Invites a new user to `tenant` as `role` (`admin` / `member`) and accepts the link in a
    /// fresh browser-like client, as a person following the emailed link does.
    pub async fn teammate(&self, tenant: &Tenant, role: &str) -> Teammate {
        let owner = self.owner(tenant).await;
        let email = format!("{role}-{}@team.example", uuid::Uuid::new_v4().simple());
        let created = backend::identity::members::invite(&self.services, &owner, &email, role).await.expect("invite");
        let token = created.link.rsplit('/').next().expect("token").to_owned();
        // Bounded like `http`: a page that never answers fails its test instead of stalling the suite.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let password = "teammate password 1".to_owned();
        let resp = self.accept_invitation(&client, &token, &password).await;
        assert_eq!(resp.headers()["location"], "/", "accepted and signed in");
        let member = self.member_by_email(&email).await;
        Teammate { client, email, password, user_id: member.user_id }
    }

    /// Posts the invitation page's form (no JavaScript) with `password`.
    pub async fn accept_invitation(&self, client: &reqwest::Client, token: &str, password: &str) -> reqwest::Response {
        let resp = client
            .post(format!("{}/api/accept_invitation", self.base))
            .header("accept", "text/html")
            .header("origin", &self.base)
            .header("referer", format!("{}/invite/{token}", self.base))
            .form(&[("token", token), ("name", "Tess Mate"), ("password", password)])
            .send()
            .await
            .expect("accept invitation");
        assert_eq!(resp.status().as_u16(), 302);
        resp
    }
}
