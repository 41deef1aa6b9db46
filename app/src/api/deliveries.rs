//! Deliveries: every email and webhook attempt, dead letters and replay; scheduled
//! follow-up calls.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Page;
use crate::error::AppError;

/// One email or webhook delivery.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryItem {
    /// `email` or `webhook`.
    pub channel: String,
    pub id: String,
    /// Recipients or URL.
    pub target: String,
    pub title: String,
    pub conversation_id: Option<String>,
    pub state: String,
    pub attempts: i32,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created: String,
    pub dead: bool,
}

/// One attempt.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptItem {
    pub number: i32,
    pub outcome: String,
    pub status_code: Option<i32>,
    pub request: String,
    pub response: Option<String>,
    pub error: Option<String>,
    pub duration_ms: i64,
    pub at: String,
}

/// A delivery with its message id, body and attempts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryDetail {
    pub delivery: DeliveryItem,
    /// Message-ID (email) or `webhook-id`.
    pub message_id: String,
    pub body: Option<String>,
    pub attempts: Vec<AttemptItem>,
}

#[cfg(feature = "ssr")]
fn item(d: backend::delivery::Delivery) -> DeliveryItem {
    DeliveryItem {
        channel: d.channel.as_str().to_owned(),
        id: d.id.to_string(),
        dead: d.is_dead(),
        target: d.target,
        title: d.title,
        conversation_id: d.conversation_id.map(|c| c.to_string()),
        state: d.state,
        attempts: d.attempts,
        last_status: d.last_status,
        last_error: d.last_error,
        created: super::fmt::time(d.created_at),
    }
}

#[cfg(feature = "ssr")]
fn channel(value: &str) -> Result<backend::delivery::Channel, AppError> {
    backend::delivery::Channel::parse(value)
        .ok_or_else(|| backend::Error::invalid("channel", "must be email or webhook").into())
}

/// One page of deliveries, newest first; `state` is `pending`, `retrying`, `delivered`,
/// `dead` or empty (all); `conversation` narrows to one conversation.
#[server(endpoint = "list_deliveries", output = crate::api::Json)]
pub async fn list_deliveries(
    state: Option<String>,
    conversation: Option<String>,
    before: Option<String>,
) -> Result<Page<DeliveryItem>, AppError> {
    use crate::auth::{member, parse_cursor, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let filter = match state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            backend::delivery::StateFilter::parse(s)
                .ok_or_else(|| backend::Error::invalid("state", "must be pending, retrying, delivered or dead"))?,
        ),
    };
    let conversation = match conversation.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => Some(parse_id(c, "Conversation")?),
    };
    let before = parse_cursor(before.as_deref())?;
    let rows =
        backend::delivery::list(&services.db, &member.into(), filter, conversation, before, super::PAGE_SIZE).await?;
    let next = super::fmt::next_cursor(rows.len(), super::PAGE_SIZE, rows.last().map(|d| d.id));
    Ok(Page { items: rows.into_iter().map(item).collect(), next })
}

/// One delivery with its attempts.
#[server(endpoint = "get_delivery", output = crate::api::Json)]
pub async fn get_delivery(channel: String, id: String) -> Result<DeliveryDetail, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let d =
        backend::delivery::detail(&services.db, &member.into(), self::channel(&channel)?, parse_id(&id, "Delivery")?)
            .await?;
    Ok(DeliveryDetail {
        delivery: item(d.delivery),
        message_id: d.message_id,
        body: d.body,
        attempts: d
            .attempts
            .into_iter()
            .map(|a| AttemptItem {
                number: a.attempt,
                outcome: a.outcome.to_string(),
                status_code: a.status_code,
                request: a.request,
                response: a.response,
                error: a.error,
                duration_ms: a.duration_ms,
                at: super::fmt::time(a.at),
            })
            .collect(),
    })
}

/// Replays a dead delivery (any member: it re-sends what was configured, it changes nothing).
#[server(endpoint = "replay_delivery", output = crate::api::Json)]
pub async fn replay_delivery(channel: String, id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::delivery::replay(&services, &member.into(), self::channel(&channel)?, parse_id(&id, "Delivery")?).await?;
    Ok(())
}

/// Replays everything dead for a conversation; returns how many jobs were revived.
#[server(endpoint = "replay_conversation", output = crate::api::Json)]
pub async fn replay_conversation(id: String) -> Result<usize, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    Ok(backend::delivery::replay_conversation(&services, &member.into(), parse_id(&id, "Conversation")?).await?)
}

/// A scheduled follow-up call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledCallItem {
    pub id: String,
    pub due: String,
    /// `scheduled`, `cancelled` or `requested`.
    pub state: String,
    pub source: String,
    /// The callback request's delivery, once requested.
    pub delivery_id: Option<String>,
}

/// The conversation's scheduled calls, soonest first.
#[server(endpoint = "list_scheduled_calls", output = crate::api::Json)]
pub async fn list_scheduled_calls(conversation: String) -> Result<Vec<ScheduledCallItem>, AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    let rows =
        backend::actions::scheduled_calls(&services.db, &member.tenant, parse_id(&conversation, "Conversation")?)
            .await?;
    Ok(rows
        .into_iter()
        .map(|c| ScheduledCallItem {
            id: c.id.to_string(),
            due: super::fmt::time(c.due_at),
            state: c.state.to_string(),
            source: c.source,
            delivery_id: c.webhook_delivery_id.map(|d| d.to_string()),
        })
        .collect())
}

/// Cancels a scheduled call that has not been requested yet.
#[server(endpoint = "cancel_scheduled_call", output = crate::api::Json)]
pub async fn cancel_scheduled_call(id: String) -> Result<(), AppError> {
    use crate::auth::{member, parse_id, services};
    let member = member().await?;
    let services = services()?;
    backend::actions::cancel_scheduled_call(&services.db, &member.into(), parse_id(&id, "Scheduled call")?).await?;
    Ok(())
}
