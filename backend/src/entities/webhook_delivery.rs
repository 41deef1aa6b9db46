//! `webhook_deliveries`: one message to one endpoint (a post-call webhook, a callback
//! request of a scheduled call, or a test-send), with its stable `webhook-id` and state.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// The action it came from (NULL once the action is deleted).
    pub action_id: Option<Uuid>,
    pub action_name: String,
    /// The action's published version whose settings built the request (0: an unpublished
    /// action's test-send; NULL for deliveries made before versions).
    pub action_version: Option<i32>,
    pub url: String,
    pub format: crate::columns::WebhookFormat,
    pub conversation_id: Option<Uuid>,
    pub event_type: crate::columns::WebhookEvent,
    /// The `webhook-id` header: `msg_<uuid>`, the same on every attempt.
    pub webhook_id: String,
    /// The exact JSON body, built at the first attempt and re-sent byte for byte (text, not
    /// JSON: PostgreSQL's `jsonb` would reorder keys).
    pub payload: Option<String>,
    pub state: crate::columns::WebhookState,
    pub attempts: i32,
    /// HTTP status of the last attempt (NULL: no response).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// The `DeliverWebhook` job (replay puts it back to pending).
    pub job_id: Option<Uuid>,
    /// A test-send from the action editor.
    pub test: bool,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
