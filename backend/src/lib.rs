//! Aftercall's server-only domain library: entities, tenancy, ingest, analysis, the
//! dispatcher's jobs, templates and email. No Leptos and no axum types live here; the
//! `aftercall` binary and the UI's server functions call into it.

pub mod actions;
pub mod agents;
pub mod alerts;
pub mod analysis;
pub mod analyzers;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod columns;
pub mod conditions;
pub mod conversations;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod digests;
pub mod editor;
pub mod entities;
pub mod error;
pub mod identity;
pub mod integrations;
pub mod jobs;
pub mod live;
pub mod notifications;
pub mod outbound;
pub mod preview;
pub mod queue;
pub mod search;
pub mod secrets;
pub mod session_store;
pub mod settings;
pub mod signals;
pub mod starters;
pub mod stored;
pub mod tasks;
pub mod telemetry;
pub mod templates;
pub mod tenancy;
pub mod throttle;
pub mod types;
pub mod upgrade;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

pub use error::{BoxError, Error, Result};
pub use settings::Settings;
pub use tenancy::{Actor, Member, Permission, Role, Tenant};

use analysis::Analyzer;
use delivery::transport::Mailer;

/// Everything a service, job or request handler needs; cheap to clone.
#[derive(Clone)]
pub struct Services {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Validated settings.
    pub settings: Arc<Settings>,
    /// The built-in analyzer, used by accounts without an LLM provider.
    pub analyzer: Arc<dyn Analyzer>,
    /// SMTP or outbox.
    pub mailer: Mailer,
    /// Woken when jobs are enqueued, so the in-process runner starts them at once.
    pub jobs_wakeup: Arc<Notify>,
    /// New alerts, for the live (server-sent events) streams of open dashboards.
    pub live: live::AlertBus,
    /// New jobs and alerts told to the other processes on PostgreSQL (`LISTEN`/`NOTIFY`).
    pub signals: signals::Signals,
    /// The outbound HTTP policy every request to a tenant-chosen address follows.
    pub outbound: outbound::Outbound,
    /// The HTTP client of outgoing webhooks (connection pool; `webhooks.timeout_secs`;
    /// under the outbound policy: checked addresses, no redirects).
    pub webhook_client: reqwest::Client,
    /// The HTTP client of Web Push deliveries (under the outbound policy).
    pub push_client: reqwest::Client,
    /// Encrypts and decrypts stored secrets with the installation key.
    pub secrets: secrets::SecretBox,
    /// Password hashing on the blocking pool, a bounded number at once.
    pub passwords: identity::passwords::Hasher,
    /// Budgets of the account flows (sign-in, sign-up, invitations, password resets).
    pub throttle: throttle::Throttle,
    /// API keys that authenticated recently (ingest's hot path skips the lookup).
    pub api_keys: identity::api_keys::KeyCache,
    /// This process's turn to write on SQLite (open on PostgreSQL): units of work, the
    /// ingest writer and the dispatcher's queue updates queue for it.
    pub writes: db::WriteGate,
    /// The single writer that group-commits ingest on SQLite (started on first use).
    pub ingest_writer: Arc<std::sync::OnceLock<calls::commit::IngestWriter>>,
    /// The slots of this process's job runner, set when it starts: ingest hands a call's
    /// analysis straight to it when one is free and no job waits ([`queue::Intake`]).
    pub intake: Arc<std::sync::OnceLock<Arc<queue::Intake>>>,
}

/// Why the services cannot start: each names the setting or file to fix, and keeps the
/// underlying error as its source.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// `smtp.url` is not an SMTP URL lettre understands.
    #[error("invalid SMTP URL (smtp.url)")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    /// An HTTP client could not be built (e.g. no TLS provider).
    #[error("cannot build the {0} HTTP client")]
    HttpClient(&'static str, #[source] reqwest::Error),
    /// The installation key is not the one this database's secrets were sealed with.
    #[error(
        "the installation key (secrets.key / secrets.key_file) is not the key this database's secrets were encrypted with; start with the original key"
    )]
    WrongInstallationKey,
    /// The key file cannot be read, created or parsed.
    #[error("secrets.key_file {path}: {message}")]
    KeyFile {
        path: String,
        message: &'static str,
        #[source]
        source: Option<BoxError>,
    },
    /// A start-up step failed on the database.
    #[error("{0}")]
    Step(&'static str, #[source] Error),
}

/// Installs rustls' ring crypto provider as the process default (once; later calls do
/// nothing). HTTP clients built with `rustls-no-provider` need it.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl Services {
    /// Services on a migrated `db` with the built-in analyzer.
    ///
    /// Errors: [`StartError::SmtpUrl`], [`StartError::HttpClient`].
    pub fn new(db: DatabaseConnection, settings: Settings) -> std::result::Result<Self, StartError> {
        install_crypto_provider();
        let mailer = Mailer::from_settings(settings.smtp.as_ref())?;
        let outbound = outbound::Outbound::new(settings.outbound.policy.clone(), settings.outbound.max_response_bytes);
        let timeout = settings.webhooks.timeout;
        let webhook_client = outbound
            .client(outbound::ClientOptions {
                timeout,
                connect_timeout: timeout.min(std::time::Duration::from_secs(10)),
                user_agent: "Aftercall-Webhooks/1.0",
            })
            .map_err(|e| StartError::HttpClient("webhook", e))?;
        let push_client = outbound
            .client(outbound::ClientOptions {
                timeout: std::time::Duration::from_secs(15),
                connect_timeout: std::time::Duration::from_secs(5),
                user_agent: "Aftercall-Push/1.0",
            })
            .map_err(|e| StartError::HttpClient("Web Push", e))?;
        let secrets = secrets::SecretBox::new(&settings.secrets_key);
        let passwords = identity::passwords::Hasher::new(settings.auth.password_hash_concurrency);
        let throttle =
            throttle::Throttle::new(settings.auth.ip_attempts_per_minute, settings.auth.email_attempts_per_hour);
        Ok(Self {
            writes: db::WriteGate::for_backend(db.get_database_backend()),
            db,
            settings: Arc::new(settings),
            analyzer: Arc::new(analysis::builtin::BuiltinAnalyzer),
            mailer,
            jobs_wakeup: Arc::new(Notify::new()),
            live: live::AlertBus::new(),
            signals: Default::default(),
            outbound,
            webhook_client,
            push_client,
            secrets,
            passwords,
            throttle,
            api_keys: Default::default(),
            ingest_writer: Default::default(),
            intake: Default::default(),
        })
    }

    /// [`Services::new`], then the start-up checks of stored secrets: the installation key
    /// must be the one they were encrypted with, values stored in clear by an older version
    /// are encrypted now, and the one-time rewrites of [`upgrade`] run.
    ///
    /// Errors: [`StartError::WrongInstallationKey`], [`StartError::Step`] for a database
    /// failure, and those of [`Services::new`].
    pub async fn start(db: DatabaseConnection, settings: Settings) -> std::result::Result<Self, StartError> {
        let services = Self::new(db, settings)?;
        secrets::verify_installation_key(&services.db, &services.secrets).await?;
        secrets::seal_plaintext_columns(&services.db, &services.secrets)
            .await
            .map_err(|e| StartError::Step("encrypting stored secrets", e))?;
        upgrade::run_once(&services.db).await.map_err(|e| StartError::Step("rewriting data of an older version", e))?;
        Ok(services)
    }
}
