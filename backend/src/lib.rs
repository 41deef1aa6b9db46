//! Aftercall's server-only domain library: entities, tenancy, ingest, analysis, the
//! dispatcher's jobs, templates and email. No Leptos and no axum types live here; the
//! `aftercall` binary and the UI's server functions call into it.

pub mod accounts;
pub mod actions;
pub mod agents;
pub mod alerts;
pub mod analysis;
pub mod analyzers;
pub mod api_keys;
pub mod calls;
pub mod conditions;
pub mod conversations;
pub mod dashboard;
pub mod db;
pub mod deliveries;
pub mod email;
pub mod entities;
pub mod error;
pub mod jobs;
pub mod live;
pub mod members;
pub mod notifications;
pub mod outbox;
pub mod passwords;
pub mod preview;
pub mod push;
pub mod session_store;
pub mod settings;
pub mod starters;
pub mod tasks;
pub mod templates;
pub mod tenancy;
pub mod types;

use std::sync::Arc;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;

pub use error::{Error, Result};
pub use settings::Settings;
pub use tenancy::{Member, Role, Tenant};

use analysis::Analyzer;
use email::Mailer;

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
    /// The HTTP client of outgoing webhooks (connection pool; `webhooks.timeout_secs`, no
    /// redirects).
    pub webhook_client: reqwest::Client,
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
    /// Errors: a message naming the bad setting (e.g. an invalid SMTP URL).
    pub fn new(db: DatabaseConnection, settings: Settings) -> std::result::Result<Self, String> {
        install_crypto_provider();
        let mailer = Mailer::from_settings(settings.smtp.as_ref())?;
        let timeout = settings.webhooks.timeout;
        let webhook_client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(std::time::Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Aftercall-Webhooks/1.0")
            .build()
            .map_err(|e| format!("cannot build the webhook HTTP client: {e}"))?;
        Ok(Self {
            db,
            settings: Arc::new(settings),
            analyzer: Arc::new(analysis::builtin::BuiltinAnalyzer),
            mailer,
            jobs_wakeup: Arc::new(Notify::new()),
            live: live::AlertBus::new(),
            webhook_client,
        })
    }
}
