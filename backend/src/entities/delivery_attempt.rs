//! `delivery_attempts`: every attempt to deliver an email (SMTP) or a webhook (HTTP), with
//! what was sent and what the server answered.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "delivery_attempts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// Set for an email attempt.
    pub email_id: Option<Uuid>,
    /// Set for a webhook attempt.
    pub webhook_delivery_id: Option<Uuid>,
    /// 1-based.
    pub attempt: i32,
    pub outcome: crate::columns::AttemptOutcome,
    /// HTTP status, or the SMTP reply code.
    pub status_code: Option<i32>,
    /// What was sent: request line and headers (webhooks), envelope (emails).
    pub request: String,
    /// The server's reply, truncated to 2 KiB.
    pub response: Option<String>,
    /// The failure when there was no reply (connection refused, timeout).
    pub error: Option<String>,
    pub duration_ms: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
