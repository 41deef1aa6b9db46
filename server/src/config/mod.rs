//! Layered configuration with figment: the embedded documented defaults
//! (`config.default.toml`) < a TOML file (`aftercall.toml` or `--config`) < `AFTERCALL_*`
//! environment variables (`__` separates sections: `AFTERCALL_DATABASE__URL`) < command-line
//! flags. Validated at load with errors naming the bad key.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

mod load;
pub use load::*;

/// The embedded defaults, also the documentation of every key.
pub const DEFAULTS: &str = include_str!("../../config.default.toml");

/// The whole configuration.
#[derive(Debug, Deserialize)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub smtp: SmtpConfig,
    pub jobs: JobsConfig,
    pub ingest: IngestConfig,
    pub api: ApiConfig,
    pub push: PushConfig,
    pub webhooks: WebhooksConfig,
    pub outbound: OutboundConfig,
    pub secrets: SecretsConfig,
    pub auth: AuthConfig,
    pub metrics: MetricsConfig,
    pub log: LogConfig,
}

/// `[server]`.
#[derive(Debug, Deserialize)]
pub struct ServerConfig {
    pub addr: SocketAddr,
    pub public_url: String,
    pub site_root: String,
    /// `""`, `"true"` or `"false"`.
    pub secure_cookies: String,
    /// Largest body of a dashboard request (server functions, forms), in bytes.
    pub max_form_bytes: usize,
    /// Reverse proxies (CIDR) whose `X-Forwarded-For` header names the client.
    pub trusted_proxies: Vec<String>,
}

/// `[database]`.
#[derive(Debug, Deserialize)]
pub struct DatabaseConfig {
    pub url: SecretString,
    pub max_connections: u32,
}

/// `[smtp]`.
#[derive(Debug, Deserialize)]
pub struct SmtpConfig {
    pub url: SecretString,
    pub from: String,
    pub timeout_secs: u64,
}

/// `[jobs]`.
#[derive(Debug, Deserialize)]
pub struct JobsConfig {
    pub run_in_server: bool,
    pub poll_interval_ms: u64,
    pub concurrency: usize,
    pub lease_secs: u64,
    pub backoff_base_secs: u64,
    pub backoff_max_secs: u64,
    pub per_account_concurrency: usize,
}

/// `[ingest]`.
#[derive(Debug, Deserialize)]
pub struct IngestConfig {
    pub max_body_bytes: usize,
    pub auto_create_agents: bool,
}

/// `[api]`.
#[derive(Debug, Deserialize)]
pub struct ApiConfig {
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
}

/// `[push]`.
#[derive(Debug, Deserialize)]
pub struct PushConfig {
    pub allow_http_endpoints: bool,
}

/// `[webhooks]`.
#[derive(Debug, Deserialize)]
pub struct WebhooksConfig {
    pub timeout_secs: f64,
    pub retry_schedule_secs: Vec<f64>,
    pub disable_after_hours: f64,
    pub rotation_overlap_hours: f64,
}

/// `[outbound]`.
#[derive(Debug, Deserialize)]
pub struct OutboundConfig {
    /// CIDR ranges of internal networks outbound requests may reach.
    pub allow_private: Vec<String>,
    pub max_response_bytes: usize,
}

/// `[secrets]`.
#[derive(Debug, Deserialize)]
pub struct SecretsConfig {
    /// Base64 of 32 bytes; empty = use `key_file`.
    pub key: SecretString,
    /// Created with mode 0600 at first start when missing.
    pub key_file: String,
}

/// `[auth]`.
#[derive(Debug, Deserialize)]
pub struct AuthConfig {
    /// `open`, `verified` or `closed`.
    pub signup: String,
    pub session_idle_minutes: u64,
    pub session_absolute_hours: u64,
    pub ip_attempts_per_minute: u32,
    pub email_attempts_per_hour: u32,
    pub password_hash_concurrency: usize,
}

/// `[metrics]`: where `GET /metrics` (Prometheus text format) is served.
#[derive(Debug, Deserialize)]
pub struct MetricsConfig {
    /// A separate listen address (`IP:PORT`) serving only `/metrics`, without
    /// authentication; empty = none.
    pub addr: String,
    /// A bearer token that opens `/metrics` on the main address; empty = not served there.
    pub token: SecretString,
}

impl MetricsConfig {
    /// The separate metrics address, when set.
    pub fn listen_addr(&self) -> Option<SocketAddr> {
        self.addr.trim().parse().ok()
    }

    /// The bearer token, when set.
    pub fn bearer(&self) -> Option<SecretString> {
        let token = self.token.expose_secret().trim();
        (!token.is_empty()).then(|| SecretString::from(token.to_owned()))
    }
}

/// `[log]`.
#[derive(Debug, Deserialize)]
pub struct LogConfig {
    pub filter: String,
}

#[cfg(test)]
// figment's `Jail` closures must return its (large) `figment::Error`.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_defaults_load_and_validate() {
        figment::Jail::expect_with(|_jail| {
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.public_url(), "http://127.0.0.1:3000");
            assert!(config.smtp_settings().is_none());
            assert!(!config.secure_cookies());
            Ok(())
        });
    }

    #[test]
    fn environment_variables_override_and_bad_values_name_their_key() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AFTERCALL_DATABASE__URL", "postgres://u@127.0.0.1/db");
            jail.set_env("AFTERCALL_SMTP__URL", "smtp://127.0.0.1:2525");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.database.url.expose_secret(), "postgres://u@127.0.0.1/db");
            assert!(config.smtp_settings().is_some());
            jail.set_env("AFTERCALL_DATABASE__URL", "mysql://nope");
            let err = Config::load(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("database.url"), "{err}");
            jail.set_env("AFTERCALL_DATABASE__URL", "sqlite://x.db");
            jail.set_env("AFTERCALL_JOBS__CONCURRENCY", "many");
            let err = Config::load(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.to_lowercase().contains("jobs.concurrency"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn listening_everywhere_needs_the_public_url() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AFTERCALL_SERVER__ADDR", "0.0.0.0:3000");
            let err = Config::load(None, &Overrides::default()).unwrap_err().to_string();
            assert!(err.contains("server.public_url"), "{err}");
            jail.set_env("AFTERCALL_SERVER__PUBLIC_URL", "http://calls.example.com:3000");
            let config = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(config.public_url(), "http://calls.example.com:3000");
            Ok(())
        });
    }

    #[test]
    fn flags_beat_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("AFTERCALL_SERVER__ADDR", "127.0.0.1:4000");
            let overrides = Overrides { addr: Some("127.0.0.1:5000".parse().map_err(|_| "addr")?), database_url: None };
            let config = Config::load(None, &overrides).map_err(|e| e.to_string())?;
            assert_eq!(config.server.addr.port(), 5000);
            Ok(())
        });
    }
}
