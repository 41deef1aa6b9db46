//! Loading the configuration (defaults, `aftercall.toml`, `AFTERCALL_*` variables,
//! command-line overrides) and checking it, each error naming its key; and turning it into
//! the backend's settings.

#[allow(unused_imports)]
use super::*;

/// Command-line values that override every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub addr: Option<SocketAddr>,
    pub database_url: Option<String>,
}

/// A configuration error that names the key.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

pub(crate) fn bad(key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError(format!("`{key}` {message}"))
}

impl Config {
    /// Loads defaults < `file` (when it exists; `aftercall.toml` when `None`) < environment
    /// < `overrides`, and validates.
    ///
    /// Errors: [`ConfigError`] naming the key that is missing, mistyped or invalid, or the
    /// config file that was named but does not exist.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        match file {
            Some(path) if !path.exists() => {
                return Err(ConfigError(format!("config file {} does not exist", path.display())));
            }
            Some(path) => figment = figment.merge(Toml::file(path)),
            None => figment = figment.merge(Toml::file("aftercall.toml")),
        }
        figment = figment.merge(Env::prefixed("AFTERCALL_").split("__"));
        if let Some(addr) = overrides.addr {
            figment = figment.merge(("server.addr", addr.to_string()));
        }
        if let Some(url) = &overrides.database_url {
            figment = figment.merge(("database.url", url.clone()));
        }
        let config: Config = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    /// The embedded defaults with each TOML layer merged over them in order (no file, no
    /// environment): for tests and tools that must not depend on the machine's environment.
    ///
    /// Errors: [`ConfigError`] as for [`Config::load`].
    pub fn from_toml(layers: &[&str]) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Toml::string(DEFAULTS));
        for layer in layers {
            figment = figment.merge(Toml::string(layer));
        }
        let config: Config = figment.extract().map_err(|e| ConfigError(e.to_string()))?;
        config.validate()?;
        Ok(config)
    }

    pub(crate) fn validate(&self) -> Result<(), ConfigError> {
        let url = self.public_url();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(bad("server.public_url", "must start with http:// or https://"));
        }
        if self.server.public_url.trim().is_empty() && self.server.addr.ip().is_unspecified() {
            return Err(bad(
                "server.public_url",
                "must be set when server.addr listens on every interface (0.0.0.0 or ::): it is the address users type, and the only origin the dashboard accepts forms from, e.g. http://calls.example.com:3000",
            ));
        }
        if !matches!(self.server.secure_cookies.as_str(), "" | "true" | "false") {
            return Err(bad("server.secure_cookies", "must be empty, true or false"));
        }
        if self.server.max_form_bytes < 1024 {
            return Err(bad("server.max_form_bytes", "must be at least 1024"));
        }
        self.trusted_proxies()?;
        let db = self.database.url.expose_secret();
        if !(db.starts_with("sqlite:") || db.starts_with("postgres://") || db.starts_with("postgresql://")) {
            return Err(bad("database.url", "must be a sqlite:// or postgres:// URL"));
        }
        if self.database.max_connections == 0 {
            return Err(bad("database.max_connections", "must be at least 1"));
        }
        self.smtp.from.parse::<lettre::message::Mailbox>().map_err(|e| bad("smtp.from", e))?;
        if let Some(smtp) = self.smtp_settings() {
            backend::delivery::transport::Mailer::check_url(smtp.url.expose_secret())
                .map_err(|e| bad("smtp.url", e))?;
        }
        if self.jobs.concurrency == 0 {
            return Err(bad("jobs.concurrency", "must be at least 1"));
        }
        if self.jobs.poll_interval_ms == 0 || self.jobs.lease_secs == 0 || self.jobs.backoff_base_secs == 0 {
            return Err(bad("jobs", "poll_interval_ms, lease_secs and backoff_base_secs must be positive"));
        }
        let w = &self.webhooks;
        if !(w.timeout_secs > 0.0 && w.timeout_secs <= 300.0) {
            return Err(bad("webhooks.timeout_secs", "must be more than 0 and at most 300"));
        }
        if w.retry_schedule_secs.len() > 20
            || w.retry_schedule_secs.iter().any(|d| !(d.is_finite() && *d >= 0.0 && *d <= 7.0 * 86400.0))
        {
            return Err(bad("webhooks.retry_schedule_secs", "must be at most 20 delays of 0 to 604800 seconds"));
        }
        if !(w.disable_after_hours.is_finite() && w.disable_after_hours >= 0.0) {
            return Err(bad("webhooks.disable_after_hours", "must be a non-negative number of hours"));
        }
        if !(w.rotation_overlap_hours.is_finite() && w.rotation_overlap_hours >= 0.0) {
            return Err(bad("webhooks.rotation_overlap_hours", "must be a non-negative number of hours"));
        }
        if self.api.rate_limit_per_second > 0 && self.api.rate_limit_burst == 0 {
            return Err(bad("api.rate_limit_burst", "must be at least 1 when api.rate_limit_per_second is set"));
        }
        if self.ingest.max_body_bytes < 1024 {
            return Err(bad("ingest.max_body_bytes", "must be at least 1024"));
        }
        if self.jobs.per_account_concurrency == 0 {
            return Err(bad("jobs.per_account_concurrency", "must be at least 1"));
        }
        backend::outbound::OutboundPolicy::parse(&self.outbound.allow_private)
            .map_err(|e| bad("outbound.allow_private", e))?;
        if self.outbound.max_response_bytes < 1024 {
            return Err(bad("outbound.max_response_bytes", "must be at least 1024"));
        }
        let key = self.secrets.key.expose_secret();
        if !key.trim().is_empty() {
            backend::secrets::InstallationKey::from_base64(key).map_err(|e| bad("secrets.key", e))?;
        } else if self.secrets.key_file.trim().is_empty() {
            return Err(bad("secrets", "set secrets.key or secrets.key_file"));
        }
        let signup = backend::settings::SignupPolicy::parse(&self.auth.signup)
            .ok_or_else(|| bad("auth.signup", "must be open, verified or closed"))?;
        if signup == backend::settings::SignupPolicy::Verified && self.smtp_settings().is_none() {
            return Err(bad("auth.signup", "= \"verified\" needs smtp.url: confirmation links are only ever emailed"));
        }
        if self.auth.session_idle_minutes == 0 || self.auth.session_absolute_hours == 0 {
            return Err(bad("auth", "session_idle_minutes and session_absolute_hours must be positive"));
        }
        if !self.metrics.addr.trim().is_empty() && self.metrics.listen_addr().is_none() {
            return Err(bad("metrics.addr", format!("`{}` is not an IP:PORT address", self.metrics.addr)));
        }
        if self.metrics.bearer().is_some_and(|t| t.expose_secret().len() < 16) {
            return Err(bad("metrics.token", "must be at least 16 characters (e.g. `openssl rand -hex 32`)"));
        }
        Ok(())
    }

    pub(crate) fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, ConfigError> {
        self.server
            .trusted_proxies
            .iter()
            .map(|r| {
                r.trim()
                    .parse::<ipnet::IpNet>()
                    .or_else(|_| r.trim().parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| bad("server.trusted_proxies", format!("`{r}` is not a CIDR range")))
            })
            .collect()
    }

    /// `auth.password_hash_concurrency`, with 0 meaning half the CPU cores (at least 1).
    pub fn password_hash_concurrency(&self) -> usize {
        match self.auth.password_hash_concurrency {
            0 => std::thread::available_parallelism().map(|n| n.get() / 2).unwrap_or(1).max(1),
            n => n,
        }
    }

    /// The installation key: `secrets.key`, else the key file (created when missing).
    ///
    /// Errors: [`ConfigError`] naming the key or the file.
    pub fn installation_key(&self) -> Result<backend::secrets::InstallationKey, ConfigError> {
        let key = self.secrets.key.expose_secret();
        if !key.trim().is_empty() {
            return backend::secrets::InstallationKey::from_base64(key).map_err(|e| bad("secrets.key", e));
        }
        backend::secrets::load_or_create_key(Path::new(self.secrets.key_file.trim()))
            .map_err(|e| ConfigError(backend::error::report(&e)))
    }

    /// `server.public_url`, or `http://<addr>` when empty; without trailing slash.
    pub fn public_url(&self) -> String {
        let url = self.server.public_url.trim().trim_end_matches('/');
        if url.is_empty() { format!("http://{}", self.server.addr) } else { url.to_owned() }
    }

    /// Whether the session cookie is `Secure`.
    pub fn secure_cookies(&self) -> bool {
        match self.server.secure_cookies.as_str() {
            "true" => true,
            "false" => false,
            _ => self.public_url().starts_with("https://"),
        }
    }

    pub(crate) fn smtp_settings(&self) -> Option<backend::settings::SmtpSettings> {
        let url = self.smtp.url.expose_secret().trim();
        (!url.is_empty()).then(|| backend::settings::SmtpSettings {
            url: SecretString::from(url.to_owned()),
            timeout: Duration::from_secs(self.smtp.timeout_secs),
        })
    }

    /// The backend's part of the configuration (reads or creates the installation key).
    ///
    /// Errors: [`ConfigError`] when the key file cannot be read or created.
    pub fn backend_settings(&self) -> Result<backend::Settings, ConfigError> {
        let secrets_key = self.installation_key()?;
        Ok(backend::Settings {
            public_url: self.public_url(),
            smtp: self.smtp_settings(),
            email_from: self.smtp.from.parse().unwrap_or_else(|_| backend::settings::default_from()),
            auto_create_agents_default: self.ingest.auto_create_agents,
            jobs: backend::settings::JobSettings {
                poll_interval: Duration::from_millis(self.jobs.poll_interval_ms),
                concurrency: self.jobs.concurrency,
                lease: Duration::from_secs(self.jobs.lease_secs),
                backoff_base: Duration::from_secs(self.jobs.backoff_base_secs),
                backoff_max: Duration::from_secs(self.jobs.backoff_max_secs.max(self.jobs.backoff_base_secs)),
                per_account_concurrency: self.jobs.per_account_concurrency,
            },
            push_allow_http: self.push.allow_http_endpoints,
            webhooks: backend::settings::WebhookSettings {
                timeout: Duration::from_secs_f64(self.webhooks.timeout_secs),
                retry_schedule: self.webhooks.retry_schedule_secs.iter().map(|s| Duration::from_secs_f64(*s)).collect(),
                disable_after: Duration::from_secs_f64(self.webhooks.disable_after_hours * 3600.0),
                rotation_overlap: Duration::from_secs_f64(self.webhooks.rotation_overlap_hours * 3600.0),
            },
            outbound: backend::settings::OutboundSettings {
                policy: backend::outbound::OutboundPolicy::parse(&self.outbound.allow_private).unwrap_or_default(),
                max_response_bytes: self.outbound.max_response_bytes,
            },
            secrets_key,
            auth: backend::settings::AuthSettings {
                signup: backend::settings::SignupPolicy::parse(&self.auth.signup)
                    .unwrap_or(backend::settings::SignupPolicy::Open),
                session_idle: Duration::from_secs(self.auth.session_idle_minutes * 60),
                session_absolute: Duration::from_secs(self.auth.session_absolute_hours * 3600),
                ip_attempts_per_minute: self.auth.ip_attempts_per_minute,
                email_attempts_per_hour: self.auth.email_attempts_per_hour,
                password_hash_concurrency: self.password_hash_concurrency(),
                trusted_proxies: self.trusted_proxies().unwrap_or_default(),
            },
        })
    }
}
