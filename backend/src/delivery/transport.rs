//! Email delivery: lettre's async SMTP transport when SMTP is configured, otherwise the
//! built-in outbox (emails are stored and shown on the Outbox page, nothing leaves).

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::settings::SmtpSettings;

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    /// Keep emails in the outbox table only.
    Outbox,
    /// Send through an SMTP server (pooled connections).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Outbox => f.write_str("Mailer::Outbox"),
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
        }
    }
}

/// Why a send failed, classified for retrying.
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    /// Connection problems, timeouts and 4xx replies: try again later.
    #[error("transient: {0}")]
    Transient(String),
    /// 5xx replies and malformed messages: retrying cannot help.
    #[error("permanent: {0}")]
    Permanent(String),
}

/// An email ready to send.
#[derive(Clone, Debug)]
pub struct OutgoingEmail {
    pub from: Mailbox,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Without angle brackets: `<id>@<host>`'s inside.
    pub message_id: String,
}

impl Mailer {
    /// The outbox when `smtp` is `None`, else an SMTP transport for its URL.
    ///
    /// Errors: lettre's error for an unusable URL ([`crate::StartError::SmtpUrl`]).
    pub fn from_settings(smtp: Option<&SmtpSettings>) -> Result<Self, crate::StartError> {
        let Some(smtp) = smtp else { return Ok(Mailer::Outbox) };
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp.url.expose_secret())
            .map_err(crate::StartError::SmtpUrl)?;
        Ok(Mailer::Smtp(builder.timeout(Some(smtp.timeout)).build()))
    }

    /// Checks an SMTP URL without connecting (and without needing a runtime).
    ///
    /// Errors: lettre's error saying what is wrong with it.
    pub fn check_url(url: &str) -> Result<(), lettre::transport::smtp::Error> {
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url).map(|_| ())
    }

    /// Whether emails stay in the outbox.
    pub fn is_outbox(&self) -> bool {
        matches!(self, Mailer::Outbox)
    }

    /// Sends `email` through SMTP (text and HTML alternatives). Returns the server's final
    /// reply, e.g. `250 2.0.0 Ok: queued as 1A2B`.
    ///
    /// Errors: [`SendFailure`], classified (connection problems, timeouts and 4xx replies
    /// are transient; 5xx replies and unbuildable messages permanent), with the server's
    /// reply when there was one; an outbox mailer never fails.
    pub async fn send(&self, email: &OutgoingEmail) -> Result<String, SendFailure> {
        let Mailer::Smtp(transport) = self else { return Ok("kept in the outbox".to_owned()) };
        let mut builder = Message::builder()
            .from(email.from.clone())
            .subject(email.subject.clone())
            .message_id(Some(format!("<{}>", email.message_id)));
        for to in &email.to {
            let mailbox: Mailbox = to.parse().map_err(|e| SendFailure::Permanent(format!("recipient `{to}`: {e}")))?;
            builder = builder.to(mailbox);
        }
        let message = builder
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| SendFailure::Permanent(format!("could not build the message: {e}")))?;
        match tokio::time::timeout(Duration::from_secs(120), transport.send(message)).await {
            Err(_) => Err(SendFailure::Transient("SMTP send timed out after 120 s".into())),
            Ok(Ok(reply)) => Ok(format!("{} {}", reply.code(), reply.message().collect::<Vec<_>>().join(" "))),
            Ok(Err(e)) if e.is_permanent() => Err(SendFailure::Permanent(e.to_string())),
            Ok(Err(e)) => Err(SendFailure::Transient(e.to_string())),
        }
    }
}
