//! `post_call_actions`: per-agent actions run after analysis — a `webhook` (signed JSON,
//! Slack or Microsoft Teams message) or a `schedule_call` (a signed callback request at a
//! follow-up time) — each with an optional condition (`{field, operator, value}` or an all/any group).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "post_call_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub agent_id: Uuid,
    pub kind: crate::columns::ActionKind,
    pub name: String,
    /// Turned off by an admin, or automatically after days of failures (see `disabled_reason`).
    pub enabled: bool,
    /// Where requests go (`http://` or `https://`).
    pub url: String,
    pub format: crate::columns::WebhookFormat,
    /// Slack/Teams message text (minijinja with the email variables).
    pub message_template: Option<String>,
    /// `request` format: `POST`, `PUT` or `PATCH` (others always POST).
    pub method: crate::columns::HttpMethod,
    /// `request` format: the headers and auth (`actions::RequestOptions` as JSON), sealed
    /// with the installation key: they hold credentials.
    pub request: Option<String>,
    /// `request` format: the JSON body template (minijinja, every value written as JSON).
    pub body_template: Option<String>,
    /// Whether requests carry Standard Webhooks signature headers (`standard` always,
    /// `request` when chosen, Slack and Teams never).
    pub sign: bool,
    /// Whether the JSON payload carries the transcript.
    pub include_transcript: bool,
    /// The Standard Webhooks signing secret, `whsec_<base64>`; shown once.
    pub secret: String,
    /// The secret before the last rotation; requests carry both signatures until it expires.
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<DateTimeUtc>,
    /// A [`crate::columns::Condition`] (`{"field", "operator", "value"}` or an all/any
    /// group); NULL = always.
    pub condition: Option<crate::columns::Condition>,
    /// `schedule_call`: the extracted field holding the follow-up time (ISO 8601).
    pub time_field: Option<String>,
    /// `schedule_call`: minutes after the call when the field is empty or unreadable.
    pub fallback_delay_minutes: Option<i32>,
    /// First failed attempt since the last success; the endpoint is disabled when this gets old.
    pub failing_since: Option<DateTimeUtc>,
    /// Why the endpoint was disabled automatically.
    pub disabled_reason: Option<String>,
    /// The published version these columns hold: 1, 2, …; 0 = never published (it does
    /// not run).
    pub version: i32,
    /// Unpublished dashboard edits: `actions::ActionSettings` as JSON, sealed.
    pub draft: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
