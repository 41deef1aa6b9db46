//! Deliveries: every email and webhook the account sent or is sending, every attempt with
//! what the server answered, and replay of dead letters (one delivery, or everything dead
//! for a conversation).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

use crate::email::SendFailure;
use crate::entities::{delivery_attempt, email, job, webhook_delivery};
use crate::error::{Error, Result};
use crate::jobs::{DeliverWebhook, SendEmail, queue};
use crate::tenancy::{Actor, Permission, Tenant, scope, secure_find};

pub use crate::columns::{AttemptOutcome, WebhookState};

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

fn smtp_code(text: &str) -> Option<i32> {
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

async fn record<C: ConnectionTrait>(
    db: &C,
    tenant: &Tenant,
    email_id: Option<Uuid>,
    webhook_id: Option<Uuid>,
    a: Attempt,
) -> Result<()> {
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

/// Which deliveries to list: the states of the Deliveries page's filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateFilter {
    Pending,
    Retrying,
    /// Webhooks answered 2xx and emails accepted by SMTP (not outbox-only emails).
    Delivered,
    Dead,
}

impl StateFilter {
    /// `pending`, `retrying`, `delivered` or `dead`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "pending" => Some(Self::Pending),
            "retrying" => Some(Self::Retrying),
            "delivered" => Some(Self::Delivered),
            "dead" => Some(Self::Dead),
            _ => None,
        }
    }

    fn email_states(self) -> &'static [crate::outbox::EmailState] {
        match self {
            Self::Pending => &[crate::outbox::EmailState::Pending],
            Self::Retrying => &[crate::outbox::EmailState::Retrying],
            Self::Delivered => &[crate::outbox::EmailState::Sent],
            Self::Dead => &[crate::outbox::EmailState::Dead],
        }
    }

    fn webhook_state(self) -> WebhookState {
        match self {
            Self::Pending => WebhookState::Pending,
            Self::Retrying => WebhookState::Retrying,
            Self::Delivered => WebhookState::Delivered,
            Self::Dead => WebhookState::Dead,
        }
    }
}

/// What a delivery is; serialised as `email` / `webhook`.
#[derive(utoipa::ToSchema, Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Email,
    Webhook,
}

impl Channel {
    /// `email` or `webhook`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
        }
    }

    /// Parses [`Channel::as_str`].
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "email" => Some(Channel::Email),
            "webhook" => Some(Channel::Webhook),
            _ => None,
        }
    }
}

/// One row of the Deliveries page, and a delivery as the REST API returns it.
#[derive(utoipa::ToSchema, Clone, Debug, serde::Serialize)]
pub struct Delivery {
    pub channel: Channel,
    pub id: Uuid,
    /// Recipients (email) or URL (webhook).
    pub target: String,
    /// Subject (email) or `<action name> · <event type>` (webhook).
    pub title: String,
    pub conversation_id: Option<Uuid>,
    /// The stored state: emails `pending|retrying|sent|outbox|dead`, webhooks
    /// `pending|retrying|delivered|dead`.
    pub state: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Delivery {
    /// Whether it is a dead letter (replayable).
    pub fn is_dead(&self) -> bool {
        self.state == WebhookState::Dead.as_str()
    }
}

fn from_email(e: email::Model) -> Delivery {
    let to = e.recipients.0;
    Delivery {
        channel: Channel::Email,
        id: e.id,
        target: to.join(", "),
        title: e.subject.unwrap_or_else(|| "(not rendered yet)".to_owned()),
        conversation_id: e.conversation_id,
        state: e.state.to_string(),
        attempts: e.attempts,
        last_status: None,
        last_error: e.last_error,
        created_at: e.created_at,
    }
}

fn from_webhook(w: webhook_delivery::Model) -> Delivery {
    Delivery {
        channel: Channel::Webhook,
        id: w.id,
        target: w.url,
        title: format!("{} · {}", w.action_name, w.event_type),
        conversation_id: w.conversation_id,
        state: w.state.to_string(),
        attempts: w.attempts,
        last_status: w.last_status,
        last_error: w.last_error,
        created_at: w.created_at,
    }
}

/// Emails and webhook deliveries of the tenant, newest first (ids are time-ordered UUIDv7):
/// at most `limit`, older than the cursor `before` (keyset pagination), in `filter`'s
/// state, or of one conversation. Account emails (invitations, resets) are listed to
/// those who may see sensitive data (owners, admins, API keys).
///
/// Errors: [`Error::NotFound`] when `conversation_id` is not the tenant's.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    filter: Option<StateFilter>,
    conversation_id: Option<Uuid>,
    before: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Delivery>> {
    let tenant = actor.tenant();
    let mut emails = crate::outbox::visible(scope::<email::Entity>(tenant), actor);
    let mut hooks = scope::<webhook_delivery::Entity>(tenant);
    if let Some(f) = filter {
        emails = emails.filter(email::Column::State.is_in(f.email_states().iter().copied()));
        hooks = hooks.filter(webhook_delivery::Column::State.eq(f.webhook_state()));
    }
    if let Some(c) = conversation_id {
        secure_find::<crate::entities::conversation::Entity, _>(db, tenant, c).await?;
        emails = emails.filter(email::Column::ConversationId.eq(c));
        hooks = hooks.filter(webhook_delivery::Column::ConversationId.eq(c));
    }
    if let Some(b) = before {
        emails = emails.filter(email::Column::Id.lt(b));
        hooks = hooks.filter(webhook_delivery::Column::Id.lt(b));
    }
    let emails = emails.order_by_desc(email::Column::Id).limit(limit).all(db).await?;
    let hooks = hooks.order_by_desc(webhook_delivery::Column::Id).limit(limit).all(db).await?;
    let mut all: Vec<Delivery> =
        emails.into_iter().map(from_email).chain(hooks.into_iter().map(from_webhook)).collect();
    all.sort_by_key(|d| std::cmp::Reverse(d.id));
    all.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(all)
}

/// One attempt of a delivery, as both front doors show it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct AttemptView {
    /// 1, 2, …
    pub attempt: i32,
    pub outcome: crate::columns::AttemptOutcome,
    /// The HTTP status (webhooks) or SMTP reply code (emails), when one came back.
    pub status_code: Option<i32>,
    /// What was sent: the request line and headers (secrets masked).
    pub request: String,
    /// What came back, cut to a few KiB.
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: DateTime<Utc>,
}

