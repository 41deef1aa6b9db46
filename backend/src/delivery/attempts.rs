//! Delivery attempts: what each one sent and got back, logged and cut to a size.

#[allow(unused_imports)]
use super::*;

/// Longest stored response or request text, in bytes.
pub const MAX_LOGGED: usize = 2048;

/// Cuts `text` to [`MAX_LOGGED`] bytes at a character boundary, marking the cut.
pub fn truncate(text: &str) -> String {
    if text.len() <= MAX_LOGGED {
        return text.to_owned();
    }
    let mut end = MAX_LOGGED;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// One attempt, to record with [`record_email_attempt`] or [`record_webhook_attempt`].
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    /// 1-based.
    pub number: i32,
    pub outcome: AttemptOutcome,
    /// HTTP status or SMTP reply code.
    pub status_code: Option<i32>,
    pub request: String,
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration: Duration,
}

pub(crate) fn smtp_code(text: &str) -> Option<i32> {
    // lettre's errors read "permanent error (550): ..." / "transient error (451): ...";
    // replies start with the code.
    let digits = |s: &str| s.get(..3).filter(|d| d.chars().all(|c| c.is_ascii_digit())).and_then(|d| d.parse().ok());
    digits(text).or_else(|| text.find('(').and_then(|i| digits(&text[i + 1..])))
}

impl Attempt {
    /// The outcome, reply code and reply of an SMTP send (request and timing are the caller's).
    pub fn from_smtp(result: &std::result::Result<String, SendFailure>) -> Self {
        match result {
            Ok(reply) => Attempt {
                outcome: AttemptOutcome::Delivered,
                status_code: smtp_code(reply),
                response: Some(truncate(reply)),
                ..Default::default()
            },
            Err(SendFailure::Transient(e)) => Attempt {
                outcome: AttemptOutcome::Transient,
                status_code: smtp_code(e),
                response: smtp_code(e).map(|_| truncate(e)),
                error: Some(truncate(e)),
                ..Default::default()
            },
            Err(SendFailure::Permanent(e)) => Attempt {
                outcome: AttemptOutcome::Permanent,
                status_code: smtp_code(e),
                response: smtp_code(e).map(|_| truncate(e)),
                error: Some(truncate(e)),
                ..Default::default()
            },
        }
    }
}

pub(crate) async fn record<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    email_id: Option<Uuid>,
    webhook_id: Option<Uuid>,
    a: Attempt,
) -> Result<()> {
    crate::telemetry::delivery(if email_id.is_some() { "email" } else { "webhook" }, a.outcome.as_str());
    delivery_attempt::Entity::insert(delivery_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(tenant.account_id()),
        email_id: Set(email_id),
        webhook_delivery_id: Set(webhook_id),
        attempt: Set(a.number),
        outcome: Set(a.outcome),
        status_code: Set(a.status_code),
        request: Set(truncate(&a.request)),
        response: Set(a.response),
        error: Set(a.error),
        duration_ms: Set(i64::try_from(a.duration.as_millis()).unwrap_or(i64::MAX)),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Logs an SMTP attempt of email `email_id`.
pub async fn record_email_attempt<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    email_id: Uuid,
    attempt: Attempt,
) -> Result<()> {
    record(db, tenant, Some(email_id), None, attempt).await
}

/// Logs an HTTP attempt of webhook delivery `delivery_id`.
pub async fn record_webhook_attempt<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    delivery_id: Uuid,
    attempt: Attempt,
) -> Result<()> {
    record(db, tenant, None, Some(delivery_id), attempt).await
}
