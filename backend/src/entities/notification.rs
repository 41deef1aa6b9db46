//! `notifications`: a post-call notification rule. `agent_id` NULL = every agent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "notifications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub agent_id: Option<Uuid>,
    pub name: String,
    pub enabled: bool,
    /// *Always send*: fires for every call without asking the analyzer.
    pub trigger_always: bool,
    /// The natural-language trigger question when not `trigger_always`.
    pub trigger_condition: Option<String>,
    pub recipients: crate::columns::Recipients,
    pub email_subject: String,
    /// Markdown with minijinja variables.
    pub email_body: String,
    pub team_alert: crate::columns::TeamAlertMode,
    /// Alerted when `team_alert` is `selected`.
    pub alert_user_ids: crate::columns::AlertUserIds,
    /// NULL for no task.
    pub task_priority: Option<crate::types::Priority>,
    pub position: i32,
    pub created_at: DateTimeUtc,
    /// Structured conditions that must all hold: [`crate::conditions::Condition`]s; NULL = none.
    pub conditions: Option<crate::columns::StoredConditions>,
    /// The published version these columns hold; 0 = never published (the notification
    /// does not run).
    pub version: i32,
    /// Unpublished edits: a [`crate::notifications::NotificationInput`]; NULL = none.
    pub draft: Option<crate::columns::Draft>,
    /// The member a created task is assigned to; NULL = unassigned.
    pub task_assignee_user_id: Option<Uuid>,
    /// A created task is due this many hours after the call was received; NULL = no due date.
    pub task_due_hours: Option<i32>,
    pub updated_at: DateTimeUtc,
    /// Sent as a periodic digest instead of per call; NULL = an email per call.
    pub digest: Option<crate::columns::Digest>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
