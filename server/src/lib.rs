//! The `aftercall` binary as a library: configuration, the HTTP application and the
//! command-line tools, so integration tests start the same application the binary runs.

pub mod bench;
pub mod config;
pub mod eval;
pub mod http;
pub mod replay;
pub mod telemetry;

use std::time::Duration;

use leptos::config::LeptosOptions;
use secrecy::ExposeSecret;
use tokio::net::TcpListener;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use backend::Services;
use backend::jobs::Dispatcher;
use backend::session_store::DbSessionStore;
use config::Config;

/// Connects to the configured database and applies pending migrations.
///
/// Errors: the connection or migration failure, with the database's error as the cause.
pub async fn connect_and_migrate(config: &Config) -> anyhow::Result<sea_orm::DatabaseConnection> {
    use anyhow::Context;
    let url = config.database.url.expose_secret();
    let db = backend::db::connect(url, config.database.max_connections).await.context("cannot open database.url")?;
    backend::db::migrate(&db).await.context("migrating the database failed")?;
    Ok(db)
}

/// The services (database, analyzer, mailer) for `config`.
///
/// Errors: those of [`connect_and_migrate`], the installation key, and
/// [`backend::StartError`].
pub async fn services(config: &Config) -> anyhow::Result<Services> {
    let db = connect_and_migrate(config).await?;
    Ok(Services::start(db, config.backend_settings()?).await?)
}

/// Leptos options from the configuration (no cargo-leptos environment needed).
///
/// The output name carries the site's build hash when it has one
/// ([`http::assets::output_name`]), so pages link the immutable hashed files. Also tells
/// the pages whether the site was built as browser bundles ([`app::bundles`]).
pub fn leptos_options(config: &Config) -> LeptosOptions {
    app::bundles::set_split(http::assets::has_bundles(&config.server.site_root, "pkg", "aftercall"));
    LeptosOptions::builder()
        .output_name(http::assets::output_name(&config.server.site_root, "pkg", "aftercall"))
        .site_root(config.server.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.server.addr)
        .build()
}

/// The complete router with sessions.
///
/// The session cookie is `HttpOnly`, `SameSite=Lax`, `Secure` over https and lives as long
/// as the browser does; the session itself ends on the server after
/// `auth.session_idle_minutes` without a request (each request moves its expiry, see
/// [`DbSessionStore`]) and `auth.session_absolute_hours` after sign-in.
pub fn app_router(config: &Config, services: Services) -> axum::Router {
    let store = DbSessionStore::new(services.db.clone(), services.settings.auth.session_idle);
    let sessions = SessionManagerLayer::new(store.clone())
        .with_name("aftercall_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.secure_cookies())
        .with_expiry(Expiry::OnSessionEnd);
    let public_url = config.public_url();
    let edge = http::edge::EdgeConfig {
        public_origin: http::edge::origin_of(&public_url).unwrap_or(public_url.clone()).into(),
        https: public_url.starts_with("https://"),
        ingest_limit: config.ingest.max_body_bytes,
        form_limit: config.server.max_form_bytes,
        trusted_proxies: std::sync::Arc::new(services.settings.auth.trusted_proxies.clone()),
    };
    let state = http::AppState {
        services,
        leptos_options: leptos_options(config),
        max_body_bytes: config.ingest.max_body_bytes,
        rate_limit: (config.api.rate_limit_per_second > 0).then_some(http::RateLimit {
            per_second: config.api.rate_limit_per_second,
            burst: config.api.rate_limit_burst,
        }),
        edge,
        sessions: store,
        metrics_token: config.metrics.bearer().map(std::sync::Arc::new),
    };
    http::router(state).layer(sessions)
}

/// A running server.
pub struct Running {
    pub services: Services,
    pub addr: std::net::SocketAddr,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    stop: tokio::sync::watch::Sender<bool>,
    dispatcher: Option<Dispatcher>,
    /// The poll for other processes' alerts (SQLite only; PostgreSQL notifies).
    live_poller: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting requests, finishes in-flight ones and stops the dispatcher.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Some(poller) = &self.live_poller {
            poller.abort();
        }
        let _ = self.server.await;
        if let Some(d) = self.dispatcher {
            d.shutdown(Duration::from_secs(10)).await;
        }
    }

    /// Waits until the server ends (it ends on [`Running::shutdown`] or a fatal error).
    pub async fn wait(&mut self) -> std::io::Result<()> {
        match (&mut self.server).await {
            Ok(result) => result,
            Err(e) => Err(std::io::Error::other(e)),
        }
    }
}

/// Serves the application on `listener`, with the dispatcher when `jobs.run_in_server`.
pub async fn start(config: &Config, services: Services, listener: TcpListener) -> std::io::Result<Running> {
    let addr = listener.local_addr()?;
    start_metrics(config, &services).await?;
    let router = app_router(config, services.clone());
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let server = tokio::spawn(async move {
        // The peer address feeds the sign-in throttle (see `http::edge::client_ip`).
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stopped.wait_for(|s| *s).await;
            })
            .await
    });
    let dispatcher = config.jobs.run_in_server.then(|| Dispatcher::start(services.clone()));
    spawn_session_cleanup(DbSessionStore::new(services.db.clone(), services.settings.auth.session_idle));
    spawn_throttle_cleanup(services.throttle.clone());
    // Other processes' jobs and alerts: told by NOTIFY on PostgreSQL, polled for on SQLite.
    backend::signals::start(&services);
    let live_poller = (services.db.get_database_backend() != sea_orm::DbBackend::Postgres)
        .then(|| tokio::spawn(services.live.clone().run_poller(services.db.clone())));
    Ok(Running { services, addr, server, stop, dispatcher, live_poller })
}

/// Installs the metrics recorder when `/metrics` is served (`metrics.token` or
/// `metrics.addr`), and serves it on `metrics.addr` when set. Returns that address.
///
/// Errors: `metrics.addr` cannot be bound.
pub async fn start_metrics(config: &Config, services: &Services) -> std::io::Result<Option<std::net::SocketAddr>> {
    if config.metrics.bearer().is_some() {
        http::metrics::handle();
    }
    match config.metrics.listen_addr() {
        Some(addr) => http::metrics::serve_separately(addr, services.clone()).await.map(Some),
        None => Ok(None),
    }
}

fn spawn_throttle_cleanup(throttle: backend::throttle::Throttle) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            throttle.forget_idle();
        }
    });
}

fn spawn_session_cleanup(store: DbSessionStore) {
    use tower_sessions::session_store::ExpiredDeletion;
    tokio::spawn(async move {
        loop {
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %backend::error::report(&e), "could not delete expired sessions");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