impl From<delivery_attempt::Model> for AttemptView {
    fn from(a: delivery_attempt::Model) -> Self {
        Self {
            attempt: a.attempt,
            outcome: a.outcome,
            status_code: a.status_code,
            request: a.request,
            response: a.response,
            error: a.error,
            duration_ms: a.duration_ms,
            at: a.created_at,
        }
    }
}

/// A delivery with everything the detail view shows: the read model REST serialises as
/// it is (`GET /api/v1/deliveries/{channel}/{id}`) and the dashboard formats.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = DeliveryDetail)]
pub struct Detail {
    pub delivery: Delivery,
    /// Webhooks: the `webhook-id`; emails: the Message-ID.
    pub message_id: String,
    /// Webhooks: the JSON body sent (once built); emails: the text part.
    pub body: Option<String>,
    /// Attempts, oldest first.
    pub attempts: Vec<AttemptView>,
}

/// One delivery and its attempts. An account email shows its stored copy, whose link is
/// hidden.
///
/// Errors: [`Error::NotFound`] (also for another account's id, and for a member asking for
/// an account email).
pub async fn detail<C: ConnectionTrait>(db: &C, actor: &Actor, channel: Channel, id: Uuid) -> Result<Detail> {
    let tenant = actor.tenant();
    let (delivery, message_id, body, column) = match channel {
        Channel::Email => {
            let e = crate::outbox::get(db, actor, id).await?;
            let (mid, body) = (e.message_id.clone(), e.text_body.clone());
            (from_email(e), mid, body, delivery_attempt::Column::EmailId)
        }
        Channel::Webhook => {
            let w = secure_find::<webhook_delivery::Entity, _>(db, tenant, id).await?;
            let body = w.payload.as_deref().map(|p| {
                serde_json::from_str::<serde_json::Value>(p)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| p.to_owned())
            });
            let mid = w.webhook_id.clone();
            (from_webhook(w), mid, body, delivery_attempt::Column::WebhookDeliveryId)
        }
    };
    let attempts = scope::<delivery_attempt::Entity>(tenant)
        .filter(column.eq(id))
        .order_by_asc(delivery_attempt::Column::Id)
        .all(db)
        .await?;
    let attempts = attempts.into_iter().map(AttemptView::from).collect();
    Ok(Detail { delivery, message_id, body, attempts })
}

/// Runs `job_id` again if it is dead, or queues `fresh` when the delivery has no dead job
/// (rows from before jobs were linked). Returns the job id.
async fn revive<C: ConnectionTrait, J: crate::jobs::Job>(
    db: &C,
    tenant: &Tenant,
    job_id: Option<Uuid>,
    fresh: &J,
    max_attempts: i32,
) -> Result<Uuid> {
    if let Some(id) = job_id
        && let Some(j) = scope::<job::Entity>(tenant).filter(job::Column::Id.eq(id)).one(db).await?
        && j.state == crate::jobs::queue::JobState::Dead
    {
        queue::replay(db, tenant, id).await?;
        return Ok(id);
    }
    Ok(queue::enqueue_with(db, tenant, fresh, Utc::now(), max_attempts).await?)
}

