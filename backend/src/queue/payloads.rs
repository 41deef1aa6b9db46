//! The payloads of every job kind: what a domain module queues (see [`super::enqueue`]).
//! Each is stored as the job's JSON under its `KIND`; the handler that runs it is in
//! [`crate::jobs`].

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Payload;

/// Analyse conversation `conversation_id` and act on its notifications (queued at ingest).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AnalyzeCall {
    pub conversation_id: Uuid,
}

impl Payload for AnalyzeCall {
    const KIND: &'static str = "AnalyzeCall";
    const MAX_ATTEMPTS: i32 = 5;

    fn conversation_id(&self) -> Option<Uuid> {
        Some(self.conversation_id)
    }
}

/// Re-analyse conversation `conversation_id` (an admin asked for it).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReanalyzeCall {
    pub conversation_id: Uuid,
}

impl Payload for ReanalyzeCall {
    const KIND: &'static str = "ReanalyzeCall";
    const MAX_ATTEMPTS: i32 = 3;

    fn conversation_id(&self) -> Option<Uuid> {
        Some(self.conversation_id)
    }
}

/// Send email `email_id` (a row of the outbox).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendEmail {
    pub email_id: Uuid,
    /// The conversation the email is about (for replaying a conversation's dead jobs).
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
}

impl Payload for SendEmail {
    const KIND: &'static str = "SendEmail";
    const MAX_ATTEMPTS: i32 = 8;

    fn conversation_id(&self) -> Option<Uuid> {
        self.conversation_id
    }
}

/// Deliver webhook delivery `delivery_id`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliverWebhook {
    pub delivery_id: Uuid,
    #[serde(default)]
    pub conversation_id: Option<Uuid>,
}

impl Payload for DeliverWebhook {
    const KIND: &'static str = "DeliverWebhook";
    /// The SPEC schedule's 8 attempts; deliveries are queued with the configured count.
    const MAX_ATTEMPTS: i32 = 8;

    fn conversation_id(&self) -> Option<Uuid> {
        self.conversation_id
    }
}

/// Request the follow-up call `scheduled_call_id`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RequestCallback {
    pub scheduled_call_id: Uuid,
    pub conversation_id: Uuid,
}

impl Payload for RequestCallback {
    const KIND: &'static str = "RequestCallback";
    const MAX_ATTEMPTS: i32 = 5;

    fn conversation_id(&self) -> Option<Uuid> {
        Some(self.conversation_id)
    }
}

/// Deliver alert `alert_id` to push subscription `subscription_id`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SendPush {
    pub alert_id: Uuid,
    pub subscription_id: Uuid,
}

impl Payload for SendPush {
    const KIND: &'static str = "SendPush";
    const MAX_ATTEMPTS: i32 = 5;
}
