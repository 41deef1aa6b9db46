//! The part of the configuration the backend needs. The `aftercall` binary loads and
//! validates the full configuration (figment) and hands this over.

use std::time::Duration;

use lettre::message::Mailbox;
use secrecy::SecretString;

/// Backend settings, validated by the caller.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Public base URL of the dashboard without trailing slash, e.g. `https://calls.example.com`;
    /// used for `conversation_url` and links in emails.
    pub public_url: String,
    /// SMTP delivery; `None` keeps emails in the built-in outbox.
    pub smtp: Option<SmtpSettings>,
    /// The `From:` of every email.
    pub email_from: Mailbox,
    /// Whether new accounts auto-create unknown agents on ingest.
    pub auto_create_agents_default: bool,
    /// Dispatcher settings.
    pub jobs: JobSettings,
    /// Whether browser push subscriptions may use `http://` push services (local push
    /// services in development and tests); browsers' own are always `https://`.
    pub push_allow_http: bool,
    /// Outgoing webhooks and callback requests.
    pub webhooks: WebhookSettings,
    /// Which addresses outbound requests may reach, and how much of an answer is read.
    pub outbound: OutboundSettings,
    /// The installation key that encrypts stored secrets.
    pub secrets_key: crate::secrets::InstallationKey,
    /// Sign-up policy, sessions, throttling and password hashing.
    pub auth: AuthSettings,
}

/// The outbound HTTP policy (see [`crate::outbound`]).
#[derive(Clone, Debug)]
pub struct OutboundSettings {
    /// Public addresses plus the operator's `outbound.allow_private` ranges.
    pub policy: crate::outbound::OutboundPolicy,
    /// `outbound.max_response_bytes`: the most of a response body that is read (1 MiB).
    pub max_response_bytes: usize,
}

/// Who may create an account (`auth.signup`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignupPolicy {
    /// Anyone may sign up and use the account at once.
    Open,
    /// Anyone may sign up; the account works once the owner confirmed the email address.
    Verified,
    /// Only invitations and `aftercall account create` add users.
    Closed,
}

impl SignupPolicy {
    /// Parses `open`, `verified` or `closed`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "open" => Some(Self::Open),
            "verified" => Some(Self::Verified),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// Account flows (OWASP ASVS level 2 defaults).
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// `auth.signup`.
    pub signup: SignupPolicy,
    /// A session ends after this long without a request (`auth.session_idle_minutes`, 30).
    pub session_idle: Duration,
    /// A session ends this long after sign-in however active (`auth.session_absolute_hours`, 12).
    pub session_absolute: Duration,
    /// Sign-in, sign-up, invitation and password-reset attempts allowed per client address
    /// per minute (`auth.ip_attempts_per_minute`; 0 = unlimited).
    pub ip_attempts_per_minute: u32,
    /// The same attempts allowed per email address per hour (`auth.email_attempts_per_hour`;
    /// 0 = unlimited).
    pub email_attempts_per_hour: u32,
    /// Password hashes computed at once, on the blocking thread pool
    /// (`auth.password_hash_concurrency`).
    pub password_hash_concurrency: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (`server.trusted_proxies`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl AuthSettings {
    /// The documented defaults.
    pub fn standard() -> Self {
        Self {
            signup: SignupPolicy::Open,
            session_idle: Duration::from_secs(30 * 60),
            session_absolute: Duration::from_secs(12 * 3600),
            ip_attempts_per_minute: 20,
            email_attempts_per_hour: 30,
            password_hash_concurrency: 1,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Outgoing webhook delivery (SPEC section 7).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Whole-request timeout of one attempt (SPEC: 15 s).
    pub timeout: Duration,
    /// Delays before retries 1, 2, …; attempts = delays + 1. SPEC: immediately, then 5 s,
    /// 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (each with ±10 % jitter).
    pub retry_schedule: Vec<Duration>,
    /// An endpoint failing for this long (no success since its first failure) is disabled
    /// and the account's admins are alerted (5 days).
    pub disable_after: Duration,
    /// After a secret rotation, how long requests also carry the old secret's signature.
    pub rotation_overlap: Duration,
}

impl WebhookSettings {
    /// The SPEC's schedule: 15 s timeout; immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h;
    /// disabled after 5 days of failures; 24 h rotation overlap.
    pub fn standard() -> Self {
        let m = 60;
        let h = 3600;
        Self {
            timeout: Duration::from_secs(15),
            retry_schedule: [5, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            disable_after: Duration::from_secs(5 * 24 * h),
            rotation_overlap: Duration::from_secs(24 * h),
        }
    }
}

/// SMTP delivery through lettre.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    /// lettre's URL form, e.g. `smtp://127.0.0.1:2525` or `smtps://user:pass@host:465`.
    pub url: SecretString,
    /// Per-command timeout of the SMTP conversation.
    pub timeout: Duration,
}

/// How the dispatcher claims and runs jobs.
#[derive(Clone, Debug)]
pub struct JobSettings {
    /// How often an idle runner looks for due jobs (it is also woken on enqueue).
    pub poll_interval: Duration,
    /// Jobs run at once by one process.
    pub concurrency: usize,
    /// How long a claimed job stays claimed without a heartbeat; a running job renews it
    /// every third of it, so after a crash its jobs are claimed again within one lease.
    pub lease: Duration,
    /// First retry delay; doubles per attempt, with ±25 % jitter.
    pub backoff_base: Duration,
    /// Upper bound of a retry delay.
    pub backoff_max: Duration,
    /// Jobs of one account running at once across all processes, so one account's slow
    /// endpoints or LLM cannot hold every slot (`jobs.per_account_concurrency`).
    pub per_account_concurrency: usize,
}

impl Settings {
    /// Settings for tests and tools: outbox delivery, fast polling, loopback allowed for
    /// outbound requests (local receivers), a random installation key.
    pub fn for_tests(public_url: &str) -> Self {
        Self {
            public_url: public_url.trim_end_matches('/').to_owned(),
            smtp: None,
            email_from: default_from(),
            auto_create_agents_default: true,
            jobs: JobSettings {
                poll_interval: Duration::from_millis(200),
                concurrency: 4,
                lease: Duration::from_secs(20),
                backoff_base: Duration::from_secs(5),
                backoff_max: Duration::from_secs(3600),
                per_account_concurrency: 3,
            },
            push_allow_http: true,
            webhooks: WebhookSettings::standard(),
            outbound: OutboundSettings {
                policy: crate::outbound::OutboundPolicy::parse(&["127.0.0.0/8".to_owned(), "::1".to_owned()])
                    .unwrap_or_default(),
                max_response_bytes: 1024 * 1024,
            },
            secrets_key: crate::secrets::InstallationKey::generate(),
            auth: AuthSettings::standard(),
        }
    }
}

/// `Aftercall <aftercall@localhost>`.
pub fn default_from() -> Mailbox {
    Mailbox::new(
        Some("Aftercall".to_owned()),
        lettre::Address::new("aftercall", "localhost").unwrap_or_else(|_| unreachable_address()),
    )
}

#[expect(clippy::panic, reason = "a constant address that always parses")]
fn unreachable_address() -> lettre::Address {
    panic!("the built-in default sender address is valid")
}