/// Replays a dead delivery: its job runs again from attempt 1 (same Message-ID or
/// `webhook-id`, same rendered content), now: the runner is woken at commit. Needs the work
/// permission; account emails only for those who may see them.
///
/// Errors: [`Error::Forbidden`]; [`Error::NotFound`]; [`Error::Invalid`] (`state`) unless
/// it is dead.
pub async fn replay(services: &crate::Services, actor: &Actor, channel: Channel, id: Uuid) -> Result<()> {
    actor.require(Permission::Work)?;
    let tenant = actor.tenant();
    let settings = &services.settings;
    let mut work = crate::db::Work::begin(services).await?;
    match channel {
        Channel::Email => {
            let e = crate::outbox::get(work.db(), actor, id).await?;
            if e.state != crate::outbox::EmailState::Dead {
                return Err(Error::invalid(
                    "state",
                    format!("only dead deliveries can be replayed; this one is {}", e.state),
                ));
            }
            let job_id = revive(
                work.db(),
                tenant,
                e.job_id,
                &SendEmail { email_id: e.id, conversation_id: e.conversation_id },
                <SendEmail as crate::jobs::Job>::MAX_ATTEMPTS,
            )
            .await?;
            email::Entity::update_many()
                .col_expr(email::Column::State, Expr::value(crate::outbox::EmailState::Pending))
                .col_expr(email::Column::JobId, Expr::value(Some(job_id)))
                .col_expr(email::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(email::Column::Id.eq(e.id))
                .exec(work.db())
                .await?;
        }
        Channel::Webhook => {
            let w = secure_find::<webhook_delivery::Entity, _>(work.db(), tenant, id).await?;
            if w.state != WebhookState::Dead {
                return Err(Error::invalid(
                    "state",
                    format!("only dead deliveries can be replayed; this one is {}", w.state),
                ));
            }
            let attempts = i32::try_from(settings.webhooks.retry_schedule.len() + 1).unwrap_or(i32::MAX);
            let job_id = revive(
                work.db(),
                tenant,
                w.job_id,
                &DeliverWebhook { delivery_id: w.id, conversation_id: w.conversation_id },
                attempts,
            )
            .await?;
            webhook_delivery::Entity::update_many()
                .col_expr(webhook_delivery::Column::State, Expr::value(WebhookState::Pending))
                .col_expr(webhook_delivery::Column::JobId, Expr::value(Some(job_id)))
                .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(Utc::now()))
                .filter(webhook_delivery::Column::Id.eq(w.id))
                .exec(work.db())
                .await?;
        }
    }
    work.wake_runner();
    work.commit().await?;
    Ok(())
}

/// Replays everything dead for a conversation: its dead jobs (analysis, emails, webhooks,
/// callback requests, pushes) run again, now: the runner is woken at commit. Returns how
/// many jobs were revived. Needs the work permission.
///
/// Errors: [`Error::Forbidden`]; [`Error::NotFound`] for another account's conversation.
pub async fn replay_conversation(services: &crate::Services, actor: &Actor, conversation_id: Uuid) -> Result<usize> {
    actor.require(Permission::Work)?;
    let tenant = actor.tenant();
    let conv = secure_find::<crate::entities::conversation::Entity, _>(&services.db, tenant, conversation_id).await?;
    let mut work = crate::db::Work::begin(services).await?;
    let dead = scope::<job::Entity>(tenant)
        .filter(job::Column::ConversationId.eq(conv.id))
        .filter(job::Column::State.eq(crate::jobs::queue::JobState::Dead))
        .all(work.db())
        .await?;
    for j in &dead {
        queue::replay(work.db(), tenant, j.id).await?;
    }
    let now = Utc::now();
    email::Entity::update_many()
        .col_expr(email::Column::State, Expr::value(crate::outbox::EmailState::Pending))
        .col_expr(email::Column::UpdatedAt, Expr::value(now))
        .filter(email::Column::AccountId.eq(tenant.account_id()))
        .filter(email::Column::ConversationId.eq(conv.id))
        .filter(email::Column::State.eq(crate::outbox::EmailState::Dead))
        .filter(email::Column::JobId.is_in(dead.iter().map(|j| j.id)))
        .exec(work.db())
        .await?;
    webhook_delivery::Entity::update_many()
        .col_expr(webhook_delivery::Column::State, Expr::value(WebhookState::Pending))
        .col_expr(webhook_delivery::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_delivery::Column::AccountId.eq(tenant.account_id()))
        .filter(webhook_delivery::Column::ConversationId.eq(conv.id))
        .filter(webhook_delivery::Column::State.eq(WebhookState::Dead))
        .filter(webhook_delivery::Column::JobId.is_in(dead.iter().map(|j| j.id)))
        .exec(work.db())
        .await?;
    work.wake_runner();
    work.commit().await?;
    Ok(dead.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_reply_codes_are_read_from_replies_and_lettre_errors() {
        assert_eq!(smtp_code("250 2.0.0 Ok: queued"), Some(250));
        assert_eq!(smtp_code("permanent error (550): mailbox unavailable"), Some(550));
        assert_eq!(smtp_code("Connection refused (os error 111)"), None);
        let a = Attempt::from_smtp(&Err(SendFailure::Transient("transient error (451): try later".into())));
        assert_eq!((a.outcome, a.status_code), (AttemptOutcome::Transient, Some(451)));
    }

    #[test]
    fn long_texts_are_cut_at_a_character_boundary() {
        let long = "é".repeat(MAX_LOGGED);
        let cut = truncate(&long);
        assert!(cut.len() < long.len() && cut.ends_with("bytes in all)"), "{}", &cut[cut.len() - 30..]);
        assert_eq!(truncate("short"), "short");
    }
}
