//! The deliveries read model: emails and webhook deliveries in one list, and one delivery with
//! its attempts.

#[allow(unused_imports)]
use super::*;

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

    pub(crate) fn email_states(self) -> &'static [crate::delivery::outbox::EmailState] {
        match self {
            Self::Pending => &[crate::delivery::outbox::EmailState::Pending],
            Self::Retrying => &[crate::delivery::outbox::EmailState::Retrying],
            Self::Delivered => &[crate::delivery::outbox::EmailState::Sent],
            Self::Dead => &[crate::delivery::outbox::EmailState::Dead],
        }
    }

    pub(crate) fn webhook_state(self) -> WebhookState {
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

pub(crate) fn from_email(e: email::Model) -> Delivery {
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

pub(crate) fn from_webhook(w: webhook_delivery::Model) -> Delivery {
    Delivery {
        channel: Channel::Webhook,
        id: w.id,
        target: w.url,
        // "CRM v2 · conversation.analyzed": the action version whose settings built it.
        title: match w.action_version {
            Some(v) if v > 0 => format!("{} v{v} · {}", w.action_name, w.event_type),
            _ => format!("{} · {}", w.action_name, w.event_type),
        },
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
    let mut emails = crate::delivery::outbox::visible(scope::<email::Entity>(tenant), actor);
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
    /// What was sent: for webhooks the request line (with the URL's path and query hidden),
    /// the headers (signatures redacted) and the body; for emails the envelope, Message-ID
    /// and subject.
    pub request: String,
    /// What came back, cut to 2 KiB (`deliveries::MAX_LOGGED` bytes).
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
            let e = crate::delivery::outbox::get(db, actor, id).await?;
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
